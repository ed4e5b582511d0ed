"""The master workbook: build it (`kinerja init`) and read it back into models (`kinerja check`)."""

from __future__ import annotations

import csv
import dataclasses
import json
import re
import threading
import zipfile
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import chain
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from pydantic import ValidationError

from kinerja.domain.models import (
    DEFAULT_SCALE,
    ROMAN,
    UNIT_SHEET_PREFIX,
    Indicator,
    LetterSettings,
    Master,
    Office,
    Official,
    Period,
    PredicateBand,
    Result,
    Rules,
    Settings,
    Unit,
)
from kinerja.domain.sop import Sop, UnknownPresetError, load_preset, sop_from_rows
from kinerja.domain.workcal import DEFAULT_OFFICE_HOURS, ExtraHoliday, OfficeDay
from kinerja.issues.catalogue import Issue, KinerjaError, Report, catalogue_rows, make_issue
from kinerja.issues.explain import explain, log, validation_text
from kinerja.workbook import bounded
from kinerja.workbook import sheets as S
from kinerja.workbook.book import filter_ref, set_value, style_table, write_rows
from kinerja.workbook.bounded import FarCells
from kinerja.workbook.files import gc_paused, save_atomic
from kinerja.workbook.lists import LIST_SHEET, list_validation
from kinerja.workbook.style import HINT_FONT, INPUT_FILL, TITLE_FONT
from kinerja.workbook.tables import Column, ReadTable, Row, Table, convert, find_header, norm, read_table

DAY_NAMES = ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"]

# ----------------------------------------------------------------------------------- office data


@dataclass
class OfficeData:
    """What `kinerja init --data DIR` reads: instansi.json, unit.csv, indikator.csv,
    and optionally realisasi_lalu.csv (earlier quarters already reported) and renstra.csv
    (Renstra end-of-period targets and realisasi up to last year, for Form E.81)."""

    settings: dict[str, Any]
    officials: list[dict[str, Any]]
    units: list[dict[str, Any]]
    indicators: list[dict[str, Any]]
    results: list[dict[str, Any]] = field(default_factory=list)
    holidays: list[dict[str, Any]] = field(default_factory=list)
    renstra: list[dict[str, Any]] = field(default_factory=list)


def read_office_data(source: Path) -> OfficeData:
    """An office's data for `kinerja init --data`: a folder of text files (see docs/DATA-INSTANSI.md),
    an existing master, or any workbook holding the master's tables (found by their column titles)."""
    source = Path(source)
    if source.is_dir():
        return _read_office_folder(source)
    if source.suffix.lower() in (".xlsx", ".xlsm") and source.is_file():
        return read_office_workbook(source)
    raise ValueError(f"'{source}' bukan folder data instansi (instansi.json, unit.csv, indikator.csv) "
                     "dan bukan workbook .xlsx/.xlsm")


def _read_office_folder(folder: Path) -> OfficeData:
    info = json.loads((folder / "instansi.json").read_text(encoding="utf-8"))

    def rows(name: str) -> list[dict[str, Any]]:
        p = folder / name
        if not p.exists():
            return []
        with p.open(encoding="utf-8-sig", newline="") as f:
            return [{k: (v if v != "" else None) for k, v in r.items()} for r in csv.DictReader(f)]

    return OfficeData(settings=info["pengaturan"], officials=info.get("pejabat", []),
                      units=rows("unit.csv"), indicators=rows("indikator.csv"),
                      results=rows("realisasi_lalu.csv"), holidays=info.get("libur", []),
                      renstra=rows("renstra.csv"))


class OfficeDataError(KinerjaError, ValueError):
    """A workbook given as --data whose tables cannot be read; `report` says where."""

    def __init__(self, report: Report):
        super().__init__("; ".join(f"{i.location.text()}: {i.message}" for i in report.sorted()
                                   if i.severity.value == "error")[:2000])
        self.report = report


def read_office_workbook(path: Path) -> OfficeData:
    """Office data from a workbook: an existing master (settings, officials, units, indicators,
    holidays and the results in its unit sheets) or a plain workbook with the Unit and Indikator
    tables (and optionally Pejabat, Libur Kantor, a Pengaturan sheet) on sheets of any name."""
    path = Path(path)
    sheets = read_sheets(path)
    report = Report()
    file = path.name
    settings: dict[str, Any] = {}
    if S.SETTINGS_SHEET in sheets:
        kv = _key_values(sheets[S.SETTINGS_SHEET], {s.key: s.label for s in S.SETTINGS})
        for st in S.SETTINGS:
            if st.key in kv and st.key != "preset":
                col = Column(st.key, st.label, st.kind, choices=st.choices)  # type: ignore[arg-type]
                good, value = convert(kv[st.key][0], col, report, file=file, sheet=S.SETTINGS_SHEET,
                                      cell=kv[st.key][1])
                if good and value is not None:
                    settings[st.key] = ("ya" if value else "tidak") if st.kind == "bool" else value

    def table_rows(table: Table, required: bool) -> list[dict[str, Any]]:
        names = [table.sheet] if table.sheet in sheets else []
        names += [n for n in sheets if n != table.sheet]
        for name in names:
            idx, mapping, _ = find_header(sheets[name], table)
            found = {c.key for c in mapping.values()}
            if idx is None or any(c.required and c.key not in found for c in table.columns):
                continue
            read = read_table(sheets[name], dataclasses.replace(table, sheet=name), report, file)
            return [{k: ("ya" if v else "tidak") if table.col(k).kind == "bool" and v is not None else v
                     for k, v in row.values.items()} for row in read.rows if row.ok]
        if required:
            report.issue("header-missing", file=file, sheet=table.sheet, cell=f"A{table.header_row}",
                         column=", ".join(c.header for c in table.columns if c.required))
        return []

    units = table_rows(S.UNIT, True)
    indicators = table_rows(S.INDIKATOR, True)
    officials = [o for o in table_rows(S.PEJABAT, False) if o.get("nama")]
    holidays = [{"tanggal": h["tanggal"], "keterangan": h.get("keterangan")} for h in table_rows(S.LIBUR, False)]
    results = []
    for u in units:
        sheet = f"{UNIT_SHEET_PREFIX}{str(u['kode']).strip().upper()}"
        if sheet in sheets:
            read = read_table(sheets[sheet], S.unit_data_table(sheet), Report(), file)
            for row in read.rows:
                v = row.values
                if v.get("kode") and any(v.get(k) not in (None, "") for k in
                                         ("r1", "r2", "r3", "r4", "penjelasan", "bukti", "realisasi_anggaran")):
                    results.append({k: v.get(k) for k in ("kode", "r1", "r2", "r3", "r4", "penjelasan", "bukti",
                                                          "realisasi_anggaran")})
    if report.blocking:
        raise OfficeDataError(report)
    renstra = table_rows(S.RENSTRA, False) if S.RENSTRA.sheet in sheets else []
    return OfficeData(settings=settings, officials=officials, units=units, indicators=indicators,
                      results=results, holidays=holidays, renstra=renstra)


def default_office_data(sop: Sop) -> OfficeData:
    """A blank office for a preset: placeholders staff replace. Each is an error in `kinerja check`
    and a 'BELUM' line in the Petunjuk sheet's 'Siap dipakai?' block until it is replaced; the
    period is one that has passed, so it cannot be taken for the period being collected."""
    return OfficeData(
        settings={"nama_instansi": placeholder_office_name(sop), "pemerintah": "Pemerintah Kabupaten ...",
                  "tempat": "...", "tahun": datetime.now().year - 1, "jenis_periode": "triwulan",
                  "nomor_periode": 1, "yth": "Bupati ..."},
        officials=[], units=[], indicators=[])


