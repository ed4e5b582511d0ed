"""Identifiers are text: a NIP typed into a General cell (a number, 15 significant digits) is an
error at its cell, never a silently changed NIP; codes typed as numbers are read as the text
Excel shows, with a warning; impossible NIPs (sequence 000, month 13-99 outside the PPPK code,
impossible birth dates) are errors."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from kinerja.domain.models import NipError, check_nip
from kinerja.workbook import sheets as S
from kinerja.workbook.master import load_master

TODAY = date(2026, 10, 1)
KEPALA = "197305121998031004"  # Pejabat row 4 of the sample


def edit(master: Path, sheet: str, cells: dict) -> None:
    wb = load_workbook(master)
    for ref, value in cells.items():
        wb[sheet][ref] = value
    wb.save(master)


def nip_cell(table, row: int = S.FIRST_DATA_ROW, key: str = "nip") -> str:
    return f"{table.letter(key)}{row}"


@pytest.mark.parametrize("typed", [1.97305121998031e17, int(KEPALA)], ids=["general-cell", "exact-integer"])
def test_nip_typed_as_a_number_is_an_error_at_its_cell(sample_master, typed):
    """The Camat's NIP typed into a General cell: Excel keeps 15 significant digits, so
    ...1004 comes back as ...1000 (or ...1008 through a float): never printed, an error."""
    cell = nip_cell(S.PEJABAT)
    edit(sample_master, S.PEJABAT.sheet, {cell: typed})
    loaded = load_master(sample_master)
    found = loaded.report.by_code("nip-number")
    assert [(i.severity.value, i.location.sheet, i.location.cell) for i in found] == [("error", "Pejabat", cell)]
    assert "1.97305121998031E+17" in found[0].message and "Text" in found[0].action
    assert "'197305121998031004" in found[0].action  # the apostrophe way, spelled out
    kepala = loaded.master.settings.official("kepala")
    assert kepala is not None and kepala.nip == ""  # kept, without a NIP that was not read right
    assert all(o.nip in ("", "198102142006042011", "198807232011011002")
               for o in loaded.master.settings.officials.values())


def test_unit_head_nip_as_number_keeps_the_unit(sample_master):
    cell = nip_cell(S.UNIT, key="nip_kepala")
    edit(sample_master, S.UNIT.sheet, {cell: 198506172010012015})
    loaded = load_master(sample_master)
    assert [i.location.cell for i in loaded.report.by_code("nip-number")] == [cell]
    sek = loaded.master.unit("SEK")
    assert sek is not None and sek.nip_kepala == "" and not loaded.report.by_code("indicator-unknown-unit")


def test_master_formats_nip_and_code_cells_as_text(sample_master):
    """So that typing a NIP in Excel keeps 18 digits, also in the empty rows below the data."""
    wb = load_workbook(sample_master)
    for table, key in ((S.PEJABAT, "nip"), (S.UNIT, "nip_kepala"), (S.UNIT, "kode"), (S.INDIKATOR, "kode")):
        ws = wb[table.sheet]
        for row in (S.FIRST_DATA_ROW, S.FIRST_DATA_ROW + 30):
            assert ws[f"{table.letter(key)}{row}"].number_format == "@", (table.sheet, key, row)
    ws = wb[S.SETTINGS_SHEET]
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(row=r, column=1).value == "Kode Unit Surat")
    assert ws.cell(row=row, column=2).value == "435.501" and ws.cell(row=row, column=2).number_format == "@"


def test_codes_typed_as_numbers_are_read_as_shown_with_a_warning(sample_master):
    """Unit code 12 and indicator code 1.10 typed into General cells: Excel stores 12 and 1.1.
    They are read as the text Excel shows ('12', '1.1'), and each is reported at its cell."""
    wb = load_workbook(sample_master)
    unit, ind = wb[S.UNIT.sheet], wb[S.INDIKATOR.sheet]
    unit[f"A{unit.max_row + 1}"] = 12
    r_unit = unit.max_row
    unit[f"B{r_unit}"] = "Seksi Dua Belas"
    r_ind = ind.max_row + 1
    for key, value in {"kode": 1.1, "unit": 12, "nama": "Indikator baru", "satuan": "%", "polaritas": "Naik",
                       "metode": "Per Triwulan", "tw3": 10}.items():
        ind[f"{S.INDIKATOR.letter(key)}{r_ind}"] = value
    ind[f"{S.INDIKATOR.letter('kode')}{r_ind + 1}"] = datetime(2026, 10, 1)  # '1-10' became a date
    ind[f"{S.INDIKATOR.letter('unit')}{r_ind + 1}"] = "SEK"
    ind[f"{S.INDIKATOR.letter('nama')}{r_ind + 1}"] = "Indikator bertanggal"
    wb.save(sample_master)
    loaded = load_master(sample_master)
    warned = {(i.location.sheet, i.location.cell): i for i in loaded.report.by_code("id-number")}
    assert set(warned) >= {(S.UNIT.sheet, f"A{r_unit}"), (S.INDIKATOR.sheet, f"A{r_ind}"),
                           (S.INDIKATOR.sheet, f"B{r_ind}")}
    assert all(i.severity.value == "warning" for i in warned.values())
    assert "'1.1'" in warned[(S.INDIKATOR.sheet, f"A{r_ind}")].message
    assert loaded.master.unit("12") is not None
    new = loaded.master.indicator("1.1")
    assert new is not None and new.unit == "12"
    dated = loaded.report.by_code("id-date")
    assert [(i.severity.value, i.location.cell) for i in dated] == [("error", f"A{r_ind + 1}")]
    assert "01/10/2026" in dated[0].message


@pytest.mark.parametrize("nip, why", [
    ("197305121998031000", "nomor urut 000"),
    ("197305121998131004", "bulan pengangkatan 13"),
    ("197305121998991004", "bulan pengangkatan 99"),
    ("197305121998001004", "bulan pengangkatan 00"),
    ("197305122015211004", "PPPK baru ada sejak 2019"),  # the PPPK code before PPPK existed
    ("197302301998031004", "tanggal lahir 30-02-1973"),
    ("197305121998033004", "jenis kelamin"),
    ("197305121985031004", "tahun pengangkatan 1985"),  # appointed at 12
    ("197305122027011004", "tahun pengangkatan 2027"),
    ("197305121998031", "18 angka"),
])
def test_impossible_nips_are_errors(nip, why):
    with pytest.raises(NipError, match=why):
        check_nip(nip, today=TODAY)


def test_pns_and_pppk_numbers():
    assert check_nip("19730512 199803 1 004", today=TODAY) == (KEPALA, "PNS")
    assert check_nip("19910807 202321 1 008", today=TODAY) == ("199108072023211008", "PPPK")
    assert check_nip("199108072019212001", today=TODAY)[1] == "PPPK"  # the first PPPK year


def test_impossible_nip_in_the_master_is_an_error_at_its_cell(sample_master):
    cell = nip_cell(S.PEJABAT, S.FIRST_DATA_ROW + 1)
    edit(sample_master, S.PEJABAT.sheet, {cell: "198102142006142011"})
    loaded = load_master(sample_master)
    found = loaded.report.by_code("nip-invalid")
    assert [(i.location.sheet, i.location.cell) for i in found] == [("Pejabat", cell)]
    assert "bulan pengangkatan 14" in found[0].message
