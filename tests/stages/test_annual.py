"""The annual draft's door: refused before the year's end, from the CLI as from the core (the
whole year end to end is tests/stages/test_year.py)."""

from __future__ import annotations

from typer.testing import CliRunner

from kinerja.cli.commands import app
from kinerja.stages.annual import render_annual, text_rows
from kinerja.workbook.master import load_master


def test_annual_draft_needs_the_year_end(sample_master, tmp_path):
    out = render_annual(load_master(sample_master), tmp_path / "laporan", force=True)
    (issue,) = out.report.by_code("annual-not-year-end")
    assert "Triwulan III Tahun 2026" in issue.message and out.files == [] and not (tmp_path / "laporan").exists()
    r = CliRunner().invoke(app, ["report", str(sample_master), "--tahunan", "--force", "--json",
                                 "--out", str(tmp_path / "laporan")])
    assert r.exit_code == 1 and "annual-not-year-end" in r.output


def test_office_paragraphs_one_per_sasaran(sample_loaded):
    rows = text_rows(sample_loaded.master)
    sasaran = {i.sasaran for i in sample_loaded.master.indicators}
    assert len(rows) == 5 + len(sasaran) and len({label for _k, label in rows}) == len(rows)


def test_the_report_of_a_tahunan_period_is_the_annual_draft(sample_master, tmp_path):
    """'kinerja report' and the ribbon's Buat Laporan share one choice: on a Tahunan period the
    annual draft; the cover letter alone stays the quarter's document."""
    from test_forms import set_settings

    from kinerja.stages.annual import render_period_documents

    quarter = render_period_documents(load_master(sample_master), tmp_path / "tw", force=True)
    assert not quarter.report.by_code("annual-not-year-end") and quarter.files
    asked = render_period_documents(load_master(sample_master), tmp_path / "a", force=True, annual=True)
    assert asked.report.by_code("annual-not-year-end") and asked.files == []
    set_settings(sample_master, {"Jenis Periode": "Tahunan", "Nomor Periode": None})
    year = render_period_documents(load_master(sample_master), tmp_path / "th", force=True)
    assert not year.report.by_code("annual-not-year-end")
    assert year.files and all("lkjip" in f.name.lower() or "tahunan" in f.name.lower() for f in year.files), year.files
    letter = render_period_documents(load_master(sample_master), tmp_path / "s", force=True, documents=("surat",),
                                     annual_allowed=False)
    assert letter.files and not any("lkjip" in f.name.lower() for f in letter.files)
