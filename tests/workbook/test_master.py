"""The master workbook: init, check, and every hand edit staff make, reported by sheet and cell."""

from __future__ import annotations

import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from conftest import SAMPLE
from kinerja.domain.models import NipError, Period, check_nip
from kinerja.domain.sop import list_presets, load_preset
from kinerja.libreoffice import convert
from kinerja.stages.check import check
from kinerja.workbook import sheets as S
from kinerja.workbook.master import build_master, load_master, read_office_data


@pytest.mark.parametrize("preset", list_presets())
def test_init_check_round_trips_every_preset(tmp_path, preset):
    path = build_master(tmp_path / "induk.xlsx", preset)
    loaded = check(path)
    assert loaded.master is not None, loaded.report.to_json()
    # blocked only by the placeholders a fresh master carries (tests/workbook/test_fresh_master.py)
    assert {i.code for i in loaded.report.issues if i.severity.value == "error"} == {
        "office-name-placeholder", "setting-placeholder", "official-required", "units-none",
        "indicators-none", "period-past"}
    sop = load_preset(preset)
    got = loaded.master.sop
    assert [s.no for s in got.steps] == [s.no for s in sop.steps]
    assert [s.uraian for s in got.steps] == [s.uraian for s in sop.steps]
    assert [s.pelaksana for s in got.steps] == [s.pelaksana for s in sop.steps]
    assert [s.waktu for s in got.steps] == [s.waktu for s in sop.steps]
    assert [s.tahap for s in got.steps] == [s.tahap for s in sop.steps]
    assert [s.kembali_ke for s in got.steps] == [s.kembali_ke for s in sop.steps]
    assert got.roles == sop.roles
    assert got.header.dasar_hukum == sop.header.dasar_hukum
    assert loaded.master.settings.preset == preset


def test_sample_office_loads_with_its_data(sample_loaded):
    m = sample_loaded.master
    assert m.settings.office.nama == "Kecamatan Sukamaju"
    assert m.settings.period == Period(tahun=2026, jenis="triwulan", nomor=3)
    assert len(m.units) == 6 and len(m.indicators) == 39
    assert {i.polaritas for i in m.indicators} == {"naik", "turun"}
    assert {i.metode for i in m.indicators} == {"per_triwulan", "kumulatif", "nilai_akhir"}
    assert m.settings.official("kepala").nip == "197305121998031004"
    assert m.results["SEK.01"].realisasi_tw[:2] == [2.0, 2.0]
    assert m.settings.libur[0].date.isoformat() == "2026-10-05"
    assert m.settings.letter.tembusan == ["Kepala Bappeda Kabupaten Sukamakmur",
                                          "Inspektur Kabupaten Sukamakmur"]
    assert sample_loaded.report.issues == []


def test_master_is_styled_for_staff(sample_master):
    wb = load_workbook(sample_master)
    assert wb.sheetnames[:3] == ["Petunjuk", "Pengaturan", "Pejabat"]
    assert "Data PEM" in wb.sheetnames and "Validasi" in wb.sheetnames
    ws = wb[S.INDIKATOR.sheet]
    assert ws.freeze_panes == "A4"
    assert ws["A3"].value == "Kode"
    dv_ranges = {str(dv.sqref).split(":")[0]: dv.formula1 for dv in ws.data_validations.dataValidation}
    assert dv_ranges[f"{S.INDIKATOR.letter('polaritas')}4"] == '"Naik,Turun"'
    assert dv_ranges[f"{S.INDIKATOR.letter('metode')}4"] == '"Per Triwulan,Kumulatif,Nilai Akhir"'
    assert "%" in dv_ranges[f"{S.INDIKATOR.letter('satuan')}4"]
    assert ws["F4"].fill.fgColor.rgb.endswith("FFF2CC")  # an input cell
    rekap = wb[S.REKAP.sheet]
    assert rekap["A4"].fill.fill_type is None  # computed sheets are not input-coloured


def test_libreoffice_opens_the_master(sample_master, tmp_path):
    out = convert(sample_master, "xlsx", tmp_path / "lo")
    wb = load_workbook(out)
    assert "Indikator" in wb.sheetnames
    assert wb["Indikator"]["F4"].value == "Dokumen perencanaan dan pelaporan kinerja yang tersusun tepat waktu"


# ----------------------------------------------------------------------------------- hand edits


def _edit(path: Path, fn) -> None:
    wb = load_workbook(path)
    fn(wb)
    wb.save(path)


