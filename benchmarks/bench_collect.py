"""Benchmark: collecting N returned forms, against the floor and the hand-written way.

    python benchmarks/bench_collect.py --units 1000 --indicators 50 --runs 3 --out bench-out

Generates an office of N units with K indicators each (the master by `kinerja.workbook.master.build_master`,
the forms by `kinerja.stages.forms.build_forms`, each form filled by its unit with openpyxl through
`kinerja.sample.roles.fill_form`, input cells only), then times on the same files, in a fresh process
per scenario and run:

  floor        python-calamine reads each return's form sheet into Python lists, nothing else
  handwritten  openpyxl loads each return, values appended to a list, a rekap workbook written
  handwritten_ro  the same with openpyxl's read-only mode
  collect      `kinerja collect` end to end: load the master, read, identify, check and parse
               every return, write the master (unit sheets, Penerimaan, Rekap, Ringkasan)
  validate     `kinerja validate` on the collected master: rules, Validasi sheet, highlights
  review       `kinerja review --paksa` on the validated master with a decision typed for every
               unit (every tenth returned, the others approved): Riwayat, Nilai Disetujui, locked
               sheets, the revision forms
  forms        `kinerja forms`: load the master, build the N forms, receipt, write the master
  report       `kinerja report --force`: the report (N x K indicators) and letter as .docx

Prints medians over the runs of each scenario's wall time and processor time (all threads and
helper processes; on a shared machine other load moves it less), its peak resident memory (VmHWM
of the process, plus that of its helper processes running at once, sampled) and the ratios the
targets are stated in, each from scenarios measured in the same run: collect / floor, collect's
read phase / floor, validate / collect, the master's load in review and report / in collect,
collect / handwritten.
Generated data is kept in OUT/data-N-K and reused by later runs with the same size.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SCENARIOS = ("floor", "handwritten", "handwritten_ro", "collect", "validate", "review", "forms", "report")
GENERATOR_VERSION = "1"
NOW_FORMS = datetime(2026, 10, 5, 9, 0)
NOW_COLLECT = datetime(2026, 10, 12, 9, 0)
DEADLINE = datetime(2026, 10, 9, 16, 0)

# ----------------------------------------------------------------------------------- the office

KECAMATAN = ["Sukamaju", "Cibeber", "Karangsari", "Mekarjaya", "Sindangrasa", "Tanjungsari",
             "Sukaresmi", "Margamulya", "Cikalong", "Pasirjambu", "Bojongsoang", "Rancabali",
             "Sumberjaya", "Wonosari", "Kedungwaru", "Ngemplak", "Gedangan", "Purwodadi",
             "Tegalrejo", "Banyuurip", "Sidomulyo", "Sukorejo", "Jatiroto", "Kalibaru"]
UNIT_KINDS = [  # code prefix, name, jenis, head's title
    ("SEK", "Subbagian Umum dan Kepegawaian", "Subbagian", "Kepala Subbagian Umum dan Kepegawaian"),
    ("PEM", "Seksi Pemerintahan", "Seksi", "Kepala Seksi Pemerintahan"),
    ("TRANTIB", "Seksi Ketenteraman dan Ketertiban Umum", "Seksi", "Kepala Seksi Trantibum"),
    ("PMD", "Seksi Pemberdayaan Masyarakat dan Desa", "Seksi", "Kepala Seksi PMD"),
    ("KESOS", "Seksi Kesejahteraan Sosial", "Seksi", "Kepala Seksi Kesejahteraan Sosial"),
    ("YANUM", "Seksi Pelayanan Umum", "Seksi", "Kepala Seksi Pelayanan Umum"),
    ("PKM", "UPT Puskesmas", "UPT", "Kepala UPT Puskesmas"),
    ("PERENC", "Subbagian Perencanaan dan Keuangan", "Subbagian", "Kepala Subbagian Perencanaan dan Keuangan"),
]
FIRST_NAMES = ["AGUS", "BUDI", "DEWI", "SITI", "RINA", "JOKO", "HENDRA", "NUR", "EKO", "SRI", "ANDI",
               "YULIA", "RUDI", "WATI", "DIAN", "FAJAR", "INDAH", "HERU", "LINDA", "BAMBANG"]
LAST_NAMES = ["SANTOSO", "RAHMAWATI", "PRASETYO", "KARTIKA", "SUSILO", "MARLINA", "HIDAYAT",
              "WIJAYA", "LESTARI", "SAPUTRA", "HANDAYANI", "NUGROHO", "PURNAMA", "SETIAWAN"]
DEGREES = ["S.Sos", "S.AP", "S.IP", "S.E.", "S.H.", "S.Kep", "M.Si", "S.ST"]

EXTRA_INDICATORS = [  # beyond the sample office's 39: (nama, satuan, polaritas, metode)
    ("Persentase balita yang ditimbang di posyandu", "%", "naik", "nilai_akhir"),
    ("Cakupan imunisasi dasar lengkap", "%", "naik", "nilai_akhir"),
    ("Jumlah kunjungan rumah oleh kader kesehatan", "kali", "naik", "kumulatif"),
    ("Angka kematian ibu per 100.000 kelahiran hidup", "indeks", "turun", "nilai_akhir"),
    ("Rata-rata waktu tunggu pelayanan rawat jalan", "menit", "turun", "per_triwulan"),
    ("Jumlah titik rawan banjir yang ditangani", "titik", "naik", "kumulatif"),
    ("Panjang saluran drainase yang dibersihkan", "km", "naik", "kumulatif"),
    ("Jumlah kelompok usaha masyarakat yang dibina", "kelompok", "naik", "kumulatif"),
    ("Persentase laporan keuangan yang disampaikan tepat waktu", "%", "naik", "nilai_akhir"),
    ("Jumlah paket pengadaan yang selesai tepat waktu", "paket", "naik", "kumulatif"),
    ("Jumlah pengaduan masyarakat yang belum ditindaklanjuti", "pengaduan", "turun", "nilai_akhir"),
]


def _nip(rng: random.Random) -> str:
    born = datetime(rng.randint(1968, 1994), rng.randint(1, 12), rng.randint(1, 28))
    year = min(born.year + rng.randint(23, 30), 2022)
    return f"{born:%Y%m%d}{year}{rng.randint(1, 12):02d}{rng.randint(1, 2)}{rng.randint(1, 30):03d}"


def _person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}, {rng.choice(DEGREES)}"


def _templates() -> list[dict[str, Any]]:
    """Indicator templates: the sample office's indicators, then a few more."""
    import csv

    from kinerja.sample.demo import sample_dir

    with (sample_dir() / "indikator.csv").open(encoding="utf-8", newline="") as f:
        rows = [dict(r) for r in csv.DictReader(f)]
    out = [{k: r[k] for k in ("sasaran", "program", "kegiatan", "nama", "satuan", "polaritas",
                             "rumus_turun", "metode")} for r in rows]
    for nama, satuan, polaritas, metode in EXTRA_INDICATORS:
        out.append({"sasaran": "Meningkatnya kualitas pelayanan dasar masyarakat",
                    "program": "Program Pemenuhan Upaya Kesehatan Perorangan dan Masyarakat",
                    "kegiatan": "Penyediaan Layanan Kesehatan untuk UKM dan UKP", "nama": nama,
                    "satuan": satuan, "polaritas": polaritas, "rumus_turun": "", "metode": metode})
    return out


