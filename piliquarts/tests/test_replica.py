"""Reads on a real streaming replica, writes on the primary (`make test-replica`).

The replica is a second PostgreSQL cluster following the primary by streaming
replication (scripts/ensure_replica.sh); the test database reaches it by
replication, and the `replica` alias reads it there (conftest.py).
"""

import logging
import os
import subprocess
import sys
import time
from contextlib import contextmanager

import psycopg
import pytest
from django.conf import settings
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from accounts.tests.factories import UserFactory
from auditoria.models import Actividad
from auditoria.selectors import feed
from auditoria.tests.factories import ActividadFactory
from core.testing import wait_for_replica
from piliquarts import routers
from proyectos.tests.factories import ProyectoFactory

pytestmark = [
    pytest.mark.replica,
    pytest.mark.django_db(transaction=True, databases=["default", "replica"]),
]


@pytest.fixture(autouse=True)
def _fresh_unit_of_work():
    routers.start_unit_of_work()
    routers.health.reset()
    yield
    routers.health.reset()


@pytest.fixture
def caught_up():
    """Call it to wait until the replica has replayed every write made so far."""
    return lambda: wait_for_replica(connection, connections["replica"])


@contextmanager
def replay_paused():
    """The replica keeps receiving WAL but applies none of it (a lag that does not end)."""
    config = connections["replica"].settings_dict
    with psycopg.connect(
        host=config["HOST"], port=config["PORT"], user=config["USER"], dbname="postgres",
        autocommit=True,
    ) as server:  # fmt: skip
        server.execute("SELECT pg_wal_replay_pause()")
        try:
            yield
        finally:
            server.execute("SELECT pg_wal_replay_resume()")


class Captured(CaptureQueriesContext):
    """The queries a block ran on one connection, the router's health check left out."""

    @property
    def captured_queries(self):
        return [q for q in super().captured_queries if not q["sql"].startswith(HEALTH_CHECK)]


HEALTH_CHECK = "SELECT pg_is_in_recovery()"


@contextmanager
def queries():
    """(primary, replica) queries of the block."""
    with Captured(connection) as primary, Captured(connections["replica"]) as replica:
        yield primary, replica


def test_the_replica_alias_is_a_streaming_replica_of_the_test_database(caught_up):
    caught_up()
    with connections["replica"].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery(), current_database(), inet_server_port()")
        in_recovery, name, port = cursor.fetchone()
    assert in_recovery
    assert name == connection.settings_dict["NAME"]
    assert port == int(settings.DATABASES["replica"]["PORT"]) != 5432


def test_reads_go_to_the_replica_writes_to_the_primary_and_a_writer_reads_its_writes(caught_up):
    UserFactory(email="antes@example.com")
    caught_up()
    routers.start_unit_of_work()
    with queries() as (primary, replica):
        assert User.objects.filter(email="antes@example.com").exists()
    assert (len(primary), len(replica)) == (0, 1)

    with replay_paused(), queries() as (primary, replica):
        User.objects.create(email="nuevo@example.com", nombre="Nuevo")
        # The same unit of work reads its own write, from the primary.
        assert User.objects.filter(email="nuevo@example.com").exists()
        assert len(replica) == 0
        routers.start_unit_of_work()  # another request: the replica has not replayed it
        assert not User.objects.filter(email="nuevo@example.com").exists()
    assert len(replica) == 1


def test_admin_pages_read_the_replica_and_a_browser_that_wrote_reads_its_writes(client, caught_up):
    proyecto = ProyectoFactory(nombre="Torre Norte")
    UserFactory(email="jefe@example.com", password="clave-segura-1", rol_global="owner")
    caught_up()
    assert (
        client.post(
            reverse("admin:login"),
            {"username": "jefe@example.com", "password": "clave-segura-1"},
        ).cookies[routers.COOKIE]["max-age"]
        == settings.REPLICA_READ_YOUR_WRITES_SECONDS
    )
    url = reverse("admin:proyectos_proyecto_change", args=[proyecto.pk])
    caught_up()
    del client.cookies[routers.COOKIE]  # the read-your-writes window is over
    with queries() as (_primary, replica):
        assert client.get(url).status_code == 200
    assert len(replica) > 1, "the page read the replica"

    other = client.__class__()
    other.cookies = client.cookies.__class__(client.cookies)
    with replay_paused():
        response = client.post(url, {**_form(client.get(url)), "nombre": "Torre Sur"}, follow=True)
        assert response.status_code == 200
        assert client.cookies[routers.COOKIE].value == "1"
        assert "Torre Sur" in client.get(url).content.decode()  # the writer, from the primary
        assert "Torre Norte" in other.get(url).content.decode()  # no write: the replica, behind
    caught_up()
    assert "Torre Sur" in other.get(url).content.decode()


