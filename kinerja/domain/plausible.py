"""Is a realisasi a unit typed the number it meant? Two slips that give a valid number:

- A power of ten too far: on a PC set to English, '85,5' can be read as 855 (the comma taken
  for a thousands separator), and '0,855' typed for 85.5% is off the other way. A value that,
  scaled by 10^k (k = 1, 2, 3, either way), sits within a factor 2 of the target and of the
  unit's latest earlier quarter, while as typed it is at least 10^k / 1.6 away from both, is
  reported with both readings.
- A kumulatif indicator's quarter typed as the year-to-date total. The form asks for the
  quarter's own figure (capaian sums TW I up to the period); a value nearer the year-to-date
  target than the quarter's target, and at least the sum of the earlier quarters, is reported
  with both readings.

Pure: takes the indicator, its realisasi per quarter and the rules; returns (code, params)
notes that collect turns into issues at the form's cell.
"""

from __future__ import annotations

from decimal import Decimal
from math import log10
from typing import Any

from kinerja.domain.capaian import exact_sum, ratio
from kinerja.domain.models import ROMAN, Indicator, Period, Rules, TurunFormula
from kinerja.domain.numbers import format_number, format_percent, format_value

NEAR = 2.0  # the scaled reading is within this factor of the target and the latest quarter
SLACK = 10 ** 0.2  # the typed reading is at least 10^k / SLACK (k=1: 6.3 times) from every one

Note = tuple[str, dict[str, Any]]


def _ratio_ok(value: float, ref: float, factor: float) -> bool:
    return ref / factor <= value <= ref * factor


def magnitude(value: float, references: list[float]) -> tuple[float, int] | None:
    """(the value scaled by 10^-k, k in +-1..3) when the scaled value is near every reference
    and `value` itself far from every one; None otherwise. Non-positive references are left out."""
    refs = [r for r in references if r > 0]
    if value <= 0 or not refs:
        return None
    # The common case, a value near a reference, in one test: the typed reading must be farther
    # than 10^|k| / SLACK from every reference, and the smallest of these factors is 10 / SLACK.
    if any(_ratio_ok(value, r, 10 / SLACK) for r in refs):
        return None
    return _scaled(value, refs)


def _scaled(value: float, refs: list[float]) -> tuple[float, int] | None:
    """magnitude's search over every power of ten (positive `value` and `refs`)."""
    best: tuple[float, float, int] | None = None
    for k in (1, 2, 3, -1, -2, -3):
        alt = value / 10 ** k
        if all(_ratio_ok(alt, r, NEAR) for r in refs) and not any(
                _ratio_ok(value, r, 10 ** abs(k) / SLACK) for r in refs):
            distance = sum(abs(log10(alt / r)) for r in refs)
            if best is None or distance < best[0]:
                best = (distance, alt, k)
    return None if best is None else (float(Decimal(repr(value)).scaleb(-best[2])), best[2])


def check(ind: Indicator, realisasi_tw: list[float | None], period: Period, rules: Rules,
          rumus: TurunFormula) -> dict[int, list[Note]]:
    """Notes per quarter of the period (1-4) for the realisasi a unit typed."""
    out: dict[int, list[Note]] = {}
    for q in period.quarters:
        v = realisasi_tw[q - 1]
        if v is None:
            continue
        notes = out.setdefault(q, [])
        target = ind.target_for_quarter(q)
        earlier = [x for x in realisasi_tw[:q - 1] if x is not None]
        # the target and the latest earlier quarter (a position such as a percentage grows
        # through the year: TW I is no reference for TW III)
        latest = [x for x in earlier if x > 0][-1:]
        hit = magnitude(v, [target, *latest]) if target else None
        if hit is not None:
            alt, k = hit
            notes.append(("realisasi-magnitude", {
                "quarter": _tw(q), "value": format_value(v), "alternative": format_value(alt),
                "factor": format_number(10 ** abs(k), 0), "direction": "lebih besar" if k > 0 else "lebih kecil",
                "target": format_value(target),
                "earlier": ", ".join(format_value(x) for x in earlier) or "belum ada"}))
        elif ind.metode == "kumulatif" and q > 1:
            note = _looks_cumulative(ind, realisasi_tw, q, rules, rumus)
            if note:
                notes.append(note)
    return {q: n for q, n in out.items() if n}


def _looks_cumulative(ind: Indicator, realisasi_tw: list[float | None], q: int, rules: Rules,
                      rumus: TurunFormula) -> Note | None:
    """_cumulative, after a quick look that turns most values away without exact sums: the value
    must lie within NEAR of the year-to-date target. With no negative target the float sum is
    that target to about 1e-15, so a margin of 1e-9 lets through every value the exact test
    would."""
    v = realisasi_tw[q - 1]
    targets = ind.target_tw[:q]
    if (v is not None and all(t is not None and t >= 0 for t in targets)
            and not _ratio_ok(v, sum(targets), NEAR * (1 + 1e-9))):  # type: ignore[arg-type]
        return None
    return _cumulative(ind, realisasi_tw, q, rules, rumus)


def _cumulative(ind: Indicator, realisasi_tw: list[float | None], q: int, rules: Rules,
                rumus: TurunFormula) -> Note | None:
    v = realisasi_tw[q - 1]
    earlier = realisasi_tw[:q - 1]
    targets = ind.target_tw[:q]
    if v is None or any(x is None for x in earlier) or any(t is None for t in targets):
        return None
    before = exact_sum(earlier)  # type: ignore[arg-type]
    own_target, to_date_target = targets[-1], exact_sum(targets)  # type: ignore[arg-type]
    if (not own_target or own_target <= 0 or before <= 0 or v <= before or to_date_target < 1.5 * own_target
            or not _ratio_ok(v, to_date_target, NEAR)):
        return None
    if abs(log10(v / to_date_target)) >= abs(log10(v / own_target)):
        return None
    own = exact_sum([v, -before])
    return ("realisasi-looks-cumulative", {
        "quarter": _tw(q), "value": format_value(v), "own_target": format_value(own_target),
        "to_date_target": format_value(to_date_target), "before": format_value(before),
        "own": format_value(own), "first": _tw(1), "previous": _tw(q - 1),
        "capaian": _pct(to_date_target, exact_sum([before, v]), ind, rules, rumus),
        "alt_capaian": _pct(to_date_target, v, ind, rules, rumus)})


def _pct(target: float | None, real: float, ind: Indicator, rules: Rules, rumus: TurunFormula) -> str:
    return format_percent(ratio(target, real, ind.polaritas, rumus, rules)[0], rules.desimal)


def _tw(q: int) -> str:
    return f"TW {ROMAN[q - 1]}"
