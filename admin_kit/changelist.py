"""The changelist every admin list uses: numbered pages first, then keyset pages to the end.

Numbered pages cost more the deeper they go (OFFSET), so the paginator offers
a bounded number of them (BoundedCountPaginator.max_pages). Past the last one,
"más antiguas" / "más recientes" continue by keyset: the next page starts
strictly after the last row shown, in the list's own order, which the list's
index answers at the same cost at any depth. No list address ends on Django's
"?e=1" error page: a page number out of range or malformed shows a message
and the nearest page, a bad keyset link the first page.
"""

import base64
import binascii
import datetime
import decimal
import json
import math
import uuid
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.utils import get_fields_from_path
from django.contrib.admin.views.main import ERROR_FLAG, PAGE_VAR, ChangeList
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import connections
from django.db.models import BooleanField, DateField, F, Func, OrderBy, Q, UUIDField
from django.db.models.expressions import RawSQL
from django.db.models.lookups import In
from django.db.models.sql.where import AND, WhereNode
from django.http import HttpResponseRedirect
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _

from core.statements import Compiled

# The keyset links: rows after the given row in the list's order, or before it.
AFTER_VAR = "tras"
BEFORE_VAR = "antes"
# BEFORE_VAR=END: the list's last rows (its oldest, in a newest-first list);
# AFTER_VAR=START: its first rows, in the keyset's order.
END = "fin"
START = "inicio"
KEYSET_VARS = (AFTER_VAR, BEFORE_VAR)


@dataclass(frozen=True)
class Term:
    """One column of the keyset: a local field, and whether the list orders it descending."""

    field: object
    descending: bool

    @property
    def name(self):
        return self.field.attname


class Keyset:
    """The list's order as columns of its own table, ending in the primary key.

    Built from the queryset's ORDER BY; an order by another table's columns (a
    related model's ordering) or by an expression falls back to the model's
    own ordering, and then to the primary key alone.
    """

    def __init__(self, queryset):
        model = queryset.model
        pk = model._meta.pk
        own = self._terms(model, queryset.query.order_by)
        # Does the keyset follow the list's own order? If not, its pages have their own.
        self.follows_list = own is not None
        terms = own if own is not None else self._terms(model, model._meta.ordering) or []
        names = [term.name for term in terms]
        if pk.attname in names:
            terms = terms[: names.index(pk.attname) + 1]
        else:
            terms.append(Term(pk, descending=True))
        self.terms = terms
        self.queryset = queryset if self.follows_list else queryset.order_by(*self.order_by())
        # Where the database puts NULL: above every value (PostgreSQL) or below (SQLite).
        self.nulls_largest = connections[queryset.db].features.nulls_order_largest

    @staticmethod
    def _terms(model, ordering):
        terms = []
        for item in ordering:
            if isinstance(item, str):
                descending, name = item.startswith("-"), item.lstrip("-")
            elif isinstance(item, OrderBy) and isinstance(item.expression, F):
                if item.nulls_first or item.nulls_last:
                    return None
                descending, name = item.descending, item.expression.name
            else:
                return None
            try:
                field = model._meta.pk if name == "pk" else model._meta.get_field(name)
            except FieldDoesNotExist:
                return None
            # Ordering by a relation's name follows the related model's ordering (a join).
            if not field.concrete or (field.is_relation and name != field.attname):
                return None
            terms.append(Term(field, descending))
        return terms

    def order_by(self, reverse=False):
        return [("-" if term.descending != reverse else "") + term.name for term in self.terms]

    @property
    def is_newest_first(self):
        first = self.terms[0]
        return first.descending and isinstance(first.field, DateField)

    # -- the rows on either side of one row -------------------------------------

    def _beyond(self, term, value, upward):
        """Rows whose `term` comes strictly above `value` (upward) or below it."""
        name, nullable = term.name, term.field.null
        null_side = self.nulls_largest == upward  # NULL lies on that side of every value
        if value is None:
            return Q(**{f"{name}__isnull": False}) if not null_side else Q(pk__in=[])
        q = Q(**{f"{name}__{'gt' if upward else 'lt'}": value})
        return q | Q(**{f"{name}__isnull": True}) if nullable and null_side else q

    def _reached(self, term, value, upward):
        """Rows whose `term` is `value` or beyond it: a range an index scan starts from."""
        name, null_side = term.name, self.nulls_largest == upward
        if value is None:
            return Q() if not null_side else Q(**{f"{name}__isnull": True})
        q = Q(**{f"{name}__{'gte' if upward else 'lte'}": value})
        return q | Q(**{f"{name}__isnull": True}) if term.field.null and null_side else q

    def past(self, values, forward=True):
        """Rows strictly after the row of key `values` in the list's order (or before it)."""
        condition, same = Q(pk__in=[]), Q()
        for term, value in zip(self.terms, values, strict=True):
            upward = term.descending != forward
            condition |= same & self._beyond(term, value, upward)
            same &= (
                Q(**{f"{term.name}__isnull": True}) if value is None else Q(**{term.name: value})
            )
        # The first column's bound alone, so that the index is entered at the row.
        first_upward = self.terms[0].descending != forward
        return self._reached(self.terms[0], values[0], first_upward) & condition

    def values_of(self, obj):
        return [getattr(obj, term.name) for term in self.terms]

    def below(self, value):
        """Key values after which come the rows whose first column is below `value`.

        For a newest-first list keyed by (column, UUID primary key): `value` with
        the lowest UUID, which no row's id is under. None for any other keyset.
        """
        rest = self.terms[1:]
        if not self.terms[0].descending or len(rest) != 1 or not rest[0].descending:
            return None
        if not isinstance(rest[0].field, UUIDField) or not rest[0].field.primary_key:
            return None
        return [value, uuid.UUID(int=0)]

    # -- links ---------------------------------------------------------------------

    def encode(self, values):
        plain = [_plain(value) for value in values]
        text = json.dumps(plain, separators=(",", ":"))
        return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")

    def decode(self, token):
        """The key values of a link, or ValueError if they are not this list's."""
        try:
            text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
            plain = json.loads(text)
        except (binascii.Error, UnicodeDecodeError, ValueError) as error:
            raise ValueError(token) from error
        if not isinstance(plain, list) or len(plain) != len(self.terms):
            raise ValueError(token)
        try:
            values = [
                None if value is None else term.field.to_python(value)
                for term, value in zip(self.terms, plain, strict=True)
            ]
        except (ValidationError, TypeError) as error:
            raise ValueError(token) from error
        for term, value in zip(self.terms, values, strict=True):
            if value is None and not term.field.null:
                raise ValueError(token)
        return values


