"""The issue catalogue, code by code: each code is raised by the real stage function from a bad
input a person would make, with its severity and where it applies, while the good values still
land. Last, a guard that every catalogue code is triggered somewhere in the test suite."""

from __future__ import annotations

import logging
import os
import re
import shutil
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from openpyxl import load_workbook

from collect_helpers import blank_forms, fill
from kinerja.issues.catalogue import CATALOGUE, Issue, Report
from kinerja.sample.demo import unit_entries
from kinerja.sample.roles import type_decisions
from kinerja.stages import forms as F
from kinerja.stages.collect import collect
from kinerja.stages.documents import render_report
from kinerja.stages.forms import build_forms
from kinerja.stages.review import DISETUJUI, review
from kinerja.stages.timing import TIDAK_SAH, recompute
from kinerja.stages.validate import validate
from kinerja.workbook import sheets as S
from kinerja.workbook.files import write_file
from kinerja.workbook.formspec import FORM_SHEET, HEADER_ROW
from kinerja.workbook.master import Loaded, load_master

TESTS = Path(__file__).resolve().parents[1]
MASTER = "induk.xlsx"
HANDED_OUT = datetime(2026, 10, 6, 8, 0)  # before the 9 October 16.00 deadline in the sample
UNITS = ["SEK", "PEM", "TRANTIB", "PMD", "KESOS", "YANUM"]


def edit(master: Path, sheet: str, cells: dict[str, Any]) -> Loaded:
    """A person types into the master (openpyxl, as Excel saves it), then it is loaded again."""
    wb = load_workbook(master)
    for ref, value in cells.items():
        wb[sheet][ref] = value
    wb.save(master)
    return load_master(master)


def only(report: Report, code: str, severity: str, **where: Any) -> Issue:
    """The one issue with this code; its severity and location fields as given."""
    found = report.by_code(code)
    assert len(found) == 1, report.to_json()
    issue = found[0]
    assert issue.severity.value == severity
    assert {k: getattr(issue.location, k) for k in where} == where
    text = issue.message + issue.action
    assert issue.message and issue.action and "{" not in text and "Value error" not in text
    return issue


def appended(writes, sheet: str) -> list[list[Any]]:
    return [row for s in writes.sheets if s.sheet == sheet for row in s.append]


def codes(loaded: Loaded) -> list[str]:
    return [i.kode for i in loaded.master.indicators]


# ----------------------------------------------------------------------------------- the master

MASTER_CASES = [
    # the name of SEK.05 left empty: only that indicator is dropped
    pytest.param("Indikator", {"F8": None}, "value-required", "error", "F8",
                 lambda ld: "SEK.05" not in codes(ld) and {"SEK.04", "SEK.06"} <= set(codes(ld)),
                 id="value-required"),
    # Monday's Masuk typed as 7:75: the other office days stay
    pytest.param("Jam Kerja", {"B4": "7:75"}, "time-invalid", "error", "B4",
                 lambda ld: [d.weekday for d in ld.master.settings.jam_kerja] == [1, 2, 3, 4],
                 id="time-invalid"),
    # Semester III does not exist
    pytest.param("Pengaturan", {"B15": "Semester", "B16": "III"}, "setting-invalid", "error", "B16",
                 lambda ld: ld.master is None, id="setting-invalid-period"),
    # Tuesday's Pulang (07.00) before Masuk (07.30)
    pytest.param("Jam Kerja", {"C5": "07.00"}, "setting-invalid", "error", "A5",
                 lambda ld: [d.weekday for d in ld.master.settings.jam_kerja] == [0, 2, 3, 4],
                 id="setting-invalid-jam-kerja"),
    # a unit code with a slash (it names a sheet and files): the six units stay
    pytest.param("Unit", {"A10": "UMUM/KEU", "B10": "Subbagian Keuangan"}, "setting-invalid", "error", "A10",
                 lambda ld: [u.kode for u in ld.master.units] == UNITS, id="setting-invalid-unit"),
    # SEK.04 (per triwulan, 12 a year = 4 x 3): TW III changed to 4, the new target is kept
    pytest.param("Indikator", {"N7": 4}, "target-sum-mismatch", "warning", "K7",
                 lambda ld: ld.master.indicator("SEK.04").target_tw == [3, 3, 4, 3]
                 and not ld.report.blocking,
                 id="target-sum-mismatch"),
    # step 3 done by the Bupati, who is not a role (swimlane) of this SOP
    pytest.param("Langkah SOP", {"C6": "Bupati"}, "sop-invalid", "error", None,
                 lambda ld: ld.master is None
                 and "Langkah 3: pelaksana 'Bupati'" in ld.report.issues[0].message,
                 id="sop-invalid-role"),
    # step 2 'if not, back to step' 4: a loop must point back
    pytest.param("Langkah SOP", {"H5": 4}, "sop-invalid", "error", None,
                 lambda ld: ld.master is None
                 and "Langkah 2: 'kembali ke' langkah 4" in ld.report.issues[0].message,
                 id="sop-invalid-kembali-ke"),
]


