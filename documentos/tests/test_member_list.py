"""A member's document list reads each of their projects from its own index, then merges them.

The rows are those of `proyecto__workspace_id IN (...) OR proyecto_id IN (...)`,
read as one query per project (admin_kit.changelist.per_scope): the same rows
in the same order, at a cost that does not grow with the table.
"""

import uuid

import pytest
from django.contrib import admin
from django.db import connection
from django.db.models import Q
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from admin_kit.changelist import Lead, in_scopes, per_scope
from admin_kit.options import Branches
from admin_kit.paginators import BoundedCountPaginator
from core.testing import indexes_planned, plan_nodes
from documentos.models import Documento, DocumentoVersion, Folder, ProyectoTotales
from documentos.tests.factories import DocumentoFactory, DocumentoVersionFactory, FolderFactory
from proyectos.tests.factories import ProyectoFactory, ProyectoMemberFactory
from workspaces.tests.factories import WorkspaceFactory, WorkspaceMemberFactory

pytestmark = pytest.mark.django_db

URL = "admin:documentos_documento_changelist"
PER_PAGE = 4
MAX_QUERIES = 10
ORDER = ["nombre", "-id"]  # the list's order: Documento's, then the admin's tie-break


@pytest.fixture
def world():
    """Workspace A (the member's, projects a1 and a2); B with pB (the member's alone) and pX."""
    a, b = WorkspaceFactory(), WorkspaceFactory()
    a1, a2 = ProyectoFactory(workspace=a), ProyectoFactory(workspace=a)
    p_b, p_x = ProyectoFactory(workspace=b), ProyectoFactory(workspace=b)
    member = UserFactory()
    WorkspaceMemberFactory(workspace=a, user=member, rol="member")
    ProyectoMemberFactory(proyecto=p_b, user=member, rol="viewer", workspace_membership=False)
    for n in range(30):
        proyecto = [a1, a2, p_b, p_x][n % 4]
        # Names repeat across projects: the id decides between them.
        DocumentoFactory(proyecto=proyecto, nombre=f"plano-{n % 7}.pdf")
    DocumentoFactory(proyecto=a1, nombre="borrado.pdf", deleted_at=timezone.now())
    return {"member": member, "a": a, "mine": [a1, a2, p_b]}


def _expected(world):
    visible = Q(proyecto__workspace=world["a"]) | Q(proyecto__in=world["mine"])
    rows = Documento.objects.alive().filter(visible).order_by(*ORDER)
    return list(rows.values_list("pk", flat=True))


def _get(client, url, max_queries=MAX_QUERIES):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    assert len(queries) <= max_queries, "\n".join(q["sql"][:90] for q in queries)
    return response


def test_a_member_sees_the_same_documents_read_per_project(client, world, monkeypatch):
    monkeypatch.setattr(admin.site.get_model_admin(Documento), "list_per_page", PER_PAGE)
    monkeypatch.setattr(BoundedCountPaginator, "max_pages", 2)
    client.force_login(world["member"])
    url = reverse(URL)
    first = _get(client, url)
    assert first.context["cl"].result_count == len(_expected(world))
    seen = [row.pk for row in first.context["cl"].result_list]
    cl = _get(client, url + "?p=2").context["cl"]
    seen += [row.pk for row in cl.result_list]
    while cl.older_url is not None:
        cl = _get(client, url + cl.older_url).context["cl"]
        seen += [row.pk for row in cl.result_list]
    assert seen == _expected(world)


def _member_page_query(world, limit):
    request = RequestFactory().get(reverse(URL))
    request.user = world["member"]
    model_admin = admin.site.get_model_admin(Documento)
    queryset = model_admin.get_queryset(request).alive().order_by(*ORDER)
    branches = model_admin.scope_branches(request)
    assert len(branches) == 3, "one branch per project: a1 and a2 (of A), and pB"
    merged = per_scope(queryset, ORDER, branches, model_admin.rows_q(request), limit=limit)
    assert merged is not None
    return merged


def test_the_projects_are_disjoint_and_cover_the_or(world):
    assert [row[-1] for row in _member_page_query(world, None).rows()] == _expected(world)


