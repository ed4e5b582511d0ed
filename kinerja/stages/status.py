"""Where the SOP stands (`kinerja status`, the ribbon's Status): the current step and who holds
it, an open return for revision, the units' returns, open validation findings and the steps over
mutu baku so far; and the ribbon's 'Catat Langkah' (the current or the selected step)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

from kinerja.domain.workcal import format_waktu
from kinerja.issues.catalogue import Issue, Report, Severity
from kinerja.stages.deadlines import ReturnTiming, unit_return_timing
from kinerja.stages.timing import TimingError, TimingRow, log_step, naive, parse_waktu, recompute, waktu_text
from kinerja.workbook import sheets as S
from kinerja.workbook.description import WorkbookWrites
from kinerja.workbook.master import Loaded
from kinerja.workbook.tables import find_header, norm, read_table

__all__ = ["StatusOutcome", "end_current_step", "log_selected", "sop_status"]


def _loop_start(loaded: Loaded, rows: list[TimingRow]) -> tuple[int, int, dt.datetime] | None:
    """(back-to step, decision step, when) while the Sekretaris' return for revision is open:
    the latest 'Dikembalikan' / 'Putaran baru' in Riwayat is later than any 'Rekap disetujui'."""
    decision = next((r.step for r in rows if r.step.kembali_ke and r.step.tahap == "validasi"), None)
    sheet = loaded.rows.get(S.RIWAYAT.sheet)
    if decision is None or not sheet:
        return None
    back, approved = None, None
    loops = {norm(S.KEGIATAN_DIKEMBALIKAN), norm(S.KEGIATAN_PUTARAN)}
    for r in read_table(sheet, S.RIWAYAT, Report()).rows:
        when, what = naive(r.values["waktu"]), norm(r.values["kegiatan"])
        if when is None:
            continue
        if what in loops:
            back = max(back or when, when)
        elif what == norm(S.KEGIATAN_REKAP_DISETUJUI):
            approved = max(approved or when, when)
    if back is None or (approved is not None and approved >= back):
        return None
    return decision.kembali_ke, decision.no, back  # type: ignore[return-value]


def _validation_counts(loaded: Loaded) -> tuple[Counter, int]:
    """Open findings (their unit not decided yet on the Validasi sheet) by severity label, and
    all findings (sheet Temuan Validasi)."""
    units = loaded.rows.get(S.VALIDASI.sheet)
    decided = {str(r.values["unit"] or "").strip().upper() for r in read_table(units, S.VALIDASI, Report()).rows
               if r.values["keputusan"] or r.values["status"] == S.DISETUJUI} if units else set()
    rows = loaded.rows.get(S.TEMUAN_VALIDASI.sheet)
    counts: Counter = Counter()
    total = 0
    for r in read_table(rows, S.TEMUAN_VALIDASI, Report()).rows if rows else []:
        v = r.values
        if not (v["kode_masalah"] or v["pesan"]):
            continue
        total += 1
        if str(v["unit"] or "").strip().upper() not in decided:
            counts[str(v["tingkat"] or Severity.info.label)] += 1
    return counts, total


@dataclass
class StatusOutcome:
    """Where the SOP stands at `now`."""

    now: dt.datetime
    title: str
    steps: int
    current: TimingRow | None
    loop: tuple[int, int, dt.datetime] | None
    skipped_done: list[int]  # later steps already recorded done while `current` is open
    returns: list[ReturnTiming]
    validation: dict[str, int]
    validation_total: int
    breaches: list[Issue]
    report: Report

    @property
    def returned(self) -> list[ReturnTiming]:
        return [r for r in self.returns if r.returned]

    @property
    def missing(self) -> list[ReturnTiming]:
        return [r for r in self.returns if not r.returned]

    def summary_lines(self) -> list[str]:
        """The status in Indonesian, one sentence a line (the CLI and the ribbon's Status)."""
        out = [f"{self.title}: posisi per {format_waktu(self.now)}."]
        c = self.current
        if self.loop is not None:
            out.append(f"Rekap dikembalikan untuk dilengkapi pada {format_waktu(self.loop[2])}: "
                       f"langkah {self.loop[0]} sampai {self.loop[1]} diulang.")
        if c is None:
            out.append(f"Semua {self.steps} langkah SOP sudah selesai.")
        else:
            out.append(f"Langkah sekarang: {c.step.no} dari {self.steps}, {c.step.uraian} "
                       f"(pelaksana: {c.step.pelaksana}; mutu baku {c.step.waktu_text()}).")
            if c.start is not None:
                out.append(f"Dimulai {format_waktu(c.start)}, batas waktu {waktu_text(c.due)}; status: {c.status}.")
            elif c.planned_start is not None:
                out.append(f"Belum dicatat mulai; rencana mulai {format_waktu(c.planned_start)}, "
                           f"batas waktu {waktu_text(c.due)}.")
            else:
                out.append("Belum dimulai.")
            if self.skipped_done:
                done = ", ".join(map(str, self.skipped_done))
                out.append(f"Catatan: langkah {done} sudah tercatat selesai; lengkapi pencatatan "
                           f"langkah {c.step.no} di sheet {S.WAKTU.sheet}.")
        out.append(self._returns_line())
        if self.validation_total:
            counts = ", ".join(f"{self.validation.get(s.label, 0)} {s.label.lower()}" for s in Severity)
            out.append(f"Temuan validasi terbuka: {counts} (dari {self.validation_total} baris "
                       f"di sheet {S.TEMUAN_VALIDASI.sheet}).")
        else:
            out.append("Belum ada temuan validasi.")
        late = [i for i in self.breaches if i.code == "step-late"]
        if not self.breaches:
            out.append("Belum ada langkah yang melewati mutu baku.")
        else:
            out.append(f"Mutu baku: {len(late)} langkah terlambat, "
                       f"{len(self.breaches) - len(late)} hampir terlambat.")
            out.extend(f"- {i.message}" for i in self.breaches)
        return out

    def _returns_line(self) -> str:
        n = len(self.returns)
        if not n:
            return "Belum ada unit di sheet Unit."
        if not self.returned and not any(r.distributed for r in self.returns):
            return f"Formulir belum dibagikan ke {n} unit."
        text = f"Formulir kembali: {len(self.returned)} dari {n} unit"
        if self.missing:
            text += "; belum kembali: " + ", ".join(
                r.unit + (f" (terlambat {r.late_text()})" if r.late else "") for r in self.missing)
        late = [r for r in self.returned if r.late]
        if late:
            text += "; kembali terlambat: " + ", ".join(f"{r.unit} ({r.late_text()})" for r in late)
        return text + "."

    def to_dict(self) -> dict[str, Any]:
        return {"waktu": self.now.isoformat(), "judul": self.title, "jumlah_langkah": self.steps,
                "langkah_sekarang": self.current.to_dict() if self.current else None,
                "unit": [r.to_dict() for r in self.returns],
                "validasi_terbuka": dict(self.validation), "validasi_jumlah": self.validation_total,
                "pelanggaran": [i.model_dump(mode="json") for i in self.breaches],
                "baris": self.summary_lines(), "temuan": self.report.to_dict()}


def sop_status(loaded: Loaded, now: dt.datetime) -> StatusOutcome:
    """Where the SOP stands: the current step (the first step without an end, in order; while a
    return for revision is open, the steps from the decision's 'kembali ke' step count as done
    only when finished after the return) and who holds it, unit returns, open validation
    findings and breaches so far."""
    now = naive(now)
    outcome = recompute(loaded, now)
    m = loaded.master
    if m is None:
        return StatusOutcome(now, "Workbook induk tidak dapat dibaca", 0, None, None, [], [], {}, 0, [],
                             outcome.report)
    loop = _loop_start(loaded, outcome.rows)

    def done(r: TimingRow) -> bool:
        if loop and loop[0] <= r.step.no <= loop[1]:
            return r.end is not None and r.end > loop[2]
        return r.done

    current = next((r for r in outcome.rows if not done(r)), None)
    later = [r.step.no for r in outcome.rows if current and r.step.no > current.step.no and done(r)]
    counts, total = _validation_counts(loaded)
    s = m.settings
    return StatusOutcome(now=now, title=f"{s.office.nama}, {s.period.label()}", steps=len(outcome.rows),
                         current=current, loop=loop, skipped_done=later,
                         returns=unit_return_timing(loaded, {}, now), validation=dict(counts),
                         validation_total=total, breaches=outcome.breaches, report=outcome.report)


def end_current_step(loaded: Loaded, now: dt.datetime, who: str = "") -> tuple[int, WorkbookWrites]:
    """The ribbon's 'Catat Langkah': the current step (as `sop_status` finds it) ends at `now`.
    Returns its number and the writes; TimingError when every step is already done."""
    current = sop_status(loaded, now).current
    if current is None:
        raise TimingError("Semua langkah SOP sudah selesai; tidak ada langkah yang dicatat.")
    return current.step.no, log_step(loaded, current.step.no, end=now, who=who, now=now)


def log_selected(loaded: Loaded, sheet: str, row: int, column: int, value: object, now: dt.datetime,
                 who: str = "") -> tuple[int, str, dt.datetime, WorkbookWrites]:
    """The ribbon's 'Catat Langkah' on a selected cell. On the Waktu SOP sheet, the Mulai or
    Selesai cell of a step's row records that step's start or end: at the time typed in that
    cell, or now when it is empty. Anywhere else, the current step ends now. Returns the step,
    'mulai' or 'selesai', the moment and the writes; TimingError (Indonesian) says what to select."""
    if sheet != S.WAKTU.sheet:
        no, writes = end_current_step(loaded, now, who)
        return no, "selesai", now, writes
    rows = loaded.rows.get(S.WAKTU.sheet) or []
    idx, mapping, _ = find_header(rows, S.WAKTU)
    keys = {j + 1: c.key for j, c in mapping.items()}
    what = keys.get(column)
    if idx is None or what not in ("mulai", "selesai") or row <= idx + 1:
        raise TimingError("Pilih sel Mulai atau Selesai pada baris langkah di sheet Waktu SOP (boleh diketik "
                          "waktunya, mis. 19/10/2026 08.30), lalu klik Catat Langkah lagi.")
    no_col = next((j for j, key in keys.items() if key == "no"), 1)
    line = rows[row - 1] if row - 1 < len(rows) else ()
    cell = line[no_col - 1] if no_col - 1 < len(line) else None
    try:
        no = int(float(cell))  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):  # empty, text, or 'inf'
        raise TimingError(f"Baris {row} sheet Waktu SOP tidak berisi nomor langkah; pilih baris langkah.") from None
    if value in (None, ""):
        moment = now
    elif isinstance(value, dt.datetime):
        moment = value.replace(second=0, microsecond=0)
    else:
        moment = parse_waktu(str(value))
    writes = log_step(loaded, no, start=moment if what == "mulai" else None,
                      end=moment if what == "selesai" else None, who=who, now=max(now, moment))
    return no, what, moment, writes
