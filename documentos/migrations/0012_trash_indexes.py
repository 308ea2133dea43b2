"""The trash of folders and of documents in their lists' order, as partial indexes.

TrashFilter's list (`deleted_at IS NOT NULL`) had no index: its count and its
page read every folder (80,000 at the large preset) to find the few in the
trash. Built concurrently: no write waits for them.
"""

from django.db import migrations, models

from core.migration_operations import AddIndexConcurrently


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY cannot run inside a transaction.
    atomic = False

    dependencies = [
        ('documentos', '0011_folders_proyecto_path_index'),
    ]

    operations = [
        AddIndexConcurrently(
            model_name='folder',
            index=models.Index(condition=models.Q(('deleted_at__isnull', False)), fields=['path', 'id'], name='folders_trash_path_idx'),
        ),
        AddIndexConcurrently(
            model_name='documento',
            index=models.Index(condition=models.Q(('deleted_at__isnull', False)), fields=['nombre', '-id'], name='documentos_trash_nombre_idx'),
        ),
    ]
