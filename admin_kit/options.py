"""The ModelAdmin every app uses: scoped by the user's roles, writing only through services.

Admin classes render forms and translate refusals: each add, change, delete,
bulk action and inline row calls a service (`create`, `update`, `delete`,
and the inlines' `add_row`/`change_row`/`remove_row`), and a `DomainError`
it raises becomes a form error or a message — never a 500 — with nothing
written. The product's history is the audit trail (`actividades`), so
Django's own LogEntry is not written, and "Historial" leads to the trail.
"""

from urllib.parse import urlencode

from django.contrib import admin, messages
from django.contrib.admin.views.main import SEARCH_VAR
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied
from django.db import models, router, transaction
from django.db.models import Q
from django.forms.models import BaseInlineFormSet
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.text import smart_split, unescape_string_literal
from django.utils.translation import ngettext

from admin_kit.changelist import KeysetListMixin, Lead
from admin_kit.forms import MembershipInlineForm
from admin_kit.paginators import BoundedCountPaginator
from admin_kit.readable import ReadableDatesMixin
from core.permissions import Action, access_for
from core.services import DomainError, retry_conflicts, unit_of_work
from core.validators import JSONDocumentField


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


def adopt(obj, created):
    """Make the instance Django's add view holds the object a service created.

    The add view keeps working with the instance its form built (to save the
    inlines, to redirect to the new object's page); the service made its own.
    """
    vars(obj).update(vars(created))


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

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        """An autocomplete asks for as many characters as its list's search uses.

        Select2 then says, in Spanish, how many more to type, instead of showing
        nothing for the words the search leaves out (`search_min_length`).
        """
        formfield = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if formfield is not None and isinstance(formfield.widget, AutocompleteSelect):
            target = self.admin_site._registry.get(db_field.remote_field.model)
            minimum = getattr(target, "search_min_length", 0)
            if minimum > 1:
                formfield.widget.attrs["data-minimum-input-length"] = minimum
        return formfield


