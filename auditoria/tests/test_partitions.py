"""`actividades` partitioned by month on PostgreSQL: routing, guards, plans, archive and restore."""

import io
import json
from datetime import UTC, datetime

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from auditoria import partitions
from auditoria.models import Actividad
from auditoria.selectors import feed
from auditoria.tests.factories import ActividadFactory
from core.testing import relations_read
from proyectos.tests.factories import ProyectoFactory

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite keeps a plain table")


def at(year, month, day=15):
    return datetime(year, month, day, 12, tzinfo=UTC)


def create_partition(month):
    with connection.cursor() as cursor:
        cursor.execute("SELECT actividades_create_partition(%s::date)", [month])
        return cursor.fetchone()[0]


def partition_of(actividad):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tableoid::regclass::text FROM actividades WHERE id = %s", [actividad.pk]
        )
        return cursor.fetchone()[0]


def rows_of(name):
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT * FROM "{name}" ORDER BY id')
        return cursor.fetchall()


def test_the_table_is_partitioned_by_range_of_created_at_with_a_composite_key():
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_partkeydef('actividades'::regclass)")
        assert cursor.fetchone() == ("RANGE (created_at)",)
        cursor.execute(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = 'actividades'::regclass AND contype = 'p'"
        )
        assert cursor.fetchone() == ("PRIMARY KEY (id, created_at)",)
    assert Actividad._meta.pk.name == "id"  # the ORM's key is unchanged


def test_a_new_row_lands_in_this_months_partition_and_the_orm_reads_it_back():
    actividad = Actividad.objects.create(descripcion="hoy")
    actividad.refresh_from_db()
    assert partition_of(actividad) == f"actividades_{actividad.created_at:%Y_%m}"
    assert Actividad.objects.get(pk=actividad.pk).descripcion == "hoy"


def test_a_row_without_its_months_partition_waits_in_default_until_the_command_moves_it():
    early = ActividadFactory(created_at=at(2019, 5))
    assert partition_of(early) == "actividades_default"
    out = io.StringIO()
    call_command("actividades_partitions", "--ahead", "1", stdout=out)
    assert "created actividades_2019_05" in out.getvalue()
    assert partition_of(early) == "actividades_2019_05"
    assert rows_of("actividades_default") == []


def test_truncating_one_partition_is_refused_like_the_whole_table():
    name = create_partition(at(2024, 2))
    ActividadFactory(created_at=at(2024, 2))
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('piliquarts.audit_purge', 'off', true)")
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f'TRUNCATE "{name}"')
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f'DELETE FROM "{name}"')
    assert len(rows_of(name)) == 1


def test_the_keyset_feed_pages_across_month_partitions():
    for month in (1, 2, 3):
        create_partition(at(2024, month))
    proyecto = ProyectoFactory()
    rows = [
        ActividadFactory(proyecto=proyecto, workspace=proyecto.workspace, created_at=at(2024, m, d))
        for m in (1, 2, 3)
        for d in (3, 20)
    ]
    pages, after = [], None
    while page := feed(proyecto=proyecto, after=after, limit=4):
        pages.append(page)
        after = page[-1]
    assert [a.pk for page in pages for a in page] == [
        a.pk for a in sorted(rows, key=lambda a: (a.created_at, a.pk), reverse=True)
    ]
    assert len({partition_of(a) for a in rows}) == 3


def _plan(queryset):
    return relations_read(*queryset.query.sql_with_params())


def test_a_feed_page_further_back_prunes_every_later_month_from_the_plan():
    for month in (1, 2, 3, 4):
        create_partition(at(2024, month))
    proyecto = ProyectoFactory()
    older = ActividadFactory(proyecto=proyecto, created_at=at(2024, 2))
    rows = Actividad.objects.filter(proyecto=proyecto)
    next_page = rows.filter(created_at__lte=older.created_at).exclude(
        created_at=older.created_at, id__gte=older.id
    )
    scanned = _plan(next_page.order_by("-created_at", "-id")[:50])
    assert {"actividades_2024_01", "actividades_2024_02"} <= scanned
    assert not scanned & {"actividades_2024_03", "actividades_2024_04"}
    march = datetime(2024, 3, 1, tzinfo=UTC), datetime(2024, 4, 1, tzinfo=UTC)
    one_month = rows.filter(created_at__gte=march[0], created_at__lt=march[1])
    assert _plan(one_month) == {"actividades_2024_03"}


