"""The macro-enabled master workbook: VBA project, ribbon, and package parts.

No Excel is available, so the built files are checked with independent
readers: oletools (olevba) and olefile for the VBA project, LibreOffice
(headless) for the whole .xlsm, and openpyxl for the round trip that the
workbook writer does later.
"""

from __future__ import annotations

import hashlib
import io
import os
import random
import re
import shutil
import struct
import subprocess
import zipfile
from pathlib import Path

import olefile
import openpyxl
import pytest
from defusedxml import ElementTree as SafeET
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from oletools.olevba import VBA_Parser, decompress_stream, filter_vba

from kinerja.ooxml import cfb
from kinerja.ooxml.vbaproject import (
    build_vba_project,
    compress,
    decompress,
    decrypt_data,
    encrypt_data,
    read_vba_project,
    template_path,
)
from kinerja.ooxml.xlsm import ADDIN_DIR, CUSTOMUI_PART, default_modules, make_xlsm, restore_addin_parts
from kinerja.workbook.ribbon import ACTIONS, CALLBACK, CUSTOMUI_NAMESPACE, GROUPS, TAB_LABEL, ribbon_xml

ADDIN = ADDIN_DIR
UI_REL_2010 = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"
VBA_REL = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"
REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
CT_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"
OFFICE_LIB_GUID = "{2DF8D04C-5BFA-101B-BDE5-00AA0044DE52}"
SHEETS = ("Formulir", "Rekap")
EXPECTED_MODULES = {"ThisWorkbook", "Sheet1", "Sheet2", "Kinerja"}


# ---------------------------------------------------------------------------
# fixtures
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def modules() -> dict[str, str]:
    return default_modules()


@pytest.fixture(scope="module")
def vba_bin(modules) -> bytes:
    return build_vba_project(modules, sheet_code_names=["Sheet1", "Sheet2"])


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("vba")


@pytest.fixture(scope="module")
def xlsx(workdir) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = SHEETS[0]
    ws["A1"] = "Indikator Kinerja"
    ws["B1"] = "Target"
    ws.append(["Persentase dokumen perencanaan tepat waktu", 100])
    rekap = wb.create_sheet(SHEETS[1])
    rekap["A1"] = "Rekapitulasi"
    path = workdir / "induk.xlsx"
    wb.save(path)
    return path


@pytest.fixture(scope="module")
def xlsm(xlsx, workdir) -> Path:
    return make_xlsm(xlsx, workdir / "induk.xlsm")


def olevba_modules(name: str, data: bytes) -> dict[str, str]:
    parser = VBA_Parser(name, data=data)
    try:
        assert parser.detect_vba_macros()
        return {Path(vba_filename).stem: code for _, _, vba_filename, code in parser.extract_macros()}
    finally:
        parser.close()


def crlf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


# ---------------------------------------------------------------------------
# 1. olevba extracts exactly the .bas sources
# ---------------------------------------------------------------------------


def _assert_sources(extracted: dict[str, str], modules: dict[str, str]) -> None:
    assert set(extracted) == EXPECTED_MODULES
    for name in ("Kinerja",):
        # The stream holds the exported text verbatim, Attribute header included ...
        assert extracted[name] == crlf(modules[name])
        # ... and olevba's display filter leaves the same code as the .bas shows.
        assert filter_vba(extracted[name]) == filter_vba(modules[name])
        assert extracted[name].startswith(f'Attribute VB_Name = "{name}"\r\n')
    # Document modules carry only their attribute header.
    assert 'VB_Base = "0{00020819-0000-0000-C000-000000000046}"' in extracted["ThisWorkbook"]
    for sheet in ("Sheet1", "Sheet2"):
        assert extracted[sheet].startswith(f'Attribute VB_Name = "{sheet}"\r\n')
        assert 'VB_Base = "0{00020820-0000-0000-C000-000000000046}"' in extracted[sheet]
        assert filter_vba(extracted[sheet]).strip() == ""


