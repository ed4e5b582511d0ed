"""Reading a spreadsheet with bounds: a sheet is never handed to python-calamine whole when a
value lies far outside its table.

python-calamine allocates every cell of a sheet's used range, from A1 to the last cell holding
a value: one value typed into XFD1048576 asks for 512 GiB and aborts the process, one at
A1048576 costs a gigabyte, and an .ods whose repeated row block follows LibreOffice's empty tail
as much. So before a package is read, the cells of each sheet are located from its XML (a
pattern scan, nothing allocated per empty cell): the sheet's table is the block of values that
starts at the top left and continues without a gap of more than `row_gap` rows (`col_gap`
columns), within `max_rows` x `max_cols` and at most `max_cells` cells in all. Values outside
it are "far": they are cut from the XML given to calamine and reported once per sheet
(`FarCells`: the first such cell and how many). An .xls or .xlsb cannot be cut: its far values
are only found (`far_cells_binary`), and the caller refuses the file.
"""

from __future__ import annotations

import html
import io
import re
import struct
import zipfile
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from kinerja.workbook.tables import column_letter

MB = 1024 * 1024


@dataclass(frozen=True)
class Bounds:
    max_rows: int
    max_cols: int
    max_cells: int  # rows x columns of the table calamine gets
    row_gap: int  # more blank rows than this end the table
    col_gap: int
    max_part: int = 50 * MB  # a sheet's XML, unzipped
    max_values: int = 500_000  # cells holding a value (or .ods blocks) in one sheet


# A form: a header at row 14, one row per indicator, about twenty columns.
FORM_BOUNDS = Bounds(max_rows=10_000, max_cols=256, max_cells=2_000_000, row_gap=1_000, col_gap=100)
# The master: tables grow with the office (300 units, history), a column per unit in Validasi.
MASTER_BOUNDS = Bounds(max_rows=1_048_576, max_cols=16_384, max_cells=5_000_000, row_gap=5_000,
                       col_gap=500, max_part=1024 * MB, max_values=10_000_000)


@dataclass
class FarCells:
    sheet: str
    cell: str  # the first far cell (by row, then column), e.g. 'XFD1048576'
    count: int


class TooLarge(Exception):
    """A sheet's XML is larger than `Bounds.max_part`, or holds more than `max_values` values."""


@dataclass
class Blocks:
    """Rectangles of cells holding values (1-based, inclusive): a cell is a 1x1 block; an .ods
    repeated cell or row a larger one."""

    r0: array
    r1: array
    c0: array
    c1: array

    @classmethod
    def new(cls) -> Blocks:
        return cls(array("I"), array("I"), array("I"), array("I"))

    def add(self, r0: int, r1: int, c0: int, c1: int) -> None:
        self.r0.append(r0)
        self.r1.append(r1)
        self.c0.append(c0)
        self.c1.append(c1)

    def __len__(self) -> int:
        return len(self.r0)


