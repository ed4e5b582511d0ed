"""What a document the head signs must satisfy, and what it must say about the exceptions.

Three things stop a report from being final, each found in `kinerja check`, in validation and
again when the report is made:

- a blank target for the current period (the capaian cannot be computed, the report would print
  '-'): unless the Sekretaris accepts it by writing the indicator's code in Pengaturan 'Target
  Kosong Diterima Sekretaris';
- with 'Wajib Penjelasan Jika Di Bawah Target', a capaian below target without an explanation:
  unless the Sekretaris accepts it by writing the code in Pengaturan 'Tanpa Penjelasan Diterima
  Sekretaris'. Approving such a unit is refused (kinerja.stages.review);
- the report states every acceptance (`notes`).

Also here: which indicators an average leaves out and why (`exclusions`), and period words in
hand-typed texts (`period_text_issues`, `without_period`): every period word in a document comes
from the period setting, so a text typed for an earlier period is found and left out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from kinerja.domain.models import ROMAN, Indicator, Master, Period
from kinerja.domain.numbers import format_percent
from kinerja.issues.catalogue import Issue, Report, make_issue
from kinerja.stages.rekap import RekapRow
from kinerja.workbook import sheets as S
from kinerja.workbook.master import Loaded
from kinerja.workbook.tables import norm, read_table

TARGET_SETTING = "Target Kosong Diterima Sekretaris"
EXPLANATION_SETTING = "Tanpa Penjelasan Diterima Sekretaris"


def _label(key: str) -> str:
    return next(s.label for s in S.SETTINGS if s.key == key)


assert _label("target_kosong_diterima") == TARGET_SETTING
assert _label("penjelasan_dikecualikan") == EXPLANATION_SETTING


def _norm_codes(codes: Iterable[str]) -> set[str]:
    return {c.strip().upper() for c in codes}


# ----------------------------------------------------------------------------------- blank targets


@dataclass
class BlankTarget:
    indicator: Indicator
    column: str  # the Indikator sheet column that is blank: tw1..tw4 or target_tahunan
    quarter: str  # 'TW III', 'Tahunan'
    accepted: bool


def _target_columns(ind: Indicator, period: Period) -> list[tuple[str, str]]:
    """The Indikator sheet columns the period's target is taken from (as capaian.period_target)."""
    if period.jenis == "tahunan":  # typing the yearly target completes it, whatever the method
        return [("target_tahunan", "tahunan")]
    if ind.metode == "nilai_akhir":
        q = period.last_quarter
        return [(f"tw{q}", f"TW {ROMAN[q - 1]}")]
    qs = range(1, period.last_quarter + 1) if ind.metode == "kumulatif" else period.quarters
    return [(f"tw{q}", f"TW {ROMAN[q - 1]}") for q in qs]


def blank_targets(master: Master) -> list[BlankTarget]:
    """Indicators whose target for the current period is blank (capaian cannot be computed)."""
    from kinerja.domain.capaian import period_target

    period = master.settings.period
    accepted = _norm_codes(master.settings.target_kosong_diterima)
    out = []
    for ind in master.indicators:
        if period_target(ind, period) is not None:
            continue
        blank = [(c, q) for c, q in _target_columns(ind, period) if _target_value(ind, c) is None]
        column, quarter = blank[0] if blank else _target_columns(ind, period)[-1]
        out.append(BlankTarget(ind, column, quarter, ind.kode.upper() in accepted))
    return out


def _target_value(ind: Indicator, column: str) -> float | None:
    if column == "target_tahunan":
        return ind.target_tahunan
    return ind.target_for_quarter(int(column[2]))


def blank_target_issues(loaded: Loaded) -> list[Issue]:
    """`target-period-blank` (error) at the Indikator sheet cell of each blank target of the
    period, or `target-period-blank-accepted` (info) when the Sekretaris accepted it."""
    m = loaded.master
    if m is None:
        return []
    blanks = blank_targets(m)
    if not blanks:
        return []
    rows = {str(r.values.get("kode") or "").strip(): r
            for r in read_table(loaded.rows.get(S.INDIKATOR.sheet) or [], S.INDIKATOR, Report()).rows}
    out = []
    for b in blanks:
        row = rows.get(b.indicator.kode)
        out.append(make_issue("target-period-blank-accepted" if b.accepted else "target-period-blank",
                              file=loaded.path.name, sheet=S.INDIKATOR.sheet,
                              cell=row.cell(b.column) if row else None, unit=b.indicator.unit,
                              indicator=b.indicator.kode, quarter=b.quarter, setting=TARGET_SETTING,
                              field=b.column))
    return out


