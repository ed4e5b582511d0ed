"""Reading one returned form, safely and fast.

Order of checks, cheapest and safest first: Excel lock file, empty file, size limit, the file's
magic bytes (zip or OLE compound file), the zip's declared uncompressed size and compression
ratio (zip bombs are refused before any parser sees them), OLE encryption streams, then values
via python-calamine. The form is recognised by its identity (the very hidden sheet `_kinerja`,
else the custom document properties), never by its file name. The data table is found by its
header names on any sheet (the form sheet may be renamed).

calamine reads a cached formula error (#DIV/0!, #REF!) as an empty cell; when an input cell of
an .xlsx/.xlsm reads empty, `ReturnFile.error_at` looks (once per file: a byte search of the
sheet XML, then openpyxl only when an error cell exists) for the error behind it.
XML this module parses itself (docProps/core.xml, docProps/custom.xml, meta.xml) goes through
defusedxml: entity tricks are refused, not followed.
"""

from __future__ import annotations

import hashlib
import io
import struct
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from kinerja.formspec import (COLUMNS, FORM_SHEET, HEADER_ROW, ID_MARKER, ID_SHEET, ORIGINAL_HEADERS,
                              PROP_PREFIX, REALISASI_KEYS, TEXT_INPUT_KEYS, FormIdentity, input_keys)
from kinerja.issues import Issue, make_issue
from kinerja.models import Period
from kinerja.tables import norm

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
    _tail: list[list[Any]] = field(default_factory=list)  # hidden sheet rows after the identity
    _errors: dict[tuple[int, int], str] | None = None

    def issue(self, code: str, fatal: bool = False, **params: Any) -> Issue:
        issue = make_issue(code, file=self.name, **params)
        self.issues.append(issue)
        self.fatal |= fatal
        return issue

    def error_at(self, row: int, col: int) -> str | None:
        """The cached formula error ('#DIV/0!') of a form-sheet cell calamine read as empty.

        Only .xlsx/.xlsm, and only looked up when asked (a sheet holding an error cell is read
        once more with openpyxl)."""
        if self._errors is None:
            self._errors = {}
            if self.kind in ("xlsx", "xlsm") and self.table is not None:
                self._errors = _error_cells(self.path, self.table.sheet)
        return self._errors.get((row, col))

    def original(self, code: str) -> dict[str, Any]:
        """The indicator row as handed out (hidden sheet, ORIGINAL_HEADERS), or {}."""
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


def read_return(path: Path, inbox: Path, limits: Limits = Limits()) -> ReturnFile:
    """Read one file from the inbox. Never raises: every problem is an issue on the result."""
    path = Path(path)
    try:
        name = path.relative_to(inbox).as_posix()
    except ValueError:
        name = path.name
    rf = ReturnFile(path=path, name=name)
    if path.name.startswith("~$"):
        rf.skipped = True
        rf.issue("file-lock")
        return rf
    try:
        st = path.stat()
        rf.size, rf.mtime = st.st_size, datetime.fromtimestamp(st.st_mtime)
        if rf.size == 0:
            rf.sha256 = hashlib.sha256(b"").hexdigest()
            rf.issue("file-empty", fatal=True)
            return rf
        if rf.size > limits.max_bytes:
            rf.issue("file-too-large", fatal=True, size=_size(rf.size), limit=_size(limits.max_bytes))
            return rf
        data = path.read_bytes()
    except OSError as e:
        rf.issue("file-corrupt", fatal=True, detail=f"tidak dapat dibaca ({e.strerror or e})")
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
    if data[:2] == b"PK":
        if not _check_zip(rf, data, limits, suffix):
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
    from python_calamine import CalamineError, CalamineWorkbook, PasswordError

    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except CalamineError as e:  # an .xls with a legacy password (FILEPASS) lands here too
        if isinstance(e, PasswordError) or any(w in str(e).lower() for w in ("password", "encrypt")):
            rf.issue("file-encrypted", fatal=True)
            return
        raise
    rf.identity = _identity_from_sheet(wb, rf) or _identity_from_properties(data, rf.kind)
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
    if rf.kind in ("xlsx", "xlsm") and (not _blank_input(rf) or not _has_error_cells(data)):
        rf._errors = {}  # nothing for error_at to look up: the file is not read again


# ----------------------------------------------------------------------------------- containers


def zip_entries(data: bytes) -> list[tuple[str, int, int]] | None:
    """(name, compressed size, declared size) of every member, read straight from the zip's
    central directory (fast: no objects per member). None when the directory is damaged or
    uses ZIP64; zipfile then decides."""
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 65557))
    if end < 0 or end + 22 > len(data):
        return None
    count, size, offset = struct.unpack_from("<HII", data, end + 10)
    if count == 0xFFFF or offset == 0xFFFFFFFF or offset + size > end:
        return None
    out, pos = [], offset
    for _ in range(count):
        if data[pos:pos + 4] != b"PK\x01\x02" or pos + 46 > end:
            return None
        csize, usize, nlen, xlen, clen = struct.unpack_from("<IIHHH", data, pos + 20)
        if 0xFFFFFFFF in (csize, usize):
            return None
        out.append((data[pos + 46:pos + 46 + nlen].decode("utf-8", "replace"), csize, usize))
        pos += 46 + nlen + xlen + clen
    return out


