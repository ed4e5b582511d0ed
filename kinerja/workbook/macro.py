"""The macro-enabled master (.xlsm): the sheets of `master.build_master`, a 'Panel' sheet (the
fallback that needs no new VBA), the VBA modules and the ribbon from `actions.ACTIONS`.

`kinerja init KANTOR.xlsm` comes here through `build_master`. Timestamps are fixed, so two
builds of the same sources give the same bytes.
"""

from __future__ import annotations

import re
import tempfile
import zipfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from kinerja.ooxml.xlsm import make_xlsm
from kinerja.workbook.lists import list_validation
from kinerja.workbook.ribbon import ACTIONS
from kinerja.workbook.style import HINT_FONT, INPUT_FILL, TITLE_FONT

PANEL_SHEET = "Panel"
PANEL_CELL = "B4"
FIXED_TIME = "2026-01-01T00:00:00Z"

CLI_OF = {"buat_formulir": "kinerja forms", "tanda_terima": "kinerja tanda-terima",
          "himpun_rekap": "kinerja collect", "validasi": "kinerja validate",
          "setujui_kembalikan": "kinerja review", "catat_langkah": "kinerja log",
          "status": "kinerja status", "buat_laporan": "kinerja report",
          "surat_pengantar": "kinerja surat", "arsipkan": "kinerja archive",
          "periode_baru": "kinerja new-period"}


def add_panel(wb: Workbook) -> None:
    """Add the 'Panel' sheet: pick an action in a dropdown, press xlwings' 'Run main'."""
    ws = wb.create_sheet(PANEL_SHEET, 1)
    ws["A1"] = "Panel Data Kinerja"
    ws["A1"].font = TITLE_FONT
    ws["A2"] = ("Bila tab 'Data Kinerja' tidak muncul di pita Excel: pilih tindakan di sel kuning, "
                "lalu klik 'Run main' pada tab xlwings (add-in xlwings).")
    ws["A2"].font = HINT_FONT
    ws["A4"] = "Tindakan:"
    ws["A4"].font = Font(bold=True)
    labels = [a.label for a in ACTIONS.values()]
    ws[PANEL_CELL] = labels[0]
    ws[PANEL_CELL].fill = PatternFill("solid", fgColor=INPUT_FILL)
    dv = list_validation(wb, labels, allow_blank=False, showErrorMessage=True, error="Pilih tindakan dari daftar.")
    ws.add_data_validation(dv)
    dv.add(PANEL_CELL)
    ws["A6"], ws["B6"], ws["C6"] = "Tindakan", "Kelompok", "Perintah terminal yang sama"
    for c in ("A6", "B6", "C6"):
        ws[c].font = Font(bold=True)
    for r, action in enumerate(ACTIONS.values(), 7):
        ws.cell(r, 1, action.label)
        ws.cell(r, 2, action.group)
        ws.cell(r, 3, CLI_OF.get(action.tag, ""))
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["B"].width = 30
    ws.column_dimensions["C"].width = 30


def _fix_timestamps(path: Path) -> None:
    """openpyxl stamps docProps/core.xml with the save time; pin it for reproducible builds."""
    with zipfile.ZipFile(path) as z:
        parts = {i.filename: z.read(i.filename) for i in z.infolist()}
    core = parts["docProps/core.xml"].decode("utf-8")
    core = re.sub(r"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)", rf"\g<1>{FIXED_TIME}\g<3>", core)
    parts["docProps/core.xml"] = core.encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0)), data)


def save_xlsm(wb: Workbook, out: Path) -> Path:
    """Save a master built in memory as the ribbon workbook: Panel sheet, VBA and ribbon."""
    out = Path(out)
    if out.suffix.lower() != ".xlsm":
        raise ValueError(f"Workbook induk bermakro harus berakhiran .xlsm, bukan '{out.name}'.")
    add_panel(wb)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="kinerja-build-") as tmp:
        xlsx = Path(tmp) / "induk.xlsx"
        wb.save(xlsx)
        _fix_timestamps(xlsx)
        make_xlsm(xlsx, out)
    return out
