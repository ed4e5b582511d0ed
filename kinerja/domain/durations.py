"""Time standards (mutu baku waktu) as written in SOPs: "15 Menit", "2 Jam", "3 Hari", "480"."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, model_validator

from kinerja.issues.catalogue import KinerjaError

DurationUnit = Literal["menit", "jam", "hari"]

_UNIT_WORDS: dict[str, DurationUnit] = {
    "menit": "menit",
    "mnt": "menit",
    "meni": "menit",  # OCR drops the last letter ("15 Meni")
    "m": "menit",
    "jam": "jam",
    "j": "jam",
    "hari": "hari",
    "hr": "hari",
    "h": "hari",
}

_PATTERN = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*([a-zA-Z]*)\.?\s*$")


class DurationError(KinerjaError, ValueError):
    """A time standard that cannot be read. The message is Indonesian and user-facing."""


class Duration(BaseModel):
    """A time standard. menit and jam count office time; hari counts working days."""

    amount: float
    unit: DurationUnit

    @model_validator(mode="after")
    def _positive(self) -> Duration:
        if self.amount <= 0:
            raise ValueError("lama waktu harus lebih dari nol")
        return self

    @property
    def minutes(self) -> float | None:
        """Office minutes for menit/jam; None for hari (counted in working days)."""
        if self.unit == "menit":
            return self.amount
        if self.unit == "jam":
            return self.amount * 60
        return None

    def text(self) -> str:
        """Indonesian rendering: '15 Menit', '2 Jam', '1,5 Hari'."""
        amount = f"{self.amount:g}".replace(".", ",")
        return f"{amount} {self.unit.capitalize()}"

    def __str__(self) -> str:  # pragma: no cover - convenience
        return self.text()


def parse_duration(value: object) -> Duration:
    """Parse a time standard as written in an SOP.

    Accepts "15 Menit", "2 Jam", "2 hari", "1  Hari", "2\\nHari", "1,5 jam" and bare numbers
    ("480", 480) which mean minutes. Raises DurationError with an Indonesian message otherwise.
    """
    if isinstance(value, Duration):
        return value
    if isinstance(value, bool) or value is None:
        raise DurationError(_msg(value))
    if isinstance(value, (int, float)):
        if value <= 0:
            raise DurationError(_msg(value))
        return Duration(amount=float(value), unit="menit")
    text = " ".join(str(value).split())
    match = _PATTERN.match(text)
    if not match:
        raise DurationError(_msg(value))
    amount = float(match.group(1).replace(",", "."))
    word = match.group(2).lower()
    if not word:
        unit: DurationUnit = "menit"
    elif word in _UNIT_WORDS:
        unit = _UNIT_WORDS[word]
    else:
        raise DurationError(_msg(value))
    if amount <= 0:
        raise DurationError(_msg(value))
    return Duration(amount=amount, unit=unit)


def _msg(value: object) -> str:
    return (
        f"Waktu '{value}' tidak dapat dibaca. Tulis angka dan satuan, misalnya "
        "'15 Menit', '2 Jam' atau '3 Hari' (angka saja berarti menit)."
    )
