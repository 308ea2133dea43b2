"""`manage.py erd`: print, write or check the README's entity-relationship diagram."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from docgen.erd import END, START, mermaid, replace_block


class Command(BaseCommand):
    help = "Print the Mermaid ER diagram of the nine tables, or --write/--check it in README.md."

    def add_arguments(self, parser):
        action = parser.add_mutually_exclusive_group()
        action.add_argument("--write", action="store_true", help="Update README.md in place.")
        action.add_argument(
            "--check", action="store_true", help="Fail if README.md's diagram is out of date."
        )
        parser.add_argument("--readme", default=str(Path(settings.BASE_DIR) / "README.md"))

    def handle(self, *args, write, check, readme, **options):
        if not (write or check):
            self.stdout.write(mermaid(), ending="")
            return
        path = Path(readme)
        text = path.read_text(encoding="utf-8")
        if START not in text or END not in text:
            raise CommandError(f"{path} has no diagram markers ({START} ... {END}).")
        updated = replace_block(text)
        if check:
            if updated != text:
                raise CommandError(
                    f"The diagram in {path} is out of date: run `python manage.py erd --write`."
                )
            self.stdout.write("The diagram in README.md matches the models.")
            return
        path.write_text(updated, encoding="utf-8")
        self.stdout.write(f"Wrote the diagram to {path}.")
