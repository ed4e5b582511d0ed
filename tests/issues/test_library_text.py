"""A library's own (English) error text never reaches the person: a Word template with a broken
Jinja tag, an output folder that cannot be written, a full disk, a letter-number format Python
cannot apply. Each ends in an Indonesian message; the library's text goes to kinerja-galat.log."""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from docx import Document
from test_documents import _collected_template, approve, collected_master, set_setting  # noqa: F401

from kinerja.cli import commands as cli
from kinerja.issues.explain import explain
from kinerja.stages import forms as F
from kinerja.stages.annual import render_annual
from kinerja.stages.archive import archive_period
from kinerja.stages.documents import builtin_templates_dir, letter_number, render_report
from kinerja.stages.forms import build_forms
from kinerja.workbook.master import load_master

ROOT = Path(__file__).resolve().parents[2]
HANDED_OUT = datetime(2026, 10, 6, 8, 0)
NOW = datetime(2026, 10, 20, 10, 0)

# words of English library messages (jinja2, python-docx, zipfile, OSError, str.format, pydantic)
ENGLISH = re.compile(r"\b(the|is|not|of|such|error|errno|expected|unexpected|directory|exists|denied|invalid|"
                     r"unknown|found|format code|object|type|tag|end|block|template|package|item|named)\b")


def english(text: str) -> list[str]:
    """English words in `text`, outside the quoted names ('induk.xlsx', a folder)."""
    return ENGLISH.findall(re.sub(r"'[^']*'", "", text).lower())


def said(issues) -> str:
    return " ".join(f"{i.message} {i.action}" for i in issues)


@pytest.fixture
def galat(monkeypatch):
    """What the library said, as kinerja-galat.log receives it."""
    records: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record):
            records.append(record.getMessage())

    handler = Keep()
    logging.getLogger("kinerja").addHandler(handler)
    yield records
    logging.getLogger("kinerja").removeHandler(handler)


def broken_jinja(path: Path, text: str) -> Path:
    doc = Document(str(path))
    doc.add_paragraph(text)
    doc.save(str(path))
    return path


# ----------------------------------------------------------------------------------- forms


def test_form_write_failures_in_indonesian(sample_loaded, tmp_path, galat):
    (tmp_path / "catatan.txt").write_text("bukan folder")
    out = build_forms(sample_loaded, tmp_path / "catatan.txt" / "formulir", now=HANDED_OUT)
    [issue] = out.report.by_code("form-write-failed")
    assert "bukan folder" in issue.message and not english(said([issue])), said([issue])

    out_dir = tmp_path / "formulir"
    (out_dir / "Formulir-PEM-2026-TW3-P1.xlsx").mkdir(parents=True)  # a folder holds PEM's form's name
    out = build_forms(sample_loaded, out_dir, now=HANDED_OUT, force=True)
    [issue] = out.report.by_code("form-write-failed")
    assert "folder, bukan file" in issue.message and not english(said([issue])), said([issue])
    assert any("Is a directory" in r or "Not a directory" in r for r in galat), galat


@pytest.mark.parametrize("text", ["Tanda terima {% for b in baris %}{{ b.unit }", "{{ unit | tidak_ada }}",
                                  "{% endfor %}"])
def test_broken_receipt_template_in_indonesian(sample_master, tmp_path, galat, text):
    own = sample_master.parent / "templates"
    own.mkdir()
    broken_jinja(shutil.copy(F.TEMPLATES / F.RECEIPT_TEMPLATE, own / F.RECEIPT_TEMPLATE), text)
    out = build_forms(load_master(sample_master), tmp_path / "formulir", now=HANDED_OUT)
    [issue] = out.report.by_code("forms-template-invalid")
    assert "templat" in issue.message and not english(said([issue])), said([issue])
    assert out.receipt is None and len(out.files) == 6  # the forms themselves are made
    assert galat  # jinja2's own words are in the log


