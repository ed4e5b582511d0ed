"""Reading one returned form, safely and fast, and the values its unit typed.

Order of checks, cheapest and safest first: Excel lock file, empty file, size limit, the file's
magic bytes (zip or OLE compound file), the zip's declared uncompressed size and compression
ratio (zip bombs are refused before any parser sees them), OLE encryption streams, then values
via python-calamine. The form is recognised by its identity (the custom document properties,
a small part; else the very hidden sheet `_kinerja`, read only then or when a moved row needs
the original rows), never by its file name. The data table is found by its header names on any
sheet (the form sheet may be renamed). The zip's members are found from its central directory
(`kinerja.ooxml.reading.UntrustedPackage`), read once into memory.

calamine reads a cached formula error (#DIV/0!, #REF!) as an empty cell: the XML of the sheet
holding the table is searched once for an error cell, and only when one exists does
`ReturnFile.error_at` read that sheet's XML again for the error behind an empty input.
A sheet is handed to calamine only with its far cells cut (kinerja.workbook.bounded: one value in
XFD1048576 would otherwise ask for the whole sheet's memory); they are reported (`cell-far`).
XML this module parses itself (docProps/core.xml, docProps/custom.xml, meta.xml) goes through
defusedxml (entity tricks are refused, not followed), except the plain custom.xml Excel and
LibreOffice write, read by one pattern (`custom_properties`).

`read_values` then takes the unit's input cells: numbers as typed ("1.234,5", "85%"), text,
every problem an issue at its cell. This module does not import openpyxl (quick to start).
"""

from __future__ import annotations

import difflib
import errno
import hashlib
import html
import io
import os
import posixpath
import re
import stat
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from kinerja.domain.models import METHOD_LABELS, POLARITY_LABELS, Indicator, Period
from kinerja.domain.numbers import format_number, looks_like_formula, parse_number
from kinerja.issues.catalogue import Issue, Report, make_issue
from kinerja.issues.explain import explain, shown
from kinerja.ooxml.reading import UntrustedPackage, sheet_parts
from kinerja.workbook import bounded
from kinerja.workbook.formspec import (
    COLUMNS,
    FORM_SHEET,
    HEADER_ROW,
    HEADERS,
    ID_MARKER,
    ID_SHEET,
    ORIGINAL_HEADERS,
    PROP_PREFIX,
    REALISASI_KEYS,
    TEXT_INPUT_KEYS,
    FormIdentity,
    input_keys,
)
from kinerja.workbook.tables import column_letter, norm

OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xltx", ".xltm", ".xlsb", ".xls", ".ods"}
MB = 1024 * 1024
HEADER_SEARCH_ROWS = 60
KIND_LABELS = {"xls": "Excel 97-2003 (.xls)", "ods": "OpenDocument (.ods)", "xlsb": "Excel Biner (.xlsb)"}
_IDENTITY_FIELDS = set(FormIdentity.model_fields)
_HEADER_KEYS = {norm(text): key for key, text in COLUMNS}


@dataclass(frozen=True)
class Limits:
    """Safety limits checked before a file is parsed. Forms are ~30 KB; these are generous."""

    max_bytes: int = 20 * MB  # the file itself
    max_unzipped: int = 200 * MB  # sum of the zip members' declared sizes
    max_ratio: float = 100.0  # uncompressed / compressed, per member ...
    ratio_floor: int = 2 * MB  # ... checked for members larger than this when unzipped
    max_members: int = 5000
    bounds: bounded.Bounds = bounded.FORM_BOUNDS  # where a sheet's table may lie (far cells are cut)


@dataclass
class FormTable:
    sheet: str
    header_row: int  # 1-based
    columns: dict[str, int]  # formspec key -> 0-based column
    rows: list[list[Any]]  # the sheet's values from A1