def placeholder_office_name(sop: Sop) -> str:
    """The office name a fresh master carries: the preset's own office."""
    return sop.instansi or "Nama Instansi"


DEFAULT_SETTINGS: dict[str, Any] = {
    "rumus_turun": "2T-R", "target_nol": "kosong", "desimal": 2, "capaian_maks": 150, "capaian_min": 50,
    "wajib_penjelasan": "ya", "wajib_bukti": "tidak", "ambang_hampir": 80, "waktu_sop_di_laporan": "tidak",
    "format_nomor": "{klasifikasi}/{nomor}/{kode_unit}/{tahun}", "klasifikasi": "700",
    "sifat": "Biasa", "hal": "Penyampaian Data Capaian Kinerja", "di": "Tempat",
    **{f"folder_{k}": v for k, v in S.FOLDER_DEFAULTS.items()},
}

# ----------------------------------------------------------------------------------- build


def _label(setting: S.Setting, value: Any) -> Any:
    if value is None:
        return None
    if setting.kind == "bool":
        return "Ya" if str(value).lower() in ("ya", "true", "1") or value is True else "Tidak"
    if setting.choices:
        return setting.choices.get(str(value), value)
    return value


def build_master(path: Path, preset: str, data: OfficeData | None = None) -> Path:
    """Write a new master workbook for the preset and (optionally) an office's data.

    `.xlsx` gives the macro-free master; `.xlsm` the ribbon workbook (VBA, the 'Data Kinerja' tab
    and the Panel sheet), built the same way every time: two builds of one source are the same bytes.
    """
    sop = load_preset(preset)
    data = data or default_office_data(sop)
    settings = {**DEFAULT_SETTINGS, **default_office_data(sop).settings, **data.settings, "preset": preset}
    wb = Workbook()
    wb.remove(wb.worksheets[0])  # a new workbook's one sheet
    petunjuk = wb.create_sheet(S.PETUNJUK_SHEET)
    setting_cells = _settings_sheet(wb, wb.create_sheet(S.SETTINGS_SHEET), settings)
    officials = list(data.officials)
    given = {o.get("peran") for o in officials}
    roles = S.PEJABAT.col("peran").choices or {}
    officials += [{"peran": role} for role in roles if role not in given]
    _table(wb, S.PEJABAT, [[o.get("peran") and roles.get(o["peran"], o["peran"]),
                           o.get("jabatan"), o.get("nama"), o.get("pangkat"), o.get("nip")]
                          for o in officials])
    _table(wb, S.SKALA, [[0 if b.batas_bawah == float("-inf") else b.batas_bawah, b.predikat, b.warna]
                         for b in DEFAULT_SCALE])
    _table(wb, S.JAM_KERJA, [[DAY_NAMES[d.weekday], d.start, d.end, d.break_start, d.break_end]
                             for d in DEFAULT_OFFICE_HOURS])
    _table(wb, S.LIBUR, [[h.get("tanggal"), h.get("keterangan")] for h in data.holidays])
    _sop_info(wb.create_sheet(S.INFO_SOP_SHEET), sop)
    _table(wb, S.LANGKAH_SOP, [[s.no, s.uraian, s.pelaksana, s.kelengkapan, s.waktu.text() if s.waktu else None, s.output,
                                s.keterangan, s.kembali_ke, S.TAHAP_CHOICES.get(s.tahap or "", None)]
                               for s in sop.steps])
    _table(wb, S.UNIT, [[u.get(c.key) for c in S.UNIT.columns] for u in data.units])
    ind_rows = []
    for i in data.indicators:
        row = []
        for c in S.INDIKATOR.columns:
            v = i.get(c.key)
            if c.kind == "bool" and v is not None:
                v = "Ya" if v is True or str(v).lower() in ("ya", "true", "1") else "Tidak"
            elif c.choices and v is not None:
                v = c.choices.get(v, v)
            if c.kind == "number" and isinstance(v, str):
                v = float(v)
            row.append(v)
        ind_rows.append(row)
    _table(wb, S.INDIKATOR, ind_rows)
    renstra = {r["kode"]: r for r in data.renstra}
    _table(wb, S.RENSTRA, [[i["kode"], i["nama"], *(_f(renstra.get(i["kode"], {}).get(c.key))
                                                    for c in S.RENSTRA.columns[2:])]
                           for i in data.indicators])
    results = {r["kode"]: r for r in data.results}
    by_unit: dict[str, list[dict[str, Any]]] = {}
    for i in data.indicators:
        by_unit.setdefault((i.get("unit") or "").upper(), []).append(i)
    for u in data.units:
        unit = Unit.model_validate({k: v for k, v in u.items() if v is not None})
        table = S.unit_data_table(unit.sheet_name)
        rows = []
        for i in by_unit.get(unit.kode, []):
            r = results.get(i["kode"], {})
            rows.append([i["kode"], i["nama"], i.get("satuan"), _f(i.get("target_tahunan")),
                         _f(i.get("tw1")), _f(i.get("tw2")), _f(i.get("tw3")), _f(i.get("tw4")),
                         _f(r.get("r1")), _f(r.get("r2")), _f(r.get("r3")), _f(r.get("r4")),
                         r.get("penjelasan"), r.get("bukti"), _f(r.get("realisasi_anggaran")),
                         None, None, "isian awal" if r else None])
        _table(wb, table, rows)
    for t in S.STAGE_TABLES:
        rows = catalogue_rows() if t is S.KATALOG else []
        if t is S.WAKTU:
            rows = [[s.no, s.uraian, s.pelaksana, s.waktu_text()] for s in sop.steps]
        _table(wb, t, rows)
    _validations(wb)
    _petunjuk(petunjuk, settings, setting_cells, sop)
    if LIST_SHEET in wb.sheetnames:  # the hidden dropdown lists go last
        wb.move_sheet(LIST_SHEET, len(wb.sheetnames) - 1 - wb.sheetnames.index(LIST_SHEET))
    _ringkasan_charts(wb[S.RINGKASAN.sheet], len({(i.get("unit") or "").upper() for i in data.indicators}))
    _legends(wb)
    _paper(wb, settings)
    wb.active = 0
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".xlsm":
        from kinerja.workbook.macro import save_xlsm

        save_xlsm(wb, path)
    elif path.suffix.lower() == ".xlsx":
        save_atomic(wb, path, backup=False)
    else:
        raise ValueError(f"Workbook induk harus berakhiran .xlsx atau .xlsm, bukan '{path.name}'.")
    return path


def _legends(wb: Workbook) -> None:
    """One meaning per colour, said on each sheet that uses colour: a 'Warna:' row of coloured
    cells at the right of the title (row 1 is never rewritten by a stage)."""
    for name in wb.sheetnames:
        found = S.legend(name)
        if found is None:
            continue
        first, items = found
        ws = wb[name]
        start = column_index_from_string(first)
        ws.cell(1, start - 1, "Warna:").font = Font(name="Calibri", size=9, bold=True)
        for j, (fill, label) in enumerate(items, start):
            c = ws.cell(1, j, label)
            c.fill, c.font = PatternFill("solid", fgColor=fill), Font(name="Calibri", size=9)
            c.alignment = Alignment(horizontal="center")


