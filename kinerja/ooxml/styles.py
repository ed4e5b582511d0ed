"""styles.xml: the existing cell formats, and new ones derived from them (each distinct format
added once; an identical one already there is used)."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from lxml import etree
from openpyxl.styles.numbers import BUILTIN_FORMATS, BUILTIN_FORMATS_REVERSE

from kinerja.ooxml.parts import MAIN, Unsupported, local, serialize

NO_FILL = ""  # a fill of no colour: the cell's highlight removed
_FONT_ORDER = ("b", "i", "strike", "condense", "extend", "outline", "shadow", "u", "vertAlign", "sz", "color",
               "name", "family", "charset", "scheme")


@dataclass(frozen=True)
class FontSpec:
    """What a writer sets on a font (None: as the base font has it)."""

    bold: bool | None = None
    italic: bool | None = None
    size: float | None = None
    color: str | None = None  # RRGGBB
    underline: str | None = None
    plain: bool = False  # on the workbook's default font, not the cell's


@dataclass(frozen=True)
class Look:
    """A cell format on top of a base format; None parts are the base's."""

    number_format: str | None = None
    fill: str | None = None  # RRGGBB, or NO_FILL
    font: FontSpec | None = None
    border: str | None = None  # RRGGBB of a thin border on all four sides
    alignment: tuple[tuple[str, str], ...] | None = None  # attributes of <alignment>


def q(tag: str) -> str:
    return f"{{{MAIN}}}{tag}"


