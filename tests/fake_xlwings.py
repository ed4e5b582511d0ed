"""xlwings' Book / Sheet / Range surface over an openpyxl workbook, to run the Excel door on Linux.

Only the calls the project makes are implemented; each behaves as xlwings documents it
(2-D blocks for ranges, scalars for single cells, `options(ndim=2)`, notes, hyperlinks, colours).
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.hyperlink import Hyperlink


def _rc(ref) -> tuple[int, int]:
    if isinstance(ref, tuple):
        return ref
    letters, row = coordinate_from_string(ref)
    return row, column_index_from_string(letters)


def _as_typed(v):
    """What Excel makes of a string assigned to Range.Value without the text prefix: what it
    would make of the same typed input (a number, a date), as on an English-locale PC."""
    if not isinstance(v, str):
        return v
    try:
        return float(v.replace(",", ""))
    except ValueError:
        pass
    m = re.fullmatch(r"(\d{1,2})/(\d{1,2})(?:/(\d{4}))?", v.strip())
    if m and 1 <= int(m.group(1)) <= 12 and 1 <= int(m.group(2)) <= 31:
        return datetime(int(m.group(3) or 2026), int(m.group(1)), int(m.group(2)))
    return v


class Validation:
    """Range.api.Validation: Delete and Add(Type, AlertStyle, Operator, Formula1) of a list."""

    def __init__(self, rng: Range):
        self.rng = rng

    @property
    def _ref(self) -> str:
        r = self.rng
        return f"{get_column_letter(r.c1)}{r.r1}:{get_column_letter(r.c2)}{r.r2}"

    def Delete(self) -> None:  # noqa: N802 - Excel's names
        ws, target = self.rng.sheet.ws, CellRange(self._ref)
        ws.data_validations.dataValidation = [
            dv for dv in ws.data_validations.dataValidation
            if all(target.isdisjoint(CellRange(str(x))) for x in dv.sqref.ranges)]

    def Add(self, Type, AlertStyle=1, Operator=1, Formula1=None):  # noqa: N802,N803
        assert Type == 3, "only list validations are made through Excel"
        if not str(Formula1).startswith("="):  # a literal: split with the PC's list separator
            Formula1 = '"' + ",".join(str(Formula1).split(self.rng.sheet.book.list_separator)) + '"'
        else:
            Formula1 = Formula1[1:]
        dv = DataValidation(type="list", formula1=Formula1, allow_blank=True)
        self.rng.sheet.ws.add_data_validation(dv)
        dv.add(self._ref)


class RangeApi:
    def __init__(self, rng: Range):
        self.Validation = Validation(rng)
        self.rng = rng

    def AutoFilter(self) -> None:  # noqa: N802
        self.rng.sheet.ws.auto_filter.ref = Validation(self.rng)._ref


class PageSetup:
    """Worksheet.PageSetup as Excel's object model has it (points, '$1:$3', '&8 text'), kept in
    the openpyxl sheet's print settings."""

    _SIDES = {"LeftHeader": ("oddHeader", "left"), "CenterHeader": ("oddHeader", "center"),
              "RightHeader": ("oddHeader", "right"), "LeftFooter": ("oddFooter", "left"),
              "CenterFooter": ("oddFooter", "center"), "RightFooter": ("oddFooter", "right")}

    def __init__(self, ws):
        object.__setattr__(self, "ws", ws)

    def __getattr__(self, name):
        if name in self._SIDES:
            part, side = self._SIDES[name]
            item = getattr(getattr(self.ws, part), side)
            return (f"&{item.size} " if item.size else "") + (item.text or "") if item.text else ""
        raise AttributeError(name)

    def __setattr__(self, name, value):  # noqa: C901 - one branch per property
        ws = self.ws
        if name in self._SIDES:
            part, side = self._SIDES[name]
            item = getattr(getattr(ws, part), side)
            m = re.match(r"&(\d+) ?", value or "")
            item.size, item.text = (int(m.group(1)), value[m.end():]) if m else (None, value or None)
        elif name == "PaperSize":
            ws.page_setup.paperSize = value
        elif name == "Orientation":
            ws.page_setup.orientation = "landscape" if value == 2 else "portrait"
        elif name == "Zoom":
            ws.sheet_properties.pageSetUpPr.fitToPage = value is False
        elif name == "FitToPagesWide":
            ws.page_setup.fitToWidth = value
        elif name == "FitToPagesTall":
            ws.page_setup.fitToHeight = 0 if value is False else value
        elif name == "CenterHorizontally":
            ws.print_options.horizontalCentered = value
        elif name in ("LeftMargin", "RightMargin", "TopMargin", "BottomMargin", "HeaderMargin", "FooterMargin"):
            setattr(ws.page_margins, name[:-6].lower(), value / 72)
        elif name == "PrintTitleRows":
            ws.print_title_rows = value.replace("$", "")
        elif name == "PrintTitleColumns":
            ws.print_title_cols = value.replace("$", "")
        elif name == "PrintArea":
            ws.print_area = value
        else:
            raise AttributeError(name)


