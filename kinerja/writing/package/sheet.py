"""Applying `WorkbookWrites` to an .xlsx/.xlsm package without loading the workbook.

`writes.write_file` used to load the whole master with openpyxl, apply the writes and save it
again: on an office of a thousand units (50,000 indicators, a thousand unit sheets) that is a
minute of parsing and re-serialising sheets nobody touched. Here only the parts that change are
rewritten: the sheets named in the writes (as XML text, row by row), styles.xml when a new
cell format is needed, workbook.xml for the active sheet; every other part is copied as stored,
compressed bytes and all.

The result equals what openpyxl would write, cell for cell: plain strings stay text (inline
strings), `Formula` is the only formula, numbers as openpyxl formats them, dates as serial
numbers with the same number formats (a table column's format, 'dd/mm/yyyy hh:mm' for
datetimes, else openpyxl's defaults), the input fill on input columns, an existing cell's style
kept. Replaced rows are removed whole. Like openpyxl, the calculation chain is dropped and Excel
recalculates on opening.

What this writer does not do raises `Unsupported` before anything is written, and the caller
falls back to openpyxl: creating a sheet, highlights and notes (marks), dropdowns, sheet
protection, hyperlinks, replacing rows of a sheet that has notes, hyperlinks or Excel tables,
cells holding shared or array formulas, workbooks with prefixed XML, encrypted packages.
"""

from __future__ import annotations

import copy
import heapq
import re
import shutil
import struct
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from math import isfinite, isinf, isnan
from pathlib import Path
from typing import IO, Any
from xml.sax.saxutils import escape

from openpyxl.styles.numbers import BUILTIN_FORMATS, BUILTIN_FORMATS_REVERSE, is_date_format
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, to_excel

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CONTENT_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
AUTO_FORMATS = {datetime: "yyyy-mm-dd h:mm:ss", date: "yyyy-mm-dd", time: "h:mm:ss"}  # openpyxl's
MAX_TEXT = 32767
CHUNK = 1 << 20
COMPRESS_LEVEL = 1  # the parts rewritten: fast deflate (a large rekap compresses 3x faster)

ROW = re.compile(r"<row\b([^>]*?)(/>|>(.*?)</row>)", re.S)
_CELL = re.compile(r"<c\b([^>]*?)(/>|>(.*?)</c>)", re.S)
_ATTR_R = re.compile(r'\br="([A-Z]*)(\d+)"')
_ATTR_S = re.compile(r'\bs="(\d+)"')
_SPANS = re.compile(r'\s+spans="[^"]*"')
_HAS_VALUE = re.compile(r"<v>[^<]|<is>|<f[ >/]")
_SHEET_VIEW = re.compile(r"<sheetView\b[^>]*>")
_TAB_SELECTED = re.compile(r'\s+tabSelected="([^"]*)"')


class Unsupported(Exception):
    """This change needs the openpyxl writer."""


# ----------------------------------------------------------------------------------- entry


def patch_file(src: Path, dst: Path, writes: Any) -> None:
    """Write `src` with `writes` applied to `dst` (a new file). Raises Unsupported (nothing
    useful written to `dst`) when the writes or the package need the openpyxl writer."""
    _check_writes(writes)
    with zipfile.ZipFile(src) as zin:
        book = Book(zin)
        parts: dict[str, list[Any]] = {}  # sheet part -> its writes, in order
        for sw in writes.sheets:
            if sw.sheet not in book.parts:
                raise Unsupported(f"sheet {sw.sheet!r} does not exist")
            parts.setdefault(book.parts[sw.sheet], []).append(sw)
        selected = writes.selected
        if selected is not None:
            book.select(selected)
        with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL) as zout:
            for info in zin.infolist():
                name = info.filename
                if name in book.dropped:
                    continue
                if name in parts:
                    _write_sheet(zin, zout, info, parts[name], book)
                elif name in book.worksheets and selected is not None:
                    _write_selection(zin, zout, info, name == book.selected_part)
                elif name not in book.rewritten:
                    copy_member(zin, zout, info)
            for name, data in book.finish().items():  # styles, workbook, rels, content types
                zout.writestr(member_info(zin.getinfo(name)), data)


