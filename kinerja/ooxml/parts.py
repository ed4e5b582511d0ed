"""Package parts: namespaces, safe XML parsing, part names, relationships and content types."""

from __future__ import annotations

import posixpath
from typing import Any

from lxml import etree

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CONTENT_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"


class Unsupported(Exception):
    """The package cannot be patched safely (its parts are not as the specification writes them)."""


def parse_xml(data: bytes) -> Any:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False,
                             remove_blank_text=False)
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as e:
        raise Unsupported(f"unreadable XML ({e})") from None


XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'  # as Excel writes it


def serialize(root: Any) -> bytes:
    return XML_DECLARATION + etree.tostring(root, encoding="UTF-8")


def local(el: Any) -> str:
    """The local name of an element ('' for comments and processing instructions)."""
    return el.tag.rsplit("}", 1)[-1] if isinstance(el.tag, str) else ""


def resolve(folder: str, target: str) -> str:
    """A relationship target read from `folder` ('xl/' or '' for the package root) as a part name:
    the one resolver of the package code (absolute targets, '..' and '.' segments)."""
    if target.startswith("/"):
        return target[1:]
    parts: list[str] = []
    for p in (folder + target).split("/"):
        if p == "..":
            if parts:
                parts.pop()
        elif p and p != ".":
            parts.append(p)
    return "/".join(parts)


def target_part(source: str, target: str) -> str:
    """The part a relationship of `source` (a part name, '' for the package) points to."""
    return resolve(source.rpartition("/")[0] + "/" if "/" in source else "", target)


def rels_name(part: str) -> str:
    """The relationships part of `part`: xl/worksheets/sheet1.xml -> xl/worksheets/_rels/sheet1.xml.rels."""
    folder, _, name = part.rpartition("/")
    return f"{folder}/_rels/{name}.rels" if folder else f"_rels/{name}.rels"


def relative(source: str, target: str) -> str:
    """`target` as a relationship target written from `source`'s folder."""
    return posixpath.relpath(target, posixpath.dirname(source) or ".")


class Rels:
    """One relationships part: read, changed, written back only when changed."""

    def __init__(self, source: str, data: bytes | None) -> None:
        self.source, self.name = source, rels_name(source)
        self.root = parse_xml(data) if data else etree.fromstring(f'<Relationships xmlns="{PKG_REL}"/>')
        self.changed = False
        self.folder = source.rpartition("/")[0] + "/" if "/" in source else ""
        self.by_id: dict[str, Any] = {el.get("Id", ""): el for el in self.root if local(el) == "Relationship"}

    def __iter__(self):
        return iter(list(self.by_id.values()))

    def target(self, rid: str) -> str | None:
        """The part a relationship points to (None when absent or external)."""
        el = self.by_id.get(rid)
        if el is None or el.get("TargetMode") == "External":
            return None
        return resolve(self.folder, el.get("Target", ""))

    def kind(self, rid: str) -> str:
        """The last segment of a relationship's type ('' when absent)."""
        el = self.by_id.get(rid)
        return el.get("Type", "").rsplit("/", 1)[-1] if el is not None else ""

    def of_type(self, kind: str) -> list[tuple[str, str]]:
        """(id, part) of the internal relationships whose type ends with '/kind'."""
        return [(rid, resolve(self.folder, el.get("Target", ""))) for rid, el in self.by_id.items()
                if el.get("Type", "").endswith("/" + kind) and el.get("TargetMode") != "External"]

    def add(self, rel_type: str, target: str, external: bool = False) -> str:
        """A new relationship; `target` is a part name (made relative) or, external, a URL."""
        n = len(self.by_id) + 1
        while f"rId{n}" in self.by_id:
            n += 1
        el = etree.SubElement(self.root, f"{{{PKG_REL}}}Relationship", Id=f"rId{n}", Type=rel_type,
                              Target=target if external else relative(self.source, target))
        if external:
            el.set("TargetMode", "External")
        self.by_id[f"rId{n}"] = el
        self.changed = True
        return f"rId{n}"

    def put(self, rel_type: str, target: str) -> None:
        """Exactly one relationship of `rel_type`, to the part `target`: the first one kept and
        pointed there, any others removed, a new one added when there is none."""
        same = [rid for rid, el in self.by_id.items() if el.get("Type") == rel_type]
        if not same:
            self.add(rel_type, target)
            return
        el, written = self.by_id[same[0]], relative(self.source, target)
        if el.get("Target") != written or el.get("TargetMode") == "External":
            el.set("Target", written)
            el.attrib.pop("TargetMode", None)
            self.changed = True
        for rid in same[1:]:
            self.remove(rid)

    def remove(self, rid: str) -> None:
        el = self.by_id.pop(rid, None)
        if el is not None:
            self.root.remove(el)
            self.changed = True

    def data(self) -> bytes:
        return serialize(self.root)


class ContentTypes:
    """[Content_Types].xml: overrides per part, defaults per extension."""

    NAME = "[Content_Types].xml"

    def __init__(self, data: bytes) -> None:
        self.root, self.changed = parse_xml(data), False
        self.overrides = {el.get("PartName", "").lstrip("/"): el for el in self.root if local(el) == "Override"}

    def override(self, part: str, content_type: str) -> None:
        el = self.overrides.get(part)
        if el is not None:
            if el.get("ContentType") != content_type:
                el.set("ContentType", content_type)
                self.changed = True
            return
        self.overrides[part] = etree.SubElement(self.root, f"{{{CONTENT_TYPES}}}Override", PartName="/" + part,
                                                ContentType=content_type)
        self.changed = True

    def has_default(self, extension: str) -> bool:
        """A Default for `extension` (lower case) is there."""
        return any(local(el) == "Default" and el.get("Extension", "").lower() == extension for el in self.root)

    def default(self, extension: str, content_type: str) -> None:
        if self.has_default(extension):
            return
        el = etree.Element(f"{{{CONTENT_TYPES}}}Default", Extension=extension, ContentType=content_type)
        self.root.insert(0, el)
        self.changed = True

    def remove(self, part: str) -> None:
        el = self.overrides.pop(part, None)
        if el is not None:
            self.root.remove(el)
            self.changed = True

    def data(self) -> bytes:
        return serialize(self.root)
