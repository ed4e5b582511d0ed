"""What to write into the master, as plain data.

A stage returns `WorkbookWrites`; the CLI applies it to the file (kinerja.writing.files: the
package patched part by part, atomic save with a backup), the Excel ribbon to the open workbook
(kinerja.excel.live, xlwings). Both read the same description, so they cannot drift. Plain
strings are always written as text, even when they look like a formula; a `Formula` is the only
way to write one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from kinerja.tables import Table

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



def safe_text(value: str) -> str:
    """Text without the control characters a workbook cannot hold."""
    return ILLEGAL_CHARACTERS_RE.sub("", value)
