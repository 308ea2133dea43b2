"""Admin pages for workspaces and their members."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounts.admin_scope import MembershipInline, ScopedModelAdmin
from accounts.permissions import Kind
from auditoria.admin import feed_link
from auditoria.models import TipoActividad
from auditoria.services import record_admin_change, snapshot
from workspaces.models import Workspace, WorkspaceMember, WorkspaceRol


class WorkspaceMemberInline(MembershipInline):
    model = WorkspaceMember
    access_kind = Kind.WORKSPACE_MEMBER
    parent_relation = "workspace"
    workspace_field = "id"


@admin.register(Workspace)
class WorkspaceAdmin(ScopedModelAdmin):
    access_kind = Kind.WORKSPACE
    workspace_field = "id"
    list_display = ("nombre", "slug", "owner", "plan", "created_at")
    list_select_related = ("owner",)
    list_filter = ("plan",)
    search_fields = ("nombre", "slug")
    prepopulated_fields = {"slug": ("nombre",)}
    autocomplete_fields = ("owner",)
    readonly_fields = ("created_at", "updated_at", "actividad")
    inlines = (WorkspaceMemberInline,)

    @admin.display(description=_("actividad"))
    def actividad(self, obj):
        return feed_link(obj)

    def save_related(self, request, form, formsets, change):
        """The owner is always an owner member of their workspace (added if missing)."""
        super().save_related(request, form, formsets, change)
        workspace = form.instance
        membership, created = WorkspaceMember.objects.get_or_create(
            workspace=workspace, user=workspace.owner, defaults={"rol": WorkspaceRol.OWNER}
        )
        before = None
        if not created and membership.rol != WorkspaceRol.OWNER:
            before = snapshot(membership)
            membership.rol = WorkspaceRol.OWNER
            membership.save(update_fields=["rol"])
        if created or before:
            record_admin_change(
                obj=membership,
                user=request.user,
                tipo=TipoActividad.CREAR if created else TipoActividad.EDITAR,
                before=None if created else before,
            )


@admin.register(WorkspaceMember)
class WorkspaceMemberAdmin(ScopedModelAdmin):
    access_kind = Kind.WORKSPACE_MEMBER
    workspace_field = "workspace_id"
    list_display = ("user", "workspace", "rol", "joined_at")
    list_select_related = ("user", "workspace")
    list_filter = ("rol",)
    search_fields = ("user__email", "user__nombre", "workspace__nombre")
    autocomplete_fields = ("workspace", "user")
    readonly_fields = ("joined_at",)
