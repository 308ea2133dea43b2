"""Migration operations that Django's autodetector cannot express."""

from django.db import migrations


class RunSQLOnPostgreSQL(migrations.RunSQL):
    """Raw SQL for PostgreSQL only (other databases skip it), reversible like RunSQL.

    For what only PostgreSQL has, such as trigram (pg_trgm) indexes; it changes
    no model state, so `makemigrations` neither sees nor repeats it.
    """

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


def trigram_search_indexes(table, columns):
    """GIN trigram indexes matching the SQL of the admin's search on `columns`.

    Django searches with `UPPER("col"::text) LIKE UPPER('%term%')`; an index on
    exactly that expression lets PostgreSQL answer it without reading the table.
    Built CONCURRENTLY so a big table keeps taking writes: the migration using it
    must say `atomic = False`.
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
