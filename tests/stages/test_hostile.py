"""Hostile returns and hand-edited masters: far-away cells, huge dimensions, repeated ODS
blocks, non-UTF-8 names, markup and escape characters, links and FIFOs in the inbox, a blank
copy sent again, a renamed header or sheet. Each ends in an Indonesian issue; nothing crashes
and every good value lands."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import unicodedata
import zipfile
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from collect_helpers import blank_forms, fill, set_zip_member, typed
from kinerja.cli import commands as cli
from kinerja.cli.commands import app
from kinerja.libreoffice import convert
from kinerja.stages.collect import REJECTED, USED, collect
from kinerja.stages.returns import read_return
from kinerja.workbook import bounded
from kinerja.workbook import sheets as S
from kinerja.workbook.files import write_file
from kinerja.workbook.formspec import FORM_SHEET
from kinerja.workbook.master import load_master

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 10, 12, 10, 0)
UNITS = ["SEK", "PEM", "TRANTIB", "PMD", "KESOS", "YANUM"]


@pytest.fixture(scope="module")
def forms(_sample_master_template, tmp_path_factory) -> dict[str, Path]:
    return blank_forms(load_master(_sample_master_template), tmp_path_factory.mktemp("forms"))


@pytest.fixture(scope="module")
def filled(_sample_master_template, forms, tmp_path_factory) -> dict[str, Path]:
    """Every unit's form, filled (SEK with base 1, PEM base 11, ...)."""
    loaded = load_master(_sample_master_template)
    d = tmp_path_factory.mktemp("filled")
    return {u: fill(p, d / p.name, typed(loaded, u, base=10 * n + 1)) for n, (u, p) in enumerate(forms.items())}


def far_cell(src: Path, dst: Path, *refs: str, sheet: str = FORM_SHEET) -> Path:
    """A unit (or a stray keystroke) typed a value into far-away cells of a sheet."""
    wb = load_workbook(src)
    for ref in refs:
        wb[sheet][ref] = "x"
    dst.parent.mkdir(parents=True, exist_ok=True)
    wb.save(dst)
    return dst


def huge_dimension(path: Path) -> Path:
    with zipfile.ZipFile(path) as z:
        xml = z.read("xl/worksheets/sheet1.xml")
    xml = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>', xml)
    return set_zip_member(path, "xl/worksheets/sheet1.xml", xml)


def ods_repeated_tail(src_xlsx: Path, out_dir: Path) -> Path:
    """The form saved by LibreOffice as .ods, then a row of values repeated after the empty
    tail (row 1,048,000 on), as a damaged or crafted file has it."""
    ods = convert(src_xlsx, "ods", out_dir)
    with zipfile.ZipFile(ods) as z:
        content = z.read("content.xml")
    end = content.index(b"</table:table>")
    block = (b'<table:table-row table:number-rows-repeated="1048000"><table:table-cell '
             b'table:number-columns-repeated="1024"/></table:table-row><table:table-row '
             b'table:number-rows-repeated="500"><table:table-cell table:number-columns-repeated="20" '
             b'office:value-type="float" office:value="1"><text:p>1</text:p></table:table-cell></table:table-row>')
    return set_zip_member(ods, "content.xml", content[:end] + block + content[end:])


def values_of(out, unit: str) -> dict:
    return {k: v for k, v in out.landed.items() if k.startswith(unit + ".")}


# ----------------------------------------------------------------------------------- bounds


def test_extent_stops_at_gaps_and_caps():
    b = bounded.Bounds(max_rows=100, max_cols=10, max_cells=200, row_gap=5, col_gap=2)
    blocks = bounded.Blocks.new()
    for r, c in [(1, 1), (3, 4), (9, 2), (30, 1), (2, 9)]:
        blocks.add(r, r, c, c)
    rows, cols = bounded.extent(blocks, b)
    assert (rows, cols) == (9, 4)  # row 30 after a gap of 20; column 9 after a gap of 4
    far = bounded.far_cells("S", blocks, rows, cols)
    assert (far.cell, far.count) == ("I2", 2)
    blocks.add(1, 1, 1, 10)  # a wide row: 9 x 10 > 200 cells? no; a long block is capped
    blocks.add(1, 90, 1, 1)
    b2 = bounded.Bounds(max_rows=100, max_cols=10, max_cells=50, row_gap=5, col_gap=2)
    rows, cols = bounded.extent(blocks, b2)
    assert rows * cols <= 50 and cols == 10


