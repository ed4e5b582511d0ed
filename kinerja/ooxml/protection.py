"""Sheet protection: the lock a sheet carries against edits (no password: a guard, not a secret).
A locked sheet also locks its notes and shows no filter buttons (they cannot be used there);
unlocked again, a table sheet gets its filter back (as the openpyxl writer does)."""

from __future__ import annotations

from typing import Any

from kinerja.ooxml.tail import Tail
from kinerja.ooxml.workbook import Book
from kinerja.workbook.book import filter_ref

FILTER_NAME = "_xlnm._FilterDatabase"


def set_protection(tail: Tail, locked: bool, book: Book, sheet: str, table: Any) -> None:
    if not locked:
        tail.remove("sheetProtection")
        if table is not None and tail.find("autoFilter") is None:
            ref = filter_ref(table)
            tail.ensure("autoFilter").set("ref", ref)
            first, _, last = ref.partition(":")
            absolute = "$" + "$".join(_split(first)) + ":$" + "$".join(_split(last))
            book.define_name(FILTER_NAME, sheet, "'" + sheet.replace("'", "''") + "'!" + absolute, hidden=True)
        return
    el = tail.find("sheetProtection")
    if el is None:
        el = tail.ensure("sheetProtection")
        el.set("scenarios", "1")
    el.set("sheet", "1")
    el.set("objects", "1")
    tail.remove("autoFilter")
    book.remove_name(FILTER_NAME, sheet)


def _split(ref: str) -> tuple[str, str]:
    letters = ref.rstrip("0123456789")
    return letters, ref[len(letters):]
