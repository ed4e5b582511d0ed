"""Deadlines of the units' returns: each round's deadline (one rule, `round_deadline`), each
returned file's lateness (collect's Penerimaan 'Terlambat') and each unit's return against the
deadline and the SOP's fill-in steps (`unit_return_timing`: validate, collect's missing units,
the SOP status, the roll-up). Working time and its wording come from kinerja.stages.timing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from kinerja.domain.models import Settings
from kinerja.domain.workcal import WorkCalendarError
from kinerja.issues.catalogue import Report
from kinerja.stages.forms import distribution_log
from kinerja.stages.timing import calendar, iso, late_by, late_text, late_words, naive, waktu_text
from kinerja.workbook import sheets as S
from kinerja.workbook.master import Loaded
from kinerja.workbook.tables import norm, read_table

__all__ = ["ReturnTiming", "file_lateness", "round_deadline", "unit_return_timing"]


def _moment(value: Any) -> dt.datetime | None:
    """A Distribusi or Pengaturan moment (a datetime); None for anything else."""
    return naive(value) if isinstance(value, dt.datetime) else None


def round_deadline(settings: Settings | None, batas_waktu: Any, handed: dt.datetime | None) -> dt.datetime | None:
    """The deadline a round's return is timed against: its Distribusi row's Batas Waktu, else
    Pengaturan's Batas Waktu Pengisian; none for a round handed out after that deadline (a
    revision round is timed by the SOP's fill-in steps, not by the period's deadline)."""
    deadline = _moment(batas_waktu) or (_moment(settings.batas_waktu) if settings is not None else None)
    if deadline is None or (handed is not None and deadline < handed):
        return None
    return deadline


def file_lateness(loaded: Loaded, files: list[tuple[str, Any, dt.datetime | None]]) -> list[str | None]:
    """Per returned file (unit, round, received): its 'Terlambat' text, working time past the
    deadline of its round by `round_deadline` and the one wording of kinerja.stages.timing
    (`late_words`: '2 hari kerja' when whole working days were lost after the due date, else
    '1 jam 30 menit waktu kerja'; 'Tepat waktu'); None when no deadline applies."""
    m = loaded.master
    out: list[str | None] = [None] * len(files)
    if m is None:
        return out
    try:
        cal = calendar(m.settings)
    except (ValueError, WorkCalendarError):
        return out
    rounds = {(str(v.get("unit") or "").upper(), v.get("putaran")): v for v in distribution_log(loaded)}
    for n, (unit, putaran, at) in enumerate(files):
        row = rounds.get((unit or "", putaran)) or {}
        deadline = round_deadline(m.settings, row.get("batas_waktu"), _moment(row.get("dibuat")))
        if deadline is None or at is None:
            continue
        try:
            out[n] = late_text(cal, deadline, at) or "Tepat waktu"
        except (WorkCalendarError, ValueError, TypeError):
            continue
    return out


@dataclass
class ReturnTiming:
    """One unit's return against the form deadline and the SOP's fill-in step (pengisian)."""

    unit: str
    nama: str
    putaran: int | None = None
    distributed: dt.datetime | None = None
    received: dt.datetime | None = None
    deadline: dt.datetime | None = None
    as_of: dt.datetime | None = None  # received, or now for a unit not yet returned
    late_minutes: float = 0.0  # past the deadline
    late_days: int = 0
    sop_standard: str = ""
    sop_due: dt.datetime | None = None
    sop_ratio: float | None = None
    sop_late_minutes: float = 0.0
    sop_late_days: int = 0

    @property
    def returned(self) -> bool:
        return self.received is not None

    @property
    def late(self) -> bool:
        return self.late_minutes > 0 or self.sop_late_minutes > 0

    def late_text(self) -> str:
        """'2 hari kerja' / '3 jam waktu kerja' past the deadline (else past the SOP's
        fill-in time); '' when not late."""
        if self.late_minutes > 0:
            return late_words(self.late_minutes, self.late_days)
        if self.sop_late_minutes > 0:
            return late_words(self.sop_late_minutes, self.sop_late_days)
        return ""

    def text(self) -> str:
        """One Indonesian sentence about this unit's return."""
        head = (f"Unit {self.unit} mengembalikan formulir {waktu_text(self.received)}" if self.returned
                else f"Unit {self.unit} belum mengembalikan formulir")
        parts = []
        if self.deadline is not None:
            if self.late_minutes > 0:
                parts.append(f"terlambat {late_words(self.late_minutes, self.late_days)} dari batas waktu "
                             f"{waktu_text(self.deadline)}")
            elif self.returned:
                parts.append(f"sebelum batas waktu {waktu_text(self.deadline)}")
        if self.sop_due is not None and self.sop_late_minutes > 0:
            parts.append(f"melewati mutu baku pengisian {self.sop_standard} (batas {waktu_text(self.sop_due)}) "
                         f"{late_words(self.sop_late_minutes, self.sop_late_days)}")
        elif self.sop_due is not None and self.returned:
            parts.append(f"dalam mutu baku pengisian {self.sop_standard}")
        return head + (": " + "; ".join(parts) if parts else "") + "."

    def to_dict(self) -> dict[str, Any]:
        return {"unit": self.unit, "nama": self.nama, "putaran": self.putaran,
                "dibagikan": iso(self.distributed), "diterima": iso(self.received),
                "batas_waktu": iso(self.deadline), "terlambat": self.late_text(), "keterangan": self.text()}


