"""SOP steps 1-4: unit forms, their identity, the receipt, the disposisi and the distribution log.

The forms are filled the way a unit does (openpyxl, values in the yellow cells only), then
recalculated by LibreOffice; every capaian cell must equal the Python computation.
"""

from __future__ import annotations

import csv
import json
import shutil
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from python_calamine import CalamineWorkbook
from typer.testing import CliRunner

from kinerja.cli.commands import app
from kinerja.domain.capaian import achievement, excel_capaian_formula
from kinerja.domain.models import Result
from kinerja.libreoffice import convert_many
from kinerja.stages.forms import INPUT_FILL, build_forms, build_receipt, current_round, distribution_log
from kinerja.stages.returns import read_identity
from kinerja.workbook import sheets as S
from kinerja.workbook.book import last_data_row
from kinerja.workbook.files import write_file
from kinerja.workbook.formspec import (
    COLUMNS,
    FORM_SHEET,
    HEADER_ROW,
    ID_SHEET,
    PROP_PREFIX,
    indicator_checksum,
    input_keys,
)
from kinerja.workbook.master import load_master

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data" / "sukamaju"
NOW = datetime(2026, 10, 6, 8, 0)
KEYS = [k for k, _ in COLUMNS]
COL = {k: j for j, k in enumerate(KEYS, 1)}


# ----------------------------------------------------------------------------------- helpers


def isian_tw3() -> dict[str, dict[str, Any]]:
    """What each unit types for TW III (sample_data/sukamaju/isian_tw3.csv)."""
    with (SAMPLE / "isian_tw3.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return {r["kode"]: {"r3": float(r["r3"]), "penjelasan": r["penjelasan"] or None, "bukti": r["bukti"] or None,
                        "realisasi_anggaran": float(r["realisasi_anggaran"]) if r["realisasi_anggaran"] else None}
            for r in rows}


def form_rows(ws) -> dict[str, int]:
    """Indicator code -> row on the form sheet."""
    assert [ws.cell(row=HEADER_ROW, column=j).value for j in range(1, len(KEYS) + 1)] == [h for _, h in COLUMNS]
    out = {}
    for r in range(HEADER_ROW + 1, ws.max_row + 1):
        code = ws.cell(row=r, column=COL["kode"]).value
        if code:
            out[code] = r
    return out


def fill_form(path: Path, values: dict[str, dict[str, Any]]) -> dict[str, list[float | None]]:
    """Type values into a form as a unit does: only into unlocked cells; save in place.
    Returns the realisasi TW I-IV per indicator as they stand in the filled form."""
    wb = load_workbook(path)
    ws = wb[FORM_SHEET]
    rows = form_rows(ws)
    for code, typed in values.items():
        if code not in rows:
            continue
        for key, value in typed.items():
            cell = ws.cell(row=rows[code], column=COL[key])
            assert cell.protection.locked is False, f"{code} {key} must be an input cell"
            cell.value = value
    wb.save(path)
    return {code: [ws.cell(row=r, column=COL[f"r{q}"]).value for q in range(1, 5)] for code, r in rows.items()}


def capaian_values(path: Path) -> dict[str, Any]:
    """Indicator code -> the capaian cell's value as LibreOffice computed it (python-calamine)."""
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(FORM_SHEET).to_python(skip_empty_area=False)
    header = rows[HEADER_ROW - 1]
    kode, cap = header.index("Kode"), header.index("Capaian (%)")
    return {r[kode]: r[cap] for r in rows[HEADER_ROW:] if len(r) > cap and r[kode]}


def set_settings(master: Path, values: dict[str, Any]) -> None:
    """Edit the Pengaturan sheet the way staff do (by the label in column A)."""
    wb = load_workbook(master)
    ws = wb[S.SETTINGS_SHEET]
    found = set()
    for r in range(1, ws.max_row + 1):
        label = ws.cell(row=r, column=1).value
        if label in values:
            ws.cell(row=r, column=2).value = values[label]
            found.add(label)
    assert found == set(values)
    wb.save(master)


