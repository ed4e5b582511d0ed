"""The fast paths of a large collection give what the plain paths give: the package writer
(kinerja.ooxml) against openpyxl cell for cell, and reading returns with two threads
against one."""

from __future__ import annotations

import shutil
import zipfile
from datetime import date, datetime, time
from pathlib import Path

import pytest
from openpyxl import load_workbook

from collect_helpers import blank_forms, fill, set_zip_member, sheet_xml_error, typed
from conftest import SAMPLE
from kinerja.libreoffice import convert
from kinerja.ooxml.parts import Unsupported
from kinerja.ooxml.patch import patch_file
from kinerja.ooxml.xlsm import CUSTOMUI_PART
from kinerja.stages.collect import inbox_files, read_returns
from kinerja.stages.forms import build_forms, write_form
from kinerja.workbook import sheets as S
from kinerja.workbook.book import apply_to_workbook
from kinerja.workbook.description import Formula, Link, Mark, WorkbookWrites
from kinerja.workbook.files import MasterNotWritable, gc_paused, write_file
from kinerja.workbook.master import build_master, load_master, read_office_data
from kinerja.workbook.printing import page_setup
from kinerja.workbook.style import INPUT_FILL, SEVERITY_FILL


def _writes() -> WorkbookWrites:
    """Rows replaced, rows appended and single cells, with every kind of value a stage writes."""
    w = WorkbookWrites()
    rekap = w.sheet(S.REKAP.sheet, S.REKAP)
    rekap.rows = [
        [1, "SEK", "Subbagian Umum", None, "SEK.01", "Dokumen  ", "%", "Naik", "Kumulatif", 10.5, 3,
         30.0, "Rendah", "  spasi di depan", "=SUM(A1:A2)", 1e6, None, "Terisi"],
        [2, "PEM", "a & b < c > d", datetime(2026, 10, 5, 9, 30), date(2026, 1, 2), time(8, 15), True,
         float("nan"), 0.1 + 0.2, -0.0, 12345678901234567, "x" * 40000],
        [],
        [4, "TRANTIB", "baris\nkedua\tdengan tab", "\u0007kontrol"],
    ]
    rekap.select = True
    riwayat = w.sheet(S.RIWAYAT.sheet, S.RIWAYAT)
    riwayat.append = [[datetime(2026, 10, 1, 8), '=HYPERLINK("x")', "+62", 1, "@a", "-1-2"]]
    riwayat.cells["H1"] = Formula("=1+1")
    riwayat.cells["I1"] = Formula("teks")
    waktu = w.sheet(S.WAKTU.sheet, S.WAKTU)
    waktu.cells["E5"] = datetime(2026, 10, 5, 8, 0)
    waktu.cells["F5"] = "AGUS"
    unit = w.sheet("Data PEM")
    unit.cells.update({"K4": 12.5, "M4": "penjelasan", "Z200": "jauh", "K5": None, "A6": ""})
    libur = w.sheet(S.LIBUR.sheet, S.LIBUR)  # appended into the yellow input rows kept ready
    libur.append = [[date(2026, 12, 24), "Cuti bersama Natal"], [datetime(2026, 12, 31, 12), None]]
    ringkasan = w.sheet(S.RINGKASAN.sheet, S.RINGKASAN)  # replaced, appended and set at once
    ringkasan.rows = [["Unit", "SEK - Umum", 7, 7, 98.5, "Sangat Tinggi", 0], ["Total", "x"], [None, None]]
    ringkasan.append = [["Sasaran", "tambahan", 1]]
    h = S.RINGKASAN.header_row
    ringkasan.cells.update({f"B{h + 2}": "diganti", f"C{h + 3}": 3.25, f"G{h + 17}": "di bawah"})
    more = WorkbookWrites()  # a second write of a sheet (stages extend each other's writes)
    more.sheet(S.WAKTU.sheet, S.WAKTU).cells.update({"E5": datetime(2026, 10, 6, 9), "G6": date(2026, 10, 7)})
    more.sheet(S.REKAP.sheet, S.REKAP).cells["M4"] = "Tinggi"
    more.sheet(S.RINGKASAN.sheet, S.RINGKASAN).rows = [["Unit", "PEM - Pemerintahan", 5]]
    return w.extend(more)


V1 = S.VALIDASI.header_row + 1  # the first row of findings


