"""The look shared by every writer: header, input and severity colours, fonts, the notes' author."""

from __future__ import annotations

from openpyxl.styles import Border, Font, Side

HEADER_FILL = "1F4E78"
INPUT_FILL = "FFF2CC"  # cells staff type into
FONT = "Calibri"  # named on every styled cell: a reader without it substitutes a sans, not a serif
TITLE_FONT = Font(name=FONT, bold=True, size=14, color="1F4E78")
HINT_FONT = Font(name=FONT, italic=True, size=9, color="595959")
HEADER_FONT = Font(name=FONT, bold=True, color="FFFFFF")
BORDER_COLOR = "BFBFBF"
THIN = Side(style="thin", color=BORDER_COLOR)
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
SEVERITY_FILL = {"error": "F8CBAD", "warning": "F4B183", "info": "DDEBF7"}  # never yellow: yellow is input
AUTHOR = "kinerja"



# page headers and footers: small print (Excel's codes: &L &C &R sections, &8 the font size)
HEADER_SIZE = 8


def header_text(parts: tuple[str, str, str]) -> str:
    """Excel's header/footer string '&L&8 ...&C&8 ...&R&8 ...', as openpyxl writes it."""
    size = f"&{HEADER_SIZE} "
    return "".join(f"&{side}{size}{text}" for side, text in zip("LCR", parts) if text)


def header_centre(text: str | None) -> str:
    """The centre section of a header/footer string, without its font size ('' when none)."""
    import re

    m = re.search(r"&C(?:&\d+ ?)?(.*?)(?=&[LR]|$)", text or "", re.S)
    return m.group(1).strip() if m else ""
