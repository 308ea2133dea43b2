"""Admin pages for workspaces and their members: every change through workspaces.services."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from admin_kit.links import feed_link
from admin_kit.options import MembershipInline, ScopedModelAdmin
from core.permissions import Kind, access_for
from core.services import DomainError
from workspaces import services
from workspaces.models import Workspace, WorkspaceMember


class WorkspaceMemberInline(MembershipInline):
    model = WorkspaceMember
    access_kind = Kind.WORKSPACE_MEMBER
    parent_relation = "workspace"
    workspace_field = "id"

    def grantable_roles(self, request, parent):
        return access_for(request.user).grantable_workspace_roles(parent.pk)

    def add_row(self, request, parent, row):
        services.add_workspace_member(
            workspace=parent, member=row.user, rol=row.rol, user=request.user
        )

    def change_row(self, request, row):
        services.change_workspace_member_rol(membership=row, rol=row.rol, user=request.user)

    def remove_row(self, request, row):
        services.remove_workspace_member(membership=row, user=request.user)


class TransferOwnershipForm(forms.Form):
    """The new owner, chosen among the workspace's members."""

    owner = forms.ModelChoiceField(label=_("nuevo propietario"), queryset=None)

    def __init__(self, *args, workspace, **kwargs):
        super().__init__(*args, **kwargs)
        members = workspace.members.exclude(user_id=workspace.owner_id).select_related("user")
        self.fields["owner"].queryset = (
            type(workspace.owner)
            ._default_manager.filter(pk__in=members.values("user_id"))
            .order_by("email")
        )


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
    readonly_fields = ("propietario", "actividad", "created_at", "updated_at")
    inlines = (WorkspaceMemberInline,)

    def get_fields(self, request, obj=None):
        # The owner is chosen when the workspace is created; afterwards it changes only
        # by a transfer (its own page), never by editing a field.
        if obj is None:
            return ["nombre", "slug", "owner", "descripcion", "plan", "settings"]
        return ["nombre", "slug", "propietario", "descripcion", "plan", "settings",
                "actividad", "created_at", "updated_at"]  # fmt: skip

    @admin.display(description=_("propietario"))
    def propietario(self, obj):
        url = reverse("admin:workspaces_workspace_transfer", args=[obj.pk])
        return format_html('{} · <a href="{}">{}</a>', obj.owner, url, _("Transferir la propiedad"))

    @admin.display(description=_("actividad"))
    def actividad(self, obj):
        return feed_link(obj)

    def create(self, request, form):
        return services.create_workspace(
            user=request.user, **{name: form.cleaned_data[name] for name in (
                "nombre", "slug", "owner", "plan", "descripcion", "settings")},
        )  # fmt: skip

    def update(self, request, obj, form):
        services.update_workspace(
            workspace=obj,
            user=request.user,
            **self.changed_fields(form, services.EDITABLE_FIELDS),
        )

    def delete(self, request, obj):
        services.delete_workspace(workspace=obj, user=request.user)

    def get_urls(self):
        transfer = path(
            "<path:object_id>/transferir/",
            self.admin_site.admin_view(self.transfer_view),
            name="workspaces_workspace_transfer",
        )
        return [transfer, *super().get_urls()]

    def transfer_view(self, request, object_id):
        """Hand the workspace to another of its members: only its owner or the platform may."""
        workspace = self.get_object(request, object_id)
        if workspace is None or not access_for(request.user).may_transfer(workspace):
            raise PermissionDenied
        form = TransferOwnershipForm(request.POST or None, workspace=workspace)
        if request.method == "POST" and form.is_valid():
            try:
                services.transfer_ownership(
                    workspace=workspace, new_owner=form.cleaned_data["owner"], user=request.user
                )
            except DomainError as error:
                form.add_error(None, error)
            else:
                self.message_user(request, _("La propiedad fue transferida."), messages.SUCCESS)
                return HttpResponseRedirect(
                    reverse("admin:workspaces_workspace_change", args=[workspace.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Transferir la propiedad de «%(nombre)s»") % {"nombre": workspace},
            "opts": self.opts,
            "original": workspace,
            "form": form,
        }
        return TemplateResponse(request, "admin/workspaces/transfer_ownership.html", context)


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

    def create(self, request, form):
        data = form.cleaned_data
        return services.add_workspace_member(
            workspace=data["workspace"], member=data["user"], rol=data["rol"], user=request.user
        )

    def update(self, request, obj, form):
        services.change_workspace_member_rol(membership=obj, rol=obj.rol, user=request.user)

    def delete(self, request, obj):
        services.remove_workspace_member(membership=obj, user=request.user)

    def get_deleted_objects(self, objs, request):
        """The owner's membership is listed as protected: the page explains it cannot go."""
        to_delete, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        owners = [membership for membership in objs if membership.is_workspace_owner]
        return to_delete, model_count, perms_needed, [*protected, *owners]