def test_trim_keeps_the_table_and_cuts_far_cells():
    xml = (b'<worksheet><dimension ref="A1:XFD1048576"/><sheetData><row r="1"><c r="A1"><v>1</v></c>'
           b'<c r="XFD1"><v>2</v></c></row><row r="2"><c><v>3</v></c><c t="s"/></row>'
           b'<row r="1048576"><c r="A1048576"><v>4</v></c></row></sheetData></worksheet>')
    blocks = bounded.xlsx_blocks(xml)
    assert len(blocks) == 4
    rows, cols = bounded.extent(blocks, bounded.FORM_BOUNDS)
    assert (rows, cols) == (2, 1)
    out = bounded.trim_xlsx(xml, rows, cols)
    assert b"XFD1" not in out and b"1048576" not in out and b"<v>3</v>" in out
    assert b'<dimension ref="A1:A2"/>' in out


@pytest.mark.parametrize("case", ["XFD1048576", "A1048576", "XFD5", "hidden-XFD1048576", "dimension"])
def test_far_cells_in_a_return(sample_loaded, filled, tmp_path, case):
    """A stray value far from the table (XFD1048576 aborted the process; A1048576 cost a
    gigabyte): the file is read with the far cells cut, reported once, and its values land."""
    inbox = tmp_path / "masuk"
    pem = filled["PEM"]
    if case == "dimension":
        huge_dimension(shutil.copy(pem, (inbox.mkdir(), inbox / pem.name)[1]))
    elif case.startswith("hidden-"):
        far_cell(pem, inbox / pem.name, case.split("-")[1], sheet="_kinerja")
    else:
        far_cell(pem, inbox / pem.name, case)
    fill_sek = shutil.copy(filled["SEK"], inbox / filled["SEK"].name)
    out = collect(sample_loaded, inbox, now=NOW)
    far = [i for i in out.report.issues if i.code == "cell-far"]
    if case == "dimension":
        assert far == []  # a declared dimension alone allocates nothing
    else:
        assert len(far) == 1 and far[0].severity.value == "warning", out.report.to_json()
        assert far[0].location.cell == case.split("-")[-1] and far[0].location.file == pem.name
        assert "tidak dibaca" in far[0].message
    assert {f.file: f.status for f in out.files} == {pem.name: USED, Path(fill_sek).name: USED}
    assert len(values_of(out, "PEM")) == 6 and values_of(out, "PEM")["PEM.01"]["r3"] == 11.0


def test_repeated_ods_block_is_cut(sample_loaded, forms, filled, tmp_path):
    inbox = tmp_path / "masuk"
    ods = ods_repeated_tail(filled["TRANTIB"], inbox)
    rf = read_return(ods, inbox)
    assert not rf.fatal, [i.message for i in rf.issues]
    far = [i for i in rf.issues if i.code == "cell-far"]
    assert len(far) == 1 and int(far[0].location.cell[1:]) > 1_048_000  # the first row after the tail
    assert far[0].params["count"] == 500 * 20
    assert len(rf.table.rows) < 100
    out = collect(sample_loaded, inbox, now=NOW)
    assert values_of(out, "TRANTIB")["TRANTIB.01"]["r3"] == 21.0


def test_old_xls_with_a_far_cell_is_refused_not_read(sample_loaded, filled, tmp_path):
    inbox = tmp_path / "masuk"
    far = far_cell(filled["PMD"], tmp_path / "far" / "pmd.xlsx", "IV65536")
    xls = convert(far, "xls", inbox)
    out = collect(sample_loaded, inbox, now=NOW)
    issue = next(i for i in out.report.issues if i.code == "cell-far")
    assert issue.severity.value == "error" and issue.location.cell == "IV65536"
    assert {f.file: f.status for f in out.files} == {xls.name: REJECTED}


PEAK = """
import resource, sys
from pathlib import Path
from kinerja.stages.collect import collect
from kinerja.workbook.master import load_master
loaded = load_master(Path(sys.argv[1]))
out = collect(loaded, Path(sys.argv[2]))
print(len(out.landed), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
"""


