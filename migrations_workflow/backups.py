"""Backups around migrations: pg_dump / SQLite's online backup, with a checked manifest."""

import json
import os
import sqlite3
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError
from django.utils import timezone

from core.checksums import sha256
from migrations_workflow.revisions import (
    WorkflowError,
    connection_for,
    executor,
    migration_label,
)
from migrations_workflow.throwaway import throwaway_database

#: What a manifest must hold for a restore to check the backup against it.
MANIFEST_FIELDS = {
    "vendor": str,
    "database": str,
    "created_at": str,
    "sha256": str,
    "migrations": list,
    "row_counts": dict,
}


def row_counts(using=DEFAULT_DB_ALIAS):
    """{table: rows} of every table, to prove a restore brought everything back."""
    connection = connection_for(using)
    with connection.cursor() as cursor:
        counts = {}
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def manifest_path(path):
    return Path(f"{path}.manifest.json")


def rollback_command(path):
    return f"python manage.py db restore {path}"


def default_backup_path(using=DEFAULT_DB_ALIAS):
    """backups/<database>-<UTC time>.dump (PostgreSQL) or .sqlite3 (SQLite)."""
    connection = connection_for(using)
    database = Path(str(connection.settings_dict["NAME"])).stem
    suffix = "dump" if connection.vendor == "postgresql" else "sqlite3"
    moment = timezone.now().strftime("%Y%m%d-%H%M%S")
    return Path(settings.BASE_DIR) / "backups" / f"{database}-{moment}.{suffix}"


def _libpq(config):
    """(arguments, environment) for pg_dump, pg_restore and psql to reach `config`'s server."""
    arguments = []
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if config.get(key):
            arguments += [flag, str(config[key])]
    environment = {**os.environ}
    if config.get("PASSWORD"):
        environment["PGPASSWORD"] = str(config["PASSWORD"])
    return arguments, environment


def _run(command, environment, what):
    result = subprocess.run(command, env=environment, capture_output=True, text=True)
    if result.returncode:
        lines = [line.strip() for line in result.stderr.splitlines() if line.strip()]
        detail = next((line for line in lines if "error" in line.lower()), None)
        raise WorkflowError(f"{what} failed: {detail or f'exit status {result.returncode}'}")
    return result


def backup(output=None, using=DEFAULT_DB_ALIAS):
    """A full copy of the database and its manifest: migration state, row counts, checksum.

    Both are written under temporary names and renamed into place once complete, so a
    failed backup leaves no file behind (nor replaces an older one of the same name).
    """
    connection = connection_for(using)
    connection.ensure_connection()  # a database that cannot be reached fails here, plainly
    config = connection.settings_dict
    path = Path(output) if output else default_backup_path(using)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial_manifest = manifest_path(partial)
    renamed = False
    try:
        _dump(connection, partial)
        applied = executor(using).loader.applied_migrations
        manifest = {
            "created_at": timezone.now().isoformat(),
            "vendor": connection.vendor,
            "database": str(config["NAME"]),
            "file": path.name,
            "size_bytes": partial.stat().st_size,
            "sha256": sha256(partial),
            "migrations": sorted(migration_label(key) for key in applied),
            "row_counts": row_counts(using),
        }
        partial_manifest.write_text(json.dumps(manifest, indent=2) + "\n")
        os.replace(partial, path)
        renamed = True
        os.replace(partial_manifest, manifest_path(path))
    except BaseException:
        for leftover in (partial, partial_manifest):
            leftover.unlink(missing_ok=True)
        if renamed:
            path.unlink()  # its manifest could not follow it
        raise
    return path, manifest


def _dump(connection, path):
    """Write the whole database to `path`: pg_dump's custom format, or a SQLite copy."""
    if connection.vendor == "postgresql":
        config = connection.settings_dict
        arguments, environment = _libpq(config)
        command = ["pg_dump", "--format=custom", "--file", str(path), *arguments, config["NAME"]]
        _run(command, environment, "pg_dump")
    elif connection.vendor == "sqlite":
        target = sqlite3.connect(path)
        try:
            # Consistent even while the site writes: SQLite copies a snapshot page by page.
            connection.connection.backup(target)
        finally:
            target.close()
    else:
        raise WorkflowError(f"Backups are not supported on {connection.vendor}.")