def _plain(value):
    """A key value as JSON, exactly (DjangoJSONEncoder would drop microseconds)."""
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, (uuid.UUID, decimal.Decimal)):
        return str(value)
    return value


def page_ids(
    queryset,
    start,
    stop,
    *,
    order_by=None,
    branches=None,
    scope=None,
    ranges=None,
    window=None,
    lead=None,
    lead_bound=None,
):
    """The primary keys of rows [start:stop] of `queryset`, in its order (or `order_by`).

    With `branches`, read scope by scope and merged (`per_scope`); the same rows.
    With `ranges` (`ReadRanges`) and an order that starts with their column,
    read range by range (`by_ranges`); the same rows. Branches are read by
    range in a `window` (a member's search of whole workspaces: see
    BoundedCountPaginator.search_ranges): at most that many ranges are read,
    and if they hold too few rows, the keys say where reading stopped
    (`Keys.stopped_at`). Otherwise branches are read in a few gathered ranges
    (`ReadRanges.gathered`): the newest months, each planned over its own
    partitions, then the rest at once. With `lead` (`Lead`) and an order that
    starts with its column, read through the related rows (from `lead_bound`,
    the first column's value on a keyset page); the same rows.
    """
    order_by = list(order_by or queryset.query.order_by)
    if lead is not None and lead.fits(order_by):
        found = lead.page_pks(queryset.order_by(*order_by), start, stop, lead_bound)
        if found is not None:
            return found
    if ranges is not None and ranges.fit(order_by):
        if branches is not None and window is None:
            ranges = ranges.gathered()
        found, stopped_at = by_ranges(
            queryset.order_by(*order_by), ranges, stop, branches, scope, window=window
        )
        ids = Keys.spanning(found[start:stop])
        ids.stopped_at = stopped_at
        return ids
    merged = per_scope(queryset, order_by, branches, scope, limit=stop)
    if merged is None:
        return list(queryset.order_by(*order_by).values_list("pk", flat=True)[start:stop])
    rows = merged.rows(start, stop)
    if ranges is None or not ranges.fit(order_by):
        return [row[-1] for row in rows]  # the primary key comes last
    at = merged.columns.index(ranges.column)
    return Keys.spanning([(row[-1], row[at]) for row in rows])


@dataclass(frozen=True)
class ReadRanges:
    """Ranges of one column that tile a list newest first: (lower, below), None unbounded.

    A table partitioned by that column (the audit trail, by month) is read one
    range at a time: each range is planned over its partition alone, where the
    planner reads a search's matches from that month's trigram index, or walks
    that month's order index, whichever is cheaper there. One query over the
    whole table merges every partition's order index instead, and each must
    find its own first match (seconds for a pattern that is rare but not
    absent). Given by the list's ModelAdmin (`ScopedModelAdmin.read_ranges`).
    """

    column: str
    ranges: tuple

    def fit(self, order_by):
        return bool(order_by) and order_by[0] == f"-{self.column}"

    def gathered(self, first=2, alone=0):
        """The same tiling in a few ranges: the first `first` as one, `alone` one by one, the rest.

        For a member's scopes, whose rows each month holds fewer of: the newest
        months hold a page of a busy scope, each read planned over its own
        partitions; a quiet scope's rows further back are read at once rather
        than in a read per month. One read over every month plans all their
        partitions for each scope (6 ms at 41 months, for two scopes).
        """
        ranges, kept = list(self.ranges), []
        for part in (ranges[:first], *([r] for r in ranges[first : first + alone])):
            if part:
                kept.append((part[-1][0], part[0][1]))
        rest = ranges[first + alone :]
        if rest:
            kept.append((rest[-1][0], rest[0][1]))
        return ReadRanges(self.column, tuple(kept))

    def below(self, value):
        """The ranges that may hold rows at or before `value`, the first one left open above."""
        kept, opened = [], False
        for lower, below in self.ranges:
            if lower is not None and value is not None and lower > value:
                continue
            kept.append((lower, None if not opened else below))
            opened = True
        return ReadRanges(self.column, tuple(kept))


