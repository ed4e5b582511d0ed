"""Tables written as XML text (kinerja.wordtables) are the tables python-docx builds: the annual
draft made both ways is the same package, member by member, hostile text included."""

from __future__ import annotations

import zipfile
from datetime import datetime
from pathlib import Path

import pytest
from docx import Document
from hypothesis import given, settings
from hypothesis import strategies as st

from kinerja.ooxml.zip import rewrite_member
from kinerja.sample.demo import sample_dir
from kinerja.stages import annual as A
from kinerja.wordtables import StreamedBlocks, WordParagraphs, WordTable, xml_text
from kinerja.workbook.master import build_master, load_master, read_office_data

# what a unit or the office may type that XML, python-docx's run text or a template treat specially
HOSTILE = ["A & B <b>x</b>", "]]>", "{{ x }}", "{% if x %}", '"q" \'s\'', "baris\ndua\n\nempat", "tab\tdi sini",
           "\r\nCRLF\r", "=SUM(A1)", "-", "12,5 persen", " spasi di tepi ", "\u00a0tak-putus\u3000",
           "panjang " * 2000, "", "‘kutip’ “dua” é 中文 😀", "<?kinerja-block 0?>", "bel\a", "nul\x00x",
           "\x0bvt\x0c", "\ufffe\uffff", "\x1f\x7f\x85"]


def _members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {i.filename: z.read(i) for i in z.infolist()}


def _table_document(rows: list[list[str]], widths: list[float], size: float, stream: bool) -> bytes:
    """document.xml of a document with one table, as `StreamedTables.save` writes it."""
    from docx.opc.oxml import serialize_part_xml

    doc = Document()
    doc.add_paragraph("sebelum")
    spec = WordTable([f"Kolom {j} &" for j in range(len(widths))], iter(rows), widths, size)
    blocks = StreamedBlocks(doc)
    if stream:
        blocks.add(spec)
    else:
        A._docx_table(doc, spec)
    doc.add_paragraph("sesudah")
    return b"".join(blocks._document(serialize_part_xml(doc.element)))


@settings(max_examples=30, deadline=None)
@given(rows=st.lists(st.lists(st.one_of(st.sampled_from(HOSTILE), st.text(max_size=12)), min_size=3, max_size=3),
                     max_size=4),
       size=st.sampled_from([7, 7.5, 8, 9, 10.25]),
       widths=st.lists(st.floats(0.3, 9.99).map(lambda w: round(w, 2)), min_size=3, max_size=3))
def test_a_table_is_the_xml_python_docx_makes(rows, size, widths):
    streamed = _table_document(rows, widths, size, True)
    built = _table_document(rows, widths, size, False)
    assert streamed == built
    assert b"<?kinerja-block" not in streamed


@settings(max_examples=30, deadline=None)
@given(texts=st.lists(st.one_of(st.sampled_from(HOSTILE), st.text(max_size=12)), max_size=4),
       size=st.sampled_from([None, 8, 9, 10.5]), bold=st.booleans(), italic=st.booleans(), center=st.booleans(),
       before=st.sampled_from([0, 1, 4.5]), after=st.sampled_from([0, 1, 4]))
def test_paragraphs_are_the_xml_python_docx_makes(texts, size, bold, italic, center, before, after):
    from docx.opc.oxml import serialize_part_xml

    form = dict(size=size, bold=bold, italic=italic, center=center, before=before, after=after)
    docs = []
    for stream in (True, False):
        doc = Document()
        blocks = StreamedBlocks(doc)
        if stream:
            blocks.add(WordParagraphs(iter(texts), **form))
        else:
            for text in texts:
                A._docx_para(doc, text, **form)
        docs.append(b"".join(blocks._document(serialize_part_xml(doc.element))))
    assert docs[0] == docs[1]


def test_text_xml_cannot_hold_is_left_out():
    assert xml_text("a\x00b\x01\x08\x0b\x0c\x0e\x1fc\ufffe\uffffd") == "abcd"
    assert xml_text("\t\n\r é 😀 \x7f\x85") == "\t\n\r é 😀 \x7f\x85"  # what XML holds stays