def _targets(rng: random.Random, satuan: str, metode: str) -> tuple[float, list[float]]:
    """(yearly target, TW I-IV targets) consistent with the method (the master checks the sum)."""
    if metode == "nilai_akhir":
        final = float(rng.choice([80, 85, 90, 95, 100] if satuan == "%" else [2, 6, 12, 30, 120]))
        return final, [round(final * f, 1) for f in (0.4, 0.6, 0.8)] + [final]
    quarter = 25.0 if satuan == "%" else float(rng.choice([1, 3, 6, 15, 30, 60, 300]))
    return quarter * 4, [quarter] * 4


def office_data(units: int, per_unit: int, seed: int = 2026) -> tuple[Any, dict[str, dict[str, dict[str, Any]]]]:
    """An OfficeData of `units` units with `per_unit` indicators each (TW I-II reported), and
    what each unit types for TW III: unit -> indicator -> key -> value."""
    from kinerja.sample.demo import sample_dir
    from kinerja.workbook.master import read_office_data

    rng = random.Random(seed)
    sample = read_office_data(sample_dir())
    settings = {**sample.settings, "nama_instansi": "Kabupaten Sukamakmur",
                "pemerintah": "Pemerintah Kabupaten Sukamakmur", "batas_waktu": DEADLINE.isoformat()}
    templates = _templates()
    unit_rows, indicators, results = [], [], []
    entries: dict[str, dict[str, dict[str, Any]]] = {}
    for n in range(units):
        prefix, nama, jenis, jabatan = UNIT_KINDS[n % len(UNIT_KINDS)]
        kec = KECAMATAN[(n // len(UNIT_KINDS)) % len(KECAMATAN)]
        code = f"{prefix}{n + 1:04d}"
        unit_rows.append({"kode": code, "nama": f"{nama} Kecamatan {kec}", "jenis": jenis,
                          "kepala": _person(rng), "jabatan_kepala": jabatan, "nip_kepala": _nip(rng),
                          "kontak": f"0812-{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}"})
        typed: dict[str, dict[str, Any]] = {}
        start = rng.randrange(len(templates))
        for k in range(per_unit):
            t = templates[(start + k) % len(templates)]
            kode = f"{code}.{k + 1:02d}"
            final, tws = _targets(rng, t["satuan"], t["metode"])
            pagu = float(rng.randint(5, 250) * 1_000_000)
            indicators.append({"kode": kode, "unit": code, **t, "nama": t["nama"] + f" di Kecamatan {kec}",
                               "rumus_turun": t["rumus_turun"] or None, "target_tahunan": final,
                               "tw1": tws[0], "tw2": tws[1], "tw3": tws[2], "tw4": tws[3], "pagu": pagu,
                               "wajib_bukti": rng.choice(["ya", "tidak"])})
            lower = t["polaritas"] == "turun"
            real = [round(tws[q] * rng.uniform(0.85, 1.15) * (1 if not lower else 0.95), 1) for q in range(3)]
            results.append({"kode": kode, "r1": real[0], "r2": real[1], "penjelasan": None, "bukti": None,
                            "realisasi_anggaran": round(pagu * rng.uniform(0.15, 0.25))})
            value: Any = real[2] if rng.random() > 0.15 else round(tws[2] * rng.uniform(0.5, 0.85), 1)
            roll = rng.random()
            if roll < 0.02:
                value = None  # left empty
            elif roll < 0.05:  # typed the Indonesian way
                value = f"{value:,.1f}".replace(",", "#").replace(".", ",").replace("#", ".")
            elif roll < 0.06:
                value = f"{value:g} {t['satuan']}"
            cell: dict[str, Any] = {"r3": value, "bukti": f"https://drive.sukamakmurkab.go.id/kinerja/2026/tw3/{kode.lower()}.pdf",
                                    "realisasi_anggaran": float(round(pagu * rng.uniform(0.15, 0.3)))}
            if isinstance(value, float) and not lower and value < tws[2]:
                cell["penjelasan"] = "Sebagian kegiatan tertunda karena penyesuaian jadwal; dikejar pada triwulan IV."
            typed[kode] = cell
        entries[code] = typed
    from kinerja.workbook.master import OfficeData

    return OfficeData(settings=settings, officials=sample.officials, units=unit_rows,
                      indicators=indicators, results=results, holidays=sample.holidays), entries


def _fill(job: tuple[str, str, dict[str, dict[str, Any]], float]) -> str:
    from kinerja.sample.roles import fill_form

    src, dst, values, when = job
    fill_form(Path(src), Path(dst), values)
    os.utime(dst, (when, when))
    return dst


def generate(data: Path, units: int, per_unit: int, log=print) -> dict[str, Path]:
    """The master, the blank forms and the filled returns in `data` (reused when complete)."""
    from multiprocessing import get_context

    from kinerja.stages.forms import build_forms
    from kinerja.workbook.files import write_file
    from kinerja.workbook.master import build_master, load_master

    paths = {"master": data / "induk.xlsx", "forms": data / "formulir", "inbox": data / "masuk"}
    marker = data / "generated.json"
    params = {"units": units, "indicators": per_unit, "version": GENERATOR_VERSION}
    if marker.exists() and json.loads(marker.read_text()) == params:
        return paths
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir(parents=True)
    t0 = time.perf_counter()
    od, entries = office_data(units, per_unit)
    build_master(paths["master"], "candipuro", od)
    loaded = load_master(paths["master"])
    assert loaded.master is not None, loaded.report.to_json()
    forms = build_forms(loaded, paths["forms"], now=NOW_FORMS, who="AGUS PRASETYO, S.E.")
    assert len(forms.files) == units, forms.report.to_json()
    write_file(paths["master"], forms.writes, backup=False)
    log(f"  master and {units} forms built in {time.perf_counter() - t0:.0f} s; filling the forms ...")
    returned = DEADLINE - timedelta(days=2)
    jobs = [(str(p), str(paths["inbox"] / f"{i.unit.lower()}-tw3-isian.xlsx"), entries[i.unit],
             (returned + timedelta(minutes=5 * n)).timestamp())
            for n, (i, p) in enumerate(zip(forms.identities, forms.files))]
    paths["inbox"].mkdir()
    if len(jobs) < 50:
        for job in jobs:
            _fill(job)
    else:  # two processes type into the forms (openpyxl); they import this module by name
        here = str(Path(__file__).resolve().parent)
        if here not in sys.path:
            sys.path.insert(0, here)
        with get_context("spawn").Pool(min(2, os.cpu_count() or 1)) as pool:
            for _ in pool.imap_unordered(_fill, jobs, chunksize=8):
                pass
    marker.write_text(json.dumps(params))
    log(f"  generated in {time.perf_counter() - t0:.0f} s: {data}")
    return paths


# ----------------------------------------------------------------------------------- scenarios


def _returns(inbox: Path) -> list[Path]:
    return sorted(p for p in inbox.iterdir() if p.suffix == ".xlsx")


def run_floor(data: Path, work: Path) -> dict[str, Any]:
    from python_calamine import CalamineWorkbook

    from kinerja.workbook.formspec import FORM_SHEET

    t0 = time.perf_counter()
    cells = 0
    for p in _returns(data / "masuk"):
        rows = CalamineWorkbook.from_path(str(p)).get_sheet_by_name(FORM_SHEET).to_python()
        cells += sum(len(r) for r in rows)
    return {"seconds": time.perf_counter() - t0, "check": {"cells": cells}}


def run_handwritten(data: Path, work: Path, read_only: bool = False) -> dict[str, Any]:
    """What a planner's own script does: open each return with openpyxl, take the rows under
    the header, append them to one list, write the rekap workbook."""
    from openpyxl import Workbook, load_workbook

    from kinerja.workbook.formspec import COLUMNS, FORM_SHEET, HEADER_ROW

    t0 = time.perf_counter()
    rows = []
    for p in _returns(data / "masuk"):
        wb = load_workbook(p, data_only=True, read_only=read_only)
        ws = wb[FORM_SHEET]
        unit = next(ws.iter_rows(min_row=6, max_row=6, min_col=3, max_col=3, values_only=True))[0]
        for row in ws.iter_rows(min_row=HEADER_ROW + 1, values_only=True):
            if row[1]:
                rows.append([p.name, unit, *row])
        wb.close()
    read = time.perf_counter() - t0
    out = Workbook()
    ws = out.active
    ws.title = "Rekap"
    ws.append(["File", "Unit", *(h for _, h in COLUMNS)])
    for r in rows:
        ws.append(r)
    out.save(work / "rekap.xlsx")
    return {"seconds": time.perf_counter() - t0, "phases": {"read": read}, "check": {"rows": len(rows)}}


def _copy_master(src: Path, work: Path) -> Path:
    dst = work / "induk.xlsx"
    shutil.copy2(src, dst)
    return dst


def run_collect(data: Path, work: Path) -> dict[str, Any]:
    from kinerja.stages.collect import collect
    from kinerja.workbook.files import write_file
    from kinerja.workbook.master import load_master

    master = _copy_master(data / "induk.xlsx", work)
    phases: dict[str, float] = {}
    t0 = time.perf_counter()
    loaded = load_master(master)
    phases["load"] = time.perf_counter() - t0
    outcome = collect(loaded, data / "masuk", now=NOW_COLLECT, who="AGUS PRASETYO, S.E.", timings=phases)
    t1 = time.perf_counter()
    write_file(master, outcome.writes)
    phases["write"] = time.perf_counter() - t1
    used = sum(1 for f in outcome.files if f.status == "Dipakai")
    return {"seconds": time.perf_counter() - t0, "phases": phases,
            "check": {"used": used, "landed": len(outcome.landed), "issues": outcome.report.counts()},
            "master": str(master)}


def run_validate(data: Path, work: Path) -> dict[str, Any]:
    from kinerja.stages.validate import validate
    from kinerja.workbook.files import write_file
    from kinerja.workbook.master import load_master

    master = _copy_master(data / "induk-terhimpun.xlsx", work)
    t0 = time.perf_counter()
    loaded = load_master(master)
    t1 = time.perf_counter()
    outcome = validate(loaded, NOW_COLLECT + timedelta(hours=2))
    t2 = time.perf_counter()
    write_file(master, outcome.writes)
    marks = sum(len(s.marks) for s in outcome.writes.sheets)
    return {"seconds": time.perf_counter() - t0,
            "phases": {"load": t1 - t0, "validate": t2 - t1, "write": time.perf_counter() - t2},
            "check": {"issues": outcome.report.counts(), "marks": marks}}


def run_review(data: Path, work: Path) -> dict[str, Any]:
    from kinerja.stages.review import review
    from kinerja.workbook.files import write_file
    from kinerja.workbook.master import load_master

    master = _copy_master(data / "induk-tervalidasi.xlsx", work)
    t0 = time.perf_counter()
    loaded = load_master(master)
    t1 = time.perf_counter()
    outcome = review(loaded, work / "revisi", who="Sekretaris", now=NOW_COLLECT + timedelta(days=1), force=True)
    t2 = time.perf_counter()
    write_file(master, outcome.writes)
    return {"seconds": time.perf_counter() - t0,
            "phases": {"load": t1 - t0, "review": t2 - t1, "write": time.perf_counter() - t2},
            "check": {"approved": len(outcome.approved), "returned": len(outcome.returned),
                      "forms": len(outcome.forms)}}


def prepare_review(data: Path) -> None:
    """The collected master validated, with the Sekretaris' decision typed for every unit."""
    from kinerja.stages.validate import DECISIONS, validate
    from kinerja.workbook import sheets as S
    from kinerja.workbook.description import WorkbookWrites
    from kinerja.workbook.files import write_file
    from kinerja.workbook.master import load_master

    target = data / "induk-tervalidasi.xlsx"
    tmp = data / "induk-tervalidasi.tmp.xlsx"
    shutil.copy2(data / "induk-terhimpun.xlsx", tmp)
    outcome = validate(load_master(tmp), NOW_COLLECT + timedelta(hours=2))
    write_file(tmp, outcome.writes, backup=False)
    w = WorkbookWrites()
    sw = w.sheet(S.VALIDASI.sheet)
    for n, (_unit, dec) in enumerate(sorted(outcome.decisions.items())):
        sw.cells[dec.cell] = DECISIONS["kembalikan" if n % 10 == 0 else "terima"]
    write_file(tmp, w, backup=False)
    os.replace(tmp, target)


def run_forms(data: Path, work: Path) -> dict[str, Any]:
    from kinerja.stages.forms import build_forms
    from kinerja.workbook.files import write_file
    from kinerja.workbook.master import load_master

    master = _copy_master(data / "induk.xlsx", work)
    t0 = time.perf_counter()
    loaded = load_master(master)
    t1 = time.perf_counter()
    outcome = build_forms(loaded, work / "formulir", now=NOW_FORMS, force=True, who="AGUS PRASETYO, S.E.")
    t2 = time.perf_counter()
    write_file(master, outcome.writes)
    return {"seconds": time.perf_counter() - t0,
            "phases": {"load": t1 - t0, "build": t2 - t1, "write": time.perf_counter() - t2},
            "check": {"forms": len(outcome.files)}}


def run_report(data: Path, work: Path) -> dict[str, Any]:
    from kinerja.stages.documents import render_report
    from kinerja.workbook.files import write_file
    from kinerja.workbook.master import load_master

    master = _copy_master(data / "induk-terhimpun.xlsx", work)
    t0 = time.perf_counter()
    loaded = load_master(master)
    t1 = time.perf_counter()
    outcome = render_report(loaded, work / "laporan", force=True, pdf=False, who="AGUS PRASETYO, S.E.",
                            now=NOW_COLLECT + timedelta(days=3))
    t2 = time.perf_counter()
    write_file(master, outcome.writes)
    return {"seconds": time.perf_counter() - t0,
            "phases": {"load": t1 - t0, "render": t2 - t1, "write": time.perf_counter() - t2},
            "check": {"files": [p.name for p in outcome.files],
                      "bytes": sum(p.stat().st_size for p in outcome.files)}}


def run_handwritten_ro(data: Path, work: Path) -> dict[str, Any]:
    """The same script with openpyxl's read-only mode (faster; what a careful hand would use)."""
    return run_handwritten(data, work, read_only=True)


RUNNERS = {"floor": run_floor, "handwritten": run_handwritten, "handwritten_ro": run_handwritten_ro,
           "collect": run_collect,
           "validate": run_validate, "review": run_review, "forms": run_forms, "report": run_report}


def _hwm_mb(pid: int | str = "self") -> float | None:
    """A process's own peak resident memory (VmHWM), in MB; None when it is gone or unknown."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return None


class ChildPeak(threading.Thread):
    """The largest sum of the own peaks (VmHWM) of this process's descendants running at once,
    sampled every 20 ms. getrusage's figure for children does not do for a helper process: Linux
    gives a child, at its exec, the high-water mark of the process it was started from (spawned or
    forked alike), so a 90 MB helper started by a 220 MB process reads as 220 MB."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak_mb = 0.0
        self._stop_event = threading.Event()

    def descendants(self, pid: int | str = "self") -> list[int]:
        found = []
        try:
            for task in Path(f"/proc/{pid}/task").iterdir():
                for child in (task / "children").read_text().split():
                    found += [int(child), *self.descendants(int(child))]
        except OSError:
            pass
        return found

    def run(self) -> None:
        while not self._stop_event.wait(0.02):
            mbs = [mb for pid in self.descendants() if (mb := _hwm_mb(pid)) is not None]
            self.peak_mb = max(self.peak_mb, sum(mbs))

    def stop(self) -> float:
        self._stop_event.set()
        self.join()
        return self.peak_mb


def _peak_mb(children: ChildPeak) -> float:
    """Peak resident memory of this process (VmHWM) plus that of its children running at once (their
    own peaks, sampled), in MB. Without /proc: the process's and its largest finished child's
    getrusage figures."""
    own = _hwm_mb()
    kids = children.stop()
    if own is None:
        return (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
                + resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    return own + kids


def _child(scenario: str, data: Path, work: Path) -> None:
    work.mkdir(parents=True, exist_ok=True)
    children = ChildPeak()
    children.start()
    cpu, kids = time.process_time(), resource.getrusage(resource.RUSAGE_CHILDREN)
    result = RUNNERS[scenario](data, work)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    # every thread of the process (less moved by other load than wall time), and its helper processes
    result["cpu_seconds"] = (time.process_time() - cpu + after.ru_utime + after.ru_stime
                             - kids.ru_utime - kids.ru_stime)
    result["peak_mb"] = _peak_mb(children)
    result["children_rusage_mb"] = after.ru_maxrss / 1024  # getrusage's figure, for comparison
    print("RESULT " + json.dumps(result, default=str))


def run_scenario(scenario: str, data: Path, work: Path) -> dict[str, Any]:
    """One scenario in a fresh interpreter (so memory and imports are its own)."""
    shutil.rmtree(work, ignore_errors=True)
    proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child", scenario,
                           "--data", str(data), "--work", str(work)],
                          capture_output=True, text=True, cwd=ROOT)
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")), None)
    if proc.returncode != 0 or line is None:
        raise RuntimeError(f"scenario {scenario} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}")
    return json.loads(line[len("RESULT "):])


# ----------------------------------------------------------------------------------- main


def machine() -> dict[str, Any]:
    import platform
    from importlib.metadata import version

    cpu = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                if ln.startswith("model name")), platform.processor())
    mem = next((int(ln.split()[1]) for ln in Path("/proc/meminfo").read_text().splitlines()
                if ln.startswith("MemTotal:")), 0)
    return {"nproc": os.cpu_count(), "cpu": cpu, "ram_gb": round(mem / 1024 / 1024, 1),
            "python": platform.python_version(), "openpyxl": version("openpyxl"),
            "python-calamine": version("python-calamine"), "load_after": os.getloadavg()[0]}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--units", type=int, default=1000)
    ap.add_argument("--indicators", type=int, default=50)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "kinerja-bench",
                    help="folder for the generated office and the results (kept for later runs)")
    ap.add_argument("--scenarios", default=",".join(SCENARIOS),
                    help="comma-separated subset of: " + ", ".join(SCENARIOS))
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.child:
        _child(a.child, a.data, a.work)
        return {}
    wanted = [s.strip() for s in a.scenarios.split(",") if s.strip()]
    unknown = set(wanted) - set(SCENARIOS)
    if unknown:
        ap.error(f"unknown scenario(s): {', '.join(sorted(unknown))}")
    out = a.out.resolve()
    data = out / f"data-{a.units}x{a.indicators}"
    print(f"Generating {a.units} units x {a.indicators} indicators in {data} ...", flush=True)
    generate(data, a.units, a.indicators)
    if {"validate", "review", "report"} & set(wanted) and not (data / "induk-terhimpun.xlsx").exists():
        first = run_scenario("collect", data, out / "work" / "collect-prep")
        shutil.copy2(first["master"], data / "induk-terhimpun.xlsx")
    if "review" in wanted and not (data / "induk-tervalidasi.xlsx").exists():
        prepare_review(data)
    load_before = os.getloadavg()[0]
    if load_before > 0.5:
        print(f"  note: load average {load_before:.2f}; the machine is busy, timings will be noisy", flush=True)
    results: dict[str, list[dict[str, Any]]] = {s: [] for s in wanted}
    for n in range(a.runs):  # interleaved, so drift in machine load hits every scenario alike
        for s in wanted:
            r = run_scenario(s, data, out / "work" / f"{s}-{n}")
            results[s].append(r)
            print(f"  run {n + 1}/{a.runs} {s:<15} {r['seconds']:8.2f} s  peak {r['peak_mb']:7.0f} MB",
                  flush=True)
    summary = summarise(results, a.units, a.indicators)
    summary["machine"] = {**machine(), "load_before": load_before}
    summary["command"] = "python benchmarks/bench_collect.py " + " ".join(argv if argv is not None else sys.argv[1:])
    (out / f"results-{a.units}x{a.indicators}.json").write_text(json.dumps(summary, indent=2, default=str))
    print(table(summary))
    print(markdown(summary))
    return summary