@dataclass
class ReturnFile:
    path: Path
    name: str  # path relative to the inbox, with '/'
    size: int = 0
    mtime: datetime | None = None
    sha256: str = ""
    kind: str = ""  # xlsx, xlsm, xlsb, ods, xls
    identity: FormIdentity | None = None
    table: FormTable | None = None
    issues: list[Issue] = field(default_factory=list)
    fatal: bool = False  # refused at file level (not a readable form)
    skipped: bool = False  # not a return at all (Excel lock file)
    _modified: datetime | None | bool = False
    _tail: list[list[Any]] | None = None  # hidden sheet rows after the identity (None: not read yet)
    _errors: dict[tuple[int, int], str] | None = None

    def issue(self, code: str, fatal: bool = False, **params: Any) -> Issue:
        issue = make_issue(code, file=self.name, **params)
        self.issues.append(issue)
        self.fatal |= fatal
        return issue

    def error_at(self, row: int, col: int) -> str | None:
        """The cached formula error ('#DIV/0!') of a form-sheet cell calamine read as empty.

        Only .xlsx/.xlsm, and only looked up when asked (the XML of a sheet holding an error
        cell is read once more)."""
        if self._errors is None:
            self._errors = {}
            if self.kind in ("xlsx", "xlsm") and self.table is not None:
                self._errors = _error_cells(self.path, self.table.sheet)
        return self._errors.get((row, col))

    def original(self, code: str) -> dict[str, Any]:
        """The indicator row as handed out (hidden sheet, ORIGINAL_HEADERS), or {}. The hidden
        sheet is read only now when the identity came from the document properties."""
        if self._tail is None:
            self._tail = _hidden_tail(self.path)
        tail = [r for r in self._tail if r and r[0] not in (None, "")]
        if tail and tuple(tail[0][:len(ORIGINAL_HEADERS)]) == ORIGINAL_HEADERS:
            for r in tail[1:]:
                if _text(r[0]) == code:
                    return dict(zip(ORIGINAL_HEADERS, r))
        return {}

    def release(self) -> None:
        """Let go of the sheet rows once the values are taken (error_at still works)."""
        if self.table is not None:
            self.table.rows = []
        self._tail = []

    def modified(self) -> datetime | None:
        """When the unit last saved the form, from the file's own metadata (UTC, naive)."""
        if self._modified is False:
            self._modified = _saved_time(self.path, self.kind)
        return self._modified  # type: ignore[return-value]


def read_identity(path: Path) -> FormIdentity | None:
    """A form's identity (hidden sheet, else custom document properties), or None when the
    file is not a readable form. Never raises."""
    path = Path(path)
    return read_return(path, path.parent).identity


def file_label(path: Path, inbox: Path) -> str:
    """A file's name as logged and shown: relative to the inbox with '/', a byte that is not
    UTF-8 (a name from a flash drive) written as '\\xe9', control characters escaped."""
    try:
        name = path.relative_to(inbox).as_posix()
    except ValueError:
        name = path.name
    return shown(name)


def not_regular(path: Path) -> str:
    """'' for a regular file; else what it is ('tautan (symlink)', 'pipa bernama (FIFO)', ...),
    looked at without following a link."""
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return ""
    return _kind(mode)


def _kind(mode: int) -> str:
    if stat.S_ISREG(mode):
        return ""
    if stat.S_ISLNK(mode):
        return "tautan (symlink)"
    if stat.S_ISFIFO(mode):
        return "pipa bernama (FIFO)"
    if stat.S_ISDIR(mode):
        return "folder"
    if stat.S_ISSOCK(mode):
        return "soket"
    return "perangkat"


class NotRegular(OSError):
    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


