"""Every list can be followed to its last row: numbered pages, then keyset pages; never "?e=1"."""

import datetime
import re
from html import unescape

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import AdminUserFactory, UserFactory
from admin_kit.changelist import Keyset
from admin_kit.paginators import BoundedCountPaginator
from auditoria.models import Actividad
from auditoria.tests.factories import ActividadFactory
from workspaces.tests.factories import WorkspaceFactory, WorkspaceMemberFactory

pytestmark = pytest.mark.django_db

URL = "admin:auditoria_actividad_changelist"
PER_PAGE = 3
MAX_QUERIES = 10


@pytest.fixture
def small_pages(monkeypatch):
    """Three rows a page, two numbered pages: the keyset pages start at the seventh row."""
    monkeypatch.setattr(admin.site.get_model_admin(Actividad), "list_per_page", PER_PAGE)
    monkeypatch.setattr(BoundedCountPaginator, "max_pages", 2)


@pytest.fixture
def trail():
    """Fourteen rows, several sharing a moment: the id decides between them."""
    base = timezone.now() - datetime.timedelta(days=1)
    tipos = ["crear", "editar", "eliminar", "comentar"]
    return [
        ActividadFactory(
            created_at=base + datetime.timedelta(minutes=n % 5), tipo=tipos[n % len(tipos)]
        )
        for n in range(14)
    ]


@pytest.fixture
def owner(client):
    user = AdminUserFactory()
    client.force_login(user)
    return user


def _ids(response):
    return [row.pk for row in response.context["cl"].result_list]


def _link(response, css):
    found = re.search(rf'href="([^"]*)" class="{css}"', response.text)
    return unescape(found.group(1)) if found else None


def _get(client, url, params=""):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url + params)
    assert response.status_code == 200, (params, response.status_code)
    assert len(queries) <= MAX_QUERIES, [q["sql"] for q in queries]
    return response


def _messages(response):
    return [str(m) for m in response.context["messages"]]


def _follow(client, url, first, css):
    """The ids of every page reached from `first` by the links of class `css`."""
    seen, response = [], first
    for _hop in range(50):
        seen.extend(_ids(response))
        following = _link(response, css)
        if following is None:
            return seen, response
        response = _get(client, url, following)
    raise AssertionError("the links never end")


@pytest.mark.usefixtures("small_pages", "owner")
def test_the_older_links_reach_the_oldest_row_in_the_lists_order(client, trail):
    url = reverse(URL)
    expected = list(Actividad.objects.order_by("-created_at", "-id").values_list("pk", flat=True))
    first = _get(client, url)
    page_two = _get(client, url, "?p=2")
    assert _link(first, "keyset-older") is None  # page 1 is not the last numbered page
    assert "más antiguas" in page_two.text
    seen, last = _follow(client, url, page_two, "keyset-older")
    assert _ids(first) + seen == expected
    assert last.context["cl"].on_keyset_page


@pytest.mark.usefixtures("small_pages", "owner")
def test_the_newer_links_walk_back_from_the_end_to_the_first_row(client, trail):
    url = reverse(URL)
    expected = list(Actividad.objects.order_by("-created_at", "-id").values_list("pk", flat=True))
    end = _get(client, url, "?antes=fin")
    assert _ids(end) == expected[-PER_PAGE:]
    assert _link(end, "keyset-older") is None  # nothing older than the oldest
    pages = [_ids(end)]
    response = end
    while (newer := _link(response, "keyset-newer")) is not None:
        response = _get(client, url, newer)
        pages.append(_ids(response))
    assert [pk for page in reversed(pages) for pk in page] == expected


@pytest.mark.usefixtures("small_pages", "owner")
def test_a_list_sorted_by_a_column_goes_on_in_that_order(client, trail):
    url = reverse(URL)
    # `o=1.-0`: by tipo (the list's second column), then newest first.
    expected = list(
        Actividad.objects.order_by("tipo", "-created_at", "-id").values_list("pk", flat=True)
    )
    first = _get(client, url, "?o=1.-0")
    page_two = _get(client, url, "?o=1.-0&p=2")
    seen, _last = _follow(client, url, page_two, "keyset-older")
    assert _ids(first) + seen == expected
    assert "siguientes" in page_two.text  # not a list by date


