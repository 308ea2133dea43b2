"""`manage.py db backup` / `restore`: nothing lost, nothing restored from a changed file."""

import json
import os
from pathlib import Path

import pytest
from django.core.management import CommandError
from django.db import DatabaseError, connections

import migrations_workflow as workflow
from accounts.models import User
from core.checksums import sha256
from migrations_workflow.schema import schema_snapshot
from migrations_workflow.tests.db_helpers import db, tables
from workspaces.models import Workspace

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("back_to_head")]


def schema_shape(using):
    """The schema, with constraints by name: a dump and restore re-spells CHECK expressions."""
    snapshot = schema_snapshot(using)
    if "constraints" in snapshot:
        snapshot["constraints"] = [row[:2] for row in snapshot["constraints"]]
    return snapshot


def add_workspaces(alias, count):
    for n in range(count):
        owner = User.objects.db_manager(alias).create_user(f"duena{n}@example.com", "x", nombre="D")
        Workspace.objects.using(alias).create(nombre=f"W{n}", slug=f"w{n}", owner=owner)


def test_backup_then_restore_brings_every_row_back(tmp_path, other_database):
    add_workspaces(other_database, 3)
    users_before = set(User.objects.using(other_database).values_list("email", flat=True))
    path = tmp_path / "copia.backup"
    _code, output = db("--database", other_database, "backup", "--output", str(path))
    assert f"To restore: python manage.py db restore {path}" in output
    manifest = json.loads(workflow.manifest_path(path).read_text())
    assert manifest["row_counts"]["workspaces"] == 3
    assert "workspaces.0001_initial" in manifest["migrations"]
    Workspace.objects.using(other_database).all().delete()
    User.objects.using(other_database).all().delete()
    db("--database", other_database, "restore", str(path), "--yes")
    assert set(User.objects.using(other_database).values_list("email", flat=True)) == users_before
    assert Workspace.objects.using(other_database).count() == 3
    assert workflow.row_counts(other_database) == manifest["row_counts"]


def test_a_tampered_backup_is_refused(tmp_path, other_database):
    add_workspaces(other_database, 1)
    path = tmp_path / "copia.backup"
    db("--database", other_database, "backup", "--output", str(path))
    with open(path, "ab") as handle:
        handle.write(b"tampered")
    Workspace.objects.using(other_database).all().delete()
    with pytest.raises(CommandError, match="checksum"):
        db("--database", other_database, "restore", str(path), "--yes")
    assert not Workspace.objects.using(other_database).exists(), "nothing was restored"


def test_a_backup_without_its_manifest_is_refused(tmp_path, other_database):
    path = tmp_path / "copia.backup"
    db("--database", other_database, "backup", "--output", str(path))
    workflow.manifest_path(path).unlink()
    with pytest.raises(CommandError, match="no manifest"):
        db("--database", other_database, "restore", str(path), "--yes")


def test_the_rollback_command_of_upgrade_backup_undoes_the_upgrade(
    tmp_path, other_database, sandbox
):
    """Restoring the backup taken before an upgrade leaves nothing of that upgrade behind."""
    other = connections[other_database]
    add_workspaces(other_database, 2)
    before = schema_shape(other)
    sandbox("reversible")
    path = tmp_path / "antes.backup"
    code, output = db("--database", other_database, "upgrade", "--backup", "--output", str(path))
    assert code == 0
    rollback = f"python manage.py db restore {path}"
    assert f"To roll back: {rollback}" in output
    assert {"sandbox_note", "sandbox_second"} <= tables(other)
    db("--database", other_database, *rollback.split()[3:], "--yes")
    assert schema_shape(other) == before
    assert Workspace.objects.using(other_database).count() == 2
    code, output = db("--database", other_database, "current")
    assert "sandbox         (none)" in output


@pytest.fixture
def backed_up(tmp_path, other_database):
    """A backup of 2 workspaces, then a third added: a restore would take it away."""
    add_workspaces(other_database, 2)
    path = tmp_path / "copia.backup"
    db("--database", other_database, "backup", "--output", str(path))
    owner = User.objects.using(other_database).first()
    Workspace.objects.using(other_database).create(nombre="Nueva", slug="nueva", owner=owner)
    return path


def refused_restore(path, database, match):
    """The restore fails with one line matching `match`; the live data is as it was."""
    with pytest.raises(CommandError, match=match) as refusal:
        db("--database", database, "restore", str(path), "--yes")
    assert len(str(refusal.value).splitlines()) == 1, str(refusal.value)
    assert "nothing was restored" in str(refusal.value)
    assert Workspace.objects.using(database).filter(slug="nueva").exists(), "live data replaced"
    return str(refusal.value)


