"""Admin page times at scale: this project's admin beside stock Django admin, on the same data.

Run against a database filled by `manage.py seed_bulk` (see docs/benchmarks.md):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/piliquarts_bench \\
        .venv/bin/python bench/admin_pages.py --repeat 20 --output docs/img

"Stock" is a second admin site with the same list columns, filters and search
fields, and Django's defaults for everything else (exact COUNT(*) twice per
page, filters and paging as shipped). Both are requested through Django's test
client in-process, so the numbers are server time without the network.
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

DOMAIN_APPS = {"accounts", "workspaces", "proyectos", "documentos", "auditoria"}


def setup():
    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["*"]
    settings.DEBUG = False


def stock_site():
    """Our admin classes with Django's stock counting and paging (exact COUNT(*), twice)."""
    from django.contrib import admin
    from django.core.paginator import Paginator

    site = admin.AdminSite(name="stock")
    for model, ours in admin.site._registry.items():
        if model._meta.app_label in DOMAIN_APPS:
            stock = type(
                f"Stock{type(ours).__name__}",
                (type(ours),),
                {"paginator": Paginator, "show_full_result_count": True},
            )
            site.register(model, stock)
    return site


def pages(models_with_sample):
    """(label, path, query) of each page measured: list, filtered, searched, deep, change."""
    for model, sample in models_with_sample:
        name = model._meta.db_table
        base = f"{model._meta.app_label}/{model._meta.model_name}/"
        yield f"{name} list", base, {}
        choice_filters = [f for f in model._meta.fields if f.choices and f.name != "id"]
        if choice_filters:
            field = choice_filters[0]
            yield f"{name} filtered", base, {field.name: field.choices[0][0]}
        yield f"{name} search", base, {"q": "4242"}
        yield f"{name} page 50", base, {"p": "50"}
        if sample is not None:
            yield f"{name} change", f"{base}{sample.pk}/change/", {}


def measure(client, prefix, path, query, repeat):
    from django.db import connection, reset_queries

    times, queries = [], 0
    client.get(prefix + path, query)  # warm-up
    for _ in range(repeat):
        reset_queries()
        start = time.perf_counter()
        response = client.get(prefix + path, query)
        times.append((time.perf_counter() - start) * 1000)
        queries = len(connection.queries)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return {
        "status": response.status_code,
        "median": statistics.median(times),
        "p95": p95,
        "queries": queries,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=10, help="timed requests per page")
    parser.add_argument("--output", type=Path, help="folder for the chart (PNG) and a .md table")
    parser.add_argument("--skip-stock", action="store_true", help="measure only this admin")
    parser.add_argument("--only", help="measure only the pages whose label contains this")
    args = parser.parse_args()

    setup()
    from django.apps import apps
    from django.db import connection
    from django.test import Client
    from django.urls import clear_url_caches, path

    from accounts.models import RolGlobal, User
    from piliquarts import urls

    stock = stock_site()
    urls.urlpatterns.append(path("stock-admin/", stock.urls))
    clear_url_caches()
    connection.force_debug_cursor = True

    admin_user = User.objects.filter(rol_global=RolGlobal.OWNER).first()
    if admin_user is None:
        sys.exit("No platform owner in this database: run seed_bulk (or seed_demo) first.")
    client = Client()
    client.force_login(admin_user)

    models = [
        apps.get_model(label)
        for label in (
            "accounts.User", "workspaces.Workspace", "workspaces.WorkspaceMember",
            "proyectos.Proyecto", "proyectos.ProyectoMember", "documentos.Folder",
            "documentos.Documento", "documentos.DocumentoVersion", "auditoria.Actividad",
        )
    ]  # fmt: skip
    samples = [(model, model._default_manager.order_by().first()) for model in models]
    measured = [page for page in pages(samples) if not args.only or args.only in page[0]]
    # One pass for each admin, so that neither's heavy pages run between the other's requests.
    ours = [measure(client, "/admin/", path, query, args.repeat) for _l, path, query in measured]
    stock = [
        None if args.skip_stock
        else measure(client, "/stock-admin/", path, query, max(3, args.repeat // 4))
        for _l, path, query in measured
    ]  # fmt: skip
    rows = list(zip([label for label, _p, _q in measured], ours, stock, strict=True))
    for label, mine, base in rows:
        ratio = f"{base['median'] / mine['median']:.1f}x" if base else ""
        print(
            f"{label:38} ours {mine['median']:8.1f} ms (p95 {mine['p95']:8.1f}, "
            f"{mine['queries']:2} q)"
            + (
                f"  stock {base['median']:9.1f} ms ({base['queries']:2} q)  {ratio}" if base else ""
            ),
            flush=True,
        )
    if args.output:
        write_report(rows, args.output)


def write_report(rows, folder):
    folder.mkdir(parents=True, exist_ok=True)
    lines = [
        "| page | ours median ms | ours p95 ms | queries "
        "| stock median ms | stock queries | ratio |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for label, ours, base in rows:
        stock_cells = (
            f"{base['median']:.1f} | {base['queries']} | {base['median'] / ours['median']:.1f}x"
            if base
            else "- | - | -"
        )
        lines.append(
            f"| {label} | {ours['median']:.1f} | {ours['p95']:.1f} | {ours['queries']} | "
            f"{stock_cells} |"
        )
    (folder / "admin_pages.md").write_text("\n".join(lines) + "\n")

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = [label for label, _o, _b in rows]
    figure, axis = plt.subplots(figsize=(10, max(4, len(rows) * 0.3)))
    positions = range(len(rows))
    axis.barh([p + 0.2 for p in positions], [o["p95"] for _l, o, _b in rows], 0.4, label="ours p95")
    if all(b for _l, _o, b in rows):
        axis.barh([p - 0.2 for p in positions], [b["median"] for _l, _o, b in rows], 0.4,
                  label="stock median")  # fmt: skip
    axis.set_yticks(list(positions), labels, fontsize=7)
    axis.set_xscale("log")
    axis.set_xlabel("server time (ms, log scale)")
    axis.axvline(100, color="red", linestyle="--", linewidth=0.8, label="100 ms goal")
    axis.legend()
    figure.tight_layout()
    figure.savefig(folder / "admin_pages.png", dpi=120)


if __name__ == "__main__":
    main()
