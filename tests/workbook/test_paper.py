"""On paper: the printed sheets of the master one page wide with their titles repeated, the unit
form readable (never scaled below 70%), the receipt's table and signer on one page. Checked
in the files' print settings and in the pages LibreOffice prints from them."""

from __future__ import annotations

import csv
import shutil
from datetime import datetime
from pathlib import Path

from openpyxl import load_workbook
from test_validate import NOW, golden_master

from kinerja.libreoffice import convert
from kinerja.stages.forms import FORM_SCALE, build_forms
from kinerja.stages.rekap import rekap_writes
from kinerja.stages.timing import recompute
from kinerja.stages.validate import validate
from kinerja.workbook import sheets as S
from kinerja.workbook.description import WorkbookWrites
from kinerja.workbook.files import write_file
from kinerja.workbook.master import build_master, load_master, read_office_data
from kinerja.workbook.printing import PRINTED, pages_by_sheet, pdf_pages, retitle

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data" / "sukamaju"
SHEETS = [S.VALIDASI.sheet, S.TEMUAN_VALIDASI.sheet, S.REKAP.sheet, S.RINGKASAN.sheet, S.WAKTU.sheet,
          S.PENERIMAAN.sheet, S.DISTRIBUSI.sheet, S.RIWAYAT.sheet, S.INDIKATOR.sheet, "Data SEK"]


def _tables():
    return {t.sheet: t for t in (*S.STAGE_TABLES, *S.INPUT_TABLES)} | {"Data SEK": S.unit_data_table("Data SEK")}


def test_every_printed_sheet_is_set_up_for_paper(sample_master):
    wb = load_workbook(sample_master)
    tables = _tables()
    for name in SHEETS:
        ws, table = wb[name], tables[name]
        setup = ws.page_setup
        assert ws.sheet_properties.pageSetUpPr.fitToPage, name
        assert (int(setup.fitToWidth), int(setup.fitToHeight)) == (1, 0), name  # one page wide, as long as needed
        assert setup.orientation == ("landscape" if PRINTED.get(name, PRINTED[S.REKAP.sheet]).landscape else "portrait")
        assert str(ws.print_title_rows) == f"$1:${table.header_row}", name
        assert "Halaman &P dari &N" in (ws.oddFooter.right.text or ""), name
        assert ws.oddHeader.left.text == "Kecamatan Sukamaju" and "Triwulan III Tahun 2026" in ws.oddHeader.right.text
    assert str(wb["Data SEK"].print_title_cols) == "$A:$B"  # Kode and Indikator on every page


def test_printed_pages_are_one_page_wide_with_titles_repeated(sample_master, tmp_path):
    """The sample office after validation and timing, with a Rekap long enough for several pages:
    every page of each sheet shows its title row and its first and last column headers."""
    golden_master(sample_master)
    loaded = load_master(sample_master)
    write_file(sample_master, validate(loaded, NOW).writes, backup=False)
    write_file(sample_master, recompute(load_master(sample_master), NOW).writes, backup=False)
    m = load_master(sample_master).master
    long = WorkbookWrites()  # the rekap of a larger office: every indicator eight times
    rows = rekap_writes(m).sheets[0].rows
    long.sheet(S.REKAP.sheet, S.REKAP).rows = [[n + 1, *r[1:]] for n, r in enumerate(rows * 8)]
    write_file(sample_master, long, backup=False)
    wb = load_workbook(sample_master)
    for name in SHEETS:  # no print area needed: nothing styled below the last value (Excel's used range)
        ws = wb[name]
        last = max(r for (r, _c), c in ws._cells.items() if c.value is not None)
        styled = max(r for (r, _c), c in ws._cells.items() if c.has_style)
        assert styled <= last or name == S.INDIKATOR.sheet, name
        assert bool(ws.print_area) == (name == S.INDIKATOR.sheet), name  # the input table has one
    pdf = convert(sample_master, "pdf", tmp_path / "pdf")
    texts = pdf_pages(pdf)
    found = pages_by_sheet(pdf, SHEETS)
    tables = _tables()
    for name in (S.VALIDASI.sheet, S.TEMUAN_VALIDASI.sheet, S.REKAP.sheet, S.RINGKASAN.sheet, S.WAKTU.sheet):
        pages = found.get(name)
        assert pages, f"{name}: no page carries its header"
        first, last = tables[name].columns[0].header, tables[name].columns[-1].header
        for n in pages:
            words = " ".join(texts[n].split())
            assert first in words and last.split()[0] in words, (name, n)  # all columns on this page
    rekap = found[S.REKAP.sheet]
    assert len(rekap) >= 2, "the long Rekap spans pages"
    for n in rekap:  # its title and header row on every page, its rows continuing
        assert "Rekapitulasi Data Capaian Kinerja" in texts[n] and "Indikator Kinerja" in texts[n]
    assert "SEK.01" in texts[rekap[0]]


