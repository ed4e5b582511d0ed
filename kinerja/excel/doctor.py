"""`kinerja excel doctor`: what fails on office PCs, each finding in Indonesian with its fix.

Which Python and kinerja Excel will run, xlwings' config and add-in, the workbook (ribbon, VBA,
file name), its trust (Mark of the Web, Trusted Locations, macro settings from the Windows
registry) and a PDF converter. What cannot be checked on this system (the registry on Linux) is
said so, never guessed. `--laporan FILE` writes the findings into a file to send.
"""

from __future__ import annotations

import platform
import shutil
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from kinerja.excel import setup as S
from kinerja.issues.explain import explain
from kinerja.workbook.digest import sha256_file

OK, MASALAH, PERHATIAN, TIDAK = "OK", "MASALAH", "PERHATIAN", "TIDAK DIPERIKSA"
OFFICE_VERSIONS = ("16.0", "15.0")  # Microsoft 365 / 2016-2021, 2013
VBA_WARNINGS = {1: "semua makro diaktifkan", 2: "makro dinonaktifkan dengan pemberitahuan (bawaan)",
                3: "hanya makro bertanda tangan digital", 4: "semua makro dinonaktifkan tanpa pemberitahuan"}


@dataclass
class Finding:
    status: str
    topic: str
    detail: str
    fix: str = ""

    def text(self) -> str:
        return f"[{self.status}] {self.topic}: {self.detail}" + (f"\n    Perbaikan: {self.fix}" if self.fix else "")


def _registry() -> Any | None:
    try:
        import winreg
    except ImportError:
        return None
    return winreg


def _reg_values(winreg: Any, root: Any, path: str) -> dict[str, Any]:
    try:
        key = winreg.OpenKey(root, path)
    except OSError:
        return {}
    out: dict[str, Any] = {}
    i = 0
    with key:
        while True:
            try:
                name, value, _ = winreg.EnumValue(key, i)
            except OSError:
                return out
            out[name] = value
            i += 1


def _reg_subkeys(winreg: Any, root: Any, path: str) -> list[str]:
    try:
        key = winreg.OpenKey(root, path)
    except OSError:
        return []
    out, i = [], 0
    with key:
        while True:
            try:
                out.append(winreg.EnumKey(key, i))
            except OSError:
                return out
            i += 1


def python_findings(conf: Path) -> list[Finding]:
    import kinerja

    here = sys.executable
    out = [Finding(OK if sys.version_info >= (3, 11) else MASALAH, "Python ini",
                   f"{here} (Python {platform.python_version()}), kinerja dari {Path(kinerja.__file__).parent}",
                   "" if sys.version_info >= (3, 11) else "Pasang Python 3.11-3.13 dari python.org, lalu PASANG.bat.")]
    values = S.read_xlwings_conf(conf)
    key = "INTERPRETER_WIN" if sys.platform == "win32" else "INTERPRETER"
    interpreter = values.get(key) or values.get("INTERPRETER")
    if not conf.exists() or not interpreter:
        out.append(Finding(MASALAH, "Python yang dijalankan Excel", f"{conf} tidak menyebut interpreter Python.",
                           "Jalankan 'kinerja excel setup NAMA.xlsm' (PASANG.bat menjalankannya)."))
    elif not Path(interpreter).exists():
        out.append(Finding(MASALAH, "Python yang dijalankan Excel", f"{interpreter} (dari {conf}) tidak ada.",
                           "Jalankan lagi 'kinerja excel setup NAMA.xlsm' dengan Python tempat kinerja terpasang."))
    else:
        same = Path(interpreter).parent.resolve() == Path(here).parent.resolve()
        out.append(Finding(OK if same else PERHATIAN, "Python yang dijalankan Excel", f"{interpreter} (dari {conf})",
                           "" if same else "Python itu bukan Python ini; pastikan kinerja terpasang di sana, atau "
                                           "jalankan 'kinerja excel setup' dari Python yang benar."))
    try:
        import xlwings

        ok = xlwings.__version__ == S.PINNED_XLWINGS
        out.append(Finding(OK if ok else MASALAH, "Paket xlwings", f"versi {xlwings.__version__}",
                           "" if ok else f"kinerja memakai {S.PINNED_XLWINGS}: {S.REINSTALL}."))
    except ImportError:
        out.append(Finding(MASALAH, "Paket xlwings", "belum terpasang.", S.REINSTALL.capitalize() + "."))
    return out


