"""SOP timing: every step of the master's SOP against its time standard (mutu baku), counted in
office working time (kinerja.domain.workcal), on the 'Waktu SOP' sheet.

Who writes what:
- Steps people do (disposisi, meetings, signing) are typed on the sheet (Mulai, Selesai, Oleh and
  Keterangan are input columns) or logged with `log_step` (`kinerja log`).
- Stages the tool performs call `stamp(loaded, tahap, start=, end=)`. A stamp writes only the
  input cells of its steps, so stamps of several stages combine in one WorkbookWrites.
- `recompute` reads the input columns back and rewrites the whole sheet: planned start, due,
  elapsed working time, status, highlights and a summary block below the table (rows
  without a step number are not read back).

A step's planned start is the previous step's actual end, or its due when not yet done; the first
step's planned start is its own actual start. A step with an end but no start is measured from
its planned start (it began when the previous step ended). Everything is pure: the caller passes
`now`.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any, overload

from kinerja.domain.durations import Duration
from kinerja.domain.models import Rules, Settings
from kinerja.domain.numbers import format_percent
from kinerja.domain.sop import SopKeyError, SopStep
from kinerja.domain.workcal import HARI_MINUTES, WorkCalendar, WorkCalendarError, format_minutes, format_waktu
from kinerja.issues.catalogue import Issue, KinerjaError, Report, Severity, make_issue
from kinerja.workbook import sheets as S
from kinerja.workbook.description import Mark, WorkbookWrites
from kinerja.workbook.master import Loaded
from kinerja.workbook.style import SEVERITY_FILL
from kinerja.workbook.tables import Column, convert, find_header, norm, read_table

__all__ = [
    "Entry", "ReturnTiming", "RevisionLoop", "RoleSummary", "StatusOutcome", "TimingError",
    "TimingOutcome", "TimingRow", "TimingSummary", "calendar", "format_durasi", "log_step", "parse_waktu",
    "end_current_step", "late_text", "read_log", "recompute", "revision_loops", "sop_status", "stamp",
    "stamp_receiving", "step_rows", "unit_return_timing",
]

TEPAT, HAMPIR, TERLAMBAT = "tepat waktu", "hampir terlambat", "terlambat"
BERJALAN, BELUM, TANPA = "sedang berjalan", "belum dimulai", "tanpa mutu baku"
MULAI_KOSONG, TIDAK_SAH, BUKAN_SOP = "mulai belum dicatat", "waktu tidak sah", "tidak ada di SOP"
INPUT_KEYS = ("mulai", "selesai", "oleh", "keterangan")
SUMMARY_COLUMNS = ("uraian", "pelaksana")  # the summary block below the table: label, value
_FIRST = S.WAKTU.header_row + 1
_EPS = 1e-6


class TimingError(KinerjaError, ValueError):
    """A log request that cannot be done. The message is Indonesian and user-facing."""


# ----------------------------------------------------------------------------------- helpers


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def format_durasi(minutes: float | None) -> str:
    """Office minutes as Indonesian text, a day being 7.5 office hours: '1 hari 2 jam 30 menit'."""
    if minutes is None:
        return "-"
    days, rest = divmod(int(round(minutes)), int(HARI_MINUTES))
    if not days:
        return format_minutes(rest)
    return f"{days} hari" + (f" {format_minutes(rest)}" if rest else "")


def _late_text(minutes: float, days: int) -> str:
    """'2 hari kerja' when whole working days were lost, else '1 jam 30 menit waktu kerja'."""
    return f"{days} hari kerja" if days else f"{format_durasi(minutes)} waktu kerja"


def calendar(settings: Settings) -> WorkCalendar:
    """The office's working calendar, from the master (Jam Kerja, Libur Kantor)."""
    return WorkCalendar(office_hours=settings.jam_kerja, extra_holidays=settings.libur)


@overload
def _naive(value: dt.date) -> dt.datetime: ...


@overload
def _naive(value: Any) -> dt.datetime | None: ...


def _naive(value: Any) -> dt.datetime | None:
    """A moment as Excel stores it: office wall-clock time (an aware datetime keeps its own
    wall-clock, as in workcal), whole seconds."""
    if value is None:
        return None
    if not isinstance(value, dt.datetime):
        if isinstance(value, dt.date):
            return dt.datetime.combine(value, dt.time())
        raise TypeError(f"expected a datetime, got {value!r}")
    return value.replace(tzinfo=None, microsecond=0)


def _w(value: dt.datetime | None) -> str:
    return format_waktu(value) if value is not None else "-"


def parse_waktu(text: str) -> dt.datetime:
    """A moment typed by a person: '19/10/2026 08.30', '19-10-2026 8:30', '19 Oktober 2026 08.30'."""
    report = Report()
    ok, value = convert(text, Column("waktu", "Waktu", "datetime"), report, file=None, sheet="-", cell="-")
    if not ok or value is None:
        raise TimingError(f"Waktu '{text}' tidak dapat dibaca; tulis seperti 19/10/2026 08.30.")
    return value


