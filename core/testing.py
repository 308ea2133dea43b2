"""Test helpers: a rule holds in the database and reads well; writes go only through services."""

import json
import time

import psycopg
import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, connections, transaction
from django.urls import reverse

from core.services import writes_only_through_services


def assert_database_refuses_update(instance, **bad_values):
    """Writing `bad_values` straight to the row (no validation) is refused by the database."""
    with pytest.raises(IntegrityError), transaction.atomic():
        type(instance)._default_manager.filter(pk=instance.pk).update(**bad_values)


def assert_database_refuses_insert(model, **values):
    """Inserting a row with `values` (no Django validation) is refused by the database."""
    with pytest.raises(IntegrityError), transaction.atomic():
        model._default_manager.create(**values)


def validation_errors(instance, **values):
    """The message dict that `full_clean()` gives for `instance` with `values` set."""
    for name, value in values.items():
        setattr(instance, name, value)
    with pytest.raises(ValidationError) as excinfo:
        instance.full_clean()
    return excinfo.value.message_dict


def allow_audit_purge():
    """Let the test database's flushes empty the audit trail (and only the test database).

    The append-only triggers (auditoria/migrations/0003) honour the purge flag:
    PostgreSQL reads it from the database's settings, SQLite from a row in
    auditoria_purge_allowed, which a migration that rebuilds that table drops,
    so the tests that walk migrations call this again after migrating back.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            name = connection.settings_dict["NAME"]
            cursor.execute(f"ALTER DATABASE \"{name}\" SET piliquarts.audit_purge = 'on'")
        else:
            cursor.execute("SELECT count(*) FROM auditoria_purge_allowed")
            if not cursor.fetchone()[0]:
                cursor.execute("INSERT INTO auditoria_purge_allowed (allowed) VALUES (1)")


def plan_nodes(sql, params=None, *settings, using="default"):
    """Every node of PostgreSQL's plan of `sql`, planned under `SET LOCAL` `settings`."""
    connection = connections[using]
    with transaction.atomic(using=using), connection.cursor() as cursor:
        for setting in settings:
            cursor.execute(f"SET LOCAL {setting}")
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]

    def walk(node):
        yield node
        for child in node.get("Plans", []):
            yield from walk(child)

    return list(walk((json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]))


def relations_read(sql, params=None, using="default"):
    """The tables (and partitions) PostgreSQL's plan of `sql` reads."""
    nodes = plan_nodes(sql, params, using=using)
    return {node["Relation Name"] for node in nodes if "Relation Name" in node}


def indexes_planned(sql, *settings, using="default"):
    """The indexes PostgreSQL's plan of `sql` reads, planned under `SET LOCAL` `settings`.

    `enable_seqscan = off` among them plans a small test table as if it held rows.
    """
    nodes = plan_nodes(sql, None, *settings, using=using)
    return {node["Index Name"] for node in nodes if "Index Name" in node}


def admin_login(client, email, password):
    """Log in through the admin's login form, as a person would; True if it worked."""
    response = client.post(
        reverse("admin:login"),
        {"username": email, "password": password, "next": reverse("admin:index")},
    )
    return response.status_code == 302 and "_auth_user_id" in client.session


def wait_for_replica(primary, replica, timeout=60):
    """Wait until `replica` has replayed everything `primary` wrote so far.

    Polls the replica's server (its `postgres` database, since the one under test
    may not have arrived yet); fails, never skips, when the replica cannot be
    reached: the replica tests need `scripts/ensure_replica.sh`.
    """
    with primary.cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        (target,) = cursor.fetchone()
    config = replica.settings_dict
    conninfo = {
        "host": config["HOST"] or "127.0.0.1",
        "port": config["PORT"] or 5432,
        "user": config["USER"],
        "dbname": "postgres",
    }
    deadline = time.monotonic() + timeout
    try:
        with psycopg.connect(**conninfo, autocommit=True) as server:
            while True:
                (done,) = server.execute(
                    "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target]
                ).fetchone()
                if done:
                    return
                if time.monotonic() > deadline:
                    pytest.fail(f"The replica did not replay up to {target} in {timeout} s.")
                time.sleep(0.05)
    except psycopg.OperationalError as error:
        pytest.fail(f"The replica is unreachable ({error}); run scripts/ensure_replica.sh.")


class ServiceWritesOnlyMiddleware:
    """Fails a request loudly if anything in it writes a domain table outside a service.

    Installed first by the tests (conftest.py), so it covers every admin door
    and every other middleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with writes_only_through_services():
            return self.get_response(request)
