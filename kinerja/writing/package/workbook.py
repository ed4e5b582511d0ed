"""workbook.xml, its relationships and the styles: read once, written when changed."""

from __future__ import annotations

import zipfile
from typing import Any

from lxml import etree

from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900

from kinerja.writing.package.parts import MAIN, REL, Unsupported, parse_xml, resolve, serialize
from kinerja.writing.package.styles import Styles


class Book:
    """workbook.xml, its relationships and the styles: read once, written when changed."""

    def __init__(self, zin: zipfile.ZipFile) -> None:
        self.zin = zin
        names = set(zin.namelist())
        if any(i.flag_bits & 0x1 for i in zin.infolist()):
            raise Unsupported("encrypted package")
        wb_path = self._office_document(names)
        self.wb_path = wb_path
        folder = wb_path.rsplit("/", 1)[0] + "/" if "/" in wb_path else ""
        rels_path = f"{folder}_rels/{wb_path.rsplit('/', 1)[-1]}.rels"
        self.wb = parse_xml(zin.read(wb_path))
        if self.wb.tag != f"{{{MAIN}}}workbook":
            raise Unsupported("not a SpreadsheetML workbook")
        self.rels_path, self.rels = rels_path, parse_xml(zin.read(rels_path))
        targets: dict[str, tuple[str, str]] = {}
        for rel in self.rels:
            targets[rel.get("Id")] = (rel.get("Type", "").rsplit("/", 1)[-1], resolve(folder, rel.get("Target", "")))
        self.parts: dict[str, str] = {}  # sheet name -> part
        self.order: list[str] = []
        for sheet in self.wb.iter(f"{{{MAIN}}}sheet"):
            kind, target = targets.get(sheet.get(f"{{{REL}}}id"), ("", ""))
            if kind == "worksheet" and target in names:
                self.parts[sheet.get("name")] = target
            self.order.append(sheet.get("name"))
        self.worksheets = set(self.parts.values())
        styles = next((t for k, t in targets.values() if k == "styles"), None)
        if styles is None or styles not in names:
            raise Unsupported("no styles part")
        self.styles = Styles(parse_xml(zin.read(styles)), styles)
        pr = self.wb.find(f"{{{MAIN}}}workbookPr")
        mac = pr is not None and pr.get("date1904") in ("1", "true")
        self.epoch = CALENDAR_MAC_1904 if mac else CALENDAR_WINDOWS_1900
        self.calc_chain = next((t for k, t in targets.values() if k == "calcChain"), None)
        self.dropped = {self.calc_chain} if self.calc_chain in names else set()
        self.selected_part: str | None = None
        self.rewritten = {wb_path, styles, rels_path, "[Content_Types].xml"}

    def _office_document(self, names: set[str]) -> str:
        root = parse_xml(self.zin.read("_rels/.rels"))
        for rel in root:
            if rel.get("Type", "").endswith("/officeDocument"):
                path = rel.get("Target", "").lstrip("/")
                if path in names:
                    return path
        raise Unsupported("no workbook part")

    def select(self, name: str) -> None:
        view = self.wb.find(f"{{{MAIN}}}bookViews/{{{MAIN}}}workbookView")
        if view is None:
            raise Unsupported("no workbook view")
        view.set("activeTab", str(self.order.index(name)))
        self.selected_part = self.parts[name]

    def finish(self) -> dict[str, bytes]:
        """The changed package parts (and the unchanged ones this writer re-emits)."""
        out: dict[str, bytes] = {}
        calc = self.wb.find(f"{{{MAIN}}}calcPr")
        if calc is None:  # as openpyxl: Excel recalculates every formula when the file opens
            calc = etree.SubElement(self.wb, f"{{{MAIN}}}calcPr")
            _place_calc_pr(self.wb, calc)
        calc.set("fullCalcOnLoad", "1")
        out[self.wb_path] = serialize(self.wb)
        out[self.styles.path] = self.styles.serialize() if self.styles.changed else self.zin.read(self.styles.path)
        if self.dropped:
            for rel in list(self.rels):
                if self.calc_chain and rel.get("Type", "").endswith("/calcChain"):
                    self.rels.remove(rel)
            types = parse_xml(self.zin.read("[Content_Types].xml"))
            for el in list(types):
                if el.get("PartName", "").lstrip("/") in self.dropped:
                    types.remove(el)
            out["[Content_Types].xml"] = serialize(types)
            out[self.rels_path] = serialize(self.rels)
        else:
            out["[Content_Types].xml"] = self.zin.read("[Content_Types].xml")
            out[self.rels_path] = self.zin.read(self.rels_path)
        return out


def _place_calc_pr(wb: Any, calc: Any) -> None:
    """calcPr comes after definedNames (schema order) and before oleSize/customWorkbookViews/..."""
    later = {"oleSize", "customWorkbookViews", "pivotCaches", "smartTagPr", "smartTagTypes",
             "webPublishing", "fileRecoveryPr", "webPublishObjects", "extLst"}
    wb.remove(calc)
    for i, el in enumerate(wb):
        if isinstance(el.tag, str) and el.tag.rsplit("}", 1)[-1] in later:
            wb.insert(i, calc)
            return
    wb.append(calc)