def _late(cal: WorkCalendar, due: dt.datetime, at: dt.datetime) -> tuple[float, int]:
    """Office minutes past `due` at `at`, and the working days after the due date that lost
    office time (the same rule as workcal.StepStatus)."""
    if at <= due:
        return 0.0, 0
    minutes = cal.elapsed(due, at).minutes
    if minutes <= _EPS:
        return 0.0, 0
    next_day = dt.datetime.combine(due.date() + dt.timedelta(days=1), dt.time())
    return minutes, cal.elapsed(next_day, at).working_days if at > next_day else 0


def late_text(cal: WorkCalendar, due: dt.datetime, at: dt.datetime) -> str:
    """How late `at` is past `due`, in the one wording of this module; '' when not late."""
    minutes, days = _late(cal, _naive(due), _naive(at))
    return _late_text(minutes, days) if minutes > 0 else ""


def _near_ratio(loaded: Loaded, report: Report, file: str) -> float:
    ratio = loaded.master.settings.rules.ambang_hampir  # type: ignore[union-attr]
    if 0 < ratio <= 1:
        return ratio
    default = Rules().ambang_hampir
    label = norm(next(s.label for s in S.SETTINGS if s.key == "ambang_hampir"))
    cell = next((f"B{r}" for r, row in enumerate(loaded.rows.get(S.SETTINGS_SHEET) or [], 1)
                 if row and norm(row[0]) == label), None)
    report.add(make_issue("setting-invalid", severity="warning", file=file, sheet=S.SETTINGS_SHEET, cell=cell,
                          key="Ambang Hampir Terlambat (%)",
                          detail=f"harus di atas 0 sampai 100, terbaca {ratio * 100:g}; "
                                 f"dipakai {default * 100:g}"))
    return default


def _soft(issues: list[Issue]) -> list[Issue]:
    """Problems in the timing log are a record to fix, never a reason to stop the report."""
    return [i.model_copy(update={"severity": Severity.warning}) if i.severity == Severity.error else i
            for i in issues]


# ----------------------------------------------------------------------------------- the log


@dataclass
class Entry:
    """What the sheet says about one step: its input columns."""

    start: dt.datetime | None = None
    end: dt.datetime | None = None
    who: str = ""
    keterangan: str = ""
    raw: dict[str, Any] = field(default_factory=dict)  # unreadable input cells, kept as typed
    row: int | None = None  # sheet row
    cells: dict[str, str] = field(default_factory=dict)  # column key -> cell, as found

    @property
    def empty(self) -> bool:
        return not (self.start or self.end or self.who or self.keterangan or self.raw)

    def merge(self, other: Entry) -> None:
        """Two rows for one step: the earliest start, the latest end, the first texts."""
        self.start = min((x for x in (self.start, other.start) if x), default=None)
        self.end = max((x for x in (self.end, other.end) if x), default=None)
        self.who = self.who or other.who
        self.keterangan = self.keterangan or other.keterangan
        self.raw = {**other.raw, **self.raw}


@dataclass
class SheetLog:
    entries: dict[int, Entry] = field(default_factory=dict)
    extras: list[tuple[Any, Entry]] = field(default_factory=list)  # rows of steps not in the SOP
    in_place: bool = False  # No, Mulai, Selesai and Oleh were found: cells can be written in place
    unreadable: bool = False  # the sheet has content but no header row: never overwrite it
    headerless: bool = False  # the sheet exists, empty, without its header row: write it again


def read_log(loaded: Loaded, report: Report | None = None) -> SheetLog:
    """The input columns of the Waktu SOP sheet, per step number (columns found by header)."""
    report = report if report is not None else Report()
    rows = loaded.rows.get(S.WAKTU.sheet)
    log = SheetLog()
    if rows is None:  # no sheet: recompute creates it, a stamp appends to a new one
        return log
    file = loaded.path.name
    sub = Report()
    read = read_table(rows, S.WAKTU, sub, file)
    if read.header_row is None:
        log.unreadable = any(v not in (None, "") for r in rows[S.WAKTU.header_row:] for v in r)
        log.headerless = not log.unreadable
        report.extend(sub.issues if log.unreadable else [])
        return log
    report.extend(_soft([i for i in sub.issues if i.code != "row-blank"]))  # the summary's gap row
    log.in_place = all(k in read.columns for k in ("no", "mulai", "selesai", "oleh"))
    steps = loaded.master.sop.steps if loaded.master else []
    for r in read.rows:
        v, raw = r.values, rows[r.number - 1]
        e = Entry(start=_naive(v["mulai"]), end=_naive(v["selesai"]), who=v["oleh"] or "",
                  keterangan=v["keterangan"] or "", row=r.number, cells=r.cells)
        for key in (*INPUT_KEYS, "no"):
            j = read.columns.get(key)
            if j is not None and j < len(raw) and raw[j] not in (None, "") and v[key] is None:
                e.raw[key] = raw[j]
        no = v["no"]
        if isinstance(no, int) and 1 <= no <= len(steps):
            e.raw.pop("no", None)
            if no in log.entries:
                log.entries[no].merge(e)
            else:
                log.entries[no] = e
        elif no is not None or not e.empty:
            label = no if no is not None else e.raw.get("no", "")
            log.extras.append((label, e))
            report.issue("step-not-in-sop", file=file, sheet=S.WAKTU.sheet, cell=r.cell("no"),
                         row=r.number, step=label, count=len(steps))
    return log


