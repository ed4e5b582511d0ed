"""How the master's sheets go on paper: the Sekretaris reviews the Validasi on paper, the Rekap,
Ringkasan and Waktu SOP are filed, the Distribusi and Penerimaan are the SOP's records.

Every sheet people print gets, when it is created: A4, an orientation that suits its width,
scaled to one page wide (and as many pages long as it needs), its title and header rows
repeated on every page, narrow margins, and a header and footer with the office, the period,
the sheet and "Halaman &P dari &N". Those settings live in the sheet's own part and are kept
by every later write. No print area is fixed: the pages grow with the rows each stage writes.
A new period's master (a copy of the last one) gets its headers through `retitle`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kinerja import sheets as S

# Excel's header/footer codes: &A sheet name, &P page, &N pages, &F file, &D date; '&&' is '&'
PAGE_NUMBER = "Halaman &P dari &N"
HEADER_SIZE = 8  # points: the header and footer are small print


@dataclass(frozen=True)
class Paper:
    """One printed sheet's fixed print settings."""

    landscape: bool = True
    title_rows: tuple[int, int] | None = None  # rows repeated on each page (None: 1..header row)
    title_columns: str | None = None  # columns repeated on each page, e.g. "A:B"
    a3: bool = False  # A3 instead of A4 (a form of many columns, as offices print it)


# the sheets people print (unit data sheets are matched by their prefix, see paper_for)
PRINTED: dict[str, Paper] = {
    S.VALIDASI.sheet: Paper(landscape=True),
    S.TEMUAN_VALIDASI.sheet: Paper(landscape=True),
    S.REKAP.sheet: Paper(landscape=True),
    S.RINGKASAN.sheet: Paper(landscape=False),
    S.WAKTU.sheet: Paper(landscape=True),
    S.PENERIMAAN.sheet: Paper(landscape=True),
    S.DISTRIBUSI.sheet: Paper(landscape=True),
    S.RIWAYAT.sheet: Paper(landscape=True),
    S.INDIKATOR.sheet: Paper(landscape=True),
    S.FORM_E81.sheet: Paper(landscape=True),
}
UNIT_SHEET_PAPER = Paper(landscape=True, title_columns="A:B")  # Kode and Indikator repeated


OTHER_PAPER = Paper(landscape=True)  # every other sheet: still one page wide, titles repeated
# sheets built without a shared table description: their header row (titles repeated down to it)
OWN_LAYOUT = {S.SETTINGS_SHEET: 3, S.INFO_SOP_SHEET: 3, S.PETUNJUK_SHEET: 0}
PORTRAIT_SHEETS = {S.PETUNJUK_SHEET, S.SETTINGS_SHEET, S.INFO_SOP_SHEET, S.SKALA.sheet, S.JAM_KERJA.sheet,
                   S.LIBUR.sheet}


def paper_for(sheet: str) -> Paper:
    """The print settings of a sheet: the ones people print as listed, any other one page wide."""
    if sheet in PRINTED:
        return PRINTED[sheet]
    if sheet.startswith("Data "):
        return UNIT_SHEET_PAPER
    return Paper(landscape=False) if sheet in PORTRAIT_SHEETS else OTHER_PAPER


def table_for(sheet: str):
    """The table description of a printed sheet (its header row and width)."""
    for t in (*S.STAGE_TABLES, *S.INPUT_TABLES):
        if t.sheet == sheet:
            return t
    if sheet.startswith("Data "):
        return S.unit_data_table(sheet)
    return None


@dataclass(frozen=True)
class PageWrite:
    """The header and footer of a printed sheet's pages."""

    header: tuple[str, str, str]  # left, centre, right
    footer: tuple[str, str, str]


def _escape(text: str) -> str:
    return text.replace("&", "&&")


def page(sheet: str, office: str, period: str) -> PageWrite:
    """The header and footer of a printed sheet for this office and period."""
    return PageWrite(header=(_escape(office), "&A", _escape(period)), footer=("&F", "Dicetak &D", PAGE_NUMBER))


def header_text(parts: tuple[str, str, str]) -> str:
    """Excel's header/footer string: '&L...&C...&R...' with a small font, as openpyxl writes it."""
    size = f"&{HEADER_SIZE} "
    return "".join(f"&{side}{size}{text}" for side, text in zip("LCR", parts) if text)


_ODD_HEADER = re.compile(r"<oddHeader>([^<]*)</oddHeader>")
_OURS = "&amp;C&amp;8 &amp;A"  # the centre of the header setup_sheet writes: the sheet's name


