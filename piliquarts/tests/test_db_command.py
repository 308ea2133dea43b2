"""`manage.py db`: the migration guide's workflows, on the real database of the run."""

import io
import sqlite3
import subprocess

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.test import override_settings

from accounts.models import User
from piliquarts import migrations_workflow as workflow
from piliquarts.schema import schema_snapshot
from workspaces.models import Workspace

pytestmark = pytest.mark.django_db(transaction=True)


def db(*args):
    """Run `manage.py db ARGS`; return (exit code, output)."""
    out = io.StringIO()
    try:
        call_command("db", *args, stdout=out, stderr=out)
    except SystemExit as exit_:
        return exit_.code, out.getvalue()
    return 0, out.getvalue()


@pytest.fixture(autouse=True)
def _back_to_head():
    """Whatever a test did to the schema, the next one starts fully migrated."""
    yield
    call_command("migrate", verbosity=0)


@pytest.fixture
def sandbox(_back_to_head):
    """Install the sandbox app with one of its migration sets; remove every trace after."""
    overrides = []

    def install(case):
        override = override_settings(
            INSTALLED_APPS=[*settings.INSTALLED_APPS, "piliquarts.tests.sandbox"],
            MIGRATION_MODULES={"sandbox": f"piliquarts.tests.sandbox.{case}"},
        )
        override.enable()
        overrides.append(override)

    yield install
    for override in overrides:
        override.disable()
    MigrationRecorder(connection).migration_qs.filter(app="sandbox").delete()
    with connection.cursor() as cursor:
        for table in ("sandbox_note", "sandbox_second", "sandbox_half"):
            cursor.execute(f"DROP TABLE IF EXISTS {table}")


def _tables():
    return set(connection.introspection.table_names())


def test_history_lists_every_migration_in_order_with_when_it_was_applied():
    code, output = db("history", "--verbose")
    assert code == 0
    lines = [line for line in output.splitlines() if line.startswith("[")]
    labels = [line.split()[1] for line in lines]
    assert labels.index("workspaces.0001_initial") < labels.index("proyectos.0001_initial")
    assert all(line.startswith("[X]") for line in lines)
    assert "Create model User" in output


def test_current_is_a_deploy_gate():
    assert db("current")[0] == 0
    db("downgrade", "--yes")
    code, output = db("current")
    assert code == 1
    assert "Target database is not up to date" in output
    db("upgrade")
    assert db("current")[0] == 0


def test_one_step_downgrade_undoes_the_last_applied_migration_of_any_app():
    recorder = MigrationRecorder(connection)
    last = recorder.migration_qs.order_by("applied", "id").last()
    before = set(recorder.applied_migrations())
    code, output = db("downgrade", "--yes")
    assert code == 0
    assert f"{last.app}.{last.name}" in output
    after = set(recorder.applied_migrations())
    assert before - after == {(last.app, last.name)}


def test_every_migration_goes_down_and_up_again_to_the_same_schema():
    """Down one step at a time to nothing, then up one step at a time, comparing each level."""
    levels = [schema_snapshot()]
    while workflow.backward_plan():
        assert db("downgrade", "--yes")[0] == 0
        levels.append(schema_snapshot())
    assert not {"users", "actividades"} & _tables()
    levels.pop()
    while levels:
        assert db("upgrade", "+1")[0] == 0
        assert schema_snapshot() == levels.pop(), "a migration did not reverse exactly"
    code, output = db("current")
    assert code == 0, output


def test_downgrade_shows_dependants_in_other_apps_before_unapplying():
    code, output = db("downgrade", "--revision", "workspaces.0001_initial", "--yes")
    assert code == 0
    assert "workspaces.0002_search_indexes" in output
    code, output = db("downgrade", "--revision", "workspaces.zero", "--yes")
    assert "proyectos.0001_initial" in output and "auditoria.0001_initial" in output
    db("upgrade")


def test_downgrade_refuses_irreversible_steps(sandbox):
    sandbox("irreversible")
    db("upgrade")
    with pytest.raises(CommandError, match="cannot be reversed"):
        db("downgrade", "--revision", "sandbox.0001_initial", "--yes")
    assert ("sandbox", "0002_forward_only") in MigrationRecorder(connection).applied_migrations()


def test_a_failing_migration_leaves_the_schema_as_it_was(sandbox):
    sandbox("failing")
    with pytest.raises(CommandError, match="rolled back"):
        db("upgrade")
    tables = _tables()
    assert "sandbox_note" in tables
    assert "sandbox_half" not in tables, "the failed migration's first statement was kept"
    code, output = db("current")
    assert code == 1
    assert "sandbox         0001_initial" in output
    assert "sandbox.0002_fails_half_way" in output


def test_upgrade_plus_one_applies_exactly_one_migration(sandbox):
    sandbox("reversible")
    db("upgrade", "+1")
    applied = MigrationRecorder(connection).applied_migrations()
    assert ("sandbox", "0001_initial") in applied
    assert ("sandbox", "0002_second") not in applied
    db("upgrade", "--revision", "sandbox.0002")
    assert "sandbox_second" in _tables()


def test_stamp_records_a_state_without_running_it(sandbox):
    sandbox("reversible")
    _code, output = db("stamp", "sandbox.0002_second")
    assert "nothing was run" in output
    applied = MigrationRecorder(connection).applied_migrations()
    assert ("sandbox", "0002_second") in applied
    assert "sandbox_note" not in _tables()
    db("stamp", "sandbox.zero")
    assert ("sandbox", "0001_initial") not in MigrationRecorder(connection).applied_migrations()


