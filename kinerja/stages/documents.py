"""SOP steps 12-14: the performance-data report for signing, the numbered cover letter, PDF.

Documents come from Word templates (docxtpl, Jinja tags) that staff may edit: the built-in ones
in the repository's `templates/` folder, or the office's own in the folder named by the
master's setting 'Folder Templat Word'. A template is checked before anything is written: it
must use every required field and no unknown one.

Letter numbers come from the master's 'Register Surat' sheet: the next running number of a
year is one more than the largest number used that year, both in the register's rows and in
the counter cell (I2, "2026: 7; 2025: 31"). The counter only grows, so deleting the last
register row never gives its number out again; staff can raise the counter (or add a row) to
skip numbers taken by other letters of the office. A draft (forced, unapproved) letter gets no
number and no register row.
"""

from __future__ import annotations

import getpass
import importlib
import os
import re
import string
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from kinerja.charts import Charts, trend_chart, unit_chart
from kinerja.domain.models import ROMAN, Master, Period
from kinerja.domain.numbers import format_date, format_datetime, format_number, format_percent, format_value
from kinerja.issues.catalogue import Issue, Report, Severity, make_issue
from kinerja.issues.explain import TEMPLATE_FAILED, explain, log
from kinerja.stages.approval import Approval, approval_status
from kinerja.stages.compare import SasaranTrend, last_year, report_rows, trends
from kinerja.stages.rekap import RekapRow, Summary, consolidate, summaries
from kinerja.stages.signable import (
    excepted,
    exclusion_text,
    fitness_issues,
    notes,
    template_period_issues,
    without_period,
)
from kinerja.stages.timing import format_durasi, recompute, stamp
from kinerja.workbook import sheets as S
from kinerja.workbook.description import WorkbookWrites
from kinerja.workbook.digest import sha256_file
from kinerja.workbook.files import gc_paused
from kinerja.workbook.master import Loaded
from kinerja.workbook.tables import read_table

TEMPLATE_FILES = {"laporan": "laporan.docx", "surat": "surat_pengantar.docx", "waktu": "waktu_sop.docx"}
DOCUMENT_NAMES = {"laporan": "Laporan Data Capaian Kinerja", "surat": "Surat Pengantar",
                  "waktu": "Lampiran Internal Waktu SOP"}
TAHAP = {"laporan": "laporan", "surat": "surat_pengantar"}  # 'waktu' is internal, not an SOP step
DOCUMENTS = ("laporan", "surat", "waktu")
# The fields a template must keep (the rest of the context is optional).
REQUIRED_FIELDS = {
    "laporan": {"draf", "instansi", "periode", "ringkasan", "kelompok", "kepala", "tanggal"},
    "surat": {"draf", "nomor_surat", "tanggal", "yth", "hal", "kepala"},
    "waktu": {"draf", "instansi", "periode", "kepatuhan", "tanggal"},
}
JINJA_NAMES = {"range", "lipsum", "dict", "cycler", "joiner", "namespace", "loop"}
LAMPIRAN = "1 (satu) berkas"
STATUS_FINAL, STATUS_DRAF = "Final", "DRAF"
REGISTER_COUNTER_LABEL_CELL, REGISTER_COUNTER_CELL = "I1", "I2"
LETTER_FIELDS = ("klasifikasi", "nomor", "kode_unit", "tahun", "bulan_romawi")
ROMAN_MONTHS = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]


@dataclass
class ReportOutcome:
    files: list[Path] = field(default_factory=list)
    report: Report = field(default_factory=Report)
    writes: WorkbookWrites = field(default_factory=WorkbookWrites)
    draf: bool = False
    nomor_surat: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"files": [str(f) for f in self.files], "draf": self.draf, "nomor_surat": self.nomor_surat,
                **self.report.to_dict()}

    def summary_lines(self) -> list[str]:
        lines = [f"Dibuat: {f}" for f in self.files]
        if self.nomor_surat:
            lines.append(f"Nomor surat: {self.nomor_surat}")
        return lines


# ----------------------------------------------------------------------------------- templates


def builtin_templates_dir() -> Path:
    """The repository's templates/ folder (beside the package; found after `pip install -e .`)."""
    here = Path(__file__).resolve().parents[2] / "templates"
    for candidate in (here, Path.cwd() / "templates"):
        if (candidate / TEMPLATE_FILES["laporan"]).exists():
            return candidate
    return here