def test_peak_memory_with_a_hostile_file(sample_master, filled, tmp_path):
    """Collect's peak memory (max RSS of a fresh process) with any one hostile file in the
    inbox stays within 300 MB of the same inbox without it."""
    clean = tmp_path / "bersih"
    for p in filled.values():
        shutil.copy(p, clean / p.name) if clean.exists() else (clean.mkdir(), shutil.copy(p, clean / p.name))

    def peak(inbox: Path) -> tuple[int, int]:
        done = subprocess.run([sys.executable, "-c", PEAK, str(sample_master), str(inbox)], cwd=ROOT,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-2000:]
        landed, mb = done.stdout.split()
        return int(landed), int(mb)

    base_landed, base = peak(clean)
    hostile = {
        "xfd": lambda d: far_cell(filled["SEK"], d / "x.xlsx", "XFD1048576"),
        "a1m": lambda d: far_cell(filled["SEK"], d / "x.xlsx", "A1048576", "T1048576"),
        "ods": lambda d: ods_repeated_tail(filled["SEK"], d),
    }
    for name, make in hostile.items():
        inbox = tmp_path / name
        shutil.copytree(clean, inbox)
        make(inbox)
        landed, mb = peak(inbox)
        assert landed == base_landed
        assert mb - base < 300, (name, mb, base)


# ----------------------------------------------------------------------------------- the inbox


def test_links_and_fifos_are_reported_never_followed(sample_master, filled, tmp_path):
    """A link to /etc/passwd (or to a real form), a FIFO and a linked folder in the inbox:
    each is `file-link`; collect neither reads nor waits on them; archive copies none."""
    inbox = tmp_path / "masuk"
    inbox.mkdir()
    sek = shutil.copy(filled["SEK"], inbox / filled["SEK"].name)
    os.symlink("/etc/passwd", inbox / "pem.xlsx")
    os.symlink(filled["PMD"], inbox / "pmd.xlsx")
    os.mkfifo(inbox / "pipa.xlsx")
    os.symlink("/etc", inbox / "folder-sistem")
    loaded = load_master(sample_master)
    out = collect(loaded, inbox, now=NOW)
    links = {i.location.file: i for i in out.report.issues if i.code == "file-link"}
    assert set(links) == {"pem.xlsx", "pmd.xlsx", "pipa.xlsx", "folder-sistem"}
    assert "tautan" in links["pem.xlsx"].message and "FIFO" in links["pipa.xlsx"].message
    assert links["pem.xlsx"].severity.value == "warning"
    assert [f.file for f in out.files] == [Path(sek).name] and out.returned == ["SEK"]
    write_file(sample_master, out.writes)
    # the logged form is swapped for a link to a system file before archiving
    os.unlink(sek)
    os.symlink("/etc/passwd", sek)
    from kinerja.stages.archive import archive_period

    arch = archive_period(load_master(sample_master), tmp_path / "arsip", inbox=inbox)
    assert [i.location.file for i in arch.report.issues if i.code == "file-link"] == [Path(sek).name]
    copied = [p for p in arch.folder.rglob("*") if p.is_file()]
    assert all(b"root:" not in p.read_bytes() for p in copied)
    assert not any(p.parent.name == "formulir-masuk" for p in copied)


def test_file_name_not_utf8(sample_master, filled, tmp_path):
    """A name from a flash drive with a Latin-1 byte: logged as 'laporan-\\xe9.xlsx', saved,
    printed, archived (UnicodeEncodeError lost the whole run)."""
    inbox = tmp_path / "masuk"
    inbox.mkdir()
    raw = os.fsencode(inbox) + b"/laporan-\xe9.xlsx"
    shutil.copy(filled["KESOS"], raw)
    result = CliRunner().invoke(app, ["collect", str(sample_master), str(inbox), "--json"])
    assert result.exit_code == 0, result.output
    assert [f["file"] for f in json.loads(result.output)["files"]] == ["laporan-\\xe9.xlsx"]
    shown = CliRunner().invoke(app, ["collect", str(sample_master), str(inbox)])
    assert shown.exit_code == 0 and "\\xe9" in shown.output, shown.output
    loaded = load_master(sample_master)
    logged = [r for r in loaded.rows[S.PENERIMAAN.sheet] if r and "laporan-" in str(r[1])]
    assert [r[1] for r in logged] == ["laporan-\\xe9.xlsx"] and logged[0][7] == USED
    assert loaded.master.results["KESOS.01"].realisasi_tw[2] == 41.0
    from kinerja.stages.archive import archive_period

    arch = archive_period(loaded, tmp_path / "arsip", inbox=inbox)
    assert "archive-file-missing" not in arch.report.codes(), arch.report.to_json()
    entry = next(e for e in arch.manifest["berkas"] if e["jenis"] == "formulir masuk")
    assert entry["sumber"] == "laporan-\\xe9.xlsx" and (arch.folder / entry["path"]).is_file()


