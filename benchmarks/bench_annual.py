"""Benchmark: the annual draft (`kinerja report --tahunan --force`) of N units x K indicators.

    python benchmarks/bench_annual.py --units 1000 --indicators 50 --runs 1 --out bench-out

The office is bench_collect's (the same generator), its master made at TW IV with all four
quarters' realisasi and a budget realisation, unapproved (the report is forced). Each run loads
the master and renders the draft in a fresh interpreter and prints its wall time, processor time
and peak resident memory (VmHWM). Generated masters are kept in OUT and reused.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
for p in (ROOT, ROOT / "benchmarks"):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))


def generate(master: Path, units: int, per_unit: int) -> Path:
    """A TW IV master of `units` x `per_unit` indicators, every quarter reported."""
    from bench_collect import office_data

    from kinerja.workbook.master import build_master

    if master.exists():
        return master
    od, _entries = office_data(units, per_unit)
    rng = random.Random(4)
    od.settings = {**od.settings, "nomor_periode": 4, "batas_waktu": None}
    targets = {i["kode"]: i for i in od.indicators}
    for r in od.results:
        t = targets[r["kode"]]
        r["r3"] = round(float(t["tw3"]) * rng.uniform(0.85, 1.15), 1)
        r["r4"] = round(float(t["tw4"]) * rng.uniform(0.85, 1.15), 1)
        if rng.random() < 0.1:
            r["penjelasan"] = "Sebagian kegiatan tertunda karena penyesuaian jadwal & anggaran <perubahan>."
    master.parent.mkdir(parents=True, exist_ok=True)
    tmp = master.with_name(".~" + master.name)
    build_master(tmp, "candipuro", od)
    tmp.replace(master)
    return master


def _peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child(master: Path, work: Path) -> None:
    from kinerja.stages.annual import render_annual
    from kinerja.workbook.master import load_master

    cpu, t0 = time.process_time(), time.perf_counter()
    loaded = load_master(master)
    t1 = time.perf_counter()
    out = render_annual(loaded, work, force=True, who="AGUS PRASETYO, S.E.", now=datetime(2027, 1, 20, 9))
    t2 = time.perf_counter()
    assert out.files, out.report.to_json()
    print("RESULT " + json.dumps({"seconds": t2 - t0, "load_s": t1 - t0, "render_s": t2 - t1,
                                  "cpu_s": time.process_time() - cpu, "peak_mb": _peak_mb(),
                                  "bytes": out.files[0].stat().st_size}))


def run(master: Path, work: Path) -> dict[str, Any]:
    proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child", str(master),
                           "--work", str(work)], capture_output=True, text=True, cwd=ROOT)
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")), None)
    if proc.returncode != 0 or line is None:
        raise RuntimeError(f"annual report failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}")
    return json.loads(line[len("RESULT "):])


def main(argv: list[str] | None = None) -> list[dict[str, Any]]:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--units", type=int, default=1000)
    ap.add_argument("--indicators", type=int, default=50)
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "kinerja-bench")
    ap.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.child:
        _child(a.child, a.work)
        return []
    out = a.out.resolve()
    master = generate(out / f"tahunan-{a.units}x{a.indicators}" / "induk-TW4.xlsx", a.units, a.indicators)
    results = []
    for n in range(a.runs):
        r = run(master, out / f"tahunan-{a.units}x{a.indicators}" / f"laporan-{n}")
        results.append(r)
        print(f"  run {n + 1}/{a.runs}: {r['seconds']:.2f} s (load {r['load_s']:.2f} s, render {r['render_s']:.2f} s), "
              f"cpu {r['cpu_s']:.2f} s, peak {r['peak_mb']:.0f} MB, {r['bytes'] / 1e6:.1f} MB .docx", flush=True)
    if results:
        print(f"median {statistics.median(r['seconds'] for r in results):.2f} s, "
              f"peak {max(r['peak_mb'] for r in results):.0f} MB")
    return results


if __name__ == "__main__":
    main()
