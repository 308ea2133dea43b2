"""The audit trail's monthly partitions (PostgreSQL): created ahead, archived, restored.

Partitions are UTC calendar months named `actividades_YYYY_MM`, made by the
SQL function `actividades_create_partition` of migration 0006 (which also moves
that month's rows out of the DEFAULT partition). Archiving exports a whole month
to a COPY file, checks the file against the rows, writes a manifest (rows,
SHA-256), and only then detaches and drops the month, all in one transaction:
a failed export drops nothing.
"""

import json
import os
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone

from core.checksums import sha256

TABLE = "actividades"
DEFAULT_PARTITION = "actividades_default"


class PartitionError(Exception):
    """Archiving or restoring a month could not be done; nothing was changed."""


@dataclass(frozen=True)
class Partition:
    name: str
    month: date | None  # None for the DEFAULT partition


def is_partitioned(using=DEFAULT_DB_ALIAS):
    connection = connections[using]
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT relkind = 'p' FROM pg_class WHERE oid = to_regclass(%s)", [TABLE])
        row = cursor.fetchone()
    return bool(row and row[0])


def _require_partitions(using):
    if not is_partitioned(using):
        raise PartitionError(
            "actividades is partitioned on PostgreSQL only (auditoria.0008); "
            "this database keeps a plain table."
        )


def partitions(using=DEFAULT_DB_ALIAS):
    """The partitions of actividades, oldest month first, the DEFAULT one last."""
    _require_partitions(using)
    with connections[using].cursor() as cursor:
        cursor.execute(
            """
            SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = %s::regclass ORDER BY c.relname
            """,
            [TABLE],
        )
        names = [name for (name,) in cursor.fetchall()]
    months = [
        Partition(name, date(int(name[-7:-3]), int(name[-2:]), 1))
        for name in names
        if name != DEFAULT_PARTITION
    ]
    return months + [Partition(name, None) for name in names if name == DEFAULT_PARTITION]


# month_bounds' answer per database alias: (read at, bounds). Partitions change monthly.
_bounds_cache = {}
BOUNDS_MAX_AGE = 300  # seconds


def month_bounds(using=DEFAULT_DB_ALIAS):
    """The first instants (UTC) of the months that have a partition, newest first.

    Empty where actividades is a plain table. Read from the catalog at most every
    BOUNDS_MAX_AGE seconds per process: readers use it to split a newest-first read
    into ranges that each prune to one month, and stay correct with a stale answer.
    """
    if connections[using].vendor != "postgresql":
        return []
    read_at, bounds = _bounds_cache.get(using, (None, None))
    if read_at is not None and time.monotonic() - read_at < BOUNDS_MAX_AGE:
        return bounds
    with connections[using].cursor() as cursor:
        cursor.execute(
            """
            SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            JOIN pg_class p ON p.oid = i.inhparent
            WHERE p.oid = to_regclass(%s) AND p.relkind = 'p' ORDER BY c.relname DESC
            """,
            [TABLE],
        )
        names = [name for (name,) in cursor.fetchall() if name != DEFAULT_PARTITION]
    bounds = [datetime(int(name[-7:-3]), int(name[-2:]), 1, tzinfo=UTC) for name in names]
    _bounds_cache[using] = (time.monotonic(), bounds)
    return bounds


def forget_month_bounds():
    """Read the months from the catalog again next time (after creating or dropping some)."""
    _bounds_cache.clear()


