"""Build ``vbaProject.bin`` (the VBA project of an .xlsm) from module sources.

The format is [MS-OVBA]: a compound file (see :mod:`kinerja.ooxml.cfb`) with

* ``PROJECT`` (2.3.1): text properties of the project, one line per module;
* ``PROJECTwm`` (2.3.3): module names in MBCS and UTF-16;
* ``VBA/dir`` (2.3.4.2): compressed binary records: project information,
  references, and one MODULE record per module;
* ``VBA/_VBA_PROJECT`` (2.3.4.1): version-dependent header and cache;
* ``VBA/<module>`` (2.3.4.3): per module, a performance cache followed by the
  compressed source text starting at MODULEOFFSET.

How this builder fills them, and why
------------------------------------
It starts from the Excel-authored ``vbaProject.bin`` inside the pinned
xlwings package's ``quickstart.xlsm`` (read at build time, never copied into
this repository) and keeps what Excel wrote where it does not depend on our
modules: the PROJECTINFORMATION records of the ``dir`` stream (system kind,
compatibility version, LCIDs, code page, project version, ...) with only the
project name replaced, the *registered* type-library references (the Office
object library, which declares ``IRibbonControl``), the attribute header of
the ``ThisWorkbook`` and worksheet document modules, and the
``HelpContextID``/``VersionCompatible32``/host-extender lines of ``PROJECT``.
The template's other references are dropped on purpose: a project reference
to the developer's ``xlwings.xlam`` (on another machine's disk; it would show
as "MISSING" and break compilation) and an MSForms control reference
pointing into a temp folder (no forms are used).

Everything else is written fresh: every module stream, the MODULE records of
the ``dir`` stream, ``PROJECT``, ``PROJECTwm`` and ``_VBA_PROJECT``.

Performance caches are dropped, not kept. ``_VBA_PROJECT`` is the 7-byte
header with Version 0xFFFF and no PerformanceCache, every MODULEOFFSET is 0
and every module stream is just the compressed source. This is what
[MS-OVBA] prescribes for writers (Version "MUST be 0xFFFF on write",
PerformanceCache "MUST NOT be present on write"; 1.6: with 0xFFFF "performance
caches are ignored"), so Office compiles the project from source on first
open. It is also what LibreOffice's VBA exporter and EPPlus write, and Office
opens their files. Keeping the template's module caches while replacing only
the source would leave compiled p-code that disagrees with the source text:
any Office build whose version matched would run the cached code instead of
ours, and that mismatch is exactly the "VBA stomping" pattern that antivirus
products flag. Dropping the caches has no such failure mode.

Module text is stored the way the VBA editor stores it: the lines of an
exported ``.bas`` file including its ``Attribute VB_Name = "..."`` header, in
the project code page, with CRLF line ends. For an exported ``.cls`` file the
``VERSION 1.0 CLASS`` / ``BEGIN`` ... ``END`` block is not part of the stream
(the editor drops it on import) and is removed.

The project ID is derived from the project name and the module sources, and
the protection fields (CMG/DPB/GC: "not protected", "no password",
"visible") are encrypted per 2.4.3 with seeds derived from that ID, so two
builds of the same input give identical bytes.
"""

from __future__ import annotations

import hashlib
import importlib.util
import re
import struct
import uuid
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from kinerja.ooxml import cfb

__all__ = [
    "build_vba_project",
    "read_vba_project",
    "compress",
    "decompress",
    "encrypt_data",
    "decrypt_data",
    "template_path",
    "VbaModuleInfo",
    "VbaProjectInfo",
]

# ---------------------------------------------------------------------------
# 2.4.1 Compression
# ---------------------------------------------------------------------------

_CHUNK = 4096
_MAX_CHAIN = 48  # candidate positions examined per match search


def _bit_count(difference: int) -> int:
    """2.4.1.3.19.1 CopyToken Help: bits used by the offset part of a token."""
    return max((difference - 1).bit_length(), 4)