def test_unit_form_is_readable_on_paper(sample_loaded, tmp_path):
    out = build_forms(sample_loaded, tmp_path / "formulir", now=datetime(2026, 10, 6, 8, 0), units=["SEK"])
    form = out.files[0]
    ws = load_workbook(form).worksheets[0]
    assert not ws.sheet_properties.pageSetUpPr.fitToPage  # a fixed scale, not shrunk to fit
    assert int(ws.page_setup.scale) == FORM_SCALE >= 70
    assert str(ws.print_title_cols) == "$A:$C" and str(ws.print_title_rows) == "$14:$14"
    for row in ws.iter_rows(min_row=1, max_row=ws.max_row):  # every styled text names its font
        for c in row:
            if c.value is not None:
                assert c.font.name == "Calibri", c.coordinate
    pages = pdf_pages(convert(form, "pdf", tmp_path / "pdf"))
    assert len(pages) == 2  # two bands, each page readable
    for text in pages:  # Kode, Indikator and the header on both pages
        assert "Kode" in text and "Indikator Kinerja" in text and "SEK.01" in text
    assert "Tahunan" in pages[0] and "Penjelasan" in pages[1]  # targets first, then what the unit fills in
    assert "Pagu (Rp)" in pages[1] and "Pagu (Rp)" not in pages[0]


