"""The master workbook: build it (`kinerja init`) and read it back into models (`kinerja check`)."""

from __future__ import annotations

import csv
import json
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Collection

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation
from pydantic import ValidationError

from kinerja import sheets as S
from kinerja.capaian import achievement
from kinerja.issues import Issue, Report, catalogue_rows, make_issue
from kinerja.models import (DEFAULT_SCALE, ROMAN,
                            Indicator, LetterSettings, Master, Office,
                            Official, Period, PredicateBand, Result, Rules, Settings, Unit)
from kinerja.sop import Sop, load_preset, sop_from_rows
from kinerja.tables import Column, Row, Table, convert, norm, read_table
from kinerja.workcal import DEFAULT_OFFICE_HOURS, ExtraHoliday, OfficeDay, cuti_bersama_known
from kinerja.writing.book import set_value, style_table, write_rows
from kinerja.writing.files import gc_paused, save_atomic
from kinerja.writing.style import HINT_FONT, INPUT_FILL, TITLE_FONT

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


def read_office_data(folder: Path) -> OfficeData:
    folder = Path(folder)
    info = json.loads((folder / "instansi.json").read_text(encoding="utf-8"))

    def rows(name: str) -> list[dict[str, Any]]:
        p = folder / name
        if not p.exists():
            return []
        with p.open(encoding="utf-8", newline="") as f:
            return [{k: (v if v != "" else None) for k, v in r.items()} for r in csv.DictReader(f)]

    return OfficeData(settings=info["pengaturan"], officials=info.get("pejabat", []),
                      units=rows("unit.csv"), indicators=rows("indikator.csv"),
                      results=rows("realisasi_lalu.csv"), holidays=info.get("libur", []),
                      renstra=rows("renstra.csv"))


def default_office_data(sop: Sop) -> OfficeData:
    """A blank office for a preset: placeholders staff replace."""
    return OfficeData(
        settings={"nama_instansi": sop.instansi or "Nama Instansi", "pemerintah": "Pemerintah Kabupaten ...",
                  "tempat": "...", "tahun": datetime.now().year, "jenis_periode": "triwulan",
                  "nomor_periode": 1, "yth": "Bupati ..."},
        officials=[], units=[], indicators=[])


