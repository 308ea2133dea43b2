"""`manage.py purge_trash`: delete for good what has been in the trash too long."""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand

from documentos.services import purge_trash


class Command(BaseCommand):
    help = (
        "Delete folders and documents trashed more than TRASH_RETENTION_DAYS ago, and their files."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days", type=int, default=settings.TRASH_RETENTION_DAYS,
            help="purge what has been in the trash longer than this (default: %(default)s)",
        )  # fmt: skip

    def handle(self, *args, days, **options):
        counts = purge_trash(older_than=timedelta(days=days))
        self.stdout.write(
            f"Purged {counts['carpetas']} folders, {counts['documentos']} documents and "
            f"{counts['versiones']} versions (with their files)."
        )
