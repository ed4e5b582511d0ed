"""The Pemda's roll-up: one workbook from every office's master (`kinerja rollup`).

Above the offices sits the kabupaten (Bagian Organisasi, Bappeda): it gathers every OPD's and
Kecamatan's approved quarter for the Pemda's own report. `rollup(out, sources)` reads masters
(.xlsx/.xlsm), folders of them and archives made by `kinerja archive` (through their
manifest.json), and writes a plain .xlsx for the roll-up user.

Sources are known by their content, never their file name: the office (Nama Instansi), the Pemda
(Pemerintah Daerah), the period, and the master's identity (the fingerprint of its data, the
one the Sekretaris' approval carries). Each master is read with python-calamine, only the sheets
the figures need (settings, units, indicators, unit data, Riwayat, Penerimaan, Distribusi,
Waktu SOP); Rekap, Validasi, the catalogue and the logs are not read.

Every figure comes from the core, per office, with that office's own rules: `rekap.consolidate`
(capaian per indicator, `capaian.achievement`), `rekap.summarise` (counts, mean capaian),
`review.approval_status` (approved, by whom, when; data changed after approval),
`deadlines.unit_return_timing` (units late) and `timing.recompute` (SOP steps over mutu baku). The
Pemda's predicate scale (the roll-up workbook's Skala Predikat sheet) may differ from an
office's: predicates are recomputed with the office's capaian rules and the Pemda's scale, and
the office's own predicate is shown beside it where they differ.

Flags (catalogue issues, each naming the file): a master of another period or Pemda, the same
office twice (the newest approved wins, the other is listed), an unapproved (DRAF) rekap, data
changed after approval, an expected office missing (the roll-up workbook keeps the list of
expected offices; a first run proposes it from the sources), a file that is not a master, an
archived master that no longer matches its manifest.

The roll-up workbook: sheets the tool fills (Ringkasan Instansi, Grafik, Sasaran Pemda,
Indikator, Temuan, Sumber) and sheets the roll-up user keeps (Instansi Diharapkan, Pengaturan,
Skala Predikat). A first run builds it new (openpyxl: styles, native charts, print settings);
later runs patch only the rows of the filled sheets (the package writer), so the expected list,
the settings and anything else typed or added stay as they are.
"""

from __future__ import annotations

import json
import os
import zipfile
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from kinerja.domain.capaian import Achievement
from kinerja.domain.models import (
    DEFAULT_SCALE,
    METHOD_LABELS,
    POLARITY_LABELS,
    ROMAN,
    Master,
    Period,
    PredicateBand,
    Rules,
)
from kinerja.issues.catalogue import Report, issue_row
from kinerja.issues.explain import explain
from kinerja.stages.archive import KIND_MASTER, MANIFEST
from kinerja.stages.rekap import RekapRow, Summary, consolidate, summarise
from kinerja.workbook import sheets as S
from kinerja.workbook.digest import sha256_file
from kinerja.workbook.master import MASTER_SUFFIXES, Loaded, load_master, read_sheets, scale_from_rows
from kinerja.workbook.tables import Column, Table, norm, read_table

C = Column
# Sheets of a master the roll-up never needs (what is left is settings, units, indicators, unit
# data and the stage logs the approval and timing figures come from).
SKIPPED_SHEETS = frozenset({S.PETUNJUK_SHEET, S.REKAP.sheet, S.RINGKASAN.sheet, S.VALIDASI.sheet,
                            S.TEMUAN_VALIDASI.sheet, S.TEMUAN_HIMPUN.sheet, S.KATALOG.sheet,
                            S.REGISTER_SURAT.sheet, S.LOG_LAPORAN.sheet, S.RENSTRA.sheet})
NOT_COMPUTED = "Belum Dihitung"

DISETUJUI, DRAF, BERUBAH_LABEL, TIDAK_ADA = "Disetujui", "DRAF", "Berubah setelah disetujui", "Tidak ada"

# ----------------------------------------------------------------------------------- the workbook's sheets

SUMMARY_SHEET = "Ringkasan Instansi"
CHART_SHEET = "Grafik"
SETTINGS_SHEET = "Pengaturan"
SKALA_SHEET = S.SKALA.sheet
SUMMARY_HEADER_ROW = 6  # rows 3-4 carry the Pemda, period and counts

EXPECTED = Table("Instansi Diharapkan", "Daftar Instansi yang Diharapkan", (
    C("nama", "Nama Instansi", required=True, width=44),
    C("singkatan", "Singkatan (untuk grafik)", width=20),
    C("keterangan", "Keterangan", width=50),
), hint="Satu baris per perangkat daerah yang wajib menyerahkan data. Nama persis seperti 'Nama Instansi' "
        "di workbook induknya. Dibuat dari sumber pada rekap pertama; ubah sesuai kebutuhan.")

SASARAN = Table("Sasaran Pemda", "Capaian per Sasaran/IKU Pemda", (
    C("kode", "Kode Sasaran/IKU", width=16, input=False),
    C("sasaran", "Sasaran", width=50, input=False),
    C("jumlah_instansi", "Jumlah Instansi", "int", width=10, input=False),
    C("instansi", "Instansi", width=50, input=False),
    C("jumlah", "Jumlah Indikator", "int", width=10, input=False),
    C("terisi", "Terisi", "int", width=8, input=False),
    C("rata_rata", "Rata-rata Capaian (%)", "number", number_format=S.PCT, width=12, input=False),
    C("predikat", "Predikat (Skala Pemda)", width=16, input=False),
    C("di_bawah_target", "Di Bawah Target", "int", width=10, input=False),
), hint="Indikator dikelompokkan menurut Kode Sasaran/IKU Pemda (kolom di sheet Indikator workbook induk); "
        "indikator tanpa kode dikelompokkan menurut teks sasarannya.")