def test_olevba_extracts_sources_from_bin(vba_bin, modules):
    _assert_sources(olevba_modules("vbaProject.bin", vba_bin), modules)


def test_olevba_extracts_sources_from_xlsm(xlsm, modules):
    _assert_sources(olevba_modules(xlsm.name, xlsm.read_bytes()), modules)


def test_module_text_is_stored_as_vba_export_does():
    built = build_vba_project(
        {
            # No header: one is added.
            "Bantu": "Public Function Dua() As Long\nDua = 2\nEnd Function\n",
            # Exported class module: the VERSION/BEGIN/END block is not stored.
            "Catatan": "VERSION 1.0 CLASS\r\nBEGIN\r\n  MultiUse = -1  'True\r\nEND\r\n"
            'Attribute VB_Name = "Catatan"\r\nAttribute VB_Exposed = False\r\nPublic Isi As String\r\n',
        }
    )
    got = olevba_modules("vbaProject.bin", built)
    assert got["Bantu"] == 'Attribute VB_Name = "Bantu"\r\nPublic Function Dua() As Long\r\nDua = 2\r\nEnd Function\r\n'
    assert got["Catatan"] == 'Attribute VB_Name = "Catatan"\r\nAttribute VB_Exposed = False\r\nPublic Isi As String\r\n'
    project = read_vba_project(built)
    assert project.classes == ("Catatan",)
    assert project.modules["Catatan"].kind == "nonprocedural"
    assert project.modules["Bantu"].kind == "procedural"
    with pytest.raises(ValueError, match="VB_Name"):
        build_vba_project({"Satu": 'Attribute VB_Name = "Dua"\r\n'})
    with pytest.raises(ValueError, match="code page"):
        build_vba_project({"Satu": "' \u4e2d\r\n"})


# ---------------------------------------------------------------------------
# 2. olefile opens the bin; dir declares the modules; PROJECT lists them
# ---------------------------------------------------------------------------


def _dir_records(data: bytes):
    """Independent walk over [MS-OVBA] 2.3.4.2 records: (id, payload)."""
    pos, out = 0, []
    while pos < len(data):
        (rid,) = struct.unpack_from("<H", data, pos)
        if rid == 0x0009:  # PROJECTVERSION: Reserved(4) VersionMajor(4) VersionMinor(2)
            out.append((rid, data[pos + 6 : pos + 12]))
            pos += 12
            continue
        (size,) = struct.unpack_from("<I", data, pos + 2)
        out.append((rid, data[pos + 6 : pos + 6 + size]))
        pos += 6 + size
    assert pos == len(data)
    return out