def retitle(path: Path, office: str, period: str) -> int:
    """The headers of a master's pages for another period (a new period's master is a copy of
    the last one): every header laid out by setup_sheet gets this office and period; a header
    the office changed itself is left alone, and every other part is copied as it is. Returns
    the number of sheets changed."""
    import zipfile
    from xml.sax.saxutils import escape

    from kinerja.writing.files import replace_atomic
    from kinerja.writing.package.zip import copy_member, member_info

    new = escape(header_text(page("", office, period).header))
    changed = 0

    def produce(tmp: Path) -> None:
        nonlocal changed
        with zipfile.ZipFile(path) as zin, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
            for info in zin.infolist():
                name = info.filename
                if name.startswith("xl/worksheets/sheet") and name.endswith(".xml"):
                    xml = zin.read(name).decode("utf-8")
                    m = _ODD_HEADER.search(xml)
                    if m and _OURS in m.group(1) and m.group(1) != new:
                        zout.writestr(member_info(info), xml[:m.start(1)] + new + xml[m.end(1):])
                        changed += 1
                        continue
                copy_member(zin, zout, info)

    replace_atomic(Path(path), produce, backup=False)
    return changed


def setup_sheet(ws: Any, sheet: str, office: str, period: str) -> None:
    """Put an openpyxl worksheet's print settings (a sheet being created): paper, orientation,
    one page wide, repeated titles, margins, header and footer."""
    paper = paper_for(sheet)
    table = table_for(sheet)
    ws.page_setup.paperSize = ws.PAPERSIZE_A3 if paper.a3 else ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if paper.landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.page_margins.header = ws.page_margins.footer = 0.25
    header_row = table.header_row if table is not None else OWN_LAYOUT.get(sheet, 0)
    if header_row or paper.title_rows:
        first, last = paper.title_rows or (1, header_row)
        ws.print_title_rows = f"{first}:{last}"
    if paper.title_columns:
        ws.print_title_cols = paper.title_columns
    apply_page(ws, page(sheet, office, period))


def apply_page(ws: Any, p: PageWrite) -> None:
    """Header and footer on an openpyxl worksheet. No print area is set: Excel and LibreOffice
    print the cells that hold something, so the pages grow with the rows the stages write (a
    fixed area would cut them off); the tool writes no empty formatted tail on its sheets."""
    for part, (left, centre, right) in ((ws.oddHeader, p.header), (ws.oddFooter, p.footer)):
        for side, text in ((part.left, left), (part.center, centre), (part.right, right)):
            side.text = text or None
            side.size = HEADER_SIZE if text else None


# ----------------------------------------------------------------------------------- looking at the pages


def pdf_pages(pdf: Path) -> list[str]:
    """The text of each page of a PDF (pdftotext, layout kept)."""
    import subprocess

    out = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True)
    pages = out.stdout.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def pages_by_sheet(pdf: Path, sheets: list[str]) -> dict[str, list[int]]:
    """Which pages (0-based) of a whole-workbook PDF belong to which sheet, told by the header
    every printed page carries (office, sheet name, period)."""
    wanted = set(sheets)
    out: dict[str, list[int]] = {}
    for n, text in enumerate(pdf_pages(pdf)):
        head = next((line for line in text.splitlines() if line.strip()), "")
        parts = [p.strip() for p in re.split(r"\s{2,}", head) if p.strip()]
        name = next((p for p in parts if p in wanted), None)
        if name is not None:
            out.setdefault(name, []).append(n)
    return out


def sheet_images(master: Path, sheets: list[str], outdir: Path, resolution: int = 80) -> dict[str, list[Path]]:
    """PNG images of the printed pages of some sheets of a workbook (LibreOffice PDF, then
    pdftoppm), named '<sheet>-<n>.png': what the Sekretaris holds in her hand."""
    import subprocess

    from kinerja.office import convert

    outdir = Path(outdir)
    pdf = convert(master, "pdf", outdir / "pdf")
    found = pages_by_sheet(pdf, sheets)
    images: dict[str, list[Path]] = {}
    for sheet in sheets:
        for k, page in enumerate(found.get(sheet, []), 1):
            stem = outdir / f"{sheet.lower().replace(' ', '-')}-{k}"
            subprocess.run(["pdftoppm", "-png", "-r", str(resolution), "-singlefile", "-f", str(page + 1),
                            "-l", str(page + 1), str(pdf), str(stem)], check=True)
            images.setdefault(sheet, []).append(stem.with_suffix(".png"))
    return images