def template_path(master: Master, master_path: Path, kind: str, report: Report) -> Path:
    """The office's own template: in the folder named by the setting 'Folder Templat Word', else
    in a 'templates' folder beside the master (as the forms stage does), else the built-in one."""
    name = TEMPLATE_FILES[kind]
    if master.settings.folders.get("templat"):
        folder = master.settings.folder("templat", master_path)
        if (folder / name).is_file():
            return folder / name
        report.issue("template-not-found", file=name, folder=str(folder))
    elif (Path(master_path).parent / "templates" / name).is_file():
        return Path(master_path).parent / "templates" / name
    return builtin_templates_dir() / name


def check_template(path: Path, kind: str, available: Iterable[str]) -> list[Issue]:
    """Refuse a template that lost a required field or uses one the tool does not provide."""
    from docxtpl import DocxTemplate

    try:
        used = set(DocxTemplate(str(path)).get_undeclared_template_variables())
    except Exception as e:  # noqa: BLE001 - a broken user template is data, not a crash
        return [make_issue("template-invalid", file=path.name, detail=explain(e))]
    issues = []
    missing = sorted(REQUIRED_FIELDS[kind] - used)
    unknown = sorted(used - set(available) - JINJA_NAMES)
    if missing:
        issues.append(make_issue("template-field-missing", file=path.name, fields=", ".join(missing),
                                 value=",".join(missing)))
    if unknown:
        issues.append(make_issue("template-field-unknown", file=path.name, fields=", ".join(unknown),
                                 value=",".join(unknown), available=", ".join(sorted(available))))
    return issues


# ----------------------------------------------------------------------------------- SOP timing


def sop_compliance(loaded: Loaded, now: datetime) -> dict[str, Any]:
    """The SOP steps against mutu baku at `now` (timing.recompute), for the report and archive:
    {'ringkas': one sentence, 'langkah': rows for the table, 'baris': the summary lines,
    'timeline': the steps as plain data}."""
    t = recompute(loaded, now)
    s = t.summary
    steps = [{"no": r.step.no, "uraian": r.step.uraian, "pelaksana": r.step.pelaksana,
              "mutu_baku": r.step.waktu_text() or "-", "mulai": format_datetime(r.start) if r.start else "-",
              "selesai": format_datetime(r.end) if r.end else "-",
              "terpakai": r.terpakai() or "-", "status": r.status,
              "lewat": r.lewat() or "-"} for r in t.rows]
    if s is None:
        text = "Waktu langkah SOP belum dapat dihitung (periksa sheet Waktu SOP)."
    else:
        text = (f"Per {format_date(now)}, {s.done} dari {s.steps} langkah SOP telah selesai; "
                f"{s.on_time} dari {s.measured} langkah yang terukur sesuai mutu baku waktu, "
                f"{s.late} terlambat" + (f" dan {s.near} hampir terlambat" if s.near else "") + ".")
        if s.cycle_minutes is not None:
            text += (f" Waktu siklus {format_durasi(s.cycle_minutes)}"
                     f"{'' if s.finished else ' (masih berjalan)'}, mutu baku seluruh langkah "
                     f"{format_durasi(s.standard_minutes)}.")
    return {"ringkas": text, "langkah": steps,
            "baris": [{"label": a, "nilai": b} for a, b in (s.lines() if s else [])],
            "timeline": [r.to_dict() for r in t.rows]}


# ----------------------------------------------------------------------------------- context


class Rows(list):
    """A table's rows of plain values (no Picture in them): given to the template as they are.
    Looking through 100,000 rows for pictures took seconds; the type says there are none."""


def _band_rows(master: Master, rows: list[RekapRow], decimals: int) -> list[dict[str, Any]]:
    """Indicators per predicate of the master's scale (and those not computable)."""
    bands = sorted(master.settings.rules.skala, key=lambda b: b.batas_bawah, reverse=True)
    out = []
    for i, b in enumerate(bands):
        low = format_number(b.batas_bawah, decimals) + "%"
        upper = format_number(bands[i - 1].batas_bawah, decimals) + "%" if i else None
        last = i == len(bands) - 1
        rentang = ("semua" if last else f"≥ {low}") if upper is None else (
            f"< {upper}" if last else f"{low} - < {upper}")
        out.append({"predikat": b.predikat, "rentang": rentang,
                    "jumlah": sum(1 for r in rows if r.ach.capaian is not None and r.ach.predikat == b.predikat)})
    none = sum(1 for r in rows if r.ach.capaian is None)
    if none:
        out.append({"predikat": "Belum dapat dihitung", "rentang": "-", "jumlah": none})
    return out


