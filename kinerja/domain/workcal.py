"""The working-time calendar: office hours, national holidays, cuti bersama, office days off.

SOP time standards are counted in office time:
- menit / jam: office minutes (breaks, nights, weekends and holidays do not count). A start
  outside office hours begins at the next opening.
- hari: working days. Day 1 is the start day when it is a working day and the step starts
  before that day's cut-off: the start of the midday break (halfway through the office day when
  it has no break). A step started at or after the cut-off (or on a day off) counts from the next
  working day, as offices count a letter received in the afternoon: a "1 Hari" step begun at
  15.44 is not due at 16.00 the same day. A whole number N is due at the closing time of the Nth
  working day. A fraction (1.5) means N-1 whole days, then that fraction of the next working
  day's office minutes counted from its opening. On day 1 itself (amounts below 1) the fraction
  is counted from the start, and is never later than day 1's closing time.
- elapsed hari = office minutes / 450 (7.5 office hours, the standard office day).

National holidays and cuti bersama come from the `holidays` package (Indonesia, categories
"public" and "government", Indonesian names), cached per year. The office's own days off are
an `ExtraHoliday` list kept in the master workbook.

Datetimes are local office wall-clock time. Timezone-aware datetimes are read in their own
timezone (the end of an interval is converted to the start's timezone); a due time keeps the
start's timezone. Everything here is pure: the caller passes "now" when it needs it.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator, Mapping
from functools import cache
from types import MappingProxyType
from typing import Literal

import holidays
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from kinerja.domain.durations import Duration, DurationUnit, parse_duration
from kinerja.issues.catalogue import KinerjaError

__all__ = [
    "DEFAULT_OFFICE_HOURS",
    "ExtraHoliday",
    "HARI_MINUTES",
    "NAMA_BULAN",
    "NAMA_HARI",
    "OfficeDay",
    "StatusWaktu",
    "StepStatus",
    "WorkCalendar",
    "WorkCalendarError",
    "WorkingElapsed",
    "cuti_bersama_known",
    "format_minutes",
    "format_waktu",
    "national_holidays",
]

HARI_MINUTES = 450.0
"""Office minutes in one standard working day (7.5 h), used to express elapsed time in hari."""

NAMA_HARI = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
NAMA_BULAN = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
)

StatusWaktu = Literal["tepat waktu", "hampir terlambat", "terlambat"]

# Give up when no office time at all is found in this many consecutive days (a calendar whose
# office days are all declared holidays, for instance) instead of looping forever.
_SEARCH_LIMIT_DAYS = 3660
_EPS_MINUTES = 1e-6
_ONE_MINUTE = dt.timedelta(minutes=1)


class WorkCalendarError(KinerjaError, ValueError):
    """A calendar or timing problem. The message is Indonesian and user-facing."""


# ------------------------------------------------------------------------------ formatting


def _jam(t: dt.time) -> str:
    return f"{t.hour:02d}.{t.minute:02d}"


def format_waktu(value: dt.datetime | dt.date) -> str:
    """Indonesian rendering: 'Kamis, 26 Maret 2026 pukul 16.00' (or without the time for a date)."""
    d = value.date() if isinstance(value, dt.datetime) else value
    text = f"{NAMA_HARI[d.weekday()]}, {d.day} {NAMA_BULAN[d.month - 1]} {d.year}"
    if isinstance(value, dt.datetime):
        text += f" pukul {_jam(value.time())}"
    return text


def format_minutes(minutes: float) -> str:
    """Office minutes as Indonesian text: '1 jam 30 menit', '45 menit', '0 menit'."""
    total = int(round(minutes))
    hours, rest = divmod(total, 60)
    if hours and rest:
        return f"{hours} jam {rest} menit"
    if hours:
        return f"{hours} jam"
    return f"{rest} menit"


# ------------------------------------------------------------------------------ models


class OfficeDay(BaseModel):
    """Office hours of one weekday (0 = Senin .. 6 = Minggu), with an optional break."""

    model_config = ConfigDict(frozen=True)

    weekday: int = Field(ge=0, le=6)
    start: dt.time
    end: dt.time
    break_start: dt.time | None = None
    break_end: dt.time | None = None

    @model_validator(mode="after")
    def _check(self) -> OfficeDay:
        hari = NAMA_HARI[self.weekday]
        times = [self.start, self.end, self.break_start, self.break_end]
        if any(t is not None and t.tzinfo is not None for t in times):
            raise ValueError(f"jam kerja hari {hari} tidak boleh memakai zona waktu")
        if self.start >= self.end:
            raise ValueError(
                f"jam masuk ({_jam(self.start)}) harus sebelum jam pulang ({_jam(self.end)}) "
                f"pada hari {hari}"
            )
        if (self.break_start is None) != (self.break_end is None):
            raise ValueError(f"jam istirahat hari {hari} harus diisi lengkap: mulai dan selesai")
        if self.break_start is not None and self.break_end is not None:
            if not (self.start < self.break_start < self.break_end < self.end):
                raise ValueError(
                    f"jam istirahat hari {hari} ({_jam(self.break_start)}-{_jam(self.break_end)}) "
                    f"harus berada di dalam jam kerja ({_jam(self.start)}-{_jam(self.end)})"
                )
        return self

    @property
    def nama_hari(self) -> str:
        return NAMA_HARI[self.weekday]

    @property
    def periods(self) -> tuple[tuple[dt.time, dt.time], ...]:
        """The working periods of the day: one, or two around the break."""
        if self.break_start is None or self.break_end is None:
            return ((self.start, self.end),)
        return ((self.start, self.break_start), (self.break_end, self.end))

    @property
    def minutes(self) -> float:
        """Office minutes in the day (break excluded)."""
        return sum(_span(a, b) for a, b in self.periods)

    @property
    def cutoff(self) -> dt.time:
        """A 'Hari' step started from this time on counts from the next working day: the start
        of the break, or halfway through the office day when it has none."""
        if self.break_start is not None:
            return self.break_start
        half = dt.datetime.combine(dt.date(2000, 1, 3), self.start) + dt.timedelta(
            minutes=_span(self.start, self.end) / 2)
        return half.time()


def _span(a: dt.time, b: dt.time) -> float:
    day = dt.date(2000, 1, 3)
    return (dt.datetime.combine(day, b) - dt.datetime.combine(day, a)) / _ONE_MINUTE


def _office_day(weekday: int, start: str, end: str, brk: tuple[str, str] | None) -> OfficeDay:
    t = dt.time.fromisoformat
    return OfficeDay(
        weekday=weekday,
        start=t(start),
        end=t(end),
        break_start=t(brk[0]) if brk else None,
        break_end=t(brk[1]) if brk else None,
    )


DEFAULT_OFFICE_HOURS: tuple[OfficeDay, ...] = (
    *(_office_day(wd, "07:30", "16:00", ("12:00", "13:00")) for wd in range(4)),
    _office_day(4, "07:30", "16:30", ("11:30", "13:00")),
)
"""Senin-Kamis 07.30-16.00 (istirahat 12.00-13.00), Jumat 07.30-16.30 (istirahat 11.30-13.00):
7.5 hours a day, 37.5 a week. Sabtu and Minggu closed."""


class ExtraHoliday(BaseModel):
    """One of the office's own days off (kept in the master workbook)."""

    model_config = ConfigDict(frozen=True)

    date: dt.date
    keterangan: str = "Libur kantor"

    @field_validator("date", mode="before")
    @classmethod
    def _date_only(cls, value: object) -> object:
        # Excel cells often hold a datetime at midnight for a date.
        if isinstance(value, dt.datetime):
            return value.date()
        return value

    @field_validator("keterangan", mode="before")
    @classmethod
    def _default_text(cls, value: object) -> object:
        if value is None or (isinstance(value, str) and not value.strip()):
            return "Libur kantor"
        return " ".join(str(value).split())


