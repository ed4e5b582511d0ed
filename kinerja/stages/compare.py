"""Quarter and year comparison: each indicator's earlier quarters of the year and the same
quarter last year, the mean capaian per sasaran per quarter (drawn by kinerja.charts).

The master holds what it needs: the year's earlier quarters are carried on the unit sheets as
approved (`kinerja new-period`), last year's realisasi per quarter on the sheet Realisasi Tahun
Lalu. Capaian per quarter is the same computation as every report (capaian.achievement for
that quarter's period), so a quarter shows here what its own report showed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from kinerja.domain.capaian import Achievement, achievement, mean_capaian, realisasi_and_capaian
from kinerja.domain.models import ROMAN, Indicator, Master, Period
from kinerja.domain.numbers import format_number, format_percent
from kinerja.issues.catalogue import Report
from kinerja.workbook import sheets as S
from kinerja.workbook.sheets import COMPARE_COLUMN
from kinerja.workbook.tables import read_table

NO_SASARAN = "(tanpa sasaran)"


@dataclass
class IndicatorTrend:
    ind: Indicator
    realisasi: list[float | None]  # TW I-IV of this year (None after the current quarter)
    capaian: list[float | None]
    lalu: float | None = None  # the same quarter last year (realisasi)
    capaian_lalu: float | None = None


@dataclass
class SasaranTrend:
    nama: str
    rows: list[IndicatorTrend] = field(default_factory=list)

    rules: Any = None  # the master's Rules: means are the printed average, rounded once

    def mean(self, q: int) -> float | None:
        return mean_capaian([c for r in self.rows if (c := r.capaian[q - 1]) is not None], self.rules)

    def mean_lalu(self) -> float | None:
        return mean_capaian([r.capaian_lalu for r in self.rows if r.capaian_lalu is not None], self.rules)


def last_year(rows: Mapping[str, list[tuple]]) -> dict[str, list[float | None]]:
    """Sheet Realisasi Tahun Lalu: code -> realisasi TW I-IV (empty when the sheet is not there)."""
    if S.TAHUN_LALU.sheet not in rows:
        return {}
    got = read_table(rows[S.TAHUN_LALU.sheet], S.TAHUN_LALU, Report()).rows
    return {str(r.values["kode"]).strip(): [r.values.get(f"r{q}") for q in range(1, 5)]
            for r in got if r.values.get("kode")}


def trends(master: Master, lalu: dict[str, list[float | None]] | None = None,
           current: dict[str, Achievement] | None = None) -> list[SasaranTrend]:
    """Per sasaran (in indicator order), each indicator's quarters up to the current one.
    `current`: the capaian of the master's own period by indicator code, when already computed
    (the consolidation): a quarterly period's own quarter is taken from it."""
    p = master.settings.period
    rules = master.settings.rules
    lalu = lalu or {}
    out: dict[str, SasaranTrend] = {}
    quarters = [Period(tahun=p.tahun, jenis="triwulan", nomor=q) for q in range(1, p.last_quarter + 1)]
    own = (current or {}) if p.jenis == "triwulan" else {}
    results = master.results
    for ind in master.indicators:
        res = results.get(ind.kode)
        rumus = master.turun_formula(ind)
        real: list[float | None] = [None] * 4
        cap: list[float | None] = [None] * 4
        mine = own.get(ind.kode)
        for q, period in enumerate(quarters, 1):
            if q == p.nomor and mine is not None:
                real[q - 1], cap[q - 1] = mine.realisasi, mine.capaian
            else:
                real[q - 1], cap[q - 1] = realisasi_and_capaian(ind, res, period, rules, rumus)
        t = IndicatorTrend(ind, real, cap)
        before = lalu.get(ind.kode)
        if before is not None:
            from kinerja.domain.models import Result

            a = achievement(ind, Result(indikator=ind.kode, realisasi_tw=list(before)), quarters[-1], rules, rumus)
            t.lalu, t.capaian_lalu = a.realisasi, a.capaian
        name = ind.sasaran or NO_SASARAN
        group = out.get(name)
        if group is None:
            group = out[name] = SasaranTrend(name, rules=rules)
        group.rows.append(t)
    return list(out.values())


def ringkasan_cells(master: Master, groups: list[SasaranTrend], old_rows: int = 0) -> dict[str, Any]:
    """The comparison block on the Ringkasan sheet, right of its table and charts: mean capaian per
    sasaran for each quarter of the year so far and the same quarter last year."""
    p = master.settings.period
    first = COMPARE_COLUMN
    letters = [_letter(first + j) for j in range(6)]
    top = S.RINGKASAN.header_row
    cells: dict[str, Any] = {f"{letters[0]}{top - 1}": "Perbandingan antartriwulan: rata-rata capaian (%) per sasaran"}
    head = ["Sasaran", *[f"TW {ROMAN[q]}" for q in range(4)], f"TW {ROMAN[p.last_quarter - 1]} {p.tahun - 1}"]
    for col, text in zip(letters, head):
        cells[f"{col}{top}"] = text
    n = 0
    for n, g in enumerate(groups, 1):
        values = [g.nama, *[None if q > p.last_quarter else g.mean(q) for q in range(1, 5)], g.mean_lalu()]
        for col, v in zip(letters, values):
            cells[f"{col}{top + n}"] = v
    for r in range(top + n + 1, top + max(n, old_rows) + 1):  # rows of an earlier, longer block
        for col in letters:
            cells[f"{col}{r}"] = None
    return cells


def ringkasan_block(loaded: Any, master: Master, current: dict[str, Achievement] | None = None) -> dict[str, Any]:
    """The Ringkasan comparison cells for a master as loaded (last year from its sheet);
    `current` as for `trends`."""
    old = len(loaded.rows.get(S.RINGKASAN.sheet) or []) - S.RINGKASAN.header_row
    return ringkasan_cells(master, trends(master, last_year(loaded.rows), current), max(0, old))


def _letter(n: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(n)


def report_rows(master: Master, groups: list[SasaranTrend]) -> dict[str, list[dict[str, Any]]]:
    """Per sasaran, the rows of the report's comparison table: realisasi and capaian per quarter
    of the year up to the current one, and the same quarter last year."""
    d = master.settings.rules.desimal
    p = master.settings.period

    @lru_cache(maxsize=None, typed=True)  # 200,000 cells of a large office hold a few thousand distinct pairs
    def cell(real: float | None, cap: float | None) -> str:
        if real is None:
            return "-"
        return format_number(real, d) + (f"\n{format_percent(cap, d)}" if cap is not None else "")

    last = p.last_quarter  # a property of the period: once, not per cell
    return {g.nama: [{"kode": t.ind.kode,
                      "tw": [cell(t.realisasi[q], t.capaian[q]) if q < last else "" for q in range(4)],
                      "lalu": cell(t.lalu, t.capaian_lalu)} for t in g.rows] for g in groups}
