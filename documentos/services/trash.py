"""The trash: folders and documents go there first, come back from it, or are deleted for good.

Deleting for good counts what goes (the database cascades and reports
nothing) for the audit row, and deletes exactly the stored files of the
versions removed, once the transaction has committed.
"""

from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from auditoria.events import Evento
from auditoria.services import record
from core.cascades import delete_files_on_commit, stored_files
from core.services import DomainError, acting, service
from documentos.models import Documento, DocumentoVersion, Folder
from documentos.selectors import ancestor_paths
from documentos.services.folders import lock_for_move, subtree
from proyectos.models import Proyecto


@service
def trash_documento(*, documento, user=None):
    """Move a document to the trash (restorable until purge_trash removes it)."""
    locked = Documento.objects.select_for_update().get(pk=documento.pk)
    if locked.deleted_at is not None:
        raise DomainError(_("El documento ya está en la papelera."))
    locked.deleted_at, locked.deleted_by = timezone.now(), acting(user)
    locked.save(update_fields=["deleted_at", "deleted_by", "updated_at"])
    record(
        Evento.DOCUMENTO_TRASHED,
        user=user,
        entidad_id=locked.pk,
        proyecto=locked.proyecto,
        nombre=locked.nombre,
        folder=locked.folder_id,
    )
    documento.deleted_at, documento.deleted_by = locked.deleted_at, locked.deleted_by


@service
def restore_documento(*, documento, user=None):
    """Bring a document back from the trash, into its folder (which must not be in the trash)."""
    locked = Documento.objects.select_for_update().get(pk=documento.pk)
    if locked.deleted_at is None:
        raise DomainError(_("El documento no está en la papelera."))
    if locked.folder_id and locked.folder.deleted_at is not None:
        raise DomainError(_("Su carpeta está en la papelera: restaure primero la carpeta."))
    trashed_at = locked.deleted_at
    locked.deleted_at = locked.deleted_by = None
    locked.save(update_fields=["deleted_at", "deleted_by", "updated_at"])
    record(
        Evento.DOCUMENTO_RESTORED,
        user=user,
        entidad_id=locked.pk,
        proyecto=locked.proyecto,
        nombre=locked.nombre,
        en_papelera_desde=trashed_at,
    )
    documento.refresh_from_db()


@service
def trash_folder(*, folder, user=None):
    """Move a folder, its sub-folders and their documents to the trash, together."""
    current, _target = lock_for_move(folder)
    if current.deleted_at is not None:
        raise DomainError(_("La carpeta ya está en la papelera."))
    moment, actor = timezone.now(), acting(user)
    folder_ids = list(subtree(current).filter(deleted_at__isnull=True).values_list("pk", flat=True))
    counts = {
        "carpetas": len(folder_ids),
        "documentos": Documento.objects.filter(
            folder_id__in=folder_ids, deleted_at__isnull=True
        ).update(deleted_at=moment, deleted_by=actor),
    }
    Folder.objects.filter(pk__in=folder_ids).update(deleted_at=moment, deleted_by=actor)
    record(
        Evento.FOLDER_TRASHED,
        user=user,
        entidad_id=current.pk,
        proyecto=current.proyecto,
        entidad="folder",
        path=current.path,
        **counts,
    )
    folder.deleted_at, folder.deleted_by = moment, actor
    return counts


@service
def restore_folder(*, folder, user=None):
    """Bring back a folder and everything that went to the trash with it."""
    current, _target = lock_for_move(folder)
    if current.deleted_at is None:
        raise DomainError(_("La carpeta no está en la papelera."))
    if current.parent_id and current.parent.deleted_at is not None:
        raise DomainError(_("La carpeta superior está en la papelera: restáurela primero."))
    together = subtree(current).filter(deleted_at=current.deleted_at)
    folder_ids = list(together.values_list("pk", flat=True))
    counts = {
        "carpetas": len(folder_ids),
        "documentos": Documento.objects.filter(
            folder_id__in=folder_ids, deleted_at=current.deleted_at
        ).update(deleted_at=None, deleted_by=None),
    }
    Folder.objects.filter(pk__in=folder_ids).update(deleted_at=None, deleted_by=None)
    record(
        Evento.FOLDER_RESTORED,
        user=user,
        entidad_id=current.pk,
        proyecto=current.proyecto,
        entidad="folder",
        path=current.path,
        **counts,
    )
    folder.refresh_from_db()
    return counts


