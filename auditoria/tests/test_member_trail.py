"""A member's activity list reads each of their workspaces and projects from its own index.

The rows are those of `workspace_id IN (...) OR proyecto_id IN (...)`, read as
one query per scope merged in order (admin_kit.changelist.per_scope): the same
rows as the OR, in the same order, at a cost that does not grow with the table.
"""

import datetime

import pytest
from django.contrib import admin
from django.db import connection
from django.db.models import Q
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from admin_kit.changelist import AFTER_VAR, Keyset, ReadRanges, per_scope
from admin_kit.paginators import BoundedCountPaginator
from auditoria import partitions
from auditoria.models import Actividad
from auditoria.selectors import month_ranges
from auditoria.tests.factories import ActividadFactory
from core.roles import RolGlobal
from core.testing import plan_nodes, relations_read
from proyectos.tests.factories import ProyectoFactory, ProyectoMemberFactory
from workspaces.tests.factories import WorkspaceFactory, WorkspaceMemberFactory

pytestmark = pytest.mark.django_db

URL = "admin:auditoria_actividad_changelist"
PER_PAGE = 4
MAX_QUERIES = 10


@pytest.fixture
def world():
    """Workspaces A and B (the member's), C and D (not theirs); projects pA in A, pC in C.

    The member belongs to A and B, and to pC alone in C; the guest to pA and pC.
    Rows of pA also lie in A: the member must see them once.
    """
    a, b, c, d = (WorkspaceFactory() for _ in range(4))
    p_a, p_c = ProyectoFactory(workspace=a), ProyectoFactory(workspace=c)
    member = UserFactory()
    for workspace in (a, b):
        WorkspaceMemberFactory(workspace=workspace, user=member, rol="member")
    ProyectoMemberFactory(proyecto=p_a, user=member, rol="viewer")
    ProyectoMemberFactory(proyecto=p_c, user=member, rol="viewer", workspace_membership=False)
    guest = UserFactory(rol_global=RolGlobal.GUEST)
    for proyecto in (p_a, p_c):
        ProyectoMemberFactory(proyecto=proyecto, user=guest, rol="viewer")
    base = timezone.now() - datetime.timedelta(hours=2)
    places = [(a, None), (a, p_a), (b, None), (c, p_c), (c, None), (d, None), (None, p_c)]
    tipos = ["crear", "editar"]
    for n in range(42):
        workspace, proyecto = places[n % len(places)]
        ActividadFactory(
            workspace=workspace,
            proyecto=proyecto,
            tipo=tipos[n % 2],
            # Several rows share each moment: the id orders them.
            created_at=base + datetime.timedelta(seconds=n % 6),
        )
    return {"member": member, "guest": guest, "ws": [a, b], "proyectos": [p_a, p_c]}


def _expected(q, **filters):
    rows = Actividad.objects.filter(q, **filters).order_by("-created_at", "-id")
    return list(rows.values_list("pk", flat=True))


def _get(client, params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(URL) + params)
    assert response.status_code == 200
    assert len(queries) <= MAX_QUERIES, [q["sql"] for q in queries]
    return response


def _walk(client, params=""):
    """Every row of the list: numbered pages, then keyset pages to the end."""
    response = _get(client, "?" + params)
    cl = response.context["cl"]
    seen = [row.pk for row in cl.result_list]
    number = 1
    while cl.older_url is None and cl.paginator.num_pages > number and cl.multi_page:
        number += 1
        response = _get(client, f"?{params}&p={number}" if params else f"?p={number}")
        cl = response.context["cl"]
        seen += [row.pk for row in cl.result_list]
    while cl.older_url is not None:
        assert AFTER_VAR in cl.older_url
        response = _get(client, cl.older_url)
        cl = response.context["cl"]
        seen += [row.pk for row in cl.result_list]
    return seen


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr(admin.site.get_model_admin(Actividad), "list_per_page", PER_PAGE)
    monkeypatch.setattr(BoundedCountPaginator, "max_pages", 3)


