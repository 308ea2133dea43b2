"""What goes with a row the database deletes in cascade: counted first, files removed after.

Deletes cascade in the database (`DB_CASCADE`), which reports nothing back:
a service counts what will go for its audit row, and collects the stored
files of the versions that go, to delete exactly those once it commits.
"""

import logging

from django.core.files.storage import storages
from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models import Count

logger = logging.getLogger(__name__)


def storage():
    """Where versions' files are kept (`STORAGES["default"]`)."""
    return storages["default"]


def cascade_counts(obj, relations):
    """{label: rows} reached from `obj` along each relation path ("proyectos__folders").

    One small query per path: counting several in one would multiply the joins.
    """
    rows = type(obj)._default_manager.filter(pk=obj.pk)
    return {label: rows.aggregate(n=Count(path))["n"] for label, path in relations.items()}


def stored_files(queryset, path):
    """The storage paths found along `path` from the rows of `queryset` (empty ones left out)."""
    return [name for name in queryset.values_list(path, flat=True).iterator() if name]


def delete_files_on_commit(paths, using=DEFAULT_DB_ALIAS):
    """Delete these stored files once the transaction commits (a rollback keeps them)."""
    paths = list(paths)
    if paths:
        transaction.on_commit(lambda: delete_files(paths), using=using)


def delete_files(paths):
    """Delete stored files now; one that cannot go is logged (check_integrity finds it later)."""
    for name in paths:
        try:
            storage().delete(name)
        except OSError:
            logger.exception("Could not delete the stored file %s", name)