def _check_writes(writes: Any) -> None:
    from kinerja.writes import Link

    for sw in writes.sheets:
        if sw.marks or sw.clear_marks or sw.choices or sw.protect is not None:
            raise Unsupported("marks, dropdowns or sheet protection")
        for rows in (sw.rows or [], sw.append, [sw.cells.values()]):
            for row in rows:
                if Link in set(map(type, row)):
                    raise Unsupported("hyperlink")


# ----------------------------------------------------------------------------------- the book


def _xml(data: bytes) -> Any:
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False,
                             remove_blank_text=False)
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as e:
        raise Unsupported(f"unreadable XML ({e})") from None


def _serialize(root: Any) -> bytes:
    from lxml import etree

    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


class Book:
    """workbook.xml, its relationships and the styles: read once, written when changed."""

    def __init__(self, zin: zipfile.ZipFile) -> None:
        self.zin = zin
        names = set(zin.namelist())
        if any(i.flag_bits & 0x1 for i in zin.infolist()):
            raise Unsupported("encrypted package")
        wb_path = self._office_document(names)
        self.wb_path = wb_path
        folder = wb_path.rsplit("/", 1)[0] + "/" if "/" in wb_path else ""
        rels_path = f"{folder}_rels/{wb_path.rsplit('/', 1)[-1]}.rels"
        self.wb = _xml(zin.read(wb_path))
        if self.wb.tag != f"{{{MAIN}}}workbook":
            raise Unsupported("not a SpreadsheetML workbook")
        self.rels_path, self.rels = rels_path, _xml(zin.read(rels_path))
        targets: dict[str, tuple[str, str]] = {}
        for rel in self.rels:
            targets[rel.get("Id")] = (rel.get("Type", "").rsplit("/", 1)[-1], _resolve(folder, rel.get("Target", "")))
        self.parts: dict[str, str] = {}  # sheet name -> part
        self.order: list[str] = []
        for sheet in self.wb.iter(f"{{{MAIN}}}sheet"):
            kind, target = targets.get(sheet.get(f"{{{REL}}}id"), ("", ""))
            if kind == "worksheet" and target in names:
                self.parts[sheet.get("name")] = target
            self.order.append(sheet.get("name"))
        self.worksheets = set(self.parts.values())
        styles = next((t for k, t in targets.values() if k == "styles"), None)
        if styles is None or styles not in names:
            raise Unsupported("no styles part")
        self.styles = _Styles(_xml(zin.read(styles)), styles)
        pr = self.wb.find(f"{{{MAIN}}}workbookPr")
        mac = pr is not None and pr.get("date1904") in ("1", "true")
        self.epoch = CALENDAR_MAC_1904 if mac else CALENDAR_WINDOWS_1900
        self.calc_chain = next((t for k, t in targets.values() if k == "calcChain"), None)
        self.dropped = {self.calc_chain} if self.calc_chain in names else set()
        self.selected_part: str | None = None
        self.rewritten = {wb_path, styles, rels_path, "[Content_Types].xml"}

    def _office_document(self, names: set[str]) -> str:
        root = _xml(self.zin.read("_rels/.rels"))
        for rel in root:
            if rel.get("Type", "").endswith("/officeDocument"):
                path = rel.get("Target", "").lstrip("/")
                if path in names:
                    return path
        raise Unsupported("no workbook part")

    def select(self, name: str) -> None:
        view = self.wb.find(f"{{{MAIN}}}bookViews/{{{MAIN}}}workbookView")
        if view is None:
            raise Unsupported("no workbook view")
        view.set("activeTab", str(self.order.index(name)))
        self.selected_part = self.parts[name]

    def finish(self) -> dict[str, bytes]:
        """The changed package parts (and the unchanged ones this writer re-emits)."""
        out: dict[str, bytes] = {}
        calc = self.wb.find(f"{{{MAIN}}}calcPr")
        if calc is None:  # as openpyxl: Excel recalculates every formula when the file opens
            from lxml import etree

            calc = etree.SubElement(self.wb, f"{{{MAIN}}}calcPr")
            _place_calc_pr(self.wb, calc)
        calc.set("fullCalcOnLoad", "1")
        out[self.wb_path] = _serialize(self.wb)
        out[self.styles.path] = self.styles.serialize() if self.styles.changed else self.zin.read(self.styles.path)
        if self.dropped:
            for rel in list(self.rels):
                if self.calc_chain and rel.get("Type", "").endswith("/calcChain"):
                    self.rels.remove(rel)
            types = _xml(self.zin.read("[Content_Types].xml"))
            for el in list(types):
                if el.get("PartName", "").lstrip("/") in self.dropped:
                    types.remove(el)
            out["[Content_Types].xml"] = _serialize(types)
            out[self.rels_path] = _serialize(self.rels)
        else:
            out["[Content_Types].xml"] = self.zin.read("[Content_Types].xml")
            out[self.rels_path] = self.zin.read(self.rels_path)
        return out


