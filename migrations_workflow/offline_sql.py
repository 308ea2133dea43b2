"""Offline SQL of a plan, recorded by really running it on a throwaway database.

Django's `sqlmigrate` renders one migration against the live database's
introspection, and prints nothing for steps it cannot see from there; running
the plan for real and recording every statement gives exactly what `migrate`
would run, `django_migrations` bookkeeping included.
"""

from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations import RunPython
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from migrations_workflow.plans import backward_plan, forward_plan
from migrations_workflow.revisions import connection_for, executor, migration_label
from migrations_workflow.throwaway import throwaway_database
from migrations_workflow.timeouts import timeout_settings

BOOKKEEPING_INSERT = 'INSERT INTO "django_migrations" ("app", "name", "applied")'
APPLIED_NOW = "__applied_now__"


@dataclass
class Chunk:
    """The statements one migration (or the bookkeeping table) ran."""

    title: str
    atomic: bool
    statements: list
    key: tuple = None
    note: str = ""


class StatementRecorder:
    """An execute_wrapper collecting every statement that changes something, values written in.

    Django's own reads (introspection, the recorder's SELECT) and its transaction
    control are left out: the script frames each migration itself. Whatever a
    migration asks the schema editor to run (RunSQL, even a SELECT) is kept.
    """

    READS_AND_TRANSACTIONS = (
        "SELECT",
        "SHOW",
        "PRAGMA",
        "SAVEPOINT",
        "RELEASE",
        "ROLLBACK",
        "BEGIN",
        "COMMIT",
    )

    def __init__(self, connection):
        self.connection = connection
        self.statements = []
        self.explicit = 0  # > 0 while the schema editor runs a migration's own statement

    def render(self, sql, params):
        ops = self.connection.ops
        if hasattr(ops, "compose_sql"):  # PostgreSQL: psycopg quotes the values
            return ops.compose_sql(sql, params)
        return ops.last_executed_query(None, sql, params)  # SQLite quotes them itself

    def __call__(self, execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if self.explicit or not sql.lstrip().upper().startswith(self.READS_AND_TRANSACTIONS):
            for row in params if many else [params]:
                self.statements.append(self.render_row(sql, row) if row else sql)
        return result

    def render_row(self, sql, row):
        if not sql.startswith(BOOKKEEPING_INSERT):
            return self.render(sql, row)
        # The time the script runs, not the time this copy happened to record.
        app, name, _applied = row
        return self.render(sql, (app, name, APPLIED_NOW)).replace(
            f"'{APPLIED_NOW}'", "CURRENT_TIMESTAMP"
        )

    def watch_schema_editor(self):
        """Mark statements the schema editor runs on the migration's behalf as explicit."""
        base = self.connection.SchemaEditorClass
        recorder = self

        class RecordingSchemaEditor(base):
            def execute(self, sql, params=()):
                recorder.explicit += 1
                try:
                    return super().execute(sql, params)
                finally:
                    recorder.explicit -= 1

        # On this throwaway connection only.
        self.connection.SchemaEditorClass = RecordingSchemaEditor


def record(using, start, plan_for):
    """Chunks of running `plan_for(connection)` on a throwaway database first brought,
    unrecorded, to the `start` set of applied migrations."""
    with throwaway_database(using) as connection:
        ex = executor(connection)
        prepare = [
            (m, b)
            for m, b in ex.migration_plan(ex.loader.graph.leaf_nodes(), clean_start=True)
            if (m.app_label, m.name) in start
        ]
        if prepare:
            last, _ = prepare[-1]
            ex.migrate([(last.app_label, last.name)], plan=prepare)
        plan = plan_for(connection)
        recorder = StatementRecorder(connection)
        recorder.watch_schema_editor()
        chunks = []

        def progress(action, migration=None, fake=False):
            if action in ("apply_start", "unapply_start"):
                recorder.statements = []
            elif action in ("apply_success", "unapply_success"):
                key = (migration.app_label, migration.name)
                verb = "Apply" if action == "apply_success" else "Unapply"
                note = ""
                if any(isinstance(op, RunPython) for op in migration.operations):
                    note = "RunPython: what it did on an empty copy; on real data it may do more."
                title = f"{verb} {migration_label(key)}"
                chunks.append(Chunk(title, migration.atomic, list(recorder.statements), key, note))

        with connection.execute_wrapper(recorder):
            if not start:
                # An empty database: the script creates Django's bookkeeping table too.
                recorder.statements = []
                MigrationRecorder(connection).ensure_schema()
                chunks.append(
                    Chunk("Create the django_migrations table", True, list(recorder.statements))
                )
            if plan:
                last, _ = plan[-1]
                ex = executor(connection, progress=progress)
                ex.migrate([(last.app_label, last.name)], plan=plan)
    return chunks


def render_script(chunks, vendor):
    """A script for psql (or sqlite3): one BEGIN/COMMIT per atomic migration."""
    lines = [
        "-- PILi Quarts: SQL recorded by `python manage.py db sql`",
        f"-- {timezone.now().isoformat(timespec='seconds')} on {vendor}; review it, then run it",
        "-- with: psql -v ON_ERROR_STOP=1 -f FILE (PostgreSQL) or sqlite3 DB < FILE (SQLite).",
    ]
    if vendor == "postgresql":
        lines += ["", "-- The timeouts `manage.py db upgrade` runs with (settings MIGRATION_*)."]
        lines += [f"SET {name} = '{value}';" for name, value in timeout_settings().items()]
    for chunk in chunks:
        lines += ["", f"-- {chunk.title}"]
        if chunk.note:
            lines.append(f"-- {chunk.note}")
        if not chunk.atomic:
            lines.append("-- Not atomic (atomic = False): runs outside a transaction.")
        if chunk.atomic:
            lines.append("BEGIN;")
        lines += [statement.rstrip().rstrip(";") + ";" for statement in chunk.statements]
        if chunk.atomic:
            lines.append("COMMIT;")
    return "\n".join(lines) + "\n"


def applied_keys(using):
    return set(executor(using).loader.applied_migrations)


def sql_for_upgrade(steps=None, revision=None, using=DEFAULT_DB_ALIAS):
    """The script of `db upgrade` with the same arguments, from where `using` stands."""

    def plan_for(connection):
        return forward_plan(steps=steps, revision=revision, using=connection)

    chunks = record(using, applied_keys(using), plan_for)
    return render_script(chunks, connection_for(using).vendor)


def sql_for_downgrade(steps=1, revision=None, base=False, using=DEFAULT_DB_ALIAS):
    """The script of `db downgrade` with the same arguments, from where `using` stands."""
    if revision or base:

        def plan_for(connection):
            return backward_plan(revision=revision, base=base, using=connection)

    else:
        # Which migration was applied last is known only to the real database.
        keys = [(m.app_label, m.name) for m, _ in backward_plan(steps=steps, using=using)]

        def plan_for(connection):
            nodes = executor(connection).loader.graph.nodes
            return [(nodes[key], True) for key in keys]

    chunks = record(using, applied_keys(using), plan_for)
    return render_script(chunks, connection_for(using).vendor)


def sql_per_migration(keys, using=DEFAULT_DB_ALIAS):
    """{key: script} of each of `keys`, recorded applying every migration from nothing.

    Needs only the server of `using`, not its database (the lint runs before any).
    """
    wanted = set(keys)

    def everything(connection):
        ex = executor(connection)
        return ex.migration_plan(ex.loader.graph.leaf_nodes(), clean_start=True)

    vendor = connection_for(using).vendor
    return {
        chunk.key: render_script([chunk], vendor)
        for chunk in record(using, set(), everything)
        if chunk.key in wanted
    }


def migration_graph():
    """The migrations in the code, without reading any database."""
    return MigrationLoader(None, ignore_no_migrations=True).graph
