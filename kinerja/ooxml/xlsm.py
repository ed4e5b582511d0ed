"""Turn an openpyxl-written .xlsx into the macro-enabled master workbook (.xlsm).

:func:`make_xlsm` adds to the package

* ``xl/vbaProject.bin`` (built by :func:`kinerja.ooxml.vbaproject.build_vba_project`
  from ``kinerja/workbook/addin/Kinerja.bas``), its relationship from
  ``xl/_rels/workbook.xml.rels`` and its content type, and switches the
  workbook part to the macro-enabled content type;
* ``customUI/customUI14.xml`` (the "Data Kinerja" ribbon tab, rendered from
  :data:`kinerja.workbook.ribbon.ACTIONS`) with its package relationship;
* ``codeName`` attributes on the workbook and on every worksheet, matching the
  document modules of the VBA project (``ThisWorkbook``, ``Sheet1``, ...).

The zip is written with fixed timestamps and a stable entry order, so the
same input gives byte-identical output.

openpyxl can reload the .xlsm with ``keep_vba=True`` and save it again: it
keeps ``xl/vbaProject.bin`` and copies the ``customUI/`` part, but it only
re-creates the package relationship of the Office 2007 ribbon type, so the
2010 (``customUI14``) ribbon would be silently lost. Call
:func:`restore_addin_parts` after such a save.
"""

from __future__ import annotations

import os
import posixpath
import re
import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path

from defusedxml import ElementTree as SafeET

from kinerja.ooxml.parts import ContentTypes, Rels, rels_name
from kinerja.ooxml.vbaproject import VbaProjectInfo, build_vba_project, read_vba_project
from kinerja.workbook.ribbon import ribbon_xml

__all__ = [
    "ADDIN_DIR",
    "CUSTOMUI_PART",
    "make_xlsm",
    "default_modules",
    "restore_addin_parts",
]

ADDIN_DIR = Path(__file__).resolve().parents[1] / "workbook" / "addin"  # package data: the wheel carries it

CUSTOMUI_PART = "customUI/customUI14.xml"
VBA_PART = "xl/vbaProject.bin"

_REL_OFFICE_DOCUMENT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
_REL_WORKSHEET = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
_REL_VBA = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"
_REL_UI_2010 = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"
_REL_UI_2007 = "http://schemas.microsoft.com/office/2006/relationships/ui/extensibility"
_UI_REL_TYPES = (_REL_UI_2010, _REL_UI_2007)
_CT_VBA = "application/vnd.ms-office.vbaProject"
_CT_MACRO_MAIN = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
_CT_PLAIN_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
_CT_XML = "application/xml"
_RELATIONSHIPS_NS_ATTR = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
_IDENT = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,30}$")


# ---------------------------------------------------------------------------
# Package (OPC) helpers
# ---------------------------------------------------------------------------


def _read_package(path: str | os.PathLike[str]) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {info.filename: zf.read(info) for info in zf.infolist() if not info.is_dir()}


def _write_package(parts: Mapping[str, bytes], out_path: Path) -> None:
    """Write a zip with fixed metadata; [Content_Types].xml first, then sorted."""
    names = sorted(parts, key=lambda n: (n != "[Content_Types].xml", n))
    tmp = out_path.with_name(out_path.name + ".tmp")
    with zipfile.ZipFile(tmp, "w") as zf:
        for name in names:
            info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            zf.writestr(info, parts[name], compresslevel=6)
    os.replace(tmp, out_path)


def _rels(parts: Mapping[str, bytes], source: str) -> Rels:
    """The relationships of ``source`` (a part name, '' for the package)."""
    return Rels(source, parts.get(rels_name(source)))


def _targets(rels: Rels, rel_type: str) -> list[str]:
    """The parts the internal relationships of ``rel_type`` point to."""
    return [part for el in rels if el.get("Type") == rel_type and (part := rels.target(el.get("Id", ""))) is not None]