@pytest.mark.parametrize("sheet, cells, code, severity, cell, check", MASTER_CASES)
def test_master_input(sample_master, sheet, cells, code, severity, cell, check):
    loaded = edit(sample_master, sheet, cells)
    only(loaded.report, code, severity, file=MASTER, sheet=sheet, cell=cell)
    assert check(loaded), loaded.report.to_json()


# ----------------------------------------------------------------------------------- timing


@pytest.mark.parametrize("sheet, cells, code, cell", [
    # step 1 typed as ending (09.00) before it started (10.00); step 2 typed correctly
    pytest.param("Waktu SOP", {"G4": datetime(2026, 10, 6, 10, 0), "H4": datetime(2026, 10, 6, 9, 0),
                               "G5": datetime(2026, 10, 6, 10, 0), "H5": datetime(2026, 10, 6, 11, 0)},
                 "step-time-invalid", "H4", id="step-time-invalid"),
    # 'Ambang Hampir Terlambat (%)' 150: the default 80 is used
    pytest.param("Pengaturan", {"B29": 150}, "setting-invalid", "B29", id="setting-invalid-ambang"),
])
def test_timing_input(sample_master, sheet, cells, code, cell):
    out = recompute(edit(sample_master, sheet, cells), datetime(2026, 10, 7, 9, 0))
    issue = only(out.report, code, "warning", file=MASTER, sheet=sheet, cell=cell)
    assert f"sel {cell}" in issue.action
    assert len(out.rows) == 11 and not out.report.blocking
    if code == "step-time-invalid":
        first, second = out.rows[0], out.rows[1]
        assert first.status == TIDAK_SAH  # the typed times are kept, not dropped
        assert (first.start, first.end) == (cells["G4"], cells["H4"])
        assert second.elapsed == 60 and second.status == "tepat waktu"
    else:
        assert "dipakai 80" in issue.message


# ----------------------------------------------------------------------------------- forms


def test_deadline_past(sample_loaded, tmp_path):
    on_time = build_forms(sample_loaded, tmp_path / "awal", units=["SEK"], now=HANDED_OUT)
    assert "deadline-past" not in on_time.report.codes()
    out = build_forms(sample_loaded, tmp_path / "formulir", now=datetime(2026, 10, 12, 8, 0))
    issue = only(out.report, "deadline-past", "warning", file=MASTER, sheet=S.SETTINGS_SHEET)
    assert "9 Oktober 2026 pukul 16.00" in issue.message
    assert len(out.files) == 6 and len(appended(out.writes, S.DISTRIBUSI.sheet)) == 6
    assert not out.report.blocking


def test_form_write_failed_folder(sample_loaded, tmp_path):
    (tmp_path / "catatan.txt").write_text("bukan folder")
    out_dir = tmp_path / "catatan.txt" / "formulir"  # its parent is a regular file
    out = build_forms(sample_loaded, out_dir, now=HANDED_OUT)
    only(out.report, "form-write-failed", "error", file=str(out_dir))
    assert out.files == [] and appended(out.writes, S.DISTRIBUSI.sheet) == []


