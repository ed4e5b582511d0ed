"""SOP step 10: the Sekretaris analyses the consolidation. Data rules -> the Validasi sheet.

`validate(loaded, now)` checks every indicator of every unit with the rules below (each a small
function with a stable catalogue code, thresholds from the master's Pengaturan), adds what
loading the master found and what collecting the returns found (sheet 'Temuan Himpun'), and
writes:

- the Validasi sheet: rows 1-9 a block (the rekap's status, per unit the counts by severity,
  the unit's status and a Keputusan cell Terima / Kembalikan with a dropdown, and a Catatan
  cell), row 10 the header, then one row per issue: severity, code, unit, indicator, a link
  to the offending cell, the value, the message, the suggested action, and Keputusan /
  Catatan for the Sekretaris. Decisions typed earlier survive a re-validation (issue rows are
  matched by code + unit + indicator + location, unit decisions by unit code);
- highlights: the offending cells of the unit sheets and the Rekap get a fill by severity and a
  note with the message; highlights of an earlier run are cleared first;
- the Rekap and Ringkasan, recomputed from the unit sheets (the consolidation validated is the
  one on screen), the paraf line on the Rekap, and the Katalog Masalah sheet.

Kesalahan (error) blocks the report; Peringatan needs a look; Informasi is for the record.
Structure problems (category 'struktur') are kept apart from data problems ('data') and
process problems ('proses'); every issue carries its category.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from openpyxl.utils import column_index_from_string, get_column_letter

from kinerja.domain.capaian import Achievement, achievement, ratio
from kinerja.domain.models import ROMAN, Indicator, Master, Result, Unit
from kinerja.domain.numbers import format_number, format_percent
from kinerja.domain.workcal import format_waktu
from kinerja.issues.catalogue import (
    CATALOGUE,
    Category,
    Issue,
    Report,
    Severity,
    catalogue_rows,
    issue_from_row,
    make_issue,
)
from kinerja.stages import deadlines, timing
from kinerja.stages.approval import (
    BERUBAH,
    DIKEMBALIKAN,
    DIPERBAIKI,
    DISETUJUI,
    MENUNGGU,
    Approval,
    active_units,
    approval_status,
    read_rows,
)
from kinerja.stages.compare import ringkasan_block
from kinerja.stages.rekap import RekapRow, rekap_cell, rekap_writes
from kinerja.stages.signable import EXPLANATION_SETTING, blank_target_issues, excepted
from kinerja.workbook import sheets as S
from kinerja.workbook.description import Link, Mark, WorkbookWrites
from kinerja.workbook.files import gc_paused
from kinerja.workbook.master import Loaded
from kinerja.workbook.style import INPUT_FILL, SEVERITY_FILL
from kinerja.workbook.tables import ReadTable, Row, norm, read_table

# ----------------------------------------------------------------------------------- the sheet

V = S.VALIDASI  # one row per unit: counts, status, the unit's Keputusan and Catatan
TV = S.TEMUAN_VALIDASI  # one row per finding, with the Sekretaris' note
FIRST_UNIT_ROW = V.header_row + 1
FIRST_ROW = TV.header_row + 1  # the first finding row
DECISIONS: dict[str, str] = dict(V.col("keputusan").choices or {})  # key -> label
MAX_UNIT_ROWS = 500  # dropdown range on the Keputusan column
CLEAN_FILL = "E2EFDA"  # the Kesalahan count of a unit without any
REVIEW_BUTTON = "Setujui / Kembalikan"  # the ribbon button that acts on the decisions (workbook.ribbon)
# the colours the two sheets use, each with one meaning, shown in a legend row
LEGEND: tuple[tuple[str, str], ...] = (
    (INPUT_FILL, "Isian Sekretaris"), (SEVERITY_FILL["error"], "Kesalahan"),
    (SEVERITY_FILL["warning"], "Peringatan"), (SEVERITY_FILL["info"], "Informasi"),
    (CLEAN_FILL, "Tanpa kesalahan"),
)


def parse_decision(value: object) -> str | None:
    """'Terima' / 'kembalikan ' -> 'terima' / 'kembalikan'; None for blank or unknown."""
    t = norm(value)
    return next((k for k, label in DECISIONS.items() if t and t in (norm(k), norm(label))), None)


def unit_decision_cell(master: Master, unit: str) -> str:
    """Where a unit's Keputusan is written on the Validasi sheet (its row in unit order)."""
    codes = [u.kode for u in active_units(master)]
    return f"{V.letter('keputusan')}{FIRST_UNIT_ROW + codes.index(unit)}"


def decision_cells(rows: list[tuple]) -> dict[str, tuple[str, str]]:
    """unit code -> (Keputusan cell, Catatan cell) as the Validasi sheet's rows hold them."""
    read = read_table(rows, V, Report())
    out = {}
    for row in read.rows:
        code = str(row.values.get("unit") or "").strip().upper()
        if code:
            out[code] = (row.cell("keputusan"), row.cell("catatan"))
    return out


# ----------------------------------------------------------------------------------- rule context


