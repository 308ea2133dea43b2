"""Reads of the folder tree that pages reuse: each one query, on an index."""

from documentos.models import Documento, Folder


def ancestor_paths(path):
    """'/A/B/C' -> ['/A', '/A/B']: the paths of a folder's ancestors, root first."""
    parts = path.strip("/").split("/")[:-1]
    return ["/" + "/".join(parts[: n + 1]) for n in range(len(parts))]


def ancestors(folder):
    """The breadcrumb of a folder, root first: one query on the path index."""
    paths = ancestor_paths(folder.path)
    if not paths:
        return []
    return list(
        Folder.objects.alive()
        .filter(proyecto_id=folder.proyecto_id, path__in=paths)
        .order_by("path")
    )


def subtree(folder):
    """Every folder under `folder`: one range scan of the path index (text_pattern_ops)."""
    return Folder.objects.alive().filter(
        proyecto_id=folder.proyecto_id, path__startswith=f"{folder.path}/"
    )


def contents(folder):
    """A folder's sub-folders and documents, in name order."""
    subfolders = Folder.objects.alive().filter(parent=folder).order_by("nombre")
    documentos = Documento.objects.alive().filter(folder=folder).order_by("nombre")
    return subfolders, documentos