def test_dir_and_project_streams(vba_bin):
    assert olefile.isOleFile(io.BytesIO(vba_bin))
    ole = olefile.OleFileIO(vba_bin, raise_defects=olefile.DEFECT_INCORRECT)
    streams = {"/".join(p) for p in ole.listdir()}
    assert streams == {"PROJECT", "PROJECTwm", "VBA/dir", "VBA/_VBA_PROJECT"} | {
        f"VBA/{m}" for m in EXPECTED_MODULES
    }

    # _VBA_PROJECT: 7 bytes, version 0xFFFF, no performance cache.
    header = ole.openstream("VBA/_VBA_PROJECT").read()
    assert len(header) == 7 and header[:5] == bytes.fromhex("CC61FFFF00")

    records = _dir_records(decompress_stream(bytearray(ole.openstream("VBA/dir").read())))
    ids = [r for r, _ in records]
    assert ids[-1] == 0x0010
    first = dict(records[: ids.index(0x000F)])
    assert first[0x0004] == b"VBAProject"
    assert struct.unpack("<H", first[0x0003])[0] == 1252
    # Only registered type libraries, among them the Office library that
    # declares IRibbonControl; no project reference to a developer's add-in.
    assert 0x000E not in ids and 0x002F not in ids
    libids = [r[1][4:].decode("cp1252") for r in records if r[0] == 0x000D]
    assert any(OFFICE_LIB_GUID in lib for lib in libids)
    assert not any(b"xlwings.xlam" in p for _, p in records)

    count = struct.unpack("<H", dict(records)[0x000F])[0]
    declared, current = {}, None
    for rid, payload in records[ids.index(0x000F) :]:
        if rid == 0x0019:
            current = payload.decode("cp1252")
            declared[current] = {}
        elif rid == 0x001A:
            declared[current]["stream"] = payload.decode("cp1252")
        elif rid == 0x0031:
            declared[current]["offset"] = struct.unpack("<I", payload)[0]
        elif rid in (0x0021, 0x0022):
            declared[current]["type"] = rid
    assert count == len(declared) == 4
    assert set(declared) == EXPECTED_MODULES
    for name, rec in declared.items():
        assert rec["stream"] == name
        assert rec["offset"] == 0  # no performance cache before the source
        assert rec["type"] == (0x0021 if name == "Kinerja" else 0x0022)
        source = decompress_stream(bytearray(ole.openstream(f"VBA/{name}").read()))
        assert source.startswith(f'Attribute VB_Name = "{name}"'.encode())

    text = ole.openstream("PROJECT").read().decode("cp1252")
    lines = text.split("\r\n")
    assert lines[0].startswith('ID="{') and lines[0].endswith('}"')
    assert [ln for ln in lines if ln.startswith(("Module=", "Document=", "Class="))] == [
        "Document=ThisWorkbook/&H00000000",
        "Document=Sheet1/&H00000000",
        "Document=Sheet2/&H00000000",
        "Module=Kinerja",
    ]
    assert 'Name="VBAProject"' in lines
    assert "[Host Extender Info]" in lines
    project_id = lines[0][4:-1]
    fields = dict(ln.split("=", 1) for ln in lines if ln.startswith(("CMG=", "DPB=", "GC=")))
    assert decrypt_data(fields["CMG"].strip('"'), project_id) == bytes(4)  # not protected
    assert decrypt_data(fields["DPB"].strip('"'), project_id) == b"\x00"  # no password
    assert decrypt_data(fields["GC"].strip('"'), project_id) == b"\xff"  # visible

    wm = ole.openstream("PROJECTwm").read()
    assert wm.endswith(b"\x00\x00")
    for name in EXPECTED_MODULES:
        assert name.encode() + b"\x00" + name.encode("utf-16-le") + b"\x00\x00" in wm
    ole.close()


def test_protection_fields_match_excel():
    """Our 2.4.3 decryption reads the values Excel wrote into the template."""
    with zipfile.ZipFile(template_path()) as zf:
        template = zf.read("xl/vbaProject.bin")
    project = read_vba_project(template)
    lines = project.project_text.split("\r\n")
    project_id = lines[0][4:-1]
    values = {k: v.strip('"') for k, v in (ln.split("=", 1) for ln in lines if ln.startswith(("CMG", "DPB", "GC")))}
    assert decrypt_data(values["CMG"], project_id) == bytes(4)
    assert decrypt_data(values["DPB"], project_id) == b"\x00"
    assert decrypt_data(values["GC"], project_id) == b"\xff"
    with pytest.raises(ValueError):
        decrypt_data(values["GC"], "{00000000-0000-0000-0000-000000000000}")
    for seed in (0, 1, 2, 6, 0x9D, 0xFF):
        assert decrypt_data(encrypt_data(b"\x01\x02\x03", project_id, seed), project_id) == b"\x01\x02\x03"


def _check_red_black(ole: olefile.OleFileIO, sid: int) -> int:
    """Check the sibling tree under ``sid``; return its black height."""
    if sid == cfb.NOSTREAM:
        return 1
    e = ole.direntries[sid]
    for child in (e.sid_left, e.sid_right):
        if child != cfb.NOSTREAM and e.color == 0:
            assert ole.direntries[child].color == 1, "red node with a red child"
    if e.sid_left != cfb.NOSTREAM:
        assert cfb.cfb_name_key(ole.direntries[e.sid_left].name) < cfb.cfb_name_key(e.name)
    if e.sid_right != cfb.NOSTREAM:
        assert cfb.cfb_name_key(ole.direntries[e.sid_right].name) > cfb.cfb_name_key(e.name)
    left, right = _check_red_black(ole, e.sid_left), _check_red_black(ole, e.sid_right)
    assert left == right, "unequal black heights"
    if e.sid_child != cfb.NOSTREAM:
        assert ole.direntries[e.sid_child].color == 1, "tree root must be black"
        _check_red_black(ole, e.sid_child)
    return left + (1 if e.color == 1 else 0)


