"""Admin page times for every role, this project's admin beside a stock Django admin.

Run against a database filled by `manage.py seed_bulk` (the large preset is the
issue's 10M activity rows and 1M documents), then render docs/benchmarks.md:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/piliquarts_bench \\
        .venv/bin/python bench/admin_pages.py --repeat 10 --output bench/results/admin_pages.json
    python manage.py benchmarks --write

The bench adds its own users through the services, one per role (see ROLES),
and requests every changelist of the domain apps as each of them through
Django's test client, in-process (server time, no network): the first page,
page 50, a filtered page, a search for each of SEARCH_TERMS, a keyset page
past the numbered ones, and a change page (its inlines included).

"Stock" is a second AdminSite on which each model is registered with a plain
`admin.ModelAdmin` carrying only the same list_display, list_filter,
search_fields and inlines (plain TabularInlines of the same models), and
Django's defaults for everything else: its paginator and exact counts, its
permissions (`User.has_perm`: platform owners and admins only), its change
page. Stock has no keyset pages: its page for the same rows is the numbered
page after our last one, reached by OFFSET.

Every response's status is checked against what the permission model expects
(`has_view_permission` of that admin for that user, the object in its
queryset); a status other than the expected one is recorded and makes the run
exit non-zero. Ours and stock alternate sample by sample on the same pages;
the list pages (first page, page 50, filtered) alternate every role's too, with
the owner's first page of the list beside them (the page each is compared
with), and each is then measured on the --preset databases at once (a process
each, every role alternated): the host's drift falls on the pages compared alike.
stock's samples of a page stop at --stock-repeat, or earlier once they have
taken --stock-budget seconds (one sample at least; no warm-up for a page whose
cold request took over a second): pages that count 10M rows exactly take
seconds, and a stock change page renders a <select> of every user for each
inline row: a stock change page whose selects would list more than
--stock-max-options rows in all is not requested, and is listed as skipped.
The cold pass requests each page once on a new database connection (a new
server process: no plan or catalogue cache) after clearing Django's cache;
PostgreSQL's shared buffers and the OS page cache are not emptied (that needs
a server restart and root on a shared machine), so "cold" is a new session,
not a cold disk.
"""

import argparse
import datetime
import gc
import json
import logging
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "piliquarts.settings")

#: The models measured, in the order the page lists them (the domain apps' changelists).
MODELS = (
    "accounts.User",
    "workspaces.Workspace",
    "workspaces.WorkspaceMember",
    "proyectos.Proyecto",
    "proyectos.ProyectoMember",
    "documentos.Folder",
    "documentos.Documento",
    "documentos.DocumentoVersion",
    "auditoria.Actividad",
)
#: name -> term: narrow, broad (digits; a document name's prefix), no match, two characters.
SEARCH_TERMS = {
    "narrow": "4242",
    "broad": "424",
    "broad name": "documento-99",
    "none": "zzxq-sin-coincidencias",
    "short": "42",
}
#: The filter of each list's filtered page (an enum, or the trash for folders).
FILTERS = {
    "accounts.User": {"rol_global": "member"},
    "workspaces.Workspace": {"plan": "free"},
    "workspaces.WorkspaceMember": {"rol": "member"},
    "proyectos.Proyecto": {"estado": "activo"},
    "proyectos.ProyectoMember": {"rol": "viewer"},
    "documentos.Folder": {"papelera": "si"},
    "documentos.Documento": {"tipo": "plano"},
    "auditoria.Actividad": {"tipo": "editar"},
}
#: role -> (users.rol_global, workspace_members.rol, proyecto_members.rol). A guest's
#: workspace role is ignored by the permission model (core.permissions): it sees its
#: projects only; the workspace membership is what the project membership requires.
ROLES = {
    "owner": ("owner", None, None),
    "workspace member": ("member", "member", None),
    "project member": ("member", "viewer", "ingeniero"),
    "guest": ("guest", "viewer", "viewer"),
}
ROLE_NOTES = {
    "owner": "platform owner (`RolGlobal.OWNER`): every row",
    "workspace member": "`WorkspaceRol.MEMBER` of one workspace",
    "project member": (
        "`WorkspaceRol.VIEWER` of the workspace and `ProyectoRol.INGENIERO` of one of its projects"
    ),
    "guest": (
        "`RolGlobal.GUEST` with `ProyectoRol.VIEWER` of one project: that project only "
        "(the project-only reach of the permission model)"
    ),
}


