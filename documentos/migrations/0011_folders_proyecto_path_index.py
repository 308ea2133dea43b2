"""A project's folders by (proyecto_id, path, id): the list's order, one project at a time.

A member's folder list reads each of their projects from it and merges them
(ScopedModelAdmin.scope_branches); it also serves every lookup and cascade by
project, so the single-column index Django made for the foreign key goes. As in
0010: the new index first, the old one dropped by name on each database (an
AlterField would rebuild the table on SQLite and re-validate the foreign key
on PostgreSQL).
"""

import django.db.models.deletion
from django.db import migrations, models

from core.migration_operations import AddIndexConcurrently, drop_index_by_name

INDEX = "folders_proyecto_id_b6ceed5a"


class Migration(migrations.Migration):
    # CREATE and DROP INDEX CONCURRENTLY cannot run inside a transaction.
    atomic = False

    dependencies = [
        ('documentos', '0010_proyecto_ids_index'),
        ('proyectos', '0003_json_limits'),
    ]

    operations = [
        AddIndexConcurrently(
            model_name='folder',
            index=models.Index(fields=['proyecto', 'path', 'id'], name='folders_proy_path_idx'),
        ),
        drop_index_by_name(
            "folders",
            INDEX,
            "proyecto_id",
            state_operations=[
                migrations.AlterField(
                    model_name='folder',
                    name='proyecto',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.DB_CASCADE, related_name='folders', to='proyectos.proyecto', verbose_name='proyecto'),
                ),
            ],
        ),
    ]
