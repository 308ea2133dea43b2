"""The admin's delete: to the trash first, for good from the trash; chosen subtrees go once."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from accounts.tests.factories import AdminUserFactory
from auditoria.models import Actividad
from documentos import services
from documentos.models import Documento, Folder
from proyectos.tests.factories import ProyectoFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client):
    user = AdminUserFactory()
    client.force_login(user)
    return user


def test_deleting_a_document_already_in_the_trash_removes_it_for_good(
    client, staff, django_capture_on_commit_callbacks
):
    documento = services.upload_documento(
        proyecto=ProyectoFactory(), nombre="a.pdf", file=ContentFile(b"a", name="a.pdf")
    )
    url = reverse("admin:documentos_documento_delete", args=[documento.pk])
    client.post(url, {"post": "yes"})
    assert Documento.objects.trashed().filter(pk=documento.pk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"post": "yes"})
    assert not Documento.objects.filter(pk=documento.pk).exists()
    kinds = list(
        Actividad.objects.filter(entidad_id=documento.pk)
        .order_by("created_at", "id")
        .values_list("tipo", "user")
    )
    assert kinds == [("crear", None), ("eliminar", staff.pk), ("eliminar", staff.pk)]
    last = Actividad.objects.filter(entidad_id=documento.pk).order_by("created_at", "id").last()
    assert last.metadata["versiones"] == 1


def test_a_folder_chosen_with_its_parent_goes_to_the_trash_once_with_it(client, staff):
    proyecto = ProyectoFactory()
    planos = services.create_folder(proyecto=proyecto, nombre="Planos")
    hija = services.create_folder(proyecto=proyecto, nombre="Hija", parent=planos)
    response = client.post(
        reverse("admin:documentos_folder_changelist"),
        {"action": "delete_selected", "_selected_action": [planos.pk, hija.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert Folder.objects.trashed().count() == 2, "in the trash, not deleted for good"
    audit = Actividad.objects.get(tipo="eliminar")
    assert (audit.entidad_id, audit.metadata["carpetas"]) == (planos.pk, 2)
