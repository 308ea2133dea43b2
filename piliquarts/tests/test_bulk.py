"""seed_bulk at a tiny size on both databases, and the benchmark scripts as smoke tests."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Max

from auditoria.models import Actividad
from documentos.models import Documento, DocumentoVersion, Folder
from piliquarts import bulk
from proyectos.models import ProyectoMember
from workspaces.models import WorkspaceMember

pytestmark = pytest.mark.django_db(transaction=True)
BASE_DIR = Path(__file__).resolve().parents[2]
TINY = ["--workspaces", "2", "--users-per-workspace", "4", "--proyectos-per-workspace", "2",
        "--documentos", "30", "--actividades", "500", "--no-progress"]  # fmt: skip


def test_seed_bulk_loads_consistent_data():
    call_command("seed_bulk", *TINY, verbosity=0)
    assert Actividad.objects.count() == 500
    assert Documento.objects.count() == 30
    # every document's current version is its last one
    for documento in Documento.objects.annotate(last=Max("versions__version")):
        assert documento.version == documento.last
        numbers = sorted(documento.versions.values_list("version", flat=True))
        assert numbers == list(range(1, documento.version + 1))
    # paths follow the tree, in the folder's project
    for folder in Folder.objects.select_related("parent"):
        expected = f"{folder.parent.path if folder.parent else ''}/{folder.nombre}"
        assert folder.path == expected
        assert folder.parent is None or folder.parent.proyecto_id == folder.proyecto_id
    # project teams are workspace members
    for member in ProyectoMember.objects.select_related("proyecto"):
        assert WorkspaceMember.objects.filter(
            workspace_id=member.proyecto.workspace_id, user_id=member.user_id
        ).exists()


def test_same_seed_gives_the_same_rows():
    call_command("seed_bulk", *TINY, verbosity=0)
    first = sorted(DocumentoVersion.objects.values_list("id", "storage_path", "size_bytes"))
    plan = bulk.Plan(bulk.Sizes(2, 4, 2, 30, 500))
    regenerated = sorted((row[0], row[3], row[4]) for row in plan.rows_documento_versions())
    assert first == regenerated


def test_seed_bulk_refuses_tables_with_data():
    call_command("seed_bulk", *TINY, verbosity=0)
    with pytest.raises(CommandError, match="already have rows"):
        call_command("seed_bulk", *TINY, verbosity=0)


def _run(script, *args):
    env = {**os.environ, "DATABASE_URL": _database_url()}
    return subprocess.run(
        [sys.executable, f"bench/{script}", *args], cwd=BASE_DIR, env=env,
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def _database_url():
    config = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{config['NAME']}"
    return (
        f"postgres://{config['USER']}@{config['HOST'] or '127.0.0.1'}:"
        f"{config['PORT'] or 5432}/{config['NAME']}"
    )


def test_admin_pages_benchmark_runs(tmp_path):
    if connection.vendor == "sqlite" and "memory" in str(connection.settings_dict["NAME"]):
        pytest.skip("an in-memory database cannot be shared with another process")
    call_command("seed_bulk", *TINY, verbosity=0)
    result = _run("admin_pages.py", "--repeat", "1", "--output", str(tmp_path))
    assert result.returncode == 0, result.stderr[-3000:]
    assert "actividades list" in result.stdout
    assert (tmp_path / "admin_pages.png").exists()


@pytest.mark.postgresql
def test_load_benchmark_runs(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("the load benchmark measures PostgreSQL's COPY")
    result = _run("load.py", "--actividades", "2000", "--output", str(tmp_path))
    assert result.returncode == 0, result.stderr[-3000:]
    assert "raw COPY, indexed table" in (tmp_path / "load.md").read_text()


@pytest.mark.postgresql
def test_hot_reads_benchmark_runs(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("the plans are PostgreSQL's")
    call_command("seed_bulk", *TINY, verbosity=0)
    result = _run("hot_reads.py", "--repeat", "3", "--output", str(tmp_path))
    assert result.returncode == 0, result.stderr[-3000:]
    report = (tmp_path / "hot_reads.md").read_text()
    assert "workspace feed, first page" in report
    assert "actividades_ws_feed_idx" in report