def test_compound_file_writer():
    rng = random.Random(20240501)
    streams = {}
    for i in range(70):  # sizes on both sides of the 4096-byte mini stream cutoff
        size = rng.choice([1, 63, 64, 65, 511, 512, 4095, 4096, 4097, rng.randint(0, 20000)])
        streams[f"S{i % 5}/n{i:02d}_{'x' * (i % 7)}"] = rng.randbytes(size)
    streams["Top"] = b""
    data = cfb.write_compound_file(streams, storages=["Kosong"])
    assert data == cfb.write_compound_file(dict(reversed(list(streams.items()))), storages=["Kosong"])
    ole = olefile.OleFileIO(data, raise_defects=olefile.DEFECT_INCORRECT)
    for path, content in streams.items():
        assert ole.openstream(path).read() == content
    assert ole.get_type("Kosong") == olefile.STGTY_STORAGE
    _check_red_black(ole, 0)
    ole.close()

    # More than 109 FAT sectors: the DIFAT sectors must be right too.
    big = rng.randbytes(8 * 1024 * 1024)
    data = cfb.write_compound_file({"besar": big, "kecil": b"ok"})
    ole = olefile.OleFileIO(data, raise_defects=olefile.DEFECT_INCORRECT)
    assert struct.unpack_from("<I", data, 0x48)[0] > 0  # number of DIFAT sectors
    assert ole.openstream("besar").read() == big and ole.openstream("kecil").read() == b"ok"
    ole.close()

    with pytest.raises(ValueError):
        cfb.write_compound_file({"a" * 32: b""})


# ---------------------------------------------------------------------------
# 3. LibreOffice opens the .xlsm and sees the modules
# ---------------------------------------------------------------------------