INDICATORS = Table("Indikator", "Seluruh Indikator Kinerja Perangkat Daerah", (
    C("no", "No", "int", width=6, input=False),
    C("instansi", "Instansi", width=28, input=False),
    C("kode_sasaran", "Kode Sasaran/IKU", width=12, input=False),
    C("sasaran", "Sasaran Strategis", width=36, input=False),
    C("unit", "Unit", width=28, input=False),
    C("kode", "Kode", width=10, input=False),
    C("indikator", "Indikator Kinerja", width=44, input=False),
    C("satuan", "Satuan", width=10, input=False),
    C("polaritas", "Polaritas", width=9, input=False),
    C("metode", "Metode", width=12, input=False),
    C("target", "Target", "number", number_format=S.NUM, input=False),
    C("realisasi", "Realisasi", "number", number_format=S.NUM, input=False),
    C("capaian", "Capaian (%)", "number", number_format=S.PCT, input=False),
    C("predikat", "Predikat (Skala Pemda)", width=14, input=False),
    C("predikat_instansi", "Predikat Instansi (bila berbeda)", width=16, input=False),
    C("penjelasan", "Penjelasan", width=40, input=False),
    C("status", "Status Persetujuan", width=14, input=False),
))

FINDINGS = Table("Temuan", "Temuan Rekap Pemda", S.TEMUAN_HIMPUN.columns,
                 hint="Ditulis ulang setiap kali rekap dijalankan: sumber yang tidak dipakai, instansi yang tidak ada, "
                      "rekap DRAF dan data yang berubah setelah disetujui.")

SOURCES = Table("Sumber", "Sumber Data (Workbook Induk)", (
    C("file", "File", width=50, input=False),
    C("jenis", "Jenis", width=14, input=False),
    C("instansi", "Instansi", width=30, input=False),
    C("pemerintah", "Pemerintah Daerah", width=30, input=False),
    C("periode", "Periode", width=22, input=False),
    C("sidik", "Sidik Data", width=14, input=False),
    C("status", "Status Persetujuan", width=16, input=False),
    C("oleh", "Disetujui Oleh", width=24, input=False),
    C("waktu", "Waktu Persetujuan", "datetime", number_format=S.DT, width=17, input=False),
    C("dipakai", "Dipakai", width=40, input=False),
), hint="Setiap file dikenali dari isinya (instansi, Pemda, periode, sidik data), bukan dari namanya.")

SETTINGS_LABELS = {"pemerintah": "Pemerintah Daerah", "periode": "Periode", "judul": "Judul"}
DEFAULT_TITLE = "Rekapitulasi Capaian Kinerja Perangkat Daerah"


def summary_table(scale: list[PredicateBand]) -> Table:
    """The per-office summary; one count column per band of the Pemda's scale."""
    bands = tuple(C(f"band_{i}", b.predikat, "int", width=9, input=False) for i, b in enumerate(_bands(scale)))
    return Table(SUMMARY_SHEET, DEFAULT_TITLE, (
        C("no", "No", "int", width=5, input=False),
        C("instansi", "Instansi", width=30, input=False),
        C("periode", "Periode", width=12, input=False),
        C("status", "Status Persetujuan", width=13, input=False),
        C("oleh", "Disetujui Oleh", width=22, input=False),
        C("waktu", "Waktu Persetujuan", "datetime", number_format=S.DT, width=16, input=False),
        C("jumlah", "Jumlah Indikator", "int", width=10, input=False),
        C("terisi", "Terisi", "int", width=8, input=False),
        C("rata_rata", "Rata-rata Capaian (%)", "number", number_format=S.PCT, width=11, input=False),
        C("predikat", "Predikat (Skala Pemda)", width=14, input=False),
        C("predikat_instansi", "Predikat Instansi (bila berbeda)", width=14, input=False),
        *bands,
        C("belum", NOT_COMPUTED, "int", width=9, input=False),
        C("di_bawah_target", "Di Bawah Target", "int", width=9, input=False),
        C("unit_terlambat", "Unit Terlambat", "int", width=10, input=False),
        C("langkah_lewat", "Langkah SOP Lewat Mutu Baku", "int", width=11, input=False),
    ), hint="Satu baris per instansi; predikat menurut Skala Predikat Pemda (sheet Skala Predikat); file sumber di sheet Sumber.",
        header_row=SUMMARY_HEADER_ROW)


def short_period(p: Period) -> str:
    """'TW III 2026', 'Semester I 2026', '2026': the period in a narrow column."""
    if p.jenis == "tahunan":
        return str(p.tahun)
    return f"{'TW' if p.jenis == 'triwulan' else 'Semester'} {ROMAN[p.nomor - 1]} {p.tahun}"  # type: ignore[operator]


def _bands(scale: list[PredicateBand]) -> list[PredicateBand]:
    return sorted(scale, key=lambda b: b.batas_bawah, reverse=True)


# ----------------------------------------------------------------------------------- sources


@dataclass
class Source:
    """One master found among the sources."""

    path: Path  # the workbook read
    shown: str  # how messages name it (the archive folder and the member, or the file)
    kind: str = "induk"  # or "arsip"
    explicit: bool = False  # named on the command line (not found in a folder)


@dataclass
class OfficeResult:
    """One office's master, read and computed."""

    source: Source
    loaded: Loaded
    office: str
    pemerintah: str
    period: Period
    identity: str  # the fingerprint of the master's data
    approved: bool
    changed: bool  # approved once, data changed since
    by: str
    at: datetime | None
    detail: str
    rows: list[RekapRow] = field(default_factory=list)
    pemda: list[Achievement] = field(default_factory=list)  # per row, on the Pemda's scale
    own: Summary | None = None  # the office's mean on its own scale
    total: Summary | None = None  # on the Pemda's scale
    bands: Counter = field(default_factory=Counter)
    units_late: int = 0
    steps_late: int = 0
    short: str = ""
    used: str = "Ya"
    last: datetime = datetime.min  # the latest Riwayat event (the tie-break among copies)

    @property
    def status(self) -> str:
        return DISETUJUI if self.approved else BERUBAH_LABEL if self.changed else DRAF

    def portable(self) -> OfficeResult:
        """Without the raw sheet rows (what a worker process sends back)."""
        self.loaded.rows = {}
        self.loaded.report = Report()
        return self