def append_rows(master: Path, sheet: str, rows: list[list[Any]]) -> None:
    wb = load_workbook(master)
    ws = wb[sheet]
    start = last_data_row(ws, S.FIRST_DATA_ROW) + 1
    for i, row in enumerate(rows):
        for j, v in enumerate(row, 1):
            ws.cell(row=start + i, column=j).value = v
    wb.save(master)


def check_capaian(loaded, outcome, typed: dict[str, dict[str, Any]], tmp: Path) -> dict[str, Any]:
    """Fill every form, recalculate all in one LibreOffice run, compare with capaian.achievement."""
    m = loaded.master
    forms = tmp / "isi"
    forms.mkdir()
    realisasi: dict[str, list[float | None]] = {}
    copies = []
    for f in outcome.files:
        copy = forms / f.name
        shutil.copy(f, copy)
        realisasi.update(fill_form(copy, typed))
        copies.append(copy)
    computed = {}
    for out in convert_many(copies, "xlsx", tmp / "hitung"):
        computed.update(capaian_values(out))
    assert set(computed) == {i.kode for i in m.indicators}
    for ind in m.indicators:
        expected = achievement(ind, Result(indikator=ind.kode, realisasi_tw=realisasi[ind.kode]),
                               m.settings.period, m.settings.rules, m.turun_formula(ind)).capaian
        got = computed[ind.kode]
        if expected is None:
            assert got in ("-", "", None), (ind.kode, got)
        else:
            assert isinstance(got, float) and got == expected, (ind.kode, got, expected)  # the same rounded value
    return computed


@pytest.fixture
def built(sample_loaded, tmp_path):
    return build_forms(sample_loaded, tmp_path / "formulir", now=NOW, who="AGUS PRASETYO, S.E.")


# ----------------------------------------------------------------------------------- capaian formula


def test_capaian_formula_equals_python_for_every_form(sample_loaded, built, tmp_path):
    typed = isian_tw3()
    typed["SEK.04"]["r3"] = 7.0  # turun (2T-R)/T far above target: floored at 0
    typed["TRANTIB.05"]["r3"] = 0.0  # turun T/R, per triwulan, realisasi 0: no division
    typed["YANUM.05"]["r3"] = 0.0  # turun T/R, nilai akhir, realisasi 0
    typed["PMD.07"]["r3"] = 1.0  # turun, target 0
    typed["KESOS.03"]["r3"] = None  # not filled: empty capaian
    computed = check_capaian(sample_loaded, built, typed, tmp_path)
    assert computed["SEK.04"] == 0.0
    assert computed["TRANTIB.05"] == "-" and computed["YANUM.05"] == "-"
    assert computed["SEK.07"] == "-" and computed["PMD.07"] == "-"  # zero targets, never #DIV/0!
    assert computed["KESOS.03"] in ("", None)
    assert computed["SEK.01"] == pytest.approx(100.0)  # kumulatif 2+2+2 of 2+2+2
    assert computed["SEK.05"] == pytest.approx(100.0)  # T/R nilai akhir 2/2
    kinds = {(i.polaritas, i.metode) for i in sample_loaded.master.indicators}
    assert {("naik", "per_triwulan"), ("naik", "kumulatif"), ("naik", "nilai_akhir"),
            ("turun", "per_triwulan"), ("turun", "nilai_akhir")} <= kinds


