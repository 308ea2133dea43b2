"""The single-column index on created_at goes: actividades_newest_idx (created_at DESC,
id DESC) answers the same ranges, and every audit row written updated both.

Only the index is dropped, by name, on each database: letting AlterField do it would
rebuild the table on SQLite and lose its append-only triggers.
"""

import core.db
from django.db import migrations, models

from core.migration_operations import drop_index_by_name

INDEX = "actividades_created_at_ff19140b"


class Migration(migrations.Migration):
    # DROP INDEX CONCURRENTLY cannot run inside a transaction.
    atomic = False

    dependencies = [
        ('auditoria', '0004_newest_first_index'),
    ]

    operations = [
        drop_index_by_name(
            "actividades",
            INDEX,
            "created_at",
            state_operations=[
                migrations.AlterField(
                    model_name='actividad',
                    name='created_at',
                    field=models.DateTimeField(db_default=core.db.DatabaseNow(), editable=False, verbose_name='fecha'),
                ),
            ],
        ),
    ]
