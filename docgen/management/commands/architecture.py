"""`manage.py architecture`: print, write or check the picture of the rooms in ARCHITECTURE.md."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from docgen.architecture import END, START, mermaid, replace_block


class Command(BaseCommand):
    help = "Print the rooms and their imports as Mermaid, or --write/--check ARCHITECTURE.md."

    def add_arguments(self, parser):
        action = parser.add_mutually_exclusive_group()
        action.add_argument("--write", action="store_true", help="Update ARCHITECTURE.md.")
        action.add_argument("--check", action="store_true", help="Fail if it is out of date.")

    def handle(self, *args, write, check, **options):
        if not (write or check):
            self.stdout.write(mermaid(), ending="")
            return
        path = Path(settings.BASE_DIR) / "ARCHITECTURE.md"
        text = path.read_text(encoding="utf-8")
        if START not in text or END not in text:
            raise CommandError(f"{path} has no picture markers ({START} ... {END}).")
        updated = replace_block(text)
        if check:
            if updated != text:
                raise CommandError(
                    f"The picture in {path} is out of date: run "
                    "`python manage.py architecture --write`."
                )
            self.stdout.write("The picture in ARCHITECTURE.md matches the code.")
            return
        path.write_text(updated, encoding="utf-8")
        self.stdout.write(f"Wrote the picture to {path}.")
