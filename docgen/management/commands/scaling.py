"""`manage.py scaling`: render docs/scaling.md from the figures bench/scaling.py measured."""

from django.core.management.base import BaseCommand, CommandError

from docgen import scaling


class Command(BaseCommand):
    help = (
        "Write (or check) docs/scaling.md from bench/results/scaling.json, which "
        "`bench/scaling.py` writes: replica lag, PgBouncer vs direct, partition pruning, "
        "archive and restore, the partitioning migration on a full table."
    )

    def add_arguments(self, parser):
        mode = parser.add_mutually_exclusive_group(required=True)
        mode.add_argument("--write", action="store_true", help="rewrite docs/scaling.md")
        mode.add_argument(
            "--check", action="store_true", help="fail if docs/scaling.md is out of date"
        )

    def handle(self, *args, write, check, **options):
        try:
            data = scaling.load()
        except FileNotFoundError:
            raise CommandError(
                f"No figures at {scaling.DATA_PATH}: run `bench/scaling.py` first."
            ) from None
        if check:
            if not scaling.is_current(data):
                raise CommandError(
                    f"{scaling.DOC_PATH} is out of date: run `python manage.py scaling --write`."
                )
            self.stdout.write(f"{scaling.DOC_PATH} matches {scaling.DATA_PATH}.")
            return
        changed = scaling.write_doc(data)
        self.stdout.write(f"{'Wrote' if changed else 'Unchanged:'} {scaling.DOC_PATH}.")
