"""Shared fixtures: the sample office (Kecamatan Sukamaju) as a fresh master workbook."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

from kinerja.workbook.master import build_master, load_master, read_office_data

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data" / "sukamaju"

# The tests mirror the package (tests/domain, tests/stages, ...); a test module may use another's
# helpers (`from test_validate import golden_master`) and the helpers here (`collect_helpers`,
# `fake_xlwings`), whichever folder either lives in.
for _folder in sorted(p for p in Path(__file__).resolve().parent.iterdir() if p.is_dir()):
    if any(_folder.glob("test_*.py")) and str(_folder) not in sys.path:
        sys.path.append(str(_folder))


@pytest.fixture(scope="session")
def _sample_master_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "induk.xlsx"
    build_master(path, "candipuro", read_office_data(SAMPLE))
    return path


@pytest.fixture
def sample_master(tmp_path, _sample_master_template) -> Path:
    """A fresh copy of the sample office's master workbook (TW III 2026, TW I-II filled)."""
    path = tmp_path / "induk.xlsx"
    shutil.copy(_sample_master_template, path)
    return path


@pytest.fixture
def sample_loaded(sample_master):
    loaded = load_master(sample_master)
    assert loaded.master is not None, loaded.report.to_json()
    return loaded


@pytest.fixture(scope="session")
def demo_without_office(tmp_path_factory) -> tuple[Path, list[str]]:
    """`kinerja demo` run once on a PATH with python but neither soffice nor pdftoppm, as on a
    machine without them: (its folder, the lines it printed). Tests only read it."""
    from kinerja.sample.demo import run_demo

    base = tmp_path_factory.mktemp("demo")
    bare = base / "bin"
    bare.mkdir()
    for tool in ("python3", "python"):
        found = shutil.which(tool)
        if found:
            os.symlink(found, bare / tool)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PATH", str(bare))
        assert shutil.which("soffice") is None and shutil.which("pdftoppm") is None
        lines = list(run_demo(base / "demo"))
    return base / "demo", lines