def _delete_for_good(*, roots, documento_ids):
    """Hard-delete the subtrees of folders `roots` and documents `documento_ids`.

    Returns {proyecto_id: counts}; the stored files of exactly the versions
    removed are deleted once the transaction commits, so a failure loses none.
    """
    folder_ids = set()
    for root in roots:
        folder_ids.update(subtree(root).values_list("pk", flat=True))
    documentos = Documento.objects.filter(Q(pk__in=documento_ids) | Q(folder_id__in=folder_ids))
    files = stored_files(documentos, "versions__storage_path")
    per_proyecto = {}
    proyecto_ids = {root.proyecto_id for root in roots} | set(
        documentos.values_list("proyecto_id", flat=True)
    )
    for proyecto_id in proyecto_ids:
        mine = documentos.filter(proyecto_id=proyecto_id)
        per_proyecto[proyecto_id] = {
            "carpetas": Folder.objects.filter(pk__in=folder_ids, proyecto_id=proyecto_id).count(),
            "documentos": mine.count(),
            "versiones": DocumentoVersion.objects.filter(documento__in=mine).count(),
        }
    documentos.delete()
    Folder.objects.filter(pk__in=[root.pk for root in roots]).delete()
    delete_files_on_commit(files)
    return per_proyecto


def _total(per_proyecto):
    return {
        key: sum(counts[key] for counts in per_proyecto.values())
        for key in ("carpetas", "documentos", "versiones")
    }


@service
def delete_documento(*, documento, user=None):
    """Delete a document for good (from the trash): its versions and files go with it."""
    locked = Documento.objects.select_for_update().select_related("proyecto").get(pk=documento.pk)
    counts = _total(_delete_for_good(roots=[], documento_ids=[locked.pk]))
    record(
        Evento.DOCUMENTO_DELETED,
        user=user,
        entidad_id=locked.pk,
        proyecto=locked.proyecto,
        nombre=locked.nombre,
        **counts,
    )
    return counts


@service
def delete_folder(*, folder, user=None):
    """Delete a folder for good (from the trash), with everything under it and their files."""
    root, _target = lock_for_move(folder)
    proyecto = root.proyecto
    counts = _total(_delete_for_good(roots=[root], documento_ids=[]))
    record(
        Evento.FOLDER_DELETED,
        user=user,
        entidad_id=root.pk,
        proyecto=proyecto,
        entidad="folder",
        path=root.path,
        **counts,
    )
    return counts


@service
def purge_trash(*, older_than=None, user=None):
    """Delete for good what has been in the trash longer than TRASH_RETENTION_DAYS.

    One transaction; one audit row per project saying how much went.
    """
    cutoff = timezone.now() - (older_than or timedelta(days=settings.TRASH_RETENTION_DAYS))
    expired = Folder.objects.filter(deleted_at__lt=cutoff)
    roots = list(expired.exclude(parent__in=expired).select_for_update())
    documento_ids = Documento.objects.filter(deleted_at__lt=cutoff).values("pk")
    per_proyecto = _delete_for_good(roots=roots, documento_ids=documento_ids)
    for proyecto in Proyecto.objects.filter(pk__in=per_proyecto):
        record(
            Evento.PAPELERA_PURGED,
            user=user,
            entidad_id=None,
            proyecto=proyecto,
            **per_proyecto[proyecto.pk],
        )
    return _total(per_proyecto)


@service
def discard_documento(*, documento, user=None):
    """What "delete" means for a person: to the trash, or for good if it is already there."""
    current = Documento.objects.get(pk=documento.pk)
    if current.deleted_at is None:
        return trash_documento(documento=documento, user=user)
    return delete_documento(documento=documento, user=user)


@service
def discard_folders(*, folders, user=None):
    """Delete chosen folders as a person means it (see `discard_documento`), each once.

    A folder under another chosen folder goes with that one, not on its own.
    """
    chosen = {(folder.proyecto_id, folder.path): folder for folder in folders}
    for (proyecto_id, path), folder in sorted(chosen.items(), key=lambda item: item[0][1]):
        if any((proyecto_id, above) in chosen for above in ancestor_paths(path)):
            continue
        current = Folder.objects.get(pk=folder.pk)
        if current.deleted_at is None:
            trash_folder(folder=folder, user=user)
        else:
            delete_folder(folder=folder, user=user)
