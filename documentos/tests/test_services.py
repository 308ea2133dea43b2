"""Documents, versions, the folder tree and the trash, through the services, with audit rows."""

import hashlib
import threading
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import UserFactory
from auditoria.models import Actividad
from documentos import services
from documentos.models import Documento, DocumentoVersion, Folder
from documentos.tests.factories import DocumentoFactory, FolderFactory
from proyectos.tests.factories import ProyectoFactory

pytestmark = pytest.mark.django_db


def _file(content, name="plano.pdf"):
    return ContentFile(content, name=name)


def _last_audit():
    return Actividad.objects.order_by("-created_at", "-id").first()


@pytest.fixture
def proyecto():
    return ProyectoFactory()


@pytest.fixture
def ana():
    return UserFactory(email="ana@example.com")


def test_upload_stores_the_file_and_records_size_format_and_checksum(proyecto, ana):
    folder = services.create_folder(proyecto=proyecto, nombre="Planos", user=ana)
    documento = services.upload_documento(
        proyecto=proyecto, folder=folder, nombre="planta.pdf", file=_file(b"%PDF-1"), user=ana
    )
    version = documento.versions.get()
    assert (documento.version, documento.formato, documento.size_bytes) == (1, "pdf", 6)
    assert version.sha256 == hashlib.sha256(b"%PDF-1").hexdigest()
    assert storages["default"].open(documento.storage_path).read() == b"%PDF-1"
    audit = _last_audit()
    assert (audit.tipo, audit.entidad_tipo, audit.entidad_id) == (
        "crear",
        "documento",
        documento.pk,
    )
    assert (audit.user, audit.proyecto, audit.workspace) == (ana, proyecto, proyecto.workspace)
    assert audit.metadata["sha256"] == version.sha256


def test_new_version_gets_the_next_number_its_own_file_and_an_audit_row(proyecto, ana):
    documento = services.upload_documento(proyecto=proyecto, nombre="a.dwg", file=_file(b"v1"))
    version = services.add_version(
        documento=documento, file=_file(b"v2 longer", "a.dwg"), cambios="Cotas corregidas", user=ana
    )
    documento.refresh_from_db()
    first = documento.versions.get(version=1)
    assert version.version == 2 == documento.version
    assert documento.storage_path == version.storage_path != first.storage_path
    assert documento.size_bytes == 9
    assert storages["default"].open(first.storage_path).read() == b"v1", "v1's file is kept"
    audit = _last_audit()
    assert (audit.tipo, audit.metadata["version"], audit.metadata["cambios_version"]) == (
        "editar", 2, "Cotas corregidas",
    )  # fmt: skip


