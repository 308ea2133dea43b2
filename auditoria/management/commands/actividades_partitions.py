"""`manage.py actividades_partitions`: create the audit trail's coming months, list them."""

from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from auditoria import partitions


class Command(BaseCommand):
    help = (
        "Create the monthly partitions of actividades for this month and the next ones "
        "(and for any month whose rows wait in the DEFAULT partition), then list them. "
        "Run it daily or monthly (cron); PostgreSQL only."
    )

    def add_arguments(self, parser):
        parser.add_argument("--ahead", type=int, default=3, help="months after this one")
        parser.add_argument("--database", default="default")

    def handle(self, *args, ahead, database, **options):
        if connections[database].vendor != "postgresql":
            # One cron line for every installation: SQLite has nothing to prepare.
            self.stdout.write("Nothing to do: on this database actividades is a plain table.")
            return
        try:
            created = partitions.create_ahead(ahead, using=database)
            existing = partitions.partitions(using=database)
        except partitions.PartitionError as error:
            raise CommandError(str(error)) from None
        for name in created:
            self.stdout.write(f"created {name}")
        months = [p for p in existing if p.month]
        self.stdout.write(
            f"{len(months)} monthly partitions, {months[0].month:%Y-%m} to "
            f"{months[-1].month:%Y-%m}, and {partitions.DEFAULT_PARTITION}"
            if months
            else "no monthly partitions"
        )
