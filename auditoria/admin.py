"""Admin page for the audit trail (read-only by design) and the project and workspace feeds."""

import uuid

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.db import router
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from admin_kit.changelist import ReadRanges
from admin_kit.options import ScopedModelAdmin
from auditoria.events import Evento
from auditoria.models import Actividad, EventoCode
from auditoria.partitions import month_bounds
from auditoria.selectors import month_ranges
from core.permissions import Kind


class FeedFilter(admin.SimpleListFilter):
    """Narrows the trail to one workspace's or project's feed, reached from its page.

    It lists only the chosen one, so it never reads the (large) table of choices.
    """

    model = None

    def lookups(self, request, model_admin):
        chosen = self.value()
        if not chosen:
            return []
        try:
            uuid.UUID(chosen)
        except ValueError:
            raise IncorrectLookupParameters(chosen) from None
        # Through the model's own admin, so a name is shown only to those who may see it.
        visible = model_admin.admin_site.get_model_admin(self.model).get_queryset(request)
        obj = visible.filter(pk=chosen).first()
        # Listed even when not visible, so the filter still applies (and finds nothing).
        return [(chosen, str(obj) if obj else _("(no disponible)"))]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(**{f"{self.parameter_name}_id": self.value()})
        return queryset


class WorkspaceFeedFilter(FeedFilter):
    title = _("workspace")
    parameter_name = "workspace"
    model = Actividad._meta.get_field("workspace").related_model


class ProyectoFeedFilter(FeedFilter):
    title = _("proyecto")
    parameter_name = "proyecto"
    model = Actividad._meta.get_field("proyecto").related_model


class EventoFilter(admin.SimpleListFilter):
    """The trail of one kind of event (`metadata["evento"]`), answered by actividades_evento_idx."""

    title = _("evento")
    parameter_name = "evento"

    def lookups(self, request, model_admin):
        return Evento.choices

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        if self.value() not in Evento.values:
            raise IncorrectLookupParameters(self.value())
        return queryset.alias(evento=EventoCode()).filter(evento=self.value())


@admin.register(Actividad)
class ActividadAdmin(ScopedModelAdmin):
    access_kind = Kind.ACTIVIDAD
    workspace_field = "workspace_id"
    proyecto_field = "proyecto_id"
    # A member's trail: each workspace and project read from its own feed index, and
    # counted there as far as the numbered pages (no estimate to plan over every month).
    reads_per_scope = True
    count_members_to_pages = True
    list_display = (
        "created_at",
        "tipo",
        "entidad_tipo",
        "descripcion",
        "user",
        "workspace",
        "proyecto",
    )
    list_select_related = ("user", "workspace", "proyecto")
    # Date ranges with fixed choices (today, 7 days, month, year): no scan of the table.
    list_filter = (
        "created_at",
        EventoFilter,
        "tipo",
        "entidad_tipo",
        WorkspaceFeedFilter,
        ProyectoFeedFilter,
    )
    search_fields = ("descripcion",)
    readonly_fields = (
        "created_at",
        "user",
        "workspace",
        "proyecto",
        "tipo",
        "entidad_tipo",
        "entidad_id",
        "descripcion",
        "metadata",
    )
    fields = readonly_fields

    def read_ranges(self, request):
        """Newest first, month by month: each month's partition planned alone."""
        bounds = month_bounds(router.db_for_read(Actividad))
        ranges = month_ranges(bounds, upper=timezone.now(), months=len(bounds))
        return ReadRanges("created_at", tuple(ranges)) if bounds else None

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