def _put_rel(parts: dict[str, bytes], source: str, rel_type: str, target: str) -> None:
    """``source`` holds exactly one relationship of ``rel_type``, to the part ``target``."""
    rels = _rels(parts, source)
    rels.put(rel_type, target)
    if rels.changed:
        parts[rels.name] = rels.data()


def _types(parts: dict[str, bytes]) -> ContentTypes:
    return ContentTypes(parts[ContentTypes.NAME])


def _save_types(parts: dict[str, bytes], types: ContentTypes) -> None:
    if types.changed:
        parts[ContentTypes.NAME] = types.data()


def _workbook_part(parts: Mapping[str, bytes]) -> str:
    for part in _targets(_rels(parts, ""), _REL_OFFICE_DOCUMENT):
        return part
    raise ValueError("not a spreadsheet package: no officeDocument relationship")


# ---------------------------------------------------------------------------
# codeName handling (workbook.xml and worksheet parts)
# ---------------------------------------------------------------------------

_ATTR_CODENAME = re.compile(r'\scodeName\s*=\s*("([^"]*)"|\'([^\']*)\')')


def _start_tag(xml: str, local: str, start: int = 0) -> re.Match[str] | None:
    return re.compile(rf"<(?:([A-Za-z_][\w.-]*):)?{local}\b[^>]*?(/?)>").search(xml, start)


def _set_codename_attr(xml: str, tag: re.Match[str], code_name: str) -> str:
    text = tag.group(0)
    if _ATTR_CODENAME.search(text):
        new = _ATTR_CODENAME.sub(f' codeName="{code_name}"', text, count=1)
    else:
        end = -2 if text.endswith("/>") else -1
        new = text[:end].rstrip() + f' codeName="{code_name}"' + text[end:]
    return xml[: tag.start()] + new + xml[tag.end() :]


def _existing_codename(xml: str, local: str) -> str | None:
    tag = _start_tag(xml, local)
    if tag is None:
        return None
    m = _ATTR_CODENAME.search(tag.group(0))
    if not m:
        return None
    return m.group(2) if m.group(2) is not None else m.group(3)


def _with_codename(xml: str, pr_local: str, root_local: str, before: tuple[str, ...], code_name: str) -> str:
    """``xml`` with ``codeName`` on its ``pr_local`` element (``workbookPr``/``sheetPr``), the
    element added when absent: first in ``root_local``, after the ``before`` elements the
    schema puts ahead of it."""
    tag = _start_tag(xml, pr_local)
    if tag is not None:
        return _set_codename_attr(xml, tag, code_name)
    root = _start_tag(xml, root_local)
    if root is None:
        raise ValueError(f"{root_local} part has no <{root_local}> element")
    prefix = f"{root.group(1)}:" if root.group(1) else ""
    insert_at = root.end()
    for local in before:
        tag = _start_tag(xml, local, root.end())
        if tag is not None:
            if tag.group(2):
                insert_at = max(insert_at, tag.end())
            else:
                close = xml.find(f"</{prefix}{local}>", tag.end())
                insert_at = max(insert_at, close + len(f"</{prefix}{local}>"))
    return xml[:insert_at] + f'<{prefix}{pr_local} codeName="{code_name}"/>' + xml[insert_at:]


def _with_workbook_codename(xml: str, code_name: str) -> str:
    # CT_Workbook order: fileVersion, fileSharing, workbookPr, ...
    return _with_codename(xml, "workbookPr", "workbook", ("fileVersion", "fileSharing"), code_name)


def _with_sheet_codename(xml: str, code_name: str) -> str:
    return _with_codename(xml, "sheetPr", "worksheet", (), code_name)