def _compress_chunk(chunk: bytes) -> bytes:
    n = len(chunk)
    body = bytearray()
    index: dict[bytes, list[int]] = {}
    pos = 0

    def remember(start: int, stop: int) -> None:
        for p in range(start, min(stop, n - 2)):
            index.setdefault(chunk[p : p + 3], []).append(p)

    while pos < n:
        flag_at = len(body)
        body.append(0)
        flags = 0
        for bit in range(8):
            if pos >= n:
                break
            best_len = 0
            best_off = 0
            if pos > 0 and n - pos >= 3:
                bits = _bit_count(pos)
                limit = min((0xFFFF >> bits) + 3, n - pos)
                candidates = index.get(chunk[pos : pos + 3])
                if candidates:
                    for cand in reversed(candidates[-_MAX_CHAIN:]):
                        length = 3
                        while length < limit and chunk[cand + length] == chunk[pos + length]:
                            length += 1
                        if length > best_len:
                            best_len, best_off = length, pos - cand
                            if length == limit:
                                break
            if best_len >= 3:
                bits = _bit_count(pos)
                token = ((best_off - 1) << (16 - bits)) | (best_len - 3)
                body += struct.pack("<H", token)
                flags |= 1 << bit
                remember(pos, pos + best_len)
                pos += best_len
            else:
                body.append(chunk[pos])
                remember(pos, pos + 1)
                pos += 1
        body[flag_at] = flags
    if len(body) > _CHUNK:
        # 2.4.1.3.10: a chunk that does not compress is stored raw, always
        # 4096 bytes long (a short final chunk is padded with zeros).
        return struct.pack("<H", 0x3000 | (_CHUNK - 1)) + chunk + bytes(_CHUNK - n)
    header = 0x8000 | 0x3000 | (len(body) + 2 - 3)
    return struct.pack("<H", header) + bytes(body)


def compress(data: bytes) -> bytes:
    """Compress ``data`` into an [MS-OVBA] 2.4.1 CompressedContainer."""
    out = bytearray(b"\x01")
    for start in range(0, len(data), _CHUNK):
        out += _compress_chunk(bytes(data[start : start + _CHUNK]))
    return bytes(out)


def decompress(data: bytes) -> bytes:
    """Decompress an [MS-OVBA] 2.4.1 CompressedContainer."""
    if not data or data[0] != 0x01:
        raise ValueError("not an MS-OVBA compressed container (bad signature byte)")
    out = bytearray()
    pos = 1
    end = len(data)
    while pos < end:
        if pos + 2 > end:
            raise ValueError("truncated chunk header")
        (header,) = struct.unpack_from("<H", data, pos)
        if (header >> 12) & 0x7 != 0b011:
            raise ValueError("bad CompressedChunkSignature")
        size = (header & 0x0FFF) + 3
        chunk_end = min(pos + size, end)
        pos += 2
        if not header & 0x8000:
            out += data[pos : pos + _CHUNK]
            pos += _CHUNK
            continue
        start = len(out)
        while pos < chunk_end:
            flags = data[pos]
            pos += 1
            for bit in range(8):
                if pos >= chunk_end:
                    break
                if not (flags >> bit) & 1:
                    out.append(data[pos])
                    pos += 1
                    continue
                if pos + 2 > chunk_end:
                    raise ValueError("truncated copy token")
                (token,) = struct.unpack_from("<H", data, pos)
                pos += 2
                bits = _bit_count(len(out) - start)
                length = (token & (0xFFFF >> bits)) + 3
                offset = (token >> (16 - bits)) + 1
                if offset > len(out) - start:
                    raise ValueError("copy token points before the chunk start")
                src = len(out) - offset
                if offset >= length:
                    out += out[src : src + length]
                else:
                    for i in range(length):
                        out.append(out[src + i])
    return bytes(out)


# ---------------------------------------------------------------------------
# 2.4.3 Data encryption (CMG, DPB and GC of the PROJECT stream)
# ---------------------------------------------------------------------------


def _proj_key(project_id: str) -> int:
    return sum(project_id.encode("latin-1")) & 0xFF


