"""A changelist paginator that stays fast on tables of millions of rows."""

import json

from django.core.paginator import Paginator
from django.db import connections
from django.utils.functional import cached_property


class BoundedCountPaginator(Paginator):
    """Counts exactly up to `exact_limit` rows, estimates beyond; offers `max_pages` pages.

    An exact `COUNT(*)` reads every matching row; past a few thousand, the
    planner's estimate (PostgreSQL's `EXPLAIN`) is as useful to a person and
    costs nothing. Deep pages by OFFSET cost more the deeper they go, so past
    `max_pages` the list asks for a filter or a search instead.
    """

    exact_limit = 10_000
    max_pages = 100

    @cached_property
    def count(self):
        queryset = self.object_list.order_by()
        bounded = queryset[: self.exact_limit + 1].count()
        self.is_estimate = bounded > self.exact_limit
        if not self.is_estimate:
            return bounded
        connection = connections[queryset.db]
        if connection.vendor == "postgresql":
            plan = json.loads(queryset.explain(format="json"))
            return max(int(plan[0]["Plan"]["Plan Rows"]), bounded)
        return queryset.count()

    @cached_property
    def num_pages(self):
        return min(super().num_pages, self.max_pages)