def _place_calc_pr(wb: Any, calc: Any) -> None:
    """calcPr comes after definedNames (schema order) and before oleSize/customWorkbookViews/..."""
    later = {"oleSize", "customWorkbookViews", "pivotCaches", "smartTagPr", "smartTagTypes",
             "webPublishing", "fileRecoveryPr", "webPublishObjects", "extLst"}
    wb.remove(calc)
    for i, el in enumerate(wb):
        if isinstance(el.tag, str) and el.tag.rsplit("}", 1)[-1] in later:
            wb.insert(i, calc)
            return
    wb.append(calc)


def _resolve(folder: str, target: str) -> str:
    if target.startswith("/"):
        return target[1:]
    parts: list[str] = []
    for p in (folder + target).split("/"):
        if p == "..":
            if parts:
                parts.pop()
        elif p and p != ".":
            parts.append(p)
    return "/".join(parts)


# ----------------------------------------------------------------------------------- styles


class _Styles:
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
        from lxml import etree

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
        from lxml import etree

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
        from lxml import etree

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
        return _serialize(self.root)


# ----------------------------------------------------------------------------------- cells


class Cells:
    """<c> elements as openpyxl writes values (see writes.set_value and writes.write_rows),
    with the style each one gets; styles are derived once per (base, value type, column)."""

    def __init__(self, styles: _Styles, epoch: datetime, columns: list[tuple[str | None, str | None]]) -> None:
        self.styles, self.epoch, self.columns = styles, epoch, columns
        self.cache: dict[tuple[int, type, int], str] = {}
        self.texts: dict[str, str] = {}  # text -> its <is> element (names, units, labels recur)

    def style(self, value: Any, base: int, column: int) -> str:
        """' s="N"' (or '') for `value` written over style `base`; `column` (0-based) picks the
        table column's format and fill, -1 for a single cell (only the date rule applies)."""
        key = (base, type(value), column)
        attr = self.cache.get(key)
        if attr is None:
            spec = self.columns[column] if 0 <= column < len(self.columns) else None
            index = value_style(value, base, self.styles, spec)
            attr = self.cache[key] = f' s="{index}"' if index else ""
        return attr

    def xml(self, ref: str, value: Any, s: str) -> str:
        t = type(value)
        if t is float or t is int:
            if t is float and (isnan(value) or isinf(value)):
                return f'<c r="{ref}"{s} t="n"><v></v></c>'
            return f'<c r="{ref}"{s} t="n"><v>{value:.16g}</v></c>'
        if t is str:
            inner = self.texts.get(value)
            if inner is None:
                inner = _inline(value)
                if len(self.texts) < 100_000:
                    self.texts[value] = inner
            return f'<c r="{ref}"{s} t="inlineStr"{inner}'
        if value is None:
            return f'<c r="{ref}"{s}/>'
        return self._other(ref, value, s)

    def _other(self, ref: str, value: Any, s: str) -> str:
        from kinerja.writes import Formula

        if isinstance(value, Formula):
            if len(value.text) > 1 and value.text.startswith("="):
                return f'<c r="{ref}"{s}><f>{escape(value.text[1:])}</f><v></v></c>'
            return _text_cell(ref, value.text, s)  # openpyxl takes text without '=' as text
        if isinstance(value, bool):
            return f'<c r="{ref}"{s} t="b"><v>{int(value)}</v></c>'
        if isinstance(value, str):
            return _text_cell(ref, str(value), s)
        if isinstance(value, (int, float)):
            return self.xml(ref, float(value) if isinstance(value, float) else int(value), s)
        if isinstance(value, (datetime, date, time)):
            if getattr(value, "tzinfo", None) is not None:
                raise Unsupported("datetime with a time zone")
            return f'<c r="{ref}"{s} t="n"><v>{to_excel(value, self.epoch):.16g}</v></c>'
        raise Unsupported(f"value of type {type(value).__name__}")