@dataclass
class Line:
    """One indicator of one unit: its data, where it sits in the unit sheet, its capaian."""

    unit: Unit
    ind: Indicator
    res: Result
    sheet: str
    read: ReadTable | None  # the unit sheet as read (None when the master has no such sheet)
    at: int | None  # the indicator's data row in `read` (its first); None when the sheet has no row for it
    ach: Achievement
    raw: float | None  # capaian before the optional upper cap (Batas Atas Capaian), rounded as printed

    @property
    def row(self) -> Row | None:
        """The row in the unit sheet, made when asked (most lines never need theirs as a Row)."""
        return None if self.at is None or self.read is None else self.read.row(self.at)

    def value(self, key: str) -> Any:
        """The unit sheet's value of `key` on this line's row (the line has a row)."""
        assert self.read is not None and self.at is not None
        return self.read.values[key][self.at]

    def cell(self, key: str) -> str | None:
        if self.at is None or self.read is None:
            return None
        letter = self.read.letters.get(key) or S.unit_data_table(self.sheet).letter(key)
        return f"{letter}{self.read.numbers[self.at]}"

    def issue(self, code: str, key: str, **params) -> Issue:
        return make_issue(code, sheet=self.sheet, cell=self.cell(key), unit=self.unit.kode,
                          indicator=self.ind.kode, field=key, **params)


@dataclass
class Ctx:
    loaded: Loaded
    master: Master
    now: datetime
    lines: list[Line]
    unit_sheets: dict[str, ReadTable]  # unit code -> its sheet as read

    @property
    def rules(self):
        return self.master.settings.rules


@dataclass(frozen=True)
class Rule:
    code: str
    check: Callable[..., Iterator[Issue]]
    per_line: bool  # check(ctx, line) for every indicator, else check(ctx) once


RULES: list[Rule] = []


def rule(code: str, per_line: bool = True):
    assert code in CATALOGUE, code

    def register(fn):
        RULES.append(Rule(code, fn, per_line))
        return fn
    return register


def _quarter(q: int) -> str:
    return f"TW {ROMAN[q - 1]}"


def _filled(line: Line, ctx: Ctx) -> bool:
    return any(line.res.realisasi_tw[q - 1] is not None for q in ctx.master.settings.period.quarters)


def _complete(line: Line, ctx: Ctx) -> bool:
    return all(line.res.realisasi_tw[q - 1] is not None for q in ctx.master.settings.period.quarters)


# ----------------------------------------------------------------------------------- data rules


@rule("realisasi-missing")
def realisasi_missing(ctx: Ctx, line: Line) -> Iterator[Issue]:
    """Every quarter of the period needs a realisasi; a `kumulatif` indicator also needs the
    earlier quarters of the year, since its capaian sums them from TW I."""
    period = ctx.master.settings.period
    needed = sorted(set(period.quarters) | (set(range(1, period.last_quarter))
                                            if line.ind.metode == "kumulatif" else set()))
    for q in needed:
        if line.at is not None and line.res.realisasi_tw[q - 1] is None:
            yield line.issue("realisasi-missing", f"r{q}", quarter=_quarter(q))


@rule("value-negative")
def value_negative(ctx: Ctx, line: Line) -> Iterator[Issue]:
    """Realisasi (TW I up to the period) and realisasi anggaran are counts, percentages and
    rupiah: never negative."""
    for q in range(1, ctx.master.settings.period.last_quarter + 1):
        v = line.res.realisasi_tw[q - 1]
        if v is not None and v < 0:
            yield line.issue("value-negative", f"r{q}", value=v)
    if line.res.realisasi_anggaran is not None and line.res.realisasi_anggaran < 0:
        yield line.issue("value-negative", "realisasi_anggaran", value=line.res.realisasi_anggaran)


def _target_key(line: Line, ctx: Ctx) -> str:
    period = ctx.master.settings.period
    return "target_tahunan" if period.jenis == "tahunan" else f"t{period.last_quarter}"


@rule("target-zero")
def target_zero(ctx: Ctx, line: Line) -> Iterator[Issue]:
    """A zero target cannot be divided by: flagged where capaian.achievement could not compute
    (the master's 'Aturan Target Nol' decides whether 0 of 0 counts as 100%)."""
    for code, params in line.ach.notes:
        if code == "target-zero":
            yield line.issue(code, _target_key(line, ctx), value=line.ach.target, **params)


@rule("realisasi-zero-turun")
def realisasi_zero_turun(ctx: Ctx, line: Line) -> Iterator[Issue]:
    """A 'turun' indicator on the T/R formula with realisasi 0 has no capaian."""
    for code, params in line.ach.notes:
        if code == "realisasi-zero-turun":
            yield line.issue(code, f"r{ctx.master.settings.period.last_quarter}", value=0, **params)


@rule("capaian-out-of-range")
def capaian_out_of_range(ctx: Ctx, line: Line) -> Iterator[Issue]:
    """A ratio beyond the largest double (a realisasi of 1E+300 against a target of 1E-10) has
    no capaian: said on the realisasi cell, not carried into any average."""
    for code, params in line.ach.notes:
        if code == "capaian-out-of-range":
            yield line.issue(code, f"r{ctx.master.settings.period.last_quarter}", value=line.ach.realisasi, **params)


@rule("capaian-above-ceiling")
def capaian_above_ceiling(ctx: Ctx, line: Line) -> Iterator[Issue]:
    """Capaian above 'Capaian Maksimum Tanpa Penjelasan' with no explanation: a typo (an extra
    digit, a cumulative value typed as a quarter) more often than a real result. Judged on the
    capaian before the optional cap, so a cap does not hide an implausible number."""
    if line.raw is not None and line.raw > ctx.rules.capaian_maks and not line.res.penjelasan.strip():
        yield line.issue("capaian-above-ceiling", "capaian", value=line.raw,
                         capaian=format_percent(line.raw, ctx.rules.desimal), limit=format_percent(ctx.rules.capaian_maks))