def _form(response):
    """The change form's current values, as a browser would post them back."""
    form = response.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if value is None or field.disabled:
            continue
        data[name] = value
    for formset in response.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
    return data


def test_lag_sends_reads_to_the_primary_with_a_log_line(client, caught_up, settings, caplog):
    settings.REPLICA_MAX_LAG_SECONDS = 0.5
    settings.REPLICA_CHECK_SECONDS = 0
    user = UserFactory(rol_global="owner")
    caught_up()
    client.force_login(user)
    caught_up()
    url = reverse("admin:auditoria_actividad_changelist")
    with replay_paused(), caplog.at_level(logging.WARNING, logger="piliquarts.routers"):
        ActividadFactory(descripcion="escrita durante el retraso")
        time.sleep(1)
        with queries() as (_primary, replica):
            response = client.get(url)
        assert response.status_code == 200
        assert "escrita durante el retraso" in response.content.decode()
        assert len(replica) == 0
        assert "behind (limit 0.5 s): reading from the primary" in caplog.text
    caught_up()
    with queries() as (_primary, replica):
        assert client.get(url).status_code == 200
    assert len(replica) > 1
    assert "Replica usable again" in caplog.text


@pytest.fixture
def replica_down():
    """The replica alias pointing at a port where no server listens."""
    replica = connections["replica"]
    real = replica.settings_dict
    replica.close()
    replica.settings_dict = {**real, "PORT": "1"}
    yield
    replica.close()
    replica.settings_dict = real


def test_a_replica_that_is_down_sends_reads_to_the_primary_with_a_log_line(
    client, replica_down, caplog
):
    client.force_login(UserFactory(rol_global="owner"))
    ActividadFactory(descripcion="visible sin réplica")
    with caplog.at_level(logging.WARNING, logger="piliquarts.routers"):
        response = client.get(reverse("admin:auditoria_actividad_changelist"))
    assert response.status_code == 200
    assert "visible sin réplica" in response.content.decode()
    assert "Replica unreachable" in caplog.text


def test_a_replica_failing_in_the_middle_of_a_request_is_retried_on_the_primary(
    client, replica_down, settings, caplog
):
    client.force_login(UserFactory(rol_global="owner"))
    settings.REPLICA_CHECK_SECONDS = 3600
    routers.health.checked_at = time.monotonic()  # last check said: usable
    with caplog.at_level(logging.WARNING, logger="piliquarts.routers"):
        response = client.get(reverse("admin:auditoria_actividad_changelist"))
    assert response.status_code == 200
    assert "failed during a request" in caplog.text


def test_feeds_read_the_replica(caught_up):
    proyecto = ProyectoFactory()
    rows = [ActividadFactory(proyecto=proyecto, workspace=proyecto.workspace) for _ in range(3)]
    caught_up()
    routers.start_unit_of_work()
    with queries() as (primary, replica):
        page = feed(proyecto=proyecto, limit=2)
        rest = feed(proyecto=proyecto, after=page[-1], limit=2)
    assert {a.pk for a in page + rest} == {a.pk for a in rows}
    # The feeds read month by month (and the month list, once per process): all on the replica.
    assert len(primary) == 0
    assert len(replica) >= 2


def test_seed_demo_runs_with_a_replica_and_its_rows_reach_it(caught_up):
    primary, replica = connection.settings_dict, connections["replica"].settings_dict
    environment = {
        **os.environ,
        "DEBUG": "true",
        "DATABASE_URL": _url(primary),
        "DATABASE_REPLICA_URL": _url(replica),
    }
    for _ in range(2):  # the second run reads what the first wrote, and changes nothing
        result = subprocess.run(
            [sys.executable, "manage.py", "seed_demo"],
            env=environment, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
    caught_up()
    routers.start_unit_of_work()
    with queries() as (primary_queries, _replica):
        assert User.objects.filter(email="admin@piliquarts.com").exists()
        assert Actividad.objects.exists()
    assert len(primary_queries) == 0, primary_queries.captured_queries


def _url(config):
    return f"postgres://{config['USER']}@{config['HOST']}:{config['PORT']}/{config['NAME']}"