def _check_zip(rf: ReturnFile, data: bytes, limits: Limits, suffix: str) -> bool:
    entries = zip_entries(data)
    if entries is None:
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                entries = [(i.filename, i.compress_size, i.file_size) for i in zf.infolist()]
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as e:
            if suffix in SPREADSHEET_SUFFIXES:
                rf.issue("file-corrupt", fatal=True, detail=f"arsip zip rusak ({_detail(e)})")
            else:
                rf.issue("file-not-form", fatal=True)
            return False
    total = sum(e[2] for e in entries)
    bomb = any(usize > limits.ratio_floor and usize > limits.max_ratio * max(csize, 1)
               for _, csize, usize in entries)
    if len(entries) > limits.max_members or total > limits.max_unzipped or bomb:
        rf.issue("file-too-large", fatal=True, size=f"{_size(total)} setelah diekstrak",
                 limit=f"{_size(limits.max_unzipped)} / rasio {limits.max_ratio:g}x")
        return False
    names = {e[0] for e in entries}
    if "xl/workbook.xml" in names:
        rf.kind = "xlsm" if "xl/vbaProject.bin" in names or suffix in (".xlsm", ".xltm") else "xlsx"
    elif "xl/workbook.bin" in names:
        rf.kind = "xlsb"
    elif "content.xml" in names and b"opendocument.spreadsheet" in data[:200]:
        rf.kind = "ods"  # the first member is the uncompressed 'mimetype'
    else:
        rf.issue("file-not-form", fatal=True)
        return False
    return True


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


def _xml(data: bytes) -> Any:
    from defusedxml import ElementTree

    try:
        return ElementTree.fromstring(data) if data else None
    except Exception:  # noqa: BLE001 - malformed or hostile XML (entities, DTD): ignored
        return None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _identity_from_properties(data: bytes, kind: str) -> FormIdentity | None:
    """The custom document properties kinerja_* (docProps/custom.xml, or meta.xml in .ods)."""
    if kind == "xls":
        return None  # the .xls user-defined property set is not read; its hidden sheet is
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None
    props: dict[str, str] = {}
    if kind == "ods":
        root = _xml(_member(zf, "meta.xml", 2 * MB))
        for el in root.iter() if root is not None else ():
            if _local(el.tag) == "user-defined":
                name = next((v for k, v in el.attrib.items() if _local(k) == "name"), "")
                props[name] = (el.text or "").strip()
    else:
        root = _xml(_member(zf, "docProps/custom.xml", 2 * MB))
        for el in root if root is not None else ():
            value = next(iter(el), None)
            props[el.get("name", "")] = (value.text or "").strip() if value is not None else ""
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
                return when.astimezone(timezone.utc).replace(tzinfo=None) if when.tzinfo else when
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


def _blank_input(rf: ReturnFile) -> bool:
    """Whether a number the unit types for its period (realisasi, realisasi anggaran) reads
    empty on a row with a code: only there can an error value hide (see error_at)."""
    assert rf.table is not None and rf.identity is not None
    try:
        period = Period.from_key(rf.identity.periode)
    except ValueError:
        return True
    cols = rf.table.columns
    numbers = [cols[k] for k in input_keys(period) if k in cols and k not in TEXT_INPUT_KEYS]
    code = cols.get("kode")
    for row in rf.table.rows[rf.table.header_row:]:
        if code is not None and code < len(row) and row[code] not in (None, ""):
            if any(j >= len(row) or row[j] in (None, "") for j in numbers):
                return True
    return False


def _has_error_cells(data: bytes) -> bool:
    """Whether any sheet of an .xlsx/.xlsm package holds a cell of type error (a byte search)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            parts = [n for n in zf.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")]
            return any(b't="e"' in _member(zf, n, 50 * MB) for n in parts)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return True  # undecided: looked up when needed


def _error_cells(path: Path, sheet: str) -> dict[tuple[int, int], str]:
    """Cached formula errors on the form sheet (calamine shows them as empty)."""
    out: dict[tuple[int, int], str] = {}
    try:
        data = path.read_bytes()
        if not _has_error_cells(data):
            return out
        from openpyxl import load_workbook

        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            for row in wb[sheet].iter_rows():
                for c in row:
                    if getattr(c, "data_type", None) == "e" and c.value is not None:
                        out[(c.row, c.column - 1)] = str(c.value)
        finally:
            wb.close()
    except Exception:  # noqa: BLE001 - calamine already read the values; errors are a bonus
        return out
    return out


# ----------------------------------------------------------------------------------- helpers


def _size(n: int) -> str:
    return f"{n / MB:.1f} MB".replace(".", ",") if n >= MB else f"{n / 1024:.0f} KB"


def _detail(e: BaseException) -> str:
    text = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
    return text[:200]