MARKUP = ["[/bold]", "[red]merah[/red]", "a_x001B_[2J_x001B_]0;judul_x0007_", "=[/]1+1", "_x009B_31m",
          "\u202etxt.exe"]


def test_markup_and_escape_sequences_are_plain_text(sample_master, filled, tmp_path, monkeypatch):
    """What a unit typed, in every text field and in numbers, that looks like console markup or
    holds terminal escape sequences: collect and the validate after it print it as plain text
    (control characters escaped) and exit normally."""
    inbox = tmp_path / "masuk"
    entries = {}
    for n, kode in enumerate(f"YANUM.0{i}" for i in range(1, 7)):
        text = MARKUP[n % len(MARKUP)]
        entries[kode] = {"r3": text, "penjelasan": text, "bukti": text, "realisasi_anggaran": text}
    fill(filled["YANUM"], inbox / "[bold]yanum[/bold].xlsx", entries)
    monkeypatch.setattr(cli.console, "_width", 1000)  # one line per table row
    runner = CliRunner()
    collected = runner.invoke(app, ["collect", str(sample_master), str(inbox)])
    assert collected.exception is None or isinstance(collected.exception, SystemExit), collected.output
    assert collected.exit_code == 1  # the unreadable numbers are errors
    assert "[bold]yanum[/bold].xlsx" in collected.output and "[/bold]" in collected.output
    assert "\x1b" not in collected.output and "\\x1b[2J" in collected.output
    assert "\x9b" not in collected.output and "\u202e" not in collected.output
    validated = runner.invoke(app, ["validate", str(sample_master)])
    assert validated.exit_code in (0, 1) and not isinstance(validated.exception, Exception) or \
        isinstance(validated.exception, SystemExit), validated.output
    assert "\x1b" not in validated.output
    stored = load_master(sample_master).master.results["YANUM.02"]
    assert stored.penjelasan == "[red]merah[/red]"


# ----------------------------------------------------------------------------------- blank copies


def test_blank_copy_sent_later_never_replaces_filled_values(sample_master, forms, filled, tmp_path):
    from collect_helpers import set_saved_time

    inbox = tmp_path / "masuk"
    inbox.mkdir()
    good = shutil.copy(filled["PEM"], inbox / "pem-isi.xlsx")
    set_saved_time(shutil.copy(forms["PEM"], inbox / "pem-kirim-ulang.xlsx"), datetime(2027, 1, 1))
    os.utime(good, (NOW.timestamp() - 3600,) * 2)
    out = collect(load_master(sample_master), inbox, now=NOW)
    issue = next(i for i in out.report.issues if i.code == "form-blank")
    assert issue.severity.value == "error" and issue.location.file == "pem-kirim-ulang.xlsx"
    assert "'pem-isi.xlsx'" in issue.message
    assert {f.file: f.status for f in out.files} == {"pem-isi.xlsx": USED, "pem-kirim-ulang.xlsx": REJECTED}
    assert values_of(out, "PEM")["PEM.03"]["r3"] == 13.0
    write_file(sample_master, out.writes)
    # next week only the blank copy is left in the inbox: the landed values stay
    os.unlink(good)
    again = collect(load_master(sample_master), inbox, now=NOW)
    issue = next(i for i in again.report.issues if i.code == "form-blank")
    assert issue.location.file == "pem-kirim-ulang.xlsx" and "sheet 'Data PEM'" in issue.message
    assert again.report.blocking and values_of(again, "PEM") == {}
    write_file(sample_master, again.writes)
    assert load_master(sample_master).master.results["PEM.03"].realisasi_tw[2] == 13.0


