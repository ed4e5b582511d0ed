"""What the head signs must be true: blank period targets, explanations below target, the count
behind an average, period words, and the SOP timing kept out of the documents sent out."""

from __future__ import annotations

import shutil
from pathlib import Path

from openpyxl import load_workbook
from test_documents import (  # noqa: F401
    NOW,
    _collected_template,
    approve,
    collected,
    collected_master,
    docx_text,
    set_setting,
)
from test_review import decide, riwayat

from kinerja.stages.check import check
from kinerja.stages.documents import render_report
from kinerja.stages.review import DISETUJUI, review
from kinerja.stages.signable import EXPLANATION_SETTING, TARGET_SETTING, without_period
from kinerja.stages.validate import validate
from kinerja.workbook import sheets as S
from kinerja.workbook.files import write_file
from kinerja.workbook.master import load_master

UNITS = ["SEK", "PEM", "TRANTIB", "PMD", "KESOS", "YANUM"]


def _indikator_cell(master: Path, kode: str, key: str) -> str:
    """The Indikator sheet cell of one indicator's column (found as a person would)."""
    ws = load_workbook(master)[S.INDIKATOR.sheet]
    col = S.INDIKATOR.letter("kode")
    row = next(c.row for c in ws[col] if c.value == kode)
    return f"{S.INDIKATOR.letter(key)}{row}"


def _setting_cell(master: Path, label: str) -> str:
    ws = load_workbook(master)[S.SETTINGS_SHEET]
    return f"B{next(c.row for c in ws['A'] if c.value == label)}"


def _docs(out, prefix: str) -> str:
    return docx_text(next(p for p in out.files if p.name.startswith(prefix) and p.suffix == ".docx"))


# ----------------------------------------------------------------------------------- blank target


def test_blank_period_target_is_an_error_at_its_cell_and_blocks_the_report_until_accepted(collected_master,
                                                                                         tmp_path):
    cell = _indikator_cell(collected_master, "SEK.02", "tw3")
    wb = load_workbook(collected_master)
    wb[S.INDIKATOR.sheet][cell] = None  # TW III target of SEK.02 left blank; the others are filled
    wb.save(collected_master)

    found = check(collected_master).report.by_code("target-period-blank")
    assert [(i.location.sheet, i.location.cell, i.location.indicator, i.severity.value) for i in found] == [
        (S.INDIKATOR.sheet, cell, "SEK.02", "error")]
    assert "TW III" in found[0].message and TARGET_SETTING in found[0].action
    v = validate(load_master(collected_master), NOW)
    assert [(i.location.cell, i.location.unit) for i in v.report.by_code("target-period-blank")] == [(cell, "SEK")]

    refused = render_report(approve(collected_master), tmp_path / "laporan", now=NOW)
    assert refused.report.codes() == {"report-not-fit"} and refused.files == []
    assert "SEK.02 TW III" in refused.report.issues[0].message

    set_setting(collected_master, TARGET_SETTING, "sek.02")  # the Sekretaris accepts it, in the master
    loaded = check(collected_master)
    assert not loaded.report.by_code("target-period-blank")
    assert [i.location.cell for i in loaded.report.by_code("target-period-blank-accepted")] == [cell]
    out = render_report(approve(collected_master), tmp_path / "laporan", now=NOW, documents=("laporan",))
    assert not out.draf and not out.report.blocking, out.report.to_json()
    text = _docs(out, "Laporan")
    assert "Target TW III indikator SEK.02 (Persentase penyerapan anggaran kecamatan) kosong; diterima " \
           "Sekretaris" in text
    assert "3 indikator tidak dihitung" not in text and "targetnya kosong (SEK.02)" in text


# ----------------------------------------------------------------------------------- counts, periods