def read_manifest(path):
    """The manifest of backup `path`, refused in one sentence unless it holds what restore needs."""
    where = manifest_path(path)
    refusal = "refusing the backup; nothing was restored."
    try:
        manifest = json.loads(where.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise WorkflowError(f"{path} has no manifest ({where.name}): {refusal}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise WorkflowError(f"{where} is not JSON ({error}): {refusal}") from None
    if not isinstance(manifest, dict):
        raise WorkflowError(f"{where} is not a manifest (not a JSON object): {refusal}")
    wrong = [
        name for name, kind in MANIFEST_FIELDS.items() if not isinstance(manifest.get(name), kind)
    ]
    counts = manifest.get("row_counts")
    if isinstance(counts, dict) and not all(
        type(rows) is int and rows >= 0 for rows in counts.values()
    ):
        wrong.append("row_counts (whole numbers)")
    if wrong:
        raise WorkflowError(f"{where} lacks or misspells {', '.join(wrong)}: {refusal}")
    return manifest


def verify_backup(path):
    """The manifest of `path`, after checking the file is the very one it describes."""
    path = Path(path)
    if not path.exists():
        raise WorkflowError(f"No backup at {path}.")
    manifest = read_manifest(path)
    if sha256(path) != manifest["sha256"]:
        raise WorkflowError(
            f"{path} does not match its manifest's sha256 checksum: it is damaged or was "
            "changed. Refusing it; nothing was restored."
        )
    return manifest


def check_backup(path, using=DEFAULT_DB_ALIAS):
    """The manifest of `path`, once the backup has been restored into a throwaway
    database and found to hold the manifest's tables, row counts and migrations.

    Everything a restore could trip on shows here, before live data is touched.
    """
    manifest = verify_backup(path)
    connection = connection_for(using)
    if manifest["vendor"] != connection.vendor:
        raise WorkflowError(
            f"This is a {manifest['vendor']} backup; the database is {connection.vendor}."
        )
    with throwaway_database(using) as copy:
        try:
            _load(path, manifest, copy)
            counts = row_counts(copy)
            with copy.cursor() as cursor:
                cursor.execute("SELECT app, name FROM django_migrations")
                migrations = sorted(migration_label(row) for row in cursor.fetchall())
        except (WorkflowError, DatabaseError, sqlite3.DatabaseError) as error:
            detail = " ".join(str(error).split())
            raise WorkflowError(
                f"{path} could not be restored into a throwaway copy ({detail}): refusing it; "
                "nothing was restored."
            ) from error
    _refuse_differences(manifest, counts, "the backup restored into a throwaway copy")
    if migrations != sorted(manifest["migrations"]):
        raise WorkflowError(
            f"{path} holds other migrations than its manifest lists: refusing it; nothing "
            "was restored."
        )
    return manifest


def _refuse_differences(manifest, counts, what):
    wrong = {t: (n, counts.get(t)) for t, n in manifest["row_counts"].items() if counts.get(t) != n}
    extra = sorted(set(counts) - set(manifest["row_counts"]))
    if wrong or extra:
        shown = ", ".join(
            f"{t}: {n} in the manifest, {got} in the copy" for t, (n, got) in wrong.items()
        )
        shown += "".join(f", {t}: not in the manifest" for t in extra)
        raise WorkflowError(
            f"The row counts of {what} differ from the manifest ({shown.lstrip(', ')}): "
            "refusing it; nothing was restored."
        )


def restore(path, using=DEFAULT_DB_ALIAS, checked=None):
    """Put the database back exactly as the backup has it, all or nothing; return the manifest.

    The backup is first checked on a throwaway copy (`check_backup`), unless `checked`
    is the manifest that check returned.
    """
    manifest = checked or check_backup(path, using)
    connection = connection_for(using)
    _load(path, manifest, connection)
    counts = row_counts(connection)
    if counts != manifest["row_counts"]:
        raise WorkflowError(f"Restored, but row counts differ from the manifest: {counts}")
    return manifest


def _load(path, manifest, connection):
    """Replace `connection`'s database with the backup, in one transaction or one copy."""
    if connection.vendor == "postgresql":
        _restore_postgresql(path, manifest, connection)
        return
    connection.ensure_connection()
    source = sqlite3.connect(path)
    try:
        source.backup(connection.connection)
    finally:
        source.close()


def _restore_postgresql(path, manifest, connection):
    """pg_restore --clean --if-exists into one psql transaction, after dropping the tables
    created since the backup (which `--clean` does not know about): a migration applied
    after the backup leaves nothing behind, and a failure changes nothing."""
    config = connection.settings_dict
    arguments, environment = _libpq(config)
    newer_tables = sorted(set(connection.introspection.table_names()) - set(manifest["row_counts"]))
    # `--clean` drops a partitioned table's partitions one constraint at a time, which
    # PostgreSQL refuses for inherited ones: drop those tables whole first.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_class c WHERE c.relkind = 'p' "
            "AND c.relnamespace = current_schema()::regnamespace ORDER BY 1"
        )
        partitioned = [name for (name,) in cursor.fetchall()]
    connection.close()
    with tempfile.TemporaryDirectory(prefix="piliquarts-restore-") as folder:
        script = Path(folder) / "restore.sql"
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--file",
                str(script),
                str(path),
            ],
            environment,
            "pg_restore",
        )
        drops = [
            f'DROP TABLE IF EXISTS "{table}" CASCADE;' for table in [*newer_tables, *partitioned]
        ]
        command = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction"]
        command += ["-c", " ".join(drops)] if drops else []
        command += ["-f", str(script), *arguments, "--dbname", config["NAME"]]
        _run(command, environment, "Restore (rolled back, the database is unchanged)")