class Styles:
    """cellXfs of styles.xml: the existing formats, and new ones derived from them."""

    def __init__(self, root: Any, path: str) -> None:
        self.root, self.path, self.changed = root, path, False
        self.xfs = root.find(q("cellXfs"))
        self.fills = root.find(q("fills"))
        self.fonts = root.find(q("fonts"))
        self.borders = root.find(q("borders"))
        if self.xfs is None or self.fills is None or self.fonts is None or len(self.xfs) == 0:
            raise Unsupported("styles without cellXfs/fills/fonts")
        self.numfmts = root.find(q("numFmts"))
        self.codes: dict[int, str] = dict(BUILTIN_FORMATS)
        for nf in (self.numfmts if self.numfmts is not None else []):
            self.codes[int(nf.get("numFmtId"))] = nf.get("formatCode", "")
        self.derived: dict[tuple[int, Look], int] = {}
        self.asked: dict[tuple[int, str | None, str | None, Look | None], int] = {}  # derive's answers
        self.fill_ids: dict[str, int] = {}
        self.known: dict[bytes, int] | None = None  # an xf's XML -> its index
        self._solid: tuple[Any, set[int]] | None = None

    def code(self, xf: int) -> str:
        el = self.xfs[xf] if xf < len(self.xfs) else self.xfs[0]
        return self.codes.get(int(el.get("numFmtId", "0")), "General")

    def fill_of(self, xf: int) -> int:
        el = self.xfs[xf] if xf < len(self.xfs) else self.xfs[0]
        return int(el.get("fillId", "0"))

    def solid_fills(self, colors: set[str]) -> set[int]:
        """The cellXfs indexes whose fill is solid in one of `colors` (RRGGBB)."""
        key = (frozenset(colors), len(self.xfs), len(self.fills))
        if self._solid is not None and self._solid[0] == key:
            return self._solid[1]
        fills = set()
        for i, f in enumerate(self.fills):
            pf = f.find(q("patternFill"))
            fg = pf.find(q("fgColor")) if pf is not None else None
            if pf is not None and pf.get("patternType") == "solid" and fg is not None \
                    and (fg.get("rgb") or "")[-6:].upper() in colors:
                fills.add(i)
        found = {i for i, xf in enumerate(self.xfs) if int(xf.get("fillId", "0")) in fills}
        self._solid = (key, found)
        return found

    def derive(self, base: int, number_format: str | None = None, fill: str | None = None,
               look: Look | None = None) -> int:
        """The cellXfs index of `base` with another number format, fill, font, border or alignment."""
        given = (base, number_format, fill, look)  # as asked: tens of thousands of marks ask alike
        found = self.asked.get(given)
        if found is not None:
            return found
        found = self.asked[given] = self._derive(base, number_format, fill, look)
        return found

    def _derive(self, base: int, number_format: str | None, fill: str | None, look: Look | None) -> int:
        look = look or Look()
        if number_format is not None or fill is not None:
            look = Look(number_format if number_format is not None else look.number_format,
                        fill if fill is not None else look.fill, look.font, look.border, look.alignment)
        if look == Look():
            return base
        key = (base, look)
        if key in self.derived:
            return self.derived[key]
        xf = copy.deepcopy(self.xfs[base] if base < len(self.xfs) else self.xfs[0])
        xf.tail = None
        if look.number_format is not None:
            xf.set("numFmtId", str(self._numfmt(look.number_format)))
            xf.set("applyNumberFormat", "1")
        if look.fill is not None:
            xf.set("fillId", str(self._fill(look.fill)))
            xf.set("applyFill", "1")
        if look.font is not None:
            xf.set("fontId", str(self._font(int(xf.get("fontId", "0")), look.font)))
            xf.set("applyFont", "1")
        if look.border is not None and self.borders is not None:
            xf.set("borderId", str(self._border(look.border)))
            xf.set("applyBorder", "1")
        if look.alignment is not None:
            for el in xf.findall(q("alignment")):
                xf.remove(el)
            xf.insert(0, etree.Element(q("alignment"), dict(look.alignment)))
            xf.set("applyAlignment", "1")
        index = self._index(xf)
        self.derived[key] = index
        return index

    def _index(self, xf: Any) -> int:
        """The index of a format equal to `xf`, appended when there is none."""
        if self.known is None:
            self.known = {}
            for i, el in enumerate(self.xfs):
                self.known.setdefault(_key(el), i)
        k = _key(xf)
        if k in self.known:
            return self.known[k]
        self.xfs.append(xf)
        self.xfs.set("count", str(len(self.xfs)))
        self.changed = True
        self.known[k] = len(self.xfs) - 1
        return len(self.xfs) - 1

    def _numfmt(self, code: str) -> int:
        if code in BUILTIN_FORMATS_REVERSE:
            return BUILTIN_FORMATS_REVERSE[code]
        for i, c in self.codes.items():
            if c == code and i >= 164:
                return i
        if self.numfmts is None:
            self.numfmts = etree.Element(q("numFmts"))
            self.root.insert(0, self.numfmts)
        new = max([i for i in self.codes if i >= 164], default=163) + 1
        etree.SubElement(self.numfmts, q("numFmt"), numFmtId=str(new), formatCode=code)
        self.numfmts.set("count", str(len(self.numfmts)))
        self.codes[new] = code
        self.changed = True
        return new

    def _fill(self, rgb: str) -> int:
        rgb = rgb[-6:].upper()
        if rgb in self.fill_ids:
            return self.fill_ids[rgb]
        for i, f in enumerate(self.fills):
            pf = f.find(q("patternFill"))
            fg = pf.find(q("fgColor")) if pf is not None else None
            if rgb == NO_FILL:
                if pf is not None and pf.get("patternType") in (None, "none") and len(f) == 1 and len(pf) == 0:
                    self.fill_ids[rgb] = i
                    return i
            elif (pf is not None and pf.get("patternType") == "solid" and fg is not None
                    and (fg.get("rgb") or "")[-6:].upper() == rgb and len(f) == 1):
                self.fill_ids[rgb] = i
                return i
        fill = etree.SubElement(self.fills, q("fill"))
        if rgb == NO_FILL:
            etree.SubElement(fill, q("patternFill"), patternType="none")
        else:
            pf = etree.SubElement(fill, q("patternFill"), patternType="solid")
            etree.SubElement(pf, q("fgColor"), rgb="00" + rgb)
            etree.SubElement(pf, q("bgColor"), rgb="00000000")
        self.fills.set("count", str(len(self.fills)))
        self.changed = True
        self.fill_ids[rgb] = len(self.fills) - 1
        return len(self.fills) - 1

    def _font(self, base: int, spec: FontSpec) -> int:
        font = copy.deepcopy(self.fonts[base] if base < len(self.fonts) and not spec.plain else self.fonts[0])
        font.tail = None
        values: dict[str, Any] = {"b": spec.bold, "i": spec.italic, "u": spec.underline,
                  "sz": None if spec.size is None else f"{spec.size:g}",
                  "color": None if spec.color is None else "FF" + spec.color[-6:].upper()}
        for name, value in values.items():
            if value is None:
                continue
            for el in font.findall(q(name)):
                font.remove(el)
            if value is False:
                continue
            el = etree.Element(q(name))
            if name == "color":
                el.set("rgb", value)
            elif name in ("sz", "u"):
                el.set("val", value)
            _insert(font, el, _FONT_ORDER)
        return _append_unique(self, self.fonts, font)

    def _border(self, rgb: str) -> int:
        border = etree.Element(q("border"))
        for side in ("left", "right", "top", "bottom"):
            el = etree.SubElement(border, q(side), style="thin")
            etree.SubElement(el, q("color"), rgb="FF" + rgb[-6:].upper())
        etree.SubElement(border, q("diagonal"))
        return _append_unique(self, self.borders, border)

    def serialize(self) -> bytes:
        return serialize(self.root)


def _key(el: Any) -> bytes:
    return etree.tostring(el, method="c14n")


def _insert(parent: Any, el: Any, order: tuple[str, ...]) -> None:
    rank = order.index(local(el))
    for i, child in enumerate(parent):
        if local(child) in order and order.index(local(child)) > rank:
            parent.insert(i, el)
            return
    parent.append(el)


def _append_unique(styles: Styles, group: Any, el: Any) -> int:
    k = _key(el)
    for i, existing in enumerate(group):
        if _key(existing) == k:
            return i
    group.append(el)
    group.set("count", str(len(group)))
    styles.changed = True
    return len(group) - 1