def test_letter_states_the_number_averaged_and_why_the_others_are_left_out(collected_master, tmp_path):
    out = render_report(approve(collected_master), tmp_path / "laporan", now=NOW, documents=("laporan", "surat"))
    assert not out.report.blocking, out.report.to_json()
    letter = " ".join(_docs(out, "Surat").split())
    # 39 indicators, 2 with target 0 (SEK.07, PMD.07): the average is over 37
    assert "rata-rata capaian 37 indikator kinerja" in letter, letter
    assert "dari 39 indikator, 2 indikator tidak dihitung karena targetnya nol (SEK.07, PMD.07)" in letter
    report = " ".join(_docs(out, "Laporan").split())
    assert "Rata-rata capaian 37 indikator yang dapat dihitung" in report
    assert "2 indikator tidak dihitung karena targetnya nol (SEK.07, PMD.07)" in report
    assert "Belum dapat dihitung" in report  # the predicate table's row of those two


def test_a_stale_period_text_is_a_warning_and_documents_take_the_period_setting(collected_master, tmp_path):
    # the Hal was typed for TW III; the office moves the master to Triwulan I
    set_setting(collected_master, "Nomor Periode", "I")
    cell = _setting_cell(collected_master, "Hal Surat")
    stale = check(collected_master).report.by_code("period-text-stale")
    assert [(i.location.sheet, i.location.cell, i.severity.value) for i in stale] == [
        (S.SETTINGS_SHEET, cell, "warning")]
    assert "Triwulan III" in stale[0].message and "Triwulan I Tahun 2026" in stale[0].message
    out = render_report(load_master(collected_master), tmp_path / "laporan", now=NOW, force=True,
                        documents=("surat",))
    letter = _docs(out, "Surat")
    assert "Penyampaian Data Capaian Kinerja Triwulan I Tahun 2026" in letter
    assert "Triwulan III" not in letter
    assert without_period("Laporan TW. III tahun anggaran 2025, Kecamatan") == "Laporan, Kecamatan"


# ----------------------------------------------------------------------------------- explanations


def test_approval_without_explanation_is_refused_per_indicator_until_returned_or_excepted(
        _sample_master_template, tmp_path):
    master = tmp_path / "induk.xlsx"
    shutil.copy(_sample_master_template, master)
    collected(master)  # the sample as typed: five indicators below target have no explanation
    write_file(master, validate(load_master(master), NOW).writes, backup=False)
    decide(master, {u: "Terima" for u in UNITS})
    out = review(load_master(master), tmp_path / "formulir", now=NOW, force=True)  # --force does not help
    refused = {i.location.unit: i for i in out.report.by_code("approval-explanation-missing")}
    assert set(refused) == {"PEM", "KESOS", "YANUM"}
    assert "PEM.01 (83,33%), PEM.02 (95%), PEM.05 (95,56%)" in refused["PEM"].message
    assert "YANUM.03 (98,33%)" in refused["YANUM"].message and refused["YANUM"].severity.value == "error"
    assert EXPLANATION_SETTING in refused["YANUM"].action
    assert set(out.approved) == {"SEK", "TRANTIB", "PMD"} and not out.approval.approved
    write_file(master, out.writes, backup=False)

    # the Sekretaris accepts YANUM.03 without explanation: recorded, then approved and stated
    set_setting(master, EXPLANATION_SETTING, "YANUM.03")
    v = validate(load_master(master), NOW)
    assert [i.location.indicator for i in v.report.by_code("explanation-excepted")] == ["YANUM.03"]
    assert "YANUM.03" not in {i.location.indicator for i in v.report.by_code("explanation-missing")}
    write_file(master, v.writes, backup=False)
    decide(master, {"YANUM": "Terima"})
    out = review(load_master(master), tmp_path / "formulir", now=NOW)
    write_file(master, out.writes, backup=False)
    assert out.approval.units["YANUM"] == DISETUJUI
    assert any(r[2] == "YANUM" and "Diterima tanpa penjelasan: YANUM.03" in str(r[5]) for r in riwayat(master))


