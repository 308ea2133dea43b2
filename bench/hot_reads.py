"""The hot reads at scale: p50/p95 of each, with its PostgreSQL plan.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/piliquarts_bench \\
        .venv/bin/python bench/hot_reads.py --repeat 200 --output docs/img

Each read runs once to warm up, then `--repeat` times through the ORM, the way
the services and the admin run it (ORM time included). The plan of each is
captured with EXPLAIN (ANALYZE) and written beside the numbers.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "piliquarts.settings")


def reads():
    """(name, callable, queryset for EXPLAIN) of each hot read, on a busy workspace."""
    from django.db.models import Count

    from auditoria.models import Actividad
    from auditoria.selectors import feed
    from documentos import selectors
    from documentos.models import Documento, Folder
    from workspaces.models import WorkspaceMember

    workspace_id = (
        Actividad.objects.values("workspace_id")
        .annotate(n=Count("id"))
        .order_by("-n")[0]["workspace_id"]
    )
    from workspaces.models import Workspace

    workspace = Workspace.objects.get(pk=workspace_id)
    proyecto = workspace.proyectos.order_by("id").first()
    ws_rows = Actividad.objects.filter(workspace=workspace).order_by("-created_at", "-id")
    proy_rows = Actividad.objects.filter(proyecto=proyecto).order_by("-created_at", "-id")
    ws_deep = ws_rows[min(5000, ws_rows.count() - 1)]
    proy_deep = proy_rows[min(1000, proy_rows.count() - 1)]
    folder = Folder.objects.filter(proyecto=proyecto, parent__isnull=True, nombre="Planos").first()
    leaf = Folder.objects.filter(proyecto=proyecto, path__endswith="/Revisiones").first()
    documento = Documento.objects.filter(proyecto=proyecto).order_by("id").first()
    member = WorkspaceMember.objects.filter(workspace=workspace).first().user_id

    def feed_query(after=None, **scope):
        rows = Actividad.objects.filter(**scope)
        if after is not None:
            rows = rows.filter(created_at__lte=after.created_at).exclude(
                created_at=after.created_at, id__gte=after.id
            )
        return rows.order_by("-created_at", "-id")[:50]

    return [
        ("workspace feed, first page", lambda: feed(workspace=workspace),
         feed_query(workspace=workspace)),
        ("workspace feed, page 100 (keyset)", lambda: feed(workspace=workspace, after=ws_deep),
         feed_query(after=ws_deep, workspace=workspace)),
        ("project feed, first page", lambda: feed(proyecto=proyecto),
         feed_query(proyecto=proyecto)),
        ("project feed, page 20 (keyset)", lambda: feed(proyecto=proyecto, after=proy_deep),
         feed_query(after=proy_deep, proyecto=proyecto)),
        ("folder contents (documents)", lambda: list(selectors.contents(folder)[1]),
         selectors.contents(folder)[1]),
        ("subtree of a folder", lambda: list(selectors.subtree(folder)), selectors.subtree(folder)),
        ("breadcrumb (ancestors)", lambda: selectors.ancestors(leaf),
         Folder.objects.filter(proyecto_id=leaf.proyecto_id,
                               path__in=selectors.ancestor_paths(leaf.path))),
        ("versions of a document", lambda: list(documento.versions.order_by("-version")),
         documento.versions.order_by("-version")),
        ("is this user a member", lambda: WorkspaceMember.objects.filter(
            workspace=workspace, user_id=member).exists(),
         WorkspaceMember.objects.filter(workspace=workspace, user_id=member)),
    ]  # fmt: skip


def measure(function, repeat):
    function()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--output", type=Path, help="folder for hot_reads.md")
    args = parser.parse_args()
    import django

    django.setup()
    from django.db import connection

    lines = ["| read | median ms | p95 ms |", "| --- | ---: | ---: |"]
    plans = []
    for name, function, queryset in reads():
        median, p95 = measure(function, args.repeat)
        lines.append(f"| {name} | {median:.2f} | {p95:.2f} |")
        print(f"{name:40} median {median:6.2f} ms  p95 {p95:6.2f} ms", flush=True)
        if connection.vendor == "postgresql":
            plan = queryset.explain(analyze=True, costs=False, timing=False, summary=False)
            plans.append(f"**{name}**\n\n```\n{plan}\n```\n")
    if args.output:
        args.output.mkdir(parents=True, exist_ok=True)
        (args.output / "hot_reads.md").write_text("\n".join(lines) + "\n\n" + "\n".join(plans))


if __name__ == "__main__":
    main()
