"""A queryset compiled once, then run again with other values: for reads on a hot path.

Building and compiling a queryset costs a few hundred microseconds of Python
each time (clones, lookups, joins, the compiler); for a read that takes half a
millisecond on the server, that is most of the call. `Compiled` builds the
queryset once with stand-in values, finds where each stands in the compiled
parameters, and runs the same SQL with the real values prepared as the field
would prepare them; its rows are converted as the ORM converts its own.
"""

import datetime
import uuid

from django.db import connections


class Compiled:
    """`build(**values)`'s SQL, compiled once; `rows(**values)` runs it with other values.

    `slots` name each value and the model field that prepares it for the
    database. `build` must give a values_list() queryset, and use every slot
    as a parameter (a None value, which SQL compares with IS NULL, has a
    statement of its own shape: build that one as it is).
    """

    def __init__(self, build, slots):
        self.slots = slots
        stand_ins = {name: _stand_in(field) for name, field in slots.items()}
        queryset = build(**stand_ins)
        self.using = queryset.db
        connection = connections[self.using]
        self.compiler = queryset.query.get_compiler(using=self.using)
        self.sql, params = self.compiler.as_sql()
        self.params = list(params)
        self._converters = self.compiler.get_converters(
            [expression for expression, _sql, _alias in self.compiler.select]
        )
        prepared = {
            name: self._prepare(name, value, connection) for name, value in stand_ins.items()
        }
        self.positions = [
            (at, name)
            for at, param in enumerate(self.params)
            for name, value in prepared.items()
            if param == value
        ]
        unused = set(slots) - {name for _at, name in self.positions}
        if unused:
            raise ValueError(f"The statement does not use {', '.join(sorted(unused))}.")

    def _prepare(self, name, value, connection):
        return self.slots[name].get_db_prep_value(value, connection, prepared=False)

    def statement(self, **values):
        """The SQL and its parameters with `values` in the slots."""
        connection = connections[self.using]
        params = list(self.params)
        for at, name in self.positions:
            params[at] = self._prepare(name, values[name], connection)
        return self.sql, params

    def rows(self, **values):
        """The statement's rows (tuples) with `values` in its slots."""
        with connections[self.using].cursor() as cursor:
            cursor.execute(*self.statement(**values))
            return self.converted(cursor.fetchall())

    def converted(self, rows):
        """Rows of this statement's columns (or a statement of the same columns) as the ORM
        gives them."""
        if self._converters:
            rows = self.compiler.apply_converters(rows, self._converters)
        return [tuple(row) for row in rows]


def _stand_in(field):
    """A value of `field`'s kind that no real value equals."""
    kind = field.get_internal_type()
    if kind in ("UUIDField", "ForeignKey"):
        return uuid.uuid4()
    if kind == "DateTimeField":
        moment = datetime.datetime(1901, 2, 3, 4, 5, 6, tzinfo=datetime.UTC)
        return moment + datetime.timedelta(microseconds=uuid.uuid4().int % 10**6)
    return f"\x1f{uuid.uuid4().hex}"