def _text_cell(ref: str, value: str, s: str) -> str:
    return f'<c r="{ref}"{s} t="inlineStr"{_inline(value)}'


def _inline(value: str) -> str:
    """The rest of an inline-string cell after its attributes: '/>' or '><is>...</c>'."""
    from kinerja.writes import safe_text

    text = safe_text(value)[:MAX_TEXT]
    if not text:
        return "/>"
    space = ' xml:space="preserve"' if text[0].isspace() or text[-1].isspace() else ""
    if "&" in text or "<" in text or ">" in text:
        text = escape(text)
    return f"><is><t{space}>{text}</t></is></c>"


def _date_kind(value: Any) -> type | None:
    for t in (datetime, date, time):  # datetime before date: it is one
        if isinstance(value, t):
            return t
    if isinstance(value, timedelta):
        raise Unsupported("timedelta")
    return None


def value_style(value: Any, base: int, styles: _Styles, column: tuple[str | None, str | None] | None) -> int:
    """The style of a written cell, as openpyxl's set_value + write_rows leave it: a date gets
    openpyxl's default date format unless its format is one already; a table column's format
    and input fill (writes.write_rows) apply on top."""
    number_format: str | None = None
    kind = _date_kind(value)
    if kind is not None and not is_date_format(styles.code(base)):
        number_format = AUTO_FORMATS[kind]
    fill = None
    if column is not None:
        fmt, fill = column
        if fmt and not isinstance(value, str):
            number_format = fmt
        elif kind is datetime:
            number_format = "dd/mm/yyyy hh:mm"
        elif kind is date:
            number_format = "dd/mm/yyyy"
    return styles.derive(base, number_format, fill)


# ----------------------------------------------------------------------------------- sheets

_CELL_START = re.compile(r'<c r="([A-Z]{1,3})\d+"')
_REF = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d+)")
_COLUMNS: dict[str, int] = {}


def _column(letters: str) -> int:
    j = _COLUMNS.get(letters)
    if j is None:
        j = _COLUMNS[letters] = column_index_from_string(letters)
    return j


@dataclass
class Row:
    attrs: str  # attributes of <row>, without spans
    cells: dict[int, str] = field(default_factory=dict)  # column (1-based) -> <c> xml

    @classmethod
    def parse(cls, attrs: str, body: str | None) -> "Row":
        row = cls(_SPANS.sub("", attrs))
        body = body or ""
        starts = list(_CELL_START.finditer(body))
        if len(starts) == body.count("<c ") + body.count("<c>") + body.count("<c/"):
            # cells as Excel and openpyxl write them: the reference first, one after another
            bounds = [m.start() for m in starts] + [len(body)]
            for i, m in enumerate(starts):
                letters = m.group(1)
                col = _COLUMNS.get(letters) or _column(letters)
                row.cells[col] = body[bounds[i]:bounds[i + 1]].rstrip()
            return row
        for m in _CELL.finditer(body):
            ref = _ATTR_R.search(m.group(1))
            if ref is None or not ref.group(1):
                raise Unsupported("cell without a reference")
            row.cells[_column(ref.group(1))] = m.group(0)
        return row

    def style(self, col: int) -> int:
        xml = self.cells.get(col)
        if not xml:
            return 0
        m = _ATTR_S.search(xml, 0, xml.index(">") + 1)
        return int(m.group(1)) if m else 0

    def xml(self) -> str:
        if not self.cells:
            return f"<row{self.attrs}/>"
        return f"<row{self.attrs}>" + "".join(self.cells[c] for c in sorted(self.cells)) + "</row>"


def row_number(attrs: str) -> int:
    m = re.search(r'\br="(\d+)"', attrs)
    if m is None:
        raise Unsupported("row without a number")
    return int(m.group(1))


def _table_styles(sw: Any) -> list[tuple[str | None, str | None]]:
    from kinerja.writes import INPUT_FILL

    if not sw.table:
        return []
    return [(c.number_format, INPUT_FILL if c.input else None) for c in sw.table.columns]


