"""Scaling figures, measured in one run: docs/scaling.md is rendered from what this writes.

    .venv/bin/python bench/scaling.py --actividades 10000000 --database piliquarts_bench15c
    .venv/bin/python manage.py scaling --write

Needs the primary on 127.0.0.1:5432, the streaming replica on 5433
(scripts/ensure_replica.sh) and PgBouncer on 6432 (scripts/ensure_pgbouncer.sh).
The database named by --database is dropped and created again, and dropped at the
end (--keep keeps it). In order, on one database:

  1. seed_bulk's load of the activity rows into the monthly partitions, the replica's
     lag sampled meanwhile; then the partitions' plain indexes rebuilt with one
     session and with seed_bulk's sessions side by side;
  2. the plans of the feed's reads (EXPLAIN ANALYZE): partitions planned, executed;
  3. short transactions through PgBouncer (transaction mode) and direct, alternating,
     by a few concurrent workers, each with a new connection per transaction and with
     one kept; the replica's lag sampled under the writing rounds;
  4. one month archived (COPY to a verified file, detached, dropped), then restored;
  5. migration auditoria 0008 reversed (back to one plain table) and applied again on
     the full table, while other sessions probe whether a read or a write could take
     its lock, and the locks it holds are watched.
"""

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import psycopg

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "piliquarts.settings")

HOST = "127.0.0.1"
PRIMARY, REPLICA, PGBOUNCER = 5432, 5433, 6432


