"""The package calamine gets (kinerja.ooxml.onepass): every member as it was but the worksheets,
each with the empty <mergeCells> in front, still a valid zip (CRC-32 and sizes right), and
calamine reads the same values from it as from the file, its merged-range pass stopping at once."""

from __future__ import annotations

import io
import zipfile
import zlib
from pathlib import Path

import pytest
from openpyxl import Workbook
from python_calamine import CalamineWorkbook

from kinerja.ooxml.onepass import PREFIX, one_pass, plain_worksheet
from kinerja.ooxml.reading import UntrustedPackage, sheet_parts

EXCEL = Path(__file__).resolve().parent.parent / "data" / "excel-authored"


def _values(data: bytes) -> dict[str, list]:
    wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    return {n: wb.get_sheet_by_name(n).to_python(skip_empty_area=False) for n in wb.sheet_names}


def _check(data: bytes) -> bytes:
    parts = set(sheet_parts(UntrustedPackage(data)).values())
    assert parts
    out = one_pass(data, parts)
    before, after = zipfile.ZipFile(io.BytesIO(data)), zipfile.ZipFile(io.BytesIO(out))
    assert after.testzip() is None  # every member's CRC-32 and size as written
    assert after.namelist() == before.namelist()
    for name in before.namelist():
        expected = before.read(name)
        assert after.read(name) == (PREFIX + expected if name in parts else expected), name
    assert _values(out) == _values(data)
    return out


def test_the_prefix_leaves_a_crc_as_it_is():
    assert zlib.crc32(PREFIX) == 0
    for tail in (b"", b"<worksheet/>", bytes(range(256)) * 300):
        assert zlib.crc32(PREFIX + tail) == zlib.crc32(tail)


@pytest.mark.parametrize("name", sorted(p.name for p in EXCEL.glob("*.xls*")))
def test_excel_files_read_the_same(name):
    _check((EXCEL / name).read_bytes())


def test_the_master_reads_the_same_and_merged_ranges_are_not_looked_for(sample_master, tmp_path):
    wb = Workbook()
    ws = wb.active
    ws["A1"], ws["B2"] = "gabung", 2.5
    ws.merge_cells("A1:C1")
    path = tmp_path / "gabung.xlsx"
    wb.save(path)
    data = path.read_bytes()
    assert CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name("Sheet").merged_cell_ranges
    out = _check(data)
    # calamine's second pass met the empty <mergeCells> first: it stopped there
    assert CalamineWorkbook.from_filelike(io.BytesIO(out)).get_sheet_by_name("Sheet").merged_cell_ranges == []
    _check(sample_master.read_bytes())


def test_stored_members_and_data_descriptors(sample_master):
    """A zip written as a stream (sizes in a data descriptor after each member) and one with
    stored members: both prefixed, both read the same."""
    source = zipfile.ZipFile(sample_master)

    class Stream(io.RawIOBase):  # not seekable: zipfile writes data descriptors
        def __init__(self) -> None:
            self.raw = io.BytesIO()

        def writable(self) -> bool:
            return True

        def write(self, b) -> int:  # type: ignore[override]
            return self.raw.write(b)

    for method in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        stream = Stream()
        with zipfile.ZipFile(stream, "w", compression=method) as z:
            for info in source.infolist():
                z.writestr(info.filename, source.read(info.filename))
        data = stream.raw.getvalue()
        assert any(i.flag_bits & 0x8 for i in zipfile.ZipFile(io.BytesIO(data)).infolist())
        _check(data)


def test_what_is_left_as_it_is():
    assert plain_worksheet(b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<worksheet')
    assert plain_worksheet(b"<worksheet xmlns=")
    assert plain_worksheet(b'<?xml version="1.0"?>\n<x:worksheet xmlns:x=')
    assert not plain_worksheet(b'<?xml version="1.0"?><chartsheet xmlns=')
    assert not plain_worksheet(b"\xef\xbb\xbf<?xml version='1.0'?><worksheet")  # a byte-order mark first
    assert not plain_worksheet("<?xml version='1.0' encoding='UTF-16'?>".encode("utf-16"))
    assert not plain_worksheet(b'<?xml version="1.0" encoding="windows-1252"?><worksheet')
    assert one_pass(b"not a zip", {"xl/worksheets/sheet1.xml"}) == b"not a zip"
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as z:
        z.writestr("a.xml", "<a/>")
        with pytest.warns(UserWarning):
            z.writestr("a.xml", "<b/>")  # a name given twice: which one a reader takes is its own choice
    assert one_pass(data.getvalue(), {"a.xml"}) == data.getvalue()


def test_a_unit_form_as_collect_reads_it(sample_master, tmp_path):
    """Collect gives calamine each returned form prefixed too (stages/returns._open_book): a form
    kinerja built, filled by its unit, reads the same."""
    from datetime import datetime

    from kinerja.sample.roles import fill_form
    from kinerja.stages.forms import build_forms
    from kinerja.workbook.master import load_master

    made = build_forms(load_master(sample_master), tmp_path, units=["PEM"], now=datetime(2026, 10, 5, 9, 0))
    (form,) = [p for p in made.files if p.suffix == ".xlsx"]
    code = load_master(sample_master).master.indicators_of("PEM")[0].kode
    filled = fill_form(form, tmp_path / "kembali.xlsx", {code: {"r3": 7, "penjelasan": "Rapat & <koordinasi>"}})
    out = _check(filled.read_bytes())
    assert any(7 in row and "Rapat & <koordinasi>" in row for rows in _values(out).values() for row in rows)
