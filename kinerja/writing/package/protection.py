"""Sheet protection: the lock a sheet carries against edits (no password: a guard, not a secret)."""

from __future__ import annotations

from kinerja.writing.package.tail import Tail


def set_protection(tail: Tail, locked: bool) -> None:
    """Lock (as Excel's Protect Sheet writes it, objects and scenarios too) or unlock the sheet;
    an existing lock keeps its other settings."""
    if not locked:
        tail.remove("sheetProtection")
        return
    el = tail.find("sheetProtection")
    if el is None:
        el = tail.ensure("sheetProtection")
        el.set("objects", "1")
        el.set("scenarios", "1")
    el.set("sheet", "1")
