"""SOP steps 1-4: the head's disposisi, one form per unit, the receipt (tanda terima), and the
distribution log in the master.

A form is an ordinary .xlsx (no macros) written with openpyxl: the letterhead, the unit, the
period and deadline, short instructions, then the unit's indicators with targets (locked) and
yellow input cells (unlocked, with data validation). The capaian column is a live formula equal
to `capaian.achievement`. The sheet and the workbook structure are protected without a password,
so the layout is not broken by accident. The form's identity (`formspec.FormIdentity`) sits in
the very hidden sheet `_kinerja` and in the custom document properties.
"""

from __future__ import annotations

import io
import re
import uuid
import zipfile
from collections.abc import Iterable, Iterator
from copy import copy
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from openpyxl import Workbook
from openpyxl.formatting.rule import FormulaRule
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.protection import SheetProtection

from kinerja.domain.capaian import NOT_A_NUMBER, TYPED_TEXT, excel_capaian_formula
from kinerja.domain.models import (
    METHOD_LABELS,
    POLARITY_LABELS,
    ROMAN,
    Indicator,
    Master,
    Official,
    Period,
    Unit,
    format_nip,
)
from kinerja.domain.numbers import format_date
from kinerja.issues.catalogue import Report, Severity
from kinerja.issues.explain import TEMPLATE_FAILED, explain
from kinerja.ooxml.cells import ROW, Cells, Row, row_number
from kinerja.ooxml.opc import Package
from kinerja.ooxml.parts import Unsupported
from kinerja.ooxml.sheet import split_sheet
from kinerja.ooxml.workbook import Book
from kinerja.ooxml.zip import copy_member, member_info
from kinerja.stages import timing
from kinerja.workbook import sheets as S
from kinerja.workbook.book import set_value
from kinerja.workbook.description import Formula, WorkbookWrites
from kinerja.workbook.files import replace_atomic, save_atomic
from kinerja.workbook.formspec import (
    COLUMNS,
    FORM_SHEET,
    HEADER_ROW,
    ID_SHEET,
    PROP_PREFIX,
    FormIdentity,
    identity_sheet_rows,
    indicator_checksum,
    input_keys,
)
from kinerja.workbook.master import Loaded
from kinerja.workbook.style import BORDER, HEADER_FILL
from kinerja.workbook.tables import read_table

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
RECEIPT_TEMPLATE = "tanda_terima.docx"
DISPOSISI_TEMPLATE = "disposisi.docx"
TITLE = "FORMULIR PENGUMPULAN DATA CAPAIAN KINERJA"
INPUT_FILL = "FFFF99"  # the cells a unit types into: plainly yellow
READONLY_FILL = "EDEDED"  # realisasi already in the master (earlier quarters)
CAPAIAN_FILL = "E2EFDA"
# master sheets whose errors would make a wrong form
FORM_SOURCES = (S.SETTINGS_SHEET, S.PEJABAT.sheet, S.UNIT.sheet, S.INDIKATOR.sheet)

INFO_ROW = 6  # the unit's block (info_rows) starts here
COL = {key: j for j, (key, _) in enumerate(COLUMNS, 1)}
LETTER = {key: get_column_letter(j) for key, j in COL.items()}
WIDTHS = {"no": 5, "kode": 10, "nama": 34, "satuan": 9, "polaritas": 8, "metode": 11,
          "target_tahunan": 10, "capaian": 9, "penjelasan": 26, "bukti": 20, "pagu": 13,
          "realisasi_anggaran": 13}
DEFAULT_WIDTH = 10  # targets and realisasi per quarter
# On paper the form is two bands, each an A4 landscape page at FORM_SCALE (readable, never the
# 4-5 pt of one page wide): the indicators with their targets, then the columns a unit fills
# in, with No, Kode and Indikator repeated on the left and the header row on top.
FORM_SCALE = 80
REPEATED_COLUMNS = "A:C"
FIRST_BAND_LAST = "target_tahunan"  # the last column of the first page
FONT = "Calibri"
WRAPPED = ("nama", "penjelasan", "bukti")
NUMBER_FORMATS = {"capaian": S.PCT, "pagu": "#,##0", "realisasi_anggaran": "#,##0"}


@dataclass
class FormsOutcome:
    report: Report
    writes: WorkbookWrites = field(default_factory=WorkbookWrites)
    files: list[Path] = field(default_factory=list)  # the unit forms written
    putaran: int = 1
    identities: list[FormIdentity] = field(default_factory=list)
    receipt: Path | None = None
    disposisi: Path | None = None

    @property
    def documents(self) -> list[Path]:
        return [p for p in (self.receipt, self.disposisi) if p is not None]

    def to_dict(self) -> dict[str, Any]:
        return {"putaran": self.putaran, "files": [str(f) for f in self.files + self.documents],
                **self.report.to_dict()}

    def summary_lines(self) -> list[str]:
        lines = [f"Dibuat: {f}" for f in self.files + self.documents]
        if self.files:
            lines.append(f"{len(self.files)} formulir putaran {self.putaran}; distribusi dicatat di sheet "
                         "Distribusi.")
        return lines


