"""The Word templates (docxtpl) every document is rendered from, with the body rendered as a
stream: a report of 50,000 indicator rows never exists as one string or one XML tree."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kinerja.ooxml.zip import rewrite_member
from kinerja.wordrows import MARKER, DirectRows

_DOCPR = re.compile(r'(<wp:docPr\b[^>]*?\bid=")(\d+)(")')
# docxtpl's resolve_listing turns \t \a \n \f inside a paragraph's text into Word markup, one
# paragraph at a time (the same pattern as its own): paragraphs without them are left as they are
_PARAGRAPH = re.compile(r"<w:p(?: [^>]*)?>.*?</w:p>", re.DOTALL)
_LISTING_CHARS = re.compile("[\t\a\n\f]")
_RUN = re.compile(r"<w:r(?: [^>]*)?>.*?</w:r>", re.DOTALL)
_TEXT = re.compile(r"<w:t(?: [^>]*)?>.*?</w:t>", re.DOTALL)
_BREAK = '</w:t><w:br/><w:t xml:space="preserve">'
_PIECE = 1 << 20  # characters of rendered body post-processed and written at a time


def docx_template(path: Path, direct_rows: bool = True) -> Any:
    """A docxtpl DocxTemplate of `path` whose body is rendered as a stream.

    docxtpl renders the body into one string, post-processes it in several more copies, parses
    it into one lxml tree and moves that into the document: for a report of 50,000 indicator
    rows that is gigabytes and minutes. Here Jinja's output is taken chunk by chunk, each chunk
    cut at a paragraph start and post-processed as docxtpl does (line breaks, tabs, escaped
    braces, picture ids), written to a temporary file, and put into word/document.xml when the
    package is saved. Table-row loops that print only their item's fields are built without
    Jinja (`kinerja.wordrows`; `direct_rows` False renders them with Jinja, for comparison).
    Headers, footers, properties and pictures go through docxtpl as before. A template with
    column loops ({%tc %}) needs docxtpl's table repair and is rendered its way."""
    from docxtpl import DocxTemplate
    from jinja2 import Template as JinjaTemplate

    class Template(DocxTemplate):
        spool: Any = None
        direct: DirectRows | None = None

        def build_xml(self, context: dict, jinja_env: Any = None) -> Any:
            src = self.patch_xml(self.get_xml())
            if re.search(r"\{%-?\s*tc\b", src):
                return self.render_xml_part(src, self.docx._part, context, jinja_env)
            src = re.sub(r"<w:p([ >])", r"\n<w:p\1", src)
            self.current_rendering_part = self.docx._part
            if direct_rows and jinja_env is not None and jinja_env.autoescape is True:
                self.direct = DirectRows(jinja_env, self.post)
                src = self.direct.extract(src)
            if jinja_env:
                template = jinja_env.from_string(src, globals=self.direct.globals() if self.direct else None)
            else:
                template = JinjaTemplate(src)
            self.spool = tempfile.TemporaryFile()
            pending: list[str] = []
            size = 0
            for chunk in template.generate(context):
                pending.append(chunk)
                size += len(chunk)
                if size > _PIECE:
                    text = "".join(pending)
                    cut = text.rfind("\n<w:p")
                    if cut > 0:
                        self._emit(text[:cut])
                        text = text[cut:]
                    pending, size = [text], len(text)
            self._emit("".join(pending))
            return None

        def _emit(self, text: str) -> None:
            """One piece of rendered body (whole paragraphs, a marker where direct rows go),
            post-processed and written."""
            if self.direct is None or "<?kinerja-rows" not in text:
                self.spool.write(self.post(text).encode("utf-8"))
                return
            at = 0
            for m in MARKER.finditer(text):
                self.spool.write(self.post(text[at:m.start()]).encode("utf-8"))
                for rows in self.direct.rows(int(m.group(1))):
                    self.spool.write(rows.encode("utf-8"))
                at = m.end()
            self.spool.write(self.post(text[at:]).encode("utf-8"))

        def post(self, text: str) -> str:
            """docxtpl's post-processing of rendered whole paragraphs: the cuts made in build_xml
            undone, escaped braces, line breaks and tabs, picture ids numbered in order."""
            text = text.replace("\n<w:p ", "<w:p ").replace("\n<w:p>", "<w:p>")
            text = text.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
            if _LISTING_CHARS.search(text):  # only paragraphs holding a tab, break or new line change
                text = _PARAGRAPH.sub(lambda m: self._listing(m.group(0))
                                      if _LISTING_CHARS.search(m.group(0)) else m.group(0), text)

            def renumber(m: Any) -> str:
                self.docx_ids_index += 1
                return m.group(1) + str(self.docx_ids_index) + m.group(3)

            return _DOCPR.sub(renumber, text) if "<wp:docPr" in text else text

        def _listing(self, paragraph: str) -> str:
            """docxtpl's resolve_listing of one paragraph; one holding only new lines (the comparison
            table's cells) the quick way: each run's texts get docxtpl's line break (the run's and
            the paragraph's properties are used only for tabs, \\a and page breaks)."""
            if "\t" in paragraph or "\a" in paragraph or "\f" in paragraph:
                return self.resolve_listing(paragraph)
            return _RUN.sub(lambda r: _TEXT.sub(lambda t: t.group(0).replace("\n", _BREAK), r.group(0))
                            if "\n" in r.group(0) else r.group(0), paragraph)

        def fix_tables(self, xml: Any) -> Any:
            if xml is not None:
                return super().fix_tables(xml)
            from docx.oxml.ns import qn
            from lxml import etree

            return etree.Element(qn("w:body"))  # a stand-in until the package is saved

        def fix_docpr_ids(self, tree: Any) -> None:
            if self.spool is None:
                super().fix_docpr_ids(tree)

        def save(self, filename: Any, *args: Any, **kwargs: Any) -> None:
            super().save(filename, *args, **kwargs)
            if self.spool is None:
                return
            spool = self.spool

            def body(xml: bytes) -> Iterator[bytes]:
                at = xml.find(b"<w:body/>")
                if at < 0:
                    raise ValueError("document body stand-in not found")
                yield xml[:at]
                spool.seek(0)
                while chunk := spool.read(1 << 20):
                    yield chunk
                yield xml[at + len(b"<w:body/>"):]

            rewrite_member(Path(filename), self.docx._part.partname.lstrip("/"), body)
            spool.close()
            self.spool = None

    return Template(str(path))