def setup():
    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["*"]
    settings.DEBUG = False
    logging.getLogger("piliquarts.request").setLevel(logging.WARNING)


# -- the stock admin ---------------------------------------------------------------------


def stock_site():
    """A second AdminSite: plain ModelAdmins with our list columns, filters, search, inlines."""
    from django.apps import apps
    from django.contrib import admin

    site = admin.AdminSite(name="stock")
    for label in MODELS:
        model = apps.get_model(label)
        ours = admin.site.get_model_admin(model)
        inlines = tuple(
            type(
                f"Stock{inline.__name__}",
                (admin.TabularInline,),
                {"model": inline.model, **({"fk_name": inline.fk_name} if inline.fk_name else {})},
            )
            for inline in ours.inlines
        )
        # Columns our admin computes (`size`, say) are copied as they are: same columns.
        columns = {
            name: getattr(type(ours), name)
            for name in ours.list_display
            if isinstance(name, str) and not hasattr(model, name) and hasattr(type(ours), name)
        }
        attrs = {
            **columns,
            "list_display": ours.list_display,
            "list_filter": ours.list_filter,
            "search_fields": ours.search_fields,
            "inlines": inlines,
        }
        site.register(model, type(f"Stock{type(ours).__name__}", (admin.ModelAdmin,), attrs))
    return site


# -- the bench's users and the objects of their change pages ------------------------------


def bench_scope():
    """The workspace and project the bench users belong to: the busiest by documents."""
    from django.db.models import Count

    from proyectos.models import Proyecto

    proyecto = (
        Proyecto.objects.annotate(n=Count("documentos"))
        .order_by("-n", "nombre", "id")
        .select_related("workspace")
        .first()
    )
    if proyecto is None:
        sys.exit("No project in this database: run seed_bulk (or seed_demo) first.")
    return proyecto.workspace, proyecto


def bench_users(workspace, proyecto):
    """{role: user}, created once through the services; found again on a second run."""
    from bench import users

    return users.bench_users("bench-admin", ROLES, workspace=workspace, proyecto=proyecto)


def change_objects(workspace, proyecto):
    """{model label: object}: rows of the bench's project, which every role but the owner is in."""
    from auditoria.models import Actividad
    from documentos.models import Documento, DocumentoVersion, Folder
    from proyectos.models import ProyectoMember
    from workspaces.models import WorkspaceMember

    member = (
        ProyectoMember.objects.filter(proyecto=proyecto)
        .exclude(user__email__startswith="bench-")
        .order_by("joined_at", "id")
        .first()
    ) or ProyectoMember.objects.filter(proyecto=proyecto).order_by("id").first()
    documento = (
        Documento.objects.filter(proyecto=proyecto, versions__version__gt=1)
        .order_by("nombre", "id")
        .first()
    ) or Documento.objects.filter(proyecto=proyecto).order_by("nombre", "id").first()
    return {
        "accounts.User": member.user if member else None,
        "workspaces.Workspace": workspace,
        "workspaces.WorkspaceMember": WorkspaceMember.objects.filter(workspace=workspace)
        .order_by("joined_at", "id")
        .first(),
        "proyectos.Proyecto": proyecto,
        "proyectos.ProyectoMember": member,
        "documentos.Folder": Folder.objects.filter(proyecto=proyecto, parent=None)
        .order_by("nombre", "id")
        .first(),
        "documentos.Documento": documento,
        "documentos.DocumentoVersion": DocumentoVersion.objects.filter(documento=documento)
        .order_by("-version")
        .first()
        if documento
        else None,
        "auditoria.Actividad": Actividad.objects.filter(proyecto=proyecto)
        .order_by("-created_at", "-id")
        .first(),
    }


# -- what each page should answer -------------------------------------------------------


def select_options(model_admin, obj):
    """How many <option>s the change page's default select widgets would render.

    Each foreign key of the form, and of each inline row (its rows and `extra` empty
    ones), is a <select> listing every row of the table it points at.
    """
    from django.db import models

    def options(model, exclude=None):
        total = 0
        for field in model._meta.get_fields():
            if (
                isinstance(field, models.ForeignKey | models.ManyToManyField)
                and field.editable
                and field is not exclude
                and field.name not in (model_admin.raw_id_fields or ())
            ):
                total += field.related_model._default_manager.count()
        return total

    from django.forms.models import _get_foreign_key

    total = options(type(obj))
    for inline in model_admin.inlines:
        fk = _get_foreign_key(type(obj), inline.model, fk_name=inline.fk_name)
        rows = inline.model._default_manager.filter(**{fk.name: obj}).count() + inline.extra
        total += rows * options(inline.model, exclude=fk)
    return total


