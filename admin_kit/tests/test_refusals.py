"""A rule refused at an admin door is a Spanish message on the page (200), and nothing changes."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.tests.factories import UserFactory
from admin_kit.tests.test_one_write_path import DATA_MODELS, edit, url
from auditoria.models import Actividad
from documentos import services as documentos
from documentos.models import Documento, Folder
from proyectos import services as proyectos
from proyectos.models import ProyectoMember
from workspaces import services as workspaces
from workspaces.models import Workspace, WorkspaceMember

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    owner = UserFactory(email="duena@example.com")
    workspace = workspaces.create_workspace(nombre="Andes", slug="andes", owner=owner)
    admin_member = workspaces.add_workspace_member(
        workspace=workspace, member=UserFactory(email="admin@example.com"), rol="admin"
    )
    proyecto = proyectos.create_proyecto(workspace=workspace, nombre="Obra")
    otro = proyectos.create_proyecto(workspace=workspace, nombre="Otra obra")
    a = documentos.create_folder(proyecto=proyecto, nombre="A")
    b = documentos.create_folder(proyecto=proyecto, nombre="B", parent=a)
    papelera = documentos.create_folder(proyecto=proyecto, nombre="Vieja")
    documentos.trash_folder(folder=papelera)
    ajena = documentos.create_folder(proyecto=otro, nombre="Ajena")
    documento = documentos.upload_documento(
        proyecto=proyecto, folder=a, nombre="planta.pdf",
        file=SimpleUploadedFile("planta.pdf", b"%PDF"),
    )  # fmt: skip
    return locals()


@pytest.fixture
def as_owner(client, w):
    client.force_login(w["owner"])
    return client


def _state():
    return {m._meta.db_table: sorted(map(str, m.objects.values_list())) for m in DATA_MODELS}


def _refused(response, message, before, audit_rows):
    assert response.status_code == 200, response.status_code
    assert message in response.content.decode()
    assert _state() == before, "a refused change wrote something"
    assert Actividad.objects.count() == audit_rows, "a refused change wrote an audit row"


def test_moving_a_folder_under_its_own_child_is_refused(as_owner, w):
    before, rows = _state(), Actividad.objects.count()
    response = edit(as_owner, Folder, w["a"], parent=w["b"].pk)
    _refused(response, "no puede moverse dentro de sí misma", before, rows)


def test_moving_a_folder_into_the_trash_is_refused(as_owner, w):
    before, rows = _state(), Actividad.objects.count()
    response = edit(as_owner, Folder, w["b"], parent=w["papelera"].pk)
    _refused(response, "La carpeta superior está en la papelera", before, rows)


def test_filing_a_document_in_a_trashed_folder_is_refused(as_owner, w):
    before, rows = _state(), Actividad.objects.count()
    response = edit(as_owner, Documento, w["documento"], folder=w["papelera"].pk)
    _refused(response, "La carpeta está en la papelera", before, rows)


def test_filing_a_document_in_another_projects_folder_is_refused(as_owner, w):
    before, rows = _state(), Actividad.objects.count()
    response = edit(as_owner, Documento, w["documento"], folder=w["ajena"].pk)
    _refused(response, "La carpeta debe pertenecer al proyecto del documento", before, rows)


def test_editing_a_trashed_document_is_refused(as_owner, w):
    page = url(Documento, "change", w["documento"].pk)
    documentos.trash_documento(documento=w["documento"])
    before, rows = _state(), Actividad.objects.count()
    response = edit(as_owner, Documento, w["documento"], nombre="otra.pdf")
    assert page in response.request["PATH_INFO"]
    _refused(response, "El documento está en la papelera", before, rows)


def test_the_owner_keeps_the_owner_role(as_owner, w):
    membership = WorkspaceMember.objects.get(workspace=w["workspace"], user=w["owner"])
    before, rows = _state(), Actividad.objects.count()
    response = edit(as_owner, WorkspaceMember, membership, rol="member")
    _refused(response, "conserva el rol de propietario", before, rows)


def test_a_role_above_ones_own_is_refused(client, w):
    client.force_login(w["admin_member"].user)
    before, rows = _state(), Actividad.objects.count()
    response = edit(client, WorkspaceMember, w["admin_member"], rol="owner")
    _refused(response, "No puede otorgar ni cambiar un rol superior al suyo", before, rows)


def test_the_inline_offers_only_the_roles_one_may_grant(client, w):
    client.force_login(w["admin_member"].user)
    response = client.get(url(Workspace, "change", w["workspace"].pk))
    forms = response.context["inline_admin_formsets"][0].formset.forms
    owner_row = next(f for f in forms if f.instance.user_id == w["owner"].pk)
    own_row = next(f for f in forms if f.instance.pk == w["admin_member"].pk)
    assert owner_row.fields["rol"].disabled, "a role above one's own is shown, not editable"
    assert [v for v, _label in own_row.fields["rol"].choices] == ["admin", "member", "viewer"]


def test_a_project_member_from_outside_the_workspace_is_refused(as_owner, w):
    before, rows = _state(), Actividad.objects.count()
    response = as_owner.post(
        url(ProyectoMember, "add"),
        {"proyecto": w["proyecto"].pk, "user": UserFactory().pk, "rol": "viewer"},
    )
    before["users"] = _state()["users"]  # the outsider was made for the test
    _refused(response, "Debe ser miembro del workspace del proyecto", before, rows)


def test_deleting_the_owners_membership_explains_why_not(as_owner, w):
    membership = WorkspaceMember.objects.get(workspace=w["workspace"], user=w["owner"])
    before, rows = _state(), Actividad.objects.count()
    response = as_owner.post(url(WorkspaceMember, "delete", membership.pk), {"post": "yes"})
    _refused(response, "No se puede eliminar", before, rows)


def test_a_refused_bulk_action_changes_nothing_and_says_why(as_owner, w):
    """All or nothing: one refused folder keeps the others out of the trash too."""
    documentos.trash_documento(documento=w["documento"])
    documentos.trash_folder(folder=w["a"])  # the document's folder is in the trash again
    documento_alone = documentos.upload_documento(
        proyecto=w["proyecto"], nombre="suelto.pdf", file=SimpleUploadedFile("s.pdf", b"x")
    )
    documentos.trash_documento(documento=documento_alone)
    before, rows = _state(), Actividad.objects.count()
    response = as_owner.post(
        url(Documento, "changelist") + "?papelera=si",
        {
            "action": "restore_from_trash",
            "_selected_action": [documento_alone.pk, w["documento"].pk],
        },
        follow=True,
    )
    _refused(response, "Su carpeta está en la papelera", before, rows)