FULL_DISK = r"""
import json, resource, signal, sys
from datetime import datetime
from pathlib import Path
from kinerja.workbook.master import load_master
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
what, master, out, limit = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4])
loaded = load_master(master)
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
if what == "forms":
    from kinerja.stages.forms import build_forms
    result = build_forms(loaded, out, now=datetime(2026, 10, 6, 8, 0))
else:
    from kinerja.stages.documents import render_report
    result = render_report(loaded, out, force=True, now=datetime(2026, 10, 20, 10, 0))
print(json.dumps([[i.code, i.message] for i in result.report.issues]))
"""


def full_disk(what: str, master: Path, out: Path, limit: int) -> list[list[str]]:
    """`what` run with files limited to `limit` bytes (EFBIG, as on a full disk)."""
    done = subprocess.run([sys.executable, "-c", FULL_DISK, what, str(master), str(out), str(limit)],
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_full_disk_while_writing_forms_and_documents(collected_master, tmp_path):
    issues = full_disk("forms", collected_master, tmp_path / "formulir", 4096)
    failed = [m for c, m in issues if c == "form-write-failed"]
    assert len(failed) == 6 and all("disk penuh" in m for m in failed), issues
    assert not [m for m in failed if english(m)], failed
    assert list((tmp_path / "formulir").iterdir()) == []  # no truncated form, no temporary file

    issues = full_disk("report", collected_master, tmp_path / "laporan", 4096)
    failed = [m for c, m in issues if c == "report-write-failed"]
    assert len(failed) == 1 and "disk penuh" in failed[0] and not english(failed[0]), issues
    assert list((tmp_path / "laporan").iterdir()) == []  # all or nothing


# ----------------------------------------------------------------------------------- documents


def test_report_template_and_write_failures_in_indonesian(collected_master, tmp_path, galat):
    folder = collected_master.parent / "templat_kantor"
    folder.mkdir()
    for name in ("laporan.docx", "surat_pengantar.docx"):
        shutil.copy(builtin_templates_dir() / name, folder / name)
    set_setting(collected_master, "Folder Templat Word", "templat_kantor")

    def run(out_dir: Path, **kw):
        return render_report(load_master(collected_master), out_dir, force=True, now=NOW, **kw)

    broken_jinja(folder / "laporan.docx", "Dicetak {{ tanggal ")  # refused before rendering
    [issue] = run(tmp_path / "a", documents=("laporan",)).report.by_code("template-invalid")
    assert "penulisan isian templat salah" in issue.message and not english(said([issue])), said([issue])

    shutil.copy(builtin_templates_dir() / "laporan.docx", folder / "laporan.docx")
    broken_jinja(folder / "surat_pengantar.docx", "{{ kepala.nama.split(1, 2, 3) }}")  # fails while rendering
    [issue] = run(tmp_path / "b").report.by_code("template-invalid")
    assert "gagal diisi" in issue.message and not english(said([issue])), said([issue])
    shutil.copy(builtin_templates_dir() / "surat_pengantar.docx", folder / "surat_pengantar.docx")

    (tmp_path / "berkas").write_text("x")
    [issue] = run(tmp_path / "berkas" / "laporan").report.by_code("report-write-failed")
    assert "bukan folder" in issue.message and not english(said([issue])), said([issue])

    (tmp_path / "c" / "Laporan-Data-Capaian-Kinerja-2026-TW3-DRAF.docx").mkdir(parents=True)
    [issue] = run(tmp_path / "c").report.by_code("report-write-failed")
    assert "folder, bukan file" in issue.message and not english(said([issue])), said([issue])
    assert any("TemplateSyntaxError" in r for r in galat) and any("Is a directory" in r for r in galat), galat


def test_letter_number_format_python_cannot_apply(collected_master, tmp_path):
    with pytest.raises(ValueError) as e:
        letter_number("{klasifikasi}/{nomor}/{tahun:s}", nomor=3, kode_unit="", klasifikasi="700",
                      when=datetime(2026, 11, 3))
    assert "{nomor:x}" in str(e.value) and not english(str(e.value).replace("{nomor:x}", "")), str(e.value)
    approve(collected_master)
    set_setting(collected_master, "Format Nomor Surat", "{klasifikasi}/{nomor}/{tahun:s}}")
    out = render_report(load_master(collected_master), tmp_path / "x", now=NOW)
    [issue] = out.report.by_code("letter-format-invalid")
    assert "tidak berpasangan" in issue.message, issue.message
    assert not english(said([issue]).replace("{tahun:s}}", "")), said([issue])


def test_annual_and_archive_write_failures_in_indonesian(sample_master, tmp_path):
    (tmp_path / "berkas").write_text("x")
    out = archive_period(load_master(sample_master), tmp_path / "berkas" / "arsip")
    [issue] = out.report.by_code("report-write-failed")
    assert "bukan folder" in issue.message and not english(said([issue])), said([issue])

    set_setting(sample_master, "Nomor Periode", "IV")
    out = render_annual(load_master(sample_master), tmp_path / "berkas" / "lkjip", force=True)
    [issue] = out.report.by_code("report-write-failed")
    assert "bukan folder" in issue.message and not english(said([issue])), said([issue])


# ----------------------------------------------------------------------------------- the last door


def test_an_unforeseen_failure_is_one_indonesian_line(sample_master, monkeypatch, capsys):
    """A failure nobody foresaw (here: a bug in validate) is one Indonesian line on the screen,
    exit 2, with its traceback in kinerja-galat.log beside the master, never a Python traceback."""
    import kinerja.stages.validate

    def broken(*a, **k):
        raise AttributeError("'NoneType' object has no attribute 'kode'")

    monkeypatch.setattr(kinerja.stages.validate, "validate", broken)
    monkeypatch.setattr(sys, "argv", ["kinerja", "validate", str(sample_master)])
    monkeypatch.setattr(cli.err, "_width", 1000)
    monkeypatch.setattr(cli, "_LOG", {})
    with pytest.raises(SystemExit) as done:
        cli.main()
    assert done.value.code == 2
    shown = capsys.readouterr()
    text = shown.out + shown.err
    assert "kesalahan tak terduga" in text and "kinerja-galat.log" in text, text
    assert "Traceback" not in text and "NoneType" not in text
    logged = (sample_master.parent / "kinerja-galat.log").read_text(encoding="utf-8")
    assert "Traceback" in logged and "NoneType" in logged


@pytest.mark.parametrize("error, phrase", [
    (OSError(28, "No space left on device"), "disk penuh"),
    (FileExistsError(17, "File exists"), "sudah ada"),
    (KeyError("There is no item named 'word/document.xml' in the archive"), "bukan dokumen Office"),
])
def test_explain_says_it_in_indonesian(error, phrase, galat):
    assert phrase in explain(error) and not english(explain(error))
    assert galat and str(error.args[-1]).strip("'") in galat[-1].replace('"', "'")


def test_pip_failure_in_the_install_folder_is_said_in_indonesian(tmp_path, galat):
    """`kinerja excel paket`: pip's own (English) output goes to the log; the message says what
    failed in Indonesian. (--no-index: nothing is asked of a package index.)"""
    from kinerja.excel.paket import PaketError, _pip

    with pytest.raises(PaketError) as e:
        _pip(["download", "paket-kinerja-tidak-ada", "--no-index", "--find-links", str(tmp_path), "-d",
              str(tmp_path)], timeout=120)
    assert "tidak tersedia" in e.value.message and "kinerja-galat.log" in e.value.message
    assert not english(e.value.message.replace("kinerja-galat.log", "")), e.value.message
    assert any("No matching distribution" in r or "ERROR" in r for r in galat), galat
