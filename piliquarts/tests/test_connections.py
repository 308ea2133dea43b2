"""Connection pooling against a real PostgreSQL server (the replica: test_replica.py)."""

import os
import subprocess
import sys

import pytest
from django.db import connection
from django.db.utils import load_backend

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("psycopg's pool and replicas are PostgreSQL's")


def test_database_pool_setting_turns_the_psycopg_pool_on():
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c",
         "from django.db import connection as c; c.ensure_connection(); "
         "print(type(c.pool).__name__, c.pool.get_stats()['pool_size'] >= 1)"],
        env={**os.environ, "DATABASE_POOL": "true",
             "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres"},
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.stdout.split() == ["ConnectionPool", "True"], result.stderr


def test_a_pooled_connection_is_reused_after_close():
    settings_dict = {
        **connection.settings_dict,
        "CONN_MAX_AGE": 0,
        "OPTIONS": {**connection.settings_dict["OPTIONS"], "pool": {"min_size": 1, "max_size": 1}},
    }
    pooled = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, alias="pooled")
    try:
        backends = set()
        for _ in range(5):
            with pooled.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                backends.add(cursor.fetchone()[0])
            pooled.close()  # back to the pool, not closed
        assert len(backends) == 1, "without the pool each close would open a new backend"
    finally:
        pooled.close()
        pooled.close_pool()