def _summary_dict(s: Summary, decimals: int) -> dict[str, Any]:
    return {"nama": s.nama, "jumlah": s.jumlah, "terisi": s.terisi,
            "rata_rata": format_percent(s.rata_rata, decimals), "predikat": s.predikat,
            "di_bawah_target": s.di_bawah_target, "nilai": s.rata_rata}


def common_context(master: Master, now: datetime, draf: bool, report: Report) -> dict[str, Any]:
    """The fields every document shares (forms.document_context: letterhead, office, period,
    date, officials), and `draf`. A missing signatory is reported."""
    from kinerja.stages.forms import document_context

    for peran, purpose in (("kepala", "tanda tangan"), ("sekretaris", "paraf")):
        if master.settings.official(peran) is None:
            report.issue("official-missing", sheet=S.PEJABAT.sheet, role=peran, purpose=purpose)
    context = document_context(master, now)
    context.pop("logo_path", None)
    return {**context, "draf": draf, "alamat": master.settings.office.alamat,
            "tahun": master.settings.period.tahun}


def report_context(loaded: Loaded, now: datetime, base: dict[str, Any], rows: list[RekapRow] | None = None,
                   sums: list[Summary] | None = None, compared: list[SasaranTrend] | None = None,
                   kepatuhan: dict[str, Any] | None = None) -> dict[str, Any]:
    """Everything the report template may use (images are filled in at render time); `rows`,
    their `sums`, the sasaran's `compared` quarters (`comparisons`) and the SOP steps'
    `kepatuhan` (`sop_compliance`) when already computed."""
    master = loaded.master
    assert master is not None
    d = master.settings.rules.desimal
    rows = consolidate(master) if rows is None else rows
    sums = summaries(master, rows) if sums is None else sums
    by_kind = {k: [s for s in sums if s.kelompok == k] for k in ("Unit", "Sasaran", "Total")}
    total = by_kind["Total"][0] if by_kind["Total"] else None
    groups = []
    # each distinct number formatted once (typed: 1 and 1.0 apart): 50,000 rows print a few
    # thousand distinct targets, realisasi and capaian (rounded to Desimal places)
    value_text = lru_cache(maxsize=None, typed=True)(format_value)
    percent_text = lru_cache(maxsize=None, typed=True)(lambda v: format_percent(v, d))
    by_sasaran: dict[str, list[RekapRow]] = {}
    for r in rows:
        by_sasaran.setdefault(r.indicator.sasaran or "(tanpa sasaran)", []).append(r)
    for no, s in enumerate(by_kind["Sasaran"], 1):
        members = by_sasaran.get(s.nama, [])
        groups.append({**_summary_dict(s, d), "no": no, "baris": Rows(
            {"no": i, "kode": r.indicator.kode, "indikator": r.indicator.nama, "unit": r.unit.kode,
             "nama_unit": r.unit.nama, "satuan": r.indicator.satuan,
             "target": value_text(r.ach.target), "realisasi": value_text(r.ach.realisasi),
             "capaian": percent_text(r.ach.capaian), "predikat": r.ach.predikat,
             "penjelasan": r.result.penjelasan if r.result else ""}
            for i, r in enumerate(members, 1))})
    below = [r for r in rows if r.below_target]
    # the earlier quarters of the year and the same quarter last year, per sasaran
    p = master.settings.period
    compared = comparisons(loaded, rows) if compared is None else compared
    table = report_rows(master, compared)
    trend = {t.nama: t for t in compared}
    for g in groups:
        t = trend.get(g["nama"])
        g["banding"] = Rows(table[t.nama]) if t is not None and shows_comparison(p, t) else []
        g["tahun_lalu"] = f"TW {ROMAN[p.last_quarter - 1]} {p.tahun - 1}"
        g["tren"] = ""
    return {
        **base,
        "ringkasan": {"jumlah": len(rows), "terisi": total.terisi if total else 0,
                      "dihitung": sum(1 for r in rows if r.ach.capaian is not None),
                      "pengecualian": exclusion_text(rows),
                      "jumlah_unit": len(by_kind["Unit"]),
                      "rata_rata": format_percent(total.rata_rata if total else None, d),
                      "predikat": total.predikat if total else "-",
                      "di_bawah_target": len(below), "predikat_rows": _band_rows(master, rows, d)},
        "unit_rows": Rows(_summary_dict(s, d) for s in by_kind["Unit"]),
        "kelompok": groups,
        "penjelasan": Rows({"no": i, "kode": r.indicator.kode, "indikator": r.indicator.nama, "unit": r.unit.kode,
                            "capaian": format_percent(r.ach.capaian, d), "penjelasan": _explanation(master, r)}
                           for i, r in enumerate(below, 1)),
        "catatan": notes(master, rows, d),
        "kepatuhan": sop_compliance(loaded, now) if kepatuhan is None else kepatuhan,
        "waktu_sop_di_laporan": master.settings.waktu_sop_di_laporan,
        "grafik": "",
    }