def step_rows(loaded: Loaded) -> dict[int, int]:
    """SOP step number -> its row on the Waktu SOP sheet."""
    return {no: e.row for no, e in read_log(loaded).entries.items() if e.row}


def _skeleton(step: SopStep) -> list[Any]:
    row: list[Any] = [None] * len(S.WAKTU.columns)
    for key, value in (("no", step.no), ("uraian", step.uraian), ("pelaksana", step.pelaksana),
                       ("mutu_baku", step.waktu_text())):
        row[S.WAKTU.index(key) - 1] = value
    return row


def _put(w: WorkbookWrites, log: SheetLog, step: SopStep, values: dict[str, Any]) -> None:
    """Write input values of one step: in place when its row is found, else as a new row
    (appended, so several writes never collide; recompute merges and orders the rows)."""
    sw = w.sheet(S.WAKTU.sheet, S.WAKTU)
    e = log.entries.get(step.no)
    if e is not None and e.row and log.in_place:
        for key, value in values.items():
            sw.cells[e.cells[key]] = value
        return
    row = _skeleton(step)
    for key, value in values.items():
        row[S.WAKTU.index(key) - 1] = value
    sw.append.append(row)


def stamp(loaded: Loaded, tahap: str, *, start: dt.datetime | None = None,
          end: dt.datetime | None = None, who: str = "kinerja") -> WorkbookWrites:
    """Log a step the tool performs: the SOP steps of this stage get their start and/or end.

    A start already recorded is kept (the step began earlier). The end moves forward only
    (the latest time the tool did the step, e.g. the last return received). 'Oleh' is filled
    when empty. A step whose row is missing gets a new row. Only input cells are written, so the
    writes of several stamps combine; `recompute` derives the rest.
    """
    w = WorkbookWrites()
    m = loaded.master
    start, end = _naive(start), _naive(end)
    if m is None or (start is None and end is None):
        return w
    steps = m.sop.steps_for(tahap)
    if not steps:
        return w
    log = read_log(loaded)
    if log.unreadable:
        return w
    for step in steps:
        e = log.entries.get(step.no) or Entry()
        values: dict[str, Any] = {}
        if start is not None and e.start is None:
            values["mulai"] = start
        if end is not None and (e.end is None or end > e.end):
            values["selesai"] = end
        if not values:
            continue
        if who and not e.who:
            values["oleh"] = who
        _put(w, log, step, values)
    return w


def stamp_receiving(loaded: Loaded, returns: list[tuple[str, int | None, dt.datetime]], *,
                    now: dt.datetime, who: str = "kinerja") -> WorkbookWrites:
    """The receiving steps (tahap 'penerimaan', e.g. 'Menghimpun format ... dari masing-masing
    Kasi'), timed as the work of their pelaksana, not of the units.

    `returns`: (unit, round, received) of the forms read. Receiving begins when the first round's
    forms are due (its deadline), or when the last of them came in if that was later (a late
    unit's wait is that unit's lateness, reported as 'return-late', not the receiver's); when
    every form is in before the deadline and collected at once, it begins at the last form. It
    ends at `now`, the collect that completes the round (every unit sent a form has returned
    one). Until then nothing is stamped. Revision rounds are not receiving: they are the
    decision step's return loop (`revision_loops`); a step already ended is never moved.
    """
    w = WorkbookWrites()
    m = loaded.master
    if m is None:
        return w
    steps = m.sop.steps_for("penerimaan")
    log = read_log(loaded)
    if not steps or log.unreadable:
        return w
    now = _naive(now)
    dist = _distribution_rows(loaded)
    first = [(u, d) for u, r, d in dist if (r or 1) == 1]
    sent = {u for u, _ in first} or {u.kode for u in m.units if m.indicators_of(u.kode)}
    got: dict[str, dt.datetime] = {}
    for unit, rnd, when in returns:
        u = str(unit or "").strip().upper()
        if (rnd or 1) == 1 and when is not None:
            got[u] = min(got.get(u, _naive(when)), _naive(when))
    if not sent or not sent <= set(got):
        return w
    last = max(got[u] for u in sent)
    deadlines = [d for _, d in first if d is not None] or ([_naive(m.settings.batas_waktu)]
                                                            if m.settings.batas_waktu else [])
    deadline = max(deadlines) if deadlines else None
    start = max(deadline, last) if deadline is not None and now >= deadline else last
    start = min(start, now)
    for step in steps:
        e = log.entries.get(step.no) or Entry()
        if e.end is not None:
            continue
        values: dict[str, Any] = {"selesai": now}
        if e.start is None:
            values["mulai"] = start
        if who and not e.who:
            values["oleh"] = who
        _put(w, log, step, values)
    return w