class Series:
    """Chart.SeriesCollection(j): its SERIES formula, read and written."""

    def __init__(self, series, order: int):
        self.series, self.order = series, order

    @property
    def Formula(self) -> str:  # noqa: N802
        s = self.series
        tx = s.tx.strRef.f if s.tx and s.tx.strRef else ""
        cat = (s.cat.numRef or s.cat.strRef).f if s.cat else ""
        return f"=SERIES({tx},{cat},{s.val.numRef.f},{self.order})"

    @Formula.setter
    def Formula(self, value: str) -> None:  # noqa: N802
        tx, cat, val, _ = value[len("=SERIES("):-1].split(",")
        s = self.series
        if tx:
            s.tx.strRef.f = tx
        if cat:
            (s.cat.numRef or s.cat.strRef).f = cat
        s.val.numRef.f = val


class Collection:
    """A COM collection: Count and Item(i), 1-based."""

    def __init__(self, items):
        self.items = items

    @property
    def Count(self) -> int:  # noqa: N802
        return len(self.items)

    def Item(self, i: int):  # noqa: N802
        return self.items[i - 1]


class ChartObject:
    def __init__(self, chart):
        self.Chart = self
        self.chart = chart

    def SeriesCollection(self) -> Collection:  # noqa: N802
        return Collection([Series(s, j) for j, s in enumerate(self.chart.series, 1)])


class SheetApi:
    """Sheet.api: protection, the filter buttons, page setup and charts, as Excel's Worksheet
    object has them."""

    def __init__(self, sheet: Sheet):
        self.sheet = sheet

    @property
    def PageSetup(self) -> PageSetup:  # noqa: N802
        return PageSetup(self.sheet.ws)

    def ChartObjects(self) -> Collection:  # noqa: N802
        return Collection([ChartObject(c) for c in self.sheet.ws._charts])

    @property
    def ProtectContents(self) -> bool:  # noqa: N802
        return bool(self.sheet.ws.protection.sheet)

    def Unprotect(self) -> None:  # noqa: N802
        self.sheet.ws.protection.sheet = False

    def Protect(self, DrawingObjects=True, Contents=True, **_) -> None:  # noqa: N802,N803
        self.sheet.ws.protection.sheet = Contents
        self.sheet.ws.protection.objects = DrawingObjects

    @property
    def AutoFilterMode(self) -> bool:  # noqa: N802
        return bool(self.sheet.ws.auto_filter.ref)

    @AutoFilterMode.setter
    def AutoFilterMode(self, value: bool) -> None:  # noqa: N802
        if not value:
            self.sheet.ws.auto_filter.ref = None

    def Range(self, ref: str) -> RangeApi:  # noqa: N802
        a, _, b = ref.partition(":")
        return RangeApi(Range(self.sheet, a, b or None))


class Cell:
    def __init__(self, row: int, column: int):
        self.row, self.column = row, column


class Note:
    def __init__(self, cell):
        self._cell = cell

    @property
    def text(self) -> str:
        return self._cell.comment.text

    def delete(self) -> None:
        self._cell.comment = None

    @property
    def location(self):
        return Cell(self._cell.row, self._cell.column)


