"""Fixtures shared by every app's tests."""

import pytest
from django.db import connection

# The `reliability` fixture, and docs/reliability.json written at the end of each run.
pytest_plugins = ["piliquarts.reliability_plugin"]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Argon2 is deliberately slow; the tests check behaviour, not hashing cost.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


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
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                name = connection.settings_dict["NAME"]
                cursor.execute(f"ALTER DATABASE \"{name}\" SET piliquarts.audit_purge = 'on'")
            else:
                cursor.execute("INSERT INTO auditoria_purge_allowed (allowed) VALUES (1)")
        connection.close()


@pytest.fixture(autouse=True)
def _empty_cache():
    # The dashboard caches totals per project; one test's must not show in the next.
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