def open_regular(path: Path) -> Any:
    """A regular file opened for reading, never through a link (O_NOFOLLOW) and never
    waiting on a FIFO (O_NONBLOCK); NotRegular otherwise."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    kind = not_regular(path)
    if kind:
        raise NotRegular(kind)
    try:
        fd = os.open(path, flags)
    except OSError as e:
        if e.errno == errno.ELOOP:  # O_NOFOLLOW met a link made since the lstat
            raise NotRegular("tautan (symlink)") from None
        raise
    kind = _kind(os.fstat(fd).st_mode)
    if kind:
        os.close(fd)
        raise NotRegular(kind)
    return os.fdopen(fd, "rb")


def read_return(path: Path, inbox: Path, limits: Limits = Limits()) -> ReturnFile:
    """Read one file from the inbox. Never raises: every problem is an issue on the result."""
    path = Path(path)
    rf = ReturnFile(path=path, name=file_label(path, inbox))
    if path.name.startswith("~$"):
        rf.skipped = True
        rf.issue("file-lock")
        return rf
    try:
        with open_regular(path) as f:
            st = os.fstat(f.fileno())
            rf.size, rf.mtime = st.st_size, datetime.fromtimestamp(st.st_mtime)
            if rf.size == 0:
                rf.sha256 = hashlib.sha256(b"").hexdigest()
                rf.issue("file-empty", fatal=True)
                return rf
            if rf.size > limits.max_bytes:
                rf.issue("file-too-large", fatal=True, size=_size(rf.size), limit=_size(limits.max_bytes))
                return rf
            data = f.read(limits.max_bytes + 1)
    except NotRegular as e:
        rf.skipped = True
        rf.issue("file-link", kind=e.kind)
        return rf
    except OSError as e:
        rf.issue("file-corrupt", fatal=True, detail=f"tidak dapat dibaca ({explain(e)})")
        return rf
    rf.sha256 = hashlib.sha256(data).hexdigest()
    try:
        _read(rf, data, limits)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as e:  # noqa: BLE001 - a Rust panic in a parser is a BaseException
        rf.issue("file-corrupt", fatal=True, detail=_detail(e))
    return rf


def _read(rf: ReturnFile, data: bytes, limits: Limits) -> None:
    suffix = rf.path.suffix.lower()
    pkg: UntrustedPackage | None = None
    if data[:2] == b"PK":
        pkg = _check_zip(rf, data, limits, suffix)
        if pkg is None:
            return
    elif data[:8] == OLE_MAGIC:
        if not _check_ole(rf, data):
            return
    else:
        if suffix in SPREADSHEET_SUFFIXES:
            rf.issue("file-corrupt", fatal=True, detail="isinya bukan workbook Excel atau ODS")
        else:
            rf.issue("file-not-form", fatal=True)
        return
    if rf.kind == "xlsm":
        rf.issue("file-macro")
    wb = _open_book(rf, data, pkg, limits)
    if wb is None:
        return
    # the properties first: a small part, where the hidden sheet is as large as the form's rows
    rf.identity = _identity_from_properties(pkg, rf.kind) or _identity_from_sheet(wb, rf)
    if rf.identity is None:
        if rf.kind == "xls":
            rf.issue("file-old-format", fatal=True, severity="error", format=KIND_LABELS["xls"],
                     detail="identitas formulir (sheet tersembunyi _kinerja) tidak ada, sehingga unit "
                            "dan periodenya tidak dapat dipastikan; file tidak dipakai. Minta unit "
                            "mengisi formulir .xlsx asli yang dibagikan")
        else:
            rf.issue("file-not-form", fatal=True)
        return
    if rf.kind in KIND_LABELS:
        rf.issue("file-old-format", severity="warning" if rf.kind == "xls" else "info",
                 format=KIND_LABELS[rf.kind], detail="tetap dibaca (nilai tersimpan, tanpa menghitung ulang rumus)")
    rf.table = _find_table(wb)
    if rf.table is None:
        rf.issue("form-table-missing", fatal=True, unit=rf.identity.unit)
        return
    if rf.table.sheet != FORM_SHEET:
        rf.issue("sheet-renamed", sheet=rf.table.sheet, unit=rf.identity.unit, value=rf.table.sheet,
                 expected=FORM_SHEET)
    if rf.kind in ("xlsx", "xlsm") and not _has_error_cells(pkg, rf.table.sheet):
        rf._errors = {}  # nothing for error_at to look up: the file is not read again


def _open_book(rf: ReturnFile, data: bytes, pkg: UntrustedPackage | None, limits: Limits) -> Any:
    """The workbook for python-calamine, its far cells cut first (kinerja.workbook.bounded), or None
    when it cannot be read (an issue says why)."""
    from python_calamine import CalamineError, CalamineWorkbook, PasswordError

    from kinerja.ooxml.onepass import one_pass, plain_worksheet

    try:
        if pkg is not None and rf.kind in ("xlsx", "xlsm", "ods"):
            parts = sheet_parts(pkg) if rf.kind != "ods" else {}
            if rf.kind != "ods" and not parts:  # the workbook part does not read plainly: every sheet
                parts = {n: n for n in pkg.entries if n.startswith("xl/worksheets/") and n.endswith(".xml")}
            data, far = bounded.bound_package(data, rf.kind, parts, limits.bounds, pkg.read)
            if rf.kind != "ods":  # each sheet read once by calamine, as the master (kinerja.ooxml.onepass)
                data = one_pass(data, [p for p in parts.values() if plain_worksheet(pkg.read(p, 4096))])
        else:
            far = _binary_far(rf, data, pkg, limits.bounds)
            if far:
                for f in far:
                    rf.issue("cell-far", fatal=True, severity="error", sheet=f.sheet, cell=f.cell,
                             count=f.count, detail="format file ini tidak dapat dibaca sebagian, "
                                                   "sehingga file tidak dibaca")
                return None
    except bounded.TooLarge as e:
        b = limits.bounds
        rf.issue("file-too-large", fatal=True, size=f"bagian {e} terlalu besar",
                 limit=f"{_size(b.max_part)} atau {format(b.max_values, ',').replace(',', '.')} sel terisi per sheet")
        return None
    for f in far:
        rf.issue("cell-far", sheet=f.sheet, cell=f.cell, count=f.count, detail="sel itu tidak dibaca")
    try:
        return CalamineWorkbook.from_filelike(io.BytesIO(data))
    except CalamineError as e:  # an .xls with a legacy password (FILEPASS) lands here too
        if isinstance(e, PasswordError) or any(w in str(e).lower() for w in ("password", "encrypt")):
            rf.issue("file-encrypted", fatal=True)
            return None
        raise


def _binary_far(rf: ReturnFile, data: bytes, pkg: UntrustedPackage | None, b: bounded.Bounds) -> list[bounded.FarCells]:
    """Far cells of an .xls (all sheets together) or .xlsb (per sheet part)."""
    sheets: dict[str, bounded.Blocks] = {}
    if rf.kind == "xls":
        import olefile

        with olefile.OleFileIO(data) as ole:
            name = next((n for n in ("Workbook", "Book") if ole.exists(n)), None)
            if name is not None:
                sheets["(semua sheet)"] = bounded.xls_blocks(ole.openstream(name).read())
    elif rf.kind == "xlsb" and pkg is not None:
        for n in pkg.entries:
            if n.startswith("xl/worksheets/") and n.endswith(".bin"):
                sheets[posixpath.basename(n)] = bounded.xlsb_blocks(pkg.read(n, b.max_part))
    out = []
    for sheet, blocks in sheets.items():
        rows, cols = bounded.extent(blocks, b)
        far = bounded.far_cells(sheet, blocks, rows, cols)
        if far:
            out.append(far)
    return out


# ----------------------------------------------------------------------------------- containers


def _check_zip(rf: ReturnFile, data: bytes, limits: Limits, suffix: str) -> UntrustedPackage | None:
    pkg = UntrustedPackage(data, keep=True)  # the form sheet is read by the bounds and the error check
    if pkg.error:
        if suffix in SPREADSHEET_SUFFIXES:
            rf.issue("file-corrupt", fatal=True, detail=f"arsip zip rusak ({pkg.error})")
        else:
            rf.issue("file-not-form", fatal=True)
        return None
    total = sum(m[4] for m in pkg.members)
    bomb = any(usize > limits.ratio_floor and usize > limits.max_ratio * max(csize, 1)
               for _, _, _, csize, usize, _ in pkg.members)
    if len(pkg.members) > limits.max_members or total > limits.max_unzipped or bomb:
        rf.issue("file-too-large", fatal=True, size=f"{_size(total)} setelah diekstrak",
                 limit=f"{_size(limits.max_unzipped)} / rasio {limits.max_ratio:g}x")
        return None
    names = pkg.entries
    if "xl/workbook.xml" in names:
        rf.kind = "xlsm" if "xl/vbaProject.bin" in names or suffix in (".xlsm", ".xltm") else "xlsx"
    elif "xl/workbook.bin" in names:
        rf.kind = "xlsb"
    elif "content.xml" in names and b"opendocument.spreadsheet" in data[:200]:
        rf.kind = "ods"  # the first member is the uncompressed 'mimetype'
    else:
        rf.issue("file-not-form", fatal=True)
        return None
    return pkg


def _check_ole(rf: ReturnFile, data: bytes) -> bool:
    import olefile

    try:
        ole = olefile.OleFileIO(data)
        streams = {"/".join(p).lower() for p in ole.listdir(streams=True, storages=False)}
    except Exception as e:  # noqa: BLE001
        rf.issue("file-corrupt", fatal=True, detail=f"file OLE rusak ({_detail(e)})")
        return False
    if {"encryptioninfo", "encryptedpackage"} <= streams:
        rf.issue("file-encrypted", fatal=True)
        return False
    if "workbook" in streams or "book" in streams:
        rf.kind = "xls"
        return True
    rf.issue("file-not-form", fatal=True)
    return False


def _member(zf: zipfile.ZipFile | None, name: str, limit: int = -1) -> bytes:
    if zf is None:
        return b""
    try:
        with zf.open(name) as f:
            return f.read(limit)
    except (KeyError, zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError):
        return b""


# ----------------------------------------------------------------------------------- identity


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    return "" if value is None else str(value).strip()


def _identity(props: dict[str, str]) -> FormIdentity | None:
    if not props:
        return None
    try:
        return FormIdentity.from_properties(props)
    except (ValidationError, ValueError, TypeError):
        return None


def _identity_from_sheet(wb: Any, rf: ReturnFile) -> FormIdentity | None:
    """The hidden sheet (by name, else by its A1 marker): key/value rows up to the first blank
    row, then the original indicator rows (ORIGINAL_HEADERS, see ReturnFile.original)."""
    names = [n for n in wb.sheet_names if n == ID_SHEET] + [n for n in wb.sheet_names if n != ID_SHEET]
    for name in names:
        sheet = wb.get_sheet_by_name(name)
        if name != ID_SHEET:
            first = sheet.to_python(skip_empty_area=False, nrows=1)
            if not first or first[0][:1] != [ID_MARKER]:
                continue
        rows = sheet.to_python(skip_empty_area=False)
        start = 1 if rows and rows[0][:1] == [ID_MARKER] else 0
        props: dict[str, str] = {}
        end = len(rows)
        for i in range(start, len(rows)):
            row = rows[i]
            if not row or row[0] in (None, ""):
                end = i
                break
            if len(row) >= 2 and isinstance(row[0], str) and row[0].strip() in _IDENTITY_FIELDS:
                props.setdefault(row[0].strip(), _text(row[1]))
        identity = _identity(props)
        if identity is None:
            continue
        rf._tail = rows[end:]
        return identity
    return None


def _hidden_tail(path: Path) -> list[list[Any]]:
    """The hidden sheet's rows after the identity (see ReturnFile.original), read again."""
    probe = ReturnFile(path=path, name=path.name)
    try:
        data = path.read_bytes()
        pkg = UntrustedPackage(data) if data[:2] == b"PK" else None
        probe.kind = ("ods" if pkg is not None and "content.xml" in pkg.entries else
                      "xlsb" if pkg is not None and "xl/workbook.bin" in pkg.entries else
                      "xlsx" if pkg is not None else "xls")
        wb = _open_book(probe, data, pkg, Limits())
        if wb is not None:
            _identity_from_sheet(wb, probe)
    except Exception:  # noqa: BLE001 - the originals are a bonus: without them, the form's own order
        return []
    return probe._tail or []