def _soffice(args: list[str], profile: Path, cwd: Path) -> None:
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    assert exe, "LibreOffice (soffice) is required for this test"
    subprocess.run(
        [exe, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore", *args],
        cwd=cwd,
        check=True,
        timeout=300,
        capture_output=True,
        env={**os.environ, "HOME": str(profile)},
    )


@pytest.fixture(scope="module")
def libreoffice_outputs(xlsm, workdir) -> dict[str, Path]:
    profile = workdir / "lo-profile"
    out = workdir / "lo-out"
    _soffice(["--convert-to", "ods", "--outdir", str(out), str(xlsm)], profile, workdir)
    ods = out / (xlsm.stem + ".ods")
    out2 = workdir / "lo-out-xlsm"
    _soffice(
        ["--convert-to", "xlsm:Calc MS Excel 2007 VBA XML", "--outdir", str(out2), str(xlsm)], profile, workdir
    )
    return {"ods": ods, "xlsm": out2 / xlsm.name}


def test_libreoffice_imports_modules_into_basic(libreoffice_outputs, modules):
    with zipfile.ZipFile(libreoffice_outputs["ods"]) as zf:
        lib = SafeET.fromstring(zf.read("Basic/VBAProject/script-lb.xml"))
        ns = "{http://openoffice.org/2000/library}"
        assert lib.get(f"{ns}name") == "VBAProject"
        assert {el.get(f"{ns}name") for el in lib} == EXPECTED_MODULES
        sns = "{http://openoffice.org/2000/script}"
        for name in EXPECTED_MODULES:
            mod = SafeET.fromstring(zf.read(f"Basic/VBAProject/{name}.xml"))
            assert mod.get(f"{sns}name") == name
            kind = "normal" if name == "Kinerja" else "document"
            assert mod.get(f"{sns}moduleType") == kind
            code = mod.text.split("\n")
            # LibreOffice prefixes its VBA-compatibility lines and drops the Attribute header.
            assert code[0].startswith("Rem Attribute VBA_ModuleType=")
            assert code[1] == "Option VBASupport 1"
            if kind == "normal":
                expected = filter_vba(modules[name]).replace("\r\n", "\n")
                assert "\n".join(code[2:]).rstrip("\n") == expected.rstrip("\n")


def test_libreoffice_round_trip_keeps_modules_and_ribbon(libreoffice_outputs, modules, xlsm):
    data = libreoffice_outputs["xlsm"].read_bytes()
    extracted = olevba_modules("lo.xlsm", data)
    assert set(extracted) == EXPECTED_MODULES
    for name in ("Kinerja",):
        assert extracted[name].rstrip("\r\n") == crlf(modules[name]).rstrip("\r\n")
    with zipfile.ZipFile(io.BytesIO(data)) as zf, zipfile.ZipFile(xlsm) as orig:
        assert zf.read(CUSTOMUI_PART) == orig.read(CUSTOMUI_PART)


# ---------------------------------------------------------------------------
# 4. Ribbon and dispatcher agree
# ---------------------------------------------------------------------------

_SUB = re.compile(r"^Public Sub (\w+)\(([^)]*)\)\r$", re.MULTILINE)


def vba_like_to_regex(pattern: str) -> re.Pattern[str]:
    """Translate a VBA ``Like`` pattern (Option Compare Binary) to a regex."""
    out, i = [], 0
    while i < len(pattern):
        c = pattern[i]
        if c == "*":
            out.append(".*")
        elif c == "?":
            out.append(".")
        elif c == "#":
            out.append("[0-9]")
        elif c == "[":
            j = pattern.index("]", i)
            body = pattern[i + 1 : j]
            neg = body.startswith("!")
            out.append("[" + ("^" if neg else "") + body[1 if neg else 0 :].replace("\\", "\\\\") + "]")
            i = j
        else:
            out.append(re.escape(c))
        i += 1
    return re.compile("".join(out), re.DOTALL)


def test_ribbon_matches_actions_and_dispatcher():
    committed = (ADDIN / "customUI.xml").read_text(encoding="utf-8")
    assert committed == ribbon_xml()
    root = SafeET.fromstring(committed.encode("utf-8"))
    ns = f"{{{CUSTOMUI_NAMESPACE}}}"
    assert root.tag == f"{ns}customUI"
    tabs = root.findall(f"{ns}ribbon/{ns}tabs/{ns}tab")
    assert len(tabs) == 1 and tabs[0].get("label") == TAB_LABEL
    groups = tabs[0].findall(f"{ns}group")
    assert [g.get("label") for g in groups] == [g for g, _ in GROUPS]

    kinerja_bas = (ADDIN / "Kinerja.bas").read_bytes().decode("cp1252")
    subs = dict(_SUB.findall(kinerja_bas))
    buttons = [(g.get("label"), b) for g in groups for b in g.findall(f"{ns}button")]
    assert [b.get("tag") for _, b in buttons] == list(ACTIONS)  # every action, in order, nothing else
    assert len(root.findall(f".//{ns}button")) == len(ACTIONS)
    for group_label, b in buttons:
        action = ACTIONS[b.get("tag")]
        assert b.get("onAction") == CALLBACK
        assert subs.get(b.get("onAction")) == "control As IRibbonControl"
        assert b.get("label").replace("&&", "&") == action.label
        assert group_label == action.group
        assert b.get("screentip") == action.screentip and action.screentip
        assert re.fullmatch(r"[A-Z][A-Za-z0-9]+", b.get("imageMso"))
    assert len({b.get("id") for _, b in buttons}) == len(buttons)
    assert [a.label for a in ACTIONS.values()] == [
        "Buat Formulir", "Tanda Terima", "Himpun & Rekap", "Validasi", "Setujui / Kembalikan",
        "Catat Langkah", "Status", "Buat Laporan", "Surat Pengantar", "Form E.81", "Arsipkan", "Periode Baru",
    ]  # fmt: skip


def test_dispatcher_rejects_unsafe_tags():
    raw = (ADDIN / "Kinerja.bas").read_bytes()
    assert b"\n" not in raw.replace(b"\r\n", b"")  # CRLF line ends, as VBA exports
    text = raw.decode("cp1252")
    assert text.startswith('Attribute VB_Name = "Kinerja"\r\n')
    assert "Public Sub KinerjaJalankan(tag As String)" in text
    start = text.index("Public Sub KinerjaTombol")
    tombol = text[start : text.index("End Sub", start)]
    assert "KinerjaJalankan control.Tag" in tombol and "RunPython" not in tombol
    body = text[text.index("Public Sub KinerjaJalankan") :]
    guard = re.search(r'If Len\(tag\) = 0 Or tag Like "([^"]+)" Then\r\n(.*?)End If', body, re.DOTALL)
    assert guard and "Exit Sub" in guard.group(2)
    run = body.index("Application.Run \"xlwings.xlam!RunPython\", "
                     "\"import kinerja.excel.handlers as h; h.run('\" & tag & \"')\"")
    code_lines = [ln for ln in text.split("\r\n") if not ln.lstrip().startswith("'")]
    assert guard.end() < run and sum("RunPython" in ln for ln in code_lines) == 1
    assert body.index("On Error GoTo TanpaAddin") < run < body.index("TanpaAddin:")
    like = vba_like_to_regex(guard.group(1))
    for tag in ACTIONS:
        assert not like.fullmatch(tag)
    for bad in ["x'); import os; ('", "Validasi", "buat-formulir", "status ", "arsip\u00e9", "a1"]:
        assert like.fullmatch(bad), bad


def test_shipped_workbook_carries_only_the_dispatcher():
    """workbook/induk_kinerja.xlsm: olevba extracts every module equal to its source, and finds
    only the keywords addin/README.md states (Run: Application.Run of the add-in's RunPython;
    Hex Strings: the GUIDs Excel writes in every document module's VB_Base attribute)."""
    shipped = Path(__file__).resolve().parents[2] / "workbook" / "induk_kinerja.xlsm"
    parser = VBA_Parser(str(shipped))
    try:
        extracted = {Path(n).stem: code for _, _, n, code in parser.extract_macros()}
        suspicious = sorted(k for t, k, _ in parser.analyze_macros() if t == "Suspicious")
    finally:
        parser.close()
    modules = default_modules()
    assert set(modules) == {"Kinerja"}
    assert extracted["Kinerja"] == crlf(modules["Kinerja"])
    documents = {n for n in extracted if n != "Kinerja"}
    assert "ThisWorkbook" in documents and len(documents) == len(openpyxl.load_workbook(shipped).worksheets) + 1
    for name in documents:
        assert filter_vba(extracted[name]).strip() == ""  # attribute header only
    assert suspicious == ["Hex Strings", "Run"]
    readme = (Path(__file__).resolve().parents[2] / "addin" / "README.md").read_text(encoding="utf-8")
    assert "| before | 29 |" in readme and "| after | 2 |" in readme
    assert "BSD 3-clause" in modules["Kinerja"]  # the licence of the add-in it calls


def test_xlsm_package_parts(xlsm):
    with zipfile.ZipFile(xlsm) as zf:
        names = zf.namelist()
        assert names[0] == "[Content_Types].xml" and names[1:] == sorted(names[1:])
        assert all(i.date_time == (1980, 1, 1, 0, 0, 0) for i in zf.infolist())
        assert zf.read(CUSTOMUI_PART).decode("utf-8") == ribbon_xml()
        root_rels = SafeET.fromstring(zf.read("_rels/.rels"))
        ui = [r for r in root_rels if r.get("Type") == UI_REL_2010]
        assert len(ui) == 1 and ui[0].get("Target") == CUSTOMUI_PART
        wb_rels = SafeET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
        assert [r.get("Target") for r in wb_rels if r.get("Type") == VBA_REL] == ["vbaProject.bin"]
        assert len({r.get("Id") for r in wb_rels}) == len(list(wb_rels))
        types = SafeET.fromstring(zf.read("[Content_Types].xml"))
        overrides = {o.get("PartName"): o.get("ContentType") for o in types.iter(f"{CT_NS}Override")}
        assert overrides["/xl/vbaProject.bin"] == "application/vnd.ms-office.vbaProject"
        assert overrides["/xl/workbook.xml"] == "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
        assert 'codeName="ThisWorkbook"' in zf.read("xl/workbook.xml").decode()
    wb = openpyxl.load_workbook(xlsm, keep_vba=True)
    assert wb.sheetnames == list(SHEETS)
    assert [ws.sheet_properties.codeName for ws in wb] == ["Sheet1", "Sheet2"]
    assert wb.code_name == "ThisWorkbook"
    with pytest.raises(ValueError, match="xlsm"):
        make_xlsm(xlsm.with_suffix(".xlsx"), xlsm.with_suffix(".xlsx"))


# ---------------------------------------------------------------------------
# 5. Deterministic output
# ---------------------------------------------------------------------------


def test_builds_are_byte_identical(modules, vba_bin, xlsx, xlsm, workdir):
    again = build_vba_project(default_modules(), sheet_code_names=["Sheet1", "Sheet2"])
    assert hashlib.sha256(again).digest() == hashlib.sha256(vba_bin).digest()
    second = make_xlsm(xlsx, workdir / "induk-2.xlsm")
    assert hashlib.sha256(second.read_bytes()).digest() == hashlib.sha256(xlsm.read_bytes()).digest()
    # A different source gives a different project (ID included).
    changed = build_vba_project({**modules, "Kinerja": modules["Kinerja"] + "' ubah\r\n"})
    assert changed != vba_bin


# ---------------------------------------------------------------------------
# 6. Compression round trip against oletools
# ---------------------------------------------------------------------------


def _expected_after_roundtrip(data: bytes, container: bytes) -> bytes:
    """A chunk stored raw always holds 4096 bytes ([MS-OVBA] 2.4.1.3.10)."""
    pos, chunks = 1, []
    while pos < len(container):
        (header,) = struct.unpack_from("<H", container, pos)
        chunks.append(bool(header & 0x8000))
        pos += (header & 0x0FFF) + 3
    assert pos == len(container)
    assert len(chunks) == -(-len(data) // 4096)
    if chunks and not chunks[-1]:
        return data + bytes(-len(data) % 4096)
    return data


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=13000))
@example(random.Random(7).randbytes(5000))  # raw first chunk, compressed short last chunk
@example(random.Random(8).randbytes(8000))  # raw, zero-padded last chunk
@example(b"")
def test_compression_round_trip_random_bytes(data):
    container = compress(data)
    out = decompress_stream(bytearray(container))
    assert out == _expected_after_roundtrip(data, container)
    assert decompress(container) == out


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.sampled_from([b"Dim ", b"As String", b"\r\n", b"    ", b"End Sub", b"a", b"b", b"'", b'"']),
        max_size=3000,
    )
)
def test_compression_round_trip_source_like(parts):
    data = b"".join(parts)
    container = compress(data)
    assert decompress_stream(bytearray(container)) == data
    assert decompress(container) == data
    if len(data) > 200:
        assert len(container) < len(data)  # it really compresses


