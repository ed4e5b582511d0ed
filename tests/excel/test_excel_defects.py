"""What only Excel would show, checked in the files' XML: dropdown lists, number formats, text
written into the open workbook, locked sheets, the decimal advice of the forms."""

from __future__ import annotations

import re
import shutil
import zipfile
from datetime import datetime
from pathlib import Path

import pytest
from defusedxml import ElementTree as SafeET
from openpyxl import load_workbook
from test_fresh_master import soffice

from conftest import SAMPLE
from fake_xlwings import Book
from kinerja.excel.handlers import panel_tag
from kinerja.excel.live import apply_live
from kinerja.stages.check import check
from kinerja.stages.forms import FORM_SHEET, build_forms
from kinerja.stages.validate import parse_decision, validate
from kinerja.workbook import sheets as S
from kinerja.workbook.description import WorkbookWrites
from kinerja.workbook.files import write_file
from kinerja.workbook.lists import LIST_SHEET
from kinerja.workbook.macro import PANEL_SHEET
from kinerja.workbook.master import build_master, load_master, read_office_data
from kinerja.workbook.ribbon import ACTIONS

NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def sheet_parts(path: Path) -> dict[str, str]:
    """Sheet name -> worksheet XML of a package."""
    with zipfile.ZipFile(path) as z:
        wb = SafeET.fromstring(z.read("xl/workbook.xml"))
        rels = SafeET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
        target = {r.get("Id"): r.get("Target") for r in rels}
        rid = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
        out = {}
        for s in wb.iter(f"{NS}sheet"):
            t = target[s.get(rid)].lstrip("/")
            out[s.get("name")] = z.read(t if t.startswith("xl/") else "xl/" + t).decode("utf-8")
        return out


def list_items(path: Path) -> list[tuple[str, str, list[str]]]:
    """Every list validation of a workbook: (sheet, first cell, items as Excel offers them). A
    literal is split at every comma, as Excel does; a range is read from its sheet."""
    wb = load_workbook(path)
    out = []
    for ws in wb.worksheets:
        for dv in ws.data_validations.dataValidation:
            if dv.type != "list":
                continue
            f = dv.formula1
            if f.startswith('"'):
                items = f.strip('"').split(",")
            else:
                m = re.fullmatch(r"'?([^'!]+)'?!\$([A-Z]+)\$(\d+):\$([A-Z]+)\$(\d+)", f)
                assert m, f"list source must be a range on the list sheet: {f}"
                assert m.group(1) == LIST_SHEET and wb[LIST_SHEET].sheet_state == "hidden"
                src = wb[m.group(1)][f"{m.group(2)}{m.group(3)}:{m.group(4)}{m.group(5)}"]
                items = [row[0].value for row in src]
                assert all(isinstance(v, str) for v in items), items
            first = str(dv.sqref).split()[0].split(":")[0]
            out.append((ws.title, first, items))
    return out


@pytest.fixture(scope="module")
def xlsm(tmp_path_factory) -> Path:
    return build_master(tmp_path_factory.mktemp("m") / "induk_kinerja.xlsm", "candipuro", read_office_data(SAMPLE))


def test_no_literal_list_holds_a_comma_and_the_zero_target_rule_can_be_chosen(sample_master, xlsm):
    for path in (sample_master, xlsm):
        for sheet, _cell, _items in list_items(path):
            for dv in load_workbook(path)[sheet].data_validations.dataValidation:
                if dv.type == "list" and dv.formula1.startswith('"'):
                    assert len(dv.formula1) <= 257
        lists = {(s, tuple(items)) for s, _, items in list_items(path)}
        assert (S.SETTINGS_SHEET, ("Kosongkan dan tandai", "100% jika realisasi juga 0, selain itu kosong")) in lists


def _choose(path: Path, choices: dict[tuple[str, str], str]) -> None:
    wb = load_workbook(path)
    for (sheet, cell), value in choices.items():
        wb[sheet][cell] = value
    wb.save(path)


def test_every_item_of_every_list_is_accepted_by_check(sample_master, tmp_path):
    """Round k puts the k-th item of every list into the list's first cell; check must not
    complain about any of those cells."""
    lists = list_items(sample_master)
    assert len(lists) >= 15
    base = {(i.location.sheet, i.location.cell) for i in check(sample_master).report.issues}
    for k in range(max(len(items) for _, _, items in lists)):
        path = tmp_path / f"pilih{k}.xlsx"
        shutil.copy(sample_master, path)
        chosen = {(s, c): items[k] for s, c, items in lists if k < len(items)}
        _choose(path, chosen)
        loaded = check(path)
        assert loaded.master is not None
        bad = [(i.code, i.location.sheet, i.location.cell, i.message) for i in loaded.report.issues
               if (i.location.sheet, i.location.cell) in chosen and (i.location.sheet, i.location.cell) not in base]
        assert not bad, bad


