import django.db.models.deletion
from django.db import migrations, models

from core.migration_operations import RunSQLOnPostgreSQL, RunSQLOnSQLite

# proyecto_totales is kept by the database: whoever inserts, updates or deletes
# documents, the project's row follows in the same transaction. The dashboard
# reads it instead of summing `documentos` (models.ProyectoTotales).
#
# PostgreSQL: one trigger per statement with its transition tables, so a bulk
# load (COPY, seed_bulk) adds each project's sums once, not once per row; an
# update that changes none of the counted columns writes nothing (no lock on the
# project's row). SQLite: row triggers, on the counted columns only.

BACKFILL = """
    INSERT INTO proyecto_totales (proyecto_id, documentos, versiones, bytes)
    SELECT proyecto_id, SUM(CASE WHEN deleted_at IS NULL THEN 1 ELSE 0 END),
           SUM(version), SUM(size_bytes)
    FROM documentos GROUP BY proyecto_id
"""

POSTGRESQL = [
    # No document may change between the sums and the triggers taking over.
    "LOCK TABLE documentos IN SHARE MODE",
    """
    CREATE FUNCTION proyecto_totales_follow() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            INSERT INTO proyecto_totales AS t (proyecto_id, documentos, versiones, bytes)
            SELECT proyecto_id, COUNT(*) FILTER (WHERE deleted_at IS NULL),
                   SUM(version), SUM(size_bytes)
            FROM new_rows GROUP BY proyecto_id
            ON CONFLICT (proyecto_id) DO UPDATE SET
                documentos = t.documentos + EXCLUDED.documentos,
                versiones = t.versiones + EXCLUDED.versiones,
                bytes = t.bytes + EXCLUDED.bytes;
        ELSIF TG_OP = 'DELETE' THEN
            UPDATE proyecto_totales AS t SET
                documentos = t.documentos - o.documentos,
                versiones = t.versiones - o.versiones,
                bytes = t.bytes - o.bytes
            FROM (SELECT proyecto_id, COUNT(*) FILTER (WHERE deleted_at IS NULL) AS documentos,
                         SUM(version) AS versiones, SUM(size_bytes) AS bytes
                  FROM old_rows GROUP BY proyecto_id) AS o
            WHERE t.proyecto_id = o.proyecto_id;
        ELSE
            INSERT INTO proyecto_totales (proyecto_id)
            SELECT DISTINCT proyecto_id FROM new_rows
            ON CONFLICT (proyecto_id) DO NOTHING;
            UPDATE proyecto_totales AS t SET
                documentos = t.documentos + d.documentos,
                versiones = t.versiones + d.versiones,
                bytes = t.bytes + d.bytes
            FROM (SELECT proyecto_id, SUM(documentos) AS documentos,
                         SUM(versiones) AS versiones, SUM(bytes) AS bytes
                  FROM (SELECT proyecto_id, (deleted_at IS NULL)::int AS documentos,
                               version AS versiones, size_bytes AS bytes FROM new_rows
                        UNION ALL
                        SELECT proyecto_id, -(deleted_at IS NULL)::int, -version, -size_bytes
                        FROM old_rows) AS c
                  GROUP BY proyecto_id) AS d
            WHERE t.proyecto_id = d.proyecto_id
              AND (d.documentos <> 0 OR d.versiones <> 0 OR d.bytes <> 0);
        END IF;
        RETURN NULL;
    END
    $$
    """,
    "CREATE TRIGGER documentos_totales_insert AFTER INSERT ON documentos "
    "REFERENCING NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION proyecto_totales_follow()",
    "CREATE TRIGGER documentos_totales_update AFTER UPDATE ON documentos "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION proyecto_totales_follow()",
    "CREATE TRIGGER documentos_totales_delete AFTER DELETE ON documentos "
    "REFERENCING OLD TABLE AS old_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION proyecto_totales_follow()",
    # TRUNCATE fires no DELETE trigger: every document is gone, so is every total.
    """
    CREATE FUNCTION proyecto_totales_empty() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        DELETE FROM proyecto_totales;
        RETURN NULL;
    END
    $$
    """,
    "CREATE TRIGGER documentos_totales_truncate AFTER TRUNCATE ON documentos "
    "FOR EACH STATEMENT EXECUTE FUNCTION proyecto_totales_empty()",
    BACKFILL,
]
POSTGRESQL_REVERSE = [
    "DROP TRIGGER documentos_totales_truncate ON documentos",
    "DROP FUNCTION proyecto_totales_empty()",
    "DROP TRIGGER documentos_totales_delete ON documentos",
    "DROP TRIGGER documentos_totales_update ON documentos",
    "DROP TRIGGER documentos_totales_insert ON documentos",
    "DROP FUNCTION proyecto_totales_follow()",
]

