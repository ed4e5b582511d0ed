"""Notes (Excel's comments): the sheet's comments part and the legacy VML drawing that shows them.

Notes are merged into what the sheet has: other notes (staff's, the placeholders of threaded
comments) and other VML shapes (form-control buttons share the drawing) are kept as they are.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any
from xml.sax.saxutils import escape

from lxml import etree
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

from kinerja.ooxml.opc import Package
from kinerja.ooxml.parts import MAIN, REL, Unsupported, parse_xml, serialize
from kinerja.ooxml.tail import Tail
from kinerja.workbook.description import safe_text

COMMENTS_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments"
VML_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/vmlDrawing"
COMMENTS_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"
VML_CT = "application/vnd.openxmlformats-officedocument.vmlDrawing"
V = "urn:schemas-microsoft-com:vml"
OFFICE = "urn:schemas-microsoft-com:office:office"
X = "urn:schemas-microsoft-com:office:excel"
_SHAPE_ID = re.compile(r"_x0000_s(\d+)")
_CLIENT_DATA, _ROW, _COLUMN = f"{{{X}}}ClientData", f"{{{X}}}Row", f"{{{X}}}Column"
_NEW_VML = (f'<xml xmlns:v="{V}" xmlns:o="{OFFICE}" xmlns:x="{X}"><o:shapelayout v:ext="edit">'
            '<o:idmap v:ext="edit" data="{data}"/></o:shapelayout></xml>')
_SHAPETYPE = (f'<v:shapetype xmlns:v="{V}" xmlns:o="{OFFICE}" id="_x0000_t202" coordsize="21600,21600" o:spt="202" '
              'path="m,l,21600r21600,l21600,xe"><v:stroke joinstyle="miter"/>'
              '<v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>')


@lru_cache(maxsize=1 << 14)
def _cell(ref: str) -> tuple[int, int]:
    letters, row = coordinate_from_string(ref)
    return row, column_index_from_string(letters)


class _New:
    """A note added by this writer, kept as text until `finish` (validate adds tens of thousands:
    an element tree per note and per shape was most of its write). `finish` writes exactly the
    XML lxml would for the same elements (tests/ooxml/test_fast_writes.py)."""

    __slots__ = ("ref", "author", "text", "sid", "z")

    def __init__(self, ref: str, author: int, text: str) -> None:
        self.ref, self.author, self.text = ref, author, text
        self.sid = self.z = 0  # its shape's id number and z-index (set by _add_shape)

    def comment_xml(self) -> str:
        return (f'<comment ref="{self.ref}" authorId="{self.author}"><text><t xml:space="preserve">'
                f'{_escaped(self.text)}</t></text></comment>')

    def shape_xml(self, row: int, col: int) -> str:
        r, c = row - 1, col - 1
        return (f'<v:shape id="_x0000_s{self.sid}" type="#_x0000_t202" style="{_shape_style(self.z)}" '
                'fillcolor="#ffffe1" o:insetmode="auto"><v:fill color2="#ffffe1"/>'
                '<v:shadow on="t" color="black" obscured="t"/><v:path o:connecttype="none"/>'
                '<v:textbox style="mso-direction-alt:auto"><div style="text-align:left"/></v:textbox>'
                '<x:ClientData ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/>'
                f'<x:Anchor>{_anchor(r, c)}</x:Anchor><x:AutoFill>False</x:AutoFill>'
                f'<x:Row>{r}</x:Row><x:Column>{c}</x:Column></x:ClientData></v:shape>')


def _escaped(text: str) -> str:
    """Element text as lxml writes it (UTF-8): &, <, > and the carriage return escaped."""
    return escape(text, {"\r": "&#13;"})


def _shape_style(z: int) -> str:
    return ("position:absolute;margin-left:59.25pt;margin-top:1.5pt;width:225pt;"
            f"height:90pt;z-index:{z};visibility:hidden")


def _anchor(r: int, c: int) -> str:
    """A note's box: right of its cell, from the row above (0-based row and column)."""
    return f"{c + 1}, 15, {max(r - 1, 0)}, 10, {c + 4}, 15, {r + 4}, 4"


_MARK = "kinerja-new-notes"  # a comment node standing where the new notes go when serialized


