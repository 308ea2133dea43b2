"""`manage.py seed_demo`: load the demo users, workspace, projects and folders."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from piliquarts.demo import DemoDataError, load_demo_data, read_fixtures


class Command(BaseCommand):
    help = (
        "Load the demo data from fixtures/*.json (admin@piliquarts.com / admin123, "
        "test@piliquarts.com / test123, a workspace, two projects, three folders). "
        "Running it again creates only what is missing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "fixtures", nargs="*", help="Fixture files to load (default: fixtures/*.json)."
        )
        parser.add_argument(
            "--reset-passwords",
            action="store_true",
            help="Set existing demo users' passwords back to the fixture's.",
        )
        parser.add_argument(
            "--allow-demo-passwords",
            action="store_true",
            help="Allow accounts with the publicly known demo passwords when DEBUG is off.",
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["allow_demo_passwords"]:
            raise CommandError(
                "Refusing to seed demo accounts with publicly known passwords on a "
                "production configuration (DEBUG is off). Pass --allow-demo-passwords "
                "if this really is a demo server."
            )
        try:
            data = read_fixtures(options["fixtures"] or None)
            created = load_demo_data(data, reset_passwords=options["reset_passwords"])
        except DemoDataError as exc:
            raise CommandError(str(exc)) from exc
        if created:
            summary = ", ".join(f"{count} {table}" for table, count in sorted(created.items()))
            self.stdout.write(self.style.SUCCESS(f"Demo data loaded: created {summary}."))
        else:
            self.stdout.write("Demo data already present: nothing to create.")
        if options["reset_passwords"]:
            self.stdout.write("Demo passwords reset.")
