"""Dropdown lists held on the hidden list sheet (kinerja.workbook.lists): a list whose items hold a comma
refers to a column there, reused when one already holds exactly these items."""

from __future__ import annotations

from typing import Any

from openpyxl.utils import get_column_letter

from kinerja.workbook.description import WorkbookWrites
from kinerja.workbook.lists import LIST_SHEET, list_ref, literal_ok


def list_formulas(writes: WorkbookWrites, columns: list[list[Any]]) -> dict[tuple[str, ...], str]:
    """formula1 of every dropdown in `writes` that cannot be a literal list. `columns` are the
    list sheet's columns as they are (empty when it has none); a column for each new list is
    added to `writes` (the list sheet written like any other)."""
    out: dict[tuple[str, ...], str] = {}
    for sw in list(writes.sheets):
        for values in sw.choices.values():
            key = tuple(values)
            if literal_ok(values) or key in out:
                continue
            for j, held in enumerate(columns, 1):
                if (list(held) + [None] * (len(values) + 1))[:len(values) + 1] == [*values, None]:
                    out[key] = list_ref(LIST_SHEET, j, len(values))
                    break
            else:
                columns.append(list(values))
                j = len(columns)
                cells = writes.sheet(LIST_SHEET).cells
                for r, v in enumerate(values, 1):
                    cells[f"{get_column_letter(j)}{r}"] = v
                out[key] = list_ref(LIST_SHEET, j, len(values))
    return out


def list_columns(path: Any) -> list[list[Any]]:
    """The columns of the list sheet in the workbook at `path`, up to the first empty one."""
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(path))
    if LIST_SHEET not in wb.sheet_names:
        return []
    rows = wb.get_sheet_by_name(LIST_SHEET).to_python(skip_empty_area=False)
    width = max((len(r) for r in rows), default=0)
    columns = []
    for j in range(width):
        column = [None if j >= len(r) or r[j] == "" else r[j] for r in rows]
        if not column or column[0] is None:
            break
        columns.append(column)
    return columns
