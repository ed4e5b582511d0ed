"""workbook.xml and its relationships: the sheets, the active tab, new sheets, defined names,
the calculation chain (dropped, as openpyxl does: Excel recalculates on opening)."""

from __future__ import annotations

import re
from typing import Any

from lxml import etree
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900

from kinerja.ooxml.opc import Package
from kinerja.ooxml.parts import MAIN, REL, Unsupported, local, parse_xml, serialize, target_part
from kinerja.ooxml.styles import Styles

WORKSHEET_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
WORKSHEET_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
_WORKBOOK_ORDER = ("fileVersion", "fileSharing", "workbookPr", "workbookProtection", "bookViews", "sheets",
                   "functionGroups", "externalReferences", "definedNames", "calcPr", "oleSize",
                   "customWorkbookViews", "pivotCaches", "smartTagPr", "smartTagTypes", "webPublishing",
                   "fileRecoveryPr", "webPublishObjects", "extLst")


def place(parent: Any, el: Any, order: tuple[str, ...]) -> None:
    """Put `el` among `parent`'s children where the schema's sequence `order` wants it (an
    mc:AlternateContent counts as the element it holds; unknown elements are left in place)."""
    if el.getparent() is parent:
        parent.remove(el)
    rank = order.index(local(el))
    for i, child in enumerate(parent):
        name = local(child)
        if name == "AlternateContent":
            inner = next((c for c in child.iter() if c is not child and local(c) in order), None)
            name = local(inner) if inner is not None else ""
        if name in order and order.index(name) > rank:
            parent.insert(i, el)
            return
    parent.append(el)


class Book:
    """workbook.xml, its relationships and the styles: read once, written when changed."""

    def __init__(self, pkg: Package) -> None:
        self.pkg = pkg
        self.wb_path = self._office_document()
        self.wb = parse_xml(pkg.read(self.wb_path))
        if self.wb.tag != f"{{{MAIN}}}workbook":
            raise Unsupported("not a SpreadsheetML workbook")
        self.rels = pkg.rels(self.wb_path)
        self.parts: dict[str, str] = {}  # sheet name -> part
        self.order: list[str] = []
        for sheet in self._sheets():
            rid = sheet.get(f"{{{REL}}}id", "")
            target = self.rels.target(rid)
            if target and self.rels.kind(rid) == "worksheet" and pkg.exists(target):
                self.parts[sheet.get("name")] = target
            self.order.append(sheet.get("name"))
        self.worksheets = set(self.parts.values())
        styles = next((t for _, t in self.rels.of_type("styles")), None)
        if styles is None or not pkg.exists(styles):
            raise Unsupported("no styles part")
        self.styles = Styles(parse_xml(pkg.read(styles)), styles)
        pr = self.wb.find(f"{{{MAIN}}}workbookPr")
        mac = pr is not None and pr.get("date1904") in ("1", "true")
        self.epoch = CALENDAR_MAC_1904 if mac else CALENDAR_WINDOWS_1900
        for rid, chain in self.rels.of_type("calcChain"):
            self.rels.remove(rid)
            pkg.drop(chain)
        self.selected_part: str | None = None
        self.new_parts: set[str] = set()
        self.list_formulas: dict[tuple[str, ...], str] = {}  # dropdown items -> their range

    def _office_document(self) -> str:
        root = parse_xml(self.pkg.read("_rels/.rels"))
        for rel in root:
            if rel.get("Type", "").endswith("/officeDocument"):
                path = target_part("", rel.get("Target", ""))
                if self.pkg.exists(path):
                    return path
        raise Unsupported("no workbook part")

    def _sheets(self) -> list[Any]:
        return list(self.wb.iter(f"{{{MAIN}}}sheet"))

    def select(self, name: str) -> None:
        view = self.wb.find(f"{{{MAIN}}}bookViews/{{{MAIN}}}workbookView")
        if view is None:
            views = self.wb.find(f"{{{MAIN}}}bookViews")
            if views is None:
                views = etree.SubElement(self.wb, f"{{{MAIN}}}bookViews")
                place(self.wb, views, _WORKBOOK_ORDER)
            view = etree.SubElement(views, f"{{{MAIN}}}workbookView")
        view.set("activeTab", str(self.order.index(name)))
        if int(view.get("firstSheet") or 0) > self.order.index(name):
            view.set("firstSheet", str(self.order.index(name)))
        self.selected_part = self.parts[name]

    def add_sheet(self, name: str, xml: bytes, hidden: bool = False) -> str:
        """A new worksheet at the end: its part, relationship, content type, <sheet> entry and
        the document properties' list of sheet titles."""
        part = self.pkg.free("xl/worksheets/sheet{}.xml")
        self.pkg.put(part, xml)
        self.pkg.types.override(part, WORKSHEET_CT)
        rid = self.rels.add(WORKSHEET_TYPE, part)
        sheets = self.wb.find(f"{{{MAIN}}}sheets")
        ids = [int(s.get("sheetId", "0")) for s in self._sheets()]
        el = etree.SubElement(sheets, f"{{{MAIN}}}sheet", name=name, sheetId=str(max(ids, default=0) + 1))
        if hidden:
            el.set("state", "hidden")
        el.set(f"{{{REL}}}id", rid)
        self.parts[name] = part
        self.order.append(name)
        self.worksheets.add(part)
        self.new_parts.add(part)
        _add_title(self.pkg, name)
        return part

    def define_name(self, name: str, sheet: str, value: str, hidden: bool = False) -> None:
        """A sheet-scoped defined name (e.g. _xlnm.Print_Titles), replacing one of that name."""
        names = self.wb.find(f"{{{MAIN}}}definedNames")
        if names is None:
            names = etree.SubElement(self.wb, f"{{{MAIN}}}definedNames")
            place(self.wb, names, _WORKBOOK_ORDER)
        index = str(self.order.index(sheet))
        for el in list(names):
            if el.get("name") == name and el.get("localSheetId") == index:
                names.remove(el)
        el = etree.SubElement(names, f"{{{MAIN}}}definedName", name=name, localSheetId=index)
        if hidden:
            el.set("hidden", "1")
        el.text = value

    def print_names(self, sheet: str, page: Any, created: bool) -> None:
        """A sheet's print titles (a sheet being created) and print area as defined names, as
        openpyxl writes them (workbook.description.PageSetup)."""
        quoted = "'" + sheet.replace("'", "''") + "'"
        if created and (page.title_rows or page.title_columns):
            parts = []
            if page.title_columns:
                parts.append("{q}!${}:${}".format(*page.title_columns, q=quoted))
            if page.title_rows:
                parts.append("{q}!${}:${}".format(*page.title_rows, q=quoted))
            self.define_name("_xlnm.Print_Titles", sheet, ",".join(parts))
        if page.area:
            first, _, last = page.area.partition(":")
            absolute = re.sub(r"([A-Z]+)(\d+)", r"$\1$\2", first) + (
                ":" + re.sub(r"([A-Z]+)(\d+)", r"$\1$\2", last) if last else "")
            self.define_name("_xlnm.Print_Area", sheet, f"{quoted}!{absolute}")

    def remove_name(self, name: str, sheet: str) -> None:
        """A sheet-scoped defined name gone (the whole list, when it was the last)."""
        names = self.wb.find(f"{{{MAIN}}}definedNames")
        if names is None:
            return
        index = str(self.order.index(sheet))
        for el in list(names):
            if el.get("name") == name and el.get("localSheetId") == index:
                names.remove(el)
        if len(names) == 0:
            self.wb.remove(names)

    def finish(self) -> None:
        """workbook.xml and styles.xml into the package."""
        calc = self.wb.find(f"{{{MAIN}}}calcPr")
        if calc is None:  # as openpyxl: Excel recalculates every formula when the file opens
            calc = etree.SubElement(self.wb, f"{{{MAIN}}}calcPr")
            place(self.wb, calc, _WORKBOOK_ORDER)
        calc.set("fullCalcOnLoad", "1")
        self.pkg.put(self.wb_path, serialize(self.wb))
        if self.styles.changed:
            self.pkg.put(self.styles.path, self.styles.serialize())


