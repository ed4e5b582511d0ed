"""The documents' charts: drawn in a helper process or here, the same bytes; a helper that cannot
start, fails, dies or hangs leaves the chart to this process; no helper outlives its `Charts`."""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

import pytest
from test_documents import NOW, _collected_template, _edit, _office_templates, collected_master  # noqa: F401

import kinerja.charts as charts_module
import kinerja.stages.documents as documents
from kinerja.charts import Charts, helper_command, trend_chart, unit_chart
from kinerja.stages.documents import render_report
from kinerja.workbook.master import load_master

ROOT = str(Path(charts_module.__file__).resolve().parent.parent)
# a helper that starts and reads its jobs, but whose drawings all fail (an unknown drawing)
FAILING = [sys.executable, "-c", "import sys; sys.path.insert(0, sys.argv[1]); import kinerja.charts as c; "
           "c.DRAWINGS.clear(); c.serve()", ROOT]


def jobs(folder: Path) -> list[tuple]:
    """A unit chart with a title and a trend with last year's marker, as a large report has them."""
    return [(unit_chart, folder / "grafik.png", ["U03", "U02", "U01"], [0.0, 87.5, 104.25],
             ["#C00000", "#FFC000", "#00B050"], ["- (-)", "87,50% (Baik)", "104,25% (Sangat Baik)"],
             "3 unit dengan rata-rata capaian terendah"),
            (trend_chart, "Meningkatnya kualitas pelayanan", [91.5, 97.25, None, None], folder / "tren-0.png",
             88.0, 2)]


def drawn(folder: Path, **kw) -> tuple[dict[str, bytes], Charts]:
    folder.mkdir(parents=True, exist_ok=True)
    with Charts(**kw) as charts:
        made = [charts.draw(fn, *args) for fn, *args in jobs(folder)]
        paths = [charts.result(job) for job in made]
    assert charts.helper is None
    return {p.name: p.read_bytes() for p in paths}, charts


def in_process(folder: Path) -> dict[str, bytes]:
    folder.mkdir(parents=True, exist_ok=True)
    return {p.name: p.read_bytes() for p in (fn(*args) for fn, *args in jobs(folder))}


def test_the_helper_draws_the_very_bytes_drawn_here(tmp_path, monkeypatch):
    started = []
    real = Charts._start
    monkeypatch.setattr(Charts, "_start", lambda self, cmd: (real(self, cmd), started.append(self._proc)))
    here = in_process(tmp_path / "here")
    helped, _ = drawn(tmp_path / "helper")
    assert len(started) == 1 and started[0] is not None
    assert started[0].poll() is not None  # ended with its Charts
    assert helped == here and set(here) == {"grafik.png", "tren-0.png"}
    assert helped["grafik.png"].startswith(b"\x89PNG") and len(helped["grafik.png"]) > 5000
    without, _ = drawn(tmp_path / "without", helper=False)
    assert without == here


@pytest.mark.parametrize("command", [
    FAILING,  # every drawing fails in the helper
    [sys.executable, "-c", "pass"],  # it ends at once
    [sys.executable, "-c", "import sys; sys.stdout.buffer.write(b'\\x05\\x00\\x00\\x00junk'); sys.stdout.flush()"],
    [str(Path(sys.executable).parent / "no-such-python")],  # it cannot start
])
def test_a_failing_helper_leaves_the_charts_to_this_process(tmp_path, command):
    helped, charts = drawn(tmp_path / "helper", command=command)
    assert helped == in_process(tmp_path / "here")


def test_a_hanging_helper_is_killed_and_the_chart_drawn_here(tmp_path):
    folder = tmp_path / "c"
    folder.mkdir()
    with Charts(command=[sys.executable, "-c", "import time; time.sleep(60)"], timeout=0.5) as charts:
        proc = charts.helper
        job = charts.draw(*jobs(folder)[1])
        assert charts.result(job).read_bytes() == in_process(tmp_path / "here")["tren-0.png"]
        assert charts.helper is None and proc.poll() is not None


def test_an_error_in_the_block_kills_the_helper(tmp_path):
    with pytest.raises(RuntimeError), Charts(command=FAILING) as charts:
        proc = charts.helper
        charts.draw(*jobs(tmp_path)[0])
        raise RuntimeError("render failed")
    assert proc.poll() is not None


def test_no_helper_without_a_python_interpreter_to_start(monkeypatch):
    """Inside Excel's own process (or a frozen application) sys.executable is no Python to start."""
    assert helper_command() is not None
    for exe in (r"C:\Program Files\Microsoft Office\root\Office16\EXCEL.EXE", ""):
        monkeypatch.setattr(sys, "executable", exe)
        assert helper_command() is None and Charts().helper is None
    monkeypatch.undo()
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    assert helper_command() is None


def media(docx: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(docx) as z:
        return {n: z.read(n) for n in z.namelist() if n.startswith("word/media/")}


def test_report_charts_from_the_helper_equal_those_drawn_here(collected_master, tmp_path, monkeypatch):
    """The sample report drawn both ways: the same pictures, the same documents; the helper ends
    with the report; a report refused before its charts starts none, one refused after ends it."""
    started: list = []
    real = Charts.__init__

    def init(self, *a, **kw):
        real(self, *a, **kw)
        started.append(self.helper)

    monkeypatch.setattr(Charts, "__init__", init)
    here = render_report(load_master(collected_master), tmp_path / "here", force=True, now=NOW)
    assert started == [None]  # a small report: drawn here
    monkeypatch.setattr(documents, "CHART_HELPER_FROM", 0)
    helped = render_report(load_master(collected_master), tmp_path / "helper", force=True, now=NOW)
    assert started[-1] is not None and started[-1].poll() is not None
    assert [p.name for p in helped.files] == [p.name for p in here.files]
    pictures = media(helped.files[0])
    assert len(pictures) >= 2 and pictures == media(here.files[0])
    for a, b in zip(here.files, helped.files):
        assert {n: v for n, v in media(a).items()} == media(b)
        with zipfile.ZipFile(a) as za, zipfile.ZipFile(b) as zb:
            assert za.read("word/document.xml") == zb.read("word/document.xml")

    started.clear()
    refused = render_report(load_master(collected_master), tmp_path / "refused", now=NOW)
    assert refused.report.codes() >= {"rekap-not-approved"} and started == []
    _edit(_office_templates(collected_master) / "laporan.docx", "{{ tempat }}, {{ tanggal }}", "{{ tempat }}")
    late = render_report(load_master(collected_master), tmp_path / "late", force=True, now=NOW)
    assert "template-field-missing" in late.report.codes() and not late.files  # refused once charts were handed over
    assert len(started) == 1 and started[0] is not None and started[0].poll() is not None
    assert render_report(load_master(collected_master), tmp_path / "surat", force=True, now=NOW,
                         documents=("surat",)).files and started[-1] is None  # no report, no charts