def _write_sheet(zin: zipfile.ZipFile, zout: zipfile.ZipFile, info: zipfile.ZipInfo, writes: list[Any],
                 book: Book) -> None:
    """One sheet, with its writes applied in order (as writes.apply_to_workbook does): rows
    replaced (streamed out, never all held as text), appended, single cells set, its tab
    selected."""
    from kinerja.writes import FIRST_DATA_ROW

    replacing = [sw for sw in writes if sw.rows is not None]
    cut = min((sw.table.header_row + 1 if sw.table else FIRST_DATA_ROW) for sw in replacing) if replacing else None
    with zin.open(info) as src:
        head, rows_xml, tail = split_sheet(src, cut)
    if re.search(r"<\w+:sheetData", head):
        raise Unsupported("sheet with prefixed XML")
    if replacing and re.search(r"<(legacyDrawing|hyperlinks|tableParts)\b", tail):
        raise Unsupported("rows replaced on a sheet with notes, hyperlinks or tables")
    rows: dict[int, Any] = {}  # row -> the match as found, a Row being changed, or its xml
    for m in ROW.finditer(rows_xml):
        rows[row_number(m.group(1))] = m
    new: list[list[Any]] = []  # rows replaced from `start` on: made into xml (by `make`) as written
    start = 0
    make: Any = None
    letters: list[str] = []
    width = 0

    def grow(data: list[list[Any]]) -> None:
        nonlocal width
        width = max(width, max((len(v) for v in data), default=0))
        letters.extend(get_column_letter(j) for j in range(len(letters) + 1, width + 1))

    def parsed(r: int) -> Row:
        row = rows.get(r)
        if isinstance(row, Row):
            return row
        if row is None and start <= r < start + len(new):
            row = rows[r] = make(r, new[r - start])
        if row is None:
            made = Row(f' r="{r}"')
        else:
            m = ROW.fullmatch(row) if isinstance(row, str) else row
            assert m is not None
            made = Row.parse(m.group(1), m.group(3))
        rows[r] = made
        return made

    for sw in writes:
        first = sw.table.header_row + 1 if sw.table else FIRST_DATA_ROW
        cells = Cells(book.styles, book.epoch, _table_styles(sw))
        fresh = _fresh_rows(cells, letters)
        if sw.rows is not None:
            for r in range(start, min(start + len(new), first)):  # earlier new rows above this table
                rows.setdefault(r, make(r, new[r - start]))
            for r in [r for r in rows if r >= first]:
                del rows[r]
            new, start, make = sw.rows, first, fresh
            grow(new)
        if sw.append:
            grow(sw.append)
            filled = [i for i, v in enumerate(new) if any(x is not None for x in v)]
            last = max([r for r, row in rows.items() if r >= first and _has_value(row)]
                       + ([start + filled[-1]] if filled else []), default=first - 1)
            last = max(last, first - 1)
            for i, values in enumerate(sw.append):
                r = last + 1 + i
                if r not in rows and not start <= r < start + len(new):
                    rows[r] = fresh(r, values)
                    continue
                row = parsed(r)
                for j, value in enumerate(values):
                    _guard(row.cells.get(j + 1))
                    s = cells.style(value, row.style(j + 1), j)
                    if value is None and not s and j + 1 not in row.cells:
                        continue
                    row.cells[j + 1] = cells.xml(f"{letters[j]}{r}", value, s)
        for ref, value in sw.cells.items():
            m = _REF.fullmatch(ref)
            if m is None:
                raise Unsupported(f"cell reference {ref!r}")
            col_letters, r = m.group(1).upper(), int(m.group(2))
            col = _COLUMNS.get(col_letters) or _column(col_letters)
            row = parsed(r)
            _guard(row.cells.get(col))
            width = max(width, col)
            row.cells[col] = cells.xml(f"{col_letters}{r}", value, cells.style(value, row.style(col), -1))
    last_row = max(max(rows, default=0), start + len(new) - 1 if new else 0)
    head = _dimension(head, last_row, min(rows, default=start), width)
    if book.selected_part is not None:
        head = _set_tab_selected(head, info.filename == book.selected_part)
    order = heapq.merge(sorted(rows), range(start, start + len(new)))
    with zout.open(member_info(info), "w") as out:
        out.write(head.encode("utf-8"))
        buf: list[str] = []
        size, previous = 0, None
        for r in order:
            if r == previous:
                continue
            previous = r
            row = rows.get(r)
            if row is None:
                text = make(r, new[r - start])
            else:
                text = row if isinstance(row, str) else row.xml() if isinstance(row, Row) else row.group(0)
            buf.append(text)
            size += len(text)
            if size > CHUNK:
                out.write("".join(buf).encode("utf-8"))
                buf, size = [], 0
        out.write("".join(buf).encode("utf-8"))
        out.write(tail.encode("utf-8"))


