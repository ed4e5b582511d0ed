"""`kinerja excel paket --out FOLDER`: the offline install folder for a Windows office PC.

Wheels for kinerja and every dependency for Windows x64 and Python 3.11-3.13 (pip download
--platform win_amd64 --only-binary=:all:), `PASANG.bat` (a private venv made with the `py`
launcher, installed from the folder with --no-index, `kinerja excel setup`, Unblock-File of the
workbooks, what it did said in Indonesian) and a one-page `PETUNJUK.pdf` (HTML converted by
LibreOffice). Building the folder needs the package index; installing from it does not.

pip evaluates environment markers against the machine it runs on, not the --platform given, so
requirements only Windows needs (pywin32 for xlwings, colorama for click ...) are found by
reading each downloaded wheel's metadata with a Windows environment and downloaded as well.
"""

from __future__ import annotations

import email.parser
import re
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.tags import Tag, compatible_tags, cpython_tags
from packaging.utils import canonicalize_name, parse_wheel_filename

from kinerja.issues.catalogue import KinerjaError
from kinerja.issues.explain import log

PYTHONS = ("3.11", "3.12", "3.13")
PLATFORM = "win_amd64"
ROOT = Path(__file__).resolve().parents[2]


class PaketError(KinerjaError, RuntimeError):
    """The install folder cannot be made; the message is Indonesian and user-facing."""


@dataclass
class Paket:
    folder: Path
    wheels: list[Path] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)


def windows_environment(python: str) -> dict[str, str]:
    env: dict[str, str] = {k: str(v) for k, v in default_environment().items()}
    env.update(sys_platform="win32", platform_system="Windows", os_name="nt", platform_machine="AMD64",
               implementation_name="cpython", platform_python_implementation="CPython",
               python_version=python, python_full_version=python + ".0")
    return env


def wheel_requirements(wheel: Path) -> list[Requirement]:
    with zipfile.ZipFile(wheel) as z:
        name = next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))
        meta = email.parser.Parser().parsestr(z.read(name).decode("utf-8", "replace"))
    return [Requirement(r) for r in meta.get_all("Requires-Dist") or []]


def windows_tags(python: str) -> set[Tag]:
    version = tuple(int(x) for x in python.split("."))
    interpreter = "cp" + python.replace(".", "")
    return (set(cpython_tags(version, platforms=[PLATFORM]))
            | set(compatible_tags(version, interpreter, platforms=[PLATFORM])))


def windows_wheels(folder: Path, python: str) -> list[Path]:
    """The folder's wheels a Windows x64 CPython of this version can install."""
    ok = windows_tags(python)
    return [w for w in sorted(folder.glob("*.whl")) if parse_wheel_filename(w.name)[3] & ok]


def missing_for_windows(folder: Path, python: str) -> list[str]:
    """Requirements a Windows install of the folder's wheels needs that no wheel provides."""
    have = {canonicalize_name(parse_wheel_filename(w.name)[0]): w for w in windows_wheels(folder, python)}
    env = windows_environment(python)
    out = []
    for w in have.values():
        if True:
            for req in wheel_requirements(w):
                env_extra = dict(env, extra="")
                if req.marker is not None and not req.marker.evaluate(env_extra):
                    continue
                if canonicalize_name(req.name) not in have:
                    out.append(str(Requirement(f"{req.name}{req.specifier}")))
    return sorted(set(out))


def _pip(args: list[str], timeout: int) -> None:
    cmd = [sys.executable, "-m", "pip", *args]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        log.warning("pip %s: %s", " ".join(args), (done.stderr or done.stdout)[-4000:])
        last = (done.stderr or done.stdout).strip().splitlines()[-1:] or [""]
        hint = ("tanpa sambungan internet atau indeks paket tidak terjangkau"
                if any(w in last[0].lower() for w in ("connection", "network", "resolve", "timed out"))
                else "paket atau versi yang diminta tidak tersedia" if "no matching distribution" in last[0].lower()
                else "lihat keluaran pip di kinerja-galat.log")
        raise PaketError(f"pip gagal ({' '.join(args[:3])}): {hint}. Keluaran lengkap pip ada di kinerja-galat.log.")