@rule("capaian-below-floor")
def capaian_below_floor(ctx: Ctx, line: Line) -> Iterator[Issue]:
    """Capaian below 'Capaian Minimum Tanpa Penjelasan' with no explanation (whatever the
    'Wajib Penjelasan' setting: so low a value needs checking), unless the Sekretaris accepted it."""
    if (line.raw is not None and line.raw < ctx.rules.capaian_min and not line.res.penjelasan.strip()
            and not excepted(ctx.master, line.ind.kode)):
        yield line.issue("capaian-below-floor", "capaian", value=line.raw,
                         capaian=format_percent(line.raw, ctx.rules.desimal), limit=format_percent(ctx.rules.capaian_min))


@rule("explanation-missing")
def explanation_missing(ctx: Ctx, line: Line) -> Iterator[Issue]:
    """With 'Wajib Penjelasan Jika Di Bawah Target': capaian under 100% needs an explanation.
    Below the minimum the stronger 'capaian-below-floor' is reported instead, not both. An
    indicator the Sekretaris accepted without one is 'explanation-excepted' instead."""
    raw = line.raw
    if (ctx.rules.wajib_penjelasan and line.ach.below_target and raw is not None and ctx.rules.capaian_min <= raw
            and not line.res.penjelasan.strip() and not excepted(ctx.master, line.ind.kode)):
        yield line.issue("explanation-missing", "penjelasan", value=line.ach.capaian,
                         capaian=format_percent(line.ach.capaian, ctx.rules.desimal))


@rule("explanation-excepted")
def explanation_excepted(ctx: Ctx, line: Line) -> Iterator[Issue]:
    """Below target without an explanation, accepted by the Sekretaris (Pengaturan 'Tanpa
    Penjelasan Diterima Sekretaris'): recorded, and stated in the report."""
    if (ctx.rules.wajib_penjelasan and line.ach.below_target and not line.res.penjelasan.strip()
            and excepted(ctx.master, line.ind.kode)):
        yield line.issue("explanation-excepted", "penjelasan", value=line.ach.capaian,
                         capaian=format_percent(line.ach.capaian, ctx.rules.desimal), setting=EXPLANATION_SETTING)


@rule("target-period-blank", per_line=False)
def target_period_blank(ctx: Ctx) -> Iterator[Issue]:
    """A blank target for the period (capaian cannot be computed): an error at its cell on the
    Indikator sheet, unless the Sekretaris accepted it ('target-period-blank-accepted')."""
    yield from blank_target_issues(ctx.loaded)


@rule("cumulative-decrease")
def cumulative_decrease(ctx: Ctx, line: Line) -> Iterator[Issue]:
    """For a `kumulatif` indicator the year-to-date total (the sum from TW I) must not fall
    from one quarter to the next. With the tool's convention (each quarter holds that
    quarter's own result) it falls only when a quarter holds a negative entry, which is how
    units 'correct' an earlier over-report; the earlier quarter must be corrected instead,
    because it was already reported. Other methods are not checked: a `nilai_akhir` value (a
    rate, a position) may legitimately go down, and a `per_triwulan` value stands alone."""
    if line.ind.metode != "kumulatif":
        return
    total: float | None = None
    for q in range(1, ctx.master.settings.period.last_quarter + 1):
        v = line.res.realisasi_tw[q - 1]
        if v is None:
            return
        previous, total = total, (total or 0.0) + v
        if previous is not None and total < previous:
            yield line.issue("cumulative-decrease", f"r{q}", value=total, quarter=_quarter(q),
                             previous_quarter=_quarter(q - 1), previous=previous)


@rule("evidence-missing")
def evidence_missing(ctx: Ctx, line: Line) -> Iterator[Issue]:
    """Evidence (a link) is required for every indicator ('Wajib Bukti Dukung Semua Indikator')
    or for the indicator ('Wajib Bukti' on the Indikator sheet); checked once a realisasi of the
    period is reported, since evidence supports a reported value."""
    if ((ctx.rules.wajib_bukti or line.ind.wajib_bukti) and _filled(line, ctx)
            and not line.res.bukti.strip()):
        yield line.issue("evidence-missing", "bukti")


@rule("budget-over-ceiling")
def budget_over_ceiling(ctx: Ctx, line: Line) -> Iterator[Issue]:
    """Realisasi anggaran above the indicator's pagu."""
    spent, pagu = line.res.realisasi_anggaran, line.ind.pagu
    if spent is not None and pagu is not None and spent > pagu:
        yield line.issue("budget-over-ceiling", "realisasi_anggaran", value=spent, limit=pagu)


_COPIED = (("nama", "Indikator Kinerja"), ("satuan", "Satuan"), ("target_tahunan", "Target Tahunan"),
           ("t1", "Target TW I"), ("t2", "Target TW II"), ("t3", "Target TW III"), ("t4", "Target TW IV"))


def _master_copy(ind: Indicator, key: str):
    if key in ("nama", "satuan", "target_tahunan"):
        return getattr(ind, key)
    return ind.target_tw[int(key[1]) - 1]


def _differs(a, b) -> bool:
    """Whether a unit sheet's copy `a` differs from the master's `b` (equal values never do:
    callers test `a != b` first, the common case, at C speed)."""
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return abs(a - b) > 1e-9 * max(1.0, abs(b))
    return " ".join(str(a).split()).lower() != " ".join(str(b or "").split()).lower()