def find_sources(paths: Iterable[Path], report: Report, exclude: Path | None = None) -> list[Source]:
    """Masters among the paths: files, folders (searched; an archive folder is read through its
    manifest, backups in 'cadangan' are not sources), archives."""
    out: list[Source] = []
    skip = exclude.resolve() if exclude else None

    def add_file(p: Path, explicit: bool) -> None:
        if p.name.startswith(("~$", ".")) or (skip and p.resolve() == skip):
            return
        if p.suffix.lower() in MASTER_SUFFIXES:
            out.append(Source(p, str(p), explicit=explicit))
        elif explicit:
            report.issue("rollup-not-master", file=str(p), reason="bukan file .xlsx/.xlsm")

    def walk(folder: Path) -> None:
        if (folder / MANIFEST).is_file():
            add_archive(folder)
            return
        for p in sorted(folder.iterdir()):
            if p.is_dir():
                if p.name != "cadangan" and not p.name.startswith("."):
                    walk(p)
            elif p.is_file():
                add_file(p, False)

    def add_archive(folder: Path) -> None:
        try:
            manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
            entries = [e for e in manifest.get("berkas", []) if e.get("jenis") == KIND_MASTER]
        except (OSError, ValueError, AttributeError) as e:
            report.issue("rollup-not-master", file=str(folder / MANIFEST), reason=f"manifest tidak terbaca ({explain(e)})")
            return
        if not entries:
            report.issue("rollup-not-master", file=str(folder / MANIFEST), reason="arsip tanpa workbook induk")
        for e in entries:
            member = folder / str(e.get("path", ""))
            shown = f"{folder} › {e.get('path')}"
            if not member.is_file():
                report.issue("rollup-archive-altered", file=shown, detail="file tidak ada di folder arsip")
                continue
            digest = sha256_file(member)
            if digest != e.get("sha256"):
                report.issue("rollup-archive-altered", file=shown,
                             detail="SHA-256 file berbeda dengan yang tercatat di manifest")
            out.append(Source(member, shown, "arsip"))

    for raw in paths:
        p = Path(raw)
        if not p.exists():
            report.issue("rollup-source-missing", file=str(p))
        elif p.is_dir():
            walk(p)
        elif p.name == MANIFEST:
            add_archive(p.parent)
        else:
            add_file(p, True)
    return out


# ----------------------------------------------------------------------------------- one office


def _changes(loaded: Loaded, approval: Any) -> tuple[bool, str]:
    """Whether approved data were changed after approval (kinerja.stages.approval: an approved value
    the unit sheets no longer hold, an altered approval record, a unit whose data no longer
    match its approval's fingerprint), and the first changes in words."""
    from kinerja.domain.numbers import format_number
    from kinerja.stages.approval import BERUBAH, changed_after_approval

    def num(v: float | None) -> str:
        return "kosong" if v is None else format_number(v)

    changes = changed_after_approval(loaded)
    words = [f"{c.kode} TW {ROMAN[c.quarter - 1]}: disetujui {num(c.approved)}, sekarang {num(c.now)}"
             if c.quarter else f"catatan nilai disetujui unit {c.unit} diubah" for c in changes[:3]]
    if len(changes) > 3:
        words.append(f"dan {len(changes) - 3} lainnya")
    moved = [u for u, state in approval.units.items() if state == BERUBAH]
    if moved and not words:
        words.append("data unit " + ", ".join(moved) + " tidak sama dengan sidik data saat disetujui")
    return bool(changes or moved), "; ".join(words)


def read_office(source: Source, scale: list[PredicateBand] | None, now: datetime,
                report: Report) -> OfficeResult | None:
    """Read one master and compute its figures; None (with an issue) when it is not a usable master."""
    from kinerja.stages.approval import approval_status, fingerprint, history
    from kinerja.stages.deadlines import unit_return_timing
    from kinerja.stages.timing import recompute

    loaded = load_master(source.path, skip=SKIPPED_SHEETS)
    m = loaded.master
    if m is None:
        first = next((i for i in loaded.report.issues if i.severity.value == "error"), None)
        if first is not None and first.code.startswith("workbook-"):
            reason = first.message.rstrip(".")  # not a readable workbook at all
        elif S.SETTINGS_SHEET not in loaded.rows:
            reason = "tidak memuat sheet Pengaturan; bukan workbook induk kinerja"
        else:
            reason = f"workbook induk tidak dapat dibaca: {first.message if first else 'isi tidak lengkap'}"
        report.issue("rollup-not-master", file=source.shown, reason=reason,
                     severity="warning" if source.explicit else None)
        return None
    approval = approval_status(loaded)
    changed, what = _changes(loaded, approval)
    s = m.settings
    out = OfficeResult(source, loaded, s.office.nama, s.office.pemerintah, s.period, fingerprint(m),
                       approval.approved and not changed, changed, approval.by, approval.at,
                       what if changed else approval.detail)
    compute_figures(out, m, scale)
    out.last = max((e["waktu"] for e in history(loaded) if isinstance(e.get("waktu"), datetime)),
                   default=datetime.min)
    out.units_late = sum(1 for r in unit_return_timing(loaded, {}, None) if r.late_minutes > 0)
    try:
        summary = recompute(loaded, now).summary
        out.steps_late = summary.late if summary else 0
    except Exception:  # noqa: BLE001 - a broken timing log leaves the count at 0, the office still counts
        out.steps_late = 0
    return out


PARALLEL_FROM = 8  # sources; below this, worker processes cost more than they save