class WorkingElapsed(BaseModel):
    """Office time between two moments."""

    model_config = ConfigDict(frozen=True)

    minutes: float  # office minutes
    working_days: int  # working days on which some office time fell inside the interval

    def elapsed_in(self, unit: DurationUnit) -> float:
        """The elapsed office time in a duration's own unit; hari = office minutes / 450."""
        if unit == "menit":
            return self.minutes
        if unit == "jam":
            return self.minutes / 60
        if unit == "hari":
            return self.minutes / HARI_MINUTES
        raise WorkCalendarError(f"satuan waktu '{unit}' tidak dikenal (menit, jam atau hari)")

    def text(self) -> str:
        """'2 hari kerja, 12 jam waktu kerja' style summary."""
        return f"{self.working_days} hari kerja, {format_minutes(self.minutes)} waktu kerja"


class StepStatus(BaseModel):
    """Whether a step kept its time standard."""

    model_config = ConfigDict(frozen=True)

    status: StatusWaktu
    due: dt.datetime
    elapsed: WorkingElapsed  # start -> end (or now)
    allowed_minutes: float  # office minutes from start to due
    used_ratio: float  # elapsed.minutes / allowed_minutes
    late_minutes: float = 0.0  # office minutes past the due time
    late_days: int = 0  # working days after the due date on which office time was lost

    @property
    def terlambat(self) -> bool:
        return self.status == "terlambat"

    def keterangan(self) -> str:
        """One Indonesian sentence for the report or the workbook."""
        batas = format_waktu(self.due)
        if self.status == "terlambat":
            lama = format_minutes(self.late_minutes) + " waktu kerja"
            if self.late_days:
                lama = f"{self.late_days} hari kerja ({lama})"
            return f"Terlambat {lama} dari batas waktu {batas}."
        persen = f"{self.used_ratio * 100:.0f}".replace(".", ",")
        if self.status == "hampir terlambat":
            return f"Hampir terlambat: {persen}% waktu terpakai, batas waktu {batas}."
        return f"Tepat waktu: {persen}% waktu terpakai, batas waktu {batas}."


