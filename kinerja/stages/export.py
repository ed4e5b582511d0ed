"""The period's data as files other systems read (`kinerja export --format ...`).

Formats (docs/FORMAT-EKSPOR.md has each one column by column, with its source):
- `rekap` (default): the consolidated table (`rekap.consolidate`) with Indonesian headers, its
  encoding chosen by the file suffix: .csv (UTF-8, comma, decimal point: a machine format),
  .json ({"instansi", "periode", "label_periode", "dibuat", "kolom", "data"}), .xlsx (sheet
  'Rekap', numbers as numbers, text as text).
- `csv-id`: the same table as a CSV that Excel on an Indonesian-locale PC opens in columns:
  ';' separator, decimal comma, UTF-8 with BOM.
- `e81`, `e81-bkerinci`, `e81-deliserdang`: Form E.81 (kinerja/stages/e81.py), .xlsx.
- `keyed`: one row per indicator keyed by 'Kode Indikator' for the quarter's upload (headers as
  the e-SAKIP importer `CapaianKinerjaImport` reads them), .xlsx or .csv.
- `kode-periode`: CSV of kode, periode (first day of the quarter), nilai, catatan: one row per
  indicator and quarter so far, as `CsvImportService::importPerformanceData` reads it.
Every CSV text that a spreadsheet would run as a formula (leading =, +, -, @, tab or CR;
OWASP's CSV-injection rule) gets a leading apostrophe. The file is written through a temporary
file and renamed, so a half-written export never exists.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

from kinerja.domain.capaian import realisasi_to_date
from kinerja.domain.models import METHOD_LABELS, POLARITY_LABELS, ROMAN, Master
from kinerja.issues.catalogue import KinerjaError
from kinerja.stages.e81 import deliserdang_workbook, e81_rows, e81_workbook, to_bytes
from kinerja.stages.rekap import consolidate
from kinerja.workbook.guard import file_mode, finish_temp, temp_prefix

COLUMNS: tuple[tuple[str, str], ...] = (
    ("tahun", "Tahun"), ("periode", "Periode"), ("kode_unit", "Kode Unit"), ("unit", "Unit"),
    ("sasaran", "Sasaran Strategis"), ("program", "Program"), ("kegiatan", "Kegiatan"),
    ("kode", "Kode Indikator"), ("indikator", "Indikator Kinerja"), ("satuan", "Satuan"),
    ("polaritas", "Polaritas"), ("metode", "Metode"), ("target_tahunan", "Target Tahunan"),
    *((f"realisasi_tw{q}", f"Realisasi TW {ROMAN[q - 1]}") for q in range(1, 5)),
    ("target", "Target Periode"), ("realisasi", "Realisasi Periode"), ("capaian", "Capaian (%)"),
    ("predikat", "Predikat"), ("penjelasan", "Penjelasan"), ("bukti", "Bukti Dukung"),
    ("pagu", "Pagu (Rp)"), ("realisasi_anggaran", "Realisasi Anggaran (Rp)"), ("status", "Status"),
)
HEADERS = [h for _, h in COLUMNS]
SUFFIXES = (".csv", ".json", ".xlsx")
FORMATS: dict[str, tuple[str, ...]] = {  # format -> the file suffixes it writes
    "rekap": SUFFIXES, "csv-id": (".csv",), "e81": (".xlsx",), "e81-bkerinci": (".xlsx",),
    "e81-deliserdang": (".xlsx",), "keyed": (".xlsx", ".csv"), "kode-periode": (".csv",),
}
KEYED_HEADERS = ["Kode Indikator", "Realisasi TW", "Realisasi X", "Realisasi Y", "Link Bukti Dukung Kinerja",
                 "Link Bukti Dukung Rencana Tindak Lanjut Triwulan Sebelumnya", "Kendala Yg Dihadapi",
                 "Solusi Yg Telah Dilakukan", "Rencana Tindak Lanjut", "Indikator Kinerja", "Satuan", "Tahun",
                 "Triwulan"]


class ExportError(KinerjaError, ValueError):
    """The export cannot be written (message in Indonesian)."""


def export_rows(master: Master) -> list[list[Any]]:
    """The consolidated table, one row per indicator, in COLUMNS order."""
    p = master.settings.period
    out = []
    for r in consolidate(master):
        ind, res = r.indicator, r.result
        rt: list[float | None] = res.realisasi_tw if res else [None] * 4
        out.append([p.tahun, p.label(), r.unit.kode, r.unit.nama, ind.sasaran, ind.program, ind.kegiatan,
                    ind.kode, ind.nama, ind.satuan, POLARITY_LABELS[ind.polaritas], METHOD_LABELS[ind.metode],
                    ind.target_tahunan, *rt, r.ach.target, r.ach.realisasi,
                    r.ach.capaian, r.ach.predikat,
                    res.penjelasan if res else "", res.bukti if res else "", ind.pagu,
                    res.realisasi_anggaran if res else None,
                    "Terisi" if r.ach.realisasi is not None else "Kosong"])
    return out


def keyed_rows(master: Master) -> list[list[Any]]:
    """One row per indicator for the quarter: its code, the year's realisasi so far (the
    indicator's method), evidence and the unit's explanation of the shortfall."""
    p = master.settings.period
    out = []
    for r in consolidate(master):
        ind, res = r.indicator, r.result
        rt: list[float | None] = res.realisasi_tw if res else [None] * 4
        out.append([ind.kode, realisasi_to_date(ind, rt, p.last_quarter), None, None,
                    res.bukti if res else "", "", res.penjelasan if res else "", "", "", ind.nama, ind.satuan,
                    p.tahun, p.last_quarter])
    return out


def kode_periode_rows(master: Master) -> list[list[Any]]:
    """kode, periode (first day of the quarter, yyyy-mm-dd), nilai, catatan: every quarter of
    the year up to the period that has a realisasi. A note never spans lines (the reader splits
    the file at line breaks before it parses quotes)."""
    p = master.settings.period
    out = []
    for r in consolidate(master):
        ind, res = r.indicator, r.result
        if res is None:
            continue
        for q in range(1, p.last_quarter + 1):
            value = res.realisasi_tw[q - 1]
            if value is None:
                continue
            note = " ".join(res.penjelasan.split()) if q == p.last_quarter else ""
            out.append([ind.kode, f"{p.tahun}-{3 * q - 2:02d}-01", value, note])
    return out


def export_rekap(master: Master, out: Path, now: datetime | None = None, fmt: str = "rekap",
                 renstra: dict[str, Any] | None = None) -> Path:
    """Write the period's data to `out` in format `fmt` (see the module doc). Returns the path."""
    out = Path(out)
    suffix = out.suffix.lower()
    if fmt not in FORMATS:
        raise ExportError(f"format '{fmt}' tidak dikenal; pilih salah satu: {', '.join(FORMATS)}")
    if suffix not in FORMATS[fmt]:
        raise ExportError(f"format {fmt} ditulis sebagai {' atau '.join(FORMATS[fmt])}, bukan "
                          f"'{out.suffix or '(tanpa akhiran)'}'; ganti nama file --out")
    if fmt in TABLE_FORMATS:
        p = master.settings.period
        data = table_bytes(fmt, suffix, HEADERS, export_rows(master),
                           {"instansi": master.settings.office.nama, "periode": p.key(), "label_periode": p.label()},
                           now)
    elif fmt.startswith("e81"):
        rows = e81_rows(master, renstra)
        wb = deliserdang_workbook(master, rows) if fmt == "e81-deliserdang" else e81_workbook(master, rows, fmt)
        data = to_bytes(wb)
    elif fmt == "keyed":
        rows = keyed_rows(master)
        data = _csv_bytes(KEYED_HEADERS, rows) if suffix == ".csv" else _xlsx(KEYED_HEADERS, rows, "Capaian")
    else:
        data = _csv_bytes(["kode", "periode", "nilai", "catatan"], kode_periode_rows(master))
    return _write(out, data)


