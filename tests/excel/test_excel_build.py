"""`kinerja init KANTOR.xlsm` (the ribbon workbook) and `kinerja excel setup`."""

from __future__ import annotations

import hashlib

from openpyxl import load_workbook

from conftest import SAMPLE
from kinerja.excel.setup import excel_setup, has_ribbon, package_addin, workbook_modules
from kinerja.ooxml.xlsm import CUSTOMUI_PART
from kinerja.workbook.digest import sha256_file
from kinerja.workbook.macro import PANEL_CELL, PANEL_SHEET
from kinerja.workbook.master import build_master, load_master, read_office_data
from kinerja.workbook.ribbon import ACTIONS


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
    assert set(workbook_modules(a)) == {"Kinerja", "ThisWorkbook", *(ws.sheet_properties.codeName for ws in wb)}


def test_setup_writes_config_and_companion(tmp_path):
    master = build_master(tmp_path / "induk_kinerja.xlsm", "candipuro", read_office_data(SAMPLE))
    conf = tmp_path / "home" / ".xlwings" / "xlwings.conf"
    conf.parent.mkdir(parents=True)
    conf.write_text('"LICENSE_KEY","abc"\n"INTERPRETER_WIN","C:\\lama\\python.exe"\n', encoding="utf-8")
    xlstart = tmp_path / "XLSTART"
    out = excel_setup(master, conf=conf, interpreter="/opt/py/bin/python3", xlstart=xlstart)
    assert out.ok, out.problems
    assert sha256_file(xlstart / "xlwings.xlam") == sha256_file(package_addin())  # the add-in the dispatcher calls
    lines = conf.read_text(encoding="utf-8").splitlines()
    assert '"LICENSE_KEY","abc"' in lines
    assert '"INTERPRETER_WIN","/opt/py/bin/python3"' in lines
    assert not any("lama" in line for line in lines)
    companion = master.with_suffix(".py")
    assert "from kinerja.excel.handlers import main" in companion.read_text(encoding="utf-8")
    assert any("modul VBA 'Kinerja'" in line for line in out.lines)
    again = excel_setup(master, conf=conf, interpreter="/opt/py/bin/python3", xlstart=xlstart)
    assert any("sudah terpasang" in line for line in again.lines)


def test_setup_flags_a_bad_file_name_and_a_plain_xlsx(tmp_path, sample_master):
    bad = tmp_path / "induk-kinerja.xlsm"
    build_master(bad, "candipuro", read_office_data(SAMPLE))
    out = excel_setup(bad, conf=tmp_path / "c.conf", interpreter="python")
    assert any("Run main" in p for p in out.problems)
    out = excel_setup(tmp_path / "tidak-ada.xlsm", conf=tmp_path / "c.conf", interpreter="python")
    assert any("tidak ditemukan" in p for p in out.problems)
    out = excel_setup(sample_master, conf=tmp_path / "d.conf", interpreter="python")
    assert out.xlsm_offer == sample_master.with_suffix(".xlsm")
    assert any("tanpa makro" in p and "kinerja init induk.xlsm --data induk.xlsx" in p for p in out.problems)
    assert not (tmp_path / "d.conf").exists()  # refused before anything was written


def test_setup_and_doctor_never_send_people_to_pypi():
    import inspect

    import kinerja.excel.doctor as doctor
    import kinerja.excel.setup as setup

    for module in (setup, doctor):
        assert "pip install" not in inspect.getsource(module)


def test_committed_workbook_is_the_build_of_its_sources(tmp_path):
    """workbook/induk_kinerja.xlsm is what `kinerja init workbook/induk_kinerja.xlsm --data sample_data/sukamaju --force`
    makes from the sources today (compared part by part, independent of zip compression)."""
    import zipfile
    from pathlib import Path

    committed = Path(__file__).resolve().parents[2] / "workbook" / "induk_kinerja.xlsm"
    fresh = build_master(tmp_path / "induk_kinerja.xlsm", "candipuro", read_office_data(SAMPLE))

    def parts(p):
        with zipfile.ZipFile(p) as z:
            return {n: z.read(n) for n in z.namelist()}

    assert parts(committed) == parts(fresh), "rebuild: kinerja init workbook/induk_kinerja.xlsm --data sample_data/sukamaju --force"