@rule("indicator-inconsistent")
def indicator_inconsistent(ctx: Ctx, line: Line) -> Iterator[Issue]:
    """The unit sheet shows a copy of the indicator (name, satuan, targets); capaian is always
    computed from the Indikator sheet, so a copy that differs misleads whoever reads the unit
    sheet. Empty copies are not compared (a sheet typed by hand may leave them out)."""
    if line.at is None:
        return
    diffs = [(key, label, here, there) for key, label in _COPIED
             if (here := line.value(key)) is not None and here != ""
             and here != (there := _master_copy(line.ind, key)) and _differs(here, there)]
    if diffs:
        detail = "; ".join(f"{label} {_show(here)} di sheet '{line.sheet}', {_show(there)} di sheet Indikator"
                           for _k, label, here, there in diffs)
        yield line.issue("indicator-inconsistent", diffs[0][0], value=_show(diffs[0][2]), detail=detail)


def _show(v) -> str:
    return format_number(v) if isinstance(v, (int, float)) else str(v if v is not None else "-")


# ----------------------------------------------------------------------------------- sheet rules


def _unit(ctx: Ctx, code: str) -> Unit:
    """A unit the master lists (its sheet was read, its form sent)."""
    unit = ctx.master.unit(code)
    if unit is None:
        raise KeyError(code)
    return unit


@rule("indicator-duplicate", per_line=False)
def indicator_duplicate(ctx: Ctx) -> Iterator[Issue]:
    """Two rows of one indicator code in a unit sheet: the first row is used, the later ones
    are ignored and reported."""
    for code, read in ctx.unit_sheets.items():
        sheet = _unit(ctx, code).sheet_name
        seen: dict[str, int] = {}
        for i, kode in enumerate(read.values["kode"]):  # by column: no Row made per row
            kode = str(kode or "").strip()
            if kode in seen:
                yield make_issue("indicator-duplicate", sheet=sheet, cell=read.cell("kode", i), unit=code,
                                 indicator=kode, value=kode, other_row=seen[kode], field="kode")
            elif kode:
                seen[kode] = read.numbers[i]


@rule("unit-row-unknown", per_line=False)
def unit_row_unknown(ctx: Ctx) -> Iterator[Issue]:
    """A row in a unit sheet whose code is not one of the unit's indicators (another unit's
    code, or a code not on the Indikator sheet): its values are not used."""
    for code, read in ctx.unit_sheets.items():
        sheet = _unit(ctx, code).sheet_name
        for i, kode in enumerate(read.values["kode"]):
            kode = str(kode or "").strip()
            other = ctx.master.indicator(kode)
            if kode and (other is None or other.unit != code):
                yield make_issue("unit-row-unknown", sheet=sheet, cell=read.cell("kode", i), unit=code,
                                 value=kode, row=read.numbers[i], field="kode",
                                 owner=f" (indikator unit '{other.unit}')" if other else "")


@rule("unit-row-missing")
def unit_row_missing(ctx: Ctx, line: Line) -> Iterator[Issue]:
    """An indicator of the unit with no row in the unit's sheet: nowhere to record its values."""
    if line.at is None and line.unit.kode in ctx.unit_sheets:
        yield make_issue("unit-row-missing", sheet=line.sheet, cell="A1", unit=line.unit.kode,
                         indicator=line.ind.kode)


# ----------------------------------------------------------------------------------- process rules


@rule("return-late", per_line=False)
def return_late(ctx: Ctx) -> Iterator[Issue]:
    """Per unit sent a form (sheet Distribusi), its return used for the latest round (sheet
    Penerimaan) came after the round's deadline (Distribusi 'Batas Waktu', else Pengaturan
    'Batas Waktu Pengisian'), in working time, as `deadlines.unit_return_timing` counts it. A
    deadline earlier than the round's forms (a revision round handed out after the original
    deadline) does not count; the SOP's fill-in time standard from distribution still does."""
    yield from (i for i in _returns(ctx) if i.code == "return-late")


@rule("unit-not-returned", per_line=False)
def unit_not_returned(ctx: Ctx) -> Iterator[Issue]:
    """Per unit sent a form: no return used for its latest round while its realisasi for the
    period is incomplete. Late by then (same clock as 'return-late'): an error
    ('unit-not-returned'); otherwise a warning ('unit-pending'). A unit never sent a form, or
    whose values were typed into its sheet in full, is not chased."""
    yield from (i for i in _returns(ctx) if i.code in ("unit-not-returned", "unit-pending"))


def _returns(ctx: Ctx) -> Iterator[Issue]:
    sent = read_rows(ctx.loaded, S.DISTRIBUSI)
    received = read_rows(ctx.loaded, S.PENERIMAAN)
    for t in deadlines.unit_return_timing(ctx.loaded, {}, ctx.now):
        if t.putaran is None and t.distributed is None:
            continue  # never sent a form
        if t.deadline and t.distributed and t.deadline < t.distributed:
            t = replace(t, deadline=None, late_minutes=0.0, late_days=0)
        unit = _unit(ctx, t.unit)
        where: dict[str, Any] = dict(unit=t.unit, head=unit.kepala or "-", contact=unit.kontak or "-",
                                     round=t.putaran or 1)
        due = t.deadline if t.late_minutes > 0 else t.sop_due
        if t.returned:
            if t.late:
                row = next((r for r in received if str(r.values["unit"] or "").upper() == t.unit
                            and r.values["diterima"] == t.received), None)
                yield make_issue("return-late", sheet=S.PENERIMAAN.sheet,
                                 cell=row.cell("diterima") if row else f"A{S.PENERIMAAN.header_row + 1}",
                                 late=t.late_text(), deadline=timing.waktu_text(due), value=t.received, **where)
            continue
        if all(_complete(line, ctx) for line in ctx.lines if line.unit.kode == t.unit):
            continue
        row = next((r for r in reversed(sent) if str(r.values["unit"] or "").upper() == t.unit), None)
        cell = row.cell("unit") if row else None
        if t.late:
            yield make_issue("unit-not-returned", sheet=S.DISTRIBUSI.sheet, cell=cell, late=t.late_text(),
                             **where)
        else:
            deadline = t.deadline or t.sop_due
            yield make_issue("unit-pending", sheet=S.DISTRIBUSI.sheet, cell=cell,
                             deadline=format_waktu(deadline) if deadline else "belum ditentukan", **where)