def _ringkasan_charts(ws, units: int) -> None:
    """Two native Excel charts over the Ringkasan sheet's cells, so they follow the data each
    time the rekap is written: the mean capaian per unit (the table's unit rows come first) and
    the distribution of predicates (the block above the table, see rekap.distribution_cells)."""
    from openpyxl.chart import BarChart, Reference
    from openpyxl.chart.label import DataLabelList

    t, h, d = S.RINGKASAN, S.RINGKASAN.header_row, S.RINGKASAN_DIST_ROW
    ws.cell(d - 1, 1, "Sebaran Predikat Indikator").font = Font(name="Calibri", bold=True)
    for col, text in ((2, "Predikat"), (3, "Jumlah Indikator")):
        ws.cell(d, col, text).font = Font(name="Calibri", bold=True)
    units = max(units, 1)

    def bar(title: str, horizontal: bool, data: Reference, cats: Reference, anchor: str, height: float) -> None:
        chart = BarChart()
        chart.type = "bar" if horizontal else "col"
        chart.title, chart.legend, chart.style = title, None, 10
        chart.add_data(data, titles_from_data=True)
        chart.set_categories(cats)
        chart.dataLabels = DataLabelList()
        chart.dataLabels.showVal = True
        chart.dataLabels.showCatName = chart.dataLabels.showSerName = False
        chart.dataLabels.showLegendKey = chart.dataLabels.showPercent = False
        chart.y_axis.majorGridlines = None
        chart.x_axis.delete = chart.y_axis.delete = False
        if horizontal:
            chart.x_axis.scaling.orientation = "maxMin"  # the first unit on top, as in the table
            chart.y_axis.crosses = "max"  # and the value axis below it
        chart.width, chart.height = 14.5, height  # type: ignore[assignment] # cm (float): within columns I-Q, left of the comparison block (R)
        ws.add_chart(chart, anchor)

    # the comparison block right of the charts: its sasaran names readable
    ws.column_dimensions[get_column_letter(S.COMPARE_COLUMN)].width = 44
    capaian = t.index("rata_rata")
    bar("Rata-rata Capaian per Unit (%)", True,
        Reference(ws, min_col=capaian, min_row=h, max_row=h + units),
        Reference(ws, min_col=t.index("nama"), min_row=h + 1, max_row=h + units), "I1", max(7.5, 1.0 * units + 3))
    bar("Sebaran Predikat Indikator", False,
        Reference(ws, min_col=3, min_row=d, max_row=d + S.RINGKASAN_BANDS),
        Reference(ws, min_col=2, min_row=d + 1, max_row=d + S.RINGKASAN_BANDS), "I24", 7.5)


def _period_label(settings: dict[str, Any]) -> str:
    try:
        return Period.model_validate({
            "tahun": int(settings["tahun"]), "jenis": str(settings.get("jenis_periode") or "triwulan"),
            "nomor": int(settings["nomor_periode"]) if settings.get("nomor_periode") else None}).label()
    except (TypeError, ValueError, KeyError):
        return ""


def _paper(wb: Workbook, settings: dict[str, Any]) -> None:
    """Print settings on every sheet people print (kinerja.workbook.printing)."""
    from kinerja.workbook.printing import setup_sheet

    office, period = str(settings.get("nama_instansi") or ""), _period_label(settings)
    for ws in wb.worksheets:
        setup_sheet(ws, ws.title, office, period)


def _f(v: Any) -> Any:
    if v is None or v == "":
        return None
    try:
        return float(v)
    except (TypeError, ValueError):
        return v


def _table(wb: Workbook, table: Table, rows: list[list[Any]]) -> None:
    ws = wb.create_sheet(table.sheet)
    style_table(ws, table)
    write_rows(ws, table, rows, table.header_row + 1)
    # leave room to type: style 50 empty input rows under the data for input tables
    if any(c.input for c in table.columns) and table in S.INPUT_TABLES:
        fill = PatternFill("solid", fgColor=INPUT_FILL)
        for r in range(table.header_row + 1 + len(rows), table.header_row + 51 + len(rows)):
            for j, c in enumerate(table.columns, 1):
                if c.input:
                    ws.cell(row=r, column=j).fill = fill
    # NIPs and codes are text: cells formatted as Text keep what is typed (18 digits, '01', '1.10')
    for j, c in enumerate(table.columns, 1):
        if c.kind in ("nip", "id") and c.input and table in S.INPUT_TABLES:
            for r in range(table.header_row + 1, table.header_row + 51 + len(rows)):
                ws.cell(row=r, column=j).number_format = "@"
    ws.auto_filter.ref = filter_ref(table)


def _q(text: str) -> str:
    """A text as an Excel formula string literal."""
    return '"' + text.replace('"', '""') + '"'


def readiness_formulas(cells: dict[str, str], sop: Sop) -> list[str]:
    """The 'Siap dipakai?' lines of the Petunjuk sheet: Excel formulas, so each line follows what
    staff type (no Python needed). Each says BELUM and where to type what, or SUDAH. The same
    checks, in Python, are errors in `kinerja check` (see `readiness_issues`)."""
    p = f"{S.SETTINGS_SHEET}!"
    name, tahun, jenis, nomor = (p + cells[k] for k in ("nama_instansi", "tahun", "jenis_periode", "nomor_periode"))
    out = [
        f'=IF(OR(TRIM({name})="",{name}={_q(placeholder_office_name(sop))}),'
        + _q(f"BELUM - Nama Instansi masih nama bawaan SOP: ketik nama resmi instansi di sheet "
             f"Pengaturan sel {cells['nama_instansi'].replace('$', '')}.")
        + f',"SUDAH - Nama Instansi: "&{name})',
    ]
    for key in PLACEHOLDER_SETTINGS:
        ref = p + cells[key]
        label = next(x.label for x in S.SETTINGS if x.key == key)
        out.append(f'=IF(OR(TRIM({ref})="",ISNUMBER(SEARCH("...",{ref}))),'
                   + _q(f"BELUM - {label} masih isian contoh: ketik di sheet Pengaturan sel "
                        f"{cells[key].replace('$', '')}.")
                   + f',"SUDAH - {label}: "&{ref})')
    first = S.PEJABAT.header_row + 1
    for label in (S.PEJABAT.col("peran").choices or {}).values():
        out.append(f'=IF(COUNTIFS(Pejabat!$A${first}:$A$200,"{label}",Pejabat!$C${first}:$C$200,"<>")=0,'
                   + _q(f"BELUM - Pejabat {label}: ketik jabatan, nama, pangkat dan NIP pada baris "
                        f"'{label}' di sheet Pejabat.")
                   + f',"SUDAH - Pejabat {label} terisi.")')
    first = S.UNIT.header_row + 1
    out.append(f"=IF(COUNTA(Unit!$A${first}:$A$1000)=0,"
               + _q(f"BELUM - Belum ada unit kerja: ketik atau tempel daftar unit di sheet Unit mulai baris {first} "
                    "(Kode Unit, Nama Unit, Nama Kepala ...).")
               + f',"SUDAH - "&COUNTA(Unit!$A${first}:$A$1000)&" unit kerja.")')
    first = S.INDIKATOR.header_row + 1
    out.append(f"=IF(COUNTA(Indikator!$A${first}:$A$5000)=0,"
               + _q(f"BELUM - Belum ada indikator: ketik, atau tempel tabel Perjanjian Kinerja, di sheet Indikator "
                    f"mulai baris {first}; kolom dikenali dari judulnya (Kode, Kode Unit, Indikator Kinerja, "
                    "Satuan, Polaritas, Metode, Target ...).")
               + f',"SUDAH - "&COUNTA(Indikator!$A${first}:$A$5000)&" indikator.")')
    length = f'IF({jenis}="Semester",6,IF({jenis}="Tahunan",12,3))'
    index = f'IF({jenis}="Tahunan",1,({nomor}="I")+({nomor}="II")*2+({nomor}="III")*3+({nomor}="IV")*4)'
    where = (f"sheet Pengaturan sel {cells['tahun'].replace('$', '')} (Tahun) dan "
             f"{cells['nomor_periode'].replace('$', '')} (Nomor Periode)")
    out.append(f"=IFERROR(IF(TODAY()>DATE({tahun},{index}*{length}+{length}+1,0),"
               + _q("PERIKSA - Periode ") + f'&{jenis}&" "&{nomor}&" "&{tahun}&'
               + _q(f" sudah lama lewat: bila bukan periode yang sedang dihimpun, ganti di {where}.")
               + f',"SUDAH - Periode: "&{jenis}&" "&{nomor}&" "&{tahun}&"."),'
               + _q(f"BELUM - Periode belum benar: isi {where}.") + ")")
    return out


