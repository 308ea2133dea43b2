"""`manage.py db sql`: the recorded SQL builds exactly the schema `migrate` builds."""

import re
import sqlite3
import subprocess

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

import migrations_workflow as workflow
from migrations_workflow.schema import schema_snapshot
from migrations_workflow.tests.db_helpers import db, libpq_arguments, on_postgresql
from migrations_workflow.throwaway import MARKER

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("back_to_head")]


def run_script(script, target):
    """Run a `db sql` script with the database's own client, as a person would."""
    if target.vendor == "postgresql":
        command = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", *libpq_arguments(target)]
        result = subprocess.run(command, input=script, capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
    else:
        sqlite = sqlite3.connect(target.settings_dict["NAME"])
        sqlite.executescript(script)
        sqlite.close()


def pg_dump_schema(target):
    dump = subprocess.run(
        ["pg_dump", "--schema-only", *libpq_arguments(target)],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    # pg_dump >= 15.14 opens and closes with a random \restrict key.
    return re.sub(r"^\\(un)?restrict .*$", "", dump, flags=re.MULTILINE)


def test_sql_of_the_whole_plan_builds_the_schema_migrate_builds():
    """The offline SQL, run by the database's own client on an empty database."""
    with workflow.throwaway_database() as empty:
        script = workflow.sql_for_upgrade(using=empty)
        run_script(script, empty)
        assert schema_snapshot(empty) == schema_snapshot(connection)
        recorded = set(MigrationRecorder(empty).applied_migrations())
    assert 'INSERT INTO "django_migrations"' in script
    assert recorded == set(MigrationRecorder(connection).applied_migrations())


@on_postgresql
def test_psql_on_the_sql_gives_the_pg_dump_of_migrate():
    with workflow.throwaway_database() as by_psql, workflow.throwaway_database() as by_migrate:
        _code, script = db("--database", by_psql.alias, "sql")
        run_script(script, by_psql)
        call_command("migrate", database=by_migrate.alias, verbosity=0)
        assert pg_dump_schema(by_psql) == pg_dump_schema(by_migrate)


def test_sql_of_a_downgrade_undoes_the_last_migration_as_downgrade_does(tmp_path):
    script_path = tmp_path / "down.sql"
    db("sql", "--backwards", "-o", str(script_path))
    script = script_path.read_text()
    assert 'DELETE FROM "django_migrations"' in script
    db("downgrade", "--yes")
    downgraded = schema_snapshot()
    db("upgrade")
    run_script(script, connection)
    connection.close()
    assert schema_snapshot() == downgraded


def test_sql_changes_nothing_and_leaves_no_database_behind():
    before = (schema_snapshot(), set(MigrationRecorder(connection).applied_migrations()))
    databases = _throwaway_databases()
    db("downgrade", "--revision", "workspaces.0001_initial", "--yes")
    _code, script = db("sql")
    assert "-- Apply workspaces.0002_search_indexes" in script
    assert "-- Apply accounts" not in script, "only the pending plan"
    db("upgrade")
    assert (schema_snapshot(), set(MigrationRecorder(connection).applied_migrations())) == before
    assert _throwaway_databases() == databases


def _throwaway_databases():
    if connection.vendor != "postgresql":
        return set()
    with connection.cursor() as cursor:
        # Only this database's throwaways: other checkouts may be testing on the same server.
        prefix = connection.settings_dict["NAME"][:40]
        cursor.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE %s", [f"{prefix}{MARKER}%"]
        )
        return {row[0] for row in cursor.fetchall()}


def test_sql_says_so_when_nothing_is_pending(tmp_path):
    databases = _throwaway_databases()
    code, output = db("sql")
    assert code == 0
    assert output.strip() == "Nothing pending: the database is up to date; no SQL to run."
    code, output = db("sql", "-o", str(tmp_path / "plan.sql"))
    assert "Nothing pending" in output
    assert not (tmp_path / "plan.sql").exists()
    assert _throwaway_databases() == databases