def _worksheet_parts(parts: Mapping[str, bytes], workbook_part: str) -> list[str]:
    """Worksheet part names in workbook tab order."""
    rels = _rels(parts, workbook_part)
    root = SafeET.fromstring(parts[workbook_part])
    ns_main = root.tag.split("}")[0] + "}" if root.tag.startswith("{") else ""
    out = []
    sheets = root.find(f"{ns_main}sheets")
    for sheet in [] if sheets is None else list(sheets):
        rid = sheet.attrib.get(f"{{{_RELATIONSHIPS_NS_ATTR}}}id")
        el = rels.by_id.get(rid or "")
        part = rels.target(rid or "")
        if el is not None and el.get("Type") == _REL_WORKSHEET and part is not None:
            out.append(part)
    return out


def _assign_code_names(
    parts: dict[str, bytes], workbook_part: str, reserved: Iterable[str]
) -> list[str]:
    """Give the workbook and every worksheet a codeName; return the sheets' names."""
    parts[workbook_part] = _with_workbook_codename(parts[workbook_part].decode("utf-8"), "ThisWorkbook").encode(
        "utf-8"
    )
    used = {r.lower() for r in reserved} | {"thisworkbook"}
    sheet_parts = _worksheet_parts(parts, workbook_part)
    existing: dict[str, str] = {}
    for part in sheet_parts:
        name = _existing_codename(parts[part].decode("utf-8"), "sheetPr")
        if name and _IDENT.match(name) and name.lower() not in used and name.lower() not in existing.values():
            existing[part] = name.lower()
    names: list[str] = []
    taken = used | set(existing.values())
    n = 0
    for part in sheet_parts:
        xml = parts[part].decode("utf-8")
        name = _existing_codename(xml, "sheetPr") if part in existing else None
        if name is None:
            n += 1
            while f"sheet{n}" in taken:
                n += 1
            name = f"Sheet{n}"
            taken.add(name.lower())
        parts[part] = _with_sheet_codename(xml, name).encode("utf-8")
        names.append(name)
    return names


# ---------------------------------------------------------------------------
# Installing the add-in parts
# ---------------------------------------------------------------------------


def _install_vba(parts: dict[str, bytes], workbook_part: str, vba_bin: bytes) -> None:
    vba_part = posixpath.join(posixpath.dirname(workbook_part), "vbaProject.bin")
    parts[vba_part] = vba_bin
    _put_rel(parts, workbook_part, _REL_VBA, vba_part)
    types = _types(parts)
    types.override(vba_part, _CT_VBA)
    types.override(workbook_part, _CT_MACRO_MAIN)
    _save_types(parts, types)


def _install_customui(parts: dict[str, bytes], part: str, data: bytes, rel_type: str = _REL_UI_2010) -> None:
    parts[part] = data
    _put_rel(parts, "", rel_type, part)
    types = _types(parts)
    if part not in types.overrides and not types.has_default(posixpath.splitext(part)[1].lstrip(".").lower()):
        types.override(part, _CT_XML)
        _save_types(parts, types)


def default_modules(addin_dir: str | os.PathLike[str] | None = None) -> dict[str, str]:
    """The VBA modules of the master workbook, read from ``kinerja/workbook/addin/``: only the
    dispatcher; Python runs through the installed xlwings add-in."""
    folder = Path(addin_dir) if addin_dir is not None else ADDIN_DIR
    out = {}
    for name, filename in (("Kinerja", "Kinerja.bas"),):
        path = folder / filename
        if not path.is_file():
            raise FileNotFoundError(f"VBA module source not found: {path}")
        # VBA exports are written in the ANSI code page; keep CRLF as is.
        with open(path, encoding="cp1252", newline="") as fh:
            out[name] = fh.read()
    return out


