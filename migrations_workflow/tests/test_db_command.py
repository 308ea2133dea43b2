"""`manage.py db`: moving through the plan, reading the state, stamping, creating."""

import psycopg
import pytest
from django.core.management import CommandError
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.test import override_settings

import migrations_workflow as workflow
from migrations_workflow.schema import schema_snapshot
from migrations_workflow.tests.db_helpers import db, on_postgresql, tables

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("back_to_head")]


def applied():
    return set(MigrationRecorder(connection).applied_migrations())


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
    assert db("history")[1].count("[ ]") == 1
    db("upgrade")
    code, output = db("current")
    assert (code, output.splitlines()[-1]) == (0, "Up to date.")


def test_current_fails_when_models_changed_without_a_migration(sandbox_models):
    code, output = db("current")
    assert code == 1
    assert "Models have changes with no migration" in output


def test_create_writes_a_migration_and_refuses_an_empty_change(sandbox_models):
    db("create", "add_nota", "--app", "sandbox_models")
    assert (sandbox_models / "0001_add_nota.py").exists()
    with pytest.raises(CommandError, match="No model changes"):
        db("create", "nothing_changed")
    db("create", "by_hand", "--app", "sandbox_models", "--empty")
    assert (sandbox_models / "0002_by_hand.py").exists()


def test_one_step_downgrade_undoes_the_last_applied_migration_of_any_app(sandbox):
    sandbox("reversible")
    db("upgrade")
    before = applied()
    code, output = db("downgrade", "--yes")
    assert code == 0
    assert "This will unapply, in order:\n  sandbox.0002_second\n" in output
    assert before - applied() == {("sandbox", "0002_second")}
    db("downgrade", "--yes")
    assert before - applied() == {("sandbox", "0002_second"), ("sandbox", "0001_initial")}
    # Then the last migration applied before the sandbox's, in whichever app it is.
    last = MigrationRecorder(connection).migration_qs.order_by("applied", "id").last()
    db("downgrade", "--yes")
    assert (last.app, last.name) not in applied()


def test_downgrade_without_yes_asks_and_refuses_to_guess_off_a_terminal():
    with pytest.raises(CommandError, match="pass --yes"):
        db("downgrade")
    assert db("current")[0] == 0


def test_every_migration_goes_down_and_up_again_to_the_same_schema():
    """Down one step at a time to nothing, then up one step at a time, comparing each level."""
    levels = [schema_snapshot()]
    while workflow.backward_plan():
        assert db("downgrade", "--yes")[0] == 0
        levels.append(schema_snapshot())
    assert not {"users", "actividades", "django_session"} & tables()
    levels.pop()
    while levels:
        assert db("upgrade", "+1")[0] == 0
        assert schema_snapshot() == levels.pop(), "a migration did not reverse exactly"
    code, output = db("current")
    assert code == 0, output


def test_downgrade_base_and_upgrade_head():
    before = schema_snapshot()
    db("downgrade", "base", "--yes")
    # sqlite_stat1 is SQLite's own, written by ANALYZE.
    assert {t for t in tables() if not t.startswith("sqlite_")} == {"django_migrations"}
    db("upgrade")
    assert schema_snapshot() == before


def test_downgrade_shows_dependants_in_other_apps_before_unapplying():
    code, output = db("downgrade", "--revision", "workspaces.0001_initial", "--yes")
    assert code == 0
    assert "workspaces.0002_search_indexes" in output
    code, output = db("downgrade", "--revision", "workspaces.zero", "--yes")
    assert "proyectos.0001_initial" in output and "auditoria.0001_initial" in output
    assert not {"workspaces", "proyectos", "actividades"} & tables()


def test_downgrade_refuses_irreversible_steps_before_changing_anything(sandbox):
    sandbox("irreversible")
    db("upgrade")
    before = schema_snapshot()
    with pytest.raises(CommandError, match=r"cannot be reversed(.|\n)*sandbox.0002_forward_only"):
        db("downgrade", "--revision", "sandbox.zero", "--yes")
    assert ("sandbox", "0002_forward_only") in applied()
    assert schema_snapshot() == before