# SQLite's row triggers: the new row added, the old one taken away.
SQLITE_ADD_NEW = """
        INSERT INTO proyecto_totales (proyecto_id, documentos, versiones, bytes)
        VALUES (NEW.proyecto_id, NEW.deleted_at IS NULL, NEW.version, NEW.size_bytes)
        ON CONFLICT (proyecto_id) DO UPDATE SET
            documentos = documentos + excluded.documentos,
            versiones = versiones + excluded.versiones,
            bytes = bytes + excluded.bytes;
"""
SQLITE_TAKE_OLD = """
        UPDATE proyecto_totales SET
            documentos = documentos - (OLD.deleted_at IS NULL),
            versiones = versiones - OLD.version,
            bytes = bytes - OLD.size_bytes
        WHERE proyecto_id = OLD.proyecto_id;
"""

SQLITE = [
    f"""
    CREATE TRIGGER documentos_totales_insert AFTER INSERT ON documentos
    BEGIN {SQLITE_ADD_NEW} END
    """,
    f"""
    CREATE TRIGGER documentos_totales_update
    AFTER UPDATE OF proyecto_id, deleted_at, version, size_bytes ON documentos
    BEGIN {SQLITE_TAKE_OLD} {SQLITE_ADD_NEW} END
    """,
    f"""
    CREATE TRIGGER documentos_totales_delete AFTER DELETE ON documentos
    BEGIN {SQLITE_TAKE_OLD} END
    """,
    BACKFILL,
]
SQLITE_REVERSE = [
    "DROP TRIGGER documentos_totales_delete",
    "DROP TRIGGER documentos_totales_update",
    "DROP TRIGGER documentos_totales_insert",
]


class Migration(migrations.Migration):
    dependencies = [
        ("documentos", "0007_json_limits"),
        ("proyectos", "0003_json_limits"),
    ]

    operations = [
        migrations.CreateModel(
            name="ProyectoTotales",
            fields=[
                (
                    "proyecto",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.DB_CASCADE,
                        primary_key=True,
                        related_name="totales",
                        serialize=False,
                        to="proyectos.proyecto",
                        verbose_name="proyecto",
                    ),
                ),
                (
                    "documentos",
                    models.BigIntegerField(db_default=0, default=0, verbose_name="documentos"),
                ),
                (
                    "versiones",
                    models.BigIntegerField(db_default=0, default=0, verbose_name="versiones"),
                ),
                ("bytes", models.BigIntegerField(db_default=0, default=0, verbose_name="bytes")),
            ],
            options={
                "verbose_name": "totales de proyecto",
                "verbose_name_plural": "totales de proyectos",
                "db_table": "proyecto_totales",
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("bytes__gte", 0), ("documentos__gte", 0), ("versiones__gte", 0)
                        ),
                        name="proyecto_totales_not_negative",
                        violation_error_message="Los totales no pueden ser negativos.",
                    )
                ],
            },
        ),
        RunSQLOnPostgreSQL(POSTGRESQL, POSTGRESQL_REVERSE),
        RunSQLOnSQLite(SQLITE, SQLITE_REVERSE),
    ]