TABLE_FORMATS = ("rekap", "csv-id")  # formats of one plain table, whatever its columns


def table_bytes(fmt: str, suffix: str, headers: list[str], rows: list[list[Any]], meta: dict[str, Any],
                now: datetime | None = None, sheet: str = "Rekap") -> bytes:
    """One table in a table format: `rekap` by suffix (.csv, .json headed by `meta`, .xlsx) or
    `csv-id`."""
    if fmt == "csv-id":
        return _csv_bytes(headers, rows, delimiter=";", decimal=",", bom=True)
    if suffix == ".csv":
        return _csv_bytes(headers, rows)
    if suffix == ".json":
        doc = {**meta, "dibuat": (now or datetime.now()).isoformat(timespec="seconds"), "kolom": headers,
               "data": [dict(zip(headers, row)) for row in rows]}
        return json.dumps(doc, ensure_ascii=False, indent=2, default=str).encode("utf-8")
    return _xlsx(headers, rows, sheet)


def export_table(out: Path, headers: list[str], rows: list[list[Any]], meta: dict[str, Any],
                 now: datetime | None = None, fmt: str = "rekap", sheet: str = "Rekap") -> Path:
    """Any table (e.g. a roll-up across offices) written as the `rekap` / `csv-id` formats are."""
    out = Path(out)
    suffix = out.suffix.lower()
    if fmt not in TABLE_FORMATS or suffix not in FORMATS[fmt]:
        raise ExportError(f"format {fmt} ditulis sebagai {' atau '.join(FORMATS.get(fmt, SUFFIXES))}, bukan "
                          f"'{out.suffix or '(tanpa akhiran)'}'")
    return _write(out, table_bytes(fmt, suffix, headers, rows, meta, now, sheet))


