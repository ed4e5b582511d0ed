"""A package prepared for python-calamine so that it reads each worksheet once, not twice.

python-calamine's `get_sheet_by_name` reads a worksheet's XML for its values and then, for
`merged_cell_ranges`, unzips and parses the same XML again from the top until it meets a
`<mergeCells>` element, which Excel writes after `<sheetData>`: the whole sheet a second time,
a third of calamine's time on a large master. kinerja never asks for merged ranges. So
before calamine opens the master (and each returned form), each worksheet part it will read gets an empty
`<mergeCells>` element in front of its XML: that second pass stops there at once (and
finds no merged range), while the value pass skips any element before `<sheetData>`, so the
values read are the same.

The parts are not unzipped to do it. A deflate stream is a series of blocks: the prefix is
deflated on its own and ended with a sync flush (a non-final block ending on a byte boundary),
and the member's own stream follows it unchanged (its back-references never reach before its
own start); the member's CRC-32 stays as it is (see PREFIX). A package that is not a plain
zip (ZIP64, a name given twice), an encrypted or unusually compressed member, or a part that is
not a worksheet in plain UTF-8 XML is left as it is.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from collections.abc import Collection

STORED, DEFLATED = zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED

# The attribute's letters are chosen so that the CRC-32 of the prefix is 0: zlib's CRC register
# is back at its starting value after it, so the CRC-32 of prefix + part is the part's own.
PREFIX = b'<mergeCells c="][BRIE@"></mergeCells>'


def _deflated(data: bytes) -> bytes:
    """`data` as raw deflate blocks that a further deflate stream may follow (sync flush)."""
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush(zlib.Z_SYNC_FLUSH)


PREFIX_DEFLATED = _deflated(PREFIX)

# ------------------------------------------------------------------------------- the package

_WORKSHEET = re.compile(rb"""(?:<\?xml[^>]*\?>)?\s*<(?:\w+:)?worksheet(?:[\s/>]|$)""")
_FOREIGN_ENCODING = re.compile(rb"""<\?xml[^>]*encoding\s*=\s*["'](?!utf-?8["'])""", re.I)


def plain_worksheet(head: bytes) -> bool:
    """Whether a part starting with `head` is a worksheet in UTF-8 XML with nothing before its
    first '<' (no byte-order mark, no UTF-16): then text put in front of it is read as XML too.
    (A chart sheet is not one: calamine names its root element when it refuses to read it.)"""
    return bool(_WORKSHEET.match(head)) and not _FOREIGN_ENCODING.match(head)


def one_pass(data: bytes, parts: Collection[str]) -> bytes:
    """The zip package `data` with the worksheet `parts` (member names, each checked with
    `plain_worksheet`) prefixed as the module says; `data` itself when there is nothing to do or the
    zip is not a plain one. Every other member is copied as stored."""
    try:
        infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        return data
    limit = 0xFFFFFFFF - len(PREFIX_DEFLATED)  # no ZIP64 field is written here
    if (not parts or len(infos) >= 0xFFFF or len({i.filename for i in infos}) != len(infos)
            or any(max(i.compress_size, i.file_size, i.header_offset) >= limit for i in infos)):
        return data
    wanted = set(parts)
    view = memoryview(data)
    chunks: list[bytes | memoryview] = []
    central: list[bytes] = []
    offset = 0
    for info in infos:
        at = info.header_offset
        if data[at:at + 4] != b"PK\x03\x04":
            return data
        name_len, extra_len = struct.unpack_from("<HH", data, at + 26)
        name = data[at + 30:at + 30 + name_len]
        start = at + 30 + name_len + extra_len
        body: list[bytes | memoryview] = [view[start:start + info.compress_size]]
        size = info.file_size
        if info.filename in wanted and not info.flag_bits & 0x1 and info.compress_type in (STORED, DEFLATED):
            body.insert(0, PREFIX_DEFLATED if info.compress_type == DEFLATED else PREFIX)
            size += len(PREFIX)
        compressed = sum(len(b) for b in body)
        # the local header carries the sizes (no data descriptor after the data) and no extra field
        flags = info.flag_bits & ~0x8
        common = (20, flags, info.compress_type, *struct.unpack_from("<HH", data, at + 10), info.CRC,
                  compressed, size, name_len)
        chunks += [struct.pack("<I5H3I2H", 0x04034B50, *common, 0), name, *body]
        central.append(struct.pack("<I6H3I5H2I", 0x02014B50, info.create_system << 8 | info.create_version,
                                   *common, 0, 0, 0, info.internal_attr, info.external_attr, offset) + name)
        offset += 30 + name_len + compressed
    directory = b"".join(central)
    end = struct.pack("<I4H2IH", 0x06054B50, 0, 0, len(infos), len(infos), len(directory), offset, 0)
    return b"".join([*chunks, directory, end])
