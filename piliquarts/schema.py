"""A comparable snapshot of the database schema, to prove migrations reverse cleanly."""

from django.db import connection

POSTGRESQL_SNAPSHOT = {
    "columns": """
        SELECT table_name, column_name, data_type, is_nullable, column_default,
               character_maximum_length, numeric_precision, numeric_scale
        FROM information_schema.columns WHERE table_schema = current_schema()
        ORDER BY table_name, column_name
    """,
    "constraints": """
        SELECT rel.relname, con.conname, pg_get_constraintdef(con.oid)
        FROM pg_constraint con JOIN pg_class rel ON rel.oid = con.conrelid
        JOIN pg_namespace nsp ON nsp.oid = rel.relnamespace
        WHERE nsp.nspname = current_schema()
        ORDER BY rel.relname, con.conname
    """,
    "indexes": """
        SELECT tablename, indexname, indexdef FROM pg_indexes
        WHERE schemaname = current_schema() ORDER BY tablename, indexname
    """,
    "triggers": """
        SELECT tgrelid::regclass::text, tgname, pg_get_triggerdef(oid) FROM pg_trigger
        WHERE NOT tgisinternal ORDER BY 1, 2
    """,
    "functions": """
        SELECT p.proname, pg_get_functiondef(p.oid) FROM pg_proc p
        JOIN pg_namespace nsp ON nsp.oid = p.pronamespace
        WHERE nsp.nspname = current_schema() ORDER BY 1
    """,
}

SQLITE_SNAPSHOT = {
    "objects": """
        SELECT type, name, tbl_name, sql FROM sqlite_master
        WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name
    """,
}


def schema_snapshot(using=connection):
    """Every table, column, constraint, index and trigger of the current database."""
    queries = POSTGRESQL_SNAPSHOT if using.vendor == "postgresql" else SQLITE_SNAPSHOT
    snapshot = {}
    with using.cursor() as cursor:
        for name, sql in queries.items():
            cursor.execute(sql)
            snapshot[name] = cursor.fetchall()
    return snapshot