def encrypt_data(data: bytes, project_id: str, seed: int, ignored: bytes | None = None) -> str:
    """Encrypt ``data`` per 2.4.3.2 and return it as the uppercase hex string."""
    if not 0 <= seed <= 0xFF:
        raise ValueError("seed must be a byte")
    proj_key = _proj_key(project_id)
    version_enc = seed ^ 2
    proj_key_enc = seed ^ proj_key
    out = [seed, version_enc, proj_key_enc]
    unencrypted1, encrypted1, encrypted2 = proj_key, proj_key_enc, version_enc
    n_ignored = (seed & 6) // 2
    filler = bytes(ignored or b"")[:n_ignored].ljust(n_ignored, b"\x00")
    payload = filler + struct.pack("<I", len(data)) + bytes(data)
    for byte in payload:
        enc = byte ^ ((encrypted2 + unencrypted1) & 0xFF)
        out.append(enc)
        encrypted2, encrypted1, unencrypted1 = encrypted1, enc, byte
    return bytes(out).hex().upper()


def decrypt_data(text: str, project_id: str | None = None) -> bytes:
    """Decrypt a 2.4.3 hex string; check the project key when ``project_id`` is given."""
    raw = bytes.fromhex(text)
    if len(raw) < 7:
        raise ValueError("encrypted data too short")
    seed, version_enc, proj_key_enc = raw[0], raw[1], raw[2]
    if seed ^ version_enc != 2:
        raise ValueError("unsupported encryption version")
    proj_key = seed ^ proj_key_enc
    if project_id is not None and proj_key != _proj_key(project_id):
        raise ValueError("project key does not match the project ID")
    unencrypted1, encrypted1, encrypted2 = proj_key, proj_key_enc, version_enc
    plain = bytearray()
    for enc in raw[3:]:
        byte = enc ^ ((encrypted2 + unencrypted1) & 0xFF)
        plain.append(byte)
        encrypted2, encrypted1, unencrypted1 = encrypted1, enc, byte
    n_ignored = (seed & 6) // 2
    (length,) = struct.unpack_from("<I", plain, n_ignored)
    data = bytes(plain[n_ignored + 4 :])
    if len(data) != length:
        raise ValueError("encrypted data length mismatch")
    return data


# ---------------------------------------------------------------------------
# dir stream records (2.3.4.2)
# ---------------------------------------------------------------------------

# Record ids.
_SYSKIND, _LCID, _CODEPAGE, _NAME = 0x0001, 0x0002, 0x0003, 0x0004
_VERSION = 0x0009
_REF_NAME, _REF_NAME_UNICODE = 0x0016, 0x003E
_REF_REGISTERED, _REF_PROJECT, _REF_CONTROL, _REF_ORIGINAL = 0x000D, 0x000E, 0x002F, 0x0033
_MODULES, _PROJECT_COOKIE = 0x000F, 0x0013
_MOD_NAME, _MOD_NAME_UNICODE, _MOD_STREAM, _MOD_DOC = 0x0019, 0x0047, 0x001A, 0x001C
_MOD_OFFSET, _MOD_HELP, _MOD_COOKIE = 0x0031, 0x001E, 0x002C
_MOD_PROCEDURAL, _MOD_NONPROCEDURAL = 0x0021, 0x0022
_MOD_READONLY, _MOD_PRIVATE, _MOD_END, _DIR_END = 0x0025, 0x0028, 0x002B, 0x0010
_REF_BODY_IDS = {_REF_REGISTERED, _REF_PROJECT, _REF_CONTROL, _REF_ORIGINAL}
_REFERENCE_IDS = {_REF_NAME} | _REF_BODY_IDS


def _records(buf: bytes, pos: int = 0) -> Iterable[tuple[int, bytes, bytes]]:
    """Yield (id, data, raw record bytes) for consecutive dir stream records."""
    while pos < len(buf):
        (rid,) = struct.unpack_from("<H", buf, pos)
        if rid == _VERSION:
            # PROJECTVERSION: Reserved (4, =4) then VersionMajor (4) and VersionMinor (2).
            size = 6
            start = pos + 6
        else:
            (size,) = struct.unpack_from("<I", buf, pos + 2)
            start = pos + 6
        end = start + size
        if end > len(buf):
            raise ValueError(f"dir record 0x{rid:04X} runs past the end of the stream")
        yield rid, buf[start:end], buf[pos:end]
        pos = end


def _rec(rid: int, data: bytes) -> bytes:
    return struct.pack("<HI", rid, len(data)) + data