def _with_new(root: Any, parent: Any, texts: Iterable[str], serialize_root: Callable[[Any], bytes]) -> bytes:
    """`root` serialized with `texts` appended to `parent`'s children (as if they were elements)."""
    mark = etree.Comment(_MARK)
    parent.append(mark)
    try:
        data = serialize_root(root)
    finally:
        parent.remove(mark)
    at = data.rindex(f"<!--{_MARK}-->".encode())
    return data[:at] + "".join(texts).encode() + data[at + len(_MARK) + 7:]


class Notes:
    """The notes of one sheet, changed in place and written back by `finish`."""

    def __init__(self, pkg: Package, sheet_part: str, tail: Tail) -> None:
        self.pkg, self.part, self.tail = pkg, sheet_part, tail
        self.rels = pkg.rels(sheet_part)
        found = self.rels.of_type("comments")
        self.comments_part = found[0][1] if found and pkg.exists(found[0][1]) else None
        self.root = parse_xml(pkg.read(self.comments_part)) if self.comments_part else None
        self.vml_part: str | None = None
        drawing = tail.find("legacyDrawing") if tail.has("legacyDrawing") else None
        if drawing is not None:
            self.vml_part = self.rels.target(drawing.get(f"{{{REL}}}id", ""))
        self.vml: Any = None
        self.changed = False
        self.cells: dict[tuple[int, int], Any] | None = None
        self.shapes: dict[tuple[int, int], Any] | None = None
        self.authors: list[str] | None = None
        self.next_id = 1
        self.shapetype = False
        self.listing: Any = None  # the comments part's <commentList>
        self.template: Any = None  # a note's shape as first drawn, copied for the next ones
        self.new: dict[tuple[int, int], _New] = {}  # notes added as text, in the order added
        self.as_text: bool | None = None  # whether new notes can be kept as text (plain namespaces)

    # ------------------------------------------------------------------ reading

    def _list(self) -> Any:
        if self.listing is not None:
            return self.listing
        if self.root is None:
            self.root = etree.fromstring(f'<comments xmlns="{MAIN}"><authors/><commentList/></comments>')
        found = self.root.find(f"{{{MAIN}}}commentList")
        if found is None:
            found = etree.SubElement(self.root, f"{{{MAIN}}}commentList")
        self.listing = found
        return found

    def _authors(self) -> list[str]:
        if self.authors is None:
            box = self.root.find(f"{{{MAIN}}}authors") if self.root is not None else None
            self.authors = [a.text or "" for a in box] if box is not None else []
        return self.authors

    def _drawing(self) -> Any:
        if self.vml is None:
            if self.vml_part and self.pkg.exists(self.vml_part):
                try:
                    self.vml = etree.fromstring(self.pkg.read(self.vml_part),
                                                etree.XMLParser(resolve_entities=False, no_network=True))
                except etree.XMLSyntaxError as e:
                    raise Unsupported(f"unreadable VML drawing ({e})") from None
            else:
                self.vml_part = part = self.pkg.free("xl/drawings/vmlDrawing{}.vml")
                data = part.removeprefix("xl/drawings/vmlDrawing").removesuffix(".vml")
                self.vml = etree.fromstring(_NEW_VML.replace("{data}", data))
        return self.vml

    # ------------------------------------------------------------------ changing

    def _index(self) -> dict[tuple[int, int], Any]:
        """The notes by cell (made once; kept up to date by remove and set)."""
        if self.cells is None:
            self.cells = {}
            for c in self._list():
                if isinstance(c.tag, str):
                    self.cells[_cell(c.get("ref", "A1"))] = c
        return self.cells

    def _author(self, c: Any) -> str:
        a = c.author if type(c) is _New else int(c.get("authorId", "0"))
        authors = self._authors()
        return authors[a] if a < len(authors) else ""

    def remove(self, keep: Callable[[int, int, str], bool]) -> None:
        """Remove the notes for which keep(row, column, author) is false (with their shapes)."""
        if self.root is None:
            return
        index = self._index()
        listing = self._list()
        gone = set()
        for (row, col), c in list(index.items()):
            if not keep(row, col, self._author(c)):
                self._drop(listing, (row, col), c)
                del index[(row, col)]
                gone.add((row, col))
        if gone:
            self.changed = True
            self._remove_shapes(gone)

    def set(self, ref: str, text: str, author: str) -> None:
        """The note on `ref` (replacing one there, unless it belongs to a threaded comment)."""
        row, col = _cell(ref)
        listing = self._list()
        index = self._index()
        old = index.get((row, col))
        if old is not None:
            if self._author(old).startswith("tc="):
                return  # a threaded comment's note: the conversation stays
            self._drop(listing, (row, col), old)
            self._remove_shapes({(row, col)})
        authors = self._authors()
        if author not in authors:
            root = listing.getparent()  # the comments part's root, made by _list()
            box = root.find(f"{{{MAIN}}}authors")
            if box is None:
                box = etree.Element(f"{{{MAIN}}}authors")
                root.insert(0, box)
            etree.SubElement(box, f"{{{MAIN}}}author").text = author
            self.authors = None
            authors = self._authors()
        if self._as_text():
            c: Any = _New(ref, authors.index(author), safe_text(text))
            self.new[(row, col)] = c
        else:
            c = etree.SubElement(listing, f"{{{MAIN}}}comment", ref=ref, authorId=str(authors.index(author)))
            t = etree.SubElement(etree.SubElement(c, f"{{{MAIN}}}text"), f"{{{MAIN}}}t")
            t.text = safe_text(text)
            t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        index[(row, col)] = c
        self._add_shape(row, col)
        self.changed = True

    def _as_text(self) -> bool:
        """New notes are kept as text when both parts use the namespaces the text is written in:
        the comments part's main namespace unprefixed, the drawing's v, o and x as Excel names
        them (both as Excel and this writer make them); otherwise as elements."""
        if self.as_text is None:
            listing, vml = self._list(), self._drawing()
            self.as_text = (listing.prefix is None and listing.nsmap.get(None) == MAIN
                            and all(vml.nsmap.get(k) == u for k, u in (("v", V), ("o", OFFICE), ("x", X)))
                            and None not in vml.nsmap)
        return self.as_text

    def _drop(self, listing: Any, cell: tuple[int, int], c: Any) -> None:
        if type(c) is _New:
            del self.new[cell]
        else:
            listing.remove(c)

    def _shapes(self) -> dict[tuple[int, int], Any]:
        """The notes' VML shapes by cell (1-based), made once."""
        if self.shapes is None:
            self.shapes = {}
            vml = self._drawing()
            for shape in vml.iter(f"{{{V}}}shape"):
                m = _SHAPE_ID.fullmatch(shape.get("id", ""))
                if m:
                    self.next_id = max(self.next_id, int(m.group(1)) + 1)
                # the children walked, not found by path (ElementPath per shape was most of a
                # review's write): the first ClientData, its first Row and Column, as find gives
                data = next((c for c in shape if c.tag == _CLIENT_DATA), None)
                if data is not None and data.get("ObjectType") == "Note":
                    found: dict[str, str] = {}
                    for c in data:
                        if c.tag in (_ROW, _COLUMN) and c.tag not in found:
                            found[c.tag] = c.text or ""
                    try:
                        cell = (int(found[_ROW]) + 1, int(found[_COLUMN]) + 1)
                    except (KeyError, ValueError):
                        continue
                    self.shapes[cell] = shape
            idmap = vml.find(f"{{{OFFICE}}}shapelayout/{{{OFFICE}}}idmap")
            block = int((idmap.get("data") or "1").split(",")[0]) if idmap is not None else 1
            self.next_id = max(self.next_id, block * 1024 + 1)
        return self.shapes

    def _remove_shapes(self, cells: Iterable[tuple[int, int]]) -> None:
        if not self.vml_part:
            return
        shapes = self._shapes()
        for cell in cells:
            shape = shapes.pop(cell, None)
            if type(shape) is _New:  # its text is dropped with the note (`_drop`)
                continue
            if shape is not None:
                shape.getparent().remove(shape)

    def _add_shape(self, row: int, col: int) -> None:
        vml = self._drawing()
        shapes = self._shapes()
        if not self.shapetype:
            if not any(el.get("id") == "_x0000_t202" for el in vml.iter(f"{{{V}}}shapetype")):
                layout = vml.find(f"{{{OFFICE}}}shapelayout")
                vml.insert(0 if layout is None else vml.index(layout) + 1, etree.fromstring(_SHAPETYPE))
            self.shapetype = True
        sid = self.next_id
        self.next_id += 1
        new = self.new.get((row, col))
        if new is not None:
            new.sid, new.z = sid, len(shapes) + 1
            shapes[(row, col)] = new
            return
        r, c = row - 1, col - 1
        if self.template is None:
            shape = etree.SubElement(vml, f"{{{V}}}shape", id="", type="#_x0000_t202", style="", fillcolor="#ffffe1")
            shape.set(f"{{{OFFICE}}}insetmode", "auto")
            etree.SubElement(shape, f"{{{V}}}fill", color2="#ffffe1")
            etree.SubElement(shape, f"{{{V}}}shadow", on="t", color="black", obscured="t")
            etree.SubElement(shape, f"{{{V}}}path").set(f"{{{OFFICE}}}connecttype", "none")
            box = etree.SubElement(shape, f"{{{V}}}textbox", style="mso-direction-alt:auto")
            etree.SubElement(box, "div", style="text-align:left")
            data = etree.SubElement(shape, f"{{{X}}}ClientData", ObjectType="Note")
            etree.SubElement(data, f"{{{X}}}MoveWithCells")
            etree.SubElement(data, f"{{{X}}}SizeWithCells")
            etree.SubElement(data, f"{{{X}}}Anchor")
            etree.SubElement(data, f"{{{X}}}AutoFill").text = "False"
            etree.SubElement(data, f"{{{X}}}Row")
            etree.SubElement(data, f"{{{X}}}Column")
            self.template = copy.deepcopy(shape)
        else:  # the same element tree, copied whole by lxml: thousands of notes, a dozen calls less each
            shape = copy.deepcopy(self.template)
            vml.append(shape)
        shape.set("id", f"_x0000_s{sid}")  # the attributes and texts that differ, in place
        shape.set("style", _shape_style(len(shapes) + 1))
        data = shape[-1]  # x:ClientData: MoveWithCells, SizeWithCells, Anchor, AutoFill, Row, Column
        data[2].text = _anchor(r, c)
        data[4].text = str(r)
        data[5].text = str(c)
        shapes[(row, col)] = shape

    # ------------------------------------------------------------------ writing

    def finish(self) -> None:
        """The comments part, the drawing, their relationships, content types and the sheet's
        <legacyDrawing> (all as they were when nothing changed)."""
        if not self.changed:
            return
        listing = self._list()
        if not self.new and len([c for c in listing if isinstance(c.tag, str)]) == 0 and self.comments_part:
            for rid, part in self.rels.of_type("comments"):
                self.rels.remove(rid)
                self.pkg.drop(part)
            self.comments_part = None
        elif self.comments_part is None:
            self.comments_part = self.pkg.free("xl/comments{}.xml")
            self.rels.add(COMMENTS_TYPE, self.comments_part)
        if self.comments_part:
            self.pkg.put(self.comments_part, _with_new(self.root, listing, (n.comment_xml() for n in self.new.values()),
                                                       serialize) if self.new else serialize(self.root))
            self.pkg.types.override(self.comments_part, COMMENTS_CT)
        if self.vml is None or self.vml_part is None:
            return
        drawing = self.tail.find("legacyDrawing")
        shapes = [el for el in self.vml if isinstance(el.tag, str) and el.tag != f"{{{OFFICE}}}shapelayout"
                  and el.tag != f"{{{V}}}shapetype"] + list(self.new)
        if not shapes and drawing is not None:  # nothing left to draw: the drawing goes
            rid = drawing.get(f"{{{REL}}}id", "")
            self.tail.remove("legacyDrawing")
            self.rels.remove(rid)
            self.pkg.drop(self.vml_part)
            return
        if not shapes:
            return
        self.pkg.put(self.vml_part, _with_new(self.vml, self.vml, (n.shape_xml(*cell) for cell, n in self.new.items()),
                                              etree.tostring) if self.new else etree.tostring(self.vml))
        if drawing is None:
            rid = self.rels.add(VML_TYPE, self.vml_part)
            self.tail.ensure("legacyDrawing").set(f"{{{REL}}}id", rid)
        if self.vml_part.endswith(".vml"):
            self.pkg.types.default("vml", VML_CT)
        else:
            self.pkg.types.override(self.vml_part, VML_CT)