def _fresh_rows(cells: Cells, letters: list[str]) -> Any:
    """A maker of new rows (nothing in them to keep, styles from the table only)."""
    styles: dict[tuple[int, type], str] = {}  # (column, value type) -> style attribute
    texts = cells.texts

    def fresh(r: int, values: list[Any]) -> str:
        out = []
        for j, value in enumerate(values):
            t = type(value)
            s = styles.get((j, t))
            if s is None:
                s = styles[(j, t)] = cells.style(value, 0, j)
            if t is str and value in texts:  # the common cells inline, as in Cells.xml
                out.append(f'<c r="{letters[j]}{r}"{s} t="inlineStr"{texts[value]}')
            elif t is float and isfinite(value):
                out.append(f'<c r="{letters[j]}{r}"{s} t="n"><v>{value:.16g}</v></c>')
            elif value is not None or s:
                out.append(cells.xml(f"{letters[j]}{r}", value, s))
        return f'<row r="{r}">' + "".join(out) + "</row>" if out else f'<row r="{r}"/>'

    return fresh


def _guard(cell: str | None) -> None:
    if cell and ('t="shared"' in cell or 't="array"' in cell):
        raise Unsupported("shared or array formula in a written cell")


def _has_value(row: Any) -> bool:
    text = row if isinstance(row, str) else row.xml() if isinstance(row, Row) else row.group(0)
    return bool(_HAS_VALUE.search(text))


def _dimension(head: str, last_row: int, first_row: int, width: int) -> str:
    """<dimension> fitted to the rows (all of them are known) and grown to the columns written
    (columns of rows not parsed keep the width the sheet declared)."""
    m = re.search(r'<dimension ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"\s*/>', head)
    if m is None or last_row == 0:
        return head
    top = min(first_row, int(m.group(2)))
    right = get_column_letter(max(_column(m.group(3) or m.group(1)), width))
    return head[:m.start()] + f'<dimension ref="{m.group(1)}{top}:{right}{last_row}"/>' + head[m.end():]


def _set_tab_selected(head: str, selected: bool) -> str:
    """The first sheetView marked selected or not (tabSelected="0" is the same as absent)."""
    m = _SHEET_VIEW.search(head)
    if m is None:
        return head
    tag = m.group(0)
    attr = _TAB_SELECTED.search(tag)
    if (attr is not None and attr.group(1) in ("1", "true")) == selected:
        return head
    tag = _TAB_SELECTED.sub("", tag)
    if selected:
        tag = tag.replace("<sheetView", '<sheetView tabSelected="1"', 1)
    return head[:m.start()] + tag + head[m.end():]


def split_sheet(src: IO[bytes], drop_from: int | None) -> tuple[str, str, str]:
    """(everything up to and including <sheetData>, the rows, </sheetData> and the rest).
    With `drop_from`, rows numbered from it on are skipped while streaming (never held)."""
    data = b""
    while b"<sheetData" not in data or data.find(b">", data.find(b"<sheetData")) < 0:
        chunk = src.read(CHUNK)
        if not chunk:
            break
        data += chunk
    start = data.find(b"<sheetData")
    if start < 0:
        raise Unsupported("no sheetData")
    end = data.find(b">", start) + 1
    head = data[:end]
    if head.endswith(b"/>"):  # <sheetData/>: no rows
        return head[:-2].decode("utf-8") + ">", "", "</sheetData>" + (data[end:] + src.read()).decode("utf-8")
    rest = data[end:]
    if drop_from is None:
        rest += src.read()
        close = rest.rfind(b"</sheetData>")
        if close < 0:
            raise Unsupported("unterminated sheetData")
        return head.decode("utf-8"), rest[:close].decode("utf-8"), rest[close:].decode("utf-8")
    kept: list[bytes] = []
    pattern = re.compile(rb'<row\b[^>]*?\br="(\d+)"')
    pos = 0
    while True:  # keep whole rows numbered below drop_from; stop at the first row to drop
        m = pattern.search(rest, pos)
        end = _row_end(rest, m.start()) if m is not None and int(m.group(1)) < drop_from else None
        if m is None or end == -1:
            close = rest.find(b"</sheetData>", pos) if m is None else -1
            if close >= 0:
                kept.append(rest[pos:close])
                return (head.decode("utf-8"), b"".join(kept).decode("utf-8"),
                        (rest[close:] + src.read()).decode("utf-8"))
            chunk = src.read(CHUNK)
            if not chunk:
                raise Unsupported("unterminated sheetData")
            rest, pos = rest[pos:] + chunk, 0
            continue
        if end is None:  # the first row to drop
            kept.append(rest[pos:m.start()])
            rest = rest[m.start():]
            break
        kept.append(rest[pos:end])
        pos = end
    tail = _skip_to(src, rest, b"</sheetData>")
    return head.decode("utf-8"), b"".join(kept).decode("utf-8"), tail.decode("utf-8")


