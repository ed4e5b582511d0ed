"""styles.xml: the existing cell formats, and new ones derived from them."""

from __future__ import annotations

import copy
from typing import Any

from lxml import etree

from openpyxl.styles.numbers import BUILTIN_FORMATS, BUILTIN_FORMATS_REVERSE

from kinerja.writing.package.parts import MAIN, Unsupported, serialize


class Styles:
    """cellXfs of styles.xml: the existing formats, and new ones derived from them."""

    def __init__(self, root: Any, path: str) -> None:
        self.root, self.path, self.changed = root, path, False
        q = lambda tag: f"{{{MAIN}}}{tag}"  # noqa: E731
        self.q = q
        self.xfs = root.find(q("cellXfs"))
        self.fills = root.find(q("fills"))
        if self.xfs is None or self.fills is None or len(self.xfs) == 0:
            raise Unsupported("styles without cellXfs/fills")
        self.numfmts = root.find(q("numFmts"))
        self.codes: dict[int, str] = dict(BUILTIN_FORMATS)
        for nf in (self.numfmts if self.numfmts is not None else []):
            self.codes[int(nf.get("numFmtId"))] = nf.get("formatCode", "")
        self.derived: dict[tuple[int, str | None, str | None], int] = {}
        self.fill_ids: dict[str, int] = {}

    def code(self, xf: int) -> str:
        el = self.xfs[xf] if xf < len(self.xfs) else self.xfs[0]
        return self.codes.get(int(el.get("numFmtId", "0")), "General")

    def derive(self, base: int, number_format: str | None, fill: str | None) -> int:
        """The cellXfs index of `base` with another number format and/or solid fill."""
        if number_format is None and fill is None:
            return base
        key = (base, number_format, fill)
        if key in self.derived:
            return self.derived[key]
        xf = copy.deepcopy(self.xfs[base] if base < len(self.xfs) else self.xfs[0])
        if number_format is not None:
            xf.set("numFmtId", str(self._numfmt(number_format)))
            xf.set("applyNumberFormat", "1")
        if fill is not None:
            xf.set("fillId", str(self._fill(fill)))
            xf.set("applyFill", "1")
        xf.tail = None
        for i, el in enumerate(self.xfs):  # an identical format already there is used
            if etree.tostring(el).strip() == etree.tostring(xf).strip():
                self.derived[key] = i
                return i
        self.xfs.append(xf)
        self.xfs.set("count", str(len(self.xfs)))
        self.changed = True
        self.derived[key] = len(self.xfs) - 1
        return len(self.xfs) - 1

    def _numfmt(self, code: str) -> int:
        if code in BUILTIN_FORMATS_REVERSE:
            return BUILTIN_FORMATS_REVERSE[code]
        for i, c in self.codes.items():
            if c == code and i >= 164:
                return i
        if self.numfmts is None:
            self.numfmts = etree.Element(self.q("numFmts"))
            self.root.insert(0, self.numfmts)
        new = max([i for i in self.codes if i >= 164], default=163) + 1
        etree.SubElement(self.numfmts, self.q("numFmt"), numFmtId=str(new), formatCode=code)
        self.numfmts.set("count", str(len(self.numfmts)))
        self.codes[new] = code
        self.changed = True
        return new

    def _fill(self, rgb: str) -> int:
        rgb = rgb[-6:].upper()
        if rgb in self.fill_ids:
            return self.fill_ids[rgb]
        for i, f in enumerate(self.fills):
            pf = f.find(self.q("patternFill"))
            fg = pf.find(self.q("fgColor")) if pf is not None else None
            if (pf is not None and pf.get("patternType") == "solid" and fg is not None
                    and (fg.get("rgb") or "")[-6:].upper() == rgb and len(f) == 1):
                self.fill_ids[rgb] = i
                return i
        fill = etree.SubElement(self.fills, self.q("fill"))
        pf = etree.SubElement(fill, self.q("patternFill"), patternType="solid")
        etree.SubElement(pf, self.q("fgColor"), rgb="00" + rgb)
        etree.SubElement(pf, self.q("bgColor"), rgb="00000000")
        self.fills.set("count", str(len(self.fills)))
        self.changed = True
        self.fill_ids[rgb] = len(self.fills) - 1
        return len(self.fills) - 1

    def serialize(self) -> bytes:
        return serialize(self.root)

