"""Large Word tables (and long runs of paragraphs) written as WordprocessingML text, row by row,
into the saved document.

python-docx builds a table as an lxml tree cell by cell (about 8 ms a row of eleven cells; an
office of 50,000 indicators is minutes and gigabytes before the tree is even serialised). Here
python-docx still makes everything else of the document; a table is left in its body as a
stand-in (a processing instruction `<?kinerja-block N?>`, which no escaped text can contain) and
when the package is saved word/document.xml is rewritten with each stand-in replaced by its
table's XML, made a row at a time and deflated as it comes (`kinerja.ooxml.zip.rewrite_member`):
neither the table's tree nor its whole text exists.

The XML is what python-docx writes for the same table (`tests/test_wordtables.py` compares the
documents of both ways, hostile text included): `doc.add_table` with the "Table Grid" style,
fixed layout, each column's width in tblGrid and in every cell's tcW; a header row repeated on
every page (tblHeader), its cells shaded, centred and bold; each body cell's paragraph with no
space after, right-aligned when its text starts with a digit (not in the first column) or is
'-'; each cell as `cell.text = ""` then `add_run(value)` with the font size leaves it (an empty
run, then the run with its size). A value's text follows python-docx's run text: a tab is
`<w:tab/>`, a new line or carriage return `<w:br/>`, each other stretch a `<w:t>` (with
xml:space="preserve" when it starts or ends with white space), '&', '<' and '>' escaped as lxml
escapes them. Characters XML cannot hold (control characters, which a cell Excel wrote as
_x0001_ can bring) are left out (`xml_text`): python-docx refuses them.

A long run of paragraphs of one format (the units' explanations, one per indicator and quarter)
is written the same way (`WordParagraphs`): python-docx finds the place of each new paragraph by
walking the body, so 50,000 of them cost minutes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from kinerja.ooxml.zip import rewrite_member

SHADE = "D9E2F3"  # the header row's fill
_REFUSED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")  # what lxml refuses in text
_ESCAPED = re.compile("[&<>]")
_ANY = re.compile("[&<>\t\r\n\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")  # escaped, a tab or break, or refused
_BREAKS = re.compile("([\t\r\n])")
_PIECE = 1 << 20  # characters of table XML handed to the zip at a time
_STAND_IN = re.compile(rb"<\?kinerja-block (\d+)\?>")
_TBL_PR = ('<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:type="auto" w:w="0"/>'
           '<w:tblLayout w:type="fixed"/><w:tblLook w:firstColumn="1" w:firstRow="1" w:lastColumn="0" '
           'w:lastRow="0" w:noHBand="0" w:noVBand="1" w:val="04A0"/></w:tblPr>')


def xml_text(text: str) -> str:
    """`text` without the characters an XML document cannot hold."""
    return _REFUSED.sub("", text) if _REFUSED.search(text) else text


def _t(text: str) -> str:
    escaped = escape(text) if _ESCAPED.search(text) else text
    if text[:1].isspace() or text[-1:].isspace():
        return f'<w:t xml:space="preserve">{escaped}</w:t>'
    return f"<w:t>{escaped}</w:t>"


def run_text(text: str) -> str:
    """The content of a run python-docx makes of `text` (`run.text = text`), as XML."""
    if not text:
        return ""
    if "\t" not in text and "\n" not in text and "\r" not in text:
        return _t(text)
    out = []
    for piece in _BREAKS.split(text):
        if piece == "\t":
            out.append("<w:tab/>")
        elif piece == "\n" or piece == "\r":
            out.append("<w:br/>")
        elif piece:
            out.append(_t(piece))
    return "".join(out)


def twips(cm: float) -> int:
    """A width in centimetres as python-docx writes it (w:w of tcW and gridCol)."""
    from docx.shared import Cm

    return int(Cm(cm).twips)


def half_points(pt: float) -> int:
    """A font size in points as python-docx writes it (w:sz)."""
    from docx.shared import Pt

    return int(Pt(pt).pt * 2)


@dataclass
class WordTable:
    """A table to write: its header, its rows (any iterable of strings per cell, read once,
    when the document is saved), each column's width in cm and the font size in points."""

    headers: Sequence[str]
    rows: Iterable[Sequence[str]]
    widths: Sequence[float]
    size: float

    def xml(self) -> Iterator[str]:
        """The table's XML in pieces of about a megabyte."""
        if len(self.widths) != len(self.headers):
            raise ValueError("one width per column")
        widths = [twips(w) for w in self.widths]
        sz = half_points(self.size)
        run = f'<w:r/><w:r><w:rPr><w:sz w:val="{sz}"/></w:rPr>'
        head = [_TBL_PR, "<w:tblGrid>", *(f'<w:gridCol w:w="{w}"/>' for w in widths), "</w:tblGrid>",
                '<w:tr><w:trPr><w:tblHeader w:val="true"/></w:trPr>']
        for h, w in zip(self.headers, widths):
            head.append(f'<w:tc><w:tcPr><w:tcW w:type="dxa" w:w="{w}"/><w:shd w:val="clear" w:fill="{SHADE}"/>'
                        f'</w:tcPr><w:p><w:pPr><w:jc w:val="center"/></w:pPr><w:r/><w:r><w:rPr><w:b/>'
                        f'<w:sz w:val="{sz}"/></w:rPr>{run_text(xml_text(h))}</w:r></w:p></w:tc>')
        head.append("</w:tr>")
        # per column: the cell up to its run's content, left-aligned and right-aligned
        cell = '<w:tc><w:tcPr><w:tcW w:type="dxa" w:w="%d"/></w:tcPr><w:p><w:pPr><w:spacing w:after="0"/>%s</w:pPr>'
        left = [cell % (w, "") + run for w in widths]
        right = [cell % (w, '<w:jc w:val="right"/>') + run for w in widths]
        end = "</w:r></w:p></w:tc>"
        empty = [c + end for c in left]
        n = len(widths)

        def rows() -> Iterator[str]:
            for values in self.rows:
                if len(values) != n:
                    raise ValueError("one value per column")
                if _ANY.search("".join(values)) is None:  # nothing escaped, broken or left out
                    row = ["<w:tr>"]
                    for j, v in enumerate(values):
                        if not v:
                            row.append(empty[j])
                            continue
                        first = v[0]
                        row.append(right[j] if (j and first.isdigit()) or v == "-" else left[j])
                        if first.isspace() or v[-1].isspace():
                            row.append(f'<w:t xml:space="preserve">{v}</w:t>{end}')
                        else:
                            row.append(f"<w:t>{v}</w:t>{end}")
                    row.append("</w:tr>")
                    yield "".join(row)
                    continue
                row = ["<w:tr>"]
                for j, v in enumerate(map(xml_text, values)):
                    row.append(right[j] if (j and v[:1].isdigit() or v == "-") else left[j])
                    row.append(run_text(v) + end)
                row.append("</w:tr>")
                yield "".join(row)

        yield from _pieces("".join(head), rows(), "</w:tbl>")