def _xml(data: bytes) -> Any:
    from defusedxml import ElementTree

    try:
        return ElementTree.fromstring(data) if data else None
    except Exception:  # noqa: BLE001 - malformed or hostile XML (entities, DTD): ignored
        return None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


_PROPERTY = re.compile(r'<property\s[^>]*?\bname="([^"]*)"[^>]*>\s*<[\w:]+(?:\s[^>]*)?>([^<]*)</[\w:]+>\s*</property>')


def custom_properties(xml: bytes) -> dict[str, str]:
    """name -> text of docProps/custom.xml. Plain XML (no DTD, no CDATA: what Excel and
    LibreOffice write) by one pattern; anything else through defusedxml."""
    text = xml.decode("utf-8", "replace")
    if "<!" not in text:
        found = {html.unescape(n): html.unescape(v).strip() for n, v in _PROPERTY.findall(text)}
        if len(found) == text.count("<property"):
            return found
    root = _xml(xml)
    out: dict[str, str] = {}
    for el in root if root is not None else ():
        value = next(iter(el), None)
        out[el.get("name", "")] = (value.text or "").strip() if value is not None else ""
    return out


def _identity_from_properties(pkg: UntrustedPackage | None, kind: str) -> FormIdentity | None:
    """The custom document properties kinerja_* (docProps/custom.xml, or meta.xml in .ods)."""
    if kind == "xls" or pkg is None:
        return None  # the .xls user-defined property set is not read; its hidden sheet is
    props: dict[str, str] = {}
    if kind == "ods":
        root = _xml(pkg.read("meta.xml", 2 * MB))
        for el in root.iter() if root is not None else ():
            if _local(el.tag) == "user-defined":
                name = next((v for k, v in el.attrib.items() if _local(k) == "name"), "")
                props[name] = (el.text or "").strip()
    else:
        props = custom_properties(pkg.read("docProps/custom.xml", 2 * MB))
    return _identity({k[len(PROP_PREFIX):]: v for k, v in props.items()
                      if k.startswith(PROP_PREFIX) and k[len(PROP_PREFIX):] in _IDENTITY_FIELDS})