class FakeWinreg:
    """The few winreg calls the doctor makes, over a dict of key path -> values / subkeys (the
    Windows registry does not exist here)."""

    HKEY_CURRENT_USER, HKEY_CLASSES_ROOT = "HKCU", "HKCR"

    def __init__(self, keys: dict[str, dict]):
        self.keys = keys

    class _Key:
        def __init__(self, path):
            self.path = path

        def __enter__(self):
            return self

        def __exit__(self, *a):
            return False

        def Close(self):  # noqa: N802
            pass

    def OpenKey(self, root, path):  # noqa: N802
        if f"{root}\\{path}" not in self.keys:
            raise OSError(path)
        return self._Key(f"{root}\\{path}")

    def EnumValue(self, key, i):  # noqa: N802
        items = [(k, v) for k, v in self.keys[key.path].items() if not isinstance(v, dict)]
        if i >= len(items):
            raise OSError
        return items[i][0], items[i][1], 4

    def EnumKey(self, key, i):  # noqa: N802
        subs = [p[len(key.path) + 1:] for p in self.keys if p.startswith(key.path + "\\")
                and "\\" not in p[len(key.path) + 1:]]
        if i >= len(subs):
            raise OSError
        return subs[i]


def test_doctor_reads_macro_settings_and_trusted_locations(tmp_path, monkeypatch):
    from kinerja.excel import doctor

    master = build_master(tmp_path / "induk_kinerja.xlsm", "candipuro", read_office_data(SAMPLE))
    sec = r"HKCU\Software\Microsoft\Office\16.0\Excel\Security"
    reg = FakeWinreg({sec: {"VBAWarnings": 4}, sec + r"\Trusted Locations": {},
                      sec + r"\Trusted Locations\Location0": {"Path": str(tmp_path.parent), "AllowSubfolders": 1}})
    monkeypatch.setattr(doctor, "_registry", lambda: reg)
    found = {f.topic: f for f in doctor.trust_findings(master)}
    assert found["Pengaturan makro"].status == doctor.MASALAH and "tanpa pemberitahuan" in found["Pengaturan makro"].detail
    assert found["Trusted Locations"].status == doctor.OK
    reg.keys[sec + r"\Trusted Locations\Location0"] = {"Path": r"C:\Lain", "AllowSubfolders": 1}
    reg.keys[sec]["VBAWarnings"] = 2
    found = {f.topic: f for f in doctor.trust_findings(master)}
    assert found["Pengaturan makro"].status == doctor.OK
    assert found["Trusted Locations"].status == doctor.PERHATIAN and "Trust Center" in found["Trusted Locations"].fix
    monkeypatch.setattr(doctor, "_registry", lambda: None)  # as on Linux: said, not guessed
    assert [f.status for f in doctor.trust_findings(master)] == [doctor.TIDAK, doctor.TIDAK]


def test_doctor_writes_a_report_to_send(tmp_path):
    from typer.testing import CliRunner

    from kinerja.cli.commands import app

    master = build_master(tmp_path / "induk_kinerja.xlsm", "candipuro", read_office_data(SAMPLE))
    conf = tmp_path / "xlwings.conf"
    excel_setup(master, conf=conf, interpreter=__import__("sys").executable, xlstart=tmp_path / "XLSTART")
    from kinerja.excel.doctor import OK, diagnose, report_text

    findings = {f.topic: f for f in diagnose(master, conf=conf, xlstart=tmp_path / "XLSTART")}
    for topic in ("Python ini", "Python yang dijalankan Excel", "Paket xlwings", "Add-in xlwings", "Tab pita dan VBA"):
        assert findings[topic].status == OK, findings[topic]
    (tmp_path / "XLSTART" / "xlwings.xlam").write_bytes(b"lama")
    bad = {f.topic: f for f in diagnose(master, conf=conf, xlstart=tmp_path / "XLSTART")}["Add-in xlwings"]
    assert bad.status == "MASALAH" and "kinerja excel setup" in bad.fix
    text = report_text(list(findings.values()), master)
    assert "Ringkasan:" in text and "[OK] Tab pita dan VBA" in text
    out = tmp_path / "laporan.txt"
    result = CliRunner().invoke(app, ["excel", "doctor", str(tmp_path / "induk.xlsx"), "--laporan", str(out)])
    assert result.exit_code == 1 and "tidak ditemukan" in out.read_text(encoding="utf-8")


def test_setup_makes_the_ribbon_workbook_from_an_xlsx_when_asked(tmp_path, sample_master):
    from typer.testing import CliRunner

    from kinerja.cli.commands import app

    result = CliRunner().invoke(app, ["excel", "setup", str(sample_master), "--buat-xlsm"])
    assert result.exit_code == 1 and "tanpa makro" in result.output  # the .xlsx itself is refused
    made = sample_master.with_suffix(".xlsm")
    assert made.is_file() and has_ribbon(made) and "Kinerja" in workbook_modules(made)
    old, new = load_master(sample_master).master, load_master(made).master
    assert [i.kode for i in new.indicators] == [i.kode for i in old.indicators]
    assert new.settings.office == old.settings.office and new.results == old.results
