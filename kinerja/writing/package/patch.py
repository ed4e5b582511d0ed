"""Applying `WorkbookWrites` to an .xlsx/.xlsm package without loading the workbook.

The file writer used to load the whole master with openpyxl, apply the writes and save it
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

import zipfile
from pathlib import Path
from typing import Any

from kinerja.writing.description import Link, WorkbookWrites
from kinerja.writing.package.parts import Unsupported
from kinerja.writing.package.sheet import write_selection, write_sheet
from kinerja.writing.package.workbook import Book
from kinerja.writing.package.zip import COMPRESS_LEVEL, copy_member, member_info


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
                    write_sheet(zin, zout, info, parts[name], book)
                elif name in book.worksheets and selected is not None:
                    write_selection(zin, zout, info, name == book.selected_part)
                elif name not in book.rewritten:
                    copy_member(zin, zout, info)
            for name, data in book.finish().items():  # styles, workbook, rels, content types
                zout.writestr(member_info(zin.getinfo(name)), data)


def _check_writes(writes: Any) -> None:
    for sw in writes.sheets:
        if sw.marks or sw.clear_marks or sw.choices or sw.protect is not None:
            raise Unsupported("marks, dropdowns or sheet protection")
        if sw.table and (sw.rows is not None or sw.append) and any(c.wrap or c.align for c in sw.table.columns):
            raise Unsupported("rows of a table with wrapped or aligned columns (alignment, row heights)")
        for rows in (sw.rows or [], sw.append, [sw.cells.values()]):
            for row in rows:
                if Link in set(map(type, row)):
                    raise Unsupported("hyperlink")

