"""Build the Word templates of SOP steps 12-14: the performance-data report (laporan.docx) and
the cover letter (surat_pengantar.docx).

The outputs are ordinary .docx files with Jinja tags (docxtpl): staff open them in Word and
change the letterhead, wording, fonts or layout, keeping the {{ ... }} fields. The fields each
template must keep, and the ones it may use, are listed in kinerja/stages/documents.py
(REQUIRED_FIELDS, available fields = the render context).

Run from the project folder:

    python templates/build_report_templates.py
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

HERE = Path(__file__).resolve().parent
FONT = "Arial"
HEAD_FILL = "D9E2F3"


# ----------------------------------------------------------------------------------- helpers


def _document() -> Document:
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(1.5), Cm(1.8)
    section.left_margin, section.right_margin = Cm(2.5), Cm(2)
    section.header_distance, section.footer_distance = Cm(0.7), Cm(0.8)
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(11)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.line_spacing = 1.1
    return doc


def _para(container, text: str = "", *, bold: bool = False, size: float | None = None,
          align=None, italic: bool = False, underline: bool = False, color: str | None = None,
          before: float = 0, after: float = 0, indent: float | None = None, keep: bool = False):
    """A paragraph with one run (so a Jinja tag is never split across runs)."""
    p = container.add_paragraph()
    if text:
        run = p.add_run(text)
        run.bold, run.italic, run.underline = bold, italic, underline
        if size:
            run.font.size = Pt(size)
        if color:
            run.font.color.rgb = RGBColor.from_string(color)
    fmt = p.paragraph_format
    if align is not None:
        p.alignment = align
    fmt.space_before, fmt.space_after = Pt(before), Pt(after)
    if indent is not None:
        fmt.first_line_indent = Cm(indent)
    if keep:
        fmt.keep_with_next = True
    return p


def _tag(container, tag: str):
    """A paragraph holding only a docxtpl paragraph tag ({%p ... %}); it disappears on render."""
    return _para(container, tag)


def _cell_text(cell, text: str, *, bold: bool = False, size: float = 9, align=None,
               fill: str | None = None) -> None:
    p = cell.paragraphs[0]
    if text:
        run = p.add_run(text)
        run.bold = bold
        run.font.size = Pt(size)
    if align is not None:
        p.alignment = align
    if fill:
        _shade(cell, fill)


def _shade(cell, fill: str) -> None:
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shd)


def _widths(table, widths_cm: list[float]) -> None:
    table.autofit = False
    for j, w in enumerate(widths_cm):
        table.columns[j].width = Cm(w)
        for cell in table.columns[j].cells:
            cell.width = Cm(w)


def _narrow_margins(table, twips: int = 57) -> None:
    """Cell padding of 0.1 cm left and right, so numbers and short words fit their columns."""
    mar = OxmlElement("w:tblCellMar")
    for edge in ("left", "right"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:w"), str(twips))
        el.set(qn("w:type"), "dxa")
        mar.append(el)
    table._tbl.tblPr.append(mar)


def _repeat_header(row) -> None:
    trPr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    trPr.append(el)


def _no_split(row) -> None:
    trPr = row._tr.get_or_add_trPr()
    trPr.append(OxmlElement("w:cantSplit"))


def _no_borders(table) -> None:
    tblPr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    tblPr.append(borders)


def _bottom_rule(paragraph, size: int = 18) -> None:
    """The double rule under a letterhead."""
    pPr = paragraph._p.get_or_add_pPr()
    bdr = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    bottom.set(qn("w:val"), "thickThinSmallGap")
    bottom.set(qn("w:sz"), str(size))
    bottom.set(qn("w:space"), "1")
    bottom.set(qn("w:color"), "000000")
    bdr.append(bottom)
    pPr.append(bdr)


def _field(paragraph, instr: str, size: float = 8) -> None:
    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), instr)
    run = OxmlElement("w:r")
    rpr = OxmlElement("w:rPr")
    sz = OxmlElement("w:sz")
    sz.set(qn("w:val"), str(int(size * 2)))
    rpr.append(sz)
    run.append(rpr)
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    fld.append(run)
    paragraph._p.append(fld)


def _header_footer(doc, footer_text: str) -> None:
    """DRAF on every page when the document is a draft; page numbers in the footer."""
    section = doc.sections[0]
    header = section.header.paragraphs[0]
    header.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = header.add_run("{% if draf %}DRAF - BELUM DISETUJUI, BUKAN DOKUMEN RESMI{% endif %}")
    run.bold = True
    run.font.size = Pt(14)
    run.font.color.rgb = RGBColor(0xC0, 0x00, 0x00)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for text, instr in ((footer_text + " - Halaman ", "PAGE"), (" dari ", "NUMPAGES")):
        r = footer.add_run(text)
        r.font.size = Pt(8)
        _field(footer, instr)


def _letterhead(doc) -> None:
    """Logo at the left, the office's letterhead lines centred, a double rule below."""
    table = doc.add_table(rows=1, cols=2)
    _no_borders(table)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _widths(table, [2.6, 13.9])
    logo_cell, text_cell = table.rows[0].cells
    p = logo_cell.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.add_run("{% if logo %}{{ logo }}{% endif %}")
    text_cell.paragraphs[0].add_run("{%p for baris in kop_judul %}")
    _para(text_cell, "{{ baris }}", bold=True, size=14, align=WD_ALIGN_PARAGRAPH.CENTER)
    _tag(text_cell, "{%p endfor %}")
    _para(text_cell, "{{ kop_alamat }}", size=9, align=WD_ALIGN_PARAGRAPH.CENTER)
    rule = _para(doc, "", after=6)
    _bottom_rule(rule)


