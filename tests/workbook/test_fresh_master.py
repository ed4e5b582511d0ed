"""One way to make a master: `kinerja init KANTOR.xlsm --preset NAME`, honest about its placeholders,
filled in by typing or pasting, or made from an earlier master or a plain workbook (--data)."""

from __future__ import annotations

import os
import shutil
import subprocess
import zipfile
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from typer.testing import CliRunner

from kinerja.cli.commands import app
from kinerja.domain.models import Period
from kinerja.ooxml.xlsm import CUSTOMUI_PART
from kinerja.stages.check import check
from kinerja.workbook import sheets as S
from kinerja.workbook.lists import LIST_SHEET
from kinerja.workbook.macro import PANEL_SHEET
from kinerja.workbook.master import build_master, load_master, period_long_past, read_office_data

PLACEHOLDERS = {"office-name-placeholder", "setting-placeholder", "official-required", "units-none",
                "indicators-none", "period-past"}
runner = CliRunner()


def soffice(args: list[str], tmp: Path) -> None:
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    assert exe, "LibreOffice (soffice) is required for this test"
    profile = tmp / "lo-profile"
    subprocess.run([exe, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore", *args],
                   cwd=tmp, check=True, timeout=300, capture_output=True, env={**os.environ, "HOME": str(profile)})


def petunjuk_lines(path: Path, tmp: Path) -> list[str]:
    """The 'Siap dipakai?' lines as LibreOffice computes the Petunjuk sheet's formulas."""
    out = tmp / "lo-xlsx"
    soffice(["--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out), str(path)], tmp)
    ws = load_workbook(out / (path.stem + ".xlsx"), data_only=True)["Petunjuk"]
    return [str(ws.cell(r, 1).value) for r in range(5, 15)]


@pytest.fixture(scope="module")
def fresh(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("fresh")
    result = runner.invoke(app, ["init", str(tmp / "kantor.xlsm"), "--preset", "muara_papalik"])
    assert result.exit_code == 0, result.output
    return tmp / "kantor.xlsm"


def test_fresh_ribbon_master_has_panel_ribbon_and_vba_that_libreoffice_imports(fresh, tmp_path):
    with zipfile.ZipFile(fresh) as z:
        names = z.namelist()
    assert CUSTOMUI_PART in names and "xl/vbaProject.bin" in names
    wb = load_workbook(fresh, keep_vba=True)
    assert wb.sheetnames[:2] == ["Petunjuk", PANEL_SHEET]
    assert wb[LIST_SHEET].sheet_state == "hidden" and wb.sheetnames[-1] == LIST_SHEET
    from oletools.olevba import VBA_Parser

    parser = VBA_Parser(str(fresh))
    modules = {Path(name).stem for _, _, name, _ in parser.extract_macros()}
    parser.close()
    assert {"Kinerja", "ThisWorkbook"} <= modules and "xlwings" not in modules
    soffice(["--convert-to", "ods", "--outdir", str(tmp_path / "ods"), str(fresh)], tmp_path)
    with zipfile.ZipFile(tmp_path / "ods" / "kantor.ods") as z:
        basic = {n.split("/")[-1][:-4] for n in z.namelist() if n.startswith("Basic/VBAProject/")
                 and n.endswith(".xml") and not n.endswith(("script-lb.xml", "dialog-lb.xml"))}
    assert basic == modules, "every VBA module is imported by LibreOffice"


def test_fresh_master_lists_every_placeholder_as_an_error(fresh, tmp_path):
    result = runner.invoke(app, ["check", str(fresh), "--json"])
    assert result.exit_code == 1
    loaded = check(fresh)
    errors = [i for i in loaded.report.issues if i.severity.value == "error"]
    assert {i.code for i in errors} == PLACEHOLDERS
    assert len([i for i in errors if i.code == "official-required"]) == 3
    assert {i.params["key"] for i in errors if i.code == "setting-placeholder"} == {
        "Pemerintah Daerah", "Tempat Penandatanganan", "Tujuan Surat (Yth.)"}
    for i in errors:  # each says where to type what
        assert i.location.sheet and (i.location.cell or i.code == "official-required"), i
        assert "sheet" in i.action
    lines = petunjuk_lines(fresh, tmp_path)
    assert all(line.startswith(("BELUM", "PERIKSA")) for line in lines), lines


def _fill_in(path: Path) -> None:
    """What staff do: type the office's settings and officials, type two units, paste a
    Perjanjian Kinerja table (its own column order, a 'No' column, a title row above)."""
    wb = load_workbook(path)
    ws = wb[S.SETTINGS_SHEET]
    for row in ws.iter_rows(min_row=4):
        label, cell = row[0].value, row[1]
        new = {"Nama Instansi": "Kecamatan Muara Papalik Kabupaten Musi Rawas Utara",
               "Pemerintah Daerah": "Pemerintah Kabupaten Musi Rawas Utara", "Tempat Penandatanganan": "Muara Papalik",
               "Tujuan Surat (Yth.)": "Bupati Musi Rawas Utara", "Tahun": date.today().year,
               "Nomor Periode": ["I", "II", "III", "IV"][(date.today().month - 1) // 3]}
        if label in new:
            cell.value = new[label]
    ws = wb[S.PEJABAT.sheet]
    for row in ws.iter_rows(min_row=4, max_row=6):
        row[1].value, row[2].value, row[4].value = f"Jabatan {row[0].value}", f"NAMA {row[0].value}", "197305121998031004"
    ws = wb[S.UNIT.sheet]
    ws["A4"], ws["B4"], ws["A5"], ws["B5"] = "SEK", "Sekretariat", "PEM", "Seksi Pemerintahan"
    ws = wb[S.INDIKATOR.sheet]
    for row in ws.iter_rows(min_row=1, max_row=ws.max_row):
        for c in row:
            c.value = None
    pasted = [["PERJANJIAN KINERJA TAHUN 2027"],
              ["No", "Sasaran", "Indikator Kinerja", "Satuan", "Target", "Kode", "Unit", "Polaritas", "Metode",
               "TW I", "TW II", "TW III", "TW IV"],
              [1, "Meningkatnya akuntabilitas", "Dokumen perencanaan tepat waktu", "dokumen", 8, "SEK.01", "SEK",
               "Naik", "Kumulatif", 2, 2, 2, 2],
              [2, "Meningkatnya pelayanan", "Persentase layanan selesai tepat waktu", "%", 95, "PEM.01", "PEM",
               "Naik", "Nilai Akhir", 80, 85, 90, 95]]
    for r, values in enumerate(pasted, 1):
        for c, v in enumerate(values, 1):
            ws.cell(r, c, v)
    wb.save(path)


def test_a_filled_in_master_passes_check_and_its_petunjuk_says_so(tmp_path):
    path = build_master(tmp_path / "kantor.xlsx", "muara_papalik")
    _fill_in(path)
    loaded = check(path)
    assert not loaded.report.blocking, [(i.code, i.location.text(), i.message) for i in loaded.report.issues]
    m = loaded.master
    assert [u.kode for u in m.units] == ["SEK", "PEM"]
    assert [(i.kode, i.unit, i.metode, i.target_tahunan, i.target_tw) for i in m.indicators] == [
        ("SEK.01", "SEK", "kumulatif", 8, [2, 2, 2, 2]), ("PEM.01", "PEM", "nilai_akhir", 95, [80, 85, 90, 95])]
    assert "unit-sheet-absent" in loaded.report.codes()  # typed units: their sheets come with the first return
    assert not PLACEHOLDERS & loaded.report.codes()
    lines = petunjuk_lines(path, tmp_path)
    assert all(line.startswith("SUDAH") for line in lines), lines


def test_period_long_past():
    assert period_long_past(Period(tahun=2026, jenis="triwulan", nomor=1), date(2026, 7, 1))
    assert not period_long_past(Period(tahun=2026, jenis="triwulan", nomor=1), date(2026, 6, 30))
    assert not period_long_past(Period(tahun=2026, jenis="triwulan", nomor=4), date(2027, 3, 31))
    assert period_long_past(Period(tahun=2026, jenis="semester", nomor=2), date(2027, 7, 1))
    assert not period_long_past(Period(tahun=2026, jenis="tahunan"), date(2027, 12, 31))


def test_data_from_an_earlier_master(tmp_path, sample_master):
    new = tmp_path / "baru.xlsm"
    result = runner.invoke(app, ["init", str(new), "--preset", "muara_papalik", "--data", str(sample_master)])
    assert result.exit_code == 0, result.output
    old, got = load_master(sample_master).master, load_master(new).master
    assert got.settings.office == old.settings.office and got.settings.period == old.settings.period
    assert got.settings.officials == old.settings.officials
    assert [u.model_dump() for u in got.units] == [u.model_dump() for u in old.units]
    assert [(i.kode, i.nama, i.target_tw, i.metode, i.wajib_bukti) for i in got.indicators] == [
        (i.kode, i.nama, i.target_tw, i.metode, i.wajib_bukti) for i in old.indicators]
    assert got.results == old.results
    assert got.settings.preset == "muara_papalik"


def test_data_from_a_plain_workbook(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.title = "Daftar Seksi"
    ws.append(["Kode Unit", "Nama Unit", "Nama Kepala"])
    ws.append(["TRA", "Seksi Trantib", "BUDI"])
    pk = wb.create_sheet("PK 2027")
    pk.append(["Kode", "Unit", "Indikator Kinerja", "Satuan", "Polaritas", "Metode", "Target"])
    pk.append(["TRA.01", "TRA", "Jumlah patroli", "kali", "Naik", "Per Triwulan", 48])
    wb.save(tmp_path / "data.xlsx")
    data = read_office_data(tmp_path / "data.xlsx")
    assert [u["kode"] for u in data.units] == ["TRA"]
    assert [(i["kode"], i["polaritas"], i["target_tahunan"]) for i in data.indicators] == [
        ("TRA.01", "naik", 48.0)]
    path = build_master(tmp_path / "induk.xlsx", "candipuro", data)
    m = load_master(path).master
    assert m.units[0].nama == "Seksi Trantib" and m.indicators[0].nama == "Jumlah patroli"
    broken = Workbook()
    broken.active.append(["Apa", "Ini"])
    broken.save(tmp_path / "kosong.xlsx")
    result = runner.invoke(app, ["init", str(tmp_path / "x.xlsx"), "--data", str(tmp_path / "kosong.xlsx")])
    assert result.exit_code == 2 and "Kode Unit" in result.output