def _row_order(item: tuple[int | None, dt.datetime | None, dt.datetime | None]) -> tuple[int, dt.datetime]:
    """A Distribusi row's order: its round, then when it was made."""
    return item[0] or 0, item[1] or dt.datetime.min


def _distribution(loaded: Loaded) -> dict[str, tuple[int | None, dt.datetime | None, dt.datetime | None]]:
    """Unit -> (round, distributed, deadline) of its latest round on the Distribusi sheet, the
    deadline by `round_deadline`."""
    out: dict[str, tuple[int | None, dt.datetime | None, dt.datetime | None]] = {}
    settings = loaded.master.settings if loaded.master is not None else None
    rows = loaded.rows.get(S.DISTRIBUSI.sheet)
    for r in read_table(rows, S.DISTRIBUSI, Report()).rows if rows else []:
        v = r.values
        unit = str(v["unit"] or "").strip().upper()
        if not unit:
            continue
        handed = _moment(v["dibuat"])
        item = (v["putaran"], handed, round_deadline(settings, v["batas_waktu"], handed))
        old = out.get(unit)
        if old is None or _row_order(item) >= _row_order(old):
            out[unit] = item
    return out


def _received(loaded: Loaded, rounds: dict[str, int | None]) -> dict[str, dt.datetime]:
    """Unit -> when its form (of its latest round) was received and used (Penerimaan)."""
    out: dict[str, dt.datetime] = {}
    rows = loaded.rows.get(S.PENERIMAAN.sheet)
    for r in read_table(rows, S.PENERIMAAN, Report()).rows if rows else []:
        v = r.values
        unit = str(v["unit"] or "").strip().upper()
        when = naive(v["diterima"])
        if not unit or when is None or norm(v["status"]) != "dipakai":
            continue
        wanted = rounds.get(unit)
        if wanted is not None and v["putaran"] is not None and v["putaran"] != wanted:
            continue
        if unit not in out or when > out[unit]:
            out[unit] = when
    return out


def unit_return_timing(loaded: Loaded, received: dict[str, dt.datetime],
                       now: dt.datetime | None = None) -> list[ReturnTiming]:
    """Each unit's return, in the master's unit order, timed in working time against the form
    deadline (the Distribusi row's Batas Waktu, else Settings.batas_waktu) and against the
    SOP's fill-in steps (tahap 'pengisian') counted from distribution.

    Distribution times come from the Distribusi sheet, receipt times from Penerimaan (status
    'Dipakai'); `received` (unit -> time, e.g. the returns just read) takes precedence. A unit not
    returned is timed at `now` when given.
    """
    m = loaded.master
    if m is None:
        return []
    cal = calendar(m.settings)
    dist = _distribution(loaded)
    got = _received(loaded, {u: d[0] for u, d in dist.items()})
    got.update({str(k).strip().upper(): naive(v) for k, v in received.items() if v is not None})
    fill = [s for s in m.sop.steps if s.tahap == "pengisian" and s.waktu is not None]
    now = naive(now)
    out = []
    for u in m.units:
        putaran, dibuat, batas = dist.get(u.kode, (None, None, round_deadline(m.settings, None, None)))
        r = ReturnTiming(u.kode, u.nama, putaran, dibuat, got.get(u.kode), batas)
        r.as_of = r.received or now
        try:
            if r.as_of and r.deadline:
                r.late_minutes, r.late_days = late_by(cal, r.deadline, r.as_of)
            if dibuat and fill:
                due = dibuat
                for s in fill:
                    due = cal.due(due, s.waktu)  # type: ignore[arg-type]
                r.sop_due = due
                r.sop_standard = " + ".join(s.waktu.text() for s in fill)  # type: ignore[union-attr]
                if r.as_of and r.as_of >= dibuat:
                    allowed = cal.elapsed(dibuat, due).minutes
                    used = cal.elapsed(dibuat, r.as_of).minutes
                    r.sop_ratio = used / allowed if allowed > 0 else None
                    r.sop_late_minutes, r.sop_late_days = late_by(cal, due, r.as_of)
        except WorkCalendarError:
            pass  # a calendar without working days: the unit stays untimed
        out.append(r)
    return out
