"""`manage.py scaling`: render docs/scaling.md from the figures bench/scaling.py measured."""

from docgen import scaling
from docgen.rendered import RenderedPageCommand


class Command(RenderedPageCommand):
    name = "scaling"
    page = scaling
    bench = "bench/scaling.py"
    help = (
        "Write (or check) docs/scaling.md from bench/results/scaling.json, which "
        "`bench/scaling.py` writes: replica lag, PgBouncer vs direct, partition pruning, "
        "archive and restore, the partitioning migration on a full table."
    )
