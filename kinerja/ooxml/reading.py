"""A package read without trusting it (a returned form, the master before python-calamine opens
it): the members straight from the zip's central directory, read one at a time with a size limit,
and the worksheet part of each sheet from workbook.xml and its relationships. Nothing here
raises on a damaged file: `UntrustedPackage.error` says why the directory could not be read."""

from __future__ import annotations

import html
import io
import re
import struct
import zipfile
import zlib

from kinerja.issues.explain import explain
from kinerja.ooxml.parts import rels_name, target_part

MB = 1024 * 1024


class UntrustedPackage:
    """The members of a zip package held in memory, found straight from the zip's central
    directory: no object per member, and a member read is one zlib call (zipfile's own reading
    costs more than the small parts read here). zipfile decides when the directory is not a
    plain one (damaged, ZIP64); `error` then says why it could not.

    With `keep`, every member read is kept (decompressed) for the next read of it: a returned
    form's sheet is looked at by the bounds check and again for error cells, and its workbook
    parts by every `sheet_parts`. Off by default: the master's sheets are large and read once."""

    def __init__(self, data: bytes, keep: bool = False) -> None:
        self.data = data
        self.error = ""
        self._zf: zipfile.ZipFile | None = None
        # name -> (bytes read, whether they are the whole member); only with `keep`
        self._kept: dict[str, tuple[bytes, bool]] | None = {} if keep else None
        self._sheet_parts: dict[str, str] | None = None
        # every member as (name, flags, method, compressed, size, header offset); a name given
        # twice is in `members` twice (the size limits see both), in `entries` once
        found = _directory(data)
        self.members: list[tuple[str, int, int, int, int, int]] = found if found is not None else []
        if found is None:
            try:
                self._zf = zipfile.ZipFile(io.BytesIO(data))
                self.members = [(i.filename, i.flag_bits, i.compress_type, i.compress_size, i.file_size,
                                 i.header_offset) for i in self._zf.infolist()]
            except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as e:
                self.error = explain(e)
        self.entries = {m[0]: m[1:] for m in self.members}  # name -> (flags, method, compressed, size, offset)

    def read(self, name: str, limit: int = -1) -> bytes:
        """A member's bytes (at most `limit`), b"" when absent or unreadable."""
        kept = self._kept
        if kept is None or limit == 0:
            return self._read(name, limit)
        if name in kept:
            data, whole = kept[name]
            if whole or 0 < limit <= len(data):
                return data if limit < 0 or limit >= len(data) else data[:limit]
        data = self._read(name, limit)
        kept[name] = (data, limit < 0 or len(data) < limit)  # shorter than asked: the whole member
        return data

    def _read(self, name: str, limit: int) -> bytes:
        entry = self.entries.get(name)
        if entry is None:
            return b""
        flags, method, csize, _, offset = entry
        d = self.data
        if self._zf is None and not flags & 1 and method in (0, 8) and d[offset:offset + 4] == b"PK\x03\x04":
            start = offset + 30 + sum(struct.unpack_from("<HH", d, offset + 26))
            raw = d[start:start + csize]
            if method == 0:
                return raw if limit < 0 else raw[:limit]
            try:
                return zlib.decompressobj(-15).decompress(raw, max(limit, 0))
            except zlib.error:
                return b""
        zf = self._zf or _zip(d)
        if zf is None:
            return b""
        try:
            with zf.open(name) as f:
                return f.read(limit)
        except (KeyError, zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError, NotImplementedError):
            return b""


def _directory(data: bytes) -> list[tuple[str, int, int, int, int, int]] | None:
    """The zip's central directory, or None when it is damaged or uses ZIP64."""
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 65557))
    if end < 0 or end + 22 > len(data):
        return None
    count, size, offset = struct.unpack_from("<HII", data, end + 10)
    if count == 0xFFFF or offset == 0xFFFFFFFF or offset + size > end:
        return None
    out, pos = [], offset
    for _ in range(count):
        if data[pos:pos + 4] != b"PK\x01\x02" or pos + 46 > end:
            return None
        flags, method = struct.unpack_from("<HH", data, pos + 8)
        csize, usize, nlen, xlen, clen = struct.unpack_from("<IIHHH", data, pos + 20)
        local = struct.unpack_from("<I", data, pos + 42)[0]
        if 0xFFFFFFFF in (csize, usize, local):
            return None
        name = data[pos + 46:pos + 46 + nlen].decode("utf-8" if flags & 0x800 else "cp437", "replace")
        out.append((name, flags, method, csize, usize, local))
        pos += 46 + nlen + xlen + clen
    return out


def _zip(data: bytes) -> zipfile.ZipFile | None:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None


_TAG_ATTRS = {name: re.compile(rf"<(?:\w+:)?{name}\s([^>]*)>") for name in ("sheet", "Relationship")}
_ATTR = re.compile(r'([\w:.-]+)\s*=\s*"([^"]*)"')


def _tags(xml: str, name: str) -> list[dict[str, str]]:
    """The attributes (local names, unescaped) of every <name ...> element of a small XML part."""
    return [{k.rsplit(":", 1)[-1]: html.unescape(v) for k, v in _ATTR.findall(attrs)}
            for attrs in _TAG_ATTRS[name].findall(xml)]


def sheet_parts(pkg: UntrustedPackage) -> dict[str, str]:
    """Sheet name -> its part ('xl/worksheets/sheet1.xml'): the workbook part named by the
    package's relationships (_rels/.rels), its sheets and their relationships, every target
    resolved by the package code's one resolver ({} when they do not read plainly: callers then
    look at every sheet). Worked out once per package."""
    if pkg._sheet_parts is None:
        pkg._sheet_parts = _sheet_parts(pkg)
    return pkg._sheet_parts


def _sheet_parts(pkg: UntrustedPackage) -> dict[str, str]:
    root = pkg.read("_rels/.rels", 10 * MB).decode("utf-8", "replace")
    workbook_part = next((target_part("", a.get("Target", "")) for a in _tags(root, "Relationship")
                          if a.get("Type", "").endswith("/officeDocument")), "xl/workbook.xml")
    workbook = pkg.read(workbook_part, 10 * MB).decode("utf-8", "replace")
    rels = pkg.read(rels_name(workbook_part), 10 * MB).decode("utf-8", "replace")
    targets = {a.get("Id"): target_part(workbook_part, t)
               for a in _tags(rels, "Relationship") if (t := a.get("Target", ""))}
    return {a["name"]: targets[a["id"]] for a in _tags(workbook, "sheet")
            if "name" in a and a.get("id") in targets}
