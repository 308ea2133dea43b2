"""Backups around migrations: pg_dump / SQLite's online backup, with a checked manifest."""

import hashlib
import json
import os
import sqlite3
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS
from django.utils import timezone

from piliquarts.migrations_workflow.revisions import (
    WorkflowError,
    connection_for,
    executor,
    migration_label,
)


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


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
        raise WorkflowError(f"{what} failed:\n{result.stderr.strip()}")
    return result


def backup(output=None, using=DEFAULT_DB_ALIAS):
    """A full copy of the database and its manifest: migration state, row counts, checksum."""
    connection = connection_for(using)
    config = connection.settings_dict
    path = Path(output) if output else default_backup_path(using)
    path.parent.mkdir(parents=True, exist_ok=True)
    if connection.vendor == "postgresql":
        arguments, environment = _libpq(config)
        command = ["pg_dump", "--format=custom", "--file", str(path), *arguments, config["NAME"]]
        _run(command, environment, "pg_dump")
    elif connection.vendor == "sqlite":
        connection.ensure_connection()
        target = sqlite3.connect(path)
        try:
            # Consistent even while the site writes: SQLite copies a snapshot page by page.
            connection.connection.backup(target)
        finally:
            target.close()
    else:
        raise WorkflowError(f"Backups are not supported on {connection.vendor}.")
    applied = executor(using).loader.applied_migrations
    manifest = {
        "created_at": timezone.now().isoformat(),
        "vendor": connection.vendor,
        "database": str(config["NAME"]),
        "file": path.name,
        "size_bytes": path.stat().st_size,
        "sha256": sha256(path),
        "migrations": sorted(migration_label(key) for key in applied),
        "row_counts": row_counts(using),
    }
    manifest_path(path).write_text(json.dumps(manifest, indent=2) + "\n")
    return path, manifest


def verify_backup(path):
    """The manifest of `path`, after checking the file is the very one it describes."""
    path = Path(path)
    if not path.exists():
        raise WorkflowError(f"No backup at {path}.")
    try:
        manifest = json.loads(manifest_path(path).read_text())
    except FileNotFoundError:
        raise WorkflowError(
            f"{path} has no manifest ({manifest_path(path).name}): refusing it."
        ) from None
    if sha256(path) != manifest["sha256"]:
        raise WorkflowError(
            f"{path} does not match its manifest's sha256 checksum: it is damaged or was "
            "changed. Refusing it; nothing was restored."
        )
    return manifest


def restore(path, using=DEFAULT_DB_ALIAS):
    """Put the database back exactly as the backup has it, all or nothing; return the manifest."""
    manifest = verify_backup(path)
    connection = connection_for(using)
    if manifest["vendor"] != connection.vendor:
        raise WorkflowError(
            f"This is a {manifest['vendor']} backup; the database is {connection.vendor}."
        )
    if connection.vendor == "postgresql":
        _restore_postgresql(path, manifest, connection)
    else:
        connection.ensure_connection()
        source = sqlite3.connect(path)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
    counts = row_counts(connection)
    wrong = {t: (n, counts.get(t)) for t, n in manifest["row_counts"].items() if counts.get(t) != n}
    if wrong or set(counts) != set(manifest["row_counts"]):
        raise WorkflowError(f"Restored, but tables or row counts differ from the manifest: {wrong}")
    return manifest


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
