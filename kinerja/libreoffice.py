"""LibreOffice (headless) for recalculation, format conversion and PDF; the Word templates
(docxtpl) every document is rendered from."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from kinerja.issues.catalogue import KinerjaError
from kinerja.issues.explain import log


class OfficeError(KinerjaError, RuntimeError):
    """LibreOffice is missing or failed; the message is Indonesian and user-facing."""


def soffice() -> str:
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    for candidate in (r"C:\Program Files\LibreOffice\program\soffice.exe",
                      "/Applications/LibreOffice.app/Contents/MacOS/soffice"):
        if os.path.exists(candidate):
            return candidate
    raise OfficeError("LibreOffice tidak ditemukan. Pasang LibreOffice (di Debian: "
                      "sh scripts/pasang-debian.sh, atau apt-get install libreoffice-calc libreoffice-writer).")


def convert(src: Path, fmt: str, outdir: Path, timeout: int = 240) -> Path:
    """Convert `src` with LibreOffice headless to `fmt` ('pdf', 'xlsx', 'csv', 'ods', ...).

    A private user profile per call keeps parallel runs from blocking each other.
    Formulas are recalculated on load for spreadsheet conversions.
    """
    return convert_many([Path(src)], fmt, outdir, timeout)[0]


def convert_many(srcs: list[Path], fmt: str, outdir: Path, timeout: int = 600) -> list[Path]:
    """Convert several files in one LibreOffice start (much cheaper than one call each).

    The sources must have distinct file names (the outputs share `outdir`).
    """
    srcs, outdir = [Path(s) for s in srcs], Path(outdir)
    if not srcs:
        return []
    outdir.mkdir(parents=True, exist_ok=True)
    what = f"'{srcs[0].name}'" if len(srcs) == 1 else f"{len(srcs)} file"
    with tempfile.TemporaryDirectory(prefix="kinerja-lo-") as profile:
        cmd = [soffice(), f"-env:UserInstallation=file://{Path(profile).as_posix()}", "--headless",
               "--norestore", "--nolockcheck", "--convert-to", fmt, "--outdir", str(outdir),
               *[str(s) for s in srcs]]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise OfficeError(f"LibreOffice tidak selesai mengonversi {what} dalam {timeout} detik.") from None
    ext = fmt.split(":")[0]
    outs = [outdir / f"{s.stem}.{ext}" for s in srcs]
    missing = [o.name for o in outs if not o.exists()]
    if proc.returncode != 0 or missing:
        log.warning("LibreOffice %s -> %s: exit %s: %s", ", ".join(s.name for s in srcs)[:200], ext,
                    proc.returncode, (proc.stderr or proc.stdout).strip()[:2000])
        failed = what if len(srcs) == 1 else ", ".join(missing) or "file"
        raise OfficeError(f"LibreOffice gagal mengonversi {failed} ke {ext} (rinciannya di kinerja-galat.log).")
    return outs


def docx_template(path: Path) -> Any:
    """A docxtpl DocxTemplate of `path` whose body is rendered as a stream.

    docxtpl renders the body into one string, post-processes it in several more copies, parses
    it into one lxml tree and moves that into the document: for a report of 50,000 indicator
    rows that is gigabytes and minutes. Here Jinja's output is taken chunk by chunk, each chunk
    cut at a paragraph start and post-processed as docxtpl does (line breaks, tabs, escaped
    braces, picture ids), written to a temporary file, and put into word/document.xml when the
    package is saved. Headers, footers, properties and pictures go through docxtpl as before.
    A template with column loops ({%tc %}) needs docxtpl's table repair and is rendered its way."""
    import re
    import zipfile

    from docxtpl import DocxTemplate
    from jinja2 import Template as JinjaTemplate

    from kinerja.ooxml.zip import copy_member, member_info

    docpr = re.compile(r'(<wp:docPr\b[^>]*?\bid=")(\d+)(")')
    # docxtpl's resolve_listing turns \t \a \n \f inside a paragraph's text into Word markup, one
    # paragraph at a time (the same pattern as its own): paragraphs without them are left as they are
    _PARAGRAPH = re.compile(r"<w:p(?: [^>]*)?>.*?</w:p>", re.DOTALL)
    _LISTING_CHARS = re.compile("[\t\a\n\f]")
    _RUN = re.compile(r"<w:r(?: [^>]*)?>.*?</w:r>", re.DOTALL)
    _TEXT = re.compile(r"<w:t(?: [^>]*)?>.*?</w:t>", re.DOTALL)
    _BREAK = '</w:t><w:br/><w:t xml:space="preserve">'

    class Template(DocxTemplate):
        spool: Any = None

        def build_xml(self, context: dict, jinja_env: Any = None) -> Any:
            src = self.patch_xml(self.get_xml())
            if re.search(r"\{%-?\s*tc\b", src):
                return self.render_xml_part(src, self.docx._part, context, jinja_env)
            src = re.sub(r"<w:p([ >])", r"\n<w:p\1", src)
            self.current_rendering_part = self.docx._part
            template = jinja_env.from_string(src) if jinja_env else JinjaTemplate(src)
            self.spool = tempfile.TemporaryFile()
            pending: list[str] = []
            size = 0
            for chunk in template.generate(context):
                pending.append(chunk)
                size += len(chunk)
                if size > 1 << 20:
                    text = "".join(pending)
                    cut = text.rfind("\n<w:p")
                    if cut > 0:
                        self._emit(text[:cut])
                        text = text[cut:]
                    pending, size = [text], len(text)
            self._emit("".join(pending))
            return None

        def _emit(self, text: str) -> None:
            """One piece of rendered body (whole paragraphs), post-processed as docxtpl does."""
            text = text.replace("\n<w:p ", "<w:p ").replace("\n<w:p>", "<w:p>")  # the cuts made in build_xml
            text = text.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
            if _LISTING_CHARS.search(text):  # only paragraphs holding a tab, break or new line change
                text = _PARAGRAPH.sub(lambda m: self._listing(m.group(0))
                                      if _LISTING_CHARS.search(m.group(0)) else m.group(0), text)

            def renumber(m: Any) -> str:
                self.docx_ids_index += 1
                return m.group(1) + str(self.docx_ids_index) + m.group(3)

            self.spool.write((docpr.sub(renumber, text) if "<wp:docPr" in text else text).encode("utf-8"))

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
            target = Path(filename)
            tmp = target.with_name(target.name + ".body")
            with zipfile.ZipFile(target) as zin, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
                name = self.docx._part.partname.lstrip("/")
                for info in zin.infolist():
                    if info.filename != name:
                        copy_member(zin, zout, info)
                        continue
                    xml = zin.read(info)
                    at = xml.find(b"<w:body/>")
                    if at < 0:
                        raise ValueError("document body stand-in not found")
                    with zout.open(member_info(info), "w") as out:
                        out.write(xml[:at])
                        self.spool.seek(0)
                        shutil.copyfileobj(self.spool, out, 1 << 20)
                        out.write(xml[at + len(b"<w:body/>"):])
            os.replace(tmp, target)
            self.spool.close()
            self.spool = None

    return Template(str(path))
