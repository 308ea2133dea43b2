"""The home page: what the user's workspaces hold and what happened in them lately."""

from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _

from tablero import charts, selectors


@login_required
def tablero(request):
    board = selectors.dashboard(request.user)
    context = {
        **admin.site.each_context(request),
        "title": _("Tablero"),
        # The whole width for the charts; the admin index has no sidebar either.
        "is_nav_sidebar_enabled": False,
        "board": board,
        "activity_chart": charts.activity_per_week(board.weeks),
        "storage_chart": charts.storage_per_project(board.proyectos_by_storage),
        "week_cap": selectors.WEEK_COUNT_CAP,
    }
    return render(request, "tablero/tablero.html", context)
