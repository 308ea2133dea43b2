"""Admin pages for projects and their teams: every change through proyectos.services."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from admin_kit.links import feed_link
from admin_kit.options import MembershipInline, ScopedModelAdmin
from core.permissions import Kind, access_for
from proyectos import services
from proyectos.models import Proyecto, ProyectoMember


class ProyectoMemberInline(MembershipInline):
    model = ProyectoMember
    access_kind = Kind.PROYECTO_MEMBER
    parent_relation = "proyecto"
    workspace_field = "workspace_id"
    proyecto_field = "id"

    def grantable_roles(self, request, parent):
        return access_for(request.user).grantable_proyecto_roles(parent.workspace_id, parent.pk)

    def add_row(self, request, parent, row):
        services.add_proyecto_member(
            proyecto=parent, member=row.user, rol=row.rol, user=request.user
        )

    def change_row(self, request, row):
        services.change_proyecto_member_rol(membership=row, rol=row.rol, user=request.user)

    def remove_row(self, request, row):
        services.remove_proyecto_member(membership=row, user=request.user)


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

    def get_readonly_fields(self, request, obj=None):
        # A project stays in the workspace it was created in.
        return ("workspace", *self.readonly_fields) if obj else self.readonly_fields

    @admin.display(description=_("actividad"))
    def actividad(self, obj):
        return feed_link(obj)

    def create(self, request, form):
        data = form.cleaned_data
        return services.create_proyecto(
            workspace=data["workspace"],
            nombre=data["nombre"],
            user=request.user,
            **{name: data[name] for name in services.EDITABLE_FIELDS if name != "nombre"},
        )

    def update(self, request, obj, form):
        services.update_proyecto(
            proyecto=obj, user=request.user, **self.changed_fields(form, services.EDITABLE_FIELDS)
        )

    def delete(self, request, obj):
        services.delete_proyecto(proyecto=obj, user=request.user)


@admin.register(ProyectoMember)
class ProyectoMemberAdmin(ScopedModelAdmin):
    access_kind = Kind.PROYECTO_MEMBER
    workspace_field = "proyecto__workspace_id"
    proyecto_field = "proyecto_id"
    # A member's memberships: their projects' ids, read from proyecto_members_unique_member
    # instead of a join through every project of their workspaces.
    reads_per_scope = True
    list_display = ("user", "proyecto", "rol", "joined_at")
    list_select_related = ("user", "proyecto")
    list_filter = ("rol",)
    search_fields = ("user__email", "user__nombre", "proyecto__nombre")
    autocomplete_fields = ("proyecto", "user")
    readonly_fields = ("joined_at",)

    def get_readonly_fields(self, request, obj=None):
        # A membership is of one user in one project: only its role changes.
        return ("proyecto", "user", "joined_at") if obj else self.readonly_fields

    def create(self, request, form):
        data = form.cleaned_data
        return services.add_proyecto_member(
            proyecto=data["proyecto"], member=data["user"], rol=data["rol"], user=request.user
        )

    def update(self, request, obj, form):
        services.change_proyecto_member_rol(membership=obj, rol=obj.rol, user=request.user)

    def delete(self, request, obj):
        services.remove_proyecto_member(membership=obj, user=request.user)