def _issues(path: Path, code: str):
    return [i for i in load_master(path).report.issues if i.code == code]


def test_renamed_header_is_reported_at_its_cell(sample_master):
    _edit(sample_master, lambda wb: wb["Indikator"].__setitem__("H3", "Arah"))
    issues = _issues(sample_master, "header-missing")
    assert [(i.location.sheet, i.location.cell) for i in issues] == [("Indikator", "H3")]
    assert "Polaritas" in issues[0].message
    assert load_master(sample_master).report.blocking


def test_blank_row_in_the_middle_is_skipped_and_noted(sample_master):
    _edit(sample_master, lambda wb: wb["Indikator"].insert_rows(10))
    loaded = load_master(sample_master)
    blanks = [i for i in loaded.report.issues if i.code == "row-blank"]
    assert [(i.location.sheet, i.location.cell) for i in blanks] == [("Indikator", "A10")]
    assert len(loaded.master.indicators) == 39
    assert not loaded.report.blocking


def test_extra_column_is_ignored_and_noted(sample_master):
    def add(wb):
        ws = wb["Unit"]
        ws["H3"] = "Catatan Pribadi"
        ws["H4"] = "apa saja"
    _edit(sample_master, add)
    loaded = load_master(sample_master)
    extra = [i for i in loaded.report.issues if i.code == "column-extra"]
    assert [(i.location.sheet, i.location.cell) for i in extra] == [("Unit", "H3")]
    assert len(loaded.master.units) == 6


@pytest.mark.parametrize("typed, expected, code", [("85%", 85.0, "number-reformatted"),
                                                    ("1.234,5", 1234.5, "number-reformatted"),
                                                    ("dua belas", 12.0, "number-words")])
def test_target_typed_as_text_is_read_and_reported(sample_master, typed, expected, code):
    col = S.INDIKATOR.letter("target_tahunan")
    _edit(sample_master, lambda wb: wb["Indikator"].__setitem__(f"{col}5", typed))
    loaded = load_master(sample_master)
    issue = next(i for i in loaded.report.issues if i.code == code)
    assert (issue.location.sheet, issue.location.cell) == ("Indikator", f"{col}5")
    assert loaded.master.indicator("SEK.02").target_tahunan == expected


def test_target_not_a_number_is_an_error_at_its_cell(sample_master):
    col = S.INDIKATOR.letter("tw3")
    _edit(sample_master, lambda wb: wb["Indikator"].__setitem__(f"{col}6", "banyak"))
    issue = _issues(sample_master, "number-invalid")[0]
    assert (issue.location.sheet, issue.location.cell) == ("Indikator", f"{col}6")
    assert "banyak" in issue.message


def test_unit_code_used_twice(sample_master):
    _edit(sample_master, lambda wb: wb["Unit"].__setitem__("A6", "SEK"))
    issue = _issues(sample_master, "unit-duplicate")[0]
    assert (issue.location.sheet, issue.location.cell) == ("Unit", "A6")
    assert "baris 4" in issue.message


def test_indicator_pointing_at_unknown_unit(sample_master):
    _edit(sample_master, lambda wb: wb["Indikator"].__setitem__("B7", "XYZ"))
    issue = _issues(sample_master, "indicator-unknown-unit")[0]
    assert (issue.location.sheet, issue.location.cell) == ("Indikator", "B7")
    assert "XYZ" in issue.message


def test_bad_choice_nip_and_duration(sample_master):
    def edit(wb):
        wb["Indikator"][f"{S.INDIKATOR.letter('polaritas')}4"] = "Menurun"
        wb["Pejabat"]["E4"] = "19731312199803100"
        wb["Langkah SOP"]["E5"] = "sebentar"
    _edit(sample_master, edit)
    report = load_master(sample_master).report
    where = {(i.code, i.location.sheet, i.location.cell) for i in report.issues}
    assert ("choice-invalid", "Indikator", f"{S.INDIKATOR.letter('polaritas')}4") in where
    assert ("nip-invalid", "Pejabat", "E4") in where
    assert ("duration-invalid", "Langkah SOP", "E5") in where