def _signature(doc, *, paraf: bool, place_date: bool = True) -> None:
    """Place and date, the head's title, name, rank and NIP; the Sekretaris' paraf box."""
    table = doc.add_table(rows=1, cols=2)
    _no_borders(table)
    _widths(table, [7.5, 9.0])
    _no_split(table.rows[0])
    left, right = table.rows[0].cells
    if paraf:
        _para(left, "", after=24)
        box = left.add_table(rows=2, cols=3)
        box.style = "Table Grid"
        _widths(box, [3.6, 1.4, 2.0])
        for j, text in enumerate(("Paraf Koordinasi", "Tgl.", "Paraf")):
            _cell_text(box.rows[0].cells[j], text, bold=True, size=8, fill=HEAD_FILL,
                       align=WD_ALIGN_PARAGRAPH.CENTER)
        _cell_text(box.rows[1].cells[0], "{{ sekretaris.jabatan }}", size=8)
        box.rows[1].height = Cm(1.2)
    first = right.paragraphs[0]
    first.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if place_date:
        first.add_run("{{ tempat }}, {{ tanggal }}")
        first = _para(right, align=WD_ALIGN_PARAGRAPH.CENTER)
    run = first.add_run("{{ kepala.jabatan|upper }},")
    run.bold = True
    first.paragraph_format.space_after = Pt(54)
    _para(right, "{{ kepala.nama }}", bold=True, underline=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(right, "{{ kepala.pangkat }}", align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(right, "NIP. {{ kepala.nip }}", align=WD_ALIGN_PARAGRAPH.CENTER)


def _grid(doc, headers: list[str], cells: list[str], widths: list[float], loop: str,
          aligns: list | None = None, size: float = 8.5, notes: dict[int, str] | None = None):
    """A bordered table: a repeated header row, and one data row repeated by a {%tr for %} loop."""
    table = doc.add_table(rows=4, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _widths(table, widths)
    _narrow_margins(table)
    head, start, body, end = table.rows
    for j, h in enumerate(headers):
        _cell_text(head.cells[j], h, bold=True, size=size, fill=HEAD_FILL, align=WD_ALIGN_PARAGRAPH.CENTER)
    _repeat_header(head)
    _cell_text(start.cells[0], "{%tr for " + loop + " %}", size=size)
    for j, text in enumerate(cells):
        align = aligns[j] if aligns else None
        _cell_text(body.cells[j], text, size=size, align=align)
    for j, text in (notes or {}).items():  # a second, smaller line in a cell
        _para(body.cells[j], text, italic=True, size=size - 1.5, color="404040")
    _no_split(body)
    _cell_text(end.cells[0], "{%tr endfor %}", size=size)
    return table


def _heading(doc, text: str) -> None:
    _para(doc, text, bold=True, size=11.5, before=10, after=4, keep=True)


C, R = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.RIGHT

# ----------------------------------------------------------------------------------- report


def build_laporan(path: Path) -> Path:
    doc = _document()
    _header_footer(doc, "Data Capaian Kinerja {{ instansi }} {{ periode }}")
    _letterhead(doc)
    _para(doc, "LAPORAN DATA CAPAIAN KINERJA", bold=True, size=13, align=C, before=6)
    _para(doc, "{{ instansi|upper }}", bold=True, size=12, align=C)
    _para(doc, "{{ periode|upper }}", bold=True, size=12, align=C, after=10)

    _heading(doc, "A. Ringkasan")
    _para(doc, "Pada {{ periode }}, {{ instansi }} memiliki {{ ringkasan.jumlah }} indikator kinerja "
               "pada {{ ringkasan.jumlah_unit }} unit kerja; {{ ringkasan.terisi }} indikator telah "
               "diisi realisasinya. Rata-rata capaian {{ ringkasan.dihitung }} indikator yang dapat "
               "dihitung sebesar {{ ringkasan.rata_rata }} dengan predikat {{ ringkasan.predikat }}"
               "{% if ringkasan.pengecualian %}; {{ ringkasan.pengecualian }}{% endif %}. "
               "{{ ringkasan.di_bawah_target }} indikator berada di bawah target.", indent=1, after=6)
    _para(doc, "Sebaran predikat capaian indikator:", after=3, keep=True)
    _grid(doc, ["Predikat", "Rentang Capaian", "Jumlah Indikator"],
          ["{{ p.predikat }}", "{{ p.rentang }}", "{{ p.jumlah }}"], [5.0, 5.0, 4.0],
          "p in ringkasan.predikat_rows", [None, C, C], size=9)
    _para(doc, "", after=6)
    _para(doc, "Rata-rata capaian per unit kerja:", after=3, keep=True)
    _grid(doc, ["Unit Kerja", "Indikator", "Terisi", "Rata-rata Capaian", "Predikat", "Di Bawah Target"],
          ["{{ u.nama }}", "{{ u.jumlah }}", "{{ u.terisi }}", "{{ u.rata_rata }}", "{{ u.predikat }}",
           "{{ u.di_bawah_target }}"], [6.0, 1.9, 1.5, 2.3, 2.6, 2.2],
          "u in unit_rows", [None, C, C, R, C, C], size=9)
    _para(doc, "{{ grafik }}", align=C, before=6, after=2)
    _para(doc, "Grafik rata-rata capaian kinerja per unit kerja {{ periode }}", italic=True, size=9,
          align=C, after=6)

    _heading(doc, "B. Capaian Indikator Kinerja per Sasaran Strategis")
    _tag(doc, "{%p for g in kelompok %}")
    _para(doc, "{{ g.no }}. Sasaran: {{ g.nama }}", bold=True, size=10, before=6, after=3, keep=True)
    _grid(doc, ["No", "Kode", "Indikator Kinerja", "Satuan", "Target", "Realisasi", "Capaian",
                "Predikat"],
          ["{{ r.no }}", "{{ r.kode }}", "{{ r.indikator }}", "{{ r.satuan }}",
           "{{ r.target }}", "{{ r.realisasi }}", "{{ r.capaian }}", "{{ r.predikat }}"],
          [0.7, 2.0, 4.85, 1.75, 1.5, 1.85, 1.7, 2.15], "r in g.baris",
          [C, None, None, C, R, R, R, C], notes={2: "{{ r.nama_unit }}"})
    _para(doc, "Rata-rata capaian sasaran ini: {{ g.rata_rata }} ({{ g.predikat }}).", italic=True, size=9,
          before=2, after=4)
    _tag(doc, "{%p if g.banding %}")
    _para(doc, "Perbandingan antartriwulan (realisasi dan capaian) dan dengan {{ g.tahun_lalu }}:", size=9,
          after=3, keep=True)
    _grid(doc, ["Kode", "TW I", "TW II", "TW III", "TW IV", "Tahun Lalu"],
          ["{{ b.kode }}", "{{ b.tw[0] }}", "{{ b.tw[1] }}", "{{ b.tw[2] }}", "{{ b.tw[3] }}", "{{ b.lalu }}"],
          [2.0, 2.9, 2.9, 2.9, 2.9, 2.9], "b in g.banding", [None, R, R, R, R, R], size=8)
    _para(doc, "{{ g.tren }}", align=C, before=2, after=6)
    _tag(doc, "{%p endif %}")
    _tag(doc, "{%p endfor %}")

    _heading(doc, "C. Penjelasan Indikator yang Belum Mencapai Target")
    _tag(doc, "{%p if penjelasan %}")
    _grid(doc, ["No", "Indikator Kinerja", "Unit", "Capaian", "Penjelasan dan Upaya Perbaikan"],
          ["{{ e.no }}", "{{ e.kode }} {{ e.indikator }}", "{{ e.unit }}", "{{ e.capaian }}",
           "{{ e.penjelasan }}"], [0.7, 5.3, 2.0, 1.7, 6.8], "e in penjelasan", [C, None, C, R, None])
    _tag(doc, "{%p else %}")
    _para(doc, "Seluruh indikator kinerja telah mencapai target.", indent=1)
    _tag(doc, "{%p endif %}")
    _tag(doc, "{%p if catatan %}")
    _para(doc, "Catatan Sekretaris:", bold=True, size=10, before=6, after=2, keep=True)
    _tag(doc, "{%p for c in catatan %}")
    _para(doc, "{{ loop.index }}. {{ c }}", size=10, indent=0.5)
    _tag(doc, "{%p endfor %}")
    _tag(doc, "{%p endif %}")

    _tag(doc, "{%p if waktu_sop_di_laporan %}")
    _timing_section(doc, "D. Kepatuhan terhadap Mutu Baku Waktu SOP")
    _tag(doc, "{%p endif %}")

    _para(doc, "", after=10)
    _signature(doc, paraf=True)
    doc.save(path)
    return path


def _timing_section(doc, heading: str) -> None:
    _heading(doc, heading)
    _para(doc, "{{ kepatuhan.ringkas }}", indent=1, after=4)
    _grid(doc, ["No", "Uraian Kegiatan", "Pelaksana", "Mutu Baku", "Waktu Terpakai", "Status"],
          ["{{ s.no }}", "{{ s.uraian }}", "{{ s.pelaksana }}", "{{ s.mutu_baku }}", "{{ s.terpakai }}",
           "{{ s.status }}"], [0.7, 6.6, 2.6, 1.8, 2.4, 2.4], "s in kepatuhan.langkah",
          [C, None, None, C, C, C], size=8)


# ----------------------------------------------------------------------------------- internal annex


def build_waktu(path: Path) -> Path:
    """The SOP steps against mutu baku: an internal annex for the Sekretaris, not sent with the
    letter (Pengaturan 'Waktu SOP di Laporan' puts the table back into the report)."""
    doc = _document()
    _header_footer(doc, "Lampiran Internal Waktu SOP {{ instansi }} {{ periode }}")
    _para(doc, "LAMPIRAN INTERNAL UNTUK SEKRETARIS", bold=True, size=12, align=C)
    _para(doc, "KEPATUHAN TERHADAP MUTU BAKU WAKTU SOP PENGUMPULAN DATA KINERJA", bold=True, size=12,
          align=C)
    _para(doc, "{{ instansi|upper }} - {{ periode|upper }}", bold=True, size=11, align=C, after=4)
    _para(doc, "Dokumen kerja internal; bukan bagian dari laporan yang dikirim bersama surat pengantar.",
          italic=True, size=9, align=C, after=8)
    _timing_section(doc, "Langkah SOP terhadap Mutu Baku Waktu")
    _para(doc, "", after=6)
    _para(doc, "Ringkasan:", bold=True, size=10, after=2, keep=True)
    _tag(doc, "{%p for b in kepatuhan.baris %}")
    _para(doc, "{{ b.label }}{% if b.nilai %}: {{ b.nilai }}{% endif %}", size=9)
    _tag(doc, "{%p endfor %}")
    _para(doc, "Disusun {{ tanggal }} untuk {{ sekretaris.jabatan }}.", italic=True, size=9, before=8)
    doc.save(path)
    return path


# ----------------------------------------------------------------------------------- cover letter


def build_surat(path: Path) -> Path:
    doc = _document()
    _header_footer(doc, "Surat Pengantar {{ instansi }}")
    _letterhead(doc)
    _para(doc, "{{ tempat }}, {{ tanggal }}", align=R, before=4, after=8)
    table = doc.add_table(rows=5, cols=5)
    _no_borders(table)
    _widths(table, [2.4, 0.4, 7.0, 0.6, 6.1])
    rows = [("Nomor", "{{ nomor_surat }}", "Kepada"),
            ("Sifat", "{{ sifat }}", "Yth. {{ yth }}"),
            ("Lampiran", "{{ lampiran }}", "di -"),
            ("Hal", "{{ hal }}", "        {{ di|upper }}"),
            ("", "", "")]
    for row, (label, value, right) in zip(table.rows, rows):
        _cell_text(row.cells[0], label, size=11)
        _cell_text(row.cells[1], ":" if label else "", size=11)
        _cell_text(row.cells[2], value, size=11, bold=label == "Hal")
        _cell_text(row.cells[4], right, size=11, bold=right.startswith("Yth"))
    _para(doc, "Dengan hormat,", before=10, after=6)
    _para(doc, "Bersama ini kami sampaikan Dokumen Data Capaian Kinerja {{ instansi }} {{ periode }} "
               "sebagaimana terlampir, sebagai bahan pemantauan dan pelaporan kinerja {{ pemerintah }}.",
          indent=1.25, after=6)
    _para(doc, "Secara umum, rata-rata capaian {{ jumlah_indikator }} indikator kinerja pada {{ periode }} "
               "sebesar {{ rata_rata }} dengan predikat {{ predikat }}{% if pengecualian %}; dari "
               "{{ jumlah_semua }} indikator, {{ pengecualian }}{% endif %}.", indent=1.25, after=6)
    _para(doc, "Demikian disampaikan, atas perhatian Bapak/Ibu diucapkan terima kasih.", indent=1.25,
          after=18)
    _signature(doc, paraf=False, place_date=False)
    _tag(doc, "{%p if tembusan %}")
    _para(doc, "Tembusan:", size=10, before=18, underline=True)
    _tag(doc, "{%p for t in tembusan %}")
    _para(doc, "{{ loop.index }}. {{ t }};", size=10)
    _tag(doc, "{%p endfor %}")
    _para(doc, "{{ tembusan|length + 1 }}. Arsip.", size=10)
    _tag(doc, "{%p endif %}")
    doc.save(path)
    return path


def main(out: Path = HERE) -> list[Path]:
    out = Path(out)
    return [build_laporan(out / "laporan.docx"), build_surat(out / "surat_pengantar.docx"),
            build_waktu(out / "waktu_sop.docx")]


if __name__ == "__main__":
    for p in main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE):
        print(p)
