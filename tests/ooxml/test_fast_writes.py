"""The package writer's fast paths give what the plain ones give: rows found with str.find as
the row pattern finds them, cells split as the cell pattern splits them, a cell's style, the
height of a wrapped row, notes' shapes copied from the first one as if each were built, and
members deflated by a background thread as if written in turn (a failed write still raised)."""

from __future__ import annotations

import copy
import errno
import io
import re
import zipfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree
from openpyxl.utils import get_column_letter

from kinerja.ooxml import comments
from kinerja.ooxml.cells import _ATTR_R, _ATTR_S, _CELL, ROW, Row, cell_style, column_index, rows
from kinerja.ooxml.opc import Package
from kinerja.ooxml.tail import Tail
from kinerja.ooxml.workbook import Book
from kinerja.ooxml.zip import Deflating
from kinerja.workbook import sheets as S
from kinerja.workbook.style import AUTHOR
from kinerja.workbook.tables import Column, Table, row_heights

_TEXT = st.text(alphabet=st.sampled_from(list("ab <>&\"'\nrowc/=")), max_size=12)
_LETTERS = st.sampled_from(["A", "B", "K", "Z", "AA", "XFD"])


@st.composite
def _cell(draw: st.DrawFn, row: int) -> tuple[str, str]:
    ref = f"{draw(_LETTERS)}{row}"
    s = draw(st.sampled_from(["", ' s="0"', ' s="17"']))
    text = draw(_TEXT).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    kind = draw(st.sampled_from(["empty", "number", "inline", "rich"]))
    if kind == "empty":
        return ref, f'<c r="{ref}"{s}/>'
    if kind == "number":
        return ref, f'<c r="{ref}"{s} t="n"><v>{draw(st.integers(-5, 10**6))}</v></c>'
    if kind == "inline":
        return ref, f'<c r="{ref}"{s} t="inlineStr"><is><t>{text}</t></is></c>'
    return ref, (f'<c r="{ref}"{s} t="inlineStr"><is><r><rPr><color rgb="FFFF0000"/><charset val="1"/></rPr>'
                 f"<t>{text}</t></r></is></c>")


@st.composite
def _row(draw: st.DrawFn) -> tuple[int, str]:
    r = draw(st.integers(1, 1_048_576))
    attrs = f' r="{r}"' + draw(st.sampled_from(["", ' spans="1:18"', ' ht="30" customHeight="1"', ' s="3" customFormat="1"']))
    cells = draw(st.lists(_cell(r), max_size=6))
    if not cells and draw(st.booleans()):
        return r, f"<row{attrs}/>"
    if draw(st.booleans()):  # another attribute first: only the cell pattern finds the reference
        cells = [(ref, xml.replace(f'<c r="{ref}"', f'<c t="n" r="{ref}"', 1).replace(' t="n" t=', " t=", 1))
                 for ref, xml in cells]
    return r, f"<row{attrs}>" + draw(st.sampled_from(["", "\n  "])).join(xml for _, xml in cells) + "</row>"


@settings(max_examples=300, deadline=None)
@given(st.lists(_row(), max_size=8), st.sampled_from(["", "\n", "  \r\n"]))
def test_rows_and_cells_are_found_as_the_patterns_find_them(made, gap):
    text = gap + gap.join(xml for _, xml in made) + gap
    plain = [(int(re.search(r'\br="(\d+)"', m.group(1)).group(1)), m.group(0)) for m in ROW.finditer(text)]
    assert list(rows(text)) == plain
    for _, xml in plain:
        m = ROW.fullmatch(xml)
        reference = Row(re.sub(r'\s+spans="[^"]*"', "", m.group(1)))
        for c in _CELL.finditer(m.group(3) or ""):
            reference.cells[column_index(_ATTR_R.search(c.group(1)).group(1))] = c.group(0)
        row = Row.of(xml)
        assert row.attrs == reference.attrs
        assert {col: re.sub(r"\s+$", "", x) for col, x in row.cells.items()} == \
            {col: x for col, x in reference.cells.items()}
        for col, x in reference.cells.items():
            found = _ATTR_S.search(x, 0, x.index(">") + 1)
            assert row.style(col) == cell_style(x) == (int(found.group(1)) if found else 0)


