"""Form E.81: "Evaluasi terhadap Hasil Renja Perangkat Daerah" (Permendagri 86/2017), the
quarterly evaluation every Perangkat Daerah hands to Bappeda, built from the master.

One row per indicator (`E81Row`), computed once with the master's own rules (capaian.py), then
laid out three ways (docs/FORMAT-EKSPOR.md has each column and its source):
- `e81`: the form as printed: title block, two header rows (K = kinerja, Rp = anggaran), the
  column-number row, then indicators grouped under sasaran / program / kegiatan.
- `e81-bkerinci`: the same 28 columns with the two header rows on rows 1-2 and data from row 3,
  no title block and no group rows, as the e-SAKIP importer `FormulirE81Import` reads it.
- `e81-deliserdang`: the E.81 variant read by `SakipEvaluasiRenjaController::actionImport`:
  data from row 11, columns A-AG, program/kegiatan level told by the fill colour of column G,
  per quarter kinerja / persen / anggaran.

What the master does not know is left blank, never invented: Renstra end-of-period targets and
realisasi up to last year come from the optional 'Renstra' sheet; a quarter's realisasi anggaran
is known only for the period the master collects (the unit forms ask for that period's spending).
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from kinerja.domain.capaian import achievement, exact_sum, ratio, realisasi_to_date
from kinerja.domain.models import ROMAN, Master, Period
from kinerja.issues.catalogue import Report
from kinerja.stages.rekap import consolidate
from kinerja.workbook import sheets as S
from kinerja.workbook.description import WorkbookWrites
from kinerja.workbook.master import Loaded
from kinerja.workbook.tables import read_table

# ----------------------------------------------------------------------------------- data


@dataclass(slots=True)
class Renstra:
    """An indicator's Renstra figures (sheet 'Renstra'); None where the office gave none."""

    tahun_akhir: int | None = None
    target_k: float | None = None
    target_rp: float | None = None
    lalu_k: float | None = None  # realisasi from the Renstra's first year up to last year
    lalu_rp: float | None = None


@dataclass(slots=True)
class E81Row:
    no: int
    sasaran: str
    program: str
    kegiatan: str
    indikator: str
    kode: str
    satuan: str
    unit: str
    renstra: Renstra
    target_k: float | None  # the year's target (Renja tahun berjalan)
    target_rp: float | None  # the year's ceiling (pagu)
    tw_k: list[float | None]  # realisasi per quarter, blank after the period
    tw_pct: list[float | None]  # capaian per quarter (%), rounded as everywhere else
    tw_rp: list[float | None]  # realisasi anggaran per quarter, where known
    tahun_k: float | None  # realisasi of the year so far (the indicator's method)
    tahun_rp: float | None
    renstra_sd_k: float | None  # realisasi of the Renstra up to this year
    renstra_sd_rp: float | None
    tingkat_k: float | None  # capaian of the Renstra up to this year (%)
    tingkat_rp: float | None
    notes: list[str] = field(default_factory=list)


def load_renstra(rows: list[tuple] | None, report: Report, file: str) -> dict[str, Renstra]:
    """The optional 'Renstra' sheet by indicator code (an older master without it: empty)."""
    if rows is None:
        return {}
    out: dict[str, Renstra] = {}
    for row in read_table(rows, S.RENSTRA, report, file).rows:
        v = row.values
        tahun = v.get("tahun_akhir")
        out[str(v["kode"]).strip()] = Renstra(int(tahun) if tahun is not None else None, v.get("target_k"),
                                              v.get("target_rp"), v.get("lalu_k"), v.get("lalu_rp"))
    return out


def renstra_of(loaded: Loaded) -> dict[str, Renstra]:
    """The loaded master's 'Renstra' sheet (problems go to the load report)."""
    return load_renstra((loaded.rows or {}).get(S.RENSTRA.sheet), loaded.report, loaded.path.name)