def test_decompress_matches_oletools_on_excel_streams():
    with zipfile.ZipFile(template_path()) as zf:
        template = zf.read("xl/vbaProject.bin")
    ole = olefile.OleFileIO(template)
    project = read_vba_project(template)
    assert {"ThisWorkbook", "Module1"} <= set(project.modules)
    dir_raw = ole.openstream("VBA/dir").read()
    assert decompress(dir_raw) == decompress_stream(bytearray(dir_raw))
    for module in project.modules.values():
        raw = ole.openstream(f"VBA/{module.stream_name}").read()[module.text_offset :]
        assert decompress(raw) == decompress_stream(bytearray(raw))
    ole.close()


# ---------------------------------------------------------------------------
# restore_addin_parts after an openpyxl save
# ---------------------------------------------------------------------------


def test_restore_after_openpyxl_save(xlsm, workdir, modules):
    saved = workdir / "disimpan.xlsm"
    wb = openpyxl.load_workbook(xlsm, keep_vba=True)
    wb.create_sheet("Laporan")
    wb.save(saved)
    with zipfile.ZipFile(saved) as zf:
        rels = SafeET.fromstring(zf.read("_rels/.rels"))
        # openpyxl keeps the part but drops its relationship: the ribbon would vanish.
        assert CUSTOMUI_PART in zf.namelist()
        assert not [r for r in rels if r.get("Type") == UI_REL_2010]
        vba_after_openpyxl = zf.read("xl/vbaProject.bin")

    restore_addin_parts(xlsm, saved)
    with zipfile.ZipFile(saved) as zf, zipfile.ZipFile(xlsm) as orig:
        rels = SafeET.fromstring(zf.read("_rels/.rels"))
        ui = [r for r in rels if r.get("Type") == UI_REL_2010]
        assert len(ui) == 1 and ui[0].get("Target") == CUSTOMUI_PART
        assert zf.read(CUSTOMUI_PART) == orig.read(CUSTOMUI_PART)
        assert zf.read("xl/vbaProject.bin") == vba_after_openpyxl == orig.read("xl/vbaProject.bin")
    wb = openpyxl.load_workbook(saved, keep_vba=True)
    assert wb.sheetnames == [*SHEETS, "Laporan"]
    first = saved.read_bytes()
    restore_addin_parts(xlsm, saved)  # idempotent
    assert saved.read_bytes() == first


