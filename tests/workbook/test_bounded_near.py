"""The quick look of kinerja.workbook.bounded (`_near`: may a sheet be handed to calamine
without the cell by cell scan?) answers as the parse of every cell reference does, for sheets
written the usual way and otherwise (far cells, long references, a namespace prefix, a cell
without 'r', a tag split by a line break, more cells than the bound)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from kinerja.workbook import bounded
from kinerja.workbook.tables import column_letter

small = st.tuples(st.integers(1, 30), st.integers(1, 30))
anywhere = st.tuples(st.integers(1, 1_048_576), st.integers(1, 16_384))
edges = st.sampled_from([(999, 26), (1000, 26), (1001, 101), (1002, 1), (1, 27), (1, 102), (9, 702), (5001, 1)])
TAGS = ['<c r="{ref}"><v>1</v></c>', '<c r="{ref}" s="2"/>', '<c r="{ref}" t="s"><v>0</v></c>',
        '<x:c r="{ref}"><x:v>1</x:v></x:c>', '<c><v>1</v></c>', '<c\nr="{ref}"><v>1</v></c>',
        '<c  r="{ref}"/>', '<c r="${ref}"/>']


def sheet(cells: list[tuple[tuple[int, int], int]]) -> bytes:
    rows = "".join(f'<row r="{r}">' + TAGS[t].format(ref=f"{column_letter(c)}{r}") + "</row>"
                   for (r, c), t in cells)
    return ('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f'<dimension ref="A1:B2"/><cols><col min="1" max="3"/></cols><sheetData>{rows}</sheetData>'
            '<conditionalFormatting sqref="A1"><cfRule type="expression"/></conditionalFormatting>'
            '</worksheet>').encode()


cells = st.lists(st.tuples(st.one_of(small, small, anywhere, edges),
                           st.sampled_from([0, 0, 0, 1, 2, 3, 4, 5, 6, 7])), max_size=12)
bounds = st.sampled_from([bounded.FORM_BOUNDS, bounded.MASTER_BOUNDS,
                          bounded.Bounds(max_rows=50, max_cols=10, max_cells=200, row_gap=5, col_gap=3),
                          bounded.Bounds(max_rows=10, max_cols=30, max_cells=10_000, row_gap=100, col_gap=100,
                                         max_values=3)])


@settings(max_examples=400, deadline=None)
@given(cells=cells, b=bounds)
def test_quick_look_answers_as_the_parse(cells, b):
    xml = sheet(cells)
    assert bounded._near(xml, b) == bounded._near_by_refs(xml, b)


def test_a_form_sized_sheet_is_decided_by_the_quick_look():
    xml = sheet([((r, c), 0) for r in range(1, 65) for c in range(1, 21)])
    assert bounded._odd_cell(bounded.FORM_BOUNDS).search(xml) is None
    assert bounded._near(xml, bounded.FORM_BOUNDS)
    far = sheet([((1, 1), 0), ((1_048_576, 16_384), 0)])
    assert not bounded._near(far, bounded.FORM_BOUNDS)