def form_name(unit: str, period: Period, putaran: int) -> str:
    return f"Formulir-{unit}-{period.key()}-P{putaran}.xlsx"


# ----------------------------------------------------------------------------------- the log


def distribution_log(loaded: Loaded) -> list[dict[str, Any]]:
    """The Distribusi rows of the master's current period, in sheet order."""
    m = loaded.master
    rows = loaded.rows.get(S.DISTRIBUSI.sheet)
    if m is None or not rows:
        return []
    key = m.settings.period.key()
    out = []
    for row in read_table(rows, S.DISTRIBUSI, Report()).rows:
        v = row.values
        periode = str(v.get("periode") or "").strip()
        if periode == key or (not periode and f"-{key}-" in str(v.get("file") or "")):
            out.append(v)
    return out


def current_round(loaded: Loaded) -> int:
    """The highest round handed out for the current period (0 when none)."""
    return max((int(v["putaran"]) for v in distribution_log(loaded) if v.get("putaran")), default=0)


# ----------------------------------------------------------------------------------- build


def build_forms(loaded: Loaded, out_dir: Path, *, new_round: bool = False, force: bool = False,
                who: str = "", now: datetime | None = None,
                units: Iterable[str] | None = None, deadline: datetime | None = None) -> FormsOutcome:
    """SOP steps 1-4: one form per unit (of `units`, default all), the receipt, the disposisi
    (first round), the Distribusi rows and the step times. Refuses (forms-exist) to overwrite
    forms of the same round unless `force`; `new_round` opens the next round. `deadline`
    replaces the master's Batas Waktu Pengisian (a revision round gets its own)."""
    report = Report()
    m = loaded.master_or_report(report)
    if m is None:
        return FormsOutcome(report)
    if deadline is not None:
        m = m.model_copy(update={"settings": m.settings.model_copy(update={"batas_waktu": deadline})})
    bad = [i for i in loaded.report.issues if i.severity == Severity.error and i.location.sheet in FORM_SOURCES]
    for sheet in dict.fromkeys(i.location.sheet for i in bad):
        details = [f"{i.location.cell or '-'}: {i.message}" for i in bad if i.location.sheet == sheet]
        report.issue("forms-master-invalid", file=loaded.path.name, sheet=sheet,
                     detail="; ".join(details[:3]) + (f"; dan {len(details) - 3} lainnya" if len(details) > 3 else ""))
    if bad:
        return FormsOutcome(report)
    now = now or datetime.now().replace(microsecond=0)
    s = m.settings
    period = s.period
    putaran = current_round(loaded) + 1 if new_round else max(current_round(loaded), 1)
    wanted = {u.strip().upper() for u in units} if units is not None else None
    targets = [u for u in m.units if wanted is None or u.kode in wanted]
    out_dir = Path(out_dir)
    existing = [out_dir / form_name(u.kode, period, putaran) for u in targets]
    existing = [p for p in existing if p.exists()]
    if existing and not force:
        report.issue("forms-exist", file=existing[0].name, folder=str(out_dir), round=putaran)
        return FormsOutcome(report, putaran=putaran)
    if s.batas_waktu is None:
        report.issue("deadline-missing", file=loaded.path.name, sheet=S.SETTINGS_SHEET)
    elif s.batas_waktu < now:
        report.issue("deadline-past", file=loaded.path.name, sheet=S.SETTINGS_SHEET,
                     deadline=deadline_text(s.batas_waktu), now=deadline_text(now))
    planner = s.official("perencana")
    who = who or (planner.nama if planner else "") or "kinerja"
    outcome = FormsOutcome(report, putaran=putaran)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        report.issue("form-write-failed", file=str(out_dir), detail=explain(e))
        return outcome
    log_rows: list[list[Any]] = []
    logo = _logo(m, loaded.path)
    template: FormTemplate | bool | None = None  # False: forms are written one by one
    for unit in targets:
        inds = m.indicators_of(unit.kode)
        if not inds:
            report.issue("unit-no-indicators", file=loaded.path.name, sheet=S.INDIKATOR.sheet, unit=unit.kode)
            continue
        identity = FormIdentity(form_id=uuid.uuid4().hex, instansi=s.office.nama, unit=unit.kode,
                                periode=period.key(), putaran=putaran, checksum=indicator_checksum(inds),
                                dibuat=now, indikator=[i.kode for i in inds])
        path = out_dir / form_name(unit.kode, period, putaran)
        try:
            if template:
                template.write(m, unit, identity, path)
            else:
                write_form(m, unit, identity, path, logo=logo)
                if template is None and len(targets) > 1:
                    template = _template(path)  # the next forms: this one with their rows
        except OSError as e:
            report.issue("form-write-failed", file=path.name, unit=unit.kode, detail=explain(e))
            continue
        outcome.files.append(path)
        outcome.identities.append(identity)
        values = {"putaran": putaran, "unit": unit.kode, "nama_unit": unit.nama, "file": path.name,
                  "form_id": identity.form_id, "checksum": identity.checksum, "dibuat": now,
                  "oleh": who, "batas_waktu": s.batas_waktu, "periode": period.key()}
        log_rows.append([values.get(c.key) for c in S.DISTRIBUSI.columns])
    if not outcome.files:
        return outcome
    rows = [_receipt_row(n, m.unit(i.unit), p.name) for n, (i, p) in
            enumerate(zip(outcome.identities, outcome.files), 1)]
    outcome.receipt = render_document(RECEIPT_TEMPLATE, receipt_context(m, rows, putaran, now, logo),
                                      out_dir / f"Tanda-Terima-{period.key()}-P{putaran}.docx",
                                      loaded.path, report)
    if putaran == 1:
        outcome.disposisi = render_document(DISPOSISI_TEMPLATE, disposisi_context(m, now, logo),
                                            out_dir / f"Lembar-Disposisi-{period.key()}.docx",
                                            loaded.path, report)
    sw = outcome.writes.sheet(S.DISTRIBUSI.sheet, S.DISTRIBUSI)
    sw.append, sw.select = log_rows, True
    if putaran == 1:  # a revision round is the review's loop, not the SOP's first hand-out
        outcome.writes.extend(timing.stamp(loaded, "formulir", start=now, end=now, who=who))
        outcome.writes.extend(timing.stamp(loaded, "distribusi", start=now, who=who))
    return outcome


