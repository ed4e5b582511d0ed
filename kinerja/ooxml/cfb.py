"""A small, deterministic writer for Compound File Binary files ([MS-CFB]).

``vbaProject.bin`` is a compound file (an "OLE" file): a little FAT file
system inside one file.  ``olefile`` can only read these, so this module
writes them.  Scope: what a VBA project needs, done correctly.

* Version 3 files: 512-byte sectors, 64-byte mini sectors, mini stream
  cutoff 4096 bytes.
* Streams smaller than 4096 bytes live in the mini stream (allocated in
  64-byte mini sectors, chained through the mini FAT); larger streams get
  regular sectors chained through the FAT.
* FAT sectors beyond the 109 listed in the header are listed in DIFAT
  sectors, so files of any size up to the v3 limits are written correctly.
* The children of every storage form a balanced binary search tree in the
  [MS-CFB] name order (shorter names first, then upper-cased UTF-16 code
  unit comparison), coloured so that it is a valid red-black tree.
* Output is deterministic: all timestamps are zero, CLSIDs default to zero,
  and the layout depends only on the paths and data given.

Public API: :func:`write_compound_file`.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

__all__ = ["write_compound_file", "cfb_name_key", "MAX_NAME_LENGTH"]

SECTOR_SIZE = 512
MINI_SECTOR_SIZE = 64
MINI_STREAM_CUTOFF = 4096
DIR_ENTRY_SIZE = 128
MAX_NAME_LENGTH = 31  # UTF-16 code units, excluding the terminating null

# Special sector numbers ([MS-CFB] 2.1).
DIFSECT = 0xFFFFFFFC
FATSECT = 0xFFFFFFFD
ENDOFCHAIN = 0xFFFFFFFE
FREESECT = 0xFFFFFFFF
NOSTREAM = 0xFFFFFFFF

# Object types and colours ([MS-CFB] 2.6.1).
_TYPE_UNUSED = 0
_TYPE_STORAGE = 1
_TYPE_STREAM = 2
_TYPE_ROOT = 5
_RED = 0
_BLACK = 1

_SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")
_ENTRIES_PER_SECTOR = SECTOR_SIZE // 4  # 128 sector numbers per FAT sector
_HEADER_DIFAT = 109
_FORBIDDEN_NAME_CHARS = set("/\\:!")


def cfb_name_key(name: str) -> tuple[int, str]:
    """Sort key of a directory entry name among its siblings ([MS-CFB] 2.6.4).

    Names compare first by length (in UTF-16 code units), then code unit by
    code unit after simple upper-casing.
    """
    units = len(name.encode("utf-16-le")) // 2
    upper = "".join(c.upper() if len(c.upper()) == 1 else c for c in name)
    return (units, upper)


@dataclass
class _Node:
    name: str
    kind: int
    data: bytes = b""
    clsid: bytes = bytes(16)
    children: dict[str, _Node] = field(default_factory=dict)
    # Filled in during layout.
    sid: int = -1
    left: int = NOSTREAM
    right: int = NOSTREAM
    child: int = NOSTREAM
    color: int = _BLACK
    start: int = ENDOFCHAIN
    size: int = 0


def _check_name(name: str) -> None:
    if not name:
        raise ValueError("empty compound file entry name")
    if len(name.encode("utf-16-le")) // 2 > MAX_NAME_LENGTH:
        raise ValueError(f"compound file entry name longer than {MAX_NAME_LENGTH}: {name!r}")
    bad = _FORBIDDEN_NAME_CHARS.intersection(name)
    if bad or "\x00" in name:
        raise ValueError(f"forbidden character in compound file entry name {name!r}")


def _build_tree(
    streams: Mapping[str, bytes],
    storages: Iterable[str],
    clsids: Mapping[str, bytes],
) -> _Node:
    root = _Node("Root Entry", _TYPE_ROOT, clsid=bytes(clsids.get("", bytes(16))))

    def storage_at(parts: list[str]) -> _Node:
        node = root
        for i, part in enumerate(parts):
            _check_name(part)
            key = cfb_name_key(part)[1]
            existing = _find_child(node, key)
            if existing is None:
                path = "/".join(parts[: i + 1])
                existing = _Node(part, _TYPE_STORAGE, clsid=bytes(clsids.get(path, bytes(16))))
                node.children[key] = existing
            elif existing.kind != _TYPE_STORAGE:
                raise ValueError(f"{'/'.join(parts[: i + 1])!r} is both a stream and a storage")
            node = existing
        return node

    for path in storages:
        storage_at([p for p in path.split("/") if p])
    for path, data in streams.items():
        parts = [p for p in path.split("/") if p]
        if not parts:
            raise ValueError(f"invalid stream path {path!r}")
        parent = storage_at(parts[:-1])
        name = parts[-1]
        _check_name(name)
        key = cfb_name_key(name)[1]
        if _find_child(parent, key) is not None:
            raise ValueError(f"duplicate compound file entry {path!r}")
        parent.children[key] = _Node(name, _TYPE_STREAM, data=bytes(data))
    for path, clsid in clsids.items():
        if len(clsid) != 16:
            raise ValueError(f"CLSID for {path!r} must be 16 bytes")
    return root


def _find_child(node: _Node, upper_name: str) -> _Node | None:
    # Sibling names must be unique case-insensitively ([MS-CFB] 2.6.4).
    return node.children.get(upper_name)


def _assign_ids(root: _Node) -> list[_Node]:
    """Pre-order numbering: root is 0, then each storage's children in name order."""
    order: list[_Node] = []

    def visit(node: _Node) -> None:
        node.sid = len(order)
        order.append(node)
        for child in sorted(node.children.values(), key=lambda n: cfb_name_key(n.name)):
            visit(child)

    visit(root)
    return order