def _marks(first: bool) -> WorkbookWrites:
    """Highlights with notes, links, dropdowns, sheet locks and new sheets; the second round
    clears the first round's marks as every stage does."""
    w = WorkbookWrites()
    rekap = w.sheet(S.REKAP.sheet, S.REKAP)
    unit = w.sheet("Data PEM", S.unit_data_table("Data PEM"))
    validasi = w.sheet(S.VALIDASI.sheet, S.VALIDASI)
    if first:
        rekap.marks = [Mark("L4", SEVERITY_FILL["error"], "Capaian terlalu tinggi"), Mark("B5", SEVERITY_FILL["info"])]
        rekap.cells["A1"] = Link("ke Data PEM", "#'Data PEM'!A4")
        unit.marks = [Mark("K4", SEVERITY_FILL["warning"], "Realisasi < 0?\nPeriksa & ulangi"),
                      Mark("M5", SEVERITY_FILL["error"], "Penjelasan kosong"), Mark("Q4", SEVERITY_FILL["info"], "catatan")]
        unit.protect = True
        unit.choices["S4:S10"] = ["100% jika realisasi juga 0, selain itu kosong", "kosong"]  # kept whole
        validasi.rows = [[1, "Kesalahan", "data", "kode-a", "PEM", "PEM.01", Link("Data PEM!K4", "#'Data PEM'!K4")],
                         [2, "Peringatan", "data", "kode-b", "SEK", None, Link("situs", "https://example.org/a?b=1&c=2")]]
        validasi.marks = [Mark(f"B{V1}", SEVERITY_FILL["error"]), Mark(f"B{V1 + 1}", SEVERITY_FILL["warning"])]
        validasi.choices[f"K{V1}:K40"] = ["Terima", "Kembalikan"]
        baru = w.sheet("Katalog Salinan", S.KATALOG)
        baru.rows = [["kode-x", "Kesalahan", "data", "contoh"]]
        baru.marks = [Mark("A4", SEVERITY_FILL["error"], "baru")]
        baru.choices["B4:B9"] = ["Ya", "Tidak"]
        w.sheet("Lembar Kosong").cells["C3"] = 7
    else:
        for sw in (rekap, unit, validasi):
            sw.clear_marks = True
        rekap.rows = [[1, "SEK"], [2, "PEM"]]
        rekap.marks = [Mark("C4", SEVERITY_FILL["warning"], "baru di rekap")]
        unit.marks = [Mark("K5", SEVERITY_FILL["error"], "ganti")]
        unit.protect = False
        rekap.choices["T4:T9"] = ["100% jika realisasi juga 0, selain itu kosong", "kosong"]  # the same list
        validasi.choices["L20:L30"] = ["a, b", "c"]  # another
        validasi.rows = [[1, "Informasi", "data", "kode-c", "PEM", "PEM.02", Link("Data PEM!K5", "#'Data PEM'!K5")]]
        validasi.choices[f"K{V1}:K30"] = ["Terima", "Kembalikan", "Tunda"]
        validasi.select = True
    return w


def _cells(path: Path) -> dict[str, dict[str, tuple]]:
    """Every cell's value, type, format, fill, bold, wrap, note and link; per sheet its lock,
    dropdowns, print settings, panes and merged cells; the active and selected sheets."""
    wb = load_workbook(path)
    out = {}
    for ws in wb.worksheets:
        cells = {}
        for row in ws.iter_rows():
            for c in row:
                fill = c.fill.fgColor.rgb[-6:] if c.fill is not None and c.fill.fill_type == "solid" else None
                value = c.value
                note = (c.comment.text, c.comment.author) if c.comment is not None else None
                link = (c.hyperlink.target, c.hyperlink.location) if c.hyperlink is not None else None
                if value is None and fill is None and c.number_format == "General" and not note and not link:
                    continue  # an empty, unstyled cell is no cell
                fmt = "General" if ws.sheet_state == "hidden" else c.number_format  # the list sheet: '@' or not
                cells[c.coordinate] = (value, c.data_type if value is not None else None, fmt,
                                       fill, bool(c.font.b), c.alignment.wrap_text, note, link)
        cells["(lembar)"] = (
            ws.protection.sheet, ws.protection.objects, ws.auto_filter.ref, ws.sheet_state, sorted((str(dv.sqref), dv.type, dv.formula1, dv.error)
                                        for dv in ws.data_validations.dataValidation),
            ws.page_setup.orientation, ws.page_setup.fitToWidth, ws.print_title_rows, ws.freeze_panes,
            sorted(str(r) for r in ws.merged_cells.ranges), _paper(ws))
        out[ws.title] = cells
    out["(aktif)"] = {"sheet": (wb.active.title,), "dipilih": tuple(w.title for w in wb.worksheets
                                                                      if w.sheet_view.tabSelected),
                      "urutan": tuple(wb.sheetnames)}
    return out


def _paper(ws) -> tuple:
    """A sheet's print settings as they print: paper, fit, titles, area, header, footer, charts."""
    setup = ws.page_setup
    texts = tuple((part.left.text, part.center.text, part.right.text) for part in (ws.oddHeader, ws.oddFooter))
    charts = tuple(tuple((s.val.numRef.f, (s.cat.numRef or s.cat.strRef).f if s.cat else None) for s in c.series)
                   for c in ws._charts)
    return (setup.paperSize, setup.fitToHeight, ws.sheet_properties.pageSetUpPr.fitToPage if
            ws.sheet_properties.pageSetUpPr else None, ws.print_title_cols, ws.print_area, texts,
            ws.page_margins.left, ws.print_options.horizontalCentered, charts)


