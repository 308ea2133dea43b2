"""The migration guide's workflows on Django's migration framework (behind `manage.py db`).

Django already plans, applies and records migrations (MigrationExecutor,
MigrationLoader, MigrationRecorder); this module adds what the guide's
`db_migrate.py` had and Django lacks: a project-wide one-step downgrade, a
history with applied times, a deploy gate, the offline SQL of a whole plan,
stamping, and backups with a manifest.
"""

import contextlib
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.sql import emit_post_migrate_signal, emit_pre_migrate_signal
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder
from django.db.utils import load_backend
from django.utils import timezone


class WorkflowError(Exception):
    """A request the migration state cannot satisfy; the message says what to do."""


# -- reading the state ------------------------------------------------------------


def _connection(using):
    """A connection from its alias, or the connection itself (a throwaway database's)."""
    return connections[using] if isinstance(using, str) else using


def executor(using=DEFAULT_DB_ALIAS):
    return MigrationExecutor(_connection(using))


def migration_label(key):
    return f"{key[0]}.{key[1]}"


def parse_revision(text, graph):
    """`app.0002_name` (or `app.0002`, or `app zero`) to a graph key; the guide's
    "Can't locate revision" answered with the revisions that do exist."""
    app_label, _, name = text.partition(".")
    if not name:
        raise WorkflowError(
            f"Write a revision as APP.MIGRATION (e.g. accounts.0001_initial), not {text!r}."
        )
    if app_label not in {key[0] for key in graph.nodes}:
        raise WorkflowError(f"Can't locate revision {text!r}: no app {app_label!r} has migrations.")
    if name == "zero":
        return (app_label, None)
    candidates = [key for key in graph.nodes if key[0] == app_label and key[1].startswith(name)]
    exact = [key for key in candidates if key[1] == name]
    if exact:
        return exact[0]
    if len(candidates) == 1:
        return candidates[0]
    known = ", ".join(sorted(migration_label(k) for k in graph.nodes if k[0] == app_label))
    problem = "is ambiguous" if candidates else "does not exist"
    raise WorkflowError(f"Can't locate revision {text!r}: it {problem}. Known: {known}.")


@dataclass
class HistoryEntry:
    key: tuple
    applied_at: object  # datetime or None
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

    @property
    def up_to_date(self):
        return not (self.pending or self.unknown or self.model_changes)


def current(using=DEFAULT_DB_ALIAS, check_models=True):
    ex = executor(using)
    graph = ex.loader.graph
    applied = ex.loader.applied_migrations
    heads = {}
    for app_label in sorted({key[0] for key in graph.nodes}):
        names = [
            key
            for key in graph.forwards_plan(graph.leaf_nodes(app_label)[0])
            if key[0] == app_label
        ]
        applied_names = [key[1] for key in names if key in applied]
        heads[app_label] = applied_names[-1] if applied_names else None
    pending = [
        (migration.app_label, migration.name)
        for migration, _ in ex.migration_plan(graph.leaf_nodes())
    ]
    project_apps = {config.label for config in apps.get_app_configs()}
    unknown = sorted(
        key
        for key in MigrationRecorder(_connection(using)).applied_migrations()
        if key not in graph.nodes and key[0] in project_apps
    )
    model_changes = False
    if check_models:
        try:
            call_command("makemigrations", check=True, dry_run=True, verbosity=0)
        except SystemExit as exit_:
            model_changes = bool(exit_.code)
    return CurrentState(heads, pending, unknown, model_changes)


# -- moving forwards and backwards ----------------------------------------------


@contextlib.contextmanager
def migration_timeouts(using=DEFAULT_DB_ALIAS):
    """PostgreSQL session timeouts while migrating, so a blocked lock fails fast instead of
    queueing every other query behind it (settings MIGRATION_LOCK_TIMEOUT and
    MIGRATION_STATEMENT_TIMEOUT)."""
    connection = _connection(using)
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SHOW lock_timeout")
        old_lock = cursor.fetchone()[0]
        cursor.execute("SHOW statement_timeout")
        old_statement = cursor.fetchone()[0]
        cursor.execute(
            "SELECT set_config('lock_timeout', %s, false)", [settings.MIGRATION_LOCK_TIMEOUT]
        )
        cursor.execute(
            "SELECT set_config('statement_timeout', %s, false)",
            [settings.MIGRATION_STATEMENT_TIMEOUT],
        )
    try:
        yield
    finally:
        if connection.connection is not None and not connection.needs_rollback:
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('lock_timeout', %s, false)", [old_lock])
                cursor.execute("SELECT set_config('statement_timeout', %s, false)", [old_statement])


