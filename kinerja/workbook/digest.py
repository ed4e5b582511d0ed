"""SHA-256 of files, the one way every stage fingerprints a file: the master's change stamp
(`guard`), the documents and archive logged in the master, the roll-up's sources, the add-in
installed for Excel."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import BinaryIO

CHUNK = 1 << 20  # read a megabyte at a time: a master of hundreds of MB is never held whole


def sha256_stream(f: BinaryIO) -> str:
    """SHA-256 (hex) of what is left to read in the open file `f`."""
    h = hashlib.sha256()
    for chunk in iter(lambda: f.read(CHUNK), b""):
        h.update(chunk)
    return h.hexdigest()


def sha256_file(path: Path) -> str:
    """SHA-256 (hex) of the file at `path`."""
    with open(path, "rb") as f:
        return sha256_stream(f)
