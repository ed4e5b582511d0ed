"""Cells and rows as XML text: values written as openpyxl writes them, with their styles."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from math import isinf, isnan
from typing import Any
from xml.sax.saxutils import escape

from openpyxl.styles.numbers import is_date_format
from openpyxl.utils import column_index_from_string
from openpyxl.utils.datetime import to_excel

from kinerja.ooxml.parts import Unsupported
from kinerja.ooxml.styles import FontSpec, Look, Styles
from kinerja.workbook.description import Formula, Link, safe_text

AUTO_FORMATS = {datetime: "yyyy-mm-dd h:mm:ss", date: "yyyy-mm-dd", time: "h:mm:ss"}  # openpyxl's
MAX_TEXT = 32767
ROW = re.compile(r"<row\b([^>]*?)(/>|>(.*?)</row>)", re.S)
_CELL = re.compile(r"<c\b([^>]*?)(/>|>(.*?)</c>)", re.S)
_ATTR_R = re.compile(r'\br="([A-Z]*)(\d+)"')
_ATTR_S = re.compile(r'\bs="(\d+)"')
_SPANS = re.compile(r'\s+spans="[^"]*"')
_CELL_LETTERS = re.compile(r'<c r="([A-Z]{1,3})\d+"')
_ROW_R = re.compile(r'\br="(\d+)"')
_REF = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d+)")
COLUMNS: dict[str, int] = {}
LINK_FONT = FontSpec(color="0563C1", underline="single", plain=True)  # as the openpyxl writer sets on a link


class Cells:
    """<c> elements as openpyxl writes values (see workbook.book.set_value and write_rows),
    with the style each one gets; styles are derived once per (base, value type, column)."""

    def __init__(self, styles: Styles, epoch: datetime, columns: list[tuple[str | None, str | None, Any]]) -> None:
        self.styles, self.epoch, self.columns = styles, epoch, columns
        self.cache: dict[tuple[int, type, int], str] = {}
        self.texts: dict[str, str] = {}  # text -> its <is> element (names, units, labels recur)
        self.links: dict[str, Link] = {}  # cell -> the hyperlink written there

    def style(self, value: Any, base: int, column: int) -> str:
        """' s="N"' (or '') for `value` written over style `base`; `column` (0-based) picks the
        table column's format and fill, -1 for a single cell (only the date rule applies)."""
        key = (base, type(value), column)
        attr = self.cache.get(key)
        if attr is None:
            spec = self.columns[column] if 0 <= column < len(self.columns) else None
            index = value_style(value, base, self.styles, spec)
            attr = self.cache[key] = f' s="{index}"' if index else ""
        return attr

    def xml(self, ref: str, value: Any, s: str) -> str:
        t = type(value)
        if t is float or t is int:
            if t is float and (isnan(value) or isinf(value)):
                return f'<c r="{ref}"{s} t="n"><v></v></c>'
            return f'<c r="{ref}"{s} t="n"><v>{value:.16g}</v></c>'
        if t is str:
            inner = self.texts.get(value)
            if inner is None:
                inner = inline(value)
                if len(self.texts) < 100_000:
                    self.texts[value] = inner
            return f'<c r="{ref}"{s} t="inlineStr"{inner}'
        if value is None:
            return f'<c r="{ref}"{s}/>'
        return self._other(ref, value, s)

    def _other(self, ref: str, value: Any, s: str) -> str:
        if isinstance(value, Link):
            self.links[ref] = value
            return _text_cell(ref, value.text, s)
        if isinstance(value, Formula):
            if len(value.text) > 1 and value.text.startswith("="):
                return f'<c r="{ref}"{s}><f>{escape(value.text[1:])}</f><v></v></c>'
            return _text_cell(ref, value.text, s)  # openpyxl takes text without '=' as text
        if isinstance(value, bool):
            return f'<c r="{ref}"{s} t="b"><v>{int(value)}</v></c>'
        if isinstance(value, str):
            return _text_cell(ref, str(value), s)
        if isinstance(value, (int, float)):
            return self.xml(ref, float(value) if isinstance(value, float) else int(value), s)
        if isinstance(value, (datetime, date, time)):
            if getattr(value, "tzinfo", None) is not None:
                raise Unsupported("datetime with a time zone")
            return f'<c r="{ref}"{s} t="n"><v>{to_excel(value, self.epoch):.16g}</v></c>'
        raise Unsupported(f"value of type {type(value).__name__}")


def _text_cell(ref: str, value: str, s: str) -> str:
    return f'<c r="{ref}"{s} t="inlineStr"{inline(value)}'


def inline(value: str) -> str:
    """The rest of an inline-string cell after its attributes: '/>' or '><is>...</c>'."""
    text = (value if value.isascii() and value.isprintable() else safe_text(value))[:MAX_TEXT]  # printable ASCII: no control character
    if not text:
        return "/>"
    space = ' xml:space="preserve"' if text[0].isspace() or text[-1].isspace() else ""
    if "&" in text or "<" in text or ">" in text:
        text = escape(text)
    return f"><is><t{space}>{text}</t></is></c>"