READY_TITLE = "Siap dipakai?"
PLACEHOLDER_SETTINGS = ("pemerintah", "tempat", "yth")


def _petunjuk(ws, settings: dict[str, Any], cells: dict[str, str], sop: Sop) -> None:
    lines = [
        ("Workbook Induk Pengumpulan Data Kinerja", TITLE_FONT),
        (f"={S.SETTINGS_SHEET}!{cells['nama_instansi']}&\" - \"&{S.SETTINGS_SHEET}!{cells['pemerintah']}", Font(bold=True)),
        ("", None),
        (READY_TITLE + " (baris BELUM menunjukkan apa yang masih harus diketik, dan di mana)", Font(bold=True)),
        *((f, None) for f in readiness_formulas(cells, sop)),
        ("", None),
        ("Urutan kerja (tab 'Data Kinerja' di pita Excel, atau perintah 'kinerja' di terminal):", Font(bold=True)),
        ("1. Isi sheet Pengaturan, Pejabat, Unit dan Indikator. Sel kuning adalah isian. Tabel Perjanjian Kinerja "
         "boleh ditempel apa adanya di sheet Indikator: kolom dikenali dari judulnya.", None),
        ("2. Buat Formulir: satu file per unit, beserta tanda terima. (kinerja forms)", None),
        ("3. Himpun & Rekap: taruh formulir kembali dari unit dalam satu folder. (kinerja collect)", None),
        ("4. Validasi: Sekretaris memeriksa sheet Validasi, mengisi kolom Keputusan. (kinerja validate)", None),
        ("5. Setujui / Kembalikan: unit yang dikembalikan mendapat formulir perbaikan. (kinerja review)", None),
        ("6. Buat Laporan dan Surat Pengantar untuk ditandatangani. (kinerja report)", None),
        ("7. Arsipkan: semua file periode ini disimpan dengan daftar sidik (SHA-256). (kinerja archive)", None),
        ("", None),
        ("Capaian: indikator Naik = Realisasi / Target x 100; Turun = (2 x Target - Realisasi) / Target x 100", None),
        ("atau Target / Realisasi x 100 (lihat Pengaturan). Target nol tidak dibagi, ditandai.", None),
        ("Metode: Per Triwulan (triwulan sendiri), Kumulatif (dijumlah dari TW I), Nilai Akhir (posisi terakhir).", None),
        ("Angka boleh diketik dengan format Indonesia: 1.234,5. Jangan ubah nama sheet dan judul kolom.", None),
        ("Waktu SOP dihitung dalam jam kerja dan hari kerja (libur nasional, cuti bersama dan Libur Kantor tidak dihitung).", None),
        ("Setiap penyimpanan oleh kinerja membuat cadangan di folder 'cadangan' di samping workbook ini.", None),
    ]
    for i, (text, font) in enumerate(lines, 1):
        c = ws.cell(row=i, column=1, value=text)
        if font:
            c.font = font
    ws.column_dimensions["A"].width = 120


def _settings_sheet(wb: Workbook, ws, settings: dict[str, Any]) -> dict[str, str]:
    """Write the Pengaturan sheet; returns each setting's value cell ('$B$5')."""
    table = Table(S.SETTINGS_SHEET, "Pengaturan", (
        Column("label", "Pengaturan", width=42, input=False), Column("nilai", "Nilai", width=46),
        Column("keterangan", "Keterangan", width=70, input=False)),
        hint="Ubah hanya kolom Nilai (kuning). Jangan ubah tulisan di kolom Pengaturan.")
    style_table(ws, table)
    r = S.FIRST_DATA_ROW
    group = None
    fill = PatternFill("solid", fgColor=INPUT_FILL)
    cells: dict[str, str] = {}
    for s in S.SETTINGS:
        if s.group != group:
            group = s.group
            ws.cell(row=r, column=1, value=group).font = Font(bold=True, color="1F4E78")
            r += 1
        ws.cell(row=r, column=1, value=s.label)
        cells[s.key] = f"$B${r}"
        value = _label(s, settings.get(s.key))
        if s.key == "nomor_periode" and value is not None:
            value = ROMAN[int(value) - 1] if str(value).isdigit() else value
        if s.kind == "datetime" and isinstance(value, str):
            value = datetime.fromisoformat(value)
        if s.kind == "id" and value is not None:
            value = str(value)
            ws.cell(row=r, column=2).number_format = "@"
        set_value(ws.cell(row=r, column=2), value)
        if s.kind == "datetime":
            ws.cell(row=r, column=2).number_format = "dd/mm/yyyy hh:mm"
        ws.cell(row=r, column=2).fill = fill
        help_text = s.help
        if s.choices and s.kind != "bool":
            help_text = (help_text + " " if help_text else "") + "Pilihan: " + ", ".join(s.choices.values())
        ws.cell(row=r, column=3, value=help_text).font = HINT_FONT
        if s.choices:
            dv = list_validation(wb, list(s.choices.values()), allow_blank=True, showErrorMessage=True,
                                 errorTitle="Pilihan tidak dikenal",
                                 error="Pilih dari daftar: " + "; ".join(s.choices.values()))
            ws.add_data_validation(dv)
            dv.add(f"B{r}")
        r += 1
    return cells


def _sop_info(ws, sop: Sop) -> None:
    table = Table(S.INFO_SOP_SHEET, "Informasi SOP", (
        Column("label", "Bagian", width=30, input=False), Column("nilai", "Isi", width=110)),
        hint="Satu butir per baris di dalam sel (Alt+Enter untuk baris baru).")
    style_table(ws, table)
    h = sop.header
    values = {"nama": h.nama, "instansi": sop.instansi, "nomor": h.nomor,
              "tanggal_pembuatan": h.tanggal_pembuatan, "tanggal_revisi": h.tanggal_revisi,
              "tanggal_pengesahan": h.tanggal_pengesahan,
              "disahkan_oleh": " / ".join(x for x in (h.disahkan_oleh.jabatan, h.disahkan_oleh.nama,
                                                      h.disahkan_oleh.nip) if x)
              if h.disahkan_oleh else "",
              "dasar_hukum": h.dasar_hukum, "kualifikasi_pelaksana": h.kualifikasi_pelaksana,
              "keterkaitan": h.keterkaitan, "peralatan": h.peralatan, "peringatan": h.peringatan,
              "pencatatan": h.pencatatan, "roles": sop.roles}
    fill = PatternFill("solid", fgColor=INPUT_FILL)
    for r, (key, label) in enumerate(S.INFO_SOP_FIELDS, S.FIRST_DATA_ROW):
        ws.cell(row=r, column=1, value=label).font = Font(bold=True)
        v = values.get(key)
        text = "\n".join(v) if isinstance(v, list) else (v or "")
        c = ws.cell(row=r, column=2)
        set_value(c, text)
        c.alignment = Alignment(wrap_text=True, vertical="top")
        c.fill = fill