def e81_rows(master: Master, renstra: dict[str, Renstra] | None = None) -> list[E81Row]:
    """One E.81 row per indicator, sorted by sasaran, program, kegiatan (first appearance)."""
    renstra = renstra or {}
    p, rules = master.settings.period, master.settings.rules
    last_q = p.last_quarter
    anggaran_q = p.quarters[0] if p.jenis == "triwulan" else None
    rows: list[E81Row] = []
    for r in consolidate(master):
        ind, res = r.indicator, r.result
        rt: list[float | None] = res.realisasi_tw if res else [None] * 4
        rumus = master.turun_formula(ind)
        tw_k = [rt[q - 1] if q <= last_q else None for q in range(1, 5)]
        tw_pct = []
        for q in range(1, 5):
            ach = achievement(ind, res, Period(tahun=p.tahun, jenis="triwulan", nomor=q), rules, rumus)
            tw_pct.append(ach.capaian if q <= last_q else None)  # rounded once by capaian.ratio
        # the form asks for the period's own spending: known once the unit reported this period
        spent = res.realisasi_anggaran if res and anggaran_q and rt[anggaran_q - 1] is not None else None
        tw_rp = [spent if q == anggaran_q else None for q in range(1, 5)]
        tahun_k = realisasi_to_date(ind, rt, last_q)
        tahun_rp = spent if anggaran_q == 1 else None  # earlier quarters' spending is not in the master
        rs = renstra.get(ind.kode, Renstra())
        if ind.metode == "nilai_akhir":
            sd_k = tahun_k  # a position: the latest value is the Renstra's value so far
        else:
            sd_k = None if rs.lalu_k is None or tahun_k is None else exact_sum([rs.lalu_k, tahun_k])
        sd_rp = None if rs.lalu_rp is None or tahun_rp is None else exact_sum([rs.lalu_rp, tahun_rp])
        tingkat_k, _ = ratio(rs.target_k, sd_k, ind.polaritas, rumus, rules)
        tingkat_rp, _ = ratio(rs.target_rp, sd_rp, "naik", rumus, rules)
        rows.append(E81Row(0, ind.sasaran, ind.program, ind.kegiatan, ind.nama, ind.kode, ind.satuan,
                           r.unit.nama, rs, ind.target_tahunan, ind.pagu, tw_k, tw_pct, tw_rp, tahun_k,
                           tahun_rp, sd_k, sd_rp, tingkat_k, tingkat_rp))
    order: dict[tuple[str, ...], int] = {}
    for row in rows:  # group by first appearance, keep the master's order inside a group
        for key in ((row.sasaran,), (row.sasaran, row.program), (row.sasaran, row.program, row.kegiatan)):
            order.setdefault(key, len(order))
    rows.sort(key=lambda x: (order[(x.sasaran,)], order[(x.sasaran, x.program)],
                             order[(x.sasaran, x.program, x.kegiatan)]))
    for n, row in enumerate(rows, 1):
        row.no = n
    return rows


# ----------------------------------------------------------------------------------- layouts

HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
FONT = Font(name="Arial", size=9)
BOLD = Font(name="Arial", size=9, bold=True)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
WRAP = Alignment(vertical="top", wrap_text=True)
NUM = "General"  # whole numbers without a separator, decimals as typed
NUM_FORMAT = "#,##0.00"
RP_FORMAT = "#,##0"

# Deli Serdang's importer reads the level of column G from its solid fill colour.
LEVEL_FILL = {"program": "DBE5F2", "kegiatan": "FCD5B6"}


