"""Lint for new migrations: squawk on the real PostgreSQL SQL of each one.

squawk reads the statements a migration really runs (recorded as `db sql`
records them), so it sees what Django's operations turn into: a plain
CREATE INDEX, a column added NOT NULL, a type change rewriting the table, a
foreign key validated under lock, a dropped column.
"""

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS

from migrations_workflow.offline_sql import migration_graph, sql_per_migration
from migrations_workflow.revisions import WorkflowError, connection_for, migration_label

# Rules that do not fit how Django migrates: each migration runs in one transaction
# (so "robust" IF NOT EXISTS statements add nothing), `manage.py db` sets the lock and
# statement timeouts for the session, and Django chooses column types per field.
EXCLUDED_RULES = (
    "prefer-robust-stmts",
    "require-lock-timeout",
    "require-statement-timeout",
    "prefer-bigint-over-int",
    "prefer-bigint-over-smallint",
    "prefer-identity",
    "prefer-text-field",
    "prefer-timestamptz",
)


def project_app_labels():
    """The apps whose code lives in this repository (not Django's, not installed packages)."""
    base = Path(settings.BASE_DIR).resolve()
    return {
        config.label
        for config in apps.get_app_configs()
        if Path(config.path).resolve().is_relative_to(base)
        and ".venv" not in Path(config.path).parts
    }


def linted_migrations(graph):
    """The project's migrations but the initial ones and those allowed with a reason.

    Initial migrations only create tables, which nobody is using yet: the documented
    exception. `settings.MIGRATION_LINT_ALLOW` maps "app.migration" to why it is safe.
    """
    allowed = getattr(settings, "MIGRATION_LINT_ALLOW", {})
    for key in graph.nodes:
        if (
            key[0] in project_app_labels()
            and not graph.nodes[key].initial
            and migration_label(key) not in allowed
        ):
            yield key


def squawk_path():
    found = shutil.which("squawk") or str(Path(sys.executable).parent / "squawk")
    if not Path(found).exists():
        raise WorkflowError("squawk is not installed (pip install squawk-cli).")
    return found


def lint(using=DEFAULT_DB_ALIAS, write=print):
    """Lint each new migration's SQL; return how many have problems."""
    if connection_for(using).vendor != "postgresql":
        raise WorkflowError("The lint reads PostgreSQL's SQL: point DATABASE_URL at PostgreSQL.")
    allowed = getattr(settings, "MIGRATION_LINT_ALLOW", {})
    for label, reason in sorted(allowed.items()):
        write(f"{label}: allowed ({reason})")
    keys = sorted(linted_migrations(migration_graph()))
    scripts = sql_per_migration(keys, using=using)
    problems = 0
    with tempfile.TemporaryDirectory() as folder:
        for key in keys:
            path = Path(folder) / f"{migration_label(key)}.sql"
            path.write_text(scripts[key])
            command = [squawk_path(), "--exclude", ",".join(EXCLUDED_RULES), str(path)]
            result = subprocess.run(command, capture_output=True, text=True)
            if result.returncode:
                problems += 1
                write(result.stdout + result.stderr)
            else:
                write(f"{migration_label(key)}: OK")
    return problems
