"""LibreOffice (headless) for recalculation, format conversion and PDF; the Word templates
(docxtpl) every document is rendered from."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any


class OfficeError(RuntimeError):
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
    src, outdir = Path(src), Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="kinerja-lo-") as profile:
        cmd = [soffice(), f"-env:UserInstallation=file://{Path(profile).as_posix()}", "--headless",
               "--norestore", "--nolockcheck", "--convert-to", fmt, "--outdir", str(outdir), str(src)]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise OfficeError(f"LibreOffice tidak selesai mengonversi '{src.name}' dalam {timeout} detik.") from None
    ext = fmt.split(":")[0]
    out = outdir / f"{src.stem}.{ext}"
    if proc.returncode != 0 or not out.exists():
        raise OfficeError(f"LibreOffice gagal mengonversi '{src.name}' ke {ext}: "
                          f"{(proc.stderr or proc.stdout).strip()[:300]}")
    return out


def convert_many(srcs: list[Path], fmt: str, outdir: Path, timeout: int = 600) -> list[Path]:
    """Convert several files in one LibreOffice start (much cheaper than one call each).

    The sources must have distinct file names (the outputs share `outdir`).
    """
    srcs, outdir = [Path(s) for s in srcs], Path(outdir)
    if not srcs:
        return []
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="kinerja-lo-") as profile:
        cmd = [soffice(), f"-env:UserInstallation=file://{Path(profile).as_posix()}", "--headless",
               "--norestore", "--nolockcheck", "--convert-to", fmt, "--outdir", str(outdir),
               *[str(s) for s in srcs]]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise OfficeError(f"LibreOffice tidak selesai mengonversi {len(srcs)} file dalam {timeout} detik.") from None
    ext = fmt.split(":")[0]
    outs = [outdir / f"{s.stem}.{ext}" for s in srcs]
    missing = [o.name for o in outs if not o.exists()]
    if proc.returncode != 0 or missing:
        raise OfficeError(f"LibreOffice gagal mengonversi {', '.join(missing) or 'file'} ke {ext}: "
                          f"{(proc.stderr or proc.stdout).strip()[:300]}")
    return outs


BIG_TABLE_ROWS = 200  # tables with more rows are moved row by row (see docx_template)


def docx_template(path: Path) -> "Any":
    """A docxtpl DocxTemplate of `path` whose rendered body is moved into the document in
    pieces. docxtpl replaces the body with the rendered tree in one move between two lxml
    documents, and lxml's time for one move grows far faster than the subtree (a report of
    50,000 indicator rows: ~2 minutes). The rows of large tables are detached first and moved
    one by one afterwards (a fraction of a second); the XML is the same."""
    from docxtpl import DocxTemplate

    class Template(DocxTemplate):
        def map_tree(self, tree: Any) -> None:
            big = [(t, list(t)) for t in tree.iter("{*}tbl") if len(t) > BIG_TABLE_ROWS]
            for table, children in big:
                for child in children:
                    table.remove(child)
            super().map_tree(tree)
            for table, children in big:  # in document order: an outer table's rows come back first
                for child in children:
                    table.append(child)

    return Template(str(path))