def comparisons(loaded: Loaded, rows: list[RekapRow]) -> list[SasaranTrend]:
    """Per sasaran, its indicators' earlier quarters of the year and the same quarter last year
    (the period's own quarter taken from the consolidated `rows`)."""
    assert loaded.master is not None
    return trends(loaded.master, last_year(loaded.rows), {r.indicator.kode: r.ach for r in rows})


def shows_comparison(p: Period, t: SasaranTrend) -> bool:
    """A sasaran's comparison table and trend chart are shown from the second quarter of a year
    on, and whenever last year's same quarter is known."""
    return bool(p.jenis == "triwulan" and p.nomor and p.nomor > 1) or any(r.lalu is not None for r in t.rows)


def _explanation(master: Master, r: RekapRow) -> str:
    text = (r.result.penjelasan if r.result else "").strip()
    if text:
        return text
    if excepted(master, r.indicator.kode):
        return "Diterima Sekretaris tanpa penjelasan (pengecualian)."
    return "(belum ada penjelasan)"


def letter_hal(master: Master) -> str:
    """The letter's 'Hal': the typed subject without period words, then the period setting's."""
    return f"{without_period(master.settings.letter.hal)} {master.settings.period.label()}".strip()


def letter_context(master: Master, nomor_surat: str, base: dict[str, Any], rows: list[RekapRow] | None = None,
                   sums: list[Summary] | None = None) -> dict[str, Any]:
    """`jumlah_indikator` is the number of indicators averaged; `jumlah_semua` all of them,
    `pengecualian` says which were left out and why ('' when none)."""
    letter = master.settings.letter
    rows = consolidate(master) if rows is None else rows
    total = ((summaries(master, rows) if sums is None else sums)[-1]) if rows else None
    return {
        **base,
        "nomor_surat": nomor_surat, "sifat": letter.sifat, "lampiran": LAMPIRAN, "hal": letter_hal(master),
        "yth": letter.yth, "di": letter.di, "tembusan": list(letter.tembusan),
        "jumlah_indikator": sum(1 for r in rows if r.ach.capaian is not None), "jumlah_semua": len(rows),
        "pengecualian": exclusion_text(rows),
        "rata_rata": format_percent(total.rata_rata if total else None, master.settings.rules.desimal),
        "predikat": total.predikat if total else "-",
    }


def annex_context(loaded: Loaded, now: datetime, base: dict[str, Any],
                  kepatuhan: dict[str, Any] | None = None) -> dict[str, Any]:
    """The internal annex for the Sekretaris: the SOP steps against mutu baku (`kepatuhan` when
    already computed)."""
    return {**base, "kepatuhan": sop_compliance(loaded, now) if kepatuhan is None else kepatuhan}


# ----------------------------------------------------------------------------------- letter numbers


class _Blank:
    """The number of a draft letter: left open, to be filled in by hand."""

    def __format__(self, spec: str) -> str:
        return "...."


def letter_number(fmt: str, *, nomor: int | None, kode_unit: str, klasifikasi: str, when: datetime) -> str:
    """Format a letter number; raises ValueError (Indonesian) for an unusable format."""
    try:
        names = {f for _, f, _, _ in string.Formatter().parse(fmt) if f is not None}
    except ValueError:
        raise ValueError("tanda kurung kurawal { } tidak berpasangan") from None
    unknown = sorted(n for n in names if n not in LETTER_FIELDS)
    if "nomor" not in names:
        raise ValueError("isian {nomor} tidak ada")
    if unknown:
        raise ValueError("isian tidak dikenal: " + ", ".join("{" + n + "}" for n in unknown))
    try:
        return fmt.format(klasifikasi=klasifikasi, nomor=_Blank() if nomor is None else nomor,
                          kode_unit=kode_unit, tahun=when.year, bulan_romawi=ROMAN_MONTHS[when.month - 1])
    except (ValueError, IndexError, KeyError, AttributeError) as e:
        log.warning("letter number %r: %s: %s", fmt, type(e).__name__, e)
        raise ValueError("isian di dalam { } hanya boleh berupa nama isian, tanpa format tambahan "
                         "(mis. {nomor}, bukan {nomor:x})") from None