def _distribution_rows(loaded: Loaded) -> list[tuple[str, int | None, dt.datetime | None]]:
    """(unit, round, deadline) of every Distribusi row."""
    rows = loaded.rows.get(S.DISTRIBUSI.sheet)
    out = []
    for r in read_table(rows, S.DISTRIBUSI, Report()).rows if rows else []:
        unit = str(r.values["unit"] or "").strip().upper()
        if unit:
            out.append((unit, r.values["putaran"], _naive(r.values["batas_waktu"])))
    return out


def log_step(loaded: Loaded, no: int, start: dt.datetime | None = None,
             end: dt.datetime | None = None, who: str = "", *,
             now: dt.datetime | None = None) -> WorkbookWrites:
    """Log the start and/or end of a step people do, and recompute the sheet at `now`
    (default: the logged moment). Raises TimingError (Indonesian) for an unknown step, nothing
    to log, or an end before the start."""
    m = loaded.master
    if m is None:
        raise TimingError("Workbook induk belum dapat dibaca; jalankan 'kinerja check' dan "
                          "perbaiki kesalahannya terlebih dahulu.")
    try:
        step = m.sop.step(int(no))
    except (SopKeyError, TypeError, ValueError) as e:
        text = str(e) if isinstance(e, SopKeyError) else f"Nomor langkah '{no}' tidak sah."
        raise TimingError(text) from None
    start, end = _naive(start), _naive(end)
    if start is None and end is None:
        raise TimingError(f"Sebutkan waktu mulai atau waktu selesai langkah {step.no}.")
    log = read_log(loaded)
    if log.unreadable:
        raise TimingError(f"Sheet '{S.WAKTU.sheet}' tidak memiliki baris judul kolom; "
                          "kembalikan judul kolomnya terlebih dahulu.")
    old = log.entries.get(step.no) or Entry()
    new = replace(old, start=start or old.start, end=end or old.end, who=who.strip() or old.who,
                  raw={k: v for k, v in old.raw.items()
                       if not (k == "mulai" and start or k == "selesai" and end or k == "oleh" and who)})
    if new.start and new.end and new.end < new.start:
        hint = "" if start and end else (" Catat waktu mulai dan selesai yang baru bersamaan, "
                                         "atau perbaiki di sheet Waktu SOP.")
        raise TimingError(f"Waktu selesai langkah {step.no} ({format_waktu(new.end)}) lebih awal "
                          f"dari waktu mulai ({format_waktu(new.start)}).{hint}")
    moment = max(x for x in (start, end) if x is not None)
    return _compute(loaded, _naive(now) or moment, {step.no: new}).writes


# ----------------------------------------------------------------------------------- recompute


@dataclass
class TimingRow:
    """One SOP step on the Waktu SOP sheet, computed."""

    step: SopStep
    planned_start: dt.datetime | None = None
    due: dt.datetime | None = None
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    who: str = ""
    keterangan: str = ""
    status: str = BELUM
    elapsed: float | None = None  # office minutes, start -> end (or now)
    late_minutes: float = 0.0
    late_days: int = 0
    ratio: float | None = None  # share of the allowed office time used
    raw: dict[str, Any] = field(default_factory=dict)
    sheet_row: int = 0
    rule: str = ""  # how the due time was counted (workcal.due_rule), for messages
    pause_minutes: float = 0.0  # revision loops inside the step, not counted as its own time
    issue: Issue | None = None

    @property
    def done(self) -> bool:
        return self.end is not None

    @property
    def late(self) -> bool:
        return self.status == TERLAMBAT

    @property
    def measured(self) -> bool:
        """Finished, with a time standard and readable times."""
        return self.done and self.status in (TEPAT, HAMPIR, TERLAMBAT)

    def terpakai(self) -> str | None:
        """Working time used; a decision step says what its revision loops took besides."""
        if self.elapsed is None:
            return None
        text = format_durasi(self.elapsed)
        if self.pause_minutes > _EPS:
            text += f" (di luar putaran perbaikan {format_durasi(self.pause_minutes)})"
        return text

    def lewat(self) -> str | None:
        if not self.late_minutes:
            return None
        days = f" ({self.late_days} hari kerja)" if self.late_days else ""
        return format_durasi(self.late_minutes) + days

    def values(self) -> list[Any]:
        """The sheet row; unreadable typed values are written back as typed."""
        v = {"no": self.step.no, "uraian": self.step.uraian, "pelaksana": self.step.pelaksana,
             "mutu_baku": self.step.waktu_text(), "rencana_mulai": self.planned_start, "batas": self.due,
             "mulai": self.start, "selesai": self.end, "oleh": self.who or None,
             "terpakai": self.terpakai(),
             "status": self.status, "lewat": self.lewat(), "keterangan": self.keterangan or None}
        for key, value in self.raw.items():
            if v.get(key) is None:
                v[key] = value
        return [v[c.key] for c in S.WAKTU.columns]

    def to_dict(self) -> dict[str, Any]:
        return {"no": self.step.no, "uraian": self.step.uraian, "pelaksana": self.step.pelaksana,
                "mutu_baku": self.step.waktu_text(), "rencana_mulai": _iso(self.planned_start),
                "batas": _iso(self.due), "mulai": _iso(self.start), "selesai": _iso(self.end),
                "oleh": self.who, "terpakai_menit": self.elapsed,
                "terpakai": self.terpakai(), "putaran_perbaikan_menit": self.pause_minutes,
                "status": self.status, "lewat_menit": self.late_minutes, "lewat": self.lewat(),
                "keterangan": self.keterangan}


