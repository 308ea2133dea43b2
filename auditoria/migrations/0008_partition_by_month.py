"""`actividades` becomes a table partitioned by month of `created_at` (PostgreSQL only).

PostgreSQL wants the partition key in every unique constraint, so the primary
key becomes (id, created_at) in the database; the model keeps `id` as its
primary key (nothing points at an audit row, and ids are random UUIDs), so the
ORM, the admin's URLs and the feeds are unchanged. SQLite keeps a plain table.

The conversion copies the rows into the new table in the migration's own
transaction: writes to the audit trail wait meanwhile (SHARE lock), reads go on
until the final swap of names (ACCESS EXCLUSIVE, held for the last moment only).
Measured on 10M rows in docs/scaling.md. Indexes, foreign keys and triggers are
read from the catalog and rebuilt with the same names and definitions, both
ways, so the reverse gives back exactly the table migration 0007 left.

Months are UTC calendar months. The migration creates one partition per month
holding rows, the current month and the next three, and a DEFAULT partition:
a row nobody created a partition for ahead of time (`manage.py
actividades_partitions`) lands there instead of failing its whole transaction,
and the command moves it to its month's partition later.
"""

from django.db import migrations

from core.migration_operations import RunSQLOnPostgreSQL

# Creates the month's partition of `parent` if missing, with the TRUNCATE guard
# (statement triggers are not inherited); rows of that month waiting in the
# DEFAULT partition are moved into it, with the purge flag of this transaction.
CREATE_PARTITION = r"""
CREATE FUNCTION actividades_create_partition(month date, parent_name text DEFAULT 'actividades')
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    first date := date_trunc('month', month)::date;
    lo timestamptz := first::timestamp AT TIME ZONE 'UTC';
    hi timestamptz := (first + interval '1 month')::timestamp AT TIME ZONE 'UTC';
    parent regclass := parent_name::regclass;
    name text := 'actividades_' || to_char(first, 'YYYY_MM');
    fallback regclass;
    waiting boolean := false;
    purge text := current_setting('piliquarts.audit_purge', true);
BEGIN
    IF to_regclass(name) IS NOT NULL THEN
        RETURN name;
    END IF;
    SELECT i.inhrelid::regclass INTO fallback FROM pg_inherits i
    JOIN pg_class c ON c.oid = i.inhrelid
    WHERE i.inhparent = parent AND pg_get_expr(c.relpartbound, c.oid) = 'DEFAULT';
    IF fallback IS NOT NULL THEN
        EXECUTE format('SELECT EXISTS (SELECT 1 FROM %s WHERE created_at >= %L AND created_at < %L)',
                       fallback, lo, hi) INTO waiting;
    END IF;
    IF waiting THEN
        EXECUTE format('ALTER TABLE %s DETACH PARTITION %s', parent, fallback);
    END IF;
    EXECUTE format('CREATE TABLE %I PARTITION OF %s FOR VALUES FROM (%L) TO (%L)',
                   name, parent, lo, hi);
    EXECUTE format('CREATE TRIGGER actividades_append_only_truncate BEFORE TRUNCATE ON %I '
                   'FOR EACH STATEMENT EXECUTE FUNCTION actividades_append_only()', name);
    IF waiting THEN
        EXECUTE format('INSERT INTO %I SELECT * FROM %s WHERE created_at >= %L AND created_at < %L',
                       name, fallback, lo, hi);
        PERFORM set_config('piliquarts.audit_purge', 'on', true);
        EXECUTE format('DELETE FROM %s WHERE created_at >= %L AND created_at < %L',
                       fallback, lo, hi);
        PERFORM set_config('piliquarts.audit_purge', coalesce(purge, ''), true);
        EXECUTE format('ALTER TABLE %s ATTACH PARTITION %s DEFAULT', parent, fallback);
    END IF;
    RETURN name;
END
$$
"""

