"""Writes to the folder tree, documents and their versions: every change goes through here.

Each function runs in one transaction with the audit row that describes it.
Stored files are written through Django's storage API (`STORAGES["default"]`)
and never overwritten: every version has its own file and SHA-256.
"""

import hashlib
import uuid
from datetime import timedelta
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import transaction
from django.db.models import Q, Value
from django.db.models.functions import Concat, Length, Substr
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from auditoria.models import EntidadTipo, TipoActividad
from auditoria.services import changes, record_actividad
from documentos.models import Documento, DocumentoVersion, Folder, Formato
from proyectos.models import Proyecto

FORMATOS = {".pdf": Formato.PDF, ".docx": Formato.DOCX, ".xlsx": Formato.XLSX, ".dwg": Formato.DWG}


def storage():
    return storages["default"]


def _actor(user):
    """The acting user for a `created_by`/`deleted_by` column (None for scripts and anonymous)."""
    return user if user is not None and user.is_authenticated else None


# -- folders ----------------------------------------------------------------------


def folder_path(*, parent, nombre):
    """The `path` of a folder named `nombre` under `parent` (None: the project's root)."""
    return f"{parent.path if parent else ''}/{nombre}"


def _check_parent(*, folder, proyecto, parent):
    if parent is None:
        return
    if parent.proyecto_id != proyecto.pk:
        raise ValidationError(
            {"parent": _("La carpeta superior debe pertenecer al mismo proyecto.")}
        )
    if parent.deleted_at is not None:
        raise ValidationError({"parent": _("La carpeta superior está en la papelera.")})
    if (
        folder is not None
        and not folder._state.adding
        and (parent.pk == folder.pk or parent.path.startswith(f"{folder.path}/"))
    ):
        raise ValidationError(
            {"parent": _("Una carpeta no puede moverse dentro de sí misma ni de sus subcarpetas.")}
        )


def _subtree(folder):
    """The folder and every folder under it, by the indexed path prefix."""
    return Folder.objects.filter(proyecto_id=folder.proyecto_id).filter(
        Q(pk=folder.pk) | Q(path__startswith=f"{folder.path}/")
    )


@transaction.atomic
def create_folder(*, proyecto, nombre, parent=None, user=None):
    """Create a folder under `parent` (or at the project's root) with its path."""
    _check_parent(folder=None, proyecto=proyecto, parent=parent)
    folder = Folder(
        proyecto=proyecto,
        parent=parent,
        nombre=nombre,
        path=folder_path(parent=parent, nombre=nombre),
    )
    folder.full_clean()
    folder.save()
    record_actividad(
        user=user,
        tipo=TipoActividad.CREAR,
        entidad_tipo=EntidadTipo.OTRO,
        entidad_id=folder.pk,
        proyecto=proyecto,
        descripcion=_("Creó la carpeta %(path)s") % {"path": folder.path},
        metadata={"entidad": "folder", "path": folder.path},
    )
    return folder


@transaction.atomic
def update_folder(*, folder, nombre, parent, user=None):
    """Rename and/or move a folder, rewriting the path of its whole subtree in one UPDATE."""
    # Lock the row so two concurrent moves cannot both pass the cycle check.
    current = Folder.objects.select_for_update().get(pk=folder.pk)
    _check_parent(folder=current, proyecto=current.proyecto, parent=parent)
    before = {"nombre": current.nombre, "parent": str(current.parent_id), "path": current.path}
    folder.nombre = nombre
    folder.parent = parent
    folder.path = folder_path(parent=parent, nombre=nombre)
    folder.full_clean()
    folder.save()
    if folder.path != current.path:
        Folder.objects.filter(
            proyecto_id=folder.proyecto_id, path__startswith=f"{current.path}/"
        ).update(path=Concat(Value(folder.path), Substr("path", Length(Value(current.path)) + 1)))
    after = {"nombre": folder.nombre, "parent": str(folder.parent_id), "path": folder.path}
    record_actividad(
        user=user,
        tipo=TipoActividad.EDITAR,
        entidad_tipo=EntidadTipo.OTRO,
        entidad_id=folder.pk,
        proyecto=folder.proyecto,
        descripcion=_("Cambió la carpeta %(old)s a %(new)s")
        % {"old": current.path, "new": folder.path},
        metadata={"entidad": "folder", "cambios": changes(before, after)},
    )
    return folder