# ----------------------------------------------------------------------------------- the master's shape


@pytest.mark.parametrize("case", ["header", "indikator", "indikator-deleted"])
def test_collect_refuses_when_a_sheet_or_column_is_missing(sample_master, filled, tmp_path, case):
    """A renamed 'Realisasi TW III' header in a unit sheet, a renamed or deleted Indikator sheet: collect
    names it, exits 1 and writes nothing (it wrote nothing for that unit and said 'Tidak ada
    temuan', or landed 0 values with exit 0)."""
    inbox = tmp_path / "masuk"
    for p in filled.values():
        inbox.mkdir(exist_ok=True)
        shutil.copy(p, inbox / p.name)
    wb = load_workbook(sample_master)
    if case == "header":
        ws = wb["Data PEM"]
        cell = next(c for c in ws[S.unit_data_table("x").header_row] if c.value == "Realisasi TW III")
        cell.value = "Realisasi TW 3"
    elif case == "indikator":
        wb[S.INDIKATOR.sheet].title = "Indikator Kinerja"
    else:
        del wb[S.INDIKATOR.sheet]
    wb.save(sample_master)
    before = sample_master.read_bytes()
    result = CliRunner().invoke(app, ["collect", str(sample_master), str(inbox), "--json"])
    assert result.exit_code == 1, result.output
    issues = [i for i in json.loads(result.output)["issues"] if i["code"] == "collect-refused"]
    assert len(issues) == 1
    expected = "kolom 'Realisasi TW III' di sheet 'Data PEM'" if case == "header" else "sheet 'Indikator'"
    assert expected in issues[0]["message"] and "tidak diubah" in issues[0]["message"]
    assert sample_master.read_bytes() == before


def test_stray_far_cells_in_the_master(sample_master, filled, tmp_path):
    """A stray value at Indikator!Q1048576 (a million row-blank issues, 8.7 GB) and one at
    Penerimaan!XFD1048576 (the process aborted): one cell-far issue each, the master loads,
    collect lands its values and the save keeps working."""
    wb = load_workbook(sample_master)
    wb[S.INDIKATOR.sheet]["Q1048576"] = "x"
    wb[S.PENERIMAAN.sheet]["XFD1048576"] = "y"
    wb.save(sample_master)
    result = CliRunner().invoke(app, ["check", str(sample_master), "--json"])
    issues = json.loads(result.output)["issues"]
    far = sorted((i["location"]["sheet"], i["location"]["cell"]) for i in issues if i["code"] == "cell-far")
    assert far == [(S.INDIKATOR.sheet, "Q1048576"), (S.PENERIMAAN.sheet, "XFD1048576")]
    assert not [i for i in issues if i["code"] == "row-blank"] and len(issues) < 20
    inbox = tmp_path / "masuk"
    inbox.mkdir()
    shutil.copy(filled["SEK"], inbox / filled["SEK"].name)
    loaded = load_master(sample_master)
    out = collect(loaded, inbox, now=NOW)
    write_file(sample_master, out.writes)
    again = load_master(sample_master)
    assert again.master.results["SEK.01"].realisasi_tw[2] == 1.0
    assert [r[1] for r in again.rows[S.PENERIMAAN.sheet] if len(r) > 1 and r[1] == filled["SEK"].name]


