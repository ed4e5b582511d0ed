"""Data validations (dropdowns) of a sheet. Only the <dataValidations> of the main namespace are
touched; Excel's x14 validations (in extLst, e.g. lists from another sheet) stay as they are."""

from __future__ import annotations

from lxml import etree
from openpyxl.worksheet.cell_range import CellRange

from kinerja.ooxml.parts import MAIN
from kinerja.ooxml.tail import Tail


def set_choices(tail: Tail, ref: str, values: list[str], formula: str | None = None) -> None:
    """A dropdown list on `ref`, replacing any earlier validation that overlaps it (as the
    openpyxl writer does); `formula` a range holding the items, else they are listed literally."""
    target = CellRange(ref)
    group = tail.ensure("dataValidations")
    for dv in list(group):
        if not isinstance(dv.tag, str):
            continue
        ranges = (dv.get("sqref") or "").split()
        if any(not target.isdisjoint(CellRange(r)) for r in ranges):
            group.remove(dv)
    dv = etree.SubElement(group, f"{{{MAIN}}}dataValidation", type="list", allowBlank="1",
                          showErrorMessage="1", errorTitle="Pilihan tidak dikenal",
                          error="Pilih dari daftar: " + "; ".join(values), sqref=ref)
    etree.SubElement(dv, f"{{{MAIN}}}formula1").text = formula or '"' + ",".join(values) + '"'
    group.set("count", str(sum(1 for el in group if isinstance(el.tag, str))))