def test_capaian_formula_semester_with_cap_zero_rule_and_missing_target(sample_master, tmp_path):
    set_settings(sample_master, {"Jenis Periode": "Semester", "Nomor Periode": "II",
                                 "Rumus Indikator Turun": "T/R", "Batas Atas Capaian (%)": 120,
                                 "Aturan Target Nol": "100% jika realisasi juga 0, selain itu kosong"})
    extra = [  # kode, unit, sasaran, program, kegiatan, nama, satuan, polaritas, rumus, metode, tahunan, tw1-4, pagu
        ["SEK.08", "SEK", None, None, None, "Lama proses cuti", "hari", "Turun", "(2T-R)/T", "Kumulatif",
         20, 5, 5, 5, 5, None],
        ["SEK.09", "SEK", None, None, None, "Temuan baru", "temuan", "Naik", None, "Per Triwulan",
         0, 0, 0, 0, 0, None],
        ["SEK.10", "SEK", None, None, None, "Target belum lengkap", "dokumen", "Naik", None, "Kumulatif",
         8, 2, None, 2, 2, None],
    ]
    append_rows(sample_master, S.INDIKATOR.sheet, extra)
    # TW I-II of the new kumulatif indicators, already in the unit's data sheet
    append_rows(sample_master, "Data SEK", [["SEK.08", None, None, None, None, None, None, None, 6, 5],
                                            ["SEK.10", None, None, None, None, None, None, None, 2, 2]])
    loaded = load_master(sample_master)
    assert loaded.master is not None and loaded.master.settings.period.quarters == [3, 4]
    outcome = build_forms(loaded, tmp_path / "formulir", now=NOW)
    assert not outcome.report.blocking
    typed = {code: {"r3": v["r3"], "r4": v["r3"] * 1.1} for code, v in isian_tw3().items()}
    typed |= {"SEK.06": {"r3": 100.0, "r4": 150.0},  # naik nilai akhir 150%: capped at 120
              "SEK.08": {"r3": 6.0, "r4": 4.0}, "SEK.09": {"r3": 0.0, "r4": 0.0},
              "SEK.10": {"r3": 2.0, "r4": 2.0}, "SEK.07": {"r3": 0.0, "r4": 1.0}}
    computed = check_capaian(loaded, outcome, typed, tmp_path)
    assert computed["SEK.06"] == pytest.approx(120.0)
    assert computed["SEK.09"] == pytest.approx(100.0)  # target 0 and realisasi 0: 100% by rule
    assert computed["SEK.07"] == "-"  # target 0, realisasi 1
    assert computed["SEK.10"] == "-"  # a target quarter missing
    assert computed["SEK.08"] == pytest.approx((2 * 20 - (6 + 5 + 6 + 4)) / 20 * 100)  # turun kumulatif
    assert computed["SEK.04"] == 84.03  # T/R, the master default: 6 / 7,14 x 100 = 84,0336..., rounded once


def test_capaian_formula_year(sample_master, tmp_path):
    set_settings(sample_master, {"Jenis Periode": "Tahunan", "Nomor Periode": None})
    loaded = load_master(sample_master)
    assert loaded.master is not None and loaded.master.settings.period.key() == "2026-TH"
    outcome = build_forms(loaded, tmp_path / "formulir", now=NOW)
    typed = {code: {"r3": v["r3"], "r4": v["r3"]} for code, v in isian_tw3().items()}
    typed["PEM.02"]["r1"] = 5.0  # TW I prefilled from the master, corrected by the unit
    computed = check_capaian(loaded, outcome, typed, tmp_path)
    assert computed["PEM.02"] == pytest.approx((5 + 8 + 7 + 7) / 24 * 100)  # kumulatif, yearly target


# ----------------------------------------------------------------------------------- layout