def expected_status(model_admin, user, obj=None):
    """What the permission model says the page answers: 200, 403 (no view), 302 (not visible)."""
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = user
    if obj is None:
        return 200 if model_admin.has_view_permission(request) else 403
    if not model_admin.has_view_or_change_permission(request):
        return 403
    if not model_admin.get_queryset(request).filter(pk=obj.pk).exists():
        return 302  # Django's "does not exist, perhaps deleted" redirect to the index
    return 200 if model_admin.has_view_or_change_permission(request, obj) else 403


ROW_RE = re.compile(r"<tr[ >]")
INLINE_ROW_RE = re.compile(r'<tr class="form-row([^"]*)"')


def rows_shown(html, change):
    """The list's rows, or the change page's inline rows (the empty template row left out)."""
    if change:
        return sum("empty-form" not in extra for extra in INLINE_ROW_RE.findall(html))
    start = html.find('id="result_list"')
    if start < 0:
        return 0
    body = html[html.find("<tbody>", start) : html.find("</tbody>", start)]
    return len(ROW_RE.findall(body))


KEYSET_LINK_RE = re.compile(r'href="\?([^"]*\btras=[^"]*)"')


def list_pages(model):
    """(page, ours query, stock query) of one model's list pages: the pages whose cost must
    be the same for every role and at every size (the first page, page 50, filtered)."""
    label = model._meta.label
    yield "first page", {}, {}
    yield "page 50", {"p": "50"}, {"p": "50"}
    if label in FILTERS:
        yield "filtered", FILTERS[label], FILTERS[label]


def pages(model, obj, client):
    """(page, ours query, stock query, change) of one model's other pages, for the client."""
    from urllib.parse import parse_qsl

    from django.contrib import admin

    from admin_kit.paginators import BoundedCountPaginator

    ours = admin.site.get_model_admin(model)
    if ours.search_fields:
        for name, term in SEARCH_TERMS.items():
            yield f"search {name} «{term}»", {"q": term}, {"q": term}, False
    # Past the numbered pages: the "más antiguas" link of our last numbered page; stock
    # reaches the same rows by the numbered page after it (OFFSET).
    base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
    last = BoundedCountPaginator.max_pages
    html = client.get(base, {"p": str(last)}).content.decode()
    link = KEYSET_LINK_RE.search(html)
    if link:
        query = dict(parse_qsl(link.group(1).replace("&amp;", "&")))
        yield "past the numbered pages", query, {"p": str(last + 1)}, False
    else:
        yield "past the numbered pages", {"antes": "fin"}, {"p": str(last + 1)}, False
    if obj is not None:
        yield "change page", {}, {}, True


# -- measuring ----------------------------------------------------------------------------


#: A stock page slower than this (its cold request) is sampled without a warm-up.
SLOW_MS = 1000


def request(client, url, query):
    from django.db import connection, reset_queries

    reset_queries()
    start = time.perf_counter()
    response = client.get(url, query)
    elapsed = (time.perf_counter() - start) * 1000
    return response, elapsed, len(connection.queries)


def percentile(times, fraction):
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def _kind(name):
    """ "ours" or "stock" (or "baseline") of a variant named so, or (role, kind)."""
    return name if isinstance(name, str) else name[-1]


def measure_page(client, variants, repeat, stock_repeat, stock_budget):
    """Cold, then warm samples of the variants alternated; {variant: figures}.

    `variants`: {name: (url, query, expected status, change page[, client])}, the
    client being `client` unless given; a name is "ours", "stock" or (role, either).

    Garbage collection waits until the page's samples are taken, as `timeit` does:
    a full collection's pause (45 ms and more) depends on the bench process's
    heap, not on the page, and fell on one sample or another.
    """
    gc.collect()
    gc.disable()
    try:
        return _measure_page(client, variants, repeat, stock_repeat, stock_budget)
    finally:
        gc.enable()