def addin_findings(xlstart: Path | None) -> list[Finding]:
    if xlstart is None:
        return [Finding(TIDAK, "Add-in xlwings", "folder XLSTART Excel hanya ada di Windows.")]
    dst, src = xlstart / S.ADDIN_NAME, S.package_addin()
    if not dst.is_file():
        return [Finding(MASALAH, "Add-in xlwings", f"{dst} tidak ada: tombol pita tidak dapat menjalankan Python.",
                        "Jalankan 'kinerja excel setup NAMA.xlsm', tutup semua jendela Excel, buka lagi.")]
    if src is not None and sha256_file(dst) != sha256_file(src):
        return [Finding(MASALAH, "Add-in xlwings", f"{dst} berbeda dari add-in paket xlwings {S.PINNED_XLWINGS}.",
                        "Tutup Excel, jalankan 'kinerja excel setup NAMA.xlsm' untuk menyalinnya lagi.")]
    return [Finding(OK, "Add-in xlwings", f"{dst}")]


def workbook_findings(master: Path) -> list[Finding]:
    if not master.exists():
        return [Finding(MASALAH, "Workbook", f"'{master}' tidak ditemukan.", "Sebutkan path workbook induk .xlsm.")]
    if master.suffix.lower() != ".xlsm":
        return [Finding(MASALAH, "Workbook", f"'{master.name}' tanpa makro: tidak punya tab pita.",
                        f"Buat versi .xlsm: kinerja init {master.with_suffix('.xlsm').name} --data {master.name}")]
    out = []
    try:
        modules, ribbon = S.workbook_modules(master), S.has_ribbon(master)
    except Exception as e:  # noqa: BLE001 - a damaged file is a finding
        return [Finding(MASALAH, "Workbook", f"'{master.name}' tidak dapat dibaca ({explain(e)}).",
                        "Pakai salinan dari folder 'cadangan' atau buat ulang dengan 'kinerja init'.")]
    good = "Kinerja" in modules and ribbon
    out.append(Finding(OK if good else MASALAH, "Tab pita dan VBA",
                       "tab 'Data Kinerja' dan modul 'Kinerja' ada." if good else "tab pita atau modul VBA 'Kinerja' hilang.",
                       "" if good else f"Buat ulang: kinerja init BARU.xlsm --data {master.name}"))
    if not master.stem.isidentifier():
        out.append(Finding(PERHATIAN, "Nama file", f"'{master.name}' memuat spasi atau tanda hubung; cadangan "
                           "'Run main' di sheet Panel tidak dapat dipakai.", "Ganti nama, mis. 'induk_kinerja.xlsm'."))
    if not master.with_suffix(".py").exists():
        out.append(Finding(PERHATIAN, "Modul pendamping", f"{master.with_suffix('.py').name} belum ada (untuk 'Run main').",
                           f"Jalankan 'kinerja excel setup {master.name}'."))
    return out


