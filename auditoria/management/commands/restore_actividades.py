"""`manage.py restore_actividades FILE`: an archived month of the audit trail back in place."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from auditoria import partitions


class Command(BaseCommand):
    help = (
        "Check an archive written by archive_actividades against its manifest and load it "
        "back into its month's partition (which must be empty), all or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path, help="the .copy file (its manifest beside it)")
        parser.add_argument("--database", default="default")

    def handle(self, *args, archive, database, **options):
        try:
            manifest = partitions.restore(archive, using=database)
        except partitions.PartitionError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"restored {manifest['partition']}: {manifest['rows']} rows")
