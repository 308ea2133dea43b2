"""The feeds' reading plan: month ranges that tile the timeline, the same rows on every database."""

from datetime import UTC, datetime

import pytest

from auditoria.selectors import feed, month_ranges
from auditoria.tests.factories import ActividadFactory
from proyectos.tests.factories import ProyectoFactory


def first(year, month):
    return datetime(year, month, 1, tzinfo=UTC)


def test_month_ranges_tile_the_timeline_newest_first_and_stop_after_the_newest_months():
    bounds = [first(2024, m) for m in (6, 5, 4, 3, 2, 1)]
    assert list(month_ranges(bounds, upper=first(2024, 4), months=2)) == [
        (first(2024, 4), None),  # months beginning after the upper bound are left out
        (first(2024, 3), first(2024, 4)),
        (None, first(2024, 3)),
    ]
    assert list(month_ranges([], upper=None)) == [(None, None)]  # a plain table: one read
    # The first range may span several months (a feed's first read: its newest two).
    assert list(month_ranges(bounds, upper=first(2024, 4), months=2, first=2)) == [
        (first(2024, 3), None),
        (first(2024, 2), first(2024, 3)),
        (None, first(2024, 2)),
    ]
    assert list(month_ranges(bounds[:1], first=2)) == [(None, None)]


@pytest.mark.django_db
def test_the_feed_pages_rows_of_many_months_in_order_like_one_query():
    proyecto = ProyectoFactory()
    rows = [
        ActividadFactory(proyecto=proyecto, created_at=datetime(2024, month, day, 12, tzinfo=UTC))
        for month in range(1, 8)
        for day in (3, 17)
    ]
    pages, after = [], None
    while page := feed(proyecto=proyecto, after=after, limit=3):
        pages.append(page)
        after = page[-1]
    assert [a.pk for page in pages for a in page] == [
        a.pk for a in sorted(rows, key=lambda a: (a.created_at, a.pk), reverse=True)
    ]


@pytest.mark.django_db
def test_a_feed_row_is_the_activity_with_its_authors_name_in_one_query(
    django_assert_num_queries,
):
    from accounts.tests.factories import UserFactory
    from auditoria.models import Actividad

    proyecto = ProyectoFactory()
    author = UserFactory(nombre="Ñusta Quispe")
    written = ActividadFactory(
        proyecto=proyecto, user=author, descripcion="subió «planos»", metadata={"evento": "x.y"}
    )
    anonymous = ActividadFactory(proyecto=proyecto, user=None, created_at=written.created_at)
    with django_assert_num_queries(1):
        rows = {row.pk: row for row in feed(proyecto=proyecto)}
    row = rows[written.pk]
    stored = Actividad.objects.get(pk=written.pk)
    for column in ("id", "created_at", "tipo", "entidad_tipo", "entidad_id", "descripcion"):
        assert getattr(row, column) == getattr(stored, column), column
    assert (row.metadata, row.evento, row.user_id) == ({"evento": "x.y"}, "x.y", author.pk)
    assert (row.proyecto_id, row.autor) == (proyecto.pk, "Ñusta Quispe")
    assert (rows[anonymous.pk].autor, rows[anonymous.pk].user_id) == (None, None)