def _measure_page(client, variants, repeat, stock_repeat, stock_budget):
    from django.core.cache import cache
    from django.db import connection

    variants = {name: (*v[:4], v[4] if len(v) > 4 else client) for name, v in variants.items()}
    figures = {}
    for name, (url, query, expected, change, client) in variants.items():
        connection.close()  # the next request opens a new server process
        cache.clear()
        response, cold, _queries = request(client, url, query)
        if _kind(name) != "stock" or cold < SLOW_MS:
            client.get(url, query)  # warm-up (a stock page slower than SLOW_MS goes without)
        figures[name] = {
            "url": url,
            "query": query,
            "expected": expected,
            "cold_ms": round(cold, 2),
            "times": [],
            "statuses": set(),
            "queries": 0,
            "rows": rows_shown(response.content.decode(errors="replace"), change),
            "location": response.get("Location"),
            "status": response.status_code,
        }
    spent = dict.fromkeys(variants, 0.0)
    for n in range(repeat):
        for name, (url, query, _expected, _change, client) in variants.items():
            if _kind(name) == "stock" and (n >= stock_repeat or spent[name] > stock_budget * 1000):
                continue
            response, elapsed, queries = request(client, url, query)
            spent[name] += elapsed
            figure = figures[name]
            figure["times"].append(elapsed)
            figure["statuses"].add(response.status_code)
            figure["queries"] = max(figure["queries"], queries)
    for name, figure in figures.items():
        times = figure.pop("times")
        statuses = figure.pop("statuses") | {figure["status"]}
        if len(statuses) > 1:
            figure["status"] = sorted(statuses)[-1]
        figure["samples"] = len(times)
        figure["p50_ms"] = round(statistics.median(times), 2) if times else None
        figure["p95_ms"] = round(percentile(times, 0.95), 2) if times else None
        error_page = figure["status"] == 302 and (figure["location"] or "").endswith("?e=1")
        # Django's own answer to a page number past the end is its error page: stock may.
        figure["ok"] = figure["status"] == figure["expected"] or (
            error_page and _kind(name) == "stock" and figure["expected"] == 200
        )
    return figures


def machine(started):
    import django
    from django.db import connection

    def git(*args):
        try:
            return subprocess.run(
                ["git", *args], cwd=BASE_DIR, capture_output=True, text=True, check=True
            ).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            return "unknown"

    info = {
        "date": started.strftime("%Y-%m-%d %H:%M UTC"),
        "commit": git("rev-parse", "--short", "HEAD"),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "database": connection.vendor,
    }
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        info["memory_gib"] = round(pages / 2**30)
    except (ValueError, OSError, AttributeError):
        info["memory_gib"] = None
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            info["postgresql"] = cursor.fetchone()[0].split()[0]
            cursor.execute("SHOW shared_buffers")
            info["shared_buffers"] = cursor.fetchone()[0]
    return info


def table_sizes():
    """Rows of each measured table: exact on SQLite, the planner's estimate on PostgreSQL."""
    from django.apps import apps
    from django.db import connection

    sizes = {}
    for label in MODELS:
        model = apps.get_model(label)
        table = model._meta.db_table
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # A partitioned table's rows are its partitions' (the parent's own
                # estimate already sums them: counting both would double them).
                cursor.execute(
                    "SELECT coalesce(sum(c.reltuples), 0)::bigint FROM pg_class c "
                    "WHERE c.oid IN (SELECT inhrelid FROM pg_inherits WHERE inhparent = "
                    "%s::regclass) OR (c.oid = %s::regclass AND NOT EXISTS "
                    "(SELECT FROM pg_inherits WHERE inhparent = %s::regclass))",
                    [table, table, table],
                )
                estimate = cursor.fetchone()[0]
            sizes[table] = estimate if estimate > 0 else model._default_manager.count()
        else:
            sizes[table] = model._default_manager.count()
    return sizes