@dataclass(frozen=True)
class VbaModuleInfo:
    """One module as read back from a vbaProject.bin."""

    name: str
    stream_name: str
    kind: str  # "procedural" or "nonprocedural" (document or class module)
    text_offset: int
    source: str


@dataclass(frozen=True)
class VbaProjectInfo:
    """What :func:`read_vba_project` finds in a vbaProject.bin."""

    name: str
    codepage: int
    info_records: tuple[bytes, ...]  # raw PROJECTINFORMATION records, in order
    references: tuple[tuple[int, bytes], ...]  # (kind record id, raw bytes) per reference
    modules: dict[str, VbaModuleInfo]
    project_text: str
    vba_project_header: bytes  # first 7 bytes of _VBA_PROJECT

    def _names(self, key: str) -> tuple[str, ...]:
        out = []
        for line in self.project_text.splitlines():
            if line.startswith(key + "="):
                out.append(line[len(key) + 1 :].split("/")[0])
        return tuple(out)

    @property
    def documents(self) -> tuple[str, ...]:
        """Document modules (ThisWorkbook, worksheets) per the PROJECT stream."""
        return self._names("Document")

    @property
    def classes(self) -> tuple[str, ...]:
        """Class modules per the PROJECT stream."""
        return self._names("Class")


def _split_references(records: list[tuple[int, bytes, bytes]]) -> list[tuple[int, bytes]]:
    """Group reference records; each group is (kind id, raw bytes)."""
    groups: list[list[tuple[int, bytes, bytes]]] = []
    prev = None
    for rec in records:
        rid = rec[0]
        # A REFERENCENAME starts a new reference, except the NameRecordExtended
        # that follows the twiddled part of a REFERENCECONTROL.
        has_body = bool(groups) and any(r[0] in _REF_BODY_IDS for r in groups[-1])
        if (
            not groups
            or (rid == _REF_NAME and prev != _REF_CONTROL)
            or (rid in (_REF_REGISTERED, _REF_PROJECT, _REF_ORIGINAL) and has_body)
        ):
            groups.append([])
        groups[-1].append(rec)
        prev = rid
    out = []
    for group in groups:
        kinds = [r[0] for r in group if r[0] in _REF_BODY_IDS]
        if not kinds:
            raise ValueError("reference without a body in dir stream")
        out.append((kinds[0], b"".join(r[2] for r in group)))
    return out


def read_vba_project(data: bytes) -> VbaProjectInfo:
    """Parse a vbaProject.bin: project name, code page, references and module sources."""
    import olefile  # runtime dependency; imported lazily to keep import time low

    ole = olefile.OleFileIO(data)
    try:
        dir_data = decompress(ole.openstream("VBA/dir").read())
        project_text_raw = ole.openstream("PROJECT").read()
        vba_header = ole.openstream("VBA/_VBA_PROJECT").read()[:7]
        records = list(_records(dir_data))
        codepage = 1252
        name = ""
        info: list[bytes] = []
        i = 0
        while i < len(records) and records[i][0] not in _REFERENCE_IDS and records[i][0] != _MODULES:
            rid, rdata, raw = records[i]
            if rid == _CODEPAGE:
                (codepage,) = struct.unpack("<H", rdata)
            info.append(raw)
            i += 1
        enc = f"cp{codepage}"
        for raw in info:
            rid, rdata, _ = next(iter(_records(raw)))
            if rid == _NAME:
                name = rdata.decode(enc)
        ref_records = []
        while i < len(records) and records[i][0] != _MODULES:
            ref_records.append(records[i])
            i += 1
        references = _split_references(ref_records) if ref_records else []
        modules: dict[str, VbaModuleInfo] = {}
        current: dict[str, Any] = {}
        for rid, rdata, _ in records[i:]:
            if rid == _MOD_NAME:
                current = {"name": rdata.decode(enc), "kind": "procedural", "offset": 0}
            elif rid == _MOD_STREAM:
                current["stream"] = rdata.decode(enc)
            elif rid == _MOD_OFFSET:
                (current["offset"],) = struct.unpack("<I", rdata)
            elif rid == _MOD_NONPROCEDURAL:
                current["kind"] = "nonprocedural"
            elif rid == _MOD_END:
                stream = str(current.get("stream", current["name"]))
                raw_stream = ole.openstream(f"VBA/{stream}").read()
                offset = int(current["offset"])
                source = decompress(raw_stream[offset:]).decode(enc)
                mod = VbaModuleInfo(str(current["name"]), stream, str(current["kind"]), offset, source)
                modules[mod.name] = mod
        return VbaProjectInfo(
            name=name,
            codepage=codepage,
            info_records=tuple(info),
            references=tuple(references),
            modules=modules,
            project_text=project_text_raw.decode(enc),
            vba_project_header=vba_header,
        )
    finally:
        ole.close()