def _validations(wb: Workbook) -> None:
    """Dropdown lists for choice columns on input tables (polaritas, metode, satuan, ...)."""
    for t in (S.INDIKATOR, S.UNIT, S.PEJABAT, S.JAM_KERJA, S.LANGKAH_SOP):
        ws = wb[t.sheet]
        last = max(ws.max_row, t.header_row + 50) + 200
        for c in t.columns:
            col = t.letter(c.key)
            rng = f"{col}{t.header_row + 1}:{col}{last}"
            if c.kind in ("choice", "bool") and c.choices:
                dv = list_validation(wb, list(c.choices.values()), allow_blank=True, showErrorMessage=True,
                                     errorTitle="Pilihan tidak dikenal",
                                     error="Pilih dari daftar: " + "; ".join(c.choices.values()))
            elif c.key == "satuan":
                dv = list_validation(wb, S.SATUAN, allow_blank=True, showErrorMessage=True,
                                     errorStyle="information", error="Satuan di luar daftar; tetap diterima.")
            elif c.kind == "number":
                dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0",
                                    allow_blank=True, showErrorMessage=True, errorStyle="warning",
                                    errorTitle="Bukan angka", error="Ketik angka >= 0, mis. 85 atau 1234,5.")
            else:
                continue
            ws.add_data_validation(dv)
            dv.add(rng)


# ----------------------------------------------------------------------------------- load


@dataclass
class Loaded:
    master: Master | None
    report: Report
    path: Path
    sheets: list[str] = field(default_factory=list)
    rows: Mapping[str, list[tuple]] = field(default_factory=dict)  # raw rows per sheet (read when asked for)
    unit_rows: dict[str, dict[str, int]] = field(default_factory=dict)  # unit -> code -> sheet row
    unit_tables: dict[str, ReadTable] = field(default_factory=dict)  # unit -> its sheet as read at load

    def master_or_report(self, report: Report) -> Master | None:
        """The master; when it could not be loaded, None, and why (the load's issues) goes to
        `report`: the start of every stage that refuses to run on a master it cannot read."""
        if self.master is None:
            report.extend(self.report.issues)
        return self.master


def read_sheets(path: Path, skip: Collection[str] = (), far: list[FarCells] | None = None,
                lazy: bool = False) -> Mapping[str, list[tuple]]:
    """All sheets (but those named in `skip`) as rows of values, via python-calamine (fast). A
    sheet whose <dimension> reaches far (a stray value at Q1048576) is first cut to its table
    (kinerja.workbook.bounded); what was cut goes to `far`. With `lazy`, a sheet is read when it is first
    asked for (a stage reads only the sheets it uses), from the bytes read now."""
    import io

    from python_calamine import CalamineWorkbook

    from kinerja.ooxml.onepass import one_pass, plain_worksheet
    from kinerja.ooxml.reading import UntrustedPackage, sheet_parts

    data = Path(path).read_bytes()
    pkg = UntrustedPackage(data)
    b = bounded.MASTER_BOUNDS
    parts = sheet_parts(pkg) if not pkg.error else {}
    if not parts and not pkg.error:
        parts = {n: n for n in pkg.entries if n.startswith("xl/worksheets/") and n.endswith(".xml")}
    wide, plain = {}, []
    for name, part in parts.items():
        if name in skip:
            continue
        head = pkg.read(part, 4096)
        dim = bounded.xlsx_dimension(head)
        if dim is None or dim[0] * dim[1] > b.max_cells:  # else calamine's allocation is bounded already
            wide[name] = part
        if plain_worksheet(head):
            plain.append(part)
    if wide:
        data, cut = bounded.bound_package(data, "xlsx", wide, b, pkg.read)
        if far is not None:
            far.extend(cut)
    del pkg
    data = one_pass(data, plain)  # each sheet read once by calamine (kinerja.ooxml.onepass)
    rows = SheetRows(CalamineWorkbook.from_filelike(io.BytesIO(data)), skip,
                     opener=lambda: CalamineWorkbook.from_filelike(io.BytesIO(data)))
    return rows if lazy else {name: rows[name] for name in rows}


class SheetUnreadable(ValueError):
    """A sheet of a workbook opened fine could not be read (its XML damaged)."""


class SheetRows(Mapping):
    """A workbook's sheets as rows of values (tuples from column A and row 1, '' read as None),
    each sheet read by python-calamine when first asked for and kept.

    `prefetch(names)` has those sheets read beforehand in a second thread, from a second
    workbook opened on the same bytes (`opener`), in the order given: python-calamine parses
    without holding the interpreter lock, so a load uses two cores (the 1,000 unit sheets of a
    large master read while the Indikator sheet is). A sheet asked for before that thread came
    to it is read here instead (never twice); `settle()` stops the thread and lets go of what it
    read and nobody asked for. The thread makes the rows too: made in the thread that parsed
    them, calamine's lists are let go at once, not kept in between the rows made here (which
    left the memory they took fragmented: +55 MB at 50,000 indicators)."""

    def __init__(self, wb: Any, skip: Collection[str] = (), opener: Callable[[], Any] | None = None) -> None:
        self._wb = wb
        self._opener = opener
        self._names = [n for n in wb.sheet_names if n not in skip]
        self._known = set(self._names)
        self._rows: dict[str, list[tuple]] = {}
        self._values = _Kept({"": None})  # an empty cell (calamine's '') is None
        self._cond = threading.Condition()
        self._plan: list[str] = []  # to be parsed by the thread, in order (a sheet taken here leaves it)
        self._running: str | None = None  # the sheet the thread is parsing now
        self._parsed: dict[str, Any] = {}  # sheet -> its rows, or what reading it raised
        self._stopped = False
        self._thread: threading.Thread | None = None

    def __getitem__(self, name: str) -> list[tuple]:
        got = self._rows.get(name)
        if got is None:
            if name not in self._known:
                raise KeyError(name)
            try:
                with gc_paused():
                    got = self._rows[name] = self._take(name)
            except Exception as e:  # noqa: BLE001 - calamine's own error, named and explained
                raise SheetUnreadable(f"sheet '{name}' tidak dapat dibaca: {explain(e)}") from e
        return got

    def __contains__(self, name: object) -> bool:
        return name in self._known

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)

    def prefetch(self, names: Collection[str]) -> None:
        """Read these sheets (those of this workbook not read yet) in a second thread, in order."""
        plan = [n for n in names if n in self._known and n not in self._rows]
        opener, self._opener = self._opener, None  # once; the bytes it holds are let go
        if opener is None or not plan:
            return
        try:
            # opened here: the memory calamine keeps for it is then this thread's, given back to
            # be used again when it goes (kept apart for the reading thread, it stayed taken: +30 MB)
            wb = opener()
        except Exception:  # noqa: BLE001 - then every sheet is read when asked for, as without
            return
        with self._cond:
            self._plan = plan
        self._thread = threading.Thread(target=self._prefetching, args=(wb,), name="kinerja-baca-induk", daemon=True)
        self._thread.start()

    def settle(self) -> None:
        """Stop reading ahead (the sheet being read is finished first: no thread is left inside
        calamine when the command ends); what was read and not asked for is let go."""
        with self._cond:
            self._stopped = True
            self._plan, self._parsed = [], {}
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def _prefetching(self, wb: Any) -> None:
        while True:
            with self._cond:
                if self._stopped or not self._plan:
                    self._plan, self._running = [], None
                    self._cond.notify_all()
                    return
                name = self._running = self._plan.pop(0)
            try:
                got: Any = self._values_of(self._parse(wb, name))
            except BaseException as e:  # noqa: BLE001 - raised where the sheet is asked for (a Rust panic too)
                got = e
            with self._cond:
                self._running = None
                if not self._stopped:
                    self._parsed[name] = got
                self._cond.notify_all()

    def _take(self, name: str) -> list[tuple]:
        """A sheet's rows: parsed ahead, being parsed ahead (waited for), or parsed now."""
        with self._cond:
            while self._running == name:
                self._cond.wait()
            if name in self._parsed:
                got = self._parsed.pop(name)
                if isinstance(got, BaseException):
                    raise got
                return got
            if name in self._plan:
                self._plan.remove(name)
        return self._values_of(self._parse(self._wb, name))

    @staticmethod
    def _parse(wb: Any, name: str) -> list[list[Any]]:
        # calamine pads the rows from A1 (skip_empty_area=False), all of one width, and reads an
        # empty cell as ''
        return wb.get_sheet_by_name(name).to_python(skip_empty_area=False)

    def _values_of(self, rows: list[list[Any]]) -> list[tuple]:
        values = self._values
        if rows and len({len(row) for row in rows}) == 1 and {bool, int}.isdisjoint(
                map(type, chain.from_iterable(rows))):
            # every cell through one C-level lookup (`values[v]`: the one object kept for a
            # value equal to v, None for ''), cut back into rows by zip. Sound only when no two
            # values of different types are equal, which takes a bool or an int (True == 1.0)
            cells = map(values.__getitem__, chain.from_iterable(rows))
            return list(zip(*[cells] * len(rows[0])))

        def value(v: Any) -> Any:
            kind = type(v)
            return values[v] if kind is str or kind is float else v

        return [tuple(map(value, row)) for row in rows]


