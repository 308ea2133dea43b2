"""The dashboard's time per role, cold (empty cache) and warm, on a seeded database.

Run against a database filled by `manage.py seed_bulk` (the large preset is the
issue's 10M activity rows and 1M documents):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/piliquarts_bench \\
        .venv/bin/python bench/dashboard.py --repeat 15 --output bench/results/dashboard.json

The bench adds its own users through the services (a platform owner, a
workspace admin, a workspace member and a project-only viewer) and requests the
dashboard through Django's test client in-process: server time, no network.
"Cold" clears the cache before each request (what the first visitor after
DASHBOARD_CACHE_SECONDS meets); "warm" does not. Every response's status is checked.
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "piliquarts.settings")


def setup():
    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["*"]
    settings.DEBUG = False


def bench_users():
    """{role: user}, created once through the services; found again on a second run."""
    from bench import users
    from core.roles import ProyectoRol, RolGlobal, WorkspaceRol
    from proyectos.models import Proyecto
    from workspaces.models import Workspace

    workspace = Workspace.objects.order_by("nombre", "id").first()
    proyecto = Proyecto.objects.filter(workspace=workspace).order_by("nombre", "id").first()
    wanted = {
        "platform owner": (RolGlobal.OWNER, None, None),
        "workspace admin": (RolGlobal.MEMBER, WorkspaceRol.ADMIN, None),
        "workspace member": (RolGlobal.MEMBER, WorkspaceRol.MEMBER, None),
        "project viewer": (RolGlobal.GUEST, WorkspaceRol.VIEWER, ProyectoRol.VIEWER),
    }
    return users.bench_users("bench-dashboard", wanted, workspace=workspace, proyecto=proyecto)


def measure(client, repeat, cold):
    from django.core.cache import cache
    from django.db import connection, reset_queries
    from django.urls import reverse

    url = reverse("tablero:index")
    times, queries = [], []
    for _ in range(repeat):
        if cold:
            cache.clear()
        reset_queries()
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        queries.append(len(connection.queries))
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
    times.sort()
    return {
        "median_ms": round(statistics.median(times), 1),
        "p95_ms": round(times[min(len(times) - 1, round(0.95 * (len(times) - 1)))], 1),
        "queries": max(queries),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()
    setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from auditoria.models import Actividad
    from documentos.models import Documento

    users = bench_users()
    results = {
        "actividades": Actividad.objects.count(),
        "documentos": Documento.objects.count(),
        "roles": {},
    }
    with CaptureQueriesContext(connection):  # connection.queries without DEBUG
        for role, user in users.items():
            client = Client()
            client.force_login(user)
            client.get("/")  # the session's first request
            results["roles"][role] = {
                "cold": measure(client, args.repeat, cold=True),
                "warm": measure(client, args.repeat, cold=False),
            }
    text = json.dumps(results, indent=2)
    print(text)
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text + "\n")


if __name__ == "__main__":
    main()