def extent(blocks: Blocks, b: Bounds) -> tuple[int, int]:
    """(rows, columns) of the sheet's table: see the module docstring."""
    rows = _walk(sorted(set(zip(blocks.r0, blocks.r1))), b.row_gap, b.max_rows)
    cols = _walk(sorted({(c0, c1) for r0, c0, c1 in zip(blocks.r0, blocks.c0, blocks.c1) if r0 <= rows}),
                 b.col_gap, b.max_cols)
    if rows * cols > b.max_cells:
        rows = max(1, b.max_cells // max(cols, 1))
    return rows, cols


def _walk(spans: list[tuple[int, int]], gap: int, most: int) -> int:
    end = 0
    for start, stop in spans:
        if start - end - 1 > gap or start > most:
            break
        end = max(end, min(stop, most))
    return end


def far_cells(sheet: str, blocks: Blocks, rows: int, cols: int) -> FarCells | None:
    count, first = 0, None
    for r0, r1, c0, c1 in zip(blocks.r0, blocks.r1, blocks.c0, blocks.c1):
        inside = max(0, min(r1, rows) - r0 + 1) * max(0, min(c1, cols) - c0 + 1)
        outside = (r1 - r0 + 1) * (c1 - c0 + 1) - inside
        if outside:
            count += outside
            at = (r0, c0) if r0 > rows or c0 > cols else (r0, cols + 1) if c1 > cols else (rows + 1, c0)
            first = at if first is None or at < first else first
    if not count:
        return None
    return FarCells(sheet, f"{column_letter(first[1])}{first[0]}", count)  # type: ignore[index]


# ----------------------------------------------------------------------------------- xlsx

_NS = rb"(?:[A-Za-z_][\w.-]*:)?"
_ROW = re.compile(rb"<" + _NS + rb"row(?=[\s/>])([^>]*?)(/>|>(.*?)</" + _NS + rb"row>)", re.S)
_CELL = re.compile(rb"<" + _NS + rb"c(?=[\s/>])([^>]*?)(/>|>(.*?)</" + _NS + rb"c>)", re.S)
_ROW_R = re.compile(rb'\br\s*=\s*"(\d+)"')
_CELL_R = re.compile(rb'\br\s*=\s*"\$?([A-Za-z]{1,3})\$?(\d+)"')
_DIMENSION = re.compile(rb'<' + _NS + rb'dimension\s+ref\s*=\s*"\$?([A-Za-z]{1,3})?\$?(\d+)?(?::\$?([A-Za-z]{1,3})\$?(\d+))?"')


def _col(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ch - 64
    return n


def _cells(xml: bytes) -> Iterator[tuple[re.Match, int, Iterator[tuple[re.Match, int, bool]]]]:
    """Each <row> (match, 1-based row) with its cells (match, 1-based column, holds a value);
    rows and cells without an 'r' follow the one before, as Excel reads them."""
    row = 0
    for m in _ROW.finditer(xml):
        r = _ROW_R.search(m.group(1))
        row = int(r.group(1)) if r else row + 1
        yield m, row, _row_cells(m.group(3) or b"")


def _row_cells(body: bytes) -> Iterator[tuple[re.Match, int, bool]]:
    col = 0
    for c in _CELL.finditer(body):
        r = _CELL_R.search(c.group(1))
        col = _col(r.group(1)) if r else col + 1
        yield c, col, bool(c.group(3) and c.group(3).strip())


_CELL_TAG = re.compile(rb"<" + _NS + rb"c[\s/>]")
_CELL_REF = re.compile(rb'<c r="([A-Z]{1,3})(\d+)"')  # as Excel, LibreOffice and openpyxl write a cell
_PREFIXED_CELL = re.compile(rb":c[\s/>]")


@lru_cache(maxsize=8)
def _odd_cell(b: Bounds) -> re.Pattern[bytes] | None:
    """A pattern finding the first cell tag that is not `<c r="..."` with a reference short
    enough to be near whatever it says (e.g. one letter and three digits: A1..Z999, when the
    bounds allow 1,001 rows and 101 columns); None when not even A1..Z9 is that near."""
    rows, cols = min(b.row_gap + 1, b.max_rows), min(b.col_gap + 1, b.max_cols)
    digits = len(str(rows + 1)) - 1  # the most digits every number of which is <= rows
    letters = 2 if cols >= 702 else 1 if cols >= 26 else 0  # Z = 26, ZZ = 702
    while digits and letters and (10 ** digits - 1) * (26 if letters == 1 else 702) > b.max_cells:
        digits -= 1
    if not digits or not letters:
        return None
    short = b'[A-Z]{1,%d}[0-9]{1,%d}"' % (letters, digits)
    return re.compile(rb'<c(?:[\t\n\r\f\v/>]| (?!r="' + short + rb"))")


def _near(xml: bytes, b: Bounds) -> bool:
    """Every cell of the sheet (value or not) is named by its 'r' and lies within so few rows
    and columns that no gap can end the table there and no bound is reached: nothing can be
    far, so the cell by cell scan (xlsx_blocks) is not needed. A quick look at the form-sized
    sheets every return holds; any other sheet is scanned.

    First a search that allocates nothing per cell (the common case, a form's sheet, is decided
    by it): no cell tag other than `<c r="` + a short reference (`_odd_cell`), none with a
    namespace prefix, and not more cells than `max_values`. Only when it finds one do the
    references get parsed one by one, as they always could be."""
    odd = _odd_cell(b)
    if (odd is not None and odd.search(xml) is None and _PREFIXED_CELL.search(xml) is None
            and xml.count(b'<c r="') <= b.max_values):
        return True
    return _near_by_refs(xml, b)


def _near_by_refs(xml: bytes, b: Bounds) -> bool:
    """_near from every cell's reference, parsed (the answer the quick look gives when it can)."""
    refs = _CELL_REF.findall(xml)
    if len(refs) != len(_CELL_TAG.findall(xml)) or len(refs) > b.max_values:
        return False  # a cell written otherwise or placed by its neighbour, or too many to tell quickly
    if not refs:
        return True
    rows = max(int(r) for _, r in refs)
    cols = max(_col(c) for c in {c for c, _ in refs})
    return (rows <= min(b.row_gap + 1, b.max_rows) and cols <= min(b.col_gap + 1, b.max_cols)
            and rows * cols <= b.max_cells)


def xlsx_blocks(xml: bytes) -> Blocks:
    blocks = Blocks.new()
    for _, row, cells in _cells(xml):
        for _, col, value in cells:
            if value:
                blocks.add(row, row, col, col)
    return blocks


def trim_xlsx(xml: bytes, rows: int, cols: int) -> bytes:
    """The sheet XML without the cells outside rows x cols (and a <dimension> to match)."""
    state = [0]  # the row number of the last <row>

    def row_sub(m: re.Match) -> bytes:
        r = _ROW_R.search(m.group(1))
        state[0] = int(r.group(1)) if r else state[0] + 1
        if state[0] > rows:
            return b""
        body = m.group(3)
        if not body:
            return m.group(0)
        col = [0]

        def cell_sub(c: re.Match) -> bytes:
            cr = _CELL_R.search(c.group(1))
            col[0] = _col(cr.group(1)) if cr else col[0] + 1
            return b"" if col[0] > cols else c.group(0)

        start = m.start(3) - m.start(0)
        return m.group(0)[:start] + _CELL.sub(cell_sub, body) + m.group(0)[start + len(body):]

    out = _ROW.sub(row_sub, xml)
    ref = f"A1:{column_letter(max(cols, 1))}{max(rows, 1)}".encode()
    return _DIMENSION.sub(lambda m: m.group(0)[:m.group(0).index(b'"') + 1] + ref + b'"', out, count=1)


def xlsx_dimension(xml_head: bytes) -> tuple[int, int] | None:
    """(rows, columns) the <dimension> of a sheet declares (from its first bytes), or None."""
    m = _DIMENSION.search(xml_head)
    if m is None:
        return None
    last_col, last_row = (m.group(3), m.group(4)) if m.group(3) else (m.group(1), m.group(2))
    if not last_col or not last_row:
        return None
    return int(last_row), _col(last_col)


# ----------------------------------------------------------------------------------- ods

_ODS_TOKEN = re.compile(
    rb"<(/?)table:(table-row|table-cell|covered-table-cell|table)(?=[\s/>])([^>]*?)(/?)>")
_ODS_ROWS = re.compile(rb'table:number-rows-repeated\s*=\s*"(\d+)"')
_ODS_COLS = re.compile(rb'table:number-columns-repeated\s*=\s*"(\d+)"')
_ODS_NAME = re.compile(rb'table:name\s*=\s*"([^"]*)"')
_ODS_VALUE = re.compile(rb"office:value-type\s*=")


def _ods_walk(xml: bytes) -> Iterator[tuple]:
    """('table', name) / ('row', match, row0, reps) / ('cell', match, row0, reps, col0, creps,
    has value, end of the element) / ('endrow', match) / ('endtable', match) in order."""
    row = col = 0
    reps = 1
    for m in _ODS_TOKEN.finditer(xml):
        closing, kind, attrs, empty = m.groups()
        if kind == b"table":
            if closing:
                yield ("endtable", m)
            elif not empty:
                name = _ODS_NAME.search(attrs)
                yield ("table", html.unescape(name.group(1).decode("utf-8", "replace")) if name else "", m)
                row = 0
        elif kind == b"table-row":
            if closing:
                yield ("endrow", m)
                row += reps
                continue
            r = _ODS_ROWS.search(attrs)
            reps = max(1, int(r.group(1))) if r else 1
            col = 0
            yield ("row", m, row, reps)
            if empty:
                row += reps
        elif not closing:  # a cell's start (or an empty cell)
            c = _ODS_COLS.search(attrs)
            creps = max(1, int(c.group(1))) if c else 1
            yield ("cell", m, row, reps, col, creps, bool(_ODS_VALUE.search(attrs)), bool(empty))
            col += creps


def ods_blocks(xml: bytes) -> dict[str, Blocks]:
    out: dict[str, Blocks] = {}
    blocks = Blocks.new()
    for t in _ods_walk(xml):
        if t[0] == "table":
            blocks = out.setdefault(t[1], Blocks.new())
        elif t[0] == "cell" and t[6]:
            _, _, row, reps, col, creps, _, _ = t
            blocks.add(row + 1, row + reps, col + 1, col + creps)
    return out


def clip_ods(xml: bytes, limits: dict[str, tuple[int, int]]) -> bytes:
    """content.xml with every table cut to its (rows, columns): rows and cells past them
    removed, repeat counts shortened."""
    out: list[bytes] = []
    pos = 0
    skip_rest_of_row = False  # inside a removed row
    rows = cols = 0
    for t in _ods_walk(xml):
        m = t[1] if t[0] != "table" else t[2]
        if skip_rest_of_row:
            if t[0] == "endrow":
                skip_rest_of_row, pos = False, m.end()
            continue
        if t[0] == "table":
            rows, cols = limits.get(t[1], (1 << 31, 1 << 31))
        elif t[0] == "row":
            _, m, row, reps = t
            if row >= rows:
                out.append(xml[pos:m.start()])
                if m.group(4):  # <table:table-row .../>
                    pos = m.end()
                else:
                    skip_rest_of_row = True
                continue
            if row + reps > rows:
                out.append(xml[pos:m.start()])
                out.append(_set_count(m.group(0), _ODS_ROWS, b"table:number-rows-repeated", rows - row))
                pos = m.end()
        elif t[0] == "cell":
            _, m, row, reps, col, creps, _, empty = t
            if col >= cols:
                out.append(xml[pos:m.start()])
                if empty:
                    pos = m.end()
                else:
                    pos = _cell_end(xml, m)
                continue
            if col + creps > cols:
                out.append(xml[pos:m.start()])
                out.append(_set_count(m.group(0), _ODS_COLS, b"table:number-columns-repeated", cols - col))
                pos = m.end()
    out.append(xml[pos:])
    return b"".join(out)


_CELL_END = re.compile(rb"</table:(?:table-cell|covered-table-cell)>")


def _cell_end(xml: bytes, m: re.Match) -> int:
    end = _CELL_END.search(xml, m.end())
    return end.end() if end else m.end()


def _set_count(tag: bytes, pattern: re.Pattern, name: bytes, n: int) -> bytes:
    return pattern.sub(name + b'="' + str(n).encode() + b'"', tag, count=1)


# ----------------------------------------------------------------------------------- packages


def bound_package(data: bytes, kind: str, parts: dict[str, str], b: Bounds,
                  read: Callable[[str, int], bytes]) -> tuple[bytes, list[FarCells]]:
    """The package (`data`, an .xlsx/.xlsm or .ods) with far cells cut, and what was cut.
    `parts`: sheet name -> its part (.xlsx); `read(name, limit)` a member's bytes. The package
    is rebuilt only when something is cut. Raises TooLarge."""
    far: list[FarCells] = []
    replace: dict[str, bytes] = {}
    if kind == "ods":
        xml = _read_part(read, "content.xml", b)
        limits = {}
        for sheet, blocks in ods_blocks(xml).items():
            _count(blocks, b, "content.xml")
            rows, cols = extent(blocks, b)
            limits[sheet] = (rows, cols)
            f = far_cells(sheet, blocks, rows, cols)
            if f:
                far.append(f)
        if far:
            replace["content.xml"] = clip_ods(xml, limits)
    else:
        for sheet, part in parts.items():
            xml = _read_part(read, part, b)
            if _near(xml, b):
                continue
            blocks = xlsx_blocks(xml)
            _count(blocks, b, part)
            rows, cols = extent(blocks, b)
            f = far_cells(sheet, blocks, rows, cols)
            if f:
                far.append(f)
                replace[part] = trim_xlsx(xml, rows, cols)
    if not replace:
        return data, far
    return repack(data, replace), far


def _count(blocks: Blocks, b: Bounds, part: str) -> None:
    if len(blocks) > b.max_values:
        raise TooLarge(part)


def _read_part(read: Callable[[str, int], bytes], name: str, b: Bounds) -> bytes:
    xml = read(name, b.max_part + 1)
    if len(xml) > b.max_part:
        raise TooLarge(name)
    return xml


def repack(data: bytes, replace: dict[str, bytes]) -> bytes:
    """A copy of the zip `data` with some members' bytes replaced (members kept in order)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        seen: set[str] = set()
        for info in src.infolist():
            if info.filename in seen:
                continue
            seen.add(info.filename)
            body = replace.get(info.filename)
            if body is None:
                body = src.read(info.filename)
            method = zipfile.ZIP_STORED if info.filename == "mimetype" else zipfile.ZIP_DEFLATED
            dst.writestr(info.filename, body, compress_type=method, compresslevel=1)
    return out.getvalue()


# ----------------------------------------------------------------------------------- binary


_BIFF_CELLS = {0x0203, 0x00FD, 0x027E, 0x0006, 0x0205, 0x0204, 0x00D6}  # NUMBER LABELSST RK FORMULA BOOLERR LABEL RSTRING
_BIFF_MULRK = 0x00BD


def xls_blocks(stream: bytes) -> Blocks:
    """Every value cell record of an .xls Workbook stream (all sheets together)."""
    blocks = Blocks.new()
    pos, n = 0, len(stream)
    while pos + 4 <= n:
        rid, size = struct.unpack_from("<HH", stream, pos)
        body = pos + 4
        if rid in _BIFF_CELLS and size >= 4:
            row, col = struct.unpack_from("<HH", stream, body)
            blocks.add(row + 1, row + 1, col + 1, col + 1)
        elif rid == _BIFF_MULRK and size >= 6:
            row, first = struct.unpack_from("<HH", stream, body)
            last = struct.unpack_from("<H", stream, body + size - 2)[0]
            if last >= first:
                blocks.add(row + 1, row + 1, first + 1, last + 1)
        pos = body + size
    return blocks


def _varint(data: bytes, pos: int, most: int) -> tuple[int, int]:
    value = shift = 0
    for _ in range(most):
        if pos >= len(data):
            raise ValueError("record")
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            break
    return value, pos


def xlsb_blocks(part: bytes) -> Blocks:
    """Every value cell of an .xlsb sheet part (BrtRowHdr gives the row, a cell record its
    column)."""
    blocks = Blocks.new()
    pos, row = 0, 0
    try:
        while pos < len(part):
            rid, pos = _varint(part, pos, 2)
            size, pos = _varint(part, pos, 4)
            if rid == 0 and size >= 4:  # BrtRowHdr
                row = struct.unpack_from("<I", part, pos)[0] + 1
            elif 2 <= rid <= 11 and size >= 4:  # value cells (BrtCellBlank is 1)
                col = struct.unpack_from("<I", part, pos)[0] + 1
                blocks.add(row, row, col, col)
            pos += size
    except (ValueError, struct.error):
        pass
    return blocks