def test_branches_compiled_once_are_the_branches_compiled_one_by_one(world):
    """per_scope compiles a group's first two branches and repeats them with each value."""
    request = RequestFactory().get(reverse(URL))
    request.user = world["member"]
    model_admin = admin.site.get_model_admin(Documento)
    queryset = model_admin.get_queryset(request).alive().order_by(*ORDER)
    branches, scope = model_admin.scope_branches(request), model_admin.rows_q(request)
    assert [len(values) for _field, values, _also in branches.groups] == [3]
    once = per_scope(queryset, ORDER, branches, scope, limit=51)
    each = per_scope(queryset, ORDER, list(branches), scope, limit=51)  # plain Qs
    assert once.statement(0, 51) == each.statement(0, 51)
    assert once.rows(0, 51) == each.rows(0, 51) != []
    # A value whose statement has another shape (NULL: IS NULL) is compiled by itself.
    folder = FolderFactory(proyecto=world["mine"][0])
    DocumentoFactory(proyecto=folder.proyecto, folder=folder)
    folders = Branches([("folder", [None, folder.pk, uuid.uuid4()], Q())], whole_workspaces=False)
    merged = per_scope(Documento.objects.order_by(*ORDER), ORDER, folders, limit=51)
    assert (
        merged.statement()
        == per_scope(Documento.objects.order_by(*ORDER), ORDER, list(folders), limit=51).statement()
    )
    assert [row[-1] for row in merged.rows()] == list(
        Documento.objects.filter(Q(folder=None) | Q(folder=folder))
        .order_by(*ORDER)
        .values_list("pk", flat=True)
    )