@pytest.mark.usefixtures("small_pages", "owner")
def test_a_list_sorted_through_a_relation_goes_on_in_the_models_order(client, trail):
    url = reverse(URL)
    # `o=4`: by the author (users' ordering, another table): past the numbered pages
    # the keyset pages start over in the model's own order, and reach every row once.
    page_two = _get(client, url, "?o=4&p=2")
    start = _get(client, url, _link(page_two, "keyset-older"))
    assert any("orden propio" in message for message in _messages(start))
    seen, _last = _follow(client, url, start, "keyset-older")
    expected = list(Actividad.objects.order_by("-created_at", "-id").values_list("pk", flat=True))
    assert seen == expected


@pytest.mark.usefixtures("small_pages", "owner")
@pytest.mark.parametrize(
    ("p", "shown", "says"),
    [
        ("200", 2, "La página 200 no existe"),
        ("99999999999999999999999", 2, "no existe"),
        ("abc", 1, "no es un número de página"),
        ("1e5", 1, "no es un número de página"),
        ("", 1, "no es un número de página"),
        ("0", 1, "empiezan en la 1"),
        ("-4", 1, "empiezan en la 1"),
    ],
)
def test_a_page_number_out_of_range_or_malformed_shows_the_nearest_page(
    client, trail, p, shown, says
):
    response = _get(client, reverse(URL), f"?p={p}")
    assert response.context["cl"].page_num == shown
    assert any(says in message for message in _messages(response))
    assert len(_ids(response)) == PER_PAGE
    if shown == 2:  # the last numbered page, and more rows beyond it
        assert any("siguen con el enlace «más antiguas»" in m for m in _messages(response))


@pytest.mark.usefixtures("small_pages", "owner")
@pytest.mark.parametrize(
    "params", ["?tras=basura", "?antes=%25%25", "?tras=WzFd", "?tras=WyJ4IiwxXQ"]
)
def test_a_broken_keyset_link_shows_the_first_page(client, trail, params):
    response = _get(client, reverse(URL), params)
    assert response.context["cl"].page_num == 1
    assert not response.context["cl"].on_keyset_page
    assert any("no es válido" in message for message in _messages(response))


@pytest.mark.usefixtures("owner")
@pytest.mark.parametrize("params", ["?p=200", "?p=x", "?tras=x", "?antes=fin"])
def test_a_list_on_one_page_shows_it_whatever_the_address(client, params):
    ActividadFactory.create_batch(2)
    response = _get(client, reverse(URL), params)
    assert len(_ids(response)) == 2


@pytest.mark.usefixtures("owner")
@pytest.mark.parametrize(
    "params", ["?evento=nada", "?created_at__gte=mañana", "?workspace=no-es-un-id"]
)
def test_wrong_filters_never_lead_to_the_error_page(client, params):
    ActividadFactory.create_batch(2)
    response = client.get(reverse(URL) + params, follow=True)
    assert response.status_code == 200
    assert all("e=1" not in url for url, _status in response.redirect_chain)
    assert any("no son válidos" in message for message in _messages(response))


@pytest.mark.usefixtures("small_pages")
def test_a_member_follows_their_own_trail_to_its_end(client, trail):
    """Scoped lists page the same way: a member sees their workspace's rows, all of them."""
    workspace = WorkspaceFactory()
    member = UserFactory()
    WorkspaceMemberFactory(workspace=workspace, user=member, rol="member")
    base = timezone.now() - datetime.timedelta(hours=1)
    mine = [
        ActividadFactory(workspace=workspace, created_at=base + datetime.timedelta(seconds=n % 4))
        for n in range(11)
    ]
    client.force_login(member)
    url = reverse(URL)
    page_two = _get(client, url, "?p=2")
    seen, _last = _follow(client, url, page_two, "keyset-older")
    expected = sorted(mine, key=lambda row: (row.created_at, row.pk), reverse=True)
    assert _ids(_get(client, url)) + seen == [row.pk for row in expected]


@pytest.mark.postgresql
def test_a_keyset_page_enters_the_lists_index_at_the_row(trail):
    if connection.vendor != "postgresql":
        pytest.skip("query plans are PostgreSQL's")
    queryset = Actividad.objects.order_by("-created_at", "-id")
    keyset = Keyset(queryset)
    after = queryset[7]
    page = queryset.filter(keyset.past(keyset.values_of(after))).values_list("pk", flat=True)
    assert list(page) == list(queryset.values_list("pk", flat=True))[8:]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE actividades")
        # With a few rows a sequential scan is cheaper; forbid it to see the index is usable.
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = page.all()[:PER_PAGE].explain()
    # Each month's actividades_newest_idx, entered at the row: not walked from the newest.
    assert "created_at_id_idx" in plan
    assert "Index Cond: (created_at <=" in plan
    assert "Sort  (" not in plan and "Seq Scan" not in plan
