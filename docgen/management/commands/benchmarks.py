"""`manage.py benchmarks`: render docs/benchmarks.md from bench/results/admin_pages.json."""

from docgen import benchmarks
from docgen.rendered import RenderedPageCommand


class Command(RenderedPageCommand):
    name = "benchmarks"
    page = benchmarks
    bench = "bench/admin_pages.py"
    help = (
        "Write (or check) docs/benchmarks.md and its charts (docs/img/benchmarks/) from "
        "bench/results/admin_pages.json, which `bench/admin_pages.py` writes: every admin "
        "page for every role, ours beside stock Django admin, statuses checked."
    )
