"""SOP steps 12-14: the report and cover letter from Word templates, PDF, letter numbers."""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
import zipfile
from collections import defaultdict
from datetime import datetime
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook
from typer.testing import CliRunner

from collect_helpers import blank_forms, fill
from kinerja.cli.commands import app
from kinerja.domain.numbers import format_number, format_percent
from kinerja.issues.catalogue import Report
from kinerja.stages.collect import collect
from kinerja.stages.documents import (
    REGISTER_COUNTER_CELL,
    builtin_templates_dir,
    letter_number,
    next_letter_number,
    preview_pages,
    render_report,
)
from kinerja.stages.rekap import consolidate
from kinerja.stages.review import fingerprint
from kinerja.workbook import sheets as S
from kinerja.workbook.description import WorkbookWrites
from kinerja.workbook.digest import sha256_file
from kinerja.workbook.files import write_file
from kinerja.workbook.master import load_master
from kinerja.workbook.tables import read_table

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data" / "sukamaju"
NOW = datetime(2026, 10, 20, 10, 0)
SEKRETARIS = "SITI RAHMAWATI, S.Sos"


# ----------------------------------------------------------------------------------- helpers


def collected(master: Path, penjelasan: dict[str, str] | None = None, inbox: Path | None = None):
    """The sample units' TW III forms (isian_tw3.csv) returned into `inbox` and collected."""
    loaded = load_master(master)
    inbox = inbox or master.parent / "masuk"
    values: dict[str, dict] = defaultdict(dict)
    with (SAMPLE / "isian_tw3.csv").open(encoding="utf-8") as f:
        for r in csv.DictReader(f):
            values[r["unit"]][r["kode"]] = {
                "r3": float(r["r3"]), "penjelasan": (penjelasan or {}).get(r["kode"], r["penjelasan"] or None),
                "bukti": r["bukti"],
                "realisasi_anggaran": float(r["realisasi_anggaran"]) if r["realisasi_anggaran"] else None}
    blanks = blank_forms(loaded, master.parent / "formulir")
    for unit, typed in values.items():
        fill(blanks[unit], inbox / blanks[unit].name, typed)
    out = collect(loaded, inbox, now=datetime(2026, 10, 9, 10, 0), who="AGUS")
    write_file(master, out.writes)
    return load_master(master)


# the sample units below target without an explanation, explained (a report fit to sign)
EXPLAINED = {k: "Kegiatan bergeser ke triwulan IV." for k in
             ("PEM.01", "PEM.02", "PEM.05", "TRANTIB.04", "KESOS.01", "YANUM.03")}


@pytest.fixture(scope="session")
def _collected_template(tmp_path_factory, _sample_master_template) -> Path:
    base = tmp_path_factory.mktemp("collected")
    shutil.copy(_sample_master_template, base / "induk.xlsx")
    collected(base / "induk.xlsx", EXPLAINED)
    return base


@pytest.fixture
def collected_master(tmp_path, _collected_template) -> Path:
    """A fresh copy of the sample master with TW III collected, and its inbox 'masuk' beside it."""
    path = tmp_path / "induk.xlsx"
    shutil.copy(_collected_template / "induk.xlsx", path)
    shutil.copytree(_collected_template / "masuk", tmp_path / "masuk")
    return path


def approve(master: Path):
    """The Sekretaris' decisions as the review stage records them in Riwayat (with fingerprints)."""
    m = load_master(master).master
    at = datetime(2026, 10, 16, 9, 0)
    rows = [[at, S.KEGIATAN_UNIT_DISETUJUI, u.kode, 1, SEKRETARIS, f"Sidik data: {fingerprint(m, u.kode)}"]
            for u in m.units]
    rows.append([at, S.KEGIATAN_REKAP_DISETUJUI, None, 1, SEKRETARIS, f"Sidik data: {fingerprint(m)}"])
    w = WorkbookWrites()
    w.sheet(S.RIWAYAT.sheet, S.RIWAYAT).append = rows
    write_file(master, w)
    return load_master(master)


