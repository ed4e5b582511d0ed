"""How the master's sheets go on paper: the Sekretaris reviews the Validasi on paper, the Rekap,
Ringkasan and Waktu SOP are filed, the Distribusi and Penerimaan are the SOP's records.

Every sheet gets, when it is created (by `kinerja init`, or later by a stage: a unit's data sheet
at its first return): A4, an orientation that suits its width, scaled to one page wide (and as
many pages long as it needs), its title and header rows repeated on every page, narrow margins,
and a header and footer with the office, the period, the sheet and "Halaman &P dari &N".

Each later write of a sheet (`dress`, called by the CLI and the ribbon before they write) gives
its pages the office and period of the Pengaturan sheet as it is now, so a period typed there
is on the next print of every sheet a step writes; a header the office wrote itself is left
alone. A new period's master (a copy of the last one) gets every header at once (`retitle`).

Print areas: the stage sheets have none, as their used range ends at their data (rows are
replaced whole; nothing styled is left below). The input tables (Indikator, Unit, Pejabat, ...)
keep styled empty rows to type into, which Excel and LibreOffice would print as empty yellow
pages: they get `_xlnm.Print_Area` from the first row to the last row holding a value,
refreshed by every write of the master (rows typed in Excel print from the next step on).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from openpyxl.utils import get_column_letter

from kinerja.domain.models import UNIT_SHEET_PREFIX
from kinerja.workbook import sheets as S
from kinerja.workbook.description import Mark, PageSetup, SheetWrite, WorkbookWrites
from kinerja.workbook.style import header_text

if TYPE_CHECKING:
    from kinerja.workbook.master import Loaded

# Excel's header/footer codes: &A sheet name, &P page, &N pages, &F file, &D date; '&&' is '&'
PAGE_NUMBER = "Halaman &P dari &N"


@dataclass(frozen=True)
class Paper:
    """One printed sheet's fixed print settings."""

    landscape: bool = True
    title_rows: tuple[int, int] | None = None  # rows repeated on each page (None: 1..header row)
    title_columns: tuple[str, str] | None = None  # columns repeated on each page, e.g. ("A", "B")
    a3: bool = False  # A3 instead of A4 (a form of many columns, as offices print it)


# the sheets people print (unit data sheets are matched by their prefix, see paper_for)
PRINTED: dict[str, Paper] = {
    S.VALIDASI.sheet: Paper(landscape=True),
    S.TEMUAN_VALIDASI.sheet: Paper(landscape=True),
    S.REKAP.sheet: Paper(landscape=True),
    S.RINGKASAN.sheet: Paper(landscape=True),  # the table, its two charts and the comparison side by side
    S.WAKTU.sheet: Paper(landscape=True),
    S.PENERIMAAN.sheet: Paper(landscape=True),
    S.DISTRIBUSI.sheet: Paper(landscape=True),
    S.RIWAYAT.sheet: Paper(landscape=True),
    S.INDIKATOR.sheet: Paper(landscape=True),
    S.FORM_E81.sheet: Paper(landscape=True),
}
UNIT_SHEET_PAPER = Paper(landscape=True, title_columns=("A", "B"))  # Kode and Indikator repeated


OTHER_PAPER = Paper(landscape=True)  # every other sheet: still one page wide, titles repeated
# sheets built without a shared table description: their header row (titles repeated down to it)
OWN_LAYOUT = {S.SETTINGS_SHEET: 3, S.INFO_SOP_SHEET: 3, S.PETUNJUK_SHEET: 0}
PORTRAIT_SHEETS = {S.PETUNJUK_SHEET, S.SETTINGS_SHEET, S.INFO_SOP_SHEET, S.SKALA.sheet, S.JAM_KERJA.sheet,
                   S.LIBUR.sheet}


def paper_for(sheet: str) -> Paper:
    """The print settings of a sheet: the ones people print as listed, any other one page wide."""
    if sheet in PRINTED:
        return PRINTED[sheet]
    if sheet.startswith(UNIT_SHEET_PREFIX):
        return UNIT_SHEET_PAPER
    return Paper(landscape=False) if sheet in PORTRAIT_SHEETS else OTHER_PAPER


def table_for(sheet: str):
    """The table description of a printed sheet (its header row and width)."""
    for t in (*S.STAGE_TABLES, *S.INPUT_TABLES):
        if t.sheet == sheet:
            return t
    if sheet.startswith(UNIT_SHEET_PREFIX):
        return S.unit_data_table(sheet)
    return None


def _escape(text: str) -> str:
    return text.replace("&", "&&")