def _evaluate(row: TimingRow, cal: WorkCalendar, now: dt.datetime, near: float,
              loops: list[RevisionLoop] | None = None) -> None:
    w = row.step.waktu
    begin = row.start or (row.planned_start if row.end else None)
    if begin is None:
        row.status = BELUM if row.end is None else MULAI_KOSONG
        if row.planned_start and w:
            row.due = cal.due(row.planned_start, w)
        return
    stop = row.end or max(now, begin)
    # the decision step's revision loops are the units' time, timed on their own lines: the
    # step is measured as if it began that much office time later
    row.pause_minutes = sum(_overlap(cal, lp.returned, lp.received or now, begin, stop) for lp in loops or [])
    if row.pause_minutes > _EPS:
        begin = min(cal.due(begin, Duration(amount=row.pause_minutes, unit="menit")), stop)
    if w is None:
        row.elapsed = cal.elapsed(begin, stop).minutes
        row.status = TANPA if row.end else BERJALAN
        return
    st = cal.status(begin, stop, w, near)
    row.rule = cal.due_rule(begin, w)
    row.due, row.elapsed, row.ratio = st.due, st.elapsed.minutes, st.used_ratio
    row.late_minutes, row.late_days = st.late_minutes, st.late_days
    row.status = BERJALAN if row.end is None and st.status == TEPAT else st.status


def _breach(row: TimingRow, file: str) -> Issue | None:
    if row.status not in (TERLAMBAT, HAMPIR) or row.step.waktu is None:
        return None
    return make_issue("step-late" if row.late else "step-near-late", file=file, sheet=S.WAKTU.sheet,
                      cell=f"{S.WAKTU.letter('status')}{row.sheet_row}", step=row.step.no,
                      role=row.step.pelaksana, elapsed=format_durasi(row.elapsed),
                      standard=row.step.waktu.text(), late=row.lewat() or "-", due=_w(row.due),
                      percent=format_percent((row.ratio or 0) * 100, 0), rule=row.rule or "-")


def _overlap(cal: WorkCalendar, a: dt.datetime, b: dt.datetime, c: dt.datetime, d: dt.datetime) -> float:
    """Office minutes of the overlap of [a, b] and [c, d]."""
    lo, hi = max(a, c), min(b, d)
    return cal.elapsed(lo, hi).minutes if hi > lo else 0.0


@dataclass
class RevisionLoop:
    """One revision round: units returned by the Sekretaris' decision step, until their revised
    forms came back. The units' time, timed on its own line, not the receiver's nor the
    Sekretaris'."""

    round: int
    units: list[str]
    returned: dt.datetime
    received: dt.datetime | None  # the last revised form used; None while one is outstanding
    deadline: dt.datetime | None  # Distribusi 'Batas Waktu' of the round
    minutes: float = 0.0  # office minutes, returned -> received (or now)
    late: str = ""

    def text(self) -> str:
        head = f"{', '.join(self.units) or '-'} dikembalikan {format_waktu(self.returned)}"
        if self.received is None:
            return head + f"; perbaikan belum semua diterima ({format_durasi(self.minutes)} waktu kerja sejauh ini)."
        tail = (f"terlambat {self.late} dari batas waktu {_w(self.deadline)}" if self.late
                else f"sebelum batas waktu {_w(self.deadline)}" if self.deadline else "tanpa batas waktu")
        return (head + f"; perbaikan terakhir diterima {format_waktu(self.received)}: "
                       f"{format_durasi(self.minutes)} waktu kerja, {tail}.")


