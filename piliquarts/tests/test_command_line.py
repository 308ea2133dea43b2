"""`manage.py` in another process, as a person runs it: a configuration or database fault
is one sentence and a non-zero exit, never a traceback (unless asked for with --traceback)."""

import os
import socket
import subprocess
import sys
import time

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from accounts.models import User
from documentos.models import Folder
from migrations_workflow.tests.db_helpers import database_url, on_postgresql, tables
from proyectos.models import Proyecto
from workspaces.models import Workspace


def manage(*args, url, background=False):
    """Run `manage.py ARGS` against the database at `url`; the finished process, or the
    running one with `background`."""
    command = [sys.executable, "manage.py", *args]
    environment = {
        **os.environ,
        "DATABASE_URL": url,
        "DEBUG": "True",  # seed_demo is a development tool
        "DJANGO_SUPERUSER_PASSWORD": "una-clave-larga-1",
        "DJANGO_SUPERUSER_NOMBRE": "Ana",
    }
    options = {"cwd": settings.BASE_DIR, "env": environment, "text": True}
    if background:
        return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **options)
    return subprocess.run(command, capture_output=True, timeout=180, **options)


def assert_one_sentence(result, *words):
    """Failed with one line on stderr, no traceback, saying each of `words`."""
    lines = result.stderr.strip().splitlines()
    assert result.returncode != 0, result.stdout
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert lines[0].startswith(("Error: ", "CommandError: ")), lines[0]
    for word in words:
        assert word in lines[0]
    return lines[0]


def free_port():
    """A local TCP port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


MALFORMED_URLS = [
    "localhost/piliquarts",  # no scheme
    "postgres://postgres@127.0.0.1:cinco/piliquarts",  # a port that is not a number
    "postgres://postgres@127.0.0.1:5432/",  # no database name
]


@pytest.mark.parametrize("url", MALFORMED_URLS)
def test_a_malformed_database_url_is_one_sentence(url, reliability):
    result = manage("migrate", url=url)
    assert_one_sentence(result, "DATABASE_URL is not a usable database URL", "postgres://")
    reliability.tried("commands", "a malformed DATABASE_URL", "one sentence, exit status 1")


def test_traceback_still_shows_the_whole_story():
    result = manage("migrate", "--traceback", url=MALFORMED_URLS[0])
    assert result.returncode != 0
    assert "Traceback" in result.stderr and "ImproperlyConfigured" in result.stderr


@on_postgresql
def test_a_database_that_does_not_exist_is_one_sentence(reliability):
    missing = connection.settings_dict["NAME"] + "_missing"
    url = database_url().rsplit("/", 1)[0] + f"/{missing}"
    for command in ("migrate", "seed_demo", "db current"):
        result = manage(*command.split(), url=url)
        assert_one_sentence(result, f'"{missing}" does not exist', f"createdb {missing}")
        reliability.tried(
            "commands",
            "a PostgreSQL database that does not exist (migrate, seed_demo, db current)",
            "one sentence naming it and the createdb to run, exit status 1",
        )


def test_a_sqlite_file_that_cannot_be_opened_is_one_sentence(tmp_path, reliability):
    path = tmp_path / "no-such-folder" / "db.sqlite3"
    result = manage("migrate", url=f"sqlite:///{path}")
    assert_one_sentence(result, f"Cannot open the SQLite database {path}")
    assert not path.parent.exists()
    reliability.tried(
        "commands",
        "a SQLite database in a folder that does not exist",
        "one sentence naming the file, exit status 1",
    )


@on_postgresql
def test_postgresql_down_is_one_sentence(reliability):
    port = free_port()
    for command in ("migrate", "seed_demo", "db backup"):
        result = manage(*command.split(), url=f"postgres://postgres@127.0.0.1:{port}/piliquarts")
        assert_one_sentence(result, f"Cannot reach the PostgreSQL server at 127.0.0.1:{port}")
        reliability.tried(
            "commands",
            "PostgreSQL down: a port nothing listens on (migrate, seed_demo, db backup)",
            "one sentence naming the server, exit status 1",
        )
    result = manage("migrate", "--traceback", url=f"postgres://postgres@127.0.0.1:{port}/x")
    assert "Traceback" in result.stderr and "OperationalError" in result.stderr


@pytest.fixture
def empty_database(db):
    """A database with no schema at all, beside the test database."""
    import migrations_workflow as workflow

    with workflow.throwaway_database() as empty:
        yield empty


def test_seed_demo_before_migrate_is_one_sentence_and_writes_nothing(empty_database, reliability):
    result = manage("seed_demo", url=database_url(empty_database))
    assert_one_sentence(result, "not migrated", "python manage.py migrate")
    assert tables(empty_database) <= {"django_migrations"}
    reliability.tried("commands", "seed_demo before migrate", "one sentence, nothing written")


def test_another_command_before_migrate_is_one_sentence(empty_database, reliability):
    result = manage("createsuperuser", "--noinput", "--email", "ana@example.com",
                    url=database_url(empty_database))  # fmt: skip
    assert_one_sentence(result, "no table users", "python manage.py migrate")
    reliability.tried(
        "commands", "createsuperuser before migrate", "one sentence naming the missing table"
    )


@pytest.fixture
def migrated_database(db):
    from django.core.management import call_command

    import migrations_workflow as workflow

    with workflow.throwaway_database() as other:
        call_command("migrate", database=other.alias, verbosity=0)
        yield other


def _hold_the_seed(database):
    """Keep a seed_demo from starting its writes until the returned callable is called."""
    if database.vendor == "postgresql":
        holder = psycopg.connect(database_url(database), autocommit=False)
        holder.execute("SELECT pg_advisory_xact_lock(hashtext('piliquarts.seed_demo'))")
    else:
        import sqlite3

        holder = sqlite3.connect(database.settings_dict["NAME"], isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
    return holder


def _seed_waiters(database):
    """How many seed_demo processes wait on the advisory lock (PostgreSQL)."""
    with psycopg.connect(database_url(database)) as probe:
        return probe.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
        ).fetchone()[0]


def test_two_seed_demo_at_once_take_turns_and_write_one_demo(migrated_database, reliability):
    url = database_url(migrated_database)
    holder = _hold_the_seed(migrated_database)
    try:
        seeds = [manage("seed_demo", url=url, background=True) for _ in range(2)]
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if migrated_database.vendor == "postgresql":
                if _seed_waiters(migrated_database) == 2:
                    break
            elif time.monotonic() > deadline - 55:  # SQLite: give both time to reach BEGIN
                break
            time.sleep(0.2)
    finally:
        holder.rollback()
        holder.close()
    outputs = [seed.communicate(timeout=120) for seed in seeds]
    assert [seed.returncode for seed in seeds] == [0, 0], outputs
    said = " ".join(out for out, _err in outputs)
    assert said.count("Demo data loaded") == 1 and "nothing to create" in said, said
    alias = migrated_database.alias
    counts = [model.objects.using(alias).count() for model in (User, Workspace, Proyecto, Folder)]
    assert counts == [2, 1, 2, 3]
    reliability.tried(
        "commands",
        "two seed_demo at once",
        "the second waits for the first, then creates nothing; one demo, nothing half-written",
    )