def _counter(rows: list[tuple]) -> dict[int, int]:
    r, c = int(REGISTER_COUNTER_CELL[1:]) - 1, ord(REGISTER_COUNTER_CELL[0]) - ord("A")
    text = str(rows[r][c]) if len(rows) > r and len(rows[r]) > c and rows[r][c] is not None else ""
    return {int(y): int(n) for y, n in re.findall(r"(\d{4})\s*[:=]\s*(\d+)", text)}


def next_letter_number(loaded: Loaded, year: int) -> tuple[int, dict[int, int]]:
    """(next running number for `year`, the counter per year) from the Register Surat sheet."""
    rows = loaded.rows.get(S.REGISTER_SURAT.sheet) or []
    used = [r.values["nomor_urut"] for r in read_table(rows, S.REGISTER_SURAT, Report()).rows
            if r.values["tahun"] == year and isinstance(r.values["nomor_urut"], int)]
    counter = _counter(rows)
    return max(used + [counter.get(year, 0)]) + 1, counter


def _counter_text(counter: dict[int, int]) -> str:
    return "; ".join(f"{y}: {n}" for y, n in sorted(counter.items(), reverse=True))


# ----------------------------------------------------------------------------------- rendering


CHART_MAX_UNITS = 40  # bars in the unit chart; a larger office's chart shows its lowest averages
CHART_HELPER_FROM = 5000  # indicator rows from which the charts are drawn in a helper process


def unit_chart_data(master: Master, sums: list[Summary]) -> tuple[list[str], list[float], list[str], list[str],
                                                                  str | None]:
    """The unit chart (`kinerja.charts.unit_chart`) as plain data: per unit with indicators,
    bottom to top, its code, average capaian, predicate colour and printed average; above
    CHART_MAX_UNITS units only the lowest averages, with a title saying so."""
    rules, d = master.settings.rules, master.settings.rules.desimal
    units = list(zip([u for u in master.units if master.indicators_of(u.kode)],
                     [s for s in sums if s.kelompok == "Unit"]))
    title = None
    if len(units) > CHART_MAX_UNITS:  # a bar per unit of hundreds is neither readable nor cheap to draw
        lowest = sorted(range(len(units)), key=lambda i: (units[i][1].rata_rata is not None,
                                                          units[i][1].rata_rata or 0.0, i))[:CHART_MAX_UNITS]
        title = (f"{CHART_MAX_UNITS} unit dengan rata-rata capaian terendah dari {len(units)} unit "
                 "(semua unit ada pada tabel di atas)")
        units = [units[i] for i in sorted(lowest)]
    units.reverse()
    return ([u.kode for u, _ in units], [s.rata_rata or 0.0 for _, s in units],
            ["#" + (rules.predicate_color(s.predikat) or "5B9BD5") for _, s in units],
            [f"{format_percent(s.rata_rata, d)} ({s.predikat})" for _, s in units], title)


def trend_chart_data(master: Master, sums: list[Summary], compared: list[SasaranTrend]
                     ) -> dict[str, tuple[list[float | None], float | None, int]]:
    """The trend charts (`kinerja.charts.trend_chart`) as plain data, for each sasaran whose
    comparison is shown (in the report's order): its mean capaian per quarter so far, last year's
    same quarter, the quarter."""
    p = master.settings.period
    trend = {t.nama: t for t in compared}
    out = {}
    for s in sums:
        t = trend.get(s.nama) if s.kelompok == "Sasaran" else None
        if t is not None and shows_comparison(p, t):
            out[s.nama] = ([t.mean(q) if q <= p.last_quarter else None for q in range(1, 5)], t.mean_lalu(),
                           p.last_quarter)
    return out


LOGO_BOX_MM = (22.0, 24.0)  # the letterhead's logo cell: at most this wide and this high


