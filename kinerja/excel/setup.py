"""`kinerja excel setup`: prepare an office PC to run the ribbon (xlwings settings, the xlwings
add-in, the workbook's Mark of the Web, checks). Nothing here installs from the internet: the
packages come from the offline folder of `kinerja excel paket` (PASANG.bat)."""

from __future__ import annotations

import os
import shutil
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from kinerja.issues.explain import explain
from kinerja.workbook.digest import sha256_file

PINNED_XLWINGS = "0.37.8"
ADDIN_NAME = "xlwings.xlam"
REINSTALL = "jalankan lagi PASANG.bat dari folder paket kinerja (tanpa internet)"
COMPANION = '''"""Dibuat oleh 'kinerja excel setup': tombol 'Run main' xlwings menjalankan Panel."""
from kinerja.excel.handlers import main  # noqa: F401
'''


@dataclass
class SetupOutcome:
    lines: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    xlsm_offer: Path | None = None  # an .xlsx master given: the .xlsm that would carry the ribbon

    @property
    def ok(self) -> bool:
        return not self.problems


def _conf_lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


def default_conf() -> Path:
    return Path.home() / ".xlwings" / "xlwings.conf"


def read_xlwings_conf(conf: Path) -> dict[str, str]:
    out = {}
    for line in _conf_lines(conf):
        key, sep, value = line.partition(",")
        if sep:
            out[key.strip().strip('"')] = value.strip().strip('"')
    return out


def write_xlwings_conf(conf: Path, interpreter: str) -> None:
    """Set the interpreter keys in xlwings' user config ("KEY","VALUE" lines), keep the rest."""
    keys = {"INTERPRETER_WIN": interpreter, "INTERPRETER_MAC": interpreter, "INTERPRETER": interpreter}
    kept = [line for line in _conf_lines(conf)
            if not any(line.startswith(f'"{k}"') for k in keys)]
    conf.parent.mkdir(parents=True, exist_ok=True)
    conf.write_text("\n".join(kept + [f'"{k}","{v}"' for k, v in keys.items()]) + "\n", encoding="utf-8")


def default_xlstart() -> Path | None:
    """Excel's per-user start-up folder, where add-ins load from (Windows only)."""
    appdata = os.environ.get("APPDATA")
    if sys.platform != "win32" or not appdata:
        return None
    return Path(appdata) / "Microsoft" / "Excel" / "XLSTART"


def package_addin() -> Path | None:
    """The xlwings add-in of the installed xlwings package."""
    try:
        import xlwings
    except ImportError:
        return None
    path = Path(xlwings.__file__).parent / "addin" / ADDIN_NAME
    return path if path.is_file() else None


def workbook_modules(master: Path) -> dict[str, str]:
    """The VBA modules of a workbook (name -> source), read with kinerja's own MS-OVBA reader."""
    from kinerja.ooxml.vbaproject import read_vba_project

    with zipfile.ZipFile(master) as z:
        names = [n for n in z.namelist() if n.lower().endswith("vbaproject.bin")]
        if not names:
            return {}
        project = read_vba_project(z.read(names[0]))
    return {name: module.source for name, module in project.modules.items()}


def has_ribbon(master: Path) -> bool:
    from kinerja.ooxml.xlsm import CUSTOMUI_PART

    with zipfile.ZipFile(master) as z:
        return CUSTOMUI_PART in z.namelist()


def mark_of_the_web(path: Path) -> str | None:
    """The Zone.Identifier stream Windows attaches to a downloaded or e-mailed file (None when
    there is none, or on a system without alternate data streams)."""
    if sys.platform != "win32":
        return None
    try:
        with open(str(path) + ":Zone.Identifier", encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:
        return None


def unblock(path: Path) -> bool:
    """Remove the Mark of the Web (what PowerShell's Unblock-File does). True when removed."""
    if mark_of_the_web(path) is None:
        return False
    try:
        os.remove(str(path) + ":Zone.Identifier")
        return True
    except OSError:
        return False


def install_addin(xlstart: Path, out: SetupOutcome) -> None:
    src = package_addin()
    if src is None:
        out.problems.append(f"Add-in xlwings tidak ditemukan di paket xlwings: {REINSTALL}.")
        return
    dst = xlstart / ADDIN_NAME
    if dst.is_file() and sha256_file(dst) == sha256_file(src):
        out.lines.append(f"Add-in xlwings sudah terpasang: {dst}")
        return
    try:
        xlstart.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dst)
    except OSError as e:
        out.problems.append(f"Add-in xlwings tidak dapat disalin ke {xlstart} ({explain(e)}). Tutup Excel lalu ulangi.")
        return
    out.lines.append(f"Add-in xlwings dipasang: {dst} (aktif setelah Excel dibuka ulang)")