class _Kept(dict):
    """One object per distinct value: the first one met is kept, and returned for every equal
    value after it (names, labels and targets recur on many rows and sheets)."""

    def __missing__(self, value: Any) -> Any:
        self[value] = value
        return value


MASTER_SUFFIXES = (".xlsx", ".xlsm")


def file_problem(path: Path) -> Issue | None:
    """Why `path` cannot be a master before it is opened: missing, an old .xls, another type."""
    path = Path(path)
    suffix = path.suffix.lower()
    if not path.exists():
        return make_issue("workbook-missing", file=path.name, folder=str(path.parent.resolve()))
    if suffix == ".xls":
        return make_issue("workbook-old-format", file=path.name)
    if suffix not in MASTER_SUFFIXES:
        return make_issue("workbook-wrong-type", file=path.name, suffix=path.suffix or "tanpa akhiran")
    return None


@gc_paused()
def load_master(path: Path, skip: Collection[str] = ()) -> Loaded:
    """Read the master workbook into models, reporting every problem (never raising). Sheets
    named in `skip` are not read (a reader that needs only some stage sheets)."""
    path = Path(path)
    report = Report()
    file = path.name
    problem = file_problem(path)
    if problem is not None:
        report.add(problem)
        return Loaded(None, report, path)
    try:
        if not zipfile.is_zipfile(path):
            raise ValueError("isinya bukan workbook .xlsx/.xlsm (rusak, atau format lain yang diberi akhiran .xlsx)")
        far: list[FarCells] = []
        sheets = read_sheets(path, skip, far, lazy=True)
    except Exception as e:  # noqa: BLE001 - any unreadable file becomes an issue
        report.issue("workbook-unreadable", file=file, detail=explain(e))
        return Loaded(None, report, path)
    for f in far:
        report.issue("cell-far", file=file, sheet=f.sheet, cell=f.cell, count=f.count,
                     detail="sel itu diabaikan")
    if isinstance(sheets, SheetRows):  # the unit sheets (Unit.sheet_name) read while the others are
        sheets.prefetch([n for n in sheets if n.startswith(UNIT_SHEET_PREFIX)])
    try:
        return load_from_sheets(sheets, path, report)
    except SheetUnreadable as e:
        report.issue("workbook-unreadable", file=file, detail=str(e))
        return Loaded(None, report, path)
    finally:
        if isinstance(sheets, SheetRows):
            sheets.settle()


def load_from_sheets(sheets: Mapping[str, list[tuple]], path: Path, report: Report | None = None) -> Loaded:
    """Build the Master from rows of values per sheet, whoever read them (calamine from the
    file, or xlwings from the workbook open in Excel)."""
    report = report if report is not None else Report()
    file = Path(path).name
    loaded = Loaded(None, report, Path(path), sheets=list(sheets), rows=sheets)

    def rows_of(name: str) -> list[tuple] | None:
        if name not in sheets:
            report.issue("sheet-missing", file=file, sheet=name)
            return None
        return sheets[name]

    settings = _load_settings(rows_of, report, file)
    sop = _load_sop(rows_of, report, file)
    units = _load_units(rows_of, report, file)
    indicators = _load_indicators(rows_of, report, file, {u.kode for u in units})
    if settings is None or sop is None:
        return loaded
    results = _load_results(sheets, units, indicators, report, file, loaded)
    master = Master(settings=settings, sop=sop, units=units, indicators=indicators, results=results)
    loaded.master = master
    return loaded


def _read(rows_of, table: Table, report: Report, file: str) -> list[Row] | None:
    rows = rows_of(table.sheet)
    if rows is None:
        return None
    return read_table(rows, table, report, file).rows


def _key_values(rows: list[tuple], labels: dict[str, str]) -> dict[str, tuple[Any, str]]:
    """Find 'label | value' rows by label text. Returns key -> (value, cell)."""
    by_norm = {norm(label): key for key, label in labels.items()}
    found: dict[str, tuple[Any, str]] = {}
    for r, row in enumerate(rows, 1):
        if not row:
            continue
        key = by_norm.get(norm(row[0]))
        if key and key not in found:
            found[key] = (row[1] if len(row) > 1 else None, f"B{r}")
    return found


