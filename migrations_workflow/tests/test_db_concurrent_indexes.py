"""A CREATE INDEX CONCURRENTLY that fails or is killed leaves an INVALID index: `db current`
refuses while it is there, and the next `db upgrade` rebuilds it (PostgreSQL)."""

import threading
import time

import psycopg
import pytest
from django.core.management import CommandError
from django.db import connection, connections
from django.test import override_settings

from migrations_workflow.state import invalid_indexes
from migrations_workflow.tests.db_helpers import database_url, db, skip_on_sqlite

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("back_to_head"),
    pytest.mark.postgresql,
    skip_on_sqlite,
]

# The sandbox's two concurrent index operations, (migration before it, the index it builds):
# Django's AddIndex, and raw SQL with IF NOT EXISTS.
OPERATIONS = {
    "AddIndexConcurrently": ("sandbox.0001_initial", "sandbox_note_body_idx"),
    "trigram_search_indexes": ("sandbox.0002_body_index", "sandbox_note_body_trgm"),
}


def index_is_valid(name):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass(quote_ident(%s))",
            [name],
        )
        row = cursor.fetchone()
    return row[0] if row else None


class HeldTable:
    """Another session's open transaction that wrote to the table: a concurrent index
    build records its index, then waits for this transaction to end."""

    def __enter__(self):
        self.session = psycopg.connect(database_url())
        self.session.execute("INSERT INTO sandbox_note (body) VALUES ('una nota')")
        return self

    def __exit__(self, *exc):
        self.session.rollback()
        self.session.close()


def upgrade_until_stopped(stop):
    """Run `db upgrade` in a thread, stop the index build with `stop` (a PostgreSQL
    function given the builder's pid) once it waits; return what the upgrade raised."""
    raised = []

    def upgrade():
        try:
            with override_settings(MIGRATION_LOCK_TIMEOUT="2min"):
                db("upgrade")
        except Exception as error:
            raised.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=upgrade)
    thread.start()
    try:
        with psycopg.connect(database_url(), autocommit=True) as watcher:
            for _ in range(600):
                row = watcher.execute(
                    "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                    "AND query ILIKE 'CREATE INDEX CONCURRENTLY%%'"
                ).fetchone()
                if row:
                    watcher.execute(f"SELECT {stop}(%s)", [row[0]])
                    break
                time.sleep(0.1)
            else:
                pytest.fail("the index build never waited for the held table")
    finally:
        thread.join(timeout=120)
    return raised


def fail_with_lock_timeout():
    with (
        override_settings(MIGRATION_LOCK_TIMEOUT="300ms"),
        pytest.raises(CommandError, match=r"lock timeout(.|\n)*runs it again"),
    ):
        db("upgrade")
    return "canceled by lock_timeout while another session held the table"


def fail_by(stop):
    def failing():
        raised = upgrade_until_stopped(stop)
        assert len(raised) == 1 and isinstance(raised[0], CommandError), raised
        return f"stopped by {stop}() from another session"

    return failing


FAULTS = {
    "lock_timeout": fail_with_lock_timeout,
    "pg_cancel_backend": fail_by("pg_cancel_backend"),
    "pg_terminate_backend": fail_by("pg_terminate_backend"),
}


@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize("operation", OPERATIONS)
def test_a_failed_concurrent_index_build_is_refused_by_current_and_rebuilt_by_upgrade(
    sandbox, operation, fault, reliability
):
    before, index = OPERATIONS[operation]
    sandbox("concurrent")
    db("upgrade", "--revision", before)
    with HeldTable():
        how = FAULTS[fault]()
    assert index_is_valid(index) is False, "the failed build left an INVALID index"

    code, output = db("current")
    assert code == 1
    assert f"public.{index} on sandbox_note" in output and "INVALID" in output

    code, output = db("upgrade")
    assert code == 0, output
    assert index_is_valid(index) is True
    assert invalid_indexes() == []
    # (`db current` still exits 1 here: the sandbox app's Note has no model class.)
    assert "INVALID" not in db("current")[1]
    reliability.tried(
        "migrations",
        f"a concurrent index build by {operation} {how}",
        "`db current` exits 1 naming the INVALID index; the next `db upgrade` rebuilds it",
    )


def test_current_fails_while_any_index_of_the_database_is_invalid(reliability):
    """Not only the migrations' own: whatever left an index INVALID, the database is not
    healthy, even with every migration applied."""
    assert db("current")[0] == 0
    flip = (
        "UPDATE pg_index SET indisvalid = %s WHERE indexrelid = 'actividades_newest_idx'::regclass"
    )
    with connection.cursor() as cursor:
        cursor.execute(flip, [False])
    try:
        code, output = db("current")
    finally:
        with connection.cursor() as cursor:
            cursor.execute(flip, [True])
    assert code == 1
    assert "public.actividades_newest_idx on actividades" in output
    assert "Up to date." not in output
    reliability.tried(
        "migrations",
        "an INVALID index on an otherwise up-to-date database",
        "`db current` exits 1 naming it",
    )
