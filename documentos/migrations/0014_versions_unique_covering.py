"""The versions' unique index holds their ids too: a member's page reads no table row.

A member's versions are read document by document from this index
(admin_kit.changelist.Lead); the list's rows are known by id, which the index
did not hold: page 50 read 2,500 table rows for their ids (3 ms of 13). The
constraint keeps its name, and so its message (core.services maps a violation
to it by name): its new index is built CONCURRENTLY (writes go on), then takes
the old one's place in one ALTER TABLE. SQLite has no INCLUDE: nothing changes
there.
"""

from django.db import migrations

from core.migration_operations import RunSQLOnPostgreSQL

TABLE = '"documento_versions"'
CONSTRAINT = '"documento_versions_unique_version"'


def swap(index, include):
    """SQL that builds `index` and makes it the constraint's, in place of the old one."""
    return [
        f'CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS "{index}" ON {TABLE} '
        f'("documento_id", "version"){include};',
        f"ALTER TABLE {TABLE} DROP CONSTRAINT {CONSTRAINT}, "
        f'ADD CONSTRAINT {CONSTRAINT} UNIQUE USING INDEX "{index}";',
    ]


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY cannot run inside a transaction.
    atomic = False

    dependencies = [
        ("documentos", "0013_proyecto_filters_index"),
    ]

    operations = [
        RunSQLOnPostgreSQL(
            sql=swap("documento_versions_unique_version_ids", ' INCLUDE ("id")'),
            reverse_sql=swap("documento_versions_unique_version_plain", ""),
        ),
    ]
