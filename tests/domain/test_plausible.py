"""plausible.magnitude's quick rejection (a value near a reference) changes no answer: compared
with the plain search over every power of ten."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from kinerja.domain.plausible import SLACK, _scaled, magnitude


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