def test_renamed_sheet_and_missing_setting(sample_master):
    def edit(wb):
        wb["Unit"].title = "Daftar Unit"
        ws = wb["Pengaturan"]
        for row in ws.iter_rows(min_row=1, max_col=1):
            if row[0].value == "Tahun":
                row[0].value = "Tahun Anggaran"
    _edit(sample_master, edit)
    report = load_master(sample_master).report
    assert ("sheet-missing", "Unit") in {(i.code, i.location.sheet) for i in report.issues}
    missing = next(i for i in report.issues if i.code == "setting-missing")
    assert "Tahun" in missing.message and missing.location.sheet == "Pengaturan"


def test_not_a_workbook(tmp_path):
    bad = tmp_path / "induk.xlsx"
    bad.write_bytes(b"bukan excel")
    loaded = load_master(bad)
    assert loaded.master is None
    assert [i.code for i in loaded.report.issues] == ["workbook-unreadable"]


# ----------------------------------------------------------------------------------- NIP


@pytest.mark.parametrize("nip, kind", [("19720818 199403 1 009", "PNS"),
                                       ("198807232011011002", "PNS"),
                                       ("199001152023212010", "PPPK")])
def test_valid_nip(nip, kind):
    digits, got = check_nip(nip)
    assert len(digits) == 18 and got == kind


@pytest.mark.parametrize("nip, fragment", [("1972081819940310", "18 angka"),
                                           ("197213181994031009", "tanggal lahir"),
                                           ("197208181994033009", "jenis kelamin"),
                                           ("197208181985031009", "pengangkatan"),
                                           ("197208181994001009", "00")])
def test_invalid_nip(nip, fragment):
    with pytest.raises(NipError, match=fragment):
        check_nip(nip)


# ----------------------------------------------------------------------------------- hypothesis

_name = st.text(alphabet=string.ascii_letters + " .,'-&", min_size=1, max_size=40).filter(str.strip).map(str.strip)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(nama=_name, pemerintah=_name, tempat=_name, tahun=st.integers(2020, 2035),
       jenis=st.sampled_from(["triwulan", "semester", "tahunan"]), nomor=st.integers(1, 2),
       kepala=_name, preset=st.sampled_from(list_presets()))
def test_office_data_round_trips(tmp_path_factory, nama, pemerintah, tempat, tahun, jenis, nomor, kepala, preset):
    data = read_office_data(SAMPLE)
    data.settings.update(nama_instansi=nama, pemerintah=pemerintah, tempat=tempat, tahun=tahun,
                         jenis_periode=jenis, nomor_periode=None if jenis == "tahunan" else nomor)
    data.officials[0]["nama"] = kepala
    path = build_master(tmp_path_factory.mktemp("h") / "induk.xlsx", preset, data)
    loaded = load_master(path)
    assert loaded.master is not None, loaded.report.to_json()
    s = loaded.master.settings
    assert (s.office.nama, s.office.pemerintah, s.office.tempat) == (nama, pemerintah, tempat)
    assert s.period == Period(tahun=tahun, jenis=jenis, nomor=None if jenis == "tahunan" else nomor)
    assert s.official("kepala").nama == kepala
    assert len(loaded.master.indicators) == 39


def test_check_warns_when_the_year_has_no_cuti_bersama(sample_master):
    from datetime import datetime

    from kinerja.domain.workcal import cuti_bersama_known

    assert not [i for i in check(sample_master).report.issues if i.code == "holidays-unknown"]  # 2026: decreed
    year = next(y for y in range(2030, 2101) if not cuti_bersama_known(y))

    def to_year(wb, libur: bool):
        for row in wb["Pengaturan"].iter_rows(min_row=1, max_col=2):
            if row[0].value == "Tahun":
                row[1].value = year
        ws = wb[S.LIBUR.sheet]
        ws.delete_rows(S.LIBUR.header_row + 1, ws.max_row)
        if libur:
            ws.cell(S.LIBUR.header_row + 1, 1, datetime(year, 12, 24))
            ws.cell(S.LIBUR.header_row + 1, 2, "Cuti bersama Natal")

    _edit(sample_master, lambda wb: to_year(wb, libur=False))
    [issue] = [i for i in check(sample_master).report.issues if i.code == "holidays-unknown"]
    assert issue.severity.value == "warning" and issue.location.sheet == S.LIBUR.sheet
    assert str(year) in issue.message and issue.location.cell == f"A{S.LIBUR.header_row + 1}"
    _edit(sample_master, lambda wb: to_year(wb, libur=True))  # the office listed its own: no warning
    assert not [i for i in check(sample_master).report.issues if i.code == "holidays-unknown"]