def summarise(results: dict[str, list[dict[str, Any]]], units: int, per_unit: int) -> dict[str, Any]:
    out: dict[str, Any] = {"units": units, "indicators": per_unit, "scenarios": {}}
    for s, runs in results.items():
        if not runs:
            continue
        phases = {k: statistics.median(r["phases"][k] for r in runs) for k in runs[0].get("phases", {})}
        out["scenarios"][s] = {"median_s": statistics.median(r["seconds"] for r in runs),
                               "median_cpu_s": statistics.median(r.get("cpu_seconds", 0.0) for r in runs),
                               "runs_s": [r["seconds"] for r in runs], "phases_s": phases,
                               "peak_mb": max(r["peak_mb"] for r in runs), "check": runs[-1]["check"]}
    ratios: dict[str, float] = {}  # the median of each run's ratio (the runs are interleaved)
    collect = results.get("collect") or []
    if collect and results.get("floor"):
        ratios["collect_read_vs_floor"] = statistics.median(
            sum(c["phases"].get(k, 0.0) for k in READ_PHASES) / f["seconds"]
            for c, f in zip(collect, results["floor"]))
    for name, base, what in TARGET_RATIOS:
        if results.get(name) and results.get(base):
            key = f"{name}_vs_{base}" if what == "seconds" else f"{name}_{what}_vs_{base}_{what}"

            def get(r: dict[str, Any], what: str = what) -> float:
                return r["seconds"] if what == "seconds" else r["phases"][what]
            ratios[key] = statistics.median(get(a) / get(b) for a, b in zip(results[name], results[base]))
            if what == "seconds":  # the same in processor time, which other load on the machine moves less
                ratios[key + "_cpu"] = statistics.median(a["cpu_seconds"] / b["cpu_seconds"]
                                                         for a, b in zip(results[name], results[base]))
    for base in ("handwritten", "handwritten_ro"):
        if collect and results.get(base):
            ratios[f"collect_vs_{base}"] = statistics.median(
                c["seconds"] / b["seconds"] for c, b in zip(collect, results[base]))
    out["ratios"] = ratios
    return out


