"""Chart series that follow a table's rows: a chart plots a sheet's table from its header row
(the series title) or first data row down; when the table gets more or fewer rows, every
reference of that shape ends at the new last row. Plain text in, plain text out: the package
writer applies it to chart parts, the openpyxl writer to its chart objects, the live writer to
Excel's series formulas."""

from __future__ import annotations

import re

# a reference 'Sheet'!$C$14:$C$20 (or one cell), in a chart part's <c:f> or a SERIES formula
_RANGE = re.compile(r"('?)((?:[^'!<>,=()]|'')+)\1!\$([A-Z]+)\$(\d+)(?::\$([A-Z]+)\$(\d+))?")
_XML_REF = re.compile(r"(<(?:c:)?f>)([^<]*)(</(?:c:)?f>)")
_CACHE = re.compile(r"<((?:c:)?)(numCache|strCache)>.*?</\1\2>", re.S)

Spans = dict[str, tuple[int, int]]  # sheet -> (header row, number of data rows plotted)


def retarget(formula: str, spans: Spans) -> str:
    """`formula` with each range on a sheet of `spans` that starts at its header row or first
    data row ending at its last data row (at least the first: an empty table plots one
    empty row rather than a broken range)."""

    def fix(m: re.Match) -> str:
        sheet = m.group(2).replace("''", "'")
        span = spans.get(sheet)
        if span is None or m.group(6) is None or int(m.group(4)) not in (span[0], span[0] + 1):
            return m.group(0)  # another sheet, one cell (a series title) or another block
        q, last = m.group(1), max(span[0] + span[1], span[0] + 1)
        return f"{q}{m.group(2)}{q}!${m.group(3)}${m.group(4)}:${m.group(5)}${last}"

    return _RANGE.sub(fix, formula)


def retarget_xml(xml: str, spans: Spans) -> str:
    """A chart part (DrawingML) with its references retargeted; when one changed, the cached
    values are dropped (Excel and LibreOffice read the cells)."""
    new = _XML_REF.sub(lambda m: m.group(1) + retarget(m.group(2), spans) + m.group(3), xml)
    return new if new == xml else _CACHE.sub("", new)
