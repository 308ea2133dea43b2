"""Assertions shared by the apps' tests: a rule holds in the database and reads well in Python."""

import time

import psycopg
import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse


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