def test_restore_rebuilds_lost_vba_project(xlsm, workdir, modules):
    saved = workdir / "tanpa-vba.xlsm"
    wb = openpyxl.load_workbook(xlsm)  # keep_vba=False: the VBA project is lost
    wb.create_sheet("Laporan")
    wb.save(saved)
    with zipfile.ZipFile(saved) as zf:
        assert "xl/vbaProject.bin" not in zf.namelist()

    restore_addin_parts(xlsm, saved)
    extracted = olevba_modules(saved.name, saved.read_bytes())
    assert extracted["Kinerja"] == crlf(modules["Kinerja"])
    wb = openpyxl.load_workbook(saved, keep_vba=True)
    code_names = [ws.sheet_properties.codeName for ws in wb]
    assert set(extracted) == {"ThisWorkbook", "Kinerja", *code_names}
    assert len(set(code_names)) == 3
    with zipfile.ZipFile(saved) as zf:
        types = SafeET.fromstring(zf.read("[Content_Types].xml"))
        overrides = {o.get("PartName"): o.get("ContentType") for o in types.iter(f"{CT_NS}Override")}
        assert overrides["/xl/workbook.xml"] == "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
        assert [r for r in SafeET.fromstring(zf.read("_rels/.rels")) if r.get("Type") == UI_REL_2010]


def test_make_xlsm_on_the_real_master_workbook(sample_master, tmp_path, modules):
    """The lead's master workbook (many sheets) gets one document module per worksheet."""
    out = make_xlsm(sample_master, tmp_path / "induk.xlsm")
    extracted = olevba_modules(out.name, out.read_bytes())
    assert extracted["Kinerja"] == crlf(modules["Kinerja"])
    wb = openpyxl.load_workbook(out, keep_vba=True)
    original = openpyxl.load_workbook(sample_master)
    assert wb.sheetnames == original.sheetnames
    code_names = [ws.sheet_properties.codeName for ws in wb]
    assert len(set(code_names)) == len(code_names) == len(wb.worksheets)
    assert set(extracted) == {"ThisWorkbook", "Kinerja", *code_names}
