"""Admin page for the audit trail: read-only, by design."""

from django.contrib import admin

from accounts.admin_scope import ScopedModelAdmin
from accounts.permissions import Kind
from auditoria.models import Actividad


@admin.register(Actividad)
class ActividadAdmin(ScopedModelAdmin):
    access_kind = Kind.ACTIVIDAD
    workspace_field = "workspace_id"
    proyecto_field = "proyecto_id"
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
    list_filter = ("tipo", "entidad_tipo")
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

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
