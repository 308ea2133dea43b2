"""Load throughput: seed_bulk beside raw COPY of the same activity rows, in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/load.py --actividades 1000000 --output docs/img

Fresh databases on the same server, same schema, same small tables:
  0. seed_bulk into the table as it was before its monthly partitions (auditoria 0005);
  1. seed_bulk's own path, into the monthly partitions: rows generated in Python and
     sent by COPY into the table
     without its keys and indexes; keys and foreign keys put back in the same
     transaction, the plain indexes after it, two sessions side by side;
  2. raw COPY of the same rows, from a file, into the indexed table (psql \\copy);
  3. raw COPY of the same rows with seed_bulk's strategy (same drops, same rebuild).
The ratio of 1 to 2 is what the issue asks; 1 to 3 isolates Python's share.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "piliquarts.settings")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--actividades", type=int, default=1_000_000)
    parser.add_argument("--output", type=Path, help="folder for load.md and load.png")
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    from migrations_workflow import throwaway_database
    from seeding import bulk

    if connections["default"].vendor != "postgresql":
        sys.exit("This benchmark measures PostgreSQL's COPY: point DATABASE_URL at PostgreSQL.")
    sizes = bulk.Sizes(
        workspaces=20, users_per_workspace=50, proyectos_per_workspace=25, documentos=0,
        actividades=args.actividades,
    )  # fmt: skip
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        dump = Path(folder) / "actividades.copy"
        with throwaway_database() as ours:
            prepare(ours, call_command, bulk, sizes)
            rows, seconds = load_with(ours, bulk, sizes)
            results["seed_bulk (Python + COPY)"] = (rows, seconds)
            psql(ours, f"\\copy (SELECT * FROM actividades) TO '{dump}'")
        with throwaway_database() as plain:
            # Before the partitions (auditoria.0008 reversed): one table, one index build each.
            prepare(plain, call_command, bulk, sizes, plain_table=True)
            results["seed_bulk, unpartitioned table"] = load_with(plain, bulk, sizes)
        with throwaway_database() as raw:
            prepare(raw, call_command, bulk, sizes)
            started = time.perf_counter()
            psql(raw, f"\\copy actividades FROM '{dump}'")
            results["raw COPY, indexed table"] = (args.actividades, time.perf_counter() - started)
        with throwaway_database() as raw_rebuild:
            prepare(raw_rebuild, call_command, bulk, sizes)
            started = time.perf_counter()
            with raw_rebuild.cursor() as cursor:
                integrity, plain = bulk.detach_constraints_and_indexes(cursor, "actividades")
            psql(raw_rebuild, f"\\copy actividades FROM '{dump}'")
            with as_default(raw_rebuild), raw_rebuild.cursor() as cursor:
                cursor.execute("SET maintenance_work_mem = '1GB'")
                for statement in integrity:
                    cursor.execute(statement)
                bulk.build_indexes(plain)
            results["raw COPY, seed_bulk's index strategy"] = (
                args.actividades, time.perf_counter() - started,
            )  # fmt: skip
    report(results, args.output)


def prepare(connection, call_command, bulk, sizes, plain_table=False):
    """Schema and the small tables the activity rows point at; the months' partitions."""
    call_command("migrate", database=connection.alias, verbosity=0)
    if plain_table:
        call_command("migrate", "auditoria", "0005", database=connection.alias, verbosity=0)
    plan = bulk.DataSet(sizes)
    with as_default(connection):
        for table in ("users", "workspaces", "workspace_members", "proyectos"):
            bulk.load_table(table, getattr(plan, f"rows_{table}")(), progress=False)
        end = bulk.START + bulk.timedelta(seconds=bulk.SPAN_SECONDS)
        with connection.cursor() as cursor:
            bulk.create_month_partitions(cursor, "actividades", bulk.START.date(), end.date())


def load_with(connection, bulk, sizes):
    plan = bulk.DataSet(sizes)
    with as_default(connection):
        return bulk.load_table("actividades", plan.rows_actividades(), sizes.actividades)


@contextmanager
def as_default(connection):
    """`connection` as this thread's default while the block runs (bulk loads through it)."""
    from django.db import connections

    default = connections["default"]
    connections["default"] = connection
    try:
        yield connection
    finally:
        connections["default"] = default


def psql(connection, command):
    config = connection.settings_dict
    subprocess.run(
        ["psql", "-q", "-v", "ON_ERROR_STOP=1", "-h", config["HOST"] or "127.0.0.1",
         "-p", str(config["PORT"] or 5432), "-U", config["USER"], "-d", config["NAME"],
         "-c", command],
        check=True,
    )  # fmt: skip


def report(results, folder):
    baseline_rows, baseline_seconds = results["raw COPY, indexed table"]
    baseline = baseline_rows / baseline_seconds
    lines = ["| load of `actividades` | rows | seconds | rows/s | vs raw COPY (indexed) |",
             "| --- | ---: | ---: | ---: | ---: |"]  # fmt: skip
    for name, (rows, seconds) in results.items():
        rate = rows / seconds
        lines.append(f"| {name} | {rows:,} | {seconds:.1f} | {rate:,.0f} | {rate / baseline:.0%} |")
    print("\n".join(lines))
    if folder:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "load.md").write_text("\n".join(lines) + "\n")
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        figure, axis = plt.subplots(figsize=(8, 3))
        names = list(results)
        axis.barh(names, [rows / seconds for rows, seconds in results.values()])
        axis.set_xlabel("rows per second (actividades)")
        figure.tight_layout()
        figure.savefig(folder / "load.png", dpi=120)


if __name__ == "__main__":
    main()