def edit_manifest(path, change):
    manifest = json.loads(workflow.manifest_path(path).read_text())
    change(manifest)
    workflow.manifest_path(path).write_text(json.dumps(manifest))


def test_edited_row_counts_are_refused_before_live_data_is_touched(
    backed_up, other_database, reliability
):
    edit_manifest(backed_up, lambda manifest: manifest["row_counts"].update(workspaces=7))
    message = refused_restore(backed_up, other_database, "row counts")
    assert "workspaces: 7 in the manifest, 2 in the copy" in message
    reliability.tried(
        "backups",
        "a manifest with edited row counts",
        "refused after a trial restore into a throwaway copy; live data untouched",
    )


BROKEN_MANIFESTS = {
    "not JSON": lambda manifest: '{"sha256": "abc", ',
    "a JSON list": lambda manifest: "[]",
    "no sha256": lambda manifest: json.dumps({k: v for k, v in manifest.items() if k != "sha256"}),
    "no row_counts": lambda manifest: json.dumps({**manifest, "row_counts": None}),
    "a row count in words": lambda manifest: json.dumps(
        {**manifest, "row_counts": {**manifest["row_counts"], "users": "dos"}}
    ),
}


def test_a_broken_manifest_is_one_clear_error(backed_up, other_database, reliability):
    manifest = json.loads(workflow.manifest_path(backed_up).read_text())
    for broken, write in BROKEN_MANIFESTS.items():
        workflow.manifest_path(backed_up).write_text(write(manifest))
        message = refused_restore(backed_up, other_database, "refusing the backup")
        assert "manifest.json" in message, (broken, message)
        reliability.tried(
            "backups",
            "a manifest that is not JSON, not an object, or lacks or misspells a field",
            "one sentence naming the problem; live data untouched",
        )


def test_a_damaged_backup_with_a_matching_checksum_is_refused_on_the_copy(
    backed_up, other_database, reliability
):
    """Cut in half, and the manifest's checksum made to match: only a trial restore tells."""
    data = backed_up.read_bytes()
    backed_up.write_bytes(data[: len(data) // 2])
    edit_manifest(backed_up, lambda manifest: manifest.update(sha256=sha256(backed_up)))
    refused_restore(backed_up, other_database, "throwaway copy")
    reliability.tried(
        "backups",
        "a backup cut in half, its manifest's checksum made to match",
        "refused by the trial restore into a throwaway copy; live data untouched",
    )


def test_a_failed_backup_leaves_no_file(tmp_path, other_database, monkeypatch, reliability):
    """pg_dump dies half-way (PostgreSQL), or a table is damaged on disk (SQLite: the copy
    is made, counting its rows fails): no file, and an older backup under the same name is
    left as it was."""
    other = connections[other_database]
    path = tmp_path / "copia.backup"
    if other.vendor == "postgresql":
        fake = tmp_path / "bin" / "pg_dump"
        fake.parent.mkdir()
        fake.write_text('#!/bin/sh\necho half > "$3"\necho "pg_dump: error: killed" >&2\nexit 1\n')
        fake.chmod(0o755)
        monkeypatch.setenv("PATH", f"{fake.parent}:{os.environ['PATH']}")
        fault, match = "pg_dump dying half-way through", "pg_dump failed: pg_dump: error: killed"
    else:
        with other.cursor() as cursor:
            # The table and its indexes: COUNT(*) reads whichever is smallest.
            cursor.execute("SELECT rootpage FROM sqlite_master WHERE tbl_name = 'workspaces'")
            pages = [row[0] for row in cursor.fetchall() if row[0]]
            cursor.execute("PRAGMA page_size")
            page_size = cursor.fetchone()[0]
        other.close()
        with Path(other.settings_dict["NAME"]).open("r+b") as handle:
            for page in pages:
                handle.seek((page - 1) * page_size)
                handle.write(b"damaged!" * (page_size // 8))
        fault, match = "a SQLite table damaged on disk", "malformed"
    for older in (None, "an older backup under the same name"):
        if older:
            path.write_text(older)
        with pytest.raises((CommandError, DatabaseError), match=match):
            db("--database", other_database, "backup", "--output", str(path))
        files = sorted(p.name for p in tmp_path.iterdir() if p.is_file())
        assert files == (["copia.backup"] if older else [])
        assert not older or path.read_text() == older
        reliability.tried("backups", f"a backup failing: {fault}", "no file left behind")
