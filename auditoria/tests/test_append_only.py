"""The audit trail is append-only in the database, and its feeds page by keyset."""

import pytest
from django.db import IntegrityError, connection, transaction

from accounts.tests.factories import UserFactory
from auditoria.models import Actividad
from auditoria.selectors import feed
from auditoria.tests.factories import ActividadFactory
from proyectos.tests.factories import ProyectoFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def guarded():
    """Turn off the purge flag the test database runs with (see conftest.py)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT set_config('piliquarts.audit_purge', 'off', true)")
        else:
            cursor.execute("DELETE FROM auditoria_purge_allowed")


def _refused(sql, params=()):
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_editing_an_audit_row_is_refused(guarded):
    actividad = ActividadFactory(descripcion="original")
    _refused("UPDATE actividades SET descripcion = 'reescrita'")
    actividad.refresh_from_db()
    assert actividad.descripcion == "original"


def test_deleting_an_audit_row_is_refused(guarded):
    ActividadFactory()
    _refused("DELETE FROM actividades")
    assert Actividad.objects.count() == 1


@pytest.mark.postgresql
def test_truncating_the_audit_trail_is_refused(guarded):
    if connection.vendor != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL's")
    ActividadFactory()
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending checks before TRUNCATE
    _refused("TRUNCATE actividades")


def test_deleting_the_actor_only_clears_the_reference(guarded):
    actor = UserFactory()
    actividad = ActividadFactory(user=actor, descripcion="subió un plano")
    actor.delete()
    actividad.refresh_from_db()
    assert (actividad.user_id, actividad.descripcion) == (None, "subió un plano")


def test_clearing_a_reference_while_changing_anything_else_is_refused(guarded):
    actividad = ActividadFactory()
    _refused(
        "UPDATE actividades SET user_id = NULL, descripcion = 'otra' WHERE id = %s",
        [Actividad._meta.pk.get_db_prep_value(actividad.pk, connection)],
    )


def test_the_feed_pages_by_keyset_newest_first_without_overlap():
    proyecto = ProyectoFactory()
    rows = [ActividadFactory(proyecto=proyecto, workspace=proyecto.workspace) for _ in range(7)]
    ActividadFactory()  # another project's row
    first = feed(proyecto=proyecto, limit=3)
    second = feed(proyecto=proyecto, after=first[-1], limit=3)
    third = feed(proyecto=proyecto, after=second[-1], limit=3)
    seen = [a.pk for a in first + second + third]
    assert len(seen) == len(set(seen)) == 7
    expected = sorted(rows, key=lambda a: (a.created_at, a.pk), reverse=True)
    assert seen == [a.pk for a in expected]
    assert feed(workspace=proyecto.workspace, limit=10)[0].pk == expected[0].pk
