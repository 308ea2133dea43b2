"""Tenant isolation: through no admin door does a user reach another workspace's data."""

import pytest
from django.urls import reverse

from accounts.models import User
from accounts.tests.factories import UserFactory
from auditoria.models import Actividad
from auditoria.tests.factories import ActividadFactory
from documentos.models import Documento, DocumentoVersion, Folder
from documentos.tests.factories import DocumentoFactory, DocumentoVersionFactory, FolderFactory
from proyectos.models import Proyecto, ProyectoMember
from proyectos.tests.factories import ProyectoFactory, ProyectoMemberFactory
from workspaces.models import Workspace, WorkspaceMember
from workspaces.tests.factories import WorkspaceMemberFactory

pytestmark = pytest.mark.django_db


def _tenant(name):
    """A workspace with one of everything, all named after `name`."""
    owner = UserFactory(email=f"duena-{name}@example.com", nombre=f"Dueña {name}")
    proyecto = ProyectoFactory(
        nombre=f"Obra {name}", workspace__owner=owner, workspace__nombre=f"Constructora {name}"
    )
    workspace = proyecto.workspace
    ws_member = WorkspaceMemberFactory(workspace=workspace, user=owner, rol="owner")
    colleague = UserFactory(email=f"colega-{name}@example.com", nombre=f"Colega {name}")
    WorkspaceMemberFactory(workspace=workspace, user=colleague, rol="member")
    proy_member = ProyectoMemberFactory(proyecto=proyecto, user=colleague, rol="ingeniero")
    folder = FolderFactory(proyecto=proyecto, nombre=f"Planos {name}")
    documento = DocumentoFactory(proyecto=proyecto, folder=folder, nombre=f"plano-{name}.pdf")
    version = DocumentoVersionFactory(documento=documento, version=1, cambios=f"inicial {name}")
    actividad = ActividadFactory(
        user=owner, workspace=workspace, proyecto=proyecto, descripcion=f"subió plano {name}"
    )
    return {
        User: colleague,
        Workspace: workspace,
        WorkspaceMember: ws_member,
        Proyecto: proyecto,
        ProyectoMember: proy_member,
        Folder: folder,
        Documento: documento,
        DocumentoVersion: version,
        Actividad: actividad,
        "owner": owner,
    }


@pytest.fixture
def tenants():
    return _tenant("Andes"), _tenant("Bosque")


@pytest.fixture
def andes_client(client, tenants):
    client.force_login(tenants[0]["owner"])
    return client


MODELS = [User, Workspace, WorkspaceMember, Proyecto, ProyectoMember, Folder, Documento,
          DocumentoVersion, Actividad]  # fmt: skip


def _url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.db_table)
def test_changelist_lists_only_own_workspace_rows(andes_client, tenants, model):
    andes, bosque = tenants
    response = andes_client.get(_url(model, "changelist"))
    assert response.status_code == 200
    listed = {obj.pk for obj in response.context["cl"].result_list}
    assert andes[model].pk in listed
    assert bosque[model].pk not in listed


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.db_table)
@pytest.mark.parametrize("view", ["change", "history", "delete"])
def test_typed_urls_of_another_workspace_lead_nowhere(andes_client, tenants, model, view):
    other = tenants[1][model]
    response = andes_client.get(_url(model, view, other.pk))
    # Either "does not exist" (back to the index) or "forbidden"; never the object.
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert response.url == reverse("admin:index")
    assert str(other.pk) not in response.text


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.db_table)
def test_search_finds_nothing_of_another_workspace(andes_client, tenants, model):
    response = andes_client.get(_url(model, "changelist"), {"q": "Bosque"})
    assert response.status_code == 200
    assert not response.context["cl"].result_list


@pytest.mark.parametrize(
    ("model", "field"),
    [
        (Folder, "proyecto"),
        (Documento, "proyecto"),
        (Documento, "folder"),
        (ProyectoMember, "user"),
        (ProyectoMember, "proyecto"),
        (WorkspaceMember, "user"),
        (WorkspaceMember, "workspace"),
    ],
)
def test_autocomplete_offers_nothing_of_another_workspace(andes_client, tenants, model, field):
    response = andes_client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": model._meta.app_label,
            "model_name": model._meta.model_name,
            "field_name": field,
            "term": "",
        },
    )
    assert response.status_code == 200
    ids = {result["id"] for result in response.json()["results"]}
    assert ids
    bosque = tenants[1]
    target = model._meta.get_field(field).related_model
    assert str(bosque[target].pk) not in ids
    assert str(bosque["owner"].pk) not in ids


