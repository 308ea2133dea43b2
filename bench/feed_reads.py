"""The four feed reads at scale: one query over the whole trail (before) beside
`auditoria.selectors.feed` (month by month, newest first), alternated.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/piliquarts_dash \\
        .venv/bin/python bench/feed_reads.py --repeat 300

Both ways read the same busy workspace and project with the same samples, one
after the other in each round; their rows are checked equal. The queries feed
actually ran are then run again under EXPLAIN (ANALYZE): their plans (partitions
read, times) are printed with --plans, and both ways' server time (planning
plus execution, from EXPLAIN ANALYZE) is measured alternated like the client's.
"""

import argparse
import gc
import json
import os
import statistics
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "piliquarts.settings")


def one_query(after=None, limit=50, **scope):
    """The feed as it was: one ORDER BY ... LIMIT over the whole table."""
    from auditoria.models import Actividad

    rows = Actividad.objects.select_related("user").filter(**scope)
    if after is not None:
        rows = rows.filter(created_at__lte=after.created_at).exclude(
            created_at=after.created_at, id__gte=after.id
        )
    return list(rows.order_by("-created_at", "-id")[:limit])


def cases():
    from django.db.models import Count

    from auditoria.models import Actividad
    from auditoria.selectors import feed
    from workspaces.models import Workspace

    # The busiest workspace of a recent month (a whole-table GROUP BY takes seconds).
    recent = list(
        Actividad.objects.order_by("-created_at").values_list("created_at", flat=True)[:5001]
    )
    busiest = (
        Actividad.objects.filter(created_at__gte=recent[-1].replace(day=1))
        .exclude(workspace_id=None)
        .values("workspace_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
        if recent
        else None
    )
    if busiest is None:
        return [], feed  # no trail to read
    workspace = Workspace.objects.get(pk=busiest["workspace_id"])
    proyecto = workspace.proyectos.order_by("id").first()
    reads = [("workspace feed, first page", dict(workspace=workspace))]
    ws_deep = one_query(workspace=workspace, limit=5001)[-1]
    reads.append(("workspace feed, page 100 (keyset)", dict(workspace=workspace, after=ws_deep)))
    proy_rows = one_query(proyecto=proyecto, limit=1001) if proyecto else []
    if proy_rows:
        reads.append(("project feed, first page", dict(proyecto=proyecto)))
        deep = dict(proyecto=proyecto, after=proy_rows[-1])
        reads.append(("project feed, page 20 (keyset)", deep))
    return reads, feed


def explained(connection, sql):
    """Planning and execution time (ms) of `sql`, as EXPLAIN ANALYZE reports them."""
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
        plan = cursor.fetchone()[0]
    plan = (json.loads(plan) if isinstance(plan, str) else plan)[0]
    return plan["Planning Time"] + plan["Execution Time"]


def p50_p95(times):
    times = sorted(times)
    return statistics.median(times), times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]


def measure(repeat, plans=False):
    """{read: figures} of the four feed reads: client and server times, before and after.

    Client: the whole call (the ORM's queries and its rows), ours and one query over
    the whole table alternated round by round. Server: planning plus execution of
    the queries each way actually ran, from EXPLAIN (ANALYZE), alternated too.
    """
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    reads, feed = cases()
    figures = {}
    for name, kwargs in reads:
        if [r.pk for r in one_query(**kwargs)] != [r.pk for r in feed(**kwargs)]:
            sys.exit(f"{name}: feed's rows differ from the one query's")
        timings = {"before": [], "after": []}
        ways = (("before", one_query), ("after", feed))
        # Garbage collection waits while the samples are taken, as `timeit` does (and
        # as the admin pages' samples do): a collection's pause depends on the bench
        # process's heap (after a whole run of pages, a large one), not on the read.
        gc.collect()
        gc.disable()
        try:
            for round_ in range(repeat + 1):
                for label, function in ways if round_ % 2 else ways[::-1]:
                    started = time.perf_counter()
                    function(**kwargs)
                    if round_:
                        timings[label].append((time.perf_counter() - started) * 1000)
        finally:
            gc.enable()
        ran = {}
        for label, function in ways:
            with CaptureQueriesContext(connection) as queries:
                function(**kwargs)
            ran[label] = [query["sql"] for query in queries.captured_queries]
        figure = {
            "queries": len(ran["after"]),
            "client": {label: p50_p95(times) for label, times in timings.items()},
        }
        if connection.vendor == "postgresql":
            server = {"before": [], "after": []}
            for round_ in range(repeat + 1):
                for label, _f in ways if round_ % 2 else ways[::-1]:
                    total = sum(explained(connection, sql) for sql in ran[label])
                    if round_:
                        server[label].append(total)
            figure["server"] = {label: p50_p95(times) for label, times in server.items()}
            if plans:
                figure["plans"] = []
                with connection.cursor() as cursor:
                    for sql in ran["after"]:
                        cursor.execute("EXPLAIN (ANALYZE, COSTS OFF) " + sql)
                        figure["plans"].append([line for (line,) in cursor.fetchall()])
        figures[name] = figure
    return figures


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=300)
    parser.add_argument("--plans", action="store_true", help="print the plans feed ran")
    args = parser.parse_args()
    import django

    django.setup()
    for name, figure in measure(args.repeat, plans=args.plans).items():
        (b50, b95), (a50, a95) = figure["client"]["before"], figure["client"]["after"]
        print(
            f"{name:36} client: before p50 {b50:5.2f} p95 {b95:5.2f} ms | "
            f"after p50 {a50:5.2f} p95 {a95:5.2f} ms | {figure['queries']} queries",
            flush=True,
        )
        if "server" in figure:
            (b50, b95), (a50, a95) = figure["server"]["before"], figure["server"]["after"]
            print(
                f"{'':36} server: before p50 {b50:5.2f} p95 {b95:5.2f} ms | "
                f"after p50 {a50:5.2f} p95 {a95:5.2f} ms (planning + execution)",
                flush=True,
            )
        for plan in figure.get("plans", ()):
            print("\n".join(f"    {line}" for line in plan))


if __name__ == "__main__":
    main()
