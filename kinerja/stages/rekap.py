"""Consolidation (rekapitulasi): every indicator with target, realisasi, capaian and predicate,
and summaries per unit and per sasaran. Pure: takes the Master, returns rows and writes."""

from __future__ import annotations

from dataclasses import dataclass

from kinerja.domain.capaian import Achievement, achievement, mean_capaian
from kinerja.domain.models import METHOD_LABELS, POLARITY_LABELS, Indicator, Master, Result, Rules, Unit
from kinerja.workbook import sheets as S
from kinerja.workbook.description import WorkbookWrites


@dataclass(slots=True)
class RekapRow:
    unit: Unit
    indicator: Indicator
    result: Result | None
    ach: Achievement

    @property
    def below_target(self) -> bool:
        return self.ach.below_target


def consolidate(master: Master) -> list[RekapRow]:
    """One row per indicator, in unit order then indicator order."""
    p, rules = master.settings.period, master.settings.rules
    rows = []
    for unit in master.units:
        for ind in master.indicators_of(unit.kode):
            res = master.results.get(ind.kode)
            rows.append(RekapRow(unit, ind, res, achievement(ind, res, p, rules, master.turun_formula(ind))))
    return rows


def rekap_cell(index: int, key: str) -> str:
    """The Rekap sheet cell of row `index` (0-based) and column `key`."""
    return f"{S.REKAP.letter(key)}{S.REKAP.header_row + 1 + index}"


def rekap_table_rows(rows: list[RekapRow], statuses: dict[str, str] | None = None) -> list[list]:
    statuses = statuses or {}
    out = []
    for n, r in enumerate(rows, 1):
        res = r.result
        filled = r.ach.realisasi is not None
        out.append([n, r.unit.kode, r.unit.nama, r.indicator.sasaran, r.indicator.kode, r.indicator.nama,
                    r.indicator.satuan, POLARITY_LABELS[r.indicator.polaritas],
                    METHOD_LABELS[r.indicator.metode], r.ach.target, r.ach.realisasi,
                    r.ach.capaian, r.ach.predikat,
                    res.penjelasan if res else "", res.bukti if res else "", r.indicator.pagu,
                    res.realisasi_anggaran if res else None,
                    statuses.get(r.unit.kode) or ("Terisi" if filled else "Kosong")])
    return out


@dataclass
class Summary:
    kelompok: str  # "Unit" or "Sasaran"
    nama: str
    jumlah: int
    terisi: int
    rata_rata: float | None  # the mean of the printed capaian values, rounded once like them
    predikat: str
    di_bawah_target: int


def summarise(kelompok: str, name: str, achievements: list[Achievement], rules: Rules) -> Summary:
    """One group of indicators: how many, how many filled, the mean capaian of those that have
    one, its predicate on `rules`' scale, how many below target."""
    avg = mean_capaian([a.capaian for a in achievements if a.capaian is not None], rules)
    return Summary(kelompok, name, len(achievements), sum(1 for a in achievements if a.realisasi is not None),
                   avg, rules.predicate(avg), sum(1 for a in achievements if a.below_target))


def summaries(master: Master, rows: list[RekapRow]) -> list[Summary]:
    rules = master.settings.rules
    out: list[Summary] = []

    def group(kelompok: str, name: str, members: list[RekapRow]) -> Summary:
        return summarise(kelompok, name, [m.ach for m in members], rules)

    by_unit: dict[str, list[RekapRow]] = {}
    by_sasaran: dict[str, list[RekapRow]] = {}  # in order of first appearance
    for r in rows:
        by_unit.setdefault(r.unit.kode, []).append(r)
        by_sasaran.setdefault(r.indicator.sasaran or "(tanpa sasaran)", []).append(r)
    for unit in master.units:
        members = by_unit.get(unit.kode)
        if members:
            out.append(group("Unit", f"{unit.kode} - {unit.nama}", members))
    for s, members in by_sasaran.items():
        out.append(group("Sasaran", s, members))
    if rows:
        out.append(group("Total", master.settings.office.nama, rows))
    return out


def rekap_writes(master: Master, rows: list[RekapRow] | None = None,
                 statuses: dict[str, str] | None = None) -> WorkbookWrites:
    """The Rekap and Ringkasan sheets, replaced whole."""
    rows = consolidate(master) if rows is None else rows
    w = WorkbookWrites()
    w.sheet(S.REKAP.sheet, S.REKAP).rows = rekap_table_rows(rows, statuses)
    ringkasan = w.sheet(S.RINGKASAN.sheet, S.RINGKASAN)
    groups = summaries(master, rows)
    ringkasan.rows = [[s.kelompok, s.nama, s.jumlah, s.terisi, s.rata_rata, s.predikat, s.di_bawah_target]
                      for s in groups]
    ringkasan.chart_rows = sum(s.kelompok == "Unit" for s in groups)  # the unit rows, first: the capaian chart
    w.sheet(S.RINGKASAN.sheet).cells.update(distribution_cells(master, rows))
    return w


def predicate_counts(master: Master, rows: list[RekapRow]) -> list[tuple[str, int]]:
    """How many indicators have each predicate of the scale (best first), and those without a
    capaian ('-')."""
    bands = sorted(master.settings.rules.skala, key=lambda b: b.batas_bawah, reverse=True)
    names = [b.predikat for b in bands][:S.RINGKASAN_BANDS - 1] + ["-"]
    found = [r.ach.predikat for r in rows]
    return [(name, found.count(name)) for name in names]


def distribution_cells(master: Master, rows: list[RekapRow]) -> dict[str, object]:
    """The block above the Ringkasan table that the predicate chart reads: its label, header and
    one row per predicate (empty rows below when the scale is shorter)."""
    h = S.RINGKASAN_DIST_ROW
    cells: dict[str, object] = {f"A{h - 1}": "Sebaran Predikat Indikator", f"B{h}": "Predikat",
                                f"C{h}": "Jumlah Indikator"}
    counts = predicate_counts(master, rows)
    for n in range(S.RINGKASAN_BANDS):
        name, count = counts[n] if n < len(counts) else (None, None)
        cells[f"B{h + 1 + n}"] = "Belum ada capaian" if name == "-" else name
        cells[f"C{h + 1 + n}"] = count
    return cells
