"""Build the Word templates of SOP steps 1-4: the receipt for the unit forms (tanda_terima.docx)
and the lembar disposisi from the head to the planner (disposisi.docx).

The outputs are ordinary .docx files with Jinja tags (docxtpl): staff open them in Word and
change the wording, fonts or layout, keeping the {{ ... }} fields. The fields available are the
render context of kinerja/stages/forms.py (`document_context`, `receipt_context`, `disposisi_context`).
An office may keep its own copy in a 'templates' folder beside its master workbook.

Run from the project folder:

    python templates/build_form_templates.py
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from build_report_templates import (  # noqa: E402 - the shared look of every office document
    _cell_text,
    _document,
    _grid,
    _letterhead,
    _no_borders,
    _no_split,
    _para,
    _widths,
)

C = WD_ALIGN_PARAGRAPH.CENTER


def _landscape(doc) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21)
    section.left_margin, section.right_margin = Cm(2), Cm(2)


def _signature(doc, who: str, intro: str, left_width: float) -> None:
    """Place and date, then an official's title, name, rank and NIP, at the right."""
    table = doc.add_table(rows=1, cols=2)
    _no_borders(table)
    _widths(table, [left_width, 9.0])
    _no_split(table.rows[0])
    right = table.rows[0].cells[1]
    right.paragraphs[0].add_run("{{ tempat }}, {{ tanggal }}")
    right.paragraphs[0].alignment = C
    if intro:
        _para(right, intro, align=C)
    _para(right, "{{ " + who + ".jabatan }},", bold=True, align=C, after=54)
    _para(right, "{{ " + who + ".nama }}", bold=True, underline=True, align=C)
    _para(right, "{{ " + who + ".pangkat }}", align=C)
    _para(right, "NIP. {{ " + who + ".nip }}", align=C)


RECEIPT_ROW_HEIGHT = 454  # twips (0.8 cm): room for a signature, 15 units and the signer on one page


def _keep_together(doc) -> None:
    """Every paragraph of the page keeps with the next one and no row splits: Word and
    LibreOffice move the table and the signature block to a page together, never the signer
    alone on page 2."""
    for paragraph in doc.paragraphs:
        paragraph.paragraph_format.keep_with_next = True
    for table in doc.tables:
        for row in table.rows:
            for cell in row.cells:
                for paragraph in cell.paragraphs:
                    paragraph.paragraph_format.keep_with_next = True


def _row_height(row, twips: int) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    height = OxmlElement("w:trHeight")
    height.set(qn("w:val"), str(twips))
    height.set(qn("w:hRule"), "atLeast")
    row._tr.get_or_add_trPr().append(height)


def build_tanda_terima(path: Path) -> Path:
    """Portrait A4: up to 15 units, each with room to sign, and the signer on the same page."""
    doc = _document()
    section = doc.sections[0]
    section.top_margin, section.bottom_margin = Cm(1.2), Cm(1.2)
    _letterhead(doc)
    _para(doc, "TANDA TERIMA", bold=True, size=12, align=C, before=4)
    _para(doc, "FORMULIR PENGUMPULAN DATA CAPAIAN KINERJA", bold=True, size=11, align=C)
    _para(doc, "{{ periode|upper }}{% if putaran > 1 %} - PUTARAN {{ putaran }} (PERBAIKAN){% endif %}",
          bold=True, size=11, align=C, after=6)
    _para(doc, "Yang bertanda tangan di bawah ini menyatakan telah menerima formulir pengumpulan data "
               "capaian kinerja {{ periode }} {{ instansi }} untuk diisi dan dikembalikan kepada "
               "{{ perencana.jabatan }} paling lambat {{ batas_waktu }}.", size=10, after=6)
    table = _grid(doc, ["No", "Unit Kerja", "Kepala Unit", "Nama File Formulir", "Nama Penerima",
                        "Tanggal Terima", "Tanda Tangan"],
                  ["{{ r.no }}", "{{ r.unit }}", "{{ r.kepala }}", "{{ r.file }}", "", "", "{{ r.no }}."],
                  [0.7, 3.4, 4.2, 3.3, 2.1, 1.4, 1.4], "r in baris",
                  aligns=[C, None, None, None, None, None, None], size=8)
    _row_height(table.rows[2], RECEIPT_ROW_HEIGHT)
    _para(doc, "", after=6)
    _signature(doc, "perencana", "Yang menyerahkan,", 7.5)
    _keep_together(doc)
    doc.save(path)
    return path


def build_disposisi(path: Path) -> Path:
    doc = _document()
    _letterhead(doc)
    _para(doc, "LEMBAR DISPOSISI", bold=True, size=13, align=C, before=6, after=10)
    rows = [("Dari", "{{ kepala.jabatan }}"), ("Kepada", "{{ perencana.jabatan }}"),
            ("Tanggal", "{{ tanggal }}"), ("Sifat", "Segera"),
            ("Hal", "Penyiapan Formulir Pengumpulan Data Capaian Kinerja {{ periode }}")]
    table = doc.add_table(rows=len(rows), cols=2)
    table.style = "Table Grid"
    _widths(table, [3.5, 13.0])
    for row, (label, value) in zip(table.rows, rows):
        _cell_text(row.cells[0], label, bold=True, size=10)
        _cell_text(row.cells[1], value, size=10)
    _para(doc, "Isi Disposisi:", bold=True, before=10, after=4)
    _para(doc, "Mohon disiapkan format pengumpulan data dan informasi capaian kinerja {{ periode }} "
               "untuk masing-masing unit kerja ({{ unit|length }} unit), dibagikan kepada kepala "
               "unit dengan tanda terima, dan dihimpun kembali paling lambat {{ batas_waktu }} untuk "
               "direkapitulasi dan dilaporkan.", after=6)
    _para(doc, "Diteruskan kepada:", bold=True, after=2)
    _para(doc, "{%p for u in unit %}")
    _para(doc, "{{ loop.index }}. {{ u.nama }} ({{ u.kepala }})", indent=0.5)
    _para(doc, "{%p endfor %}")
    _para(doc, "Dengan hormat harap: segera ditindaklanjuti dan dilaporkan.", before=6, after=12)
    _signature(doc, "kepala", "", 7.5)
    doc.save(path)
    return path


def main(out: Path = HERE) -> list[Path]:
    return [build_tanda_terima(out / "tanda_terima.docx"), build_disposisi(out / "disposisi.docx")]


if __name__ == "__main__":
    for p in main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE):
        print(p)