class ServiceDoorsMixin:
    """Every door of the page calls a service; a refusal is shown, and nothing is written.

    Subclasses implement `create(request, form)` (returning the new object),
    `update(request, obj, form)` and `delete(request, obj)` with one service
    call each; pages that cannot add, change or delete leave them out.
    """

    def create(self, request, form):
        raise PermissionDenied

    def update(self, request, obj, form):
        raise PermissionDenied

    def delete(self, request, obj):
        raise PermissionDenied

    def changed_fields(self, form, names):
        """The cleaned values of the fields among `names` that the form changed."""
        return {name: form.cleaned_data[name] for name in names if name in form.changed_data}

    # -- Django's hooks, each routed to a service --------------------------------

    def save_model(self, request, obj, form, change):
        if change:
            self.update(request, obj, form)
        else:
            adopt(obj, self.create(request, form))

    def delete_model(self, request, obj):
        self.delete(request, obj)

    def delete_queryset(self, request, queryset):
        """A bulk delete: each object through its service, all or nothing."""
        with transaction.atomic(using=router.db_for_write(self.model)):
            for obj in queryset:
                self.delete_model(request, obj)

    def save_formset(self, request, form, formset, change):
        formset.inline.save_rows(request, form.instance, formset)

    # The audit trail is the history: Django's LogEntry would be a second one.
    def log_addition(self, request, obj, message):
        return None

    def log_change(self, request, obj, message):
        return None

    def log_deletions(self, request, queryset):
        return None

    def history_view(self, request, object_id, extra_context=None):
        """An object's history is its rows in the audit trail."""
        obj = self.get_object(request, object_id)
        if obj is None or not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        url = reverse("admin:auditoria_actividad_changelist")
        return HttpResponseRedirect(f"{url}?{urlencode({'entidad_id': obj.pk})}")

    # -- refusals: a form error or a message, and the transaction rolled back ----

    def _through_services(self, view, *args):
        """Run `view` as one unit: retried once after a deadlock, undone as a whole on failure."""

        def attempt():
            with unit_of_work():
                return view(*args)

        return retry_conflicts(attempt, using=router.db_for_write(self.model))

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method in ("GET", "HEAD"):
            # Showing a form writes nothing: no transaction on the primary, so the
            # page may read the replica (Django's view would open one regardless).
            return self._changeform_view(request, object_id, form_url, extra_context)
        try:
            return self._through_services(
                super().changeform_view, request, object_id, form_url, extra_context
            )
        except DomainError as error:
            # The page again, as posted, with the refusal where it belongs.
            request.domain_error = error
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, **kwargs):
        form_class = super().get_form(request, obj, **kwargs)
        refusals = {
            **_by_field(getattr(request, "domain_error", None)),
            # Files dropped as they streamed in, past UPLOAD_MAX_BYTES (documentos.uploads).
            **getattr(request, "refused_uploads", {}),
        }
        if not refusals:
            return form_class

        class RefusedForm(form_class):
            def clean(self):
                cleaned = super().clean()
                for field, field_messages in refusals.items():
                    if field in self.errors:
                        del self.errors[field]  # "this field is required": not why it is missing
                    self.add_error(field if field in self.fields else None, field_messages)
                return cleaned

        return RefusedForm

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return self._through_services(super().delete_view, request, object_id, extra_context)
        except DomainError as error:
            self.message_user(request, error.sentence, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def response_action(self, request, queryset, *args, **kwargs):
        """Actions (bulk delete included) run all or nothing; a refusal is a message."""

        def run():
            with transaction.atomic(using=router.db_for_write(self.model)):
                return super(ServiceDoorsMixin, self).response_action(
                    request, queryset, *args, **kwargs
                )

        try:
            return self._through_services(run)
        except DomainError as error:
            self.message_user(request, error.sentence, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


def _unquoted(word):
    """A word of a search as Django searches it: "a b" and 'a b' without their quotes."""
    if len(word) > 1 and word[0] in "\"'" and word[-1] == word[0]:
        return unescape_string_literal(word)
    return word


def _by_field(error):
    """{field or None: [messages]} of a DomainError (none for None)."""
    if error is None:
        return {}
    if hasattr(error, "error_dict"):
        return {
            (None if field == "__all__" else field): list(field_errors[0].messages)
            if len(field_errors) == 1
            else [m for e in field_errors for m in e.messages]
            for field, field_errors in error.error_dict.items()
        }
    return {None: error.messages}


class Branches(list):
    """A user's scopes as disjoint Qs (`scope_branches`); `whole_workspaces` if one is.

    Made of `groups`, (field, values, also): a branch per value, field=value
    and `also`, which admin_kit.changelist.per_scope compiles once per group.
    A branch per project is small (its rows are one project's); a whole
    workspace of a table that names it is large, and searched otherwise
    (admin_kit.paginators.BoundedCountPaginator._search_plan).
    """

    def __init__(self, groups, *, whole_workspaces):
        self.groups = [(field, list(values), also) for field, values, also in groups if values]
        super().__init__(
            Q(**{field: value}) & also for field, values, also in self.groups for value in values
        )
        self.whole_workspaces = whole_workspaces


class ScopedModelAdmin(
    KeysetListMixin, ReadableDatesMixin, ServiceDoorsMixin, ScopedAccessMixin, admin.ModelAdmin
):
    """A ModelAdmin whose every door (list, pages, autocomplete, choices, actions) is scoped."""

    # JSON text too deep or too large is refused before it is parsed.
    formfield_overrides = {models.JSONField: {"form_class": JSONDocumentField}}

    paginator = BoundedCountPaginator
    # Shorter words are not searched (get_search_results): no trigram index answers them.
    search_min_length = 3
    show_full_result_count = False
    # Rendering a row costs more than reading it: 50 rows keep every list well
    # under 100 ms on two cores, where Django's 100 do not (docs/benchmarks.md).
    list_per_page = 50
    # Lists whose model has an index per scope column, in the list's order, read each
    # scope of a member apart and merge them (scope_branches).
    reads_per_scope = False
    # A list ordered by a foreign key first (versions, by document) reads a member's
    # rows through the related rows they may see (admin_kit.changelist.Lead).
    lead_relation = None
    # A member's count goes as far as the numbered pages, no estimate past them
    # (BoundedCountPaginator.count_to_pages).
    count_members_to_pages = False

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

    def scope_branches(self, request):
        """The user's rows as disjoint parts, one per workspace and project (None: all rows).

        Together they are `rows_q`; apart, each is one range of a per-scope index
        (`actividades_ws_feed_idx`, `documentos_proy_nombre_idx`), so a list that
        `reads_per_scope` reads them one by one and merges them
        (admin_kit.changelist.per_scope) instead of walking the whole table's
        index for the few rows of one member. Rows that name only their project
        (`proyecto__workspace_id`) get a branch per project.
        """
        access = access_for(request.user)
        if not self.reads_per_scope or access.is_platform_admin:
            return None
        workspaces = access.workspace_ids(Action.VIEW, self.access_kind)
        proyectos = access.proyecto_ids(Action.VIEW, self.access_kind)
        if "__" not in self.workspace_field:  # the row names its workspace and its project
            elsewhere = ~Q(**{f"{self.workspace_field}__in": workspaces}) if workspaces else Q()
            return Branches(
                [
                    (self.workspace_field, workspaces, Q()),
                    (self.proyecto_field, proyectos, elsewhere),
                ],
                whole_workspaces=bool(workspaces),
            )
        # The row names its project alone: one branch per project, the workspaces' included.
        proyectos = self._visible_projects(access, self.workspace_field)
        return Branches([(self.proyecto_field, proyectos, Q())], whole_workspaces=False)

    def _visible_projects(self, access, workspace_field, model=None):
        """The ids of the projects whose rows the user sees, those of their workspaces included.

        For rows that name their project alone: `workspace_field` goes through it
        (`proyecto__workspace_id`, of `model`).
        """
        workspaces = access.workspace_ids(Action.VIEW, self.access_kind)
        proyectos = access.proyecto_ids(Action.VIEW, self.access_kind)
        relation, _, rest = workspace_field.partition("__")
        projects = (model or self.model)._meta.get_field(relation).related_model._base_manager
        if workspaces:
            in_workspaces = projects.filter(**{f"{rest}__in": workspaces}).values_list("pk")
            proyectos = dict.fromkeys([*proyectos, *(pk for (pk,) in in_workspaces)])
        return list(proyectos)

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        paginator = super().get_paginator(
            request, queryset, per_page, orphans, allow_empty_first_page
        )
        paginator.branches = self.scope_branches(request)
        paginator.scope = self.rows_q(request)
        paginator.ranges = self.read_ranges(request)
        paginator.lead = self.lead(request)
        paginator.count_to_pages = self.count_members_to_pages
        # Searched in its own columns: their trigram indexes count the matches cheaply
        # (a related column's search joins, and counting 20,000 of them costs more).
        paginator.searched = bool(request.GET.get(SEARCH_VAR, "").strip()) and not any(
            "__" in field for field in self.get_search_fields(request)
        )
        return paginator

    def read_ranges(self, request):
        """The list's ReadRanges, for a table partitioned by its order's column (None: none)."""
        return None

    def lead(self, request):
        """The Lead of a member's list ordered by `lead_relation` first (None: none).

        The related rows are those the user may see through this list's scope
        fields, and match its search when it searches their columns alone.
        """
        access = access_for(request.user)
        prefix = f"{self.lead_relation}__"
        if (
            self.lead_relation is None
            or access.is_platform_admin
            or not self.workspace_field.startswith(prefix)
            or not self.proyecto_field.startswith(prefix)
        ):
            return None
        field = self.model._meta.get_field(self.lead_relation)
        # One list of projects, which an index on the related rows' project answers
        # (an OR of workspaces through a join and projects would read them all).
        proyectos = self._visible_projects(
            access, self.workspace_field.removeprefix(prefix), field.related_model
        )
        proyecto_field = self.proyecto_field.removeprefix(prefix)
        rows_scope = Q(**{f"{proyecto_field}__in": proyectos})
        related = field.related_model._base_manager.filter(rows_scope)
        term = request.GET.get(SEARCH_VAR, "").strip()
        if term:
            fields = self.get_search_fields(request)
            columns = [field.removeprefix(prefix) for field in fields]
            if not all(field.startswith(prefix) for field in fields) or any(
                "__" in column or column[:1] in "^=@" for column in columns
            ):
                return None  # not only the related rows' own columns: no lead
            for word in map(_unquoted, smart_split(term)):
                if len(word) >= self.search_min_length:  # as get_search_results
                    matches = Q()
                    for column in columns:
                        matches |= Q(**{f"{column}__icontains": word})
                    related = related.filter(matches)
        # Unsearched, project by project from their index; a search's matches instead
        # come from the pattern's own index (walking each project for a rare pattern
        # reads all their rows, three times over the tries: 170 ms for «documento-99»).
        branches = Branches([(proyecto_field, proyectos, Q())], whole_workspaces=False)
        return Lead(
            field.attname,
            related,
            scope=self.rows_q(request),
            rows_scope=rows_scope,
            branches=None if term else branches,
            estimate=None if term else self.lead_estimate(proyectos),
        )

    def lead_estimate(self, proyectos):
        """How many rows the list has in these projects, unsearched and unfiltered, as the
        database keeps them counted (None: it does not), for a member's list read through
        `lead_relation`; the paginator counts a searched or filtered list itself."""
        return None

    def get_search_results(self, request, queryset, search_term):
        """Django's search, words of `search_min_length` characters or more only.

        The trigram indexes answer a word of three characters or more; a shorter
        one has no trigram, matches most rows, and would be read row by row (a
        two-letter word that matches nothing walks all 10M rows of the trail).
        Shorter words are left out, and a list page says so; a search of short
        words only finds nothing.
        """
        words = list(smart_split(search_term))
        kept = [word for word in words if len(_unquoted(word)) >= self.search_min_length]
        if len(kept) < len(words):
            match = request.resolver_match
            if match is not None and match.url_name.endswith("_changelist"):
                short = [_unquoted(word) for word in words if word not in kept]
                messages.info(
                    request,
                    ngettext(
                        "La búsqueda usa palabras de %(n)s caracteres o más: «%(short)s» "
                        "no se busca.",
                        "La búsqueda usa palabras de %(n)s caracteres o más: «%(short)s» "
                        "no se buscan.",
                        len(short),
                    )
                    % {"n": self.search_min_length, "short": "», «".join(short)},
                )
            if not kept:
                return queryset.none(), False
            search_term = " ".join(kept)
        return self._search(request, queryset, search_term)

    def _search(self, request, queryset, search_term):
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
            term = _unquoted(term)
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
        super().delete_queryset(request, queryset)


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

    It shows the parent's first rows only (FirstRowsInlineFormSet), linking to
    the rest. Its rows are written by `add_row`, `change_row` and
    `remove_row`, each one service call; an inline that offers none of them
    is read-only, and a change posted to it anyway is refused.
    """

    formset = FirstRowsInlineFormSet
    template = "admin/edit_inline/tabular_first_rows.html"

    def has_add_permission(self, request, obj=None):
        return self._may(request, Action.ADD, obj)

    def get_formset(self, request, obj=None, **kwargs):
        formset_class = super().get_formset(request, obj, **kwargs)
        formset_class.inline = self  # so the page's save reaches this inline's services
        return formset_class

    def add_row(self, request, parent, row):
        raise PermissionDenied

    def change_row(self, request, row):
        raise PermissionDenied

    def remove_row(self, request, row):
        raise PermissionDenied

    def save_rows(self, request, parent, formset):
        """The formset's removed, changed and new rows, each through its service."""
        formset.save(commit=False)  # fills new_objects, changed_objects, deleted_objects
        for row in formset.deleted_objects:
            self.remove_row(request, row)
        for row, _fields in formset.changed_objects:
            self.change_row(request, row)
        for row in formset.new_objects:
            self.add_row(request, parent, row)


class MembershipInline(ScopedInline, admin.TabularInline):
    """A team's members on its workspace's or project's page: who, and with which role.

    The role choices are the roles the user may grant there (none above their own).
    """

    form = MembershipInlineForm
    fields = ("user", "rol", "joined_at")
    readonly_fields = ("joined_at",)
    autocomplete_fields = ("user",)
    extra = 0
    parent_relation = None  # "workspace" or "proyecto": shown in each row's title

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user", self.parent_relation)

    def grantable_roles(self, request, parent):
        raise NotImplementedError

    def get_formset(self, request, obj=None, **kwargs):
        formset_class = super().get_formset(request, obj, **kwargs)
        if obj is not None:
            formset_class.form.granted_roles = self.grantable_roles(request, obj)
        return formset_class
