"""Admin pages for projects and their teams."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounts.admin_scope import MembershipInline, ScopedModelAdmin
from accounts.permissions import Kind
from auditoria.admin import feed_link
from proyectos.models import Proyecto, ProyectoMember


class ProyectoMemberInline(MembershipInline):
    model = ProyectoMember
    access_kind = Kind.PROYECTO_MEMBER
    parent_relation = "proyecto"
    workspace_field = "workspace_id"
    proyecto_field = "id"


@admin.register(Proyecto)
class ProyectoAdmin(ScopedModelAdmin):
    access_kind = Kind.PROYECTO
    workspace_field = "workspace_id"
    proyecto_field = "id"
    list_display = ("nombre", "workspace", "tipo", "estado", "fecha_inicio", "fecha_fin")
    list_select_related = ("workspace",)
    list_filter = ("tipo", "estado")
    # One column: an OR across a join could not use the trigram indexes.
    search_fields = ("nombre",)
    autocomplete_fields = ("workspace",)
    readonly_fields = ("created_at", "updated_at", "actividad")
    inlines = (ProyectoMemberInline,)

    @admin.display(description=_("actividad"))
    def actividad(self, obj):
        return feed_link(obj)


@admin.register(ProyectoMember)
class ProyectoMemberAdmin(ScopedModelAdmin):
    access_kind = Kind.PROYECTO_MEMBER
    workspace_field = "proyecto__workspace_id"
    proyecto_field = "proyecto_id"
    list_display = ("user", "proyecto", "rol", "joined_at")
    list_select_related = ("user", "proyecto")
    list_filter = ("rol",)
    search_fields = ("user__email", "user__nombre", "proyecto__nombre")
    autocomplete_fields = ("proyecto", "user")
    readonly_fields = ("joined_at",)
