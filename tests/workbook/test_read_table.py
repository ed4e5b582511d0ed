"""read_table converts a column at once (each distinct value once) and only the cells that
report something one by one: it gives what converting every cell in turn gives, the same rows,
values, flags and issues in the same order, on tables of every kind of column holding every
kind of value a reader returns (property test against the cell-by-cell reader kept here)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from math import isfinite
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from kinerja.issues.catalogue import Report
from kinerja.workbook import sheets as S
from kinerja.workbook.tables import (
    BLANK_RUN,
    ReadTable,
    Row,
    Table,
    _far,
    _stray,
    column_letter,
    convert,
    find_header,
    norm,
    read_table,
)


def cell_by_cell(rows: list[tuple], table: Table, report: Report, file: str | None = None) -> tuple:
    """read_table as it was before columns were converted at once: every cell in turn. Returns
    (header row, columns found, rows)."""
    out: list[Row] = []
    header_row, columns = None, {}
    idx, mapping, extras = find_header(rows, table)
    sheet = table.sheet
    if idx is None:
        report.issue("header-missing", file=file, sheet=sheet, cell=f"A{table.header_row}",
                     column=table.columns[0].header)
        return header_row, columns, out
    header_row = idx + 1
    found = {c.key for c in mapping.values()}
    for c in table.columns:
        if c.key not in found and c.required:
            report.issue("header-missing", file=file, sheet=sheet, cell=f"{table.letter(c.key)}{idx + 1}",
                         column=c.header)
    for j, name in extras:
        report.issue("column-extra", file=file, sheet=sheet, cell=f"{column_letter(j + 1)}{idx + 1}", column=name)
    columns = {c.key: j for j, c in mapping.items()}
    if any(c.required and c.key not in found for c in table.columns):
        return header_row, columns, out
    pending: list[int] = []
    letters = {j: column_letter(j + 1) for j in mapping}
    by_key = {c.key: letters[j] for j, c in mapping.items()}
    body = rows[idx + 1:]
    for r, raw in enumerate(body, start=idx + 2):
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in raw):
            pending.append(r)
            continue
        if len(pending) > BLANK_RUN:
            if _stray(body[r - idx - 2:], set(mapping), len(mapping) > 1):
                first, count = _far(body[r - idx - 2:], r)
                report.issue("cell-far", file=file, sheet=sheet, cell=first, count=count,
                             detail=f"di bawah {len(pending)} baris kosong, tidak dibaca sebagai baris tabel")
                return header_row, columns, out
            report.issue("row-blank", file=file, sheet=sheet, cell=f"A{pending[0]}",
                         row=f"{pending[0]} sampai {pending[-1]}")
        else:
            for b in pending:
                report.issue("row-blank", file=file, sheet=sheet, cell=f"A{b}", row=b)
        pending = []
        row = Row(number=r, values={}, letters=by_key)
        for j, c in mapping.items():
            value = raw[j] if j < len(raw) else None
            ok, row.values[c.key] = convert(value, c, report, file=file, sheet=sheet, cell=f"{letters[j]}{r}")
            if not ok:
                row.ok, row.bad = False, (*row.bad, c.key)
        for c in table.columns:
            row.values.setdefault(c.key, None)
        out.append(row)
    return header_row, columns, out


TABLES = [S.INDIKATOR, S.unit_data_table("Data SEK"), S.UNIT, S.PEJABAT, S.LANGKAH_SOP, S.JAM_KERJA, S.LIBUR,
          S.DISTRIBUSI, S.RENSTRA]

VALUES = [None, "", " ", "  \n", "Naik", "naik ", " TURUN", "Turun", "T/R", "(2T-R)/T", "Per Triwulan",
          "kumulatif", "Nilai Akhir", "Ya", "tidak", "Y", "abc", " 12 ", "12", "1.234,5", "85%", "7,5", "Rp 1.000",
          "SEK", " sek ", "SEK.01", "PEM.02", "01", "=SUM(A1)", "19720818 199403 1 009", "197208181994031009",
          "15 Menit", "2 Jam", "3 Hari", "07.30", "16:00", "12/10/2026", "5 Oktober 2026", "2026-10-05 09.30",
          1.0, 0.0, -0.0, 12.0, 85.5, 1e6, 1e300, 46000.0, 0.5, float("nan"), float("inf"), -float("inf"),
          True, False, 1, 0, 197208181994031009, datetime(2026, 10, 5, 9, 30), date(2026, 1, 2), time(8, 15),
          timedelta(hours=1)]


def _value(i: int) -> Any:
    return VALUES[i % len(VALUES)]


@st.composite
def sheets(draw) -> tuple[Table, list[tuple]]:
    table = draw(st.sampled_from(TABLES))
    headers = [c.header for c in table.columns]
    order = draw(st.permutations(range(len(headers))))
    dropped = draw(st.sets(st.sampled_from(range(len(headers))), max_size=2))
    header = [headers[k] for k in order if k not in dropped or not draw(st.booleans())]
    if draw(st.booleans()):
        header.insert(draw(st.integers(0, len(header))), "Kolom Tambahan")
    width = max(1, len(header) + draw(st.integers(0, 2)))
    top = draw(st.integers(0, 3))  # rows above the header
    rows: list[tuple] = [(None,) * width for _ in range(top)]
    rows.append(tuple(header) + (None,) * (width - len(header)))
    # a column keeps to a few values mostly (as a sheet does): each row picks from its column's pool
    pools = [draw(st.lists(st.integers(0, len(VALUES) - 1), min_size=1, max_size=4)) for _ in range(width)]
    for _ in range(draw(st.integers(0, 30))):
        kind = draw(st.sampled_from(["data", "data", "data", "blank", "gap", "short", "stray"]))
        if kind == "blank":
            rows.append(tuple(draw(st.sampled_from([None, " "])) for _ in range(width)))
        elif kind == "gap":
            rows.extend([(None,) * width] * (BLANK_RUN + draw(st.integers(-1, 2))))
        elif kind == "short":  # a ragged row, as a reader other than calamine may give
            rows.append(tuple(_value(draw(st.sampled_from(p))) for p in pools[:draw(st.integers(1, width))]))
        elif kind == "stray":
            j = draw(st.integers(0, width + 1))
            rows.append(tuple("x" if k == j else None for k in range(max(width, j + 1))))
        else:
            rows.append(tuple(_value(draw(st.sampled_from(p))) for p in pools))
    return table, rows


def _said(report: Report) -> list[tuple]:
    return [(i.code, i.severity, i.location, i.message, repr(i.value), repr(i.params)) for i in report.issues]


def _read(read: ReadTable | tuple) -> tuple:
    """What a read gives, comparable: nan equals itself here, -0.0 differs from 0.0."""
    def same(v: Any) -> Any:
        return ("float", repr(v)) if isinstance(v, float) and not isfinite(v) or v == 0.0 and type(v) is float \
            else (type(v).__name__, v)
    header_row, columns, rows = (read.header_row, read.columns, read.rows) if isinstance(read, ReadTable) else read
    if isinstance(read, ReadTable):  # its columns say what its rows say
        assert read.numbers == [r.number for r in rows]
        assert all(read.values[k][i] is r.values[k] for i, r in enumerate(rows) for k in r.values)
        assert all(read.cell(k, i) == r.cell(k) for i, r in enumerate(rows) for k in ("kode", "nama"))
    return (header_row, columns,
            [(r.number, [(k, same(v)) for k, v in r.values.items()], r.ok, r.bad, r.letters) for r in rows])


@settings(max_examples=300, deadline=None)
@given(sheets())
def test_read_table_equals_converting_cell_by_cell(sheet):
    table, rows = sheet
    fast, slow = Report(), Report()
    assert _read(read_table(rows, table, fast, "induk.xlsx")) == _read(cell_by_cell(rows, table, slow, "induk.xlsx"))
    assert _said(fast) == _said(slow)


def _header_by_full_scan(rows: list[tuple], table: Table) -> int | None:
    """The header row as find_header chose it before it stopped at a row of names only: the
    best of all the first 15 rows (the first of equals)."""
    names = {norm(n) for c in table.columns for n in (c.header, *c.aliases)}
    scores = [sum(1 for v in row if (v is not None or "" in names) and (type(v) is not float or
                                                                       any(k.isdigit() for k in names))
                  and norm(v) in names) for row in rows[:15]]
    best = max(scores, default=0)
    return scores.index(best) if best else None


@settings(max_examples=300, deadline=None)
@given(sheets(), st.integers(0, 3), st.booleans())
def test_the_header_found_is_the_best_of_the_first_rows(sheet, again, names_only):
    """find_header stops at a row that is all names; the row it takes is still the best of the
    first 15 (a header repeated below, a row of names only, a wider row further down)."""
    table, rows = sheet
    rows = list(rows)
    if names_only:
        rows.insert(min(again, len(rows)), tuple(c.header for c in table.columns))
    if again and rows:
        rows.insert(min(len(rows), again + 2), rows[min(again, len(rows) - 1)] + ("Kode",))
    assert find_header(rows, table)[0] == _header_by_full_scan(rows, table)


@settings(max_examples=100, deadline=None)
@given(sheets())
def test_a_row_made_alone_equals_the_row_made_with_all(sheet):
    table, rows = sheet
    alone, whole = read_table(rows, table, Report()), read_table(rows, table, Report())
    made = [alone.row(i) for i in range(len(alone.numbers))]
    assert alone._rows is None and made == whole.rows


def test_a_large_clean_table_reads_every_value(sample_master):
    """The sample master's Indikator table, repeated to a few thousand rows with a few bad cells
    among them: the same rows and issues as cell by cell."""
    from kinerja.workbook.master import read_sheets

    rows = read_sheets(sample_master)[S.INDIKATOR.sheet]
    head, body = rows[:S.INDIKATOR.header_row], [r for r in rows[S.INDIKATOR.header_row:] if any(r)]
    big = head + body * 200
    target = S.INDIKATOR.index("target_tahunan") - 1
    for r, bad in ((10, "1.234,5"), (500, "abc"), (2000, None), (2001, True)):
        big[r] = big[r][:target] + (bad,) + big[r][target + 1:]
    fast, slow = Report(), Report()
    assert _read(read_table(big, S.INDIKATOR, fast)) == _read(cell_by_cell(big, S.INDIKATOR, slow))
    assert _said(fast) == _said(slow) and len(fast.issues) >= 3
