"""Every ribbon button, run as Excel would run it: on the open workbook, through xlwings' surface.

The book is `fake_xlwings.Book` (xlwings' Book/Sheet/Range surface over the real file's
content). Handlers must write into the open book, never to the master file on disk.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path

from fake_xlwings import Book
from kinerja.excel.book import load_open_book
from kinerja.excel.handlers import HANDLERS, dispatch, log_path, panel_tag
from kinerja.sample.demo import unit_entries
from kinerja.sample.roles import fill_form
from kinerja.stages.validate import decision_cells
from kinerja.workbook import sheets as S
from kinerja.workbook.macro import PANEL_CELL, PANEL_SHEET
from kinerja.workbook.master import load_master
from kinerja.workbook.ribbon import ACTIONS

T = datetime(2026, 10, 5, 9, 0)


def _sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def _values(book: Book, sheet: str, first_row: int = 4) -> list[list]:
    ws = book.wb[sheet]
    return [[c.value for c in row] for row in ws.iter_rows(min_row=first_row)
            if any(c.value is not None for c in row)]


def test_every_ribbon_tag_has_a_handler():
    assert set(HANDLERS) == set(ACTIONS)


def test_unknown_tag_runs_nothing(sample_master):
    book = Book(sample_master)
    message = dispatch(book, "hapus_semua")
    assert "tidak dikenal" in message
    assert book.app.alerts == [("Data Kinerja", message)]


def test_a_failing_handler_shows_a_message_and_logs_the_traceback(sample_master, monkeypatch):
    book = Book(sample_master)

    def boom(book, ctx):
        raise RuntimeError("rusak")

    monkeypatch.setitem(HANDLERS, "status", boom)
    message = dispatch(book, "status")
    assert "Terjadi kesalahan" in message and str(log_path(book)) in message
    assert "RuntimeError: rusak" in log_path(book).read_text(encoding="utf-8")


def test_a_library_error_from_the_ribbon_is_indonesian_with_its_text_in_the_log(sample_master):
    """Buat Formulir with the office's receipt template broken (a Jinja tag left open): the
    message box says it in Indonesian; jinja2's own words go to kinerja-galat.log beside the book."""
    from docx import Document

    from kinerja.stages import forms as F

    own = sample_master.parent / "templates"
    own.mkdir()
    doc = Document(str(F.TEMPLATES / F.RECEIPT_TEMPLATE))
    doc.add_paragraph("{% for b in baris %}{{ b.unit }")
    doc.save(str(own / F.RECEIPT_TEMPLATE))
    book = Book(sample_master)
    message = dispatch(book, "buat_formulir", now=T, who="AGUS")
    assert "penulisan isian templat salah" in message and "TemplateSyntaxError" not in message, message
    assert "TemplateSyntaxError" in log_path(book).read_text(encoding="utf-8")


def test_the_whole_sop_from_the_ribbon(sample_master):
    folder = sample_master.parent
    book = Book(sample_master)
    on_disk = _sha(sample_master)

    # Buat Formulir: forms on disk, the distribution logged in the open book only
    msg = dispatch(book, "buat_formulir", now=T, who="AGUS")
    forms = sorted((folder / "formulir").glob("Formulir-*.xlsx"))
    assert len(forms) == 6, msg
    dist = _values(book, S.DISTRIBUSI.sheet)
    assert sorted(r[1] for r in dist) == ["KESOS", "PEM", "PMD", "SEK", "TRANTIB", "YANUM"]
    assert _sha(sample_master) == on_disk  # the file on disk is untouched
    assert book.active_sheet == S.DISTRIBUSI.sheet

    # Tanda Terima
    dispatch(book, "tanda_terima", now=T)
    assert list((folder / "formulir").glob("Tanda-Terima-*.docx"))

    # the units fill in and return their forms, explaining every shortfall
    entries = {k: {"penjelasan": "Kegiatan bergeser ke triwulan IV.", **v} for k, v in unit_entries().items()}
    for form in forms:
        unit = form.name.split("-")[1]
        fill_form(form, folder / "masuk" / form.name,
                  {k: v for k, v in entries.items() if k.startswith(unit + ".")})

    # Himpun & Rekap: values land in the unit sheets of the open book
    msg = dispatch(book, "himpun_rekap", now=datetime(2026, 10, 7, 9, 0))
    assert "6 unit dihimpun" in msg, msg
    loaded = load_open_book(book)
    assert loaded.master.results["SEK.02"].realisasi_tw[2] == entries["SEK.02"]["r3"]
    assert len(_values(book, S.REKAP.sheet)) == 39

    # Validasi: the sheet for the Sekretaris
    msg = dispatch(book, "validasi", now=datetime(2026, 10, 8, 9, 0))
    assert "Lembar Validasi diperbarui" in msg
    assert book.wb[S.VALIDASI.sheet].max_row >= S.VALIDASI.header_row

    # Setujui / Kembalikan: the Sekretaris accepts every unit
    ws = book.wb[S.VALIDASI.sheet]
    for kep, _cat in decision_cells([tuple(c.value for c in r) for r in ws.iter_rows()]).values():
        ws[kep] = "Terima"
    msg = dispatch(book, "setujui_kembalikan", now=datetime(2026, 10, 8, 11, 0), who="SITI")
    assert "Disetujui" in msg and "paraf" in msg.lower(), msg
    assert any(r[1] == S.KEGIATAN_REKAP_DISETUJUI for r in _values(book, S.RIWAYAT.sheet))

    # Catat Langkah and Status
    msg = dispatch(book, "catat_langkah", now=datetime(2026, 10, 8, 13, 0))
    assert "dicatat selesai" in msg
    msg = dispatch(book, "status", now=datetime(2026, 10, 8, 13, 5))
    assert "Langkah sekarang" in msg and "6 dari 6" in msg

    # Buat Laporan (with the cover letter), Surat Pengantar
    msg = dispatch(book, "buat_laporan", now=datetime(2026, 10, 9, 9, 0))
    reports = folder / "laporan"
    assert list(reports.glob("Laporan-*.pdf")) and list(reports.glob("Surat-Pengantar-*.pdf")), msg
    assert [r[2] for r in _values(book, S.REGISTER_SURAT.sheet)][-1] == "700/1/435.501/2026"
    dispatch(book, "surat_pengantar", now=datetime(2026, 10, 9, 10, 0))
    assert [r[2] for r in _values(book, S.REGISTER_SURAT.sheet)][-1] == "700/2/435.501/2026"
    assert _sha(sample_master) == on_disk

    # Arsipkan: Excel saves the book, then the period is archived
    msg = dispatch(book, "arsipkan", now=datetime(2026, 10, 9, 11, 0))
    manifest = folder / "arsip" / "2026-TW3" / "manifest.json"
    assert manifest.exists(), msg

    # Periode Baru: the next quarter's master beside this one
    msg = dispatch(book, "periode_baru", now=datetime(2026, 10, 9, 12, 0))
    tw4 = sample_master.with_name("induk-2026-TW4.xlsx")
    assert tw4.exists() and "Triwulan IV Tahun 2026" in msg, msg
    assert load_master(tw4).master.results["SEK.02"].realisasi_tw[2] == entries["SEK.02"]["r3"]
    assert [t for t, _ in book.app.alerts] == [f"Data Kinerja - {ACTIONS[k].label}" for k in (
        "buat_formulir", "tanda_terima", "himpun_rekap", "validasi", "setujui_kembalikan", "catat_langkah",
        "status", "buat_laporan", "surat_pengantar", "arsipkan", "periode_baru")]