# -- documents and versions -------------------------------------------------------


def _store(*, documento, version, file):
    """Save `file` under a name no other version has; return (path, size, sha256)."""
    digest, size = hashlib.sha256(), 0
    for chunk in file.chunks():
        digest.update(chunk)
        size += len(chunk)
    file.seek(0)
    original = get_valid_filename(PurePosixPath(file.name or "archivo").name) or "archivo"
    name = (
        f"documentos/{documento.proyecto_id}/{documento.pk}/"
        f"v{version}-{uuid.uuid4().hex[:12]}-{original}"
    )
    path = storage().save(name, file)
    return path, size, digest.hexdigest()


def _formato(nombre):
    return FORMATOS.get(PurePosixPath(nombre).suffix.lower(), Formato.OTRO)


def _new_version(*, documento, file, cambios, user):
    """Add the next version to a locked `documento`, its file stored first."""
    number = documento.version + 1 if documento.versions.exists() else 1
    path, size, sha256 = _store(documento=documento, version=number, file=file)
    try:
        version = DocumentoVersion.objects.create(
            documento=documento,
            version=number,
            storage_path=path,
            size_bytes=size,
            sha256=sha256,
            cambios=cambios,
            created_by=_actor(user),
        )
        documento.version, documento.storage_path, documento.size_bytes = number, path, size
        documento.save(update_fields=["version", "storage_path", "size_bytes", "updated_at"])
    except Exception:
        storage().delete(path)  # the rows were not written: neither is the file
        raise
    return version


@transaction.atomic
def upload_documento(*, proyecto, nombre, file, folder=None, tipo=None, user=None, cambios=""):
    """A new document with its first version, stored through the storage API."""
    documento = Documento(
        proyecto=proyecto,
        folder=folder,
        nombre=nombre,
        formato=_formato(nombre),
        version=1,
        created_by=_actor(user),
        **({"tipo": tipo} if tipo else {}),
    )
    documento.full_clean()
    if folder is not None and folder.deleted_at is not None:
        raise ValidationError({"folder": _("La carpeta está en la papelera.")})
    documento.save()
    version = _new_version(
        documento=documento, file=file, cambios=cambios or _("Versión inicial"), user=user
    )
    record_actividad(
        user=user,
        tipo=TipoActividad.CREAR,
        entidad_tipo=EntidadTipo.DOCUMENTO,
        entidad_id=documento.pk,
        proyecto=proyecto,
        descripcion=_("Subió «%(nombre)s» a %(folder)s")
        % {"nombre": nombre, "folder": folder.path if folder else "/"},
        metadata={"version": 1, "size_bytes": version.size_bytes, "sha256": version.sha256},
    )
    return documento


@transaction.atomic
def add_version(*, documento, file, cambios, user=None):
    """The next version of a document; concurrent uploads queue on the document's row lock."""
    locked = Documento.objects.select_for_update().get(pk=documento.pk)
    if locked.deleted_at is not None:
        raise ValidationError(_("El documento está en la papelera."))
    version = _new_version(documento=locked, file=file, cambios=cambios, user=user)
    record_actividad(
        user=user,
        tipo=TipoActividad.EDITAR,
        entidad_tipo=EntidadTipo.DOCUMENTO,
        entidad_id=locked.pk,
        proyecto=locked.proyecto,
        descripcion=_("Subió la versión %(n)d de «%(nombre)s»")
        % {"n": version.version, "nombre": locked.nombre},
        metadata={
            "version": version.version,
            "cambios": cambios,
            "size_bytes": version.size_bytes,
            "sha256": version.sha256,
        },
    )
    documento.refresh_from_db()
    return version


