"""Achievement (capaian) math, in Python and as the equivalent live Excel formula.

Methods (per indicator):
- per_triwulan: each quarter stands alone; a longer period sums its own quarters.
- kumulatif (jumlah): realisasi and target are summed from TW I up to the period's last quarter.
- nilai_akhir: the value at the period's last quarter (a position, e.g. a rate), against that
  quarter's target; the year uses the yearly target.
Polarity naik: R / T x 100. Turun: (2T - R) / T x 100 (floored at 0) or T / R x 100.
A zero target follows the master's rule and is flagged; the optional cap applies last.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from kinerja.models import Indicator, Period, Result, Rules, TurunFormula


@dataclass(slots=True)
class Achievement:
    target: float | None
    realisasi: float | None
    capaian: float | None
    predikat: str
    notes: list[tuple[str, dict[str, Any]]] = field(default_factory=list)


def period_target(ind: Indicator, period: Period) -> float | None:
    qs = _quarters(ind, period)
    if ind.metode == "nilai_akhir" or (period.jenis == "tahunan" and ind.target_tahunan is not None):
        return ind.target_for_quarter(qs[-1]) if period.jenis != "tahunan" else (
            ind.target_tahunan if ind.target_tahunan is not None else ind.target_tw[3])
    values = [ind.target_tw[q - 1] for q in qs]
    if any(v is None for v in values):
        return None
    return float(sum(values))  # type: ignore[arg-type]


def period_realisasi(ind: Indicator, realisasi_tw: list[float | None], period: Period) -> float | None:
    qs = _quarters(ind, period)
    if ind.metode == "nilai_akhir":
        return realisasi_tw[qs[-1] - 1]
    values = [realisasi_tw[q - 1] for q in qs]
    if any(v is None for v in values):
        return None
    return float(sum(values))  # type: ignore[arg-type]


def realisasi_to_date(ind: Indicator, realisasi_tw: list[float | None], last_quarter: int) -> float | None:
    """The year's realisasi from TW I up to `last_quarter`: the latest value of a nilai_akhir
    indicator, otherwise the sum of the quarters (None while one of them is missing)."""
    if ind.metode == "nilai_akhir":
        return realisasi_tw[last_quarter - 1]
    values = realisasi_tw[:last_quarter]
    if any(v is None for v in values):
        return None
    return exact_sum(values)  # type: ignore[arg-type]


def exact_sum(values: list[float]) -> float:
    """The sum of typed decimals as written (21 + 38.2 + 59.5 is 118.7, not 118.69999999999999)."""
    return float(sum((Decimal(repr(v)) for v in values), Decimal(0)))


def _quarters(ind: Indicator, period: Period) -> list[int]:
    if ind.metode == "kumulatif":
        return list(range(1, period.last_quarter + 1))
    return period.quarters


def ratio(target: float | None, realisasi: float | None, polaritas: str, rumus: TurunFormula,
          rules: Rules) -> tuple[float | None, list[tuple[str, dict[str, Any]]]]:
    """Capaian (%) of one target/realisasi pair, with notes for what could not be computed."""
    if target is None or realisasi is None:
        return None, []
    if target == 0:
        if rules.target_nol == "seratus_jika_nol" and realisasi == 0:
            return _cap(100.0, rules), []
        return None, [("target-zero", {"rule": "capaian dikosongkan"})]
    if polaritas == "naik":
        value = realisasi / target * 100
    elif rumus == "T/R":
        if realisasi == 0:
            return None, [("realisasi-zero-turun", {})]
        value = target / realisasi * 100
    else:
        value = max(0.0, (2 * target - realisasi) / target * 100)
    return _cap(value, rules), []


def _cap(value: float, rules: Rules) -> float:
    if rules.batas_atas_capaian is not None:
        return min(value, rules.batas_atas_capaian)
    return value


def achievement(ind: Indicator, result: Result | None, period: Period, rules: Rules,
                rumus: TurunFormula) -> Achievement:
    realisasi_tw = result.realisasi_tw if result else [None] * 4
    target = period_target(ind, period)
    realisasi = period_realisasi(ind, realisasi_tw, period)
    capaian, notes = ratio(target, realisasi, ind.polaritas, rumus, rules)
    return Achievement(target, realisasi, capaian, rules.predicate(capaian), notes)


# ----------------------------------------------------------------------------------- Excel


def excel_capaian_formula(ind: Indicator, period: Period, rules: Rules, rumus: TurunFormula,
                          target_cells: list[str], real_cells: list[str], yearly_cell: str) -> str:
    """The live Excel formula for a form's capaian cell, equal to `achievement`.

    target_cells / real_cells: the addresses of TW I-IV target and realisasi on the form.
    Empty realisasi shows an empty cell; a zero or missing target shows '-', never #DIV/0!.
    """
    qs = _quarters(ind, period)
    if ind.metode == "nilai_akhir":
        real = real_cells[qs[-1] - 1]
        if period.jenis == "tahunan":
            target = yearly_cell if ind.target_tahunan is not None else target_cells[3]
        else:
            target = target_cells[qs[-1] - 1]
            if ind.target_tw[qs[-1] - 1] is None and qs[-1] == 4:
                target = yearly_cell
        needed = [real]
        targets = [target]
    else:
        needed = [real_cells[q - 1] for q in qs]
        real = needed[0] if len(needed) == 1 else f"SUM({','.join(needed)})"
        if period.jenis == "tahunan" and ind.target_tahunan is not None:
            target = yearly_cell
            targets = [yearly_cell]
        else:
            targets = [target_cells[q - 1] for q in qs]
            target = targets[0] if len(targets) == 1 else f"SUM({','.join(targets)})"
    if ind.polaritas == "naik":
        core = f"{real}/{target}*100"
    elif rumus == "T/R":
        core = f"IF({real}=0,\"-\",{target}/{real}*100)"
    else:
        core = f"MAX(0,(2*{target}-{real})/{target}*100)"
    if rules.batas_atas_capaian is not None:
        cap = _num(rules.batas_atas_capaian)
        core = f"IF(ISNUMBER({core}),MIN({core},{cap}),{core})" if rumus == "T/R" and ind.polaritas == "turun" else f"MIN({core},{cap})"
    zero = "\"-\""
    if rules.target_nol == "seratus_jika_nol":
        zero = f"IF({real}=0,{_num(_cap(100.0, rules))},\"-\")"
    return (f"=IF({_any_blank(needed)},\"\",IF({_any_blank(targets)},\"-\","
            f"IF({target}=0,{zero},{core})))")


def _any_blank(cells: list[str]) -> str:
    blanks = ",".join(f"ISBLANK({c})" for c in cells)
    return f"OR({blanks})" if len(cells) > 1 else blanks


def _num(value: float) -> str:
    return f"{value:g}"