@pytest.mark.usefixtures("small_pages")
@pytest.mark.parametrize("params", ["", "tipo__exact=editar"])
def test_a_member_reads_each_scope_and_sees_the_same_rows_as_the_or(client, world, params):
    a, b = world["ws"]
    p_a, p_c = world["proyectos"]
    client.force_login(world["member"])
    filters = {"tipo": "editar"} if params else {}
    expected = _expected(Q(workspace__in=[a, b]) | Q(proyecto__in=[p_a, p_c]), **filters)
    seen = _walk(client, params)
    assert seen == expected
    assert len(set(seen)) == len(seen)


@pytest.mark.usefixtures("small_pages")
def test_a_guest_reads_their_projects_alone(client, world):
    client.force_login(world["guest"])
    assert _walk(client) == _expected(Q(proyecto__in=world["proyectos"]))


@pytest.mark.usefixtures("small_pages")
@pytest.mark.parametrize("max_pages", [20, 3])
def test_the_member_list_counts_per_scope_as_far_as_its_numbered_pages(
    client, world, monkeypatch, max_pages
):
    """Exactly up to the last numbered page's rows; past them, "más de N" (the pages
    go on by keyset), with no estimate of the whole OR to plan."""
    monkeypatch.setattr(BoundedCountPaginator, "max_pages", max_pages)
    client.force_login(world["member"])
    a, b = world["ws"]
    with CaptureQueriesContext(connection) as ran:
        response = _get(client, "")
    expected = Actividad.objects.filter(
        Q(workspace__in=[a, b]) | Q(proyecto__in=world["proyectos"])
    ).count()
    cl, reach = response.context["cl"], max_pages * PER_PAGE
    assert expected > 3 * PER_PAGE
    assert cl.result_count == min(expected, reach)
    assert cl.paginator.count_is_lower_bound == (expected > reach)
    assert (f"más de {reach} " in response.content.decode()) == (expected > reach)
    assert not any(q["sql"].startswith("EXPLAIN") for q in ran.captured_queries)


@pytest.mark.usefixtures("small_pages")
def test_a_filtered_member_list_counts_to_the_exact_limit_and_reaches_every_row(
    client, world, monkeypatch
):
    """A filter the scopes' indexes do not hold costs a table row for each row counted:
    counted to `exact_limit`, "más de N", and the pages go on by keyset to the oldest."""
    monkeypatch.setattr(BoundedCountPaginator, "exact_limit", 5)
    client.force_login(world["member"])
    a, b = world["ws"]
    visible = Q(workspace__in=[a, b]) | Q(proyecto__in=world["proyectos"])
    expected = _expected(visible, tipo="editar")
    assert len(expected) > 3 * PER_PAGE, "past the numbered pages' reach as well"
    response = _get(client, "?tipo__exact=editar")
    cl = response.context["cl"]
    assert (cl.result_count, cl.paginator.count_is_lower_bound) == (5, True)
    assert cl.paginator.num_pages == 2
    assert "más de 5 " in response.content.decode()
    assert _walk(client, "tipo__exact=editar") == expected
    # Unfiltered, the same member's list is counted as far as its numbered pages reach.
    assert _get(client, "").context["cl"].result_count == 3 * PER_PAGE


def _member_page_query(world, limit=None, after=None):
    """The ids query of the member's first page (or the page after row `after`), as run."""
    request = RequestFactory().get(reverse(URL))
    request.user = world["member"]
    model_admin = admin.site.get_model_admin(Actividad)
    queryset = model_admin.get_queryset(request).order_by("-created_at", "-id")
    if after is not None:
        keyset = Keyset(queryset)
        queryset = queryset.filter(keyset.past(keyset.values_of(after)))
    merged = per_scope(
        queryset,
        ["-created_at", "-id"],
        model_admin.scope_branches(request),
        model_admin.rows_q(request),
        limit=limit,
    )
    assert merged is not None, "a member of several scopes reads them apart"
    return merged.statement(0, limit) if limit is not None else merged


