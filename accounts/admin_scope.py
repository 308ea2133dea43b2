"""Admin classes that show each user only what their memberships reach (accounts.permissions)."""

from django.contrib import admin
from django.contrib.admin.utils import NestedObjects
from django.core.exceptions import PermissionDenied
from django.db import router
from django.db.models import Q
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.utils.text import smart_split, unescape_string_literal

from accounts.permissions import Action, access_for
from auditoria.models import TipoActividad
from auditoria.services import record_admin_change, snapshot
from piliquarts.forms import MembershipInlineForm
from piliquarts.paginators import BoundedCountPaginator
from piliquarts.readable import ReadableDatesMixin


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


class AuditedAdminMixin:
    """Every save and delete made in the admin writes its audit row, in the same transaction.

    Django's admin already runs each add, change and delete view in a transaction;
    classes whose writes go through a domain service (which audits) override these.
    """

    def save_model(self, request, obj, form, change):
        before = snapshot(type(obj)._default_manager.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)
        tipo = TipoActividad.EDITAR if change else TipoActividad.CREAR
        record_admin_change(obj=obj, user=request.user, tipo=tipo, before=before)

    def delete_model(self, request, obj):
        record_admin_change(
            obj=obj, user=request.user, tipo=TipoActividad.ELIMINAR, deleted=cascade_counts(obj)
        )
        super().delete_model(request, obj)

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            self.delete_model(request, obj)
        for obj in instances:
            adding = obj._state.adding
            before = None if adding else snapshot(type(obj)._default_manager.get(pk=obj.pk))
            obj.save()
            tipo = TipoActividad.CREAR if adding else TipoActividad.EDITAR
            record_admin_change(obj=obj, user=request.user, tipo=tipo, before=before)
        formset.save_m2m()


def cascade_counts(obj):
    """{table: rows} the database will remove along with `obj` (as the admin lists them)."""
    collector = NestedObjects(using=router.db_for_write(type(obj)))
    collector.collect([obj])
    return {
        model._meta.db_table: len(objs)
        for model, objs in collector.model_objs.items()
        if model is not type(obj)
    }


class ScopedModelAdmin(ReadableDatesMixin, AuditedAdminMixin, ScopedAccessMixin, admin.ModelAdmin):
    """A ModelAdmin whose every door (list, pages, autocomplete, choices, actions) is scoped."""

    paginator = BoundedCountPaginator
    show_full_result_count = False
    # Rendering a row costs more than reading it: 50 rows keep every list well
    # under 100 ms on two cores, where Django's 100 do not (docs/benchmarks.md).
    list_per_page = 50

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

    def get_search_results(self, request, queryset, search_term):
        """Django's search, with a related column (`user__email`) searched in its own table.

        Django joins and ORs the columns of several tables, which no index can
        answer; `user IN (SELECT id FROM users WHERE UPPER(email) LIKE ...)` is
        answered by that table's trigram index, and makes no duplicates to remove.
        """
        # (relation or "", column) of each field; anything else is left to Django.
        fields = [field.rpartition("__")[::2] for field in self.get_search_fields(request)]
        simple = all(
            column[:1] not in "^=@"
            and "__" not in relation
            and (not relation or self.model._meta.get_field(relation).is_relation)
            for relation, column in fields
        )
        if not search_term or not simple or not any(relation for relation, _c in fields):
            return super().get_search_results(request, queryset, search_term)
        for term in smart_split(search_term):
            if term[0] in "\"'" and term[-1] == term[0]:
                term = unescape_string_literal(term)
            matches = Q()
            for relation, column in fields:
                if not relation:
                    matches |= Q(**{f"{column}__icontains": term})
                    continue
                related = self.model._meta.get_field(relation).related_model
                found = related._base_manager.filter(**{f"{column}__icontains": term})
                matches |= Q(**{f"{relation}__in": found.values("pk")})
            queryset = queryset.filter(matches)
        return queryset, False

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
        for obj in queryset:
            self.delete_model(request, obj)


class FirstRowsInlineFormSet(BaseInlineFormSet):
    """Only the first `max_rows` existing rows, and a link to the list of all of them.

    A folder of ten thousand documents or a team of hundreds as one page of
    forms would be slow to render, and could not even be saved (past
    DATA_UPLOAD_MAX_NUMBER_FIELDS). Counting costs a query only when the page
    is full.
    """

    max_rows = 10

    def get_queryset(self):
        if not hasattr(self, "_queryset"):
            self._queryset = super().get_queryset()[: self.max_rows]
        return self._queryset

    @cached_property
    def total_rows(self):
        shown = len(self.get_queryset())
        return self.queryset.count() if shown == self.max_rows else shown

    @property
    def rows_left_out(self):
        return self.instance.pk is not None and self.total_rows > self.max_rows

    @property
    def full_list_url(self):
        opts = self.model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        return f"{url}?{urlencode({f'{self.fk.name}__id__exact': self.instance.pk})}"


class ScopedInline(ScopedAccessMixin):
    """An inline whose permissions follow its parent: the lookups start from the parent object.

    It shows the parent's first rows only (FirstRowsInlineFormSet), linking to the rest.
    """

    formset = FirstRowsInlineFormSet
    template = "admin/edit_inline/tabular_first_rows.html"

    def has_add_permission(self, request, obj=None):
        return self._may(request, Action.ADD, obj)


class MembershipInline(ScopedInline, admin.TabularInline):
    """A team's members on its workspace's or project's page: who, and with which role."""

    form = MembershipInlineForm
    fields = ("user", "rol", "joined_at")
    readonly_fields = ("joined_at",)
    autocomplete_fields = ("user",)
    extra = 0
    parent_relation = None  # "workspace" or "proyecto": shown in each row's title

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user", self.parent_relation)
