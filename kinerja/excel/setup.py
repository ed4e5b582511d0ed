"""`kinerja excel setup`: prepare an office PC to run the ribbon (xlwings settings, checks)."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

PINNED_XLWINGS = "0.37.8"
COMPANION = '''"""Dibuat oleh 'kinerja excel setup': tombol 'Run main' xlwings menjalankan Panel."""
from kinerja.excel.handlers import main  # noqa: F401
'''


@dataclass
class SetupOutcome:
    lines: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _conf_lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


def write_xlwings_conf(conf: Path, interpreter: str) -> None:
    """Set the interpreter keys in xlwings' user config ("KEY","VALUE" lines), keep the rest."""
    keys = {"INTERPRETER_WIN": interpreter, "INTERPRETER_MAC": interpreter, "INTERPRETER": interpreter}
    kept = [line for line in _conf_lines(conf)
            if not any(line.startswith(f'"{k}"') for k in keys)]
    conf.parent.mkdir(parents=True, exist_ok=True)
    conf.write_text("\n".join(kept + [f'"{k}","{v}"' for k, v in keys.items()]) + "\n", encoding="utf-8")


def vba_xlwings_version(master: Path) -> str | None:
    """The XLWINGS_VERSION constant of the xlwings module inside the master's VBA project."""
    from oletools.olevba import VBA_Parser

    parser = VBA_Parser(str(master))
    try:
        for _, _, name, code in parser.extract_macros():
            m = re.search(r'XLWINGS_VERSION As String = "([^"]+)"', code or "")
            if m:
                return m.group(1)
    finally:
        parser.close()
    return None


def excel_setup(master: Path | None, *, conf: Path | None = None,
                interpreter: str | None = None) -> SetupOutcome:
    out = SetupOutcome()
    interpreter = interpreter or sys.executable
    if sys.platform == "win32" and interpreter.lower().endswith("python.exe"):
        interpreter = interpreter[:-10] + "pythonw.exe"  # no console window flashing on each click
    conf = conf or Path.home() / ".xlwings" / "xlwings.conf"
    if sys.version_info < (3, 11):
        out.problems.append(f"Python {sys.version.split()[0]} terlalu lama; perlu 3.11 atau lebih baru.")
    try:
        import xlwings

        version = xlwings.__version__
    except ImportError:
        version = None
        out.problems.append("Paket xlwings belum terpasang: jalankan 'pip install kinerja'.")
    if version and version != PINNED_XLWINGS:
        out.problems.append(f"Versi xlwings {version} tidak sama dengan versi modul VBA ({PINNED_XLWINGS}): "
                            f"jalankan 'pip install xlwings=={PINNED_XLWINGS}'.")
    write_xlwings_conf(conf, interpreter)
    out.lines.append(f"Pengaturan xlwings ditulis: {conf} (Python: {interpreter})")
    if master is not None:
        master = Path(master)
        if not master.exists():
            out.problems.append(f"Workbook '{master}' tidak ditemukan.")
            return out
        if master.suffix.lower() == ".xlsm":
            vba = vba_xlwings_version(master)
            if vba is None:
                out.problems.append(f"Workbook '{master.name}' tidak berisi modul VBA xlwings; "
                                    "buat ulang dengan 'kinerja init NAMA.xlsm --data NAMA_LAMA.xlsm'.")
            elif version and vba != version:
                out.problems.append(f"Modul VBA di '{master.name}' versi {vba}, paket xlwings versi {version}: "
                                    "samakan versinya.")
            else:
                out.lines.append(f"Modul VBA xlwings {vba} cocok dengan paket xlwings {version}.")
        if not master.stem.isidentifier():
            out.problems.append(f"Nama file '{master.name}' memuat spasi atau tanda hubung; tombol 'Run main' "
                                "xlwings memerlukan nama seperti 'induk_kinerja.xlsm'. Ganti nama file itu.")
        companion = master.with_suffix(".py")
        companion.write_text(COMPANION, encoding="utf-8")
        out.lines.append(f"Modul pendamping untuk 'Run main' ditulis: {companion}")
    return out