def _saved_time(path: Path, kind: str) -> datetime | None:
    """docProps/core.xml dcterms:modified (.xlsx), meta.xml dc:date (.ods), or the OLE
    summary's last-saved time (.xls); None when absent or unreadable."""
    try:
        if kind == "xls":
            import olefile

            with olefile.OleFileIO(str(path)) as ole:
                return ole.get_metadata().last_saved_time
        with zipfile.ZipFile(path) as zf:
            root = _xml(_member(zf, "meta.xml" if kind == "ods" else "docProps/core.xml", MB))
        wanted = "date" if kind == "ods" else "modified"
        for el in root.iter() if root is not None else ():
            if _local(el.tag) == wanted and el.text:
                when = datetime.fromisoformat(el.text.strip().replace("Z", "+00:00"))
                return when.astimezone(UTC).replace(tzinfo=None) if when.tzinfo else when
    except Exception:  # noqa: BLE001
        return None
    return None


# ----------------------------------------------------------------------------------- the table


def find_header(rows: list[list[Any]]) -> tuple[int, dict[str, int]] | None:
    """(0-based header row, key -> 0-based column) of the form's data table, or None.

    The header is the row with the most formspec header names that has 'Kode' and at least
    one 'Realisasi TW' column; the first occurrence of a name wins.
    """
    expected = HEADER_ROW - 1  # where the forms put it: a complete header there is the answer
    if expected < len(rows):
        found = _header_keys(rows[expected])
        if len(found) == len(COLUMNS):
            return expected, found
    best: tuple[int, int, dict[str, int]] | None = None
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        found = _header_keys(row)
        if "kode" in found and any(k in found for k in REALISASI_KEYS) and (best is None or len(found) > best[1]):
            best = (i, len(found), found)
    return None if best is None else (best[0], best[2])


