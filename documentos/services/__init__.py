"""Writes to the folder tree, documents and their versions: every change goes through here.

folders: creating, renaming and moving folders; versions: documents, their
versions and stored files; trash: the trash, restoring, deleting for good.
"""

from documentos.services.folders import create_folder, folder_path, update_folder
from documentos.services.trash import (
    delete_documento,
    delete_folder,
    discard_documento,
    discard_folders,
    purge_trash,
    restore_documento,
    restore_folder,
    trash_documento,
    trash_folder,
)
from documentos.services.versions import (
    EDITABLE_FIELDS,
    add_version,
    restore_version,
    update_documento,
    upload_documento,
)

__all__ = [
    "EDITABLE_FIELDS",
    "add_version",
    "create_folder",
    "delete_documento",
    "delete_folder",
    "discard_documento",
    "discard_folders",
    "folder_path",
    "purge_trash",
    "restore_documento",
    "restore_folder",
    "restore_version",
    "trash_documento",
    "trash_folder",
    "update_documento",
    "update_folder",
    "upload_documento",
]