def test_form_layout_protection_and_validation(sample_loaded, built):
    m = sample_loaded.master
    assert not built.report.issues
    assert [f.name for f in built.files] == [f"Formulir-{u.kode}-2026-TW3-P1.xlsx" for u in m.units]
    path = built.files[0]
    unit = m.units[0]
    identity = built.identities[0]
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        assert not any("vbaProject" in n for n in names)
        assert "macroEnabled" not in zf.read("[Content_Types].xml").decode()
    wb = load_workbook(path)
    assert wb.sheetnames == [FORM_SHEET, ID_SHEET]
    assert wb[ID_SHEET].sheet_state == "veryHidden"
    assert wb.security.lockStructure and not wb.security.workbookPassword
    ws = wb[FORM_SHEET]
    assert ws.protection.sheet and not ws.protection.password
    top = " ".join(str(c.value) for row in ws.iter_rows(max_row=HEADER_ROW - 1) for c in row if c.value)
    for text in (*m.settings.office.letterhead(), "FORMULIR PENGUMPULAN DATA CAPAIAN KINERJA", unit.nama,
                 unit.kepala, "TRIWULAN III TAHUN 2026", "Jumat, 9 Oktober 2026 pukul 16.00", "Putaran",
                 "sel berwarna kuning", "MID(1/2,2,1)", ".xlsx", m.settings.official("perencana").jabatan):
        assert text in top, text
    rows = form_rows(ws)
    assert list(rows) == identity.indikator == [i.kode for i in m.indicators_of(unit.kode)]
    inputs = set(input_keys(m.settings.period))
    assert inputs == {"r3", "penjelasan", "bukti", "realisasi_anggaran"}
    for ind in m.indicators_of(unit.kode):
        r = rows[ind.kode]
        for key in KEYS:
            cell = ws.cell(row=r, column=COL[key])
            assert cell.protection.locked is (key not in inputs), (ind.kode, key)
            if key in inputs:
                assert cell.fill.fgColor.rgb[-6:] == INPUT_FILL
        res = m.results[ind.kode]
        assert [ws.cell(row=r, column=COL[k]).value for k in ("r1", "r2", "r3", "r4")] == \
            [*res.realisasi_tw[:2], None, None]
        assert [ws.cell(row=r, column=COL[f"t{q}"]).value for q in range(1, 5)] == ind.target_tw
        cells = {k: f"{get_column_letter(j)}{r}" for k, j in COL.items()}
        assert ws[cells["capaian"]].value == excel_capaian_formula(
            ind, m.settings.period, m.settings.rules, m.turun_formula(ind),
            [cells[f"t{q}"] for q in range(1, 5)], [cells[f"r{q}"] for q in range(1, 5)],
            cells["target_tahunan"])
    first, last = HEADER_ROW + 1, HEADER_ROW + len(rows)
    dvs = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    letter = {k: get_column_letter(j) for k, j in COL.items()}
    r3 = dvs[f"{letter['r3']}{first}:{letter['r3']}{last}"]
    assert (r3.type, r3.operator, r3.formula1, r3.errorStyle) == ("decimal", "greaterThanOrEqual", "0", "stop")
    assert r3.showErrorMessage and "angka 0 atau lebih" in r3.error
    budget = dvs[f"{letter['realisasi_anggaran']}{first}:{letter['realisasi_anggaran']}{last}"]
    assert (budget.type, budget.operator, budget.formula1) == ("decimal", "greaterThanOrEqual", "0")
    assert dvs[f"{letter['penjelasan']}{first}:{letter['penjelasan']}{last}"].type == "textLength"
    assert dvs[f"{letter['bukti']}{first}:{letter['bukti']}{last}"].type == "custom"
    assert len(dvs) == 4  # nothing validates a locked column
    for dv in dvs.values():  # Excel refuses to open a file beyond these limits
        assert dv.allow_blank and dv.showInputMessage and dv.showErrorMessage
        assert len(dv.errorTitle) <= 32 and len(dv.promptTitle) <= 32
        assert len(dv.error) <= 255 and len(dv.prompt) <= 255
    props = {p.name: p.value for p in wb.custom_doc_props.props}
    assert props == {PROP_PREFIX + k: v for k, v in identity.as_properties().items()}
    assert identity.checksum == indicator_checksum(m.indicators_of(unit.kode))
    assert (identity.unit, identity.periode, identity.putaran, identity.instansi) == \
        (unit.kode, "2026-TW3", 1, "Kecamatan Sukamaju")