def _header_keys(row: list[Any]) -> dict[str, int]:
    found: dict[str, int] = {}
    for j, value in enumerate(row):
        if isinstance(value, str) and 0 < len(value) <= 40:
            key = _HEADER_KEYS.get(_norm(value))
            if key is not None:
                found.setdefault(key, j)
    return found


_norm = lru_cache(maxsize=4096)(norm)


def _find_table(wb: Any) -> FormTable | None:
    """The sheet holding the form's header: 'Formulir' first, then visible sheets, then hidden."""
    from python_calamine import SheetVisibleEnum

    visible = {m.name: m.visible == SheetVisibleEnum.Visible for m in wb.sheets_metadata}
    names = sorted((n for n in wb.sheet_names if n != ID_SHEET),
                   key=lambda n: (n != FORM_SHEET, not visible.get(n, True)))
    for name in names:
        rows = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
        found = find_header(rows)
        if found is not None:
            return FormTable(name, found[0] + 1, found[1], rows)
    return None


def _has_error_cells(pkg: UntrustedPackage | None, sheet: str | None = None) -> bool:
    """Whether a sheet (`sheet`, else any) of an .xlsx/.xlsm package holds a cell of type error
    (a byte search of its XML)."""
    if pkg is None or pkg.error:
        return True  # undecided: looked up when needed
    part = sheet_parts(pkg).get(sheet) if sheet else None
    return any(b't="e"' in pkg.read(n, 50 * MB) for n in ([part] if part else pkg.entries)
               if n.startswith("xl/worksheets/") and n.endswith(".xml"))


_ERROR_CELL = re.compile(rb'<(?:\w+:)?c(?=\s)([^>]*?\bt="e"[^>]*)>(.*?)</(?:\w+:)?c>', re.S)
_ERROR_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>")