def _date_kind(value: Any) -> type | None:
    for t in (datetime, date, time):  # datetime before date: it is one
        if isinstance(value, t):
            return t
    if isinstance(value, timedelta):
        raise Unsupported("timedelta")
    return None


def value_style(value: Any, base: int, styles: Styles, column: tuple[str | None, str | None, Any] | None) -> int:
    """The style of a written cell, as openpyxl's set_value + write_rows leave it: a date gets
    openpyxl's default date format unless its format is one already; a table column's format
    and input fill (workbook.book.write_rows) apply on top."""
    number_format: str | None = None
    kind = _date_kind(value)
    if kind is not None and not is_date_format(styles.code(base)):
        number_format = AUTO_FORMATS[kind]
    fill = alignment = None
    if column is not None:
        fmt, fill, alignment = column
        if fmt and not isinstance(value, str):
            number_format = fmt
        elif kind is datetime:
            number_format = "dd/mm/yyyy hh:mm"
        elif kind is date:
            number_format = "dd/mm/yyyy"
    font = LINK_FONT if isinstance(value, Link) else None
    return styles.derive(base, look=Look(number_format, fill, font, alignment=alignment))



def column_index(letters: str) -> int:
    j = COLUMNS.get(letters)
    if j is None:
        j = COLUMNS[letters] = column_index_from_string(letters)
    return j


@dataclass
class Row:
    attrs: str  # attributes of <row>, without spans
    cells: dict[int, str] = field(default_factory=dict)  # column (1-based) -> <c> xml

    @classmethod
    def parse(cls, attrs: str, body: str | None) -> Row:
        row = cls(_SPANS.sub("", attrs) if "spans" in attrs else attrs)
        body = body or ""
        letters = _CELL_LETTERS.findall(body)
        chunks = body.split('<c r="')
        if len(letters) == len(chunks) - 1 == body.count("<c ") + body.count("<c>") + body.count("<c/"):
            # cells as Excel and openpyxl write them: the reference first, one after another. Every
            # '<c r="' starts a cell (a '<' in text or an attribute is escaped), and each starts
            # with a valid reference (as many matches as starts): the pieces between are the cells.
            row.cells = {COLUMNS.get(c) or column_index(c): '<c r="' + chunk.rstrip()
                         for c, chunk in zip(letters, chunks[1:])}
            return row
        for m in _CELL.finditer(body):
            ref = _ATTR_R.search(m.group(1))
            if ref is None or not ref.group(1):
                raise Unsupported("cell without a reference")
            row.cells[column_index(ref.group(1))] = m.group(0)
        return row

    @classmethod
    def of(cls, text: str) -> Row:
        """A row from its whole XML, as `rows` gives it."""
        gt = text.index(">")
        if text[gt - 1] == "/":
            return cls.parse(text[4:gt - 1], None)
        return cls.parse(text[4:gt], text[gt + 1:-6])

    def style(self, col: int) -> int:
        return cell_style(self.cells.get(col))

    def xml(self) -> str:
        if not self.cells:
            return f"<row{self.attrs}/>"
        return f"<row{self.attrs}>" + "".join(self.cells[c] for c in sorted(self.cells)) + "</row>"


def row_number(attrs: str) -> int:
    m = _ROW_R.search(attrs)
    if m is None:
        raise Unsupported("row without a number")
    return int(m.group(1))


def cell_style(xml: str | None) -> int:
    """The style index of a cell's XML (0 when it has none, or there is no cell)."""
    if not xml:
        return 0
    end = xml.index(">")
    at = xml.find(' s="', 0, end)
    if at >= 0:
        value = xml[at + 4:xml.find('"', at + 4)]
        if value.isascii() and value.isdigit():
            return int(value)
    m = _ATTR_S.search(xml, 0, end + 1)  # another white space before it, or no digits
    return int(m.group(1)) if m else 0


def rows(text: str) -> Iterator[tuple[int, str]]:
    """Each <row> element of sheetData's text, with its number, in order.

    Found with str.find, not a regular expression: a lazy `<row ...>.*?</row>` over a whole sheet
    cost more than everything else done to it. It finds what ROW finds: a '<' inside text or an
    attribute value is escaped, so '<row' starts an element and '</row>' ends it (rows do not
    nest); whatever stands between rows (white space) is not a row."""
    find = text.find
    pos = 0
    while True:
        start = find("<row", pos)
        if start < 0:
            return
        pos = start + 4
        if text[pos:pos + 1].isalnum() or text[pos:pos + 1] == "_":  # <rowX: another element
            continue
        gt = find(">", pos)
        if gt < 0:
            raise Unsupported("unterminated row")
        if text[gt - 1] == "/":
            end = gt + 1
        else:
            end = find("</row>", gt)
            if end < 0:
                raise Unsupported("unterminated row")
            end += 6
        yield row_number(text[start + 4:gt]), text[start:end]
        pos = end