DEFAULT_SETTINGS: dict[str, Any] = {
    "rumus_turun": "2T-R", "target_nol": "kosong", "capaian_maks": 150, "capaian_min": 50,
    "wajib_penjelasan": "ya", "wajib_bukti": "tidak", "ambang_hampir": 80,
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
    """Write a new master workbook for the preset and (optionally) an office's data."""
    sop = load_preset(preset)
    data = data or default_office_data(sop)
    settings = {**DEFAULT_SETTINGS, **data.settings, "preset": preset}
    wb = Workbook()
    wb.remove(wb.active)
    _petunjuk(wb.create_sheet(S.PETUNJUK_SHEET), settings)
    _settings_sheet(wb.create_sheet(S.SETTINGS_SHEET), settings)
    _table(wb, S.PEJABAT, [[o.get("peran") and S.PEJABAT.col("peran").choices.get(o["peran"], o["peran"]),
                           o.get("jabatan"), o.get("nama"), o.get("pangkat"), o.get("nip")]
                          for o in data.officials])
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
            if c.choices and v is not None:
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
    _paper(wb, settings)
    wb.active = 0
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".xlsm":
        from kinerja.excel.xlsm import make_xlsm

        tmp = path.with_suffix(".tmp.xlsx")
        wb.save(tmp)
        make_xlsm(tmp, path)
        tmp.unlink()
    else:
        save_atomic(wb, path, backup=False)
    return path


def _period_label(settings: dict[str, Any]) -> str:
    try:
        return Period(tahun=int(settings.get("tahun")), jenis=str(settings.get("jenis_periode") or "triwulan"),
                      nomor=int(settings["nomor_periode"]) if settings.get("nomor_periode") else None).label()
    except (TypeError, ValueError, KeyError):
        return ""


def _paper(wb: Workbook, settings: dict[str, Any]) -> None:
    """Print settings on every sheet people print (kinerja.printing)."""
    from kinerja.printing import setup_sheet, table_for

    office, period = str(settings.get("nama_instansi") or ""), _period_label(settings)
    for ws in wb.worksheets:
        table = table_for(ws.title)
        last = None
        if table is not None:  # the table's rows, not the empty input rows styled below them
            last = max([table.header_row] + [r for r in range(table.header_row + 1, ws.max_row + 1)
                                             if any(ws.cell(r, j).value is not None
                                                    for j in range(1, len(table.columns) + 1))])
        setup_sheet(ws, ws.title, office, period, last)


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
    ws.auto_filter.ref = f"A{table.header_row}:{table.letter(table.columns[-1].key)}{table.header_row}"


def _petunjuk(ws, settings: dict[str, Any]) -> None:
    lines = [
        ("Workbook Induk Pengumpulan Data Kinerja", TITLE_FONT),
        (f"{settings.get('nama_instansi', '')} - {settings.get('pemerintah', '')}", Font(bold=True)),
        ("", None),
        ("Urutan kerja (tab 'Data Kinerja' di pita Excel, atau perintah 'kinerja' di terminal):", Font(bold=True)),
        ("1. Isi sheet Pengaturan, Pejabat, Unit dan Indikator. Sel kuning adalah isian.", None),
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


def _settings_sheet(ws, settings: dict[str, Any]) -> None:
    table = Table(S.SETTINGS_SHEET, "Pengaturan", (
        Column("label", "Pengaturan", width=42, input=False), Column("nilai", "Nilai", width=46),
        Column("keterangan", "Keterangan", width=70, input=False)),
        hint="Ubah hanya kolom Nilai (kuning). Jangan ubah tulisan di kolom Pengaturan.")
    style_table(ws, table)
    r = S.FIRST_DATA_ROW
    group = None
    fill = PatternFill("solid", fgColor=INPUT_FILL)
    for s in S.SETTINGS:
        if s.group != group:
            group = s.group
            ws.cell(row=r, column=1, value=group).font = Font(bold=True, color="1F4E78")
            r += 1
        ws.cell(row=r, column=1, value=s.label)
        value = _label(s, settings.get(s.key))
        if s.key == "nomor_periode" and value is not None:
            value = ROMAN[int(value) - 1] if str(value).isdigit() else value
        if s.kind == "datetime" and isinstance(value, str):
            value = datetime.fromisoformat(value)
        set_value(ws.cell(row=r, column=2), value)
        if s.kind == "datetime":
            ws.cell(row=r, column=2).number_format = "dd/mm/yyyy hh:mm"
        ws.cell(row=r, column=2).fill = fill
        help_text = s.help
        if s.choices and s.kind != "bool":
            help_text = (help_text + " " if help_text else "") + "Pilihan: " + ", ".join(s.choices.values())
        ws.cell(row=r, column=3, value=help_text).font = HINT_FONT
        if s.choices:
            dv = DataValidation(type="list", formula1='"' + ",".join(s.choices.values()) + '"',
                                allow_blank=True)
            ws.add_data_validation(dv)
            dv.add(f"B{r}")
        r += 1


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
                dv = DataValidation(type="list", formula1='"' + ",".join(c.choices.values()) + '"',
                                    allow_blank=True, showErrorMessage=True,
                                    errorTitle="Pilihan tidak dikenal",
                                    error="Pilih dari daftar: " + ", ".join(c.choices.values()))
            elif c.key == "satuan":
                dv = DataValidation(type="list", formula1='"' + ",".join(S.SATUAN) + '"',
                                    allow_blank=True, showErrorMessage=True, errorStyle="information",
                                    error="Satuan di luar daftar; tetap diterima.")
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
    rows: dict[str, list[tuple]] = field(default_factory=dict)  # raw rows per sheet, for stages
    unit_rows: dict[str, dict[str, int]] = field(default_factory=dict)  # unit -> code -> sheet row


def read_sheets(path: Path, skip: Collection[str] = ()) -> dict[str, list[tuple]]:
    """All sheets (but those named in `skip`) as rows of values, via python-calamine (fast)."""
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(path))
    out: dict[str, list[tuple]] = {}
    # one object per distinct text and number: names, labels and targets recur on many rows/sheets
    texts: dict[str, str] = {}
    numbers: dict[float, float] = {}
    for name in wb.sheet_names:
        if name in skip:
            continue
        sheet = wb.get_sheet_by_name(name)
        last_row, last_col = sheet.end or (-1, -1)
        rows: list[tuple] = []
        for row in sheet.iter_rows():  # row by row: a large sheet is never held twice
            pad = (None,) * (last_col + 1 - len(row))  # from column A, as to_python(skip_empty_area=False)
            rows.append(pad + tuple(None if v == "" else texts.setdefault(v, v) if type(v) is str
                                    else numbers.setdefault(v, v) if type(v) is float else v for v in row))
        if rows and len(rows) <= last_row:  # and from row 1
            rows[:0] = [(None,) * (last_col + 1)] * (last_row + 1 - len(rows))
        out[name] = rows
    return out


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
        sheets = read_sheets(path, skip)
    except Exception as e:  # noqa: BLE001 - any unreadable file becomes an issue
        report.issue("workbook-unreadable", file=file, detail=str(e) or type(e).__name__)
        return Loaded(None, report, path)
    return load_from_sheets(sheets, path, report)


def load_from_sheets(sheets: dict[str, list[tuple]], path: Path, report: Report | None = None) -> Loaded:
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
    for row in _read(rows_of, S.PEJABAT, report, file) or []:
        if not row.ok:
            continue
        try:
            officials[row.values["peran"]] = Official(**{k: row.values[k] or "" for k in
                                                         ("peran", "jabatan", "nama", "pangkat", "nip")})
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
    kop = [values.get(k) for k in ("kop_1", "kop_2", "kop_3") if values.get(k)]
    d = DEFAULT_SETTINGS
    rules = Rules(
        rumus_turun=values.get("rumus_turun") or d["rumus_turun"],
        target_nol=values.get("target_nol") or d["target_nol"],
        batas_atas_capaian=values.get("batas_atas_capaian"),
        capaian_maks=_or(values.get("capaian_maks"), 150.0), capaian_min=_or(values.get("capaian_min"), 50.0),
        wajib_penjelasan=_or(values.get("wajib_penjelasan"), True),
        wajib_bukti=_or(values.get("wajib_bukti"), False),
        ambang_hampir=_or(values.get("ambang_hampir"), 80.0) / 100,
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
                    folders={k: values.get(f"folder_{k}") or v for k, v in S.FOLDER_DEFAULTS.items()})


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


def _or(value: Any, default: Any) -> Any:
    return default if value is None else value


def _first_error(e: ValidationError) -> str:
    err = e.errors()[0]
    msg = str(err.get("msg", "")).removeprefix("Value error, ")  # pydantic's English prefix
    return f"{'.'.join(str(x) for x in err.get('loc', ()))}: {msg}".strip(": ")


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
        detail = _first_error(e) if isinstance(e, ValidationError) else str(e)
        report.issue("sop-invalid", file=file, sheet=S.LANGKAH_SOP.sheet, detail=detail)
        return None


def _load_units(rows_of, report: Report, file: str) -> list[Unit]:
    units: list[Unit] = []
    seen: dict[str, int] = {}
    for row in _read(rows_of, S.UNIT, report, file) or []:
        if not row.ok:
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
    for row in _read(rows_of, S.INDIKATOR, report, file) or []:
        v = row.values
        code = str(v["kode"] or "").strip()
        if code and code in seen:
            report.issue("indicator-duplicate", file=file, sheet=sheet, cell=row.cell("kode"),
                         value=code, other_row=seen[code], indicator=code)
            continue
        if code:
            seen[code] = row.number
        unit = str(v["unit"] or "").strip().upper()
        if unit and unit not in unit_codes:
            report.issue("indicator-unknown-unit", file=file, sheet=sheet, cell=row.cell("unit"),
                         value=unit, indicator=code)
            continue
        if not row.ok:
            continue
        ind = Indicator(kode=code, unit=unit, sasaran=v["sasaran"] or "", program=v["program"] or "",
                        kegiatan=v["kegiatan"] or "", nama=v["nama"], satuan=v["satuan"] or "",
                        polaritas=v["polaritas"], rumus_turun=v["rumus_turun"], metode=v["metode"],
                        target_tahunan=v["target_tahunan"],
                        target_tw=[v["tw1"], v["tw2"], v["tw3"], v["tw4"]], pagu=v["pagu"],
                        wajib_bukti=bool(v["wajib_bukti"]),
                        kode_sasaran=str(v.get("kode_sasaran") or "").strip())
        _check_targets(ind, report, file, row)
        out.append(ind)
    for code in sorted(unit_codes - {i.unit for i in out}):
        report.issue("unit-no-indicators", file=file, sheet=S.INDIKATOR.sheet, unit=code)
    return out


def _check_targets(ind: Indicator, report: Report, file: str, row: Row) -> None:
    tws = ind.target_tw
    if ind.target_tahunan is None or any(t is None for t in tws):
        return
    expected = sum(tws) if ind.metode in ("per_triwulan", "kumulatif") else tws[3]  # type: ignore[arg-type]
    if abs(expected - ind.target_tahunan) > 1e-6 * max(1.0, abs(ind.target_tahunan)):
        report.issue("target-sum-mismatch", file=file, sheet=S.INDIKATOR.sheet,
                     cell=row.cell("target_tahunan"), indicator=ind.kode, row=row.number,
                     quarters=expected, yearly=ind.target_tahunan)


def _load_results(sheets: dict[str, list[tuple]], units: list[Unit], indicators: list[Indicator],
                  report: Report, file: str, loaded: Loaded) -> dict[str, Result]:
    known = {i.kode: i for i in indicators}
    results: dict[str, Result] = {}
    for unit in units:
        if unit.sheet_name not in sheets:
            report.issue("sheet-missing", file=file, sheet=unit.sheet_name, unit=unit.kode)
            continue
        table = S.unit_data_table(unit.sheet_name)
        read = read_table(sheets[unit.sheet_name], table, report, file)
        rows_by_code: dict[str, int] = {}
        for row in read.rows:
            v = row.values
            code = str(v["kode"] or "").strip()
            # another unit's code, or a second row of one code: not used (validate reports it)
            if code not in known or known[code].unit != unit.kode or code in rows_by_code:
                continue
            rows_by_code[code] = row.number
            res = Result(indikator=code, realisasi_tw=[v["r1"], v["r2"], v["r3"], v["r4"]],
                         penjelasan=v["penjelasan"] or "", bukti=v["bukti"] or "",
                         realisasi_anggaran=v["realisasi_anggaran"])
            if (any(x is not None for x in res.realisasi_tw) or res.penjelasan or res.bukti
                    or res.realisasi_anggaran is not None):
                results[code] = res
        loaded.unit_rows[unit.kode] = rows_by_code
    return results


def check(path: Path) -> Loaded:
    """`kinerja check`: load and, when it loads, compute every capaian once as a smoke test."""
    loaded = load_master(path)
    m = loaded.master
    if m is not None:
        for ind in m.indicators:
            achievement(ind, m.results.get(ind.kode), m.settings.period, m.settings.rules,
                        m.turun_formula(ind))
        year = m.settings.period.tahun
        if not cuti_bersama_known(year) and not any(h.date.year == year for h in m.settings.libur):
            loaded.report.issue("holidays-unknown", file=path.name, sheet=S.LIBUR.sheet,
                                cell=f"A{S.LIBUR.header_row + 1}", year=year)
        from kinerja.approval import report_changes
        from kinerja.period import check_chain, check_targets, forced_note

        report_changes(loaded, loaded.report)
        check_targets(loaded, loaded.report)
        check_chain(loaded, loaded.report)
        if forced := forced_note(loaded):
            loaded.report.issue("period-forced", file=path.name, sheet=S.RIWAYAT.sheet, detail=forced.rstrip("."))
    return loaded