# ----------------------------------------------------------------------------------- running the rules


def build_context(loaded: Loaded, now: datetime) -> Ctx:
    m = loaded.master
    assert m is not None
    p, rules = m.settings.period, m.settings.rules
    uncapped = rules.model_copy(update={"batas_atas_capaian": None})
    unit_sheets: dict[str, ReadTable] = {}
    lines: list[Line] = []
    for unit in m.units:
        first: dict[str, int] = {}  # code -> its first data row in the unit sheet
        read: ReadTable | None = None
        if unit.sheet_name in loaded.rows:
            read = loaded.unit_tables.get(unit.kode) or read_table(
                loaded.rows[unit.sheet_name], S.unit_data_table(unit.sheet_name), Report())
            unit_sheets[unit.kode] = read
            for i, kode in enumerate(read.values["kode"]):
                first.setdefault(str(kode or "").strip(), i)
        for ind in m.indicators_of(unit.kode):
            res = m.results.get(ind.kode) or Result(indikator=ind.kode)
            rumus = m.turun_formula(ind)
            ach = achievement(ind, res, p, rules, rumus)
            raw = ratio(ach.target, ach.realisasi, ind.polaritas, rumus, uncapped)[0]
            lines.append(Line(unit, ind, res, unit.sheet_name, read, first.get(ind.kode), ach, raw))
    return Ctx(loaded, m, now, lines, unit_sheets)


def run_rules(ctx: Ctx) -> list[Issue]:
    """Every rule over every indicator; a rule never stops another (lazy validation)."""
    out: list[Issue] = []
    for r in RULES:
        if r.per_line:
            for line in ctx.lines:
                out.extend(r.check(ctx, line))
        else:
            out.extend(r.check(ctx))
    return out


# ----------------------------------------------------------------------------------- the outcome


@dataclass
class Found:
    """One issue on the Validasi sheet, with where it came from and where it points."""

    issue: Issue
    source: str  # 'aturan' (rules), 'induk' (loading the master), 'himpun' (collecting)
    lokasi: str  # the location text shown (also part of the decision key)
    target: str | None  # internal link target '#'Sheet'!A1'
    catatan: object = None  # the Sekretaris' note on this finding (goes onto the revision form)
    row: int = 0  # its row on the Temuan Validasi sheet

    @property
    def key(self) -> tuple[str, str, str, str]:
        loc = self.issue.location
        return (self.issue.code, loc.unit or "", loc.indicator or "", self.lokasi)


@dataclass
class UnitDecision:
    keputusan: str | None  # 'terima' / 'kembalikan' / None
    raw: object
    catatan: object
    cell: str  # the Keputusan cell on the Validasi sheet


@dataclass
class ValidationOutcome:
    report: Report
    writes: WorkbookWrites
    ready: bool  # no Kesalahan left: the rekap can go to the report (once approved)
    found: list[Found] = field(default_factory=list)  # in sheet order
    counts: dict[str, dict[str, int]] = field(default_factory=dict)  # unit -> severity -> n
    decisions: dict[str, UnitDecision] = field(default_factory=dict)  # unit -> its decision
    approval: Approval | None = None
    ctx: Ctx | None = None  # what the rules saw (review re-renders from it)

    def to_dict(self) -> dict[str, Any]:
        return {"siap": self.ready, **self.report.to_dict()}

    def summary_lines(self) -> list[str]:
        if self.ctx is None:  # the master could not be read: nothing was validated or written
            return ["Lembar Validasi tidak diperbarui: workbook induk tidak dapat dibaca (lihat temuan)."]
        state = ("Rekap siap untuk laporan setelah disetujui Sekretaris." if self.ready
                 else "Rekap belum siap: perbaiki kesalahan dahulu.")
        return [f"Lembar Validasi diperbarui. {state}"]


@gc_paused()  # tens of thousands of findings and lines: no collector pass walks the loaded master
def validate(loaded: Loaded, now: datetime) -> ValidationOutcome:
    """Run the data rules, gather earlier findings, write the Validasi sheet and highlights."""
    m = loaded.master
    if m is None:
        return ValidationOutcome(Report(issues=list(loaded.report.issues)), WorkbookWrites(), False)
    ctx = build_context(loaded, now)
    found = gather(ctx)
    approval = approval_status(loaded)
    decisions = _read_decisions(loaded, m, found)
    report = Report(issues=[f.issue for f in found])
    out = ValidationOutcome(report, WorkbookWrites(), not report.blocking, found, _counts(m, found),
                            decisions, approval, ctx)
    out.writes = render(ctx, out)
    out.writes.extend(timing.stamp(loaded, "validasi", start=now))
    return out