def read_offices(sources: list[Source], scale: list[PredicateBand] | None, now: datetime,
                 report: Report) -> list[OfficeResult]:
    """Every source read, in order; on two or more cores and many sources, in worker processes
    (spawned: each reads whole masters, the parent only merges)."""
    from kinerja.workbook.files import gc_paused

    workers = min(2, os.cpu_count() or 1)
    out: list[OfficeResult] = []
    if len(sources) < PARALLEL_FROM or workers < 2:
        with gc_paused():
            for src in sources:
                office = read_office(src, scale, now, report)
                if office is not None:
                    out.append(office)
        return out
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    jobs = [(src, scale, now) for src in sources]
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        for office, issues in pool.map(_read_in_worker, jobs, chunksize=max(1, len(jobs) // (workers * 4))):
            report.extend(issues)
            if office is not None:
                out.append(office)
    return out


def _read_in_worker(job: tuple[Source, list[PredicateBand] | None, datetime]) -> tuple[OfficeResult | None, list]:
    from kinerja.workbook.files import gc_paused

    report = Report()
    with gc_paused():
        office = read_office(*job, report=report)
    return (office.portable() if office is not None else None), report.issues


def pemda_rules(rules: Rules, scale: list[PredicateBand] | None) -> Rules:
    """The office's capaian rules with the Pemda's predicate scale."""
    return rules if scale is None else rules.model_copy(update={"skala": list(scale)})


def compute_figures(out: OfficeResult, m: Master, scale: list[PredicateBand] | None) -> None:
    """Per indicator the office's achievement and its predicate on the Pemda's scale;
    the office's total on both scales; indicators per Pemda predicate."""
    rules = pemda_rules(m.settings.rules, scale)
    out.rows = consolidate(m)
    # the same capaian (the office's rules), classed on the Pemda's scale as achievement() classes it
    out.pemda = [r.ach if rules is m.settings.rules else replace(r.ach, predikat=rules.predicate(r.ach.capaian))
                 for r in out.rows]
    out.own = summarise("Instansi", m.settings.office.nama, [r.ach for r in out.rows], m.settings.rules)
    out.total = summarise("Instansi", m.settings.office.nama, out.pemda, rules)
    out.bands = Counter(a.predikat if a.capaian is not None else NOT_COMPUTED for a in out.pemda)


# ----------------------------------------------------------------------------------- the roll-up


@dataclass
class RollupInputs:
    """What the roll-up user keeps in the workbook (or a first run proposes)."""

    pemerintah: str = ""
    periode: str = ""  # period key, '2026-TW3'
    judul: str = DEFAULT_TITLE
    scale: list[PredicateBand] = field(default_factory=lambda: list(DEFAULT_SCALE))
    expected: list[dict[str, str]] = field(default_factory=list)  # nama, singkatan, keterangan
    exists: bool = False  # the roll-up workbook was there already
    unreadable: bool = False  # ... and cannot be read: it is not written
    sheets: list[str] = field(default_factory=list)
    summary_header: list[Any] = field(default_factory=list)
    cells: dict[str, str] = field(default_factory=dict)  # setting -> the Pengaturan cell it was read from


@dataclass
class RollupOutcome:
    report: Report = field(default_factory=Report)
    inputs: RollupInputs = field(default_factory=RollupInputs)
    offices: list[OfficeResult] = field(default_factory=list)  # used, in expected-list order
    others: list[OfficeResult] = field(default_factory=list)  # read but not used
    missing: list[dict[str, str]] = field(default_factory=list)  # expected, not found
    sources: list[Source] = field(default_factory=list)
    path: Path | None = None
    export: Path | None = None
    proposed: bool = False  # the expected list was proposed from the sources

    @property
    def period(self) -> Period | None:
        try:
            return Period.from_key(self.inputs.periode)
        except ValueError:
            return None

    def all_rows(self) -> list[tuple[OfficeResult, RekapRow, Achievement]]:
        return [(o, r, a) for o in self.offices for r, a in zip(o.rows, o.pemda)]

    def total(self) -> Summary:
        rules = Rules(skala=list(self.inputs.scale))
        return summarise("Pemda", self.inputs.pemerintah, [a for _o, _r, a in self.all_rows()], rules)

    def to_dict(self) -> dict[str, Any]:
        p = self.period
        return {"file": str(self.path) if self.path else None, "pemerintah": self.inputs.pemerintah,
                "periode": p.key() if p else self.inputs.periode,
                "instansi": [{"nama": o.office, "status": o.status,
                              "indikator": o.total.jumlah if o.total else 0,
                              "rata_rata_capaian": o.total.rata_rata if o.total else None}
                             for o in self.offices],
                "tidak_ada": [e["nama"] for e in self.missing],
                "ekspor": str(self.export) if self.export else None, **self.report.to_dict()}

    def summary_lines(self) -> list[str]:
        if self.path is None:
            return []
        p = self.period
        lines = [f"Rekap Pemda: {self.path} ({self.inputs.pemerintah}, {p.label() if p else self.inputs.periode})"]
        for o in self.offices:
            t = o.total
            avg = "-" if t is None or t.rata_rata is None else f"{t.rata_rata:.2f}%".replace(".", ",")
            lines.append(f"  {o.office}: {o.status}, {t.jumlah if t else 0} indikator, rata-rata capaian {avg}")
        lines += [f"  {e['nama']}: tidak ada" for e in self.missing]
        if self.export is not None:
            lines.append(f"Tabel unggah: {self.export}")
        return lines

    def sasaran_groups(self) -> list[tuple[str, str, list[tuple[OfficeResult, RekapRow, Achievement]]]]:
        """(code, sasaran, members): by the shared Pemda code, else by the sasaran text; codes first."""
        groups: dict[tuple[int, str], list] = {}
        names: dict[tuple[int, str], Counter] = {}
        for o, r, a in self.all_rows():
            code = r.indicator.kode_sasaran.strip()
            key = (0, code.upper()) if code else (1, norm(r.indicator.sasaran) or "-")
            groups.setdefault(key, []).append((o, r, a))
            names.setdefault(key, Counter())[r.indicator.sasaran or "(tanpa sasaran)"] += 1
        out = []
        for key in sorted(groups, key=lambda k: (k[0], k[1])):
            members = groups[key]
            code = members[0][1].indicator.kode_sasaran.strip() if key[0] == 0 else ""
            out.append((code, names[key].most_common(1)[0][0], members))
        return out


def read_inputs(path: Path, report: Report) -> RollupInputs:
    """The roll-up workbook's own sheets (expected offices, settings, scale), when it exists."""
    inputs = RollupInputs()
    if not Path(path).exists():
        return inputs
    file = Path(path).name
    try:
        from python_calamine import CalamineWorkbook

        names = list(CalamineWorkbook.from_path(str(path)).sheet_names)
        sheets = read_sheets(path, skip={INDICATORS.sheet, SOURCES.sheet, FINDINGS.sheet, SASARAN.sheet})
    except Exception as e:  # noqa: BLE001 - an unreadable roll-up workbook is reported, not overwritten
        report.issue("workbook-unreadable", file=file, detail=explain(e))
        inputs.exists = inputs.unreadable = True
        return inputs
    inputs.exists, inputs.sheets = True, names
    for r, row in enumerate(sheets.get(SETTINGS_SHEET, []), 1):
        key = next((k for k, label in SETTINGS_LABELS.items() if row and norm(row[0]) == norm(label)), None)
        if key and len(row) > 1 and row[1] not in (None, ""):
            setattr(inputs, key, str(row[1]).strip())
            inputs.cells[key] = f"B{r}"
    if SKALA_SHEET in sheets:
        scale = scale_from_rows(read_table(sheets[SKALA_SHEET], S.SKALA, report, file).rows)
        if scale:
            inputs.scale = scale
    if EXPECTED.sheet in sheets:
        for row in read_table(sheets[EXPECTED.sheet], EXPECTED, report, file).rows:
            if row.values.get("nama"):
                inputs.expected.append({k: str(row.values.get(k) or "").strip() for k in ("nama", "singkatan", "keterangan")})
    summary = sheets.get(SUMMARY_SHEET) or []
    if len(summary) >= SUMMARY_HEADER_ROW:
        inputs.summary_header = [v for v in summary[SUMMARY_HEADER_ROW - 1] if v not in (None, "")]
    return inputs


def rollup(out: Path, sources: Iterable[Path], *, now: datetime | None = None, pemerintah: str | None = None,
           periode: str | None = None) -> RollupOutcome:
    """Read every source, pick one master per office, compute, flag. Writing is `write_rollup`."""
    from kinerja.stages.approval import _order as period_order

    now = now or datetime.now()
    result = RollupOutcome()
    report = result.report
    inputs = result.inputs = read_inputs(out, report)
    if inputs.unreadable:
        return result
    if pemerintah:
        inputs.pemerintah = pemerintah
    if periode:
        inputs.periode = periode
        inputs.cells.pop("periode", None)  # given, not read from the sheet
    if inputs.periode:  # '2026-TW3', or as people write it: 'Triwulan III 2026'
        from kinerja.stages.period import parse_period

        try:
            inputs.periode = parse_period(inputs.periode).key()
        except ValueError:
            report.issue("setting-invalid", file=Path(out).name, sheet=SETTINGS_SHEET, key="Periode",
                         cell=inputs.cells.get("periode"),
                         detail=f"'{inputs.periode}' bukan periode; tulis mis. 2026-TW3 atau 'Triwulan III 2026'")
    result.sources = find_sources(sources, report, exclude=out)
    read = read_offices(result.sources, inputs.scale, now, report)
    # the Pemda and period: kept in the workbook, given, or the most common among the sources
    if not inputs.pemerintah and read:
        inputs.pemerintah = Counter(o.pemerintah for o in read).most_common(1)[0][0]
    if not inputs.periode and read:
        counts = Counter(o.period.key() for o in read if norm(o.pemerintah) == norm(inputs.pemerintah))
        inputs.periode = max(counts, key=lambda k: (counts[k], period_order(k))) if counts else ""
    target = result.period
    candidates: dict[str, list[OfficeResult]] = {}
    for o in read:
        if norm(o.pemerintah) != norm(inputs.pemerintah):
            o.used = f"Tidak: Pemda lain ({o.pemerintah})"
            report.issue("rollup-other-pemda", file=o.source.shown, office=o.office, value=o.pemerintah,
                         expected=inputs.pemerintah)
            result.others.append(o)
        elif target is None or o.period.key() != target.key():
            o.used = f"Tidak: periode lain ({o.period.label()})"
            report.issue("rollup-other-period", file=o.source.shown, office=o.office, value=o.period.label(),
                         expected=target.label() if target else inputs.periode)
            result.others.append(o)
        else:
            candidates.setdefault(norm(o.office), []).append(o)
    chosen: dict[str, OfficeResult] = {}
    for key, group in candidates.items():
        group.sort(key=lambda o: (o.approved, o.at or datetime.min, o.last), reverse=True)
        best = chosen[key] = group[0]
        for other in group[1:]:
            same = "isi sama" if other.identity == best.identity else "isi berbeda"
            other.used = f"Tidak: instansi ganda, dipakai {best.source.shown}"
            report.issue("rollup-office-duplicate", file=other.source.shown, office=best.office,
                         used=best.source.shown, detail=f"{same}; status {other.status.lower()}")
            result.others.append(other)
    # the expected offices: kept in the workbook, or proposed from what was found
    if not inputs.expected:
        inputs.expected = [{"nama": o.office, "singkatan": "", "keterangan": "diusulkan dari sumber"}
                           for o in sorted(chosen.values(), key=lambda o: o.office)]
        result.proposed = True
        if inputs.expected:
            report.issue("rollup-expected-proposed", file=Path(out).name, sheet=EXPECTED.sheet,
                         count=len(inputs.expected))
    order = {norm(e["nama"]): i for i, e in enumerate(inputs.expected)}
    short = {norm(e["nama"]): e.get("singkatan") or "" for e in inputs.expected}
    for e in inputs.expected:
        if norm(e["nama"]) not in chosen:
            result.missing.append(e)
            report.issue("rollup-office-missing", file=Path(out).name, sheet=EXPECTED.sheet, office=e["nama"],
                         period=target.label() if target else inputs.periode, pemda=inputs.pemerintah)
    for key, o in chosen.items():
        o.short = short.get(key) or o.office
        if key not in order:
            report.issue("rollup-office-unexpected", file=o.source.shown, office=o.office, sheet=EXPECTED.sheet)
        if o.changed:
            report.issue("rollup-changed-after-approval", file=o.source.shown, office=o.office, detail=o.detail)
        elif not o.approved:
            report.issue("rollup-draft", file=o.source.shown, office=o.office, detail=o.detail)
    result.offices = sorted(chosen.values(), key=lambda o: (order.get(norm(o.office), len(order)), o.office))
    return result


def make_rollup(out: Path, sources: Iterable[Path], *, now: datetime | None = None,
                pemerintah: str | None = None, periode: str | None = None,
                export: Path | None = None, fmt: str = "rekap") -> RollupOutcome:
    """`kinerja rollup`: read and flag (`rollup`), write the roll-up workbook (`write_rollup`)
    and, when asked, the upload file (`export_rollup`)."""
    now = now or datetime.now()
    result = rollup(out, sources, now=now, pemerintah=pemerintah, periode=periode)
    if result.inputs.unreadable:
        return result
    result.path = write_rollup(result, out, now)
    if export is not None:
        result.export = export_rollup(result, export, now, fmt)
    return result


# ----------------------------------------------------------------------------------- rows


def summary_rows(result: RollupOutcome) -> list[list[Any]]:
    bands = _bands(result.inputs.scale)
    target = result.period
    out = []
    n = 0
    for o in result.offices:
        n += 1
        t, own = o.total, o.own
        assert t is not None and own is not None
        differs = own.predikat if own.predikat != t.predikat else None
        out.append([n, o.office, short_period(o.period), o.status, o.by or None, o.at, t.jumlah, t.terisi,
                    t.rata_rata, t.predikat, differs,
                    *[o.bands.get(b.predikat, 0) for b in bands], o.bands.get(NOT_COMPUTED, 0),
                    t.di_bawah_target, o.units_late, o.steps_late])
    for e in result.missing:
        n += 1
        out.append([n, e["nama"], short_period(target) if target else result.inputs.periode, TIDAK_ADA, None, None,
                    None, None, None, None, None, *[None] * len(bands), None, None, None, None])
    if result.offices:
        t = result.total()
        total_bands: Counter[str] = Counter()
        for o in result.offices:
            total_bands.update(o.bands)
        out.append([None, f"Jumlah {result.inputs.pemerintah}".strip(), None,
                    f"{sum(o.approved for o in result.offices)} dari {len(result.offices) + len(result.missing)} disetujui",
                    None, None, t.jumlah, t.terisi, t.rata_rata, t.predikat,
                    None, *[total_bands.get(b.predikat, 0) for b in bands], total_bands.get(NOT_COMPUTED, 0),
                    t.di_bawah_target, sum(o.units_late for o in result.offices),
                    sum(o.steps_late for o in result.offices)])
    return out


def indicator_rows(result: RollupOutcome) -> list[list[Any]]:
    out = []
    for n, (o, r, a) in enumerate(result.all_rows(), 1):
        ind = r.indicator
        out.append([n, o.office, ind.kode_sasaran or None, ind.sasaran, f"{r.unit.kode} - {r.unit.nama}", ind.kode,
                    ind.nama, ind.satuan, POLARITY_LABELS[ind.polaritas], METHOD_LABELS[ind.metode], a.target,
                    a.realisasi, a.capaian, a.predikat,
                    r.ach.predikat if r.ach.predikat != a.predikat else None,
                    r.result.penjelasan if r.result else "", o.status])
    return out


def sasaran_rows(result: RollupOutcome) -> list[list[Any]]:
    rules = Rules(skala=list(result.inputs.scale))
    out = []
    for code, name, members in result.sasaran_groups():
        s = summarise("Sasaran", name, [a for _o, _r, a in members], rules)
        offices = sorted({o.short or o.office for o, _r, _a in members})
        out.append([code or "(tanpa kode)", name, len(offices), ", ".join(offices), s.jumlah, s.terisi,
                    s.rata_rata, s.predikat, s.di_bawah_target])
    return out


def source_rows(result: RollupOutcome) -> list[list[Any]]:
    out = []
    for o in result.offices + result.others:
        out.append([o.source.shown, "Arsip" if o.source.kind == "arsip" else "Workbook induk", o.office, o.pemerintah,
                    o.period.label(), o.identity, o.status, o.by or None, o.at, o.used])
    return out


def export_table_rows(result: RollupOutcome) -> tuple[list[str], list[list[Any]]]:
    """The Pemda's upload: every office's export rows (kinerja.stages.export), each with its office and
    Pemda, the shared sasaran code, the predicate on the Pemda's scale and the approval status."""
    from kinerja.stages.export import HEADERS, export_rows

    headers = ["Pemerintah Daerah", "Instansi", "Kode Sasaran/IKU Pemda", *HEADERS, "Predikat (Skala Pemda)",
               "Status Persetujuan"]
    rows = []
    for o in result.offices:
        m = o.loaded.master
        assert m is not None
        for base, r, a in zip(export_rows(m), o.rows, o.pemda):
            rows.append([o.pemerintah, o.office, r.indicator.kode_sasaran or None, *base, a.predikat, o.status])
    return headers, rows


def export_rollup(result: RollupOutcome, out: Path, now: datetime | None = None, fmt: str = "rekap") -> Path:
    """The roll-up as the Pemda's upload, written by kinerja.stages.export (format `rekap`: .csv, .json
    or .xlsx by suffix; `csv-id`: CSV for Indonesian-locale Excel)."""
    from kinerja.stages.export import export_table

    headers, rows = export_table_rows(result)
    p = result.period
    return export_table(out, headers, rows, {"pemerintah": result.inputs.pemerintah,
                                             "periode": p.key() if p else result.inputs.periode,
                                             "label_periode": p.label() if p else "",
                                             "instansi": [o.office for o in result.offices]},
                        now=now, fmt=fmt, sheet="Rekap Pemda")


# ----------------------------------------------------------------------------------- the workbook


def _filled_tables(result: RollupOutcome) -> list[tuple[Table, list[list[Any]]]]:
    return [(summary_table(result.inputs.scale), summary_rows(result)), (SASARAN, sasaran_rows(result)),
            (INDICATORS, indicator_rows(result)), (FINDINGS, [issue_row(i) for i in result.report.sorted()]),
            (SOURCES, source_rows(result))]


def _head_cells(result: RollupOutcome, now: datetime) -> dict[str, Any]:
    p = result.period
    approved = sum(o.approved for o in result.offices)
    expected = len(result.offices) + len(result.missing)
    return {"A1": result.inputs.judul or DEFAULT_TITLE,
            "A3": f"{result.inputs.pemerintah} - {p.label() if p else result.inputs.periode}",
            "A4": (f"{len(result.offices)} dari {expected} instansi ada; {approved} disetujui, "
                   f"{len(result.offices) - approved} belum/berubah, {len(result.missing)} tidak ada. "
                   f"Dibuat {now.strftime('%d/%m/%Y %H.%M')}.")}


def write_rollup(result: RollupOutcome, out: Path, now: datetime | None = None) -> Path:
    """Write the roll-up workbook: new (openpyxl) on the first run, else only its filled sheets'
    rows patched (kinerja.workbook's package writer), the charts pointed at the new rows."""
    from kinerja.ooxml.parts import Unsupported
    from kinerja.ooxml.patch import patch_file
    from kinerja.workbook.description import WorkbookWrites
    from kinerja.workbook.files import gc_paused, replace_atomic

    now = now or datetime.now()
    out = Path(out)
    if result.inputs.unreadable:
        raise ValueError(f"workbook rekap '{out.name}' tidak dapat dibaca dan tidak ditimpa")
    tables = _filled_tables(result)
    summary = tables[0][0]
    layout_same = (result.inputs.exists and all(t.sheet in result.inputs.sheets for t, _ in tables)
                   and CHART_SHEET in result.inputs.sheets
                   and [str(v) for v in result.inputs.summary_header] == summary.headers)
    fresh = not layout_same
    if result.inputs.exists and fresh and out.exists():
        result.report.issue("rollup-rebuilt", file=out.name)
    if fresh:  # the sheets, styles, charts and print settings; the rows go in below, as on every run
        _build(out, result, tables, now, with_rows=False)
    w = WorkbookWrites()
    for table, rows in tables:
        w.sheet(table.sheet, table).rows = rows
    w.sheet(SUMMARY_SHEET).cells.update(_head_cells(result, now))
    spans = {SUMMARY_SHEET: (summary.header_row, max(1, len(result.offices) + len(result.missing))),
             SASARAN.sheet: (SASARAN.header_row, max(1, len(tables[1][1])))}

    def produce(tmp: Path) -> None:
        staged = tmp.with_name(tmp.name + ".rows")
        try:
            patch_file(out, staged, w)
            retarget_charts(staged, tmp, spans)
        finally:
            staged.unlink(missing_ok=True)

    try:
        with gc_paused():
            replace_atomic(out, produce, backup=not fresh)
    except Unsupported:
        result.report.issue("rollup-rebuilt", file=out.name)
        _build(out, result, tables, now, with_rows=True)
    return out


def retarget_charts(src: Path, dst: Path, spans: dict[str, tuple[int, int]]) -> None:
    """Copy the package, pointing chart series at a filled sheet's rows: spans[sheet] is (header
    row, number of rows plotted), as writing.charts.retarget_xml takes them."""
    from kinerja.ooxml.zip import copy_member, member_info
    from kinerja.workbook.charts import retarget_xml

    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename.startswith("xl/charts/chart") and info.filename.endswith(".xml"):
                xml = zin.read(info.filename).decode("utf-8")
                zout.writestr(member_info(info), retarget_xml(xml, spans).encode("utf-8"))
            else:
                copy_member(zin, zout, info)


def _build(out: Path, result: RollupOutcome, tables: list[tuple[Table, list[list[Any]]]], now: datetime,
           with_rows: bool) -> None:
    """The roll-up workbook, new (openpyxl): every sheet styled, charts sized for the rows, print
    settings; the filled sheets' rows too when `with_rows`, else the package writer adds them."""
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference
    from openpyxl.formatting.rule import CellIsRule
    from openpyxl.styles import Font, PatternFill

    from kinerja.workbook.book import set_value, style_table, write_rows
    from kinerja.workbook.files import save_atomic
    from kinerja.workbook.style import HINT_FONT, INPUT_FILL

    wb = Workbook()
    wb.remove(wb.worksheets[0])  # a new workbook's one sheet
    sheets = {}
    for table, rows in tables:
        ws = wb.create_sheet(table.sheet)
        style_table(ws, table)
        if with_rows:
            write_rows(ws, table, rows, table.header_row + 1)
        ws.auto_filter.ref = f"A{table.header_row}:{table.letter(table.columns[-1].key)}{table.header_row + max(1, len(rows))}"
        sheets[table.sheet] = ws
        _print_settings(ws, table.header_row, landscape=True)
    summary_ws = sheets[SUMMARY_SHEET]
    for ref, value in _head_cells(result, now).items():
        summary_ws[ref] = value
    summary_ws["A3"].font = Font(bold=True, size=12)
    summary_ws.row_dimensions[SUMMARY_HEADER_ROW].height = 45
    # predicate colours (the Pemda's scale) on the predicate columns
    for table, _rows in tables:
        for key in ("predikat", "predikat_instansi"):
            if key in {c.key for c in table.columns}:
                col = table.letter(key)
                rng = f"{col}{table.header_row + 1}:{col}{table.header_row + 5000}"
                for band in result.inputs.scale:
                    if band.warna:
                        sheets[table.sheet].conditional_formatting.add(rng, CellIsRule(
                            operator="equal", formula=[f'"{band.predikat}"'],
                            fill=PatternFill("solid", fgColor=band.warna, bgColor=band.warna)))
    # charts on their own sheet, plotting the summary's offices and the Pemda's sasaran
    charts = wb.create_sheet(CHART_SHEET, 1)
    charts["A1"] = "Grafik Capaian Kinerja Perangkat Daerah"
    charts["A1"].font = Font(bold=True, size=14, color="1F4E78")
    charts["A2"] = f"{result.inputs.pemerintah} - {result.period.label() if result.period else result.inputs.periode}"
    summary_table_ = tables[0][0]
    first = summary_table_.header_row + 1
    last = first + max(1, len(result.offices) + len(result.missing)) - 1
    col = summary_table_.index
    names = Reference(summary_ws, min_col=col("instansi"), min_row=first, max_row=last)
    bar = BarChart()
    bar.type, bar.style = "bar", 10
    bar.title = "Rata-rata capaian per instansi (%)"
    bar.add_data(Reference(summary_ws, min_col=col("rata_rata"), min_row=first - 1, max_row=last), titles_from_data=True)
    bar.set_categories(names)
    bar.legend = None
    bar.y_axis.title = "Capaian (%)"
    bar.height, bar.width = 9, 24
    charts.add_chart(bar, "A4")
    stacked = BarChart()
    stacked.type, stacked.grouping, stacked.overlap = "bar", "stacked", 100
    stacked.title = "Jumlah indikator per predikat (skala Pemda)"
    band_cols = [c for c in summary_table_.columns if c.key.startswith("band_")]
    stacked.add_data(Reference(summary_ws, min_col=col(band_cols[0].key), max_col=col("belum"),
                               min_row=first - 1, max_row=last), titles_from_data=True)
    stacked.set_categories(names)
    stacked.height, stacked.width = 9, 24
    colors = [b.warna for b in _bands(result.inputs.scale)] + ["BFBFBF"]
    for series, color in zip(stacked.series, colors):
        if color:
            series.graphicalProperties.solidFill = color
    charts.add_chart(stacked, "A23")
    sas_ws, sas_first = sheets[SASARAN.sheet], SASARAN.header_row + 1
    sas_last = sas_first + max(1, len(tables[1][1])) - 1
    sas = BarChart()
    sas.type, sas.style = "bar", 10
    sas.title = "Rata-rata capaian per sasaran Pemda (%)"
    sas.add_data(Reference(sas_ws, min_col=SASARAN.index("rata_rata"), min_row=sas_first - 1, max_row=sas_last),
                 titles_from_data=True)
    sas.set_categories(Reference(sas_ws, min_col=SASARAN.index("sasaran"), min_row=sas_first, max_row=sas_last))
    sas.legend = None
    sas.height, sas.width = 11, 24
    charts.add_chart(sas, "A42")
    _print_settings(charts, None, landscape=False)
    charts.page_setup.fitToHeight = 1
    # the roll-up user's sheets
    exp = wb.create_sheet(EXPECTED.sheet)
    style_table(exp, EXPECTED)
    write_rows(exp, EXPECTED, [[e["nama"], e.get("singkatan") or None, e.get("keterangan") or None]
                               for e in result.inputs.expected], EXPECTED.header_row + 1)
    _print_settings(exp, EXPECTED.header_row, landscape=False)
    st = wb.create_sheet(SETTINGS_SHEET)
    st["A1"] = "Pengaturan Rekap Pemda"
    st["A1"].font = Font(bold=True, size=14, color="1F4E78")
    st["A2"] = "Ubah kolom Nilai (kuning); rekap berikutnya memakai nilai ini."
    st["A2"].font = HINT_FONT
    values = {"pemerintah": result.inputs.pemerintah, "periode": result.period.key() if result.period else result.inputs.periode,
              "judul": result.inputs.judul or DEFAULT_TITLE}
    helps = {"pemerintah": "Persis seperti 'Pemerintah Daerah' di workbook induk instansi",
             "periode": "Kode periode, mis. 2026-TW3 (triwulan), 2026-S1 (semester), 2026-TH (tahunan)",
             "judul": "Judul sheet Ringkasan Instansi"}
    for r, (key, label) in enumerate(SETTINGS_LABELS.items(), 4):
        st.cell(r, 1, label).font = Font(bold=True)
        set_value(st.cell(r, 2), values[key])
        st.cell(r, 2).fill = PatternFill("solid", fgColor=INPUT_FILL)
        st.cell(r, 3, helps[key]).font = HINT_FONT
    st.column_dimensions["A"].width, st.column_dimensions["B"].width, st.column_dimensions["C"].width = 22, 44, 70
    sk = wb.create_sheet(S.SKALA.sheet)
    style_table(sk, S.SKALA)
    write_rows(sk, S.SKALA, [[0 if b.batas_bawah == float("-inf") else b.batas_bawah, b.predikat, b.warna]
                             for b in _bands(result.inputs.scale)], S.SKALA.header_row + 1)
    wb.active = 0
    out.parent.mkdir(parents=True, exist_ok=True)
    save_atomic(wb, out, backup=out.exists())


def _print_settings(ws: Any, header_row: int | None, landscape: bool) -> None:
    """A4, fitted to the page width, the header row repeated on every page, page numbers."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    if header_row:
        ws.print_title_rows = f"{header_row}:{header_row}"
    ws.oddFooter.center.text = "Halaman &P dari &N"
    ws.oddFooter.right.text = "&A"