def set_setting(master: Path, label: str, value) -> None:
    wb = load_workbook(master)
    ws = wb[S.SETTINGS_SHEET]
    row = next(c.row for c in ws["A"] if c.value == label)
    ws.cell(row=row, column=2, value=value)
    wb.save(master)


def pdf_text(pdf: Path, page: int | None = None) -> str:
    pages = ["-f", str(page), "-l", str(page)] if page else []
    return subprocess.run(["pdftotext", "-layout", *pages, str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout


def pdf_pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def docx_text(path: Path) -> str:
    doc = Document(str(path))
    parts = [p.text for p in doc.paragraphs]

    def cells(tables):
        for t in tables:
            for row in t.rows:
                for c in row.cells:
                    parts.extend(p.text for p in c.paragraphs)
                    cells(c.tables)

    cells(doc.tables)
    for section in doc.sections:
        parts.extend(p.text for p in section.header.paragraphs)
    return "\n".join(parts)


def sheet_rows(master: Path, table):
    return [r.values for r in read_table(load_master(master).rows[table.sheet], table, Report()).rows]


# ----------------------------------------------------------------------------------- report + PDF


def test_approved_report_pdf_shows_every_capaian_nip_and_letter(collected_master, tmp_path):
    loaded = approve(collected_master)
    m = loaded.master
    out = render_report(loaded, tmp_path / "laporan", pdf=True, now=NOW, who="AGUS")
    assert not out.report.blocking and not out.draf, out.report.to_json()
    names = sorted(p.name for p in out.files)
    assert names == ["Lampiran-Internal-Waktu-SOP-2026-TW3.docx", "Lampiran-Internal-Waktu-SOP-2026-TW3.pdf",
                     "Laporan-Data-Capaian-Kinerja-2026-TW3.docx", "Laporan-Data-Capaian-Kinerja-2026-TW3.pdf",
                     "Surat-Pengantar-2026-TW3-001.docx", "Surat-Pengantar-2026-TW3-001.pdf"]
    report_pdf = next(p for p in out.files if p.name.startswith("Laporan") and p.suffix == ".pdf")
    text = pdf_text(report_pdf)
    lines = [line.split() for line in text.splitlines()]
    d = m.settings.rules.desimal
    rows = consolidate(m)
    assert len(rows) == 39
    for r in rows:
        capaian, realisasi = format_percent(r.ach.capaian, d), format_number(r.ach.realisasi, d)
        with_code = [tokens for tokens in lines if r.indicator.kode in tokens]
        assert with_code, f"{r.indicator.kode} not in the report"
        assert capaian in with_code[0], (r.indicator.kode, capaian, with_code)  # the sasaran's table
        assert realisasi in with_code[0], (r.indicator.kode, realisasi, with_code[0])
        # and the comparison table: the realisasi of TW I, TW II and this quarter, each by its method
        from kinerja.domain.capaian import achievement
        from kinerja.domain.models import Period

        tw = [achievement(r.indicator, r.result, Period(tahun=2026, nomor=q), m.settings.rules,
                          m.turun_formula(r.indicator)).realisasi for q in (1, 2, 3)]
        assert any(tokens[1:4] == [format_number(v, d) for v in tw] for tokens in with_code[1:]), with_code
    assert "59,5" in text and "1.800" in text  # Indonesian decimals and thousands
    kepala = m.settings.official("kepala")
    assert kepala.nip_text == "19730512 199803 1 004" and f"NIP. {kepala.nip_text}" in text
    assert kepala.nama in text and "20 Oktober 2026" in text and "Paraf Koordinasi" in text
    assert "Sangat Tinggi" in text and "Grafik rata-rata capaian" in text
    assert "DRAF" not in text
    assert 3 <= pdf_pages(report_pdf) <= 10
    letter = pdf_text(next(p for p in out.files if p.name.startswith("Surat") and p.suffix == ".pdf"))
    for expected in ("700/1/435.501/2026", "Bupati Sukamakmur", "1 (satu) berkas", "Penyampaian Data Capaian",
                     "Kepala Bappeda Kabupaten Sukamakmur", "Inspektur Kabupaten Sukamakmur", "Arsip",
                     "Sukamaju, 20 Oktober 2026", kepala.nip_text):
        assert expected in letter, expected
    assert out.nomor_surat == "700/1/435.501/2026" and pdf_pages(next(p for p in out.files if p.name.startswith(
        "Surat") and p.suffix == ".pdf")) == 1

    # the master's records: every file logged with its hash, the letter registered, timing stamped
    write_file(collected_master, out.writes)
    log = sheet_rows(collected_master, S.LOG_LAPORAN)
    assert len(log) == 6 and {r["status"] for r in log} == {"Final"} and {r["oleh"] for r in log} == {"AGUS"}
    for r in log:
        assert sha256_file(collected_master.parent / r["file"]) == r["sha256"]
    reg = sheet_rows(collected_master, S.REGISTER_SURAT)
    assert [(r["tahun"], r["nomor_urut"], r["nomor_surat"]) for r in reg] == [(2026, 1, "700/1/435.501/2026")]
    waktu = {r["no"]: r for r in sheet_rows(collected_master, S.WAKTU)}
    for step in m.sop.steps_for("laporan") + m.sop.steps_for("surat_pengantar"):
        assert waktu[step.no]["selesai"] == NOW and waktu[step.no]["oleh"] == "AGUS"

    pngs = preview_pages(report_pdf, tmp_path / "png")
    assert len(pngs) == pdf_pages(report_pdf)
    assert all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in pngs)


def test_unapproved_is_refused_and_forced_draft_says_draf_on_every_page(collected_master, tmp_path):
    loaded = load_master(collected_master)
    refused = render_report(loaded, tmp_path / "laporan", pdf=True, now=NOW)
    assert refused.report.codes() == {"rekap-not-approved"} and refused.report.blocking
    assert refused.files == [] and refused.writes.sheets == [] and not (tmp_path / "laporan").exists()

    out = render_report(loaded, tmp_path / "laporan", pdf=True, force=True, now=NOW)
    assert out.draf and "report-draft" in out.report.codes() and not out.report.blocking
    assert {p.name for p in out.files} == {f"{n}-2026-TW3-DRAF.{ext}" for n in
                                           ("Laporan-Data-Capaian-Kinerja", "Surat-Pengantar",
                                            "Lampiran-Internal-Waktu-SOP") for ext in ("docx", "pdf")}
    for pdf in (p for p in out.files if p.suffix == ".pdf"):
        pages = pdf_pages(pdf)
        assert pages >= 1
        for page in range(1, pages + 1):
            assert "DRAF" in pdf_text(pdf, page), (pdf.name, page)
    assert out.nomor_surat == "700/..../435.501/2026"  # a draft letter has no number yet
    sheets = {s.sheet for s in out.writes.sheets}
    assert sheets == {S.LOG_LAPORAN.sheet}  # no register row, no SOP timing for a draft
    assert {row[4] for row in out.writes.sheet(S.LOG_LAPORAN.sheet).append} == {"DRAF"}


# ----------------------------------------------------------------------------------- templates


def _office_templates(master: Path) -> Path:
    folder = master.parent / "templat_kantor"
    folder.mkdir()
    for name in ("laporan.docx", "surat_pengantar.docx"):
        shutil.copy(builtin_templates_dir() / name, folder / name)
    set_setting(master, "Folder Templat Word", "templat_kantor")
    return folder


def _edit(path: Path, old: str | None = None, new: str = "", add: str | None = None) -> None:
    """Edit a template the way Word would save it (python-docx)."""
    doc = Document(str(path))
    if old is not None:
        runs = [r for p in _all_paragraphs(doc) for r in p.runs if old in r.text]
        assert runs, old
        for r in runs:
            r.text = r.text.replace(old, new)
    if add is not None:
        doc.add_paragraph(add)
    doc.save(str(path))


def _all_paragraphs(doc):
    out = list(doc.paragraphs)

    def walk(tables):
        for t in tables:
            for row in t.rows:
                for c in row.cells:
                    out.extend(c.paragraphs)
                    walk(c.tables)

    walk(doc.tables)
    return out


def test_edited_templates_are_checked_before_anything_is_written(collected_master, tmp_path):
    folder = _office_templates(collected_master)
    out_dir = tmp_path / "laporan"

    def run(**kw):
        return render_report(load_master(collected_master), out_dir, force=True, now=NOW, **kw)

    _edit(folder / "laporan.docx", "{{ tempat }}, {{ tanggal }}", "{{ tempat }}")
    out = run()
    missing = out.report.by_code("template-field-missing")
    assert len(missing) == 1 and "tanggal" in missing[0].message and missing[0].location.file == "laporan.docx"
    assert out.files == [] and out.writes.sheets == [] and not out_dir.exists()

    shutil.copy(builtin_templates_dir() / "laporan.docx", folder / "laporan.docx")
    _edit(folder / "laporan.docx", add="Nomor rekening: {{ nomor_rekening }} {{ kepala.nama }}")
    _edit(folder / "surat_pengantar.docx", "{{ nomor_surat }}", "")
    out = run()
    unknown = out.report.by_code("template-field-unknown")
    assert len(unknown) == 1 and "nomor_rekening" in unknown[0].message and "kepala" not in unknown[0].value
    assert "tanggal" in unknown[0].action  # the fields that are available are listed
    missing = out.report.by_code("template-field-missing")
    assert len(missing) == 1 and "nomor_surat" in missing[0].message
    assert missing[0].location.file == "surat_pengantar.docx"
    assert out.files == [] and not out_dir.exists()

    shutil.copy(builtin_templates_dir() / "laporan.docx", folder / "laporan.docx")
    _edit(folder / "laporan.docx", add="Dicetak {{ tanggal ")
    assert run(documents=("laporan",)).report.codes() >= {"template-invalid"}

    # a template that fails while rendering (here: the letter): nothing is left behind
    shutil.copy(builtin_templates_dir() / "laporan.docx", folder / "laporan.docx")
    shutil.copy(builtin_templates_dir() / "surat_pengantar.docx", folder / "surat_pengantar.docx")
    _edit(folder / "surat_pengantar.docx", add="{{ kepala.nama.split(1, 2, 3) }}")
    out = run()
    assert out.report.codes() >= {"template-invalid"} and out.report.blocking
    assert out.files == [] and out.writes.sheets == [] and list(out_dir.iterdir()) == []
    shutil.copy(builtin_templates_dir() / "surat_pengantar.docx", folder / "surat_pengantar.docx")

    # a document that cannot be written (here a folder holds its name): reported, nothing kept
    (out_dir / "Surat-Pengantar-2026-TW3-DRAF.docx").mkdir()
    out = run()
    assert out.report.codes() >= {"report-write-failed"} and out.files == [] and out.writes.sheets == []
    assert [p.name for p in out_dir.iterdir()] == ["Surat-Pengantar-2026-TW3-DRAF.docx"]
    (out_dir / "Surat-Pengantar-2026-TW3-DRAF.docx").rmdir()

    # a valid office template is used, with an optional field the built-in one does not show
    shutil.copy(builtin_templates_dir() / "laporan.docx", folder / "laporan.docx")
    _edit(folder / "laporan.docx", add="Disusun oleh {{ perencana.nama }}, NIP {{ perencana.nip }}")
    out = run(documents=("laporan",))
    assert not out.report.blocking, out.report.to_json()
    assert "Disusun oleh AGUS PRASETYO, S.E., NIP 19880723 201101 1 002" in docx_text(out.files[0])

    # a named folder without the file: the built-in template, with a warning
    (folder / "laporan.docx").unlink()
    out = run(documents=("laporan",))
    assert "template-not-found" in out.report.codes() and len(out.files) == 1


def test_unit_text_with_markup_characters_is_escaped(sample_master, tmp_path):
    odd = 'Anggaran & jadwal <b>bergeser</b> "tertunda" 5 < 7 & 8 > 6'
    loaded = collected(sample_master, penjelasan={"SEK.02": odd})
    assert loaded.master.results["SEK.02"].penjelasan == odd
    out = render_report(loaded, tmp_path, force=True, now=NOW, documents=("laporan",))
    assert not out.report.blocking, out.report.to_json()
    docx = out.files[0]
    assert odd in docx_text(docx)  # read back by a real reader: the XML is well formed
    xml = zipfile.ZipFile(docx).read("word/document.xml").decode()
    assert "&amp; jadwal &lt;b&gt;bergeser&lt;/b&gt;" in xml and "<b>" not in xml


def test_logo_from_the_master_folder_and_a_missing_logo(collected_master, tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(1, 1.2), dpi=80)
    fig.patch.set_facecolor("#1F4E78")
    fig.savefig(collected_master.parent / "logo.png")
    plt.close(fig)
    set_setting(collected_master, "Logo (file gambar)", "logo.png")
    out = render_report(load_master(collected_master), tmp_path / "a", force=True, now=NOW, documents=("surat",))
    assert "logo-not-found" not in out.report.codes()
    assert len(Document(str(out.files[0])).inline_shapes) == 1
    set_setting(collected_master, "Logo (file gambar)", "tidak-ada.png")
    out = render_report(load_master(collected_master), tmp_path / "b", force=True, now=NOW, documents=("surat",))
    assert "logo-not-found" in out.report.codes() and len(Document(str(out.files[0])).inline_shapes) == 0


# ----------------------------------------------------------------------------------- letter numbers


def test_letter_numbers_run_per_year_and_are_never_given_out_twice(collected_master, tmp_path):
    approve(collected_master)

    def issue(now=NOW):
        out = render_report(load_master(collected_master), tmp_path, now=now, documents=("surat",))
        assert not out.report.blocking, out.report.to_json()
        write_file(collected_master, out.writes)
        return out

    first, second = issue(), issue()
    assert (first.nomor_surat, second.nomor_surat) == ("700/1/435.501/2026", "700/2/435.501/2026")
    assert [p.name for p in first.files + second.files] == ["Surat-Pengantar-2026-TW3-001.docx",
                                                           "Surat-Pengantar-2026-TW3-002.docx"]
    assert "700/2/435.501/2026" in docx_text(second.files[0])
    reg = sheet_rows(collected_master, S.REGISTER_SURAT)
    assert [r["nomor_urut"] for r in reg] == [1, 2]

    # deleting the last register row does not give its number out again (the counter remembers)
    wb = load_workbook(collected_master)
    ws = wb[S.REGISTER_SURAT.sheet]
    assert ws[REGISTER_COUNTER_CELL].value == "2026: 2"
    ws.delete_rows(S.REGISTER_SURAT.header_row + 2)
    wb.save(collected_master)
    assert [r["nomor_urut"] for r in sheet_rows(collected_master, S.REGISTER_SURAT)] == [1]
    assert issue().nomor_surat == "700/3/435.501/2026"

    # staff skip numbers taken by other letters by raising the counter
    wb = load_workbook(collected_master)
    wb[S.REGISTER_SURAT.sheet][REGISTER_COUNTER_CELL] = "2026: 57"
    wb.save(collected_master)
    assert next_letter_number(load_master(collected_master), 2026)[0] == 58
    # a new year starts at 1 and keeps the old year's counter
    jan = issue(datetime(2027, 1, 6, 9, 0))
    assert jan.nomor_surat == "700/1/435.501/2027"
    assert load_workbook(collected_master)[S.REGISTER_SURAT.sheet][REGISTER_COUNTER_CELL].value == "2027: 1; 2026: 57"


def test_letter_number_format_from_the_master(collected_master, tmp_path):
    when = datetime(2026, 11, 3)
    assert letter_number("{klasifikasi}/{nomor:03d}/{kode_unit}/{bulan_romawi}/{tahun}", nomor=16,
                         kode_unit="427.83", klasifikasi="700", when=when) == "700/016/427.83/XI/2026"
    assert letter_number("{klasifikasi}/{nomor:03d}/{tahun}", nomor=None, kode_unit="", klasifikasi="700",
                         when=when) == "700/..../2026"
    approve(collected_master)
    set_setting(collected_master, "Format Nomor Surat", "{klasifikasi}/{nomer}/{tahun}")
    out = render_report(load_master(collected_master), tmp_path / "x", now=NOW)
    issues = out.report.by_code("letter-format-invalid")
    assert len(issues) == 1 and "{nomer}" in issues[0].message and "{bulan_romawi}" in issues[0].action
    assert out.files == [] and out.writes.sheets == [] and not (tmp_path / "x").exists()


# ----------------------------------------------------------------------------------- CLI


def test_cli_report_and_surat(collected_master, tmp_path):
    runner = CliRunner()
    res = runner.invoke(app, ["report", str(collected_master), "--out", str(tmp_path / "l"), "--json"])
    assert res.exit_code == 1
    assert [i["code"] for i in json.loads(res.output)["issues"]] == ["rekap-not-approved"]
    res = runner.invoke(app, ["report", str(collected_master), "--out", str(tmp_path / "l"), "--force", "--oleh", "AGUS"])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "l" / "Laporan-Data-Capaian-Kinerja-2026-TW3-DRAF.docx").is_file()
    assert [r["status"] for r in sheet_rows(collected_master, S.LOG_LAPORAN)] == ["DRAF", "DRAF", "DRAF"]
    approve(collected_master)
    res = runner.invoke(app, ["surat", str(collected_master)])  # default folder: Folder Laporan
    assert res.exit_code == 0, res.output
    assert "700/1/435.501/" in res.output
    assert len(list((collected_master.parent / "laporan").glob("Surat-Pengantar-2026-TW3-001.docx"))) == 1
    assert [r["nomor_urut"] for r in sheet_rows(collected_master, S.REGISTER_SURAT)] == [1]