def _pages() -> WorkbookWrites:
    """Print settings: a unit's data sheet created after init (paper, titles, legend), existing
    sheets' headers for a period typed later (one the office wrote itself stays), an input
    table's print area alone, the Ringkasan with one unit more in its chart."""
    office, period = "Kecamatan A & B", "Triwulan IV Tahun 2026"
    w = WorkbookWrites()
    baru = w.sheet("Data BARU", S.unit_data_table("Data BARU"))
    baru.rows = [["BARU.01", "Indikator baru", "%", 100.0]]
    baru.page = page_setup("Data BARU", office, period)
    w.sheet(S.REKAP.sheet, S.REKAP).page = page_setup(S.REKAP.sheet, office, period)
    w.sheet(S.RIWAYAT.sheet, S.RIWAYAT).page = page_setup(S.RIWAYAT.sheet, office, period)
    w.sheet(S.INDIKATOR.sheet, S.INDIKATOR).page = page_setup(S.INDIKATOR.sheet, "Kecamatan Sukamaju",
                                                              "Triwulan III Tahun 2026", "A1:R20")
    ringkasan = w.sheet(S.RINGKASAN.sheet, S.RINGKASAN)
    ringkasan.rows = [["Unit", f"U{n}", 1, 1, 90.0 + n, "Tinggi", 0] for n in range(7)] + [["Total", "x"]]
    ringkasan.chart_rows = 7
    ringkasan.page = page_setup(S.RINGKASAN.sheet, office, period)
    return w


def test_print_settings_and_chart_ranges_equal_openpyxl(sample_master, tmp_path):
    wb = load_workbook(sample_master)
    wb[S.RIWAYAT.sheet].oddHeader.center.text = "Arsip kantor"  # the office's own header
    wb.save(sample_master)
    a, fast = _both_writers(sample_master, tmp_path, _pages)
    new = a["Data BARU"]["(lembar)"]
    assert new[5:8] == ("landscape", 1, "$1:$3") and new[-1][:5] == (9, 0, True, "$A:$B", "")
    assert new[-1][5] == (("Kecamatan A && B", "&A", "Triwulan IV Tahun 2026"),
                          ("&F", "Dicetak &D", "Halaman &P dari &N"))
    assert a["Rekap"]["(lembar)"][-1][5][0] == ("Kecamatan A && B", "&A", "Triwulan IV Tahun 2026")
    assert a["Riwayat"]["(lembar)"][-1][5][0][1:] == ("Arsip kantor", "Triwulan III Tahun 2026")  # kept
    assert a["Indikator"]["(lembar)"][-1][4] == "'Indikator'!$A$1:$R$20"
    h = S.RINGKASAN.header_row
    assert a["Ringkasan"]["(lembar)"][-1][-1][0] == ((f"'Ringkasan'!$E${h + 1}:$E${h + 7}", f"'Ringkasan'!$B${h + 1}:$B${h + 7}"),)
    with zipfile.ZipFile(sample_master) as z0, zipfile.ZipFile(fast) as z1:
        indikator = _part(z0, S.INDIKATOR.sheet)  # its print area is a name in workbook.xml: the sheet as it was
        assert z1.read(indikator) == z0.read(indikator)


def _both_writers(master: Path, tmp_path: Path, writes) -> tuple[dict, Path]:
    """`writes()` applied by the package writer and by openpyxl: the same cells and settings in
    both (the package writer's, and its file, returned)."""
    fast, plain = tmp_path / "fast.xlsx", tmp_path / "plain.xlsx"
    patch_file(master, fast, writes())
    wb = load_workbook(master)
    apply_to_workbook(wb, writes())
    wb.save(plain)
    a, b = _cells(fast), _cells(plain)
    assert a.keys() == b.keys()
    for sheet in b:
        assert a[sheet] == b[sheet], sheet
    return a, fast


def test_package_writer_equals_openpyxl_cell_for_cell(sample_master, tmp_path):
    a, fast = _both_writers(sample_master, tmp_path, _writes)
    assert a["Rekap"]["B5"][0] == "PEM" and a["Rekap"]["C5"][0] == "a & b < c > d"
    assert a["Rekap"]["D5"][2] == "dd/mm/yyyy hh:mm" and a["Waktu SOP"]["E5"][2] == "yyyy-mm-dd h:mm:ss"
    assert a["Waktu SOP"]["E5"][0] == datetime(2026, 10, 6, 9) and a["Rekap"]["M4"][0] == "Tinggi"
    h = S.RINGKASAN.header_row
    assert a["Ringkasan"][f"B{h + 1}"][0] == "PEM - Pemerintahan" and f"B{h + 2}" not in a["Ringkasan"]
    assert a["Riwayat"]["H1"][:2] == ("=1+1", "f") and a["Riwayat"]["B4"][:2] == ('=HYPERLINK("x")', "s")
    assert a["(aktif)"]["sheet"] == ("Rekap",) and a["(aktif)"]["dipilih"] == ("Rekap",)
    # calamine (what every stage reads) sees the same values, and the master still loads
    fast_loaded, plain_loaded = load_master(fast), load_master(tmp_path / "plain.xlsx")
    assert fast_loaded.master is not None and fast_loaded.rows == plain_loaded.rows
    # the sheets not written are the very same bytes
    with zipfile.ZipFile(sample_master) as z0, zipfile.ZipFile(fast) as z1:
        names = {i.filename: i for i in z0.infolist()}
        indikator = _part(z0, S.INDIKATOR.sheet)
        assert z1.read(indikator) == z0.read(indikator)
        assert z1.getinfo(indikator).CRC == names[indikator].CRC