# ---------------------------------------------------------------------------
# Template: the Excel-authored project inside xlwings' quickstart.xlsm
# ---------------------------------------------------------------------------

_TEMPLATE_MEMBER = "xl/vbaProject.bin"


def template_path() -> Path:
    """Path of the pinned xlwings package's ``quickstart.xlsm``."""
    spec = importlib.util.find_spec("xlwings")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("xlwings is not installed; it provides the VBA project template")
    path = Path(next(iter(spec.submodule_search_locations))) / "quickstart.xlsm"
    if not path.is_file():
        raise RuntimeError(f"VBA project template not found: {path}")
    return path


@dataclass(frozen=True)
class _Template:
    codepage: int
    info_records: tuple[bytes, ...]
    references: tuple[bytes, ...]
    workbook_header: str  # Attribute lines of ThisWorkbook (with CRLF)
    sheet_header: str  # Attribute lines of a worksheet module, VB_Name removed
    help_context_line: str
    version_compat_line: str
    host_extenders: tuple[str, ...]
    vba_header_reserved3: bytes


def _attribute_header(source: str) -> list[str]:
    lines = source.split("\r\n")
    return [ln for ln in lines if ln.startswith("Attribute VB_")]


@lru_cache(maxsize=1)
def _template() -> _Template:
    with zipfile.ZipFile(template_path()) as zf:
        data = zf.read(_TEMPLATE_MEMBER)
    info = read_vba_project(data)
    docs = [m for m in info.modules.values() if m.kind == "nonprocedural"]
    workbook = next((m for m in docs if 'VB_Base = "0{00020819-' in m.source), None)
    sheet = next((m for m in docs if 'VB_Base = "0{00020820-' in m.source), None)
    if workbook is None or sheet is None:
        raise RuntimeError("VBA template lacks ThisWorkbook or worksheet document modules")
    wb_lines = [ln for ln in _attribute_header(workbook.source) if not ln.startswith("Attribute VB_Name")]
    sh_lines = [ln for ln in _attribute_header(sheet.source) if not ln.startswith("Attribute VB_Name")]
    lines = info.project_text.split("\r\n")
    help_line = next((ln for ln in lines if ln.startswith("HelpContextID=")), 'HelpContextID="0"')
    compat_line = next((ln for ln in lines if ln.startswith("VersionCompatible32=")), "")
    host: list[str] = []
    if "[Host Extender Info]" in lines:
        for ln in lines[lines.index("[Host Extender Info]") + 1 :]:
            if not ln or ln.startswith("["):
                break
            host.append(ln)
    if not host:
        host = ["&H00000001={3832D640-CF90-11CF-8E43-00A0C911005A};VBE;&H00000000"]
    registered = tuple(raw for kind, raw in info.references if kind == _REF_REGISTERED)
    return _Template(
        codepage=info.codepage,
        info_records=info.info_records,
        references=registered,
        workbook_header="\r\n".join(wb_lines) + "\r\n",
        sheet_header="\r\n".join(sh_lines) + "\r\n",
        help_context_line=help_line,
        version_compat_line=compat_line,
        host_extenders=tuple(host),
        vba_header_reserved3=info.vba_project_header[5:7],
    )


# ---------------------------------------------------------------------------
# Module sources
# ---------------------------------------------------------------------------

_IDENT = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,30}$")
_VB_NAME = re.compile(r'^Attribute\s+VB_Name\s*=\s*"([^"]*)"\s*$', re.IGNORECASE)


