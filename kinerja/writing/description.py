"""What to write into the master, as plain data, and the two writers that apply it.

A stage returns `WorkbookWrites`; the CLI applies it to the file (openpyxl, atomic save with a
backup), the Excel ribbon to the open workbook (xlwings, whole 2-D blocks per call). Both read
the same description, so they cannot drift. Plain strings are always written as text, even
when they look like a formula; a `Formula` is the only way to write one.
"""

from __future__ import annotations

import gc
import os
import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from openpyxl import load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import coordinate_from_string, column_index_from_string
from openpyxl.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from kinerja.numbers import looks_like_formula
from kinerja.tables import FIRST_DATA_ROW, Table

# ----------------------------------------------------------------------------------- style

HEADER_FILL = "1F4E78"
INPUT_FILL = "FFF2CC"  # cells staff type into
TITLE_FONT = Font(bold=True, size=14, color="1F4E78")
HINT_FONT = Font(italic=True, size=9, color="595959")
HEADER_FONT = Font(bold=True, color="FFFFFF")
THIN = Side(style="thin", color="BFBFBF")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
SEVERITY_FILL = {"error": "F8CBAD", "warning": "FFE699", "info": "DDEBF7"}
AUTHOR = "kinerja"


@dataclass(frozen=True)
class Formula:
    """A deliberate Excel formula (text starting with '=')."""

    text: str


@dataclass(frozen=True)
class Link:
    """A hyperlink: internal ('#'Data PEM'!L5') or external (a URL or file path)."""

    text: str
    target: str


@dataclass
class Mark:
    """Highlight a cell and attach a note (validation)."""

    cell: str
    fill: str
    note: str = ""


@dataclass
class SheetWrite:
    sheet: str
    table: Table | None = None  # creates/styles the sheet from its description when missing
    rows: list[list[Any]] | None = None  # replace the data region below the header
    append: list[list[Any]] = field(default_factory=list)  # add after the last data row
    cells: dict[str, Any] = field(default_factory=dict)  # single cells, e.g. a summary block
    marks: list[Mark] = field(default_factory=list)
    clear_marks: bool = False  # remove fills/notes of earlier marks in the data region
    select: bool = False  # the sheet the user should look at afterwards
    choices: dict[str, list[str]] = field(default_factory=dict)  # range -> dropdown values
    protect: bool | None = None  # lock (True) / unlock (False) the sheet against edits; None: leave


@dataclass
class WorkbookWrites:
    sheets: list[SheetWrite] = field(default_factory=list)

    def sheet(self, name: str, table: Table | None = None) -> SheetWrite:
        for s in self.sheets:
            if s.sheet == name:
                return s
        s = SheetWrite(sheet=name, table=table)
        self.sheets.append(s)
        return s

    def extend(self, other: "WorkbookWrites") -> "WorkbookWrites":
        for s in other.sheets:
            self.sheets.append(s)
        return self

    @property
    def selected(self) -> str | None:
        return next((s.sheet for s in reversed(self.sheets) if s.select), None)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while millions of plain values are made (reading a
    large master, the returns, writing sheets): none of them form cycles, and the collector
    would otherwise walk them all again and again. Reference counting frees them as usual."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def safe_text(value: str) -> str:
    return ILLEGAL_CHARACTERS_RE.sub("", value)


# ----------------------------------------------------------------------------------- openpyxl


def set_value(cell: Any, value: Any) -> None:
    """Put a value in an openpyxl cell; strings always stay text."""
    if isinstance(value, Formula):
        cell.value = value.text
        return
    if isinstance(value, Link):
        cell.value = safe_text(value.text)
        cell.data_type = "s"
        cell.hyperlink = value.target if not value.target.startswith("#") else None
        if value.target.startswith("#"):
            from openpyxl.worksheet.hyperlink import Hyperlink

            cell.hyperlink = Hyperlink(ref=cell.coordinate, location=value.target[1:],
                                       display=value.text)
        cell.font = Font(color="0563C1", underline="single")
        return
    if isinstance(value, str):
        cell.value = safe_text(value)
        cell.data_type = "s"  # '=...' from a unit is text, never a formula
        return
    cell.value = value


