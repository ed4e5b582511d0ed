"""Approval state: who approved what, when, for which period, and whether it still holds.

Read from the master alone (review.py writes it; validate, report, archive, new-period and
check read it here):

- the Riwayat sheet: 'Unit disetujui' / 'Dikembalikan' / 'Putaran baru' / 'Rekap disetujui'
  rows, each note tagged with its period ('[2026-TW3] ') and, for an approval, the fingerprint
  of the unit's data ('Sidik data: ...', 12 hex digits over targets, realisasi, explanation,
  evidence and budget), the source of truth for `approval_status`;
- the 'Nilai Disetujui' sheet (protected): at every unit approval, one row per indicator with
  the realisasi of every quarter as approved, who approved and when, and a SHA-256 over the
  unit's indicator codes and realisasi values ('Sidik Nilai'). It travels with the master into
  the next period (`kinerja new-period`), so the approved values of earlier quarters and years
  stay with the office's data. `changed_after_approval` compares them with the unit sheets as
  they are now, and checks every row against its SHA-256, so an approved value changed after
  approval, by any route, is reported with its period, indicator, quarter, old and new value.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from kinerja.domain.models import ROMAN, Master, Period
from kinerja.domain.numbers import format_datetime, format_number
from kinerja.issues.catalogue import Report
from kinerja.workbook import sheets as S
from kinerja.workbook.master import Loaded

# the states, defined with the sheet that shows them; validate and review take them from here
from kinerja.workbook.sheets import BERUBAH, DIKEMBALIKAN, DIPERBAIKI, DISETUJUI, MENUNGGU  # noqa: F401
from kinerja.workbook.tables import Row, Table, read_table

FINGERPRINT = re.compile(r"Sidik data: ([0-9a-f]{12})")


def active_units(master: Master) -> list:
    """The units that take part in the round: those with indicators (others get no form)."""
    return [u for u in master.units if master.indicators_of(u.kode)]


def read_rows(loaded: Loaded, table: Table) -> list[Row]:
    """A stage sheet's rows as typed values (problems ignored: the sheets are the tool's own)."""
    return read_table(loaded.rows.get(table.sheet) or [], table, Report()).rows


def fingerprint(master: Master, unit: str | None = None) -> str:
    """12 hex digits over what the rekap is made of (targets, realisasi, explanation, evidence,
    budget) for one unit or the whole office."""
    payload = []
    for ind in master.indicators if unit is None else master.indicators_of(unit):
        r = master.results.get(ind.kode)
        payload.append([ind.kode, ind.unit, ind.polaritas, ind.metode, ind.target_tahunan, *ind.target_tw,
                        ind.pagu, *(r.realisasi_tw if r else [None] * 4), r.penjelasan if r else "",
                        r.bukti if r else "", r.realisasi_anggaran if r else None])
    return hashlib.sha256(json.dumps(payload, default=str).encode()).hexdigest()[:12]


@dataclass
class Approval:
    """Whether the Sekretaris approved the rekap, by whom and when, and each unit's status."""

    approved: bool
    by: str = ""
    at: datetime | None = None
    units: dict[str, str] = field(default_factory=dict)  # unit code -> MENUNGGU / ... / DISETUJUI
    detail: str = ""  # why not approved (Indonesian), for the report's DRAF note
    round: int = 1  # the current round (putaran)

    def paraf_line(self) -> str:
        """The visible line on the Rekap sheet."""
        if self.approved:
            return f"Disetujui (paraf) oleh {self.by} pada {format_datetime(self.at)}."
        return f"Belum disetujui Sekretaris: {self.detail}."


def period_tag(master: Master) -> str:
    """The prefix of every Riwayat note this module writes: '[2026-TW3] '."""
    return f"[{master.settings.period.key()}] "


def history(loaded: Loaded) -> list[dict[str, Any]]:
    """The Riwayat rows of the current period (rows tagged with another period are skipped)."""
    m = loaded.master
    tag = period_tag(m) if m else ""
    out = []
    for r in read_rows(loaded, S.RIWAYAT):
        note = str(r.values.get("catatan") or "")
        if r.values.get("kegiatan") and (not note.startswith("[") or note.startswith(tag)):
            out.append(r.values)
    return out


def current_round(loaded: Loaded) -> int:
    """The current round (putaran): the highest handed out (Distribusi) or opened (Riwayat)."""
    from kinerja.stages.forms import current_round as handed_out

    opened = [e["putaran"] for e in history(loaded) if e["kegiatan"] == S.KEGIATAN_PUTARAN and e["putaran"]]
    return max([1, handed_out(loaded), *opened])


