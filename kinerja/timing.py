"""SOP timing: each step against its time standard (mutu baku), in working time."""

from __future__ import annotations

from datetime import datetime

from kinerja import sheets as S
from kinerja.master import Loaded
from kinerja.tables import read_table
from kinerja.issues import Report
from kinerja.writes import WorkbookWrites


def step_rows(loaded: Loaded) -> dict[int, int]:
    """SOP step number -> its row on the Waktu SOP sheet."""
    rows = loaded.rows.get(S.WAKTU.sheet)
    if not rows:
        return {}
    read = read_table(rows, S.WAKTU, Report())
    return {int(r.values["no"]): r.number for r in read.rows if r.values.get("no") is not None}


def stamp(loaded: Loaded, tahap: str, *, start: datetime | None = None, end: datetime | None = None,
          who: str = "kinerja") -> WorkbookWrites:
    """Log a step the tool performs: the SOP steps of this stage get their start and/or end.

    A start already recorded is kept (the step began earlier); an end is always updated
    (the latest time the tool did the step, e.g. the last return received).
    """
    w = WorkbookWrites()
    m = loaded.master
    if m is None:
        return w
    rows = step_rows(loaded)
    existing = {}
    sheet_rows = loaded.rows.get(S.WAKTU.sheet) or []
    for step in m.sop.steps_for(tahap):
        r = rows.get(step.no)
        if r is None:
            continue
        raw = sheet_rows[r - 1] if r - 1 < len(sheet_rows) else ()
        col_start = S.WAKTU.index("mulai") - 1
        has_start = len(raw) > col_start and raw[col_start] not in (None, "")
        sw = w.sheet(S.WAKTU.sheet, S.WAKTU)
        if start is not None and not has_start:
            sw.cells[f"{S.WAKTU.letter('mulai')}{r}"] = start
        if end is not None:
            if not has_start and start is None:
                sw.cells[f"{S.WAKTU.letter('mulai')}{r}"] = end
            sw.cells[f"{S.WAKTU.letter('selesai')}{r}"] = end
        sw.cells[f"{S.WAKTU.letter('oleh')}{r}"] = who
        existing[step.no] = r
    return w