class EqualsAny(Func):
    """`column IN keys`; on PostgreSQL `column = ANY(%s)`, the keys as one array parameter.

    `IN (%s, %s, ...)` with 2,500 keys costs 10 ms more to build and send.
    """

    output_field = BooleanField()

    def __init__(self, column, values):
        super().__init__(F(column))
        self.values = list(values)

    def as_sql(self, compiler, connection, **extra_context):
        return compiler.compile(In(self.source_expressions[0], self.values))  # Django's own

    def as_postgresql(self, compiler, connection, **extra_context):
        column, params = compiler.compile(self.source_expressions[0])
        return f"{column} = ANY(%s)", (*params, self.values)


@dataclass(frozen=True)
class Lead:
    """The related rows a list's order starts with, as the user may see them.

    A member's versions, ordered by document, all lie among their own
    documents: the first N versions in order lie among the first N documents
    in id order when each document has a version (the list's filters kept),
    which an index on the documents' project gives at a cost that does not
    grow with the table. Read through the whole versions index instead, a
    member's page 50 walks every other workspace's versions first (350 ms at
    3M versions). Given by the list's ModelAdmin (`ScopedModelAdmin.lead_relation`).

    PostgreSQL reads a page as one statement, the related rows gathered or merged and
    each one's rows joined laterally (`_joined_pks`); SQLite, which has no LATERAL,
    reads the related rows' keys first, in tries, and then the rows among them.
    """

    column: str  # the list's foreign key column, "documento_id"
    rows: object  # the related model's rows the user may see (the search applied)
    # The Q the list is filtered by for the user: the related rows stand in for it.
    scope: object = None
    # The related rows' own scope (`rows` is filtered by it) and its Branches, one per
    # project: the first related rows are read project by project and merged (per_scope).
    rows_scope: object = None
    branches: object = None
    # The list's rows as the database keeps them counted (None: not kept), for the count
    # of an unsearched list: `ScopedModelAdmin.lead_estimate`.
    estimate: int | None = None
    # Documents read per try, as multiples of the rows wanted, and one more (a keyset
    # page's first document may hold none of its rows); then the plain read of the list.
    tries = (1, 4, 16)
    # Up to this many keys (projects x rows wanted), each project's first rows are
    # gathered and sorted rather than merged (`_lead_statements`): a member's first pages
    # (fifty projects: to page 4). Deeper, the sort of the first rows costs more than the
    # merge's planning (page 50: 10.4 ms gathered, 6.1 merged).
    gather_limit = 10_000

    def fits(self, order_by):
        return bool(order_by) and order_by[0].lstrip("-") == self.column

    def page_pks(self, queryset, start, stop, bound=None):
        """The primary keys of `queryset`'s rows [start:stop], or None to read them otherwise."""
        if queryset.query.is_empty():
            return []
        descending = queryset.query.order_by[0].startswith("-")
        queryset = self._unscoped(queryset)
        related = self.rows.order_by("-pk" if descending else "pk")
        if bound is not None:
            related = related.filter(**{"pk__lte" if descending else "pk__gte": bound})
        if connections[queryset.db].vendor == "postgresql":
            found = self._joined_pks(queryset, related, start, stop)
            if found is not None:
                return found
        for times in self.tries:
            wanted = math.ceil(stop * times) + 1
            # Read first, then given as values: as a subquery, the planner may merge it
            # with the whole versions index in order (600 ms for a member's page 50).
            keys = self._first_keys(related, wanted)
            among = queryset.filter(EqualsAny(self.column, keys))
            found = list(among.values_list("pk", flat=True)[start:stop])
            # A full page, or every related row read: these are the list's rows. (The
            # page's last row lies among these related rows: so do all rows before it.)
            if len(found) == stop - start or len(keys) < wanted:
                return found
        return None

    def _joined_pks(self, queryset, related, start, stop):
        """PostgreSQL: rows [start:stop] as one statement, the related rows joined laterally.

        The related rows are read in order (`_lead_statements`), and each one's
        rows are read from the list's index on its column
        (`documento_versions_unique_version`, which holds the versions' ids: no
        table row is read): a nested loop that stops at the page's last row,
        whatever the documents' versions. Read first and passed back as values
        instead, a page 50 sent 2,500 document ids each way: the two reads took
        20 ms of a member's 59 ms page. None when the list's order is not of its
        own columns.
        """
        terms = Keyset._terms(queryset.model, list(queryset.query.order_by))
        if not terms:
            return None
        pk = queryset.model._meta.pk
        # Each related row's rows, in the rest of the list's order (the primary key ends it).
        rest = []
        for term in terms[1:]:
            rest.append(term)
            if term.name == pk.attname:
                break
        else:
            rest.append(Term(pk, False))
        key = RawSQL('"lead"."key"', (), output_field=self.rows.model._meta.pk)
        inner = queryset.filter(**{self.column: key}).order_by()
        inner_sql, inner_params = inner.values_list(
            *[term.name for term in rest]
        ).query.sql_with_params()
        quote = connections[queryset.db].ops.quote_name
        order = [f'"lead"."key" {"DESC" if terms[0].descending else "ASC"}'] + [
            f'"row".{quote(term.field.column)} {"DESC" if term.descending else "ASC"}'
            for term in rest
        ]
        for lead_sql, lead_params, gathered in self._lead_statements(related, stop):
            # Gathered, the lead also says how many related rows it gathered in all ("n").
            columns, read = ('("key", "n")', ', "lead"."n"') if gathered else ('("key")', "")
            sql = (
                f'SELECT "row".{quote(pk.column)}{read} FROM ({lead_sql}) AS "lead" {columns} '
                f'CROSS JOIN LATERAL ({inner_sql}) AS "row" '
                f"ORDER BY {', '.join(order)} LIMIT %s OFFSET %s"
            )
            with connections[queryset.db].cursor() as cursor:
                cursor.execute(sql, (*lead_params, *inner_params, stop - start, start))
                rows = cursor.fetchall()
            found = [row[0] for row in rows]
            # A short page is the list's end if every related row was gathered (fewer
            # than `stop` in all: no project had more); else some held no rows: merged.
            if not gathered or len(found) == stop - start or (rows and rows[0][1] < stop):
                return found
        return found

    def _lead_statements(self, related, stop):
        """(sql, params, gathered) of the related rows' keys in order, to be tried in turn.

        When the user's projects are few enough for `gather_limit`, first each
        project's first `stop` keys, gathered and sorted (`_gathered`): one
        project list to plan instead of fifty reads (2 ms of planning for a
        member's page of 17 documents). Those hold the page's rows if every
        related row has one; a page that comes out short with every project's
        first `stop` gathered (documents without versions) is read again from
        the merge: each project read in order, as far as the page needs
        (`per_scope`, unlimited).
        """
        groups = getattr(self.branches, "groups", None) or []
        if len(groups) == 1 and len(groups[0][1]) * stop <= self.gather_limit:
            gathered = self._gathered(related, groups[0], stop)
            if gathered is not None:
                yield *gathered, True
        lead = per_scope(
            related, list(related.query.order_by), self.branches, self.rows_scope, lazy=True
        )
        if lead is not None:
            yield *lead.statement(), False
        else:
            yield *related.values_list("pk").query.sql_with_params(), False

    def _gathered(self, related, group, stop):
        """(sql, params): each value's first `stop` related keys, sorted, the first `stop` of them.

        One read per value (`unnest` of the values, each joined laterally to its
        rows in the list's order, from the index on (project, id)). None when
        `related` is not filtered by the rows' scope alone, or a value is None.
        """
        field, values, also = group
        unscoped = without(related, self.rows_scope)
        if unscoped is None or None in values or also:
            return None
        connection = connections[related.db]
        target = compared_field(related.model, field)
        value = RawSQL('"scope"."value"', (), output_field=target)
        inner = unscoped.filter(**{field: value}).values_list("pk")[:stop]
        inner_sql, inner_params = inner.query.sql_with_params()
        descending = related.query.order_by[0].startswith("-")
        sql = (
            f'SELECT "gathered"."key", COUNT(*) OVER () '
            f"FROM unnest(%s::{target.db_type(connection)}[]) "
            f'AS "scope" ("value") CROSS JOIN LATERAL ({inner_sql}) AS "gathered" ("key") '
            f"ORDER BY 1 {'DESC' if descending else 'ASC'} LIMIT %s"
        )
        prepared = [target.get_db_prep_value(v, connection, prepared=False) for v in values]
        return sql, [prepared, *inner_params, stop]

    def _first_keys(self, related, wanted):
        """The primary keys of the first `wanted` related rows, in `related`'s order.

        Each project's from its own index range, merged: an IN list of fifty
        projects reads all their rows and sorts them (4 ms for 10,000 documents).
        """
        order = list(related.query.order_by)
        merged = per_scope(related, order, self.branches, self.rows_scope, limit=wanted)
        if merged is None:
            return list(related.values_list("pk", flat=True)[:wanted])
        return [row[-1] for row in merged.rows(0, wanted)]

    def count(self, queryset, limit):
        """`queryset`'s rows up to `limit`, counted among the first related rows, or None."""
        if queryset.query.is_empty():
            return 0
        queryset = self._unscoped(queryset)
        related = self.rows.order_by().values("pk")[:limit]
        among = queryset.filter(**{f"{self.column}__in": related}).order_by().values("pk")
        # Both counts in one statement: the rows among the first related rows, and those.
        among_sql, among_params = among[:limit].query.sql_with_params()
        related_sql, related_params = related.query.sql_with_params()
        with connections[queryset.db].cursor() as cursor:
            cursor.execute(
                f'SELECT (SELECT COUNT(*) FROM ({among_sql}) AS "among"), '
                f'(SELECT COUNT(*) FROM ({related_sql}) AS "related")',
                (*among_params, *related_params),
            )
            counted, related_counted = cursor.fetchone()
        # Enough rows, or every related row read: the rows are all counted.
        if counted >= limit or related_counted < limit:
            return counted
        return None

    def _unscoped(self, queryset):
        if self.scope is None:
            return queryset
        unscoped = without(queryset, self.scope)
        return queryset if unscoped is None else unscoped