# ------------------------------------------------------------------------------ national holidays


@cache
def _national(year: int, with_cuti_bersama: bool) -> Mapping[dt.date, str]:
    categories = ("public", "government") if with_cuti_bersama else ("public",)
    table = holidays.country_holidays("ID", years=year, categories=categories, language="id")
    return MappingProxyType({d: table[d] for d in sorted(table)})


def national_holidays(year: int, include_cuti_bersama: bool = True) -> Mapping[dt.date, str]:
    """Indonesia's national holidays (and cuti bersama) of a year, with Indonesian names."""
    return _national(int(year), bool(include_cuti_bersama))


def cuti_bersama_known(year: int) -> bool:
    """Whether the installed `holidays` package lists any cuti bersama for the year.

    Cuti bersama are set each year by a joint ministerial decree (SKB 3 Menteri); for a year not
    yet decreed (or with an old package) there are none, and the calendar counts those days as
    working days. Use this to warn, and add the days to the office's own list if needed.
    """
    return len(_national(int(year), True)) > len(_national(int(year), False))


# ------------------------------------------------------------------------------ calendar


def _strip_tz(value: object, what: str) -> tuple[dt.datetime, dt.tzinfo | None]:
    if not isinstance(value, dt.datetime):
        raise WorkCalendarError(f"{what} harus berisi tanggal dan jam (terbaca: {value!r})")
    return value.replace(tzinfo=None), value.tzinfo


def _interval(start: object, end: object) -> tuple[dt.datetime, dt.datetime]:
    a, tz_a = _strip_tz(start, "Waktu mulai")
    b, tz_b = _strip_tz(end, "Waktu selesai")
    if (tz_a is None) != (tz_b is None):
        raise WorkCalendarError(
            "Waktu mulai dan waktu selesai harus sama-sama memakai zona waktu atau sama-sama tidak"
        )
    if tz_a is not None:
        b = end.astimezone(tz_a).replace(tzinfo=None) if isinstance(end, dt.datetime) else b
    if b < a:
        raise WorkCalendarError(
            f"Waktu selesai ({format_waktu(b)}) lebih awal dari waktu mulai ({format_waktu(a)})"
        )
    return a, b


