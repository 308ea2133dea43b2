"""Reading where a database stands: the history of the plan and the deploy gate."""

from dataclasses import dataclass

from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS
from django.db.migrations.recorder import MigrationRecorder

from migrations_workflow.revisions import connection_for, executor, migration_label


@dataclass
class HistoryEntry:
    key: tuple
    applied_at: object  # datetime, or None when not applied
    operations: list

    @property
    def label(self):
        return migration_label(self.key)


def history(using=DEFAULT_DB_ALIAS):
    """Every migration of the project in the order it applies, with when it was applied."""
    ex = executor(using)
    applied = ex.loader.applied_migrations
    plan = ex.migration_plan(ex.loader.graph.leaf_nodes(), clean_start=True)
    return [
        HistoryEntry(
            key=(migration.app_label, migration.name),
            applied_at=getattr(applied.get((migration.app_label, migration.name)), "applied", None),
            operations=[operation.describe() for operation in migration.operations],
        )
        for migration, _backwards in plan
    ]


@dataclass
class CurrentState:
    applied_heads: dict  # app -> latest applied migration name (or None)
    pending: list  # keys not yet applied, in order
    unknown: list  # applied in the database, but not in the code
    model_changes: bool  # models changed with no migration for it
    invalid_indexes: list  # "schema.index on table", left INVALID by a failed concurrent build

    @property
    def up_to_date(self):
        return not (self.pending or self.unknown or self.model_changes or self.invalid_indexes)


def current(using=DEFAULT_DB_ALIAS, check_models=True):
    """What is applied per app, what is pending, and whether models changed without a migration."""
    ex = executor(using)
    graph = ex.loader.graph
    applied = ex.loader.applied_migrations
    heads = {}
    for app_label in sorted({key[0] for key in graph.nodes}):
        in_order = [
            key
            for key in graph.forwards_plan(graph.leaf_nodes(app_label)[0])
            if key[0] == app_label
        ]
        applied_names = [key[1] for key in in_order if key in applied]
        heads[app_label] = applied_names[-1] if applied_names else None
    pending = [(m.app_label, m.name) for m, _ in ex.migration_plan(graph.leaf_nodes())]
    apps_with_migrations = {key[0] for key in graph.nodes}
    unknown = sorted(
        key
        for key in MigrationRecorder(connection_for(using)).applied_migrations()
        if key not in graph.nodes and key[0] in apps_with_migrations
    )
    return CurrentState(
        heads, pending, unknown, check_models and models_have_changes(), invalid_indexes(using)
    )


def invalid_indexes(using=DEFAULT_DB_ALIAS):
    """Every INVALID index of the database (PostgreSQL): what a CREATE INDEX CONCURRENTLY
    that failed or was killed leaves behind (or one being built right now)."""
    connection = connection_for(using)
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n.nspname || '.' || c.relname || ' on ' || t.relname "
            "FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE NOT i.indisvalid ORDER BY n.nspname, c.relname"
        )
        return [row[0] for row in cursor.fetchall()]


def models_have_changes():
    """True when `makemigrations --check` would write a migration."""
    try:
        call_command("makemigrations", check=True, dry_run=True, verbosity=0)
    except SystemExit as exit_:
        return bool(exit_.code)
    return False