def _load_settings(rows_of, report: Report, file: str) -> Settings | None:
    rows = rows_of(S.SETTINGS_SHEET)
    if rows is None:
        return None
    sheet = S.SETTINGS_SHEET
    kv = _key_values(rows, {s.key: s.label for s in S.SETTINGS})
    values: dict[str, Any] = {}
    ok = True
    for s in S.SETTINGS:
        if s.key not in kv:
            if s.required:
                report.issue("setting-missing", file=file, sheet=sheet, key=s.label)
                ok = False
            continue
        raw, cell = kv[s.key]
        col = Column(s.key, s.label, s.kind, required=s.required, choices=s.choices)  # type: ignore[arg-type]
        good, value = convert(raw, col, report, file=file, sheet=sheet, cell=cell)
        ok &= good
        values[s.key] = value
    officials: dict[str, Official] = {}
    for row in _officials_rows(rows_of, report, file):
        if not row.ok and set(row.bad) != {"nip"}:  # a NIP in error (reported) leaves the NIP empty
            continue
        try:
            officials[row.values["peran"]] = Official.model_validate(
                {k: row.values[k] or "" for k in ("peran", "jabatan", "nama", "pangkat", "nip")})
        except ValidationError as e:
            report.issue("value-required", file=file, sheet=S.PEJABAT.sheet, cell=f"A{row.number}",
                         column=_first_error(e))
    scale = scale_from_rows(_read(rows_of, S.SKALA, report, file) or [])
    hours = []
    for row in _read(rows_of, S.JAM_KERJA, report, file) or []:
        if not row.ok:
            continue
        try:
            hours.append(OfficeDay(weekday=int(row.values["hari"]), start=row.values["masuk"],
                                   end=row.values["pulang"], break_start=row.values["istirahat_mulai"],
                                   break_end=row.values["istirahat_selesai"]))
        except ValidationError as e:
            report.issue("setting-invalid", file=file, sheet=S.JAM_KERJA.sheet, cell=f"A{row.number}",
                         key="Jam Kerja", detail=_first_error(e))
    holidays = []
    for row in _read(rows_of, S.LIBUR, report, file) or []:
        if row.ok and row.values["tanggal"]:
            holidays.append(ExtraHoliday(date=row.values["tanggal"], keterangan=row.values["keterangan"] or "Libur kantor"))
    if not ok:
        return None
    try:
        period = Period(tahun=values["tahun"], jenis=values["jenis_periode"],
                        nomor=int(values["nomor_periode"]) if values.get("nomor_periode") else None)
    except ValidationError as e:
        report.issue("setting-invalid", file=file, sheet=sheet,
                     cell=kv.get("nomor_periode", (None, "B?"))[1], key="Nomor Periode",
                     detail=_first_error(e))
        return None
    desimal = _or(values.get("desimal"), 2)
    if not 0 <= desimal <= 6:
        report.issue("setting-invalid", file=file, sheet=sheet, cell=kv["desimal"][1], key="Desimal Capaian",
                     detail=f"{desimal} di luar 0 sampai 6")
        desimal = 2
    kop: list[Any] = [values.get(k) for k in ("kop_1", "kop_2", "kop_3") if values.get(k)]
    d = DEFAULT_SETTINGS
    rules = Rules(
        rumus_turun=values.get("rumus_turun") or d["rumus_turun"],
        target_nol=values.get("target_nol") or d["target_nol"],
        batas_atas_capaian=values.get("batas_atas_capaian"),
        capaian_maks=_or(values.get("capaian_maks"), 150.0), capaian_min=_or(values.get("capaian_min"), 50.0),
        wajib_penjelasan=_or(values.get("wajib_penjelasan"), True),
        wajib_bukti=_or(values.get("wajib_bukti"), False),
        ambang_hampir=_or(values.get("ambang_hampir"), 80.0) / 100, desimal=desimal,
        skala=scale or list(DEFAULT_SCALE),
    )
    letter = LetterSettings(
        format_nomor=values.get("format_nomor") or d["format_nomor"],
        klasifikasi=values.get("klasifikasi") or "", yth=values.get("yth") or "",
        di=values.get("di") or "", sifat=values.get("sifat") or "Biasa",
        hal=values.get("hal") or d["hal"],
        tembusan=[t.strip() for t in (values.get("tembusan") or "").split(";") if t.strip()],
    )
    office = Office(nama=values["nama_instansi"], pemerintah=values["pemerintah"],
                    alamat=values.get("alamat") or "", tempat=values.get("tempat") or "", kop=kop,
                    kode_unit=values.get("kode_unit") or "", logo=values.get("logo") or "")
    return Settings(office=office, officials=officials, period=period, batas_waktu=values.get("batas_waktu"),
                    rules=rules, letter=letter, jam_kerja=hours or list(DEFAULT_OFFICE_HOURS),
                    libur=holidays, preset=values.get("preset") or "",
                    folders={k: values.get(f"folder_{k}") or v for k, v in S.FOLDER_DEFAULTS.items()},
                    target_kosong_diterima=_codes(values.get("target_kosong_diterima")),
                    penjelasan_dikecualikan=_codes(values.get("penjelasan_dikecualikan")),
                    waktu_sop_di_laporan=bool(values.get("waktu_sop_di_laporan")))


def _codes(value: Any) -> list[str]:
    """Indicator codes typed in one cell, separated by ';' or ',' (or new lines)."""
    return [c.strip() for c in re.split(r"[;,\n]", str(value or "")) if c.strip()]


def scale_from_rows(rows: list[Row]) -> list[PredicateBand]:
    """The predicate scale from the rows of a Skala Predikat sheet (a band without a lower bound
    takes the rest)."""
    scale = []
    for row in rows:
        if row.values["predikat"]:
            low = row.values["batas_bawah"]
            scale.append(PredicateBand(batas_bawah=float("-inf") if low is None else low,
                                       predikat=row.values["predikat"], warna=row.values["warna"] or ""))
    return scale