def make_xlsm(
    xlsx_path: str | os.PathLike[str],
    out_path: str | os.PathLike[str],
    modules: dict[str, str] | None = None,
    customui_xml: str | None = None,
) -> Path:
    """Write ``out_path`` (.xlsm): ``xlsx_path`` plus VBA project and ribbon.

    ``modules`` defaults to :func:`default_modules`; ``customui_xml`` defaults
    to :func:`kinerja.workbook.ribbon.ribbon_xml`. Returns ``out_path``.
    """
    out = Path(out_path)
    if out.suffix.lower() != ".xlsm":
        raise ValueError(f"a macro-enabled workbook must be saved as .xlsm, not {out.name!r}")
    parts = _read_package(xlsx_path)
    if "[Content_Types].xml" not in parts:
        raise ValueError(f"{xlsx_path} is not an OOXML package")
    modules = default_modules() if modules is None else dict(modules)
    ui = ribbon_xml() if customui_xml is None else customui_xml
    SafeET.fromstring(ui.encode("utf-8"))  # must be well-formed

    workbook_part = _workbook_part(parts)
    sheet_names = _assign_code_names(parts, workbook_part, modules)
    vba_bin = build_vba_project(modules, sheet_code_names=sheet_names)
    _install_vba(parts, workbook_part, vba_bin)
    _install_customui(parts, CUSTOMUI_PART, ui.encode("utf-8"))
    _write_package(parts, out)
    return out


_CLASS_HEADER = "VERSION 1.0 CLASS\r\nBEGIN\r\n  MultiUse = -1  'True\r\nEND\r\n"


def _rebuild_sources(project: VbaProjectInfo) -> dict[str, str]:
    """Module sources of a read-back project, in a form build_vba_project accepts."""
    out = {}
    for name, module in project.modules.items():
        if name in project.classes:
            out[name] = _CLASS_HEADER + module.source
        else:
            out[name] = module.source
    return out


def restore_addin_parts(src_xlsm: str | os.PathLike[str], dst_xlsm: str | os.PathLike[str]) -> Path:
    """Re-insert the ribbon (and, if missing, the VBA project) of ``src_xlsm`` into ``dst_xlsm``.

    For use after openpyxl has re-saved ``dst_xlsm`` (loaded from ``src_xlsm``
    with ``keep_vba=True``): openpyxl drops the package relationship of the
    ``customUI14`` ribbon part. ``dst_xlsm`` is rewritten in place with the
    same fixed zip metadata as :func:`make_xlsm`.
    """
    src = _read_package(src_xlsm)
    dst_path = Path(dst_xlsm)
    dst = _read_package(dst_path)
    src_wb = _workbook_part(src)
    dst_wb = _workbook_part(dst)

    # Ribbon parts: every ui/extensibility relationship of the source package.
    src_package = _rels(src, "")
    for el in src_package:
        part = src_package.target(el.get("Id", ""))
        if el.get("Type") in _UI_REL_TYPES and part is not None:
            if part not in src:
                raise ValueError(f"{src_xlsm}: ribbon part {part} is missing")
            _install_customui(dst, part, src[part], el.get("Type"))

    # VBA project: only when openpyxl lost it (loaded without keep_vba).
    src_vba = next(iter(_targets(_rels(src, src_wb), _REL_VBA)), None)
    dst_has_vba = any(part in dst for part in _targets(_rels(dst, dst_wb), _REL_VBA))
    if src_vba and src_vba in src and not dst_has_vba:
        project = read_vba_project(src[src_vba])
        modules = _rebuild_sources(project)
        sheet_names = _assign_code_names(dst, dst_wb, [m for m in modules if m not in project.documents])
        documents = {"thisworkbook", *(n.lower() for n in sheet_names)}
        kept = {k: v for k, v in modules.items() if k.lower() in documents or k not in project.documents}
        vba_bin = build_vba_project(kept, project.name, sheet_code_names=sheet_names)
        _install_vba(dst, dst_wb, vba_bin)
    elif dst_has_vba:
        types = _types(dst)
        types.override(dst_wb, _CT_MACRO_MAIN)
        _save_types(dst, types)
    _write_package(dst, dst_path)
    return dst_path