def make_xlsm(master: Path, xlsm: Path) -> None:
    """The .xlsm with the ribbon, made from an .xlsx master's own data (its preset kept). Raises
    OSError or ValueError when it cannot be made."""
    from kinerja.workbook.master import build_master, load_master, read_office_data

    loaded = load_master(master)
    preset = loaded.master.settings.preset if loaded.master is not None else ""
    build_master(xlsm, preset or "candipuro", read_office_data(master))


def excel_setup(master: Path | None, *, conf: Path | None = None, interpreter: str | None = None,
                xlstart: Path | None = None) -> SetupOutcome:
    out = SetupOutcome()
    interpreter = interpreter or sys.executable
    if sys.platform == "win32" and interpreter.lower().endswith("python.exe"):
        interpreter = interpreter[:-10] + "pythonw.exe"  # no console window flashing on each click
    conf = conf or default_conf()
    if sys.version_info < (3, 11):  # noqa: UP036 - the Python Excel starts may be another, older one
        out.problems.append(f"Python {sys.version.split()[0]} terlalu lama; perlu 3.11 atau lebih baru.")
    if master is not None:
        master = Path(master)
        if not master.exists():
            out.problems.append(f"Workbook '{master}' tidak ditemukan.")
            return out
        if master.suffix.lower() != ".xlsm":
            out.xlsm_offer = master.with_suffix(".xlsm")
            out.problems.append(
                f"Workbook '{master.name}' tanpa makro tidak punya tab pita 'Data Kinerja'. Buat versi "
                f".xlsm dengan isi yang sama: kinerja init {out.xlsm_offer.name} --data {master.name}")
            return out
    try:
        import xlwings

        version = xlwings.__version__
    except ImportError:
        version = None
        out.problems.append(f"Paket xlwings belum terpasang: {REINSTALL}.")
    if version and version != PINNED_XLWINGS:
        out.problems.append(f"Versi xlwings {version}, sedangkan kinerja memakai {PINNED_XLWINGS}: {REINSTALL}.")
    write_xlwings_conf(conf, interpreter)
    out.lines.append(f"Pengaturan xlwings ditulis: {conf} (Python: {interpreter})")
    xlstart = xlstart or default_xlstart()
    if xlstart is not None:
        install_addin(xlstart, out)
    else:
        out.lines.append("Add-in xlwings tidak dipasang: folder XLSTART Excel hanya ada di Windows.")
    if master is None:
        return out
    modules = workbook_modules(master)
    if "Kinerja" not in modules or not has_ribbon(master):
        out.problems.append(f"Workbook '{master.name}' tidak berisi modul VBA 'Kinerja' atau tab pita; buat ulang: "
                            f"kinerja init BARU.xlsm --data {master.name}")
    else:
        out.lines.append(f"Workbook '{master.name}' berisi tab pita dan modul VBA 'Kinerja'.")
    if not master.stem.isidentifier():
        out.problems.append(f"Nama file '{master.name}' memuat spasi atau tanda hubung; tombol 'Run main' "
                            "xlwings memerlukan nama seperti 'induk_kinerja.xlsm'. Ganti nama file itu.")
    if unblock(master):
        out.lines.append(f"Tanda 'dari internet' (Mark of the Web) dihapus dari '{master.name}': makro tidak "
                         "lagi diblokir.")
    companion = master.with_suffix(".py")
    companion.write_text(COMPANION, encoding="utf-8")
    out.lines.append(f"Modul pendamping untuk 'Run main' ditulis: {companion}")
    return out
