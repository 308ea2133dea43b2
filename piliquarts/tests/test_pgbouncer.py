"""PgBouncer in transaction mode: what it cannot carry is refused by a system check.

The suite itself also runs through PgBouncer (`make test-pgbouncer`).
"""

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from piliquarts.checks import pgbouncer_errors

PGBOUNCER_PORT = 6432


def _error_ids(databases, **flags):
    return [error.id for error in _errors(databases, **flags)]


def _errors(databases, pooling=True, prepared=False):
    return pgbouncer_errors(databases, pooling=pooling, prepared_statements=prepared)


POSTGRESQL = {"ENGINE": "django.db.backends.postgresql", "NAME": "x"}


def test_server_side_binding_behind_transaction_pooling_is_refused_with_a_hint():
    databases = {
        "default": {
            **POSTGRESQL,
            "OPTIONS": {"server_side_binding": True},
            "DISABLE_SERVER_SIDE_CURSORS": True,
        }
    }
    (error,) = _errors(databases)
    assert error.id == "piliquarts.E001"
    assert "max_prepared_statements" in error.hint
    assert _error_ids(databases, prepared=True) == []  # PgBouncer 1.21+ keeps them
    assert _error_ids(databases, pooling=False) == []


def test_server_side_cursors_behind_transaction_pooling_are_refused():
    assert _error_ids({"default": POSTGRESQL}) == ["piliquarts.E002"]
    assert _error_ids({"default": {**POSTGRESQL, "DISABLE_SERVER_SIDE_CURSORS": True}}) == []


def test_the_pooling_setting_turns_server_side_cursors_off():
    if settings.PGBOUNCER_TRANSACTION_POOLING:
        assert settings.DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] is True


@pytest.mark.postgresql
def test_prepared_statements_break_across_transactions_through_this_pgbouncer():
    """Why E001 exists: Debian's PgBouncer 1.18 hands the next transaction a server
    connection that already holds another client's prepared statement."""
    if connection.vendor != "postgresql":
        pytest.skip("PgBouncer pools PostgreSQL connections")
    conninfo = {"host": "127.0.0.1", "port": PGBOUNCER_PORT, "user": "postgres"}
    with (
        psycopg.connect(**conninfo, dbname="postgres", autocommit=True) as first,
        psycopg.connect(**conninfo, dbname="postgres", autocommit=True) as second,
    ):
        first.prepare_threshold = second.prepare_threshold = 0  # prepare every statement
        with pytest.raises(
            (psycopg.errors.DuplicatePreparedStatement, psycopg.errors.InvalidSqlStatementName)
        ):
            for client in (first, second):  # two clients, one server connection after another
                client.execute("SELECT 41 + %s", [1])
