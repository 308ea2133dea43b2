"""`manage.py seed_bulk`: a large, realistic, deterministic data set for benchmarks."""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from seeding.bulk import PRESETS, Sizes, finish_indexes, pending_indexes, seed, settle


class Command(BaseCommand):
    help = (
        "Load a deterministic data set at COPY speed: presets small (default), medium "
        "(100k documents, 1M activity rows) and large (1M documents, ~3M versions, 10M "
        "activity rows); each size can be set on its own. Refuses tables that have rows, "
        "once it has finished the indexes an interrupted run left pending."
    )

    def add_arguments(self, parser):
        parser.add_argument("--preset", choices=sorted(PRESETS), default="small")
        parser.add_argument("--workspaces", type=int)
        parser.add_argument("--users-per-workspace", type=int)
        parser.add_argument("--proyectos-per-workspace", type=int)
        parser.add_argument("--documentos", type=int)
        parser.add_argument("--actividades", type=int)
        parser.add_argument("--seed", type=int, default=20261124, help="same seed, same rows")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, **options):
        if connection.vendor == "postgresql" and (pending := pending_indexes()):
            for table, statements in pending.items():
                self.stdout.write(f"{table}: building the {len(statements)} indexes left pending")
                finish_indexes(table, statements)
            return
        workspaces, users, proyectos, documentos, actividades = PRESETS[options["preset"]]
        sizes = Sizes(
            workspaces=options["workspaces"] or workspaces,
            users_per_workspace=options["users_per_workspace"] or users,
            proyectos_per_workspace=options["proyectos_per_workspace"] or proyectos,
            documentos=options["documentos"] if options["documentos"] is not None else documentos,
            actividades=options["actividades"]
            if options["actividades"] is not None
            else actividades,
            seed=options["seed"],
        )
        try:
            results = seed(sizes, progress=not options["no_progress"])
        except ValueError as error:
            raise CommandError(str(error)) from error
        total_rows = sum(rows for rows, _s in results.values())
        total_seconds = sum(seconds for _r, seconds in results.values())
        for table, (rows, seconds) in results.items():
            rate = rows / seconds if seconds else 0
            self.stdout.write(f"{table:20} {rows:>12,} rows {seconds:8.1f} s {rate:>12,.0f} rows/s")
        self.stdout.write(f"{'total':20} {total_rows:>12,} rows {total_seconds:8.1f} s")
        vacuumed = settle()
        if vacuumed is not None:
            self.stdout.write(f"{'VACUUM (ANALYZE)':20} {'':>17} {vacuumed:8.1f} s")