class WorkCalendar(BaseModel):
    """Office hours + national holidays (+ cuti bersama) + the office's own days off.

    Treat it as immutable: build a new calendar to change the hours or the days off.
    """

    model_config = ConfigDict(frozen=True)

    office_hours: list[OfficeDay] = Field(default_factory=lambda: list(DEFAULT_OFFICE_HOURS))
    extra_holidays: list[ExtraHoliday] = Field(default_factory=list)
    include_cuti_bersama: bool = True

    _by_weekday: dict[int, OfficeDay] = PrivateAttr(default_factory=dict)
    _extra: dict[dt.date, str] = PrivateAttr(default_factory=dict)

    @field_validator("office_hours")
    @classmethod
    def _check_hours(cls, value: list[OfficeDay]) -> list[OfficeDay]:
        if not value:
            raise ValueError("jam kerja kosong: isi paling sedikit satu hari kerja")
        seen: set[int] = set()
        for day in value:
            if day.weekday in seen:
                raise ValueError(f"hari {day.nama_hari} tercantum lebih dari sekali di jam kerja")
            seen.add(day.weekday)
        return sorted(value, key=lambda d: d.weekday)

    def model_post_init(self, __context: object) -> None:
        self._by_weekday = {day.weekday: day for day in self.office_hours}
        extra: dict[dt.date, list[str]] = {}
        for item in self.extra_holidays:
            names = extra.setdefault(item.date, [])
            if item.keterangan not in names:
                names.append(item.keterangan)
        self._extra = {d: "; ".join(names) for d, names in extra.items()}

    # --- days ------------------------------------------------------------------------------

    def national_holidays(self, year: int) -> Mapping[dt.date, str]:
        """The national holidays this calendar uses for a year (cuti bersama per the setting)."""
        return national_holidays(year, self.include_cuti_bersama)

    def holiday_name(self, d: dt.date) -> str | None:
        """The Indonesian name of the holiday on a date (national and/or office), or None."""
        d = d.date() if isinstance(d, dt.datetime) else d
        names = [n for n in (self.national_holidays(d.year).get(d), self._extra.get(d)) if n]
        return "; ".join(names) if names else None

    def office_day(self, d: dt.date) -> OfficeDay | None:
        """The office hours of a date, or None when the office is closed that day."""
        d = d.date() if isinstance(d, dt.datetime) else d
        day = self._by_weekday.get(d.weekday())
        if day is None or d in self._extra or d in self.national_holidays(d.year):
            return None
        return day

    def is_working_day(self, d: dt.date) -> bool:
        return self.office_day(d) is not None

    def next_working_day(self, d: dt.date) -> dt.date:
        """The first working day strictly after a date."""
        d = d.date() if isinstance(d, dt.datetime) else d
        for _ in range(_SEARCH_LIMIT_DAYS):
            d += dt.timedelta(days=1)
            if self.is_working_day(d):
                return d
        raise WorkCalendarError(self._no_working_day(d))

    @staticmethod
    def _no_working_day(d: dt.date) -> str:
        return (
            f"Tidak ada hari kerja dalam {_SEARCH_LIMIT_DAYS} hari sampai {format_waktu(d)}. "
            "Periksa jam kerja dan daftar libur kantor."
        )

    def _periods(self, d: dt.date) -> Iterator[tuple[dt.datetime, dt.datetime]]:
        day = self.office_day(d)
        if day is not None:
            for a, b in day.periods:
                yield dt.datetime.combine(d, a), dt.datetime.combine(d, b)

    # --- office time -----------------------------------------------------------------------

    def _advance(self, cursor: dt.datetime, remaining: dt.timedelta) -> dt.datetime:
        """The moment `remaining` office time after `cursor` (naive datetimes)."""
        day = cursor.date()
        idle = 0
        while True:
            found = False
            for a, b in self._periods(day):
                found = True
                a = max(a, cursor)
                if a >= b:
                    continue
                if remaining <= b - a:
                    return a + remaining
                remaining -= b - a
            idle = 0 if found else idle + 1
            if idle >= _SEARCH_LIMIT_DAYS:
                raise WorkCalendarError(self._no_working_day(day))
            day += dt.timedelta(days=1)

    def _office_time(self, a: dt.datetime, b: dt.datetime) -> tuple[dt.timedelta, int]:
        total = dt.timedelta(0)
        days = 0
        d = a.date()
        while d <= b.date():
            touched = False
            for p, q in self._periods(d):
                p, q = max(p, a), min(q, b)
                if q > p:
                    total += q - p
                    touched = True
            days += touched
            d += dt.timedelta(days=1)
        return total, days

    def due(self, start: dt.datetime, duration: Duration | str | int | float) -> dt.datetime:
        """When a step started at `start` with this time standard is due."""
        dur = parse_duration(duration)
        naive, tz = _strip_tz(start, "Waktu mulai")
        if dur.unit == "hari":
            result = self._due_hari(naive, dur.amount)
        else:
            result = self._advance(naive, dt.timedelta(minutes=dur.minutes or 0.0))
        return result.replace(tzinfo=tz)

    def _due_hari(self, start: dt.datetime, amount: float) -> dt.datetime:
        whole = math.floor(amount + 1e-9)
        fraction = amount - whole
        if fraction < 1e-9:
            fraction = 0.0
        day = start.date()
        hours = self.office_day(day)
        if hours is None or start >= dt.datetime.combine(day, hours.cutoff):
            day = self.next_working_day(day)
        # `day` is day 1; move to the day the deadline falls on.
        target = whole if fraction == 0.0 else whole + 1
        for _ in range(target - 1):
            day = self.next_working_day(day)
        hours = self.office_day(day)
        assert hours is not None
        closing = dt.datetime.combine(day, hours.end)
        if fraction == 0.0:
            return closing
        begin = max(dt.datetime.combine(day, hours.start), start)
        part = self._advance(begin, dt.timedelta(minutes=fraction * hours.minutes))
        return min(part, closing)

    def due_rule(self, start: dt.datetime, duration: Duration | str | int | float) -> str:
        """How the due time of a step started at `start` was counted, in Indonesian, for messages:
        'mutu baku 2 Jam waktu kerja sejak mulai Senin, 12 Oktober 2026 pukul 09.00' or, for
        hari, which day is day 1 and why."""
        dur = parse_duration(duration)
        naive = _strip_tz(start, "Waktu mulai")[0]
        if dur.unit != "hari":
            return f"mutu baku {dur.text()} waktu kerja sejak mulai {format_waktu(naive)}"
        hours = self.office_day(naive.date())
        n = max(1, math.ceil(dur.amount - 1e-9))
        until = (f"sampai jam pulang hari kerja ke-{n}" if dur.amount == int(dur.amount)
                 else f"sampai hari kerja ke-{n}")
        if hours is not None and naive < dt.datetime.combine(naive.date(), hours.cutoff):
            return f"mutu baku {dur.text()}: {until}, hari mulai {format_waktu(naive.date())} sebagai hari ke-1"
        day1 = self.next_working_day(naive.date())
        why = (f"dimulai pukul {_jam(naive.time())}, sesudah pukul {_jam(hours.cutoff)}"
               if hours is not None else f"dimulai pada hari libur ({format_waktu(naive.date())})")
        return (f"mutu baku {dur.text()}: {until}, {format_waktu(day1)} sebagai hari ke-1 karena "
                f"langkah {why}")

    def elapsed(self, start: dt.datetime, end: dt.datetime) -> WorkingElapsed:
        """Office minutes and working days touched between two moments."""
        a, b = _interval(start, end)
        total, days = self._office_time(a, b)
        return WorkingElapsed(minutes=total / _ONE_MINUTE, working_days=days)

    def status(
        self,
        start: dt.datetime,
        end_or_now: dt.datetime,
        duration: Duration | str | int | float,
        near_ratio: float = 0.8,
    ) -> StepStatus:
        """Whether a step finished at (or still open at) `end_or_now` kept its time standard.

        terlambat: office time has passed beyond the due time (finishing after closing on the
        due day, before any further office time, is not late). hampir terlambat: not late, but
        at least `near_ratio` of the allowed office time was used. Otherwise tepat waktu.
        """
        if not (0 < near_ratio <= 1):
            raise WorkCalendarError(
                f"Batas 'hampir terlambat' harus antara 0 dan 1 (terbaca: {near_ratio})"
            )
        a, b = _interval(start, end_or_now)
        due_aware = self.due(start, duration)
        due = due_aware.replace(tzinfo=None)
        used, used_days = self._office_time(a, b)
        allowed = self._office_time(a, due)[0] / _ONE_MINUTE
        used_min = used / _ONE_MINUTE
        late_min = 0.0
        late_days = 0
        if b > due:
            late_min = self._office_time(due, b)[0] / _ONE_MINUTE
            next_day = dt.datetime.combine(due.date() + dt.timedelta(days=1), dt.time())
            if b > next_day:
                late_days = self._office_time(next_day, b)[1]
        ratio = used_min / allowed if allowed > 0 else (1.0 if used_min > 0 else 0.0)
        word: StatusWaktu
        if late_min > _EPS_MINUTES:
            word = "terlambat"
        else:
            late_min, late_days = 0.0, 0
            word = "hampir terlambat" if ratio >= near_ratio else "tepat waktu"
        return StepStatus(
            status=word,
            due=due_aware,
            elapsed=WorkingElapsed(minutes=used_min, working_days=used_days),
            allowed_minutes=allowed,
            used_ratio=ratio,
            late_minutes=late_min,
            late_days=late_days,
        )
