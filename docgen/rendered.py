"""The `--write | --check` command of a page rendered from a bench's data file.

A page module (docgen.scaling, docgen.benchmarks) has `DATA_PATH`, `DOC_PATH`,
`load()`, `stale(data)` (the generated files that differ) and `write_doc(data)`.
"""

from django.core.management.base import BaseCommand, CommandError


class RenderedPageCommand(BaseCommand):
    page = None  # the page's module
    bench = None  # the script that writes its data file

    def add_arguments(self, parser):
        mode = parser.add_mutually_exclusive_group(required=True)
        mode.add_argument("--write", action="store_true", help=f"rewrite {self.page.DOC_PATH}")
        mode.add_argument(
            "--check", action="store_true", help=f"fail if {self.page.DOC_PATH} is out of date"
        )

    def handle(self, *args, write, check, **options):
        page = self.page
        try:
            data = page.load()
        except FileNotFoundError:
            raise CommandError(
                f"No figures at {page.DATA_PATH}: run `{self.bench}` first."
            ) from None
        if check:
            stale = page.stale(data)
            if stale:
                raise CommandError(
                    f"{', '.join(str(path) for path in stale)} out of date: run "
                    f"`python manage.py {self.name} --write`."
                )
            self.stdout.write(f"{page.DOC_PATH} matches {page.DATA_PATH}.")
            return
        changed = page.write_doc(data)
        self.stdout.write(f"{'Wrote' if changed else 'Unchanged:'} {page.DOC_PATH}.")
