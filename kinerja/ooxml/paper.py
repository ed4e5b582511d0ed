"""A sheet's page header and footer brought up to date (workbook.description.PageSetup): the
office and period of this write, where the header is still the one the tool wrote (its centre
unchanged); a header the office wrote itself stays. The print titles and area are defined names
(workbook.Book.print_names); a new sheet's whole print settings are in newsheet.paper_xml."""

from __future__ import annotations

import re
from typing import Any
from xml.sax.saxutils import unescape

from lxml import etree

from kinerja.ooxml.opc import Package
from kinerja.ooxml.parts import MAIN
from kinerja.ooxml.tail import Tail
from kinerja.workbook.style import header_centre, header_text

_PART = {tag: re.compile(rf"<{tag}>([^<]*)</{tag}>|<{tag}\s*/>") for tag in ("oddHeader", "oddFooter")}


def _texts(xml: str) -> dict[str, str]:
    out = {}
    for tag, pattern in _PART.items():
        m = pattern.search(xml)
        out[tag] = unescape(m.group(1) or "") if m else ""
    return out


def _wanted(page: Any) -> dict[str, str]:
    return {"oddHeader": header_text(page.header), "oddFooter": header_text(page.footer)}


def _stays(now: dict[str, str], page: Any) -> bool:
    """Nothing to write: the pages already say this, or the office wrote its own header."""
    return now == _wanted(page) or header_centre(now["oddHeader"]) != page.header[1]


def pages_current(pkg: Package, part: str, page: Any) -> bool:
    """Whether a sheet part's header and footer need no change for `page`."""
    xml = pkg.read(part).decode("utf-8", "replace")
    at = xml.find("</sheetData>")
    return _stays(_texts(xml[at:] if at >= 0 else xml), page)


def set_pages(tail: Tail, page: Any) -> None:
    """The header and footer of a sheet being written, as `page` wants them (when still the tool's)."""
    if _stays(_texts(tail.text), page):
        return
    hf = tail.ensure("headerFooter")
    for tag, text in _wanted(page).items():
        el = hf.find(f"{{{MAIN}}}{tag}")
        if el is None:
            el = etree.Element(f"{{{MAIN}}}{tag}")
            hf.insert(0 if tag == "oddHeader" else len(hf.findall(f"{{{MAIN}}}oddHeader")), el)
        el.text = text or None
