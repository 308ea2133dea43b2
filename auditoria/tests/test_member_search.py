"""A member's search of the audit trail: bounded work per page, every match reachable.

A word common in the trail but rare in a member's scopes would otherwise be
read month after month to the oldest row, each month's trigram index at a
time. Scopes that are whole workspaces are searched month by month and scope
by scope, counted in the newest months only ("N o más") and read at most
`BoundedCountPaginator.search_ranges` months a page; past them «más
antiguas» goes on where the page stopped. A guest's projects are small: they
are walked in their own index, the pattern checked row by row, with no
trigram index. Either way, following the links lists every match once, in
order, as one sorted query would.
"""

import datetime

import pytest
from django.contrib import admin
from django.contrib.messages import get_messages
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.tests.factories import UserFactory
from admin_kit.changelist import AFTER_VAR
from admin_kit.paginators import BoundedCountPaginator
from auditoria import partitions
from auditoria.models import Actividad
from auditoria.tests.factories import ActividadFactory, create_month_partitions
from core.roles import RolGlobal
from core.testing import indexes_planned
from proyectos.tests.factories import ProyectoFactory, ProyectoMemberFactory
from workspaces.tests.factories import WorkspaceFactory, WorkspaceMemberFactory

pytestmark = pytest.mark.django_db

URL = "admin:auditoria_actividad_changelist"
PER_PAGE = 4
MONTHS = [(2024, month) for month in range(1, 9)]
JULY, AUGUST = (datetime.datetime(2024, m, 1, tzinfo=datetime.UTC) for m in (7, 8))


