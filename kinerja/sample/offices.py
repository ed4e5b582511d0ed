"""Offices for the demo, the tests and the benchmarks: office data generated for any preset, and
one quarter run to approval through the real stages (forms, a unit typing into each form,
collect, validate, the Sekretaris' decisions, review).

The generated data are plausible and reproducible (a seed): units, indicators under a few
sasaran, a Pemda sasaran/IKU code on most of them (the same codes in every office, so a roll-up
across offices can group by them), targets per quarter, earlier quarters already reported, and
what each unit types for the current quarter.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from kinerja.workbook.master import OfficeData

# The Pemda's shared sasaran (RPJMD) with their codes; offices' own sasaran support them.
PEMDA_SASARAN: tuple[tuple[str, str], ...] = (
    ("SS-01", "Meningkatnya akuntabilitas kinerja perangkat daerah"),
    ("SS-02", "Meningkatnya kualitas pelayanan publik"),
    ("SS-03", "Meningkatnya ketenteraman dan ketertiban masyarakat"),
    ("SS-04", "Meningkatnya pemberdayaan masyarakat dan desa"),
    ("SS-05", "Meningkatnya pengelolaan keuangan dan aset daerah"),
)
UNIT_KINDS = ("Subbagian", "Seksi", "Bidang")
_NAMES = ("Umum dan Kepegawaian", "Perencanaan dan Keuangan", "Pemerintahan", "Pelayanan Umum",
          "Ketenteraman dan Ketertiban", "Pemberdayaan Masyarakat", "Kesejahteraan Sosial",
          "Perekonomian", "Anggaran", "Perbendaharaan", "Akuntansi", "Aset Daerah")
_THINGS = (("Persentase dokumen perencanaan yang tersusun tepat waktu", "%", "naik", "nilai_akhir"),
           ("Jumlah laporan kinerja yang disampaikan", "laporan", "naik", "kumulatif"),
           ("Rata-rata waktu penyelesaian layanan", "hari", "turun", "per_triwulan"),
           ("Jumlah kegiatan pembinaan yang dilaksanakan", "kegiatan", "naik", "per_triwulan"),
           ("Persentase pengaduan yang ditindaklanjuti", "%", "naik", "nilai_akhir"),
           ("Jumlah desa yang dibina", "desa", "naik", "kumulatif"),
           ("Persentase serapan anggaran", "%", "naik", "nilai_akhir"),
           ("Angka pelanggaran ketertiban umum", "kali", "turun", "per_triwulan"))


def nip(n: int) -> str:
    """A valid, made-up NIP (born on the 1st of a month in 1975-1989, appointed at 22 in
    January, sequence n)."""
    born_year, born_month = 1975 + (n // 12) % 15, 1 + n % 12
    return f"{born_year}{born_month:02d}01{born_year + 22}01{1 + n % 2}{1 + n % 999:03d}"


def generated_office(nama: str, *, pemerintah: str = "Pemerintah Kabupaten Sukamakmur", units: int = 4,
                     indicators: int = 24, tahun: int = 2026, triwulan: int = 3, seed: int = 0,
                     coded: float = 0.8, filled: bool = False) -> OfficeData:
    """An office's data (what `kinerja init --data` reads) with `indicators` spread over `units`;
    `coded` is the share of indicators carrying a Pemda sasaran code. Earlier quarters of the
    year are already reported (realisasi_lalu); `filled`: the current quarter too."""
    rnd = random.Random(f"{nama}/{seed}")
    short = nama.split()[-1]
    settings: dict[str, Any] = {
        "nama_instansi": nama, "pemerintah": pemerintah, "tempat": short,
        "alamat": f"Jalan Merdeka No. {rnd.randint(1, 99)}, {short}", "tahun": tahun,
        "jenis_periode": "triwulan", "nomor_periode": triwulan,
        "batas_waktu": datetime(tahun, 3 * triwulan + 1, 9, 16, 0).isoformat() if triwulan < 4
        else datetime(tahun + 1, 1, 9, 16, 0).isoformat(),
        "kode_unit": f"{rnd.randint(100, 999)}.{rnd.randint(1, 99):02d}", "yth": f"Bupati {pemerintah.split()[-1]}",
    }
    officials = [{"peran": "kepala", "jabatan": f"Kepala {nama}", "nama": f"KEPALA {short.upper()}",
                  "pangkat": "Pembina (IV/a)", "nip": nip(seed * 7 + 1)},
                 {"peran": "sekretaris", "jabatan": f"Sekretaris {nama}", "nama": f"SEKRETARIS {short.upper()}",
                  "pangkat": "Penata Tingkat I (III/d)", "nip": nip(seed * 7 + 2)},
                 {"peran": "perencana", "jabatan": "Kepala Subbagian Perencanaan", "nama": f"PERENCANA {short.upper()}",
                  "pangkat": "Penata (III/c)", "nip": nip(seed * 7 + 3)}]
    unit_rows = []
    for u in range(units):
        kind = UNIT_KINDS[u % len(UNIT_KINDS)]
        unit_rows.append({"kode": f"U{u + 1:02d}", "nama": f"{kind} {_NAMES[u % len(_NAMES)]}", "jenis": kind,
                          "kepala": f"KEPALA UNIT {u + 1}", "jabatan_kepala": f"Kepala {kind}",
                          "nip_kepala": nip(seed * 7 + 10 + u), "kontak": f"0812-0000-{u:04d}"})
    ind_rows, results = [], []
    for i in range(indicators):
        unit = unit_rows[i % units]["kode"]
        nama_ind, satuan, polaritas, metode = _THINGS[i % len(_THINGS)]
        code, sasaran = PEMDA_SASARAN[(i // 3) % len(PEMDA_SASARAN)]
        per_q = float(rnd.choice((2, 4, 5, 10, 12, 20, 25)))
        if metode == "nilai_akhir":
            tw = [per_q * q for q in (1, 2, 3, 4)]
            yearly = tw[3]
        else:
            tw = [per_q] * 4
            yearly = per_q * 4
        ind = {"kode": f"{unit}.{i // units + 1:02d}", "unit": unit, "sasaran": sasaran,
               "program": "Program Penunjang Urusan Pemerintahan Daerah", "kegiatan": f"Kegiatan {i + 1}",
               "nama": f"{nama_ind} ({i + 1})", "satuan": satuan, "polaritas": polaritas, "rumus_turun": None,
               "metode": metode, "target_tahunan": yearly, "tw1": tw[0], "tw2": tw[1], "tw3": tw[2], "tw4": tw[3],
               "pagu": float(rnd.randint(5, 50) * 1_000_000), "wajib_bukti": "tidak",
               "kode_sasaran": code if rnd.random() < coded else None}
        ind_rows.append(ind)
        last = triwulan + 1 if filled else triwulan
        earlier = {f"r{q}": _realisasi(rnd, tw[q - 1], polaritas) for q in range(1, last)}
        results.append({"kode": ind["kode"], **earlier,
                        "penjelasan": "Sesuai rencana kerja." if filled else None, "bukti": None,
                        "realisasi_anggaran": None})
    return OfficeData(settings=settings, officials=officials, units=unit_rows, indicators=ind_rows,
                      results=results)


def _realisasi(rnd: random.Random, target: float, polaritas: str) -> float:
    """A plausible realisasi around the target (a few far below, some above)."""
    share = rnd.choice((0.45, 0.7, 0.85, 0.95, 1.0, 1.0, 1.05, 1.2))
    if polaritas == "turun":
        share = 2 - share
    return round(target * share, 1)


def unit_values(m: Any, unit: str, seed: int = 0) -> dict[str, dict[str, Any]]:
    """What a unit types into its form for the master's period: realisasi of the period's last
    quarter, an explanation and evidence for every indicator, budget spent."""
    rnd = random.Random(f"{m.settings.office.nama}/{unit}/{seed}")
    q = m.settings.period.last_quarter
    out = {}
    for ind in m.indicators_of(unit):
        target = ind.target_for_quarter(q) or 1.0
        out[ind.kode] = {f"r{q}": _realisasi(rnd, target, ind.polaritas),
                         "penjelasan": "Sesuai rencana kerja; kendala dicatat pada laporan unit.",
                         "bukti": f"https://bukti.example.go.id/{ind.kode}",
                         "realisasi_anggaran": None if ind.pagu is None else round(ind.pagu * rnd.choice((0.2, 0.25, 0.3)))}
    return out


@dataclass
class QuarterRun:
    master: Path
    approval: Any  # review.Approval after the last review
    forms: list[Path]


def run_to_approval(master: Path, work: Path, *, start: datetime, seed: int = 0, late_units: int = 0) -> QuarterRun:
    """Run the master's current quarter through the real stages until the Sekretaris approves:
    forms, each unit typing into its form (`unit_values`), collect, validate, every unit
    accepted, review. `late_units` of the units return after the deadline."""
    from kinerja.sample.roles import decide, fill_form, set_mtime
    from kinerja.stages.collect import collect
    from kinerja.stages.forms import build_forms
    from kinerja.stages.review import review
    from kinerja.stages.validate import validate
    from kinerja.workbook.files import write_file
    from kinerja.workbook.master import load_master

    def run(fn, *args, **kw):
        outcome = fn(load_master(master), *args, **kw)
        write_file(master, outcome.writes)
        return outcome

    m = load_master(master).master
    assert m is not None
    perencana = m.settings.officials["perencana"].nama
    sekretaris = m.settings.officials["sekretaris"].nama
    forms = run(build_forms, work / "formulir", who=perencana, now=start)
    deadline = m.settings.batas_waktu or start + timedelta(days=3)
    inbox = work / "masuk"
    for n, (ident, form) in enumerate(zip(forms.identities, forms.files)):
        when = deadline + timedelta(days=2) if n < late_units else deadline - timedelta(days=1, hours=n)
        set_mtime(fill_form(form, inbox / f"{ident.unit.lower()}-isian.xlsx", unit_values(m, ident.unit, seed)), when)
    after = max(deadline + timedelta(days=3), start + timedelta(days=1)).replace(hour=9, minute=0)
    run(collect, inbox, now=after, who=perencana)
    v = run(validate, after + timedelta(hours=2))
    decide(master, {u: "Terima" for u in v.counts})
    r = run(review, work / "formulir", who=sekretaris, now=after + timedelta(hours=4))
    return QuarterRun(master, r.approval, list(forms.files))
