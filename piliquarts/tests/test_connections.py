"""Connection pooling and read-replica routing, against real PostgreSQL databases."""

import os
import subprocess
import sys

import pytest
from django.db import connection, connections, router
from django.db.utils import load_backend

from accounts.models import User
from accounts.tests.factories import UserFactory
from piliquarts import migrations_workflow as workflow
from piliquarts.routers import ReplicaRouter

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


def test_reads_go_to_the_replica_and_writes_to_the_primary():
    with workflow.throwaway_database() as replica:
        connections["replica"] = replica
        replica.alias = "replica"
        try:
            from django.core.management import call_command

            call_command("migrate", database="replica", verbosity=0)
            UserFactory(email="en-primaria@example.com")
            User.objects.using("replica").create(email="en-replica@example.com", nombre="R")
            routers = router.__dict__.get("routers")
            router.__dict__["routers"] = [ReplicaRouter()]
            try:
                assert User.objects.filter(email="en-replica@example.com").exists()
                assert not User.objects.filter(email="en-primaria@example.com").exists()
                created = User.objects.create(email="nuevo@example.com", nombre="N")
                assert User.objects.using("default").filter(pk=created.pk).exists()
                assert not User.objects.using("replica").filter(pk=created.pk).exists()
            finally:
                if routers is None:
                    router.__dict__.pop("routers", None)
                else:
                    router.__dict__["routers"] = routers
        finally:
            del connections["replica"]
