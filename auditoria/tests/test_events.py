"""Typed audit rows: a stable event code, the guide's columns, a sentence; filtered by code."""

import pytest
from django.db import connection
from django.urls import reverse

from accounts.tests.factories import AdminUserFactory, UserFactory
from auditoria.events import EVENTS, Evento
from auditoria.models import Actividad, EntidadTipo, EventoCode, TipoActividad
from auditoria.selectors import feed
from proyectos import services as proyectos
from workspaces import services as workspaces

pytestmark = pytest.mark.django_db


def test_every_event_has_the_guides_values_and_a_sentence():
    assert set(EVENTS) == set(Evento)
    for event, spec in EVENTS.items():
        assert spec.tipo in TipoActividad.values, event
        assert spec.entidad_tipo in EntidadTipo.values, event
        assert "%(" in str(spec.sentence) or event == Evento.PAPELERA_PURGED, event


def test_codes_are_stable_dotted_names():
    # Programs filter on these: a renamed code breaks them, so the list is pinned here.
    assert [e.value for e in Evento][:4] == [
        "usuario.created", "usuario.updated", "usuario.password_changed", "usuario.deleted",
    ]  # fmt: skip
    assert all(code.count(".") == 1 and code == code.lower() for code in Evento.values)


@pytest.fixture
def workspace():
    owner = UserFactory()
    workspace = workspaces.create_workspace(nombre="Andes", slug="andes", owner=owner)
    member = workspaces.add_workspace_member(workspace=workspace, member=UserFactory())
    workspaces.change_workspace_member_rol(membership=member, rol="admin", user=owner)
    proyectos.create_proyecto(workspace=workspace, nombre="Obra")
    return workspace


def test_the_feed_keeps_one_kind_of_event(workspace):
    rows = feed(workspace=workspace, evento=Evento.WORKSPACE_MEMBER_ROLE_CHANGED)
    assert [row.metadata["evento"] for row in rows] == ["workspace_member.role_changed"]
    assert rows[0].metadata["cambios"] == {"rol": {"antes": "member", "despues": "admin"}}
    assert "Administrador" in rows[0].descripcion
    assert len(feed(workspace=workspace)) == 4


def test_the_admin_filters_the_trail_by_event_code(client, workspace):
    client.force_login(AdminUserFactory())
    url = reverse("admin:auditoria_actividad_changelist")
    response = client.get(url, {"evento": "proyecto.created"})
    listed = list(response.context["cl"].result_list)
    assert [row.metadata["evento"] for row in listed] == ["proyecto.created"]
    assert "Proyecto creado" in response.content.decode(), "the filter lists the events by name"
    assert client.get(url, {"evento": "no.existe"}).url == url  # the plain list, not ?e=1


def test_an_objects_history_is_its_audit_trail(client, workspace):
    client.force_login(AdminUserFactory())
    response = client.get(reverse("admin:workspaces_workspace_history", args=[workspace.pk]))
    assert response.status_code == 302
    listed = client.get(response.url).context["cl"].result_list
    assert {row.metadata["evento"] for row in listed} == {"workspace.created"}


@pytest.mark.postgresql
def test_filtering_by_event_reads_its_index_newest_first(workspace):
    if connection.vendor != "postgresql":
        pytest.skip("query plans are PostgreSQL's")
    rows = (
        Actividad.objects.alias(evento=EventoCode())
        .filter(evento="proyecto.created")
        .order_by("-created_at", "-id")[:50]
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE actividades")
        # With a few rows a sequential scan is cheaper; forbid it to see the index is usable.
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = rows.explain()
    # Each month's partition carries the index (actividades_evento_idx on the parent).
    assert "Index Cond: ((metadata ->> 'evento'::text) = 'proyecto.created'::text)" in plan
    assert "Sort  (" not in plan, "the index gives the order: no sort of all the matches"


def test_a_feed_page_after_a_row_keeps_one_kind_of_event_like_the_plain_query(workspace):
    """Each kind of feed read is compiled once and run again: the same rows every time."""
    from auditoria.models import Actividad

    kind = Evento.WORKSPACE_MEMBER_ROLE_CHANGED
    everything = list(Actividad.objects.filter(workspace=workspace).order_by("-created_at", "-id"))
    for evento in (None, kind):
        for _ in range(2):  # compiled the first time, reused the second
            pages, after = [], None
            while page := feed(workspace=workspace, evento=evento, after=after, limit=1):
                pages += [row.pk for row in page]
                after = page[-1]
            expected = [
                row.pk for row in everything if evento is None or row.metadata["evento"] == evento
            ]
            assert pages == expected and expected
