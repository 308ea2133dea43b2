"""Migration operations that Django's autodetector cannot express."""

import re

from django.db import migrations

# The index a statement builds CONCURRENTLY: `CREATE [UNIQUE] INDEX CONCURRENTLY
# [IF NOT EXISTS] name`, at the start of the text or after a semicolon.
_CONCURRENT_INDEX = re.compile(
    r'(?:^|;)\s*CREATE\s+(?:UNIQUE\s+)?INDEX\s+CONCURRENTLY\s+(?:IF\s+NOT\s+EXISTS\s+)?"?(\w+)"?',
    re.IGNORECASE,
)


def drop_invalid_index(schema_editor, name):
    """Drop index `name` if a failed or killed CREATE INDEX CONCURRENTLY left it INVALID.

    Such a leftover makes the next CREATE fail with "already exists", or, with IF NOT
    EXISTS, lets it pass while the index stays invalid: never used by queries, still
    updated by every write. Every concurrent index operation here calls this first, so
    running the migration again rebuilds it. (Nothing to do offline, in `db sql`.)
    """
    connection = schema_editor.connection
    if connection.vendor != "postgresql" or schema_editor.collect_sql:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT NOT indisvalid FROM pg_index WHERE indexrelid = to_regclass(quote_ident(%s))",
            [name],
        )
        row = cursor.fetchone()
    if row and row[0]:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {schema_editor.quote_name(name)}")


def _statements(sqls):
    if isinstance(sqls, str):
        return [sqls]
    return [sql[0] if isinstance(sql, list | tuple) else sql for sql in sqls]


class RunSQLOn(migrations.RunSQL):
    """Raw SQL for one database vendor only (others skip it), reversible like RunSQL.

    For what each database spells its own way (trigram indexes, composite foreign
    keys, triggers); it changes no model state, so `makemigrations` neither sees
    nor repeats it.
    """

    def __init__(self, vendor, *args, **kwargs):
        self.vendor = vendor
        super().__init__(*args, **kwargs)

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == self.vendor:
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == self.vendor:
            super().database_backwards(app_label, schema_editor, from_state, to_state)

    def describe(self):
        return f"Raw SQL for {self.vendor}"

    def _run_sql(self, schema_editor, sqls):
        # An index this SQL builds CONCURRENTLY may be the INVALID leftover of a failed run.
        for statement in _statements(sqls):
            for match in _CONCURRENT_INDEX.finditer(statement):
                drop_invalid_index(schema_editor, match.group(1))
        super()._run_sql(schema_editor, sqls)


class RunSQLOnPostgreSQL(RunSQLOn):
    def __init__(self, *args, **kwargs):
        super().__init__("postgresql", *args, **kwargs)


class RunSQLOnSQLite(RunSQLOn):
    def __init__(self, *args, **kwargs):
        super().__init__("sqlite", *args, **kwargs)


def trigram_search_indexes(table, columns):
    """GIN trigram indexes matching the SQL of the admin's search on `columns`.

    Django searches with `UPPER("col"::text) LIKE UPPER('%term%')`; an index on
    exactly that expression lets PostgreSQL answer it without reading the table.
    Built CONCURRENTLY so a big table keeps taking writes (an INVALID leftover of a
    failed run is rebuilt): the migration using it must say `atomic = False`.
    """
    forwards = ["CREATE EXTENSION IF NOT EXISTS pg_trgm;"]
    backwards = []
    for column in columns:
        name = f"{table}_{column}_trgm"
        forwards.append(
            f'CREATE INDEX CONCURRENTLY IF NOT EXISTS "{name}" ON "{table}" '
            f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops);'
        )
        backwards.append(f'DROP INDEX CONCURRENTLY IF EXISTS "{name}";')
    return RunSQLOnPostgreSQL(sql=forwards, reverse_sql=backwards)


def drop_index_by_name(table, name, column, state_operations):
    """Drop the single-column index `name` on `table`(`column`) by name, on each database.

    For a foreign key's own index that a wider one replaces (`state_operations`: the
    AlterField to `db_index=False`). Letting AlterField drop it would rebuild the
    table on SQLite, losing its triggers, and re-validate the foreign key on
    PostgreSQL. The migration using it must say `atomic = False`.
    """
    index = f'IF NOT EXISTS "{name}" ON "{table}" ("{column}");'
    return migrations.SeparateDatabaseAndState(
        state_operations=state_operations,
        database_operations=[
            RunSQLOnPostgreSQL(
                sql=f'DROP INDEX CONCURRENTLY IF EXISTS "{name}";',
                reverse_sql=f"CREATE INDEX CONCURRENTLY {index}",
            ),
            RunSQLOnSQLite(
                sql=f'DROP INDEX IF EXISTS "{name}";',
                reverse_sql=f"CREATE INDEX {index}",
            ),
        ],
    )


class AddIndexConcurrently(migrations.AddIndex):
    """AddIndex built CONCURRENTLY on PostgreSQL (writes go on), plainly elsewhere.

    django.contrib.postgres has the PostgreSQL half; this one also runs on SQLite, and
    rebuilds an INVALID leftover of a failed run. The migration using it must say
    `atomic = False`.
    """

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        model = to_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            drop_invalid_index(schema_editor, self.index.name)
            schema_editor.add_index(model, self.index, concurrently=True)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        model = from_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            schema_editor.remove_index(model, self.index, concurrently=True)