def approval_status(loaded: Loaded) -> Approval:
    """The approval state from the Riwayat sheet, checked against the data as it is now."""
    m = loaded.master
    if m is None:
        return Approval(False, detail="workbook induk tidak dapat dibaca")
    events = history(loaded)
    receipts = [r.values for r in read_rows(loaded, S.PENERIMAAN) if r.values.get("unit")]
    units: dict[str, str] = {}
    for unit in active_units(m):
        state = MENUNGGU
        for e in events:
            if e["unit"] != unit.kode:
                continue
            if e["kegiatan"] == S.KEGIATAN_UNIT_DISETUJUI:
                found = FINGERPRINT.search(str(e["catatan"] or ""))
                state = DISETUJUI if found and found.group(1) == fingerprint(m, unit.kode) else BERUBAH
            elif e["kegiatan"] == S.KEGIATAN_DIKEMBALIKAN:
                since = e["waktu"]
                fixed = any(str(r["unit"]).upper() == unit.kode and r["diterima"] and since
                            and r["diterima"] > since for r in receipts)
                state = DIPERBAIKI if fixed else DIKEMBALIKAN
        units[unit.kode] = state
    out = Approval(False, units=units, round=current_round(loaded))
    last = max((i for i, e in enumerate(events) if e["kegiatan"] == S.KEGIATAN_REKAP_DISETUJUI), default=None)
    waiting = [f"{k}: {v}" for k, v in units.items() if v != DISETUJUI]
    if last is None:
        out.detail = ("belum semua unit disetujui (" + ", ".join(waiting) + ")") if waiting else \
            "rekap belum diparaf Sekretaris"
        return out
    approved = events[last]
    later = next((e["kegiatan"] for e in events[last + 1:]
                  if e["kegiatan"] in (S.KEGIATAN_DIKEMBALIKAN, S.KEGIATAN_PUTARAN)), None)
    found = FINGERPRINT.search(str(approved["catatan"] or ""))
    when = format_datetime(approved["waktu"])
    if later:
        out.detail = f"ada kegiatan '{later}' setelah rekap disetujui pada {when}"
    elif not found or found.group(1) != fingerprint(m):
        out.detail = f"data berubah setelah rekap disetujui pada {when}"
    elif waiting:
        out.detail = "belum semua unit disetujui (" + ", ".join(waiting) + ")"
    else:
        out.approved, out.by, out.at = True, approved["oleh"] or "", approved["waktu"]
    return out


# ----------------------------------------------------------------------------------- approved values


def values_fingerprint(values: dict[str, list[float | None]]) -> str:
    """SHA-256 (hex) over indicator codes and their four realisasi values, in code order.

    Numbers are written as exact decimal text (an integer-valued float as '12.0'), so the
    same values give the same digest whoever reads them (openpyxl, calamine, Excel)."""
    payload = [[k, *[None if v is None else repr(float(v)) for v in values[k]]] for k in sorted(values)]
    return hashlib.sha256(json.dumps(payload, separators=(",", ":")).encode()).hexdigest()


def unit_values(master: Master, unit: str) -> dict[str, list[float | None]]:
    """The realisasi of every quarter of a unit's indicators as the master holds them now."""
    out: dict[str, list[float | None]] = {}
    for ind in master.indicators_of(unit):
        r = master.results.get(ind.kode)
        out[ind.kode] = list(r.realisasi_tw) if r else [None] * 4
    return out


def approval_rows(master: Master, unit: str, now: datetime, who: str) -> list[list[Any]]:
    """The 'Nilai Disetujui' rows recording a unit's approval (written by the review stage)."""
    values = unit_values(master, unit)
    digest = values_fingerprint(values)
    key = master.settings.period.key()
    return [[key, unit, kode, (ind.nama if (ind := master.indicator(kode)) else ""), *vals,
             now, who, digest] for kode, vals in values.items()]


@dataclass
class ApprovedUnit:
    """One unit's approved values for one period (the last approval recorded)."""

    period: str  # '2026-TW1'
    unit: str
    at: datetime | None
    by: str
    digest: str
    values: dict[str, list[float | None]] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)  # code -> sheet row

    @property
    def intact(self) -> bool:
        """The recorded values still match the SHA-256 recorded with them."""
        return values_fingerprint(self.values) == self.digest


def approved_units(loaded: Loaded) -> dict[tuple[str, str], ApprovedUnit]:
    """Every approval the 'Nilai Disetujui' sheet records, by (period key, unit): the last
    approval of a unit in a period replaces an earlier one (a unit approved again after a
    new round)."""
    out: dict[tuple[str, str], ApprovedUnit] = {}
    for r in read_rows(loaded, S.NILAI_DISETUJUI):
        v = r.values
        if not v.get("periode") or not v.get("unit") or not v.get("kode"):
            continue
        key = (str(v["periode"]).strip(), str(v["unit"]).strip().upper())
        digest = str(v.get("sidik") or "")
        got = out.get(key)
        if got is None or got.at != v.get("disetujui") or got.digest != digest:
            got = out[key] = ApprovedUnit(key[0], key[1], v.get("disetujui"), str(v.get("oleh") or ""), digest)
        kode = str(v["kode"]).strip()
        got.values[kode] = [v.get(f"r{q}") for q in range(1, 5)]
        got.names[kode] = str(v.get("indikator") or "")
        got.rows[kode] = r.number
    return out


