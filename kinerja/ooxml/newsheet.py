"""A new worksheet, laid out from its table description as the openpyxl writer lays it out
(workbook.book.style_table): title, hint, header row, column widths, frozen panes."""

from __future__ import annotations

from xml.sax.saxutils import escape

from openpyxl.utils import get_column_letter

from kinerja.ooxml.parts import MAIN, REL
from kinerja.ooxml.styles import FontSpec, Look, Styles
from kinerja.workbook.description import PageSetup
from kinerja.workbook.style import BORDER_COLOR, HEADER_FILL, HEADER_FONT, HINT_FONT, TITLE_FONT, header_text
from kinerja.workbook.tables import Table


def _font(font) -> FontSpec:
    color = font.color.rgb if font.color is not None and isinstance(font.color.rgb, str) else None
    return FontSpec(bold=font.b or None, italic=font.i or None, size=font.sz, color=color)


TITLE = Look(font=_font(TITLE_FONT))
HINT = Look(font=_font(HINT_FONT))
HEADER = Look(fill=HEADER_FILL, font=_font(HEADER_FONT), border=BORDER_COLOR,
              alignment=(("horizontal", "center"), ("vertical", "center"), ("wrapText", "1")))


def _text(ref: str, text: str, style: int) -> str:
    s = f' s="{style}"' if style else ""
    return f'<c r="{ref}"{s} t="inlineStr"><is><t>{escape(text)}</t></is></c>'


def paper_xml(page: PageSetup | None) -> tuple[str, str]:
    """(the sheetPr element, the elements after the rows) of a new sheet's print settings, as
    workbook.book.set_page puts them (its print titles are a defined name: Book.print_names)."""
    if page is None:
        return "", '<pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" footer="0.5"/>'
    hf = "".join(f"<{tag}>{escape(header_text(texts))}</{tag}>"
                 for tag, texts in (("oddHeader", page.header), ("oddFooter", page.footer)) if any(texts))
    setup = (f'<pageSetup orientation="{"landscape" if page.landscape else "portrait"}" '
             f'paperSize="{8 if page.a3 else 9}" fitToHeight="0" fitToWidth="1"/>')
    return ('<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>',
            '<printOptions horizontalCentered="1"/>'
            '<pageMargins left="0.4" right="0.4" top="0.6" bottom="0.6" header="0.25" footer="0.25"/>'
            + setup + (f"<headerFooter>{hf}</headerFooter>" if hf else ""))


def sheet_xml(table: Table | None, styles: Styles, page: PageSetup | None = None) -> bytes:
    head = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{MAIN}" xmlns:r="{REL}">'
    pr, page = paper_xml(page)
    head += pr
    if table is None:
        return (head + '<dimension ref="A1"/><sheetViews><sheetView workbookViewId="0"/></sheetViews>'
                '<sheetFormatPr defaultRowHeight="15"/><sheetData/>' + page + "</worksheet>").encode("utf-8")
    h = table.header_row
    rows = [f'<row r="1">{_text("A1", table.title, styles.derive(0, look=TITLE))}</row>']
    if table.hint:
        rows.append(f'<row r="2">{_text("A2", table.hint, styles.derive(0, look=HINT))}</row>')
    header = styles.derive(0, look=HEADER)
    cells = "".join(_text(f"{get_column_letter(j)}{h}", c.header, header) for j, c in enumerate(table.columns, 1))
    rows.append(f'<row r="{h}" ht="32" customHeight="1">{cells}</row>')
    cols = "".join(f'<col min="{j}" max="{j}" width="{c.width}" customWidth="1"/>' for j, c in enumerate(table.columns, 1))
    last = get_column_letter(len(table.columns))
    view = (f'<sheetViews><sheetView workbookViewId="0"><pane ySplit="{h}" topLeftCell="A{h + 1}" '
            f'activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" activeCell="A{h + 1}" '
            f'sqref="A{h + 1}"/></sheetView></sheetViews>')
    return (head + f'<dimension ref="A1:{last}{h}"/>' + view + '<sheetFormatPr defaultRowHeight="15"/>'
            + f"<cols>{cols}</cols><sheetData>" + "".join(rows) + "</sheetData>" + page
            + "</worksheet>").encode("utf-8")
