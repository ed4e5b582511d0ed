"""A small run of benchmarks/bench_collect.py: every scenario runs on real generated returns and
does its work (the timings themselves are not tested); and of benchmarks/bench_annual.py."""

from __future__ import annotations

import importlib
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _bench(name: str = "bench_collect"):
    """The script as an importable module (spawned worker processes import it by name)."""
    import sys

    if str(ROOT / "benchmarks") not in sys.path:
        sys.path.insert(0, str(ROOT / "benchmarks"))
    return importlib.import_module(name)


def test_benchmark_runs_every_scenario_on_20_units(tmp_path):
    bench = _bench()
    units, per_unit = 20, 10
    summary = bench.main(["--units", str(units), "--indicators", str(per_unit), "--runs", "1",
                          "--out", str(tmp_path)])
    sc = summary["scenarios"]
    assert set(sc) == set(bench.SCENARIOS)
    for name, result in sc.items():
        assert len(result["runs_s"]) == 1 and result["peak_mb"] > 0, name
    n = units * per_unit
    assert sc["floor"]["check"]["cells"] > n
    assert sc["handwritten"]["check"]["rows"] == n
    collect = sc["collect"]["check"]
    assert collect["used"] == units and collect["landed"] == n
    assert {"read", "identify", "values", "merge", "writes", "load", "write"} <= set(sc["collect"]["phases_s"])
    assert sum(sc["validate"]["check"]["issues"].values()) > 0
    assert sc["forms"]["check"]["forms"] == units
    assert any(f.startswith("Laporan") for f in sc["report"]["check"]["files"])
    assert {"collect_read_vs_floor", "collect_vs_handwritten"} <= set(summary["ratios"])
    saved = json.loads((tmp_path / f"results-{units}x{per_unit}.json").read_text())
    assert saved["machine"]["nproc"] >= 1 and saved["scenarios"].keys() == sc.keys()
    # the returns are the units' own: every form different, filled in its input cells
    returns = sorted((tmp_path / f"data-{units}x{per_unit}" / "masuk").glob("*.xlsx"))
    assert len(returns) == units and len({p.read_bytes() for p in returns}) == units


def test_annual_benchmark_renders_the_draft_of_a_small_office(tmp_path):
    from docx import Document

    bench = _bench("bench_annual")
    [run] = bench.main(["--units", "3", "--indicators", "4", "--runs", "1", "--out", str(tmp_path)])
    assert run["seconds"] > run["render_s"] > 0 and run["peak_mb"] > 0 and run["bytes"] > 10_000
    [docx] = (tmp_path / "tahunan-3x4" / "laporan-0").glob("LKjIP-*.docx")
    tables = Document(str(docx)).tables
    assert len(tables[1].rows) == 1 + 12  # the Perjanjian Kinerja: every indicator of the office