@pytest.fixture
def world():
    """Eight months of rows in workspaces A (the member's), C and D; one in three says
    "clave". The member is in A and in project pC of C alone; the guest in pA of A."""
    create_month_partitions(MONTHS)
    a, c, d = (WorkspaceFactory() for _ in range(3))
    p_a, p_c = ProyectoFactory(workspace=a), ProyectoFactory(workspace=c)
    member = UserFactory()
    WorkspaceMemberFactory(workspace=a, user=member, rol="member")
    ProyectoMemberFactory(proyecto=p_c, user=member, rol="viewer", workspace_membership=False)
    guest = UserFactory(rol_global=RolGlobal.GUEST)
    ProyectoMemberFactory(proyecto=p_a, user=guest, rol="viewer")
    places = [(a, None), (a, p_a), (c, p_c), (c, None), (d, None)]
    for n in range(80):
        year, month = MONTHS[n % len(MONTHS)]
        workspace, proyecto = places[n % len(places)]
        ActividadFactory(
            workspace=workspace,
            proyecto=proyecto,
            descripcion=f"Editar {'clave' if n % 3 == 0 else 'otro'} {n}",
            created_at=datetime.datetime(year, month, 1 + n // 8, 12, tzinfo=datetime.UTC),
        )
    yield {
        "member": (member, Q(workspace=a) | Q(proyecto=p_c)),
        "guest": (guest, Q(proyecto=p_a)),
    }
    partitions.forget_month_bounds()  # the months' partitions go with the test's transaction


@pytest.fixture
def small_window(monkeypatch):
    monkeypatch.setattr(admin.site.get_model_admin(Actividad), "list_per_page", PER_PAGE)
    monkeypatch.setattr(BoundedCountPaginator, "max_pages", 2)
    monkeypatch.setattr(BoundedCountPaginator, "count_ranges", 2)
    monkeypatch.setattr(BoundedCountPaginator, "search_ranges", 3)


def _walk(client, params):
    """Every row the list shows: numbered pages, then the «más antiguas» links to the end."""
    response = client.get(reverse(URL) + "?" + params)
    assert response.status_code == 200
    cl = response.context["cl"]
    seen, number, pages = [row.pk for row in cl.result_list], 1, 1
    while cl.older_url is None and cl.multi_page and cl.paginator.num_pages > number:
        number += 1
        cl = client.get(reverse(URL) + f"?{params}&p={number}").context["cl"]
        seen += [row.pk for row in cl.result_list]
    while cl.older_url is not None:
        assert AFTER_VAR in cl.older_url
        pages += 1
        assert pages < 40, "the links go round in circles"
        response = client.get(reverse(URL) + cl.older_url)
        assert response.status_code == 200, (response.status_code, response.get("Location"))
        cl = response.context["cl"]
        seen += [row.pk for row in cl.result_list]
    return seen


def _expected(scope, word):
    rows = Actividad.objects.filter(scope, descripcion__icontains=word)
    return list(rows.order_by("-created_at", "-id").values_list("pk", flat=True))


@pytest.mark.usefixtures("small_window")
@pytest.mark.parametrize("role", ["member", "guest"])
@pytest.mark.parametrize("word", ["clave", "otro", "nada"])
def test_following_the_links_lists_every_match_of_a_scoped_search_once(client, world, role, word):
    user, scope = world[role]
    client.force_login(user)
    assert _walk(client, f"q={word}") == _expected(scope, word)


@pytest.mark.postgresql
@pytest.mark.usefixtures("small_window")
def test_a_members_search_reads_a_window_of_months_and_says_where_it_stopped(client, world):
    if connection.vendor != "postgresql":
        pytest.skip("the trail is partitioned by month on PostgreSQL only")
    user, scope = world["member"]
    client.force_login(user)
    with CaptureQueriesContext(connection) as ran:
        response = client.get(reverse(URL), {"q": "clave"})
    cl = response.context["cl"]
    # Counted in the newest two ranges only (one of them the empty months to come).
    assert cl.paginator.count_is_partial
    assert cl.result_count == len(_expected(scope & Q(created_at__gte=AUGUST), "clave"))
    assert "o más" in response.content.decode()
    # Three ranges read for the page, the rows of the newest months in them.
    reads = [
        q["sql"]
        for q in ran.captured_queries
        if "LIKE" in q["sql"] and "LIMIT" in q["sql"] and not q["sql"].startswith("SELECT COUNT")
    ]
    assert len(reads) == 3, reads
    in_window = _expected(scope & Q(created_at__gte=JULY), "clave")
    assert [row.pk for row in cl.result_list] == in_window[:PER_PAGE]
    assert len(in_window) < PER_PAGE, "the window holds less than a page of matches"
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "La búsqueda llegó hasta el 30 de junio de 2024 a las 19:00: «más antiguas» la sigue "
        "en las fechas anteriores."
    ]
    # The link goes on below the window, not back into it.
    older = client.get(reverse(URL) + cl.older_url).context["cl"]
    assert [row.pk for row in older.result_list][:1] == _expected(
        scope & Q(created_at__lt=JULY), "clave"
    )[:1]


@pytest.mark.postgresql
def test_a_guests_search_walks_their_project_not_the_trigram_index(client, world):
    if connection.vendor != "postgresql":
        pytest.skip("query plans are PostgreSQL's")
    user, scope = world["guest"]
    client.force_login(user)
    with CaptureQueriesContext(connection) as ran:
        response = client.get(reverse(URL), {"q": "clave"})
    assert [row.pk for row in response.context["cl"].result_list] == _expected(scope, "clave")
    sqls = [q["sql"] for q in ran.captured_queries]
    assert "SET LOCAL enable_bitmapscan = off" in sqls
    searched = [sql for sql in sqls if "LIKE" in sql]
    assert searched, sqls
    for sql in searched:
        # Planned as if the months held rows (an empty partition is scanned whole).
        indexes = indexes_planned(sql, "enable_bitmapscan = off", "enable_seqscan = off")
        assert all("upper" not in name and "trgm" not in name for name in indexes), indexes
        assert any(name.endswith("proyecto_id_created_at_id_idx") for name in indexes), indexes
    # The rows themselves are read back by their keys, the pattern not applied again.
    assert "LIKE" not in sqls[-1] and '"actividades"."id" IN' in sqls[-1]
