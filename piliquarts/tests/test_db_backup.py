"""`manage.py db backup` / `restore`: nothing lost, nothing restored from a changed file."""

import json

import pytest
from django.core.management import CommandError
from django.db import connections

from accounts.models import User
from piliquarts import migrations_workflow as workflow
from piliquarts.schema import schema_snapshot
from piliquarts.tests.db_helpers import db, tables
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