@pytest.fixture(scope="module")
def hostile_master(tmp_path_factory) -> Path:
    """The sample office at TW IV, its names and units written to break XML and templates, one
    indicator's name holding control characters as Excel stores them (_x0001_)."""
    data = read_office_data(sample_dir())
    data.settings = {**data.settings, "nomor_periode": 4, "batas_waktu": None, "nama_instansi": "Kecamatan <A&B>"}
    for n, ind in enumerate(data.indicators):
        ind["nama"] = ("MARK " if n == 0 else "") + HOSTILE[n % 18] + f" {n}"
        if n % 7 == 3:
            ind["sasaran"] = "Sasaran & <tata> ]]> {{ kelola }}\nbaris dua"
    for n, unit in enumerate(data.units):
        unit["nama"] = HOSTILE[(n + 5) % 18] or "Unit"
    for n, r in enumerate(data.results):
        r["r3"], r["r4"] = r["r2"], r["r2"]
        if n % 4 == 0:
            r["penjelasan"] = ("MARK " if n == 4 else "") + (HOSTILE[n % 18] or "x")
    path = tmp_path_factory.mktemp("hostile") / "induk.xlsx"
    build_master(path, "candipuro", data)
    marked = path.with_name("induk-kontrol.xlsx")
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(marked, "w", zipfile.ZIP_DEFLATED) as zout:
        found = 0
        for info in zin.infolist():
            xml = zin.read(info)
            found += xml.count(b"MARK ")
            zout.writestr(info, xml.replace(b"MARK ", b"MARK_x0001_\xe2\x80\x8b_x000B_ "))
    assert found
    return marked


def test_the_annual_draft_is_the_document_python_docx_made(hostile_master, tmp_path):
    loaded = load_master(hostile_master)
    assert loaded.master is not None, loaded.report.to_json()
    assert loaded.master.indicators[0].nama.startswith("MARK\x01\u200b\x0b ")  # it reached the draft's data
    assert loaded.master.results[loaded.master.indicators[4].kode].penjelasan.startswith("MARK\x01")
    data = A.annual_data(loaded)
    texts, _n, _e = A.office_text(loaded)
    charts = A._trend_charts(data, tmp_path)
    now = datetime(2027, 1, 20, 9)
    streamed = _members(A._document(data, texts, charts, tmp_path / "a.docx", loaded, now))
    built = _members(A._document(data, texts, charts, tmp_path / "b.docx", loaded, now, stream=False))
    assert list(streamed) == list(built) and streamed == built
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*(p.name for p in charts.values()), "a.docx", "b.docx"])

    doc = Document(str(tmp_path / "a.docx"))
    assert len(doc.tables) == 3 + 2 * len({i.sasaran for i in loaded.master.indicators})
    cells = {c.text for t in doc.tables for row in t.rows for c in row.cells}
    names = {i.nama.replace("\x01", "").replace("\x0b", "").replace("\r\n", "\n").replace("\r", "\n")
             for i in loaded.master.indicators}
    assert names <= cells  # every name as typed (control characters left out), in its cells
    assert {"baris\ndua\n\nempat 5", "tab\tdi sini 6", "]]> 1", "=SUM(A1) 8"} <= cells
    assert any(c.startswith("panjang panjang") and len(c) > 15000 for c in cells)


def test_the_annual_report_renders_streamed(hostile_master, tmp_path):
    loaded = load_master(hostile_master)
    out = A.render_annual(loaded, tmp_path / "lkjip", force=True, who="AGUS", now=datetime(2027, 1, 20, 9))
    assert not out.report.blocking, out.report.to_json()
    [docx] = out.files
    assert [p.name for p in docx.parent.iterdir()] == [docx.name]  # no stand-in or partial package left
    xml = _members(docx)["word/document.xml"].decode("utf-8")
    assert "<?kinerja-block" not in xml
    assert xml.count("<w:tbl>") == 3 + 2 * len({i.sasaran for i in loaded.master.indicators}) == 17


def test_a_failed_rewrite_leaves_the_package_as_it_was(tmp_path):
    path = tmp_path / "a.docx"
    Document().save(str(path))
    before = path.read_bytes()

    def broken(xml: bytes):
        yield xml[:10]
        raise ValueError("rusak")

    with pytest.raises(ValueError):
        rewrite_member(path, "word/document.xml", broken)
    with pytest.raises(KeyError):
        rewrite_member(path, "word/tidak-ada.xml", lambda xml: [xml])
    assert path.read_bytes() == before and [p.name for p in tmp_path.iterdir()] == ["a.docx"]