def _pairs(tahun: int, akhir: str) -> list[str]:
    return [
        f"Target Kinerja dan Anggaran Renstra Perangkat Daerah pada Tahun {akhir} (Akhir Periode Renstra PD)",
        f"Realisasi Capaian Kinerja Renstra Perangkat Daerah sampai dengan Renja Perangkat Daerah Tahun Lalu ({tahun - 1})",
        f"Target Kinerja dan Anggaran Renja Perangkat Daerah Tahun Berjalan ({tahun}) yang Dievaluasi",
        *(f"Realisasi Kinerja pada Triwulan {ROMAN[q]}" for q in range(4)),
        f"Realisasi Capaian Kinerja dan Anggaran Renja Perangkat Daerah yang Dievaluasi ({tahun})",
        f"Realisasi Kinerja dan Anggaran Renstra Perangkat Daerah s/d Tahun {tahun} "
        f"(Akhir Tahun Pelaksanaan Renja PD Tahun {tahun})",
        f"Tingkat Capaian Kinerja dan Realisasi Anggaran Renstra Perangkat Daerah s/d Tahun {tahun} (%)",
    ]


LEAD = ["No", "Sasaran", "Program", "Kegiatan", "Sub Kegiatan",
        "Indikator Kinerja Program (outcome) / Kegiatan (output)", "Satuan"]
TAIL = "Unit Perangkat Daerah Penanggung Jawab"
E81_WIDTHS = [5, 26, 24, 24, 9, 34, 9] + [12] * 20 + [20]
DS_WIDTHS = [5, 6, 6, 6, 10, 26, 30, 34, 9] + [11] * 24


def _akhir(rows: list[E81Row]) -> str:
    years = {r.renstra.tahun_akhir for r in rows if r.renstra.tahun_akhir}
    return str(years.pop()) if len(years) == 1 else "..."


def _e81_values(row: E81Row) -> list[Any]:
    rs = row.renstra
    quarters = [v for q in range(4) for v in (row.tw_k[q], row.tw_rp[q])]
    return [row.no, row.sasaran, row.program, row.kegiatan, "", row.indikator, row.satuan,
            rs.target_k, rs.target_rp, rs.lalu_k, rs.lalu_rp, row.target_k, row.target_rp, *quarters,
            row.tahun_k, row.tahun_rp, row.renstra_sd_k, row.renstra_sd_rp, row.tingkat_k, row.tingkat_rp,
            row.unit]


def _e81_header(ws: Worksheet, top: int, tahun: int, akhir: str) -> None:
    for j, text in enumerate(LEAD, 1):
        ws.cell(top, j, text)
        ws.merge_cells(start_row=top, start_column=j, end_row=top + 1, end_column=j)
    for k, text in enumerate(_pairs(tahun, akhir)):
        col = len(LEAD) + 1 + 2 * k
        ws.cell(top, col, text)
        ws.merge_cells(start_row=top, start_column=col, end_row=top, end_column=col + 1)
        ws.cell(top + 1, col, "K (%)" if k == 9 else "K")
        ws.cell(top + 1, col + 1, "Rp (%)" if k == 9 else "Rp")
    last = len(LEAD) + 21
    ws.cell(top, last, TAIL)
    ws.merge_cells(start_row=top, start_column=last, end_row=top + 1, end_column=last)
    for r in (top, top + 1):
        ws.row_dimensions[r].height = 60 if r == top else 16
        for j in range(1, last + 1):
            c = ws.cell(r, j)
            c.font, c.fill, c.alignment, c.border = BOLD, HEADER_FILL, CENTER, BORDER


def _style_data(ws: Worksheet, r: int, ncols: int, money: set[int], pct: set[int]) -> None:
    for j in range(1, ncols + 1):
        c = ws.cell(r, j)
        c.font, c.border = FONT, BORDER
        c.alignment = WRAP
        if j in money:
            c.number_format = RP_FORMAT
        elif j in pct or j > len(LEAD):
            c.number_format = NUM_FORMAT if j in pct else NUM


def _put(ws: Worksheet, r: int, values: list[Any], widths: list[int]) -> None:
    """Write one row, text as text (never a formula), tall enough for its wrapped text."""
    lines = 1
    for j, v in enumerate(values, 1):
        if v is None or v == "":
            continue
        c = ws.cell(r, j)
        c.value = v
        if isinstance(v, str):
            c.data_type = "s"
            lines = max(lines, math.ceil(len(v) / max(widths[j - 1] - 1, 1)))
    ws.row_dimensions[r].height = 12 * lines + 1