@pytest.fixture
def crowded(world):
    """Thousands of documents in each project (copies of one, renamed), analyzed."""
    if connection.vendor != "postgresql":
        pytest.skip("query plans are PostgreSQL's")
    model = Documento.objects.alive().filter(proyecto=world["mine"][0]).first()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO documentos SELECT (jsonb_populate_record(d, jsonb_build_object("
            "'id', gen_random_uuid(), 'nombre', 'copia-' || g, 'proyecto_id', p))).* "
            "FROM documentos d, generate_series(1, 3000) g, "
            "(SELECT DISTINCT proyecto_id AS p FROM documentos) ps WHERE d.id = %s",
            [model.pk],
        )
        cursor.execute("ANALYZE documentos")
    yield world
    with connection.cursor() as cursor:  # (ANALYZE outlives the test's rollback)
        cursor.execute("DELETE FROM documentos WHERE nombre LIKE 'copia-%%'")
        cursor.execute("ANALYZE documentos")


@pytest.mark.postgresql
def test_a_members_documents_merge_the_per_project_index(crowded):
    if connection.vendor != "postgresql":
        pytest.skip("query plans are PostgreSQL's")
    nodes = plan_nodes(*_member_page_query(crowded, 51).statement(0, 51))
    kinds = [node["Node Type"] for node in nodes]
    assert kinds[:2] == ["Limit", "Merge Append"], kinds
    assert "Seq Scan" not in kinds and "Sort" not in kinds, kinds
    scans = [node for node in nodes if node["Node Type"] in ("Index Scan", "Index Only Scan")]
    assert len(scans) == 3
    for scan in scans:
        assert scan["Index Name"] == "documentos_proy_nombre_idx"
        assert "proyecto_id =" in scan["Index Cond"]


def test_a_member_of_one_project_reads_it_alone_without_the_join(client, world):
    reader = UserFactory()
    p_b = world["mine"][2]
    ProyectoMemberFactory(proyecto=p_b, user=reader, rol="viewer", workspace_membership=False)
    client.force_login(reader)
    with CaptureQueriesContext(connection) as queries:
        cl = _get(client, reverse(URL)).context["cl"]
    expected = Documento.objects.alive().filter(proyecto=p_b).order_by(*ORDER)
    assert [row.pk for row in cl.result_list] == list(expected.values_list("pk", flat=True))
    # The list fits a page: its count is its one read by scope, the project's id alone.
    count = next(q["sql"] for q in queries if q["sql"].startswith("SELECT COUNT(*)"))
    assert "JOIN" not in count and " OR " not in count
    assert '"documentos"."proyecto_id" IN (' in count


@pytest.mark.parametrize("url", [URL, "admin:auditoria_actividad_changelist"])
def test_a_search_of_short_words_only_shows_an_empty_list_to_a_member(client, world, url):
    client.force_login(world["member"])
    response = client.get(reverse(url), {"q": "42"})
    assert response.status_code == 200
    assert response.context["cl"].result_count == 0
    assert "La búsqueda usa palabras de 3 caracteres o más" in response.content.decode()


@pytest.mark.parametrize("word", ["plano-3", "nada"])
def test_a_members_search_walks_each_project_without_the_trigram_index(client, world, word):
    """A project's documents are few: checking each against the pattern, in the
    project's own index, costs less than the pattern's matches over the whole table
    (every «documento-99…» of 1M, for each project: 450 ms at the large preset)."""
    client.force_login(world["member"])
    with CaptureQueriesContext(connection) as ran:
        response = client.get(reverse(URL), {"q": word})
    expected = [
        pk
        for pk in _expected(world)
        if word in Documento.objects.get(pk=pk).nombre  # the same rows, in the same order
    ]
    assert [row.pk for row in response.context["cl"].result_list] == expected
    if connection.vendor != "postgresql":
        return
    sqls = [q["sql"] for q in ran.captured_queries]
    assert "SET LOCAL enable_bitmapscan = off" in sqls
    for sql in (sql for sql in sqls if "LIKE" in sql):
        # Planned as if the projects held rows: from a btree index, no trigram index.
        indexes = indexes_planned(sql, "enable_bitmapscan = off", "enable_seqscan = off")
        assert indexes and not any("trgm" in name for name in indexes), indexes


VERSIONS_URL = "admin:documentos_documentoversion_changelist"


@pytest.fixture
def versions(world):
    """One to three versions of each document; one document (of a2) with none at all,
    as another program may leave it: the list reads past it all the same."""
    for n, documento in enumerate(Documento.objects.order_by("id")):
        for version in range(1, 2 + n % 3):
            DocumentoVersionFactory(documento=documento, version=version)
    DocumentoFactory(proyecto=world["mine"][1], nombre="plano-sin-versiones.pdf")


def _versions_expected(world, word=""):
    visible = Q(documento__proyecto__workspace=world["a"]) | Q(
        documento__proyecto__in=world["mine"]
    )
    rows = DocumentoVersion.objects.filter(visible, documento__nombre__icontains=word)
    return list(rows.order_by("documento_id", "-version").values_list("pk", flat=True))


def _walk_versions(client, params, most):
    """Every version the list shows: numbered pages, then keyset pages, and the same
    list back from its end by «más recientes»."""
    url = reverse(VERSIONS_URL)
    cl = _get(client, url + params, most).context["cl"]
    seen = [row.pk for row in cl.result_list]
    if cl.multi_page:
        cl = _get(client, url + params + "&p=2", most).context["cl"]
        seen += [row.pk for row in cl.result_list]
    while cl.older_url is not None:
        cl = _get(client, url + cl.older_url, most).context["cl"]
        seen += [row.pk for row in cl.result_list]
    cl = _get(client, url + params + "&antes=fin", most).context["cl"]
    back = [row.pk for row in cl.result_list]
    while cl.newer_url is not None:
        cl = _get(client, url + cl.newer_url, most).context["cl"]
        back = [row.pk for row in cl.result_list] + back
    return seen, back


@pytest.mark.usefixtures("versions")
@pytest.mark.parametrize("word", ["", "plano-3", "nada"])
@pytest.mark.parametrize("tries", [Lead.tries, (0,)])
@pytest.mark.parametrize("gather_limit", [Lead.gather_limit, 0])
def test_a_members_versions_are_read_through_their_documents(
    client, world, monkeypatch, word, tries, gather_limit
):
    """The same rows, in the same order, on numbered and keyset pages both ways; with
    one try of a single document, the read goes on with the plain query. On PostgreSQL,
    each project's first documents gathered, or every project's merged (gather_limit 0)."""
    monkeypatch.setattr(admin.site.get_model_admin(DocumentoVersion), "list_per_page", PER_PAGE)
    monkeypatch.setattr(BoundedCountPaginator, "max_pages", 2)
    monkeypatch.setattr(Lead, "tries", tries)
    monkeypatch.setattr(Lead, "gather_limit", gather_limit)
    client.force_login(world["member"])
    expected = _versions_expected(world, word)
    # The plain read after the tries costs a query or two more.
    most = MAX_QUERIES if len(tries) > 1 else MAX_QUERIES + 2
    first = _get(client, reverse(VERSIONS_URL) + f"?q={word}", most)
    assert first.context["cl"].result_count == len(expected)
    assert _walk_versions(client, f"?q={word}", most) == (expected, expected)


@pytest.mark.usefixtures("versions")
@pytest.mark.parametrize("word", ["", "plano"])
def test_a_members_versions_are_counted_from_their_projects_totals(
    client, world, monkeypatch, word
):
    """Past the exact count's limit, unsearched: the totals the database keeps for their
    projects, neither counted to the limit nor estimated by the planner. A search counts."""
    monkeypatch.setattr(admin.site.get_model_admin(DocumentoVersion), "list_per_page", PER_PAGE)
    monkeypatch.setattr(BoundedCountPaginator, "exact_limit", 3)
    visible = Q(proyecto__workspace=world["a"]) | Q(proyecto__in=world["mine"])
    kept = sum(ProyectoTotales.objects.filter(visible).values_list("versiones", flat=True))
    shown = len(_versions_expected(world, word))
    assert kept != shown, "the fixture's documents say fewer versions than they have"
    client.force_login(world["member"])
    with CaptureQueriesContext(connection) as ran:
        cl = _get(client, reverse(VERSIONS_URL) + f"?q={word}").context["cl"]
    counted = [q["sql"] for q in ran.captured_queries if "COUNT(*) FROM (" in q["sql"]]
    if word:
        assert counted, "a search's matches are counted"
        return
    assert (cl.result_count, cl.paginator.is_estimate) == (kept, True)
    assert not counted and not [q for q in ran.captured_queries if "EXPLAIN" in q["sql"]]


@pytest.mark.usefixtures("versions")
def test_a_kept_estimate_stands_for_the_unfiltered_list_alone(world):
    scope = Q(documento__proyecto__in=world["mine"])
    related = Documento.objects.filter(proyecto__in=world["mine"])
    lead = Lead("documento_id", related, scope=scope, estimate=5_000)

    def counted(rows):
        paginator = BoundedCountPaginator(rows.order_by("documento_id", "-version"), PER_PAGE)
        paginator.scope, paginator.lead = scope, lead
        return paginator.count, paginator.is_estimate

    rows = DocumentoVersion.objects.filter(scope)
    assert counted(rows) == (5_000, True)
    firsts = rows.filter(version=1)
    assert counted(firsts) == (firsts.count(), False)


@pytest.mark.usefixtures("versions")
def test_documents_without_versions_first_do_not_empty_a_members_page(client, world, monkeypatch):
    """Each project's first documents, gathered, hold no version: the page is read on
    from the projects merged, as far as it needs, and is full."""
    monkeypatch.setattr(admin.site.get_model_admin(DocumentoVersion), "list_per_page", PER_PAGE)
    for n in range(1, 2 * PER_PAGE):  # the lowest ids of all, in the member's project a1
        DocumentoFactory(id=uuid.UUID(int=n), proyecto=world["mine"][0], nombre=f"vacio-{n}")
    client.force_login(world["member"])
    with CaptureQueriesContext(connection) as ran:
        response = client.get(reverse(VERSIONS_URL))
    assert response.status_code == 200
    assert [row.pk for row in response.context["cl"].result_list] == _versions_expected(world)[
        :PER_PAGE
    ]
    if connection.vendor == "postgresql":
        reads = [q["sql"] for q in ran.captured_queries if "CROSS JOIN LATERAL" in q["sql"]]
        assert ["unnest(" in read for read in reads] == [True, False], "gathered, then merged"


@pytest.mark.usefixtures("versions")
@pytest.mark.parametrize("gathered", [True, False])
def test_a_members_versions_page_reads_their_documents_ids_from_the_project_index(
    client, world, monkeypatch, gathered
):
    monkeypatch.setattr(admin.site.get_model_admin(DocumentoVersion), "list_per_page", PER_PAGE)
    monkeypatch.setattr(Lead, "gather_limit", Lead.gather_limit if gathered else 0)
    client.force_login(world["member"])
    with CaptureQueriesContext(connection) as ran:
        response = client.get(reverse(VERSIONS_URL) + "?p=2")
    assert response.status_code == 200
    sqls = [q["sql"] for q in ran.captured_queries]
    if connection.vendor == "postgresql":
        # One statement: the documents' ids in id order, each document's versions joined
        # to it; page 2's 4 rows and one more to know a page follows.
        (read,) = [sql for sql in sqls if sql.startswith('SELECT "row"."id"')]
        assert "CROSS JOIN LATERAL" in read and read.endswith("LIMIT 5 OFFSET 4"), read[-80:]
        # Planned as at scale: nothing sorted but each document's versions (and, gathered,
        # the projects' first documents), no walk of the whole versions index, no table
        # row of a version read for its id.
        nodes = plan_nodes(read, None, "enable_seqscan = off", "enable_bitmapscan = off")
        kinds = [node["Node Type"] for node in nodes]
        assert "Hash Join" not in kinds, kinds
        scans = {(node["Node Type"], node.get("Index Name")) for node in nodes}
        assert ("Index Only Scan", "documentos_proyecto_ids_idx") in scans, scans
        assert ("Index Only Scan", "documento_versions_unique_version") in scans, scans
        assert {name for _kind, name in scans} - {None} == {
            "documentos_proyecto_ids_idx",
            "documento_versions_unique_version",
        }
        if gathered:
            # The three projects as one list, each one's first 9 documents, sorted.
            assert read.count('"documentos"."proyecto_id" = ') == 1
            assert "unnest(" in read and ' AS "scope" ("value")' in read
            assert "Function Scan" in kinds and "Merge Append" not in kinds, kinds
            assert kinds.count("Sort") == 1, kinds
        else:
            # Project by project and merged, read only as far as the page's last version.
            assert read.count('"documentos"."proyecto_id" = ') == 3, "a1, a2 and pB"
            assert {"Merge Append", "Nested Loop", "Incremental Sort"} <= set(kinds), kinds
            assert "Sort" not in kinds, kinds
        return
    # SQLite: the documents' ids first, merged in id order; then their versions by those ids.
    (documents,) = [sql for sql in sqls if sql.startswith('SELECT * FROM (SELECT "documentos"')]
    assert documents.count('"documentos"."proyecto_id" = ') == 3, "a1, a2 and pB"
    assert '"documentos"."proyecto_id" IN' not in documents
    # Pages of 4 up to page 2 and one row more to know a page follows: 9 rows, read
    # among 10 documents.
    assert documents.endswith("ORDER BY 1 ASC LIMIT 10"), documents[-60:]
    (read,) = [sql for sql in sqls if sql.startswith('SELECT "documento_versions"."id" AS "pk"')]
    assert "JOIN" not in read, "the documents stand in for the member's scope"


FOLDERS_URL = "admin:documentos_folder_changelist"


def _members_folders(world):
    """24 folders over the member's three projects and another; the member's, in list order."""
    a1, a2, p_b = world["mine"]
    p_x = ProyectoFactory(workspace=p_b.workspace)
    for n in range(24):
        FolderFactory(proyecto=[a1, a2, p_b, p_x][n % 4], parent=None, nombre=f"Planos {n % 5}-{n}")
    visible = Q(proyecto__workspace=world["a"]) | Q(proyecto__in=world["mine"])
    return list(
        Folder.objects.alive().filter(visible).order_by("path", "id").values_list("pk", flat=True)
    )


def test_a_members_folders_are_read_per_project_in_path_order(client, world, monkeypatch):
    """The same folders as the OR, in (path, id) order, each project from its own index."""
    monkeypatch.setattr(admin.site.get_model_admin(Folder), "list_per_page", PER_PAGE)
    monkeypatch.setattr(BoundedCountPaginator, "max_pages", 2)
    # More rows than an exact count reaches: too many to sort, so each project is read apart.
    monkeypatch.setattr(BoundedCountPaginator, "exact_limit", 5)
    expected = _members_folders(world)
    client.force_login(world["member"])
    url = reverse(FOLDERS_URL)
    with CaptureQueriesContext(connection) as ran:
        cl = _get(client, url).context["cl"]
    seen = [row.pk for row in cl.result_list]
    cl = _get(client, url + "?p=2").context["cl"]
    seen += [row.pk for row in cl.result_list]
    while cl.older_url is not None:
        cl = _get(client, url + cl.older_url).context["cl"]
        seen += [row.pk for row in cl.result_list]
    assert seen == expected
    if connection.vendor == "postgresql":
        (read,) = [q["sql"] for q in ran.captured_queries if q["sql"].startswith("SELECT * FROM (")]
        indexes = indexes_planned(read, "enable_seqscan = off", "enable_bitmapscan = off")
        assert indexes == {"folders_proy_path_idx"}, indexes


def test_a_members_few_folders_are_read_as_one_sorted_read_of_their_projects(
    client, world, monkeypatch
):
    """Counted exactly (≤ exact_limit), a member's rows are one read of their projects'
    ids, sorted: not a UNION of one ordered read per project, each planned apart."""
    monkeypatch.setattr(admin.site.get_model_admin(Folder), "list_per_page", PER_PAGE)
    expected = _members_folders(world)
    client.force_login(world["member"])
    with CaptureQueriesContext(connection) as ran:
        cl = _get(client, reverse(FOLDERS_URL) + "?p=2").context["cl"]
    assert cl.result_count == len(expected)
    assert [row.pk for row in cl.result_list] == expected[PER_PAGE : 2 * PER_PAGE]
    sqls = [q["sql"] for q in ran.captured_queries]
    assert not [sql for sql in sqls if "UNION" in sql], sqls
    (read,) = [sql for sql in sqls if sql.startswith('SELECT * FROM (SELECT "folders"."path"')]
    assert '"folders"."proyecto_id" IN (' in read and "JOIN" not in read, read
    if connection.vendor == "postgresql":
        # Read apart (OFFSET 0) and sorted, even where walking the list's order index would
        # spare the sort: not met along that index past everybody else's folders.
        nodes = plan_nodes(read, None, "enable_seqscan = off", "enable_sort = off")
        assert "Sort" in [node["Node Type"] for node in nodes], nodes
        assert "folders_path_order_idx" not in {node.get("Index Name") for node in nodes}


@pytest.mark.usefixtures("versions")
def test_a_members_versions_search_reads_the_matching_documents_in_one_query(
    client, world, monkeypatch
):
    """A search's documents are not walked project by project (a rare pattern would read
    every document of every project, for each try): one query, which a trigram index
    of the pattern answers."""
    monkeypatch.setattr(admin.site.get_model_admin(DocumentoVersion), "list_per_page", 2)
    client.force_login(world["member"])
    with CaptureQueriesContext(connection) as ran:
        response = client.get(reverse(VERSIONS_URL) + "?q=plano-3")
    assert response.status_code == 200
    sqls = [q["sql"] for q in ran.captured_queries]
    assert not [sql for sql in sqls if "UNION" in sql]
    # PostgreSQL reads the documents inside the page's statement (Lead._joined_pks).
    start = 'SELECT "row"."id" FROM (' if connection.vendor == "postgresql" else ""
    start += 'SELECT "documentos"."id" AS "pk"'
    (documents,) = [sql for sql in sqls if sql.startswith(start)]
    assert '"documentos"."proyecto_id" IN' in documents and "LIKE" in documents.upper()
    shown = [row.pk for row in response.context["cl"].result_list]
    assert shown == _versions_expected(world, "plano-3")[: len(shown)] != []


def _member_count_scans(world, **filters):
    """(SQL, index scans of its plan) of the member's count of their documents, as run."""
    request = RequestFactory().get(reverse(URL))
    request.user = world["member"]
    model_admin = admin.site.get_model_admin(Documento)
    queryset = model_admin.get_queryset(request).alive().filter(**filters)
    branches = model_admin.scope_branches(request)
    counted = in_scopes(queryset, branches, model_admin.rows_q(request)).order_by()[:1001]
    with CaptureQueriesContext(connection) as ran:
        assert counted.count() == 1001
    (count,) = [q["sql"] for q in ran.captured_queries]
    scans = [n for n in plan_nodes(count, None, "enable_seqscan = off") if "Index Name" in n]
    return count, scans


@pytest.mark.postgresql
@pytest.mark.parametrize("field", ["tipo", "formato"])
def test_a_members_filtered_count_reads_the_filters_index(crowded, field):
    """The filter's column is in the index: the count stops at its limit, reading no
    table row that does not match (a heap filter read every document of the projects)."""
    if connection.vendor != "postgresql":
        pytest.skip("query plans are PostgreSQL's")
    value = getattr(Documento.objects.get(nombre="copia-1", proyecto=crowded["mine"][0]), field)
    _count, scans = _member_count_scans(crowded, **{field: value})
    assert [scan["Index Name"] for scan in scans] == ["documentos_proy_filtros_idx"], scans
    assert field in scans[0]["Index Cond"] and "Filter" not in scans[0], scans[0]


@pytest.mark.postgresql
def test_a_members_count_reads_their_projects_ids_in_one_index_read(crowded):
    """Counting needs no order: the projects' ids as one IN list, not a UNION of reads."""
    if connection.vendor != "postgresql":
        pytest.skip("query plans are PostgreSQL's")
    count, scans = _member_count_scans(crowded)
    assert len(scans) == 1 and "JOIN" not in count and "UNION" not in count, scans
    # (Which index reads it is the planner's: here the member's projects hold most rows.)
    assert "proyecto_id = ANY" in scans[0].get("Index Cond", scans[0].get("Filter")), scans[0]
