"""What to write into the master, as plain data.

A stage returns `WorkbookWrites`; the CLI applies it to the file (kinerja.workbook.files: the
package patched part by part, atomic save with a backup), the Excel ribbon to the open workbook
(kinerja.excel.live, xlwings). Both read the same description, so they cannot drift. Plain
strings are always written as text, even when they look like a formula; a `Formula` is the only
way to write one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from kinerja.workbook.tables import Table


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


@dataclass(frozen=True)
class PageSetup:
    """How a sheet goes on paper. On a sheet the write creates, all of it: A4 (or A3), the
    orientation, one page wide and as many long as needed, the title rows and columns repeated
    on every page (`_xlnm.Print_Titles`), margins, header and footer. On a sheet that exists,
    only what follows the data: the header and footer (when their centre is still `header[1]`,
    i.e. the office has not written its own) and the print area; the rest stays as the office
    left it."""

    landscape: bool = True
    a3: bool = False
    title_rows: tuple[int, int] | None = None  # (first, last) row repeated on every page
    title_columns: tuple[str, str] | None = None  # ("A", "B"): columns repeated on every page
    header: tuple[str, str, str] = ("", "", "")  # left, centre, right (Excel's codes: &A, &P, &N)
    footer: tuple[str, str, str] = ("", "", "")
    area: str | None = None  # "A1:R42" (`_xlnm.Print_Area`); None: no print area (the used range)


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
    page: PageSetup | None = None  # print settings (see PageSetup: whole on a new sheet)
    # the charts over this sheet's table plot this many data rows: a chart reference to the
    # sheet that starts at its header row (a series title) or first data row ends at the last one
    chart_rows: int | None = None


@dataclass
class WorkbookWrites:
    sheets: list[SheetWrite] = field(default_factory=list)
    # name -> position of its first SheetWrite in `sheets`, for the list it was built from
    _found: dict[str, int] = field(default_factory=dict, repr=False, compare=False)
    _seen: tuple[int, int] = field(default=(0, 0), repr=False, compare=False)  # (id, length) indexed

    def sheet(self, name: str, table: Table | None = None) -> SheetWrite:
        """The writes of sheet `name` (the first entry for it), added when there is none."""
        sheets = self.sheets
        if self._seen[0] != id(sheets) or self._seen[1] > len(sheets):
            self._found, self._seen = {}, (id(sheets), 0)
        for n in range(self._seen[1], len(sheets)):  # entries added since, by any route
            self._found.setdefault(sheets[n].sheet, n)
        self._seen = (id(sheets), len(sheets))
        n = self._found.get(name)
        if n is not None and sheets[n].sheet == name:
            return sheets[n]
        if n is not None:  # the list was changed in place: look it up the long way
            self._seen = (0, 0)
            found = next((s for s in sheets if s.sheet == name), None)
            if found is not None:
                return found
        s = SheetWrite(sheet=name, table=table)
        sheets.append(s)
        return s

    def extend(self, other: WorkbookWrites) -> WorkbookWrites:
        for s in other.sheets:
            self.sheets.append(s)
        return self

    @property
    def selected(self) -> str | None:
        return next((s.sheet for s in reversed(self.sheets) if s.select), None)



def safe_text(value: str) -> str:
    """Text without the control characters a workbook cannot hold."""
    return ILLEGAL_CHARACTERS_RE.sub("", value)
