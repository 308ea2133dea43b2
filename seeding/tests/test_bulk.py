"""seed_bulk at a tiny size on both databases, and the benchmark scripts as smoke tests."""

import importlib.util
import json
import os
import re
import subprocess
import sys
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection
from django.db.models import Max
from django.test import Client
from django.test.utils import CaptureQueriesContext

from auditoria.models import Actividad
from documentos.models import Documento, DocumentoVersion, Folder
from migrations_workflow.schema import schema_snapshot
from migrations_workflow.tests.db_helpers import database_url
from proyectos.models import ProyectoMember
from seeding import bulk
from workspaces.models import WorkspaceMember

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _drop_the_loads_partitions():
    """These tests commit, and the months a load creates would outlive the flush."""

    def months():
        if connection.vendor != "postgresql":
            return set()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT inhrelid::regclass::text FROM pg_inherits "
                "WHERE inhparent = 'actividades'::regclass"
            )
            return {name for (name,) in cursor.fetchall()}

    before = months()
    yield
    with connection.cursor() as cursor:
        for name in sorted(months() - before):
            cursor.execute(f'DROP TABLE "{name}"')


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


def test_seed_bulk_vacuums_the_tables_it_loaded(capsys):
    """So that index-only scans of the loaded rows need not visit the table afterwards.

    (Whether VACUUM may mark the pages all-visible depends on the server: a
    standby with hot_standby_feedback holds it back. What is ours is asking.)
    """
    with CaptureQueriesContext(connection) as ran:
        call_command("seed_bulk", *TINY)
    vacuums = [q["sql"] for q in ran.captured_queries if q["sql"].startswith("VACUUM")]
    if connection.vendor != "postgresql":
        assert vacuums == [] and "VACUUM" not in capsys.readouterr().out
        return
    assert vacuums == [f"VACUUM (ANALYZE) {', '.join(bulk.TABLES)}"]
    assert "VACUUM (ANALYZE)" in capsys.readouterr().out


def test_same_seed_gives_the_same_rows():
    call_command("seed_bulk", *TINY, verbosity=0)
    first = sorted(DocumentoVersion.objects.values_list("id", "storage_path", "size_bytes"))
    plan = bulk.DataSet(bulk.Sizes(2, 4, 2, 30, 500))
    regenerated = sorted(
        (uuid.UUID(row[0]), row[3], int(row[4])) for row in plan.rows_documento_versions()
    )
    assert first == regenerated


def test_generated_ids_are_version_4_uuids_and_times_are_utc():
    assert bulk.stable_uuid_hex(7, "user", 3) == bulk.stable_uuid_hex(7, "user", 3)
    assert bulk.stable_uuid_hex(7, "user", 3) != bulk.stable_uuid_hex(7, "user", 4)
    for index in range(1000):
        value = uuid.UUID(bulk.stable_uuid_hex(7, "actividad", index))
        assert (value.version, value.variant) == (4, uuid.RFC_4122)
    for seconds in (0, 59, 3600 * 25 + 61, bulk.SPAN_SECONDS - 1):
        moment = bulk.START + timedelta(seconds=seconds)
        assert bulk.timestamp(seconds) == moment.strftime("%Y-%m-%d %H:%M:%S")


def test_generated_values_need_no_escaping_in_copy():
    """COPY's text format gives tab, newline and backslash a meaning; no value may hold one."""
    plan = bulk.DataSet(bulk.Sizes(2, 4, 2, 30, 500))
    for table in bulk.TABLES:
        for row in getattr(plan, f"rows_{table}")():
            assert len(row) == len(bulk.columns(table))
            for value in row:
                assert not set("\t\n\\") & set(str(value)), (table, row)
            assert bulk.copy_text(row).count("\t") == len(row) - 1


def _partitions_for_the_load():
    """The months the load spans, which seed_bulk creates, exist before the snapshot."""
    end = bulk.START + timedelta(seconds=bulk.SPAN_SECONDS)
    with connection.cursor() as cursor:
        bulk.create_month_partitions(cursor, "actividades", bulk.START.date(), end.date())


@pytest.mark.postgresql
def test_large_load_path_puts_back_every_key_index_and_check(monkeypatch):
    """Above the threshold, keys and indexes are dropped for the load and rebuilt after."""
    if connection.vendor != "postgresql":
        pytest.skip("the drop-and-rebuild path is PostgreSQL's")
    _partitions_for_the_load()
    before = schema_snapshot()
    monkeypatch.setattr(bulk, "BULK_INDEX_THRESHOLD", 1)
    call_command("seed_bulk", *TINY, verbosity=0)
    assert schema_snapshot() == before  # every partition's indexes too, by name
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexrelid::regclass::text FROM pg_index WHERE NOT indisvalid")
        assert cursor.fetchall() == [], "a parent index left without all its partitions"
    assert Actividad.objects.count() == 500
    assert DocumentoVersion.objects.filter(documento__proyecto__isnull=False).count() > 30


