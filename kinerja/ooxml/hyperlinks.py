"""Hyperlinks of a sheet: internal ones by location, external ones through a relationship."""

from __future__ import annotations

import re

from lxml import etree

from kinerja.ooxml.parts import MAIN, REL, Rels
from kinerja.ooxml.tail import Tail
from kinerja.workbook.description import Link

HYPERLINK_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"
_ROW = re.compile(r"[A-Za-z]+\$?(\d+)")


def set_links(tail: Tail, rels: Rels, links: dict[str, Link], drop_from: int | None) -> None:
    """Links written into cells replace those cells' links; with `drop_from`, the links of rows
    from there on go (their rows were replaced)."""
    group = tail.find("hyperlinks")
    if group is None and not links:
        return
    group = tail.ensure("hyperlinks")
    rid_attr = f"{{{REL}}}id"
    for el in list(group):
        if not isinstance(el.tag, str):
            continue
        ref = (el.get("ref") or "").split(":")[0].replace("$", "")
        m = _ROW.fullmatch(ref)
        row = int(m.group(1)) if m else 0
        if ref in links or (drop_from is not None and row >= drop_from):
            group.remove(el)
            if el.get(rid_attr):
                rels.remove(el.get(rid_attr))
    for ref, link in links.items():
        el = etree.SubElement(group, f"{{{MAIN}}}hyperlink", ref=ref)
        if link.target.startswith("#"):
            el.set("location", link.target[1:])
            el.set("display", link.text)
        else:
            el.set(rid_attr, rels.add(HYPERLINK_TYPE, link.target, external=True))
    if len(group) == 0:
        tail.remove("hyperlinks")