def test_restoring_an_old_version_adds_a_new_one_with_its_content(proyecto):
    documento = services.upload_documento(proyecto=proyecto, nombre="a.pdf", file=_file(b"uno"))
    services.add_version(documento=documento, file=_file(b"dos"), cambios="cambio")
    restored = services.restore_version(documento=documento, version=1)
    assert restored.version == 3
    assert restored.sha256 == documento.versions.get(version=1).sha256
    assert list(documento.versions.order_by("version").values_list("version", flat=True)) == [
        1, 2, 3,
    ]  # fmt: skip


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_sixteen_concurrent_uploads_give_versions_without_gaps_or_lost_files(settings, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("row locks under real concurrency are PostgreSQL's")
    documento = services.upload_documento(
        proyecto=ProyectoFactory(), nombre="informe.pdf", file=_file(b"base")
    )
    errors = []

    def upload(n):
        try:
            services.add_version(documento=documento, file=_file(f"v{n}".encode()), cambios=f"{n}")
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=upload, args=(n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    versions = list(DocumentoVersion.objects.filter(documento=documento).order_by("version"))
    assert [v.version for v in versions] == list(range(1, 18))
    assert len({v.storage_path for v in versions}) == 17
    assert all(storages["default"].exists(v.storage_path) for v in versions)
    assert {v.cambios for v in versions[1:]} == {str(n) for n in range(16)}
    documento.refresh_from_db()
    assert documento.version == 17


def test_moving_a_folder_rewrites_its_whole_subtree_in_one_statement(proyecto):
    planos = services.create_folder(proyecto=proyecto, nombre="Planos")
    estructura = services.create_folder(proyecto=proyecto, nombre="Estructura", parent=planos)
    services.create_folder(proyecto=proyecto, nombre="Vigas", parent=estructura)
    archivo = services.create_folder(proyecto=proyecto, nombre="Archivo")
    with CaptureQueriesContext(connection) as queries:
        services.update_folder(folder=planos, nombre="Planos 2026", parent=archivo)
    updates = [q for q in queries if q["sql"].startswith('UPDATE "folders"')]
    assert len(updates) == 2, "the folder itself, then its whole subtree at once"
    paths = set(Folder.objects.values_list("path", flat=True))
    assert paths == {
        "/Archivo", "/Archivo/Planos 2026", "/Archivo/Planos 2026/Estructura",
        "/Archivo/Planos 2026/Estructura/Vigas",
    }  # fmt: skip
    audit = _last_audit()
    assert audit.metadata["cambios"]["path"] == {
        "antes": "/Planos", "despues": "/Archivo/Planos 2026",
    }  # fmt: skip


def test_moving_a_folder_under_its_descendant_is_refused(proyecto):
    planos = services.create_folder(proyecto=proyecto, nombre="Planos")
    hija = services.create_folder(proyecto=proyecto, nombre="Hija", parent=planos)
    with pytest.raises(ValidationError, match="dentro de sí misma"):
        services.update_folder(folder=planos, nombre="Planos", parent=hija)
    planos.refresh_from_db()
    assert planos.path == "/Planos"


@pytest.mark.parametrize("kind", ["subfolder", "document"])
def test_database_refuses_mixing_projects_in_a_folder(kind):
    folder = FolderFactory()
    other = ProyectoFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        if kind == "subfolder":
            Folder.objects.create(proyecto=other, parent=folder, nombre="x", path="/x")
        else:
            Documento.objects.create(proyecto=other, folder=folder, nombre="x.pdf")
        with connection.cursor() as cursor:  # deferred foreign keys: check them now
            if connection.vendor == "postgresql":
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def test_trash_takes_a_folder_with_everything_under_it_and_restore_brings_it_back(proyecto, ana):
    planos = services.create_folder(proyecto=proyecto, nombre="Planos")
    hija = services.create_folder(proyecto=proyecto, nombre="Hija", parent=planos)
    documento = services.upload_documento(
        proyecto=proyecto, folder=hija, nombre="a.pdf", file=_file(b"x")
    )
    counts = services.trash_folder(folder=planos, user=ana)
    assert counts == {"carpetas": 2, "documentos": 1}
    assert not Folder.objects.alive().filter(proyecto=proyecto).exists()
    assert not Documento.objects.alive().filter(pk=documento.pk).exists()
    assert _last_audit().metadata["documentos"] == 1
    services.restore_folder(folder=planos, user=ana)
    assert Folder.objects.alive().filter(proyecto=proyecto).count() == 2
    assert Documento.objects.alive().filter(pk=documento.pk).exists()
    assert _last_audit().descripcion == "Restauró la carpeta /Planos de la papelera"


def test_purge_deletes_only_expired_trash_and_exactly_its_files(
    proyecto, settings, django_capture_on_commit_callbacks
):
    settings.TRASH_RETENTION_DAYS = 30
    old = services.upload_documento(proyecto=proyecto, nombre="viejo.pdf", file=_file(b"a"))
    services.add_version(documento=old, file=_file(b"b"), cambios="b")
    recent = services.upload_documento(proyecto=proyecto, nombre="nuevo.pdf", file=_file(b"c"))
    kept = services.upload_documento(proyecto=proyecto, nombre="vivo.pdf", file=_file(b"d"))
    services.trash_documento(documento=old)
    services.trash_documento(documento=recent)
    Documento.objects.filter(pk=old.pk).update(deleted_at=old.created_at - timedelta(days=31))
    old_paths = list(old.versions.values_list("storage_path", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        counts = services.purge_trash()
    assert counts == {"carpetas": 0, "documentos": 1, "versiones": 2}
    assert not Documento.objects.filter(pk=old.pk).exists()
    assert Documento.objects.filter(pk__in=[recent.pk, kept.pk]).count() == 2
    assert not any(storages["default"].exists(p) for p in old_paths)
    assert storages["default"].exists(recent.storage_path)
    assert _last_audit().metadata == {
        "evento": "papelera.purged", "carpetas": 0, "documentos": 1, "versiones": 2,
    }  # fmt: skip


def test_integrity_check_reports_missing_and_corrupt_files(proyecto):
    good = services.upload_documento(proyecto=proyecto, nombre="a.pdf", file=_file(b"bien"))
    call_command("check_integrity", verbosity=0)
    gone = services.upload_documento(proyecto=proyecto, nombre="b.pdf", file=_file(b"falta"))
    storages["default"].delete(gone.storage_path)
    broken = services.upload_documento(proyecto=proyecto, nombre="c.pdf", file=_file(b"roto"))
    with open(storages["default"].path(broken.storage_path), "wb") as handle:
        handle.write(b"otro")
    with pytest.raises(CommandError, match="2 of 3"):
        call_command("check_integrity", verbosity=0)
    assert storages["default"].exists(good.storage_path)


def test_a_document_cannot_go_into_another_projects_folder_through_the_service():
    folder = FolderFactory()
    with pytest.raises(ValidationError):
        services.upload_documento(
            proyecto=ProyectoFactory(), folder=folder, nombre="x.pdf", file=_file(b"x")
        )
    assert not DocumentoFactory._meta.model.objects.exists()
