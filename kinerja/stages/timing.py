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
from kinerja.workbook.tables import Column, convert, norm, read_table

__all__ = [
    "Entry", "RevisionLoop", "RoleSummary", "TimingError", "TimingOutcome", "TimingRow", "TimingSummary",
    "calendar", "format_durasi", "iso", "late_by", "late_text", "late_words", "log_step", "naive",
    "parse_waktu", "read_log", "recompute", "revision_loops", "stamp", "stamp_receiving", "step_rows",
    "waktu_text",
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


def iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def format_durasi(minutes: float | None) -> str:
    """Office minutes as Indonesian text, a day being 7.5 office hours: '1 hari 2 jam 30 menit'."""
    if minutes is None:
        return "-"
    days, rest = divmod(int(round(minutes)), int(HARI_MINUTES))
    if not days:
        return format_minutes(rest)
    return f"{days} hari" + (f" {format_minutes(rest)}" if rest else "")


def late_words(minutes: float, days: int) -> str:
    """'2 hari kerja' when whole working days were lost, else '1 jam 30 menit waktu kerja'."""
    return f"{days} hari kerja" if days else f"{format_durasi(minutes)} waktu kerja"


def calendar(settings: Settings) -> WorkCalendar:
    """The office's working calendar, from the master (Jam Kerja, Libur Kantor)."""
    return WorkCalendar(office_hours=settings.jam_kerja, extra_holidays=settings.libur)


@overload
def naive(value: dt.date) -> dt.datetime: ...


@overload
def naive(value: Any) -> dt.datetime | None: ...


def naive(value: Any) -> dt.datetime | None:
    """A moment as Excel stores it: office wall-clock time (an aware datetime keeps its own
    wall-clock, as in workcal), whole seconds."""
    if value is None:
        return None
    if not isinstance(value, dt.datetime):
        if isinstance(value, dt.date):
            return dt.datetime.combine(value, dt.time())
        raise TypeError(f"expected a datetime, got {value!r}")
    return value.replace(tzinfo=None, microsecond=0)


def waktu_text(value: dt.datetime | None) -> str:
    return format_waktu(value) if value is not None else "-"


def parse_waktu(text: str) -> dt.datetime:
    """A moment typed by a person: '19/10/2026 08.30', '19-10-2026 8:30', '19 Oktober 2026 08.30'."""
    report = Report()
    ok, value = convert(text, Column("waktu", "Waktu", "datetime"), report, file=None, sheet="-", cell="-")
    if not ok or value is None:
        raise TimingError(f"Waktu '{text}' tidak dapat dibaca; tulis seperti 19/10/2026 08.30.")
    return value


def late_by(cal: WorkCalendar, due: dt.datetime, at: dt.datetime) -> tuple[float, int]:
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
    minutes, days = late_by(cal, naive(due), naive(at))
    return late_words(minutes, days) if minutes > 0 else ""


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
        e = Entry(start=naive(v["mulai"]), end=naive(v["selesai"]), who=v["oleh"] or "",
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
    start, end = naive(start), naive(end)
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
    now = naive(now)
    dist = _distribution_rows(loaded)
    first = [(u, d) for u, r, d in dist if (r or 1) == 1]
    sent = {u for u, _ in first} or {u.kode for u in m.units if m.indicators_of(u.kode)}
    got: dict[str, dt.datetime] = {}
    for unit, rnd, when in returns:
        u = str(unit or "").strip().upper()
        if (rnd or 1) == 1 and when is not None:
            got[u] = min(got.get(u, naive(when)), naive(when))
    if not sent or not sent <= set(got):
        return w
    last = max(got[u] for u in sent)
    deadlines = [d for _, d in first if d is not None] or ([naive(m.settings.batas_waktu)]
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
            out.append((unit, r.values["putaran"], naive(r.values["batas_waktu"])))
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
    start, end = naive(start), naive(end)
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
    return _compute(loaded, naive(now) or moment, {step.no: new}).writes


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
                "mutu_baku": self.step.waktu_text(), "rencana_mulai": iso(self.planned_start),
                "batas": iso(self.due), "mulai": iso(self.start), "selesai": iso(self.end),
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
                      standard=row.step.waktu.text(), late=row.lewat() or "-", due=waktu_text(row.due),
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
        tail = (f"terlambat {self.late} dari batas waktu {waktu_text(self.deadline)}" if self.late
                else f"sebelum batas waktu {waktu_text(self.deadline)}" if self.deadline else "tanpa batas waktu")
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
        note, when = str(v["catatan"] or ""), naive(v["waktu"])
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
        when, unit = naive(v["diterima"]), str(v["unit"] or "").strip().upper()
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
    now = naive(now)
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