def restore_version(*, documento, version, user=None):
    """A new version with an old version's content: history is never rewritten."""
    old = documento.versions.get(version=version)
    with storage().open(old.storage_path, "rb") as handle:
        content = ContentFile(handle.read(), name=PurePosixPath(old.storage_path).name)
    return add_version(
        documento=documento,
        file=content,
        cambios=_("Restaurada la versión %(n)d") % {"n": version},
        user=user,
    )


DOCUMENTO_EDITABLE_FIELDS = ("nombre", "proyecto", "folder", "tipo", "metadata")


def _documento_snapshot(documento):
    return {
        "nombre": documento.nombre,
        "proyecto": str(documento.proyecto_id),
        "folder": str(documento.folder_id) if documento.folder_id else None,
        "tipo": documento.tipo,
        "metadata": documento.metadata,
    }


@transaction.atomic
def update_documento(*, documento, user=None, file=None, cambios="", **fields):
    """Edit a document's fields (move it to another folder, rename it...), and with `file`
    add its next version too: one change, one audit row with each field before and after.
    """
    locked = Documento.objects.select_for_update().get(pk=documento.pk)
    if locked.deleted_at is not None:
        raise ValidationError(_("El documento está en la papelera."))
    before = _documento_snapshot(locked)
    for name, value in fields.items():
        if name not in DOCUMENTO_EDITABLE_FIELDS:
            raise ValidationError(_("El campo %(campo)s no se edita aquí.") % {"campo": name})
        setattr(locked, name, value)
    if "folder" in fields and locked.folder_id and locked.folder.deleted_at is not None:
        raise ValidationError({"folder": _("La carpeta está en la papelera.")})
    locked.full_clean()
    locked.save()
    metadata = {"cambios": changes(before, _documento_snapshot(locked))}
    version = None
    if file is not None:
        if not cambios:
            raise ValidationError({"cambios": _("Describa los cambios de la nueva versión.")})
        version = _new_version(documento=locked, file=file, cambios=cambios, user=user)
        metadata.update(
            version=version.version,
            cambios_version=cambios,
            size_bytes=version.size_bytes,
            sha256=version.sha256,
        )
    if metadata["cambios"] or version is not None:
        descripcion = (
            _("Editó «%(nombre)s» y subió su versión %(n)d")
            % {"nombre": locked.nombre, "n": version.version}
            if version is not None and metadata["cambios"]
            else _("Subió la versión %(n)d de «%(nombre)s»")
            % {"n": version.version, "nombre": locked.nombre}
            if version is not None
            else _("Editó «%(nombre)s»") % {"nombre": locked.nombre}
        )
        record_actividad(
            user=user,
            tipo=TipoActividad.EDITAR,
            entidad_tipo=EntidadTipo.DOCUMENTO,
            entidad_id=locked.pk,
            proyecto=locked.proyecto,
            descripcion=descripcion,
            metadata=metadata,
        )
    documento.refresh_from_db()
    return documento


# -- trash ------------------------------------------------------------------------


@transaction.atomic
def trash_documento(*, documento, user=None):
    """Move a document to the trash (restorable until purge_trash removes it)."""
    locked = Documento.objects.select_for_update().get(pk=documento.pk)
    if locked.deleted_at is not None:
        raise ValidationError(_("El documento ya está en la papelera."))
    locked.deleted_at, locked.deleted_by = timezone.now(), _actor(user)
    locked.save(update_fields=["deleted_at", "deleted_by", "updated_at"])
    record_actividad(
        user=user,
        tipo=TipoActividad.ELIMINAR,
        entidad_tipo=EntidadTipo.DOCUMENTO,
        entidad_id=locked.pk,
        proyecto=locked.proyecto,
        descripcion=_("Movió «%(nombre)s» a la papelera") % {"nombre": locked.nombre},
        metadata={"papelera": True, "folder": str(locked.folder_id) if locked.folder_id else None},
    )
    documento.deleted_at, documento.deleted_by = locked.deleted_at, locked.deleted_by


