"""`manage.py check_integrity`: every version's stored file exists and matches its checksum."""

import hashlib

from django.core.files.storage import storages
from django.core.management.base import BaseCommand, CommandError

from documentos.models import DocumentoVersion


class Command(BaseCommand):
    help = "Verify every stored version file: present, of the recorded size and SHA-256."

    def handle(self, *args, **options):
        storage = storages["default"]
        checked, problems = 0, []
        versions = DocumentoVersion.objects.select_related("documento").order_by("pk")
        for version in versions.iterator(chunk_size=1000):
            checked += 1
            label = f"{version.documento.nombre} v{version.version} ({version.storage_path})"
            if not version.storage_path or not storage.exists(version.storage_path):
                problems.append(f"MISSING  {label}")
                continue
            digest, size = hashlib.sha256(), 0
            with storage.open(version.storage_path, "rb") as handle:
                for chunk in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(chunk)
                    size += len(chunk)
            if size != version.size_bytes or (
                version.sha256 and digest.hexdigest() != version.sha256
            ):
                problems.append(f"CORRUPT  {label}: {size} bytes, sha256 {digest.hexdigest()}")
        for problem in problems:
            self.stdout.write(problem)
        if problems:
            raise CommandError(
                f"{len(problems)} of {checked} stored versions are missing or corrupt."
            )
        self.stdout.write(self.style.SUCCESS(f"All {checked} stored versions are intact."))
