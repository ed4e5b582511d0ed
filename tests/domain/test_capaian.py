"""Capaian math: polarity, turun formula, methods, zero target, cap, predicate."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kinerja.domain.capaian import achievement, ratio
from kinerja.domain.models import Indicator, Period, PredicateBand, Result, Rules

TW3 = Period(tahun=2026, jenis="triwulan", nomor=3)
YEAR = Period(tahun=2026, jenis="tahunan")
S1 = Period(tahun=2026, jenis="semester", nomor=1)


def ind(**kw):
    base = dict(kode="X.1", unit="U", nama="x", satuan="%", target_tahunan=100.0,
                target_tw=[10.0, 20.0, 30.0, 40.0])
    return Indicator(**{**base, **kw})


def res(*r):
    return Result(indikator="X.1", realisasi_tw=list(r))


@pytest.mark.parametrize("target, real, pol, rumus, expected", [
    (80, 60, "naik", "2T-R", 75.0),
    (10, 8, "turun", "2T-R", 120.0),
    (10, 25, "turun", "2T-R", 0.0),  # floored
    (10, 8, "turun", "T/R", 125.0),
])
def test_ratio(target, real, pol, rumus, expected):
    value, notes = ratio(target, real, pol, rumus, Rules())
    assert value == pytest.approx(expected) and notes == []


def test_zero_target_and_zero_realisasi_are_flagged_not_divided():
    assert ratio(0, 5, "naik", "2T-R", Rules()) == (None, [("target-zero", {"rule": "capaian dikosongkan"})])
    assert ratio(0, 0, "naik", "2T-R", Rules(target_nol="seratus_jika_nol"))[0] == 100.0
    assert ratio(5, 0, "turun", "T/R", Rules())[1][0][0] == "realisasi-zero-turun"


def test_cap_applies():
    assert ratio(10, 20, "naik", "2T-R", Rules(batas_atas_capaian=120))[0] == 120.0


def test_methods():
    r = res(5.0, 10.0, 15.0, None)
    per = achievement(ind(metode="per_triwulan"), r, TW3, Rules(), "2T-R")
    assert (per.target, per.realisasi, per.capaian) == (30.0, 15.0, 50.0)
    cum = achievement(ind(metode="kumulatif"), r, TW3, Rules(), "2T-R")
    assert (cum.target, cum.realisasi, cum.capaian) == (60.0, 30.0, 50.0)
    last = achievement(ind(metode="nilai_akhir"), r, TW3, Rules(), "2T-R")
    assert (last.target, last.realisasi) == (30.0, 15.0)
    sem = achievement(ind(metode="per_triwulan"), r, S1, Rules(), "2T-R")
    assert (sem.target, sem.realisasi) == (30.0, 15.0)
    year = achievement(ind(metode="kumulatif"), res(25.0, 25.0, 25.0, 30.0), YEAR, Rules(), "2T-R")
    assert (year.target, year.realisasi, year.capaian) == (100.0, 105.0, 105.0)
    missing = achievement(ind(metode="kumulatif"), res(5.0, None, 15.0, None), TW3, Rules(), "2T-R")
    assert missing.realisasi is None and missing.capaian is None


def test_predicate_scale():
    rules = Rules()
    assert [rules.predicate(x) for x in (95, 91, 90.9, 76, 70, 51, 50, None)] == [
        "Sangat Tinggi", "Sangat Tinggi", "Tinggi", "Tinggi", "Sedang", "Rendah", "Sangat Rendah", "-"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from([-10.0, 0.0, 50.0, 76.0, 91.0, 100.0]), st.text(min_size=1, max_size=3)),
                max_size=6),
       st.one_of(st.none(), st.floats(-50, 200, allow_nan=False)))
def test_predicate_is_the_first_of_the_highest_bands_reached(bands, capaian):
    """The band found in one pass is the one a stable sort from the top finds (ties: sheet order)."""
    rules = Rules(skala=[PredicateBand(batas_bawah=b, predikat=p) for b, p in bands])
    expected = "-"
    if capaian is not None:
        reached = [b for b in sorted(rules.skala, key=lambda b: b.batas_bawah, reverse=True) if capaian >= b.batas_bawah]
        lowest = min(rules.skala, key=lambda b: b.batas_bawah).predikat if rules.skala else "-"
        expected = reached[0].predikat if reached else lowest
    assert rules.predicate(capaian) == expected


@settings(max_examples=500, deadline=None)
@given(st.integers(-10**20, 10**20), st.integers(1, 10**30), st.integers(0, 6))
def test_the_one_rounding_gives_the_double_of_the_rounded_decimal(n, d, places):
    """_final's integer division is the double nearest the rounded decimal, as float(Decimal) is
    (within Decimal's 28 digits, which scaleb would round to first)."""
    from decimal import Decimal

    from kinerja.domain.capaian import _final

    whole = (2 * abs(n) * 10 ** places + d) // (2 * d)
    assert _final(n, d, Rules(desimal=places)) == float(Decimal(whole if n >= 0 else -whole).scaleb(-places))


@given(st.lists(st.one_of(st.none(), st.floats(allow_nan=False, allow_infinity=False, width=64),
                          st.integers(-10**6, 10**6)), min_size=4, max_size=4),
       st.integers(1, 4))
def test_one_quarter_is_its_own_exact_sum(values, quarter):
    """A period of one quarter takes its value as it is: the same double, and the same sign of
    zero, as exact_sum over that one value."""
    from math import copysign

    from kinerja.domain.capaian import _sum_of, exact_sum

    got = _sum_of(values, (quarter,))
    v = values[quarter - 1]
    if v is None:
        assert got is None
    else:
        want = exact_sum([v])
        assert got == want and copysign(1, got) == copysign(1, want)


@given(st.sampled_from(["naik", "turun"]), st.sampled_from(["per_triwulan", "kumulatif", "nilai_akhir"]),
       st.lists(st.one_of(st.none(), st.floats(0, 1e6, allow_nan=False)), min_size=4, max_size=4),
       st.lists(st.one_of(st.none(), st.floats(0, 1e6, allow_nan=False)), min_size=4, max_size=4),
       st.sampled_from([Period(tahun=2026, jenis="triwulan", nomor=q) for q in range(1, 5)]
                       + [Period(tahun=2026, jenis="semester", nomor=1), Period(tahun=2026, jenis="tahunan")]))
def test_realisasi_and_capaian_are_achievements_own(polaritas, metode, targets, realisasi, period):
    """The comparison's shortcut gives the very realisasi and capaian `achievement` gives."""
    from kinerja.domain.capaian import realisasi_and_capaian

    ind = Indicator(kode="X.01", unit="X", nama="x", polaritas=polaritas, metode=metode,
                    target_tahunan=None, target_tw=targets)
    res = Result(indikator="X.01", realisasi_tw=realisasi)
    for rumus in ("2T-R", "T/R"):
        a = achievement(ind, res, period, Rules(), rumus)
        assert realisasi_and_capaian(ind, res, period, Rules(), rumus) == (a.realisasi, a.capaian)


def test_a_ratio_beyond_the_largest_double_has_no_capaian():
    """1E+300 against 1E-10, or T/R with a realisasi of 5E-324: said, never an OverflowError or
    an infinity carried into an average."""
    for target, real, pol, rumus in ((1e-10, 1e300, "naik", "2T-R"), (1.0, 5e-324, "turun", "T/R")):
        assert ratio(target, real, pol, rumus, Rules()) == (None, [("capaian-out-of-range", {})])
    assert ratio(1e300, -1e300, "turun", "2T-R", Rules())[0] == 300.0  # (2T - R) / T: still a number