def test_large_tables_render_as_docxtpl_renders_them(tmp_path):
    """docx_template renders the body as a stream (cut into pieces of whole paragraphs): the
    document is the one docxtpl makes."""
    import zipfile

    from docx import Document
    from docxtpl import DocxTemplate
    from lxml import etree

    from kinerja.wordtemplate import docx_template

    doc = Document()
    doc.add_paragraph("Laporan {{ judul }}")
    table = doc.add_table(rows=3, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "{%tr for r in baris %}", ""
    table.cell(1, 0).text, table.cell(1, 1).text = "{{ r.kode }}", "{{ r.nilai }}"
    table.cell(2, 0).text, table.cell(2, 1).text = "{%tr endfor %}", ""
    inner = table.cell(1, 1).add_table(rows=1, cols=1)  # a table inside a large one
    inner.cell(0, 0).text = "{{ r.kode }} & <catatan>"
    src = tmp_path / "t.docx"
    doc.save(src)
    context = {"judul": "TW III", "baris": [{"kode": f"K.{i:04d}", "nilai": i * 1.5}
                                            for i in range(3000)]}  # several pieces of a megabyte
    outs = []
    for make in (lambda p: DocxTemplate(str(p)), docx_template):
        tpl = make(src)
        tpl.render(context, autoescape=True)
        out = tmp_path / f"out{len(outs)}.docx"
        tpl.save(str(out))
        with zipfile.ZipFile(out) as z:
            outs.append(z.read("word/document.xml"))
    same = [etree.tostring(etree.fromstring(x), method="c14n") for x in outs]
    assert same[0] == same[1]
    assert outs[1].count(b"<w:tr") > 3000 and b"K.2999 &amp; &lt;catatan&gt;" in outs[1]


def test_final_report_refused_while_a_signatory_nip_was_not_read_right(collected_master, tmp_path):
    """The Camat's NIP typed into a General cell (1.97305121998031E+17): the signed report and
    letter would print a NIP that is not his; no final document is made, the cell is named."""
    approve(collected_master)
    wb = load_workbook(collected_master)
    cell = f"{S.PEJABAT.letter('nip')}{S.FIRST_DATA_ROW}"
    wb[S.PEJABAT.sheet][cell] = 1.97305121998031e17
    wb.save(collected_master)
    out = render_report(load_master(collected_master), tmp_path / "laporan", pdf=False, now=NOW, who="AGUS")
    assert out.report.blocking and not out.files
    assert [(i.code, i.location.cell) for i in out.report.issues if i.code.startswith("nip")] == [("nip-number", cell)]
