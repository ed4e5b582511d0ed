"""The openpyxl writer: builds new workbooks (the master at `kinerja init`, forms) and applies
a `WorkbookWrites` to a workbook in memory. An existing master is never saved through it (see
kinerja.workbook.files); it stays the reference the package writer is compared with in tests."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from kinerja.workbook.charts import retarget
from kinerja.workbook.description import Formula, Link, PageSetup, WorkbookWrites, safe_text
from kinerja.workbook.style import (
    AUTHOR,
    BORDER,
    FONT,
    HEADER_FILL,
    HEADER_FONT,
    HEADER_SIZE,
    HINT_FONT,
    INPUT_FILL,
    SEVERITY_FILL,
    TITLE_FONT,
)
from kinerja.workbook.tables import FIRST_DATA_ROW, Table, wrapped_height


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
        cell.font = Font(name=FONT, color="0563C1", underline="single")
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
    ws.freeze_panes = ws.cell(row=h + 1, column=1).coordinate


def write_rows(ws: Worksheet, table: Table | None, rows: Iterable[list[Any]], start: int) -> int:
    """Write rows from `start`; returns the next free row. Styles by column description."""
    styles = []
    aligned = table is not None and any(c.wrap or c.align for c in table.columns)
    if table:
        for col in table.columns:
            fill = PatternFill("solid", fgColor=INPUT_FILL) if col.input else None
            styles.append((col.number_format, fill))
    r = start
    for row in rows:
        if aligned and table is not None:
            height = wrapped_height(table, row)
            if height is not None:
                ws.row_dimensions[r].height = height
        for j, value in enumerate(row, 1):
            cell = ws.cell(row=r, column=j)
            set_value(cell, value)
            if aligned and j <= len(table.columns):  # every column at the top of a row that wraps
                col = table.columns[j - 1]
                cell.alignment = Alignment(wrap_text=col.wrap, vertical="top", horizontal=col.align)
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
    # the cells the sheet has, not the rectangle up to max_row: a stray value at XFD1048576
    # would otherwise make a billion empty cells
    return max((r for (r, _c), cell in ws._cells.items() if r >= first and cell.value is not None),
               default=first - 1)


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
        created = sw.sheet not in wb.sheetnames
        if not created:
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
            ws.protection.objects = sw.protect  # notes cannot be deleted on a locked sheet
            if sw.protect:  # filter buttons cannot be used on a locked sheet: none are shown
                ws.auto_filter.ref = None
            elif sw.table is not None and not ws.auto_filter.ref:
                ws.auto_filter.ref = filter_ref(sw.table)
        if sw.page is not None:
            set_page(ws, sw.page, created)
        if sw.chart_rows is not None and sw.table is not None:
            retarget_charts(wb, {sw.sheet: (sw.table.header_row, sw.chart_rows)})
        if sw.select:
            wb.active = wb.sheetnames.index(sw.sheet)
            for other in wb.worksheets:
                other.sheet_view.tabSelected = other.title == sw.sheet


def set_page(ws: Worksheet, page: PageSetup, created: bool = True) -> None:
    """Print settings on an openpyxl worksheet (workbook.description.PageSetup): all of them on a
    sheet being created; on one that exists the header and footer (when still the tool's) and
    the print area."""
    if created:
        ws.page_setup.paperSize = ws.PAPERSIZE_A3 if page.a3 else ws.PAPERSIZE_A4
        ws.page_setup.orientation = "landscape" if page.landscape else "portrait"
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_options.horizontalCentered = True
        ws.page_margins.left = ws.page_margins.right = 0.4
        ws.page_margins.top = ws.page_margins.bottom = 0.6
        ws.page_margins.header = ws.page_margins.footer = 0.25
        if page.title_rows:
            ws.print_title_rows = "{}:{}".format(*page.title_rows)
        if page.title_columns:
            ws.print_title_cols = "{}:{}".format(*page.title_columns)
    if created or (ws.oddHeader.center.text or "") == page.header[1]:
        for part, texts in ((ws.oddHeader, page.header), (ws.oddFooter, page.footer)):
            for side, text in zip((part.left, part.center, part.right), texts):
                side.text = text or None
                side.size = HEADER_SIZE if text else None
    if page.area:
        ws.print_area = page.area


def retarget_charts(wb: Workbook, spans: dict[str, tuple[int, int]]) -> None:
    """Every chart's series over a table of `spans` ending at the table's last row
    (workbook.charts.retarget)."""
    for ws in wb.worksheets:
        for chart in ws._charts:
            for series in chart.series:
                for ref in (series.val and series.val.numRef, series.cat and (series.cat.numRef or series.cat.strRef),
                            series.tx and series.tx.strRef):
                    if ref is not None and ref.f:
                        ref.f = retarget(ref.f, spans)


def _set_choices(ws: Worksheet, ref: str, values: list[str]) -> None:
    """A dropdown list on `ref`, replacing any earlier validation that overlaps it."""
    from openpyxl.worksheet.cell_range import CellRange

    from kinerja.workbook.lists import list_validation

    target = CellRange(ref)
    ws.data_validations.dataValidation = [
        dv for dv in ws.data_validations.dataValidation
        if all(target.isdisjoint(CellRange(str(r))) for r in dv.sqref.ranges)]
    dv = list_validation(ws.parent, values, allow_blank=True, showErrorMessage=True,
                         errorTitle="Pilihan tidak dikenal", error="Pilih dari daftar: " + "; ".join(values))
    ws.add_data_validation(dv)
    dv.add(ref)


def filter_ref(table: Table) -> str:
    """The header row of a table, where its filter buttons sit."""
    return f"A{table.header_row}:{table.letter(table.columns[-1].key)}{table.header_row}"