def test_panel_fallback_picks_the_action_by_label(sample_master):
    book = Book(sample_master)
    ws = book.wb.create_sheet(PANEL_SHEET)
    ws[PANEL_CELL] = ACTIONS["status"].label
    assert panel_tag(book) == "status"
    assert "Langkah sekarang" in dispatch(book, panel_tag(book), now=T)


def test_catat_langkah_records_the_selected_start_or_end(sample_master):
    from kinerja.workbook.tables import find_header

    book = Book(sample_master)
    ws = book.wb[S.WAKTU.sheet]
    rows = [tuple(c.value for c in r) for r in ws.iter_rows()]
    idx, mapping, _ = find_header(rows, S.WAKTU)
    col = {c.key: j + 1 for j, c in mapping.items()}
    row = next(r for r in range(idx + 2, ws.max_row + 1) if ws.cell(r, col["no"]).value == 2)
    sheet = book.sheets[S.WAKTU.sheet]
    # a time typed into the Mulai cell of step 2, then the button
    sheet.range((row, col["mulai"])).value = "'12/10/2026 08.30"
    sheet.range((row, col["mulai"])).select()
    msg = dispatch(book, "catat_langkah", now=datetime(2026, 10, 12, 10, 0), who="AGUS")
    assert "Langkah 2" in msg and "mulai" in msg and "12 Oktober 2026 pukul 08.30" in msg, msg
    assert ws.cell(row, col["mulai"]).value == datetime(2026, 10, 12, 8, 30)
    # the Selesai cell left empty: now
    sheet.range((row, col["selesai"])).select()
    msg = dispatch(book, "catat_langkah", now=datetime(2026, 10, 12, 10, 0), who="AGUS")
    assert "dicatat selesai" in msg and ws.cell(row, col["selesai"]).value == datetime(2026, 10, 12, 10, 0)
    assert ws.cell(row, col["oleh"]).value == "AGUS"
    # another column of the sheet: it says what to select, and nothing changes
    sheet.range((row, col["uraian"])).select()
    msg = dispatch(book, "catat_langkah", now=datetime(2026, 10, 12, 11, 0))
    assert "Pilih sel Mulai atau Selesai" in msg
    assert ws.cell(row, col["selesai"]).value == datetime(2026, 10, 12, 10, 0)


def test_a_period_typed_in_pengaturan_heads_the_pages_the_ribbon_writes(sample_master):
    """The ribbon door, like the CLI: a period typed in the open workbook's Pengaturan is in the
    header of every sheet the next button writes."""
    book = Book(sample_master)
    ws = book.wb[S.SETTINGS_SHEET]
    for row in ws.iter_rows(min_row=4):
        if row[0].value == "Nomor Periode":
            row[1].value = "IV"
    dispatch(book, "validasi", now=datetime(2026, 12, 10, 9, 0))
    for name in (S.VALIDASI.sheet, S.TEMUAN_VALIDASI.sheet):
        assert book.wb[name].oddHeader.right.text == "Triwulan IV Tahun 2026", name
        assert book.wb[name].oddHeader.center.text == "&A" and book.wb[name].oddHeader.right.size == 8
    assert book.wb[S.INDIKATOR.sheet].print_area  # the input table's print area kept by the same write


def test_every_button_on_a_book_that_is_not_a_master_says_so_and_writes_nothing(sample_master):
    """The Pengaturan sheet deleted: each button stops after reading, with the problems listed."""
    from openpyxl import load_workbook

    wb = load_workbook(sample_master)
    del wb[S.SETTINGS_SHEET]
    wb.save(sample_master)
    for tag in ACTIONS:
        book = Book(sample_master)
        before = {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in book.wb.worksheets}
        message = dispatch(book, tag, now=T, who="AGUS")
        assert message.startswith("Workbook induk belum dapat dibaca"), (tag, message)
        assert S.SETTINGS_SHEET in message, (tag, message)
        after = {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in book.wb.worksheets}
        assert after == before, tag