@dataclass(frozen=True)
class _Module:
    name: str
    kind: str  # "standard", "class" or "document"
    text: str  # as stored: CRLF line ends, Attribute header included


def normalize_newlines(text: str) -> str:
    """CRLF line ends, as the VBA editor stores and exports module text."""
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\r\n")


def _split_class_header(lines: list[str]) -> tuple[bool, list[str]]:
    if lines and lines[0].strip().upper().startswith("VERSION ") and "CLASS" in lines[0].upper():
        for i, ln in enumerate(lines[1:], start=1):
            if ln.strip().upper() == "END":
                return True, lines[i + 1 :]
        raise ValueError("class module header without END")
    return False, lines


def _prepare_module(name: str, source: str) -> _Module:
    if not _IDENT.match(name):
        raise ValueError(f"invalid VBA module name {name!r}")
    lines = normalize_newlines(source).split("\r\n")
    is_class, lines = _split_class_header(lines)
    header_end = 0
    while header_end < len(lines) and lines[header_end].startswith("Attribute VB_"):
        header_end += 1
    names = [m.group(1) for m in (_VB_NAME.match(ln) for ln in lines[:header_end]) if m]
    if names and names[0] != name:
        raise ValueError(f"module {name!r} declares Attribute VB_Name = {names[0]!r}")
    if not names:
        lines.insert(0, f'Attribute VB_Name = "{name}"')
    return _Module(name, "class" if is_class else "standard", "\r\n".join(lines))


def _document_module(name: str, header: str, user_source: str | None) -> _Module:
    body = ""
    if user_source:
        lines = normalize_newlines(user_source).split("\r\n")
        _, lines = _split_class_header(lines)
        while lines and lines[0].startswith("Attribute VB_"):
            lines.pop(0)
        body = "\r\n".join(lines)
    return _Module(name, "document", f'Attribute VB_Name = "{name}"\r\n' + header + body)


# ---------------------------------------------------------------------------
# Streams
# ---------------------------------------------------------------------------


def _dir_stream(t: _Template, project_name: str, modules: list[_Module]) -> bytes:
    enc = f"cp{t.codepage}"
    out = bytearray()
    for raw in t.info_records:
        rid = struct.unpack_from("<H", raw)[0]
        out += _rec(_NAME, project_name.encode(enc)) if rid == _NAME else raw
    for raw in t.references:
        out += raw
    out += struct.pack("<HIH", _MODULES, 2, len(modules))
    out += struct.pack("<HIH", _PROJECT_COOKIE, 2, 0xFFFF)
    for m in modules:
        mbcs = m.name.encode(enc)
        utf16 = m.name.encode("utf-16-le")
        out += _rec(_MOD_NAME, mbcs)
        out += _rec(_MOD_NAME_UNICODE, utf16)
        out += _rec(_MOD_STREAM, mbcs) + struct.pack("<HI", 0x0032, len(utf16)) + utf16
        out += _rec(_MOD_DOC, b"") + struct.pack("<HI", 0x0048, 0)
        out += _rec(_MOD_OFFSET, struct.pack("<I", 0))
        out += _rec(_MOD_HELP, struct.pack("<I", 0))
        out += _rec(_MOD_COOKIE, struct.pack("<H", 0xFFFF))
        out += _rec(_MOD_PROCEDURAL if m.kind == "standard" else _MOD_NONPROCEDURAL, b"")
        out += _rec(_MOD_END, b"")
    out += _rec(_DIR_END, b"")
    return compress(bytes(out))


def _project_id(project_name: str, modules: list[_Module]) -> str:
    h = hashlib.sha256(project_name.encode("utf-8"))
    for m in modules:
        h.update(b"\x00" + m.name.encode("utf-8") + b"\x00" + m.text.encode("utf-8"))
    return "{" + str(uuid.UUID(bytes=h.digest()[:16], version=4)).upper() + "}"


def _seed(project_id: str, label: str) -> int:
    return hashlib.sha256(f"{project_id}/{label}".encode("ascii")).digest()[0]