def test_choosing_another_workspace_project_in_a_form_is_refused(andes_client, tenants):
    response = andes_client.post(
        _url(Folder, "add"),
        {
            "proyecto": tenants[1][Proyecto].pk,
            "nombre": "Intrusa",
            **{
                f"{p}-{k}": v
                for p in ("children", "documentos")
                for k, v in (("TOTAL_FORMS", 0), ("INITIAL_FORMS", 0))
            },
        },
    )
    assert response.status_code == 200
    assert "proyecto" in response.context["adminform"].form.errors
    assert not Folder.objects.filter(nombre="Intrusa").exists()


@pytest.mark.parametrize(
    "model",
    [Documento, Folder, Proyecto, WorkspaceMember, ProyectoMember],
    ids=lambda m: m._meta.db_table,
)
def test_bulk_delete_cannot_reach_another_workspace(andes_client, tenants, model):
    other = tenants[1][model]
    andes_client.post(
        _url(model, "changelist"),
        {"action": "delete_selected", "_selected_action": [str(other.pk)], "post": "yes"},
    )
    assert model.objects.filter(pk=other.pk).exists()


def test_user_change_page_of_a_colleague_is_read_only(andes_client, tenants):
    colleague = tenants[0][User]
    response = andes_client.get(_url(User, "change", colleague.pk))
    assert response.status_code == 200
    assert 'name="_save"' not in response.text
    assert colleague.password.split("$")[-1] not in response.text


def test_workspace_feed_shows_only_own_activity(andes_client, tenants):
    response = andes_client.get(_url(Actividad, "changelist"))
    assert "subió plano Andes" in response.text
    assert "subió plano Bosque" not in response.text


@pytest.mark.parametrize(
    ("rol_global", "ws_rol", "proy_rol", "may_save", "may_delete"),
    [
        ("member", "viewer", None, False, False),
        ("viewer", "owner", None, False, False),
        ("member", "viewer", "tecnico", False, False),
        ("member", "viewer", "ingeniero", True, True),
        ("member", "member", None, True, False),
    ],
)
def test_document_page_buttons_follow_the_role(
    client, tenants, rol_global, ws_rol, proy_rol, may_save, may_delete
):
    andes = tenants[0]
    user = UserFactory(rol_global=rol_global)
    WorkspaceMemberFactory(workspace=andes[Workspace], user=user, rol=ws_rol)
    if proy_rol:
        ProyectoMemberFactory(proyecto=andes[Proyecto], user=user, rol=proy_rol)
    client.force_login(user)
    page = client.get(_url(Documento, "change", andes[Documento].pk))
    assert page.status_code == 200
    assert ('name="_save"' in page.text) is may_save
    delete = client.post(_url(Documento, "delete", andes[Documento].pk), {"post": "yes"})
    # Deleting a document moves it to the trash.
    assert Documento.objects.alive().filter(pk=andes[Documento].pk).exists() is not may_delete
    assert delete.status_code in (302, 403)


def test_project_page_links_to_its_feed_which_shows_only_its_rows(andes_client, tenants):
    andes = tenants[0]
    other_project = ProyectoFactory(workspace=andes[Workspace], nombre="Obra Vecina")
    ActividadFactory(workspace=andes[Workspace], proyecto=other_project, descripcion="vecina")
    page = andes_client.get(_url(Proyecto, "change", andes[Proyecto].pk)).text
    feed_url = _url(Actividad, "changelist") + f"?proyecto={andes[Proyecto].pk}"
    assert feed_url in page
    feed = andes_client.get(feed_url)
    assert [a.descripcion for a in feed.context["cl"].result_list] == ["subió plano Andes"]


def test_another_workspace_feed_typed_by_hand_is_empty(andes_client, tenants):
    bosque = tenants[1]
    feed = andes_client.get(_url(Actividad, "changelist"), {"workspace": bosque[Workspace].pk})
    assert not feed.context["cl"].result_list
    assert "Constructora Bosque" not in feed.text


def test_a_malformed_feed_id_is_a_clean_error(andes_client):
    response = andes_client.get(_url(Actividad, "changelist"), {"proyecto": "no-es-un-uuid"})
    assert response.status_code == 302
    assert response.url == _url(Actividad, "changelist")  # the plain list, not Django's ?e=1