def _logo(master: Master, master_path: Path, report: Report) -> tuple[Path, dict[str, float]] | None:
    """The office logo (relative to the master) and its size in mm, fitted to the logo cell."""
    name = master.settings.office.logo
    if not name:
        return None
    path = Path(name) if Path(name).is_absolute() else Path(master_path).parent / name
    try:
        from docx.image.image import Image

        image = Image.from_file(str(path))
    except Exception as e:  # noqa: BLE001 - a missing or odd logo leaves the letterhead without it
        report.issue("logo-not-found", sheet=S.SETTINGS_SHEET, file=name, detail=type(e).__name__)
        return None
    wide = image.px_width * LOGO_BOX_MM[1] > image.px_height * LOGO_BOX_MM[0]
    return path, {"width": LOGO_BOX_MM[0]} if wide else {"height": LOGO_BOX_MM[1]}


@dataclass(frozen=True)
class Picture:
    """An image placed inside a list of the context (a chart per sasaran): made an InlineImage
    at render time."""

    path: Path
    width_mm: float


_PLAIN = frozenset({str, int, float, bool, type(None)})


def _pictures(value: Any, tpl: Any) -> Any:
    """The context for the template: every Picture an InlineImage, keys starting with '_' left
    out. A row of plain values, and a table's `Rows` (the bulk of a large report), are passed on
    as they are."""
    from docx.shared import Mm
    from docxtpl import InlineImage

    kind = type(value)
    if kind in _PLAIN or kind is Rows:
        return value
    if isinstance(value, Picture):
        return InlineImage(tpl, str(value.path), width=Mm(value.width_mm))
    if isinstance(value, dict):
        if all(type(v) in _PLAIN for v in value.values()) and not any(str(k).startswith("_") for k in value):
            return value
        return {k: _pictures(v, tpl) for k, v in value.items() if not str(k).startswith("_")}
    if isinstance(value, list):
        if all(type(v) in _PLAIN for v in value):
            return value
        return [_pictures(v, tpl) for v in value]
    return value


def _render(template: Path, context: dict[str, Any], out: Path,
            images: dict[str, tuple[Path, dict[str, float]]]) -> Path:
    """Render a docxtpl template with autoescaping (unit text never breaks the XML)."""
    from docx.shared import Mm
    from docxtpl import InlineImage

    from kinerja.wordtemplate import docx_template

    tpl = docx_template(template)
    ctx = {k: _pictures(v, tpl) for k, v in context.items() if not k.startswith("_")}
    for key, (path, size) in images.items():
        ctx[key] = InlineImage(tpl, str(path), **{k: Mm(v) for k, v in size.items()})
    tpl.render(ctx, autoescape=True)
    tmp = out.with_name(f".~{out.name}")
    try:
        tpl.save(str(tmp))
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    return out


def to_pdf(docx: Path, out_dir: Path) -> Path:
    """Convert with Word (Windows, when pywin32 and Word are there) or LibreOffice headless."""
    docx, out_dir = Path(docx).resolve(), Path(out_dir).resolve()
    if sys.platform == "win32":
        try:
            client: Any = importlib.import_module("win32com.client")  # pywin32, on Windows only
        except ImportError:
            client = None
        if client is not None:
            target = out_dir / (docx.stem + ".pdf")
            word = None
            try:
                word = client.DispatchEx("Word.Application")
                word.Visible = False
                doc = word.Documents.Open(str(docx), ReadOnly=True)
                doc.SaveAs2(str(target), FileFormat=17)  # wdFormatPDF
                doc.Close(False)
                return target
            except Exception:  # noqa: BLE001 - no Word: fall back to LibreOffice
                pass
            finally:
                if word is not None:
                    word.Quit()
    from kinerja.libreoffice import convert

    return convert(docx, "pdf", out_dir)


