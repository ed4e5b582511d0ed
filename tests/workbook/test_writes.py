"""The file writer: text stays text, saves are atomic with a backup, marks can be cleared."""

from __future__ import annotations

from openpyxl import load_workbook

from kinerja.workbook import sheets as S
from kinerja.workbook.description import Formula, Link, Mark, WorkbookWrites
from kinerja.workbook.files import backup_dir, write_file
from kinerja.workbook.master import load_master
from kinerja.workbook.style import SEVERITY_FILL


def test_text_that_looks_like_a_formula_stays_text(sample_master):
    w = WorkbookWrites()
    w.sheet("Riwayat", S.RIWAYAT).append = [[None, "=HYPERLINK(\"http://x\")", "+62", 1, "@a", "-1-2"]]
    w.sheet("Riwayat").cells["H1"] = Formula("=1+1")
    write_file(sample_master, w)
    ws = load_workbook(sample_master)["Riwayat"]
    assert ws["B4"].value == '=HYPERLINK("http://x")' and ws["B4"].data_type == "s"
    assert ws["C4"].value == "+62" and ws["C4"].data_type == "s"
    assert ws["F4"].value == "-1-2" and ws["F4"].data_type == "s"
    assert ws["H1"].value == "=1+1" and ws["H1"].data_type == "f"


def test_atomic_save_keeps_a_backup_and_the_master_loads(sample_master):
    before = sample_master.read_bytes()
    w = WorkbookWrites()
    w.sheet("Riwayat", S.RIWAYAT).append = [[None, "Uji"]]
    backup = write_file(sample_master, w)
    assert backup is not None and backup.parent == backup_dir(sample_master)
    assert backup.read_bytes() == before
    assert load_master(sample_master).master is not None
    assert not list(sample_master.parent.glob(".~kinerja-*"))  # no temporary file left


def test_rows_replace_append_and_marks_clear(sample_master):
    w = WorkbookWrites()
    sw = w.sheet("Rekap", S.REKAP)
    sw.rows = [[1, "SEK"], [2, "PEM"], [3, "PMD"]]
    sw.marks = [Mark("L5", SEVERITY_FILL["error"], "Capaian terlalu tinggi")]
    sw.cells["A1"] = Link("ke Data PEM", "#'Data PEM'!A4")
    write_file(sample_master, w)
    ws = load_workbook(sample_master)["Rekap"]
    assert [ws.cell(r, 2).value for r in range(4, 8)] == ["SEK", "PEM", "PMD", None]
    assert ws["L5"].fill.fgColor.rgb.endswith(SEVERITY_FILL["error"])
    assert ws["L5"].comment.text == "Capaian terlalu tinggi"
    assert ws["A1"].hyperlink.location == "'Data PEM'!A4"

    w2 = WorkbookWrites()
    sw2 = w2.sheet("Rekap", S.REKAP)
    sw2.rows = [[1, "YANUM"]]
    sw2.clear_marks = True
    write_file(sample_master, w2)
    ws = load_workbook(sample_master)["Rekap"]
    assert [ws.cell(r, 2).value for r in range(4, 6)] == ["YANUM", None]
    assert ws["L5"].comment is None
    assert ws["L5"].fill.fill_type is None


def test_clear_marks_restores_input_cells_and_keeps_other_notes(sample_master):
    from openpyxl.comments import Comment

    from kinerja.workbook.style import INPUT_FILL

    table = S.unit_data_table("Data PEM")
    first = table.header_row + 1
    r3, nama = f"{table.letter('r3')}{first}", f"{table.letter('nama')}{first + 1}"
    w = WorkbookWrites()
    w.sheet("Data PEM", table).marks = [Mark(r3, SEVERITY_FILL["error"], "kosong"),
                                        Mark(nama, SEVERITY_FILL["warning"], "nama beda")]
    write_file(sample_master, w)
    wb = load_workbook(sample_master)
    wb["Data PEM"]["A1"].comment = Comment("catatan staf", "Staf")  # not kinerja's: stays
    wb["Data PEM"][f"{table.letter('bukti')}{first}"].comment = Comment("catatan staf", "Staf")
    wb.save(sample_master)
    ws = load_workbook(sample_master)["Data PEM"]
    assert ws[r3].fill.fgColor.rgb.endswith(SEVERITY_FILL["error"]) and ws[nama].comment.text == "nama beda"

    w2 = WorkbookWrites()
    w2.sheet("Data PEM", table).clear_marks = True
    write_file(sample_master, w2)
    ws = load_workbook(sample_master)["Data PEM"]
    assert ws[r3].fill.fgColor.rgb.endswith(INPUT_FILL) and ws[r3].comment is None  # an input cell: yellow again
    assert ws[nama].fill.fill_type is None and ws[nama].comment is None
    assert ws[f"{table.letter('bukti')}{first}"].comment.text.startswith("catatan staf")
    assert ws["A1"].comment is not None