def build_receipt(loaded: Loaded, out_dir: Path, report: Report | None = None, *,
                  now: datetime | None = None) -> Path | None:
    """The receipt of the latest round handed out (from the Distribusi sheet), again.

    Returns None (with an issue in `report`) when nothing was handed out or it cannot be written.
    """
    report = report if report is not None else Report()
    m = loaded.master_or_report(report)
    if m is None:
        return None
    log = distribution_log(loaded)
    putaran = current_round(loaded)
    latest: dict[str, dict[str, Any]] = {}
    for v in log:
        if v.get("putaran") == putaran and v.get("unit"):
            latest[str(v["unit"]).upper()] = v  # a later (forced) row for a unit wins
    if not latest:
        report.issue("forms-not-distributed", file=loaded.path.name, sheet=S.DISTRIBUSI.sheet,
                     periode=m.settings.period.label())
        return None
    order = [u.kode for u in m.units if u.kode in latest] + [k for k in latest if m.unit(k) is None]
    rows = [_receipt_row(n, m.unit(k), str(latest[k]["file"] or ""), k, latest[k].get("nama_unit"))
            for n, k in enumerate(order, 1)]
    now = now or datetime.now().replace(microsecond=0)
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        report.issue("form-write-failed", file=str(out_dir), detail=explain(e))
        return None
    return render_document(RECEIPT_TEMPLATE, receipt_context(m, rows, putaran, now, _logo(m, loaded.path)),
                           out_dir / f"Tanda-Terima-{m.settings.period.key()}-P{putaran}.docx",
                           loaded.path, report)


# ----------------------------------------------------------------------------------- the form


def deadline_text(when: datetime | None) -> str:
    """'Jumat, 9 Oktober 2026 pukul 16.00'."""
    return "-" if when is None else f"{format_date(when, with_day=True)} pukul {when:%H.%M}"


def quarters_text(period: Period) -> str:
    """'TW III', 'TW III dan TW IV', 'TW I, TW II, TW III dan TW IV'."""
    names = [f"TW {ROMAN[q - 1]}" for q in period.quarters]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " dan " + names[-1]


# Which decimal separator the PC uses decides how "85,5" is read (85.5 on an Indonesian PC, 855 on
# an English one), so the advice is a formula: Excel turns 1/2 into text with the PC's separator.
DECIMAL_ADVICE = Formula(
    '="2. Ketik angka saja tanpa satuan atau tanda %. Komputer ini memakai "'
    '&IF(MID(1/2,2,1)=",","KOMA sebagai tanda desimal: ketik 85,5 (bukan 85.5).",'
    '"TITIK sebagai tanda desimal: ketik 85.5 (bukan 85,5, yang terbaca 855).")'
    '&" Bila capaian di bawah target, tulis sebab dan upaya perbaikannya pada kolom Penjelasan."')


CUMULATIVE_MARK = "*"  # after 'Kumulatif' on the form: the footnote in instruction 3 says what to type


def instructions(m: Master) -> list[Any]:
    s = m.settings
    planner = s.official("perencana")
    to = planner.jabatan if planner else "perencana"
    by = f" paling lambat {deadline_text(s.batas_waktu)}" if s.batas_waktu else ""
    own = quarters_text(s.period)
    cumulative = (f" Kumulatif{CUMULATIVE_MARK}: ketik angka {own} sendiri, bukan jumlah sejak TW I; "
                  "jumlahnya dihitung otomatis." if any(i.metode == "kumulatif" for i in m.indicators) else "")
    return [
        f"1. Isi hanya sel berwarna kuning: Realisasi {quarters_text(s.period)}, Penjelasan, Bukti Dukung "
        "(tautan) dan Realisasi Anggaran. Sel lain dikunci; Capaian (%) dihitung otomatis.",
        DECIMAL_ADVICE,
        "3. Jangan mengganti nama, menghapus, menyisipkan atau memindahkan baris, kolom dan sheet formulir ini. "
        f"Sel merah berisi teks, bukan angka: ketik ulang angkanya.{cumulative}",
        f"4. Simpan sebagai Excel Workbook (.xlsx) dan kembalikan kepada {to}{by}.",
    ]