@transaction.atomic
def restore_documento(*, documento, user=None):
    """Bring a document back from the trash, into its folder (which must not be in the trash)."""
    locked = Documento.objects.select_for_update().get(pk=documento.pk)
    if locked.deleted_at is None:
        raise ValidationError(_("El documento no está en la papelera."))
    if locked.folder_id and locked.folder.deleted_at is not None:
        raise ValidationError(_("Su carpeta está en la papelera: restaure primero la carpeta."))
    trashed_at = locked.deleted_at
    locked.deleted_at = locked.deleted_by = None
    locked.save(update_fields=["deleted_at", "deleted_by", "updated_at"])
    record_actividad(
        user=user,
        tipo=TipoActividad.OTRO,
        entidad_tipo=EntidadTipo.DOCUMENTO,
        entidad_id=locked.pk,
        proyecto=locked.proyecto,
        descripcion=_("Restauró «%(nombre)s» de la papelera") % {"nombre": locked.nombre},
        metadata={"restaurado": True, "en_papelera_desde": trashed_at.isoformat()},
    )
    documento.refresh_from_db()


@transaction.atomic
def trash_folder(*, folder, user=None):
    """Move a folder, its sub-folders and their documents to the trash, together."""
    current = Folder.objects.select_for_update().get(pk=folder.pk)
    if current.deleted_at is not None:
        raise ValidationError(_("La carpeta ya está en la papelera."))
    moment, actor = timezone.now(), _actor(user)
    folders = _subtree(current).filter(deleted_at__isnull=True)
    folder_ids = list(folders.values_list("pk", flat=True))
    documentos = Documento.objects.filter(folder_id__in=folder_ids, deleted_at__isnull=True)
    counts = {
        "carpetas": len(folder_ids),
        "documentos": documentos.update(deleted_at=moment, deleted_by=actor),
    }
    Folder.objects.filter(pk__in=folder_ids).update(deleted_at=moment, deleted_by=actor)
    folder.deleted_at, folder.deleted_by = moment, actor
    record_actividad(
        user=user,
        tipo=TipoActividad.ELIMINAR,
        entidad_tipo=EntidadTipo.OTRO,
        entidad_id=folder.pk,
        proyecto=folder.proyecto,
        descripcion=_("Movió la carpeta %(path)s a la papelera") % {"path": folder.path},
        metadata={"entidad": "folder", "papelera": True, **counts},
    )
    return counts


@transaction.atomic
def restore_folder(*, folder, user=None):
    """Bring back a folder and everything that went to the trash with it."""
    folder.refresh_from_db()
    if folder.deleted_at is None:
        raise ValidationError(_("La carpeta no está en la papelera."))
    if folder.parent_id and folder.parent.deleted_at is not None:
        raise ValidationError(_("La carpeta superior está en la papelera: restáurela primero."))
    together = _subtree(folder).filter(deleted_at=folder.deleted_at)
    folder_ids = list(together.values_list("pk", flat=True))
    documentos = Documento.objects.filter(folder_id__in=folder_ids, deleted_at=folder.deleted_at)
    counts = {
        "carpetas": len(folder_ids),
        "documentos": documentos.update(deleted_at=None, deleted_by=None),
    }
    Folder.objects.filter(pk__in=folder_ids).update(deleted_at=None, deleted_by=None)
    record_actividad(
        user=user,
        tipo=TipoActividad.OTRO,
        entidad_tipo=EntidadTipo.OTRO,
        entidad_id=folder.pk,
        proyecto=folder.proyecto,
        descripcion=_("Restauró la carpeta %(path)s de la papelera") % {"path": folder.path},
        metadata={"entidad": "folder", "restaurado": True, **counts},
    )
    return counts