def test_distribution_log_and_step_times(sample_master, sample_loaded, built):
    write_file(sample_master, built.writes)
    loaded = load_master(sample_master)
    log = distribution_log(loaded)
    assert [(v["unit"], v["file"], v["form_id"], v["checksum"]) for v in log] == [
        (i.unit, f.name, i.form_id, i.checksum) for i, f in zip(built.identities, built.files)]
    assert all(v["putaran"] == 1 and v["dibuat"] == NOW and v["oleh"] == "AGUS PRASETYO, S.E."
               and v["batas_waktu"] == datetime(2026, 10, 9, 16, 0) and v["periode"] == "2026-TW3" for v in log)
    assert current_round(loaded) == 1
    sop = loaded.master.sop
    waktu = {int(r[0]): r for r in loaded.rows[S.WAKTU.sheet][S.WAKTU.header_row:] if r and r[0]}
    start, end = S.WAKTU.index("mulai") - 1, S.WAKTU.index("selesai") - 1
    for step in sop.steps_for("formulir"):
        assert waktu[step.no][start] == NOW and waktu[step.no][end] == NOW
    for step in sop.steps_for("distribusi"):
        assert waktu[step.no][start] == NOW


# ----------------------------------------------------------------------------------- identity


def test_identity_survives_what_units_do(built, tmp_path):
    src, identity = built.files[1], built.identities[1]
    work = tmp_path / "unit"
    work.mkdir()
    saved_as = work / "Isian PEM TW3 final (1).xlsx"
    shutil.copy(src, saved_as)
    assert read_identity(saved_as) == identity
    wb = load_workbook(src)  # the unit unprotects the workbook and renames both sheets
    wb.security.lockStructure = False
    wb[FORM_SHEET].title = "TW3 Pemerintahan"
    wb[ID_SHEET].title = "lain"
    renamed = work / "renamed.xlsx"
    wb.save(renamed)
    assert read_identity(renamed) == identity
    libre = convert_many([saved_as], "xlsx", tmp_path / "libre")[0]  # saved again by LibreOffice
    assert read_identity(libre) == identity
    no_props = work / "no-props.xlsx"  # only the hidden sheet is left
    with zipfile.ZipFile(libre) as zin, zipfile.ZipFile(no_props, "w") as zout:
        for item in zin.infolist():
            if item.filename != "docProps/custom.xml":
                zout.writestr(item, zin.read(item.filename))
    assert read_identity(no_props) == identity
    wb = load_workbook(libre)  # only the document properties are left
    del wb[ID_SHEET]
    no_sheet = work / "no-sheet.xlsx"
    wb.save(no_sheet)
    assert CalamineWorkbook.from_path(str(no_sheet)).sheet_names == [FORM_SHEET]
    assert read_identity(no_sheet) == identity
    plain = work / "plain.xlsx"
    wb = load_workbook(no_sheet)
    wb.custom_doc_props.props.clear()
    wb.save(plain)
    assert read_identity(plain) is None
    garbage = work / "rusak.xlsx"
    garbage.write_bytes(b"PK\x03\x04 not really a zip")
    assert read_identity(garbage) is None
    assert read_identity(built.receipt) is None  # a zip, but no workbook


# ----------------------------------------------------------------------------------- rounds