def test_the_scopes_are_disjoint_and_cover_the_or(world):
    merged = _member_page_query(world)
    # Each branch stands in for the OR: none repeats it (the planner would count twice).
    sql, _params = merged.statement()
    assert " OR " not in sql.split('workspace_id" IS NULL')[0].upper()
    rows = merged.rows()
    a, b = world["ws"]
    ids = [row[-1] for row in rows]
    assert ids == _expected(Q(workspace__in=[a, b]) | Q(proyecto__in=world["proyectos"]))


def _crowd(world):
    """Thousands of rows in each of the member's scopes, ten times more elsewhere."""
    a, b = world["ws"]
    _p_a, p_c = world["proyectos"]
    places = [(a.pk, None, 3000), (b.pk, None, 3000), (p_c.workspace_id, p_c.pk, 3000)]
    with connection.cursor() as cursor:
        for workspace, proyecto, n in [*places, (None, None, 30_000)]:
            cursor.execute(
                "INSERT INTO actividades (id, workspace_id, proyecto_id, created_at) "
                "SELECT gen_random_uuid(), %s, %s, now() - make_interval(secs => g) "
                "FROM generate_series(1, %s) g",
                [workspace, proyecto, n],
            )
        cursor.execute("ANALYZE actividades")


def _uncrowd():
    """The crowd gone, and the statistics again the small table's (ANALYZE outlives rollback)."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM actividades WHERE descripcion = '' AND user_id IS NULL")
        cursor.execute("ANALYZE actividades")


def _assert_read_per_scope(statement, bound=None):
    # A month's partition that is empty costs nothing to scan and sort: forbid the
    # scan, so the plan shows what a partition holding rows gets.
    nodes = plan_nodes(*statement, "enable_seqscan = off")
    kinds = [node["Node Type"] for node in nodes]
    assert kinds[:2] == ["Limit", "Merge Append"], "the scopes' rows are merged in order"
    assert "Seq Scan" not in kinds and "Bitmap Heap Scan" not in kinds
    assert "Sort" not in kinds, "each scope's index gives the order: no sort of its rows"
    scans = [node for node in nodes if node["Node Type"] in ("Index Scan", "Index Only Scan")]
    branches = [node for node in nodes[2:] if node["Node Type"] == "Limit"]
    assert len(branches) == 4, "one read per scope, each stopping at the page's rows"
    for scan in scans:
        # Every index read starts at one scope: none walks the whole trail's index.
        cond = scan.get("Index Cond", "")
        assert "workspace_id =" in cond or "proyecto_id =" in cond, (scan["Index Name"], cond)
        assert scan["Index Name"].endswith(
            ("workspace_id_created_at_id_idx", "proyecto_id_created_at_id_idx")
        ), scan["Index Name"]
    if bound:
        # (A month wholly before the row needs no bound: PostgreSQL drops it there.)
        assert any(bound in scan.get("Index Cond", "") for scan in scans), scans


@pytest.mark.postgresql
def test_a_members_page_merges_the_per_scope_indexes(world):
    if connection.vendor != "postgresql":
        pytest.skip("query plans are PostgreSQL's")
    _crowd(world)
    try:
        _assert_read_per_scope(_member_page_query(world, limit=51))
        # Deep in the list (a keyset page): each scope's index is entered at the row.
        after = Actividad.objects.filter(workspace=world["ws"][0]).order_by("-created_at")[2000]
        _assert_read_per_scope(_member_page_query(world, limit=51, after=after), "created_at <=")
    finally:
        _uncrowd()


def test_gathered_ranges_tile_the_same_timeline_in_a_few_reads():
    months = [datetime.datetime(2024, m, 1, tzinfo=datetime.UTC) for m in range(9, 0, -1)]
    tiling = ReadRanges("created_at", tuple(month_ranges(months, months=len(months))))
    assert len(tiling.ranges) == 10  # the nine months, and before the first one
    gathered = tiling.gathered(first=2, alone=3).ranges
    # The newest two months at once (open above), three alone, then the rest at once.
    assert gathered == (
        (months[1], None),
        (months[2], months[1]),
        (months[3], months[2]),
        (months[4], months[3]),
        (None, months[4]),
    )
    assert tiling.gathered(first=2, alone=1).ranges == (
        (months[1], None),
        (months[2], months[1]),
        (None, months[2]),
    )
    few = ReadRanges("created_at", tuple(month_ranges(months[:1], months=1)))
    assert few.gathered().ranges == ((None, None),)  # one month and before it: one read


@pytest.fixture
def older_months(monkeypatch):
    """Partitions for January to April 2024 (PostgreSQL), small pages; the months are
    read from the catalog again before and after the test."""
    if connection.vendor != "postgresql":
        pytest.skip("the trail is partitioned by month on PostgreSQL only")
    monkeypatch.setattr(admin.site.get_model_admin(Actividad), "list_per_page", PER_PAGE)
    with connection.cursor() as cursor:
        for month in (1, 2, 3, 4):
            cursor.execute("SELECT actividades_create_partition('2024-%s-01'::date)", [month])
    partitions.forget_month_bounds()
    yield
    partitions.forget_month_bounds()


@pytest.mark.postgresql
@pytest.mark.usefixtures("older_months")
def test_a_members_first_page_reads_the_newest_months_not_every_partition(client, world):
    for month in (1, 2, 3, 4):  # older rows of the member's workspace, a month each
        ActividadFactory(
            workspace=world["ws"][0],
            created_at=datetime.datetime(2024, month, 15, tzinfo=datetime.UTC),
        )
    client.force_login(world["member"])
    with CaptureQueriesContext(connection) as ran:
        response = client.get(reverse(URL))
    assert response.status_code == 200
    reads = [q["sql"] for q in ran.captured_queries if q["sql"].startswith("SELECT * FROM (")]
    # The page is full within the newest two months (this month's, where the world's
    # rows are, and April 2024's): the older months are not even planned.
    assert len(reads) == 1
    read = relations_read(reads[0])
    assert "actividades_2024_04" in read, read
    assert not read & {f"actividades_2024_0{m}" for m in (1, 2, 3)}, read
    shown = [row.pk for row in response.context["cl"].result_list]
    visible = Q(workspace__in=world["ws"]) | Q(proyecto__in=world["proyectos"])
    assert shown == _expected(visible)[:PER_PAGE]


@pytest.mark.postgresql
@pytest.mark.usefixtures("older_months")
def test_a_quiet_filtered_trail_is_read_once_by_its_count(client, world):
    """A guest's «editar», fewer than `exact_limit` rows over many months, is counted
    through every month: the count reads the rows' keys, and the pages are served from
    them, not read again through the same months (each read plans their partitions)."""
    p_a, p_c = world["proyectos"]
    for month in (1, 2, 3, 4):  # older «editar» of the guest's projects, a month each
        for proyecto in (p_a, p_c):
            ActividadFactory(
                proyecto=proyecto,
                workspace=proyecto.workspace,
                tipo="editar",
                created_at=datetime.datetime(2024, month, 15, tzinfo=datetime.UTC),
            )
    expected = _expected(Q(proyecto__in=[p_a, p_c]), tipo="editar")
    assert len(expected) > 2 * PER_PAGE
    client.force_login(world["guest"])
    model_admin = admin.site.get_model_admin(Actividad)
    counted_in = model_admin.read_ranges(None).gathered(alone=1).ranges
    seen = []
    for number in (1, 2, 3):
        with CaptureQueriesContext(connection) as ran:
            response = _get(client, f"?tipo__exact=editar&p={number}")
        statements = [q["sql"] for q in ran.captured_queries]
        reads = [sql for sql in statements if sql.startswith("SELECT * FROM (")]
        assert len(reads) == len(counted_in), reads  # the count's, one a range
        assert not [sql for sql in statements if sql.startswith("SELECT COUNT(*)")]
        cl = response.context["cl"]
        assert cl.result_count == len(expected)
        seen += [row.pk for row in cl.result_list]
    assert seen == expected[: 3 * PER_PAGE]
    assert _walk(client, "tipo__exact=editar") == expected
