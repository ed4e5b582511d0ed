"""Achievement (capaian) math, in Python and as the equivalent live Excel formula.

Methods (per indicator):
- per_triwulan: each quarter stands alone; a longer period sums its own quarters.
- kumulatif (jumlah): realisasi and target are summed from TW I up to the period's last quarter.
- nilai_akhir: the value at the period's last quarter (a position, e.g. a rate), against that
  quarter's target; the year uses the yearly target.
Polarity naik: R / T x 100. Turun: (2T - R) / T x 100 (floored at 0) or T / R x 100.
A zero target follows the master's rule and is flagged; the optional cap applies last.

One number, one rounding: the typed values are read as the exact decimals they were typed as
(numbers.exact), the ratio is computed exactly (a fraction, never binary floating point), then
rounded ONCE, half away from zero, to the master's precision (Pengaturan 'Desimal Capaian',
default 2). That rounded value is what every document prints, what the predicate is classed
on and what "below target" compares; `Achievement.capaian` holds it. The form's live formula
rounds with ROUND to the same precision, so form, master and report show one number.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from math import gcd
from typing import Any

from kinerja.domain.models import Indicator, Period, Result, Rules, TurunFormula
from kinerja.domain.numbers import exact, rounded


@dataclass(slots=True)
class Achievement:
    target: float | None
    realisasi: float | None
    capaian: float | None  # rounded once to Rules.desimal: the printed, classed, compared value
    predikat: str  # of `capaian`
    notes: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    @property
    def below_target(self) -> bool:
        """Below target, decided on the printed (rounded) capaian: 99.996 prints and counts as 100."""
        return self.capaian is not None and self.capaian < 100


def period_target(ind: Indicator, period: Period) -> float | None:
    qs = _quarters(ind, period)
    if ind.metode == "nilai_akhir" or (period.jenis == "tahunan" and ind.target_tahunan is not None):
        return ind.target_for_quarter(qs[-1]) if period.jenis != "tahunan" else (
            ind.target_tahunan if ind.target_tahunan is not None else ind.target_tw[3])
    return _sum_of(ind.target_tw, qs)


def period_realisasi(ind: Indicator, realisasi_tw: list[float | None], period: Period) -> float | None:
    qs = _quarters(ind, period)
    if ind.metode == "nilai_akhir":
        return realisasi_tw[qs[-1] - 1]
    return _sum_of(realisasi_tw, qs)


def _sum_of(per_quarter: list[float | None], qs: tuple[int, ...]) -> float | None:
    """The exact sum of the quarters `qs` (None while one is missing). One quarter is its own
    value: float(Decimal(repr(v))) is v, so exact_sum would give it back unchanged."""
    if len(qs) == 1:
        v = per_quarter[qs[0] - 1]
        return None if v is None else float(v) + 0.0  # + 0.0: a -0.0 sums to 0.0, as in exact_sum
    values = [per_quarter[q - 1] for q in qs]
    if None in values:
        return None
    return exact_sum(values)  # type: ignore[arg-type]


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
    total = Decimal(0)
    for v in values:
        total += _decimal(v)
    return float(total)


@lru_cache(maxsize=1 << 16)
def _decimal(value: float) -> Decimal:
    """The decimal a number was typed as (targets and values recur: converted once)."""
    return Decimal(repr(value))


def _quarters(ind: Indicator, period: Period) -> tuple[int, ...]:
    return _quarters_of(ind.metode == "kumulatif", period.jenis, period.nomor)


@lru_cache(maxsize=64)
def _quarters_of(cumulative: bool, jenis: str, nomor: int | None) -> tuple[int, ...]:
    """The quarters an indicator's period value is made of (a few distinct answers, asked for
    every indicator)."""
    quarters = Period(tahun=2000, jenis=jenis, nomor=nomor).quarters  # type: ignore[arg-type]
    return tuple(range(1, quarters[-1] + 1)) if cumulative else tuple(quarters)


def ratio(target: float | None, realisasi: float | None, polaritas: str, rumus: TurunFormula,
          rules: Rules) -> tuple[float | None, list[tuple[str, dict[str, Any]]]]:
    """Capaian (%) of one target/realisasi pair, computed exactly and rounded once to
    `rules.desimal` places (half away from zero), with notes for what could not be computed.

    Exact rational arithmetic on plain integers (numerator, denominator of each typed decimal):
    the same value as with fractions.Fraction, without normalising every intermediate result."""
    if target is None or realisasi is None:
        return None, []
    try:
        return _ratio(target, realisasi, polaritas, rumus, rules)
    except OverflowError:  # beyond the largest double (1E+300 against 1E-10): no capaian, said so
        return None, [("capaian-out-of-range", {})]


def _ratio(target: float, realisasi: float, polaritas: str, rumus: TurunFormula,
           rules: Rules) -> tuple[float | None, list[tuple[str, dict[str, Any]]]]:
    tn, td = _exact_parts(target)
    rn, rd = _exact_parts(realisasi)
    if tn == 0:
        if rules.target_nol == "seratus_jika_nol" and rn == 0:
            return _final(100, 1, rules), []
        return None, [("target-zero", {"rule": "capaian dikosongkan"})]
    if polaritas == "naik":  # r / t * 100
        n, d = rn * td * 100, rd * tn
    elif rumus == "T/R":  # t / r * 100
        if rn == 0:
            return None, [("realisasi-zero-turun", {})]
        n, d = tn * rd * 100, td * rn
    else:  # max(0, (2t - r) / t * 100)
        n, d = (2 * tn * rd - rn * td) * 100, rd * tn
    if d < 0:
        n, d = -n, -d
    if polaritas != "naik" and rumus != "T/R" and n < 0:
        n = 0
    return _final(n, d, rules), []


@lru_cache(maxsize=1 << 16)
def _float_parts(value: float) -> tuple[int, int]:
    return Decimal(repr(value)).as_integer_ratio()


def _exact_parts(value: float | int | Decimal | Fraction) -> tuple[int, int]:
    """(numerator, denominator > 0) of the exact value a cell shows (numbers.exact)."""
    if type(value) is float:
        return _float_parts(value)
    f = exact(value)
    return f.numerator, f.denominator


def _final(n: int, d: int, rules: Rules) -> float:
    """The optional cap, then the one rounding (numbers.rounded), of the value n / d (d > 0)."""
    if rules.batas_atas_capaian is not None:
        cn, cd = _exact_parts(rules.batas_atas_capaian)
        if n * cd > cn * d:
            n, d = cn, cd
    places = rules.desimal
    if places < 0:
        return rounded(Fraction(n, d), places)  # type: ignore[return-value]
    scaled = abs(n) * 10 ** places
    whole = (2 * scaled + d) // (2 * d)  # floor(|x| + 1/2), as numbers.round_half_up
    # int / int is correctly rounded in Python, as float(Decimal) is: the same double as the
    # decimal whole * 10**-places, without making the Decimal (a 50,000-indicator rekap)
    return (whole if n >= 0 else -whole) / 10 ** places


def mean_capaian(values: list[float], rules: Rules) -> float | None:
    """The average of printed capaian values, exact, rounded once like each of them."""
    if not values:
        return None
    n, d = 0, 1
    for v in values:  # an exact sum over one common denominator
        vn, vd = _exact_parts(v)
        if vd == d:
            n += vn
        else:
            n, d = n * vd + vn * d, d * vd
            g = gcd(n, d)
            n, d = n // g, d // g
    return rounded(Fraction(n, d * len(values)), rules.desimal)


def achievement(ind: Indicator, result: Result | None, period: Period, rules: Rules,
                rumus: TurunFormula) -> Achievement:
    realisasi_tw: list[float | None] = result.realisasi_tw if result else [None] * 4
    target = period_target(ind, period)
    realisasi = period_realisasi(ind, realisasi_tw, period)
    capaian, notes = ratio(target, realisasi, ind.polaritas, rumus, rules)
    return Achievement(target, realisasi, capaian, rules.predicate(capaian), notes)


def realisasi_and_capaian(ind: Indicator, result: Result | None, period: Period, rules: Rules,
                          rumus: TurunFormula) -> tuple[float | None, float | None]:
    """`achievement`'s realisasi and capaian alone (the same computation, without its predicate
    and notes): what a comparison over every indicator and quarter needs."""
    realisasi = period_realisasi(ind, result.realisasi_tw if result else [None] * 4, period)
    return realisasi, ratio(period_target(ind, period), realisasi, ind.polaritas, rumus, rules)[0]


# ----------------------------------------------------------------------------------- Excel


def excel_capaian_formula(ind: Indicator, period: Period, rules: Rules, rumus: TurunFormula,
                          target_cells: list[str], real_cells: list[str], yearly_cell: str) -> str:
    """The live Excel formula for a form's capaian cell, equal to `achievement`.

    target_cells / real_cells: the addresses of TW I-IV target and realisasi on the form.
    Empty realisasi shows an empty cell; a zero or missing target shows '-', never #DIV/0!.
    A realisasi it needs holding text (a number pasted as text, '85,5') shows NOT_A_NUMBER,
    never #VALUE! and never a SUM that skipped the text (collect reads such text as a number,
    with a note; the form flags it so the unit types it again).
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
    d = rules.desimal
    cap = _num(rules.batas_atas_capaian) if rules.batas_atas_capaian is not None else None

    def final(expr: str) -> str:  # the cap, then the one rounding, as _final
        return f"ROUND({f'MIN({expr},{cap})' if cap else expr},{d})"

    if ind.polaritas == "naik":
        core = final(f"{real}/{target}*100")
    elif rumus == "T/R":
        core = f"IF({real}=0,\"-\",{final(f'{target}/{real}*100')})"
    else:
        core = final(f"MAX(0,(2*{target}-{real})/{target}*100)")
    zero = "\"-\""
    if rules.target_nol == "seratus_jika_nol":
        zero = f"IF({real}=0,{final('100')},\"-\")"
    return (f"=IF({_any(needed, TYPED_TEXT)},\"{NOT_A_NUMBER}\",IF({_any(needed, EMPTY)},\"\","
            f"IF({_any(targets, 'ISBLANK({c})')},\"-\",IF({target}=0,{zero},{core}))))")


NOT_A_NUMBER = "Bukan angka"  # what a form's capaian cell shows while a realisasi it needs is text
TYPED_TEXT = 'AND(ISTEXT({c}),TRIM({c})<>"")'  # text in a number cell ('85,5' pasted): never a silent #VALUE!
EMPTY = 'TRIM({c}&"")=""'  # empty, or only spaces (read as empty by collect)


def _any(cells: list[str], test: str) -> str:
    tests = ",".join(test.format(c=c) for c in cells)
    return f"OR({tests})" if len(cells) > 1 else tests


def _num(value: float) -> str:
    return repr(float(value)).removesuffix(".0")
