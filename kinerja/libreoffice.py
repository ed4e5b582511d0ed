"""LibreOffice (headless) for recalculation, format conversion and PDF."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from kinerja.issues.catalogue import KinerjaError
from kinerja.issues.explain import log


class OfficeError(KinerjaError, RuntimeError):
    """LibreOffice is missing or failed; the message is Indonesian and user-facing."""


def soffice() -> str:
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    for candidate in (r"C:\Program Files\LibreOffice\program\soffice.exe",
                      "/Applications/LibreOffice.app/Contents/MacOS/soffice"):
        if os.path.exists(candidate):
            return candidate
    raise OfficeError("LibreOffice tidak ditemukan. Pasang LibreOffice (di Debian: "
                      "sh scripts/pasang-debian.sh, atau apt-get install libreoffice-calc libreoffice-writer).")


def convert(src: Path, fmt: str, outdir: Path, timeout: int = 240) -> Path:
    """Convert `src` with LibreOffice headless to `fmt` ('pdf', 'xlsx', 'csv', 'ods', ...).

    A private user profile per call keeps parallel runs from blocking each other.
    Formulas are recalculated on load for spreadsheet conversions.
    """
    return convert_many([Path(src)], fmt, outdir, timeout)[0]


def convert_many(srcs: list[Path], fmt: str, outdir: Path, timeout: int = 600) -> list[Path]:
    """Convert several files in one LibreOffice start (much cheaper than one call each).

    The sources must have distinct file names (the outputs share `outdir`).
    """
    srcs, outdir = [Path(s) for s in srcs], Path(outdir)
    if not srcs:
        return []
    outdir.mkdir(parents=True, exist_ok=True)
    what = f"'{srcs[0].name}'" if len(srcs) == 1 else f"{len(srcs)} file"
    with tempfile.TemporaryDirectory(prefix="kinerja-lo-") as profile:
        cmd = [soffice(), f"-env:UserInstallation=file://{Path(profile).as_posix()}", "--headless",
               "--norestore", "--nolockcheck", "--convert-to", fmt, "--outdir", str(outdir),
               *[str(s) for s in srcs]]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise OfficeError(f"LibreOffice tidak selesai mengonversi {what} dalam {timeout} detik.") from None
    ext = fmt.split(":")[0]
    outs = [outdir / f"{s.stem}.{ext}" for s in srcs]
    missing = [o.name for o in outs if not o.exists()]
    if proc.returncode != 0 or missing:
        log.warning("LibreOffice %s -> %s: exit %s: %s", ", ".join(s.name for s in srcs)[:200], ext,
                    proc.returncode, (proc.stderr or proc.stdout).strip()[:2000])
        failed = what if len(srcs) == 1 else ", ".join(missing) or "file"
        raise OfficeError(f"LibreOffice gagal mengonversi {failed} ke {ext} (rinciannya di kinerja-galat.log).")
    return outs
