"""One KinerjaError base for every failure the core raises on purpose, caught once per door."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from fake_xlwings import Book
from kinerja.cli.commands import app
from kinerja.domain.durations import DurationError
from kinerja.domain.models import NipError
from kinerja.domain.sop import SopError, SopKeyError, UnknownPresetError
from kinerja.domain.workcal import WorkCalendarError
from kinerja.excel.handlers import HANDLERS, dispatch, log_path
from kinerja.excel.paket import PaketError
from kinerja.issues.catalogue import KinerjaError, make_issue
from kinerja.libreoffice import OfficeError
from kinerja.stages.export import ExportError
from kinerja.stages.timing import TimingError
from kinerja.workbook.files import MasterNotWritable
from kinerja.workbook.guard import GuardError
from kinerja.workbook.master import OfficeDataError

PLAIN = [DurationError, ExportError, MasterNotWritable, NipError, OfficeError, PaketError, SopError,
         SopKeyError, TimingError, WorkCalendarError]


@pytest.mark.parametrize("cls", PLAIN)
def test_every_error_is_a_kinerja_error_with_its_message(cls):
    e = cls("Berkas 'x.xlsx' tidak dapat dibaca.")
    assert isinstance(e, KinerjaError)
    assert e.message == str(e) == "Berkas 'x.xlsx' tidak dapat dibaca."  # no KeyError quotes
    assert e.issue is None


def test_errors_keep_their_builtin_base():
    assert issubclass(NipError, ValueError) and issubclass(SopKeyError, KeyError)
    assert issubclass(GuardError, OSError) and issubclass(OfficeError, RuntimeError)


def test_an_error_with_an_issue_says_it():
    issue = make_issue("master-busy", file="induk.xlsx", who="AGUS", since="09.00",
                       command="kinerja collect", waited="0 detik")
    e = GuardError(issue)
    assert isinstance(e, KinerjaError) and e.issue is issue
    assert e.message == f"{issue.message} {issue.action}"
    unknown = UnknownPresetError("zz", ["candipuro"])
    assert isinstance(unknown, KinerjaError) and "candipuro" in str(unknown)


def test_office_data_error_carries_its_report():
    from kinerja.issues.catalogue import Report

    report = Report()
    report.issue("master-busy", file="induk.xlsx", severity="error")
    e = OfficeDataError(report)
    assert isinstance(e, KinerjaError) and e.report is report and "induk.xlsx" in e.message


def test_cli_edge_prints_the_message_once(sample_master):
    """A KinerjaError from deep inside a command (here the step log) reaches the edge: 'Gagal:',
    the Indonesian message, exit 2; no traceback."""
    result = CliRunner().invoke(app, ["log", str(sample_master), "99", "--start"])
    assert result.exit_code == 2, result.output
    assert result.output.count("Langkah 99 tidak ada") == 1 and "Traceback" not in result.output
    assert not isinstance(result.exception, KinerjaError)


def test_cli_edge_renders_an_issue_as_json(sample_master, monkeypatch):
    """A refusal that carries an Issue is rendered as a report (JSON with --json) and exits 1."""
    import kinerja.workbook.guard

    issue = make_issue("master-busy", file=sample_master.name, who="AGUS", since="09.00",
                       command="kinerja collect", waited="0 detik")

    def busy(*args, **kwargs):
        raise GuardError(issue)

    monkeypatch.setattr(kinerja.workbook.guard, "hold", busy)
    result = CliRunner().invoke(app, ["validate", str(sample_master), "--json"])
    assert result.exit_code == 1, result.output
    assert '"master-busy"' in result.output and "Gagal" not in result.output


def test_ribbon_edge_shows_the_message(sample_master, monkeypatch):
    book = Book(sample_master)

    def late(book, ctx):
        raise TimingError("Langkah 99 tidak ada; SOP ini berisi langkah 1 sampai 14.")

    monkeypatch.setitem(HANDLERS, "status", late)
    message = dispatch(book, "status")
    assert message == "Langkah 99 tidak ada; SOP ini berisi langkah 1 sampai 14."
    assert book.app.alerts[-1][1] == message
    assert not log_path(book).exists()  # a user's mistake, not a failure to log


def test_an_issue_is_built_as_its_model_validates_it_and_a_location_must_be_text():
    """make_issue builds the Issue without pydantic's validation (thousands per validation): the
    result equals the validated model, and a location that is not text is still refused."""
    from kinerja.issues.catalogue import Issue, make_issue

    issue = make_issue("number-invalid", file="f.xlsx", sheet="Data PEM", cell="I7", unit="PEM",
                       indicator="PEM.01", column="Realisasi TW III", value=1.5, detail="x & <y>")
    again = Issue.model_validate(issue.model_dump())
    assert again == issue and again.model_dump_json() == issue.model_dump_json()
    assert issue.location.text() == "f.xlsx › Data PEM!I7" and issue.message == "Nilai '1,5' bukan angka."
    for where in ({"cell": 7}, {"file": Path("f.xlsx")}, {"indicator": 1.0}):
        with pytest.raises(TypeError):
            make_issue("number-invalid", column="X", **where)
