"""`manage.py archive_actividades`: whole old months of the audit trail to verified files."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from auditoria import partitions


class Command(BaseCommand):
    help = (
        "Archive every month of actividades that ended more than N months ago: export it "
        "to a COPY file with a manifest (rows, SHA-256), check the file, then detach and "
        "drop the month. A month whose export fails is left in place. Restore one with "
        "`manage.py restore_actividades FILE`. PostgreSQL only."
    )

    def add_arguments(self, parser):
        parser.add_argument("--older-than-months", type=int, required=True)
        parser.add_argument(
            "--output",
            type=Path,
            default=Path(settings.BASE_DIR) / "backups" / "actividades",
            help="folder for the archives (default: backups/actividades)",
        )
        parser.add_argument("--database", default="default")

    def handle(self, *args, older_than_months, output, database, **options):
        try:
            archived = partitions.archive_older_than(older_than_months, output, using=database)
        except partitions.PartitionError as error:
            raise CommandError(str(error)) from None
        for manifest in archived:
            self.stdout.write(
                f"archived {manifest['partition']}: {manifest['rows']} rows to "
                f"{output / manifest['file']} (sha256 {manifest['sha256'][:12]}…), dropped"
            )
        if not archived:
            self.stdout.write("nothing to archive")