class Keys(list):
    """Primary keys of a page; `span` is (lowest, highest) of the ReadRanges column, if read.

    `stopped_at`: the lower bound of the last range read, when a window of ranges
    ended before the page was full (None: the rows are all there are).
    """

    span = None
    stopped_at = None

    @classmethod
    def spanning(cls, found):
        """The keys of (primary key, column) pairs in the list's order, with their span."""
        ids = cls(pk for pk, _value in found)
        if found:  # the column's span of these rows: reading them back prunes the rest
            ids.span = (found[-1][1], found[0][1])
        return ids


def by_ranges(queryset, ranges, stop, branches=None, scope=None, window=None):
    """(primary key, column) of the first `stop` rows of `queryset`, read range by range.

    With `branches`, each range is read scope by scope and merged (`per_scope`):
    a member's search is planned one month and one scope at a time, where the
    planner chooses between that month's trigram index and the scope's feed
    index; over the whole table it would build every month's matches first.
    Returns (rows, stopped_at): past `window` ranges reading stops, and
    stopped_at is the lower bound of the last range read (None if not stopped).
    """
    order_by = list(queryset.query.order_by)
    found = []
    for at, (lower, below) in enumerate(ranges.ranges):
        if window is not None and at == window:
            return found, ranges.ranges[at - 1][0]
        part = in_range(queryset, ranges.column, lower, below)
        merged = per_scope(part, order_by, branches, scope, limit=stop - len(found))
        if merged is None:
            found += part.values_list("pk", ranges.column)[: stop - len(found)]
        else:
            column = merged.columns.index(ranges.column)
            found += [(row[-1], row[column]) for row in merged.rows(0, stop - len(found))]
        if len(found) >= stop:
            break
    return found, None


