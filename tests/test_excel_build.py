"""`kinerja init KANTOR.xlsm` (the ribbon workbook) and `kinerja excel setup`."""

from __future__ import annotations

import hashlib

from openpyxl import load_workbook

from kinerja.excel.actions import ACTIONS
from kinerja.excel.build import PANEL_CELL, PANEL_SHEET
from kinerja.excel.setup import PINNED_XLWINGS, excel_setup, vba_xlwings_version
from kinerja.excel.xlsm import CUSTOMUI_PART
from kinerja.master import build_master, load_master, read_office_data

from conftest import SAMPLE


def test_build_is_reproducible_and_loads(tmp_path):
    data = read_office_data(SAMPLE)
    a = build_master(tmp_path / "a" / "induk.xlsm", "candipuro", data)
    b = build_master(tmp_path / "b" / "induk.xlsm", "candipuro", read_office_data(SAMPLE))
    assert hashlib.sha256(a.read_bytes()).digest() == hashlib.sha256(b.read_bytes()).digest()
    loaded = load_master(a)
    assert loaded.master is not None and not loaded.report.issues
    wb = load_workbook(a, keep_vba=True)
    assert wb.sheetnames[1] == PANEL_SHEET
    panel = wb[PANEL_SHEET]
    labels = [a.label for a in ACTIONS.values()]
    assert panel[PANEL_CELL].value == labels[0]
    dv = panel.data_validations.dataValidation[0]
    assert dv.formula1 == '"' + ",".join(labels) + '"'
    import zipfile
    with zipfile.ZipFile(a) as z:
        assert CUSTOMUI_PART in z.namelist() and "xl/vbaProject.bin" in z.namelist()
    assert vba_xlwings_version(a) == PINNED_XLWINGS


def test_setup_writes_config_and_companion(tmp_path):
    master = build_master(tmp_path / "induk_kinerja.xlsm", "candipuro", read_office_data(SAMPLE))
    conf = tmp_path / "home" / ".xlwings" / "xlwings.conf"
    conf.parent.mkdir(parents=True)
    conf.write_text('"LICENSE_KEY","abc"\n"INTERPRETER_WIN","C:\\lama\\python.exe"\n', encoding="utf-8")
    out = excel_setup(master, conf=conf, interpreter="/opt/py/bin/python3")
    assert out.ok, out.problems
    lines = conf.read_text(encoding="utf-8").splitlines()
    assert '"LICENSE_KEY","abc"' in lines
    assert '"INTERPRETER_WIN","/opt/py/bin/python3"' in lines
    assert not any("lama" in line for line in lines)
    companion = master.with_suffix(".py")
    assert "from kinerja.excel.handlers import main" in companion.read_text(encoding="utf-8")
    assert any("cocok" in line for line in out.lines)


def test_setup_flags_a_bad_file_name_and_a_plain_xlsx(tmp_path, sample_master):
    bad = tmp_path / "induk-kinerja.xlsm"
    build_master(bad, "candipuro", read_office_data(SAMPLE))
    out = excel_setup(bad, conf=tmp_path / "c.conf", interpreter="python")
    assert any("Run main" in p for p in out.problems)
    out = excel_setup(tmp_path / "tidak-ada.xlsm", conf=tmp_path / "c.conf", interpreter="python")
    assert any("tidak ditemukan" in p for p in out.problems)


def test_committed_workbook_is_the_build_of_its_sources(tmp_path):
    """workbook/induk_kinerja.xlsm is what `kinerja init workbook/induk_kinerja.xlsm --data sample_data/sukamaju --force`
    makes from the sources today (compared part by part, independent of zip compression)."""
    import zipfile
    from pathlib import Path

    committed = Path(__file__).resolve().parent.parent / "workbook" / "induk_kinerja.xlsm"
    fresh = build_master(tmp_path / "induk_kinerja.xlsm", "candipuro", read_office_data(SAMPLE))

    def parts(p):
        with zipfile.ZipFile(p) as z:
            return {n: z.read(n) for n in z.namelist()}

    assert parts(committed) == parts(fresh), "rebuild: kinerja init workbook/induk_kinerja.xlsm --data sample_data/sukamaju --force"
