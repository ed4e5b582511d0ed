"""What people do by hand in the SOP, played for the demo, the generated offices, the tests and
the benchmarks: a unit types its realisasi into its form (openpyxl, input cells only, as Excel
users would), the Sekretaris types decisions and accepted codes into the master (written into the
package as Excel would save it), a file arrives at a given time."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from openpyxl import load_workbook


def quarter_entry(ind: Any, q: int) -> dict[str, Any]:
    """What a unit types for quarter q when nothing is wrong: near its target, explained, with
    evidence and the budget spent so far (the demo's later quarters and the year test)."""
    from kinerja.domain.models import ROMAN

    t = ind.target_tw[q - 1] or 0
    value = round(t * (1.05 if ind.polaritas == "naik" else 0.95) + (q - 1) * 0.25, 2)
    out: dict[str, Any] = {f"r{q}": value, "penjelasan": f"TW {ROMAN[q - 1]}: sesuai rencana kegiatan {ind.kode}.",
                           "bukti": f"https://arsip.sukamaju.go.id/{ind.kode}/tw{q}.pdf"}
    if ind.pagu:
        out["realisasi_anggaran"] = round(ind.pagu * q / 4 * 0.9)
    return out


def fill_form(src: Path, dst: Path, values: dict[str, dict[str, Any]],
              edit: Callable[[Any], None] | None = None) -> Path:
    """Type into a unit form like a unit would: values[code][key] goes into that row's cell
    (keys as in formspec.COLUMNS). `edit(workbook)` may change the workbook further."""
    from kinerja.stages.returns import find_header
    from kinerja.workbook.formspec import ID_SHEET

    wb = load_workbook(src)
    ws = next(w for w in wb.worksheets if w.title != ID_SHEET)
    rows = [[c.value for c in row] for row in ws.iter_rows(max_row=ws.max_row)]
    found = find_header(rows)
    assert found is not None, f"{src}: no form table"
    header, cols = found
    for r in range(header + 2, ws.max_row + 1):
        code = ws.cell(row=r, column=cols["kode"] + 1).value
        for key, value in values.get(str(code), {}).items():
            cell = ws.cell(row=r, column=cols[key] + 1)
            cell.value = value
            if isinstance(value, str):
                cell.data_type = "s"
    if edit:
        edit(wb)
    dst.parent.mkdir(parents=True, exist_ok=True)
    wb.save(dst)
    return dst


def accept_without_explanation(master: Path, codes: list[str]) -> None:
    """The Sekretaris types indicator codes into Pengaturan 'Tanpa Penjelasan Diterima
    Sekretaris' (written into the package as Excel would save it)."""
    from python_calamine import CalamineWorkbook

    from kinerja.stages.signable import EXPLANATION_SETTING
    from kinerja.workbook import sheets as S
    from kinerja.workbook.description import WorkbookWrites
    from kinerja.workbook.files import write_file

    rows = CalamineWorkbook.from_path(str(master)).get_sheet_by_name(S.SETTINGS_SHEET).to_python(
        skip_empty_area=False)
    w = WorkbookWrites()
    for r, row in enumerate(rows, 1):
        if row and row[0] == EXPLANATION_SETTING:
            w.sheet(S.SETTINGS_SHEET).cells[f"B{r}"] = "; ".join(codes)
    write_file(master, w, backup=False)


def set_mtime(path: Path, when: datetime) -> Path:
    """The file's modification time (what collect takes as the time it was received)."""
    os.utime(path, (when.timestamp(), when.timestamp()))
    return path


def decide(master: Path, decisions: dict[str, str], note: str = "") -> None:
    """The Sekretaris types a decision per unit ('Terima' / 'Kembalikan') into the Validasi
    sheet's Keputusan column, with a note for a returned unit."""
    type_decisions(master, {u: (d, note if d == "Kembalikan" else None) for u, d in decisions.items()})


def type_decisions(master: Path, decisions: dict[str, tuple[str | None, str | None]]) -> None:
    """The Sekretaris types each unit's Keputusan and Catatan on the Validasi sheet and saves
    (written into the package as Excel would save it: nothing else in the master changes)."""
    from python_calamine import CalamineWorkbook

    from kinerja.stages.validate import decision_cells
    from kinerja.workbook import sheets as S
    from kinerja.workbook.description import WorkbookWrites
    from kinerja.workbook.files import write_file

    rows = CalamineWorkbook.from_path(str(master)).get_sheet_by_name(S.VALIDASI.sheet).to_python(
        skip_empty_area=False)
    cells = decision_cells([tuple(None if v == "" else v for v in row) for row in rows])
    w = WorkbookWrites()
    typed = w.sheet(S.VALIDASI.sheet).cells
    for unit, (keputusan, catatan) in decisions.items():
        kep, cat = cells[unit]
        typed[kep], typed[cat] = keputusan, catatan
    write_file(master, w, backup=False)
