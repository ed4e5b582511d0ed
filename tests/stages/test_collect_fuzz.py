"""Collect under random input: mutated returns only produce issues (never an exception, never a
value on the wrong indicator), and generated values come back exactly in the master and Rekap."""

from __future__ import annotations

import shutil
import tempfile
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from collect_helpers import blank_forms, fill
from kinerja.domain.capaian import achievement
from kinerja.stages.collect import DUPLICATE, REJECTED, REPLACED, USED, collect
from kinerja.workbook import sheets as S
from kinerja.workbook.files import write_file
from kinerja.workbook.formspec import ID_SHEET
from kinerja.workbook.master import load_master

NOW = datetime(2026, 10, 12, 10, 0)
FIRST_ROW = 15  # the real forms put the first indicator right under the header (row 14)
FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


class Base(tuple):
    def __repr__(self) -> str:  # keep hypothesis' falsifying examples short
        return "base"


@pytest.fixture(scope="module")
def base(_sample_master_template, tmp_path_factory):
    d = tmp_path_factory.mktemp("fuzz")
    loaded = load_master(_sample_master_template)
    return Base((_sample_master_template, blank_forms(loaded, d / "forms"), loaded))


text = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=25)
values = st.one_of(
    st.none(), text, st.floats(allow_nan=False, allow_infinity=False), st.integers(-10**15, 10**15),
    st.booleans(), st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2099, 12, 31)),
    st.sampled_from(["#DIV/0!", "#REF!", "#N/A", "85%", "1.234,5", "1,234.5", "12 dok", " 7 ", "tujuh",
                     "=1+1", "-", "@x", "PEM.03", "SEK.01", "1e400", "NaN"]))
cell_edits = st.lists(st.tuples(st.integers(0, 5), st.sampled_from(
    ["r3", "penjelasan", "bukti", "realisasi_anggaran", "kode", "nama", "t3", "r2"]), values), max_size=6)
row_edits = st.lists(st.tuples(st.sampled_from(["delete", "insert", "swap"]), st.integers(FIRST_ROW, 22),
                               st.integers(FIRST_ROW, 22)), max_size=3)
sheet_edits = st.sampled_from([None, "rename", "delete_hidden", "rename_hidden", "rename_both"])
byte_edits = st.one_of(st.none(), st.tuples(st.just("truncate"), st.floats(0, 1)),
                       st.tuples(st.just("flip"), st.lists(st.tuples(st.floats(0, 1), st.integers(1, 255)),
                                                          min_size=1, max_size=8)))
COLS = {"kode": 2, "nama": 3, "t3": 9, "r2": 13, "r3": 14, "penjelasan": 17, "bukti": 18, "realisasi_anggaran": 20}


@FUZZ
@given(cells=cell_edits, rows=row_edits, sheets=sheet_edits, raw=byte_edits)
def test_mutated_returns_never_raise(base, cells, rows, sheets, raw):
    template, forms, _ = base
    typed = {f"PEM.0{n}": {"r3": 100.0 + n} for n in range(1, 7)}
    tainted: set[str] = set()

    def edit(wb):
        ws = wb["Formulir"]
        for index, key, value in cells:
            r = FIRST_ROW + index
            tainted.add(str(ws.cell(row=r, column=COLS["kode"]).value))
            if key == "kode":
                tainted.add(str(value))
            ws.cell(row=r, column=COLS[key]).value = value
        for op, a, b in rows:
            if op == "delete":
                ws.delete_rows(a)
            elif op == "insert":
                ws.insert_rows(a)
            else:
                for j in range(1, 21):
                    x, y = ws.cell(row=a, column=j), ws.cell(row=b, column=j)
                    x._style, y._style = y._style, x._style  # formats move with the row, as in Excel
                    x.value, y.value = y.value, x.value  # (styles first: a date value sets a format)
        if sheets in ("rename", "rename_both"):
            ws.title = "Isian"
        if sheets == "delete_hidden":
            wb.remove(wb[ID_SHEET])
        if sheets in ("rename_hidden", "rename_both"):
            wb[ID_SHEET].title = "lain"

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        master = tmp / "induk.xlsx"
        shutil.copy(template, master)
        form = fill(forms["PEM"], tmp / "masuk" / "PEM.xlsx", typed, edit=edit)
        if raw is not None:
            data = bytearray(form.read_bytes())
            if raw[0] == "truncate":
                data = data[: int(len(data) * raw[1])]
            else:
                for where, xor in raw[1]:
                    data[min(int(where * len(data)), len(data) - 1)] ^= xor
            form.write_bytes(bytes(data))
        out = collect(load_master(master), tmp / "masuk", now=NOW)
        assert {f.status for f in out.files} <= {USED, DUPLICATE, REPLACED, REJECTED}
        assert len(out.files) == 1
        assert all(code.startswith("PEM.") for code in out.landed)  # never another unit's indicator
        if raw is None:
            for code, vals in out.landed.items():
                if code not in tainted and "r3" in vals:
                    assert vals["r3"] == typed[code]["r3"], (code, vals)
        if out.files[0].status == REJECTED:
            assert out.landed == {} and out.report.blocking
        write_file(master, out.writes)
        again = load_master(master)
        assert again.master is not None, again.report.to_json()


# Excel keeps 15 significant digits (and openpyxl writes 16): generate what a cell can hold.
numbers = st.one_of(st.none(), st.floats(min_value=-1e9, max_value=1e12, allow_nan=False, allow_infinity=False,
                                         allow_subnormal=False).map(lambda x: float(f"{x:.15g}")))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_collected_values_are_exactly_what_was_typed(base, data):
    template, forms, loaded = base
    m = loaded.master
    unit = data.draw(st.sampled_from([u.kode for u in m.units]))
    inds = m.indicators_of(unit)
    typed = {i.kode: {"r3": data.draw(numbers), "realisasi_anggaran": data.draw(numbers)} for i in inds}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        master = tmp / "induk.xlsx"
        shutil.copy(template, master)
        fill(forms[unit], tmp / "masuk" / f"{unit}.xlsx", typed)
        out = collect(load_master(master), tmp / "masuk", now=NOW)
        assert {k: {"r3": v["r3"], "realisasi_anggaran": v["realisasi_anggaran"]}
                for k, v in out.landed.items()} == typed
        write_file(master, out.writes)
        after = load_master(master).master
        rekap = {r[4]: r for r in CalamineWorkbook.from_path(str(master)).get_sheet_by_name(S.REKAP.sheet)
                 .to_python(skip_empty_area=False)[S.REKAP.header_row:]}
        p, rules = after.settings.period, after.settings.rules
        for ind in inds:
            res = after.results.get(ind.kode)
            r3 = res.realisasi_tw[2] if res else None
            assert r3 == typed[ind.kode]["r3"]
            assert (res.realisasi_anggaran if res else None) == typed[ind.kode]["realisasi_anggaran"]
            ach = achievement(ind, res, p, rules, after.turun_formula(ind))
            assert ach.capaian == achievement(ind, out.master.results.get(ind.kode), p, rules,
                                              after.turun_formula(ind)).capaian
            row = rekap[ind.kode]  # a cell keeps 15-16 significant digits (sums, ratios may have 17)
            assert row[10] == ("" if ach.realisasi is None else pytest.approx(ach.realisasi, rel=1e-15))
            assert row[11] == ("" if ach.capaian is None else pytest.approx(round(ach.capaian, 2), rel=1e-15))
            assert row[12] == ach.predikat
