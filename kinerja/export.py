"""The consolidated table (`rekap.consolidate`) as a file to upload to an e-SAKIP application.

One table, three encodings chosen by the file suffix, all with the same Indonesian headers:
- .csv: UTF-8, comma-separated, decimal point (whole numbers without '.0'), one header row
  (a machine format; open the .xlsx in Excel instead). A text that Excel would run as a
  formula (starting with =, +, @, a tab, or '-' followed by a letter) gets a leading apostrophe.
- .json: {"instansi", "periode", "label_periode", "dibuat", "kolom", "data": [{header: value}]}.
- .xlsx: one sheet 'Rekap', numbers as numbers, text always as text (never a formula).
The file is written through a temporary file and renamed, so a half-written export never exists.
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

from kinerja.models import METHOD_LABELS, POLARITY_LABELS, ROMAN, Master
from kinerja.rekap import consolidate

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
FORMATS = (".csv", ".json", ".xlsx")


class ExportError(ValueError):
    """The export cannot be written (message in Indonesian)."""


def export_rows(master: Master) -> list[list[Any]]:
    """The consolidated table, one row per indicator, in COLUMNS order."""
    p, rules = master.settings.period, master.settings.rules
    out = []
    for r in consolidate(master):
        ind, res = r.indicator, r.result
        rt = res.realisasi_tw if res else [None] * 4
        out.append([p.tahun, p.label(), r.unit.kode, r.unit.nama, ind.sasaran, ind.program, ind.kegiatan,
                    ind.kode, ind.nama, ind.satuan, POLARITY_LABELS[ind.polaritas], METHOD_LABELS[ind.metode],
                    ind.target_tahunan, *rt, r.ach.target, r.ach.realisasi,
                    None if r.ach.capaian is None else round(r.ach.capaian, rules.desimal), r.ach.predikat,
                    res.penjelasan if res else "", res.bukti if res else "", ind.pagu,
                    res.realisasi_anggaran if res else None,
                    "Terisi" if r.ach.realisasi is not None else "Kosong"])
    return out


def export_rekap(master: Master, out: Path, now: datetime | None = None) -> Path:
    """Write the consolidated table to `out` (.csv, .json or .xlsx). Returns the path."""
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in FORMATS:
        raise ExportError(f"format '{out.suffix or '(tanpa akhiran)'}' tidak didukung; pakai .csv, .json atau .xlsx")
    rows = export_rows(master)
    if suffix == ".csv":
        buf = io.StringIO(newline="")
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerow(HEADERS)
        writer.writerows([[_csv(v) for v in row] for row in rows])
        data = buf.getvalue().encode("utf-8")
    elif suffix == ".json":
        p = master.settings.period
        doc = {"instansi": master.settings.office.nama, "periode": p.key(), "label_periode": p.label(),
               "dibuat": (now or datetime.now()).isoformat(timespec="seconds"), "kolom": HEADERS,
               "data": [dict(zip(HEADERS, row)) for row in rows]}
        data = json.dumps(doc, ensure_ascii=False, indent=2).encode("utf-8")
    else:
        data = _xlsx(rows)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".~kinerja-", suffix=suffix, dir=out.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return out


def _csv(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)  # '8', not '8.0'
    if isinstance(value, str) and value and (value[0] in "=+@\t\r" or (value[0] == "-" and value[1:2].isalpha())):
        return "'" + value
    return value


def _xlsx(rows: list[list[Any]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import PatternFill
    from openpyxl.utils import get_column_letter

    from kinerja.writing.book import set_value
    from kinerja.writing.style import HEADER_FILL, HEADER_FONT

    wb = Workbook()
    ws = wb.active
    ws.title = "Rekap"
    for j, header in enumerate(HEADERS, 1):
        c = ws.cell(row=1, column=j, value=header)
        c.font, c.fill = HEADER_FONT, PatternFill("solid", fgColor=HEADER_FILL)
        ws.column_dimensions[get_column_letter(j)].width = max(10, min(40, len(header) + 4))
    for i, row in enumerate(rows, 2):
        for j, value in enumerate(row, 1):
            set_value(ws.cell(row=i, column=j), value)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(HEADERS))}{max(1, len(rows) + 1)}"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