def trust_findings(master: Path | None) -> list[Finding]:
    winreg = _registry()
    out = []
    if master is not None and master.exists():
        if sys.platform != "win32":
            out.append(Finding(TIDAK, "Mark of the Web", "tanda 'dari internet' hanya ada di Windows (NTFS)."))
        elif (zone := S.mark_of_the_web(master)) is not None:
            zone_id = next((ln.split("=", 1)[1].strip() for ln in zone.splitlines() if ln.startswith("ZoneId=")), "?")
            out.append(Finding(MASALAH, "Mark of the Web", f"'{master.name}' bertanda dari internet (ZoneId={zone_id}); "
                               "Office memblokir makronya.",
                               f"Klik kanan file > Properties > centang Unblock > OK, atau jalankan "
                               f"'kinerja excel setup {master.name}' (menghapus tanda itu)."))
        else:
            out.append(Finding(OK, "Mark of the Web", f"'{master.name}' tidak bertanda dari internet."))
    if winreg is None:
        out.append(Finding(TIDAK, "Pengaturan makro dan Trusted Locations",
                           "registri Windows tidak ada di sistem ini; periksa di PC Windows dengan 'kinerja excel doctor'."))
        return out
    hkcu = winreg.HKEY_CURRENT_USER
    found = False
    for version in OFFICE_VERSIONS:
        for root in (rf"Software\Policies\Microsoft\Office\{version}\Excel\Security",
                     rf"Software\Microsoft\Office\{version}\Excel\Security"):
            values = _reg_values(winreg, hkcu, root)
            if not values and not _reg_subkeys(winreg, hkcu, root):
                continue
            found = True
            policy = "Policies" in root
            level = values.get("VBAWarnings")
            if level is not None:
                bad = level in (3, 4)
                out.append(Finding(MASALAH if bad else OK, "Pengaturan makro",
                                   f"Office {version}{' (kebijakan kantor)' if policy else ''}: "
                                   f"{VBA_WARNINGS.get(level, level)}.",
                                   "Simpan workbook di Trusted Location (lihat di bawah) atau minta admin TI mengizinkan "
                                   "makro untuk folder itu." if bad else ""))
            if values.get("blockcontentexecutionfrominternet") == 1:
                out.append(Finding(PERHATIAN, "Makro dari internet", f"Office {version}: makro file unduhan diblokir.",
                                   "Hapus Mark of the Web file itu (Unblock) sebelum dibuka."))
            locations = []
            for sub in _reg_subkeys(winreg, hkcu, root + r"\Trusted Locations"):
                loc = _reg_values(winreg, hkcu, root + rf"\Trusted Locations\{sub}")
                if loc.get("Path"):
                    locations.append((str(loc["Path"]), bool(loc.get("AllowSubfolders"))))
            if master is not None and locations:
                def norm(p: str) -> str:
                    return p.replace("/", "\\").lower().rstrip("\\") + "\\"

                folder = norm(str(master.resolve().parent))
                inside = any(folder == norm(p) or (sub and folder.startswith(norm(p))) for p, sub in locations)
                out.append(Finding(OK if inside else PERHATIAN, "Trusted Locations",
                                   f"folder workbook {'termasuk' if inside else 'tidak termasuk'} Trusted Location "
                                   f"({'; '.join(p for p, _ in locations)}).",
                                   "" if inside else "File > Options > Trust Center > Trust Center Settings > Trusted "
                                                     "Locations > Add new location: folder workbook ini."))
    if not found:
        out.append(Finding(TIDAK, "Pengaturan makro", "pengaturan keamanan Excel tidak ditemukan di registri "
                           "(Excel belum pernah dibuka di akun ini, atau versi lain)."))
    return out


def pdf_findings() -> list[Finding]:
    from kinerja.libreoffice import OfficeError, soffice

    try:
        return [Finding(OK, "PDF", f"LibreOffice: {soffice()}")]
    except OfficeError:
        pass
    winreg = _registry()
    word = False
    if winreg is not None:
        try:
            winreg.OpenKey(winreg.HKEY_CLASSES_ROOT, r"Word.Application").Close()
            word = True
        except OSError:
            word = False
    fix = "Pasang LibreOffice (libreoffice.org) agar laporan langsung menjadi PDF."
    if word:
        return [Finding(PERHATIAN, "PDF", "LibreOffice tidak ada; Word ada: laporan .docx dibuat, simpan sebagai PDF dari Word.", fix)]
    if winreg is None and shutil.which("soffice") is None:
        return [Finding(MASALAH, "PDF", "LibreOffice tidak ditemukan (Word tidak dapat diperiksa di sistem ini).", fix)]
    return [Finding(MASALAH, "PDF", "LibreOffice dan Word tidak ditemukan: PDF tidak dapat dibuat.", fix)]


def diagnose(master: Path | None, *, conf: Path | None = None, xlstart: Path | None = None) -> list[Finding]:
    master = Path(master) if master is not None else None
    findings = python_findings(conf or S.default_conf())
    findings += addin_findings(xlstart if xlstart is not None else S.default_xlstart())
    if master is not None:
        findings += workbook_findings(master)
    findings += trust_findings(master)
    findings += pdf_findings()
    return findings


def report_text(findings: list[Finding], master: Path | None, now: datetime | None = None) -> str:
    """The findings as a plain-text file to send to whoever helps (no passwords, no data)."""
    counts = {s: sum(f.status == s for f in findings) for s in (MASALAH, PERHATIAN, OK, TIDAK)}
    head = [f"Laporan kinerja excel doctor - {(now or datetime.now()):%d/%m/%Y %H.%M}",
            f"Komputer: {platform.platform()}; Python {platform.python_version()} ({sys.executable})",
            f"Workbook: {master or '-'}",
            "Ringkasan: " + ", ".join(f"{k}: {v}" for k, v in counts.items()), ""]
    return "\n".join(head + [f.text() for f in findings]) + "\n"