def test_a_failing_migration_leaves_the_schema_as_it_was(sandbox):
    sandbox("failing")
    db("upgrade", "--revision", "sandbox.0001_initial")
    before = schema_snapshot()
    with pytest.raises(CommandError, match="rolled back"):
        db("upgrade")
    assert schema_snapshot() == before, "the failed migration's first statement was kept"
    code, output = db("current")
    assert code == 1
    assert "sandbox         0001_initial" in output
    assert "Pending:\n  sandbox.0002_fails_half_way" in output


def test_upgrade_plus_one_and_to_a_revision(sandbox):
    sandbox("reversible")
    db("upgrade", "+1")
    assert ("sandbox", "0001_initial") in applied()
    assert ("sandbox", "0002_second") not in applied()
    db("upgrade", "--revision", "sandbox.0002")
    assert "sandbox_second" in tables()
    with pytest.raises(CommandError, match="behind the database"):
        db("upgrade", "--revision", "sandbox.0001_initial")


def test_stamp_records_a_state_without_running_it(sandbox):
    sandbox("reversible")
    _code, output = db("stamp", "sandbox.0002_second")
    assert "nothing was run" in output
    assert ("sandbox", "0002_second") in applied()
    assert "sandbox_note" not in tables()
    db("stamp", "sandbox.zero")
    assert ("sandbox", "0001_initial") not in applied()
    db("stamp", "head")
    assert ("sandbox", "0002_second") in applied()
    assert "sandbox_note" not in tables()


def test_stamp_of_an_unknown_revision_names_the_known_ones():
    with pytest.raises(CommandError, match=r"Can't locate revision.*accounts\.0001_initial"):
        db("stamp", "accounts.0099_nothing")


def test_migrations_recorded_but_gone_from_the_code_are_reported_and_forgotten():
    MigrationRecorder(connection).record_applied("accounts", "0099_deleted_branch")
    code, output = db("current")
    assert code == 1
    assert "missing from the code" in output and "accounts.0099_deleted_branch" in output
    _code, output = db("stamp", "head", "--purge-unknown")
    assert "Forgot accounts.0099_deleted_branch" in output
    assert db("current")[0] == 0


SUBCOMMANDS = "init create upgrade downgrade history current sql stamp backup restore lint"


@pytest.mark.parametrize("subcommand", SUBCOMMANDS.split())
def test_every_subcommand_has_help(subcommand, capsys):
    code, _output = db(subcommand, "--help")
    assert code == 0
    assert "usage:" in capsys.readouterr().out


@on_postgresql
def test_migrations_run_with_lock_and_statement_timeouts():
    timeouts = override_settings(MIGRATION_LOCK_TIMEOUT="3s", MIGRATION_STATEMENT_TIMEOUT="1min")
    with timeouts, workflow.migration_timeouts(), connection.cursor() as cursor:
        cursor.execute("SHOW lock_timeout")
        assert cursor.fetchone()[0] == "3s"
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "1min"
    with connection.cursor() as cursor:
        cursor.execute("SHOW lock_timeout")
        assert cursor.fetchone()[0] == "0"


@on_postgresql
def test_a_migration_waiting_for_a_lock_gives_up_and_changes_nothing(sandbox):
    """A long transaction holds the table: the migration fails after lock_timeout, not later."""
    sandbox("locking")
    db("upgrade", "--revision", "sandbox.0001_initial")
    before = schema_snapshot()
    config = connection.settings_dict
    holder = psycopg.connect(
        host=config["HOST"] or "127.0.0.1", port=config["PORT"] or 5432,
        user=config["USER"], dbname=config["NAME"],
    )  # fmt: skip
    try:
        holder.execute("LOCK TABLE sandbox_note IN ACCESS SHARE MODE")
        with (
            override_settings(MIGRATION_LOCK_TIMEOUT="300ms"),
            pytest.raises(CommandError, match="lock timeout"),
        ):
            db("upgrade")
    finally:
        holder.close()
    assert schema_snapshot() == before
    assert ("sandbox", "0002_add_column") not in applied()
    db("upgrade")
    assert ("sandbox", "0002_add_column") in applied()