def test_sop_timing_is_an_internal_annex_unless_the_setting_puts_it_back(collected_master, tmp_path):
    out = render_report(approve(collected_master), tmp_path / "a", now=NOW)
    assert "Mutu Baku Waktu SOP" not in _docs(out, "Laporan")
    annex = _docs(out, "Lampiran-Internal-Waktu-SOP")
    assert "LAMPIRAN INTERNAL UNTUK SEKRETARIS" in annex and "Uraian Kegiatan" in annex

    set_setting(collected_master, "Waktu SOP di Laporan", "Ya")
    out = render_report(load_master(collected_master), tmp_path / "b", now=NOW)
    assert "D. Kepatuhan terhadap Mutu Baku Waktu SOP" in _docs(out, "Laporan")
    assert not any(p.name.startswith("Lampiran") for p in out.files)


def test_the_demo_report_and_letter_can_be_signed_as_they_are(demo_without_office):
    """`kinerja demo`: no placeholder text, no internal timing, counts that match the tables
    (the Word documents; the demo run without LibreOffice is shared with test_readme)."""
    import re

    from docx import Document

    from kinerja.stages.rekap import consolidate

    demo, lines = demo_without_office
    assert any(line.startswith("7. Disetujui (paraf)") for line in lines), lines
    folder = demo / "laporan"
    report_docx = folder / "Laporan-Data-Capaian-Kinerja-2026-TW3.docx"
    letter_docx = folder / "Surat-Pengantar-2026-TW3-001.docx"
    assert (folder / "Lampiran-Internal-Waktu-SOP-2026-TW3.docx").is_file()
    report, letter = docx_text(report_docx), docx_text(letter_docx)
    for text in (report, letter):
        for placeholder in ("(belum ada penjelasan)", "....", "{{", "{%", "DRAF", "Bupati ..."):
            assert placeholder not in text, placeholder
    assert "Mutu Baku Waktu SOP" not in report and "Uraian Kegiatan" not in report

    rows = consolidate(load_master(demo / "induk_sukamaju.xlsx").master)
    averaged = sum(1 for r in rows if r.ach.capaian is not None)
    below = sum(1 for r in rows if r.below_target)
    flat = " ".join(report.split())
    assert f"Rata-rata capaian {averaged} indikator yang dapat dihitung" in flat
    assert f"{below} indikator berada di bawah target" in flat
    assert f"rata-rata capaian {averaged} indikator kinerja" in " ".join(letter.split())
    # the tables say the same: section C has one row per indicator below target, and the unit
    # table's 'Di Bawah Target' column adds up to it
    tables = Document(str(report_docx)).tables
    explained = next(t for t in tables if t.rows[0].cells[-1].text.startswith("Penjelasan"))
    assert len(explained.rows) - 1 == below
    units = next(t for t in tables if t.rows[0].cells[-1].text == "Di Bawah Target")
    assert sum(int(r.cells[-1].text) for r in units.rows[1:]) == below
    assert re.search(r"YANUM\.03 .* diterima Sekretaris sebagai pengecualian", flat)


def test_an_office_template_with_a_typed_period_is_a_warning(collected_master, tmp_path):
    from docx import Document

    from kinerja.stages.documents import builtin_templates_dir

    folder = collected_master.parent / "templat_kantor"
    folder.mkdir()
    for name in ("laporan.docx", "surat_pengantar.docx", "waktu_sop.docx"):
        shutil.copy(builtin_templates_dir() / name, folder / name)
    set_setting(collected_master, "Folder Templat Word", "templat_kantor")
    doc = Document(str(folder / "laporan.docx"))
    doc.add_paragraph("Data per Triwulan II Tahun 2026; {{ periode }} dicetak dari Pengaturan.")
    doc.save(str(folder / "laporan.docx"))
    out = render_report(load_master(collected_master), tmp_path / "laporan", now=NOW, force=True,
                        documents=("laporan", "surat"))
    found = out.report.by_code("template-period-text")
    assert [(i.location.file, i.severity.value) for i in found] == [("laporan.docx", "warning")]
    assert "Triwulan II Tahun 2026" in found[0].message and "Triwulan III Tahun 2026" in found[0].message
