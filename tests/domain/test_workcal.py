"""The working-time calendar: office hours, holidays, due times, elapsed office time, status."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from kinerja.domain.durations import Duration, DurationError
from kinerja.domain.workcal import (
    DEFAULT_OFFICE_HOURS,
    HARI_MINUTES,
    ExtraHoliday,
    OfficeDay,
    WorkCalendar,
    WorkCalendarError,
    WorkingElapsed,
    cuti_bersama_known,
    format_minutes,
    format_waktu,
    national_holidays,
)

CAL = WorkCalendar()


def D(*args: int) -> datetime:
    return datetime(*args)


# ------------------------------------------------------------------------------ office hours


def test_default_office_hours() -> None:
    by_day = {d.weekday: d for d in DEFAULT_OFFICE_HOURS}
    assert sorted(by_day) == [0, 1, 2, 3, 4]  # Sabtu, Minggu closed
    assert all(d.minutes == HARI_MINUTES == 450 for d in DEFAULT_OFFICE_HOURS)
    assert sum(d.minutes for d in DEFAULT_OFFICE_HOURS) / 60 == 37.5
    assert by_day[0].periods == ((time(7, 30), time(12)), (time(13), time(16)))
    assert by_day[4].periods == ((time(7, 30), time(11, 30)), (time(13), time(16, 30)))


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"start": time(16), "end": time(7, 30)}, "jam masuk (16.00) harus sebelum jam pulang"),
        ({"start": time(8), "end": time(8)}, "harus sebelum"),
        ({"break_start": time(12)}, "harus diisi lengkap"),
        ({"break_start": time(7), "break_end": time(8)}, "di dalam jam kerja"),
        ({"break_start": time(13), "break_end": time(12)}, "di dalam jam kerja"),
        ({"break_start": time(15), "break_end": time(16)}, "di dalam jam kerja"),
        ({"weekday": 7}, "weekday"),
    ],
)
def test_office_day_validation(kwargs: dict, words: str) -> None:
    base = {"weekday": 0, "start": time(7, 30), "end": time(16)}
    with pytest.raises(ValidationError, match=words.replace("(", r"\(").replace(")", r"\)")):
        OfficeDay(**{**base, **kwargs})


def test_office_day_without_break() -> None:
    day = OfficeDay(weekday=5, start=time(8), end=time(12))
    assert day.minutes == 240 and day.nama_hari == "Sabtu"


def test_calendar_rejects_duplicate_or_empty_hours() -> None:
    monday = DEFAULT_OFFICE_HOURS[0]
    with pytest.raises(ValidationError, match="hari Senin tercantum lebih dari sekali"):
        WorkCalendar(office_hours=[monday, monday])
    with pytest.raises(ValidationError, match="jam kerja kosong"):
        WorkCalendar(office_hours=[])


def test_saturday_office() -> None:
    cal = WorkCalendar(
        office_hours=[*DEFAULT_OFFICE_HOURS, OfficeDay(weekday=5, start=time(8), end=time(12))]
    )
    assert cal.is_working_day(date(2026, 3, 14))
    # Friday 16:00 + 1 jam: 30 minutes on Friday, 30 on Saturday.
    assert cal.due(D(2026, 3, 13, 16), "1 jam") == D(2026, 3, 14, 8, 30)


# ------------------------------------------------------------------------------ holidays


def test_national_holidays_2026_include_cuti_bersama() -> None:
    h = national_holidays(2026)
    assert h[date(2026, 3, 19)] == "Hari Suci Nyepi"
    assert h[date(2026, 3, 21)] == "Hari Raya Idul Fitri"
    for d in (date(2026, 2, 16), date(2026, 3, 18), date(2026, 3, 20), date(2026, 3, 23),
              date(2026, 3, 24), date(2026, 5, 15), date(2026, 5, 28), date(2026, 12, 24)):
        assert h[d].startswith("Cuti Bersama"), d
    assert h[date(2026, 8, 17)] == "Hari Kemerdekaan Republik Indonesia"
    assert cuti_bersama_known(2026)
    without = national_holidays(2026, include_cuti_bersama=False)
    assert not any(name.startswith("Cuti Bersama") for name in without.values())
    assert set(without) < set(h)


def test_working_days_around_lebaran_2026() -> None:
    off = [date(2026, 3, 18) + timedelta(days=i) for i in range(7)]  # Wed 18 .. Tue 24
    assert not any(CAL.is_working_day(d) for d in off)
    assert CAL.is_working_day(date(2026, 3, 17)) and CAL.is_working_day(date(2026, 3, 25))
    assert CAL.next_working_day(date(2026, 3, 17)) == date(2026, 3, 25)


def test_cuti_bersama_can_be_switched_off() -> None:
    cal = WorkCalendar(include_cuti_bersama=False)
    assert cal.is_working_day(date(2026, 3, 20))
    assert cal.holiday_name(date(2026, 3, 20)) is None
    assert not cal.is_working_day(date(2026, 3, 19))


def test_holiday_names() -> None:
    assert CAL.holiday_name(date(2026, 3, 19)) == "Hari Suci Nyepi"
    assert CAL.holiday_name(date(2026, 3, 20)) == "Cuti Bersama Hari Raya Idul Fitri"
    assert CAL.holiday_name(date(2026, 3, 14)) is None  # a plain Saturday
    assert CAL.holiday_name(date(2026, 3, 17)) is None
    cal = WorkCalendar(
        extra_holidays=[
            ExtraHoliday(date=date(2026, 3, 17), keterangan="HUT Kabupaten"),
            ExtraHoliday(date=date(2026, 8, 17), keterangan="Upacara"),
        ]
    )
    assert cal.holiday_name(date(2026, 3, 17)) == "HUT Kabupaten"
    assert not cal.is_working_day(date(2026, 3, 17))
    assert cal.holiday_name(date(2026, 8, 17)) == "Hari Kemerdekaan Republik Indonesia; Upacara"


def test_extra_holiday_input_cleanup() -> None:
    item = ExtraHoliday(date=datetime(2026, 3, 25, 0, 0), keterangan="  ")
    assert item.date == date(2026, 3, 25) and item.keterangan == "Libur kantor"
    raker = ExtraHoliday(date=date(2026, 3, 25), keterangan="Raker")
    cal = WorkCalendar(extra_holidays=[item, raker])
    assert cal.holiday_name(date(2026, 3, 25)) == "Libur kantor; Raker"


# ------------------------------------------------------------------------------ due: golden


@pytest.mark.parametrize("hour", [0, 8, 15, 23])
def test_golden_two_hari_over_nyepi_and_lebaran(hour: int) -> None:
    # Nyepi Thu 19, cuti bersama Fri 20, Idul Fitri Sat 21-Sun 22, cuti bersama Mon 23-Tue 24:
    # day 1 is Wed 25, day 2 Thu 26.
    assert CAL.due(D(2026, 3, 19, hour), Duration(amount=2, unit="hari")) == D(2026, 3, 26, 16)


def test_golden_two_jam_overnight() -> None:
    assert CAL.due(D(2026, 11, 2, 15, 30), Duration(amount=2, unit="jam")) == D(2026, 11, 3, 9)


def test_golden_extra_holiday_moves_due() -> None:
    cal = WorkCalendar(extra_holidays=[ExtraHoliday(date=date(2026, 3, 25), keterangan="Raker")])
    assert cal.due(D(2026, 3, 19, 8), "2 hari") == D(2026, 3, 27, 16, 30)


# ------------------------------------------------------------------------------ due: menit/jam


@pytest.mark.parametrize(
    ("start", "text", "due"),
    [
        (D(2026, 3, 16, 8), "30 Menit", D(2026, 3, 16, 8, 30)),
        (D(2026, 3, 16, 11), "1 jam", D(2026, 3, 16, 12)),  # ends exactly at the break
        (D(2026, 3, 16, 11, 30), "1 jam", D(2026, 3, 16, 13, 30)),  # across the break
        (D(2026, 3, 16, 12, 15), "1 jam", D(2026, 3, 16, 14)),  # start in the break
        (D(2026, 3, 16, 6), "15 menit", D(2026, 3, 16, 7, 45)),  # before opening
        (D(2026, 3, 16, 16), "15 menit", D(2026, 3, 17, 7, 45)),  # at closing
        (D(2026, 3, 13, 11), "1 jam", D(2026, 3, 13, 13, 30)),  # Friday break 11.30-13.00
        (D(2026, 3, 13, 16), "30 menit", D(2026, 3, 13, 16, 30)),  # Friday closes 16.30
        (D(2026, 3, 14, 10), "30 menit", D(2026, 3, 16, 8)),  # Saturday -> Monday 07.30
        (D(2026, 3, 15, 23), "480", D(2026, 3, 17, 8)),  # Sunday, bare minutes
        (D(2026, 3, 13, 15, 30), "2 jam", D(2026, 3, 16, 8, 30)),  # over the weekend
        (D(2026, 3, 17, 15), "2 jam", D(2026, 3, 25, 8, 30)),  # over Nyepi and Lebaran
        (D(2026, 3, 16, 7, 30), "7,5 jam", D(2026, 3, 16, 16)),  # one whole day
        (D(2026, 3, 16, 8, 0, 30), "1 menit", D(2026, 3, 16, 8, 1, 30)),  # seconds kept
    ],
)
def test_due_office_minutes(start: datetime, text: str, due: datetime) -> None:
    assert CAL.due(start, text) == due


def test_due_rejects_bad_input() -> None:
    with pytest.raises(DurationError, match="tidak dapat dibaca"):
        CAL.due(D(2026, 3, 16, 8), "dua hari")
    with pytest.raises(WorkCalendarError, match="harus berisi tanggal dan jam"):
        CAL.due(date(2026, 3, 16), "1 jam")  # type: ignore[arg-type]


def test_due_keeps_timezone() -> None:
    wib = timezone(timedelta(hours=7))
    assert CAL.due(datetime(2026, 11, 2, 15, 30, tzinfo=wib), "2 jam") == datetime(
        2026, 11, 3, 9, tzinfo=wib
    )


def test_sunday_only_office() -> None:
    sunday_only = WorkCalendar(office_hours=[OfficeDay(weekday=6, start=time(8), end=time(9))])
    assert sunday_only.due(D(2026, 3, 2), "30 menit") == D(2026, 3, 8, 8, 30)
    # Sunday 22 March 2026 is the second day of Idul Fitri.
    assert sunday_only.due(D(2026, 3, 16), "30 menit") == D(2026, 3, 29, 8, 30)


def test_calendar_without_any_working_day_fails_cleanly() -> None:
    mondays = [date(2026, 3, 16) + timedelta(weeks=i) for i in range(600)]
    cal = WorkCalendar(
        office_hours=[DEFAULT_OFFICE_HOURS[0]],
        extra_holidays=[ExtraHoliday(date=d, keterangan="Tutup") for d in mondays],
    )
    with pytest.raises(WorkCalendarError, match="Tidak ada hari kerja"):
        cal.due(D(2026, 3, 16), "30 menit")
    with pytest.raises(WorkCalendarError, match="Tidak ada hari kerja"):
        cal.due(D(2026, 3, 16), "1 hari")


# ------------------------------------------------------------------------------ due: hari


@pytest.mark.parametrize(
    ("start", "amount", "due"),
    [
        (D(2026, 3, 16, 8), 1, D(2026, 3, 16, 16)),  # day 1 is the start day
        (D(2026, 3, 16, 11, 59), 1, D(2026, 3, 16, 16)),  # before the break: the start day counts
        (D(2026, 3, 16, 12), 1, D(2026, 3, 17, 16)),  # from the break on: day 1 is the next day
        (D(2026, 3, 16, 15, 44), 1, D(2026, 3, 17, 16)),  # not "16 menit" past 16.00 the same day
        (D(2026, 3, 16, 16), 1, D(2026, 3, 17, 16)),  # at closing: day 1 is the next day
        (D(2026, 3, 16, 20), 1, D(2026, 3, 17, 16)),
        (D(2026, 3, 16, 6), 1, D(2026, 3, 16, 16)),  # before opening counts that day
        (D(2026, 3, 12, 9), 2, D(2026, 3, 13, 16, 30)),  # Thursday + Friday
        (D(2026, 3, 14, 9), 1, D(2026, 3, 16, 16)),  # Saturday -> Monday
        (D(2026, 3, 12, 9), 3, D(2026, 3, 16, 16)),  # over the weekend
        (D(2026, 3, 16, 9), 3, D(2026, 3, 25, 16)),  # Mon, Tue, then Wed 25
        (D(2026, 3, 16, 8), 1.5, D(2026, 3, 17, 11, 15)),  # + half of Tuesday
        (D(2026, 3, 12, 8), 1.5, D(2026, 3, 13, 11, 15)),  # + half of Friday
        (D(2026, 3, 12, 8), 1.6, D(2026, 3, 13, 13, 30)),  # 270 min of Friday: past the break
        (D(2026, 3, 16, 7), 0.5, D(2026, 3, 16, 11, 15)),  # half of day 1 from opening
        (D(2026, 3, 16, 9), 0.5, D(2026, 3, 16, 13, 45)),  # half a day from the start
        (D(2026, 3, 16, 11, 50), 0.5, D(2026, 3, 16, 16)),  # never past day 1's closing
        (D(2026, 3, 16, 14), 0.5, D(2026, 3, 17, 11, 15)),  # afternoon: half of the next day
    ],
)
def test_due_hari(start: datetime, amount: float, due: datetime) -> None:
    assert CAL.due(start, Duration(amount=amount, unit="hari")) == due


# ------------------------------------------------------------------------------ elapsed


def test_elapsed() -> None:
    e = CAL.elapsed(D(2026, 3, 16, 11), D(2026, 3, 17, 9))
    assert e == WorkingElapsed(minutes=60 + 180 + 90, working_days=2)
    assert e.elapsed_in("menit") == 330
    assert e.elapsed_in("jam") == 5.5
    assert e.elapsed_in("hari") == pytest.approx(330 / 450)
    assert CAL.elapsed(D(2026, 3, 16, 12, 10), D(2026, 3, 16, 12, 50)).minutes == 0
    nothing = WorkingElapsed(minutes=0, working_days=0)
    assert CAL.elapsed(D(2026, 3, 16, 8), D(2026, 3, 16, 8)) == nothing
    whole_week = CAL.elapsed(D(2026, 3, 9), D(2026, 3, 16))
    assert whole_week == WorkingElapsed(minutes=5 * 450, working_days=5)
    assert whole_week.text() == "5 hari kerja, 37 jam 30 menit waktu kerja"
    # Lebaran week 2026: only Mon 16 and Tue 17 are working days.
    assert CAL.elapsed(D(2026, 3, 16), D(2026, 3, 25)).working_days == 2


def test_elapsed_errors() -> None:
    with pytest.raises(WorkCalendarError, match="lebih awal dari waktu mulai"):
        CAL.elapsed(D(2026, 3, 17), D(2026, 3, 16))
    with pytest.raises(WorkCalendarError, match="zona waktu"):
        CAL.elapsed(D(2026, 3, 16), datetime(2026, 3, 17, tzinfo=UTC))


def test_elapsed_timezones() -> None:
    wib, wita = timezone(timedelta(hours=7)), timezone(timedelta(hours=8))
    # 09:00 WITA is 08:00 WIB.
    e = CAL.elapsed(datetime(2026, 3, 16, 7, 30, tzinfo=wib), datetime(2026, 3, 16, 9, tzinfo=wita))
    assert e.minutes == 30


# ------------------------------------------------------------------------------ status


def test_status_tepat_waktu_and_hampir() -> None:
    s = CAL.status(D(2026, 3, 16, 8), D(2026, 3, 16, 9), "2 jam")
    assert s.status == "tepat waktu" and s.due == D(2026, 3, 16, 10)
    assert s.used_ratio == 0.5 and s.allowed_minutes == 120 and not s.terlambat
    assert s.keterangan().startswith("Tepat waktu: 50% waktu terpakai")
    s = CAL.status(D(2026, 3, 16, 8), D(2026, 3, 16, 9, 40), "2 jam")
    assert s.status == "hampir terlambat" and s.late_minutes == 0
    assert "Hampir terlambat" in s.keterangan()
    assert CAL.status(D(2026, 3, 16, 8), D(2026, 3, 16, 9, 40), "2 jam", near_ratio=0.9).status == (
        "tepat waktu"
    )
    # exactly at the due time: not late
    assert CAL.status(D(2026, 3, 16, 8), D(2026, 3, 16, 10), "2 jam").status == "hampir terlambat"


def test_status_terlambat() -> None:
    s = CAL.status(D(2026, 3, 19, 8), D(2026, 3, 30, 9), "2 hari")
    assert s.status == "terlambat" and s.terlambat
    assert s.due == D(2026, 3, 26, 16)
    # Fri 27 (7.5 h) + Mon 30 07.30-09.00
    assert s.late_minutes == 450 + 90 and s.late_days == 2
    assert s.keterangan() == (
        "Terlambat 2 hari kerja (9 jam waktu kerja) dari batas waktu "
        "Kamis, 26 Maret 2026 pukul 16.00."
    )
    s = CAL.status(D(2026, 3, 16, 8), D(2026, 3, 16, 11), "2 jam")
    assert (s.status, s.late_minutes, s.late_days) == ("terlambat", 60, 0)
    assert s.keterangan().startswith("Terlambat 1 jam waktu kerja")


def test_status_after_closing_on_due_day_is_not_late() -> None:
    s = CAL.status(D(2026, 3, 16, 8), D(2026, 3, 16, 19), "1 hari")
    assert s.status == "hampir terlambat" and s.late_minutes == 0


def test_status_open_step_uses_now() -> None:
    now = D(2026, 3, 26, 15)
    s = CAL.status(D(2026, 3, 19, 8), now, "2 hari")
    assert s.status == "hampir terlambat" and s.used_ratio == pytest.approx(840 / 900)


def test_status_rejects_bad_ratio() -> None:
    with pytest.raises(WorkCalendarError, match="hampir terlambat"):
        CAL.status(D(2026, 3, 16, 8), D(2026, 3, 16, 9), "1 jam", near_ratio=1.5)


def test_formatting() -> None:
    assert format_waktu(D(2026, 3, 26, 16)) == "Kamis, 26 Maret 2026 pukul 16.00"
    assert format_waktu(date(2026, 8, 17)) == "Senin, 17 Agustus 2026"
    texts = [format_minutes(m) for m in (0, 45, 60, 90)]
    assert texts == ["0 menit", "45 menit", "1 jam", "1 jam 30 menit"]


# ------------------------------------------------------------------------------ properties

# Two years around 2026, minute resolution; most starts land outside office hours, which
# is part of the point.
starts = st.datetimes(min_value=D(2025, 12, 1), max_value=D(2027, 2, 1)).map(
    lambda d: d.replace(second=0, microsecond=0)
)
office_durations = st.one_of(
    st.builds(Duration, amount=st.integers(1, 3000).map(float), unit=st.just("menit")),
    st.builds(Duration, amount=st.integers(1, 80).map(lambda n: n / 2), unit=st.just("jam")),
)
hari_amounts = st.integers(1, 40).map(lambda n: n / 4)
FAST = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def office_moments(draw: st.DrawFn) -> datetime:
    """A moment inside office hours (default calendar)."""
    day = draw(st.dates(date(2025, 12, 1), date(2027, 2, 1)).filter(CAL.is_working_day))
    hours = CAL.office_day(day)
    assert hours is not None
    a, b = draw(st.sampled_from(hours.periods))
    opening = datetime.combine(day, a)
    span = int((datetime.combine(day, b) - opening) / timedelta(minutes=1))
    return opening + timedelta(minutes=draw(st.integers(0, span - 1)))


@FAST
@given(starts, office_durations)
def test_prop_due_not_before_start_and_elapsed_matches(start: datetime, d: Duration) -> None:
    due = CAL.due(start, d)
    assert due > start
    # Holds for any start; the brief's case (start inside office hours) is a subset.
    assert CAL.elapsed(start, due).minutes == pytest.approx(d.minutes, abs=1e-6)


@FAST
@given(office_moments(), office_durations)
def test_prop_elapsed_of_due_inside_office_hours(start: datetime, d: Duration) -> None:
    assert CAL.elapsed(start, CAL.due(start, d)).minutes == pytest.approx(d.minutes, abs=1e-6)


@FAST
@given(starts, st.integers(1, 3000), st.integers(0, 600))
def test_prop_due_monotone_in_office_minutes(start: datetime, m: int, extra: int) -> None:
    short = CAL.due(start, Duration(amount=m, unit="menit"))
    assert short <= CAL.due(start, Duration(amount=m + extra, unit="menit"))
    if m % 60 == 0:  # the same time written in jam
        assert CAL.due(start, Duration(amount=m // 60, unit="jam")) == short


@FAST
@given(starts, hari_amounts, hari_amounts)
def test_prop_due_hari_monotone_and_after_start(start: datetime, a: float, b: float) -> None:
    lo, hi = sorted((a, b))
    due_lo = CAL.due(start, Duration(amount=lo, unit="hari"))
    due_hi = CAL.due(start, Duration(amount=hi, unit="hari"))
    assert start < due_lo <= due_hi
    if hi == int(hi):
        assert CAL.is_working_day(due_hi.date())
        assert due_hi.time() == CAL.office_day(due_hi.date()).end  # type: ignore[union-attr]
