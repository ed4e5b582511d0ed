"""Dropdown lists that Excel reads the same way on every PC.

A list validation written as a literal (`"Ya,Tidak"`) is split by Excel at every comma, so an
item holding a comma ("100% jika realisasi juga 0, selain itu kosong") becomes broken items. And a
literal list written through Excel's object model (`Validation.Add`) is split with the PC's list
separator (';' on Indonesian PCs). So a list whose items hold a comma, and every list written
into the open workbook, refers to a range on a hidden sheet, one column per list.
"""

from __future__ import annotations

from typing import Any

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

LIST_SHEET = "Daftar Pilihan"
LITERAL_MAX = 255  # Excel's limit for a literal list formula, quotes included


def literal_ok(values: list[str]) -> bool:
    """Whether a literal list keeps these items whole."""
    return not any("," in v or '"' in v for v in values) and len(",".join(values)) + 2 <= LITERAL_MAX


def list_ref(sheet: str, column: int, count: int) -> str:
    letter = get_column_letter(column)
    return f"'{sheet}'!${letter}$1:${letter}${max(count, 1)}"


def list_range(wb: Any, values: list[str]) -> str:
    """A range on the hidden list sheet of an openpyxl workbook holding `values` (reused when one
    column already holds exactly these values)."""
    if LIST_SHEET in wb.sheetnames:
        ws = wb[LIST_SHEET]
    else:
        ws = wb.create_sheet(LIST_SHEET)
        ws.sheet_state = "hidden"
    column = 1
    while ws.cell(1, column).value is not None:
        held = [ws.cell(r, column).value for r in range(1, len(values) + 2)]
        if held == [*values, None]:
            return list_ref(LIST_SHEET, column, len(values))
        column += 1
    for r, v in enumerate(values, 1):
        cell = ws.cell(r, column, v)
        cell.data_type = "s"
        cell.number_format = "@"
    return list_ref(LIST_SHEET, column, len(values))


def list_validation(wb: Any, values: list[str], **options: Any) -> DataValidation:
    """A list validation for an openpyxl workbook: literal when that keeps every item whole,
    else a range on the hidden list sheet."""
    formula = '"' + ",".join(values) + '"' if literal_ok(values) else list_range(wb, values)
    return DataValidation(type="list", formula1=formula, **options)
