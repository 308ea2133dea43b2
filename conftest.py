"""Fixtures shared by every app's tests."""

import subprocess

import pytest
from django.conf import settings
from django.db import connection, connections

from core.testing import allow_audit_purge, wait_for_replica

# The `reliability` fixture, and docs/reliability.json written at the end of each run.
pytest_plugins = ["docgen.reliability_plugin"]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Argon2 is deliberately slow; the tests check behaviour, not hashing cost.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    # Files a test uploads go to its own temporary folder, never the project's media/.
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _requests_write_only_through_services(settings):
    # Any admin page writing a domain table outside a service fails its test.
    settings.MIDDLEWARE = ["core.testing.ServiceWritesOnlyMiddleware", *settings.MIDDLEWARE]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Let the test database purge audit rows, as flushing between tests must.

    The append-only triggers (auditoria/migrations/0003) honour the purge flag;
    the tests of the triggers turn it off inside their own transaction.
    """
    with django_db_blocker.unblock():
        allow_audit_purge()
        connection.close()
        if settings.PGBOUNCER_TRANSACTION_POOLING:
            # PgBouncer's server connections opened before that setting lack it.
            _pgbouncer_admin(f"RECONNECT {connection.settings_dict['NAME']}")
        if "replica" in settings.DATABASES:
            _point_replica_alias_at_the_replica()
    yield
    if settings.PGBOUNCER_TRANSACTION_POOLING:
        # PgBouncer keeps idle server connections to the test database, which would
        # make Django's DROP DATABASE fail: close them first.
        connection.close()
        name = connection.settings_dict["NAME"]
        _pgbouncer_admin(f"KILL {name}")
        _pgbouncer_admin(f"RESUME {name}")


@pytest.fixture(autouse=True)
def _empty_cache():
    # The dashboard caches totals per project; one test's must not show in the next.
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def _pgbouncer_admin(command):
    """A command on PgBouncer's admin console (simple query protocol only, hence psql)."""
    config = connection.settings_dict
    subprocess.run(
        ["psql", "-X", "-q", "-h", config["HOST"], "-p", str(config["PORT"]),
         "-U", config["USER"], "-d", "pgbouncer", "-c", command],
        check=True, capture_output=True,
    )  # fmt: skip


def _point_replica_alias_at_the_replica():
    """Read the test database on the real replica, once replication has brought it there.

    Django treated the alias as a mirror (settings: it must not create or flush a
    database on a read-only server) and pointed it at the primary; the physical
    replica receives the test database, its migrations and its settings by itself.
    """
    replica = connections["replica"]
    replica.close()
    replica.settings_dict = {
        **settings.DATABASES["replica"],
        "NAME": connection.settings_dict["NAME"],
        "TEST": replica.settings_dict["TEST"],
    }
    wait_for_replica(connection, replica)


def pytest_collection_modifyitems(config, items):
    """Tests marked `replica` run when a replica is configured (`make test-replica`)."""
    if "replica" in settings.DATABASES:
        return
    skipped = [item for item in items if item.get_closest_marker("replica")]
    if skipped:
        config.hook.pytest_deselected(items=skipped)
        items[:] = [item for item in items if not item.get_closest_marker("replica")]
