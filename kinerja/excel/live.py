"""The live writer: a `WorkbookWrites` applied to the workbook open in Excel, through xlwings'
Book/Sheet/Range surface (whole 2-D blocks per call). The file writer reads the same description."""

from __future__ import annotations

from datetime import time
from typing import Any

from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

from kinerja.excel.surface import OpenBook, OpenSheet
from kinerja.workbook.book import filter_ref
from kinerja.workbook.charts import retarget
from kinerja.workbook.description import Formula, Link, PageSetup, WorkbookWrites, safe_text
from kinerja.workbook.lists import LIST_SHEET, list_ref
from kinerja.workbook.style import HEADER_SIZE, INPUT_FILL, header_centre
from kinerja.workbook.tables import FIRST_DATA_ROW


def _live_value(value: Any) -> Any:
    if isinstance(value, Formula):
        return value.text
    if isinstance(value, Link):
        return value.text
    if isinstance(value, str):
        # Range.Value re-reads text as Excel would typed input ('1.0' a number, '1/2' a date,
        # '=x' a formula); Excel's text prefix (an apostrophe, not stored) keeps it text
        return "'" + safe_text(value)
    if isinstance(value, time):
        return value.strftime("%H:%M")
    return value


def _hex(color: str) -> str:
    return "#" + color[-6:]


def _split(ref: str) -> tuple[int, int]:
    letters, row = coordinate_from_string(ref)
    return row, column_index_from_string(letters)


def apply_live(book: OpenBook, writes: WorkbookWrites) -> None:
    """Apply writes to an open workbook through xlwings' Book/Sheet/Range surface.

    Data goes in whole 2-D blocks (one call per block); marks and links cell by cell.
    """
    names = [s.name for s in book.sheets]
    for sw in writes.sheets:
        created = sw.sheet not in names
        if created:
            sheet = book.sheets.add(sw.sheet, after=book.sheets[len(names) - 1])
            names.append(sw.sheet)
            if sw.table:
                sheet.range((1, 1)).value = _live_value(sw.table.title)
                if sw.table.hint:
                    sheet.range((2, 1)).value = _live_value(sw.table.hint)
                sheet.range((sw.table.header_row, 1)).value = [[_live_value(h) for h in sw.table.headers]]
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
            _shape(sheet, sw.table, first, sw.rows)
        if sw.append:
            used = sheet.used_range
            start = max(first, (used.last_cell.row + 1) if used is not None else first)
            _block(sheet, start, sw.append, links)
            _shape(sheet, sw.table, start, sw.append)
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
            # a literal list would be split with the PC's list separator: refer to a range instead
            source = live_list_range(book, values)
            _excel_call(target, lambda api, f=source: (
                api.Validation.Delete(), api.Validation.Add(3, 1, 1, f)))  # list, stop, between
        if sw.protect or (sw.protect is None and was_locked):
            _excel_call(sheet, _lock)
        elif sw.protect is False and sw.table is not None:
            _excel_call(sheet, lambda api, t=sw.table: None if api.AutoFilterMode
                        else api.Range(filter_ref(t)).AutoFilter())
        if sw.page is not None:
            _excel_call(sheet, lambda api, p=sw.page, c=created: _page(api, p, c))
        if sw.chart_rows is not None and sw.table is not None:
            spans = {sw.sheet: (sw.table.header_row, sw.chart_rows)}
            for each in book.sheets:
                _excel_call(each, lambda api, sp=spans: _retarget(api, sp))
        if sw.select:
            sheet.activate()


def _page(api: Any, page: PageSetup, created: bool) -> None:
    """Print settings through Excel's PageSetup, as the file writer sets them (workbook.book.set_page)."""
    setup = api.PageSetup
    if created:
        setup.PaperSize = 8 if page.a3 else 9  # xlPaperA3, xlPaperA4
        setup.Orientation = 2 if page.landscape else 1  # xlLandscape, xlPortrait
        setup.Zoom = False
        setup.FitToPagesWide, setup.FitToPagesTall = 1, False
        setup.CenterHorizontally = True
        setup.LeftMargin = setup.RightMargin = 0.4 * 72  # points
        setup.TopMargin = setup.BottomMargin = 0.6 * 72
        setup.HeaderMargin = setup.FooterMargin = 0.25 * 72
        if page.title_rows:
            setup.PrintTitleRows = "${}:${}".format(*page.title_rows)
        if page.title_columns:
            setup.PrintTitleColumns = "${}:${}".format(*page.title_columns)
    if created or header_centre("&C" + (setup.CenterHeader or "")) == page.header[1]:
        size = f"&{HEADER_SIZE} "
        for prop, text in zip(("LeftHeader", "CenterHeader", "RightHeader", "LeftFooter", "CenterFooter",
                               "RightFooter"), (*page.header, *page.footer)):
            setattr(setup, prop, size + text if text else "")
    if page.area:
        setup.PrintArea = page.area


def _retarget(api: Any, spans: dict[str, tuple[int, int]]) -> None:
    """The series of a sheet's charts over a table ending at its last row (workbook.charts)."""
    charts = api.ChartObjects()
    for i in range(1, charts.Count + 1):
        series = charts.Item(i).Chart.SeriesCollection()
        for j in range(1, series.Count + 1):
            item = series.Item(j)
            item.Formula = retarget(item.Formula, spans)


def _lock(api: Any) -> None:
    """Lock a sheet as the file writer does: contents and notes locked, no filter buttons."""
    api.AutoFilterMode = False
    api.Protect(DrawingObjects=True, Contents=True)


def _align(api: Any, centre: bool) -> None:
    api.VerticalAlignment = -4160  # xlTop
    if centre:
        api.HorizontalAlignment = -4108  # xlCenter


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


def _shape(sheet: OpenSheet, table: Any, start: int, rows: list[list[Any]]) -> None:
    """Wrapped and centred columns and rows tall enough for their text, as the file writer
    leaves them (tables.Column.wrap / align, tables.wrapped_height)."""
    from kinerja.workbook.tables import wrapped_height

    if not rows or table is None or not any(c.wrap or c.align for c in table.columns):
        return
    end = start + len(rows) - 1
    for j, col in enumerate(table.columns, 1):  # every column at the top of a row that wraps
        target = sheet.range((start, j), (end, j))
        target.wrap_text = col.wrap
        _excel_call(target, lambda api, c=col: _align(api, c.align == "center"))
    for i, row in enumerate(rows):
        height = wrapped_height(table, row)
        if height is not None:
            sheet.range((start + i, 1)).row_height = height


def _block(sheet: OpenSheet, start: int, rows: list[list[Any]], links: list[tuple[int, int, Link]]) -> None:
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


def live_list_range(book: OpenBook, values: list[str]) -> str:
    """The same hidden-sheet range in a workbook open in Excel (xlwings Book)."""
    names = [s.name for s in book.sheets]
    if LIST_SHEET in names:
        sheet = book.sheets[LIST_SHEET]
    else:
        sheet = book.sheets.add(LIST_SHEET, after=book.sheets[len(names) - 1])
        sheet.visible = False
    column = 1
    while sheet.range((1, column)).value not in (None, ""):
        held = sheet.range((1, column), (len(values) + 1, column)).options(ndim=2).value
        if [row[0] for row in held] == [*values, None]:
            return "=" + list_ref(LIST_SHEET, column, len(values))
        column += 1
    # the apostrophe keeps text as text: Excel would re-read '1.0' as a number, '1/2' as a date
    sheet.range((1, column), (len(values), column)).value = [["'" + v] for v in values]
    return "=" + list_ref(LIST_SHEET, column, len(values))
