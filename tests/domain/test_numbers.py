"""People's numbers, read in one place: every reinterpretation is reported."""

from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kinerja.domain.numbers import format_date, format_number, format_percent, parse_number


@pytest.mark.parametrize("raw, value, code", [
    (85, 85.0, None),
    (85.5, 85.5, None),
    ("85", 85.0, None),
    (" 7 ", 7.0, None),
    ("85%", 85.0, "number-reformatted"),
    ("1.234,5", 1234.5, "number-reformatted"),
    ("1,234.5", 1234.5, "number-reformatted"),
    ("1.234.567", 1234567.0, "number-reformatted"),
    ("12 dok", 12.0, "number-reformatted"),
    ("12,5 orang", 12.5, "number-reformatted"),
    ("0,75", 0.75, "number-reformatted"),
    ("1.234", 1234.0, "number-ambiguous"),
    ("1,234", 1.234, "number-ambiguous"),
    ("85.5", 85.5, "number-reformatted"),
    ("-5", -5.0, None),
    ("tujuh", 7.0, "number-words"),
    ("dua belas", 12.0, "number-words"),
    ("tiga puluh lima", 35.0, "number-words"),
    ("seratus", 100.0, "number-words"),
])
def test_parse_number_values(raw, value, code):
    parsed = parse_number(raw)
    assert parsed.value == pytest.approx(value)
    assert [c for c, _ in parsed.notes] == ([code] if code else [])


@pytest.mark.parametrize("raw, code", [
    ("abc", "number-invalid"),
    ("12,3,4", "number-invalid"),
    ("#DIV/0!", "formula-error"),
    ("#REF!", "formula-error"),
    (datetime(2026, 1, 5), "value-date"),
    (date(2026, 1, 5), "value-date"),
    (True, "number-invalid"),
    (float("nan"), "number-invalid"),
])
def test_parse_number_rejects(raw, code):
    parsed = parse_number(raw)
    assert parsed.value is None
    assert [c for c, _ in parsed.notes] == [code]
    assert not parsed.ok


def test_empty_is_no_value_and_no_issue():
    for raw in (None, "", "  ", "-"):
        assert parse_number(raw).value is None
        assert parse_number(raw).notes == []


@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False).map(lambda x: round(x, 2)))
def test_indonesian_format_round_trips(x):
    text = format_number(x)
    parsed = parse_number(text)
    assert parsed.value == pytest.approx(x, abs=0.006)


def test_formatting():
    assert format_number(1234.5) == "1.234,5"
    assert format_number(1234567) == "1.234.567"
    assert format_number(-0.5) == "-0,5"
    assert format_percent(85.333) == "85,33%"
    assert format_percent(None) == "-"
    assert format_date(date(2024, 1, 17)) == "17 Januari 2024"
    assert format_date(date(2026, 3, 19), with_day=True) == "Kamis, 19 Maret 2026"
