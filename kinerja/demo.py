"""`kinerja demo`: the whole SOP on the sample office (Kecamatan Sukamaju), step by step."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data" / "sukamaju"


def sample_dir() -> Path:
    """The sample office's data folder (in the repository beside the package)."""
    for candidate in (SAMPLE, Path.cwd() / "sample_data" / "sukamaju"):
        if (candidate / "instansi.json").exists():
            return candidate
    raise FileNotFoundError("Folder sample_data/sukamaju tidak ditemukan; jalankan dari folder proyek.")


def run_demo(out: Path, preset: str = "candipuro") -> Iterator[str]:
    from kinerja.master import build_master, check, read_office_data

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    master = out / "induk-sukamaju.xlsx"
    if master.exists():
        master.unlink()
    build_master(master, preset, read_office_data(sample_dir()))
    yield f"1. Workbook induk dibuat: {master}"
    loaded = check(master)
    c = loaded.report.counts()
    m = loaded.master
    assert m is not None, loaded.report.to_json()
    yield (f"   Diperiksa: {len(m.units)} unit, {len(m.indicators)} indikator, "
           f"{len(m.sop.steps)} langkah SOP; kesalahan {c['error']}, peringatan {c['warning']}.")
