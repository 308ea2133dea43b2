"""The versions list's order with the versions' ids in the index (INCLUDE).

A page of the list reads its ids from the index alone: the owner's page 50
reads past 2,500 versions, a member's page each of their documents' versions
(a nested loop), and each of those read the table's row for its id. Built
concurrently: no write waits.
"""

from django.db import migrations, models

from core.migration_operations import AddIndexConcurrently


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY cannot run inside a transaction.
    atomic = False

    dependencies = [
        ('documentos', '0012_trash_indexes'),
    ]

    operations = [
        AddIndexConcurrently(
            model_name='documentoversion',
            index=models.Index(fields=['documento', '-version'], include=('id',), name='documento_versions_list_idx'),
        ),
    ]