RATIO_NAMES = {  # the README's words for each ratio
    "collect_vs_floor": "collect utuh / batas bawah (a)",
    "collect_vs_floor_cpu": "collect utuh / batas bawah (a), waktu CPU",
    "validate_vs_collect_cpu": "validate utuh / collect utuh, waktu CPU",
    "collect_read_vs_floor": "fase baca-kenali-periksa collect / batas bawah (a)",
    "validate_vs_collect": "validate utuh / collect utuh",
    "review_load_vs_collect_load": "memuat induk: review / collect",
    "report_load_vs_collect_load": "memuat induk: report / collect",
    "collect_vs_handwritten": "collect utuh / cara tulis tangan (b)",
    "collect_vs_handwritten_ro": "collect utuh / cara tulis tangan read-only (b')",
}


def _id(x: float, places: int = 2) -> str:
    """Indonesian decimals for the README: 1.234,56."""
    return f"{x:,.{places}f}".replace(",", "#").replace(".", ",").replace("#", ".")


def markdown(summary: dict[str, Any]) -> str:
    """The results as the README's Markdown table, then the ratios of this run and the load."""
    names = {"floor": "(a) batas bawah: python-calamine membaca sheet formulir",
             "handwritten": "(b) cara tulis tangan: openpyxl",
             "handwritten_ro": "(b') cara tulis tangan: openpyxl read-only",
             "collect": "(c) `kinerja collect` utuh", "validate": "`kinerja validate` utuh",
             "review": "`kinerja review --paksa` utuh", "forms": "`kinerja forms` (formulir + tanda terima)",
             "report": f"`kinerja report --force` ({_id(summary['units'] * summary['indicators'], 0)} baris, .docx)"}
    lines = [f"| skenario ({_id(summary['units'], 0)} formulir × {summary['indicators']} indikator) "
             "| detik | detik CPU | puncak memori (MB) | rincian (detik) |", "|---|---:|---:|---:|---|"]
    for s, v in summary["scenarios"].items():
        ph = ", ".join(f"{k} {_id(t)}" for k, t in v["phases_s"].items())
        lines.append(f"| {names.get(s, s)} | {_id(v['median_s'])} | {_id(v.get('median_cpu_s', 0.0))} "
                     f"| {_id(v['peak_mb'], 0)} | {ph} |")
    lines.append("")
    lines += [f"- {RATIO_NAMES.get(k, k)}: {_id(v)} ×" for k, v in summary["ratios"].items()]
    m = summary.get("machine") or {}
    if m:
        lines.append(f"- beban mesin (load average 1 menit): {_id(m.get('load_before', 0))} sebelum, "
                     f"{_id(m.get('load_after', 0))} sesudah; {m.get('nproc')} inti, Python {m.get('python')}")
    return "\n".join(lines)


READ_PHASES = ("read", "identify", "values")  # collect's reading phase, compared with the floor


# (scenario, baseline, what is compared): the targets' ratios, each from one run's scenarios
TARGET_RATIOS = (("collect", "floor", "seconds"), ("validate", "collect", "seconds"),
                 ("review", "collect", "load"), ("report", "collect", "load"))


def table(summary: dict[str, Any]) -> str:
    lines = [f"\n{summary['units']} returns x {summary['indicators']} indicators "
             f"(median of {len(next(iter(summary['scenarios'].values()))['runs_s'])} runs)",
             f"{'scenario':<15} {'median s':>9} {'cpu s':>8} {'peak MB':>8}  phases (median s)"]
    for s, v in summary["scenarios"].items():
        ph = ", ".join(f"{k} {t:.2f}" for k, t in v["phases_s"].items())
        lines.append(f"{s:<15} {v['median_s']:9.2f} {v.get('median_cpu_s', 0.0):8.2f} {v['peak_mb']:8.0f}  {ph}")
    for k, v in summary["ratios"].items():
        lines.append(f"{k}: {v:.2f}")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
