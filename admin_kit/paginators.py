"""A changelist paginator that stays fast on tables of millions of rows."""

import json
from contextlib import contextmanager

from django.core.paginator import Paginator
from django.db import connections, transaction
from django.db.models import Q, QuerySet
from django.utils.functional import cached_property

from admin_kit.changelist import (
    Keys,
    by_ranges,
    in_range,
    in_scopes,
    page_ids,
    per_scope,
    rows_by_ids,
    without,
)


class BoundedCountPaginator(Paginator):
    """Counts exactly up to `exact_limit` rows, estimates beyond; offers `max_pages` pages.

    An exact `COUNT(*)` reads every matching row; past a thousand, the
    planner's estimate (PostgreSQL's `EXPLAIN`) is as useful to a person and
    costs nothing. When the planner guesses fewer rows than were counted (a
    search pattern, say), the list says "more than 1000". Deep pages by OFFSET
    cost more the deeper they go, so past `max_pages` the list goes on by
    keyset (admin_kit.changelist); a page says whether rows follow it
    (`has_more_rows`), read with one id more.
    """

    exact_limit = 1_000
    max_pages = 100
    # Disjoint Qs, one per scope of the user, that together make the `scope` Q the
    # list is filtered by (ScopedModelAdmin.scope_branches): the rows are read per
    # scope and merged (admin_kit.changelist.per_scope).
    branches = None
    scope = None
    # The list's ReadRanges (admin_kit.changelist), read one at a time: see there.
    ranges = None
    # The related rows the list's order starts with (admin_kit.changelist.Lead).
    lead = None
    # A search in the list's own columns (ScopedModelAdmin.get_paginator): its matches,
    # up to `sort_limit` of them, are sorted rather than met along the order.
    searched = False
    sort_limit = 20_000
    # A member's search of a list read by ranges (the trail, by month) is counted in its
    # newest `count_ranges` ranges only: past them the count is a lower bound (`partial`);
    # a page of it reads at most `search_ranges` ranges, then links to the older ones.
    count_ranges = 3
    search_ranges = 6
    is_estimate = False
    count_is_lower_bound = False
    lower_bound = None  # what a count that is a lower bound shows: "más de N"
    # A member's rows counted per scope as far as the numbered pages reach, with no
    # estimate past them (`_count_scopes`): for a table whose estimate costs more to
    # plan than that count (the trail's month partitions). Set by the list's ModelAdmin.
    count_to_pages = False
    count_is_partial = False
    # The keys (primary key, range column) of the rows a filtered member's count read, in
    # the list's order, and whether they are all the list's rows (`_bounded_count`).
    counted_keys = None
    counted_all = False

    @cached_property
    def count(self):
        queryset = self.object_list.order_by()
        if self.branches is not None and self.count_to_pages and not self.searched:
            return self._count_scopes(queryset)
        estimate = getattr(self.lead, "estimate", None)
        if estimate is not None and estimate > self.exact_limit and not self._filtered:
            # Kept counted by the database (a member's versions: their projects' totals):
            # one read of a row per project, where counting to the limit and asking the
            # planner read a thousand versions and planned a join (2.3 ms of a page).
            self.is_estimate = True
            return estimate
        with self._search_plan(queryset):
            bounded = self._bounded_count(queryset)
        if self.count_is_partial:
            return bounded
        self.is_estimate = bounded > self.exact_limit
        if not self.is_estimate:
            return bounded
        if connections[queryset.db].vendor != "postgresql":
            self.is_estimate = False  # no planner estimate to read: count them all
            return queryset.count()
        # The estimate needs only the rows' number: no joins for display, no columns
        # (planning every column of the trail's 41 months took 7 ms, its key alone 4).
        plan = json.loads(queryset.select_related(None).values("pk").explain(format="json"))
        estimate = int(plan[0]["Plan"]["Plan Rows"])
        self.count_is_lower_bound = estimate <= bounded
        self.lower_bound = self.exact_limit
        return max(estimate, bounded)

    def _count_scopes(self, queryset):
        """A member's rows, counted per scope up to the last numbered page's, exactly.

        That is all the numbered pages need; past it the list says "más de N" and
        goes on by keyset. The planner's estimate of the whole OR is not read: at
        10M rows, planning it over every month's partition of the trail takes 14 ms,
        where counting 5,000 rows of a member's scopes in their indexes takes 7.

        A filtered list (the trail's `tipo`, say) is counted up to `exact_limit`:
        the scopes' indexes do not hold the filter's column, so each row counted
        is a table row read, matches or not (5,000 «editar» of a workspace read
        12,000 rows over five months: 20 ms; 1,000 read one month: 4 ms).
        """
        limit = self.max_pages * self.per_page + 1
        if self._filtered:
            limit = min(limit, self.exact_limit + 1)
        counted = self._bounded_count(queryset, limit, keep=self._filtered)
        if counted >= limit:
            self.is_estimate = self.count_is_lower_bound = True
            self.lower_bound = limit - 1
            return self.lower_bound
        return counted

    def _bounded_count(self, queryset, limit=None, keep=False):
        limit = limit or self.exact_limit + 1
        # Each scope from its own index, stopping at the limit: by ranges, or as IN lists.
        order = list(self.object_list.query.order_by)
        if self._searching_workspaces() and self.ranges.fit(order):
            return self._count_by_ranges(order, limit, self.ranges, most=self.count_ranges)
        if self.branches is not None and self.ranges is not None and self.ranges.fit(order):
            # Gathered as a page reads them (admin_kit.changelist.page_ids), with one month
            # alone: a count reads on to its limit, and each read plans its partitions.
            ranges = self.ranges.gathered(alone=1)
            if not keep:
                return self._count_by_ranges(order, limit, ranges)
            # The rows' keys read rather than counted, as a page reads them: the pages
            # they hold need no read of their own. A quiet project's «editar» is counted
            # through every month; its first page read again through the same months
            # would plan their partitions twice.
            keys, _stopped = by_ranges(self.object_list, ranges, limit, self.branches, self.scope)
            self.counted_keys, self.counted_all = keys, len(keys) < limit
            return len(keys)
        if self.lead is not None:
            counted = self.lead.count(self.object_list, limit)
            if counted is not None:
                return counted
        scoped = self._in_scopes
        return (queryset if scoped is None else scoped.order_by())[:limit].count()

    @cached_property
    def _filtered(self):
        """Whether the list's rows are filtered by more than the member's scopes."""
        unscoped = without(self.object_list, self.scope) if self.scope is not None else None
        return unscoped is None or bool(unscoped.query.where.children)

    @cached_property
    def _in_scopes(self):
        """The list's rows with a member's scopes as IN lists (None: not so), see in_scopes."""
        return in_scopes(self.object_list, self.branches, self.scope)

    def _count_by_ranges(self, order, limit, ranges, most=None):
        """The rows up to `limit`, counted range by range (`ranges`) and scope by scope.

        A search's matches are counted in the newest `most` ranges only: a
        pattern frequent in the table and rare in the member's scopes would be
        counted month after month to the oldest (each month's trigram index costs
        ~8 ms at 10M rows for «documento-99»): past the newest months the count
        says "N o más", and the pages go on by keyset to the oldest row.
        """
        counted = 0
        for at, (lower, below) in enumerate(ranges.ranges):
            if at == most:
                self.count_is_partial = True
                break
            part = in_range(self.object_list, self.ranges.column, lower, below)
            merged = per_scope(part, order, self.branches, self.scope, limit=limit - counted)
            if merged is None:
                counted += part.order_by()[: limit - counted].count()
            else:
                counted += merged.count(limit - counted)
            if counted >= limit:
                break
        return counted

    @property
    def searching_scopes(self):
        """A member's search, read scope by scope with its own plan (`_search_plan`)."""
        return self.searched and self.branches is not None

    def _searching_workspaces(self):
        """A member's search of whole workspaces on a list read by ranges: read in a window."""
        return (
            self.searching_scopes
            and self.ranges is not None
            and getattr(self.branches, "whole_workspaces", True)
        )

    @property
    def window(self):
        """How many ranges a page may read (None: all), see `search_ranges`."""
        return self.search_ranges if self._searching_workspaces() else None

    @contextmanager
    def _search_plan(self, queryset):
        """A search of a few small scopes walks them; others may sort few matches.

        A member's projects hold a few thousand rows each: walking their own
        index in order, each row checked against the pattern, stops after a
        page's matches or at the scope's end, where a trigram index would
        gather a pattern's matches over the whole table first (every document
        named «documento-99…», for each project: 450 ms). GIN indexes are read
        by bitmap only, so no bitmap scan means no trigram index. Scopes that
        are whole workspaces (the trail's) are large: their search is planned
        month by month instead (`page_ids`, `_count_by_ranges`).
        """
        connection = connections[queryset.db]
        if (
            self.searching_scopes
            and not getattr(self.branches, "whole_workspaces", True)
            and connection.vendor == "postgresql"
        ):
            with transaction.atomic(using=queryset.db), connection.cursor() as cursor:
                cursor.execute("SET LOCAL enable_bitmapscan = off")
                yield
            return
        yield

    @contextmanager
    def _sorting_few_matches(self, queryset):
        """Within it, PostgreSQL sorts a search's matches when they are few, not walks the order.

        The planner guesses a pattern's matches with a constant (1000 of 10M
        rows for 110,807 real ones; 100k of 1M for 11k): guessing many, it walks
        the list's order index until a page of matches turns up, which may mean
        the whole index when they lie at its far end ("documento-99" by name:
        600 ms). Counted from the trigram index up to `sort_limit` (~15 ms),
        few matches are read from it and sorted instead (~16 ms); more than
        that are common enough for the walk to meet them soon. Lists read by
        ranges or per scope choose for themselves.
        """
        connection = connections[queryset.db]
        if (
            not self.searched
            or self.ranges is not None
            or self.branches is not None
            or connection.vendor != "postgresql"
            # The list's count is exact up to `exact_limit`: beyond, count up to the limit.
            or (
                self.is_estimate
                and queryset.order_by()[: self.sort_limit + 1].count() > self.sort_limit
            )
        ):
            yield
            return
        with transaction.atomic(using=queryset.db), connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_indexscan = off")
            cursor.execute("SET LOCAL enable_indexonlyscan = off")
            yield

    def _few_in_scopes(self):
        """A member's rows as one read of their scopes' IN lists, if counted exactly and few.

        Reading each scope from its own index in order (per_scope) keeps a page's
        cost flat however large the table; but fifty ordered reads are fifty to
        plan, where the ≤ `exact_limit` rows of a small scope (a workspace's 800
        folders) are one read of their IN lists, then sorted (15 ms -> 3 ms at
        page 50). The read is unlimited, so per_scope fences it: PostgreSQL would
        otherwise walk the order's index past everybody else's rows to meet the
        few (a workspace's 300 project memberships among 30,000: 3.4 ms; sorted,
        0.4). A `Merged`, or None: lists read by ranges or through related rows
        keep their own reads, and so does a search of the list's columns
        (`_search_plan`).
        """
        if (
            self.branches is None
            or self.searching_scopes
            or self.ranges is not None
            or self.lead is not None
            or self.is_estimate
            or self.count_is_partial
            or self.count > self.exact_limit
            or self._in_scopes is None
        ):
            return None
        return per_scope(self._in_scopes, list(self._in_scopes.query.order_by), [Q()])

    @cached_property
    def num_pages(self):
        return min(super().num_pages, self.max_pages)

    def page(self, number):
        """A page reads its rows' ids first, then those rows alone.

        Deep in the list (OFFSET), or when the matches must all be sorted (a
        search), PostgreSQL would otherwise join every skipped or sorted row to
        the tables the list shows (`list_select_related`); this way the joins
        are made for one page's rows only.
        """
        number = self.validate_number(number)
        queryset = self.object_list
        if not isinstance(queryset, QuerySet) or queryset.query.distinct:
            page = super().page(number)
            page.has_more_rows = number * self.per_page < self.count
            return page
        bottom, top = (number - 1) * self.per_page, number * self.per_page + 1
        kept = self.counted_keys
        if kept is not None and (self.counted_all or top <= len(kept)):
            ids = Keys.spanning(kept[bottom:top])  # read by the count (`_bounded_count`)
        elif (few := self._few_in_scopes()) is not None:
            ids = [row[-1] for row in few.rows(bottom, top)]  # the primary key comes last
        else:
            with self._search_plan(queryset), self._sorting_few_matches(queryset):
                ids = page_ids(
                    queryset,
                    bottom,
                    top,
                    branches=self.branches,
                    scope=self.scope,
                    ranges=self.ranges,
                    window=self.window,
                    lead=self.lead,
                )
        span = getattr(ids, "span", None)
        rows = rows_by_ids(queryset, ids[: self.per_page], span=span and (self.ranges.column, span))
        page = self._get_page(rows, number, self)
        page.stopped_at = getattr(ids, "stopped_at", None)
        page.has_more_rows = len(ids) > self.per_page or page.stopped_at is not None
        return page