def style_table(ws: Worksheet, table: Table) -> None:
    """Title, hint, header row, widths, frozen panes and filter for a table sheet."""
    h = table.header_row
    ws.cell(row=1, column=1, value=table.title).font = TITLE_FONT
    if table.hint:
        ws.cell(row=2, column=1, value=table.hint).font = HINT_FONT
    for j, col in enumerate(table.columns, 1):
        c = ws.cell(row=h, column=j, value=col.header)
        c.font = HEADER_FONT
        c.fill = PatternFill("solid", fgColor=HEADER_FILL)
        c.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        c.border = BORDER
        ws.column_dimensions[get_column_letter(j)].width = col.width
    ws.row_dimensions[h].height = 32
    ws.freeze_panes = ws.cell(row=h + 1, column=1)


def write_rows(ws: Worksheet, table: Table | None, rows: Iterable[list[Any]], start: int) -> int:
    """Write rows from `start`; returns the next free row. Styles by column description."""
    styles = []
    if table:
        for col in table.columns:
            fill = PatternFill("solid", fgColor=INPUT_FILL) if col.input else None
            styles.append((col.number_format, fill))
    r = start
    for row in rows:
        for j, value in enumerate(row, 1):
            cell = ws.cell(row=r, column=j)
            set_value(cell, value)
            if j <= len(styles):
                fmt, fill = styles[j - 1]
                if fmt and not isinstance(value, str):
                    cell.number_format = fmt
                elif isinstance(value, datetime):
                    cell.number_format = "dd/mm/yyyy hh:mm"
                elif isinstance(value, date):
                    cell.number_format = "dd/mm/yyyy"
                if fill is not None:
                    cell.fill = fill
        r += 1
    return r


def last_data_row(ws: Worksheet, first: int) -> int:
    """The last row at or after `first` holding any value (first - 1 when none)."""
    last = first - 1
    for row in ws.iter_rows(min_row=first, max_row=ws.max_row):
        if any(c.value is not None for c in row):
            last = row[0].row
    return last


def _clear_region(ws: Worksheet, first: int, ncols: int | None) -> None:
    if ws.max_row >= first:
        ws.delete_rows(first, ws.max_row - first + 1)


def _clear_marks(ws: Worksheet, table: Table | None, first: int) -> None:
    """Fills and notes of earlier marks gone from the data region. Only the cells the sheet has
    are visited (not the whole rectangle), and a mark is known by its fill's index in the
    workbook's fill table: no style objects are made per cell."""
    input_cols = {j for j, c in enumerate(table.columns, 1) if c.input} if table else set()
    plain = PatternFill(fill_type=None)
    colors = {v.upper() for v in SEVERITY_FILL.values()}
    marked = {i for i, f in enumerate(ws.parent._fills)
              if getattr(f, "fill_type", None) and isinstance(f.fgColor.rgb, str) and f.fgColor.rgb[-6:].upper() in colors}
    for (r, col), c in list(ws._cells.items()):
        if r < first:
            continue
        if c.comment is not None and c.comment.author == AUTHOR:
            c.comment = None
        if c.has_style and c._style.fillId in marked:
            c.fill = PatternFill("solid", fgColor=INPUT_FILL) if col in input_cols else plain


def apply_to_workbook(wb: Workbook, writes: WorkbookWrites) -> None:
    """Apply writes to an openpyxl workbook in memory."""
    for sw in writes.sheets:
        if sw.sheet in wb.sheetnames:
            ws = wb[sw.sheet]
        else:
            ws = wb.create_sheet(sw.sheet)
            if sw.table:
                style_table(ws, sw.table)
        first = sw.table.header_row + 1 if sw.table else FIRST_DATA_ROW
        if sw.clear_marks:
            _clear_marks(ws, sw.table, first)
        if sw.rows is not None:
            _clear_region(ws, first, len(sw.table.columns) if sw.table else None)
            write_rows(ws, sw.table, sw.rows, first)
        if sw.append:
            write_rows(ws, sw.table, sw.append, last_data_row(ws, first) + 1)
        for ref, value in sw.cells.items():
            set_value(ws[ref], value)
        for m in sw.marks:
            cell = ws[m.cell]
            cell.fill = PatternFill("solid", fgColor=m.fill)
            if m.note:
                comment = Comment(safe_text(m.note), AUTHOR)
                comment.width, comment.height = 300, 120
                cell.comment = comment
        for ref, values in sw.choices.items():
            _set_choices(ws, ref, values)
        if sw.protect is not None:
            ws.protection.sheet = sw.protect
        if sw.select:
            wb.active = wb.sheetnames.index(sw.sheet)
            for other in wb.worksheets:
                other.sheet_view.tabSelected = other.title == sw.sheet