def test_rerun_refused_force_and_new_round(sample_master, sample_loaded, tmp_path):
    out = tmp_path / "formulir"
    first = build_forms(sample_loaded, out, now=NOW)
    assert first.disposisi is not None and first.receipt.name == "Tanda-Terima-2026-TW3-P1.docx"
    write_file(sample_master, first.writes)
    loaded = load_master(sample_master)
    again = build_forms(loaded, out, now=NOW)
    assert again.report.blocking and again.report.codes() == {"forms-exist"}
    assert not again.files and not again.writes.sheets
    assert read_identity(first.files[0]) == first.identities[0]  # untouched
    forced = build_forms(loaded, out, force=True, now=NOW)
    assert not forced.report.blocking and forced.putaran == 1
    assert [f.name for f in forced.files] == [f.name for f in first.files]
    assert read_identity(forced.files[0]) == forced.identities[0] != first.identities[0]
    write_file(sample_master, forced.writes)
    # what the unit sent in round 1 is in the master; round 2 starts from it
    wb = load_workbook(sample_master)
    ws = wb["Data SEK"]
    t = S.unit_data_table("Data SEK")
    ws[f"{t.letter('r3')}{S.FIRST_DATA_ROW}"] = 1
    ws[f"{t.letter('penjelasan')}{S.FIRST_DATA_ROW}"] = "Satu dokumen menunggu tanda tangan."
    wb.save(sample_master)
    loaded = load_master(sample_master)
    second = build_forms(loaded, out, new_round=True, now=NOW)
    assert not second.report.blocking and second.putaran == 2 and second.disposisi is None
    assert all(f.name.endswith("-P2.xlsx") for f in second.files)
    assert {i.putaran for i in second.identities} == {2}
    ws = load_workbook(second.files[0])[FORM_SHEET]
    row = form_rows(ws)["SEK.01"]
    assert ws.cell(row=row, column=COL["r3"]).value == 1
    assert ws.cell(row=row, column=COL["penjelasan"]).value == "Satu dokumen menunggu tanda tangan."
    assert "Putaran" in str(ws["A9"].value) and "2 (perbaikan)" in str(ws["C9"].value)
    write_file(sample_master, second.writes)
    loaded = load_master(sample_master)
    assert current_round(loaded) == 2
    assert [v["putaran"] for v in distribution_log(loaded)] == [1] * 6 + [1] * 6 + [2] * 6
    receipt = build_receipt(loaded, tmp_path / "ulang", now=NOW)
    assert receipt is not None and receipt.name == "Tanda-Terima-2026-TW3-P2.docx"
    assert all(f.name in docx_text(receipt) for f in second.files)


def test_unit_without_indicators_gets_no_form(sample_master, tmp_path):
    append_rows(sample_master, S.UNIT.sheet, [["UJI", "Seksi Uji Coba", "Seksi", "RAHMAT, S.T."]])
    set_settings(sample_master, {"Batas Waktu Pengisian": None})
    loaded = load_master(sample_master)
    outcome = build_forms(loaded, tmp_path / "formulir", now=NOW)
    assert [i.location.unit for i in outcome.report.by_code("unit-no-indicators")] == ["UJI"]
    assert outcome.report.codes() == {"unit-no-indicators", "deadline-missing"}
    assert len(outcome.files) == 6 and not any("UJI" in f.name for f in outcome.files)
    assert not list((tmp_path / "formulir").glob("*UJI*"))
    assert "Seksi Uji Coba" not in docx_text(outcome.receipt)
    top = [str(c.value) for c in load_workbook(outcome.files[0])[FORM_SHEET]["C"][:HEADER_ROW] if c.value]
    assert ": belum ditetapkan" in top


def test_broken_master_refused(sample_master, tmp_path):
    wb = load_workbook(sample_master)
    ws = wb[S.INDIKATOR.sheet]
    ws[f"{S.INDIKATOR.letter('satuan')}{S.FIRST_DATA_ROW}"] = None  # a required cell emptied
    wb.save(sample_master)
    outcome = build_forms(load_master(sample_master), tmp_path / "formulir", now=NOW)
    assert outcome.report.codes() == {"forms-master-invalid"} and outcome.report.blocking
    assert not outcome.files and not outcome.writes.sheets
    assert not (tmp_path / "formulir").exists()


# ----------------------------------------------------------------------------------- documents


