from django.db import migrations

from core.migration_operations import RunSQLOnPostgreSQL, RunSQLOnSQLite

# The audit trail is append-only in the database itself, whoever writes to it.
# The one change allowed is what ON DELETE SET NULL does when a user, project or
# workspace is deleted: a reference becoming NULL, every other column unchanged.
# A deliberate purge (retention) runs with the purge flag on: on PostgreSQL
# `SET LOCAL piliquarts.audit_purge = 'on'` in its transaction, on SQLite a row
# in auditoria_purge_allowed, only inside the purge's own transaction
# (auditoria.services.audit_purge_allowed; the test database has it on for its flushes).

POSTGRESQL = [
    """
    CREATE FUNCTION actividades_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF current_setting('piliquarts.audit_purge', true) = 'on' THEN
            RETURN COALESCE(NEW, OLD);
        END IF;
        IF TG_OP = 'UPDATE'
           AND (NEW.user_id IS NULL OR NEW.user_id IS NOT DISTINCT FROM OLD.user_id)
           AND (NEW.proyecto_id IS NULL OR NEW.proyecto_id IS NOT DISTINCT FROM OLD.proyecto_id)
           AND (NEW.workspace_id IS NULL OR NEW.workspace_id IS NOT DISTINCT FROM OLD.workspace_id)
           AND (NEW.id, NEW.tipo, NEW.entidad_tipo, NEW.entidad_id, NEW.descripcion,
                NEW.metadata, NEW.created_at)
               IS NOT DISTINCT FROM (OLD.id, OLD.tipo, OLD.entidad_tipo, OLD.entidad_id,
                OLD.descripcion, OLD.metadata, OLD.created_at)
        THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION 'actividades is append-only: % refused', TG_OP
            USING ERRCODE = 'restrict_violation';
    END
    $$
    """,
    "CREATE TRIGGER actividades_append_only_rows BEFORE UPDATE OR DELETE ON actividades "
    "FOR EACH ROW EXECUTE FUNCTION actividades_append_only()",
    "CREATE TRIGGER actividades_append_only_truncate BEFORE TRUNCATE ON actividades "
    "FOR EACH STATEMENT EXECUTE FUNCTION actividades_append_only()",
]
POSTGRESQL_REVERSE = [
    "DROP TRIGGER actividades_append_only_truncate ON actividades",
    "DROP TRIGGER actividades_append_only_rows ON actividades",
    "DROP FUNCTION actividades_append_only()",
]

SQLITE = [
    "CREATE TABLE IF NOT EXISTS auditoria_purge_allowed (allowed integer NOT NULL)",
    """
    CREATE TRIGGER actividades_append_only_delete BEFORE DELETE ON actividades
    WHEN NOT EXISTS (SELECT 1 FROM auditoria_purge_allowed)
    BEGIN SELECT RAISE(ABORT, 'actividades is append-only: DELETE refused'); END
    """,
    """
    CREATE TRIGGER actividades_append_only_update BEFORE UPDATE ON actividades
    WHEN NOT EXISTS (SELECT 1 FROM auditoria_purge_allowed) AND NOT (
        (NEW.user_id IS NULL OR NEW.user_id IS OLD.user_id)
        AND (NEW.proyecto_id IS NULL OR NEW.proyecto_id IS OLD.proyecto_id)
        AND (NEW.workspace_id IS NULL OR NEW.workspace_id IS OLD.workspace_id)
        AND NEW.id IS OLD.id AND NEW.tipo IS OLD.tipo
        AND NEW.entidad_tipo IS OLD.entidad_tipo AND NEW.entidad_id IS OLD.entidad_id
        AND NEW.descripcion IS OLD.descripcion AND NEW.metadata IS OLD.metadata
        AND NEW.created_at IS OLD.created_at
    )
    BEGIN SELECT RAISE(ABORT, 'actividades is append-only: UPDATE refused'); END
    """,
]
SQLITE_REVERSE = [
    "DROP TRIGGER actividades_append_only_update",
    "DROP TRIGGER actividades_append_only_delete",
    "DROP TABLE IF EXISTS auditoria_purge_allowed",
]


class Migration(migrations.Migration):
    dependencies = [
        ("auditoria", "0002_search_indexes"),
    ]

    operations = [
        RunSQLOnPostgreSQL(POSTGRESQL, reverse_sql=POSTGRESQL_REVERSE),
        RunSQLOnSQLite(SQLITE, reverse_sql=SQLITE_REVERSE),
    ]