def test_a_row_element_is_not_taken_for_what_only_starts_like_one():
    text = '<row r="1"><c r="A1" t="inlineStr"><is><t>&lt;row r="9"/&gt;</t></is></c></row><rowX r="2"/><row r="3"/>'
    assert [r for r, _ in rows(text)] == [r for r in (1, 3)]


def _reference_height(table: Table, row: list) -> float | None:
    """wrapped_height as first written: every wrapped text split into lines and counted."""
    lines = 1
    for c, value in zip(table.columns, row):
        if c.wrap and value is not None:
            text = str(getattr(value, "text", value))
            per_line = max(1, int(c.width) - 1)
            lines = max(lines, sum(max(1, -(-len(part) // per_line)) for part in text.split("\n")))
    return 15.0 * lines + 2 if lines > 1 else None


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.floats(1, 60)), min_size=1, max_size=5),
       st.lists(st.one_of(st.none(), st.integers(), st.text(alphabet="ab \n", max_size=150)), max_size=7))
def test_row_heights_count_what_wrapped_height_counted(columns, row):
    table = Table("T", "T", tuple(Column(f"k{i}", f"K{i}", width=w, wrap=wrap) for i, (wrap, w) in enumerate(columns)))
    assert row_heights(table)(row) == _reference_height(table, row)


def _reference_shape(vml, sid: int, z: int, row: int, col: int) -> None:
    """A note's VML shape built element by element, as the writer first did."""
    V, OFF, X = comments.V, comments.OFFICE, comments.X
    r, c = row - 1, col - 1
    shape = etree.SubElement(vml, f"{{{V}}}shape", id=f"_x0000_s{sid}", type="#_x0000_t202",
                             style=("position:absolute;margin-left:59.25pt;margin-top:1.5pt;width:225pt;"
                                    f"height:90pt;z-index:{z};visibility:hidden"), fillcolor="#ffffe1")
    shape.set(f"{{{OFF}}}insetmode", "auto")
    etree.SubElement(shape, f"{{{V}}}fill", color2="#ffffe1")
    etree.SubElement(shape, f"{{{V}}}shadow", on="t", color="black", obscured="t")
    etree.SubElement(shape, f"{{{V}}}path").set(f"{{{OFF}}}connecttype", "none")
    box = etree.SubElement(shape, f"{{{V}}}textbox", style="mso-direction-alt:auto")
    etree.SubElement(box, "div", style="text-align:left")
    data = etree.SubElement(shape, f"{{{X}}}ClientData", ObjectType="Note")
    etree.SubElement(data, f"{{{X}}}MoveWithCells")
    etree.SubElement(data, f"{{{X}}}SizeWithCells")
    etree.SubElement(data, f"{{{X}}}Anchor").text = f"{c + 1}, 15, {max(r - 1, 0)}, 10, {c + 4}, 15, {r + 4}, 4"
    etree.SubElement(data, f"{{{X}}}AutoFill").text = "False"
    etree.SubElement(data, f"{{{X}}}Row").text = str(r)
    etree.SubElement(data, f"{{{X}}}Column").text = str(c)


def test_notes_shapes_copied_from_the_first_equal_shapes_built_one_by_one(sample_master):
    with zipfile.ZipFile(sample_master) as zin:
        pkg = Package(zin)
        part = Book(pkg).parts[S.REKAP.sheet]
        xml = zin.read(part).decode("utf-8")
        notes = comments.Notes(pkg, part, Tail(xml[:xml.index("<sheetData")], xml[xml.index("</sheetData>"):]))
        notes.as_text = False  # the element way (a drawing in other namespaces), shapes copied
        cells = [(4, 12), (5, 2), (4, 12), (900, 30), (1, 1)]  # one written twice: its shape replaced
        for row, col in cells:
            notes.set(f"{get_column_letter(col)}{row}", f"catatan {row}", "kinerja")
        drawn = [el for el in notes.vml if el.tag == f"{{{comments.V}}}shape"]
        assert len(drawn) == len(set(cells))
        for shape in drawn:
            data = shape[-1]
            row, col = int(data[4].text) + 1, int(data[5].text) + 1
            z = int(re.search(r"z-index:(\d+)", shape.get("style")).group(1))
            alone = etree.fromstring(comments._NEW_VML.replace("{data}", "1"))
            _reference_shape(alone, int(shape.get("id").removeprefix("_x0000_s")), z, row, col)
            host = etree.fromstring(comments._NEW_VML.replace("{data}", "1"))
            host.append(copy.deepcopy(shape))
            assert etree.tostring(host) == etree.tostring(alone)


def test_members_deflated_in_the_background_are_the_members_written_in_order(tmp_path):
    parts = {f"xl/worksheets/sheet{n}.xml": (f"<row r='{n}'/>" * (n * 5000)).encode() for n in range(1, 6)}
    with zipfile.ZipFile(tmp_path / "a.zip", "w", zipfile.ZIP_DEFLATED) as zout, Deflating(zout, depth=2) as out:
        for name, data in parts.items():
            out.open(zipfile.ZipInfo(name))
            for i in range(0, len(data), 7000):
                out.write(data[i:i + 7000])
            out.close()
    with zipfile.ZipFile(tmp_path / "a.zip") as zin:
        assert zin.testzip() is None
        assert zin.namelist() == list(parts)
        assert {n: zin.read(n) for n in zin.namelist()} == parts


class _FullDisk(io.BytesIO):
    """A file that takes `room` bytes, then fails as a full disk does."""

    def __init__(self, room: int) -> None:
        super().__init__()
        self.room = room

    def write(self, data) -> int:
        if self.tell() + len(data) > self.room:
            raise OSError(errno.ENOSPC, "No space left on device")
        return super().write(data)


def test_a_failed_background_write_is_raised_to_the_writer_and_the_zip_still_closes():
    target = _FullDisk(20_000)
    data = bytes(range(256)) * 4000  # does not compress below the room
    with pytest.raises(OSError) as raised:
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout, Deflating(zout) as out:
            for n in range(3):
                out.open(zipfile.ZipInfo(f"part{n}.xml"))
                out.write(data)
                out.close()
    assert raised.value.errno == errno.ENOSPC


def test_the_notes_shapes_are_indexed_as_found_by_path():
    """A drawing with a button, a note without a row, an empty column, a note twice: the shapes
    found by walking the children are those ElementPath finds."""
    V, X = comments.V, comments.X
    notes = ['<x:ClientData ObjectType="Note"><x:Row>3</x:Row><x:Column>1</x:Column></x:ClientData>',
             '<x:ClientData ObjectType="Button"><x:Row>4</x:Row><x:Column>1</x:Column></x:ClientData>',
             '<x:ClientData ObjectType="Note"><x:Column>2</x:Column></x:ClientData>',
             '<x:ClientData ObjectType="Note"><x:Row>5</x:Row><x:Column/></x:ClientData>',
             '<x:ClientData ObjectType="Note"><!-- c --><x:Row>6</x:Row><x:Row>9</x:Row><x:Column>0</x:Column></x:ClientData>',
             '<v:textbox/>']
    shapes = "".join(f'<v:shape id="_x0000_s{1025 + n}">{body}</v:shape>' for n, body in enumerate(notes))
    vml = etree.fromstring(comments._NEW_VML.replace("{data}", "1").replace("</xml>", shapes + "</xml>"))
    notes_ = comments.Notes.__new__(comments.Notes)
    notes_.vml, notes_.shapes, notes_.next_id = vml, None, 1
    by_path = {}
    for shape in vml.iter(f"{{{V}}}shape"):
        data = shape.find(f"{{{X}}}ClientData")
        if data is not None and data.get("ObjectType") == "Note":
            try:
                by_path[(int(data.findtext(f"{{{X}}}Row")) + 1, int(data.findtext(f"{{{X}}}Column")) + 1)] = shape
            except (TypeError, ValueError):
                continue
    assert notes_._shapes() == by_path and list(by_path) == [(4, 2), (7, 1)]
    assert notes_.next_id == 1031


# A sheet as Excel leaves it with a staff note (B2), a threaded comment's note (C3) and a button
# sharing the notes' drawing; or a sheet without any.
_THREAD = "tc={6B2A1C4E-0000-4000-8000-000000000001}"
_EXCEL_PARTS = {
    "xl/worksheets/_rels/sheet1.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns='
        '"http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId2" Type='
        f'"{comments.COMMENTS_TYPE}" Target="../comments1.xml"/><Relationship Id="rId1" Type='
        f'"{comments.VML_TYPE}" Target="../drawings/vmlDrawing1.vml"/></Relationships>'),
    "xl/comments1.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<comments xmlns="http://schemas.openxmlformats.org'
        '/spreadsheetml/2006/main" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
        f'mc:Ignorable="xr"><authors><author>Staf</author><author>{_THREAD}</author></authors><commentList>'
        '<comment ref="B2" authorId="0" shapeId="0"><text><r><t>catatan staf &amp; lain</t></r></text></comment>'
        '<comment ref="C3" authorId="1" shapeId="0"><text><t>[Threaded comment]</t></text></comment>'
        '</commentList></comments>'),
    "xl/drawings/vmlDrawing1.vml": (
        '<xml xmlns:v="urn:schemas-microsoft-com:vml"\n xmlns:o="urn:schemas-microsoft-com:office:office"\n '
        'xmlns:x="urn:schemas-microsoft-com:office:excel">\n <o:shapelayout v:ext="edit">\n  <o:idmap v:ext="edit" '
        'data="1"/>\n </o:shapelayout><v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202"\n  '
        'path="m,l,21600r21600,l21600,xe">\n  <v:stroke joinstyle="miter"/>\n  <v:path gradientshapeok="t" '
        'o:connecttype="rect"/>\n </v:shapetype><v:shape id="_x0000_s1025" type="#_x0000_t202" style="visibility:'
        'hidden" fillcolor="#ffffe1" o:insetmode="auto">\n  <x:ClientData ObjectType="Note">\n   <x:Row>1</x:Row>'
        '\n   <x:Column>1</x:Column>\n  </x:ClientData>\n </v:shape><v:shape id="_x0000_s1026" type="#_x0000_t202">'
        '<x:ClientData ObjectType="Note"><x:Row>2</x:Row><x:Column>2</x:Column></x:ClientData></v:shape>'
        '<v:shape id="_x0000_s1027" type="#_x0000_t201"><x:ClientData ObjectType="Button"><x:Anchor>1, 0, 5, 0, 3, 0, '
        '7, 0</x:Anchor></x:ClientData></v:shape></xml>'),
}