# Rebuild `actividades` as `target` (a new table made by `create_target`), rows,
# keys, indexes, foreign keys and triggers included, then swap the names.
REBUILD = r"""
DO $$
DECLARE
    source regclass := 'actividades';
    indexes text[];
    foreign_keys text[][];
    triggers text[];
    statement text;
    item text[];
    r record;
BEGIN
    LOCK TABLE actividades IN SHARE MODE;
    -- Index builds sort in memory; the default 64MB spills to disk.
    PERFORM set_config('maintenance_work_mem', '1GB', true);
    SELECT coalesce(array_agg(pg_get_indexdef(indexrelid) ORDER BY indexrelid::regclass::text), '{}')
      INTO indexes FROM pg_index WHERE indrelid = source AND NOT indisprimary;
    SELECT coalesce(array_agg(ARRAY[conname::text, pg_get_constraintdef(oid)] ORDER BY conname), '{}')
      INTO foreign_keys FROM pg_constraint WHERE conrelid = source AND contype = 'f';
    SELECT coalesce(array_agg(pg_get_triggerdef(oid) ORDER BY tgname), '{}')
      INTO triggers FROM pg_trigger WHERE tgrelid = source AND NOT tgisinternal AND tgparentid = 0;
    -- Index names are per schema: the old table's step aside for the new ones.
    FOR r IN SELECT indexrelid::regclass::text AS name FROM pg_index WHERE indrelid = source LOOP
        EXECUTE format('ALTER INDEX %I RENAME TO %I', r.name, left(r.name, 40) || '_old');
    END LOOP;

    -- target --

    INSERT INTO actividades_rebuilt SELECT * FROM actividades;
    ALTER TABLE actividades_rebuilt ADD CONSTRAINT actividades_pkey PRIMARY KEY (-- key --);
    FOREACH statement IN ARRAY indexes LOOP
        EXECUTE regexp_replace(statement, ' ON (ONLY )?(\S+\.)?actividades ',
                               ' ON actividades_rebuilt ');
    END LOOP;
    FOREACH item SLICE 1 IN ARRAY foreign_keys LOOP
        EXECUTE format('ALTER TABLE actividades_rebuilt ADD CONSTRAINT %I %s', item[1], item[2]);
    END LOOP;
    FOREACH statement IN ARRAY triggers LOOP
        EXECUTE regexp_replace(statement, ' ON (\S+\.)?actividades ', ' ON actividades_rebuilt ');
    END LOOP;

    ALTER TABLE actividades RENAME TO actividades_replaced;
    ALTER TABLE actividades_rebuilt RENAME TO actividades;
    DROP TABLE actividades_replaced;
    ANALYZE actividades;
END
$$
"""

TO_PARTITIONED = r"""
    CREATE TABLE actividades_rebuilt (LIKE actividades INCLUDING DEFAULTS INCLUDING CONSTRAINTS
        INCLUDING STORAGE INCLUDING COMMENTS) PARTITION BY RANGE (created_at);
    FOR r IN SELECT generate_series(
            date_trunc('month', least(min(created_at), now()) AT TIME ZONE 'UTC'),
            date_trunc('month', greatest(max(created_at), now()) AT TIME ZONE 'UTC')
                + interval '3 months',
            interval '1 month')::date AS month FROM actividades LOOP
        PERFORM actividades_create_partition(r.month, 'actividades_rebuilt');
    END LOOP;
    CREATE TABLE actividades_default PARTITION OF actividades_rebuilt DEFAULT;
    CREATE TRIGGER actividades_append_only_truncate BEFORE TRUNCATE ON actividades_default
        FOR EACH STATEMENT EXECUTE FUNCTION actividades_append_only();
"""

TO_PLAIN = r"""
    CREATE TABLE actividades_rebuilt (LIKE actividades INCLUDING DEFAULTS INCLUDING CONSTRAINTS
        INCLUDING STORAGE INCLUDING COMMENTS);
"""


def rebuild(create_target, primary_key):
    return REBUILD.replace("-- target --", create_target).replace("-- key --", primary_key)


class Migration(migrations.Migration):
    dependencies = [
        ("auditoria", "0007_append_only_replace"),
    ]

    operations = [
        RunSQLOnPostgreSQL(
            sql=[
                CREATE_PARTITION,
                rebuild(TO_PARTITIONED, "id, created_at"),
            ],
            reverse_sql=[
                rebuild(TO_PLAIN, "id"),
                "DROP FUNCTION actividades_create_partition(date, text)",
            ],
        ),
    ]
