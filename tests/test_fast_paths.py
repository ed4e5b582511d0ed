"""The fast paths of a large collection give what the plain paths give: the package writer
(kinerja.writing.package) against openpyxl cell for cell, and reading returns with two threads
against one."""

from __future__ import annotations

import shutil
import zipfile
from datetime import date, datetime, time
from pathlib import Path

import pytest
from openpyxl import load_workbook

from kinerja import sheets as S
from kinerja.collect import inbox_files, read_returns
from kinerja.excel.xlsm import CUSTOMUI_PART
from kinerja.forms import build_forms, write_form
from kinerja.master import build_master, load_master, read_office_data
from kinerja.office import convert
from kinerja.writing.book import apply_to_workbook
from kinerja.writing.description import Formula, Mark, WorkbookWrites
from kinerja.writing.files import gc_paused, write_file
from kinerja.writing.style import SEVERITY_FILL
from kinerja.writing.package.parts import Unsupported
from kinerja.writing.package.patch import patch_file

from collect_helpers import blank_forms, fill, set_zip_member, sheet_xml_error, typed
from conftest import SAMPLE


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


def _cells(path: Path) -> dict[str, dict[str, tuple]]:
    wb = load_workbook(path)
    out = {}
    for ws in wb.worksheets:
        cells = {}
        for row in ws.iter_rows():
            for c in row:
                fill = c.fill.fgColor.rgb[-6:] if c.fill is not None and c.fill.fill_type == "solid" else None
                value = c.value
                if c.data_type == "n" and value is None:
                    value = None
                if value is None and fill is None and c.number_format == "General":
                    continue  # an empty, unstyled cell is no cell
                cells[c.coordinate] = (value, c.data_type if value is not None else None, c.number_format,
                                       fill, bool(c.font.b), c.alignment.wrap_text)
        out[ws.title] = cells
    out["(aktif)"] = {"sheet": (wb.active.title,), "dipilih": tuple(w.title for w in wb.worksheets
                                                                      if w.sheet_view.tabSelected)}
    return out


def test_package_writer_equals_openpyxl_cell_for_cell(sample_master, tmp_path):
    fast, plain = tmp_path / "fast.xlsx", tmp_path / "plain.xlsx"
    patch_file(sample_master, fast, _writes())
    wb = load_workbook(sample_master)
    apply_to_workbook(wb, _writes())
    wb.save(plain)
    a, b = _cells(fast), _cells(plain)
    assert a.keys() == b.keys()
    for sheet in b:
        assert a[sheet] == b[sheet], sheet
    assert a["Rekap"]["B5"][0] == "PEM" and a["Rekap"]["C5"][0] == "a & b < c > d"
    assert a["Rekap"]["D5"][2] == "dd/mm/yyyy hh:mm" and a["Waktu SOP"]["E5"][2] == "yyyy-mm-dd h:mm:ss"
    assert a["Waktu SOP"]["E5"][0] == datetime(2026, 10, 6, 9) and a["Rekap"]["M4"][0] == "Tinggi"
    h = S.RINGKASAN.header_row
    assert a["Ringkasan"][f"B{h + 1}"][0] == "PEM - Pemerintahan" and f"B{h + 2}" not in a["Ringkasan"]
    assert a["Riwayat"]["H1"][:2] == ("=1+1", "f") and a["Riwayat"]["B4"][:2] == ('=HYPERLINK("x")', "s")
    assert a["(aktif)"] == {"sheet": ("Rekap",), "dipilih": ("Rekap",)}
    # calamine (what every stage reads) sees the same values, and the master still loads
    fast_loaded, plain_loaded = load_master(fast), load_master(plain)
    assert fast_loaded.master is not None and fast_loaded.rows == plain_loaded.rows
    # the sheets not written are the very same bytes
    with zipfile.ZipFile(sample_master) as z0, zipfile.ZipFile(fast) as z1:
        names = {i.filename: i for i in z0.infolist()}
        indikator = _part(z0, S.INDIKATOR.sheet)
        assert z1.read(indikator) == z0.read(indikator)
        assert z1.getinfo(indikator).CRC == names[indikator].CRC


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