def run(args):
    from django.apps import apps
    from django.contrib import admin
    from django.db import connection
    from django.test import Client
    from django.urls import clear_url_caches, path

    from piliquarts import urls

    started = datetime.datetime.now(datetime.UTC)
    clock = time.perf_counter()
    load_start = os.getloadavg()[0]
    about = machine(started)  # the commit measured: the one checked out when the run starts
    stock = stock_site()
    urls.urlpatterns.append(path("stock-admin/", stock.urls))
    clear_url_caches()
    connection.force_debug_cursor = True  # connection.queries without DEBUG

    workspace, proyecto = bench_scope()
    users = bench_users(workspace, proyecto)
    objects = change_objects(workspace, proyecto)
    labels = [label for label in MODELS if not args.only or args.only in label]
    models = [apps.get_model(label) for label in labels if not args.model or label == args.model]
    roles = [role for role in ROLES if not args.roles or role in args.roles]
    clients = {}
    for role in roles:
        clients[role] = Client()
        clients[role].force_login(users[role])
        clients[role].get("/admin/")  # the session's first request
    sites = {"ours": admin.site, "stock": stock}
    results, skipped = [], []
    presets = {name: {"sizes": None, "results": []} for name, _url in map(preset, args.preset)}

    def target(model, role, variant, change=False):
        """(url, expected status) of `model`'s list (or change page) on `variant`'s site."""
        model_admin = sites[variant].get_model_admin(model)
        prefix = "/admin/" if variant == "ours" else "/stock-admin/"
        base = f"{prefix}{model._meta.app_label}/{model._meta.model_name}/"
        obj = objects[model._meta.label] if change else None
        if change:
            return f"{base}{obj.pk}/change/", expected_status(model_admin, users[role], obj)
        return base, expected_status(model_admin, users[role])

    def record(role, model, page, variant, figure):
        results.append(
            {"role": role, "model": model._meta.db_table, "page": page, "variant": variant,
             **figure}
        )  # fmt: skip
        if not args.quiet:
            print(
                f"{role:17} {model._meta.db_table:19} {page:32} {variant:5} "
                f"{figure['status']}{'' if figure['ok'] else ' UNEXPECTED'} "
                f"p50 {fmt(figure['p50_ms'])} p95 {fmt(figure['p95_ms'])} "
                f"cold {fmt(figure['cold_ms'])} q {figure['queries']} "
                f"rows {figure['rows']} n {figure['samples']}",
                flush=True,
            )

    # The list pages: every role's, ours and stock, sample by sample in the same rounds,
    # with the owner's first page of the list beside them (the page each is compared
    # with), then the same page on the other presets: a change in the host's speed
    # during the run reads as neither a role's nor a size's cost.
    for model in models:
        for page, ours_query, stock_query in list_pages(model):
            if args.page and page != args.page:
                continue
            variants = {}
            for role in roles:
                for variant, query in (("ours", ours_query), ("stock", stock_query)):
                    if variant == "stock" and args.skip_stock:
                        continue
                    url, expected = target(model, role, variant)
                    variants[role, variant] = (url, query, expected, False, clients[role])
            baseline = "owner" in roles and not args.list_pages_only
            if baseline and page != "first page":
                url, expected = target(model, "owner", "ours")
                variants["owner", "baseline"] = (url, {}, expected, False, clients["owner"])
            figures = measure_page(
                None, variants, args.repeat, args.stock_repeat, args.stock_budget
            )
            first = figures.get(("owner", "baseline")) or figures.get(("owner", "ours"))
            for (role, variant), figure in figures.items():
                if variant == "baseline":
                    continue
                if baseline and variant == "ours" and first and first["status"] == 200:
                    # The owner's first page of this list, measured in the same rounds.
                    figure["baseline_p50_ms"] = first["p50_ms"]
                    figure["baseline_p95_ms"] = first["p95_ms"]
                record(role, model, page, variant, figure)
            for name, url in map(preset, args.preset):
                measured = measure_preset(args, url, model._meta.label, page)
                presets[name]["sizes"] = measured["sizes"]
                presets[name]["results"] += measured["results"]

    # The other pages (searches, past the numbered pages, change pages), role by role.
    for role in [] if args.list_pages_only else roles:
        client = clients[role]
        for model in models:
            obj = objects[model._meta.label]
            for page, ours_query, stock_query, change in pages(model, obj, client):
                variants = {}
                for variant, site in sites.items():
                    if variant == "stock" and args.skip_stock:
                        continue
                    url, expected = target(model, role, variant, change)
                    query = ours_query if variant == "ours" else stock_query
                    if variant == "stock" and change and expected == 200:
                        n_options = select_options(site.get_model_admin(model), obj)
                        if n_options > args.stock_max_options:
                            skipped.append(
                                {"role": role, "model": model._meta.db_table, "page": page,
                                 "variant": variant, "url": url, "options": n_options}
                            )  # fmt: skip
                            continue
                    variants[variant] = (url, query, expected, change)
                figures = measure_page(
                    client, variants, args.repeat, args.stock_repeat, args.stock_budget
                )
                for variant, figure in figures.items():
                    record(role, model, page, variant, figure)
    return {
        "machine": {
            **about,
            "bench_seconds": round(time.perf_counter() - clock, 1),
            "load_average": {"start": load_start, "end": os.getloadavg()[0]},
        },
        "settings": {
            "repeat": args.repeat,
            "stock_repeat": args.stock_repeat,
            "stock_budget_seconds": args.stock_budget,
            "stock_max_options": args.stock_max_options,
            "search_terms": SEARCH_TERMS,
            "filters": {label: query for label, query in FILTERS.items()},
        },
        "sizes": table_sizes(),
        "scope": {"workspace": workspace.nombre, "proyecto": proyecto.nombre},
        "roles": {role: ROLE_NOTES[role] for role in roles},
        "results": results,
        "skipped": skipped,
        "presets": presets,
    }


