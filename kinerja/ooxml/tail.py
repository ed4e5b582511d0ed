"""The elements of a worksheet after its rows (protection, merged cells, validations, hyperlinks,
page setup, drawings, controls, extLst, ...): parsed only when one of them changes, kept in the
order the schema wants; everything else in them, mc:AlternateContent and extLst included, as it was."""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

from kinerja.ooxml.parts import MAIN, Unsupported
from kinerja.ooxml.workbook import place

ORDER = ("sheetCalcPr", "sheetProtection", "protectedRanges", "scenarios", "autoFilter", "sortState",
         "dataConsolidate", "customSheetViews", "mergeCells", "phoneticPr", "conditionalFormatting",
         "dataValidations", "hyperlinks", "printOptions", "pageMargins", "pageSetup", "headerFooter",
         "rowBreaks", "colBreaks", "customProperties", "cellWatches", "ignoredErrors", "smartTags", "drawing",
         "legacyDrawing", "legacyDrawingHF", "drawingHF", "picture", "oleObjects", "controls",
         "webPublishItems", "tableParts", "extLst")
_ROOT = re.compile(r"<worksheet\b[^>]*>")
CLOSE = "</sheetData>"


class Tail:
    def __init__(self, head: str, text: str) -> None:
        self.text = text
        m = _ROOT.search(head)
        if m is None or not text.startswith(CLOSE):
            raise Unsupported("worksheet without a plain <worksheet> root")
        self.start = m.group(0)
        self._root: Any = None

    @property
    def root(self) -> Any:
        if self._root is None:
            from kinerja.ooxml.parts import parse_xml

            self._root = parse_xml((self.start + self.text[len(CLOSE):]).encode("utf-8"))
        return self._root

    def has(self, name: str) -> bool:
        if self._root is None:
            return f"<{name}" in self.text and re.search(rf"<{name}[\s/>]", self.text) is not None
        return self.find(name) is not None

    def find(self, name: str) -> Any:
        return self.root.find(f"{{{MAIN}}}{name}")

    def ensure(self, name: str) -> Any:
        el = self.find(name)
        if el is None:
            el = etree.SubElement(self.root, f"{{{MAIN}}}{name}")
            place(self.root, el, ORDER)
        return el

    def remove(self, name: str) -> None:
        el = self.find(name)
        if el is not None:
            self.root.remove(el)

    def xml(self) -> str:
        if self._root is None:
            return self.text
        if len(self._root) == 0 and not (self._root.text or "").strip():
            return CLOSE + "</worksheet>"
        text = etree.tostring(self._root, encoding="unicode")
        return CLOSE + text[text.index(">") + 1:text.rindex("</")] + "</worksheet>"
