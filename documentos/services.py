"""Writes to the folder tree and documents: every change goes through here."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Value
from django.db.models.functions import Concat, Length, Substr
from django.utils.translation import gettext as _

from documentos.models import Folder


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
    if (
        folder is not None
        and folder.pk
        and (parent.pk == folder.pk or parent.path.startswith(f"{folder.path}/"))
    ):
        raise ValidationError(
            {"parent": _("Una carpeta no puede moverse dentro de sí misma ni de sus subcarpetas.")}
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
    return folder


@transaction.atomic
def update_folder(*, folder, nombre, parent, user=None):
    """Rename and/or move a folder, rewriting the path of its whole subtree in one UPDATE."""
    # Lock the row so two concurrent moves cannot both pass the cycle check.
    current = Folder.objects.select_for_update().get(pk=folder.pk)
    _check_parent(folder=current, proyecto=current.proyecto, parent=parent)
    old_path = current.path
    folder.nombre = nombre
    folder.parent = parent
    folder.path = folder_path(parent=parent, nombre=nombre)
    folder.full_clean()
    folder.save()
    if folder.path != old_path:
        Folder.objects.filter(
            proyecto_id=folder.proyecto_id, path__startswith=f"{old_path}/"
        ).update(path=Concat(Value(folder.path), Substr("path", Length(Value(old_path)) + 1)))
    return folder
