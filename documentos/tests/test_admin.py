"""Documents in the admin: upload, new versions, downloads, trash, and the audit rows of it all."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.tests.factories import UserFactory
from auditoria.models import Actividad
from documentos.models import Documento, Folder
from proyectos.models import Proyecto
from proyectos.tests.factories import ProyectoFactory
from workspaces.tests.factories import WorkspaceMemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def proyecto():
    return ProyectoFactory(nombre="Obra Andes")


@pytest.fixture
def engineer(client, proyecto):
    user = UserFactory()
    WorkspaceMemberFactory(workspace=proyecto.workspace, user=user, rol="member")
    client.force_login(user)
    return user


def _inlines(*prefixes):
    return {
        f"{prefix}-{key}": value
        for prefix in prefixes
        for key, value in (("TOTAL_FORMS", "0"), ("INITIAL_FORMS", "0"))
    }


def _upload(client, proyecto, content=b"%PDF-1.7 planta", name="planta.pdf"):
    return client.post(
        reverse("admin:documentos_documento_add"),
        {
            "nombre": name,
            "proyecto": proyecto.pk,
            "tipo": "plano",
            "archivo": SimpleUploadedFile(name, content),
            **_inlines("versions"),
        },
    )


def test_uploading_a_document_stores_it_as_version_one_with_an_audit_row(
    client, engineer, proyecto
):
    response = _upload(client, proyecto)
    assert response.status_code == 302, response.text[:3000]
    documento = Documento.objects.get(nombre="planta.pdf")
    assert (documento.version, documento.formato, documento.size_bytes) == (1, "pdf", 15)
    audit = Actividad.objects.get(tipo="crear", entidad_id=documento.pk)
    assert audit.user == engineer


def test_a_new_version_needs_its_changes_described(client, engineer, proyecto):
    _upload(client, proyecto)
    documento = Documento.objects.get()
    url = reverse("admin:documentos_documento_change", args=[documento.pk])
    data = {
        "nombre": documento.nombre,
        "proyecto": proyecto.pk,
        "tipo": "plano",
        "metadata": "{}",
        "archivo": SimpleUploadedFile("planta.pdf", b"%PDF-1.7 v2"),
        **_inlines("versions"),
        "versions-INITIAL_FORMS": "1",
        "versions-TOTAL_FORMS": "1",
        "versions-0-id": str(documento.versions.get().pk),
        "versions-0-documento": str(documento.pk),
    }
    refused = client.post(url, data)
    assert refused.status_code == 200
    assert "Describa los cambios" in refused.text
    data["archivo"] = SimpleUploadedFile("planta.pdf", b"%PDF-1.7 v2")
    data["cambios"] = "Ejes corregidos"
    assert client.post(url, data).status_code == 302
    documento.refresh_from_db()
    assert documento.version == 2
    assert Actividad.objects.filter(entidad_id=documento.pk, tipo="editar").count() == 1


def test_a_version_downloads_only_for_those_who_may_read_it(client, engineer, proyecto):
    _upload(client, proyecto, content=b"contenido secreto")
    version = Documento.objects.get().versions.get()
    url = reverse("admin:documentos_documentoversion_download", args=[version.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"contenido secreto"
    assert "attachment" in response["Content-Disposition"]

    outsider = UserFactory()
    WorkspaceMemberFactory(user=outsider, rol="owner")  # owner of another workspace
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to the login page


def test_deleting_in_the_admin_moves_to_the_trash_and_the_action_restores(
    client, engineer, proyecto
):
    owner = UserFactory()
    WorkspaceMemberFactory(workspace=proyecto.workspace, user=owner, rol="owner")
    client.force_login(owner)
    _upload(client, proyecto)
    documento = Documento.objects.get()
    client.post(reverse("admin:documentos_documento_delete", args=[documento.pk]), {"post": "yes"})
    documento.refresh_from_db()
    assert documento.deleted_at is not None
    changelist = reverse("admin:documentos_documento_changelist")
    assert documento not in client.get(changelist).context["cl"].result_list
    trash = client.get(changelist, {"papelera": "si"}).context["cl"].result_list
    assert documento in trash
    client.post(
        changelist + "?papelera=si",
        {"action": "restore_from_trash", "_selected_action": [str(documento.pk)]},
    )
    documento.refresh_from_db()
    assert documento.deleted_at is None
    kinds = list(
        Actividad.objects.filter(entidad_id=documento.pk).order_by("created_at")
        .values_list("tipo", flat=True)
    )  # fmt: skip
    assert kinds == ["crear", "eliminar", "otro"]


def test_admin_edits_write_one_audit_row_with_before_and_after(client, engineer, proyecto):
    owner = UserFactory()
    WorkspaceMemberFactory(workspace=proyecto.workspace, user=owner, rol="owner")
    client.force_login(owner)
    url = reverse("admin:proyectos_proyecto_change", args=[proyecto.pk])
    response = client.post(
        url,
        {
            "nombre": "Obra Andes II",
            "workspace": proyecto.workspace.pk,
            "tipo": proyecto.tipo,
            "estado": "pausado",
            "metadata": "{}",
            "descripcion": "",
            **_inlines("members"),
        },
    )
    assert response.status_code == 302, response.text[:2000]
    audit = Actividad.objects.get(tipo="editar", entidad_id=proyecto.pk)
    assert audit.metadata["cambios"]["estado"] == {"antes": "activo", "despues": "pausado"}
    assert audit.metadata["cambios"]["nombre"]["despues"] == "Obra Andes II"
    assert Proyecto.objects.get().nombre == "Obra Andes II"


def test_adding_a_member_inline_is_recorded_as_sharing(client, proyecto):
    owner = UserFactory()
    WorkspaceMemberFactory(workspace=proyecto.workspace, user=owner, rol="owner")
    newcomer = UserFactory()
    client.force_login(owner)
    url = reverse("admin:workspaces_workspace_change", args=[proyecto.workspace.pk])
    workspace = proyecto.workspace
    existing = list(workspace.members.all())
    data = {
        "nombre": workspace.nombre,
        "slug": workspace.slug,
        "owner": workspace.owner.pk,
        "plan": workspace.plan,
        "settings": "{}",
        "descripcion": "",
        "members-TOTAL_FORMS": str(len(existing) + 1),
        "members-INITIAL_FORMS": str(len(existing)),
    }
    for n, member in enumerate(existing):
        data.update({f"members-{n}-id": str(member.pk), f"members-{n}-workspace": str(workspace.pk),
                     f"members-{n}-rol": member.rol})  # fmt: skip
    n = len(existing)
    data.update({f"members-{n}-user": str(newcomer.pk), f"members-{n}-rol": "viewer",
                 f"members-{n}-workspace": str(workspace.pk)})  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 302, response.text[:3000]
    audit = Actividad.objects.get(tipo="compartir", entidad_id=newcomer.pk)
    assert (audit.workspace, audit.metadata["evento"], audit.metadata["rol"]) == (
        workspace, "workspace_member.added", "viewer",
    )  # fmt: skip


def test_trashed_folders_leave_the_list_with_everything_under_them(client, proyecto):
    owner = UserFactory()
    WorkspaceMemberFactory(workspace=proyecto.workspace, user=owner, rol="owner")
    client.force_login(owner)
    client.post(
        reverse("admin:documentos_folder_add"),
        {"proyecto": proyecto.pk, "nombre": "Planos", **_inlines("children", "documentos")},
    )
    planos = Folder.objects.get()
    client.post(reverse("admin:documentos_folder_delete", args=[planos.pk]), {"post": "yes"})
    planos.refresh_from_db()
    assert planos.deleted_at is not None
    listed = client.get(reverse("admin:documentos_folder_changelist")).context["cl"].result_list
    assert planos not in listed


def test_a_workspace_created_in_the_admin_has_its_owner_as_owner_member(client):
    from workspaces.models import Workspace, WorkspaceMember

    platform_admin = UserFactory(rol_global="admin")
    owner = UserFactory()
    client.force_login(platform_admin)
    response = client.post(
        reverse("admin:workspaces_workspace_add"),
        {"nombre": "Nueva", "slug": "nueva", "owner": owner.pk, "plan": "free",
         "settings": "{}", "descripcion": "", **_inlines("members")},
    )  # fmt: skip
    assert response.status_code == 302, response.text[:2000]
    workspace = Workspace.objects.get(slug="nueva")
    assert WorkspaceMember.objects.get(workspace=workspace, user=owner).rol == "owner"
    # One door, one object, one row: the owner's membership is part of the creation.
    audit = Actividad.objects.get(workspace=workspace)
    assert (audit.tipo, audit.metadata["evento"], audit.metadata["valores"]["owner"]) == (
        "crear", "workspace.created", owner.email,
    )  # fmt: skip


def test_deleting_a_workspace_in_the_admin_records_what_the_database_removed(client, proyecto):
    from workspaces.models import Workspace

    client.force_login(UserFactory(rol_global="admin"))
    Folder.objects.create(proyecto=proyecto, nombre="Planos", path="/Planos")
    workspace = proyecto.workspace
    workspace_id = workspace.pk
    response = client.post(
        reverse("admin:workspaces_workspace_delete", args=[workspace_id]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not Workspace.objects.filter(pk=workspace_id).exists()
    audit = Actividad.objects.get(tipo="eliminar", entidad_id=workspace_id)
    assert audit.metadata["eliminados"]["proyectos"] == 1
    assert audit.metadata["eliminados"]["carpetas"] == 1
    assert audit.workspace_id is None  # the row outlives the workspace


def test_a_full_folder_shows_its_first_documents_and_links_to_all(admin_client, monkeypatch):
    from admin_kit.options import FirstRowsInlineFormSet
    from documentos.tests.factories import DocumentoFactory, FolderFactory

    monkeypatch.setattr(FirstRowsInlineFormSet, "max_rows", 2)
    folder = FolderFactory(nombre="Planos")
    other = FolderFactory(nombre="Otros", proyecto=folder.proyecto)
    DocumentoFactory.create_batch(3, folder=folder)
    DocumentoFactory(folder=other)
    response = admin_client.get(reverse("admin:documentos_folder_change", args=[folder.pk]))
    formset = next(
        inline.formset
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.model is Documento
    )
    assert formset.initial_form_count() == 2
    assert "los primeros 2 de 3" in response.text
    listing = admin_client.get(formset.full_list_url)
    assert sorted(d.pk for d in listing.context["cl"].result_list) == sorted(
        folder.documentos.values_list("pk", flat=True)
    )