def revision_loops(loaded: Loaded, cal: WorkCalendar, now: dt.datetime) -> list[RevisionLoop]:
    """The revision rounds of the period, from Riwayat ('Putaran baru' and the 'Dikembalikan'
    rows written with it), Penerimaan (revised forms received) and Distribusi (their deadline)."""
    m = loaded.master
    riwayat = loaded.rows.get(S.RIWAYAT.sheet)
    if m is None or not riwayat:
        return []
    tag = f"[{m.settings.period.key()}]"
    opened: dict[int, dt.datetime] = {}
    back: dict[dt.datetime, list[str]] = {}
    for r in read_table(riwayat, S.RIWAYAT, Report()).rows:
        v = r.values
        note, when = str(v["catatan"] or ""), _naive(v["waktu"])
        if when is None or (note.startswith("[") and not note.startswith(tag)):
            continue
        if norm(v["kegiatan"]) == norm(S.KEGIATAN_PUTARAN) and isinstance(v["putaran"], int):
            opened[v["putaran"]] = min(opened.get(v["putaran"], when), when)
        elif norm(v["kegiatan"]) == norm(S.KEGIATAN_DIKEMBALIKAN) and v["unit"]:
            back.setdefault(when, []).append(str(v["unit"]).strip().upper())
    receipts: dict[tuple[str, int], dt.datetime] = {}
    rows = loaded.rows.get(S.PENERIMAAN.sheet)
    for r in read_table(rows, S.PENERIMAAN, Report()).rows if rows else []:
        v = r.values
        when, unit = _naive(v["diterima"]), str(v["unit"] or "").strip().upper()
        if when is None or not unit or not isinstance(v["putaran"], int) or norm(v["status"]) == "ditolak":
            continue
        key = (unit, v["putaran"])
        receipts[key] = min(receipts.get(key, when), when)
    deadlines: dict[int, dt.datetime] = {}
    for _unit, rnd, due in _distribution_rows(loaded):
        if isinstance(rnd, int) and due is not None:
            deadlines[rnd] = max(deadlines.get(rnd, due), due)
    out = []
    for rnd, when in sorted(opened.items()):
        units = back.get(when, [])
        got = [receipts.get((u, rnd)) for u in units]
        received = max(got) if got and all(got) else None  # type: ignore[type-var]
        loop = RevisionLoop(rnd, units, when, received, deadlines.get(rnd))
        try:
            loop.minutes = cal.elapsed(when, received or max(now, when)).minutes
            if received and loop.deadline:
                loop.late = late_text(cal, loop.deadline, received)
        except WorkCalendarError:
            pass
        out.append(loop)
    return out


def _decision_step(steps: list[SopStep]) -> SopStep | None:
    """The Sekretaris' decision (approve or return): the validasi step that loops back, else the
    last validasi step."""
    checks = [s for s in steps if s.tahap == "validasi"]
    return next((s for s in checks if s.kembali_ke), checks[-1] if checks else None)


@dataclass
class RoleSummary:
    role: str
    steps: int = 0
    done: int = 0
    late: int = 0
    near: int = 0
    delay_minutes: float = 0.0

    def text(self) -> str:
        text = f"{self.steps} langkah, {self.done} selesai, {self.late} terlambat"
        if self.near:
            text += f", {self.near} hampir terlambat"
        return text + (f"; keterlambatan {format_durasi(self.delay_minutes)}" if self.delay_minutes else "")


@dataclass
class TimingSummary:
    now: dt.datetime
    steps: int
    done: int
    measured: int
    late: int
    near: int
    cycle_start: dt.datetime | None
    cycle_end: dt.datetime | None
    finished: bool
    cycle_minutes: float | None
    standard_minutes: float
    longest: list[TimingRow]
    roles: list[RoleSummary]
    loops: list[RevisionLoop] = field(default_factory=list)

    @property
    def on_time(self) -> int:
        return self.measured - self.late

    def lines(self) -> list[tuple[str, str]]:
        """(label, value) pairs: the summary block of the sheet and the CLI."""
        if self.cycle_minutes is None:
            cycle = "belum dimulai"
        else:
            cycle = format_durasi(self.cycle_minutes) + (" (selesai)" if self.finished
                                                          else " (masih berjalan)")
        share = (f"{self.on_time} dari {self.measured} langkah selesai "
                 f"({format_percent(self.on_time / self.measured * 100)})" if self.measured else "-")
        if self.near:
            share += f"; {self.near} hampir terlambat"
        out = [("Ringkasan Waktu SOP", f"per {format_waktu(self.now)}"),
               ("Langkah selesai", f"{self.done} dari {self.steps}"),
               ("Waktu siklus", cycle),
               ("Mutu baku seluruh langkah", format_durasi(self.standard_minutes)),
               ("Tepat waktu", share),
               ("Terlambat", f"{self.late} langkah")]
        out.extend((f"Putaran perbaikan {lp.round}", lp.text()) for lp in self.loops)
        if self.cycle_minutes is not None and self.finished:
            diff = self.cycle_minutes - self.standard_minutes
            out.append(("Dibanding mutu baku", ("lebih lama " if diff > 0 else "lebih cepat ")
                        + format_durasi(abs(diff))))
        out.append(("Keterlambatan terbesar", "" if self.longest else "tidak ada"))
        for i, r in enumerate(self.longest, 1):
            out.append((f"{i}. Langkah {r.step.no}", f"{r.step.pelaksana}, lewat {r.lewat()}"))
        out.append(("Per pelaksana", ""))
        out.extend((r.role, r.text()) for r in self.roles)
        return out