def test_form_write_failed_one_form(sample_loaded, tmp_path):
    out_dir = tmp_path / "formulir"
    blocked = out_dir / "Formulir-PEM-2026-TW3-P1.xlsx"
    (blocked / "isi").mkdir(parents=True)  # a folder where PEM's form goes
    out = build_forms(sample_loaded, out_dir, now=HANDED_OUT, force=True)
    only(out.report, "form-write-failed", "error", file=blocked.name, unit="PEM")
    assert [i.unit for i in out.identities] == [u for u in UNITS if u != "PEM"]
    assert [r[1] for r in appended(out.writes, S.DISTRIBUSI.sheet)] == [u for u in UNITS if u != "PEM"]
    assert all(p.is_file() for p in out.files) and out.receipt.is_file()


def test_forms_template_missing(sample_master, monkeypatch, tmp_path):
    """The office's templates folder beside the master has the disposisi only, and the
    installation lacks its built-in templates: the receipt cannot be made, the rest can."""
    own = sample_master.parent / "templates"
    own.mkdir()
    shutil.copy(F.TEMPLATES / F.DISPOSISI_TEMPLATE, own / F.DISPOSISI_TEMPLATE)
    monkeypatch.setattr(F, "TEMPLATES", tmp_path / "terpasang-tanpa-templat")
    out = build_forms(load_master(sample_master), tmp_path / "formulir", now=HANDED_OUT)
    only(out.report, "forms-template-missing", "error", file=F.RECEIPT_TEMPLATE)
    assert out.receipt is None and out.disposisi.is_file() and len(out.files) == 6


@pytest.mark.parametrize("content", [
    pytest.param("Tanda terima {% for b in baris %}{{ b.unit }", id="jinja"),
    pytest.param(b"ini bukan dokumen Word", id="not-docx"),
])
def test_forms_template_invalid(sample_master, tmp_path, content):
    own = sample_master.parent / "templates"
    own.mkdir()
    if isinstance(content, bytes):
        (own / F.RECEIPT_TEMPLATE).write_bytes(content)
    else:
        doc = Document()
        doc.add_paragraph(content)
        doc.save(own / F.RECEIPT_TEMPLATE)
    out = build_forms(load_master(sample_master), tmp_path / "formulir", now=HANDED_OUT)
    only(out.report, "forms-template-invalid", "error", file=F.RECEIPT_TEMPLATE)
    assert out.receipt is None and out.disposisi.is_file() and len(out.files) == 6  # built-in disposisi


# ----------------------------------------------------------------------------------- collect


def test_form_table_missing(sample_loaded, tmp_path):
    forms = blank_forms(sample_loaded, tmp_path / "formulir", units=["SEK", "PEM"], now=HANDED_OUT)
    entries = unit_entries()
    mine = lambda unit: {k: v for k, v in entries.items() if k.startswith(unit + ".")}  # noqa: E731
    inbox = tmp_path / "masuk"
    fill(forms["SEK"], inbox / "sek.xlsx", mine("SEK"))
    fill(forms["PEM"], inbox / "pem.xlsx", mine("PEM"),  # the unit deleted the header row
         lambda wb: wb[FORM_SHEET].delete_rows(HEADER_ROW))
    out = collect(sample_loaded, inbox, now=datetime(2026, 10, 8, 9, 0))
    only(out.report, "form-table-missing", "error", file="pem.xlsx", unit="PEM")
    assert out.landed.keys() == mine("SEK").keys()
    assert out.landed["SEK.02"]["r3"] == entries["SEK.02"]["r3"]
    assert out.returned == ["SEK"]


# ----------------------------------------------------------------------------------- review


def type_realisasi(master: Path, explained: bool = False) -> None:
    """Every unit's TW III values typed straight into its 'Data' sheet (`explained`: with an
    explanation wherever the sample has none)."""
    entries = unit_entries()
    if explained:
        entries = {k: {"penjelasan": "Kegiatan bergeser ke triwulan IV.", **v} for k, v in entries.items()}
    table = S.unit_data_table("x")
    col = {k: table.letter(k) for k in ("r3", "penjelasan", "bukti", "realisasi_anggaran")}
    wb = load_workbook(master)
    for unit in UNITS:
        ws = wb[f"Data {unit}"]
        for r in range(table.header_row + 1, ws.max_row + 1):
            for key, value in entries.get(str(ws[f"A{r}"].value), {}).items():
                ws[f"{col[key]}{r}"] = value
    wb.save(master)