def _error_cells(path: Path, sheet: str) -> dict[tuple[int, int], str]:
    """Cached formula errors on the form sheet (calamine shows them as empty), from its XML:
    (1-based row, 0-based column) -> '#DIV/0!'."""
    out: dict[tuple[int, int], str] = {}
    try:
        pkg = UntrustedPackage(path.read_bytes())
        part = sheet_parts(pkg).get(sheet)
        if part is None:
            return out
        for m in _ERROR_CELL.finditer(pkg.read(part, bounded.FORM_BOUNDS.max_part)):
            ref = re.search(rb'\br="([A-Z]{1,3})(\d+)"', m.group(1))
            value = _ERROR_VALUE.search(m.group(2))
            if ref and value:
                col = 0
                for ch in ref.group(1):
                    col = col * 26 + ch - 64
                out[(int(ref.group(2)), col - 1)] = html.unescape(value.group(1).decode("utf-8", "replace"))
    except Exception:  # noqa: BLE001 - calamine already read the values; errors are a bonus
        return out
    return out


# ----------------------------------------------------------------------------------- the values


NUMBER_KEYS = ("r1", "r2", "r3", "r4", "realisasi_anggaran")
_CODE_LIKE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,29}")


def read_values(rf: ReturnFile, unit: str, period: Period, codes: list[str], report: Report,
                 indicators: dict[str, Indicator] | None = None,
                 cells: dict[str, dict[str, str]] | None = None) -> dict[str, dict[str, Any]]:
    """The input values of a form of `unit` (its indicator `codes` in the master), per indicator
    code; every problem is an issue. `indicators` (code -> the master's Indicator) when the
    form's checksum differs from the master's: each row is then compared with the master.
    `cells`, when given, receives the form cell of each number read (code -> key -> 'N15')."""
    table, ident = rf.table, rf.identity
    assert table is not None and ident is not None
    cols = table.columns
    wanted = set(codes)
    keys = [k for k in input_keys(period) if k in cols]
    base = dict(file=rf.name, sheet=table.sheet, unit=unit)
    for k in input_keys(period):
        if k not in cols:
            report.issue("header-missing", column=HEADERS[k], **base)
    number_cols = [cols[k] for k in keys if k in NUMBER_KEYS]
    plan = [(k, cols[k], k in NUMBER_KEYS, k in TEXT_INPUT_KEYS) for k in keys]
    sumber = f"{rf.name} (putaran {ident.putaran})"
    found: dict[str, int] = {}
    values: dict[str, dict[str, Any]] = {}
    kode_col = cols["kode"]
    for i in range(table.header_row, len(table.rows)):
        row, r = table.rows[i], i + 1
        width = len(row)
        code = row[kode_col] if kode_col < width else None
        if type(code) is not str or code not in wanted:  # the common case: the code as handed out
            code = _code(_cell(row, kode_col))
        if code not in wanted:
            # a code, or a number, makes a row worth reporting; text alone may be a note
            if (code and _CODE_LIKE.fullmatch(code)) or any(_cell(row, j) is not None for j in number_cols):
                report.issue("row-unknown", cell=f"{_letter(cols['kode'])}{r}", row=r,
                             value=code or "(kosong)", **base)
            continue
        if code in found:
            report.issue("row-duplicate", cell=f"{_letter(cols['kode'])}{r}", indicator=code, row=r,
                         other_row=found[code], **base)
            continue
        found[code] = r
        if indicators is not None and not _consistent(row, r, cols, indicators[code], report, base):
            continue
        vals: dict[str, Any] = {"sumber": sumber}
        for k, j, is_number, is_text in plan:
            raw: Any = row[j] if j < width else None
            kind = type(raw)
            if is_number and kind is float and raw >= 0:  # the common case: no issue
                vals[k] = raw
                continue
            if kind is str and (raw == "" or raw.isspace()):
                raw = None
            if is_number:
                if raw is None:
                    raw = rf.error_at(r, j)
                    if raw is None:
                        vals[k] = None
                        continue
            elif raw is None:
                vals[k] = None
                continue
            elif is_text and type(raw) is str and not looks_like_formula(text := raw.strip()):
                vals[k] = text  # plain text, no issue
                continue
            where = dict(cell=f"{_letter(j)}{r}", indicator=code, column=HEADERS[k], **base)
            vals[k] = _input_text(raw, where, report) if is_text else _input_number(raw, where, report)
        values[code] = vals
        if cells is not None:
            cells[code] = {k: f"{_letter(j)}{r}" for k, j, is_number, _ in plan if is_number}
    original = ident.indikator or codes
    order = sorted(found, key=found.__getitem__)
    expected = [c for c in original if c in found]
    kept = set(order)
    if order != expected:  # moved: the codes outside the longest common subsequence
        matcher = difflib.SequenceMatcher(a=expected, b=order, autojunk=False)
        kept = {c for blk in matcher.get_matching_blocks() for c in order[blk.b:blk.b + blk.size]}
    for code in order:
        if code not in kept and code in original:
            was = as_int(rf.original(code).get("baris")) or table.header_row + 1 + original.index(code)
            report.issue("row-moved", cell=f"{_letter(cols['kode'])}{found[code]}", indicator=code,
                         row=found[code], expected=was, **base)
    for code in codes:
        if code not in found:
            report.issue("row-missing", indicator=code, **base)
    return values