# ----------------------------------------------------------------------------------- explanations


def needs_explanation(master: Master, row: RekapRow) -> bool:
    """Below target with no explanation while 'Wajib Penjelasan' is on."""
    return (master.settings.rules.wajib_penjelasan and row.below_target
            and not (row.result.penjelasan.strip() if row.result else ""))


def excepted(master: Master, kode: str) -> bool:
    """The Sekretaris accepted this indicator below target without an explanation."""
    return kode.strip().upper() in _norm_codes(master.settings.penjelasan_dikecualikan)


def unexplained(master: Master, rows: list[RekapRow], unit: str | None = None) -> list[RekapRow]:
    """Rows below target with no explanation and no exception recorded (wajib penjelasan on)."""
    return [r for r in rows if (unit is None or r.unit.kode == unit) and needs_explanation(master, r)
            and not excepted(master, r.indicator.kode)]


def indicator_list(rows: list[RekapRow], decimals: int = 2) -> str:
    """'SEK.02 (85%), PEM.01 (83,33%)'."""
    return ", ".join(f"{r.indicator.kode} ({format_percent(r.ach.capaian, decimals)})" for r in rows)


# ----------------------------------------------------------------------------------- what a report states


def exclusions(rows: list[RekapRow]) -> list[tuple[str, list[str]]]:
    """(reason, indicator codes) for the indicators an average of capaian leaves out."""
    reasons: dict[str, list[str]] = {}
    for r in rows:
        if r.ach.capaian is not None:
            continue
        codes = {code for code, _ in r.ach.notes}
        if "target-zero" in codes:
            why = "targetnya nol"
        elif "realisasi-zero-turun" in codes:
            why = "realisasinya nol pada rumus T/R"
        elif "capaian-out-of-range" in codes:
            why = "capaiannya terlalu besar untuk dihitung"
        elif r.ach.target is None:
            why = "targetnya kosong"
        else:
            why = "realisasinya belum diisi"
        reasons.setdefault(why, []).append(r.indicator.kode)
    return list(reasons.items())


def exclusion_text(rows: list[RekapRow]) -> str:
    """'2 indikator tidak dihitung karena targetnya nol (SEK.07, YANUM.02)'; '' when none."""
    return "; ".join(f"{len(codes)} indikator tidak dihitung karena {why} ({', '.join(codes)})"
                     for why, codes in exclusions(rows))


def notes(master: Master, rows: list[RekapRow], decimals: int = 2) -> list[str]:
    """What the Sekretaris accepted, one sentence each, for the report."""
    out = []
    for b in blank_targets(master):
        if b.accepted:
            out.append(f"Target {b.quarter} indikator {b.indicator.kode} ({b.indicator.nama}) kosong; "
                       "diterima Sekretaris, capaiannya tidak dihitung.")
    for r in rows:
        if needs_explanation(master, r) and excepted(master, r.indicator.kode):
            out.append(f"Indikator {r.indicator.kode} ({r.indicator.nama}) dengan capaian "
                       f"{format_percent(r.ach.capaian, decimals)} di bawah target tanpa penjelasan; "
                       "diterima Sekretaris sebagai pengecualian.")
    return out


def fitness_issues(loaded: Loaded, rows: list[RekapRow]) -> list[Issue]:
    """Why the report cannot be final yet (`report-not-fit`, one issue per kind of problem)."""
    m = loaded.master
    assert m is not None
    out = []
    blank = [b for b in blank_targets(m) if not b.accepted]
    if blank:
        out.append(make_issue("report-not-fit", sheet=S.INDIKATOR.sheet, setting=TARGET_SETTING,
                              detail=f"target periode ini kosong untuk {len(blank)} indikator ("
                                     + ", ".join(f"{b.indicator.kode} {b.quarter}" for b in blank) + ")"))
    missing = unexplained(m, rows)
    if missing:
        out.append(make_issue("report-not-fit", sheet=S.REKAP.sheet, setting=EXPLANATION_SETTING,
                              detail=f"{len(missing)} indikator di bawah target tanpa penjelasan ("
                                     + indicator_list(missing, m.settings.rules.desimal) + ")"))
    return out


