"""The dashboard: scoped to the user's roles, right in its totals, bounded in its queries."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import AdminUserFactory, UserFactory
from auditoria.models import Actividad
from auditoria.tests.factories import ActividadFactory
from documentos.models import ProyectoTotales
from documentos.tests.factories import DocumentoFactory, DocumentoVersionFactory
from proyectos.tests.factories import ProyectoFactory, ProyectoMemberFactory
from tablero import selectors
from workspaces.tests.factories import WorkspaceFactory, WorkspaceMemberFactory

pytestmark = pytest.mark.django_db

URL = reverse("tablero:index")


def _documento(proyecto, *sizes, trashed=False):
    """A document with one version per size; the last one is current."""
    documento = DocumentoFactory(
        proyecto=proyecto,
        deleted_at=timezone.now() if trashed else None,
        version=len(sizes),
        size_bytes=sizes[-1],
    )
    for number, size in enumerate(sizes, start=1):
        DocumentoVersionFactory(documento=documento, version=number, size_bytes=size)
    return documento


def _activity(when=None, **fields):
    row = ActividadFactory(**fields)
    if when is not None:
        Actividad.objects.filter(pk=row.pk).update(created_at=when)
    return row


def _queries(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL)
    assert response.status_code == 200
    return len(queries), response


def test_an_anonymous_visitor_is_sent_to_the_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_the_admins_view_site_link_and_index_lead_to_the_dashboard(client):
    client.force_login(AdminUserFactory())
    html = client.get(reverse("admin:index")).content.decode()
    assert f'<a href="{URL}">Ver el tablero</a>' in html
    assert "Ver el tablero: workspaces" in html


def test_a_member_sees_only_their_workspaces(client):
    mine = ProyectoFactory(nombre="Obra Propia", workspace__nombre="Constructora Mía")
    other = ProyectoFactory(nombre="Obra Ajena", workspace__nombre="Constructora Otra")
    user = UserFactory()
    WorkspaceMemberFactory(workspace=mine.workspace, user=user, rol="member")
    _activity(workspace=mine.workspace, proyecto=mine, descripcion="Subió «propio.pdf»")
    _activity(workspace=other.workspace, proyecto=other, descripcion="Subió «ajeno.pdf»")
    client.force_login(user)
    html = client.get(URL).content.decode()
    assert "Constructora Mía" in html and "Obra Propia" in html
    assert "Subió «propio.pdf»" in html
    assert "Constructora Otra" not in html and "Obra Ajena" not in html
    assert "ajeno.pdf" not in html


def test_a_guest_sees_only_their_projects_and_no_member_count(client):
    proyecto = ProyectoFactory(nombre="Obra Invitada")
    ProyectoFactory(nombre="Obra Vecina", workspace=proyecto.workspace)
    WorkspaceMemberFactory.create_batch(3, workspace=proyecto.workspace)
    guest = UserFactory(rol_global="guest")
    ProyectoMemberFactory(
        proyecto=proyecto, user=guest, rol="ingeniero", workspace_membership=False
    )
    client.force_login(guest)
    html = client.get(URL).content.decode()
    assert "Obra Invitada" in html
    assert "Obra Vecina" not in html
    assert "miembros" not in html


def test_a_user_without_memberships_is_told_how_to_get_one(client):
    ProyectoFactory(nombre="Obra Ajena")
    client.force_login(UserFactory())
    html = client.get(URL).content.decode()
    assert "Todavía no pertenece a ningún workspace" in html
    assert "Obra Ajena" not in html


def test_totals_count_live_documents_every_version_and_current_bytes(client):
    proyecto = ProyectoFactory(nombre="Obra Medida")
    _documento(proyecto, 1_000_000, 2_500_000)
    _documento(proyecto, 500_000, 1_500_000)
    _documento(proyecto, 250_000, trashed=True)  # in the trash: not a document, still stored
    WorkspaceMemberFactory.create_batch(2, workspace=proyecto.workspace)
    client.force_login(AdminUserFactory())
    board = client.get(URL).context["board"]
    (summary,) = board.workspaces
    assert summary.members == 2
    assert summary.proyectos[0].totals == selectors.Totals(2, 5, 4_250_000)
    html = client.get(URL).content.decode()
    assert "4,1\xa0MB" in html  # filesizeformat in Spanish
    assert "2 miembros" in html


def test_numbers_have_thousands_separators(client, settings):
    proyecto = ProyectoFactory()
    ProyectoTotales.objects.create(
        proyecto=proyecto, documentos=1_234_567, versiones=2_345_678, bytes=5 * 1024**3
    )
    client.force_login(AdminUserFactory())
    html = client.get(URL).content.decode()
    assert "1\xa0234\xa0567" in html
    assert "2\xa0345\xa0678" in html
    assert "5,0\xa0GB" in html


def test_totals_are_current_after_every_write(client):
    proyecto = ProyectoFactory()
    _documento(proyecto, 100)
    client.force_login(AdminUserFactory())
    assert client.get(URL).context["board"].totals.documentos == 1
    _documento(proyecto, 100)
    assert client.get(URL).context["board"].totals.documentos == 2


def test_latest_activity_is_newest_first_with_relative_dates(client):
    proyecto = ProyectoFactory()
    now = timezone.now()
    _activity(now - timedelta(days=3), workspace=proyecto.workspace, descripcion="Antigua")
    _activity(now - timedelta(hours=2), workspace=proyecto.workspace, descripcion="Reciente")
    client.force_login(AdminUserFactory())
    html = client.get(URL).content.decode()
    assert html.index("Reciente") < html.index("Antigua")
    assert "hace 3\xa0días" in html
    assert "hace 2\xa0horas" in html
    assert 'title="' in html.split("hace 3\xa0días")[0].rsplit("<time", 1)[1]


def test_the_activity_chart_counts_each_week(client):
    proyecto = ProyectoFactory()
    now = timezone.now()
    for days_ago in (0, 0, 7, 8):
        _activity(now - timedelta(days=days_ago), workspace=proyecto.workspace)
    _activity(now - timedelta(weeks=30), workspace=proyecto.workspace)  # before the chart
    client.force_login(AdminUserFactory())
    response = client.get(URL)
    weeks = response.context["board"].weeks
    assert len(weeks) == selectors.WEEKS
    assert sum(week.count for week in weeks) == 4
    assert weeks[-1].count >= 1
    html = response.content.decode()
    assert '<svg class="tablero-chart"' in html
    assert "<script" not in html.split('id="content"')[1]
    assert "default-src 'self'" in response["Content-Security-Policy"]


def test_a_busy_week_past_the_cap_is_shown_as_an_estimate(client, monkeypatch):
    monkeypatch.setattr(selectors, "WEEK_COUNT_CAP", 2)
    proyecto = ProyectoFactory()
    for _ in range(4):
        _activity(workspace=proyecto.workspace)
    client.force_login(AdminUserFactory())
    response = client.get(URL)
    week = response.context["board"].weeks[-1]
    assert week.estimated
    assert week.count >= 2
    assert "estimación" in response.content.decode()


def _grow(workspace, n):
    for _ in range(n):
        proyecto = ProyectoFactory(workspace=workspace)
        _documento(proyecto, 10, 20)
        _activity(workspace=workspace, proyecto=proyecto)
        WorkspaceMemberFactory(workspace=workspace)


@pytest.mark.parametrize("rol_global", ["owner", "member", "guest"])
def test_queries_stay_within_ten_and_do_not_grow_with_rows(client, rol_global):
    user = UserFactory(rol_global=rol_global)
    workspaces = WorkspaceFactory.create_batch(2)
    for workspace in workspaces:
        _grow(workspace, 1)
        if rol_global == "member":
            WorkspaceMemberFactory(workspace=workspace, user=user, rol="admin")
        if rol_global == "guest":
            ProyectoMemberFactory(
                proyecto=workspace.proyectos.first(), user=user, rol="viewer",
                workspace_membership=False,
            )  # fmt: skip
    client.force_login(user)
    client.get(URL)  # the session's first request writes it
    cache.clear()
    cold, _response = _queries(client)
    warm, _response = _queries(client)
    assert cold <= 10
    assert warm < cold
    for workspace in workspaces:
        _grow(workspace, 5)
    cache.clear()
    assert _queries(client)[0] == cold


def test_a_platform_owner_sees_a_page_of_workspaces_and_a_link_to_the_rest(client, monkeypatch):
    monkeypatch.setattr(selectors, "MAX_WORKSPACES", 2)
    monkeypatch.setattr(selectors, "PROYECTOS_SHOWN", 1)
    workspace = WorkspaceFactory(nombre="A Primera")
    ProyectoFactory.create_batch(3, workspace=workspace)
    WorkspaceFactory.create_batch(2)
    client.force_login(AdminUserFactory())
    html = client.get(URL).content.decode()
    assert "Ver todos los workspaces" in html
    assert "y 2 proyectos más" in html
    link = f"{reverse('admin:proyectos_proyecto_changelist')}?workspace={workspace.pk}"
    assert link in html
    assert client.get(link).status_code == 200


def test_totals_are_read_without_summing_documents(client):
    proyecto = ProyectoFactory()
    _documento(proyecto, 100, 200)
    client.force_login(AdminUserFactory())
    with CaptureQueriesContext(connection) as queries:
        board = client.get(URL).context["board"]
    assert board.totals == selectors.Totals(1, 2, 200)
    assert not [
        q["sql"]
        for q in queries
        if 'FROM "documentos"' in q["sql"] or 'JOIN "documentos"' in q["sql"]
    ]