def _set_choices(ws: Worksheet, ref: str, values: list[str]) -> None:
    """A dropdown list on `ref`, replacing any earlier validation that overlaps it."""
    from openpyxl.worksheet.cell_range import CellRange
    from openpyxl.worksheet.datavalidation import DataValidation

    target = CellRange(ref)
    ws.data_validations.dataValidation = [
        dv for dv in ws.data_validations.dataValidation
        if all(target.isdisjoint(CellRange(str(r))) for r in dv.sqref.ranges)]
    dv = DataValidation(type="list", formula1='"' + ",".join(values) + '"', allow_blank=True,
                        showErrorMessage=True, errorTitle="Pilihan tidak dikenal",
                        error="Pilih dari daftar: " + ", ".join(values))
    ws.add_data_validation(dv)
    dv.add(ref)


def open_master(path: Path) -> Workbook:
    return load_workbook(path, keep_vba=path.suffix.lower() == ".xlsm")


def backup_dir(path: Path) -> Path:
    return path.parent / "cadangan"


def save_atomic(wb: Workbook, path: Path, backup: bool = True, keep: int = 20) -> Path | None:
    """Save via a temporary file and an atomic replace; keep a timestamped backup first."""
    path = Path(path)

    def produce(tmp: Path) -> None:
        wb.save(tmp)
        if path.suffix.lower() == ".xlsm" and path.exists():
            from kinerja.excel.xlsm import restore_addin_parts

            restore_addin_parts(path, tmp)

    return replace_atomic(path, produce, backup, keep)


