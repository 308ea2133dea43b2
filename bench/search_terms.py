"""Admin search terms at scale: the owner's activity and document lists, p50/p95 per term.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/piliquarts_dash \\
        .venv/bin/python bench/search_terms.py --repeat 20

Terms: narrow, broad, none and one or two characters. Each request's status is
checked, and the number of rows the page shows is printed beside its time.
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

TERMS = ("4242", "424", "documento-99", "zzzqx", "4", "42", "crear")
LISTS = ("auditoria/actividad/", "documentos/documento/", "documentos/documentoversion/")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--terms", nargs="*", default=TERMS)
    parser.add_argument("--lists", nargs="*", default=LISTS)
    parser.add_argument("--queries", action="store_true", help="print each query's time")
    args = parser.parse_args()
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import RolGlobal, User

    settings.ALLOWED_HOSTS = ["*"]
    settings.DEBUG = False
    client = Client()
    client.force_login(User.objects.filter(rol_global=RolGlobal.OWNER).first())
    for path in args.lists:
        for term in args.terms:
            url = f"/admin/{path}"
            times = []
            for _ in range(args.repeat + 1):
                with CaptureQueriesContext(connection) as queries:
                    started = time.perf_counter()
                    response = client.get(url, {"q": term})
                    times.append((time.perf_counter() - started) * 1000)
                if response.status_code != 200:
                    sys.exit(f"{url}?q={term}: status {response.status_code}")
            times = sorted(times[1:])
            p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
            rows = response.content.count(b'class="action-select"')
            print(
                f"{path:30} {term!r:16} p50 {statistics.median(times):7.1f} ms  "
                f"p95 {p95:7.1f} ms  rows {rows:3}  queries {len(queries)}",
                flush=True,
            )
            if args.queries:
                for query in queries.captured_queries:
                    took = float(query["time"]) * 1000
                    print(f"    {took:8.1f} ms  {query['sql'][: 300 if took < 100 else 5000]}")


if __name__ == "__main__":
    main()