def preview_pages(pdf: Path, out_dir: Path, dpi: int = 60) -> list[Path]:
    """PNG images of a PDF's pages (poppler's pdftoppm), for a person to look at."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = Path(pdf).stem
    pages = re.compile(re.escape(stem) + r"-(\d+)\.png")

    def found() -> list[Path]:
        return sorted((p for p in out_dir.iterdir() if pages.fullmatch(p.name)),
                      key=lambda p: int(pages.fullmatch(p.name).group(1)))  # type: ignore[union-attr]

    for old in found():  # pages of an earlier, longer version
        old.unlink()
    try:
        subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(pdf), str(out_dir / stem)], check=True,
                       capture_output=True, timeout=120)
    except (OSError, subprocess.SubprocessError):
        return []
    return found()


def relative_to_master(path: Path, master_path: Path) -> str:
    """A path as written in the master's logs: relative to the master's folder when inside it."""
    path, base = Path(path).resolve(), Path(master_path).resolve().parent
    try:
        return path.relative_to(base).as_posix()
    except ValueError:
        return str(path)


@gc_paused()  # 50,000 rows of context and table text: no collector pass walks the loaded master
def render_report(loaded: Loaded, out_dir: Path, *, pdf: bool = False, force: bool = False, who: str = "",
                  now: datetime | None = None, documents: Iterable[str] = DOCUMENTS) -> ReportOutcome:
    """Render the report, the cover letter and/or the internal SOP-timing annex into `out_dir`.

    Unapproved rekap, or a report not fit to sign (a blank target of the period, an indicator
    below target without explanation, neither accepted by the Sekretaris: kinerja.stages.signable):
    refused (`rekap-not-approved`, `report-not-fit`) unless `force`, which makes drafts with DRAF
    on every page and no letter number. The SOP timing goes into the annex for the Sekretaris,
    not into the report sent with the letter, unless Pengaturan 'Waktu SOP di Laporan' says Ya.
    Templates are checked before anything is written. Returns the files and the master writes
    (Log Laporan, Register Surat, Waktu SOP stamps).
    """
    out = ReportOutcome()
    master = loaded.master_or_report(out.report)
    if master is None:
        return out
    now = now or datetime.now()
    who = who or getpass.getuser()
    kinds = [k for k in DOCUMENTS if k in set(documents)
             and not (k == "waktu" and master.settings.waktu_sop_di_laporan)]
    approval = approval_status(loaded)  # the Sekretaris' paraf on the rekap (review stage)
    if not approval.approved and not force:
        out.report.issue("rekap-not-approved", sheet=S.RIWAYAT.sheet, detail=approval.detail)
        return out
    # a large report's charts are drawn in a helper process on another core meanwhile; a small one's
    # here, in the time a helper would take to start
    helper = "laporan" in kinds and len(master.indicators) >= CHART_HELPER_FROM and (os.cpu_count() or 1) > 1
    with tempfile.TemporaryDirectory(prefix="kinerja-laporan-") as tmp, Charts(helper=helper) as charts:
        _render_documents(out, loaded, Path(out_dir), kinds, approval, force=force, pdf=pdf, who=who, now=now,
                          charts=charts, tmp=Path(tmp))
    return out


def _render_documents(out: ReportOutcome, loaded: Loaded, out_dir: Path, kinds: list[str], approval: Approval, *,
                      force: bool, pdf: bool, who: str, now: datetime, charts: Charts, tmp: Path) -> None:
    """render_report's work once the rekap may be reported: `out` filled in."""
    master = loaded.master
    assert master is not None
    rows = consolidate(master)
    unfit = fitness_issues(loaded, rows)
    if unfit and not force:
        out.report.extend(unfit)
        return
    out.draf = draf = not approval.approved or bool(unfit)
    if draf:
        out.report.extend(i.model_copy(update={"severity": Severity.warning}) for i in unfit)
        out.report.issue("report-draft", detail=approval.detail if not approval.approved
                         else "laporan belum layak ditandatangani")
    signatories = [i for i in loaded.report.issues if i.code in ("nip-number", "nip-invalid")
                   and i.location.sheet == S.PEJABAT.sheet]
    if signatories and not draf:  # a signed document never carries a NIP that was not read right
        out.report.extend(signatories)
        return

    # everything the templates may use, then the checks, before a single file is written
    report = Report()
    base = common_context(master, now, draf, report)
    contexts: dict[str, dict[str, Any]] = {}
    sums = summaries(master, rows)  # per unit, per sasaran and the total: the report and the letter
    # the SOP steps against mutu baku: the report's and the annex's
    kepatuhan = sop_compliance(loaded, now) if {"laporan", "waktu"} & set(kinds) else None
    unit_job, trend_jobs = 0, {}  # the charts' jobs: the unit chart, the trend by sasaran
    if "laporan" in kinds:  # the charts first: drawn while the rest is put together (kinerja.charts)
        unit_job = charts.draw(unit_chart, tmp / "grafik.png", *unit_chart_data(master, sums))
        compared = comparisons(loaded, rows)
        for n, (name, (means, lalu, quarter)) in enumerate(trend_chart_data(master, sums, compared).items()):
            trend_jobs[name] = charts.draw(trend_chart, name, means, tmp / f"tren-{n}.png", lalu, quarter)
        contexts["laporan"] = report_context(loaded, now, base, rows, sums, compared, kepatuhan)
        del compared  # 50,000 indicators' quarters: not held while the documents are built
    if "waktu" in kinds:
        contexts["waktu"] = annex_context(loaded, now, base, kepatuhan)
    number: int | None = None
    counter: dict[int, int] = {}
    if "surat" in kinds:
        if not draf:
            number, counter = next_letter_number(loaded, now.year)
        try:
            out.nomor_surat = letter_number(master.settings.letter.format_nomor, nomor=number,
                                            kode_unit=master.settings.office.kode_unit,
                                            klasifikasi=master.settings.letter.klasifikasi, when=now)
        except ValueError as e:
            out.report.issue("letter-format-invalid", sheet=S.SETTINGS_SHEET,
                             value=master.settings.letter.format_nomor, detail=str(e),
                             available=", ".join("{" + f + "}" for f in LETTER_FIELDS))
            return
        contexts["surat"] = letter_context(master, out.nomor_surat, base, rows, sums)
    templates = {k: template_path(master, loaded.path, k, out.report) for k in kinds}
    for k in kinds:
        out.report.extend(check_template(templates[k], k, [f for f in contexts[k] if not f.startswith("_")]))
        out.report.extend(template_period_issues(templates[k], master.settings.period))
    if out.report.blocking:
        return
    out.report.extend(report.issues)
    logo = _logo(master, loaded.path, out.report)

    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        out.report.issue("report-write-failed", file=str(out_dir), detail=explain(e))
        return
    key = master.settings.period.key()
    suffix = "-DRAF" if draf else ""
    names = {"laporan": f"Laporan-Data-Capaian-Kinerja-{key}{suffix}.docx",
             "surat": f"Surat-Pengantar-{key}{suffix if draf or number is None else f'-{number:03d}'}.docx",
             "waktu": f"Lampiran-Internal-Waktu-SOP-{key}{suffix}.docx"}
    made: list[tuple[str, Path]] = []
    try:
        for k in kinds:
            images = {"logo": logo} if logo else {}
            if k == "laporan":
                images["grafik"] = (charts.result(unit_job), {"width": 140.0})
                for g in contexts[k]["kelompok"]:
                    if g["nama"] in trend_jobs:
                        g["tren"] = Picture(charts.result(trend_jobs[g["nama"]]), 95.0)
                charts.close()  # every chart is there: the helper is not kept while the documents are built
            made.append((k, _render(templates[k], contexts[k], out_dir / names[k], images)))
    except Exception as e:  # noqa: BLE001 - a file open in Word, or a template failing at render
        for _, p in made:  # all or nothing: no letter file without its register row
            p.unlink(missing_ok=True)
        k = kinds[len(made)]
        if isinstance(e, OSError):
            out.report.issue("report-write-failed", file=names[k], detail=explain(e))
        else:
            out.report.issue("template-invalid", file=templates[k].name, detail=explain(e, TEMPLATE_FAILED))
        return
    if pdf:
        from kinerja.libreoffice import OfficeError

        for k, docx in list(made):
            try:
                made.append((k, to_pdf(docx, out_dir)))
            except OfficeError as e:
                out.report.issue("pdf-failed", file=docx.name, detail=explain(e))
    out.files = [p for _, p in made]

    status = STATUS_DRAF if draf else STATUS_FINAL
    w = out.writes
    w.sheet(S.LOG_LAPORAN.sheet, S.LOG_LAPORAN).append = [
        [now, DOCUMENT_NAMES[k] + (" (PDF)" if p.suffix == ".pdf" else ""),
         relative_to_master(p, loaded.path), sha256_file(p), status, who] for k, p in made]
    if number is not None:
        letter = master.settings.letter
        reg = w.sheet(S.REGISTER_SURAT.sheet, S.REGISTER_SURAT)
        reg.append = [[now.year, number, out.nomor_surat, now.date(), letter_hal(master), letter.yth,
                       relative_to_master(out_dir / names["surat"], loaded.path)]]
        reg.cells[REGISTER_COUNTER_LABEL_CELL] = "Nomor terakhir per tahun (jangan dikurangi)"
        reg.cells[REGISTER_COUNTER_CELL] = _counter_text({**counter, now.year: number})
    if not draf:
        for k in kinds:
            if k in TAHAP:
                w.extend(stamp(loaded, TAHAP[k], start=now, end=now, who=who))