def preset(text):
    name, _, url = text.partition("=")
    if not name or not url:
        sys.exit(f"--preset takes NAME=DATABASE_URL, not {text!r}")
    return name, url


def measure_preset(args, url, model, page):
    """One list page of ours on another database (its own process), every role's samples
    alternated: {sizes, results}. Measured right after the same page on this one."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        output = Path(tmp) / "preset.json"
        command = [sys.executable, __file__, "--repeat", str(args.repeat), "--skip-stock"]
        command += ["--list-pages-only", "--quiet", "--output", str(output)]
        command += ["--model", model, "--page", page, "--feed-repeat", "0"]
        if args.roles:
            command += ["--roles", *args.roles]
        subprocess.run(command, env={**os.environ, "DATABASE_URL": url}, check=True)
        measured = json.loads(output.read_text())
    return {"sizes": measured["sizes"], "results": measured["results"]}


def fmt(value):
    return "-" if value is None else f"{value:8.1f}"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=10, help="warm samples of each page")
    parser.add_argument(
        "--stock-repeat", type=int, default=None, help="at most this many stock samples a page"
    )
    parser.add_argument(
        "--stock-budget", type=float, default=10.0,
        help="stop a stock page's samples once they took this many seconds (1 at least)",
    )  # fmt: skip
    parser.add_argument(
        "--stock-max-options", type=int, default=20_000,
        help="skip a stock change page whose select widgets would list more rows than this",
    )  # fmt: skip
    parser.add_argument("--output", type=Path, help="the data file (JSON) to write")
    parser.add_argument("--skip-stock", action="store_true", help="measure only this admin")
    parser.add_argument("--only", help="only the models whose label contains this")
    parser.add_argument("--roles", nargs="*", choices=list(ROLES), help="only these roles")
    parser.add_argument("--quiet", action="store_true")
    parser.add_argument(
        "--preset", action="append", default=[], metavar="NAME=DATABASE_URL",
        help="also measure the list pages (ours) on this database, a smaller preset of "
        "seed_bulk: flat cost is the same page's cost at every size",
    )  # fmt: skip
    parser.add_argument(
        "--name", default="large", help="the preset of the database measured (DATABASE_URL)"
    )
    parser.add_argument(
        "--feed-repeat", type=int, default=200,
        help="samples of each of the four feed reads (bench/feed_reads.py); 0: none",
    )  # fmt: skip
    parser.add_argument("--list-pages-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--model", help=argparse.SUPPRESS)  # one model's label, exactly
    parser.add_argument("--page", help=argparse.SUPPRESS)  # one list page
    args = parser.parse_args(argv)
    if args.stock_repeat is None:
        args.stock_repeat = args.repeat
    setup()
    clock = time.perf_counter()
    data = run(args)
    data["preset"] = args.name
    data["settings"]["feed_repeat"] = args.feed_repeat
    if not args.list_pages_only and args.feed_repeat:
        from bench import feed_reads

        data["feeds"] = feed_reads.measure(args.feed_repeat)
    # The whole run: the pages, the feeds and the other presets.
    data["machine"]["bench_seconds"] = round(time.perf_counter() - clock, 1)
    data["machine"]["load_average"]["end"] = os.getloadavg()[0]
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n")
    wrong = [r for r in data["results"] if not r["ok"]]
    for r in wrong:
        print(
            f"UNEXPECTED {r['role']} {r['model']} {r['page']} {r['variant']}: "
            f"{r['status']} (expected {r['expected']}) {r['location'] or ''}",
            file=sys.stderr,
        )
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