def _row_end(data: bytes, start: int) -> int:
    gt = data.find(b">", start)
    if gt < 0:
        return -1
    if data[gt - 1:gt] == b"/":
        return gt + 1
    end = data.find(b"</row>", gt)
    return -1 if end < 0 else end + len(b"</row>")


def _skip_to(src: IO[bytes], data: bytes, marker: bytes) -> bytes:
    """Read on until `marker`; return it and everything after it."""
    while True:
        i = data.find(marker)
        if i >= 0:
            return data[i:] + src.read()
        keep = data[-len(marker):]
        chunk = src.read(CHUNK)
        if not chunk:
            raise Unsupported("unterminated sheetData")
        data = keep + chunk


def _write_selection(zin: zipfile.ZipFile, zout: zipfile.ZipFile, info: zipfile.ZipInfo,
                     selected: bool) -> None:
    """An untouched sheet whose tab selection changes: its head rewritten, the rest streamed."""
    with zin.open(info) as src:
        data = src.read(64 * 1024)
        cut = data.find(b"<sheetData")
        if cut < 0:  # a very long head: the whole part
            data += src.read()
            cut = data.find(b"<sheetData")
            if cut < 0:
                raise Unsupported("no sheetData")
        head = data[:cut].decode("utf-8")
        now = _set_tab_selected(head, selected)
        if now == head:
            src.close()
            copy_member(zin, zout, info)
            return
        with zout.open(member_info(info), "w") as out:
            out.write(now.encode("utf-8"))
            out.write(data[cut:])
            shutil.copyfileobj(src, out, CHUNK)


# ----------------------------------------------------------------------------------- zip


def member_info(info: zipfile.ZipInfo) -> zipfile.ZipInfo:
    new = zipfile.ZipInfo(info.filename, info.date_time)
    new.compress_type = zipfile.ZIP_DEFLATED
    new._compresslevel = COMPRESS_LEVEL  # type: ignore[attr-defined] # read by ZipFile.open(info, "w")
    new.external_attr = info.external_attr
    return new


def copy_member(zin: zipfile.ZipFile, zout: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Copy a member as stored (no decompressing); streamed through zipfile when the raw copy
    is not possible."""
    if not _copy_raw(zin, zout, info):
        with zin.open(info) as src, zout.open(member_info(info), "w") as out:
            shutil.copyfileobj(src, out, CHUNK)


def _copy_raw(zin: zipfile.ZipFile, zout: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    needed = ("fp", "filelist", "NameToInfo", "start_dir", "_lock", "_writing", "_seekable")
    if (info.flag_bits & 0x1 or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
            or not all(hasattr(zout, a) for a in needed) or not hasattr(zin, "fp")
            or not zout._seekable or zout._writing):
        return False
    fp = zin.fp
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
    with zout._lock:
        zout.fp.seek(zout.start_dir)
        new.header_offset = zout.fp.tell()
        zout.fp.write(new.FileHeader())
        left = info.compress_size
        while left > 0:
            chunk = fp.read(min(CHUNK, left))
            if not chunk:
                raise zipfile.BadZipFile(f"truncated member {info.filename}")
            zout.fp.write(chunk)
            left -= len(chunk)
        zout.start_dir = zout.fp.tell()
        zout.filelist.append(new)
        zout.NameToInfo[new.filename] = new
        zout._didModify = True
    return True