def test_marks_notes_links_dropdowns_locks_and_new_sheets_equal_openpyxl(sample_master, tmp_path):
    fast, plain, step1 = tmp_path / "fast.xlsx", tmp_path / "plain.xlsx", tmp_path / "step1.xlsx"
    shutil.copy(sample_master, plain)
    patch_file(sample_master, step1, _marks(True))
    patch_file(step1, fast, _marks(False))
    for first in (True, False):
        wb = load_workbook(plain)
        apply_to_workbook(wb, _marks(first))
        wb.save(plain)
        if first:
            one = _cells(step1)
            assert one == _cells(plain)
            assert one["Data PEM"]["K4"][6] == ("Realisasi < 0?\nPeriksa & ulangi", "kinerja")
            assert one["Data PEM"]["(lembar)"][0] is True
            assert one["Validasi"][f"G{V1 + 1}"][7] == ("https://example.org/a?b=1&c=2", None)
            assert one["Katalog Salinan"]["A1"][0] == S.KATALOG.title
            assert one["(aktif)"]["urutan"][-2:] == ("Katalog Salinan", "Lembar Kosong")
    a, b = _cells(fast), _cells(plain)
    for sheet in b:
        assert a[sheet] == b[sheet], sheet
    assert a["Data PEM"]["K4"][3] == INPUT_FILL and a["Data PEM"]["K4"][6] is None  # an input cell: yellow again
    assert a["Data PEM"]["K5"][6] == ("ganti", "kinerja") and a["Data PEM"]["(lembar)"][0] is False
    assert a["Rekap"]["C4"][6] == ("baru di rekap", "kinerja") and "L4" not in a["Rekap"]  # replaced with its row
    assert a["Validasi"][f"G{V1}"][7] == (None, "'Data PEM'!K5") and f"G{V1 + 1}" not in a["Validasi"]
    assert a["Validasi"]["(lembar)"][4][0] == (f"K{V1}:K30", "list", '"Terima,Kembalikan,Tunda"',
                                               "Pilih dari daftar: Terima; Kembalikan; Tunda")
    other = a["Validasi"]["(lembar)"][4][1][2]  # a list of items with commas: a column of the list sheet
    assert other.startswith("'Daftar Pilihan'!$") and a["Daftar Pilihan"][other.split("$")[1] + "1"][0] == "a, b"
    same = [dv[2] for dv in one["Data PEM"]["(lembar)"][4] if dv[0] == "S4:S10"]
    assert a["Rekap"]["(lembar)"][4][0][2] == same[0]  # the same list: the same column
    assert a["Daftar Pilihan"]["(lembar)"][3] == "hidden"
    assert one["Data PEM"]["(lembar)"][:3] == (True, True, None)  # locked: notes too, no filter buttons
    assert a["Data PEM"]["(lembar)"][:3] == (False, False, "A3:R3")  # unlocked: the filter back
    with zipfile.ZipFile(fast) as z:
        assert z.testzip() is None
        names = z.namelist()
        assert len(names) == len(set(names))  # every part once
        types = z.read("[Content_Types].xml").decode()
        for name in names:  # every comments part and sheet is declared
            if "comments" in name or name.startswith("xl/worksheets/sheet"):
                assert f'PartName="/{name}"' in types, name
        assert 'Extension="vml"' in types


def _part(z: zipfile.ZipFile, sheet: str) -> str:
    import re

    wb = z.read("xl/workbook.xml").decode()
    rels = z.read("xl/_rels/workbook.xml.rels").decode()
    rid = re.search(rf'<sheet [^>]*name="{re.escape(sheet)}"[^>]*r:id="([^"]+)"', wb).group(1)
    target = re.search(rf'<Relationship [^>]*Id="{rid}"[^>]*Target="([^"]+)"', rels) or \
        re.search(rf'<Relationship [^>]*Target="([^"]+)"[^>]*Id="{rid}"', rels)
    return "xl/" + target.group(1).lstrip("/").removeprefix("xl/")


def test_written_master_opens_in_libreoffice(sample_master, tmp_path):
    write_file(sample_master, _writes())
    ods = convert(sample_master, "ods", tmp_path / "lo")
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(ods))
    rekap = wb.get_sheet_by_name("Rekap").to_python()
    assert rekap[3][:3] == [1.0, "SEK", "Subbagian Umum"] and rekap[4][2] == "a & b < c > d"
    riwayat = wb.get_sheet_by_name("Riwayat").to_python()
    assert riwayat[0][7] == 2.0  # the formula, calculated by LibreOffice
    assert riwayat[3][1] == '=HYPERLINK("x")'  # text stays text
    assert wb.get_sheet_by_name("Data PEM").to_python()[3][12] == "penjelasan"


def test_write_file_keeps_the_macro_workbook_parts(tmp_path):
    master = build_master(tmp_path / "induk_kinerja.xlsm", "candipuro", read_office_data(SAMPLE))
    with zipfile.ZipFile(master) as z:
        before = {n: z.read(n) for n in ("xl/vbaProject.bin", CUSTOMUI_PART)}
    write_file(master, _writes())
    with zipfile.ZipFile(master) as z:
        assert {n: z.read(n) for n in before} == before
    loaded = load_master(master)
    assert loaded.master is not None
    assert loaded.rows["Rekap"][4][1] == "PEM"


