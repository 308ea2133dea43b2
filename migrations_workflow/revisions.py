"""Naming migrations: APP.MIGRATION labels, and the guide's "Can't locate revision" answered."""

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor


class WorkflowError(Exception):
    """A request the migration state cannot satisfy; the message says what to do."""


def connection_for(using):
    """A connection from its alias, or the connection itself (a throwaway database's)."""
    return connections[using] if isinstance(using, str) else using


def executor(using=DEFAULT_DB_ALIAS, progress=None):
    return MigrationExecutor(connection_for(using), progress_callback=progress)


def migration_label(key):
    return f"{key[0]}.{key[1]}"


def parse_revision(text, graph):
    """`app.0002_name`, `app.0002` (a unique prefix) or `app.zero` to a graph key."""
    app_label, _, name = text.partition(".")
    if not name:
        raise WorkflowError(
            f"Write a revision as APP.MIGRATION (e.g. accounts.0001_initial), not {text!r}."
        )
    if app_label not in {key[0] for key in graph.nodes}:
        apps_with_migrations = ", ".join(sorted({key[0] for key in graph.nodes}))
        raise WorkflowError(
            f"Can't locate revision {text!r}: no app {app_label!r} has migrations "
            f"(apps: {apps_with_migrations})."
        )
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