def write_form(m: Master, unit: Unit, identity: FormIdentity, path: Path, logo: Path | None = None) -> Path:
    """Write one unit's form (atomic save)."""
    s = m.settings
    period = s.period
    inds = [i for code in identity.indikator if (i := m.indicator(code)) is not None]
    wb = Workbook()
    ws = wb.worksheets[0]
    ws.title = FORM_SHEET
    last = LETTER[COLUMNS[-1][0]]
    band = LETTER[FIRST_BAND_LAST]  # the kop, the unit's block and the instructions stay on page 1
    for key, j in COL.items():
        ws.column_dimensions[get_column_letter(j)].width = WIDTHS.get(key, DEFAULT_WIDTH)
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)

    def banner(r: int, text: str, font: Font, height: float = 18) -> None:
        ws.merge_cells(f"A{r}:{band}{r}")
        set_value(ws[f"A{r}"], text)
        ws[f"A{r}"].font, ws[f"A{r}"].alignment = font, center
        ws.row_dimensions[r].height = height

    kop = (s.office.letterhead() + ["", "", ""])[:3]
    for r, (line, font) in enumerate(zip(kop, (Font(name=FONT, bold=True, size=12),
                                               Font(name=FONT, bold=True, size=14), Font(name=FONT, size=9))), 1):
        banner(r, line, font, 20 if r < 3 else 16)
    rule = Side(style="double", color="000000")
    for j in range(1, COL[FIRST_BAND_LAST] + 1):
        ws.cell(row=3, column=j).border = Border(bottom=rule)
    banner(4, TITLE, Font(name=FONT, bold=True, size=14, color="1F4E78"), 24)
    banner(5, period.label().upper(), Font(name=FONT, bold=True, size=12))
    info_last = get_column_letter(COL[FIRST_BAND_LAST] - 2)  # the legend takes the last two columns
    for r, (label, value) in enumerate(info_rows(m, unit, identity), INFO_ROW):
        ws.merge_cells(f"A{r}:B{r}")
        ws.merge_cells(f"C{r}:{info_last}{r}")
        set_value(ws[f"A{r}"], label)
        set_value(ws[f"C{r}"], ": " + value)
        ws[f"A{r}"].font = Font(name=FONT, bold=True)
        ws[f"C{r}"].font = Font(name=FONT, bold=label == "Batas Waktu",
                                color="C00000" if label == "Batas Waktu" else None)
    _legend(ws, band)
    ws.merge_cells(f"A10:B{HEADER_ROW - 1}")
    set_value(ws["A10"], "Petunjuk")
    ws["A10"].font = Font(name=FONT, bold=True)
    ws["A10"].alignment = Alignment(vertical="top")
    band_width = sum(WIDTHS.get(k, DEFAULT_WIDTH) for k, _ in COLUMNS[2:COL[FIRST_BAND_LAST]])
    for r, text in enumerate(instructions(m), 10):
        ws.merge_cells(f"C{r}:{band}{r}")
        set_value(ws[f"C{r}"], text)
        ws[f"C{r}"].font = Font(name=FONT, size=9)
        ws[f"C{r}"].alignment = Alignment(vertical="top", wrap_text=True)
        shown = len(str(getattr(text, "text", text)))  # a formula's text is about as long as what it shows
        ws.row_dimensions[r].height = 12.5 * max(1, -(-shown // int(band_width * 1.3)))
    header_font = Font(name=FONT, bold=True, color="FFFFFF")
    for key, text in COLUMNS:
        c = ws.cell(row=HEADER_ROW, column=COL[key], value=text)
        c.font, c.alignment, c.border = header_font, center, BORDER
        c.fill = PatternFill("solid", fgColor=HEADER_FILL)
    ws.row_dimensions[HEADER_ROW].height = 45

    inputs = set(input_keys(period))
    first_q = period.quarters[0]
    yellow, grey = PatternFill("solid", fgColor=INPUT_FILL), PatternFill("solid", fgColor=READONLY_FILL)
    green = PatternFill("solid", fgColor=CAPAIAN_FILL)
    first = HEADER_ROW + 1
    originals = []
    protos: dict[str, Any] = {}  # column -> the style of its data cells
    for r, values, height, original in data_rows(m, inds, identity.putaran > 1):
        for key, j in COL.items():
            c = ws.cell(row=r, column=j)
            if values.get(key) is not None:
                set_value(c, values[key])
            if key in protos:  # a column's style is made once, then copied (openpyxl is slow at it)
                c._style = copy(protos[key])
                continue
            c.border = BORDER
            c.font = Font(name=FONT)
            c.alignment = Alignment(vertical="top", wrap_text=key in WRAPPED,
                                    horizontal="center" if key in ("no", "satuan", "polaritas", "metode") else None)
            c.number_format = NUMBER_FORMATS.get(key, "General")
            if key == "capaian":
                c.fill = green
            elif key in inputs:
                c.fill, c.protection = yellow, Protection(locked=False)
            elif key.startswith("r") and key[1:].isdigit() and int(key[1:]) < first_q:
                c.fill = grey
            protos[key] = copy(c._style)
        ws.row_dimensions[r].height = height
        originals.append(original)
    end = first + len(inds) - 1
    _validations(ws, period, first, end)
    _text_flags(ws, first, end)

    ws.freeze_panes = f"D{first}"
    ws.protection = SheetProtection(sheet=True, objects=True, formatColumns=False, formatRows=False,
                                    selectLockedCells=False, selectUnlockedCells=False)
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.scale = FORM_SCALE
    ws.sheet_properties.pageSetUpPr.fitToPage = False
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.print_options.horizontalCentered = True
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.print_title_cols = REPEATED_COLUMNS
    second = get_column_letter(COL[FIRST_BAND_LAST] + 1)
    ws.print_area = [f"A1:{band}{end}", f"{second}{HEADER_ROW}:{last}{end}"]
    ws.oddFooter.left.text, ws.oddFooter.right.text = f"Formulir {unit.kode} - {period.label()}", "Halaman &P dari &N"
    ws.oddFooter.left.size = ws.oddFooter.right.size = 8
    if logo is not None:
        _add_logo(ws, logo)

    hidden = wb.create_sheet(ID_SHEET)
    for r, row in enumerate(identity_sheet_rows(identity, originals), 1):
        for j, v in enumerate(row, 1):
            if v is not None:
                set_value(hidden.cell(row=r, column=j), v if isinstance(v, (int, float)) else str(v))
    hidden.sheet_state = "veryHidden"
    hidden.protection = SheetProtection(sheet=True, objects=True)
    for key, value in identity.as_properties().items():
        if value:
            wb.custom_doc_props.append(StringProperty(name=PROP_PREFIX + key, value=value))
    wb.properties.title = f"Formulir {unit.kode} {period.label()}"
    wb.properties.subject = TITLE.title()
    wb.properties.creator = s.office.nama
    wb.security = WorkbookProtection(lockStructure=True)
    wb.active = 0
    save_atomic(wb, path, backup=False)
    return path


def info_rows(m: Master, unit: Unit, identity: FormIdentity) -> list[tuple[str, str]]:
    """The form's block about the unit (from row INFO_ROW): label, value."""
    s = m.settings
    head = unit.kepala + (f" (NIP {format_nip(unit.nip_kepala)})" if unit.nip_kepala else "")
    return [("Unit Kerja", f"{unit.nama} ({unit.kode})"),
            ("Kepala Unit", head or "-"),
            ("Batas Waktu", deadline_text(s.batas_waktu) if s.batas_waktu else "belum ditetapkan"),
            ("Putaran", str(identity.putaran) + (" (perbaikan)" if identity.putaran > 1 else ""))]


def data_rows(m: Master, inds: list[Indicator], revision: bool) -> Iterator[tuple[int, dict[str, Any], float, list[Any]]]:
    """The form's data rows, one per indicator: (sheet row, value per column key with the
    capaian a live Formula, row height, the row as handed out for the hidden sheet)."""
    s = m.settings
    period = s.period
    for n, ind in enumerate(inds):
        r = HEADER_ROW + 1 + n
        res = m.results.get(ind.kode)
        rumus = m.turun_formula(ind)
        cells = {k: f"{LETTER[k]}{r}" for k in COL}
        values: dict[str, Any] = {
            "no": n + 1, "kode": ind.kode, "nama": ind.nama, "satuan": ind.satuan,
            "polaritas": POLARITY_LABELS[ind.polaritas],
            "metode": METHOD_LABELS[ind.metode] + (CUMULATIVE_MARK if ind.metode == "kumulatif" else ""),
            "target_tahunan": ind.target_tahunan, "pagu": ind.pagu,
            **{f"t{q}": ind.target_tw[q - 1] for q in range(1, 5)},
            **{f"r{q}": (res.realisasi_tw[q - 1] if res and q <= period.last_quarter else None)
               for q in range(1, 5)},
        }
        if res and revision:
            values.update(penjelasan=res.penjelasan or None, bukti=res.bukti or None,
                          realisasi_anggaran=res.realisasi_anggaran)
        height = 15 * max([1] + [-(-len(str(values.get(k) or "")) // int(WIDTHS[k] * 1.1)) for k in WRAPPED])
        values["capaian"] = Formula(excel_capaian_formula(
            ind, period, s.rules, rumus, [cells[f"t{q}"] for q in range(1, 5)],
            [cells[f"r{q}"] for q in range(1, 5)], cells["target_tahunan"]))
        yield r, values, height, [ind.kode, ind.nama, ind.satuan, ind.polaritas,
                                  rumus if ind.polaritas == "turun" else "", ind.metode, ind.target_tahunan,
                                  *ind.target_tw, ind.pagu, r]


class FormTemplate:
    """The first form of a hand-out (written by write_form) as the pattern of the others: the
    same package, each unit with its own block, rows, hidden identity sheet, properties and
    print area. write_form stays the one description of the layout; the copies are equal to
    what it writes, cell for cell (tests/ooxml/test_fast_paths.py), at a fraction of the time."""

    def __init__(self, path: Path) -> None:
        self.data = Path(path).read_bytes()
        with zipfile.ZipFile(io.BytesIO(self.data)) as zin:
            book = Book(Package(zin))
            self.form_part, self.id_part, self.wb_part = book.parts[FORM_SHEET], book.parts[ID_SHEET], book.wb_path
            with zin.open(self.form_part) as src:
                self.head, rows_xml, self.tail = split_sheet(src, None)
            with zin.open(self.id_part) as src:
                self.id_head, _, self.id_tail = split_sheet(src, None)
            self.workbook = zin.read(self.wb_part).decode("utf-8")
            self.core = zin.read("docProps/core.xml").decode("utf-8")
            self.custom = zin.read("docProps/custom.xml").decode("utf-8")
        self.cells = Cells(book.styles, book.epoch, [])
        self.top: dict[int, Row | str] = {}  # the rows above the data; the unit's block parsed
        self.styles: dict[str, str] = {}  # column key -> style attribute of its data cells
        for m in ROW.finditer(rows_xml):
            r = row_number(m.group(1))
            if r <= HEADER_ROW:
                block = INFO_ROW <= r < INFO_ROW + 4
                self.top[r] = Row.parse(m.group(1), m.group(3)) if block else m.group(0)
            elif r == HEADER_ROW + 1:
                row = Row.parse(m.group(1), m.group(3))
                self.styles = {key: f' s="{row.style(j)}"' if row.style(j) else "" for key, j in COL.items()}
        if not self.styles or not all(isinstance(self.top.get(r), Row) for r in range(INFO_ROW, INFO_ROW + 4)):
            raise ValueError("not a form written by write_form")

    def write(self, m: Master, unit: Unit, identity: FormIdentity, path: Path) -> Path:
        """This unit's form at `path` (atomic save)."""
        xml = self.cells.xml
        inds = [i for code in identity.indikator if (i := m.indicator(code)) is not None]
        end = HEADER_ROW + len(inds)
        rows: list[str] = []
        info = info_rows(m, unit, identity)
        for r, row in sorted(self.top.items()):
            if isinstance(row, Row):  # the value of the unit's block is in column C
                style = row.style(3)
                row.cells[3] = xml(f"C{r}", ": " + info[r - INFO_ROW][1], f' s="{style}"' if style else "")
                rows.append(row.xml())
            else:
                rows.append(row)
        originals = []
        for r, values, height, original in data_rows(m, inds, identity.putaran > 1):
            cells = "".join(xml(f"{LETTER[key]}{r}", values.get(key), self.styles[key]) for key in COL)
            rows.append(f'<row r="{r}" ht="{height:g}" customHeight="1">{cells}</row>')
            originals.append(original)
        last = LETTER[COLUMNS[-1][0]]
        head = re.sub(r'<dimension ref="[^"]*"/>', f'<dimension ref="A1:{last}{end}"/>', self.head, count=1)
        tail = re.sub(r'sqref="([A-Z]+)' + str(HEADER_ROW + 1) + r':([A-Z]+)\d+"',
                      lambda mo: f'sqref="{mo.group(1)}{HEADER_ROW + 1}:{mo.group(2)}{end}"', self.tail)
        sheet = head + "".join(rows) + tail
        hidden = []
        width = 1
        for r, row in enumerate(identity_sheet_rows(identity, originals), 1):
            out = [xml(f"{get_column_letter(j)}{r}", v if isinstance(v, (int, float)) else str(v), "")
                   for j, v in enumerate(row, 1) if v is not None]
            width = max(width, len(row))
            hidden.append(f'<row r="{r}">' + "".join(out) + "</row>" if out else f'<row r="{r}"/>')
        id_head = re.sub(r'<dimension ref="[^"]*"/>', f'<dimension ref="A1:{get_column_letter(width)}{len(hidden)}"/>',
                         self.id_head, count=1)
        def to_end(mo: re.Match[str]) -> str:  # a print area's last row moves to the table's end
            return mo.group(1) + re.sub(r"(:\$[A-Z]+\$)\d+", rf"\g<1>{end}", mo.group(2)) + mo.group(3)

        workbook = re.sub(r"(_xlnm\.Print_Area[^>]*>)([^<]*)(</definedName>)", to_end, self.workbook)
        vt = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
        props = [(PROP_PREFIX + k, v) for k, v in identity.as_properties().items() if v]
        custom = self.custom[:self.custom.index("<property")] + "".join(
            f'<property name={quoteattr(name)} fmtid="{{D5CDD505-2E9C-101B-9397-08002B2CF9AE}}" pid="{pid}">'
            f'<vt:lpwstr xmlns:vt="{vt}">{escape(value)}</vt:lpwstr></property>'
            for pid, (name, value) in enumerate(props, 2)) + "</Properties>"
        stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        core = re.sub(r"(<dc:title[^>]*>)[^<]*(</dc:title>)",
                      lambda mo: mo.group(1) + escape(f"Formulir {unit.kode} {m.settings.period.label()}") + mo.group(2),
                      self.core)
        core = re.sub(r"(<dcterms:(?:created|modified)[^>]*>)[^<]*(<)", lambda mo: mo.group(1) + stamp + mo.group(2), core)
        parts = {self.form_part: sheet, self.id_part: id_head + "".join(hidden) + self.id_tail,
                 self.wb_part: workbook, "docProps/custom.xml": custom, "docProps/core.xml": core}

        def produce(tmp: Path) -> None:
            with zipfile.ZipFile(io.BytesIO(self.data)) as zin, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
                for info_ in zin.infolist():
                    if info_.filename in parts:
                        new = member_info(info_)
                        new._compresslevel = 6  # forms travel by mail: small
                        zout.writestr(new, parts[info_.filename].encode("utf-8"))
                    else:
                        copy_member(zin, zout, info_)

        replace_atomic(path, produce, backup=False)
        return path


LEGEND = ((INPUT_FILL, "Diisi unit"), (READONLY_FILL, "Sudah di induk"), (CAPAIAN_FILL, "Dihitung otomatis"))


def _legend(ws: Any, band: str) -> None:
    """What each colour of the form means, beside the unit's block: one meaning per colour."""
    last = COL[FIRST_BAND_LAST]
    first = get_column_letter(last - 1)
    set_value(ws[f"{first}{INFO_ROW}"], "Arti warna:")
    ws[f"{first}{INFO_ROW}"].font = Font(name=FONT, bold=True, size=9)
    for r, (fill, label) in enumerate(LEGEND, INFO_ROW + 1):
        ws.merge_cells(f"{first}{r}:{band}{r}")
        set_value(ws[f"{first}{r}"], label)
        ws[f"{first}{r}"].fill = PatternFill("solid", fgColor=fill)
        ws[f"{first}{r}"].font = Font(name=FONT, size=9)
        ws[f"{first}{r}"].border = BORDER


def _template(path: Path) -> FormTemplate | bool:
    try:
        return FormTemplate(path)
    except (ValueError, KeyError, Unsupported):  # a layout this reader does not know: write_form
        return False


def _text_flags(ws: Any, first: int, end: int) -> None:
    """Text in a realisasi cell (a number pasted as text, '85,5') turns the cell red, and the
    capaian it feeds shows NOT_A_NUMBER in red: the unit sees it before sending the form."""
    red = dict(fill=PatternFill("solid", fgColor="FFC7CE", bgColor="FFC7CE"), font=Font(color="9C0006", bold=True))
    top = f"{LETTER['r1']}{first}"
    ws.conditional_formatting.add(f"{top}:{LETTER['r4']}{end}", FormulaRule(formula=[TYPED_TEXT.format(c=top)], **red))
    cap = f"{LETTER['capaian']}{first}"
    ws.conditional_formatting.add(f"{cap}:{LETTER['capaian']}{end}",
                                  FormulaRule(formula=[f'{cap}="{NOT_A_NUMBER}"'], **red))


def _validations(ws: Any, period: Period, first: int, end: int) -> None:
    def col(key: str) -> str:
        return f"{LETTER[key]}{first}:{LETTER[key]}{end}"

    for q in period.quarters:
        tw = f"TW {ROMAN[q - 1]}"
        dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                            showErrorMessage=True, errorStyle="stop", errorTitle="Realisasi tidak valid",
                            error=f"Realisasi {tw} harus angka 0 atau lebih, tanpa satuan atau tanda %. "
                                  "Tanda desimal: lihat Petunjuk nomor 2 di atas.",
                            showInputMessage=True, promptTitle=f"Realisasi {tw}",
                            prompt="Ketik angka realisasi; tanda desimal menurut Petunjuk nomor 2. "
                                   "Periksa angka yang tampil. Kosongkan bila belum ada. "
                                   f"Kumulatif{CUMULATIVE_MARK}: ketik angka {tw} saja, bukan jumlah sejak TW I.")
        ws.add_data_validation(dv)
        dv.add(col(f"r{q}"))
    dv = DataValidation(type="textLength", operator="lessThanOrEqual", formula1="1000", allow_blank=True,
                        showErrorMessage=True, errorStyle="stop", errorTitle="Penjelasan terlalu panjang",
                        error="Penjelasan paling banyak 1000 karakter; ringkas atau lampirkan pada bukti dukung.",
                        showInputMessage=True, promptTitle="Penjelasan",
                        prompt="Wajib bila capaian di bawah target: sebab dan upaya perbaikannya.")
    ws.add_data_validation(dv)
    dv.add(col("penjelasan"))
    top = f"{LETTER['bukti']}{first}"
    dv = DataValidation(type="custom", formula1=f'ISNUMBER(SEARCH("://",{top}))', allow_blank=True,
                        showErrorMessage=True, errorStyle="warning", errorTitle="Bukan tautan",
                        error="Bukti dukung sebaiknya tautan, mis. https://drive.example/bukti.pdf. "
                              "Tetap simpan isian ini?",
                        showInputMessage=True, promptTitle="Bukti Dukung",
                        prompt="Tempel tautan (https://...) ke dokumen bukti dukung.")
    ws.add_data_validation(dv)
    dv.add(col("bukti"))
    dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                        showErrorMessage=True, errorStyle="stop", errorTitle="Realisasi anggaran tidak valid",
                        error="Realisasi anggaran harus angka rupiah 0 atau lebih, tanpa 'Rp', mis. 12500000.",
                        showInputMessage=True, promptTitle="Realisasi Anggaran",
                        prompt=f"Anggaran yang terpakai pada {period.label()}, dalam rupiah.")
    ws.add_data_validation(dv)
    dv.add(col("realisasi_anggaran"))


def _logo(m: Master, master_path: Path) -> Path | None:
    if not m.settings.office.logo:
        return None
    path = Path(m.settings.office.logo)
    path = path if path.is_absolute() else Path(master_path).parent / path
    return path if path.is_file() else None


def _add_logo(ws: Any, logo: Path) -> None:
    from openpyxl.drawing.image import Image

    try:
        img = Image(str(logo))
    except Exception:  # noqa: BLE001 - an unreadable image: the form goes out without it
        return
    ratio = 56 / max(1, img.height)
    img.height, img.width = 56, int(img.width * ratio)
    ws.add_image(img, "A1")


# ----------------------------------------------------------------------------------- documents


def _official(o: Official | None) -> dict[str, str]:
    dots = "...................................."
    if o is None:
        return {"jabatan": dots, "nama": dots, "pangkat": "", "nip": dots}
    return {"jabatan": o.jabatan, "nama": o.nama, "pangkat": o.pangkat, "nip": o.nip_text or dots}


def document_context(m: Master, now: datetime, logo: Path | None = None) -> dict[str, Any]:
    """Fields every forms document may use: letterhead, office, period, dates, officials."""
    s = m.settings
    o = s.office
    if o.kop:
        judul, alamat = (o.kop[:-1], o.kop[-1]) if len(o.kop) > 1 else (o.kop, "")
    else:
        judul, alamat = [o.pemerintah.upper(), o.nama.upper()], o.alamat
    return {"kop_judul": judul, "kop_alamat": alamat, "logo": "", "logo_path": logo, "instansi": o.nama,
            "pemerintah": o.pemerintah, "tempat": o.tempat or o.nama, "periode": s.period.label(),
            "tanggal": format_date(now), "batas_waktu": deadline_text(s.batas_waktu),
            "kepala": _official(s.official("kepala")), "sekretaris": _official(s.official("sekretaris")),
            "perencana": _official(s.official("perencana"))}


def _receipt_row(n: int, unit: Unit | None, file: str, code: str = "", name: Any = None) -> dict[str, Any]:
    if unit is None:
        return {"no": n, "kode": code, "unit": f"{name or code} ({code})", "kepala": "", "file": file}
    head = unit.kepala + (f"\nNIP {format_nip(unit.nip_kepala)}" if unit.nip_kepala else "")
    return {"no": n, "kode": unit.kode, "unit": f"{unit.nama} ({unit.kode})", "kepala": head, "file": file}


def receipt_context(m: Master, rows: list[dict[str, Any]], putaran: int, now: datetime,
                    logo: Path | None = None) -> dict[str, Any]:
    return {**document_context(m, now, logo), "baris": rows, "putaran": putaran}


def disposisi_context(m: Master, now: datetime, logo: Path | None = None) -> dict[str, Any]:
    units = [{"kode": u.kode, "nama": u.nama, "kepala": u.kepala or "-"}
             for u in m.units if m.indicators_of(u.kode)]
    return {**document_context(m, now, logo), "unit": units}


def template_path(name: str, master_path: Path) -> Path | None:
    """The office's own template (a 'templates' folder beside the master), else the built-in one."""
    for folder in (Path(master_path).parent / "templates", TEMPLATES):
        if (folder / name).is_file():
            return folder / name
    return None


def render_document(name: str, context: dict[str, Any], out: Path, master_path: Path,
                    report: Report) -> Path | None:
    """Render a docxtpl template to `out`; problems become issues (None returned)."""
    from docx.shared import Cm
    from docxtpl import InlineImage

    from kinerja.wordtemplate import docx_template

    src = template_path(name, master_path)
    if src is None:
        report.issue("forms-template-missing", file=name)
        return None
    try:
        tpl = docx_template(src)
        ctx = dict(context)
        logo = ctx.pop("logo_path", None)
        if logo is not None:
            ctx["logo"] = InlineImage(tpl, str(logo), height=Cm(2.2))
        tpl.render(ctx, autoescape=True)
    except Exception as e:  # noqa: BLE001 - a broken template (Jinja syntax, bad docx) is reported
        report.issue("forms-template-invalid", file=src.name, detail=explain(e, TEMPLATE_FAILED))
        return None
    try:
        tpl.save(str(out))
    except OSError as e:
        report.issue("form-write-failed", file=out.name, detail=explain(e))
        return None
    return out