def _project_stream(t: _Template, project_name: str, project_id: str, modules: list[_Module]) -> bytes:
    lines = [f'ID="{project_id}"']
    for m in modules:
        if m.kind == "document":
            lines.append(f"Document={m.name}/&H00000000")
        elif m.kind == "class":
            lines.append(f"Class={m.name}")
        else:
            lines.append(f"Module={m.name}")
    lines.append(f'Name="{project_name}"')
    lines.append(t.help_context_line)
    if t.version_compat_line:
        lines.append(t.version_compat_line)
    # Not protected, no password, project visible (2.3.1.15-2.3.1.17).
    for key, plain in (("CMG", bytes(4)), ("DPB", bytes(1)), ("GC", bytes([0xFF]))):
        lines.append(f'{key}="{encrypt_data(plain, project_id, _seed(project_id, key))}"')
    lines.append("")
    lines.append("[Host Extender Info]")
    lines.extend(t.host_extenders)
    lines.append("")
    lines.append("[Workspace]")
    lines.extend(f"{m.name}=0, 0, 0, 0, C" for m in modules)
    return ("\r\n".join(lines) + "\r\n").encode(f"cp{t.codepage}")


def _projectwm_stream(t: _Template, modules: list[_Module]) -> bytes:
    out = bytearray()
    for m in modules:
        out += m.name.encode(f"cp{t.codepage}") + b"\x00"
        out += m.name.encode("utf-16-le") + b"\x00\x00"
    out += b"\x00\x00"
    return bytes(out)


def build_vba_project(
    modules: Mapping[str, str],
    project_name: str = "VBAProject",
    *,
    sheet_code_names: Iterable[str] = (),
) -> bytes:
    """Return the bytes of a ``vbaProject.bin`` holding ``modules``.

    ``modules`` maps module name to source text, as exported by the VBA editor
    (``.bas``; ``.cls`` text is recognised by its ``VERSION 1.0 CLASS``
    header). An ``Attribute VB_Name`` header line is added when missing and
    must agree with the name when present. The project always has the
    ``ThisWorkbook`` document module, plus one worksheet document module per
    name in ``sheet_code_names`` (the ``codeName`` of each worksheet in the
    workbook). A source given under one of those document module names is
    placed in that document module (e.g. ``Workbook_Open`` in ThisWorkbook).
    """
    if not _IDENT.match(project_name):
        raise ValueError(f"invalid VBA project name {project_name!r}")
    t = _template()
    enc = f"cp{t.codepage}"
    doc_names = ["ThisWorkbook", *sheet_code_names]
    for name in [*doc_names, *modules]:
        if not _IDENT.match(name):
            raise ValueError(f"invalid VBA module name {name!r}")
    doc_lower = {d.lower() for d in doc_names}
    if len(doc_lower) != len(doc_names):
        raise ValueError("document module names must be unique ignoring case")
    if len({k.lower() for k in modules}) != len(modules):
        raise ValueError("module names must be unique ignoring case")
    if project_name.lower() in doc_lower | {k.lower() for k in modules}:
        raise ValueError(f"project name {project_name!r} clashes with a module name")

    by_lower = {k.lower(): (k, v) for k, v in modules.items()}
    prepared: list[_Module] = []
    for i, doc in enumerate(doc_names):
        given = by_lower.get(doc.lower())
        header = t.workbook_header if i == 0 else t.sheet_header
        prepared.append(_document_module(doc, header, given[1] if given else None))
    for name, source in modules.items():
        if name.lower() in doc_lower:
            continue
        prepared.append(_prepare_module(name, source))

    streams: dict[str, bytes] = {}
    for m in prepared:
        try:
            encoded = m.text.encode(enc)
        except UnicodeEncodeError as exc:
            raise ValueError(f"module {m.name!r} has characters outside code page {t.codepage}") from exc
        streams[f"VBA/{m.name}"] = compress(encoded)
    project_id = _project_id(project_name, prepared)
    streams["VBA/dir"] = _dir_stream(t, project_name, prepared)
    streams["VBA/_VBA_PROJECT"] = struct.pack("<HHB", 0x61CC, 0xFFFF, 0x00) + t.vba_header_reserved3
    streams["PROJECT"] = _project_stream(t, project_name, project_id, prepared)
    streams["PROJECTwm"] = _projectwm_stream(t, prepared)
    return cfb.write_compound_file(streams)
