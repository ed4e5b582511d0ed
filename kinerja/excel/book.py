"""The workbook open in Excel, read through xlwings' Book/Sheet/Range surface (kinerja.excel.surface;
no Excel logic here)."""

from __future__ import annotations

from pathlib import Path

from kinerja.excel.surface import OpenBook
from kinerja.workbook.master import Loaded, load_from_sheets


def read_open_book(book: OpenBook) -> dict[str, list[tuple]]:
    """Every sheet's values from A1 to its last used cell, one 2-D block per sheet."""
    out: dict[str, list[tuple]] = {}
    for sheet in book.sheets:
        last = sheet.used_range.last_cell
        values = sheet.range((1, 1), (last.row, last.column)).options(ndim=2).value or []
        out[sheet.name] = [tuple(None if v == "" else v for v in row) for row in values]
    return out


def load_open_book(book: OpenBook) -> Loaded:
    """The master as it is in Excel now, unsaved edits included."""
    return load_from_sheets(read_open_book(book), Path(book.fullname))