def forward_plan(steps=None, revision=None, using=DEFAULT_DB_ALIAS):
    """What an upgrade would apply: all pending, the first `steps`, or up to `revision`."""
    ex = executor(using)
    graph = ex.loader.graph
    if revision:
        target = parse_revision(revision, graph)
        plan = ex.migration_plan([target])
        if any(backwards for _m, backwards in plan):
            raise WorkflowError(
                f"{revision} is behind the database: use `db downgrade --revision {revision}`."
            )
    else:
        plan = ex.migration_plan(graph.leaf_nodes())
    if steps is not None:
        plan = plan[:steps]
    return plan


def backward_plan(steps=1, revision=None, base=False, using=DEFAULT_DB_ALIAS):
    """The migrations a downgrade would unapply, dependants in other apps included.

    With no revision, one step is the migration applied last in the whole project
    (by the order the database recorded them), whichever app it belongs to.
    """
    ex = executor(using)
    graph = ex.loader.graph
    if base:
        return ex.migration_plan([(app_label, None) for app_label in {k[0] for k in graph.nodes}])
    if revision:
        target = parse_revision(revision, graph)
        plan = ex.migration_plan([target])
        if any(not backwards for _m, backwards in plan):
            raise WorkflowError(
                f"{revision} is ahead of the database: use `db upgrade --revision`."
            )
        return plan
    recorder = MigrationRecorder(_connection(using))
    order = [
        (record.app, record.name)
        for record in recorder.migration_qs.order_by("applied", "id")
        if (record.app, record.name) in graph.nodes
    ]
    applied = dict(ex.loader.applied_migrations)
    plan = []
    for _ in range(steps):
        remaining = [key for key in order if key in applied]
        if not remaining:
            break
        last = remaining[-1]
        parents = [p for p in graph.node_map[last].parents if p.key[0] == last[0]]
        target = parents[0].key if parents else (last[0], None)
        ex.loader.applied_migrations = applied
        step = ex.migration_plan([target])
        plan.extend(step)
        for migration, _ in step:
            applied.pop((migration.app_label, migration.name), None)
    return plan


def irreversible_steps(plan):
    """(migration, operation) pairs of a backwards plan that cannot be undone."""
    return [
        (migration, operation)
        for migration, backwards in plan
        if backwards
        for operation in migration.operations
        if not operation.reversible
    ]


def run_plan(plan, using=DEFAULT_DB_ALIAS, fake=False, progress=None):
    """Apply or unapply `plan` as `migrate` would: atomic per migration, signals emitted."""
    if not plan:
        return
    if not fake and (problems := irreversible_steps(plan)):
        described = "; ".join(
            f"{migration_label((m.app_label, m.name))}: {op.describe()}" for m, op in problems
        )
        raise WorkflowError(f"Refusing to downgrade: these steps cannot be reversed: {described}.")
    ex = MigrationExecutor(_connection(using), progress_callback=progress)
    emit_pre_migrate_signal(0, False, using)
    target_migration, _ = plan[-1]
    with migration_timeouts(using):
        state = ex.migrate(
            targets=[(target_migration.app_label, target_migration.name)], plan=plan, fake=fake
        )
    # As `migrate` does: receivers (content types, permissions) see the models as
    # the migrations left them, not as the code has them.
    state.clear_delayed_apps_cache()
    emit_post_migrate_signal(0, False, using, apps=state.apps, plan=plan)


def stamp(revision, using=DEFAULT_DB_ALIAS, purge_unknown=False):
    """Record `revision` (or "head") as the state without running anything (`migrate --fake`)."""
    connection = _connection(using)
    graph = executor(using).loader.graph
    removed = []
    if purge_unknown:
        recorder = MigrationRecorder(connection)
        project_apps = {config.label for config in apps.get_app_configs()}
        for key in recorder.applied_migrations():
            if key not in graph.nodes and key[0] in project_apps:
                recorder.record_unapplied(*key)
                removed.append(key)
    if revision == "head":
        call_command("migrate", fake=True, verbosity=0, database=using)
    else:
        app_label, name = parse_revision(revision, graph)
        call_command("migrate", app_label, name or "zero", fake=True, verbosity=0, database=using)
    return removed


# -- offline SQL ------------------------------------------------------------------


@contextlib.contextmanager
def throwaway_database(using=DEFAULT_DB_ALIAS):
    """A connection to a new, empty database like `using` (same engine and server), dropped
    afterwards."""
    source = _connection(using)
    config = {**source.settings_dict}
    if source.vendor == "postgresql":
        config["NAME"] = f"{config['NAME']}_tmp_{uuid.uuid4().hex[:8]}"[:63]
        with source._nodb_cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{config["NAME"]}" TEMPLATE template0')
        folder = None
    elif source.vendor == "sqlite":
        folder = tempfile.mkdtemp(prefix="piliquarts-sql-")
        config["NAME"] = str(Path(folder) / "throwaway.sqlite3")
    else:
        raise WorkflowError(f"Offline SQL is not supported on {source.vendor}.")
    alias = f"throwaway_{uuid.uuid4().hex[:8]}"
    connection = load_backend(config["ENGINE"]).DatabaseWrapper(config, alias=alias)
    # Reachable by alias (transactions look connections up by it), for this thread only.
    connections[alias] = connection
    try:
        yield connection
    finally:
        connection.close()
        del connections[alias]
        if folder:
            shutil.rmtree(folder, ignore_errors=True)
        else:
            with source._nodb_cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{config["NAME"]}"')