def _print_setup(ws: Worksheet, title_rows: str, office: str, period: str) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A3  # the form's 28 columns, as offices print it
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = title_rows
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.oddHeader.left.text = f"Form E.81 - {office}"
    ws.oddHeader.right.text = period
    ws.oddFooter.center.text = "Halaman &P dari &N"


def e81_workbook(master: Master, rows: list[E81Row], layout: str) -> Workbook:
    """The E.81 sheet in one of the layouts 'e81', 'e81-bkerinci'."""
    s = master.settings
    p = s.period
    wb = Workbook()
    ws = wb.worksheets[0]
    ws.title = "E.81"
    akhir = _akhir(rows)
    ncols = len(LEAD) + 21
    money = {len(LEAD) + 2 * k + 2 for k in range(9)}
    pct = {len(LEAD) + 19, len(LEAD) + 20}
    top = 1
    if layout == "e81":
        titles = ["Form E.81", "EVALUASI TERHADAP HASIL RENJA PERANGKAT DAERAH LINGKUP KABUPATEN/KOTA",
                  f"Renja Perangkat Daerah {s.office.nama} {s.office.pemerintah}",
                  f"Periode Pelaksanaan: {p.label()}"]
        for i, text in enumerate(titles, 1):
            c = ws.cell(i, 1, text)
            c.font = Font(name="Arial", size=11 if i > 1 else 9, bold=i > 1)
        top = len(titles) + 2
    _e81_header(ws, top, p.tahun, akhir)
    r = top + 2
    if layout == "e81":
        for j in range(1, ncols + 1):  # the form's column numbers
            c = ws.cell(r, j, j)
            c.font, c.alignment, c.border = Font(name="Arial", size=8, italic=True), CENTER, BORDER
        r += 1
    title_rows = f"{top}:{r - 1}"
    seen: set[tuple[str, ...]] = set()
    for row in rows:
        if layout == "e81":  # group rows: column A and B empty (an importer reading A/B skips them)
            for depth, text in ((2, row.program), (3, row.kegiatan)):
                key = (row.sasaran, row.program, row.kegiatan)[:depth]
                if text and key not in seen:
                    seen.add(key)
                    _put(ws, r, [None] * depth + [text], [9, 9, 80, 60])
                    for j in range(1, ncols + 1):
                        c = ws.cell(r, j)
                        c.font, c.border, c.alignment = BOLD, BORDER, WRAP
                        c.fill = PatternFill("solid", fgColor="F2F2F2")
                    ws.merge_cells(start_row=r, start_column=depth + 1, end_row=r, end_column=len(LEAD))
                    r += 1
        _put(ws, r, _e81_values(row), E81_WIDTHS)
        _style_data(ws, r, ncols, money, pct)
        r += 1
    for j, w in enumerate(E81_WIDTHS, 1):
        ws.column_dimensions[get_column_letter(j)].width = w
    ws.freeze_panes = ws.cell(int(title_rows.split(":")[1]) + 1, len(LEAD) + 1).coordinate
    _print_setup(ws, title_rows, s.office.nama, p.label())
    return wb


DS_COLUMNS = ["No", "Visi", "Misi", "Tujuan", "Sasaran Strategis (RPJMD)", "Sasaran Perangkat Daerah",
              "Program / Kegiatan", "Indikator Kinerja", "Satuan"]