def test_stray_value_a_few_rows_below_a_table(sample_master):
    """A stray value 3,000 rows below the Indikator table (inside the master's bounds, so read):
    one cell-far issue for it, not one row-blank per blank row above it. Rows that are data after
    a long gap are read, the gap noted once; a short gap keeps its note per row."""
    wb = load_workbook(sample_master)
    ws = wb[S.INDIKATOR.sheet]
    last = max(c.row for c in ws["A"] if c.value not in (None, ""))  # the table's last row
    ws[f"Q{last + 3000}"] = "x"
    wb.save(sample_master)
    issues = load_master(sample_master).report.issues
    far = [i for i in issues if i.code == "cell-far"]
    assert [(i.location.sheet, i.location.cell) for i in far] == [(S.INDIKATOR.sheet, f"Q{last + 3000}")], far
    assert "2999 baris kosong" in far[0].message
    assert not [i for i in issues if i.code == "row-blank" and i.location.sheet == S.INDIKATOR.sheet]

    # data (a whole indicator row) 50 rows below: read, the gap one note
    row = [c.value for c in ws[last]]
    del ws[f"Q{last + 3000}"]
    code = str(ws[f"{S.INDIKATOR.letter('kode')}{last}"].value)
    for j, v in enumerate(row, 1):
        ws.cell(last + 51, j, v)
    ws.delete_rows(last)
    # a short gap of two rows in the Unit table: a note per row, as before
    units = wb[S.UNIT.sheet]
    units.insert_rows(max(c.row for c in units["A"] if c.value not in (None, "")), 2)
    wb.save(sample_master)
    loaded = load_master(sample_master)
    blank = [i for i in loaded.report.issues if i.code == "row-blank"]
    assert [(i.location.sheet, i.location.cell) for i in blank if i.location.sheet == S.INDIKATOR.sheet] == [
        (S.INDIKATOR.sheet, f"A{last}")]
    assert f"Baris {last} sampai {last + 49}" in [i for i in blank if i.location.sheet == S.INDIKATOR.sheet][0].message
    assert len([i for i in blank if i.location.sheet == S.UNIT.sheet]) == 2
    assert code in {i.kode for i in loaded.master.indicators}
    assert not [i for i in loaded.report.issues if i.code == "cell-far"]


# ----------------------------------------------------------------------------------- fuzz

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

PIECES = ["[/bold]", "[red]", "[/]", "_x001B_[2J", "_x001B_]0;t_x0007_", "_x0007_", "\u009b31m", "\u202e",
          "=", "+1", "-2+3", "@x", "\t", "\r\n", "a", " ", "1.234,5", "85%", "\\", "'"]
hostile_text = st.lists(st.sampled_from(PIECES), min_size=1, max_size=6).map("".join)
far_refs = st.lists(st.one_of(st.tuples(st.integers(20_000, 1_048_576), st.integers(1, 16_384)),
                              st.tuples(st.integers(1, 1_048_576), st.integers(400, 16_384))), max_size=3)
names = st.binary(min_size=1, max_size=6).map(lambda b: bytes(c for c in b if c not in b"/\x00.") or b"x")


@pytest.fixture(scope="module")
def hostile_ods(filled, tmp_path_factory):
    return ods_repeated_tail(filled["TRANTIB"], tmp_path_factory.mktemp("ods"))


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(far=far_refs, dimension=st.booleans(), texts=st.lists(hostile_text, min_size=4, max_size=4),
       name=names, extra=st.sampled_from([None, "symlink", "fifo", "ods"]))
def test_hostile_inbox_never_crashes(sample_loaded, filled, hostile_ods, tmp_path_factory, far, dimension,
                                     texts, name, extra):
    """Far cells, a huge dimension, markup and escape characters in every text field, a name that
    is not UTF-8, a link, a FIFO or a repeated ODS block: collect never raises, the other
    unit's values land exactly, the report prints as plain text."""

    inbox = tmp_path_factory.mktemp("masuk")
    pem = filled["PEM"]
    entries = {f"PEM.0{i}": {"r3": texts[0], "penjelasan": texts[1], "bukti": texts[2],
                             "realisasi_anggaran": texts[3]} for i in range(1, 7)}
    target = Path(os.fsdecode(os.fsencode(inbox) + b"/pem-" + name + b"\xff.xlsx"))
    fill(pem, target, entries, lambda wb: [wb[FORM_SHEET].cell(row=r, column=c, value=texts[0])
                                           for r, c in far])
    if dimension:
        huge_dimension(target)
    shutil.copy(filled["SEK"], inbox / "sek.xlsx")
    if extra == "symlink":
        os.symlink("/etc/passwd", inbox / "tautan.xlsx")
    elif extra == "fifo":
        os.mkfifo(inbox / "pipa.xlsx")
    elif extra == "ods":
        shutil.copy(hostile_ods, inbox / hostile_ods.name)
    out = collect(sample_loaded, inbox, now=NOW)
    expected = typed(sample_loaded, "SEK", base=1)
    assert {k: (v["r3"], v["penjelasan"]) for k, v in values_of(out, "SEK").items()} == \
        {k: (v["r3"], v["penjelasan"]) for k, v in expected.items()}
    far_issues = [i for i in out.report.issues if i.code == "cell-far" and i.location.file.startswith("pem-")]
    assert len(far_issues) == (1 if far else 0), [i.message for i in far_issues]
    label = next(f.file for f in out.files if f.file.startswith("pem-"))
    assert label.endswith("\\xff.xlsx")
    assert not [ch for ch in label if unicodedata.category(ch) in ("Cc", "Cs") or ch in "\u202e\u2066"]
    with cli.console.capture() as cap:
        cli.render_report(out.report)
    shown = cap.get()
    assert not any(ch in shown for ch in "\x1b\x07\x9b\u202e")
    assert "\udcff" not in shown