def gather(ctx: Ctx) -> list[Found]:
    """Issues from the rules, from loading the master and from collecting, in sheet order."""
    m, loaded = ctx.master, ctx.loaded
    unit_of = {i.kode: i.unit for i in m.indicators}
    sheet_unit = {u.sheet_name: u.kode for u in m.units}
    items: list[Found] = []
    rules = run_rules(ctx)
    for issue in rules:
        items.append(_found(issue, "aturan", ctx))
    for issue in loaded.report.issues:
        items.append(_found(issue, "induk", ctx))
    # a fact collect found in the form and a rule finds again in the master is shown once, on the
    # master's cell; an inconsistent indicator is two facts (the form's copy, the sheet's copy)
    rule_keys = {(i.code, i.location.unit, i.location.indicator) for i in rules
                 if i.code != "indicator-inconsistent"}
    temuan = loaded.rows.get(S.TEMUAN_HIMPUN.sheet) or []
    for r, raw in enumerate(temuan[S.TEMUAN_HIMPUN.header_row:], start=S.TEMUAN_HIMPUN.header_row + 1):
        values = list(raw) + [None] * (len(S.TEMUAN_HIMPUN.columns) - len(raw))
        issue = issue_from_row(values)
        if issue is None or (issue.code, issue.location.unit, issue.location.indicator) in rule_keys:
            continue
        items.append(_found(issue, "himpun", ctx, temuan_row=r))
    for f in items:  # every issue gets its unit when it can be told
        loc = f.issue.location
        loc.unit = loc.unit or unit_of.get(loc.indicator or "") or sheet_unit.get(loc.sheet or "")
    units = {u.kode: n for n, u in enumerate(m.units)}
    order = {i.kode: n for n, i in enumerate(m.indicators)}
    items.sort(key=lambda f: (f.issue.severity.rank, units.get(f.issue.location.unit or "", len(units)),
                              order.get(f.issue.location.indicator or "", len(order)), f.issue.code, f.lokasi))
    for n, f in enumerate(items):
        f.row = FIRST_ROW + n
    return items


def _found(issue: Issue, source: str, ctx: Ctx, temuan_row: int | None = None) -> Found:
    loc = issue.location
    sheets = ctx.loaded.sheets
    if source != "himpun" and loc.sheet in sheets:
        cell = loc.cell if loc.cell and not loc.cell.startswith("?") else "A1"
        return Found(issue, source, f"{loc.sheet}!{cell}", f"#'{loc.sheet}'!{cell}")
    if source == "himpun":
        unit = ctx.master.unit(loc.unit or "")
        row = ctx.loaded.unit_rows.get(loc.unit or "", {}).get(loc.indicator or "")
        if unit and row:
            target = f"#'{unit.sheet_name}'!A{row}"
        elif unit and unit.sheet_name in sheets:
            target = f"#'{unit.sheet_name}'!A1"
        else:
            target = f"#'{S.TEMUAN_HIMPUN.sheet}'!A{temuan_row}"
        return Found(issue, source, loc.text() or S.TEMUAN_HIMPUN.sheet, target)
    return Found(issue, source, loc.text() or "-", None)


def _counts(m: Master, found: list[Found]) -> dict[str, dict[str, int]]:
    counts = {u.kode: {s.value: 0 for s in Severity} for u in m.units}
    for f in found:
        if f.issue.location.unit in counts:
            counts[f.issue.location.unit][f.issue.severity.value] += 1
    return counts


def _read_decisions(loaded: Loaded, m: Master, found: list[Found]) -> dict[str, UnitDecision]:
    """What the Sekretaris typed: each unit's Keputusan and Catatan on the Validasi sheet, and
    the notes on findings (Temuan Validasi, matched by code + unit + indicator + location)."""
    rows = loaded.rows.get(TV.sheet) or []
    read = read_table(rows, TV, Report())
    earlier: dict[tuple, object] = {}
    for row in read.rows:
        v = row.values
        if v.get("kode_masalah") is None or v.get("catatan") in (None, ""):
            continue
        key = (str(v["kode_masalah"]), str(v.get("unit") or ""), str(v.get("indikator") or ""),
               str(v.get("lokasi") or ""))
        earlier[key] = v["catatan"]
    for f in found:
        f.catatan = earlier.get(f.key)
    vrows = loaded.rows.get(V.sheet) or []
    vread = read_table(vrows, V, Report())
    typed: dict[str, tuple[object, object, str]] = {}
    cols = vread.columns
    for row in vread.rows:
        code = str(row.values.get("unit") or "").strip().upper()
        raw = vrows[row.number - 1]
        kep = raw[cols["keputusan"]] if "keputusan" in cols and cols["keputusan"] < len(raw) else None
        cat = raw[cols["catatan"]] if "catatan" in cols and cols["catatan"] < len(raw) else None
        if code:
            typed[code] = (kep, cat, row.cell("keputusan"))
    out: dict[str, UnitDecision] = {}
    col = V.letter("keputusan")
    for n, unit in enumerate(active_units(m)):  # a unit's row in unit order, as unit_decision_cell
        kep, cat, cell = typed.get(unit.kode, (None, None, f"{col}{FIRST_UNIT_ROW + n}"))
        out[unit.kode] = UnitDecision(parse_decision(kep), kep, cat, cell)
    return out


# ----------------------------------------------------------------------------------- writing

REKAP_KEYS = {"capaian": "capaian", "penjelasan": "penjelasan", "bukti": "bukti", "kode": "kode",
              "realisasi_anggaran": "realisasi_anggaran", "target_tahunan": "target", "nama": "indikator",
              "satuan": "satuan", **{f"r{q}": "realisasi" for q in range(1, 5)},
              **{f"t{q}": "target" for q in range(1, 5)}}