def in_range(queryset, column, lower, below):
    """`queryset`'s rows whose `column` is in [lower, below); None leaves that side open."""
    if lower is not None:
        queryset = queryset.filter(**{f"{column}__gte": lower})
    if below is not None:
        queryset = queryset.filter(**{f"{column}__lt": below})
    return queryset


def rows_by_ids(queryset, ids, span=None):
    """The rows of `queryset` whose primary keys are `ids`, read by key alone.

    The ids were read through the queryset's filters already (`page_ids`): a
    search pattern applied again would let PostgreSQL answer the page's 50 keys
    from the pattern's trigram index, over every month of a partitioned table
    (hundreds of ms at 10M rows), instead of from the keys. The joins the filters
    made stay: they follow foreign keys (one row each), and a list whose filters
    could repeat a row (`distinct`) does not come here. Columns, joins for
    display (`select_related`), annotations and order are kept. `span`,
    (column, (lowest, highest)), bounds the rows' column, so that a partitioned
    table is read in the partitions of those rows only.
    """
    rows = queryset.all()
    rows.query.where = WhereNode()
    if span is not None:
        column, (lowest, highest) = span
        rows = rows.filter(**{f"{column}__gte": lowest, f"{column}__lte": highest})
    return rows.filter(pk__in=ids)


def per_scope(queryset, order_by, branches, scope=None, limit=None, lazy=False):
    """`queryset`'s rows as UNION ALL of one read per branch, in `order_by` (`Merged`, or None).

    `branches` are disjoint Qs whose rows together are those of `scope`, the Q
    the queryset was filtered by (one per workspace or project of the user:
    ScopedModelAdmin.scope_branches); each branch stands in for `scope`, so that
    the planner does not count its rows twice over. Each branch reads its own
    index (on scope, then the list's order: `actividades_ws_feed_idx`, say) in
    order and stops after `limit` rows (PostgreSQL: `ORDER BY ... LIMIT` in
    each, a Merge Append over the month partitions); the top rows of those few
    are the page. An OR of the scopes would walk the whole table's index past
    everybody else's rows instead. None when there are no branches, or the
    order is not of the model's own columns. SQLite reads the same rows.

    Branches that differ by one value (`Branches.groups`: a project's id) are
    compiled once and the statement repeated with each value: building and
    compiling fifty querysets cost a member's page 6 ms each time it was read.

    `lazy`: each branch ordered and unlimited, for a statement that reads the
    merge only as far as it needs (PostgreSQL's Merge Append: `Lead`).
    """
    terms = Keyset._terms(queryset.model, order_by)
    if not branches or not terms or queryset.query.distinct or queryset.query.is_empty():
        return None  # .none() (a search of short words only): nothing to merge
    queryset = without(queryset, scope) if scope is not None else queryset
    if queryset is None:
        return None
    first = {}
    for term in terms:  # a column ordered again changes nothing: its first term orders
        first.setdefault(term.name, term)
    terms = list(first.values())
    pk = queryset.model._meta.pk.attname
    columns = [term.name for term in terms if term.name != pk] + [pk]
    by_column = [("-" if term.descending else "") + term.name for term in terms]
    # The columns first: each branch then clones a query without the list's joins for display.
    queryset = queryset.values_list(*columns).order_by(*by_column)
    groups = getattr(branches, "groups", None) or [(None, [q], Q()) for q in branches]
    parts, compiled = [], []
    for field, values, also in groups:
        parts += _branch_statements(queryset, field, values, also, limit, compiled.append, lazy)
    order = ", ".join(
        f"{columns.index(term.name) + 1} {'DESC' if term.descending else 'ASC'}" for term in terms
    )
    return Merged(compiled[0], tuple(columns), parts, order, fenced=limit is None and not lazy)