def _link_siblings(node: _Node) -> None:
    """Arrange a storage's children as a balanced, validly coloured red-black tree.

    The tree is built by recursive midpoint splitting, so at every node the
    subtree sizes differ by at most one and every empty child position lies on
    one of two consecutive levels.  Colouring every node on the deepest level
    red (when that level is not full) and all others black then gives equal
    black heights on all paths and no red node with a red parent.
    """
    kids = sorted(node.children.values(), key=lambda n: cfb_name_key(n.name))
    depth: dict[int, int] = {}

    def build(lo: int, hi: int, level: int) -> int:
        if lo >= hi:
            return NOSTREAM
        mid = (lo + hi) // 2
        entry = kids[mid]
        depth[id(entry)] = level
        entry.left = build(lo, mid, level + 1)
        entry.right = build(mid + 1, hi, level + 1)
        return entry.sid

    node.child = build(0, len(kids), 0)
    if kids:
        max_level = max(depth.values())
        full = len(kids) == (1 << (max_level + 1)) - 1
        for entry in kids:
            entry.color = _RED if (depth[id(entry)] == max_level and max_level > 0 and not full) else _BLACK
    for entry in kids:
        if entry.kind == _TYPE_STORAGE:
            _link_siblings(entry)


def _pad(data: bytes, unit: int) -> bytes:
    rem = len(data) % unit
    return data if rem == 0 else data + bytes(unit - rem)


def _dir_entry(node: _Node) -> bytes:
    if node.kind == _TYPE_UNUSED:
        return bytes(64) + struct.pack(
            "<HBBIII16sIQQIQ", 0, _TYPE_UNUSED, 0, NOSTREAM, NOSTREAM, NOSTREAM, bytes(16), 0, 0, 0, 0, 0
        )
    raw_name = node.name.encode("utf-16-le") + b"\x00\x00"
    return _pad(raw_name, 64)[:64] + struct.pack(
        "<HBBIII16sIQQIQ",
        len(raw_name),
        node.kind,
        node.color,
        node.left,
        node.right,
        node.child,
        node.clsid,
        0,  # state bits
        0,  # creation time
        0,  # modification time
        node.start,
        node.size,
    )


