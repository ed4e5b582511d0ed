"""Applying `WorkbookWrites` to an .xlsx/.xlsm package without loading the workbook.

Only the parts that change are rewritten: the sheets named in the writes (as XML text, row by
row, streamed), styles.xml when a new cell format is needed (added once per distinct format),
workbook.xml (active tab, new sheets), the notes of a marked sheet (its comments part and VML
drawing, merged with the notes already there), relationships and content types where a part is
added. Every other part is copied as stored, compressed bytes and all: drawings, pictures, text
boxes, charts, form controls, VBA and the ribbon, threaded comments, custom XML, printer
settings, the theme. Inside a rewritten sheet, what the writes do not touch (conditional
formats, Excel's x14 extensions, mc:AlternateContent, merged cells, page setup) is kept.

The result equals what the openpyxl writer (workbook.book) gives, cell for cell: plain strings
stay text (inline strings), `Formula` is the only formula, numbers and dates as openpyxl writes
them with the same number formats, fills, notes, dropdowns, hyperlinks and sheet locks. Replaced
rows are removed whole, with their notes and hyperlinks. Like openpyxl, the calculation chain is
dropped and Excel recalculates on opening.

A package this writer cannot patch safely (encrypted, prefixed sheet XML, a written cell holding
a shared or array formula) raises `Unsupported` before the master is replaced.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

from kinerja.ooxml.lists import list_columns, list_formulas
from kinerja.ooxml.newsheet import sheet_xml
from kinerja.ooxml.opc import Package
from kinerja.ooxml.paper import pages_current
from kinerja.ooxml.sheet import write_selection, write_sheet
from kinerja.ooxml.workbook import Book
from kinerja.ooxml.zip import COMPRESS_LEVEL, Deflating, copy_member, member_info
from kinerja.workbook.charts import retarget_xml
from kinerja.workbook.description import SheetWrite, WorkbookWrites
from kinerja.workbook.lists import LIST_SHEET, literal_ok


def patch_file(src: Path, dst: Path, writes: WorkbookWrites) -> None:
    """Write `src` with `writes` applied to `dst` (a new file). Raises Unsupported (nothing
    useful written to `dst`) when the package cannot be patched safely."""
    writes = WorkbookWrites(list(writes.sheets))  # the list sheet's writes are added to a copy
    with zipfile.ZipFile(src) as zin:
        pkg = Package(zin)
        book = Book(pkg)
        if any(not literal_ok(values) for sw in writes.sheets for values in sw.choices.values()):
            book.list_formulas = list_formulas(writes, list_columns(src))
        groups: dict[str, list[Any]] = {}  # sheet part -> its writes, in order
        spans: dict[str, tuple[int, int]] = {}  # sheet -> the rows its charts plot
        for sw in writes.sheets:
            created = sw.sheet not in book.parts
            if created:
                book.add_sheet(sw.sheet, sheet_xml(sw.table, book.styles, sw.page), hidden=sw.sheet == LIST_SHEET)
            if sw.page is not None:
                book.print_names(sw.sheet, sw.page, created)
            if sw.chart_rows is not None and sw.table is not None:
                spans[sw.sheet] = (sw.table.header_row, sw.chart_rows)
            if not created and _page_only(sw) and pages_current(pkg, book.parts[sw.sheet], sw.page):
                continue  # its print area (workbook.xml) is all that changes
            groups.setdefault(book.parts[sw.sheet], []).append(sw)
        selected = writes.selected
        if selected is not None:
            book.select(selected)
        with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL) as zout:
            written = set(groups)
            with Deflating(zout) as out:
                for part, sheet_writes in groups.items():
                    write_sheet(pkg, out, part, sheet_writes, book)
            book.finish()
            changed = dict(pkg.changed())
            for info in zin.infolist():
                name = info.filename
                if name in written or name in pkg.dropped or name in changed:
                    continue
                if spans and name.startswith("xl/charts/chart") and name.endswith(".xml"):
                    xml = zin.read(name).decode("utf-8")
                    new = retarget_xml(xml, spans)
                    if new != xml:
                        zout.writestr(member_info(info), new.encode("utf-8"))
                        continue
                if name in book.worksheets and selected is not None:
                    write_selection(zin, zout, info, name == book.selected_part)
                else:
                    copy_member(zin, zout, info)
            for name, data in changed.items():
                if name not in written:
                    zout.writestr(member_info(pkg.info(name)), data)


def _page_only(sw: SheetWrite) -> bool:
    """A write that only brings a sheet's print settings up to date."""
    return (sw.page is not None and sw.rows is None and not sw.append and not sw.cells and not sw.marks
            and not sw.clear_marks and not sw.choices and sw.protect is None and not sw.select
            and sw.chart_rows is None)