def _summary(rows: list[TimingRow], cal: WorkCalendar, now: dt.datetime, roles: list[str],
             loops: list[RevisionLoop]) -> TimingSummary:
    starts = [s for r in rows if (s := r.start or r.planned_start) and (r.start or r.end)]
    first = min(starts, default=None)
    finished = all(r.done for r in rows)
    last = max((r.end for r in rows if r.end), default=None) if finished else now
    cycle = None
    if first is not None and last is not None:
        cycle = cal.elapsed(first, last).minutes if last >= first else 0.0
    standard = sum(r.step.waktu.minutes or r.step.waktu.amount * HARI_MINUTES
                   for r in rows if r.step.waktu is not None)
    by_role: dict[str, RoleSummary] = {name: RoleSummary(name) for name in roles}
    for r in rows:
        rs = by_role.setdefault(r.step.pelaksana, RoleSummary(r.step.pelaksana))
        rs.steps += 1
        rs.done += r.done
        rs.late += r.late
        rs.near += r.status == HAMPIR
        rs.delay_minutes += r.late_minutes
    late_rows = sorted((r for r in rows if r.late_minutes > 0), key=lambda r: -r.late_minutes)
    return TimingSummary(now=now, steps=len(rows), done=sum(r.done for r in rows),
                         measured=sum(r.measured for r in rows), late=sum(r.late for r in rows),
                         near=sum(r.status == HAMPIR for r in rows), cycle_start=first,
                         cycle_end=last if finished else None, finished=finished, cycle_minutes=cycle,
                         standard_minutes=standard, longest=late_rows[:3],
                         roles=[r for r in by_role.values() if r.steps], loops=loops)


@dataclass
class TimingOutcome:
    rows: list[TimingRow]
    breaches: list[Issue]
    summary: TimingSummary | None
    report: Report
    writes: WorkbookWrites

    def to_dict(self) -> dict[str, Any]:
        return {"langkah": [r.to_dict() for r in self.rows],
                "ringkasan": [{"label": k, "nilai": v}
                              for k, v in (self.summary.lines() if self.summary else [])],
                "pelanggaran": [i.model_dump(mode="json") for i in self.breaches],
                "temuan": self.report.to_dict()}

    def summary_lines(self) -> list[str]:
        return [f"{label}: {value}" if value else label
                for label, value in (self.summary.lines() if self.summary else [])]


def recompute(loaded: Loaded, now: dt.datetime) -> TimingOutcome:
    """Every SOP step against its time standard at `now`: rows, breaches (step-late,
    step-near-late), summary, and the writes that rebuild the Waktu SOP sheet."""
    return _compute(loaded, now, {})


def _compute(loaded: Loaded, now: dt.datetime, overrides: dict[int, Entry]) -> TimingOutcome:
    report = Report()
    m = loaded.master
    if m is None:
        report.extend(loaded.report.issues)
        return TimingOutcome([], [], None, report, WorkbookWrites())
    now = _naive(now)
    file = loaded.path.name
    cal = calendar(m.settings)
    near = _near_ratio(loaded, report, file)
    log = read_log(loaded, report)
    if log.unreadable:
        return TimingOutcome([], [], None, report, WorkbookWrites())
    log.entries.update(overrides)
    try:
        loops = revision_loops(loaded, cal, now)
    except WorkCalendarError:
        loops = []
    decision = _decision_step(m.sop.steps)
    rows: list[TimingRow] = []
    carry: dt.datetime | None = None
    for i, step in enumerate(m.sop.steps):
        e = log.entries.get(step.no) or Entry()
        row = TimingRow(step, planned_start=e.start if i == 0 else carry, start=e.start, end=e.end,
                        who=e.who, keterangan=e.keterangan, raw=e.raw, sheet_row=_FIRST + i)
        try:
            _evaluate(row, cal, now, near, loops if step is decision else None)
        except WorkCalendarError as err:
            row.status = TIDAK_SAH
            report.issue("step-time-invalid", file=file, sheet=S.WAKTU.sheet,
                         cell=f"{S.WAKTU.letter('selesai')}{row.sheet_row}", step=step.no, detail=str(err))
        row.issue = _breach(row, file)
        if row.issue is not None:
            report.add(row.issue)
        carry = row.end or row.due or row.start or row.planned_start
        rows.append(row)
    extras = []
    for label, e in log.extras:
        values: dict[str, Any] = {"no": label, "mulai": e.start, "selesai": e.end, "oleh": e.who or None,
                                  "status": BUKAN_SOP, "keterangan": e.keterangan or None}
        for key, value in e.raw.items():
            values[key] = values.get(key) or value
        extras.append([values.get(c.key) for c in S.WAKTU.columns])
    summary = _summary(rows, cal, now, m.sop.roles, loops)
    breaches = [r.issue for r in rows if r.issue is not None]
    writes = _sheet_writes(rows, extras, summary, log.headerless)
    return TimingOutcome(rows, breaches, summary, report, writes)


def _sheet_writes(rows: list[TimingRow], extras: list[list[Any]], summary: TimingSummary,
                  header: bool) -> WorkbookWrites:
    w = WorkbookWrites()
    sw = w.sheet(S.WAKTU.sheet, S.WAKTU)
    if header:  # the sheet is there but its title and header row were cleared
        sw.cells["A1"] = S.WAKTU.title
        sw.cells.update({f"{S.WAKTU.letter(c.key)}{S.WAKTU.header_row}": c.header for c in S.WAKTU.columns})
    sw.rows = [r.values() for r in rows] + extras
    sw.clear_marks = True
    sw.select = True
    for r in rows:
        if r.issue is None:
            continue
        fill = SEVERITY_FILL[r.issue.severity.value]
        for key in ("batas", "terpakai", "status", "lewat"):
            note = f"{r.issue.message} {r.issue.action}" if key == "status" else ""
            sw.marks.append(Mark(f"{S.WAKTU.letter(key)}{r.sheet_row}", fill, note))
    top = _FIRST + len(sw.rows) + 1  # below the table, after one empty row
    label, value = S.WAKTU.letter(SUMMARY_COLUMNS[0]), S.WAKTU.letter(SUMMARY_COLUMNS[1])
    for i, (text, amount) in enumerate(summary.lines()):
        sw.cells[f"{label}{top + i}"] = text
        sw.cells[f"{value}{top + i}"] = amount or None
    return w