# ----------------------------------------------------------------------------------- period words

_PERIOD = re.compile(
    r"\b(?P<kind>triwulan|tw|semester|smt)\s*\.?\s*(?P<no>iv|iii|ii|i|[1-4])\b"
    r"|\b(?P<year_word>tahun(?:\s+anggaran)?|ta\.?)\s+(?P<year>\d{4})\b",
    re.IGNORECASE)
_ROMAN_NO = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
# the settings typed by hand that end up in documents
TEXT_SETTINGS = ("hal", "kop_1", "kop_2", "kop_3", "sifat", "yth", "di", "tembusan", "alamat", "nama_instansi")


def period_mentions(text: str) -> list[tuple[str, str, int]]:
    """The period words in a text: (matched text, 'triwulan'/'semester'/'tahun', number)."""
    out = []
    for m in _PERIOD.finditer(text or ""):
        if m.group("year"):
            out.append((m.group(0), "tahun", int(m.group("year"))))
            continue
        kind = "semester" if m.group("kind").lower() in ("semester", "smt") else "triwulan"
        no = m.group("no").lower()
        out.append((m.group(0), kind, int(no) if no.isdigit() else _ROMAN_NO[no]))
    return out


def _stale(period: Period, kind: str, number: int) -> bool:
    if kind == "tahun":
        return number != period.tahun
    return period.jenis != kind or period.nomor != number


def without_period(text: str) -> str:
    """A hand-typed text with its period words taken out: 'Penyampaian Data Capaian Kinerja
    Triwulan III Tahun 2026' -> 'Penyampaian Data Capaian Kinerja'. Documents add the period
    from the period setting."""
    cleaned = _PERIOD.sub("", text or "")
    return re.sub(r"\s+([,.;:])", r"\1", " ".join(cleaned.split())).strip(" ,-")


def period_text_issues(loaded: Loaded) -> list[Issue]:
    """`period-text-stale` (warning) for a Pengaturan text that names another period than the
    period setting (a letter's 'Hal' typed for Triwulan III, kept after moving to Triwulan I)."""
    m = loaded.master
    rows = loaded.rows.get(S.SETTINGS_SHEET) or []
    if m is None:
        return []
    labels = {norm(s.label): s for s in S.SETTINGS if s.key in TEXT_SETTINGS}
    out = []
    for r, row in enumerate(rows, 1):
        setting = labels.get(norm(row[0])) if row else None
        if setting is None or len(row) < 2 or not isinstance(row[1], str):
            continue
        stale = [t for t, kind, no in period_mentions(row[1]) if _stale(m.settings.period, kind, no)]
        if stale:
            out.append(make_issue("period-text-stale", file=loaded.path.name, sheet=S.SETTINGS_SHEET,
                                  cell=f"B{r}", key=setting.label, value=row[1], found=", ".join(stale),
                                  period=m.settings.period.label()))
    return out


_JINJA = re.compile(r"\{[{%#].*?[}%#]\}", re.S)


def template_period_issues(path: Path, period: Period) -> list[Issue]:
    """`template-period-text` (warning) for text typed into an office's Word template that names
    another period than the period setting (a heading 'Triwulan II Tahun 2026' typed over
    {{ periode }}). Jinja tags are left out: what they print comes from the settings."""
    from docx import Document

    try:
        doc = Document(str(path))
    except Exception:  # noqa: BLE001 - an unreadable template is reported by check_template
        return []
    texts: list[str] = []

    def walk(paragraphs, tables) -> None:
        texts.extend(p.text for p in paragraphs)
        for t in tables:
            for row in t.rows:
                for c in row.cells:
                    walk(c.paragraphs, c.tables)

    walk(doc.paragraphs, doc.tables)
    for section in doc.sections:
        for part in (section.header, section.footer):
            walk(part.paragraphs, part.tables)
    out, seen = [], set()
    for text in texts:
        plain = _JINJA.sub(" ", text)
        # 'TW I' .. 'TW IV' in a template are column labels of the year's quarters, not the period
        stale = [t for t, kind, no in period_mentions(plain)
                 if _stale(period, kind, no) and not t.lower().startswith("tw")]
        if stale and plain not in seen:
            seen.add(plain)
            out.append(make_issue("template-period-text", file=Path(path).name, value=" ".join(plain.split())[:120],
                                  found=", ".join(stale), period=period.label()))
    return out