def _note(issues: list[Issue]) -> tuple[str, str]:
    """(fill, note) for one cell carrying one or more issues: the most severe colours it."""
    worst = min(issues, key=lambda i: i.severity.rank)
    note = "\n".join(f"[{i.severity.label}] {i.message} {i.action}" for i in issues)
    return SEVERITY_FILL[worst.severity.value], note


def render(ctx: Ctx, out: ValidationOutcome, statuses: dict[str, str] | None = None,
           consumed: Collection[str] = frozenset(), approval: Approval | None = None) -> WorkbookWrites:
    """The writes for the Validasi sheet, the highlights, the Rekap and the Katalog.

    statuses: each unit's status (defaults to the approval state read from Riwayat).
    consumed: units whose decisions the review just acted on (their decision cells are emptied).
    """
    m = ctx.master
    approval = approval or out.approval or approval_status(ctx.loaded)
    statuses = statuses or approval.units
    w = WorkbookWrites()
    # the consolidation being validated, with each unit's status and the paraf line
    # the rules' lines are the consolidation (unit order, then indicator order), capaian and all
    consolidated = [RekapRow(line.unit, line.ind, m.results.get(line.ind.kode), line.ach) for line in ctx.lines]
    rekap = rekap_writes(m, consolidated, statuses={k: v for k, v in statuses.items()
                                                    if v in (DISETUJUI, DIKEMBALIKAN, DIPERBAIKI, BERUBAH)})
    w.extend(rekap)
    own = {r.indicator.kode: r.ach for r in consolidated}
    w.sheet(S.RINGKASAN.sheet).cells.update(ringkasan_block(ctx.loaded, m, own))
    rk = w.sheet(S.REKAP.sheet)
    rk.clear_marks = True
    rk.cells["A2"] = approval.paraf_line()
    rekap_index = {r.indicator.kode: n for n, r in enumerate(consolidated)}
    marks: dict[tuple[str, str], list[Issue]] = {}
    unit_sheets = {u.sheet_name: u for u in m.units}
    for f in out.found:
        loc = f.issue.location
        key = f.issue.params.get("field") or "kode"
        if f.source != "himpun" and loc.sheet in unit_sheets and loc.cell and loc.cell[0] != "?" \
                and loc.cell != "A1":
            marks.setdefault((loc.sheet, loc.cell), []).append(f.issue)
        elif f.source == "himpun" and (unit := m.unit(loc.unit or "")) is not None:
            row = ctx.loaded.unit_rows.get(unit.kode, {}).get(loc.indicator or "")
            if row is not None:  # the form's cell is not in the master: mark the indicator's row
                cell = f"{S.unit_data_table(unit.sheet_name).letter('kode')}{row}"
                marks.setdefault((unit.sheet_name, cell), []).append(f.issue)
        if loc.indicator in rekap_index:
            cell = rekap_cell(rekap_index[loc.indicator], REKAP_KEYS.get(key, "kode"))
            marks.setdefault((S.REKAP.sheet, cell), []).append(f.issue)
    for unit in m.units:
        if unit.sheet_name in ctx.loaded.sheets:
            sw = w.sheet(unit.sheet_name, S.unit_data_table(unit.sheet_name))
            sw.clear_marks = True
    for (sheet, cell), issues in marks.items():
        w.sheet(sheet).marks.append(Mark(cell, *_note(issues)))
    _validasi_sheet(w, ctx, out, statuses, consumed, approval)
    w.sheet(S.KATALOG.sheet, S.KATALOG).rows = catalogue_rows()
    return w


def _legend(sw, row: int, first: str, items: tuple[tuple[str, str], ...]) -> None:
    """One meaning per colour: 'Warna:' then one coloured cell per colour saying what it means,
    from column `first` on (columns wide enough for the words)."""
    start = column_index_from_string(first)
    sw.cells[f"{get_column_letter(start - 1)}{row}"] = "Warna:"
    for j, (fill, label) in enumerate(items, start):
        ref = f"{get_column_letter(j)}{row}"
        sw.cells[ref] = label
        sw.marks.append(Mark(ref, fill))


# Validasi's heading under its title: the status, the next step and the one-decision rule (the
# link to Temuan Validasi and the colour legend below them stay from period to period)
STATUS_CELLS = ("A2", "A3", "A4")


def unvalidated_heading(cells: dict[str, Any], period_label: str) -> None:
    """Validasi's heading for a period not validated yet (a new period's master)."""
    for ref in STATUS_CELLS:
        cells[ref] = None
    cells["A1"] = f"{S.VALIDASI.title} - {period_label} (belum divalidasi)"


