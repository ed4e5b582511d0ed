"""Collect (SOP steps 5-9): every way a return comes back, with the outcome asserted.

Returns are the real forms (kinerja.stages.forms.build_forms) typed into with openpyxl, then saved,
converted (LibreOffice) or damaged byte by byte; the master is the sample office's.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
import zipfile
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.packaging.custom import CustomPropertyList
from python_calamine import CalamineWorkbook
from typer.testing import CliRunner

from collect_helpers import blank_forms, fill, retag, set_saved_time, set_zip_member, sheet_xml_error, typed
from kinerja.cli.commands import app
from kinerja.domain.capaian import achievement
from kinerja.issues.catalogue import issue_row
from kinerja.libreoffice import convert
from kinerja.ooxml.cfb import write_compound_file
from kinerja.stages.collect import DUPLICATE, REJECTED, REPLACED, USED, collect
from kinerja.stages.export import HEADERS, export_rekap
from kinerja.stages.forms import build_forms
from kinerja.workbook import sheets as S
from kinerja.workbook.files import backup_dir, write_file
from kinerja.workbook.formspec import ID_SHEET
from kinerja.workbook.master import load_master

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 10, 12, 10, 0)  # Monday after the Friday 9 October 16.00 deadline
ON_TIME = datetime(2026, 10, 8, 10, 0)
# The form's columns (kinerja.workbook.formspec.COLUMNS order): Kode B, Realisasi TW III N,
# Penjelasan Q, Bukti R; indicator rows from 15. PEM.01..PEM.06 are rows 15..20.
R3, PENJELASAN, BUKTI = "N", "Q", "R"


@pytest.fixture(scope="session")
def forms(_sample_master_template, tmp_path_factory) -> dict[str, Path]:
    """The real round-1 forms of the sample office, built once."""
    return blank_forms(load_master(_sample_master_template), tmp_path_factory.mktemp("forms"))


def isian() -> dict[str, dict[str, dict]]:
    """sample_data/sukamaju/isian_tw3.csv: what each unit types for TW III."""
    out: dict[str, dict[str, dict]] = {}
    with (ROOT / "sample_data" / "sukamaju" / "isian_tw3.csv").open(encoding="utf-8") as f:
        for r in csv.DictReader(f):
            out.setdefault(r["unit"], {})[r["kode"]] = {
                "r3": float(r["r3"]), "penjelasan": r["penjelasan"] or None, "bukti": r["bukti"] or None,
                "realisasi_anggaran": float(r["realisasi_anggaran"]) if r["realisasi_anggaran"] else None}
    return out


def run(loaded, inbox: Path, **kw):
    return collect(loaded, inbox, now=NOW, **kw)


def found(out, code: str, **where) -> list:
    """The issues with this code whose location matches `where` (file, cell, indicator, ...)."""
    return [i for i in out.report.issues if i.code == code
            and all(getattr(i.location, k) == v for k, v in where.items())]


def status(out) -> dict[str, str]:
    return {f.file: f.status for f in out.files}


def touch(path: Path, when: datetime) -> Path:
    os.utime(path, (when.timestamp(), when.timestamp()))
    return path


def snapshot(folder: Path) -> dict[str, tuple[str, int, int]]:
    return {p.relative_to(folder).as_posix(): (hashlib.sha256(p.read_bytes()).hexdigest(),
                                               p.stat().st_mtime_ns, p.stat().st_size)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def sheet_rows(path: Path, sheet: str) -> list[list]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python(skip_empty_area=False)


def data_rows(path: Path, table) -> list[list]:
    return [r for r in sheet_rows(path, table.sheet)[table.header_row:] if any(v != "" for v in r)]


# ----------------------------------------------------------------------------------- the good path


def test_all_units_land_logged_consolidated_and_idempotent(sample_master, sample_loaded, forms, tmp_path):
    inbox = tmp_path / "masuk"
    values = isian()
    for unit, path in forms.items():
        fill(path, inbox / path.name, values[unit])
    touch(inbox / forms["SEK"].name, ON_TIME)
    touch(inbox / forms["PEM"].name, datetime(2026, 10, 12, 9, 0))
    before = snapshot(inbox)

    out = run(sample_loaded, inbox)
    assert not out.report.blocking, out.report.to_json()
    assert set(status(out).values()) == {USED}
    assert out.returned == [u.kode for u in sample_loaded.master.units] and out.missing == []
    assert len(out.landed) == sum(len(v) for v in values.values())
    late = {f.unit: f.late for f in out.files}
    assert late["SEK"] == "Tepat waktu"
    assert late["PEM"] == "1 hari kerja"  # Fri 16.00-16.30 and Mon 07.30-09.00: Monday is lost

    backup = write_file(sample_master, out.writes)
    assert backup is not None and backup.exists() and backup.parent == backup_dir(sample_master)
    assert snapshot(inbox) == before  # nothing in the inbox changed
    loaded = load_master(sample_master)
    m = loaded.master
    assert m is not None and not loaded.report.blocking, loaded.report.to_json()
    for rows in values.values():
        for code, v in rows.items():
            res = m.results[code]
            assert res.realisasi_tw[2] == v["r3"]
            assert (res.penjelasan or None, res.bukti or None) == (v["penjelasan"], v["bukti"])
            assert res.realisasi_anggaran == v["realisasi_anggaran"]
    # earlier quarters (read-only on the form) are what the master had
    assert m.results["SEK.02"].realisasi_tw[:2] == [21.0, 38.2]
    sumber = {r[0]: r[17] for r in data_rows(sample_master, S.unit_data_table("Data PEM"))}
    assert sumber["PEM.01"] == f"{forms['PEM'].name} (putaran 1)"

    penerimaan = data_rows(sample_master, S.PENERIMAAN)
    assert [r[1] for r in penerimaan] == sorted(p.name for p in forms.values())
    assert {r[7] for r in penerimaan} == {USED}
    assert penerimaan[[r[1] for r in penerimaan].index(forms["SEK"].name)][0] == ON_TIME
    rekap = {r[4]: r for r in data_rows(sample_master, S.REKAP)}
    rules, period = m.settings.rules, m.settings.period
    for ind in m.indicators:
        ach = achievement(ind, m.results.get(ind.kode), period, rules, m.turun_formula(ind))
        assert rekap[ind.kode][10] == pytest.approx(ach.realisasi)
        assert rekap[ind.kode][11] == ("" if ach.capaian is None else pytest.approx(round(ach.capaian, 2)))
        assert rekap[ind.kode][12] == ach.predikat
    waktu = {r[0]: r for r in data_rows(sample_master, S.WAKTU)}
    received = [f.received for f in out.files]
    # step 4 (penerimaan, Staf) is the staff's work: from the deadline, or the last form if later,
    # to this collect, which completes the round; not from the first form to the last
    deadline = m.settings.batas_waktu
    assert (waktu[4][6], waktu[4][7]) == (min(max(deadline, max(received)), NOW), NOW)

    # the same inbox again: nothing changes (values, log, rekap)
    out2 = run(loaded, inbox)
    write_file(sample_master, out2.writes)
    assert data_rows(sample_master, S.PENERIMAAN) == penerimaan
    assert {r[4]: r for r in data_rows(sample_master, S.REKAP)} == rekap
    assert load_master(sample_master).master.results == m.results
    assert snapshot(inbox) == before


def test_missing_units_listed_with_head_and_lateness_and_cli(sample_master, forms, tmp_path):
    inbox = tmp_path / "masuk"
    for unit in ("SEK", "PEM"):
        fill(forms[unit], inbox / forms[unit].name, typed(load_master(sample_master), unit))
    out = run(load_master(sample_master), inbox)
    assert out.returned == ["SEK", "PEM"]
    missing = {x.unit.kode: x for x in out.missing}
    assert list(missing) == ["TRANTIB", "PMD", "KESOS", "YANUM"]
    assert missing["PMD"].unit.kepala == "DEWI KARTIKA, S.Sos"
    assert missing["PMD"].late == "1 hari kerja" and missing["PMD"].late_minutes == 180  # Fri 30 + Mon 150

    result = CliRunner().invoke(app, ["collect", str(sample_master), str(inbox), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [x["unit"] for x in data["missing"]] == ["TRANTIB", "PMD", "KESOS", "YANUM"]
    assert data["missing"][1]["kepala"] == "DEWI KARTIKA, S.Sos"
    result = CliRunner().invoke(app, ["collect", str(sample_master), str(inbox)])
    assert result.exit_code == 0, result.output
    assert "DEWI KARTIKA" in result.output and "belum mengembalikan" in result.output
    (inbox / "catatan.txt").write_text("bukan formulir")
    result = CliRunner().invoke(app, ["collect", str(sample_master), str(inbox)])
    assert result.exit_code == 1 and "file-not-form" in result.output


# ----------------------------------------------------------------------------------- which form wins


def test_same_form_twice_newest_saved_wins(sample_loaded, forms, tmp_path):
    inbox = tmp_path / "masuk"
    old = fill(forms["PEM"], inbox / "pagi" / "PEM.xlsx", {"PEM.01": {"r3": 5.0}})
    new = fill(forms["PEM"], inbox / "PEM-revisi.xlsx", {"PEM.01": {"r3": 7.0}})
    set_saved_time(old, datetime(2026, 10, 8, 9, 0))
    set_saved_time(new, datetime(2026, 10, 8, 15, 0))
    touch(old, datetime(2026, 10, 9, 9, 0))  # copied later: the saved time still decides
    touch(new, datetime(2026, 10, 8, 16, 0))
    out = run(sample_loaded, inbox)
    assert out.landed["PEM.01"]["r3"] == 7.0
    assert status(out) == {"pagi/PEM.xlsx": DUPLICATE, "PEM-revisi.xlsx": USED}
    [dup] = found(out, "form-duplicate", file="pagi/PEM.xlsx", unit="PEM")
    assert dup.params["used"] == "PEM-revisi.xlsx"

    # without the saved time in the files, the filesystem time decides
    for p in (old, new):
        set_zip_member(p, "docProps/core.xml", None)
    touch(old, datetime(2026, 10, 9, 9, 0))
    touch(new, datetime(2026, 10, 8, 16, 0))
    out = run(sample_loaded, inbox)
    assert out.landed["PEM.01"]["r3"] == 5.0
    assert status(out) == {"pagi/PEM.xlsx": USED, "PEM-revisi.xlsx": DUPLICATE}


def test_identical_bytes_logged_once_as_duplicate(sample_master, sample_loaded, forms, tmp_path):
    inbox = tmp_path / "masuk"
    a = fill(forms["PEM"], inbox / "PEM.xlsx", typed(sample_loaded, "PEM"))
    shutil.copy(a, inbox / "PEM (1).xlsx")
    out = run(sample_loaded, inbox)
    assert status(out) == {"PEM (1).xlsx": USED, "PEM.xlsx": DUPLICATE}
    assert len(found(out, "form-duplicate")) == 1
    write_file(sample_master, out.writes)
    out = run(load_master(sample_master), inbox)
    write_file(sample_master, out.writes)
    rows = data_rows(sample_master, S.PENERIMAAN)
    assert [r[7] for r in rows] == [USED, DUPLICATE] and rows[0][2] == rows[1][2]  # same sha256, once each


def test_resubmission_replaces_earlier_round_and_history_is_kept(sample_master, tmp_path):
    p1 = build_forms(load_master(sample_master), tmp_path / "p1", units=["PEM"], now=datetime(2026, 10, 5, 9, 0))
    write_file(sample_master, p1.writes)  # round 1 handed out (Distribusi), due Fri 9 Oct 16.00
    p2 = build_forms(load_master(sample_master), tmp_path / "p2", new_round=True, units=["PEM"],
                     now=datetime(2026, 10, 12, 11, 0))  # the revision round: after that deadline
    write_file(sample_master, p2.writes)
    inbox = tmp_path / "masuk"
    r1 = touch(fill(p1.files[0], inbox / "PEM-P1.xlsx", {"PEM.01": {"r3": 5.0}}), datetime(2026, 10, 12, 9, 0))
    r2 = touch(fill(p2.files[0], inbox / "PEM-P2.xlsx", {"PEM.01": {"r3": 9.0}}), datetime(2026, 10, 13, 9, 0))
    out = run(load_master(sample_master), inbox)
    assert out.landed["PEM.01"]["r3"] == 9.0
    assert status(out) == {"PEM-P1.xlsx": REPLACED, "PEM-P2.xlsx": USED}
    assert {f.file: f.late for f in out.files} == {"PEM-P1.xlsx": "1 hari kerja", "PEM-P2.xlsx": ""}
    [sup] = found(out, "form-superseded", file="PEM-P1.xlsx", unit="PEM")
    assert (sup.params["old_round"], sup.params["round"]) == (1, 2)
    write_file(sample_master, out.writes)
    assert [(r[1], r[6], r[7]) for r in data_rows(sample_master, S.PENERIMAAN)] == [
        ("PEM-P1.xlsx", 1, REPLACED), ("PEM-P2.xlsx", 2, USED)]

    # the history decides when files leave the inbox: round 1 alone is not used again
    r2.unlink()
    out = run(load_master(sample_master), inbox)
    assert "PEM.01" not in out.landed and status(out) == {"PEM-P1.xlsx": REPLACED}
    assert found(out, "form-superseded", file="PEM-P1.xlsx") and "PEM" in out.returned
    write_file(sample_master, out.writes)
    assert load_master(sample_master).master.results["PEM.01"].realisasi_tw[2] == 9.0
    assert [(r[1], r[7]) for r in data_rows(sample_master, S.PENERIMAAN)] == [
        ("PEM-P1.xlsx", REPLACED), ("PEM-P2.xlsx", USED)]
    assert r1.exists()


def test_earlier_used_form_in_history_becomes_replaced(sample_master, tmp_path):
    p1 = build_forms(load_master(sample_master), tmp_path / "p1", units=["PEM"])
    write_file(sample_master, p1.writes)
    inbox = tmp_path / "masuk"
    fill(p1.files[0], inbox / "PEM-P1.xlsx", {"PEM.01": {"r3": 5.0}})
    write_file(sample_master, run(load_master(sample_master), inbox).writes)
    (inbox / "PEM-P1.xlsx").unlink()  # the planner moved it away
    p2 = build_forms(load_master(sample_master), tmp_path / "p2", new_round=True, units=["PEM"])
    fill(p2.files[0], inbox / "PEM-P2.xlsx", {"PEM.01": {"r3": 9.0}})
    out = run(load_master(sample_master), inbox)
    assert out.landed["PEM.01"]["r3"] == 9.0
    write_file(sample_master, out.writes)
    assert [(r[1], r[7]) for r in data_rows(sample_master, S.PENERIMAAN)] == [
        ("PEM-P1.xlsx", REPLACED), ("PEM-P2.xlsx", USED)]


# ----------------------------------------------------------------------------------- refused forms


def test_other_period_office_unknown_unit_and_not_forms_are_refused(sample_loaded, forms, tmp_path):
    inbox = tmp_path / "masuk"
    src = fill(forms["PEM"], tmp_path / "isi.xlsx", typed(sample_loaded, "PEM"))
    retag(src, inbox / "periode.xlsx", periode="2026-TW2")
    retag(src, inbox / "instansi.xlsx", instansi="Kecamatan Sukamundur")
    retag(src, inbox / "unit.xlsx", unit="XYZ")
    (inbox / "catatan.txt").write_text("formulir menyusul")
    with zipfile.ZipFile(inbox / "laporan.docx", "w") as z:
        z.writestr("word/document.xml", "<w:document/>")
    plain = fill(forms["PEM"], inbox / "tanpa-identitas.xlsx", typed(sample_loaded, "PEM"),
                 edit=lambda wb: (wb.remove(wb[ID_SHEET]), setattr(wb, "custom_doc_props", CustomPropertyList())))
    out = run(sample_loaded, inbox)
    assert set(status(out).values()) == {REJECTED} and out.landed == {}
    assert found(out, "form-other-period", file="periode.xlsx")[0].params == {
        "value": "Triwulan II Tahun 2026", "expected": "Triwulan III Tahun 2026"}
    assert found(out, "form-other-office", file="instansi.xlsx")[0].value == "Kecamatan Sukamundur"
    assert found(out, "form-unknown-unit", file="unit.xlsx")[0].value == "XYZ"
    for name in ("catatan.txt", "laporan.docx", plain.name):
        assert found(out, "file-not-form", file=name), name
    assert "PEM" not in out.returned
    notes = {f.file: f.note for f in out.files}
    assert "periode Triwulan II" in notes["periode.xlsx"]


# ----------------------------------------------------------------------------------- rows and sheets


def _swap(ws, a: int, b: int) -> None:
    for j in range(1, ws.max_column + 1):
        x, y = ws.cell(row=a, column=j), ws.cell(row=b, column=j)
        x.value, y.value = y.value, x.value


def test_rows_inserted_deleted_reordered_are_matched_by_code(sample_loaded, forms, tmp_path):
    def edit(wb):
        ws = wb["Formulir"]
        _swap(ws, 15, 16)  # PEM.02 now on row 15, PEM.01 on row 16
        ws.delete_rows(17)  # PEM.03 gone; PEM.04.. move up one row
        ws.insert_rows(19)  # a new row between PEM.05 (18) and PEM.06 (now 20)
        ws["B19"], ws["N19"] = "PEM.99", 4
        ws["B25"], ws["N25"] = None, 3  # a number without a code below the table
    inbox = tmp_path / "masuk"
    fill(forms["PEM"], inbox / "PEM.xlsx", {f"PEM.0{n}": {"r3": 10.0 * n} for n in range(1, 7)}, edit=edit)
    out = run(sample_loaded, inbox)
    assert {k: v["r3"] for k, v in out.landed.items()} == {
        "PEM.01": 10.0, "PEM.02": 20.0, "PEM.04": 40.0, "PEM.05": 50.0, "PEM.06": 60.0}
    moved = found(out, "row-moved", file="PEM.xlsx", sheet="Formulir")
    assert len(moved) == 1 and moved[0].location.indicator in ("PEM.01", "PEM.02")
    assert moved[0].params["expected"] in (15, 16) and moved[0].location.cell in ("B15", "B16")
    assert found(out, "row-missing", indicator="PEM.03", unit="PEM")
    assert found(out, "row-unknown", cell="B19")[0].value == "PEM.99"
    assert found(out, "row-unknown", cell="B25")[0].value == "(kosong)"
    assert not found(out, "row-moved", indicator="PEM.04")  # shifted by the deletion, not moved


def test_duplicate_row_uses_the_first(sample_loaded, forms, tmp_path):
    def edit(wb):
        ws = wb["Formulir"]
        ws["B22"], ws["N22"] = "PEM.01", 99
    fill(forms["PEM"], tmp_path / "masuk" / "PEM.xlsx", {"PEM.01": {"r3": 1.0}}, edit=edit)
    out = run(sample_loaded, tmp_path / "masuk")
    assert out.landed["PEM.01"]["r3"] == 1.0
    assert found(out, "row-duplicate", cell="B22", indicator="PEM.01")[0].params["other_row"] == 15


def _edit_indicator(master: Path, code: str, key: str, value) -> None:
    wb = load_workbook(master)
    ws = wb[S.INDIKATOR.sheet]
    col = S.INDIKATOR.index(key)
    row = next(r for r in range(S.INDIKATOR.header_row + 1, ws.max_row + 1) if ws.cell(row=r, column=1).value == code)
    ws.cell(row=row, column=col, value=value)
    wb.save(master)


def test_indicator_changed_after_distribution(sample_master, forms, tmp_path):
    _edit_indicator(sample_master, "PEM.01", "tw3", 15.0)  # target changed: value still lands
    _edit_indicator(sample_master, "PEM.02", "nama", "Jumlah perdes baru")  # another indicator: not used
    fill(forms["PEM"], tmp_path / "masuk" / "PEM.xlsx", {"PEM.01": {"r3": 11.0}, "PEM.02": {"r3": 4.0},
                                                         "PEM.03": {"r3": 75.0}})
    out = run(load_master(sample_master), tmp_path / "masuk")
    inconsistent = {i.location.indicator: i for i in found(out, "indicator-inconsistent", unit="PEM")}
    assert set(inconsistent) == {"PEM.01", "PEM.02"}
    assert inconsistent["PEM.01"].location.cell == "B15" and "Target TW III 12" in inconsistent["PEM.01"].message
    assert "tidak dipakai" in inconsistent["PEM.02"].message
    assert out.landed["PEM.01"]["r3"] == 11.0 and out.landed["PEM.03"]["r3"] == 75.0
    assert "PEM.02" not in out.landed
    assert out.report.blocking


def test_renamed_sheet_is_still_read(sample_loaded, forms, tmp_path):
    fill(forms["PEM"], tmp_path / "masuk" / "PEM.xlsx", {"PEM.01": {"r3": 6.0}},
         edit=lambda wb: setattr(wb["Formulir"], "title", "Isian Seksi"))
    out = run(sample_loaded, tmp_path / "masuk")
    assert out.landed["PEM.01"]["r3"] == 6.0
    [issue] = found(out, "sheet-renamed", file="PEM.xlsx")
    assert (issue.value, issue.location.sheet) == ("Isian Seksi", "Isian Seksi")
    assert found(out, "number-reformatted") == []


def test_identity_from_properties_or_a_renamed_hidden_sheet(sample_loaded, forms, tmp_path):
    inbox = tmp_path / "masuk"
    fill(forms["PEM"], inbox / "PEM.xlsx", {"PEM.01": {"r3": 6.0}}, edit=lambda wb: wb.remove(wb[ID_SHEET]))
    fill(forms["SEK"], inbox / "SEK.xlsx", {"SEK.01": {"r3": 3.0}},
         edit=lambda wb: (setattr(wb[ID_SHEET], "title", "Lembar1"),
                          setattr(wb, "custom_doc_props", CustomPropertyList())))
    out = run(sample_loaded, inbox)
    assert status(out) == {"PEM.xlsx": USED, "SEK.xlsx": USED}
    assert out.landed["PEM.01"]["r3"] == 6.0 and out.landed["SEK.01"]["r3"] == 3.0


# ----------------------------------------------------------------------------------- cell values


def test_numbers_typed_as_text_are_read_and_reported_at_the_cell(sample_loaded, forms, tmp_path):
    typed_text = {"PEM.01": "85%", "PEM.02": "1.234,5", "PEM.03": "1,234.5", "PEM.04": "12 dok",
                  "PEM.05": " 7 ", "PEM.06": "tujuh"}
    fill(forms["PEM"], tmp_path / "masuk" / "PEM.xlsx", {k: {"r3": v} for k, v in typed_text.items()})
    out = run(sample_loaded, tmp_path / "masuk")
    assert {k: v["r3"] for k, v in out.landed.items()} == {
        "PEM.01": 85.0, "PEM.02": 1234.5, "PEM.03": 1234.5, "PEM.04": 12.0, "PEM.05": 7.0, "PEM.06": 7.0}
    for row, code in ((15, "number-reformatted"), (16, "number-reformatted"), (17, "number-reformatted"),
                      (18, "number-reformatted"), (19, "number-reformatted"), (20, "number-words")):
        [issue] = [i for i in out.report.issues if i.location.cell == f"{R3}{row}" and i.code.startswith(("number", "value"))]
        assert issue.code == code and issue.location.sheet == "Formulir"
        assert issue.location.indicator == f"PEM.0{row - 14}" and issue.location.unit == "PEM"
    # read right, and still far off: 85 for 12 desa, 1.234,5 for 8 perdes and for 80%
    assert {i.location.indicator for i in out.report.by_code("realisasi-magnitude")} == {"PEM.01", "PEM.02", "PEM.03"}


def test_formula_errors_negative_numbers_and_dates(sample_loaded, forms, tmp_path):
    path = fill(forms["PEM"], tmp_path / "masuk" / "PEM.xlsx",
                {"PEM.01": {"r3": 1.0}, "PEM.02": {"r3": 1.0, "realisasi_anggaran": -500.0},
                 "PEM.03": {"r3": -3.0}, "PEM.04": {"r3": datetime(2026, 9, 30)}, "PEM.05": {"r3": 8.0}})
    sheet_xml_error(path, f"{R3}15", "#DIV/0!")
    sheet_xml_error(path, f"{R3}16", "#REF!")
    out = run(sample_loaded, tmp_path / "masuk")
    assert found(out, "formula-error", cell=f"{R3}15")[0].value == "#DIV/0!"
    assert found(out, "formula-error", cell=f"{R3}16")[0].value == "#REF!"
    assert found(out, "value-negative", cell=f"{R3}17", indicator="PEM.03")
    assert found(out, "value-negative", cell="T16", indicator="PEM.02")
    assert found(out, "value-date", cell=f"{R3}18", indicator="PEM.04")
    assert out.landed["PEM.01"]["r3"] is None and out.landed["PEM.02"]["r3"] is None
    assert out.landed["PEM.03"]["r3"] == -3.0 and out.landed["PEM.02"]["realisasi_anggaran"] == -500.0
    assert out.landed["PEM.04"]["r3"] is None and out.landed["PEM.05"]["r3"] == 8.0
    assert out.report.blocking


def test_text_that_looks_like_a_formula_stays_text(sample_master, sample_loaded, forms, tmp_path):
    texts = {"PEM.01": {"penjelasan": '=HYPERLINK("http://contoh","klik")'},
             "PEM.02": {"bukti": "+62 812 555"}, "PEM.03": {"penjelasan": "@SUM(A1)"},
             "PEM.04": {"penjelasan": "-kegiatan tertunda"}}
    fill(forms["PEM"], tmp_path / "masuk" / "PEM.xlsx", {k: {"r3": 1.0, **v} for k, v in texts.items()})
    out = run(sample_loaded, tmp_path / "masuk")
    assert found(out, "text-formula", cell=f"{PENJELASAN}15", indicator="PEM.01")
    assert found(out, "text-formula", cell=f"{BUKTI}16", indicator="PEM.02")
    write_file(sample_master, out.writes)
    ws = load_workbook(sample_master)["Data PEM"]
    t = S.unit_data_table("Data PEM")
    for n, (code, v) in enumerate(texts.items()):
        key, text = next(iter(v.items()))
        cell = ws.cell(row=t.header_row + 1 + n, column=t.index(key))
        assert ws.cell(row=cell.row, column=1).value == code
        assert cell.value == text and cell.data_type == "s"


# ----------------------------------------------------------------------------------- file formats


@pytest.fixture(scope="module")
def converted(_sample_master_template, tmp_path_factory):
    """A filled PEM form as .ods and .xls, and an .xls without the identity (LibreOffice)."""
    loaded = load_master(_sample_master_template)
    d = tmp_path_factory.mktemp("converted")
    src = blank_forms(loaded, d / "blank", units=["PEM"])["PEM"]
    filled = fill(src, d / "PEM.xlsx", {"PEM.01": {"r3": 13.0, "penjelasan": "lewat LibreOffice"}})
    bare = fill(src, d / "PEM-polos.xlsx", {"PEM.01": {"r3": 13.0}},
                edit=lambda wb: (wb.remove(wb[ID_SHEET]), setattr(wb, "custom_doc_props", CustomPropertyList())))
    return {"ods": convert(filled, "ods", d / "out"), "xls": convert(filled, "xls", d / "out"),
            "bare": convert(bare, "xls", d / "out")}


@pytest.mark.parametrize("kind, severity", [("ods", "info"), ("xls", "warning")])
def test_ods_and_xls_returns_are_read(sample_loaded, converted, tmp_path, kind, severity):
    inbox = tmp_path / "masuk"
    inbox.mkdir()
    shutil.copy(converted[kind], inbox)
    out = run(sample_loaded, inbox)
    assert out.landed["PEM.01"]["r3"] == 13.0 and out.landed["PEM.01"]["penjelasan"] == "lewat LibreOffice"
    [issue] = found(out, "file-old-format")
    assert issue.severity.value == severity and status(out) == {converted[kind].name: USED}


def test_xls_without_identity_is_refused_with_old_format(sample_loaded, converted, tmp_path):
    inbox = tmp_path / "masuk"
    inbox.mkdir()
    shutil.copy(converted["bare"], inbox)
    out = run(sample_loaded, inbox)
    [issue] = found(out, "file-old-format", file=converted["bare"].name)
    assert issue.severity.value == "error" and "tidak dipakai" in issue.message
    assert out.landed == {} and status(out) == {converted["bare"].name: REJECTED}


def test_damaged_empty_encrypted_lock_macro_and_oversized_files(sample_master, sample_loaded, forms, tmp_path):
    inbox = tmp_path / "masuk"
    good = fill(forms["PEM"], tmp_path / "PEM.xlsx", typed(sample_loaded, "PEM"))
    data = good.read_bytes()
    inbox.mkdir()
    (inbox / "rusak.xlsx").write_bytes(data[: len(data) // 2])
    (inbox / "kosong.xlsx").write_bytes(b"")
    (inbox / "sandi.xlsx").write_bytes(write_compound_file({
        "EncryptionInfo": b"\x04\x00\x04\x00\x40\x00\x00\x00" + b"\x00" * 200,
        "EncryptedPackage": b"\x00" * 5000}))
    (inbox / "~$PEM.xlsx").write_bytes(b"\x0bAGUS" + b" " * 150)
    with open(inbox / "besar.xlsx", "wb") as f:
        f.truncate(21 * 1024 * 1024)  # sparse: refused by size before it is read
    with zipfile.ZipFile(inbox / "bom.xlsx", "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
        with z.open("xl/worksheets/sheet1.xml", "w") as member:
            for _ in range(30):
                member.write(b"\x00" * 1024 * 1024)
    macro = inbox / "PEM.xlsm"
    shutil.copy(good, macro)
    set_zip_member(macro, "xl/vbaProject.bin", write_compound_file({"VBA/dir": b"\x01" * 10}))
    before = snapshot(inbox)

    out = run(sample_loaded, inbox)
    assert found(out, "file-corrupt", file="rusak.xlsx")
    assert found(out, "file-empty", file="kosong.xlsx")
    assert found(out, "file-encrypted", file="sandi.xlsx")
    assert found(out, "file-lock", file="~$PEM.xlsx")[0].severity.value == "info"
    assert found(out, "file-too-large", file="besar.xlsx") and found(out, "file-too-large", file="bom.xlsx")
    assert found(out, "file-macro", file="PEM.xlsm")
    assert status(out) == {"PEM.xlsm": USED, "besar.xlsx": REJECTED, "bom.xlsx": REJECTED,
                           "kosong.xlsx": REJECTED, "rusak.xlsx": REJECTED, "sandi.xlsx": REJECTED}
    assert len(out.landed) == 6  # the macro form's values land
    write_file(sample_master, out.writes)
    assert snapshot(inbox) == before
    himpun = data_rows(sample_master, S.TEMUAN_HIMPUN)
    assert [r[:3] for r in himpun] == [[str(v) if v is not None else "" for v in issue_row(i)[:3]]
                                       for i in out.report.issues]
    logged = {r[1]: r[7] for r in data_rows(sample_master, S.PENERIMAAN)}
    assert "~$PEM.xlsx" not in logged and logged["kosong.xlsx"] == REJECTED

    # Temuan Himpun is replaced by the next run; Penerimaan keeps the history
    again = tmp_path / "masuk2"
    again.mkdir()
    shutil.copy(macro, again / "PEM.xlsm")
    out = run(load_master(sample_master), again)
    write_file(sample_master, out.writes)
    plausibility = {"realisasi-magnitude", "realisasi-looks-cumulative"}  # typed(): 1 for a target of 12
    assert [r[0] for r in data_rows(sample_master, S.TEMUAN_HIMPUN) if r[0] not in plausibility] == ["file-macro"]
    assert len(data_rows(sample_master, S.PENERIMAAN)) == len(logged)


def test_xml_entity_tricks_are_not_followed(sample_loaded, forms, tmp_path):
    bomb = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            + "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i else "&lol;" * 10}">' for i in range(9))
            + ']><Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties">'
            '<property name="kinerja_unit" fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2">'
            '<vt:lpwstr xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">&lol8;'
            "</vt:lpwstr></property></Properties>")
    inbox = tmp_path / "masuk"
    a = fill(forms["PEM"], inbox / "tanpa-sheet.xlsx", {"PEM.01": {"r3": 1.0}},
             edit=lambda wb: wb.remove(wb[ID_SHEET]))
    set_zip_member(a, "docProps/custom.xml", bomb.encode())
    b = fill(forms["SEK"], inbox / "SEK-1.xlsx", {"SEK.01": {"r3": 1.0}})
    c = fill(forms["SEK"], inbox / "SEK-2.xlsx", {"SEK.01": {"r3": 2.0}})
    for p in (b, c):  # the saved time is unreadable: the filesystem time decides
        set_zip_member(p, "docProps/core.xml", bomb.replace("Properties", "coreProperties").encode())
    touch(b, datetime(2026, 10, 8, 9, 0))
    touch(c, datetime(2026, 10, 8, 10, 0))
    out = run(sample_loaded, inbox)
    assert found(out, "file-not-form", file="tanpa-sheet.xlsx")
    assert out.landed["SEK.01"]["r3"] == 2.0 and status(out)["SEK-1.xlsx"] == DUPLICATE


def test_inbox_beside_the_master_skips_master_backups_and_dot_files(sample_master, sample_loaded, forms):
    folder = sample_master.parent
    write_file(sample_master, run(sample_loaded, folder / "kosong").writes)  # makes a backup
    assert any(backup_dir(sample_master).iterdir())
    (folder / ".~lock.induk.xlsx#").write_text("kunci LibreOffice")
    fill(forms["SEK"], folder / "SEK.xlsx", {"SEK.01": {"r3": 2.0}})
    out = run(load_master(sample_master), folder)
    assert status(out) == {"SEK.xlsx": USED} and out.landed["SEK.01"]["r3"] == 2.0


def test_predicate_below_every_band_is_the_lowest_band():
    from kinerja.domain.models import PredicateBand, Rules

    ascending = Rules(skala=[PredicateBand(batas_bawah=0, predikat="Sangat Rendah"),
                             PredicateBand(batas_bawah=91, predikat="Sangat Tinggi")])
    assert ascending.predicate(-5.0) == "Sangat Rendah" and ascending.predicate(95) == "Sangat Tinggi"


def test_missing_inbox_and_unreadable_master(sample_loaded, tmp_path):
    out = run(sample_loaded, tmp_path / "tidak-ada")
    assert found(out, "inbox-missing") and out.report.blocking and len(out.missing) == 6
    bad = tmp_path / "rusak.xlsx"
    bad.write_bytes(b"bukan workbook")
    out = run(load_master(bad), tmp_path)
    assert found(out, "workbook-unreadable") and out.writes.sheets == []


# ----------------------------------------------------------------------------------- export


def test_export_csv_json_xlsx(sample_master, sample_loaded, forms, tmp_path):
    fill(forms["PEM"], tmp_path / "masuk" / "PEM.xlsx", {"PEM.01": {"r3": 11.0, "penjelasan": "=1+1"}})
    write_file(sample_master, run(sample_loaded, tmp_path / "masuk").writes)
    m = load_master(sample_master).master
    ind = m.indicator("PEM.01")
    ach = achievement(ind, m.results["PEM.01"], m.settings.period, m.settings.rules, m.turun_formula(ind))

    with export_rekap(m, tmp_path / "rekap.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == HEADERS and "Capaian (%)" in rows[0] and len(rows) == 1 + len(m.indicators)
    row = dict(zip(rows[0], next(r for r in rows if r[7] == "PEM.01")))
    assert float(row["Realisasi Periode"]) == ach.realisasi == 11.0
    assert float(row["Capaian (%)"]) == round(ach.capaian, 2) and row["Penjelasan"] == "'=1+1"

    doc = json.loads(export_rekap(m, tmp_path / "rekap.json").read_text(encoding="utf-8"))
    rec = next(r for r in doc["data"] if r["Kode Indikator"] == "PEM.01")
    assert doc["periode"] == "2026-TW3" and rec["Capaian (%)"] == round(ach.capaian, 2)
    assert rec["Penjelasan"] == "=1+1"

    ws = load_workbook(export_rekap(m, tmp_path / "rekap.xlsx"))["Rekap"]
    assert [c.value for c in ws[1]] == HEADERS
    cells = next(r for r in ws.iter_rows(min_row=2) if r[7].value == "PEM.01")
    pen = cells[HEADERS.index("Penjelasan")]
    assert pen.value == "=1+1" and pen.data_type == "s"
    assert cells[HEADERS.index("Realisasi Periode")].value == 11.0

    runner = CliRunner()
    result = runner.invoke(app, ["export", str(sample_master), "--out", str(tmp_path / "r.xlsx")])
    assert result.exit_code == 0 and (tmp_path / "r.xlsx").exists()
    result = runner.invoke(app, ["export", str(sample_master), "--out", str(tmp_path / "r.pdf")])
    assert result.exit_code == 2 and not (tmp_path / "r.pdf").exists()