def build_kinerja_wheel(out: Path, source: Path, timeout: int) -> Path:
    if not (source / "pyproject.toml").is_file():
        raise PaketError(f"Sumber kinerja (pyproject.toml) tidak ada di '{source}'; sebutkan dengan --sumber.")
    for old in out.glob("kinerja-*.whl"):
        old.unlink()
    with tempfile.TemporaryDirectory(prefix="kinerja-wheel-") as tmp:
        _pip(["wheel", "--no-deps", "-q", "-w", tmp, str(source)], timeout)
        built = next(Path(tmp).glob("kinerja-*.whl"))
        target = out / built.name
        target.write_bytes(built.read_bytes())
    return target


def download_for_windows(out: Path, requirements: list[str], python: str, timeout: int) -> None:
    _pip(["download", "-q", "--dest", str(out), "--platform", PLATFORM, "--python-version", python,
          "--implementation", "cp", "--only-binary=:all:", *requirements], timeout)


PASANG_BAT = r"""@echo off
setlocal EnableDelayedExpansion
title Pemasangan kinerja - Data Kinerja di Excel
cd /d "%~dp0"
echo ==============================================================
echo   Pemasangan kinerja: tab "Data Kinerja" di Excel
echo   Semua berkas diambil dari folder ini; internet tidak dipakai.
echo ==============================================================
echo.
set "VENV=%LOCALAPPDATA%\kinerja\venv"
set "PY="
for %%V in (3.13 3.12 3.11) do (
  if not defined PY (
    py -%%V -c "import sys" >nul 2>&1 && set "PY=py -%%V"
  )
)
if not defined PY (
  echo Python 3.11, 3.12 atau 3.13 belum terpasang di komputer ini.
  echo Pasang dahulu dari https://www.python.org/downloads/windows/ ^(pilihan bawaan sudah
  echo menyertakan peluncur "py"^), lalu klik dua kali PASANG.bat lagi.
  goto akhir
)
echo [1/5] Membuat lingkungan Python tersendiri untuk kinerja dengan !PY!:
echo       %VENV%
!PY! -m venv "%VENV%"
if errorlevel 1 goto gagal
echo [2/5] Memasang kinerja dan paket pendukungnya dari folder ini ...
"%VENV%\Scripts\python.exe" -m pip install --quiet --no-index --find-links "%~dp0." --upgrade pip
"%VENV%\Scripts\python.exe" -m pip install --quiet --no-index --find-links "%~dp0." --upgrade kinerja
if errorlevel 1 goto gagal
echo [3/5] Membuka blokir workbook .xlsm di folder ini (tanda "dari internet") ...
powershell -NoProfile -ExecutionPolicy Bypass -Command "Get-ChildItem -LiteralPath '%~dp0' -Filter *.xlsm | Unblock-File"
set "ADA="
for %%F in ("%~dp0*.xlsm") do set "ADA=%%~fF"
echo [4/5] Menyiapkan Excel: pengaturan xlwings, add-in xlwings, modul pendamping ...
if defined ADA (
  for %%F in ("%~dp0*.xlsm") do "%VENV%\Scripts\kinerja.exe" excel setup "%%~fF"
) else (
  "%VENV%\Scripts\kinerja.exe" excel setup
  echo       Belum ada workbook .xlsm di folder ini. Taruh workbook induk di sini lalu
  echo       jalankan PASANG.bat lagi agar workbook itu disiapkan juga.
)
echo [5/5] Memeriksa hasil pemasangan ...
if defined ADA (
  "%VENV%\Scripts\kinerja.exe" excel doctor "!ADA!" --laporan "%~dp0laporan-pemasangan.txt"
) else (
  "%VENV%\Scripts\kinerja.exe" excel doctor --laporan "%~dp0laporan-pemasangan.txt"
)
echo.
echo Selesai. Tutup semua jendela Excel, lalu buka workbook induk: tab "Data Kinerja" muncul.
echo Bila ada MASALAH di atas, kirim file laporan-pemasangan.txt kepada yang membantu Anda.
goto akhir
:gagal
echo.
echo GAGAL: langkah di atas tidak berhasil. Tidak ada yang diubah di Excel.
echo Pastikan folder ini lengkap (berkas .whl), lalu jalankan PASANG.bat lagi.
:akhir
echo.
pause
endlocal
"""

