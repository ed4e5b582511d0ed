"""The xlwings path: the same WorkbookWrites applied to an open workbook, read back the same."""

from __future__ import annotations

from openpyxl import load_workbook

from fake_xlwings import Book
from kinerja.excel.book import load_open_book
from kinerja.excel.live import apply_live
from kinerja.workbook import sheets as S
from kinerja.workbook.description import Link, Mark, WorkbookWrites
from kinerja.workbook.files import write_file
from kinerja.workbook.master import load_master
from kinerja.workbook.style import SEVERITY_FILL


def _writes() -> WorkbookWrites:
    w = WorkbookWrites()
    sw = w.sheet("Rekap", S.REKAP)
    sw.rows = [[1, "SEK", "=1+1", "+62"], [2, "PEM", Link("ke PEM", "#'Data PEM'!A4")]]
    sw.marks = [Mark("L4", SEVERITY_FILL["warning"], "Periksa")]
    sw.select = True
    w.sheet("Riwayat", S.RIWAYAT).append = [[None, "Uji"]]
    w.sheet("Sheet Baru", S.RIWAYAT).append = [[None, "baru"]]
    return w


def test_live_and_file_writers_agree(sample_master, tmp_path):
    book = Book(sample_master)
    apply_live(book, _writes())
    live_path = tmp_path / "live.xlsx"
    book.save_as(live_path)
    write_file(sample_master, _writes())
    live, disk = load_workbook(live_path), load_workbook(sample_master)
    for name in ("Rekap", "Riwayat", "Sheet Baru"):
        a = [[c.value for c in row] for row in live[name].iter_rows(min_row=4, max_col=6)]
        b = [[c.value for c in row] for row in disk[name].iter_rows(min_row=4, max_col=6)]
        assert a == b, name
    assert live["Rekap"]["C4"].data_type == "s"  # '=1+1' from data stays text in Excel too
    assert live["Rekap"]["L4"].comment.text == "Periksa"
    assert live["Rekap"]["C5"].hyperlink.location == "'Data PEM'!A4"
    assert book.active_sheet == "Rekap"
    # whole blocks per call, not cell by cell
    assert ("value", "Rekap", (4, 1), 2) in book.calls


def test_open_book_loads_like_the_file(sample_master):
    book = Book(sample_master)
    live = load_open_book(book).master
    disk = load_master(sample_master).master
    assert live == disk


def test_live_print_settings_and_charts_as_the_file_writer(sample_master, tmp_path):
    """Excel's PageSetup and chart series get what the file writer writes: a sheet created
    later printed as at init, headers for a period typed later (not the office's own), an
    input table's print area, the Ringkasan chart over one unit more."""
    from test_fast_paths import _pages, _paper

    from kinerja.ooxml.patch import patch_file

    wb = load_workbook(sample_master)
    wb[S.RIWAYAT.sheet].oddHeader.center.text = "Arsip kantor"
    wb.save(sample_master)
    book = Book(sample_master)
    apply_live(book, _pages())
    book.save_as(tmp_path / "live.xlsx")
    patch_file(sample_master, tmp_path / "file.xlsx", _pages())
    live, disk = load_workbook(tmp_path / "live.xlsx"), load_workbook(tmp_path / "file.xlsx")
    for name in ("Data BARU", S.REKAP.sheet, S.RIWAYAT.sheet, S.INDIKATOR.sheet, S.RINGKASAN.sheet):
        assert _paper(live[name]) == _paper(disk[name]), name
        assert (live[name].print_title_rows, live[name].page_setup.orientation) == \
            (disk[name].print_title_rows, disk[name].page_setup.orientation), name
    assert live["Data BARU"].oddHeader.right.text == "Triwulan IV Tahun 2026"