@dataclass
class WordParagraphs:
    """Paragraphs of one format, one per text (read once, when the document is saved), as
    python-docx makes them with `add_paragraph().add_run(text)`: the run's bold and italic set
    (an explicit off when not), its size, the paragraph justified or centred, the space before
    and after in points."""

    texts: Iterable[str]
    size: float | None = None
    bold: bool = False
    italic: bool = False
    center: bool = False
    before: float = 0
    after: float = 4

    def xml(self) -> Iterator[str]:
        from docx.shared import Pt

        rpr = ("<w:b/>" if self.bold else '<w:b w:val="0"/>') + ("<w:i/>" if self.italic else '<w:i w:val="0"/>')
        if self.size:
            rpr += f'<w:sz w:val="{half_points(self.size)}"/>'
        ppr = (f'<w:p><w:pPr><w:spacing w:before="{Pt(self.before).twips}" w:after="{Pt(self.after).twips}"/>'
               f'<w:jc w:val="{"center" if self.center else "both"}"/></w:pPr>')
        start = f"{ppr}<w:r><w:rPr>{rpr}</w:rPr>"

        def paragraphs() -> Iterator[str]:
            for text in self.texts:
                yield f"{start}{run_text(xml_text(text))}</w:r></w:p>" if text else f"{ppr}</w:p>"

        yield from _pieces("", paragraphs(), "")


def _pieces(head: str, parts: Iterable[str], tail: str) -> Iterator[str]:
    """`head`, `parts` and `tail` joined into pieces of about a megabyte."""
    out, size = [head], len(head)
    for part in parts:
        out.append(part)
        size += len(part)
        if size > _PIECE:
            yield "".join(out)
            out, size = [], 0
    out.append(tail)
    yield "".join(out)


class StreamedBlocks:
    """The tables (and runs of paragraphs) of one python-docx document written at save: `add`
    leaves a stand-in in the body where the block goes, `save` saves the document with the
    blocks in their places."""

    def __init__(self, doc: Any) -> None:
        self.doc = doc
        self.blocks: list[WordTable | WordParagraphs | None] = []

    def add(self, block: WordTable | WordParagraphs) -> None:
        from lxml import etree

        pi = etree.ProcessingInstruction("kinerja-block", str(len(self.blocks)))
        self.doc.element.body.insert_element_before(pi, "w:sectPr")
        self.blocks.append(block)

    def save(self, path: Path) -> None:
        self.doc.save(str(path))
        name = self.doc.part.partname.lstrip("/")
        rewrite_member(Path(path), name, self._document)

    def _document(self, xml: bytes) -> Iterator[bytes]:
        at = 0
        for m in _STAND_IN.finditer(xml):
            yield xml[at:m.start()]
            n = int(m.group(1))
            block, self.blocks[n] = self.blocks[n], None  # written once; its rows let go
            if block is None:
                raise ValueError(f"block {n} written twice")
            for piece in block.xml():
                yield piece.encode("utf-8")
            at = m.end()
        yield xml[at:]
        if any(b is not None for b in self.blocks):
            raise ValueError("a block's stand-in is missing from the document")
