"""proyecto_totales follows `documentos` in the database, whoever writes and however."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from documentos.models import Documento, ProyectoTotales
from documentos.tests.factories import DocumentoFactory
from proyectos.tests.factories import ProyectoFactory

pytestmark = pytest.mark.django_db


def _kept():
    return {
        row.proyecto_id: (row.documentos, row.versiones, row.bytes)
        for row in ProyectoTotales.objects.all()
    }


def _summed():
    """What the totals must be: the aggregate the dashboard used to compute."""
    rows = (
        Documento.objects.order_by()
        .values("proyecto_id")
        .annotate(
            documentos=Count("id", filter=Q(deleted_at__isnull=True)),
            versiones=Sum("version"),
            bytes=Sum("size_bytes"),
        )
    )
    return {r["proyecto_id"]: (r["documentos"], r["versiones"], r["bytes"]) for r in rows}


def _assert_follows():
    kept = {pk: totals for pk, totals in _kept().items() if totals != (0, 0, 0)}
    assert kept == _summed()


def test_every_kind_of_write_is_followed():
    a, b = ProyectoFactory(), ProyectoFactory()
    planos = DocumentoFactory(proyecto=a, version=1, size_bytes=1_000)
    DocumentoFactory(proyecto=a, version=3, size_bytes=2_500)
    memoria = DocumentoFactory(proyecto=b, version=2, size_bytes=700)
    assert _kept()[a.pk] == (2, 4, 3_500)
    _assert_follows()

    Documento.objects.filter(pk=planos.pk).update(version=2, size_bytes=4_000)  # a new version
    assert _kept()[a.pk] == (2, 5, 6_500)
    Documento.objects.filter(pk=planos.pk).update(deleted_at=timezone.now())  # to the trash
    assert _kept()[a.pk] == (1, 5, 6_500)
    Documento.objects.filter(pk=planos.pk).update(deleted_at=None)  # back
    Documento.objects.filter(pk=memoria.pk).update(proyecto=a)  # moved to another project
    assert _kept()[b.pk] == (0, 0, 0)
    assert _kept()[a.pk] == (3, 7, 7_200)
    Documento.objects.filter(proyecto=a).update(nombre="renombrado")  # nothing counted changes
    assert _kept()[a.pk] == (3, 7, 7_200)
    Documento.objects.filter(pk=planos.pk).delete()
    assert _kept()[a.pk] == (2, 5, 3_200)
    _assert_follows()


def test_raw_sql_and_many_rows_in_one_statement_are_followed():
    proyecto = ProyectoFactory()
    DocumentoFactory.create_batch(3, proyecto=proyecto, version=1, size_bytes=10)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE documentos SET version = version + 1, size_bytes = size_bytes * 2 "
            "WHERE proyecto_id = %s",
            [proyecto.pk.hex if connection.vendor == "sqlite" else proyecto.pk],
        )
    assert _kept()[proyecto.pk] == (3, 6, 60)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM documentos")
    assert _kept()[proyecto.pk] == (0, 0, 0)


def test_deleting_a_project_deletes_its_totals():
    proyecto = ProyectoFactory()
    DocumentoFactory(proyecto=proyecto)
    proyecto.delete()
    assert not ProyectoTotales.objects.filter(proyecto_id=proyecto.pk).exists()


def test_totals_never_go_negative():
    proyecto = ProyectoFactory()
    DocumentoFactory(proyecto=proyecto, size_bytes=5)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProyectoTotales.objects.filter(proyecto=proyecto).update(bytes=-1)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no TRUNCATE")
@pytest.mark.django_db(transaction=True)  # TRUNCATE refuses a table with pending FK checks
def test_truncating_documents_empties_the_totals():
    DocumentoFactory(size_bytes=5)
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE documentos CASCADE")
    assert not ProyectoTotales.objects.exists()