def page_setup(sheet: str, office: str, period: str, area: str | None = None) -> PageSetup:
    """How a sheet of this office goes on paper in this period (workbook.description.PageSetup)."""
    paper = paper_for(sheet)
    table = table_for(sheet)
    header_row = table.header_row if table is not None else OWN_LAYOUT.get(sheet, 0)
    rows = paper.title_rows or ((1, header_row) if header_row else None)
    return PageSetup(landscape=paper.landscape, a3=paper.a3, title_rows=rows, title_columns=paper.title_columns,
                     header=(_escape(office), "&A", _escape(period)), footer=("&F", "Dicetak &D", PAGE_NUMBER),
                     area=area)


def print_area(sheet: str, last_row: int) -> str | None:
    """The print area of an input table whose last value is on `last_row` (None for any other
    sheet: its used range ends at its data)."""
    table = next((t for t in S.INPUT_TABLES if t.sheet == sheet), None)
    if table is None:
        return None
    return f"A1:{get_column_letter(len(table.columns))}{max(last_row, table.header_row)}"


def _last_row(rows: list[Any] | None) -> int:
    """The number of the last row holding a value (0: none)."""
    rows = rows or []
    for n in range(len(rows), 0, -1):
        if any(v is not None and v != "" for v in rows[n - 1]):
            return n
    return 0


def setup_sheet(ws: Any, sheet: str, office: str, period: str) -> None:
    """Put an openpyxl worksheet's print settings (a sheet being created)."""
    from kinerja.workbook.book import set_page

    last = max((r for (r, _c), cell in ws._cells.items() if cell.value is not None), default=0)
    set_page(ws, page_setup(sheet, office, period, print_area(sheet, last)), created=True)


def dress(writes: WorkbookWrites, loaded: Loaded | None) -> WorkbookWrites:
    """What every write of the master carries besides its data: each sheet written gets its
    pages' header and footer from Pengaturan as it is now (and, a sheet being created, the
    print settings, colour legend and print area `kinerja init` gives it); every input table's
    print area follows its rows."""
    if loaded is None or loaded.master is None:
        return writes
    m = loaded.master
    office, period = m.settings.office.nama, m.settings.period.label()
    written: dict[str, list[SheetWrite]] = {}
    for sw in writes.sheets:
        written.setdefault(sw.sheet, []).append(sw)
    inputs = {t.sheet for t in S.INPUT_TABLES}
    for sheet, group in written.items():
        area = None
        if sheet in inputs:  # only an input table has a print area: only its rows are read
            last = _last_row(loaded.rows.get(sheet))
            for sw in group:  # in the order the writer applies them
                if sw.rows is not None:
                    last = (sw.table.header_row if sw.table else S.FIRST_DATA_ROW - 1) + _last_row(sw.rows)
                last += len(sw.append)
            area = print_area(sheet, last)
        setup = page_setup(sheet, office, period, area)
        for sw in group:
            if sw.page is None:
                sw.page = setup
        if sheet not in loaded.sheets:
            _legend(group[0])
    for table in S.INPUT_TABLES:
        if table.sheet in loaded.sheets and table.sheet not in written:
            area = print_area(table.sheet, _last_row(loaded.rows.get(table.sheet)))
            writes.sheets.append(SheetWrite(table.sheet, page=page_setup(table.sheet, office, period, area)))
    return writes


def _legend(sw: SheetWrite) -> None:
    """A sheet being created gets the colour legend of its kind (sheets.legend)."""
    found = S.legend(sw.sheet)
    if found is None:
        return
    first, items = found
    from openpyxl.utils import column_index_from_string

    start = column_index_from_string(first)
    sw.cells.setdefault(f"{get_column_letter(start - 1)}1", "Warna:")
    for j, (fill, label) in enumerate(items, start):
        sw.cells.setdefault(f"{get_column_letter(j)}1", label)
        sw.marks.append(Mark(f"{get_column_letter(j)}1", fill))


_ODD_HEADER = re.compile(r"<oddHeader>([^<]*)</oddHeader>")
_OURS = "&amp;C&amp;8 &amp;A"  # the centre of the header setup_sheet writes: the sheet's name


def retitle(path: Path, office: str, period: str) -> int:
    """The headers of a master's pages for another period (a new period's master is a copy of
    the last one): every header laid out by setup_sheet gets this office and period; a header
    the office changed itself is left alone, and every other part is copied as it is. Returns
    the number of sheets changed."""
    import zipfile
    from xml.sax.saxutils import escape

    from kinerja.ooxml.zip import copy_member, member_info
    from kinerja.workbook.files import replace_atomic

    new = escape(header_text(page_setup("", office, period).header))
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

    from kinerja.libreoffice import convert

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
