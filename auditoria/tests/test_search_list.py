"""Searching the audit trail's list: month by month on PostgreSQL, the same rows everywhere.

A search reads the newest month first and goes back until the page is full
(auditoria.admin.ActividadAdmin.read_ranges): each month is planned alone, so a
rare or absent word is read from that month's trigram index and a common one
from its order index, never every month's at once. Words of fewer than three
characters are not searched: no trigram index can answer them.
"""

import datetime

import pytest
from django.contrib import admin
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.tests.factories import UserFactory
from admin_kit.paginators import BoundedCountPaginator
from auditoria import partitions
from auditoria.models import Actividad
from auditoria.tests.factories import ActividadFactory, create_month_partitions
from core.roles import RolGlobal
from core.testing import relations_read

pytestmark = pytest.mark.django_db

URL = "admin:auditoria_actividad_changelist"
PER_PAGE = 4
MONTHS = [(2024, month) for month in range(1, 7)]


@pytest.fixture
def owner_client(client):
    client.force_login(UserFactory(rol_global=RolGlobal.OWNER))
    return client


@pytest.fixture
def trail():
    """Rows over six months, one in five saying "clave" (two in June and January, one in
    each other month); a partition per month on PostgreSQL."""
    create_month_partitions(MONTHS)
    for n in range(36):
        year, month = MONTHS[n % len(MONTHS)]
        ActividadFactory(
            descripcion=f"Editar {'clave' if n % 5 == 0 else 'otro'} {n}",
            created_at=datetime.datetime(year, month, 1 + n // 2, 12, tzinfo=datetime.UTC),
        )
    yield
    partitions.forget_month_bounds()  # the months' partitions go with the test's transaction


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr(admin.site.get_model_admin(Actividad), "list_per_page", PER_PAGE)
    monkeypatch.setattr(BoundedCountPaginator, "max_pages", 2)


def _walk(client, params):
    """Every row the list shows for `params`: numbered pages, then keyset pages."""
    response = client.get(reverse(URL) + "?" + params)
    assert response.status_code == 200
    cl = response.context["cl"]
    seen, number = [row.pk for row in cl.result_list], 1
    while cl.older_url is None and cl.multi_page and cl.paginator.num_pages > number:
        number += 1
        cl = client.get(reverse(URL) + f"?{params}&p={number}").context["cl"]
        seen += [row.pk for row in cl.result_list]
    while cl.older_url is not None:
        cl = client.get(reverse(URL) + cl.older_url).context["cl"]
        seen += [row.pk for row in cl.result_list]
    return seen


@pytest.mark.usefixtures("trail", "small_pages")
@pytest.mark.parametrize("term", ["clave", "CLAVE editar", "nada"])
def test_a_search_lists_every_match_newest_first_like_one_sorted_query(owner_client, term):
    rows = Actividad.objects.order_by("-created_at", "-id")
    for word in term.split():
        rows = rows.filter(descripcion__icontains=word)
    assert _walk(owner_client, f"q={term.replace(' ', '+')}") == [a.pk for a in rows]


@pytest.mark.usefixtures("trail")
@pytest.mark.parametrize("term", ["4", "cl", '"cl"'])
def test_a_word_shorter_than_three_characters_finds_nothing_and_the_page_says_why(
    owner_client, term
):
    response = owner_client.get(reverse(URL), {"q": term})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == []
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        f"La búsqueda usa palabras de 3 caracteres o más: «{term.strip(chr(34))}» no se busca."
    ]


@pytest.mark.usefixtures("trail")
def test_the_short_words_of_a_search_are_left_out_and_the_rest_is_searched(owner_client):
    response = owner_client.get(reverse(URL), {"q": "clave 3"})
    expected = Actividad.objects.filter(descripcion__icontains="clave")
    assert {row.pk for row in response.context["cl"].result_list} == set(
        expected.order_by("-created_at", "-id").values_list("pk", flat=True)[:50]
    )


@pytest.mark.postgresql
@pytest.mark.usefixtures("trail", "small_pages")
def test_a_search_plans_each_month_alone_newest_first_and_reads_the_page_back_by_key(
    owner_client,
):
    if connection.vendor != "postgresql":
        pytest.skip("the trail is partitioned on PostgreSQL only")
    partitions.month_bounds()  # read once: the page reads no catalog
    with CaptureQueriesContext(connection) as ran:
        response = owner_client.get(reverse(URL), {"q": "clave"})
    assert len(response.context["cl"].result_list) == PER_PAGE
    searched = [q["sql"] for q in ran.captured_queries if "ORDER BY" in q["sql"]]
    reads = [relations_read(sql) - {"users", "workspaces", "proyectos"} for sql in searched]
    # This month's (empty) range and the months ahead, then June back to March:
    # the five newest matches (a page and one more row) lie there.
    ahead, *months, page = reads
    # June's range reaches up to the test database's months ahead: the months between
    # have no partition, so DEFAULT is read there too.
    assert months == [
        {"actividades_2024_06", "actividades_default"},
        *({f"actividades_2024_{m:02}"} for m in (5, 4, 3)),
    ]
    # The page's rows read back by key, in the months of the rows read (and no others).
    assert page == {f"actividades_2024_{m:02}" for m in (6, 5, 4, 3)}
    assert "actividades_2024_01" not in ahead
