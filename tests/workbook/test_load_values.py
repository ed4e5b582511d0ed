"""What load_master takes from a master with messy cells typed over its tables (golden: the
values and issues the cell-by-cell reader gave before tables were read a column at a time):
every issue at its cell and in its order, every good value landed, the unit sheets' rows."""

from __future__ import annotations

from openpyxl import load_workbook

from kinerja.workbook import sheets as S
from kinerja.workbook.master import load_master


def test_messy_cells_load_as_before(sample_master):
    wb = load_workbook(sample_master)
    ws, col = wb[S.INDIKATOR.sheet], S.INDIKATOR.letter
    typed = {("target_tahunan", 5): "1.234,5", ("tw1", 6): "85%", ("tw2", 7): " 12 ", ("tw3", 8): "abc",
             ("polaritas", 9): "naik ", ("polaritas", 10): "TURUN", ("polaritas", 11): "keatas",
             ("wajib_bukti", 12): "y", ("wajib_bukti", 13): True, ("kode", 14): 12.0, ("satuan", 15): "  km  ",
             ("nama", 16): "   ", ("tw4", 17): -0.0, ("metode", 18): 1.0}
    for (key, row), value in typed.items():
        ws[f"{col(key)}{row}"] = value
    ws.insert_rows(20, 2)
    unit = wb["Data SEK"]
    unit["I4"], unit["J5"], unit["M6"], unit["K7"], unit["O8"] = "7,5", "  ", "  penjelasan ", False, "Rp 1.000"
    wb.save(sample_master)

    loaded = load_master(sample_master)
    assert [(i.code, i.location.sheet, i.location.cell) for i in loaded.report.issues] == [
        ("number-reformatted", "Indikator", "K5"), ("number-reformatted", "Indikator", "L6"),
        ("number-invalid", "Indikator", "N8"), ("choice-invalid", "Indikator", "H11"),
        ("id-number", "Indikator", "A14"), ("value-required", "Indikator", "F16"),
        ("choice-invalid", "Indikator", "J18"), ("row-blank", "Indikator", "A20"), ("row-blank", "Indikator", "A21"),
        ("target-sum-mismatch", "Indikator", "K5"), ("target-sum-mismatch", "Indikator", "K7"),
        ("target-sum-mismatch", "Indikator", "K17"),
        ("number-reformatted", "Data SEK", "I4"), ("number-invalid", "Data SEK", "K7"),
        ("number-invalid", "Data SEK", "O8")]
    m = loaded.master
    assert len(m.indicators) == 35 and len(m.results) == 34
    got = {i.kode: (i.satuan, i.polaritas, i.metode, i.target_tahunan, i.target_tw, i.wajib_bukti)
           for i in m.indicators}
    assert got["SEK.01"] == ("dokumen", "naik", "kumulatif", 8.0, [2.0, 2.0, 2.0, 2.0], True)  # 'y'
    assert got["SEK.02"] == ("%", "naik", "nilai_akhir", 1234.5, [20.0, 45.0, 70.0, 95.0], True)  # True
    assert got["SEK.03"][3:5] == (80.0, [85.0, 30.0, 55.0, 80.0])  # '85%'
    assert got["SEK.04"][:2] == ("hari", "turun") and got["SEK.04"][4][1] == 12.0  # ' 12 ', 'TURUN'
    assert "SEK.05" not in got and got["12"][0] == "kasus"  # 'abc' drops its row; a code typed as 12
    assert got["PEM.05"][0] == "km" and got["TRANTIB.01"][4] == [4.0, 4.0, 4.0, 0.0]
    assert {k: (r.realisasi_tw, r.penjelasan) for k, r in m.results.items() if k.startswith("SEK")} == {
        "SEK.01": ([7.5, 2.0, None, None], ""), "SEK.02": ([21.0, None, None, None], ""),
        "SEK.03": ([11.0, 30.0, None, None], "penjelasan"), "SEK.04": ([3.1, 3.0, None, None], ""),
        "SEK.06": ([85.0, 100.0, None, None], ""), "SEK.07": ([0.0, 0.0, None, None], "")}
    assert loaded.unit_rows["SEK"] == {"SEK.01": 4, "SEK.02": 5, "SEK.03": 6, "SEK.04": 7, "SEK.06": 9, "SEK.07": 10}
    table = loaded.unit_tables["SEK"]
    assert table.header_row == 3 and [(r.number, r.ok, r.bad) for r in table.rows] == [
        (4, True, ()), (5, True, ()), (6, True, ()), (7, False, ("r3",)), (8, False, ("realisasi_anggaran",)),
        (9, True, ()), (10, True, ())]
    assert table.rows[2].values["penjelasan"] == "penjelasan" and table.rows[2].cell("r1") == "I6"