def test_notes_stay_when_cells_are_written_and_go_with_replaced_rows(sample_master, tmp_path):
    noted = WorkbookWrites()
    noted.sheet("Data PEM").marks = [Mark("P4", SEVERITY_FILL["warning"], "Capaian tinggi")]
    noted.sheet("Rekap", S.REKAP).marks = [Mark("L4", SEVERITY_FILL["error"], "Periksa")]
    write_file(sample_master, noted)
    cells = WorkbookWrites()
    cells.sheet("Data PEM").cells.update({"K4": 7.0, "P4": 155.0})
    replace = cells.sheet("Rekap", S.REKAP)
    replace.rows = [[1, "SEK"]]
    write_file(sample_master, cells)
    wb = load_workbook(sample_master)
    ws = wb["Data PEM"]
    assert ws["K4"].value == 7.0 and ws["P4"].value == 155.0
    assert ws["P4"].comment.text == "Capaian tinggi" and ws["P4"].fill.fgColor.rgb.endswith(SEVERITY_FILL["warning"])
    assert wb["Rekap"]["B4"].value == "SEK" and wb["Rekap"]["L4"].comment is None
    with zipfile.ZipFile(sample_master) as z:  # the Rekap's empty notes part went with its drawing
        rels = z.read(_part(z, "Rekap").replace("worksheets/", "worksheets/_rels/") + ".rels").decode()
        assert "comments" not in rels and "vmlDrawing" not in rels


def test_shared_formulas_and_the_calculation_chain(sample_master, tmp_path):
    sheet_xml_error(sample_master, "A1", "#REF!")  # any formula in the first sheet
    with zipfile.ZipFile(sample_master) as z:
        part = _part(z, "Petunjuk")
        xml = z.read(part).decode().replace('<f>1/0</f>', '<f t="shared" ref="A1:A2" si="0">1/0</f>')
    set_zip_member(sample_master, part, xml.encode())
    w = WorkbookWrites()
    w.sheet("Petunjuk").cells["A1"] = "baru"
    with pytest.raises(Unsupported):
        patch_file(sample_master, tmp_path / "x.xlsx", w)
    before = sample_master.read_bytes()
    with pytest.raises(MasterNotWritable, match="tidak dapat diubah dengan aman"):
        write_file(sample_master, w)  # said in Indonesian; the master is left as it was
    assert sample_master.read_bytes() == before and not list(tmp_path.glob(".~kinerja-*"))
    chain = b'<calcChain xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><c r="A1" i="1"/></calcChain>'
    set_zip_member(sample_master, "xl/calcChain.xml", chain)
    with zipfile.ZipFile(sample_master) as z:
        rels = z.read("xl/_rels/workbook.xml.rels").decode()
        types = z.read("[Content_Types].xml").decode()
    rels = rels.replace("</Relationships>", '<Relationship Id="rIdCalc" Type="http://schemas.openxmlformats.org/'
                        'officeDocument/2006/relationships/calcChain" Target="calcChain.xml"/></Relationships>')
    types = types.replace("</Types>", '<Override PartName="/xl/calcChain.xml" ContentType="application/'
                          'vnd.openxmlformats-officedocument.spreadsheetml.calcChain+xml"/></Types>')
    set_zip_member(sample_master, "xl/_rels/workbook.xml.rels", rels.encode())
    set_zip_member(sample_master, "[Content_Types].xml", types.encode())
    w = WorkbookWrites()
    w.sheet("Data PEM").cells["K4"] = 3.0
    patch_file(sample_master, tmp_path / "y.xlsx", w)
    with zipfile.ZipFile(tmp_path / "y.xlsx") as z:
        assert "xl/calcChain.xml" not in z.namelist()
        assert b"calcChain" not in z.read("xl/_rels/workbook.xml.rels")
        assert b"calcChain" not in z.read("[Content_Types].xml")
        assert b'fullCalcOnLoad="1"' in z.read("xl/workbook.xml")
    assert load_workbook(tmp_path / "y.xlsx")["Data PEM"]["K4"].value == 3.0


def _form(path: Path) -> dict:
    """Everything a unit sees and collect reads in a form."""
    wb = load_workbook(path)
    out: dict = {"props": {p.name: p.value for p in wb.custom_doc_props.props}, "title": wb.properties.title,
                 "locked": wb.security.lockStructure, "sheets": wb.sheetnames}
    for ws in wb.worksheets:
        cells = {}
        for row in ws.iter_rows():
            for c in row:
                cells[c.coordinate] = (c.value, c.data_type, c.number_format, c.fill.fgColor.rgb if c.fill.fill_type else None,
                                       c.font.b, c.font.sz, c.font.color.rgb if c.font.color else None,
                                       c.alignment.wrap_text, c.alignment.horizontal, c.alignment.vertical,
                                       c.border.bottom.style, c.protection.locked)
        out[ws.title] = {
            "cells": {k: v for k, v in cells.items() if v[0] is not None or v[3] or v[10]},
            "heights": {r: d.height for r, d in ws.row_dimensions.items() if d.height},
            "merged": sorted(str(r) for r in ws.merged_cells.ranges),
            "validations": sorted((str(dv.sqref), dv.type, dv.formula1, dv.error, dv.prompt)
                                  for dv in ws.data_validations.dataValidation),
            "view": (ws.freeze_panes, ws.protection.sheet, ws.sheet_state, ws.print_area, ws.print_title_rows,
                     ws.page_setup.orientation, ws.max_row, ws.max_column)}
    return out