def _officials_rows(rows_of, report: Report, file: str) -> list[Row]:
    """The Pejabat rows. A row holding only its role (as a fresh master has them) is a role not
    filled in yet, which `kinerja check` reports as such, not as empty cells."""
    own = Report()
    rows = _read(rows_of, S.PEJABAT, own, file) or []
    keys = ("jabatan", "nama", "pangkat", "nip")
    bare = {str(r.number) for r in rows if not any(r.values.get(k) for k in keys)}
    for issue in own.issues:
        if not (issue.code == "value-required" and (issue.location.cell or "").lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ") in bare):
            report.add(issue)
    return [r for r in rows if str(r.number) not in bare]


def _or(value: Any, default: Any) -> Any:
    return default if value is None else value


def _first_error(e: ValidationError) -> str:
    """pydantic's first complaint in Indonesian (its own sentence and URL go to the log)."""
    log.warning("%s", e)
    return validation_text(e, first=True)


def _load_sop(rows_of, report: Report, file: str) -> Sop | None:
    info_rows = rows_of(S.INFO_SOP_SHEET)
    step_rows = _read(rows_of, S.LANGKAH_SOP, report, file)
    if info_rows is None or step_rows is None:
        return None
    kv = _key_values(info_rows, dict(S.INFO_SOP_FIELDS))
    header: dict[str, Any] = {}
    for key, _label in S.INFO_SOP_FIELDS:
        raw = kv.get(key, (None, ""))[0]
        text = "" if raw is None else str(raw)
        header[key] = text
    steps = [row.values | {"_row": row.number} for row in step_rows if row.ok]
    if len(steps) != len(step_rows):
        return None
    try:
        return sop_from_rows(header, [{k: v for k, v in s.items() if k != "_row"} for s in steps])
    except (ValidationError, ValueError) as e:
        detail = _first_error(e) if isinstance(e, ValidationError) else explain(e)
        report.issue("sop-invalid", file=file, sheet=S.LANGKAH_SOP.sheet, detail=detail)
        return None


def _load_units(rows_of, report: Report, file: str) -> list[Unit]:
    units: list[Unit] = []
    seen: dict[str, int] = {}
    for row in _read(rows_of, S.UNIT, report, file) or []:
        if not row.ok and set(row.bad) != {"nip_kepala"}:  # a NIP in error (reported): the unit stays
            continue
        code = str(row.values["kode"]).strip().upper()
        if code in seen:
            report.issue("unit-duplicate", file=file, sheet=S.UNIT.sheet, cell=row.cell("kode"),
                         value=code, other_row=seen[code])
            continue
        try:
            unit = Unit(**{k: v for k, v in row.values.items() if v is not None})
        except ValidationError as e:
            report.issue("setting-invalid", file=file, sheet=S.UNIT.sheet, cell=row.cell("kode"),
                         key="Kode Unit", detail=_first_error(e))
            continue
        seen[code] = row.number
        units.append(unit)
    return units


def _load_indicators(rows_of, report: Report, file: str, unit_codes: set[str]) -> list[Indicator]:
    out: list[Indicator] = []
    seen: dict[str, int] = {}
    sheet = S.INDIKATOR.sheet
    rows = rows_of(sheet)
    read = read_table(rows, S.INDIKATOR, report, file) if rows is not None else ReadTable()
    # by column (no dict per row), in the order unpacked below
    keys = ("kode", "unit", "sasaran", "program", "kegiatan", "nama", "satuan", "polaritas", "rumus_turun",
            "metode", "target_tahunan", "tw1", "tw2", "tw3", "tw4", "pagu", "wajib_bukti", "kode_sasaran")
    columns = [read.values.get(k, []) for k in keys]
    for i, (r, kode, unit, sasaran, program, kegiatan, nama, satuan, polaritas, rumus_turun, metode,
            target_tahunan, tw1, tw2, tw3, tw4, pagu, wajib_bukti, kode_sasaran) in enumerate(
                zip(read.numbers, *columns)):
        code = str(kode or "").strip()
        if code and code in seen:
            report.issue("indicator-duplicate", file=file, sheet=sheet, cell=read.cell("kode", i),
                         value=code, other_row=seen[code], indicator=code)
            continue
        if code:
            seen[code] = r
        unit = str(unit or "").strip().upper()
        if unit and unit not in unit_codes:
            report.issue("indicator-unknown-unit", file=file, sheet=sheet, cell=read.cell("unit", i),
                         value=unit, indicator=code)
            continue
        if i in read.bad:
            continue
        ind = Indicator(kode=code, unit=unit, sasaran=sasaran or "", program=program or "",
                        kegiatan=kegiatan or "", nama=nama, satuan=satuan or "",
                        polaritas=polaritas, rumus_turun=rumus_turun, metode=metode,
                        target_tahunan=target_tahunan, target_tw=[tw1, tw2, tw3, tw4], pagu=pagu,
                        wajib_bukti=bool(wajib_bukti), kode_sasaran=str(kode_sasaran or "").strip())
        _check_targets(ind, report, file, read, i)
        out.append(ind)
    for code in sorted(unit_codes - {i.unit for i in out}):
        report.issue("unit-no-indicators", file=file, sheet=S.INDIKATOR.sheet, unit=code)
    return out


def _check_targets(ind: Indicator, report: Report, file: str, read: ReadTable, i: int) -> None:
    """The quarters' targets against the yearly one (`i`: the indicator's row of the table read)."""
    tws = ind.target_tw
    if ind.target_tahunan is None or None in tws:
        return
    known = [t for t in tws if t is not None]  # all four (checked above)
    expected = sum(known) if ind.metode in ("per_triwulan", "kumulatif") else known[3]
    if abs(expected - ind.target_tahunan) > 1e-6 * max(1.0, abs(ind.target_tahunan)):
        report.issue("target-sum-mismatch", file=file, sheet=S.INDIKATOR.sheet, cell=read.cell("target_tahunan", i),
                     indicator=ind.kode, row=read.numbers[i], quarters=expected, yearly=ind.target_tahunan)


def _load_results(sheets: Mapping[str, list[tuple]], units: list[Unit], indicators: list[Indicator],
                  report: Report, file: str, loaded: Loaded) -> dict[str, Result]:
    known = {i.kode: i for i in indicators}
    results: dict[str, Result] = {}
    for unit in units:
        if unit.sheet_name not in sheets:  # a unit typed into the Unit sheet: made at its first return
            report.issue("unit-sheet-absent", file=file, sheet=unit.sheet_name, unit=unit.kode)
            continue
        table = S.unit_data_table(unit.sheet_name)
        read = read_table(sheets[unit.sheet_name], table, report, file)
        loaded.unit_tables[unit.kode] = read
        rows_by_code: dict[str, int] = {}
        v = read.values  # by column: no dict per row (the rows are made if a stage asks for them)
        for r, kode, *tw, penjelasan, bukti, anggaran in zip(
                read.numbers, v["kode"], v["r1"], v["r2"], v["r3"], v["r4"], v["penjelasan"], v["bukti"],
                v["realisasi_anggaran"]):
            code = str(kode or "").strip()
            # another unit's code, or a second row of one code: not used (validate reports it)
            if code not in known or known[code].unit != unit.kode or code in rows_by_code:
                continue
            rows_by_code[code] = r
            penjelasan, bukti = penjelasan or "", bukti or ""
            if tw.count(None) < 4 or penjelasan or bukti or anggaran is not None:
                results[code] = Result(indikator=code, realisasi_tw=tw, penjelasan=penjelasan, bukti=bukti,
                                       realisasi_anggaran=anggaran)
        loaded.unit_rows[unit.kode] = rows_by_code
    return results


def period_long_past(period: Period, today: date) -> bool:
    """Whether a whole further period has ended since this one: then it is not the period being
    collected (the Petunjuk sheet's formula asks the same)."""
    length = {"triwulan": 3, "semester": 6, "tahunan": 12}[period.jenis]
    month = (period.nomor or 1) * length + length  # the end of the period after this one
    year, month = period.tahun + (month - 1) // 12, (month - 1) % 12 + 1
    after = date(year + month // 12, month % 12 + 1, 1)  # the first day after that period
    return today >= after


def readiness_issues(loaded: Loaded, today: date) -> None:
    """A fresh master's placeholders as errors (the 'Siap dipakai?' block of the Petunjuk sheet)."""
    m, report, file = loaded.master, loaded.report, loaded.path.name
    assert m is not None
    kv = _key_values(loaded.rows.get(S.SETTINGS_SHEET, []), {s.key: s.label for s in S.SETTINGS})
    cell = {k: v[1] for k, v in kv.items()}
    sheet = S.SETTINGS_SHEET
    preset = m.settings.preset
    try:
        bawaan = placeholder_office_name(load_preset(preset)) if preset else None
    except UnknownPresetError:  # a preset name typed over: no name of its own to compare with
        bawaan = None
    if m.settings.office.nama.strip() == bawaan:
        report.issue("office-name-placeholder", file=file, sheet=sheet, cell=cell.get("nama_instansi"),
                     value=m.settings.office.nama)
    values = {"pemerintah": m.settings.office.pemerintah, "tempat": m.settings.office.tempat,
              "yth": m.settings.letter.yth}
    labels = {s.key: s.label for s in S.SETTINGS}
    for key in PLACEHOLDER_SETTINGS:
        if "..." in (values[key] or ""):
            report.issue("setting-placeholder", file=file, sheet=sheet, cell=cell.get(key), key=labels[key],
                         value=values[key])
    roles = S.PEJABAT.col("peran").choices or {}
    role_rows = {norm(row[0]): r for r, row in enumerate(loaded.rows.get(S.PEJABAT.sheet, []), 1) if row}
    for role, label in roles.items():
        if role not in m.settings.officials:
            r = role_rows.get(norm(label))
            report.issue("official-required", file=file, sheet=S.PEJABAT.sheet, cell=f"B{r}" if r else None,
                         role=label)
    on_sheet = {i.location.sheet for i in report.issues if i.severity.value == "error"}
    if not m.units and S.UNIT.sheet not in on_sheet:
        report.issue("units-none", file=file, sheet=S.UNIT.sheet, cell=f"A{S.UNIT.header_row + 1}",
                     row=S.UNIT.header_row + 1)
    if not m.indicators and S.INDIKATOR.sheet not in on_sheet:
        report.issue("indicators-none", file=file, sheet=S.INDIKATOR.sheet, cell=f"A{S.INDIKATOR.header_row + 1}",
                     row=S.INDIKATOR.header_row + 1)
    if not m.results and period_long_past(m.settings.period, today):
        report.issue("period-past", file=file, sheet=sheet, cell=cell.get("tahun"),
                     period=m.settings.period.label(), tahun=cell.get("tahun"), nomor=cell.get("nomor_periode"))
