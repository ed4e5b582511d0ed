"""Benchmark: the Pemda's roll-up of N offices' masters, against the hand-written openpyxl way.

    python benchmarks/bench_rollup.py --offices 60 --indicators 300 --runs 3 --out bench-out

Generates N approved masters of K indicators each (`kinerja.sample.offices.generated_office`, ten units
per office on the five presets in turn, every quarter so far reported; the approval recorded as
the review stage records it: Riwayat rows with fingerprints and the Nilai Disetujui rows), then
times, on the same files, in a fresh process per scenario and run:

  handwritten  openpyxl loads each master whole, reads Pengaturan and the Rekap sheet, and writes
               one workbook with every office's rows (what a person would script by hand)
  rollup       `kinerja rollup` end to end, first run: find and identify every master, read only
               the sheets the figures need (python-calamine), compute every figure with the core,
               write the roll-up workbook new (openpyxl: styles, charts, print settings)
  rollup_again the same on the existing roll-up workbook (its rows patched, charts retargeted)

Prints medians over the runs, CPU seconds (process and workers) and each scenario's peak
resident memory (VmHWM of the process plus, per worker, the largest worker's peak).
Generated data is kept in OUT/data-N-K and reused by later runs with the same size.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SCENARIOS = ("handwritten", "rollup", "rollup_again")
PRESETS = ("candipuro", "mangkutana", "muara_papalik", "bpkad_way_kanan", "perencanaan_pelaporan")
APPROVED = datetime(2026, 10, 15, 10, 0)
NOW = datetime(2026, 10, 26, 9, 0)
GENERATOR_VERSION = "1"
WORKERS = min(2, os.cpu_count() or 1)


def generate(data: Path, offices: int, per_office: int, log=print) -> list[Path]:
    """N approved masters in data/masters (kept for later runs of the same size)."""
    from kinerja.sample.offices import generated_office
    from kinerja.stages.approval import approval_rows, fingerprint
    from kinerja.stages.rekap import rekap_writes
    from kinerja.workbook import sheets as S
    from kinerja.workbook.description import WorkbookWrites
    from kinerja.workbook.files import write_file
    from kinerja.workbook.master import build_master, load_master

    stamp = data / "generated.json"
    folder = data / "masters"
    if stamp.exists() and json.loads(stamp.read_text()) == {"v": GENERATOR_VERSION, "n": offices, "k": per_office}:
        return sorted(folder.glob("*.xlsx"))
    shutil.rmtree(data, ignore_errors=True)
    folder.mkdir(parents=True)
    t = time.perf_counter()
    for n in range(offices):
        name = f"Perangkat Daerah {n + 1:03d}"
        path = folder / f"induk-{n + 1:03d}.xlsx"
        build_master(path, PRESETS[n % len(PRESETS)],
                     generated_office(name, units=10, indicators=per_office, seed=n, filled=True))
        m = load_master(path).master
        sek = m.settings.officials["sekretaris"].nama
        w = WorkbookWrites()
        w.sheet(S.RIWAYAT.sheet, S.RIWAYAT).append = [
            *[[APPROVED, S.KEGIATAN_UNIT_DISETUJUI, u.kode, 1, sek, f"[2026-TW3] Sidik data: {fingerprint(m, u.kode)}"]
              for u in m.units],
            [APPROVED, S.KEGIATAN_REKAP_DISETUJUI, None, 1, sek, f"[2026-TW3] Sidik data: {fingerprint(m)}"]]
        w.sheet(S.NILAI_DISETUJUI.sheet, S.NILAI_DISETUJUI).append = [
            row for u in m.units for row in approval_rows(m, u.kode, APPROVED, sek)]
        w.extend(rekap_writes(m))  # the Rekap sheet as collect leaves it (what the hand-written way reads)
        write_file(path, w, backup=False)
        if (n + 1) % 10 == 0:
            log(f"  {n + 1} induk dibuat ({time.perf_counter() - t:.0f} s)")
    stamp.write_text(json.dumps({"v": GENERATOR_VERSION, "n": offices, "k": per_office}))
    return sorted(folder.glob("*.xlsx"))


# ----------------------------------------------------------------------------------- scenarios


def run_handwritten(data: Path, work: Path) -> dict[str, Any]:
    from openpyxl import Workbook, load_workbook

    t = time.perf_counter()
    out = Workbook()
    ws = out.active
    ws.title = "Indikator"
    rows = 0
    for path in sorted((data / "masters").glob("*.xlsx")):
        wb = load_workbook(path, data_only=True)
        settings = {r[0]: r[1] for r in wb["Pengaturan"].iter_rows(values_only=True) if r and r[0]}
        office = settings.get("Nama Instansi")
        for r in wb["Rekap"].iter_rows(min_row=4, values_only=True):
            if r and r[4]:
                ws.append([office, *r])
                rows += 1
        wb.close()
    out.save(work / "rekap-tangan.xlsx")
    return {"seconds": time.perf_counter() - t, "check": {"rows": rows}}


def run_rollup(data: Path, work: Path, again: bool = False) -> dict[str, Any]:
    from kinerja.stages.rollup import make_rollup

    target = work / "rekap-pemda.xlsx"
    if again:
        shutil.copy(data / "rekap-pemda.xlsx", target)
    t = time.perf_counter()
    result = make_rollup(target, [data / "masters"], now=NOW)
    seconds = time.perf_counter() - t
    if not again:
        shutil.copy(target, data / "rekap-pemda.xlsx")
    return {"seconds": seconds, "check": {"offices": len(result.offices),
                                          "approved": sum(o.approved for o in result.offices),
                                          "indicators": sum(len(o.rows) for o in result.offices),
                                          "issues": sorted(result.report.codes())}}


def _peak_mb() -> float:
    """The process's peak resident memory (VmHWM), plus the largest worker's peak once per
    worker (`kinerja rollup` reads masters in up to two worker processes): an upper bound."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                own = int(line.split()[1]) / 1024
    except OSError:
        pass
    return own + WORKERS * resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def _cpu_s() -> float:
    """CPU seconds of the process and its workers (user + system)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def _child(scenario: str, data: Path, work: Path) -> None:
    fn = {"handwritten": run_handwritten, "rollup": run_rollup,
          "rollup_again": lambda d, w: run_rollup(d, w, again=True)}[scenario]
    result = fn(data, work)
    result["peak_mb"] = _peak_mb()
    result["cpu_s"] = _cpu_s()
    print(json.dumps(result))


def run_scenario(scenario: str, data: Path, work: Path) -> dict[str, Any]:
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child", scenario,
                           "--data", str(data), "--work", str(work)], capture_output=True, text=True,
                          cwd=ROOT)
    if proc.returncode != 0:
        raise RuntimeError(f"{scenario} gagal:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--offices", type=int, default=60)
    ap.add_argument("--indicators", type=int, default=300)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--out", type=Path, default=Path("bench-out"))
    ap.add_argument("--scenarios", default=",".join(SCENARIOS))
    ap.add_argument("--child")
    ap.add_argument("--data", type=Path)
    ap.add_argument("--work", type=Path)
    args = ap.parse_args(argv)
    if args.child:
        _child(args.child, args.data, args.work)
        return {}
    data = args.out / f"rollup-data-{args.offices}-{args.indicators}"
    print(f"Membuat {args.offices} workbook induk x {args.indicators} indikator di {data} ...")
    generate(data, args.offices, args.indicators)
    results: dict[str, list[dict[str, Any]]] = {}
    for run in range(args.runs):
        for scenario in args.scenarios.split(","):
            r = run_scenario(scenario, data, args.out / "work" / scenario)
            results.setdefault(scenario, []).append(r)
            print(f"  putaran {run + 1} {scenario}: {r['seconds']:.2f} s (CPU {r['cpu_s']:.1f} s), "
                  f"puncak {r['peak_mb']:.0f} MB")
    summary = {"offices": args.offices, "indicators": args.indicators, "runs": args.runs,
               "cpus": os.cpu_count(), "load_average": os.getloadavg(), "scenarios": {
                   name: {"median_s": statistics.median(r["seconds"] for r in rs),
                          "median_cpu_s": statistics.median(r["cpu_s"] for r in rs),
                          "runs_s": [r["seconds"] for r in rs], "peak_mb": max(r["peak_mb"] for r in rs),
                          "check": rs[-1]["check"]} for name, rs in results.items()}}
    (args.out / f"bench-rollup-{args.offices}-{args.indicators}.json").write_text(json.dumps(summary, indent=2))
    print(f"\nbeban mesin (load average 1/5/15 menit): {summary['load_average']}")
    print("| skenario | detik (median) | detik CPU | puncak memori (MB) |\n|---|---|---|---|")
    for name, s in summary["scenarios"].items():
        print(f"| {name} | {s['median_s']:.2f} | {s['median_cpu_s']:.1f} | {s['peak_mb']:.0f} |".replace(".", ","))
    return summary


if __name__ == "__main__":
    main()