class Range:
    wrap_text = False  # set by the live writer; not read back by these tests
    row_height = None

    def __init__(self, sheet: Sheet, a, b=None):
        self.sheet = sheet
        self.r1, self.c1 = _rc(a)
        self.r2, self.c2 = _rc(b) if b is not None else (self.r1, self.c1)
        self._ndim = None

    def options(self, ndim=None, **_):
        self._ndim = ndim
        return self

    def _cells(self):
        ws = self.sheet.ws
        return [[ws.cell(r, c) for c in range(self.c1, self.c2 + 1)] for r in range(self.r1, self.r2 + 1)]

    @property
    def value(self):
        block = [[c.value for c in row] for row in self._cells()]
        if self._ndim == 2:
            return block
        if len(block) == 1 and len(block[0]) == 1:
            return block[0][0]
        if len(block) == 1:
            return block[0]
        if all(len(r) == 1 for r in block):
            return [r[0] for r in block]
        return block

    @value.setter
    def value(self, data) -> None:
        ws = self.sheet.ws
        if not isinstance(data, (list, tuple)):
            data = [[data]]
        elif data and not isinstance(data[0], (list, tuple)):
            data = [list(data)]
        for i, row in enumerate(data):
            for j, v in enumerate(row):
                if isinstance(v, str) and v.startswith("'"):
                    v = v[1:]  # Excel's text prefix: stored as text
                    cell = ws.cell(self.r1 + i, self.c1 + j)
                    cell.value = v
                    cell.data_type = "s"
                    continue
                if isinstance(v, str) and v.startswith("="):
                    ws.cell(self.r1 + i, self.c1 + j).value = v  # Excel would parse a formula
                    continue
                ws.cell(self.r1 + i, self.c1 + j).value = _as_typed(v)
        self.sheet.book.calls.append(("value", self.sheet.name, (self.r1, self.c1), len(data)))

    @property
    def color(self):
        fill = self.sheet.ws.cell(self.r1, self.c1).fill
        return fill.fgColor.rgb if fill.fill_type else None

    @color.setter
    def color(self, value) -> None:
        for row in self._cells():
            for c in row:
                c.fill = PatternFill(fill_type=None) if value is None else PatternFill("solid", fgColor=value.lstrip("#"))

    @property
    def api(self) -> RangeApi:
        return RangeApi(self)

    @property
    def row(self) -> int:
        return self.r1

    @property
    def column(self) -> int:
        return self.c1

    def clear_contents(self) -> None:
        for row in self._cells():
            for c in row:
                c.value = None

    def add_hyperlink(self, address: str, text_to_display: str | None = None, screen_tip=None) -> None:
        c = self.sheet.ws.cell(self.r1, self.c1)
        c.value = text_to_display or address
        if address.startswith("#"):
            c.hyperlink = Hyperlink(ref=c.coordinate, location=address[1:])
        else:
            c.hyperlink = address

    @property
    def note(self):
        c = self.sheet.ws.cell(self.r1, self.c1)
        return Note(c) if c.comment is not None else None

    def add_note(self, text: str):
        c = self.sheet.ws.cell(self.r1, self.c1)
        if c.comment is not None:
            raise ValueError("cell already has a note")
        c.comment = Comment(text, "xlwings")
        return Note(c)

    @property
    def last_cell(self):
        return Cell(self.r2, self.c2)

    def select(self) -> None:
        self.sheet.book.selection = self


class Sheet:
    def __init__(self, book: Book, ws):
        self.book, self.ws = book, ws

    @property
    def name(self) -> str:
        return self.ws.title

    def range(self, a, b=None) -> Range:
        return Range(self, a, b)

    @property
    def api(self) -> SheetApi:
        return SheetApi(self)

    @property
    def visible(self) -> bool:
        return self.ws.sheet_state == "visible"

    @visible.setter
    def visible(self, value: bool) -> None:
        self.ws.sheet_state = "visible" if value else "hidden"

    def __getitem__(self, ref) -> Range:
        return Range(self, ref)

    @property
    def used_range(self) -> Range:
        return Range(self, (1, 1), (max(self.ws.max_row, 1), max(self.ws.max_column, 1)))

    @property
    def notes(self):
        return [Note(c) for row in self.ws.iter_rows() for c in row if c.comment is not None]

    def activate(self) -> None:
        self.book.active_sheet = self.name


class Sheets:
    def __init__(self, book: Book):
        self.book = book

    def __iter__(self):
        return iter([Sheet(self.book, ws) for ws in self.book.wb.worksheets])

    def __len__(self) -> int:
        return len(self.book.wb.worksheets)

    def __getitem__(self, key):
        if isinstance(key, int):
            return Sheet(self.book, self.book.wb.worksheets[key])
        return Sheet(self.book, self.book.wb[key])

    def add(self, name=None, before=None, after=None) -> Sheet:
        ws = self.book.wb.create_sheet(name)
        return Sheet(self.book, ws)

    @property
    def active(self) -> Sheet:
        return self[self.book.active_sheet] if self.book.active_sheet else self[0]


class App:
    def __init__(self):
        self.alerts: list[tuple[str, str]] = []
        self.status_bar = None
        self.screen_updating = True

    def alert(self, prompt, title=None, buttons="ok", mode=None, callback=None):
        self.alerts.append((title or "", prompt))
        return "ok"


class Book:
    """An open workbook: changes stay in memory until `save_as` (as in Excel, unsaved)."""

    def __init__(self, path: Path):
        self.fullname = str(path)
        self.wb = load_workbook(path, keep_vba=str(path).lower().endswith(".xlsm"))
        self.sheets = Sheets(self)
        self.app = App()
        self.calls: list[tuple] = []
        self.active_sheet: str | None = None
        self.selection = None
        self.list_separator = ";"  # as on an Indonesian-locale PC

    @property
    def name(self) -> str:
        return Path(self.fullname).name

    def save_as(self, path: Path) -> None:
        self.wb.save(path)

    def save(self) -> None:
        """Excel's own save of the open book to its file."""
        self.wb.save(self.fullname)
