"""Zip members: copied as stored (compressed bytes and all), or written with fast deflate (by a
background thread while the next part is made: `Deflating`)."""

from __future__ import annotations

import os
import shutil
import struct
import zipfile
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from types import TracebackType
from typing import IO, Any

CHUNK = 1 << 20
COMPRESS_LEVEL = 1  # the parts rewritten: fast deflate (a large rekap compresses 3x faster)


def member_info(info: zipfile.ZipInfo) -> zipfile.ZipInfo:
    new = zipfile.ZipInfo(info.filename, info.date_time)
    new.compress_type = zipfile.ZIP_DEFLATED
    new._compresslevel = COMPRESS_LEVEL  # type: ignore[attr-defined] # read by ZipFile.open(info, "w")
    new.external_attr = info.external_attr
    return new


def copy_member(zin: zipfile.ZipFile, zout: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Copy a member as stored (no decompressing); streamed through zipfile when the raw copy
    is not possible."""
    if not copy_raw(zin, zout, info):
        with zin.open(info) as src, zout.open(member_info(info), "w") as out:
            shutil.copyfileobj(src, out, CHUNK)


def rewrite_member(path: Path, name: str, content: Callable[[bytes], Iterable[bytes]]) -> None:
    """Replace member `name` of the package `path` by the pieces `content(its old bytes)` yields,
    deflated (by a background thread) as they come, so the new member is never whole in memory;
    every other member is copied as stored, in its place. `path` is replaced once complete."""
    path = Path(path)
    tmp = path.with_name(path.name + ".part")
    try:
        with zipfile.ZipFile(path) as zin, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
            if name not in zin.NameToInfo:
                raise KeyError(f"{name} not in {path.name}")
            for info in zin.infolist():
                if info.filename != name:
                    copy_member(zin, zout, info)
                    continue
                with Deflating(zout) as out:
                    out.open(member_info(info))
                    for piece in content(zin.read(info)):
                        out.write(piece)
                    out.close()
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def copy_raw(zin: zipfile.ZipFile, zout: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """Append a member's stored bytes to `zout` through ZipFile's own (private) writing state,
    each member checked for first; False when it is not there or the member cannot be copied
    raw (encrypted, another compression)."""
    needed = ("fp", "filelist", "NameToInfo", "start_dir", "_lock", "_writing", "_seekable")
    if (info.flag_bits & 0x1 or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
            or not all(hasattr(zout, a) for a in needed) or not hasattr(zin, "fp")):
        return False
    out: Any = zout  # its private members are not in the stubs
    fp = zin.fp
    if not out._seekable or out._writing or out.fp is None or fp is None:
        return False
    fp.seek(info.header_offset)
    header = fp.read(30)
    if len(header) != 30 or header[:4] != b"PK\x03\x04":
        return False
    name_len, extra_len = struct.unpack("<HH", header[26:30])
    fp.seek(info.header_offset + 30 + name_len + extra_len)
    new = zipfile.ZipInfo(info.filename, info.date_time)
    new.compress_type, new.CRC = info.compress_type, info.CRC
    new.compress_size, new.file_size = info.compress_size, info.file_size
    new.external_attr = info.external_attr
    with out._lock:
        out.fp.seek(out.start_dir)
        new.header_offset = out.fp.tell()
        out.fp.write(new.FileHeader())
        left = info.compress_size
        while left > 0:
            chunk = fp.read(min(CHUNK, left))
            if not chunk:
                raise zipfile.BadZipFile(f"truncated member {info.filename}")
            out.fp.write(chunk)
            left -= len(chunk)
        out.start_dir = out.fp.tell()
        out.filelist.append(new)
        out.NameToInfo[new.filename] = new
        out._didModify = True
    return True


class Deflating:
    """New members of `zout` written by one background thread, in the order given, while the
    caller makes the next part's XML.

    Why a thread helps: zlib's deflate and crc32 release the interpreter lock, so compressing
    one chunk overlaps with building the next (a large master's write is a third compression).
    Why it is safe: one thread does every write, in submission order, so the zip is the one the
    calls would have written themselves; at most `depth` hand-overs of about CHUNK bytes wait
    (memory stays bounded). Small writes, and small members (a unit sheet), are gathered into
    one hand-over: each costs a switch of the interpreter lock.
    An error of a write (a full disk) is raised in the caller at its next hand-over or at
    `drain`; on leaving the block with an error the open member is closed, nothing more written."""

    def __init__(self, zout: zipfile.ZipFile, depth: int = 8) -> None:
        self.zout, self.depth = zout, depth
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="deflate")
        self.pending: deque[Future[None]] = deque()
        self.out: IO[bytes] | None = None  # the member being written (by the thread)
        self.info: zipfile.ZipInfo | None = None  # the member to open with its first bytes
        self.chunk: list[bytes] = []  # the current member's bytes not yet handed over
        self.size = 0
        self.batch: list[tuple[zipfile.ZipInfo | None, bytes, bool]] = []  # (open, bytes, close) steps
        self.batch_size = 0

    def open(self, info: zipfile.ZipInfo) -> None:
        """Start member `info` (ended by `close`); `write` adds its bytes."""
        self.info = info

    def write(self, data: bytes) -> None:
        self.chunk.append(data)
        self.size += len(data)
        if self.size >= CHUNK:
            self._step(last=False)

    def close(self) -> None:
        self._step(last=True)

    def drain(self) -> None:
        """Wait until everything given is written (the zip is then the caller's again)."""
        self._hand_over()
        while self.pending:
            self.pending.popleft().result()

    def _step(self, last: bool) -> None:
        data = b"".join(self.chunk)
        self.batch.append((self.info, data, last))
        self.batch_size += len(data)
        self.chunk, self.size, self.info = [], 0, None
        if self.batch_size >= CHUNK:
            self._hand_over()

    def _hand_over(self) -> None:
        if not self.batch:
            return
        self.pending.append(self.pool.submit(self._run, self.batch))
        self.batch, self.batch_size = [], 0
        while len(self.pending) > self.depth:
            self.pending.popleft().result()

    def _run(self, steps: list[tuple[zipfile.ZipInfo | None, bytes, bool]]) -> None:
        for info, data, last in steps:
            if info is not None:
                self.out = self.zout.open(info, "w")
            assert self.out is not None
            self.out.write(data)
            if last:
                out, self.out = self.out, None
                out.close()

    def __enter__(self) -> Deflating:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 tb: TracebackType | None) -> None:
        try:
            if kind is None:
                self.drain()
        finally:
            for future in self.pending:
                future.cancel()
            self.pool.shutdown(wait=True)
            self.pending.clear()
            if self.out is not None:  # a member left open by an error: closed so the zip can be
                try:
                    self.out.close()
                except (OSError, ValueError, zipfile.BadZipFile):
                    pass
                self.out = None