class StatementRecorder:
    """Collects every statement the connection runs, parameters written in, as SQL text."""

    # Reads, and transaction control: the script frames each migration itself.
    SKIPPED = ("SELECT", "SHOW", "PRAGMA", "SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT")

    def __init__(self, connection):
        self.connection = connection
        self.statements = []
        self.enabled = True

    def render(self, sql, params):
        ops = self.connection.ops
        if hasattr(ops, "compose_sql"):  # PostgreSQL: psycopg quotes the values
            return ops.compose_sql(sql, params)
        return ops.last_executed_query(None, sql, params)  # SQLite quotes them itself

    def __call__(self, execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if self.enabled and not sql.lstrip().upper().startswith(self.SKIPPED):
            rows = params if many else [params]
            for row in rows:
                self.statements.append(self.render(sql, row) if row else sql)
        return result


def offline_sql(plan_for, using=DEFAULT_DB_ALIAS):
    """The SQL of a plan, recorded by really running it on a throwaway copy of the schema.

    `plan_for(alias)` returns the plan to record on the throwaway database; before it,
    the throwaway database is brought (unrecorded) to the state `using` is in now.
    """
    state = set(executor(using).loader.applied_migrations)
    return render_script(_record(using, state, plan_for), _connection(using).vendor)


def sql_per_migration(keys, using=DEFAULT_DB_ALIAS):
    """{key: SQL script} of each of `keys`, recorded applying everything from nothing."""

    def everything(alias):
        ex = executor(alias)
        return ex.migration_plan(ex.loader.graph.leaf_nodes(), clean_start=True)

    chunks = _record(using, set(), everything)
    vendor = _connection(using).vendor
    return {key: render_script([c], vendor) for c in chunks if (key := c[3]) in set(keys)}


def _record(using, state, plan_for):
    """[(title, atomic, statements, key)] of running `plan_for(alias)` after reaching `state`."""
    with throwaway_database(using) as connection:
        alias = connection
        ex = MigrationExecutor(connection)
        graph = ex.loader.graph
        prepare = ex.migration_plan(graph.leaf_nodes(), clean_start=True)
        prepare = [(m, b) for m, b in prepare if (m.app_label, m.name) in state]
        if prepare:
            last, _ = prepare[-1]
            ex.migrate([(last.app_label, last.name)], plan=prepare)
        plan = plan_for(alias)
        recorder = StatementRecorder(connection)
        chunks = []

        def progress(action, migration=None, fake=False):
            if action in ("apply_start", "unapply_start"):
                recorder.statements = []
            elif action in ("apply_success", "unapply_success"):
                key = (migration.app_label, migration.name)
                verb = "Apply" if action == "apply_success" else "Unapply"
                title = f"{verb} {migration_label(key)}"
                chunks.append((title, migration.atomic, list(recorder.statements), key))

        with connection.execute_wrapper(recorder):
            if not state:
                # An empty database: the script creates Django's bookkeeping table too.
                recorder.statements = []
                MigrationRecorder(connection).ensure_schema()
                title = "Create the django_migrations table"
                chunks.append((title, True, list(recorder.statements), None))
            ex = MigrationExecutor(connection, progress_callback=progress)
            if plan:
                last, _ = plan[-1]
                ex.migrate([(last.app_label, last.name)], plan=plan)
    return chunks


def render_script(chunks, vendor):
    lines = [
        "-- PILi Quarts: SQL generated by `python manage.py db sql`",
        f"-- {timezone.now().isoformat(timespec='seconds')} for {vendor}; review it, then run",
        "-- it with psql -v ON_ERROR_STOP=1 -f FILE (or sqlite3 DB < FILE).",
    ]
    for title, atomic, statements, _key in chunks:
        lines += ["", f"-- {title}"]
        if atomic:
            lines.append("BEGIN;")
        lines += [statement.rstrip().rstrip(";") + ";" for statement in statements]
        if atomic:
            lines.append("COMMIT;")
    return "\n".join(lines) + "\n"


def sql_for_upgrade(steps=None, revision=None, using=DEFAULT_DB_ALIAS):
    def plan_for(alias):
        return forward_plan(steps=steps, revision=revision, using=alias)

    return offline_sql(plan_for, using)


def sql_for_downgrade(steps=1, revision=None, base=False, using=DEFAULT_DB_ALIAS):
    if not (revision or base):
        # Which migration was applied last is known only to the real database.
        keys = [(m.app_label, m.name) for m, _ in backward_plan(steps=steps, using=using)]
        revision_plan = keys

        def plan_for(alias):
            ex = executor(alias)
            return [(ex.loader.graph.nodes[key], True) for key in revision_plan]
    else:

        def plan_for(alias):
            return backward_plan(revision=revision, base=base, using=alias)

    return offline_sql(plan_for, using)


# -- backups ----------------------------------------------------------------------


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def row_counts(using=DEFAULT_DB_ALIAS):
    connection = _connection(using)
    with connection.cursor() as cursor:
        tables = sorted(connection.introspection.table_names(cursor))
        counts = {}
        for table in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def _pg_environment(config):
    env = {**os.environ}
    if config.get("PASSWORD"):
        env["PGPASSWORD"] = str(config["PASSWORD"])
    return env


def _pg_arguments(config):
    arguments = []
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if config.get(key):
            arguments += [flag, str(config[key])]
    return arguments


def default_backup_path(using=DEFAULT_DB_ALIAS):
    """backups/<database>-<UTC time>.dump (PostgreSQL) or .sqlite3 (SQLite)."""
    connection = _connection(using)
    database = Path(str(connection.settings_dict["NAME"])).stem
    suffix = "dump" if connection.vendor == "postgresql" else "sqlite3"
    moment = timezone.now().strftime("%Y%m%d-%H%M%S")
    return Path(settings.BASE_DIR) / "backups" / f"{database}-{moment}.{suffix}"


def manifest_path(path):
    return Path(f"{path}.manifest.json")


def backup(output=None, using=DEFAULT_DB_ALIAS):
    """A full copy of the database, with a manifest: migration state, row counts, checksum."""
    connection = _connection(using)
    config = connection.settings_dict
    path = Path(output) if output else default_backup_path(using)
    path.parent.mkdir(parents=True, exist_ok=True)
    if connection.vendor == "postgresql":
        subprocess.run(
            [
                "pg_dump",
                "--format=custom",
                "--file",
                str(path),
                *_pg_arguments(config),
                config["NAME"],
            ],
            check=True,
            env=_pg_environment(config),
            capture_output=True,
            text=True,
        )
    elif connection.vendor == "sqlite":
        connection.ensure_connection()
        target = sqlite3.connect(path)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
    else:
        raise WorkflowError(f"Backups are not supported on {connection.vendor}.")
    manifest = {
        "created_at": timezone.now().isoformat(),
        "vendor": connection.vendor,
        "database": str(config["NAME"]),
        "file": path.name,
        "size_bytes": path.stat().st_size,
        "sha256": _sha256(path),
        "migrations": sorted(migration_label(k) for k in executor(using).loader.applied_migrations),
        "row_counts": row_counts(using),
    }
    manifest_path(path).write_text(json.dumps(manifest, indent=2) + "\n")
    return path, manifest


def verify_backup(path):
    """The manifest of `path`, after checking the file is the one it describes."""
    path = Path(path)
    if not path.exists():
        raise WorkflowError(f"No backup at {path}.")
    try:
        manifest = json.loads(manifest_path(path).read_text())
    except FileNotFoundError:
        raise WorkflowError(
            f"{path} has no manifest ({manifest_path(path).name}): refusing it."
        ) from None
    if _sha256(path) != manifest["sha256"]:
        raise WorkflowError(
            f"{path} does not match its manifest's checksum: damaged or changed. Refusing it."
        )
    return manifest


def restore(path, using=DEFAULT_DB_ALIAS):
    """Put the database back as the backup has it, in one transaction; return the manifest."""
    manifest = verify_backup(path)
    connection = _connection(using)
    if manifest["vendor"] != connection.vendor:
        raise WorkflowError(
            f"This is a {manifest['vendor']} backup; the database is {connection.vendor}."
        )
    config = connection.settings_dict
    if connection.vendor == "postgresql":
        connection.close()
        result = subprocess.run(
            [
                "pg_restore",
                "--single-transaction",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--dbname",
                config["NAME"],
                *_pg_arguments(config),
                str(path),
            ],
            env=_pg_environment(config),
            capture_output=True,
            text=True,
        )
        if result.returncode:
            raise WorkflowError(f"pg_restore failed, the database is unchanged:\n{result.stderr}")
    else:
        connection.ensure_connection()
        source = sqlite3.connect(path)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
    counts = row_counts(using)
    wrong = {t: (n, counts.get(t)) for t, n in manifest["row_counts"].items() if counts.get(t) != n}
    if wrong:
        raise WorkflowError(f"Restored, but row counts differ from the manifest: {wrong}")
    return manifest


def rollback_command(path):
    return f"python manage.py db restore {path}"
