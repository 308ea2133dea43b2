"""The folder tree: creating, renaming and moving folders, with the locks that keep it a tree.

A move locks the moved subtree and the target with its ancestors, in one
order (by id), then checks the rules on what it read after locking: two
people moving X under Y and Y under X at once queue, and the second is
refused as a cycle instead of both succeeding.
"""

from django.db.models import Q, Value
from django.db.models.functions import Concat, Length, Substr
from django.utils.translation import gettext as _

from auditoria.events import Evento
from auditoria.services import changes, record
from core.services import DomainError, service
from documentos.models import Folder
from documentos.selectors import ancestor_paths

# Enough for any number of concurrent moves to settle; each round follows a committed change.
LOCK_ROUNDS = 5


def folder_path(*, parent, nombre):
    """The `path` of a folder named `nombre` under `parent` (None: the project's root)."""
    return f"{parent.path if parent else ''}/{nombre}"


def subtree(folder):
    """The folder and every folder under it, by the indexed path prefix (trash included)."""
    return Folder.objects.filter(proyecto_id=folder.proyecto_id).filter(
        Q(pk=folder.pk) | Q(path__startswith=f"{folder.path}/")
    )


def lock_folder(pk):
    """Lock one folder against moves, renames and the trash while a document or child goes in.

    FOR NO KEY UPDATE: it queues behind a move of it or of an ancestor (which
    lock FOR UPDATE), but not behind the foreign-key checks of other inserts.
    """
    return Folder.objects.select_for_update(no_key=True).get(pk=pk)


def lock_for_move(folder, target=None):
    """Lock `folder`'s subtree and `target` with its ancestors; return both as they are now.

    What to lock is read before locking; if a concurrent change moved either
    meanwhile, the locks are taken again for what the tree is after it.
    """
    for _round in range(LOCK_ROUNDS):
        current = Folder.objects.get(pk=folder.pk)
        ids = set(subtree(current).values_list("pk", flat=True))
        if target is not None:
            parent = Folder.objects.get(pk=target.pk)
            ids |= set(
                Folder.objects.filter(
                    proyecto_id=parent.proyecto_id,
                    path__in=[*ancestor_paths(parent.path), parent.path],
                ).values_list("pk", flat=True)
            )
        locked = {
            row.pk: row
            for row in Folder.objects.filter(pk__in=ids).order_by("pk").select_for_update()
        }
        now = locked.get(current.pk)
        target_now = locked.get(target.pk) if target is not None else None
        if (
            now is not None
            and now.path == current.path
            and (target is None or (target_now is not None and target_now.path == parent.path))
        ):
            return now, target_now
    raise DomainError(_("La carpeta cambió mientras se movía. Inténtelo de nuevo."))


def check_parent(*, folder, proyecto_id, parent):
    """The rules of a folder's place: same project, not in the trash, not under itself."""
    if parent is None:
        return
    if parent.proyecto_id != proyecto_id:
        raise DomainError({"parent": _("La carpeta superior debe pertenecer al mismo proyecto.")})
    if parent.deleted_at is not None:
        raise DomainError({"parent": _("La carpeta superior está en la papelera.")})
    if folder is not None and (parent.pk == folder.pk or parent.path.startswith(f"{folder.path}/")):
        raise DomainError(
            {"parent": _("Una carpeta no puede moverse dentro de sí misma ni de sus subcarpetas.")}
        )


@service
def create_folder(*, proyecto, nombre, parent=None, user=None):
    """Create a folder under `parent` (or at the project's root) with its path."""
    if parent is not None:
        parent = lock_folder(parent.pk)
    check_parent(folder=None, proyecto_id=proyecto.pk, parent=parent)
    folder = Folder(
        proyecto=proyecto,
        parent=parent,
        nombre=nombre,
        path=folder_path(parent=parent, nombre=nombre),
    )
    folder.full_clean()
    folder.save()
    record(
        Evento.FOLDER_CREATED,
        user=user,
        entidad_id=folder.pk,
        proyecto=proyecto,
        entidad="folder",
        path=folder.path,
    )
    return folder


@service
def update_folder(*, folder, nombre, parent, user=None):
    """Rename and/or move a folder, rewriting the path of its whole subtree in one UPDATE."""
    current, parent = lock_for_move(folder, parent)
    if current.deleted_at is not None:
        raise DomainError(_("La carpeta está en la papelera: restáurela antes de cambiarla."))
    check_parent(folder=current, proyecto_id=current.proyecto_id, parent=parent)
    before = {"nombre": current.nombre, "parent": current.parent_id, "path": current.path}
    current.nombre, current.parent = nombre, parent
    current.path = folder_path(parent=parent, nombre=nombre)
    if current.path == before["path"]:
        return current
    current.full_clean()
    current.save()
    Folder.objects.filter(
        proyecto_id=current.proyecto_id, path__startswith=f"{before['path']}/"
    ).update(path=Concat(Value(current.path), Substr("path", Length(Value(before["path"])) + 1)))
    after = {"nombre": current.nombre, "parent": current.parent_id, "path": current.path}
    record(
        Evento.FOLDER_UPDATED,
        user=user,
        entidad_id=current.pk,
        proyecto=current.proyecto,
        entidad="folder",
        path=current.path,
        path_antes=before["path"],
        cambios=changes(before, after),
    )
    folder.nombre, folder.parent, folder.path = current.nombre, current.parent, current.path
    return current