def month_start(day, offset=0):
    """The first day of the month `offset` months after `day`'s."""
    index = day.year * 12 + day.month - 1 + offset
    return date(index // 12, index % 12 + 1, 1)


def create_ahead(months=3, using=DEFAULT_DB_ALIAS):
    """Partitions for this month and the next `months`, and for any month whose rows
    wait in the DEFAULT partition (moved into it). Returns the names created."""
    _require_partitions(using)
    today = timezone.now().astimezone(UTC).date()
    wanted = {month_start(today, n) for n in range(months + 1)}
    before = {p.name for p in partitions(using)}
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        cursor.execute(
            f"SELECT DISTINCT (date_trunc('month', created_at AT TIME ZONE 'UTC'))::date "
            f'FROM "{DEFAULT_PARTITION}"'
        )
        wanted |= {month for (month,) in cursor.fetchall()}
        for month in sorted(wanted):
            cursor.execute("SELECT actividades_create_partition(%s::date)", [month])
    forget_month_bounds()
    return sorted({p.name for p in partitions(using)} - before)


def columns(cursor):
    cursor.execute(
        "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 "
        "AND NOT attisdropped ORDER BY attnum",
        [TABLE],
    )
    return [name for (name,) in cursor.fetchall()]


def _lines(path):
    count = 0
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            count += block.count(b"\n")
    return count


def manifest_path(path):
    return Path(f"{path}.manifest.json")


def archive(partition, folder, using=DEFAULT_DB_ALIAS):
    """Export one month to `folder`, verify it, then detach and drop it; return the manifest.

    The month is locked against writes (SHARE) while it is exported; the parent is
    locked (ACCESS EXCLUSIVE, to detach) only at the end, for an instant. Any
    failure rolls everything back: the month stays, whole.
    """
    if partition.month is None:
        raise PartitionError("The DEFAULT partition is never archived: create its months first.")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{partition.name}.copy"
    if path.exists() or manifest_path(path).exists():
        raise PartitionError(f"{path} already exists: refusing to overwrite an archive.")
    connection = connections[using]
    try:
        with transaction.atomic(using=using), connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('lock_timeout', %s, true)", [settings.MIGRATION_LOCK_TIMEOUT]
            )
            cursor.execute(f'LOCK TABLE "{partition.name}" IN SHARE MODE')
            names = columns(cursor)
            cursor.execute(f'SELECT count(*) FROM "{partition.name}"')
            (rows,) = cursor.fetchone()
            quoted = ", ".join(f'"{name}"' for name in names)
            with open(path, "wb") as out:
                with cursor.cursor.copy(
                    f'COPY (SELECT {quoted} FROM "{partition.name}" ORDER BY created_at, id) '
                    "TO STDOUT"
                ) as copy:
                    for block in copy:
                        out.write(block)
                out.flush()
                os.fsync(out.fileno())
            written = _lines(path)
            if written != rows:
                raise PartitionError(
                    f"{path} holds {written} rows, {partition.name} {rows}: dropping nothing."
                )
            manifest = {
                "table": TABLE,
                "partition": partition.name,
                "month": partition.month.isoformat(),
                "format": "PostgreSQL COPY text, one row a line, ordered by created_at, id",
                "columns": names,
                "rows": rows,
                "file": path.name,
                "size_bytes": path.stat().st_size,
                "sha256": sha256(path),
                "archived_at": timezone.now().isoformat(),
                "database": str(connection.settings_dict["NAME"]),
            }
            manifest_path(path).write_text(json.dumps(manifest, indent=2) + "\n")
            verify(path)
            # Deferred foreign-key checks of this transaction's own inserts would hold the
            # table; run them now (none are pending when the command runs on its own).
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f'ALTER TABLE "{TABLE}" DETACH PARTITION "{partition.name}"')
            cursor.execute(f'DROP TABLE "{partition.name}"')
        forget_month_bounds()
    except BaseException:
        # Nothing was dropped: an archive that may be incomplete must not look valid.
        manifest_path(path).unlink(missing_ok=True)
        path.unlink(missing_ok=True)
        raise
    return manifest


def archive_older_than(months, folder, using=DEFAULT_DB_ALIAS):
    """Archive every whole month that ended more than `months` months ago, oldest first."""
    if months < 1:
        raise PartitionError("Keep at least the current month: --older-than-months >= 1.")
    cutoff = month_start(timezone.now().astimezone(UTC).date(), -months)
    old = [p for p in partitions(using) if p.month is not None and p.month < cutoff]
    return [archive(partition, folder, using) for partition in old]


def verify(path):
    """The manifest of archive `path`, after checking the file is the one it describes."""
    path = Path(path)
    try:
        manifest = json.loads(manifest_path(path).read_text())
    except FileNotFoundError:
        raise PartitionError(f"{path} has no manifest: refusing it.") from None
    if not path.exists():
        raise PartitionError(f"No archive at {path}.")
    if sha256(path) != manifest["sha256"]:
        raise PartitionError(f"{path} does not match its manifest's SHA-256: refusing it.")
    if _lines(path) != manifest["rows"]:
        raise PartitionError(f"{path} does not hold the {manifest['rows']} rows it should.")
    return manifest


def restore(path, using=DEFAULT_DB_ALIAS):
    """Put an archived month back into its (empty) partition, all or nothing."""
    _require_partitions(using)
    manifest = verify(path)
    connection = connections[using]
    quoted = ", ".join(f'"{name}"' for name in manifest["columns"])
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute("SELECT actividades_create_partition(%s::date)", [manifest["month"]])
        (name,) = cursor.fetchone()
        cursor.execute(f'SELECT EXISTS (SELECT 1 FROM "{name}")')
        if cursor.fetchone()[0]:
            raise PartitionError(f"{name} already holds rows: restoring nothing.")
        with (
            open(path, "rb") as source,
            cursor.cursor.copy(f'COPY "{name}" ({quoted}) FROM STDIN') as copy,
        ):
            for block in iter(lambda: source.read(1 << 20), b""):
                copy.write(block)
        cursor.execute(f'SELECT count(*) FROM "{name}"')
        (rows,) = cursor.fetchone()
        if rows != manifest["rows"]:
            raise PartitionError(f"Restored {rows} rows, the manifest says {manifest['rows']}.")
    forget_month_bounds()
    return manifest
