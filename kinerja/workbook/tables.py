"""Table sheets as data: one description drives writing a sheet and reading it back.

Staff edit the master by hand, so the reader is lenient on shape (blank rows, extra columns,
headers found by name, moved columns) and strict on meaning (every problem is an Issue with
sheet and cell). It works on plain rows of values, whoever read them (calamine or openpyxl).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cached_property, lru_cache
from itertools import zip_longest
from math import isfinite
from types import NoneType
from typing import Any, Literal

from kinerja.domain.durations import DurationError, parse_duration
from kinerja.domain.models import NipError, check_nip
from kinerja.domain.numbers import BULAN, parse_number
from kinerja.issues.catalogue import Report

Kind = Literal["text", "id", "number", "int", "choice", "date", "datetime", "time", "nip", "duration",
               "bool"]
# "id": an identifier (kode, nomor surat): text; a number in its cell is read as the text Excel
# shows and reported (leading zeros and trailing decimal zeros are lost when typed as a number).
# "nip": 18 digits, text only; a number in its cell has lost digits and is an error.

HEADER_ROW = 3  # row 1 title, row 2 hint, row 3 headers, data from row 4
FIRST_DATA_ROW = HEADER_ROW + 1


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    kind: Kind = "text"
    required: bool = False
    choices: dict[str, str] | None = None  # value -> label shown in the sheet
    width: float = 14
    input: bool = True  # typed by staff (highlighted) or computed by the tool
    number_format: str | None = None
    aliases: tuple[str, ...] = ()
    hint: str = ""
    wrap: bool = False  # long text: wrapped in the column's width, top-aligned
    align: str | None = None  # 'center' for short codes and counts


@dataclass(frozen=True)
class Table:
    sheet: str
    title: str
    columns: tuple[Column, ...]
    hint: str = ""
    header_row: int = HEADER_ROW

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    def col(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    def index(self, key: str) -> int:
        """1-based column number of key in the canonical layout."""
        return next(i for i, c in enumerate(self.columns, 1) if c.key == key)

    @cached_property
    def _letters(self) -> dict[str, str]:
        # kept in the instance's __dict__ (a frozen dataclass still has one): a table named
        # per cell (the Rekap's findings) looks each letter up once
        return {c.key: column_letter(i) for i, c in enumerate(self.columns, 1)}

    def letter(self, key: str) -> str:
        """The column letter of key in the canonical layout."""
        return self._letters[key]


LINE_HEIGHT = 15.0  # points per line of 11-point text


def wrapped_height(table: Table, row: list[Any]) -> float | None:
    """The height (points) a row of `table` needs so its wrapped columns show all their text;
    None when the table wraps nothing or one line is enough."""
    return row_heights(table)(row)


def row_heights(table: Table) -> Callable[[list[Any]], float | None]:
    """`wrapped_height` of many rows of one table (a 50,000-row rekap): the wrapped columns and
    their characters per line found once; a text without a line break is counted by its length
    alone (as many lines as the splitting would count)."""
    wrapped = [(j, max(1, int(c.width) - 1)) for j, c in enumerate(table.columns) if c.wrap]  # chars per line

    def height(row: list[Any]) -> float | None:
        lines = 1
        n = len(row)
        for j, per_line in wrapped:
            if j >= n:
                break
            value = row[j]
            if value is None:
                continue
            text = value if type(value) is str else str(getattr(value, "text", value))
            if "\n" not in text:  # one paragraph: its length says it
                if len(text) > per_line * lines:
                    lines = -(-len(text) // per_line)
                continue
            lines = max(lines, sum(max(1, -(-len(part) // per_line)) for part in text.split("\n")))
        return LINE_HEIGHT * lines + 2 if lines > 1 else None

    return height


@lru_cache(maxsize=1024)
def column_letter(n: int) -> str:
    """The letters of a 1-based column number (1 -> 'A', 28 -> 'AB'), as Excel names it."""
    if not 1 <= n <= 18278:
        raise ValueError(f"kolom {n} di luar batas Excel")
    letters = ""
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def norm(text: Any) -> str:
    """Header/label comparison: case, spaces, punctuation and (units) insensitive."""
    return _norm(text if type(text) is str else str(text or ""))


_IN_BRACKETS, _NOT_ALNUM = re.compile(r"\(.*?\)"), re.compile(r"[^a-z0-9]+")


@lru_cache(maxsize=65536)
def _norm(text: str) -> str:  # the same labels and choices recur on every row: computed once
    t = text.lower().replace("\n", " ")
    return _NOT_ALNUM.sub("", _IN_BRACKETS.sub("", t))


@dataclass(slots=True)  # a large table has a hundred thousand of them
class Row:
    number: int  # the sheet row (1-based)
    values: dict[str, Any]
    letters: dict[str, str]  # key -> column letter, one mapping shared by the table's rows
    ok: bool = True  # no error in this row
    bad: tuple[str, ...] = ()  # the keys of the cells in error

    @property
    def cells(self) -> dict[str, str]:
        """key -> "C7" (made when asked: a large table does not hold a name per cell)."""
        return {key: f"{letter}{self.number}" for key, letter in self.letters.items()}

    def cell(self, key: str) -> str:
        letter = self.letters.get(key)
        return f"{letter}{self.number}" if letter else f"?{self.number}"


@dataclass
class ReadTable:
    """A table sheet as read: where its header was found, and its data rows column by column
    (`values`: every key of the table, in the order of the columns found, then the others).
    The rows as `Row`s (a dict of values each) are made when first asked for: a stage that
    reads a large table by its columns never pays for a dict per row."""

    columns: dict[str, int] = field(default_factory=dict)  # key -> 0-based index found
    header_row: int | None = None
    numbers: list[int] = field(default_factory=list)  # the sheet row of each data row
    values: dict[str, list[Any]] = field(default_factory=dict)  # key -> the value in each data row
    bad: dict[int, tuple[str, ...]] = field(default_factory=dict)  # data row -> keys of its cells in error
    letters: dict[str, str] = field(default_factory=dict)  # key -> column letter (columns found)
    _rows: list[Row] | None = field(default=None, repr=False, compare=False)

    @property
    def rows(self) -> list[Row]:
        if self._rows is None:
            keys = list(self.values)
            self._rows = [Row(r, dict(zip(keys, row)), self.letters)
                          for r, row in zip(self.numbers, zip(*self.values.values()))]
            for i, bad in self.bad.items():
                self._rows[i].ok, self._rows[i].bad = False, bad
        return self._rows

    def row(self, i: int) -> Row:
        """Data row i as a Row, equal to `rows[i]`, without making every row."""
        if self._rows is not None:
            return self._rows[i]
        row = Row(self.numbers[i], {key: column[i] for key, column in self.values.items()}, self.letters)
        if i in self.bad:
            row.ok, row.bad = False, self.bad[i]
        return row

    def cell(self, key: str, i: int) -> str:
        """The cell of `key` in data row i ('C7'), as Row.cell names it."""
        letter = self.letters.get(key)
        return f"{letter or '?'}{self.numbers[i]}"


def find_header(rows: list[tuple], table: Table) -> tuple[int | None, dict[int, Column], list[tuple[int, str]]]:
    """Locate the header row among the first rows by the most matching names."""
    names: dict[str, Column] = {}
    for c in table.columns:
        names[norm(c.header)] = c
        for a in c.aliases:
            names[norm(a)] = c
    # an empty cell reads as '' and a number as its digits: neither is looked up unless a name is such
    blank_named = "" in names
    digits_named = any(k.isdigit() for k in names)
    best: tuple[int, int] = (0, -1)
    first = rows[:15]
    width = max(map(len, first), default=0)
    for i, row in enumerate(first):
        score = sum(1 for v in row if (v is not None or blank_named)
                    and (type(v) is not float or digits_named) and norm(v) in names)
        if score > best[0]:
            best = (score, i)
            if score == width:  # every cell of the widest row a name: no later row can score more
                break           # (the data rows below a header, filled with text, are not scanned)
    if best[0] == 0:
        return None, {}, []
    i = best[1]
    mapping: dict[int, Column] = {}
    extras: list[tuple[int, str]] = []
    taken: set[int] = set()  # ids: comparing Columns field by field costs more
    for j, v in enumerate(rows[i]):
        c = names.get(norm(v))
        if c is not None and id(c) not in taken:
            mapping[j] = c
            taken.add(id(c))
        elif v not in (None, "") and c is None:
            extras.append((j, str(v)))
    return i, mapping, extras


def read_table(rows: list[tuple], table: Table, report: Report, file: str | None = None) -> ReadTable:
    """Read a table sheet's rows into typed values, reporting every problem lazily.

    The values are converted a column at a time (`_column`), and the few cells that report
    something one by one, in row order: the rows, values and issues (in their order) are those
    of converting every cell in turn (tests/workbook/test_read_table.py)."""
    out = ReadTable(values={c.key: [] for c in table.columns})
    idx, mapping, extras = find_header(rows, table)
    sheet = table.sheet
    if idx is None:
        report.issue("header-missing", file=file, sheet=sheet,
                     cell=f"A{table.header_row}", column=table.columns[0].header)
        return out
    out.header_row = idx + 1
    found = {c.key for c in mapping.values()}
    for c in table.columns:
        if c.key not in found and c.required:
            report.issue("header-missing", file=file, sheet=sheet,
                         cell=f"{table.letter(c.key)}{idx + 1}", column=c.header)
    for j, name in extras:
        report.issue("column-extra", file=file, sheet=sheet, cell=f"{column_letter(j + 1)}{idx + 1}",
                     column=name)
    out.columns = {c.key: j for j, c in mapping.items()}
    if any(c.required and c.key not in found for c in table.columns):
        return out
    letters = {j: column_letter(j + 1) for j in mapping}
    out.letters = {c.key: letters[j] for j, c in mapping.items()}
    data, blank_notes, far = _data_rows(rows[idx + 1:], idx + 2, set(mapping))
    out.numbers, out.values = [r for r, _ in data], {}
    # each column converted at once (`_column`); the cells that report something, one by one below
    raws = [raw for _, raw in data]
    across = list(zip(*raws) if len(set(map(len, raws))) == 1 else zip_longest(*raws))
    one_by_one: dict[int, list[tuple[int, Column]]] = {}
    for j, c in mapping.items():
        out.values[c.key], cells = _column(across[j] if j < len(across) else (None,) * len(data), c)
        for i in cells:
            one_by_one.setdefault(i, []).append((j, c))
    for c in table.columns:
        out.values.setdefault(c.key, [None] * len(data))
    for i in sorted(one_by_one.keys() | blank_notes.keys()):  # what a row says, in row order
        r, raw = data[i]
        for code, cell, params in blank_notes.get(i, ()):
            report.issue(code, file=file, sheet=sheet, cell=cell, **params)
        for j, c in one_by_one.get(i, ()):
            value = raw[j] if j < len(raw) else None
            ok, out.values[c.key][i] = convert(value, c, report, file=file, sheet=sheet, cell=f"{letters[j]}{r}")
            if not ok:
                out.bad[i] = (*out.bad.get(i, ()), c.key)
    if far is not None:
        first, count, gap = far
        report.issue("cell-far", file=file, sheet=sheet, cell=first, count=count,
                     detail=f"di bawah {gap} baris kosong, tidak dibaca sebagai baris tabel")
    return out


def _data_rows(body: list[tuple], first: int, known: set[int]) -> tuple[
        list[tuple[int, tuple]], dict[int, list[tuple[str, str, dict[str, Any]]]], tuple[str, int, int] | None]:
    """The rows of a table's body that hold data (with their sheet row numbers), the notes on
    blank rows said before a data row (its index in the first list -> notes), and a stray value
    far below the table that ends it (its cell, the values there and the blank rows above it)."""
    data: list[tuple[int, tuple]] = []
    notes: dict[int, list[tuple[str, str, dict[str, Any]]]] = {}
    pending_blank: list[int] = []
    for r, raw in enumerate(body, start=first):
        if _blank_row(raw):
            pending_blank.append(r)
            continue
        if len(pending_blank) > BLANK_RUN:  # far below the rows above: a stray value, or rows after a gap
            rest = body[r - first:]
            if _stray(rest, known, len(known) > 1):
                cell, count = _far(rest, r)
                return data, notes, (cell, count, len(pending_blank))
            notes[len(data)] = [("row-blank", f"A{pending_blank[0]}",
                                 {"row": f"{pending_blank[0]} sampai {pending_blank[-1]}"})]
        elif pending_blank:  # only blank rows between data rows are worth a note
            notes[len(data)] = [("row-blank", f"A{b}", {"row": b}) for b in pending_blank]
        pending_blank = []
        data.append((r, raw))
    return data, notes, None


def _blank_row(raw: tuple) -> bool:
    for v in raw:  # a data row usually stops at its first cell
        if v is not None and (not isinstance(v, str) or v.strip()):
            return False
    return True


def _column(cells: tuple, c: Column) -> tuple[list[Any], list[int]]:
    """One column of a table's data rows converted as `convert` converts each cell, and the
    positions of the cells left to `convert` one at a time (their values here are placeholders).

    Converted by distinct value: a value `convert` takes without a word (a plain number or text,
    a choice or Ya/Tidak as typed) is converted once and looked up for every cell holding it.
    Only texts are looked up: equal texts are the same text, while equal numbers may not be
    (-0.0 == 0.0; True == 1.0). A number in a number column is itself; every other value (a
    blank required cell, a number where text is asked, a date, a text with a note) goes to
    `convert` cell by cell, which reports it at its cell as before."""
    number, text = c.kind == "number", c.kind in ("text", "id")
    kinds = set(map(type, cells))
    if kinds & {bool, int}:  # True == 1.0: told apart cell by cell
        return list(cells), list(range(len(cells)))
    try:
        distinct = set(cells)
    except TypeError:  # a value that cannot be hashed: not from a workbook reader, cell by cell
        return list(cells), list(range(len(cells)))
    blank_ok = NoneType not in kinds or not c.required
    distinct.discard(None)
    # the common columns at C speed: all plain numbers, or all texts already trimmed
    if number and kinds <= {float, NoneType} and blank_ok and all(map(isfinite, distinct)):
        return list(cells), []
    if (text and kinds <= {str, NoneType} and blank_ok and "" not in distinct
            and all(map(str.__eq__, map(str.strip, distinct), distinct))):
        return list(cells), []
    as_typed: dict[Any, Any] = {}
    one_by_one: set[Any] = set()
    if not blank_ok:
        one_by_one.add(None)
    for v in distinct:
        kind = type(v)
        if kind is float:
            if not (number and isfinite(v)):
                one_by_one.add(v)
        elif kind is not str:
            one_by_one.add(v)
        elif text and (stripped := v.strip()):
            if stripped != v:
                as_typed[v] = stripped
        else:
            quiet = Report()
            ok, value = convert(v, c, quiet, file=None, sheet="", cell="")
            if ok and not quiet.issues:
                as_typed[v] = value
            else:
                one_by_one.add(v)
    values = list(map(as_typed.get, cells, cells)) if as_typed else list(cells)
    return values, [i for i, v in enumerate(cells) if v in one_by_one] if one_by_one else []


BLANK_RUN = 10  # more blank rows than this between rows of a table: one note, not one per row


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _stray(rest: list[tuple], known: set[int], wide: bool) -> bool:
    """The rows below a long run of blank rows hold only stray values: none is in a column of
    the table, or (a table of several columns) no row there has more than one value."""
    in_table, some_full = False, not wide
    for raw in rest:  # stops at the first proof of data (the rows after a gap are usually data)
        filled = [j for j, v in enumerate(raw) if not _blank(v)]
        in_table = in_table or any(j in known for j in filled)
        some_full = some_full or len(filled) > 1
        if in_table and some_full:
            return False
    return True


def _far(rest: list[tuple], first_row: int) -> tuple[str, int]:
    """The first value of `rest` (its cell) and how many values it holds."""
    cells = [(r, j) for r, raw in enumerate(rest, start=first_row) for j, v in enumerate(raw) if not _blank(v)]
    r, j = cells[0]
    return f"{column_letter(j + 1)}{r}", len(cells)


def convert(value: Any, c: Column, report: Report, *, file: str | None, sheet: str,
            cell: str) -> tuple[bool, Any]:
    """Convert one cell by its column kind. Returns (ok, value); problems go to the report."""
    kind = type(value)
    if kind is float and c.kind == "number" and isfinite(value):
        return True, value  # the common cells first: a plain number, a plain text
    if kind is str and c.kind == "text" and (text := value.strip()):
        return True, text
    where = dict(file=file, sheet=sheet, cell=cell)
    if isinstance(value, str):
        value = value.strip()
    if value is None or value == "":
        if c.required:
            report.issue("value-required", column=c.header, **where)
            return False, None
        return True, None
    try:
        return True, CONVERTERS[c.kind](value, c)
    except _Bad as bad:
        report.issue(bad.code, column=c.header, value=value, **bad.params, **where)
        return False, None
    except _Notes as notes:
        ok = True
        for code, params in notes.notes:
            issue = report.issue(code, column=c.header, **{"value": value, **params}, **where)
            ok &= issue.severity.value != "error"
        return ok, notes.value


class _Bad(Exception):
    def __init__(self, code: str, **params: Any):
        self.code, self.params = code, params


class _Notes(Exception):
    def __init__(self, value: Any, notes: list[tuple[str, dict[str, Any]]]):
        self.value, self.notes = value, notes


def _text(value: Any, c: Column) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y")
    return str(value).strip()


def _number(value: Any, c: Column) -> float:
    parsed = parse_number(value)
    if parsed.notes:
        raise _Notes(parsed.value, parsed.notes)
    return parsed.value  # type: ignore[return-value]


def _int(value: Any, c: Column) -> int:
    number = _number(value, c)
    if number is None or not float(number).is_integer():
        raise _Bad("number-invalid")
    return int(number)


def _choice(value: Any, c: Column) -> str:
    assert c.choices
    wanted = norm(value)
    for key, label in c.choices.items():
        if wanted in (norm(key), norm(label)):
            return key
    raise _Bad("choice-invalid", choices=", ".join(c.choices.values()))


def _bool(value: Any, c: Column) -> bool:
    if isinstance(value, bool):
        return value
    t = norm(value)
    if t in {"ya", "y", "yes", "true", "1", "wajib"}:
        return True
    if t in {"tidak", "t", "no", "false", "0", "n", "tdk"}:
        return False
    raise _Bad("choice-invalid", choices="Ya, Tidak")


def parse_date_text(text: str) -> date | None:
    t = text.strip()
    for fmt in ("%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d", "%d.%m.%Y", "%d/%m/%y"):
        try:
            return datetime.strptime(t, fmt).date()
        except ValueError:
            pass
    m = re.fullmatch(r"(\d{1,2})\s+([A-Za-z]+)\s+(\d{4})", t)
    if m:
        month = next((i for i, b in enumerate(BULAN, 1) if b.lower().startswith(m.group(2).lower()[:3])), None)
        if month:
            try:
                return date(int(m.group(3)), month, int(m.group(1)))
            except ValueError:
                return None
    return None


def _date(value: Any, c: Column) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and 20000 < value < 80000:  # Excel serial
        return date(1899, 12, 30) + timedelta(days=int(value))
    d = parse_date_text(str(value))
    if d is None:
        raise _Bad("date-invalid")
    return d


def _time(value: Any, c: Column) -> time:
    if isinstance(value, time):
        return value
    if isinstance(value, datetime):
        return value.time()
    if isinstance(value, timedelta):
        return (datetime.min + value).time()
    if isinstance(value, float) and 0 <= value < 1:
        minutes = round(value * 24 * 60)
        return time(minutes // 60, minutes % 60)
    m = re.fullmatch(r"(\d{1,2})[.:](\d{2})", str(value).strip())
    if m and int(m.group(1)) < 24 and int(m.group(2)) < 60:
        return time(int(m.group(1)), int(m.group(2)))
    raise _Bad("time-invalid")


def _datetime(value: Any, c: Column) -> datetime:
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime.combine(value, time(16, 0))
    t = str(value).strip()
    m = re.fullmatch(r"(.+?)[ T](\d{1,2})[.:](\d{2})(?::\d{2})?", t)
    if m:
        d = parse_date_text(m.group(1))
        if d and int(m.group(2)) < 24 and int(m.group(3)) < 60:
            return datetime.combine(d, time(int(m.group(2)), int(m.group(3))))
    d = parse_date_text(t)
    if d is None:
        raise _Bad("date-invalid")
    return datetime.combine(d, time(16, 0))


def _identifier(value: Any, c: Column) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        text = _number_text(value)
        raise _Notes(text, [("id-number", {"value": text, "shown": text})])
    if isinstance(value, (datetime, date)):
        raise _Bad("id-date", shown=value.strftime("%d/%m/%Y"))
    return str(value).strip()


def _number_text(value: float | int) -> str:
    """A number as Excel shows it in a General cell: 12, 427.83, 1.97305121998031E+17."""
    if isinstance(value, float) and not isfinite(value):
        return str(value)
    if abs(value) >= 1e11 or (value and abs(value) < 1e-9):
        mantissa, _, exponent = f"{float(value):.14E}".partition("E")
        return f"{mantissa.rstrip('0').rstrip('.')}E{exponent[0]}{exponent[1:].lstrip('0') or '0'}"
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _nip(value: Any, c: Column) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise _Bad("nip-number", shown=_number_text(value))
    text = _text(value, c)
    try:
        return check_nip(text)[0]
    except NipError as e:
        raise _Bad("nip-invalid", detail=str(e)) from None


def _duration(value: Any, c: Column):
    try:
        return parse_duration(value)
    except DurationError as e:
        raise _Bad("duration-invalid", detail=str(e)) from None


CONVERTERS: dict[str, Callable[[Any, Column], Any]] = {
    "text": _text, "id": _identifier, "number": _number, "int": _int, "choice": _choice, "date": _date,
    "datetime": _datetime, "time": _time, "nip": _nip, "duration": _duration, "bool": _bool,
}