# ----------------------------------------------------------------------------------- English at the edge

ENGLISH = ["zip file", "unrecognized", "cannot detect", "errors.pydantic.dev", "value error", "string should",
           "input should", "xml error", "permission denied", "no such file"]


def test_library_errors_are_said_in_indonesian(sample_loaded, filled, tmp_path, monkeypatch):
    """A damaged zip, an unknown XML entity, an unknown format and a bad unit code in
    `init --data`: Indonesian messages; the library's own text only in kinerja-galat.log."""
    inbox = tmp_path / "masuk"
    inbox.mkdir()
    (inbox / "rusak.xlsx").write_bytes(b"PK\x03\x04" + os.urandom(300))
    (inbox / "format.xlsx").write_bytes(b"\x00\x01bukan workbook" * 20)
    entity = shutil.copy(filled["SEK"], inbox / "entitas.xlsx")
    with zipfile.ZipFile(entity) as z:
        xml = z.read("xl/worksheets/sheet1.xml")
    set_zip_member(Path(entity), "xl/worksheets/sheet1.xml", xml.replace(b"<t>", b"<t>&kinerja;", 1))
    out = collect(sample_loaded, inbox, now=NOW)
    texts = [f"{i.message} {i.action}".lower() for i in out.report.issues if i.location.file in
             ("rusak.xlsx", "format.xlsx", "entitas.xlsx")]
    assert len(texts) >= 3
    assert not [t for t in texts if any(w in t for w in ENGLISH)], texts

    data = tmp_path / "data"
    shutil.copytree(ROOT / "sample_data" / "sukamaju", data)
    units = (data / "unit.csv").read_text(encoding="utf-8").splitlines()
    units[1] = units[1].replace(units[1].split(",")[0], "UMUM/KEU", 1)
    (data / "unit.csv").write_text("\n".join(units) + "\n", encoding="utf-8")
    monkeypatch.setattr(cli.err, "_width", 1000)
    result = CliRunner().invoke(app, ["init", str(tmp_path / "baru" / "induk.xlsx"), "--data", str(data)])
    assert result.exit_code != 0
    assert "kode unit hanya huruf" in result.output and "UMUM/KEU" in result.output, result.output
    assert not any(w in result.output.lower() for w in ENGLISH), result.output


def test_dense_far_block_is_too_large(filled, tmp_path):
    """600,000 values in one sheet (a block pasted far down): refused as too large, not read."""
    src = filled["SEK"]
    with zipfile.ZipFile(src) as z:
        xml = z.read("xl/worksheets/sheet1.xml")
    block = b"".join(b'<row r="%d"><c r="AA%d"><v>1</v></c><c r="AB%d"><v>2</v></c><c r="AC%d"><v>3</v></c></row>'
                     % (r, r, r, r) for r in range(100, 200_100))
    dense = set_zip_member(shutil.copy(src, tmp_path / "padat.xlsx"), "xl/worksheets/sheet1.xml",
                           xml.replace(b"</sheetData>", block + b"</sheetData>"))
    rf = read_return(Path(dense), tmp_path)
    assert rf.fatal and [i.code for i in rf.issues] == ["file-too-large"]
    assert "500.000 sel" in rf.issues[0].message and "50,0 MB" in rf.issues[0].message