def test_stamp_of_an_unknown_revision_names_the_known_ones():
    with pytest.raises(CommandError, match=r"Can't locate revision.*accounts\.0001_initial"):
        db("stamp", "accounts.0099_nothing")


def test_migrations_recorded_but_gone_from_the_code_are_reported_and_forgotten():
    MigrationRecorder(connection).record_applied("accounts", "0099_deleted_branch")
    code, output = db("current")
    assert code == 1
    assert "accounts.0099_deleted_branch" in output
    db("stamp", "head", "--purge-unknown")
    assert db("current")[0] == 0


def test_create_refuses_an_empty_change():
    with pytest.raises(CommandError, match="No model changes"):
        db("create", "nothing_changed")


def test_sql_of_the_whole_plan_builds_the_schema_migrate_builds(tmp_path):
    """The offline SQL, run by the database's own client on an empty database."""
    migrated = schema_snapshot()
    with workflow.throwaway_database() as empty:
        script = workflow.sql_for_upgrade(using=empty)
    assert 'INSERT INTO "django_migrations"' in script
    with workflow.throwaway_database() as target:
        config = target.settings_dict
        if connection.vendor == "postgresql":
            result = subprocess.run(
                ["psql", "-v", "ON_ERROR_STOP=1", "-q", "-h", config["HOST"] or "127.0.0.1",
                 "-p", str(config["PORT"] or 5432), "-U", config["USER"], config["NAME"]],
                input=script, capture_output=True, text=True,
            )  # fmt: skip
            assert result.returncode == 0, result.stderr
        else:
            sqlite = sqlite3.connect(config["NAME"])
            sqlite.executescript(script)
            sqlite.close()
        assert schema_snapshot(target) == migrated
        applied = MigrationRecorder(target).applied_migrations()
        assert set(applied) == set(MigrationRecorder(connection).applied_migrations())


@pytest.fixture
def other_database():
    """A migrated database of its own, so restoring never touches the test database."""
    with workflow.throwaway_database() as other:
        call_command("migrate", database=other.alias, verbosity=0)
        yield other.alias


def _add_workspaces(alias, count):
    for n in range(count):
        owner = User.objects.db_manager(alias).create_user(f"duena{n}@example.com", "x", nombre="D")
        Workspace.objects.using(alias).create(nombre=f"W{n}", slug=f"w{n}", owner=owner)


def test_backup_then_restore_brings_every_row_back(tmp_path, other_database):
    _add_workspaces(other_database, 3)
    users_before = set(User.objects.using(other_database).values_list("email", flat=True))
    path = tmp_path / "copia.backup"
    _code, output = db("--database", other_database, "backup", "--output", str(path))
    assert "To restore: python manage.py db restore" in output
    Workspace.objects.using(other_database).all().delete()
    User.objects.using(other_database).all().delete()
    db("--database", other_database, "restore", str(path), "--yes")
    assert set(User.objects.using(other_database).values_list("email", flat=True)) == users_before
    assert Workspace.objects.using(other_database).count() == 3


def test_a_tampered_backup_is_refused(tmp_path, other_database):
    _add_workspaces(other_database, 1)
    path = tmp_path / "copia.backup"
    db("--database", other_database, "backup", "--output", str(path))
    with open(path, "ab") as handle:
        handle.write(b"tampered")
    Workspace.objects.using(other_database).all().delete()
    with pytest.raises(CommandError, match="checksum"):
        db("--database", other_database, "restore", str(path), "--yes")
    assert not Workspace.objects.using(other_database).exists(), "nothing was restored"


def test_upgrade_with_backup_prints_the_rollback_command(tmp_path, other_database):
    db("--database", other_database, "downgrade", "--yes")
    path = tmp_path / "antes.backup"
    code, output = db("--database", other_database, "upgrade", "--backup", "--output", str(path))
    assert code == 0
    assert f"To roll back: python manage.py db restore {path}" in output
    assert path.exists() and workflow.manifest_path(path).exists()


@pytest.mark.postgresql
def test_migrations_run_with_lock_and_statement_timeouts():
    if connection.vendor != "postgresql":
        pytest.skip("session timeouts are PostgreSQL's")
    settings.MIGRATION_LOCK_TIMEOUT = "3s"
    with workflow.migration_timeouts(), connection.cursor() as cursor:
        cursor.execute("SHOW lock_timeout")
        assert cursor.fetchone()[0] == "3s"
    with connection.cursor() as cursor:
        cursor.execute("SHOW lock_timeout")
        assert cursor.fetchone()[0] == "0"


@pytest.mark.postgresql
def test_lint_fails_a_blocking_index_unless_allowed_with_a_reason(sandbox):
    if connection.vendor != "postgresql":
        pytest.skip("the lint reads PostgreSQL's SQL")
    assert db("lint")[0] == 0
    sandbox("dangerous")
    with pytest.raises(CommandError, match="dangerous operations"):
        db("lint")
    allow = {**settings.MIGRATION_LINT_ALLOW, "sandbox.0002_blocking_index": "test only"}
    with override_settings(MIGRATION_LINT_ALLOW=allow):
        assert db("lint")[0] == 0