def _validasi_sheet(w: WorkbookWrites, ctx: Ctx, out: ValidationOutcome, statuses: dict[str, str],
                    consumed: Collection[str], approval: Approval) -> None:
    """The Validasi sheet (one row per unit, the one decision per unit) and the Temuan Validasi
    sheet (one row per finding, with a title from the catalogue and the Sekretaris' note)."""
    m = ctx.master
    units = active_units(m)
    period = m.settings.period.label()
    # -- the findings
    tw = w.sheet(TV.sheet, TV)
    tw.clear_marks = True
    rows = []
    for n, f in enumerate(out.found, 1):
        i, loc = f.issue, f.issue.location
        keep = loc.unit not in consumed
        rows.append([n, i.severity.label, loc.unit, loc.indicator, i.title, i.message, i.action,
                     Link(f.lokasi, f.target) if f.target else f.lokasi, i.value,
                     f.catatan if keep else None, i.code, i.category.value])
        tw.marks.append(Mark(f"{TV.letter('tingkat')}{f.row}", SEVERITY_FILL[i.severity.value]))
    tw.rows = rows
    tw.cells["A1"] = f"{TV.title} - {m.settings.office.nama} - {period}"
    decide = f"{V.letter('keputusan')}{V.header_row}"
    tw.cells["A2"] = Link(f"Keputusan (Terima atau Kembalikan) dibuat per unit di kolom Keputusan sheet '{V.sheet}' "
                          f"(klik di sini). Di sini Sekretaris boleh menambah catatan per temuan; catatan itu ikut "
                          f"tertulis di formulir perbaikan unit.", f"#'{V.sheet}'!{decide}")
    _legend(tw, 3, TV.letter("masalah"), LEGEND[:4])
    # -- one row per unit
    sw = w.sheet(V.sheet, V)
    sw.clear_marks = True
    sw.select = True
    c = out.report.counts()
    totals = f"Kesalahan {c['error']}, Peringatan {c['warning']}, Informasi {c['info']}"
    if approval.approved:
        state = f"DISETUJUI oleh {approval.by}. {totals}."
    elif out.ready:
        state = f"SIAP untuk laporan setelah disetujui Sekretaris. {totals}."
    else:
        state = f"BELUM SIAP untuk laporan: kesalahan harus diperbaiki dahulu. {totals}."
    cells = sw.cells
    cells["A1"] = (f"{V.title} - {m.settings.office.nama} - {period} (putaran {approval.round}; "
                   f"divalidasi {ctx.now:%d/%m/%Y %H.%M})")
    status, step, rule = STATUS_CELLS
    cells[status] = f"Status rekap: {state}"
    cells[step] = (f"Langkah berikutnya: isi kolom Keputusan (Terima atau Kembalikan) dan Catatan untuk "
                   f"setiap unit, lalu klik tombol '{REVIEW_BUTTON}' pada tab Data Kinerja.")
    cells[rule] = (f"Satu keputusan per unit, hanya di kolom Keputusan ini; catatan per temuan di sheet "
                   f"'{TV.sheet}' ikut tertulis di formulir perbaikan. Tanpa Excel: kinerja review "
                   f"{ctx.loaded.path.name}")
    # the other sheet named and one click away: the findings are their own sheet (their own
    # columns and print titles, see docs/ARCHITECTURE.md), the decision stays here
    cells["A5"] = Link(f"Rincian setiap temuan (pesan, saran, lokasi, catatan per temuan): sheet '{TV.sheet}' "
                       f"(klik di sini).", f"#'{TV.sheet}'!A{TV.header_row}")
    _legend(sw, 6, V.letter("nama_unit"), (LEGEND[0], LEGEND[4], *LEGEND[1:4]))
    unit_rows = []
    for j, unit in enumerate(units):
        dec = out.decisions.get(unit.kode)
        kept = dec if dec is not None and unit.kode not in consumed else None
        counts = out.counts[unit.kode]
        unit_rows.append([j + 1, unit.kode, unit.nama, statuses.get(unit.kode, MENUNGGU), counts["error"],
                          counts["warning"], counts["info"],
                          DECISIONS.get(kept.keputusan or "", kept.raw) if kept else None,
                          kept.catatan if kept else None])
        sw.marks.append(Mark(f"{V.letter('kesalahan')}{FIRST_UNIT_ROW + j}",
                             SEVERITY_FILL["error"] if counts["error"] else CLEAN_FILL))
    sw.rows = unit_rows
    col = V.letter("keputusan")
    sw.choices[f"{col}{FIRST_UNIT_ROW}:{col}{FIRST_UNIT_ROW + max(MAX_UNIT_ROWS, len(unit_rows))}"] = \
        list(DECISIONS.values())


# ----------------------------------------------------------------------------------- the catalogue page

KATALOG_DOC = Path(__file__).resolve().parents[2] / "docs" / "KATALOG.md"
_SECTIONS = {Category.structure: "Struktur (file, sheet, kolom)", Category.data: "Data (nilai)",
             Category.process: "Proses (SOP: waktu, putaran, persetujuan)"}


def catalogue_markdown() -> str:
    """docs/KATALOG.md: the issue catalogue from `issues.catalogue_rows()`, by category."""
    def cell(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    lines = ["# Katalog Kode Masalah", "",
             "Setiap temuan kinerja memakai satu kode tetap dari katalog ini (di workbook induk: sheet "
             "'Katalog Masalah'). Tingkat **Kesalahan** menghalangi laporan, **Peringatan** perlu "
             "diperiksa, **Informasi** sekadar catatan. Isian `{...}` diganti dengan nilai temuan.", "",
             "Halaman ini dibuat dari `kinerja.issues.catalogue.catalogue_rows()` oleh "
             "`kinerja.stages.validate.write_catalogue_doc()`; jangan disunting langsung.", ""]
    rows = catalogue_rows()
    for cat, title in _SECTIONS.items():
        lines += [f"## {title}", "", "| Kode | Tingkat | Judul | Pesan | Saran tindakan |",
                  "|---|---|---|---|---|"]
        lines += [f"| `{r[0]}` | {r[1]} | {cell(r[3])} | {cell(r[4])} | {cell(r[5])} |"
                  for r in rows if r[2] == cat.value]
        lines.append("")
    return "\n".join(lines)


def write_catalogue_doc(path: Path = KATALOG_DOC) -> Path:
    path.write_text(catalogue_markdown(), encoding="utf-8")
    return path
