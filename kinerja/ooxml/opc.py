"""The package being patched: its members as stored, the parts changed or added, the parts dropped.

Parts are read from the source zip; a part changed or added is kept here until the package is
written (after the worksheets, whose writing may add notes, relationships and content types).
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from datetime import datetime

from kinerja.ooxml.parts import ContentTypes, Rels, Unsupported, rels_name


class Package:
    def __init__(self, zin: zipfile.ZipFile) -> None:
        if any(i.flag_bits & 0x1 for i in zin.infolist()):
            raise Unsupported("encrypted package")
        self.zin = zin
        self.names = set(zin.namelist())
        self.parts: dict[str, bytes] = {}  # changed or new parts
        self.dropped: set[str] = set()
        self._rels: dict[str, Rels] = {}
        self._free: dict[str, int] = {}
        self.types = ContentTypes(zin.read(ContentTypes.NAME))

    def exists(self, name: str) -> bool:
        return (name in self.names or name in self.parts) and name not in self.dropped

    def read(self, name: str) -> bytes:
        return self.parts[name] if name in self.parts else self.zin.read(name)

    def put(self, name: str, data: bytes) -> None:
        self.parts[name] = data
        self.dropped.discard(name)

    def drop(self, name: str) -> None:
        self.dropped.add(name)
        self.parts.pop(name, None)
        self.types.remove(name)

    def info(self, name: str) -> zipfile.ZipInfo:
        """The zip entry of a part (a new part dated now)."""
        return self.zin.getinfo(name) if name in self.names else zipfile.ZipInfo(name, datetime.now().timetuple()[:6])

    def rels(self, source: str) -> Rels:
        """The relationships of `source` (empty, and created on writing, when it has none)."""
        if source not in self._rels:
            name = rels_name(source)
            self._rels[source] = Rels(source, self.read(name) if self.exists(name) else None)
        return self._rels[source]

    def free(self, pattern: str) -> str:
        """The first part name `pattern.format(n)` (n = 1, 2, ...) not in the package."""
        n = self._free.get(pattern, 1)
        while self.exists(pattern.format(n)) or pattern.format(n) in self.dropped:
            n += 1
        self._free[pattern] = n + 1  # the caller takes it
        return pattern.format(n)

    def changed(self) -> Iterator[tuple[str, bytes]]:
        """Every part to write besides the copied ones: changed, new, relationships, content types."""
        for rels in self._rels.values():
            if rels.changed:
                self.parts[rels.name] = rels.data()
        if self.types.changed:
            self.parts[ContentTypes.NAME] = self.types.data()
        yield from self.parts.items()