def test_forms_from_the_first_form_equal_write_form(sample_master, sample_loaded, tmp_path):
    now = datetime(2026, 10, 6, 8, 0)
    first = build_forms(sample_loaded, tmp_path / "p1", now=now)
    write_file(sample_master, first.writes)
    loaded = load_master(sample_master)  # TW I-II results in the master: a revision form shows them
    second = build_forms(loaded, tmp_path / "p2", now=now, new_round=True, units=["PEM", "YANUM", "KESOS"])
    m = loaded.master
    (tmp_path / "biasa").mkdir()
    checked = 0
    for outcome in (first, second):
        assert len(outcome.files) > 2
        for identity, path in zip(outcome.identities, outcome.files):
            plain = write_form(m, m.unit(identity.unit), identity, tmp_path / "biasa" / path.name)
            assert _form(path) == _form(plain), path.name
            checked += 1
    assert checked == len(m.units) + 3
    assert _form(second.files[1])["Formulir"]["cells"]["T15"][0]  # a revision shows what was reported


def test_returns_are_read_in_order_each_seen_once(sample_loaded, tmp_path):
    forms = blank_forms(sample_loaded, tmp_path / "formulir")
    inbox = tmp_path / "masuk"
    for n, (unit, form) in enumerate(sorted(forms.items())):
        values = typed(sample_loaded, unit, base=n)
        if n == 0:
            values[next(iter(values))]["r3"] = None  # a blank input: the error lookup is armed
        fill(form, inbox / f"{unit}.xlsx", values)
    shutil.copy(inbox / "SEK.xlsx", inbox / "SEK (1).xlsx")
    (inbox / "rusak.xlsx").write_bytes(b"PK\x03\x04 bukan zip")
    (inbox / "~$SEK.xlsx").write_bytes(b"\x00" * 165)
    paths = inbox_files(inbox)
    seen = []
    one = read_returns(paths, inbox, each=lambda rf: seen.append((rf.name, rf.table is not None)))
    assert [r.name for r in one] == [p.relative_to(inbox).as_posix() for p in paths]
    assert seen == [(r.name, r.table is not None) for r in one]
    assert sum(1 for r in one if r.table is not None) == len(forms) + 1


def test_gc_paused_restores_the_collector():
    import gc

    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(ValueError), gc_paused():
        raise ValueError
    assert gc.isenabled()


def test_what_gc_paused_made_goes_to_the_oldest_generation_and_garbage_is_still_found():
    import gc
    import weakref

    class Node:
        pass

    with gc_paused():
        kept = [[i] for i in range(1000)]
        cycle = Node()
        cycle.me = cycle  # type: ignore[attr-defined]
        gone = weakref.ref(cycle)
        del cycle
    assert gc.get_freeze_count() == 0 and gc.get_count()[0] < 100  # no young pass owed for them
    assert any(o is kept[0] for o in gc.get_objects(generation=2))
    gc.collect()
    assert gone() is None  # the cycle made while paused is still collected


def test_master_rows_are_read_from_a1_row_by_row(sample_master, tmp_path):
    from openpyxl import Workbook
    from python_calamine import CalamineWorkbook

    from kinerja.workbook.master import read_sheets

    wb = Workbook()
    wb.active["C3"], wb.active["E5"] = "mulai di C3", 2.5
    wb.create_sheet("kosong")
    wb.create_sheet("A1")["A1"] = 1
    odd = tmp_path / "geser.xlsx"
    wb.save(odd)
    for path in (odd, sample_master):
        whole = CalamineWorkbook.from_path(str(path))
        expected = {n: [tuple(None if v == "" else v for v in row)
                        for row in whole.get_sheet_by_name(n).to_python(skip_empty_area=False)]
                    for n in whole.sheet_names}
        assert read_sheets(path) == expected
    assert read_sheets(odd)["Sheet"][2] == (None, None, "mulai di C3", None, None)


def test_master_sheets_are_read_when_first_asked_for(sample_master):
    """load_master reads the sheets the model needs; a stage sheet is read when a stage asks,
    with the same rows an eager read gives."""
    from kinerja.workbook.master import read_sheets

    loaded = load_master(sample_master)
    rows = loaded.rows
    assert S.REKAP.sheet in rows and S.REKAP.sheet not in rows._rows  # type: ignore[attr-defined]
    assert S.INDIKATOR.sheet in rows._rows  # type: ignore[attr-defined]
    assert list(rows) == loaded.sheets and dict(rows) == read_sheets(sample_master)
    assert rows.get("tidak ada") is None and "tidak ada" not in rows


def _load_in_one_thread(path: Path, monkeypatch: pytest.MonkeyPatch):
    from kinerja.workbook.master import SheetRows

    with monkeypatch.context() as m:
        m.setattr(SheetRows, "prefetch", lambda self, names: None)
        return load_master(path)


