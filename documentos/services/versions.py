"""Documents and their versions: every file stored once, under a name of its own, with its SHA-256.

Stored files are written through Django's storage API (`STORAGES["default"]`)
and never overwritten; a file stored by a change that then fails is deleted
with it (`core.services.on_failure`).
"""

import hashlib
import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.core.files import File
from django.utils.text import slugify
from django.utils.translation import gettext as _

from auditoria.events import Evento
from auditoria.services import edit_fields, record
from core.cascades import delete_files, storage
from core.services import DomainError, acting, on_failure, service
from documentos.models import Documento, DocumentoVersion, Formato
from documentos.services.folders import lock_folder
from documentos.uploads import too_large_message

FORMATOS = {".pdf": Formato.PDF, ".docx": Formato.DOCX, ".xlsx": Formato.XLSX, ".dwg": Formato.DWG}
EDITABLE_FIELDS = ("nombre", "proyecto", "folder", "tipo", "metadata")
# Bounds of a stored file's name: whatever the user's file was called, the path stays short.
STORED_STEM_CHARS = 40
STORED_SUFFIX_CHARS = 10


def stored_name(*, documento, version, original):
    """`documentos/<proyecto>/<documento>/v<n>-<random>-<stem>.<ext>`, ASCII and bounded.

    The user's name is kept on the document; the stored name only needs to be
    unique, safe on any file system, and recognisable (its extension kept).
    """
    name = PurePosixPath(str(original or "").replace("\\", "/")).name
    suffix = slugify(PurePosixPath(name).suffix)[:STORED_SUFFIX_CHARS]
    stem = slugify(PurePosixPath(name).stem)[:STORED_STEM_CHARS] or "archivo"
    return (
        f"documentos/{documento.proyecto_id}/{documento.pk}/"
        f"v{version}-{uuid.uuid4().hex[:12]}-{stem}{'.' + suffix if suffix else ''}"
    )


def store(*, documento, version, file):
    """Save `file` under a name no other version has; return (path, size, sha256).

    A file over UPLOAD_MAX_BYTES is refused before anything is stored.
    """
    digest, size = hashlib.sha256(), 0
    for chunk in file.chunks():
        digest.update(chunk)
        size += len(chunk)
        if size > settings.UPLOAD_MAX_BYTES:
            raise DomainError({"archivo": too_large_message()})
    file.seek(0)
    path = storage().save(
        stored_name(documento=documento, version=version, original=file.name), file
    )
    on_failure(lambda: delete_files([path]))
    return path, size, digest.hexdigest()


def formato_of(nombre):
    return FORMATOS.get(PurePosixPath(nombre).suffix.lower(), Formato.OTRO)


def _check_folder(folder):
    """A document goes only into a folder that is not in the trash (locked while it goes in)."""
    if folder is None:
        return None
    folder = lock_folder(folder.pk)
    if folder.deleted_at is not None:
        raise DomainError({"folder": _("La carpeta está en la papelera.")})
    return folder


def _new_version(*, documento, file, cambios, user):
    """Add the next version to a locked `documento`, its file stored first."""
    number = documento.version + 1 if documento.versions.exists() else 1
    path, size, sha256 = store(documento=documento, version=number, file=file)
    version = DocumentoVersion.objects.create(
        documento=documento,
        version=number,
        storage_path=path,
        size_bytes=size,
        sha256=sha256,
        cambios=cambios,
        created_by=acting(user),
    )
    documento.version, documento.storage_path, documento.size_bytes = number, path, size
    documento.save(update_fields=["version", "storage_path", "size_bytes", "updated_at"])
    return version


def _locked_alive(documento):
    locked = Documento.objects.select_for_update().get(pk=documento.pk)
    if locked.deleted_at is not None:
        raise DomainError(_("El documento está en la papelera: restáurelo antes de cambiarlo."))
    return locked


def _version_facts(version):
    return {"version": version.version, "size_bytes": version.size_bytes, "sha256": version.sha256}


@service
def upload_documento(*, proyecto, nombre, file, folder=None, tipo=None, user=None, cambios=""):
    """A new document with its first version, stored through the storage API."""
    folder = _check_folder(folder)
    documento = Documento(
        proyecto=proyecto,
        folder=folder,
        nombre=nombre,
        formato=formato_of(nombre),
        version=1,
        created_by=acting(user),
        **({"tipo": tipo} if tipo else {}),
    )
    documento.full_clean()
    documento.save()
    version = _new_version(
        documento=documento, file=file, cambios=cambios or _("Versión inicial"), user=user
    )
    record(
        Evento.DOCUMENTO_UPLOADED,
        user=user,
        entidad_id=documento.pk,
        proyecto=proyecto,
        nombre=nombre,
        carpeta=folder.path if folder else "/",
        **_version_facts(version),
    )
    return documento


@service
def add_version(*, documento, file, cambios, user=None):
    """The next version of a document; concurrent uploads queue on the document's row lock."""
    locked = _locked_alive(documento)
    version = _new_version(documento=locked, file=file, cambios=cambios, user=user)
    record(
        Evento.DOCUMENTO_VERSION_ADDED,
        user=user,
        entidad_id=locked.pk,
        proyecto=locked.proyecto,
        nombre=locked.nombre,
        cambios_version=cambios,
        **_version_facts(version),
    )
    documento.refresh_from_db()
    return version


@service
def restore_version(*, documento, version, user=None):
    """A new version with an old version's content: history is never rewritten."""
    old = documento.versions.get(version=version)
    with storage().open(old.storage_path, "rb") as handle:
        # Streamed from the old file to the new one, never held whole in memory.
        return add_version(
            documento=documento,
            file=File(handle, name=PurePosixPath(old.storage_path).name),
            cambios=_("Restaurada la versión %(n)d") % {"n": version},
            user=user,
        )


@service
def update_documento(*, documento, user=None, file=None, cambios="", **fields):
    """Edit a document's fields (rename it, file it in another folder...), and with `file`
    add its next version too: one change, one audit row with each field before and after.
    """
    locked = _locked_alive(documento)
    if file is not None and not cambios:
        raise DomainError({"cambios": _("Describa los cambios de la nueva versión.")})
    if fields.get("folder") is not None:
        fields["folder"] = _check_folder(fields["folder"])
    diff = edit_fields(locked, fields, EDITABLE_FIELDS)
    if diff:
        locked.save()
    version = None
    if file is not None:
        version = _new_version(documento=locked, file=file, cambios=cambios, user=user)
    if version is not None:
        record(
            Evento.DOCUMENTO_VERSION_ADDED,
            user=user,
            entidad_id=locked.pk,
            proyecto=locked.proyecto,
            nombre=locked.nombre,
            cambios_version=cambios,
            cambios=diff,
            **_version_facts(version),
        )
    elif diff:
        record(
            Evento.DOCUMENTO_UPDATED,
            user=user,
            entidad_id=locked.pk,
            proyecto=locked.proyecto,
            nombre=locked.nombre,
            cambios=diff,
        )
    documento.refresh_from_db()
    return documento
