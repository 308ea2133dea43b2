"""Migration operations that Django's autodetector cannot express."""

from django.db import migrations


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


class AddIndexConcurrently(migrations.AddIndex):
    """AddIndex built CONCURRENTLY on PostgreSQL (writes go on), plainly elsewhere.

    django.contrib.postgres has the PostgreSQL half; this one also runs on SQLite.
    The migration using it must say `atomic = False`.
    """

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        model = to_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            schema_editor.add_index(model, self.index, concurrently=True)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        model = from_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            schema_editor.remove_index(model, self.index, concurrently=True)
