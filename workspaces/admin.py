"""Admin pages for workspaces and their members."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.admin_scope import MembershipInline, ScopedModelAdmin
from accounts.permissions import Kind
from auditoria.admin import feed_link
from workspaces import services
from workspaces.models import Workspace, WorkspaceMember


def save_membership_formset(model_admin, request, formset, workspace):
    """Members added, re-roled or removed on the workspace's page, through the services."""
    instances = formset.save(commit=False)
    for membership in formset.deleted_objects:
        try:
            services.remove_workspace_member(membership=membership, user=request.user)
        except ValidationError as error:
            model_admin.message_user(
                request, f"{membership.user}: {error.messages[0]}", messages.ERROR
            )
    for membership in instances:
        if membership._state.adding:
            services.add_workspace_member(
                workspace=workspace, member=membership.user, rol=membership.rol, user=request.user
            )
        else:
            services.change_workspace_member_rol(
                membership=membership, rol=membership.rol, user=request.user
            )


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

    def save_formset(self, request, form, formset, change):
        if formset.model is WorkspaceMember:
            save_membership_formset(self, request, formset, form.instance)
        else:
            super().save_formset(request, form, formset, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.ensure_owner_membership(workspace=form.instance, user=request.user)


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

    def get_readonly_fields(self, request, obj=None):
        # A membership is of one user in one workspace: only its role changes.
        return ("workspace", "user", "joined_at") if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            services.change_workspace_member_rol(membership=obj, rol=obj.rol, user=request.user)
        else:
            created = services.add_workspace_member(
                workspace=obj.workspace, member=obj.user, rol=obj.rol, user=request.user
            )
            obj.pk, obj._state.adding = created.pk, False

    def delete_model(self, request, obj):
        services.remove_workspace_member(membership=obj, user=request.user)

    def get_deleted_objects(self, objs, request):
        """The owner's membership is listed as protected: the page explains it cannot go."""
        to_delete, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        owners = [
            membership for membership in objs if membership.user_id == membership.workspace.owner_id
        ]
        return to_delete, model_count, perms_needed, [*protected, *owners]