def _add_title(pkg: Package, name: str) -> None:
    """docProps/app.xml lists the sheet titles (TitlesOfParts) counted in HeadingPairs: a new
    sheet is added there, so Excel's document properties stay consistent."""
    app = next((t for _, t in pkg.rels("").of_type("extended-properties")), "docProps/app.xml")
    if not pkg.exists(app):
        return
    text = pkg.read(app).decode("utf-8")
    titles = re.search(r"(<(\w+:)?TitlesOfParts>\s*<(\w+:)?vector\b[^>]*?size=\")(\d+)(\"[^>]*>)(.*?)(</(\w+:)?vector>)",
                       text, re.S)
    pairs = re.search(r"(<(\w+:)?lpstr>(Worksheets|Lembar Kerja)</(\w+:)?lpstr>\s*</(\w+:)?variant>\s*<(\w+:)?variant>"
                      r"\s*<(\w+:)?i4>)(\d+)(</)", text, re.S)
    if titles is None or pairs is None:
        return
    vt = titles.group(3) or ""
    count = int(pairs.group(8))
    items = re.findall(rf"<{vt}lpstr>.*?</{vt}lpstr>", titles.group(6), re.S)
    item = f"<{vt}lpstr>{_escape(name)}</{vt}lpstr>"
    items.insert(min(count, len(items)), item)  # the sheets come first, then named ranges
    new_titles = titles.group(1) + str(len(items)) + titles.group(5) + "".join(items) + titles.group(7)
    text = text[:titles.start()] + new_titles + text[titles.end():]
    moved = re.search(pairs.re.pattern, text, re.S)
    assert moved is not None  # the same text, one title longer
    text = text[:moved.start(8)] + str(count + 1) + text[moved.end(8):]
    pkg.put(app, text.encode("utf-8"))


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
