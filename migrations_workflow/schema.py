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
    if using.vendor == "sqlite":
        snapshot["objects"] = [
            (kind, name, table, _sorted_definitions(sql) if kind == "table" else sql)
            for kind, name, table, sql in snapshot["objects"]
        ]
    return snapshot


def _sorted_definitions(create_table):
    """A CREATE TABLE's column and constraint definitions, sorted.

    SQLite can only alter a table by rebuilding it, which may list the same
    columns in another order; the order says nothing about the schema.
    """
    head, _, body = create_table.partition("(")
    body = body.rsplit(")", 1)[0]
    parts, depth, current = [], 0, []
    for char in body:
        if char == "," and depth == 0:
            parts.append("".join(current).strip())
            current = []
            continue
        depth += {"(": 1, ")": -1}.get(char, 0)
        current.append(char)
    parts.append("".join(current).strip())
    return (head.strip(), tuple(sorted(parts)))
