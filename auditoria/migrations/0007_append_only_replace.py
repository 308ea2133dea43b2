from django.db import migrations

from core.migration_operations import RunSQLOnSQLite

# SQLite's REPLACE (`INSERT OR REPLACE`, `REPLACE INTO`) deletes the row whose id it
# collides with without firing DELETE triggers (unless the connection turned
# `recursive_triggers` on), so 0003's triggers let it rewrite an audit row. This
# trigger refuses, in the database, an insert naming an id that already exists,
# whatever its conflict clause: the row is never deleted to make room. A plain
# duplicate insert was refused already (the primary key); it still is.
#
# PostgreSQL has no REPLACE: its upsert (`ON CONFLICT DO UPDATE`) and MERGE run as
# an UPDATE or DELETE and meet 0003's function actividades_append_only(), which any
# new table or partition of the trail re-attaches with 0003's two CREATE TRIGGERs.

SQLITE = [
    """
    CREATE TRIGGER actividades_append_only_insert BEFORE INSERT ON actividades
    WHEN NOT EXISTS (SELECT 1 FROM auditoria_purge_allowed)
        AND EXISTS (SELECT 1 FROM actividades WHERE id = NEW.id)
    BEGIN SELECT RAISE(ABORT, 'actividades is append-only: REPLACE refused'); END
    """,
]
SQLITE_REVERSE = ["DROP TRIGGER actividades_append_only_insert"]


class Migration(migrations.Migration):
    dependencies = [
        ("auditoria", "0006_evento_index"),
    ]

    operations = [
        RunSQLOnSQLite(SQLITE, reverse_sql=SQLITE_REVERSE),
    ]
