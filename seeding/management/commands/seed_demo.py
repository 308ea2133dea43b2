"""`manage.py seed_demo`: load the demo users, workspace, projects and folders."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor

from seeding.demo import DemoDataError, load_demo_data, read_fixtures

SEED_LOCK = "piliquarts.seed_demo"


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
        executor = MigrationExecutor(connection)
        if pending := executor.migration_plan(executor.loader.graph.leaf_nodes()):
            raise CommandError(
                f"The database is not migrated ({len(pending)} migrations pending): "
                "run `python manage.py migrate` first."
            )
        try:
            data = read_fixtures(options["fixtures"] or None)
            with transaction.atomic():
                self._wait_for_another_seed()
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

    def _wait_for_another_seed(self):
        """Two seeds at once: the second waits for the first, then finds everything there.

        On SQLite the transaction itself queues them (IMMEDIATE takes the write lock at
        BEGIN); on PostgreSQL both would find the rows missing and the second would fail
        on the unique emails, so they take turns on an advisory lock held until commit.
        """
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_xact_lock(hashtext(%s))", [SEED_LOCK])
            if not cursor.fetchone()[0]:
                self.stdout.write("Another seed_demo is running: waiting for it to finish.")
                self.stdout.flush()
                cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [SEED_LOCK])