def dsn(port, database):
    return f"host={HOST} port={port} user=postgres dbname={database}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--actividades", type=int, default=1_000_000)
    parser.add_argument("--database", default="piliquarts_bench_scaling")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--round-seconds", type=float, default=4.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--output", type=Path, default=BASE_DIR / "bench/results/scaling.json")
    parser.add_argument("--keep", action="store_true", help="leave the database behind")
    args = parser.parse_args()

    with psycopg.connect(dsn(PRIMARY, "postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{args.database}" TEMPLATE template0')
    os.environ["DATABASE_URL"] = f"postgres://postgres@{HOST}:{PRIMARY}/{args.database}"
    os.environ.pop("DATABASE_REPLICA_URL", None)
    os.environ.pop("DATABASE_POOL", None)
    import django

    django.setup()
    try:
        results = run(args)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            with psycopg.connect(dsn(PRIMARY, "postgres"), autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n")
    print(f"Wrote {args.output}")


def run(args):
    from django.core.management import call_command
    from django.db import connection

    from auditoria import partitions
    from seeding import bulk

    started = time.perf_counter()
    results = {"machine": machine(), "size": {}}
    sizes = bulk.Sizes(
        workspaces=100, users_per_workspace=20, proyectos_per_workspace=50, documentos=0,
        actividades=args.actividades,
    )  # fmt: skip
    results["size"] = {
        "actividades": args.actividades, "workspaces": sizes.workspaces,
        "proyectos": sizes.workspaces * sizes.proyectos_per_workspace,
        "users": sizes.workspaces * sizes.users_per_workspace,
    }  # fmt: skip
    call_command("migrate", verbosity=0)
    plan = bulk.DataSet(sizes)
    for table in ("users", "workspaces", "workspace_members", "proyectos"):
        bulk.load_table(table, getattr(plan, f"rows_{table}")(), progress=False)
    partitions.create_ahead(3)

    step("load")
    with LagSampler(args.database) as lag:
        rows, seconds = bulk.load_table(
            "actividades", plan.rows_actividades(), args.actividades, progress=False
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute(
            "SELECT count(*), sum(pg_total_relation_size(inhrelid)) FROM pg_inherits "
            "WHERE inhparent = 'actividades'::regclass"
        )
        partition_count, total_bytes = cursor.fetchone()
    results["load"] = {
        "rows": rows, "seconds": seconds, "partitions": partition_count,
        "bytes_with_indexes": int(total_bytes), "replica_lag": lag.summary(),
    }  # fmt: skip
    results["index_builds"] = index_builds(bulk)

    step("pruning")
    results["pruning"] = pruning()

    step("archive")
    results["archive"] = archive_and_restore(partitions)

    step("pooling")
    results["pooling"] = pooling(args)

    step("migration")
    results["migration"] = migration(call_command, args.database)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM actividades")
        results["migration"]["rows_after"] = cursor.fetchone()[0]
    results["machine"]["bench_seconds"] = time.perf_counter() - started
    return results


def step(name):
    print(f"{datetime.now(UTC):%H:%M:%S} {name}", flush=True)


def machine():
    def version(command):
        try:
            return subprocess.run(command, capture_output=True, text=True).stdout.strip()
        except FileNotFoundError:
            return None

    with psycopg.connect(dsn(PRIMARY, "postgres")) as primary:
        server = primary.execute("SHOW server_version").fetchone()[0]
        settings = {
            name: primary.execute(f"SHOW {name}").fetchone()[0]
            for name in ("shared_buffers", "max_wal_size", "synchronous_commit", "wal_level")
        }
    commit = version(["git", "-C", str(BASE_DIR), "rev-parse", "--short", "HEAD"])
    if version(["git", "-C", str(BASE_DIR), "status", "--porcelain", "--untracked-files=no"]):
        commit += "+changes"  # the code that ran is not exactly that commit's
    return {
        "date": datetime.now(UTC).date().isoformat(),
        "cores": os.cpu_count(),
        "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30),
        "postgresql": server.split()[0],
        "postgresql_settings": settings,
        "pgbouncer": (version(["pgbouncer", "--version"]) or "").splitlines()[0:1],
        "python": platform.python_version(),
        "commit": commit,
    }


class Background:
    """A sampler that runs `_run` in a thread for the length of a `with` block."""

    def __init__(self):
        self._stop = threading.Event()

    def __enter__(self):
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


class LagSampler(Background):
    """How long a write on the primary takes to be replayed on the replica.

    Every `interval` seconds: read the primary's current WAL position, then poll the
    replica until it has replayed that far. The time that takes is one sample (so
    samples are at least a lag apart); the bytes behind at that moment are noted too.
    """

    def __init__(self, database, interval=0.25):
        self.database, self.interval = database, interval
        self.samples, self.bytes_behind, self.error = [], [], None
        super().__init__()

    def _run(self):
        try:
            with (
                psycopg.connect(dsn(PRIMARY, "postgres"), autocommit=True) as primary,
                psycopg.connect(dsn(REPLICA, "postgres"), autocommit=True) as replica,
            ):
                while not self._stop.is_set():
                    began = time.perf_counter()
                    lsn = primary.execute("SELECT pg_current_wal_lsn()").fetchone()[0]
                    behind = replica.execute(
                        "SELECT pg_wal_lsn_diff(%s::pg_lsn, pg_last_wal_replay_lsn())", [lsn]
                    ).fetchone()[0]
                    while behind > 0:
                        time.sleep(0.005)
                        caught_up = replica.execute(
                            "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn]
                        ).fetchone()[0]
                        if caught_up:
                            break
                    self.samples.append(time.perf_counter() - began)
                    self.bytes_behind.append(max(int(behind), 0))
                    self._stop.wait(max(0.0, self.interval - (time.perf_counter() - began)))
        except psycopg.Error as error:
            self.error = str(error).strip().splitlines()[0]

    def summary(self):
        if not self.samples:
            return {"error": self.error or "no samples"}
        ordered = sorted(self.samples)
        return {
            "samples": len(ordered),
            "p50": percentile(ordered, 50),
            "p95": percentile(ordered, 95),
            "max": ordered[-1],
            "max_bytes_behind": max(self.bytes_behind),
            "error": self.error,
        }


def percentile(ordered, p):
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def index_builds(bulk):
    """The partitions' plain indexes rebuilt one session at a time, then side by side."""
    from django.db import connection

    timings = {}
    for sessions in (1, bulk.INDEX_SESSIONS):
        with connection.cursor() as cursor:
            statements = bulk.drop_secondary_indexes(cursor, "actividades")
        began = time.perf_counter()
        bulk.build_indexes(statements, sessions=sessions)
        timings[str(sessions)] = time.perf_counter() - began
    builds = [s for s in statements if s.startswith("CREATE") and " ON ONLY " not in s]
    return {"index_builds": len(builds), "seconds_by_sessions": timings}


def plan_of(sql, params):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}", params)
        document = cursor.fetchone()[0]
    document = json.loads(document) if isinstance(document, str) else document
    planned, executed, removed = set(), set(), 0

    def walk(node):
        nonlocal removed
        name = node.get("Relation Name", "")
        if name.startswith("actividades"):
            planned.add(name)
            if node.get("Actual Loops", 0) > 0:
                executed.add(name)
        removed += node.get("Subplans Removed", 0)
        for child in node.get("Plans", []):
            walk(child)

    walk(document[0]["Plan"])
    return {
        "partitions_planned": len(planned),
        "partitions_executed": len(executed),
        "removed_at_run_time": removed,
        "top_node": document[0]["Plan"]["Node Type"],
        "milliseconds": document[0]["Execution Time"],
    }


def pruning():
    """The feed's reads (auditoria.selectors.feed) as EXPLAIN ANALYZE sees them."""
    from datetime import timedelta

    from auditoria.models import Actividad
    from auditoria.partitions import partitions
    from workspaces.models import Workspace

    workspace = Workspace.objects.order_by("id").first()
    rows = Actividad.objects.filter(workspace=workspace)
    middle = rows.order_by("created_at", "id")[rows.count() // 2]
    proyecto_id = middle.proyecto_id
    newest = rows.order_by("-created_at", "-id")
    next_page = newest.filter(created_at__lte=middle.created_at).exclude(
        created_at=middle.created_at, id__gte=middle.id
    )
    day = middle.created_at.replace(hour=0, minute=0, second=0, microsecond=0)
    reads = {
        "workspace feed, first page": newest[:50],
        "workspace feed, a page half-way back": next_page[:50],
        "project feed, first page": Actividad.objects.filter(proyecto_id=proyecto_id).order_by(
            "-created_at", "-id"
        )[:50],
        "one day of a workspace": rows.filter(
            created_at__gte=day, created_at__lt=day + timedelta(days=1)
        ).order_by("-created_at", "-id")[:50],
    }
    return {
        "partitions": len(partitions()),
        "reads": {name: plan_of(*query.query.sql_with_params()) for name, query in reads.items()},
    }


def pooling(args):
    """Short transactions by `workers` threads, through PgBouncer and direct, alternating."""
    with psycopg.connect(dsn(PRIMARY, args.database)) as primary:
        workspaces = [r[0] for r in primary.execute("SELECT id FROM workspaces").fetchall()]
        template = primary.execute("SELECT id FROM actividades LIMIT 1").fetchone()[0]
        names = [
            r[0]
            for r in primary.execute(
                "SELECT attname FROM pg_attribute WHERE attrelid = 'actividades'::regclass "
                "AND attnum > 0 AND NOT attisdropped ORDER BY attnum"
            ).fetchall()
        ]
    values = {"id": "gen_random_uuid()", "created_at": "now()"}
    insert = (
        f"INSERT INTO actividades ({', '.join(names)}) SELECT "
        f"{', '.join(values.get(name, name) for name in names)} FROM actividades WHERE id = %s"
    )
    work = {
        "read": (
            "SELECT id, nombre FROM workspaces WHERE id = %s",
            lambda: random.choice(workspaces),
        ),
        "write": (insert, lambda: template),
    }
    targets = {"pgbouncer": PGBOUNCER, "direct": PRIMARY}
    figures = {}
    lag = LagSampler(args.database)
    with lag:
        for kind, (sql, argument) in work.items():
            for connect_each in (True, False):
                mode = "new connection per transaction" if connect_each else "connection kept"
                runs = {target: [] for target in targets}
                for round_number in range(args.rounds):
                    order = list(targets) if round_number % 2 == 0 else list(targets)[::-1]
                    for target in order:
                        runs[target].append(
                            throughput(
                                dsn(targets[target], args.database), sql, argument,
                                args.workers, args.round_seconds, connect_each,
                            )
                        )  # fmt: skip
                figures[f"{kind}, {mode}"] = {
                    target: {"per_second": statistics.median(r), "rounds": r}
                    for target, r in runs.items()
                }
    return {
        "workers": args.workers,
        "round_seconds": args.round_seconds,
        "rounds": args.rounds,
        "results": figures,
        "replica_lag_under_writes": lag.summary(),
    }


def throughput(conninfo, sql, argument, workers, seconds, connect_each):
    """Transactions a second, `workers` threads each running `sql` in its own transactions."""
    deadline = time.perf_counter() + seconds

    def worker():
        done = 0
        kept = None if connect_each else psycopg.connect(conninfo, prepare_threshold=None)
        try:
            while time.perf_counter() < deadline:
                conn = psycopg.connect(conninfo, prepare_threshold=None) if connect_each else kept
                with conn.transaction():
                    conn.execute(sql, [argument()]).fetchall() if sql.startswith(
                        "SELECT"
                    ) else conn.execute(sql, [argument()])
                if connect_each:
                    conn.close()
                done += 1
        finally:
            if kept is not None:
                kept.close()
        return done

    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        done = sum(f.result() for f in [pool.submit(worker) for _ in range(workers)])
    return done / (time.perf_counter() - began)


def archive_and_restore(partitions):
    """The fullest past month archived to a verified file, detached and dropped; restored."""
    this_month = partitions.month_start(datetime.now(UTC).date())
    months = [p for p in partitions.partitions() if p.month is not None and p.month < this_month]
    from django.db import connection

    with connection.cursor() as cursor:
        counts = {}
        for partition in months:
            cursor.execute(f'SELECT count(*) FROM "{partition.name}"')
            counts[partition.name] = cursor.fetchone()[0]
    month = max(months, key=lambda p: counts[p.name])
    with tempfile.TemporaryDirectory() as folder:
        began = time.perf_counter()
        manifest = partitions.archive(month, folder)
        archived = time.perf_counter() - began
        began = time.perf_counter()
        partitions.restore(Path(folder) / manifest["file"])
        restored = time.perf_counter() - began
    return {
        "partition": month.name,
        "rows": manifest["rows"],
        "file_bytes": manifest["size_bytes"],
        "archive_seconds": archived,
        "restore_seconds": restored,
    }


def migration(call_command, database):
    """auditoria 0008 reversed and applied again on the full table, locks watched."""
    from django.db import connection

    timings = {}
    for target, name in (("0007", "reverse"), ("0008", "forward")):
        connection.ensure_connection()
        pid = connection.connection.info.backend_pid
        with LockWatch(database, pid) as watch, LagSampler(database) as lag:
            began = time.perf_counter()
            call_command("migrate", "auditoria", target, verbosity=0)
            seconds = time.perf_counter() - began
        timings[name] = {"seconds": seconds, **watch.summary(), "replica_lag": lag.summary()}
    return timings


class LockWatch(Background):
    """While a migration runs in session `pid`: which locks it holds on `actividades`, and
    whether a read (ACCESS SHARE) or a write (ROW EXCLUSIVE) could take its lock, probed
    each `interval` with a short lock_timeout (and rolled back: nothing is written)."""

    def __init__(self, database, pid, interval=0.2):
        self.database, self.pid, self.interval = database, pid, interval
        self.modes, self.blocked = set(), {"read": 0.0, "write": 0.0}
        self.probes = 0
        super().__init__()

    def _run(self):
        probes = {"read": "ACCESS SHARE", "write": "ROW EXCLUSIVE"}
        with (
            psycopg.connect(dsn(PRIMARY, self.database), autocommit=True) as watcher,
            psycopg.connect(dsn(PRIMARY, self.database), autocommit=True) as prober,
        ):
            while not self._stop.is_set():
                began = time.perf_counter()
                self.modes.update(
                    r[0]
                    for r in watcher.execute(
                        "SELECT l.mode FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                        "WHERE c.relname = 'actividades' AND l.granted AND l.pid = %s",
                        [self.pid],
                    ).fetchall()
                )
                for kind, mode in probes.items():
                    try:
                        with prober.transaction():
                            prober.execute("SET LOCAL lock_timeout = '20ms'")
                            prober.execute(f"LOCK TABLE actividades IN {mode} MODE")
                            raise psycopg.Rollback
                    except psycopg.errors.LockNotAvailable:
                        self.blocked[kind] += self.interval
                    except psycopg.Error:
                        pass  # the table is being swapped: counted as neither
                self.probes += 1
                self._stop.wait(max(0.0, self.interval - (time.perf_counter() - began)))

    def summary(self):
        return {
            "locks_seen": sorted(self.modes),
            "reads_blocked_seconds": round(self.blocked["read"], 1),
            "writes_blocked_seconds": round(self.blocked["write"], 1),
            "probes": self.probes,
        }


if __name__ == "__main__":
    main()
