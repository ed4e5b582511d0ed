"""Reading an inbox with worker processes gives what reading it here gives: every file's
ReturnFile and values, in order, and the whole collect outcome; a form made from another
indicator list is compared with the master's in the main process; a file a worker fails on
is read again here."""

from __future__ import annotations

import os
import shutil
from datetime import datetime

import pytest

from collect_helpers import blank_forms, fill, retag, sheet_xml_error, typed
from kinerja.stages import inbox as inbox_mod
from kinerja.stages.collect import collect, inbox_files
from kinerja.stages.inbox import FormValues, read_returns
from kinerja.workbook.formspec import FORM_SHEET, HEADER_ROW

NOW = datetime(2026, 10, 12, 10, 0)


@pytest.fixture(scope="module")
def messy_inbox(_sample_master_template, tmp_path_factory):
    """Every unit's form (one with a formula error behind a blank input, one with text numbers,
    one with a far cell), a copy, a form of another indicator list, a damaged zip, a lock file,
    a text file, a FIFO and a link."""
    from kinerja.workbook.master import load_master

    loaded = load_master(_sample_master_template)
    tmp = tmp_path_factory.mktemp("inbox")
    forms = blank_forms(loaded, tmp / "formulir")
    inbox = tmp / "masuk"
    for n, (unit, form) in enumerate(sorted(forms.items())):
        values = typed(loaded, unit, base=n + 1)
        first = next(iter(values))
        if n == 0:
            values[first]["r3"] = None  # a blank input: the error lookup is armed
        if n == 1:
            values[first] = {**values[first], "r3": "1.234,5", "penjelasan": "=A1"}
        fill(form, inbox / f"{unit}.xlsx", values)
    first_unit = sorted(forms)[0]
    sheet_xml_error(inbox / f"{first_unit}.xlsx", f"N{HEADER_ROW + 1}", "#DIV/0!")
    shutil.copy(inbox / "SEK.xlsx", inbox / "SEK (1).xlsx")
    retag(inbox / "PEM.xlsx", inbox / "PEM-lama.xlsx", checksum="0000000000000000")
    (inbox / "rusak.xlsx").write_bytes(b"PK\x03\x04 bukan zip")
    (inbox / "~$SEK.xlsx").write_bytes(b"\x00" * 165)
    (inbox / "catatan.txt").write_text("bukan formulir")
    os.mkfifo(inbox / "pipa.xlsx")
    os.symlink("/etc/passwd", inbox / "tautan.xlsx")
    fill(forms["PMD"], inbox / "PMD-jauh.xlsx", typed(loaded, "PMD", base=7),
         lambda wb: wb[FORM_SHEET].cell(row=1_048_576, column=16_384, value="x"))
    return inbox


def seen(rf, got):
    return (rf.name, rf.sha256, rf.kind, rf.identity, rf.fatal, rf.skipped, [i.message for i in rf.issues],
            rf.table.rows if rf.table else None, rf.table.columns if rf.table else None, rf._errors,
            None if got is None else (got[0], [i.message for i in got[1]], got[2]))


def test_workers_read_what_one_process_reads(sample_loaded, messy_inbox, monkeypatch):
    monkeypatch.setattr(inbox_mod, "PARALLEL_FROM", 1)
    paths = inbox_files(messy_inbox)
    values = FormValues.of(sample_loaded.master)
    for form_values in (None, values):  # without values a ReturnFile keeps its rows
        here = list(read_returns(paths, messy_inbox, workers=1, values=form_values))
        there = list(read_returns(paths, messy_inbox, workers=2, values=form_values))
        assert [rf.name for rf, _ in here] == [p.relative_to(messy_inbox).as_posix() for p in paths]
        assert [seen(*x) for x in there] == [seen(*x) for x in here]
    got = {rf.name: v for rf, v in there}
    assert got["PEM-lama.xlsx"] is None  # another indicator list: its values are taken by the caller ...
    rf = next(rf for rf, _ in there if rf.name == "PEM-lama.xlsx")
    inds = {i.kode: i for i in sample_loaded.master.indicators_of("PEM")}
    def typed_in(v):
        return {code: {k: x for k, x in row.items() if k != "sumber"} for code, row in v[0].items()}

    assert typed_in(values(rf, inds)) == typed_in(got["PEM.xlsx"])  # ... from the rows the worker sent back
    assert got["PEM.xlsx"] is not None and got["rusak.xlsx"] is None
    assert any(i.code == "formula-error" for i in got[sorted(got)[0]][1])
    issues = {rf.name: [i.code for i in rf.issues] for rf, _ in there}
    assert "cell-far" in issues["PMD-jauh.xlsx"] and issues["pipa.xlsx"] == issues["tautan.xlsx"] == ["file-link"]


def test_collect_with_workers_equals_collect_here(sample_loaded, messy_inbox, monkeypatch):
    def outcome(workers):
        out = collect(sample_loaded, messy_inbox, now=NOW, workers=workers)
        return ([f.row() for f in out.files], out.landed, [(i.code, i.location, i.message) for i in out.report.issues],
                out.master.results)

    monkeypatch.setattr(inbox_mod, "PARALLEL_FROM", 1)
    here, there = outcome(1), outcome(2)
    assert there == here
    assert {row[7] for row in here[0]} >= {"Dipakai", "Duplikat", "Ditolak"}


def test_a_file_a_worker_fails_on_is_read_here(sample_loaded, messy_inbox, monkeypatch):
    """A worker that cannot start or dies: every file is still read, in order."""
    monkeypatch.setattr(inbox_mod, "PARALLEL_FROM", 1)
    paths = inbox_files(messy_inbox)
    here = [seen(*x) for x in read_returns(paths, messy_inbox, workers=1)]
    monkeypatch.setattr(inbox_mod.sys, "executable", "/nonexistent/python")
    assert [seen(*x) for x in read_returns(paths, messy_inbox, workers=2)] == here
    monkeypatch.undo()
    monkeypatch.setattr(inbox_mod, "PARALLEL_FROM", 1)
    real = inbox_mod._start

    def dying(workers, job, paths):
        procs = real(workers, job, paths)
        procs[1].kill()  # the second worker dies before it sends anything
        return procs

    monkeypatch.setattr(inbox_mod, "_start", dying)
    assert [seen(*x) for x in read_returns(paths, messy_inbox, workers=2)] == here


def test_what_workers_log_reaches_this_process_log(sample_loaded, messy_inbox, monkeypatch):
    """A library's own words (logged for kinerja-galat.log) are logged here too when a worker
    read the file."""
    import logging

    class Keep(logging.Handler):
        def __init__(self):
            super().__init__()
            self.messages = []

        def emit(self, record):
            self.messages.append(record.getMessage())

    monkeypatch.setattr(inbox_mod, "PARALLEL_FROM", 1)
    paths = inbox_files(messy_inbox)
    logged = {}
    for workers in (1, 2):
        keep = Keep()
        logging.getLogger("kinerja").addHandler(keep)
        try:
            list(read_returns(paths, messy_inbox, workers=workers))
        finally:
            logging.getLogger("kinerja").removeHandler(keep)
        logged[workers] = keep.messages
    assert logged[2] == logged[1]
    assert any("BadZipFile" in m for m in logged[1])