def _delete_for_good(*, roots, documentos, record):
    """Hard-delete folder subtrees `roots` and `documentos` (the database cascades).

    What goes is counted first, per project, since database cascades report
    nothing; `record(proyecto, counts)` writes each project's audit row. The
    stored files of exactly the versions removed are deleted once the
    transaction commits, so a failed delete loses no file.
    """
    folder_ids = set()
    for root in roots:
        folder_ids.update(_subtree(root).values_list("pk", flat=True))
    documentos = Documento.objects.filter(Q(pk__in=documentos) | Q(folder_id__in=folder_ids))
    versions = DocumentoVersion.objects.filter(documento__in=documentos)
    paths = list(versions.values_list("storage_path", flat=True))
    per_proyecto = {}
    proyecto_ids = {root.proyecto_id for root in roots} | set(
        documentos.values_list("proyecto_id", flat=True)
    )
    for proyecto_id in proyecto_ids:
        per_proyecto[proyecto_id] = {
            "carpetas": Folder.objects.filter(pk__in=folder_ids, proyecto_id=proyecto_id).count(),
            "documentos": documentos.filter(proyecto_id=proyecto_id).count(),
            "versiones": versions.filter(documento__proyecto_id=proyecto_id).count(),
        }
    for proyecto in Proyecto.objects.filter(pk__in=per_proyecto).select_related("workspace"):
        record(proyecto, per_proyecto[proyecto.pk])
    documentos.delete()
    Folder.objects.filter(pk__in=[root.pk for root in roots]).delete()
    transaction.on_commit(lambda: [storage().delete(path) for path in paths if path])
    return {
        key: sum(counts[key] for counts in per_proyecto.values())
        for key in ("carpetas", "documentos", "versiones")
    }


def purge_trash(*, older_than=None, user=None):
    """Delete for good what has been in the trash longer than TRASH_RETENTION_DAYS.

    One transaction; one audit row per project saying how much went.
    """
    cutoff = timezone.now() - (older_than or timedelta(days=settings.TRASH_RETENTION_DAYS))

    def record(proyecto, counts):
        record_actividad(
            user=user,
            tipo=TipoActividad.ELIMINAR,
            entidad_tipo=EntidadTipo.OTRO,
            entidad_id=None,
            proyecto=proyecto,
            descripcion=_("Vació la papelera"),
            metadata={"papelera": "vaciada", **counts},
        )

    with transaction.atomic():
        expired = Folder.objects.filter(deleted_at__lt=cutoff)
        roots = list(expired.exclude(parent__in=expired).select_for_update())
        documentos = Documento.objects.filter(deleted_at__lt=cutoff).values("pk")
        return _delete_for_good(roots=roots, documentos=documentos, record=record)


@transaction.atomic
def delete_documento(*, documento, user=None):
    """Delete a document for good (from the trash): its versions and files go with it."""

    def record(proyecto, counts):
        record_actividad(
            user=user,
            tipo=TipoActividad.ELIMINAR,
            entidad_tipo=EntidadTipo.DOCUMENTO,
            entidad_id=documento.pk,
            proyecto=proyecto,
            descripcion=_("Eliminó definitivamente «%(nombre)s»") % {"nombre": documento.nombre},
            metadata={"definitivo": True, "nombre": documento.nombre, **counts},
        )

    Documento.objects.select_for_update().get(pk=documento.pk)
    return _delete_for_good(roots=[], documentos=[documento.pk], record=record)


@transaction.atomic
def delete_folder(*, folder, user=None):
    """Delete a folder for good (from the trash), with everything under it and their files."""

    def record(proyecto, counts):
        record_actividad(
            user=user,
            tipo=TipoActividad.ELIMINAR,
            entidad_tipo=EntidadTipo.OTRO,
            entidad_id=folder.pk,
            proyecto=proyecto,
            descripcion=_("Eliminó definitivamente la carpeta %(path)s") % {"path": folder.path},
            metadata={"entidad": "folder", "definitivo": True, "path": folder.path, **counts},
        )

    root = Folder.objects.select_for_update().get(pk=folder.pk)
    return _delete_for_good(roots=[root], documentos=[], record=record)