def test_rekap_approval_blocked(sample_master, tmp_path):
    type_realisasi(sample_master, explained=True)
    # a Kesalahan outside every unit: an office holiday typed as a date that does not exist
    loaded = edit(sample_master, S.LIBUR.sheet, {"A5": "31/02/2026", "B5": "Cuti kantor"})
    v = validate(loaded, datetime(2026, 10, 12, 9, 0))
    assert all(v.counts[u]["error"] == 0 for u in UNITS), v.report.to_json()
    write_file(sample_master, v.writes, backup=False)
    type_decisions(sample_master, {u: ("Terima", None) for u in UNITS})  # the Sekretaris accepts every unit
    out = review(load_master(sample_master), tmp_path / "perbaikan", who="SITI RAHMAWATI, S.Sos",
                 now=datetime(2026, 10, 12, 10, 0))
    issue = only(out.report, "rekap-approval-blocked", "error", sheet=S.VALIDASI.sheet)
    assert "date-invalid" in issue.message and "Libur Kantor!A5" in issue.message
    assert out.approved == UNITS and set(out.approval.units.values()) == {DISETUJUI}
    assert not out.approval.approved
    events = [r[1] for r in appended(out.writes, S.RIWAYAT.sheet)]
    assert events.count(S.KEGIATAN_UNIT_DISETUJUI) == 6 and S.KEGIATAN_REKAP_DISETUJUI not in events


# ----------------------------------------------------------------------------------- report


def test_official_missing(sample_master, tmp_path):
    loaded = edit(sample_master, S.PEJABAT.sheet, {f"{c}5": None for c in "ABCDE"})  # no Sekretaris
    out = render_report(loaded, tmp_path / "laporan", force=True, documents=["surat"],
                        now=datetime(2026, 10, 16, 9, 0))
    issue = only(out.report, "official-missing", "warning", sheet=S.PEJABAT.sheet)
    assert "'sekretaris'" in issue.message and "paraf" in issue.message
    assert [p.suffix for p in out.files] == [".docx"] and out.files[0].is_file()


def test_pdf_failed(sample_loaded, tmp_path, monkeypatch):
    """LibreOffice fails (a real process that exits 1): the Word document is kept."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "soffice"
    fake.write_text("#!/bin/sh\necho 'profil pengguna rusak' >&2\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    logged = []
    keep = logging.Handler()
    keep.emit = lambda record: logged.append(record.getMessage())
    logging.getLogger("kinerja").addHandler(keep)
    try:
        out = render_report(sample_loaded, tmp_path / "laporan", pdf=True, force=True, documents=["surat"],
                            now=datetime(2026, 10, 16, 9, 0))
    finally:
        logging.getLogger("kinerja").removeHandler(keep)
    docx = out.files[0]
    issue = only(out.report, "pdf-failed", "warning", file=docx.name)
    assert "kinerja-galat.log" in issue.message and "profil pengguna rusak" not in issue.message
    assert any("profil pengguna rusak" in m for m in logged)  # LibreOffice's own words: in the log
    assert [p.suffix for p in out.files] == [".docx"] and docx.is_file()
    assert not list(docx.parent.glob("*.pdf"))


# ----------------------------------------------------------------------------------- the guard


def test_every_catalogue_code_is_triggered_by_a_test():
    """Every code appears in a test file or test data (the golden validation test lists the
    codes its rules raise). This file names codes only where it triggers them."""
    files = [*TESTS.rglob("*.py"), *(p for p in (TESTS / "data").iterdir() if p.is_file())]
    text = "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in files)
    missing = [c for c in CATALOGUE if not re.search(rf"(?<![\w-]){re.escape(c)}(?![\w-])", text)]
    assert not missing, f"kode tanpa uji: {missing}"
