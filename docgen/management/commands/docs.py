"""`manage.py docs`: regenerate (or check) the command outputs shown in README.md and docs/."""

from django.core.management.base import BaseCommand, CommandError

from docgen import runnable_docs


class Command(BaseCommand):
    help = "Run the commands whose output the docs show (<!-- docs-output -->) and rewrite it."

    def add_arguments(self, parser):
        mode = parser.add_mutually_exclusive_group(required=True)
        mode.add_argument("--write", action="store_true", help="rewrite stale outputs")
        mode.add_argument("--check", action="store_true", help="fail when an output is stale")

    def handle(self, *args, write, check, **options):
        stale = runnable_docs.stale_outputs(write=write)
        for page, marker in stale:
            verb = "Rewrote" if write else "Stale"
            self.stdout.write(f"{verb}: {page.name}: {marker}")
        if check and stale:
            raise CommandError("Outputs in the docs are stale: run `make docs`.")
        if not stale:
            self.stdout.write("Every output shown in the docs is what its commands print.")