def test_unit_sheets_parsed_ahead_load_as_sheets_read_when_asked(sample_master, monkeypatch):
    """load_master has the unit sheets parsed in a second thread: the same model, rows and issues
    as reading every sheet in this thread; each sheet is parsed once, by one thread or the other;
    nothing is held or running once the master is loaded."""
    import threading

    from kinerja.workbook.master import SheetRows

    alone = _load_in_one_thread(sample_master, monkeypatch)
    parse = SheetRows._parse
    parsed: list[tuple[str, str]] = []

    def counted(wb, name):
        parsed.append((threading.current_thread().name, name))
        return parse(wb, name)

    monkeypatch.setattr(SheetRows, "_parse", staticmethod(counted))
    loaded = load_master(sample_master)
    units = [u.sheet_name for u in loaded.master.units]
    assert loaded.master == alone.master and loaded.report.issues == alone.report.issues
    assert loaded.unit_rows == alone.unit_rows and all(loaded.rows[n] == alone.rows[n] for n in units)
    names = [n for _, n in parsed]
    assert sorted(names) == sorted(set(names)) and set(units) <= set(names)
    assert S.INDIKATOR.sheet in names and "kinerja-baca-induk" in {t for t, _ in parsed}
    rows = loaded.rows
    assert not rows._parsed and not rows._plan  # type: ignore[attr-defined]
    assert "kinerja-baca-induk" not in {t.name for t in threading.enumerate()}  # done when loaded