def test_receipt_keeps_table_and_signer_together_for_15_units(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(SAMPLE, data)
    for name, extra in (("unit.csv", 9), ("indikator.csv", 9)):
        rows = list(csv.DictReader((data / name).open(encoding="utf-8")))
        for n in range(1, extra + 1):
            row = dict(rows[0])
            if name == "unit.csv":
                row.update(kode=f"KEL{n:02d}", nama=f"Kelurahan Contoh {n}")
            else:
                row.update(kode=f"KEL{n:02d}.01", unit=f"KEL{n:02d}")
            rows.append(row)
        with (data / name).open("w", encoding="utf-8", newline="") as f:
            w = csv.DictWriter(f, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows(rows)
    master = build_master(tmp_path / "induk.xlsx", "candipuro", read_office_data(data))
    out = build_forms(load_master(master), tmp_path / "formulir", now=datetime(2026, 10, 6, 8, 0))
    assert len(out.files) == 15 and out.receipt is not None
    pages = [" ".join(p.split()) for p in pdf_pages(convert(out.receipt, "pdf", tmp_path / "pdf"))]
    signer = [n for n, p in enumerate(pages) if "AGUS PRASETYO" in p]
    assert signer, pages
    page = pages[signer[0]]
    assert "1 Subbagian Umum" in page and "15 Kelurahan Contoh 9" in page  # the whole table with the signer


def test_a_new_periods_pages_name_it(sample_master):
    """A new period's master is a copy of the last one: the page headers follow the period; a
    header the office wrote itself stays."""
    wb = load_workbook(sample_master)
    wb["Riwayat"].oddHeader.center.text = "Arsip kantor"  # the office's own header
    wb.save(sample_master)
    before = {n: z for n, z in _parts(sample_master).items() if not n.startswith("xl/worksheets/sheet")}
    changed = retitle(sample_master, "Kecamatan Sukamaju", "Triwulan IV Tahun 2026")
    wb = load_workbook(sample_master)
    assert changed == len(wb.sheetnames) - 1
    assert wb["Rekap"].oddHeader.right.text.strip() == "Triwulan IV Tahun 2026"
    assert wb["Rekap"].oddHeader.center.text.strip() == "&A"
    assert "Triwulan III" in wb["Riwayat"].oddHeader.right.text
    assert {n: z for n, z in _parts(sample_master).items() if not n.startswith("xl/worksheets/sheet")} == before


def _parts(path: Path) -> dict[str, bytes]:
    import zipfile

    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def _yellow_bottom(png: Path) -> float:
    """How far down a page image its input yellow reaches (0..1 of the page height)."""
    from PIL import Image

    from kinerja.workbook.style import INPUT_FILL

    want = tuple(int(INPUT_FILL[i:i + 2], 16) for i in (0, 2, 4))
    im = Image.open(png).convert("RGB")
    px, (w, h) = im.load(), im.size
    rows = [y for y in range(h) for x in range(0, w, 3) if all(abs(a - b) < 10 for a, b in zip(px[x, y], want))]
    return max(rows, default=0) / h


def test_input_tables_print_their_rows_not_the_empty_ones_below(sample_master, tmp_path):
    """The Indikator keeps styled empty rows to type into: its print area ends at the last
    indicator, and one typed in Excel prints from the next write of the master on."""
    from kinerja.workbook.printing import dress, sheet_images

    wb = load_workbook(sample_master)
    ws = wb[S.INDIKATOR.sheet]
    last = max(r for (r, _c), c in ws._cells.items() if c.value is not None)
    assert ws.print_area == f"'Indikator'!$A$1:$R${last}" and ws.max_row > last + 40  # the empty rows stay
    assert wb[S.UNIT.sheet].print_area and not wb[S.REKAP.sheet].print_area  # a stage sheet ends at its data
    for j, value in enumerate(["SEK.99", "Indikator baru diketik", "%"], 1):
        ws.cell(last + 1, j, value)
    wb.save(sample_master)
    write_file(sample_master, dress(WorkbookWrites(), load_master(sample_master)), backup=False)
    assert load_workbook(sample_master)[S.INDIKATOR.sheet].print_area == f"'Indikator'!$A$1:$R${last + 1}"
    image = sheet_images(sample_master, [S.INDIKATOR.sheet], tmp_path / "gambar", resolution=50)[S.INDIKATOR.sheet]
    assert len(image) == 1 and 0.2 < _yellow_bottom(image[0]) < 0.75  # no yellow band down to the footer
    pdf = tmp_path / "gambar" / "pdf" / "induk.pdf"
    assert "SEK.99" in pdf_pages(pdf)[pages_by_sheet(pdf, [S.INDIKATOR.sheet])[S.INDIKATOR.sheet][0]]


def test_a_period_typed_in_pengaturan_heads_the_next_pages(sample_master):
    """Only new-period wrote a period into the headers; a period typed in Pengaturan is on the
    pages of every sheet the next step writes (the CLI, as the office runs it)."""
    from typer.testing import CliRunner

    from kinerja.cli.commands import app

    wb = load_workbook(sample_master)
    ws = wb[S.SETTINGS_SHEET]
    for row in ws.iter_rows(min_row=4):
        if row[0].value == "Nomor Periode":
            row[1].value = "IV"
    wb.save(sample_master)
    result = CliRunner().invoke(app, ["validate", str(sample_master)])
    assert result.exit_code in (0, 1), result.output
    wb = load_workbook(sample_master)
    for name in (S.VALIDASI.sheet, S.TEMUAN_VALIDASI.sheet):
        assert wb[name].oddHeader.right.text == "Triwulan IV Tahun 2026", name
        assert wb[name].oddHeader.center.text == "&A" and "Halaman &P dari &N" in wb[name].oddFooter.right.text


def test_a_unit_added_after_init_prints_and_is_in_the_charts(sample_master, tmp_path):
    """A unit typed into the Unit sheet gets its data sheet at its first return: printed as
    init prints the others (paper, repeated titles, header, colour legend), and its capaian in
    the Ringkasan chart."""
    from collect_helpers import fill, typed
    from kinerja.stages.collect import collect
    from kinerja.workbook.printing import dress

    wb = load_workbook(sample_master)
    unit, ind = wb[S.UNIT.sheet], wb[S.INDIKATOR.sheet]
    u = max(r for (r, _c), c in unit._cells.items() if c.value is not None) + 1
    unit.cell(u, 1, "KEL"), unit.cell(u, 2, "Kelurahan Sukamaju"), unit.cell(u, 3, unit.cell(u - 1, 3).value)
    i = max(r for (r, _c), c in ind._cells.items() if c.value is not None)
    for j in range(1, len(S.INDIKATOR.columns) + 1):
        ind.cell(i + 1, j, ind.cell(i, j).value)
    ind.cell(i + 1, 1, "KEL.01"), ind.cell(i + 1, 2, "KEL")
    wb.save(sample_master)
    now = datetime(2026, 10, 6, 8, 0)
    loaded = load_master(sample_master)
    forms = build_forms(loaded, tmp_path / "formulir", now=now, units=["KEL"])
    write_file(sample_master, dress(forms.writes, loaded), backup=False)
    loaded = load_master(sample_master)
    fill(forms.files[0], tmp_path / "masuk" / "KEL.xlsx", typed(loaded, "KEL"))
    outcome = collect(loaded, tmp_path / "masuk", now=datetime(2026, 10, 8, 9, 0))
    assert "Data KEL" in {sw.sheet for sw in outcome.writes.sheets}
    write_file(sample_master, dress(outcome.writes, loaded), backup=False)
    wb = load_workbook(sample_master)
    ws = wb["Data KEL"]
    assert ws.page_setup.orientation == "landscape" and ws.sheet_properties.pageSetUpPr.fitToPage
    assert (int(ws.page_setup.fitToWidth), int(ws.page_setup.fitToHeight)) == (1, 0)
    assert str(ws.print_title_rows) == "$1:$3" and str(ws.print_title_cols) == "$A:$B"
    assert ws.oddHeader.left.text == "Kecamatan Sukamaju" and ws.oddHeader.right.text == "Triwulan III Tahun 2026"
    assert [ws["G1"].value, ws["H1"].value, ws["H1"].fill.fgColor.rgb[-6:]] == ["Warna:", "Isian", "FFF2CC"]
    assert [ws[c].value for c in ("I1", "J1", "K1")] == ["Kesalahan", "Peringatan", "Informasi"]
    ring = wb[S.RINGKASAN.sheet]
    h = S.RINGKASAN.header_row
    units = [r for r in range(h + 1, h + 20) if ring.cell(r, 1).value == "Unit"]
    assert ring.cell(units[-1], 2).value.startswith("KEL") and len(units) == 7
    refs = {s.cat.strRef.f if s.cat.strRef else s.cat.numRef.f for s in ring._charts[0].series}
    assert refs == {f"'Ringkasan'!$B${h + 1}:$B${units[-1]}"}
    pdf = convert(sample_master, "pdf", tmp_path / "pdf")
    found = pages_by_sheet(pdf, ["Data KEL"])
    assert len(found["Data KEL"]) == 1 and "KEL.01" in pdf_pages(pdf)[found["Data KEL"][0]]


def test_validasi_and_its_findings_name_and_link_each_other(sample_master):
    """Two sheets on purpose (docs/ARCHITECTURE.md): the decision on Validasi, the detail on
    Temuan Validasi; each says where the other is, one click away."""
    golden_master(sample_master)
    write_file(sample_master, validate(load_master(sample_master), NOW).writes, backup=False)
    wb = load_workbook(sample_master)
    v, t = wb[S.VALIDASI.sheet], wb[S.TEMUAN_VALIDASI.sheet]
    assert "Temuan Validasi" in v["A5"].value and v["A5"].hyperlink.location == "'Temuan Validasi'!A4"
    decide = f"{S.VALIDASI.letter('keputusan')}{S.VALIDASI.header_row}"
    assert v[decide].value == "Keputusan" and "kolom Keputusan sheet 'Validasi'" in t["A2"].value
    assert t["A2"].hyperlink.location == f"'Validasi'!{decide}"
    assert "hanya di kolom Keputusan ini" in v["A4"].value  # one decision per unit, said where it is made
