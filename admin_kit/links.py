"""Links between admin pages: from a workspace or project to its activity feed."""

from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _


def feed_link(obj):
    """A link from a workspace's or project's page to its activity feed."""
    if obj is None or obj._state.adding:
        return "-"
    url = reverse("admin:auditoria_actividad_changelist")
    return format_html(
        '<a href="{}?{}={}">{}</a>', url, obj._meta.model_name, obj.pk, _("Ver la actividad")
    )