PETUNJUK: list[tuple[str, str]] = [  # (style, text); "**" marks bold words
    ("Title", 'Memasang tab "Data Kinerja" di Excel'),
    ("Normal", "Untuk komputer Windows 64-bit. Tidak perlu internet dan tidak perlu mengetik perintah."),
    ("Heading 2", "Yang diperlukan"),
    ("List Bullet", "Folder ini, disalin utuh dari flashdisk atau jaringan kantor, dan workbook induk **.xlsm**."),
    ("List Bullet", "Python 3.11, 3.12 atau 3.13. Bila belum ada, pasang dari python.org; pilihan bawaan "
                    "pemasangnya sudah benar."),
    ("Heading 2", "Langkah"),
    ("List Number", "Tutup semua jendela Excel."),
    ("List Number", "Salin workbook induk (.xlsm) ke folder ini."),
    ("List Number", "Klik dua kali **PASANG.bat**. Jendela hitam menuliskan lima langkah: membuat lingkungan "
                    "Python tersendiri, memasang kinerja dari folder ini, membuka blokir workbook, menyiapkan "
                    "Excel, memeriksa hasil. Tunggu sampai tertulis **Selesai**, lalu tekan sembarang tombol."),
    ("List Number", "Pindahkan workbook ke folder kerja bila perlu, lalu buka di Excel. Bila muncul bilah "
                    "kuning **Enable Content** (Aktifkan Konten), klik."),
    ("List Number", "Tab **Data Kinerja** muncul di pita Excel. Coba tombol **Status**: kotak pesan "
                    "menampilkan posisi SOP."),
    ("Heading 2", "Bila ada yang tidak berjalan"),
    ("List Bullet", 'Excel menulis "Microsoft has blocked macros": tutup Excel, klik kanan workbook, '
                    "Properties, centang **Unblock**, OK. Atau jalankan PASANG.bat lagi dengan workbook di "
                    "folder ini."),
    ("List Bullet", "Tab tidak muncul: buka sheet **Panel**, pilih tindakan di sel kuning, lalu klik "
                    "**Run main** pada tab xlwings."),
    ("List Bullet", "Kirim file **laporan-pemasangan.txt** dari folder ini kepada yang membantu Anda: "
                    "isinya temuan pemeriksaan beserta perbaikannya."),
]


def write_petunjuk(out: Path) -> Path:
    """PETUNJUK.pdf: one A4 page, written as .docx and converted by LibreOffice."""
    from docx import Document
    from docx.shared import Cm, Pt

    from kinerja.libreoffice import convert

    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2))
    doc.styles["Normal"].font.size = Pt(11)
    for style, text in PETUNJUK:
        para = doc.add_paragraph(style=style)
        for i, part in enumerate(text.split("**")):
            para.add_run(part).bold = i % 2 == 1
    with tempfile.TemporaryDirectory(prefix="kinerja-petunjuk-") as tmp:
        docx = Path(tmp) / "PETUNJUK.docx"
        doc.save(str(docx))
        pdf = convert(docx, "pdf", Path(tmp))
        target = out / "PETUNJUK.pdf"
        target.write_bytes(pdf.read_bytes())
    return target


def build_paket(out: Path, source: Path | None = None, pythons: tuple[str, ...] = PYTHONS,
                timeout: int = 600) -> Paket:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    result = Paket(out)
    wheel = build_kinerja_wheel(out, Path(source or ROOT), timeout)
    result.lines.append(f"Wheel kinerja: {wheel.name}")
    download_for_windows(out, ["pip"], pythons[-1], timeout)  # a current pip, installed first by PASANG.bat
    for python in pythons:
        download_for_windows(out, [str(wheel)], python, timeout)
        for _ in range(5):  # Windows-only requirements, until none is missing
            missing = missing_for_windows(out, python)
            if not missing:
                break
            download_for_windows(out, missing, python, timeout)
        else:
            raise PaketError(f"Paket untuk Windows tidak lengkap (Python {python}): {', '.join(missing)}")
        result.lines.append(f"Python {python}: semua paket untuk Windows 64-bit ada.")
    (out / "PASANG.bat").write_bytes(PASANG_BAT.replace("\r\n", "\n").replace("\n", "\r\n").encode("ascii"))
    result.lines.append("PASANG.bat ditulis.")
    write_petunjuk(out)
    result.lines.append("PETUNJUK.pdf ditulis.")
    result.wheels = sorted(out.glob("*.whl"))
    size = sum(w.stat().st_size for w in result.wheels) / 1e6
    result.lines.append(f"{len(result.wheels)} wheel, {size:.0f} MB, di {out}")
    return result


def pasang_steps() -> list[tuple[str, str]]:
    """The numbered steps PASANG.bat announces, (number, text), for docs and tests."""
    return re.findall(r"echo \[(\d)/5\] ([^\r\n]*)", PASANG_BAT)