def test_panel_items_and_validasi_decisions_are_understood(xlsm, sample_master, tmp_path):
    panel = [items for s, _, items in list_items(xlsm) if s == PANEL_SHEET]
    assert panel == [[a.label for a in ACTIONS.values()]]
    book = Book(xlsm)
    for label in panel[0]:
        book.sheets[PANEL_SHEET].range("B4").value = "'" + label
        assert panel_tag(book) in ACTIONS
    write_file(sample_master, validate(load_master(sample_master), datetime(2026, 10, 12, 9)).writes)
    decisions = [items for s, _, items in list_items(sample_master) if s == S.VALIDASI.sheet]
    assert decisions and all(parse_decision(x) for items in decisions for x in items)
    # the same lists written into the open workbook refer to the hidden list sheet
    book = Book(sample_master)
    apply_live(book, validate(load_master(sample_master), datetime(2026, 10, 12, 9)).writes)
    book.save_as(tmp_path / "live.xlsx")
    live = [(s, items) for s, _, items in list_items(tmp_path / "live.xlsx") if s == S.VALIDASI.sheet]
    assert live and all(items == decisions[0] for _, items in live)
    formulas = [dv.formula1 for dv in load_workbook(tmp_path / "live.xlsx")[S.VALIDASI.sheet]
                .data_validations.dataValidation if dv.type == "list"]
    assert formulas and all(f.startswith(f"'{LIST_SHEET}'!") for f in formulas)


def _formats(path: Path) -> set[str]:
    with zipfile.ZipFile(path) as z:
        styles = SafeET.fromstring(z.read("xl/styles.xml"))
    return {f.get("formatCode") for f in styles.iter(f"{NS}numFmt")}


def test_no_number_format_shows_a_trailing_separator(sample_master, tmp_path):
    loaded = load_master(sample_master)
    out = build_forms(loaded, tmp_path / "formulir", who="uji", now=datetime(2026, 10, 1, 8))
    for path in (sample_master, out.files[0]):
        for code in _formats(path):
            # a decimal part of optional digits only ("#,##0.##") shows 8 as "8."
            assert not re.search(r"\.#+(?![0#]*0)", code), (path.name, code)


def test_live_writer_writes_text_as_text(sample_master, tmp_path):
    book = Book(sample_master)
    w = WorkbookWrites()
    w.sheet(S.RIWAYAT.sheet, S.RIWAYAT).append = [["1.0", "1/2", "=SUM(A1)", "007", 5.0]]
    apply_live(book, w)
    ws = book.wb[S.RIWAYAT.sheet]
    row = next(r for r in ws.iter_rows(min_row=4, values_only=True) if r[0] is not None)
    assert row[:5] == ("1.0", "1/2", "=SUM(A1)", "007", 5.0)
    assert _as_excel_would("1.0") == 1.0  # the fake reads unprefixed text as Excel does


def _as_excel_would(v):
    from fake_xlwings import _as_typed

    return _as_typed(v)


def _protection(xml: str) -> dict[str, str] | None:
    el = SafeET.fromstring(xml).find(f"{NS}sheetProtection")
    return None if el is None else dict(el.attrib)


def test_locked_sheets_keep_notes_and_show_no_dead_filter_buttons(sample_master, tmp_path):
    w = WorkbookWrites()
    w.sheet("Data SEK", S.unit_data_table("Data SEK")).protect = True
    write_file(sample_master, w)
    xml = sheet_parts(sample_master)["Data SEK"]
    prot = _protection(xml)
    assert prot and prot["sheet"] == "1" and prot["objects"] == "1"
    assert "<autoFilter" not in xml
    w = WorkbookWrites()
    w.sheet("Data SEK", S.unit_data_table("Data SEK")).protect = False
    write_file(sample_master, w)
    xml = sheet_parts(sample_master)["Data SEK"]
    assert '<autoFilter ref="A3:' in xml and (_protection(xml) or {}).get("sheet", "0") == "0"
    # the live writer locks the same way
    book = Book(sample_master)
    w = WorkbookWrites()
    w.sheet("Data PEM", S.unit_data_table("Data PEM")).protect = True
    apply_live(book, w)
    book.save_as(tmp_path / "live.xlsx")
    xml = sheet_parts(tmp_path / "live.xlsx")["Data PEM"]
    prot = _protection(xml)
    assert prot and prot["sheet"] == "1" and prot["objects"] == "1" and "<autoFilter" not in xml
    # the unit forms: notes locked too
    out = build_forms(load_master(sample_master), tmp_path / "formulir", who="uji", now=datetime(2026, 10, 1, 8))
    prot = _protection(sheet_parts(out.files[0])[FORM_SHEET])
    assert prot and prot["sheet"] == "1" and prot["objects"] == "1"


def test_form_decimal_advice_follows_the_pc(sample_master, tmp_path):
    out = build_forms(load_master(sample_master), tmp_path / "formulir", who="uji", now=datetime(2026, 10, 1, 8))
    form = out.files[0]
    ws = load_workbook(form)[FORM_SHEET]
    advice = next(c.value for row in ws.iter_rows(max_row=14) for c in row
                  if isinstance(c.value, str) and "MID(1/2,2,1)" in c.value)
    assert "KOMA" in advice and "TITIK" in advice
    dvs = [dv for dv in ws.data_validations.dataValidation if dv.type == "decimal"]
    assert dvs and not any("koma" in (dv.prompt or "") + (dv.error or "") for dv in dvs)
    # LibreOffice here runs in an English locale: the advice says so
    soffice(["--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(tmp_path / "lo"), str(form)], tmp_path)
    ws = load_workbook(tmp_path / "lo" / form.name, data_only=True)[FORM_SHEET]
    texts = [str(c.value) for row in ws.iter_rows(max_row=14) for c in row if c.value]
    assert any(t.startswith("2. Ketik angka saja") and "TITIK sebagai tanda desimal" in t for t in texts), texts