def _consistent(row: list[Any], r: int, cols: dict[str, int], ind: Indicator, report: Report,
                base: dict[str, Any]) -> bool:
    """Compare what the form shows with the master; False when the values must not be used."""
    diffs: list[str] = []
    name_differs = False
    for key, expected in (("nama", ind.nama), ("satuan", ind.satuan)):
        shown = _cell(row, cols[key]) if key in cols else None
        if key in cols and plain(shown) != plain(expected):
            diffs.append(f"{HEADERS[key]} '{shown if shown is not None else ''}' (induk: '{expected}')")
            name_differs |= key == "nama"
    targets = (("t1", ind.target_tw[0]), ("t2", ind.target_tw[1]), ("t3", ind.target_tw[2]),
               ("t4", ind.target_tw[3]), ("target_tahunan", ind.target_tahunan))
    for key, expected in targets:
        if key not in cols:
            continue
        shown = parse_number(_cell(row, cols[key])).value
        if (shown is None) != (expected is None) or (
                shown is not None and expected is not None and abs(shown - expected) > 1e-9 * max(1.0, abs(expected))):
            diffs.append(f"{HEADERS[key]} {format_number(shown)} (induk: {format_number(expected)})")
    for key, value, labels in (("polaritas", ind.polaritas, POLARITY_LABELS), ("metode", ind.metode, METHOD_LABELS)):
        shown = _cell(row, cols[key]) if key in cols else None
        if shown is not None and norm(shown) not in (norm(value), norm(labels[value])):
            diffs.append(f"{HEADERS[key]} '{shown}' (induk: '{labels[value]}')")
    if not diffs:
        return True
    detail = "; ".join(diffs) + (". Nilai baris ini tidak dipakai" if name_differs
                                 else ". Nilai tetap dipakai dengan target dari sheet Indikator")
    report.issue("indicator-inconsistent", cell=f"{_letter(cols['kode'])}{r}", indicator=ind.kode,
                 detail=detail, **base)
    return not name_differs


def _input_number(raw: Any, where: dict[str, Any], report: Report) -> float | None:
    parsed = parse_number(raw)
    notes = parsed.notes
    if isinstance(raw, str) and parsed.value is not None and not notes:
        notes = [("number-reformatted", {"value": raw, "number": parsed.value})]  # text holding a number
    for code, params in notes:
        report.issue(code, **{**where, **params})
    if not parsed.ok:
        return None
    if parsed.value is not None and parsed.value < 0:
        report.issue("value-negative", **{**where, "value": parsed.value})
    return parsed.value


def _input_text(raw: Any, where: dict[str, Any], report: Report) -> str | None:
    if raw is None:
        return None
    if isinstance(raw, float):
        text = format_number(raw, 10) if not raw.is_integer() else str(int(raw))
    elif isinstance(raw, (datetime, date, time)):
        text = raw.isoformat()
    else:
        text = str(raw).strip()
    if not text:
        return None
    if looks_like_formula(text):
        report.issue("text-formula", **{**where, "value": text})
    return text


def plain(value: Any) -> str:
    """Text compared loosely: spaces collapsed, case folded."""
    return " ".join(str(value or "").split()).casefold()


def as_int(value: Any) -> int:
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return 0


def _cell(row: list[Any], j: int) -> Any:
    value = row[j] if j < len(row) else None
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _code(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _letter(j: int) -> str:
    return column_letter(j + 1)


# ----------------------------------------------------------------------------------- helpers


def _size(n: int) -> str:
    return f"{n / MB:.1f} MB".replace(".", ",") if n >= MB else f"{n / 1024:.0f} KB"


def _detail(e: BaseException) -> str:
    """What went wrong, in Indonesian (the library's own text goes to the log)."""
    return explain(e)
