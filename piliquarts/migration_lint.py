"""Lint for new migrations: squawk on the real PostgreSQL SQL of each one."""

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

from piliquarts import migrations_workflow as workflow

# Rules that do not fit how Django migrates: each migration runs in one transaction
# (so "robust" IF NOT EXISTS statements add nothing), `manage.py db` sets lock and
# statement timeouts for the session, and Django chooses integer types per field.
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


def linted_migrations(graph):
    """Every migration but the initial ones (new tables lock nothing) and those allowed.

    `settings.MIGRATION_LINT_ALLOW` maps "app.migration" to the reason it is safe.
    """
    allowed = getattr(settings, "MIGRATION_LINT_ALLOW", {})
    project_apps = project_app_labels()
    for key in graph.nodes:
        migration = graph.nodes[key]
        if (
            key[0] in project_apps
            and not migration.initial
            and workflow.migration_label(key) not in allowed
        ):
            yield key


def project_app_labels():
    """The apps whose code lives in this repository (not Django's, not installed packages)."""
    base = Path(settings.BASE_DIR).resolve()
    return {
        config.label
        for config in apps.get_app_configs()
        if Path(config.path).resolve().is_relative_to(base)
        and ".venv" not in Path(config.path).parts
    }


def squawk_path():
    found = shutil.which("squawk") or str(Path(sys.executable).parent / "squawk")
    if not Path(found).exists():
        raise workflow.WorkflowError("squawk is not installed (pip install squawk-cli).")
    return found


def lint(using=DEFAULT_DB_ALIAS, write=print):
    """Lint each new migration's SQL; return how many have problems."""
    if connections[using].vendor != "postgresql":
        raise workflow.WorkflowError(
            "The lint reads PostgreSQL's SQL: point DATABASE_URL at PostgreSQL."
        )
    graph = workflow.executor(using).loader.graph
    keys = sorted(linted_migrations(graph))
    scripts = workflow.sql_per_migration(keys, using=using)
    problems = 0
    with tempfile.TemporaryDirectory() as folder:
        for key, script in scripts.items():
            path = Path(folder) / f"{key[0]}.{key[1]}.sql"
            path.write_text(script)
            result = subprocess.run(
                [squawk_path(), "--exclude", ",".join(EXCLUDED_RULES), str(path)],
                capture_output=True,
                text=True,
            )
            if result.returncode:
                problems += 1
                write(result.stdout + result.stderr)
            else:
                write(f"{workflow.migration_label(key)}: OK")
    return problems