def write_compound_file(
    streams: Mapping[str, bytes],
    *,
    storages: Iterable[str] = (),
    clsids: Mapping[str, bytes] | None = None,
) -> bytes:
    """Return a version 3 compound file holding ``streams``.

    ``streams`` maps slash-separated paths ("VBA/dir") to their bytes; the
    storages on the way are created implicitly.  ``storages`` lists extra
    (possibly empty) storages.  ``clsids`` maps a storage path ("" for the
    root) to a 16-byte CLSID.  The result depends only on the arguments.
    """
    root = _build_tree(streams, storages, clsids or {})
    order = _assign_ids(root)
    _link_siblings(root)

    # Mini stream: every stream below the cutoff, each padded to 64 bytes.
    mini_stream = bytearray()
    mini_fat: list[int] = []
    large: list[_Node] = []
    for node in order:
        if node.kind != _TYPE_STREAM:
            continue
        node.size = len(node.data)
        if node.size == 0:
            node.start = ENDOFCHAIN
        elif node.size < MINI_STREAM_CUTOFF:
            first = len(mini_fat)
            count = -(-node.size // MINI_SECTOR_SIZE)
            node.start = first
            mini_fat.extend(range(first + 1, first + count))
            mini_fat.append(ENDOFCHAIN)
            mini_stream += _pad(node.data, MINI_SECTOR_SIZE)
        else:
            large.append(node)

    dir_bytes_count = len(order) * DIR_ENTRY_SIZE
    n_dir = -(-dir_bytes_count // SECTOR_SIZE)
    n_minifat = -(-len(mini_fat) * 4 // SECTOR_SIZE)
    n_mini = -(-len(mini_stream) // SECTOR_SIZE)
    large_counts = [-(-len(n.data) // SECTOR_SIZE) for n in large]
    n_data = n_dir + n_minifat + n_mini + sum(large_counts)

    # The FAT must also describe its own sectors and the DIFAT sectors.
    n_fat, n_difat = 1, 0
    while True:
        total = n_data + n_fat + n_difat
        need_fat = -(-total // _ENTRIES_PER_SECTOR)
        need_difat = 0 if need_fat <= _HEADER_DIFAT else -(-(need_fat - _HEADER_DIFAT) // (_ENTRIES_PER_SECTOR - 1))
        if (need_fat, need_difat) == (n_fat, n_difat):
            break
        n_fat, n_difat = max(need_fat, n_fat), max(need_difat, n_difat)
    total = n_data + n_fat + n_difat

    fat = [FREESECT] * (n_fat * _ENTRIES_PER_SECTOR)

    def chain(first: int, count: int) -> int:
        if count == 0:
            return ENDOFCHAIN
        for i in range(first, first + count - 1):
            fat[i] = i + 1
        fat[first + count - 1] = ENDOFCHAIN
        return first

    cursor = 0
    dir_start = chain(cursor, n_dir)
    cursor += n_dir
    minifat_start = chain(cursor, n_minifat)
    cursor += n_minifat
    mini_start = chain(cursor, n_mini)
    cursor += n_mini
    for node, count in zip(large, large_counts):
        node.start = chain(cursor, count)
        cursor += count
    fat_sectors = list(range(cursor, cursor + n_fat))
    for s in fat_sectors:
        fat[s] = FATSECT
    cursor += n_fat
    difat_sectors = list(range(cursor, cursor + n_difat))
    for s in difat_sectors:
        fat[s] = DIFSECT
    cursor += n_difat
    assert cursor == total

    root.start = mini_start if mini_stream else ENDOFCHAIN
    root.size = len(mini_stream)

    # Directory stream, padded with unused entries to whole sectors.
    directory = bytearray()
    for node in order:
        directory += _dir_entry(node)
    unused = _Node("", _TYPE_UNUSED)
    while len(directory) % SECTOR_SIZE:
        directory += _dir_entry(unused)

    minifat_bytes = bytearray(struct.pack(f"<{len(mini_fat)}I", *mini_fat))
    while len(minifat_bytes) % SECTOR_SIZE:
        minifat_bytes += struct.pack("<I", FREESECT)

    body = bytearray()
    body += directory
    body += minifat_bytes
    body += _pad(bytes(mini_stream), SECTOR_SIZE)
    for node in large:
        body += _pad(node.data, SECTOR_SIZE)
    body += struct.pack(f"<{len(fat)}I", *fat)
    # DIFAT sectors: 127 FAT sector numbers each, then the next DIFAT sector.
    rest = fat_sectors[_HEADER_DIFAT:]
    for i, _sector in enumerate(difat_sectors):
        part = rest[i * 127 : (i + 1) * 127]
        part = part + [FREESECT] * (127 - len(part))
        nxt = difat_sectors[i + 1] if i + 1 < len(difat_sectors) else ENDOFCHAIN
        body += struct.pack("<128I", *part, nxt)
    assert len(body) == total * SECTOR_SIZE

    header_difat = fat_sectors[:_HEADER_DIFAT]
    header_difat = header_difat + [FREESECT] * (_HEADER_DIFAT - len(header_difat))
    header = (
        _SIGNATURE
        + bytes(16)  # header CLSID
        + struct.pack(
            "<HHHHH6sIIIIIIIII",
            0x003E,  # minor version
            0x0003,  # major version
            0xFFFE,  # byte order mark
            9,  # sector shift: 512-byte sectors
            6,  # mini sector shift: 64-byte mini sectors
            bytes(6),
            0,  # number of directory sectors (MUST be 0 in version 3)
            n_fat,
            dir_start,
            0,  # transaction signature
            MINI_STREAM_CUTOFF,
            minifat_start,
            n_minifat,
            difat_sectors[0] if difat_sectors else ENDOFCHAIN,
            n_difat,
        )
        + struct.pack(f"<{_HEADER_DIFAT}I", *header_difat)
    )
    assert len(header) == SECTOR_SIZE
    return header + bytes(body)