def _branch_statements(queryset, field, values, also, limit, compiled_by, lazy=False):
    """(sql, params) of each value's branch: `queryset` filtered by `also` and field=value.

    A group's branch is compiled once (core.statements.Compiled) and its
    statement repeated with each value; a None value (IS NULL) is compiled
    apart. Each Compiled is given to `compiled_by`.
    """

    def read(branch):
        read = queryset.filter(branch)
        if lazy:
            return read
        return read[:limit] if limit is not None else read.order_by()

    def alone(branch):
        compiled = Compiled(lambda: read(branch), {})
        compiled_by(compiled)
        return compiled.statement()

    if field is None:
        return [alone(value) for value in values]
    target = compared_field(queryset.model, field)
    template = Compiled(lambda value: read(Q(**{field: value}) & also), {"value": target})
    compiled_by(template)
    return [
        alone(Q(**{field: None}) & also) if value is None else template.statement(value=value)
        for value in values
    ]


def compared_field(model, path):
    """The field whose values `path` (a lookup of `model`) is compared with: a foreign
    key's target, so that a value is prepared as the column it meets."""
    field = get_fields_from_path(model, path)[-1]
    return field.target_field if field.is_relation else field


class Merged:
    """Per-scope reads merged in order, as one statement: `rows`, `count`, `statement`.

    Its rows are converted as the ORM converts its own (SQLite's UUIDs and dates
    are text), as one of its branches (`branch`, a Compiled) converts them.
    """

    def __init__(self, branch, columns, parts, order, fenced=False):
        self.using = branch.using
        self.columns = columns  # the list's order columns, the primary key last
        self._branch = branch
        # Branches read whole (`fenced`: no limit) are planned each by itself, then sorted:
        # PostgreSQL pulls a plain subquery up into the merge, and may then walk an index of
        # the order past every other row to meet a branch's few. OFFSET 0 keeps it apart.
        vendor = connections[self.using].vendor
        fence = " OFFSET 0" if fenced and vendor == "postgresql" else ""
        # A branch ordered and limited is a subquery: SQLite allows no ORDER BY in a UNION's parts.
        self._sql = " UNION ALL ".join(
            f"SELECT * FROM ({sql}{fence}) AS branch_{n}" for n, (sql, _params) in enumerate(parts)
        )
        self._params = [param for _sql, params in parts for param in params]
        self._order = order

    def statement(self, start=0, stop=None):
        """The SQL and parameters of rows [start:stop] in order."""
        sql, params = f"{self._sql} ORDER BY {self._order}", list(self._params)
        if stop is not None:
            sql += " LIMIT %s"
            params.append(stop - start)
        elif start:
            sql += " LIMIT -1" if connections[self.using].vendor == "sqlite" else " LIMIT ALL"
        if start:
            sql += " OFFSET %s"
            params.append(start)
        return sql, params

    def rows(self, start=0, stop=None):
        """Rows [start:stop] as tuples of `columns`."""
        with connections[self.using].cursor() as cursor:
            cursor.execute(*self.statement(start, stop))
            return self._branch.converted(cursor.fetchall())

    def count(self, limit):
        """How many rows there are, counting at most `limit`."""
        with connections[self.using].cursor() as cursor:
            cursor.execute(
                f"SELECT COUNT(*) FROM ({self._sql} LIMIT %s) AS counted", [*self._params, limit]
            )
            return cursor.fetchone()[0]


def in_scopes(queryset, branches, scope):
    """`queryset` with its `scope` as IN lists of its branches' values (None: not so).

    For a count, which needs no order: one read of an index on the scope's
    column (`proyecto_id = ANY(...)`) stops at the count's limit, where a UNION
    of fifty ordered reads (per_scope) plans fifty of them first (4 ms).
    """
    groups = getattr(branches, "groups", None)
    unscoped = without(queryset, scope) if groups and scope is not None else None
    if unscoped is None:
        return None
    scopes = Q(pk__in=[])
    for field, values, also in groups:
        scopes |= Q(**{f"{field}__in": values}) & also
    return unscoped.filter(scopes)