def deliserdang_workbook(master: Master, rows: list[E81Row]) -> Workbook:
    """The E.81 variant with data from row 11 and the level in the fill colour of column G."""
    s = master.settings
    p = s.period
    wb = Workbook()
    ws = wb.worksheets[0]
    ws.title = "E.81"
    titles = ["EVALUASI TERHADAP HASIL RENJA PERANGKAT DAERAH", f"{s.office.nama} {s.office.pemerintah}",
              f"TAHUN {p.tahun}", f"Periode Pelaksanaan: {p.label()}"]
    for i, text in enumerate(titles, 1):
        ws.cell(i, 1, text).font = Font(name="Arial", size=11, bold=True)
    ncols = 33  # A..AG
    head, sub = 7, 8
    for j, text in enumerate(DS_COLUMNS, 1):
        ws.cell(head, j, text)
        ws.merge_cells(start_row=head, start_column=j, end_row=sub, end_column=j)
    groups = [("Target Renstra PD Akhir Periode", ("K", "Rp")),
              (f"Realisasi Renstra s/d Tahun Lalu ({p.tahun - 1})", ("K", "Rp")),
              (f"Target Renja PD Tahun {p.tahun}", ("K", "Rp")),
              *((f"Realisasi Triwulan {ROMAN[q]}", ("K", "%", "Rp")) for q in range(4)),
              (f"Realisasi Capaian Renja {p.tahun}", ("K", "Rp")),
              (f"Realisasi Renstra s/d Tahun {p.tahun}", ("K", "Rp")),
              (f"Tingkat Capaian Renstra s/d Tahun {p.tahun} (%)", ("K", "Rp"))]
    col = len(DS_COLUMNS) + 1
    for text, subs in groups:
        ws.cell(head, col, text)
        ws.merge_cells(start_row=head, start_column=col, end_row=head, end_column=col + len(subs) - 1)
        for k, t in enumerate(subs):
            ws.cell(sub, col + k, t)
        col += len(subs)
    for j in range(1, ncols + 1):
        ws.cell(9, j, j)  # column numbers; row 10 left empty, data from row 11
        for r in (head, sub, 9):
            c = ws.cell(r, j)
            c.font, c.fill, c.alignment, c.border = BOLD, HEADER_FILL, CENTER, BORDER
    ws.row_dimensions[head].height = 48
    r = 11
    seen: set[tuple[str, str]] = set()
    money = {11, 13, 15, 18, 21, 24, 27, 29, 31}
    pct = {17, 20, 23, 26, 32, 33}
    for row in rows:
        if row.program and (row.sasaran, row.program) not in seen:
            seen.add((row.sasaran, row.program))
            _put(ws, r, [None, None, None, None, None, row.sasaran, row.program], DS_WIDTHS)
            _style_data(ws, r, ncols, money, pct)
            ws.cell(r, 7).fill = PatternFill("solid", fgColor=LEVEL_FILL["program"])
            r += 1
        name, level = (row.kegiatan, "kegiatan") if row.kegiatan else (row.program, "program")
        rs = row.renstra
        quarters = [v for q in range(4) for v in (row.tw_k[q], row.tw_pct[q], row.tw_rp[q])]
        _put(ws, r, [row.no, None, None, None, None, row.sasaran, name, row.indikator, row.satuan,
                     rs.target_k, rs.target_rp, rs.lalu_k, rs.lalu_rp, row.target_k, row.target_rp, *quarters,
                     row.tahun_k, row.tahun_rp, row.renstra_sd_k, row.renstra_sd_rp, row.tingkat_k,
                     row.tingkat_rp], DS_WIDTHS)
        _style_data(ws, r, ncols, money, pct)
        if name:
            ws.cell(r, 7).fill = PatternFill("solid", fgColor=LEVEL_FILL[level])
        r += 1
    for j, w in enumerate(DS_WIDTHS, 1):
        ws.column_dimensions[get_column_letter(j)].width = w
    ws.freeze_panes = "J11"
    _print_setup(ws, f"{head}:9", s.office.nama, p.label())
    return wb


def e81_writes(master: Master, renstra: dict[str, Renstra] | None = None) -> WorkbookWrites:
    """The 'Form E.81' sheet of the master: the same rows, one header row (ribbon 'Form E.81')."""
    writes = WorkbookWrites()
    sheet = writes.sheet(S.FORM_E81.sheet, S.FORM_E81)
    sheet.rows = [_e81_values(r) for r in e81_rows(master, renstra)]
    sheet.select = True
    return writes


def to_bytes(wb: Workbook) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