# ----------------------------------------------------------------------------------- unit returns


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
            return _late_text(self.late_minutes, self.late_days)
        if self.sop_late_minutes > 0:
            return _late_text(self.sop_late_minutes, self.sop_late_days)
        return ""

    def text(self) -> str:
        """One Indonesian sentence about this unit's return."""
        head = (f"Unit {self.unit} mengembalikan formulir {_w(self.received)}" if self.returned
                else f"Unit {self.unit} belum mengembalikan formulir")
        parts = []
        if self.deadline is not None:
            if self.late_minutes > 0:
                parts.append(f"terlambat {_late_text(self.late_minutes, self.late_days)} dari batas waktu "
                             f"{_w(self.deadline)}")
            elif self.returned:
                parts.append(f"sebelum batas waktu {_w(self.deadline)}")
        if self.sop_due is not None and self.sop_late_minutes > 0:
            parts.append(f"melewati mutu baku pengisian {self.sop_standard} (batas {_w(self.sop_due)}) "
                         f"{_late_text(self.sop_late_minutes, self.sop_late_days)}")
        elif self.sop_due is not None and self.returned:
            parts.append(f"dalam mutu baku pengisian {self.sop_standard}")
        return head + (": " + "; ".join(parts) if parts else "") + "."

    def to_dict(self) -> dict[str, Any]:
        return {"unit": self.unit, "nama": self.nama, "putaran": self.putaran,
                "dibagikan": _iso(self.distributed), "diterima": _iso(self.received),
                "batas_waktu": _iso(self.deadline), "terlambat": self.late_text(), "keterangan": self.text()}


def _row_order(item: tuple[int | None, dt.datetime | None, dt.datetime | None]) -> tuple[int, dt.datetime]:
    """A Distribusi row's order: its round, then when it was made."""
    return item[0] or 0, item[1] or dt.datetime.min


def _distribution(loaded: Loaded) -> dict[str, tuple[int | None, dt.datetime | None, dt.datetime | None]]:
    """Unit -> (round, distributed, deadline) of its latest round on the Distribusi sheet."""
    out: dict[str, tuple[int | None, dt.datetime | None, dt.datetime | None]] = {}
    rows = loaded.rows.get(S.DISTRIBUSI.sheet)
    for r in read_table(rows, S.DISTRIBUSI, Report()).rows if rows else []:
        v = r.values
        unit = str(v["unit"] or "").strip().upper()
        if not unit:
            continue
        item = (v["putaran"], _naive(v["dibuat"]), _naive(v["batas_waktu"]))
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
        when = _naive(v["diterima"])
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
    got.update({str(k).strip().upper(): _naive(v) for k, v in received.items() if v is not None})
    fill = [s for s in m.sop.steps if s.tahap == "pengisian" and s.waktu is not None]
    now = _naive(now)
    out = []
    for u in m.units:
        putaran, dibuat, batas = dist.get(u.kode, (None, None, None))
        r = ReturnTiming(u.kode, u.nama, putaran, dibuat, got.get(u.kode),
                         batas or _naive(m.settings.batas_waktu))
        r.as_of = r.received or now
        try:
            if r.as_of and r.deadline:
                r.late_minutes, r.late_days = _late(cal, r.deadline, r.as_of)
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
                    r.sop_late_minutes, r.sop_late_days = _late(cal, due, r.as_of)
        except WorkCalendarError:
            pass  # a calendar without working days: the unit stays untimed
        out.append(r)
    return out


# ----------------------------------------------------------------------------------- status


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
        when, what = _naive(r.values["waktu"]), norm(r.values["kegiatan"])
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
                out.append(f"Dimulai {format_waktu(c.start)}, batas waktu {_w(c.due)}; status: {c.status}.")
            elif c.planned_start is not None:
                out.append(f"Belum dicatat mulai; rencana mulai {format_waktu(c.planned_start)}, "
                           f"batas waktu {_w(c.due)}.")
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
    now = _naive(now)
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
    no = line[no_col - 1] if no_col - 1 < len(line) else None
    if no is None or no == "":
        raise TimingError(f"Baris {row} sheet Waktu SOP tidak berisi nomor langkah; pilih baris langkah.")
    if value in (None, ""):
        moment = now
    elif isinstance(value, dt.datetime):
        moment = value.replace(second=0, microsecond=0)
    else:
        moment = parse_waktu(str(value))
    writes = log_step(loaded, int(float(no)), start=moment if what == "mulai" else None,
                      end=moment if what == "selesai" else None, who=who, now=max(now, moment))
    return int(float(no)), what, moment, writes
