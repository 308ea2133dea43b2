"""The audit trail is append-only in the database, and its feeds page by keyset."""

import pytest
from django.db import IntegrityError, connection, transaction

from accounts.tests.factories import UserFactory
from auditoria.models import Actividad
from auditoria.selectors import feed
from auditoria.services import audit_purge_allowed
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


# A copy of every row with another description, as an insert: it collides on the id.
_REWRITE = (
    "(id, tipo, entidad_tipo, entidad_id, descripcion, created_at) "
    "SELECT id, tipo, entidad_tipo, entidad_id, 'reescrita', created_at FROM actividades "
    "WHERE true"
)
# The row's key: (id, created_at) on PostgreSQL, where the table is partitioned by month.
_KEY = "{key}"
# Every SQL form that could change or remove an audit row: (name, databases, statement).
REWRITES = [
    ("UPDATE", {"sqlite", "postgresql"}, "UPDATE actividades SET descripcion = 'reescrita'"),
    ("UPDATE OR REPLACE", {"sqlite"}, "UPDATE OR REPLACE actividades SET descripcion = 'x'"),
    ("DELETE", {"sqlite", "postgresql"}, "DELETE FROM actividades"),
    ("TRUNCATE", {"postgresql"}, "TRUNCATE actividades"),
    (
        "upsert ON CONFLICT DO UPDATE",
        {"sqlite", "postgresql"},
        f"INSERT INTO actividades {_REWRITE} "
        f"ON CONFLICT {_KEY} DO UPDATE SET descripcion = excluded.descripcion",
    ),
    ("INSERT OR REPLACE", {"sqlite"}, f"INSERT OR REPLACE INTO actividades {_REWRITE}"),
    ("REPLACE INTO", {"sqlite"}, f"REPLACE INTO actividades {_REWRITE}"),
    (
        "MERGE ... UPDATE",
        {"postgresql"},
        "MERGE INTO actividades a USING (SELECT id FROM actividades) s ON a.id = s.id "
        "WHEN MATCHED THEN UPDATE SET descripcion = 'reescrita'",
    ),
    (
        "MERGE ... DELETE",
        {"postgresql"},
        "MERGE INTO actividades a USING (SELECT id FROM actividades) s ON a.id = s.id "
        "WHEN MATCHED THEN DELETE",
    ),
]


def _key():
    return "(id, created_at)" if connection.vendor == "postgresql" else "(id)"


@pytest.mark.parametrize(
    ("form", "vendors", "sql"), REWRITES, ids=[form for form, _v, _s in REWRITES]
)
def test_rewriting_an_audit_row_is_refused_whatever_the_sql(
    guarded, reliability, form, vendors, sql
):
    if connection.vendor not in vendors:
        pytest.skip(f"{form} is not SQL of {connection.vendor}")
    actividad = ActividadFactory(descripcion="original")
    if form == "TRUNCATE":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending checks before TRUNCATE
    _refused(sql.format(key=_key()))
    reliability.tried(
        "audit", f"`{form}` against the audit trail", "refused by the database; row unchanged"
    )
    assert list(Actividad.objects.values_list("pk", "descripcion")) == [(actividad.pk, "original")]


def test_a_new_audit_row_is_still_written_next_to_existing_ones(guarded):
    ActividadFactory()
    ActividadFactory()
    assert Actividad.objects.count() == 2


def test_a_purge_may_replace_rows(guarded):
    """The purge flag lets everything through, REPLACE's delete (SQLite) included."""
    ActividadFactory(descripcion="original")
    sql = (
        f"REPLACE INTO actividades {_REWRITE}"
        if connection.vendor == "sqlite"
        else (
            f"INSERT INTO actividades {_REWRITE} "
            f"ON CONFLICT {_key()} DO UPDATE SET descripcion = excluded.descripcion"
        )
    )
    with audit_purge_allowed(), connection.cursor() as cursor:
        cursor.execute(sql)
    assert list(Actividad.objects.values_list("descripcion", flat=True)) == ["reescrita"]


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
