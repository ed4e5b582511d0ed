"""The one file fingerprint: chunked SHA-256 equals hashing the whole bytes at once."""

from __future__ import annotations

import hashlib
import os

from kinerja.workbook.digest import CHUNK, sha256_file, sha256_stream


def test_a_file_larger_than_a_chunk_hashes_as_its_whole_bytes(tmp_path):
    data = os.urandom(2 * CHUNK + 12345)
    path = tmp_path / "induk.xlsx"
    path.write_bytes(data)
    assert sha256_file(path) == hashlib.sha256(data).hexdigest()
    with open(path, "rb") as f:
        f.seek(CHUNK + 7)
        assert sha256_stream(f) == hashlib.sha256(data[CHUNK + 7:]).hexdigest()  # what is left to read
    (tmp_path / "kosong").write_bytes(b"")
    assert sha256_file(tmp_path / "kosong") == hashlib.sha256(b"").hexdigest()
