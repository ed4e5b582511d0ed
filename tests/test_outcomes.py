"""Every stage's outcome says itself: the CLI prints exactly its `summary_lines()` (and its
report), and `--json` prints exactly its `to_dict()`."""

from __future__ import annotations

import json
import shutil
from datetime import datetime
from typing import Any

import pytest
from typer.testing import CliRunner

import kinerja.stages.archive
import kinerja.stages.collect
import kinerja.stages.documents
import kinerja.stages.forms
import kinerja.stages.period
import kinerja.stages.review
import kinerja.stages.rollup
import kinerja.stages.timing
import kinerja.stages.validate
from kinerja.cli.commands import app
from kinerja.sample.demo import unit_entries
from kinerja.sample.roles import fill_form


def _run(monkeypatch, module: Any, name: str, args: list[str], as_json: bool, exit_code: int | None = None):
    """Run a CLI command with the stage function `module.name` watched; check what it printed
    against the outcome that function returned."""
    seen: list[Any] = []
    original = getattr(module, name)

    def watched(*a: Any, **k: Any) -> Any:
        seen.append(original(*a, **k))
        return seen[-1]

    monkeypatch.setattr(module, name, watched)
    result = CliRunner().invoke(app, [*args, *(["--json"] if as_json else [])])
    monkeypatch.setattr(module, name, original)
    assert seen, result.output
    outcome = seen[-1]
    if exit_code is not None:
        assert result.exit_code == exit_code, result.output
    if as_json:
        assert json.loads(result.stdout) == json.loads(json.dumps(outcome.to_dict()))
    else:
        lines = outcome.summary_lines()
        printed = [line.rstrip() for line in result.stdout.splitlines()]
        assert lines, f"{name}: no summary"
        start = printed.index(lines[0]) if lines[0] in printed else -1
        assert printed[start:start + len(lines)] == lines, (lines, result.stdout)
    return outcome


@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
def test_each_stage_prints_its_outcome(sample_master, tmp_path, monkeypatch, as_json):
    master = tmp_path / ("json" if as_json else "text") / "induk.xlsx"
    master.parent.mkdir()
    shutil.copy(sample_master, master)
    folder = master.parent
    m = str(master)

    forms = _run(monkeypatch, kinerja.stages.forms, "build_forms", ["forms", m, "--out", str(folder / "formulir")],
                 as_json, exit_code=0)
    assert len(forms.files) == 6
    entries = unit_entries()
    for form in forms.files[:5]:  # one unit does not return its form
        unit = form.name.split("-")[1]
        fill_form(form, folder / "masuk" / form.name, {k: v for k, v in entries.items()
                                                       if k.startswith(unit + ".")})
    collected = _run(monkeypatch, kinerja.stages.collect, "collect", ["collect", m, str(folder / "masuk")], as_json)
    assert len(collected.returned) == 5 and len(collected.missing) == 1
    _run(monkeypatch, kinerja.stages.validate, "validate", ["validate", m], as_json)
    reviewed = _run(monkeypatch, kinerja.stages.review, "review", ["review", m], as_json)
    assert reviewed.pending  # no decisions typed yet
    _run(monkeypatch, kinerja.stages.timing, "recompute", ["timing", m], as_json)
    documents = _run(monkeypatch, kinerja.stages.documents, "render_report",
                     ["report", m, "--out", str(folder / "laporan"), "--force"], as_json)
    assert documents.draf and documents.files
    _run(monkeypatch, kinerja.stages.archive, "archive_period", ["archive", m, "--out", str(folder / "arsip")], as_json)
    following = _run(monkeypatch, kinerja.stages.period, "new_period",
                     ["new-period", m, "--out", str(folder / "induk-tw4.xlsx"), "--paksa"], as_json, exit_code=0)
    assert following.path is not None and following.path.exists()
    rolled = _run(monkeypatch, kinerja.stages.rollup, "make_rollup",
                  ["rollup", str(folder / "pemda.xlsx"), m], as_json)
    assert rolled.path is not None and rolled.offices


def test_status_prints_its_lines_and_json(sample_master):
    from datetime import datetime

    from kinerja.stages.status import sop_status
    from kinerja.workbook.master import load_master

    result = CliRunner().invoke(app, ["status", str(sample_master)])
    as_json = CliRunner().invoke(app, ["status", str(sample_master), "--json"])
    data = json.loads(as_json.stdout)
    outcome = sop_status(load_master(sample_master), datetime.fromisoformat(data["waktu"]))
    assert data == json.loads(json.dumps(outcome.to_dict()))
    assert data["baris"] == outcome.summary_lines()
    printed = [line.rstrip() for line in result.stdout.splitlines()]
    assert printed[1:] == outcome.summary_lines()[1:]  # the first line says the time


def test_ribbon_shows_the_same_lines(sample_master):
    """The message box says what the CLI says (and what to do next in Excel)."""
    from datetime import datetime

    from fake_xlwings import Book
    from kinerja.excel.handlers import dispatch
    from kinerja.stages.validate import validate
    from kinerja.workbook.master import load_master

    book = Book(sample_master)
    now = datetime(2026, 10, 8, 9, 0)
    message = dispatch(book, "validasi", now=now)
    for line in validate(load_master(sample_master), now).summary_lines():
        assert line in message


def test_validate_of_a_missing_master_says_nothing_was_written(tmp_path):
    """A master that cannot be read: the Validasi sheet is not said to be updated."""
    from kinerja.stages.validate import validate
    from kinerja.workbook.master import load_master

    outcome = validate(load_master(tmp_path / "tidakada.xlsx"), datetime(2026, 10, 12, 9))
    assert outcome.report.blocking and not outcome.writes.sheets
    assert outcome.summary_lines() == ["Lembar Validasi tidak diperbarui: workbook induk tidak dapat dibaca "
                                       "(lihat temuan)."]
