"""Helpers of the `manage.py db` tests: run the command, list tables, need PostgreSQL,
reach a database from another process."""

import io

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

skip_on_sqlite = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3",
    reason="needs PostgreSQL (this run is on SQLite; the PostgreSQL run is required in CI)",
)


def on_postgresql(test):
    """Marks a test `postgresql` and skips it on the SQLite run only."""
    return pytest.mark.postgresql(skip_on_sqlite(test))


def db(*args):
    """Run `manage.py db ARGS`; return (exit code, output). CommandError propagates."""
    out = io.StringIO()
    try:
        call_command("db", *args, stdout=out, stderr=out)
    except SystemExit as exit_:
        return exit_.code, out.getvalue()
    return 0, out.getvalue()


def tables(using=connection):
    return set(using.introspection.table_names())


def libpq_arguments(using):
    """psql/pg_dump arguments reaching `using`'s database."""
    config = using.settings_dict
    return [
        "-h", config["HOST"] or "127.0.0.1", "-p", str(config["PORT"] or 5432),
        "-U", config["USER"], "-d", config["NAME"],
    ]  # fmt: skip


def database_url(using=connection):
    """The DATABASE_URL of `using`'s database, for a `manage.py` run in another process."""
    config = using.settings_dict
    if using.vendor == "sqlite":
        return f"sqlite:///{config['NAME']}"
    password = f":{config['PASSWORD']}" if config.get("PASSWORD") else ""
    return (
        f"postgres://{config['USER']}{password}@{config['HOST'] or '127.0.0.1'}:"
        f"{config['PORT'] or 5432}/{config['NAME']}"
    )