def _write(out: Path, data: bytes) -> Path:
    """Through a temporary file and a rename: a half-written export never exists."""
    suffix = out.suffix.lower()
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=temp_prefix(), suffix=suffix, dir=out.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        finish_temp(Path(tmp), file_mode(out))  # the umask's mode (or the replaced file's), not 0600
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return out


def _csv_bytes(headers: list[str], rows: list[list[Any]], delimiter: str = ",", decimal: str = ".",
               bom: bool = False) -> bytes:
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows([[_csv(v, decimal) for v in row] for row in rows])
    return ("\ufeff" if bom else "").encode("utf-8") + buf.getvalue().encode("utf-8")


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv(value: Any, decimal: str = ".") -> Any:
    """One CSV cell: whole numbers without '.0', the decimal mark asked for, and a leading
    apostrophe on text a spreadsheet would run as a formula (a lone '-' is left as it is)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        value = int(value)  # '8', not '8.0'
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        text = repr(value) if isinstance(value, float) else str(value)
        return text.replace(".", decimal)
    if isinstance(value, str) and value.startswith(FORMULA_START) and value != "-":
        return "'" + value
    return value


def _xlsx(headers: list[str], rows: list[list[Any]], title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import PatternFill
    from openpyxl.utils import get_column_letter

    from kinerja.workbook.book import set_value
    from kinerja.workbook.style import HEADER_FILL, HEADER_FONT

    wb = Workbook()
    ws = wb.worksheets[0]
    ws.title = title
    for j, header in enumerate(headers, 1):
        c = ws.cell(row=1, column=j, value=header)
        c.font, c.fill = HEADER_FONT, PatternFill("solid", fgColor=HEADER_FILL)
        ws.column_dimensions[get_column_letter(j)].width = max(10, min(40, len(header) + 4))
    for i, row in enumerate(rows, 2):
        for j, value in enumerate(row, 1):
            set_value(ws.cell(row=i, column=j), value)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{max(1, len(rows) + 1)}"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
