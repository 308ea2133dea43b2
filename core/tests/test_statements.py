"""core.statements.Compiled: compiled once, the same rows as the queryset for any values."""

import datetime

import pytest
from django.db.models import F

from auditoria.models import Actividad
from auditoria.tests.factories import ActividadFactory
from core.statements import Compiled
from proyectos.tests.factories import ProyectoFactory

pytestmark = pytest.mark.django_db

CREATED_AT = Actividad._meta.get_field("created_at")


def _build(proyecto_id, since):
    return (
        Actividad.objects.filter(proyecto_id=proyecto_id, created_at__gte=since)
        .annotate(autor=F("user__nombre"))
        .order_by("-created_at", "-id")
        .values_list("id", "created_at", "metadata", "autor")
    )


def test_a_compiled_statement_reads_what_its_queryset_reads_for_other_values():
    compiled = Compiled(
        _build, {"proyecto_id": Actividad._meta.get_field("proyecto_id"), "since": CREATED_AT}
    )
    start = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    proyectos = [ProyectoFactory(), ProyectoFactory()]
    for n, proyecto in enumerate(proyectos * 4):
        ActividadFactory(
            proyecto=proyecto,
            created_at=start + datetime.timedelta(days=n),
            metadata={"evento": f"x.{n}", "ñ": [1, {"a": None}]},
        )
    for proyecto in proyectos:
        for since in (start, start + datetime.timedelta(days=3, microseconds=7)):
            expected = list(_build(proyecto.pk, since))
            assert expected and compiled.rows(proyecto_id=proyecto.pk, since=since) == expected
    # Converted as the ORM converts (SQLite keeps UUIDs and dates as text).
    row = compiled.rows(proyecto_id=proyectos[0].pk, since=start)[0]
    assert isinstance(row[1], datetime.datetime) and isinstance(row[2], dict)


def test_a_slot_the_statement_does_not_use_is_refused():
    def build(proyecto_id, since):
        return Actividad.objects.filter(proyecto_id=proyecto_id).values_list("id")

    with pytest.raises(ValueError, match="does not use since"):
        Compiled(
            build, {"proyecto_id": Actividad._meta.get_field("proyecto_id"), "since": CREATED_AT}
        )
