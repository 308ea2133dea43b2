"""`manage.py check_integrity`: every version's file is stored intact, and no file is left over.

A stored file that no version references (left by a crash, or by a program
that deleted rows with plain SQL) is an orphan: listed, and with
`--delete-orphans` deleted (a dry run unless `--yes` is given too). A file
younger than `--grace-minutes` is left alone: its upload may not have
committed yet.
"""

import hashlib
from datetime import timedelta
from itertools import batched

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.cascades import delete_files, storage
from documentos.models import DocumentoVersion

ROOT = "documentos"


def stored_names(folder=ROOT):
    """Every file under `folder` of the storage, recursively."""
    folders, files = storage().listdir(folder)
    for name in files:
        yield f"{folder}/{name}"
    for sub in folders:
        yield from stored_names(f"{folder}/{sub}")


def orphans(grace=timedelta(hours=1)):
    """Stored files older than `grace` that no version row references."""
    if not storage().exists(ROOT):
        return []
    cutoff = timezone.now() - grace
    found = []
    for names in batched(stored_names(), 1000):
        known = set(
            DocumentoVersion.objects.filter(storage_path__in=names).values_list(
                "storage_path", flat=True
            )
        )
        found.extend(
            name
            for name in names
            if name not in known and storage().get_modified_time(name) < cutoff
        )
    return sorted(found)


class Command(BaseCommand):
    help = (
        "Verify every stored version file (present, of the recorded size and SHA-256) and "
        "list stored files no version references."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--delete-orphans", action="store_true",
            help="delete the stored files no version references (a dry run without --yes)",
        )  # fmt: skip
        parser.add_argument("--yes", action="store_true", help="really delete the orphans")
        parser.add_argument(
            "--grace-minutes", type=int, default=60,
            help="files younger than this are never orphans (default: %(default)s)",
        )  # fmt: skip

    def handle(self, *args, delete_orphans, yes, grace_minutes, **options):
        checked, problems = self.check_versions()
        left_over = orphans(timedelta(minutes=grace_minutes))
        for name in left_over:
            self.stdout.write(f"ORPHAN   {name}")
        if delete_orphans and left_over:
            if yes:
                delete_files(left_over)
                self.stdout.write(f"Deleted {len(left_over)} orphaned files.")
            else:
                self.stdout.write(
                    f"Dry run: {len(left_over)} orphaned files would be deleted (add --yes)."
                )
        if problems:
            raise CommandError(
                f"{len(problems)} of {checked} stored versions are missing or corrupt."
            )
        if left_over and not (delete_orphans and yes):
            raise CommandError(f"{len(left_over)} stored files belong to no version.")
        self.stdout.write(self.style.SUCCESS(f"All {checked} stored versions are intact."))

    def check_versions(self):
        checked, problems = 0, []
        versions = DocumentoVersion.objects.select_related("documento").order_by("pk")
        for version in versions.iterator(chunk_size=1000):
            checked += 1
            label = f"{version.documento.nombre} v{version.version} ({version.storage_path})"
            if not version.storage_path or not storage().exists(version.storage_path):
                problems.append(f"MISSING  {label}")
                continue
            digest, size = hashlib.sha256(), 0
            with storage().open(version.storage_path, "rb") as handle:
                for chunk in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(chunk)
                    size += len(chunk)
            if size != version.size_bytes or (
                version.sha256 and digest.hexdigest() != version.sha256
            ):
                problems.append(f"CORRUPT  {label}: {size} bytes, sha256 {digest.hexdigest()}")
        # Grouped by kind (CORRUPT, then MISSING), then by name: the same report every run.
        for problem in sorted(problems):
            self.stdout.write(problem)
        return checked, problems
