"""plausible.magnitude's quick rejection (a value near a reference) changes no answer: compared
with the plain search over every power of ten."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from kinerja.domain.models import Indicator, Rules
from kinerja.domain.plausible import SLACK, _cumulative, _looks_cumulative, _scaled, magnitude


def plain_magnitude(value: float, references: list[float]) -> tuple[float, int] | None:
    """magnitude without its quick rejection: the search over every power of ten."""
    refs = [r for r in references if r > 0]
    return _scaled(value, refs) if value > 0 and refs else None


# values spread over powers of ten, with the boundaries of every factor nearby
scaled = st.builds(lambda m, e: m * 10.0 ** e, st.floats(0.05, 20, allow_nan=False), st.integers(-4, 5))
numbers = st.one_of(scaled, st.sampled_from([0.0, -1.0, 1.0, 10 / SLACK, 10 * SLACK, 2.0, 0.5, 100.0]))


@settings(max_examples=500, deadline=None)
@given(value=numbers, refs=st.lists(numbers, max_size=3))
def test_quick_rejection_changes_nothing(value, refs):
    assert magnitude(value, refs) == plain_magnitude(value, refs)


def test_a_comma_read_as_thousands_is_still_found():
    assert magnitude(855.0, [85.0, 80.0]) == (85.5, 1)
    assert magnitude(80.0, [85.0]) is None


# a kumulatif indicator's targets and realisasi up to TW III: zeros, negatives and blanks included
maybe = st.one_of(st.none(), numbers, numbers.map(lambda x: -x))


@settings(max_examples=500, deadline=None)
@given(targets=st.lists(maybe, min_size=4, max_size=4), tw=st.lists(maybe, min_size=4, max_size=4),
       q=st.integers(2, 4))
def test_cumulative_quick_look_changes_nothing(targets, tw, q):
    ind = Indicator(kode="K.1", unit="U", nama="k", satuan="dokumen", metode="kumulatif", target_tw=targets)
    rules = Rules()
    assert _looks_cumulative(ind, tw, q, rules, "2T-R") == _cumulative(ind, tw, q, rules, "2T-R")


def test_a_year_to_date_total_is_still_found():
    ind = Indicator(kode="K.2", unit="U", nama="k", satuan="dokumen", metode="kumulatif", target_tw=[10.0] * 4)
    note = _looks_cumulative(ind, [10.0, 10.0, 30.0, None], 3, Rules(), "2T-R")
    assert note is not None and note[0] == "realisasi-looks-cumulative"
