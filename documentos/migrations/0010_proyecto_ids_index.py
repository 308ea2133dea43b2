"""A project's documents by (proyecto_id, id): the ids without the table.

A member's versions are read through their documents in id order
(admin_kit.changelist.Lead); the index also serves every lookup and cascade by
project, so the single-column index Django made for the foreign key goes. The
new index comes first (proyecto_id is never without one), and the old one is
dropped by name on each database: letting AlterField do it would rebuild the
table on SQLite and lose its triggers (proyecto_totales), and re-validate the
foreign key on PostgreSQL.
"""

import django.db.models.deletion
from django.db import migrations, models

from core.migration_operations import AddIndexConcurrently, drop_index_by_name

INDEX = "documentos_proyecto_id_12ad3eb3"


class Migration(migrations.Migration):
    # CREATE and DROP INDEX CONCURRENTLY cannot run inside a transaction.
    atomic = False

    dependencies = [
        ('documentos', '0009_proyecto_nombre_index'),
        ('proyectos', '0003_json_limits'),
    ]

    operations = [
        AddIndexConcurrently(
            model_name='documento',
            index=models.Index(fields=['proyecto', 'id'], name='documentos_proyecto_ids_idx'),
        ),
        drop_index_by_name(
            "documentos",
            INDEX,
            "proyecto_id",
            state_operations=[
                migrations.AlterField(
                    model_name='documento',
                    name='proyecto',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.DB_CASCADE, related_name='documentos', to='proyectos.proyecto', verbose_name='proyecto'),
                ),
            ],
        ),
    ]
