"""Editing and moving documents, the trash (who and when), and deleting for good."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import IntegrityError, connection, transaction

from accounts.tests.factories import UserFactory
from auditoria.models import Actividad
from documentos import services
from documentos.models import Documento, DocumentoVersion, Folder
from proyectos.tests.factories import ProyectoFactory

pytestmark = pytest.mark.django_db


def _file(content, name="plano.pdf"):
    return ContentFile(content, name=name)


def _audits(entidad_id):
    return list(Actividad.objects.filter(entidad_id=entidad_id).order_by("created_at", "id"))


@pytest.fixture
def proyecto():
    return ProyectoFactory()


@pytest.fixture
def ana():
    return UserFactory(email="ana@example.com")


@pytest.fixture
def documento(proyecto, ana):
    return services.upload_documento(
        proyecto=proyecto, nombre="planta.pdf", file=_file(b"v1"), user=ana
    )


def test_moving_a_document_to_a_folder_is_one_edit_with_before_and_after(proyecto, documento, ana):
    planos = services.create_folder(proyecto=proyecto, nombre="Planos")
    services.update_documento(documento=documento, folder=planos, tipo="plano", user=ana)
    assert (documento.folder, documento.tipo) == (planos, "plano")
    _crear, editar = _audits(documento.pk)
    assert (editar.tipo, editar.user, editar.entidad_tipo) == ("editar", ana, "documento")
    assert editar.metadata["cambios"] == {
        "folder": {"antes": None, "despues": str(planos.pk)},
        "tipo": {"antes": "otro", "despues": "plano"},
    }


def test_an_edit_with_a_new_file_is_one_audit_row_and_the_next_version(documento, ana):
    services.update_documento(
        documento=documento, nombre="planta-b.pdf", file=_file(b"v2"), cambios="Cotas", user=ana
    )
    assert (documento.version, documento.nombre) == (2, "planta-b.pdf")
    _crear, editar = _audits(documento.pk)
    assert editar.metadata["version"] == 2
    assert editar.metadata["cambios"]["nombre"]["despues"] == "planta-b.pdf"
    assert editar.metadata["evento"] == "documento.version_added"
    assert editar.descripcion == "Subió la versión 2 de «planta-b.pdf»"


def test_a_document_cannot_move_to_another_projects_folder(documento):
    elsewhere = services.create_folder(proyecto=ProyectoFactory(), nombre="Ajena")
    with pytest.raises(ValidationError, match="proyecto del documento"):
        services.update_documento(documento=documento, folder=elsewhere)
    assert len(_audits(documento.pk)) == 1


def test_the_database_refuses_moving_a_document_to_another_projects_folder(documento):
    elsewhere = services.create_folder(proyecto=ProyectoFactory(), nombre="Ajena")
    with pytest.raises(IntegrityError), transaction.atomic():
        Documento.objects.filter(pk=documento.pk).update(folder=elsewhere)
        with connection.cursor() as cursor:  # deferred foreign keys: check them now
            if connection.vendor == "postgresql":
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def test_the_database_refuses_moving_a_folder_under_another_projects_folder(proyecto):
    mine = services.create_folder(proyecto=proyecto, nombre="Mía")
    elsewhere = services.create_folder(proyecto=ProyectoFactory(), nombre="Ajena")
    with pytest.raises(IntegrityError), transaction.atomic():
        Folder.objects.filter(pk=mine.pk).update(parent=elsewhere)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def test_a_document_cannot_move_into_a_folder_in_the_trash(proyecto, documento):
    planos = services.create_folder(proyecto=proyecto, nombre="Planos")
    services.trash_folder(folder=planos)
    with pytest.raises(ValidationError, match="papelera"):
        services.update_documento(documento=documento, folder=planos)


def test_the_trash_records_who_and_when_and_restore_clears_both(documento, ana):
    services.trash_documento(documento=documento, user=ana)
    documento.refresh_from_db()
    assert documento.deleted_by == ana and documento.deleted_at is not None
    assert not Documento.objects.alive().filter(pk=documento.pk).exists()
    with pytest.raises(ValidationError, match="ya está en la papelera"):
        services.trash_documento(documento=documento, user=ana)
    services.restore_documento(documento=documento, user=ana)
    assert (documento.deleted_at, documento.deleted_by) == (None, None)
    kinds = [(a.tipo, a.user) for a in _audits(documento.pk)]
    assert kinds == [("crear", ana), ("eliminar", ana), ("otro", ana)]


def test_a_folder_in_the_trash_takes_its_documents_and_records_who(proyecto, ana):
    planos = services.create_folder(proyecto=proyecto, nombre="Planos")
    hija = services.create_folder(proyecto=proyecto, nombre="Hija", parent=planos)
    services.upload_documento(proyecto=proyecto, folder=hija, nombre="a.pdf", file=_file(b"a"))
    services.trash_folder(folder=planos, user=ana)
    assert set(Folder.objects.trashed().values_list("deleted_by", flat=True)) == {ana.pk}
    assert set(Documento.objects.trashed().values_list("deleted_by", flat=True)) == {ana.pk}
    with pytest.raises(ValidationError, match="superior está en la papelera"):
        services.restore_folder(folder=hija, user=ana)


def test_deleting_from_the_trash_for_good_counts_what_went_and_removes_its_files(
    proyecto, ana, django_capture_on_commit_callbacks
):
    planos = services.create_folder(proyecto=proyecto, nombre="Planos")
    hija = services.create_folder(proyecto=proyecto, nombre="Hija", parent=planos)
    doc = services.upload_documento(
        proyecto=proyecto, folder=hija, nombre="a.pdf", file=_file(b"a")
    )
    services.add_version(documento=doc, file=_file(b"b"), cambios="b")
    kept = services.upload_documento(proyecto=proyecto, nombre="b.pdf", file=_file(b"c"))
    paths = list(doc.versions.values_list("storage_path", flat=True))
    services.trash_folder(folder=planos, user=ana)
    with django_capture_on_commit_callbacks(execute=True):
        counts = services.delete_folder(folder=planos, user=ana)
    assert counts == {"carpetas": 2, "documentos": 1, "versiones": 2}
    assert not Folder.objects.filter(proyecto=proyecto).exists()
    assert not DocumentoVersion.objects.filter(documento_id=doc.pk).exists()
    assert not any(storages["default"].exists(path) for path in paths)
    assert storages["default"].exists(kept.storage_path)
    audit = _audits(planos.pk)[-1]
    assert (audit.tipo, audit.entidad_tipo, audit.user) == ("eliminar", "otro", ana)
    assert audit.metadata == {
        "evento": "folder.deleted", "entidad": "folder", "path": "/Planos",
        "carpetas": 2, "documentos": 1, "versiones": 2,
    }  # fmt: skip


def test_deleting_a_document_for_good_keeps_files_until_the_transaction_commits(documento):
    path = documento.storage_path
    with pytest.raises(RuntimeError), transaction.atomic():
        services.delete_documento(documento=documento)
        raise RuntimeError("rolled back")
    assert Documento.objects.filter(pk=documento.pk).exists()
    assert storages["default"].exists(path)
