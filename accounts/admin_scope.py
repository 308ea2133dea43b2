"""Admin classes that show each user only what their memberships reach (accounts.permissions)."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Q

from accounts.permissions import Action, access_for
from piliquarts.paginators import BoundedCountPaginator


def _follow(obj, lookup):
    """The value at `lookup` ("proyecto__workspace_id") starting from `obj`."""
    for part in lookup.split("__"):
        if obj is None:
            return None
        obj = getattr(obj, part)
    return obj


# How to reach the workspace and project of a row of each model that others point at.
FOREIGN_KEY_SCOPES = {
    "workspaces.workspace": ("id", None),
    "proyectos.proyecto": ("workspace_id", "id"),
    "documentos.folder": ("proyecto__workspace_id", "proyecto_id"),
    "documentos.documento": ("proyecto__workspace_id", "proyecto_id"),
}


class ScopedAccessMixin:
    """Permissions and querysets of one kind of thing, from the user's memberships.

    Subclasses name their `access_kind` and the lookups from a row to its
    workspace id (`workspace_field`) and project id (`proyecto_field`).
    """

    access_kind = None
    workspace_field = None
    proyecto_field = None

    def scope_of(self, obj):
        return {
            "workspace_id": _follow(obj, self.workspace_field) if self.workspace_field else None,
            "proyecto_id": _follow(obj, self.proyecto_field) if self.proyecto_field else None,
        }

    def _may(self, request, action, obj=None):
        access = access_for(request.user)
        if obj is None:
            return access.can_anywhere(action, self.access_kind)
        return access.can(action, self.access_kind, **self.scope_of(obj))

    def has_view_permission(self, request, obj=None):
        return self._may(request, Action.VIEW, obj)

    def has_change_permission(self, request, obj=None):
        return self._may(request, Action.CHANGE, obj)

    def has_delete_permission(self, request, obj=None):
        return self._may(request, Action.DELETE, obj)

    def has_module_permission(self, request):
        return self._may(request, Action.VIEW)


class ScopedModelAdmin(ScopedAccessMixin, admin.ModelAdmin):
    """A ModelAdmin whose every door (list, pages, autocomplete, choices, actions) is scoped."""

    paginator = BoundedCountPaginator
    show_full_result_count = False

    def rows_q(self, request, action=Action.VIEW):
        return access_for(request.user).filter_q(
            self.access_kind,
            workspace_field=self.workspace_field,
            proyecto_field=self.proyecto_field,
            action=action,
        )

    def has_add_permission(self, request):
        return self._may(request, Action.ADD)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        q = self.rows_q(request)
        return queryset if q is None else queryset.filter(q)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        """Offer only the workspaces, projects, folders and documents this kind may go in."""
        scope = FOREIGN_KEY_SCOPES.get(db_field.related_model._meta.label_lower)
        access = access_for(request.user)
        if scope and not access.is_platform_admin:
            workspace_field, proyecto_field = scope
            q = Q(pk__in=[])
            for action in (Action.ADD, Action.CHANGE):
                q |= access.filter_q(
                    self.access_kind,
                    workspace_field=workspace_field,
                    proyecto_field=proyecto_field,
                    action=action,
                )
            kwargs["queryset"] = db_field.related_model._default_manager.filter(q)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def delete_queryset(self, request, queryset):
        q = self.rows_q(request, Action.DELETE)
        if q is not None and queryset.exclude(q).exists():
            raise PermissionDenied
        super().delete_queryset(request, queryset)


class ScopedInline(ScopedAccessMixin):
    """An inline whose permissions follow its parent: the lookups start from the parent object."""

    def has_add_permission(self, request, obj=None):
        return self._may(request, Action.ADD, obj)