def test_a_unit_sheet_that_cannot_be_parsed_ahead_is_named_as_when_read_alone(sample_master, monkeypatch):
    """A damaged unit sheet fails in the thread parsing ahead: the load reports it as it does
    when the sheet is read where asked for, naming the sheet."""
    from kinerja.ooxml.reading import UntrustedPackage, sheet_parts

    part = sheet_parts(UntrustedPackage(sample_master.read_bytes()))["Data PEM"]
    with zipfile.ZipFile(sample_master) as z:
        xml = z.read(part)
    set_zip_member(sample_master, part, xml[:len(xml) // 2])
    ahead, alone = load_master(sample_master), _load_in_one_thread(sample_master, monkeypatch)
    assert ahead.master is None and alone.master is None
    said = [(i.code, i.message) for i in ahead.report.issues]
    assert said == [(i.code, i.message) for i in alone.report.issues]
    assert ("workbook-unreadable", said[0][1]) == said[0] and "sheet 'Data PEM'" in said[0][1]


def test_a_parser_panic_in_the_thread_reading_ahead_reaches_the_load(sample_master, monkeypatch):
    """A Rust panic (a BaseException) while a unit sheet is read ahead is raised where that sheet
    is asked for, as when it is read there; the load never waits for a thread that died."""
    import threading

    from kinerja.workbook.master import SheetRows

    class Panic(BaseException):
        pass

    parse = SheetRows._parse

    def panicking(wb, name):
        if name == "Data PEM" and threading.current_thread().name == "kinerja-baca-induk":
            raise Panic(name)
        return parse(wb, name)

    monkeypatch.setattr(SheetRows, "_parse", staticmethod(panicking))
    raised: list[BaseException] = []

    def load() -> None:
        try:
            load_master(sample_master)
        except BaseException as e:  # noqa: BLE001 - what the load let through
            raised.append(e)

    t = threading.Thread(target=load, daemon=True)
    t.start()
    t.join(30)
    assert not t.is_alive() and len(raised) == 1 and isinstance(raised[0], Panic)


def test_a_form_sized_sheet_is_bounded_without_its_cell_scan(sample_loaded, tmp_path):
    """The quick look at a return's sheets (bounded._near) finds nothing far exactly when the
    cell by cell scan finds nothing far; a stray value far below the table needs the scan."""
    from kinerja.workbook import bounded

    b = bounded.FORM_BOUNDS
    form = blank_forms(sample_loaded, tmp_path / "formulir")["SEK"]
    returned = fill(form, tmp_path / "SEK.xlsx", typed(sample_loaded, "SEK", base=1))
    with zipfile.ZipFile(returned) as z:
        xml = max((z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/sheet")), key=len)
    assert xml.count(b"<c ") > 100  # the form's sheet
    blocks = bounded.xlsx_blocks(xml)
    assert bounded._near(xml, b)
    assert bounded.far_cells("F", blocks, *bounded.extent(blocks, b)) is None
    stray = xml.replace(b"</sheetData>", b'<row r="5000"><c r="B5000" t="inlineStr"><is><t>x</t></is></c></row>'
                        b"</sheetData>")
    blocks = bounded.xlsx_blocks(stray)
    assert not bounded._near(stray, b) and bounded.far_cells("F", blocks, *bounded.extent(blocks, b)) is not None
    unnamed = xml.replace(b'<c r="A1"', b"<c", 1)  # a cell placed by its neighbour: scanned
    assert b'<c r="A1"' not in unnamed or not bounded._near(unnamed, b)


# ----------------------------------------------------------------------------------- a return's package


def _zip(members: dict[str, bytes], stored: tuple[str, ...] = ()) -> bytes:
    import io

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in members.items():
            z.writestr(name, data, zipfile.ZIP_STORED if name in stored else zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def test_package_reads_members_as_zipfile_does(sample_master):
    from kinerja.ooxml.reading import UntrustedPackage

    data = sample_master.read_bytes()
    pkg = UntrustedPackage(data)
    with zipfile.ZipFile(sample_master) as z:
        assert sorted(pkg.entries) == sorted(z.namelist())
        for name in z.namelist():
            assert pkg.read(name) == z.read(name)
        assert pkg.read("xl/workbook.xml", 40) == z.read("xl/workbook.xml")[:40]
    raw = _zip({"a.txt": b"plain " * 50, "b.txt": b"squeezed " * 500}, stored=("a.txt",))
    odd = UntrustedPackage(raw)
    assert (odd.read("a.txt"), odd.read("b.txt"), odd.read("c.txt")) == (b"plain " * 50, b"squeezed " * 500, b"")
    broken = UntrustedPackage(raw[: len(raw) // 2])  # no central directory: zipfile decides, and says why
    assert broken.error and broken.entries == {} and broken.read("a.txt") == b""


def test_custom_properties_by_pattern_equal_the_xml_parser():
    from kinerja.stages.returns import _xml, custom_properties

    def parsed(xml: bytes) -> dict[str, str]:
        root = _xml(xml)
        return {el.get("name", ""): (next(iter(el)).text or "").strip() for el in root}

    vt = 'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"'
    xml = ('<?xml version="1.0" encoding="UTF-8"?><Properties xmlns="http://schemas.openxmlformats.org/'
           'officeDocument/2006/custom-properties" ' + vt + '>'
           '<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" name="kinerja_unit">'
           '<vt:lpwstr>PEM</vt:lpwstr></property>'
           '<property name="kinerja_instansi" fmtid="{x}" pid="3">\n  <vt:lpwstr>A &amp; B &lt;C&gt; &#233;</vt:lpwstr>\n'
           '</property><property name="kosong" pid="4"><vt:lpwstr></vt:lpwstr></property></Properties>').encode()
    assert custom_properties(xml) == parsed(xml) == {"kinerja_unit": "PEM", "kinerja_instansi": "A & B <C> é",
                                                     "kosong": ""}
    odd = xml.replace(b"<vt:lpwstr>PEM</vt:lpwstr>", b"<vt:i4>7</vt:i4><vt:lpwstr>x</vt:lpwstr>")
    assert custom_properties(odd)["kinerja_instansi"] == "A & B <C> é"  # not the pattern's shape: parsed
    hostile = b'<!DOCTYPE p [<!ENTITY e "PEM">]>' + xml.replace(b">PEM<", b">&e;<")
    assert custom_properties(hostile) == {}  # a DTD goes to defusedxml, which refuses it


def test_sheet_parts_and_column_letters(sample_master):
    from openpyxl.utils import get_column_letter

    from kinerja.ooxml.opc import Package as Patched
    from kinerja.ooxml.reading import UntrustedPackage, sheet_parts
    from kinerja.ooxml.workbook import Book
    from kinerja.workbook.tables import column_letter

    parts = sheet_parts(UntrustedPackage(sample_master.read_bytes()))
    assert list(parts) == load_workbook(sample_master, read_only=True).sheetnames
    with zipfile.ZipFile(sample_master) as z:
        assert parts == Book(Patched(z)).parts  # the package writer's own reading of workbook.xml
    assert [column_letter(n) for n in range(1, 18279)] == [get_column_letter(n) for n in range(1, 18279)]
    with pytest.raises(ValueError):
        column_letter(0)


def test_a_bomb_behind_a_repeated_member_name_is_refused(tmp_path):
    from kinerja.stages.returns import read_return

    bom = tmp_path / "bom.xlsx"
    with pytest.warns(UserWarning, match="Duplicate name"), zipfile.ZipFile(bom, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
        with z.open("xl/worksheets/sheet1.xml", "w") as member:
            for _ in range(30):
                member.write(b"\x00" * 1024 * 1024)
        z.writestr("xl/worksheets/sheet1.xml", "<worksheet/>")  # the same name again, small
    rf = read_return(bom, tmp_path)
    assert rf.fatal and [i.code for i in rf.issues] == ["file-too-large"]


def test_one_resolver_finds_sheets_wherever_the_workbook_part_lies():
    """The reader asks the package's relationships for the workbook part (no fixed 'xl/') and
    resolves every target with the one resolver the patcher and the .xlsm writer use."""
    import io

    from kinerja.ooxml.parts import target_part
    from kinerja.ooxml.reading import UntrustedPackage, sheet_parts

    assert target_part("", "xl/workbook.xml") == "xl/workbook.xml"
    assert target_part("xl/workbook.xml", "worksheets/sheet1.xml") == "xl/worksheets/sheet1.xml"
    assert target_part("xl/worksheets/sheet1.xml", "../drawings/d1.xml") == "xl/drawings/d1.xml"
    assert target_part("xl/workbook.xml", "/xl/worksheets/s.xml") == "xl/worksheets/s.xml"
    assert target_part("a/b/c.xml", "./../x.xml") == "a/x.xml"

    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("_rels/.rels", f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                   f'relationships"><Relationship Id="rId1" Type="{rel}/officeDocument" '
                   f'Target="buku/kerja.xml"/></Relationships>')
        z.writestr("buku/kerja.xml", f'<workbook xmlns:r="{rel}"><sheets><sheet name="Satu" sheetId="1" '
                   f'r:id="rId1"/><sheet name="Dua" sheetId="2" r:id="rId2"/></sheets></workbook>')
        z.writestr("buku/_rels/kerja.xml.rels", '<Relationships><Relationship Id="rId1" Type="x/worksheet" '
                   'Target="../lembar/a.xml"/><Relationship Id="rId2" Type="x/worksheet" '
                   'Target="/lembar/b.xml"/></Relationships>')
    assert sheet_parts(UntrustedPackage(buf.getvalue())) == {"Satu": "lembar/a.xml", "Dua": "lembar/b.xml"}