def test_the_feed_reads_its_newest_months_first_then_each_month_alone_until_the_page_is_full():
    for month in (1, 2, 3, 4):
        create_partition(at(2024, month))
    partitions.forget_month_bounds()
    proyecto = ProyectoFactory()
    rows = [
        ActividadFactory(proyecto=proyecto, created_at=at(2024, m, d))
        for m in (1, 2, 3, 4)
        for d in (5, 10, 20)
    ]
    newest_first = sorted(rows, key=lambda a: (a.created_at, a.pk), reverse=True)
    after = newest_first[0]  # 2024-04-20: the page starts in April
    assert at(2024, 4).replace(day=1, hour=0) in partitions.month_bounds()  # read, then kept
    with CaptureQueriesContext(connection) as ran:
        page = feed(proyecto=proyecto, after=after, limit=6)
    assert [a.pk for a in page] == [a.pk for a in newest_first[1:7]]
    # April's two rows and March's three, then February's: two queries, each planned over
    # its months alone, the newest two at once (the one query over the whole table would
    # merge every month's index).
    scanned = [relations_read(query["sql"]) - {"users"} for query in ran.captured_queries]
    assert scanned == [{"actividades_2024_04", "actividades_2024_03"}, {"actividades_2024_02"}]


def test_archive_then_restore_gives_back_the_same_rows(tmp_path):
    name = create_partition(at(2020, 3))
    kept = ActividadFactory(descripcion="reciente")
    ActividadFactory.create_batch(5, created_at=at(2020, 3), metadata={"n": "tab\tline\nend"})
    before = rows_of(name)
    out = io.StringIO()
    call_command(
        "archive_actividades", "--older-than-months", "2", "--output", tmp_path, stdout=out
    )
    assert f"archived {name}: 5 rows" in out.getvalue()
    assert name not in {p.name for p in partitions.partitions()}
    assert not Actividad.objects.filter(created_at__lt=at(2021, 1)).exists()
    assert Actividad.objects.filter(pk=kept.pk).exists()
    archive = tmp_path / f"{name}.copy"
    manifest = json.loads((tmp_path / f"{name}.copy.manifest.json").read_text())
    assert manifest["rows"] == 5 and manifest["sha256"] == partitions.sha256(archive)

    call_command("restore_actividades", archive, stdout=io.StringIO())
    assert rows_of(name) == before
    with pytest.raises(CommandError, match="already holds rows"):
        call_command("restore_actividades", archive, stdout=io.StringIO())


def test_a_failed_export_drops_nothing_and_leaves_no_archive(tmp_path, monkeypatch):
    name = create_partition(at(2020, 4))
    ActividadFactory.create_batch(3, created_at=at(2020, 4))
    before = rows_of(name)
    monkeypatch.setattr(partitions, "_lines", lambda path: 2)  # the file misses a row
    with pytest.raises(CommandError, match="dropping nothing"):
        call_command("archive_actividades", "--older-than-months", "2", "--output", tmp_path)
    assert rows_of(name) == before
    assert list(tmp_path.iterdir()) == []


def test_a_damaged_archive_is_refused(tmp_path):
    name = create_partition(at(2020, 5))
    ActividadFactory.create_batch(2, created_at=at(2020, 5))
    partitions.archive(partitions.Partition(name, at(2020, 5).date()), tmp_path)
    archive = tmp_path / f"{name}.copy"
    archive.write_bytes(archive.read_bytes().replace(b"Actividad", b"Actividaz", 1))
    with pytest.raises(CommandError, match="SHA-256"):
        call_command("restore_actividades", archive)
    assert not Actividad.objects.filter(created_at__lt=at(2021, 1)).exists()
