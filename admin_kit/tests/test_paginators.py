"""The changelist paginator counts exactly only what is cheap, and bounds deep pages."""

import pytest
from django.core.paginator import InvalidPage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.tests.factories import AdminUserFactory
from admin_kit.paginators import BoundedCountPaginator
from auditoria.models import Actividad
from auditoria.tests.factories import ActividadFactory

pytestmark = pytest.mark.django_db


class SmallBoundPaginator(BoundedCountPaginator):
    exact_limit = 5
    max_pages = 2


def test_small_results_are_counted_exactly():
    ActividadFactory.create_batch(3)
    paginator = SmallBoundPaginator(Actividad.objects.all(), 2)
    assert paginator.count == 3
    assert not paginator.is_estimate


def test_large_results_are_estimated_past_the_exact_limit():
    ActividadFactory.create_batch(8)
    paginator = SmallBoundPaginator(Actividad.objects.all(), 2)
    if connection.vendor == "postgresql":
        assert paginator.count >= 6
        assert paginator.is_estimate
    else:  # no estimate to read: an exact count
        assert paginator.count == 8
        assert not paginator.is_estimate


@pytest.mark.postgresql
def test_the_estimate_plans_the_rows_keys_only():
    """The estimate needs the rows' number: the plan it reads selects no other column."""
    if connection.vendor != "postgresql":
        pytest.skip("the estimate is PostgreSQL's planner's")
    ActividadFactory.create_batch(8, tipo="editar")
    paginator = SmallBoundPaginator(Actividad.objects.filter(tipo="editar").order_by("-id"), 2)
    paginator.exact_limit = 0
    with CaptureQueriesContext(connection) as queries:
        counted = paginator.count
    (explain,) = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("EXPLAIN")]
    assert explain.split(" FROM ")[0] == 'EXPLAIN (FORMAT json) SELECT "actividades"."id" AS "pk"'
    assert "ORDER BY" not in explain
    assert paginator.is_estimate and counted >= 1


def test_the_list_says_when_its_count_is_an_estimate(client, monkeypatch):
    ActividadFactory.create_batch(8)
    monkeypatch.setattr(BoundedCountPaginator, "exact_limit", 5)
    client.force_login(AdminUserFactory())
    response = client.get(reverse("admin:auditoria_actividad_changelist"))
    footer = response.text.split('class="paginator"')[1].split("</nav>")[0]
    if connection.vendor == "postgresql":
        paginator = response.context["cl"].paginator
        expected = "más de 5" if paginator.count_is_lower_bound else f"unos {paginator.count}"
        assert expected in footer
    else:
        assert "8 actividades" in footer


@pytest.mark.postgresql
def test_a_search_the_planner_underestimates_says_more_than(client, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("the estimate is PostgreSQL's planner's")
    ActividadFactory.create_batch(8, descripcion="Subió el plano estructural")
    monkeypatch.setattr(BoundedCountPaginator, "exact_limit", 5)
    client.force_login(AdminUserFactory())
    url = reverse("admin:auditoria_actividad_changelist")
    response = client.get(url, {"q": "plano"})
    assert response.context["cl"].paginator.count_is_lower_bound
    assert "más de 5 actividades" in response.text


def test_deep_pages_are_not_offered():
    ActividadFactory.create_batch(8)
    paginator = SmallBoundPaginator(Actividad.objects.all(), 2)
    assert paginator.num_pages == 2
    assert len(paginator.page(2).object_list) == 2
    with pytest.raises(InvalidPage):
        paginator.page(3)


def test_a_deep_page_reads_ids_first_and_joins_only_its_own_rows():
    ActividadFactory.create_batch(7)
    queryset = Actividad.objects.select_related("user", "workspace").order_by("-created_at", "-id")
    expected = list(queryset)
    paginator = SmallBoundPaginator(queryset, 3)
    with CaptureQueriesContext(connection) as queries:
        rows = list(paginator.page(2).object_list)
    assert rows == expected[3:6]
    assert [row.user for row in rows] == [row.user for row in expected[3:6]]  # joined, no query
    selects = [q["sql"] for q in queries if q["sql"].startswith("SELECT")]
    ids_query, rows_query = [sql for sql in selects if "COUNT(" not in sql.upper()]
    assert "JOIN" not in ids_query.upper() and "OFFSET 3" in ids_query.upper()
    assert "JOIN" in rows_query.upper() and "OFFSET" not in rows_query.upper()


def test_changelist_never_counts_the_whole_table(client):
    ActividadFactory.create_batch(3)
    client.force_login(AdminUserFactory())
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("admin:auditoria_actividad_changelist"))
    assert response.status_code == 200
    counts = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]
    assert counts, "the changelist counts its rows"
    assert all("LIMIT 1001" in sql for sql in counts), counts


def test_activity_date_filter_offers_fixed_ranges_without_reading_the_table(client):
    ActividadFactory.create_batch(3)
    client.force_login(AdminUserFactory())
    url = reverse("admin:auditoria_actividad_changelist")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert "Últimos 7 días" in response.text
    assert not [q for q in queries if "DISTINCT" in q["sql"].upper()]
    this_year = response.context["cl"].get_query_string(
        {"created_at__gte": "2000-01-01 00:00:00+00:00"}
    )
    assert len(client.get(url + this_year).context["cl"].result_list) == 3
