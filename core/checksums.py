"""The SHA-256 of a file, read in blocks: backups, archived months and their manifests."""

import hashlib


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