@pytest.mark.postgresql
def test_an_interrupted_index_build_is_finished_by_the_next_run(monkeypatch):
    """The rows and keys are committed first; the plain indexes the run did not build are
    recorded in the same transaction, and the next `seed_bulk` builds them."""
    if connection.vendor != "postgresql":
        pytest.skip("the drop-and-rebuild path is PostgreSQL's")
    _partitions_for_the_load()
    before = schema_snapshot()
    monkeypatch.setattr(bulk, "BULK_INDEX_THRESHOLD", 1)

    def crash(statements, sessions=2):
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(bulk, "build_indexes", crash)
        with pytest.raises(KeyboardInterrupt):
            call_command("seed_bulk", *TINY, verbosity=0)
    pending = bulk.pending_indexes()
    assert list(pending) == ["users"]
    assert schema_snapshot() != before
    call_command("seed_bulk", *TINY, verbosity=0)
    assert bulk.pending_indexes() == {}
    assert schema_snapshot() == before


@pytest.mark.postgresql
def test_a_failed_large_load_leaves_the_table_empty_and_whole(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("the drop-and-rebuild path is PostgreSQL's")
    call_command("seed_bulk", *TINY, "--actividades", "0", verbosity=0)
    before = schema_snapshot()
    monkeypatch.setattr(bulk, "BULK_INDEX_THRESHOLD", 1)
    plan = bulk.DataSet(bulk.Sizes(2, 4, 2, 30, 50))
    rows = list(plan.rows_actividades())
    stranger = bulk.stable_uuid_hex(1, "user", 1)  # no such user: the foreign key refuses it
    rows[-1] = (rows[-1][0], stranger, *rows[-1][2:])
    with pytest.raises(IntegrityError, match="actividades_user_id"):
        bulk.load_table("actividades", iter(rows), total=len(rows), progress=False)
    assert not Actividad.objects.exists()
    assert schema_snapshot() == before


def test_seed_bulk_refuses_tables_with_data():
    call_command("seed_bulk", *TINY, verbosity=0)
    with pytest.raises(CommandError, match="already have rows"):
        call_command("seed_bulk", *TINY, verbosity=0)


def _run(script, *args):
    env = {**os.environ, "DATABASE_URL": database_url()}
    return subprocess.run(
        [sys.executable, f"bench/{script}", *args], cwd=BASE_DIR, env=env,
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def test_admin_pages_benchmark_runs(tmp_path):
    if connection.vendor == "sqlite" and "memory" in str(connection.settings_dict["NAME"]):
        pytest.skip("an in-memory database cannot be shared with another process")
    call_command("seed_bulk", *TINY, verbosity=0)
    output = tmp_path / "admin_pages.json"
    result = _run(
        "admin_pages.py", "--repeat", "1", "--only", "proyectos.Proyecto", "--quiet",
        "--feed-repeat", "2", "--preset", f"again={database_url()}", "--output", str(output),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    data = json.loads(output.read_text())
    # The feed reads, and the list pages again on the --preset database (its own process).
    assert set(data["feeds"]) == {
        "workspace feed, first page", "workspace feed, page 100 (keyset)",
        "project feed, first page", "project feed, page 20 (keyset)",
    }  # fmt: skip
    assert all(f["client"]["after"][1] > 0 and f["queries"] >= 1 for f in data["feeds"].values())
    again = {(r["role"], r["page"]) for r in data["presets"]["again"]["results"]}
    assert ("guest", "first page") in again and ("owner", "change page") not in again
    rows = {(r["role"], r["model"], r["page"], r["variant"]): r for r in data["results"]}
    assert {role for role, *_ in rows} == {"owner", "workspace member", "project member", "guest"}
    assert all(r["ok"] and r["samples"] == 1 and r["p95_ms"] > 0 for r in rows.values())
    # A list page is compared with the owner's first page measured in the same rounds.
    for role in ("owner", "guest"):
        for page in ("first page", "page 50", "filtered"):
            assert rows[role, "proyectos", page, "ours"]["baseline_p95_ms"] > 0
    first = rows["owner", "proyectos", "first page", "ours"]
    assert first["baseline_p95_ms"] == first["p95_ms"]
    assert "baseline_p95_ms" not in rows["owner", "proyectos", "search broad «424»", "ours"]
    assert {r["page"] for r in data["presets"]["again"]["results"]} == {
        "first page",
        "page 50",
        "filtered",
    }
    # Stock is Django's defaults: only platform owners and admins get in.
    assert rows["owner", "proyectos", "first page", "stock"]["status"] == 200
    assert rows["guest", "proyectos", "first page", "stock"]["status"] == 403
    assert rows["guest", "proyectos", "search broad «424»", "ours"]["status"] == 200
    change = rows["owner", "proyectos", "change page", "ours"]
    assert change["status"] == 200 and change["rows"] > 0  # the members inline


def test_the_admin_pages_benchmark_fails_on_an_unexpected_status():
    bench = _bench_module("admin_pages")
    client = Client()  # not logged in: the admin answers with its login page
    figures = bench.measure_page(
        client, {"ours": ("/admin/proyectos/proyecto/", {}, 200, False)}, 1, 1, 1
    )
    assert figures["ours"]["status"] == 302 and not figures["ours"]["ok"]
    assert figures["ours"]["location"].startswith("/admin/login/")


def _bench_module(name):
    path = BASE_DIR / "bench" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"bench_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


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
    # The feed reads the month partitions of actividades (auditoria.0008), not one table.
    assert re.search(r" on actividades_\d{4}_\d{2} ", report)


def test_the_loader_writes_every_column_of_each_model_but_those_left_to_defaults():
    for table in bulk.TABLES:
        model = next(m for m in apps.get_models() if m._meta.db_table == table)
        expected = {f.column for f in model._meta.concrete_fields} - bulk.LEFT_TO_DEFAULTS
        assert set(bulk.columns(table)) == expected, table
