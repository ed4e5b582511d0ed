"""Numbers typed by people, read in one place, and numbers shown to people, written in one place.

`parse_number` gives a number or a reason, never an unreported guess: every reinterpretation
("85%" -> 85, "1.234,5" -> 1234.5, "12 dok" -> 12) comes with a note that becomes an Issue.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

ROMAN = ["I", "II", "III", "IV"]  # quarters and semesters: TW I-IV

EXCEL_ERRORS = {"#DIV/0!", "#REF!", "#N/A", "#VALUE!", "#NAME?", "#NUM!", "#NULL!",
                "#SPILL!", "#CALC!", "#GETTING_DATA", "#FIELD!", "#BLOCKED!", "#UNKNOWN!"}

_WORDS = {
    "nol": 0, "kosong": 0, "satu": 1, "se": 1, "dua": 2, "tiga": 3, "empat": 4, "lima": 5,
    "enam": 6, "tujuh": 7, "delapan": 8, "sembilan": 9, "sepuluh": 10, "sebelas": 11,
    "seratus": 100, "seribu": 1000,
}


@dataclass
class Parsed:
    """The outcome of reading one cell: a value (or None) and notes (issue code, params)."""

    value: float | None
    notes: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(code in _FATAL for code, _ in self.notes)


_FATAL = {"number-invalid", "value-date", "formula-error"}


def _clean(text: str) -> str:
    return text.replace("\u00a0", " ").replace("\u2212", "-").strip()


def parse_number(raw: Any) -> Parsed:
    """Read a number the way Indonesian staff type it. Empty gives Parsed(None)."""
    if raw is None:
        return Parsed(None)
    if isinstance(raw, bool):
        return Parsed(None, [("number-invalid", {"value": str(raw)})])
    if isinstance(raw, (int, float)):
        if isinstance(raw, float) and (math.isnan(raw) or math.isinf(raw)):
            return Parsed(None, [("number-invalid", {"value": str(raw)})])
        return Parsed(float(raw))
    if isinstance(raw, (datetime, date, time)):
        return Parsed(None, [("value-date", {"value": raw.isoformat()})])
    text = _clean(str(raw))
    if text == "" or text in {"-", "–", "—"}:
        return Parsed(None)
    if text.upper() in EXCEL_ERRORS or (text.startswith("#") and text.endswith(("!", "?", "A"))):
        return Parsed(None, [("formula-error", {"value": text})])
    return _parse_text(text, str(raw))


_NUMERIC = re.compile(r"^[+-]?\(?[0-9][0-9.,' ]*\)?$")


def _parse_text(text: str, original: str) -> Parsed:
    notes: list[tuple[str, dict[str, Any]]] = []
    body = text
    percent = False
    if body.endswith("%"):
        body = body[:-1].strip()
        percent = True
    # trailing unit words: "12 dok", "7 orang", "85 persen"
    m = re.match(r"^([+-]?\(?[0-9][0-9.,' ]*\)?)\s*([A-Za-z][A-Za-z./ ]*)$", body)
    suffix = None
    if m:
        body, suffix = m.group(1).strip(), m.group(2).strip()
    if not _NUMERIC.match(body):
        words = _parse_words(text)
        if words is not None:
            return Parsed(float(words), [("number-words", {"value": original, "number": float(words)})])
        return Parsed(None, [("number-invalid", {"value": original})])
    negative = body.startswith("-") or (body.startswith("(") and body.endswith(")"))
    body = body.strip("+-() ")
    value, ambiguous = _separators(body)
    if value is None:
        return Parsed(None, [("number-invalid", {"value": original})])
    if negative:
        value = -value
    if ambiguous:
        notes.append(("number-ambiguous", {"value": original, "number": value}))
    elif percent or suffix or _reformatted(body):
        notes.append(("number-reformatted", {"value": original, "number": value}))
    return Parsed(value, notes)


def _reformatted(body: str) -> bool:
    """True when the text needed more than a plain read (separators, spaces)."""
    return not re.fullmatch(r"[0-9]+", body)


def _separators(body: str) -> tuple[float | None, bool]:
    """Resolve dots, commas, spaces and apostrophes. Returns (value, ambiguous)."""
    body = body.replace(" ", "").replace("'", "")
    if not body or not re.fullmatch(r"[0-9.,]+", body) or not body[0].isdigit():
        return None, False
    dots, commas = body.count("."), body.count(",")
    ambiguous = False
    if dots and commas:
        decimal = "," if body.rfind(",") > body.rfind(".") else "."
        thousands = "." if decimal == "," else ","
        if body.count(decimal) > 1:
            return None, False
        whole, frac = body.split(decimal)
        if not _grouped(whole, thousands):
            return None, False
        return float(whole.replace(thousands, "") + "." + frac), False
    sep = "." if dots else "," if commas else None
    if sep is None:
        return float(body), False
    count = body.count(sep)
    if count > 1:  # "1.234.567" or "1,234,567": thousands
        return (float(body.replace(sep, "")), False) if _grouped(body, sep) else (None, False)
    whole, frac = body.split(sep)
    if not whole or not frac:
        return None, False
    if sep == ",":
        # Indonesian decimal comma; "1,234" could be an English thousand
        ambiguous = len(frac) == 3 and whole != "0"
        return float(whole + "." + frac), ambiguous
    # a single dot: "1.234" is an Indonesian thousand, "85.5" an English decimal
    if len(frac) == 3 and whole != "0" and len(whole) <= 3:
        return float(whole + frac), True
    return float(whole + "." + frac), False


def _grouped(text: str, sep: str) -> bool:
    parts = text.split(sep)
    return bool(parts[0]) and len(parts[0]) <= 3 and all(len(p) == 3 for p in parts[1:])


def _parse_words(text: str) -> int | None:
    """Small Indonesian number words: 'tujuh', 'dua belas', 'tiga puluh lima', 'seratus'."""
    tokens = text.lower().replace("-", " ").split()
    if not tokens:
        return None
    total, current = 0, 0
    for tok in tokens:
        if tok in _WORDS and tok not in ("se",):
            value = _WORDS[tok]
            if value in (100, 1000):
                current = (current or 1) * value
                if value == 1000:
                    total, current = total + current, 0
            else:
                current += value
        elif tok == "belas":
            current = (current or 1) + 10 if current < 10 else None
            if current is None:
                return None
        elif tok == "puluh":
            current = current * 10
        elif tok == "ratus":
            current = (current or 1) * 100
        elif tok == "ribu":
            total, current = total + (current or 1) * 1000, 0
        else:
            return None
    return total + current


def exact(value: float | int | Decimal | Fraction) -> Fraction:
    """The exact value a cell shows: a float read from a workbook is the decimal it was typed as
    (its shortest representation: 0.1 is 1/10, never 0.1000000000000000055...)."""
    if isinstance(value, Fraction):
        return value
    if isinstance(value, float):
        return Fraction(Decimal(repr(value)))
    return Fraction(value)


_QUANTA = [Decimal(1).scaleb(-n) for n in range(11)]


def round_half_up(value: float | int | Decimal | Fraction, decimals: int) -> Decimal:
    """`value` rounded once to `decimals` places, halves away from zero (as Excel's ROUND):
    computed on the exact value, so 2.675 gives 2.68 and 90.995 gives 91.00."""
    if type(value) is float and 0 <= decimals <= 10 and -1e15 < value < 1e15:
        # the typed decimal quantized exactly (at most 25 digits: within the decimal context)
        out = Decimal(repr(value)).quantize(_QUANTA[decimals], rounding=ROUND_HALF_UP)
        return out if out else out.copy_abs()  # zero is unsigned, as below
    scaled = exact(value) * 10 ** decimals
    whole = (abs(scaled) * 2 + 1) // 2  # floor(|x| + 1/2)
    return Decimal(int(whole) if scaled >= 0 else -int(whole)).scaleb(-decimals)


def rounded(value: float | int | Decimal | Fraction | None, decimals: int) -> float | None:
    """`round_half_up` as the float a cell stores: the nearest double of the rounded decimal,
    so comparing it with a bound typed as a number (91, 75.5) compares the decimals."""
    return None if value is None else float(round_half_up(value, decimals))


def format_number(value: float | int | None, decimals: int = 2) -> str:
    """Indonesian format: dot thousands, decimal comma, trailing zeros dropped ('1.234,5');
    rounded half away from zero on the exact value (`round_half_up`)."""
    if value is None:
        return "-"
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return "-"
    return _indonesian(round_half_up(value, decimals))


def format_value(value: float | int | None) -> str:
    """A typed value exactly as it was typed ('90,995', '1.234,5'), never rounded."""
    if value is None or (isinstance(value, float) and (math.isnan(value) or math.isinf(value))):
        return "-"
    return _indonesian(Decimal(repr(float(value))) if isinstance(value, float) else Decimal(value))


def _indonesian(number: Decimal) -> str:
    text = f"{abs(number):,f}"
    whole, _, frac = text.partition(".")
    frac = frac.rstrip("0")
    out = whole.replace(",", ".") + ("," + frac if frac else "")
    return ("-" if number < 0 and out != "0" else "") + out


def format_percent(value: float | None, decimals: int = 2) -> str:
    """'85,3%' (or '-' for no value)."""
    return "-" if value is None else format_number(value, decimals) + "%"


def format_rupiah(value: float | None) -> str:
    return "-" if value is None else "Rp " + format_number(value, 0)


BULAN = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
         "September", "Oktober", "November", "Desember"]
HARI = ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"]


def format_date(value: date | datetime | None, with_day: bool = False) -> str:
    """'17 Januari 2024' (optionally 'Rabu, 17 Januari 2024')."""
    if value is None:
        return "-"
    text = f"{value.day} {BULAN[value.month - 1]} {value.year}"
    return f"{HARI[value.weekday()]}, {text}" if with_day else text


def format_datetime(value: datetime | None) -> str:
    """'17 Januari 2024 pukul 09.30'."""
    if value is None:
        return "-"
    return f"{format_date(value)} pukul {value:%H.%M}"


def looks_like_formula(value: Any) -> bool:
    """Text Excel would take for a formula if typed (it is always written back as text)."""
    return isinstance(value, str) and value[:1] in ("=", "+", "-", "@") and len(value) > 1