def without(queryset, q):
    """`queryset` without its filter `q` (None if it was not filtered by it alone).

    The joins `q` made (to a row's project, say) go with it, unless another
    filter uses them too.
    """
    alone = queryset.model._base_manager.filter(q).query
    added, where = alone.where.children, queryset.query.where
    if len(added) != 1 or where.connector != AND or where.negated:
        return None
    for at, child in enumerate(where.children):
        if child == added[0]:
            unscoped = queryset.all()
            del unscoped.query.where.children[at]
            for alias, uses in alone.alias_refcount.items():
                if alias != alone.base_table and alias in unscoped.query.alias_refcount:
                    unscoped.query.unref_alias(alias, uses)
            return unscoped
    return None


class KeysetChangeList(ChangeList):
    """Django's ChangeList, whose pages never end on an error: numbered, then by keyset."""

    def __init__(self, request, *args, **kwargs):
        # The keyset links and the page number are read here; Django's ChangeList
        # sees neither (it would take the links for filters, a bad number for an error).
        self.keyset_link = None
        for var in KEYSET_VARS:
            if var in request.GET:
                self.keyset_link = (var, request.GET[var])
                break
        self.page_param = request.GET.get(PAGE_VAR)
        self.keyset = None
        self.newer_url = self.older_url = self.first_url = self.end_url = None
        self.on_keyset_page = False
        original = request.GET
        request.GET = original.copy()
        for var in (*KEYSET_VARS, PAGE_VAR):
            request.GET.pop(var, None)
        try:
            super().__init__(request, *args, **kwargs)
        finally:
            request.GET = original
        # Django appends the preserved filters to each row's link by resolving that
        # link (add_preserved_filters): fifty URL resolutions a filtered page, ~7 ms.
        # A row links to its change page, never to this list, so the query is the
        # same for every row: appended here once (`url_for_result`), and Django then
        # finds no filters to preserve.
        self.row_link_query, self.preserved_filters = self.preserved_filters, ""

    def url_for_result(self, result):
        url = super().url_for_result(result)
        return f"{url}?{self.row_link_query}" if self.row_link_query else url

    def get_results(self, request):
        paginator = self.model_admin.get_paginator(request, self.queryset, self.list_per_page)
        self.paginator = paginator
        self.result_count = paginator.count
        self.show_full_result_count = self.model_admin.show_full_result_count
        self.full_result_count = self.root_queryset.count() if self.show_full_result_count else None
        self.show_admin_actions = not self.show_full_result_count or bool(self.full_result_count)
        # A partial count (a member's search, counted in its newest months) is a floor:
        # the list is read page by page, never all at once.
        partial = getattr(paginator, "count_is_partial", False)
        self.can_show_all = self.result_count <= self.list_max_show_all and not partial
        self.multi_page = self.result_count > self.list_per_page or partial
        self.page_num = 1
        if (self.show_all and self.can_show_all) or not self.multi_page:
            if self.keyset_link or self.page_param not in (None, "1"):
                messages.info(request, _("La lista cabe en una página: se muestra entera."))
            if (self.show_all and self.can_show_all) or not getattr(
                paginator, "searching_scopes", False
            ):
                self.result_list = self.queryset._clone()
            else:  # a member's search: read with its own plan (the paginator's search plan)
                self.result_list = paginator.page(1).object_list
            return
        self.keyset = Keyset(self.queryset)
        if self.keyset_link:
            self._keyset_page(request, *self.keyset_link)
        else:
            self._numbered_page(request)

    # -- numbered pages ----------------------------------------------------------

    def _numbered_page(self, request):
        paginator = self.paginator
        number, last = 1, paginator.num_pages
        if self.page_param is not None:
            try:
                number = int(self.page_param)
            except ValueError:
                messages.warning(
                    request,
                    _("«%(p)s» no es un número de página: se muestra la primera.")
                    % {"p": self.page_param[:40]},
                )
            else:
                if number < 1:
                    messages.warning(
                        request, _("Las páginas empiezan en la 1: se muestra la primera.")
                    )
                    number = 1
                elif number > last:
                    messages.warning(
                        request,
                        _(
                            "La página %(p)s no existe: las páginas numeradas llegan a la "
                            "%(last)s, se muestra esa."
                        )
                        % {"p": number, "last": last},
                    )
                    number = last
        page = paginator.page(number)
        rows = page.object_list
        if number > 1 and not rows:
            # The count was an estimate above the rows there are: the list's last rows instead.
            self._keyset_page(request, BEFORE_VAR, END)
            return
        self.page_num = number
        self.result_list = rows
        if getattr(page, "stopped_at", None) is not None:
            self._link_past_window(request, page.stopped_at)
        elif number == last and getattr(page, "has_more_rows", False):
            if self.keyset.follows_list:
                self._link_beyond(list(rows), older=True)
            else:
                # Ordered by another table's column: the keyset pages start over in
                # the model's own order (and say so), rather than skip rows.
                self.older_url = self._url(AFTER_VAR, START)
            self.end_url = self._url(BEFORE_VAR, END)
            if self.page_param is not None and self.page_param != str(number):
                messages.info(
                    request,
                    _("Las filas más allá siguen con el enlace «%(older)s».")
                    % {"older": self.older_label},
                )

    # -- keyset pages ------------------------------------------------------------

    def _keyset_page(self, request, var, token):
        keyset = self.keyset
        self.on_keyset_page = True
        self.page_num = 1  # for Django's pagination tag; the template shows no numbers here
        forward = var == AFTER_VAR
        if not keyset.follows_list:
            messages.info(
                request,
                _(
                    "Más allá de las páginas numeradas, esta lista sigue en su orden propio "
                    "(no en el de la columna elegida)."
                ),
            )
        if token == (START if forward else END):
            values = None
        else:
            try:
                values = keyset.decode(token)
            except ValueError:
                messages.warning(
                    request,
                    _("El enlace de esta página de la lista no es válido: se muestra la primera."),
                )
                self.keyset_link = None
                self.on_keyset_page = False
                self._numbered_page(request)
                return
        queryset = keyset.queryset
        beyond = queryset if values is None else queryset.filter(keyset.past(values, forward))
        per_page = self.list_per_page
        ranges = getattr(self.paginator, "ranges", None)
        if ranges is not None and keyset.terms[0].name != ranges.column:
            ranges = None
        elif ranges is not None and values is not None:
            ranges = ranges.below(values[0])
        ids = page_ids(
            beyond,
            0,
            per_page + 1,
            order_by=keyset.order_by(reverse=not forward),
            branches=getattr(self.paginator, "branches", None),
            scope=getattr(self.paginator, "scope", None),
            ranges=ranges,
            window=getattr(self.paginator, "window", None) if forward else None,
            lead=getattr(self.paginator, "lead", None),
            lead_bound=None if values is None else values[0],
        )
        more = len(ids) > per_page
        span, stopped_at = getattr(ids, "span", None), getattr(ids, "stopped_at", None)
        ids = ids[:per_page]
        rows = rows_by_ids(queryset, ids, span=span and (ranges.column, span))
        self.result_list = rows
        shown = list(rows)
        self.first_url = self._url(None, None)
        if forward:
            self._link_beyond(shown, older=more, newer=values is not None)
        else:
            self._link_beyond(shown, older=values is not None, newer=more)
        if stopped_at is not None:
            self._link_past_window(request, stopped_at)
        if self.older_url:
            self.end_url = self._url(BEFORE_VAR, END)
        if not shown and stopped_at is None:
            messages.info(request, _("No hay más filas en esa dirección."))

    def _link_past_window(self, request, stopped_at):
        """The page read its window of ranges (a member's search): go on below them."""
        values = self.keyset.below(stopped_at)
        if values is None:
            return
        self.older_url = self._url(AFTER_VAR, self.keyset.encode(values))
        self.end_url = self._url(BEFORE_VAR, END)
        messages.info(
            request,
            _(
                "La búsqueda llegó hasta el %(fecha)s: «%(older)s» la sigue en las fechas "
                "anteriores."
            )
            % {
                "fecha": date_format(timezone.localtime(stopped_at), "DATETIME_FORMAT"),
                "older": self.older_label,
            },
        )

    def _link_beyond(self, shown, *, older=False, newer=False):
        if not shown:
            return
        if older:
            self.older_url = self._url(
                AFTER_VAR, self.keyset.encode(self.keyset.values_of(shown[-1]))
            )
        if newer:
            self.newer_url = self._url(
                BEFORE_VAR, self.keyset.encode(self.keyset.values_of(shown[0]))
            )

    def _url(self, var, token):
        query = self.get_query_string(remove=[PAGE_VAR, *KEYSET_VARS])
        if var is None:
            return query
        return query + ("&" if query != "?" else "") + urlencode({var: token})

    @property
    def older_label(self):
        return _("más antiguas") if self._by_date() else _("siguientes")

    @property
    def newer_label(self):
        return _("más recientes") if self._by_date() else _("anteriores")

    def _by_date(self):
        keyset = self.keyset or Keyset(self.queryset)
        return keyset.is_newest_first


class KeysetListMixin:
    """Admin lists on KeysetChangeList; wrong filters show the whole list and a message."""

    def action_checkbox(self, obj):
        """Django's checkbox of a row, the same HTML written at once.

        Django renders it through the form widget's template, a template per row:
        a fifth of a list page's time on two cores.
        """
        # Django's words, in Django's own translation.
        label = format_html(_("Select this object for an action - {}"), str(obj))
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            ACTION_CHECKBOX_NAME,
            str(obj.pk),
            label,
        )

    def get_changelist(self, request, **kwargs):
        return KeysetChangeList

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        if isinstance(response, HttpResponseRedirect) and response.url == (
            f"{request.path}?{ERROR_FLAG}=1"
        ):
            messages.warning(
                request,
                _("Los filtros de la dirección no son válidos: se muestra la lista sin ellos."),
            )
            return HttpResponseRedirect(request.path)
        return response
