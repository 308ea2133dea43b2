"""`manage.py reliability`: render docs/reliability.md from what the tests recorded."""

from django.core.management.base import BaseCommand, CommandError

from docgen import reliability


class Command(BaseCommand):
    help = (
        "Write docs/reliability.md (the faults and bad inputs tried, how many, what each "
        "gets) from docs/reliability.json, which every test run updates."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--check", action="store_true", help="Fail if docs/reliability.md is out of date."
        )

    def handle(self, *args, check, **options):
        data = reliability.load()
        if not data:
            raise CommandError(
                f"Nothing recorded in {reliability.DATA_PATH}: run the tests first (`make test`)."
            )
        if check:
            current = (
                reliability.DOC_PATH.read_text(encoding="utf-8")
                if (reliability.DOC_PATH.exists())
                else ""
            )
            if current != reliability.render(data):
                raise CommandError(
                    f"{reliability.DOC_PATH} is out of date: run `python manage.py reliability`."
                )
            self.stdout.write(f"{reliability.DOC_PATH} matches the recorded runs.")
            return
        changed = reliability.write_doc(data)
        self.stdout.write(f"{'Wrote' if changed else 'Unchanged:'} {reliability.DOC_PATH}.")