def replace_atomic(path: Path, produce: Callable[[Path], None], backup: bool = True,
                   keep: int = 20) -> Path | None:
    """`produce(tmp)` writes the new file beside `path`; then a timestamped backup of `path`
    is kept and the new file replaces it atomically. Returns the backup path."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=".~kinerja-", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    saved: Path | None = None
    try:
        produce(Path(tmp))
        if backup and path.exists():
            bdir = backup_dir(path)
            bdir.mkdir(exist_ok=True)
            stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
            saved = bdir / f"{path.stem}-{stamp}{path.suffix}"
            shutil.copy2(path, saved)
            olds = sorted(bdir.glob(f"{path.stem}-*{path.suffix}"))
            for old in olds[:-keep]:
                old.unlink(missing_ok=True)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return saved


def write_file(path: Path, writes: WorkbookWrites, backup: bool = True) -> Path | None:
    """Apply writes to the master file on disk (atomic, with backup). Returns the backup path.

    The changed sheets are rewritten in the package directly (kinerja.xlsxpatch: fast on a
    large master, every other part kept as it is); what that writer does not handle (marks,
    dropdowns, new sheets, ...) goes through openpyxl, with the same result."""
    from kinerja.xlsxpatch import Unsupported, patch_file

    path = Path(path)
    if path.suffix.lower() in (".xlsx", ".xlsm") and path.exists():
        try:
            with gc_paused():
                return replace_atomic(path, lambda tmp: patch_file(path, tmp, writes), backup=backup)
        except Unsupported:
            pass
    wb = open_master(path)
    apply_to_workbook(wb, writes)
    return save_atomic(wb, path, backup=backup)


# ----------------------------------------------------------------------------------- xlwings


def _live_value(value: Any) -> Any:
    if isinstance(value, Formula):
        return value.text
    if isinstance(value, Link):
        return value.text
    if isinstance(value, str):
        text = safe_text(value)
        return "'" + text if looks_like_formula(text) else text
    if isinstance(value, time):
        return value.strftime("%H:%M")
    return value


def _hex(color: str) -> str:
    return "#" + color[-6:]


def _split(ref: str) -> tuple[int, int]:
    letters, row = coordinate_from_string(ref)
    return row, column_index_from_string(letters)


def apply_live(book: Any, writes: WorkbookWrites) -> None:
    """Apply writes to an open workbook through xlwings' Book/Sheet/Range surface.

    Data goes in whole 2-D blocks (one call per block); marks and links cell by cell.
    """
    names = [s.name for s in book.sheets]
    for sw in writes.sheets:
        if sw.sheet not in names:
            sheet = book.sheets.add(sw.sheet, after=book.sheets[len(names) - 1])
            names.append(sw.sheet)
            if sw.table:
                sheet.range((1, 1)).value = sw.table.title
                if sw.table.hint:
                    sheet.range((2, 1)).value = sw.table.hint
                sheet.range((sw.table.header_row, 1)).value = [sw.table.headers]
        sheet = book.sheets[sw.sheet]
        first = sw.table.header_row + 1 if sw.table else FIRST_DATA_ROW
        ncols = len(sw.table.columns) if sw.table else None
        was_locked = _excel_call(sheet, lambda api: bool(api.ProtectContents))
        if was_locked:  # Excel refuses writes to a protected sheet; lock it again below
            _excel_call(sheet, lambda api: api.Unprotect())
        if sw.clear_marks:
            used = sheet.used_range
            last = used.last_cell.row if used is not None else first
            if last >= first:
                region = sheet.range((first, 1), (last, ncols or used.last_cell.column))
                for note in list(sheet.notes) if hasattr(sheet, "notes") else []:
                    if note.location.row >= first:
                        note.delete()
                region.color = None
                if sw.table:
                    for j, col in enumerate(sw.table.columns, 1):
                        if col.input:
                            sheet.range((first, j), (last, j)).color = _hex(INPUT_FILL)
        links: list[tuple[int, int, Link]] = []
        if sw.rows is not None:
            used = sheet.used_range
            last = used.last_cell.row if used is not None else first
            if last >= first:
                sheet.range((first, 1), (last, max(ncols or 1, used.last_cell.column))).clear_contents()
            _block(sheet, first, sw.rows, links)
        if sw.append:
            used = sheet.used_range
            start = max(first, (used.last_cell.row + 1) if used is not None else first)
            _block(sheet, start, sw.append, links)
        for r, c, link in links:
            sheet.range((r, c)).add_hyperlink(link.target if not link.target.startswith("#")
                                              else link.target, link.text)
        for ref, value in sw.cells.items():
            sheet.range(ref).value = _live_value(value)
            if isinstance(value, Link):
                sheet.range(ref).add_hyperlink(value.target, value.text)
        for m in sw.marks:
            cell = sheet.range(m.cell)
            cell.color = _hex(m.fill)
            if m.note:
                if cell.note is not None:
                    cell.note.delete()
                cell.add_note(m.note)
        for ref, values in sw.choices.items():
            first_cell, _, last_cell = ref.partition(":")
            target = sheet.range(_split(first_cell), _split(last_cell or first_cell))
            _excel_call(target, lambda api, v=values: (
                api.Validation.Delete(), api.Validation.Add(3, 1, 1, ",".join(v))))
        if sw.protect or (sw.protect is None and was_locked):
            _excel_call(sheet, lambda api: api.Protect())
        if sw.select:
            sheet.activate()


def _excel_call(obj: Any, call: Any) -> Any:
    """An Excel object-model call through xlwings' `.api` (Windows COM). Dropdowns and sheet
    locks are conveniences: where the platform lacks them the data is still written."""
    api = getattr(obj, "api", None)
    if api is None:
        return None
    try:
        return call(api)
    except Exception:  # noqa: BLE001 - platform without this part of the object model
        return None


def _block(sheet: Any, start: int, rows: list[list[Any]], links: list[tuple[int, int, Link]]) -> None:
    if not rows:
        return
    width = max(len(r) for r in rows)
    block = []
    for i, row in enumerate(rows):
        out = []
        for j, v in enumerate(row):
            if isinstance(v, Link):
                links.append((start + i, j + 1, v))
            out.append(_live_value(v))
        out.extend([None] * (width - len(out)))
        block.append(out)
    sheet.range((start, 1)).value = block