def test_what_the_package_writer_leaves_to_openpyxl(sample_master, tmp_path):
    marks = WorkbookWrites()
    marks.sheet("Rekap", S.REKAP).marks = [Mark("L4", SEVERITY_FILL["error"], "Periksa")]
    new_sheet = WorkbookWrites()
    new_sheet.sheet("Lembar Baru").cells["A1"] = 1
    for w in (marks, new_sheet):
        with pytest.raises(Unsupported):
            patch_file(sample_master, tmp_path / "x.xlsx", w)
    # a sheet with notes keeps them when its rows are replaced: openpyxl does it
    write_file(sample_master, marks)
    replace = WorkbookWrites()
    replace.sheet("Rekap", S.REKAP).rows = [[1, "SEK"]]
    with pytest.raises(Unsupported):
        patch_file(sample_master, tmp_path / "y.xlsx", replace)
    write_file(sample_master, replace)
    ws = load_workbook(sample_master)["Rekap"]
    assert ws["B4"].value == "SEK" and ws["L4"].comment is None
    # single cells on a sheet with notes are written in the package, the notes stay
    noted = WorkbookWrites()
    noted.sheet("Data PEM").marks = [Mark("P4", SEVERITY_FILL["warning"], "Capaian tinggi")]
    write_file(sample_master, noted)
    cells = WorkbookWrites()
    cells.sheet("Data PEM").cells.update({"K4": 7.0, "P4": 155.0})
    patch_file(sample_master, tmp_path / "z.xlsx", cells)
    ws = load_workbook(tmp_path / "z.xlsx")["Data PEM"]
    assert ws["K4"].value == 7.0 and ws["P4"].value == 155.0
    assert ws["P4"].comment.text == "Capaian tinggi" and ws["P4"].fill.fgColor.rgb.endswith(SEVERITY_FILL["warning"])


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


def test_two_reading_threads_read_what_one_reads(sample_loaded, tmp_path):
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
    one, two = read_returns(paths, inbox, workers=1), read_returns(paths, inbox, workers=2)
    assert [r.name for r in one] == [p.relative_to(inbox).as_posix() for p in paths]

    def seen(r):
        return (r.name, r.sha256, r.kind, r.identity, r.fatal, r.skipped, [i.code for i in r.issues],
                r.table.rows if r.table else None, r._errors)

    assert [seen(r) for r in one] == [seen(r) for r in two]
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


def test_master_rows_are_read_from_a1_row_by_row(sample_master, tmp_path):
    from openpyxl import Workbook
    from python_calamine import CalamineWorkbook

    from kinerja.master import read_sheets

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


# ----------------------------------------------------------------------------------- a return's package


def _zip(members: dict[str, bytes], stored: tuple[str, ...] = ()) -> bytes:
    import io

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in members.items():
            z.writestr(name, data, zipfile.ZIP_STORED if name in stored else zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def test_package_reads_members_as_zipfile_does(sample_master):
    from kinerja.returns import Package

    data = sample_master.read_bytes()
    pkg = Package(data)
    with zipfile.ZipFile(sample_master) as z:
        assert sorted(pkg.entries) == sorted(z.namelist())
        for name in z.namelist():
            assert pkg.read(name) == z.read(name)
        assert pkg.read("xl/workbook.xml", 40) == z.read("xl/workbook.xml")[:40]
    raw = _zip({"a.txt": b"plain " * 50, "b.txt": b"squeezed " * 500}, stored=("a.txt",))
    odd = Package(raw)
    assert (odd.read("a.txt"), odd.read("b.txt"), odd.read("c.txt")) == (b"plain " * 50, b"squeezed " * 500, b"")
    broken = Package(raw[: len(raw) // 2])  # no central directory: zipfile decides, and says why
    assert broken.error and broken.entries == {} and broken.read("a.txt") == b""


def test_custom_properties_by_pattern_equal_the_xml_parser():
    from kinerja.returns import _xml, custom_properties

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

    from kinerja.returns import Package, sheet_parts
    from kinerja.tables import column_letter

    from kinerja.writing.package.workbook import Book

    parts = sheet_parts(Package(sample_master.read_bytes()))
    assert list(parts) == load_workbook(sample_master, read_only=True).sheetnames
    with zipfile.ZipFile(sample_master) as z:
        assert parts == Book(z).parts  # the package writer's own reading of workbook.xml
    assert [column_letter(n) for n in range(1, 18279)] == [get_column_letter(n) for n in range(1, 18279)]
    with pytest.raises(ValueError):
        column_letter(0)


def test_a_bomb_behind_a_repeated_member_name_is_refused(tmp_path):
    from kinerja.returns import read_return

    bom = tmp_path / "bom.xlsx"
    with pytest.warns(UserWarning, match="Duplicate name"), zipfile.ZipFile(bom, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
        with z.open("xl/worksheets/sheet1.xml", "w") as member:
            for _ in range(30):
                member.write(b"\x00" * 1024 * 1024)
        z.writestr("xl/worksheets/sheet1.xml", "<worksheet/>")  # the same name again, small
    rf = read_return(bom, tmp_path)
    assert rf.fatal and [i.code for i in rf.issues] == ["file-too-large"]