def _sheet_package(excel: bool) -> tuple[bytes, str]:
    tail = '<legacyDrawing r:id="rId1"/></worksheet>' if excel else "</worksheet>"
    sheet = (f'<worksheet xmlns="{comments.MAIN}" xmlns:r="{comments.REL}"><sheetData><row r="1"/></sheetData>'
             + tail)
    types = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
             'content-types"><Default Extension="xml" ContentType="application/xml"/></Types>')
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", types)
        z.writestr("xl/worksheets/sheet1.xml", sheet)
        for name, data in (_EXCEL_PARTS.items() if excel else ()):
            z.writestr(name, data)
    return buf.getvalue(), sheet


_NOTE_TEXT = st.text(alphabet=st.sampled_from(list("ab &<>\"'\r\n\t]=é\x01\x0b")), max_size=20)
_NOTE_OPS = st.lists(st.one_of(
    st.tuples(st.just("set"), st.integers(1, 6), st.integers(1, 5), _NOTE_TEXT,
              st.sampled_from([AUTHOR, "Staf", "Sekretaris"])),
    st.tuples(st.just("remove"), st.sampled_from([AUTHOR, "Staf", _THREAD]))), max_size=14)


@settings(max_examples=200, deadline=None)
@given(_NOTE_OPS, st.booleans())
def test_notes_kept_as_text_are_written_as_the_elements_were(ops, excel):
    """New notes and their shapes kept as text (the fast way) give the bytes the element way gives:
    beside a staff note, a threaded comment and a button, or on a sheet without notes; notes
    replaced, set twice, removed by author, text with &, <, > and carriage returns."""
    written = []
    for as_text in (True, False):
        data, sheet = _sheet_package(excel)
        with zipfile.ZipFile(io.BytesIO(data)) as zin:
            pkg = Package(zin)
            tail = Tail(sheet[:sheet.index("<sheetData")], sheet[sheet.index("</sheetData>"):])
            notes = comments.Notes(pkg, "xl/worksheets/sheet1.xml", tail)
            notes.as_text = as_text
            for op in ops:
                if op[0] == "set":
                    _, row, col, text, author = op
                    notes.set(f"{get_column_letter(col)}{row}", text, author)
                else:
                    notes.remove(lambda r, c, a, gone=op[1]: a != gone)
            notes.finish()
            written.append((dict(pkg.changed()), tail.xml()))
            if as_text and ops and ops[-1][0] == "set" and not (excel and ops[-1][1:3] == (3, 3)):
                assert notes.new  # the last note set is kept as text (C3 holds the threaded comment)
    assert written[0] == written[1]