def docx_text(path: Path) -> str:
    doc = Document(str(path))
    parts = [p.text for p in doc.paragraphs]

    def cells(table):
        for row in table.rows:
            for cell in row.cells:
                parts.append(cell.text)
                for inner in cell.tables:
                    cells(inner)

    for t in doc.tables:
        cells(t)
    return "\n".join(parts)


def test_receipt_and_disposisi(sample_loaded, built):
    m = sample_loaded.master
    text = docx_text(built.receipt)
    assert "TANDA TERIMA" in text and "TRIWULAN III TAHUN 2026" in text
    for unit, f in zip(m.units, built.files):
        assert unit.nama in text and unit.kepala in text and f.name in text
    planner = m.settings.official("perencana")
    assert planner.nama in text and planner.nip_text in text
    assert "Jumat, 9 Oktober 2026 pukul 16.00" in text and "Sukamaju, 6 Oktober 2026" in text
    assert "{{" not in text and "{%" not in text
    table = next(t for t in Document(str(built.receipt)).tables if t.rows[0].cells[0].text == "No")
    assert [c.text for c in table.rows[0].cells][-3:] == ["Nama Penerima", "Tanggal Terima", "Tanda Tangan"]
    assert len(table.rows) == 1 + len(m.units) and all(r.cells[4].text == "" for r in table.rows[1:])
    dispo = docx_text(built.disposisi)
    assert "LEMBAR DISPOSISI" in dispo and m.settings.official("kepala").nama in dispo
    assert planner.jabatan in dispo and all(u.nama in dispo for u in m.units)


def test_logo_on_form_and_receipt(sample_master, tmp_path):
    from PIL import Image

    Image.new("RGB", (120, 140), "navy").save(sample_master.parent / "logo.png")
    set_settings(sample_master, {"Logo (file gambar)": "logo.png"})
    outcome = build_forms(load_master(sample_master), tmp_path / "formulir", now=NOW)
    assert len(load_workbook(outcome.files[0])[FORM_SHEET]._images) == 1
    assert len(Document(str(outcome.receipt)).inline_shapes) == 1


def test_receipt_needs_a_distribution(sample_loaded, tmp_path):
    from kinerja.issues.catalogue import Report

    report = Report()
    assert build_receipt(sample_loaded, tmp_path, report) is None
    assert report.codes() == {"forms-not-distributed"}


# ----------------------------------------------------------------------------------- CLI


def test_cli_forms_and_receipt(sample_master, tmp_path):
    runner = CliRunner()
    out = tmp_path / "formulir"
    first = runner.invoke(app, ["forms", str(sample_master), "--out", str(out), "--oleh", "Staf Perencanaan"])
    assert first.exit_code == 0, first.output
    assert "Formulir-SEK-2026-TW3-P1.xlsx" in first.output and len(list(out.glob("Formulir-*.xlsx"))) == 6
    log = distribution_log(load_master(sample_master))
    assert len(log) == 6 and {v["oleh"] for v in log} == {"Staf Perencanaan"}
    again = runner.invoke(app, ["forms", str(sample_master), "--out", str(out), "--json"])
    assert again.exit_code == 1
    data = json.loads(again.output)
    assert data["blocking"] and [i["code"] for i in data["issues"]] == ["forms-exist"] and data["files"] == []
    forced = runner.invoke(app, ["forms", str(sample_master), "--out", str(out), "--force", "--json"])
    assert forced.exit_code == 0 and len(json.loads(forced.output)["files"]) == 8
    nxt = runner.invoke(app, ["forms", str(sample_master), "--out", str(out), "--putaran-baru"])
    assert nxt.exit_code == 0 and "Formulir-YANUM-2026-TW3-P2.xlsx" in nxt.output
    receipt = runner.invoke(app, ["tanda-terima", str(sample_master), "--out", str(tmp_path / "tt")])
    assert receipt.exit_code == 0, receipt.output
    assert (tmp_path / "tt" / "Tanda-Terima-2026-TW3-P2.docx").is_file()