def approved_values(loaded: Loaded, year: int | None = None) -> dict[str, dict[int, float | None]]:
    """The approved realisasi per indicator code and quarter, for a year (default: the
    master's): each quarter from the approval of the period that reported it (TW I from the
    TW I approval, ...). The history the next period's forms show, locked."""
    m = loaded.master
    year = year if year is not None else (m.settings.period.tahun if m else None)
    out: dict[str, dict[int, float | None]] = {}
    for (key, _unit), a in sorted(approved_units(loaded).items(), key=lambda kv: _order(kv[0][0])):
        try:
            p = Period.from_key(key)
        except ValueError:
            continue
        if p.tahun != year:
            continue
        for kode, vals in a.values.items():
            for q in p.quarters:
                out.setdefault(kode, {})[q] = vals[q - 1]
    return out


def _order(key: str) -> tuple:
    try:
        p = Period.from_key(key)
    except ValueError:
        return (0, 0)
    return (p.tahun, p.last_quarter, len(p.quarters))


@dataclass
class ValueChange:
    """An approved value that is no longer what was approved."""

    period: str
    unit: str
    kode: str
    quarter: int | None  # None: the record itself was altered (its SHA-256 no longer matches)
    approved: float | None
    now: float | None
    at: datetime | None
    by: str
    cell: str = ""
    sheet: str = ""


def _same(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(float(a) - float(b)) <= 1e-9 * max(1.0, abs(float(a)))


def changed_after_approval(loaded: Loaded) -> list[ValueChange]:
    """Every approved value of the master's year that the unit sheets no longer hold, and
    every 'Nilai Disetujui' record whose values no longer match their SHA-256.

    An approval covers the realisasi of its period's quarters and of the earlier quarters of
    the year the rekap showed (TW III's approval covers TW I-III). Each value is compared with
    every approval that covers it; the earliest that differs is reported (the value first
    approved). A unit approved again in the same period counts with its last approval."""
    m = loaded.master
    if m is None:
        return []
    out: list[ValueChange] = []
    table = S.NILAI_DISETUJUI
    units = approved_units(loaded)
    for (key, unit), a in units.items():
        if not a.intact:
            first = min(a.rows.values()) if a.rows else table.header_row + 1
            out.append(ValueChange(key, unit, "", None, None, None, a.at, a.by,
                                   f"{table.letter('sidik')}{first}", table.sheet))
    data = S.unit_data_table("x")
    seen: set[tuple[str, int]] = set()
    for (key, _unit), a in sorted(units.items(), key=lambda kv: _order(kv[0][0])):
        try:
            p = Period.from_key(key)
        except ValueError:
            continue
        if p.tahun != m.settings.period.tahun:
            continue
        for kode, vals in a.values.items():
            ind = m.indicator(kode)
            res = m.results.get(kode)
            for q in range(1, p.last_quarter + 1):
                approved, now = vals[q - 1], (res.realisasi_tw[q - 1] if res else None)
                if (kode, q) in seen or _same(approved, now) or (ind is None and approved is None):
                    continue
                seen.add((kode, q))
                unit = m.unit(ind.unit) if ind else None
                row = loaded.unit_rows.get(ind.unit, {}).get(kode) if ind else None
                out.append(ValueChange(key, a.unit, kode, q, approved, now, a.at, a.by,
                                       f"{data.letter(f'r{q}')}{row}" if row else "",
                                       unit.sheet_name if unit else S.INDIKATOR.sheet))
    return out


def report_changes(loaded: Loaded, report: Report) -> None:
    """Add an issue to `report` for every approved value changed after approval."""
    file = loaded.path.name
    for c in changed_after_approval(loaded):
        when, who = format_datetime(c.at) if c.at else "-", c.by or "-"
        if c.quarter is None:
            report.issue("approved-record-altered", file=file, sheet=c.sheet, cell=c.cell, unit=c.unit,
                         period=c.period, when=when, who=who)
        else:
            report.issue("approved-value-changed", file=file, sheet=c.sheet, cell=c.cell or None,
                         unit=c.unit, indicator=c.kode, period=c.period, quarter=ROMAN[c.quarter - 1],
                         approved=_num(c.approved), value=_num(c.now), when=when, who=who)


def _num(v: float | None) -> str:
    return "kosong" if v is None else format_number(v)
