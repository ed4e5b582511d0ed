"""One worksheet part rewritten: its rows replaced, appended or set, streamed part to part."""

from __future__ import annotations

import heapq
import io
import re
import shutil
import zipfile
from functools import lru_cache
from math import isfinite
from typing import IO, Any

from openpyxl.utils import get_column_letter

from kinerja.ooxml.cells import _REF, Cells, Row, cell_style, column_index
from kinerja.ooxml.cells import rows as split_rows
from kinerja.ooxml.comments import Notes
from kinerja.ooxml.hyperlinks import set_links
from kinerja.ooxml.opc import Package
from kinerja.ooxml.paper import set_pages
from kinerja.ooxml.parts import Unsupported
from kinerja.ooxml.protection import set_protection
from kinerja.ooxml.styles import NO_FILL
from kinerja.ooxml.tail import Tail
from kinerja.ooxml.validations import set_choices
from kinerja.ooxml.workbook import Book
from kinerja.ooxml.zip import CHUNK, Deflating, copy_member, member_info
from kinerja.workbook.description import Link
from kinerja.workbook.style import AUTHOR, INPUT_FILL, SEVERITY_FILL
from kinerja.workbook.tables import FIRST_DATA_ROW, row_heights, wrapped_height

_HAS_VALUE = re.compile(r"<v>[^<]|<is>|<f[ >/]")
_SHEET_VIEW = re.compile(r"<sheetView\b[^>]*>")
_TAB_SELECTED = re.compile(r'\s+tabSelected="([^"]*)"')
_ATTR_S_SP = re.compile(r'\s+s="\d+"')
_HEIGHT = re.compile(r'\s+(ht|customHeight)="[^"]*"')


def _table_styles(sw: Any) -> list[tuple[str | None, str | None, Any]]:
    """Per column of the table: number format, fill, alignment (as workbook.book.write_rows sets them)."""
    if not sw.table:
        return []
    aligned = any(c.wrap or c.align for c in sw.table.columns)
    out = []
    for c in sw.table.columns:
        alignment = None
        if aligned:  # every column at the top of a row that wraps
            alignment = tuple(sorted({"vertical": "top", **({"horizontal": c.align} if c.align else {}),
                                      **({"wrapText": "1"} if c.wrap else {})}.items()))
        out.append((c.number_format, INPUT_FILL if c.input else None, alignment))
    return out


_MARK_COLORS = {c.upper() for c in SEVERITY_FILL.values()}


def write_sheet(pkg: Package, out: Deflating, part: str, writes: list[Any], book: Book) -> None:
    """One sheet, with its writes applied in order (as workbook.book.apply_to_workbook does):
    earlier marks cleared, rows replaced (streamed out, never all held as text), appended,
    single cells set, cells marked (fill and note), dropdowns, the sheet lock, its tab selected.
    Its notes, hyperlinks and relationships are put into `pkg`; the part goes to `out` chunk by
    chunk (compressed there while the next rows are made)."""
    replacing = [sw for sw in writes if sw.rows is not None]
    cut = min((sw.table.header_row + 1 if sw.table else FIRST_DATA_ROW) for sw in replacing) if replacing else None
    with _source(pkg, part) as src:
        head, rows_xml, tail_xml = split_sheet(src, cut)
    if re.search(r"<\w+:sheetData", head):
        raise Unsupported("sheet with prefixed XML")
    tail = Tail(head, tail_xml)
    notes: Notes | None = None
    links: dict[str, Any] = {}
    dropped_links: int | None = None

    def noted() -> Notes:
        nonlocal notes
        if notes is None:
            notes = Notes(pkg, part, tail)
        return notes

    rows: dict[int, str | Row] = dict(split_rows(rows_xml))  # row -> its xml, or a Row being changed
    del rows_xml
    new: list[list[Any]] = []  # rows replaced from `start` on: made into xml (by `make`) as written
    start = 0
    make: Any = None
    letters: list[str] = []
    width = 0

    def grow(data: list[list[Any]]) -> None:
        nonlocal width
        width = max(width, max((len(v) for v in data), default=0))
        letters.extend(get_column_letter(j) for j in range(len(letters) + 1, width + 1))

    def parsed(r: int) -> Row:
        row = rows.get(r)
        if isinstance(row, Row):
            return row
        if row is None and start <= r < start + len(new):
            row = rows[r] = make(r, new[r - start])
        made = Row(f' r="{r}"') if row is None else Row.of(row)
        rows[r] = made
        return made

    for sw in writes:
        first = sw.table.header_row + 1 if sw.table else FIRST_DATA_ROW
        cells = Cells(book.styles, book.epoch, _table_styles(sw))
        fresh = _fresh_rows(cells, letters, sw.table)
        if sw.clear_marks:
            if sw.rows is None:  # rows replaced below lose their marks anyway
                _clear_fills(rows, parsed, first, sw.table, book.styles)
            if tail.has("legacyDrawing") or pkg.rels(part).of_type("comments"):
                def keep(r: int, c: int, author: str, first: int = first) -> bool:
                    return r < first or author != AUTHOR  # the tool's own notes in the table go

                noted().remove(keep)
        if sw.rows is not None:
            for r in range(start, min(start + len(new), first)):  # earlier new rows above this table
                rows.setdefault(r, make(r, new[r - start]))
            for r in [r for r in rows if r >= first]:
                del rows[r]
            new, start, make = sw.rows, first, fresh
            grow(new)
            if tail.has("legacyDrawing") or pkg.rels(part).of_type("comments"):
                def kept(r: int, c: int, author: str, first: int = first) -> bool:
                    return r < first or author.startswith("tc=")  # a threaded comment stays

                noted().remove(kept)
            dropped_links = first if dropped_links is None else min(first, dropped_links)
            links = {ref: link for ref, link in links.items() if locate(ref)[1] < first}
            for i, values in enumerate(new):  # the new rows are made while streaming out: their links now
                for j, value in enumerate(values):
                    if isinstance(value, Link):
                        links[f"{letters[j]}{first + i}"] = value
        if sw.append:
            grow(sw.append)
            filled = [i for i, v in enumerate(new) if any(x is not None for x in v)]
            last = max([r for r, row in rows.items() if r >= first and _has_value(row)]
                       + ([start + filled[-1]] if filled else []), default=first - 1)
            last = max(last, first - 1)
            for i, values in enumerate(sw.append):
                r = last + 1 + i
                if r not in rows and not start <= r < start + len(new):
                    rows[r] = fresh(r, values)
                    continue
                row = parsed(r)
                height = wrapped_height(sw.table, values) if sw.table is not None else None
                if height is not None:
                    row.attrs = _HEIGHT.sub("", row.attrs) + f' ht="{height:g}" customHeight="1"'
                for j, value in enumerate(values):
                    _guard(row.cells.get(j + 1))
                    s = cells.style(value, row.style(j + 1), j)
                    if value is None and not s and j + 1 not in row.cells:
                        continue
                    if value is None and not s:
                        row.cells.pop(j + 1, None)
                    else:
                        row.cells[j + 1] = cells.xml(f"{letters[j]}{r}", value, s)
        style_of, xml_of = cells.style, cells.xml
        for given, value in sw.cells.items():  # many (every landed value): kept lean
            ref, r, col = locate(given)
            row = rows.get(r)
            if row.__class__ is not Row:
                row = parsed(r)
            old = row.cells.get(col)
            if old is not None:
                _guard(old)
            if col > width:
                width = col
            xml = xml_of(ref, value, style_of(value, cell_style(old), -1))
            if value is None and ' s="' not in xml:  # empty and plain: no cell, as openpyxl writes it
                row.cells.pop(col, None)
            else:
                row.cells[col] = xml
        for mark in sw.marks:
            ref, r, col = locate(mark.cell)
            row = parsed(r)
            width = max(width, col)
            style = book.styles.derive(row.style(col), fill=mark.fill)
            row.cells[col] = restyle(row.cells.get(col), ref, style)
            if mark.note:
                noted().set(ref, mark.note, AUTHOR)
        links.update(cells.links)
        for ref, values in sw.choices.items():
            set_choices(tail, ref, values, book.list_formulas.get(tuple(values)))
        if sw.protect is not None:
            set_protection(tail, sw.protect, book, sw.sheet, sw.table)
        if sw.page is not None and part not in book.new_parts:
            set_pages(tail, sw.page)
    if links or (dropped_links is not None and tail.has("hyperlinks")):
        set_links(tail, pkg.rels(part), links, dropped_links)
    if notes is not None:
        notes.finish()
    last_row = max(max(rows, default=0), start + len(new) - 1 if new else 0)
    head = _dimension(head, last_row, min(rows, default=start), width)
    if book.selected_part is not None:
        head = _set_tab_selected(head, part == book.selected_part)
    order = heapq.merge(sorted(rows), range(start, start + len(new)))
    out.open(member_info(pkg.info(part)))
    out.write(head.encode("utf-8"))
    buf: list[str] = []
    size, previous = 0, None
    for r in order:
        if r == previous:
            continue
        previous = r
        row = rows.get(r)
        if row is None:
            text = make(r, new[r - start])
        else:
            text = row if isinstance(row, str) else row.xml()
        buf.append(text)
        size += len(text)
        if size > CHUNK:
            out.write("".join(buf).encode("utf-8"))
            buf, size = [], 0
    out.write(("".join(buf) + tail.xml()).encode("utf-8"))
    out.close()


def _source(pkg: Package, part: str) -> IO[bytes]:
    """The part's bytes as a stream: from the zip (never read whole) or, a new part, from memory."""
    if part in pkg.parts:
        return io.BytesIO(pkg.parts[part])
    return pkg.zin.open(part)


def restyle(cell: str | None, ref: str, style: int) -> str:
    """A cell's XML with another style index (an empty styled cell when there was none)."""
    s = f' s="{style}"' if style else ""
    if not cell:
        return f'<c r="{ref}"{s}/>'
    end = cell.index(">")
    start_tag = _ATTR_S_SP.sub("", cell[:end])
    if start_tag.endswith("/"):
        return start_tag[:-1].rstrip() + s + "/" + cell[end:]
    return start_tag + s + cell[end:]


def _clear_fills(rows: dict[int, str | Row], parsed: Any, first: int, table: Any, styles: Any) -> None:
    """The highlights of earlier marks gone from the data region: input cells yellow again,
    others without a fill. Only rows holding a marked style are parsed (found by a pattern that
    starts with a literal: one starting with a word boundary cost more than the rest of the write)."""
    marked = styles.solid_fills(_MARK_COLORS)
    if not marked:
        return
    inputs = {j for j, c in enumerate(table.columns, 1) if c.input} if table else set()
    # a marked style somewhere in the row (then parsed: exact); a literal start lets the search skip
    holds = re.compile('s="(?:' + "|".join(str(s) for s in sorted(marked)) + ')"')
    for r in [r for r in rows if r >= first]:
        row = rows[r]
        text = row if isinstance(row, str) else row.xml()
        if not holds.search(text):
            continue
        row = parsed(r)
        for col, cell in list(row.cells.items()):
            style = row.style(col)
            if style in marked:
                fill = INPUT_FILL if col in inputs else NO_FILL
                row.cells[col] = restyle(cell, "", styles.derive(style, fill=fill))


def _fresh_rows(cells: Cells, letters: list[str], table: Any = None) -> Any:
    """A maker of new rows (nothing in them to keep, styles from the table only). A rekap makes
    a million cells: each column's style attribute is worked out once per type of value."""
    styles: list[dict[type, str]] = []  # column -> value type -> style attribute
    height = row_heights(table) if table is not None and any(c.wrap for c in table.columns) else None
    texts = cells.texts

    def fresh(r: int, values: list[Any]) -> str:
        out = []
        while len(styles) < len(values):
            styles.append({})
        for j, value in enumerate(values):
            t = type(value)
            s = styles[j].get(t)
            if s is None:
                s = styles[j][t] = cells.style(value, 0, j)
            if t is str:  # the common cells inline, as in Cells.xml
                inner = texts.get(value)
                out.append(f'<c r="{letters[j]}{r}"{s} t="inlineStr"{inner}' if inner is not None
                           else cells.xml(f"{letters[j]}{r}", value, s))
            elif (t is float and isfinite(value)) or t is int:
                out.append(f'<c r="{letters[j]}{r}"{s} t="n"><v>{value:.16g}</v></c>')
            elif value is not None or s:
                out.append(cells.xml(f"{letters[j]}{r}", value, s))
        tall = height(values) if height is not None else None
        attrs = f' r="{r}" ht="{tall:g}" customHeight="1"' if tall is not None else f' r="{r}"'
        return f"<row{attrs}>" + "".join(out) + "</row>" if out else f"<row{attrs}/>"

    return fresh


@lru_cache(maxsize=1 << 16)
def locate(given: str) -> tuple[str, int, int]:
    """A cell reference ('k45', '$K$45') as (its plain name, row, column); the same few names
    recur on every unit sheet, so each is worked out once."""
    m = _REF.fullmatch(given)
    if m is None:
        raise Unsupported(f"cell reference {given!r}")
    letters, r = m.group(1).upper(), int(m.group(2))
    return f"{letters}{r}", r, column_index(letters)


def _guard(cell: str | None) -> None:
    if cell and ('t="shared"' in cell or 't="array"' in cell):
        raise Unsupported("shared or array formula in a written cell")


def _has_value(row: str | Row) -> bool:
    text = row if isinstance(row, str) else row.xml()
    return bool(_HAS_VALUE.search(text))


def _dimension(head: str, last_row: int, first_row: int, width: int) -> str:
    """<dimension> fitted to the rows (all of them are known) and grown to the columns written
    (columns of rows not parsed keep the width the sheet declared)."""
    m = re.search(r'<dimension ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"\s*/>', head)
    if m is None or last_row == 0:
        return head
    top = min(first_row, int(m.group(2)))
    right = get_column_letter(max(column_index(m.group(3) or m.group(1)), width))
    return head[:m.start()] + f'<dimension ref="{m.group(1)}{top}:{right}{last_row}"/>' + head[m.end():]


def _set_tab_selected(head: str, selected: bool) -> str:
    """The first sheetView marked selected or not (tabSelected="0" is the same as absent)."""
    m = _SHEET_VIEW.search(head)
    if m is None:
        return head
    tag = m.group(0)
    attr = _TAB_SELECTED.search(tag)
    if (attr is not None and attr.group(1) in ("1", "true")) == selected:
        return head
    tag = _TAB_SELECTED.sub("", tag)
    if selected:
        tag = tag.replace("<sheetView", '<sheetView tabSelected="1"', 1)
    return head[:m.start()] + tag + head[m.end():]


def split_sheet(src: IO[bytes], drop_from: int | None) -> tuple[str, str, str]:
    """(everything up to and including <sheetData>, the rows, </sheetData> and the rest).
    With `drop_from`, rows numbered from it on are skipped while streaming (never held)."""
    data = b""
    while b"<sheetData" not in data or data.find(b">", data.find(b"<sheetData")) < 0:
        chunk = src.read(CHUNK)
        if not chunk:
            break
        data += chunk
    start = data.find(b"<sheetData")
    if start < 0:
        raise Unsupported("no sheetData")
    end = data.find(b">", start) + 1
    head = data[:end]
    if head.endswith(b"/>"):  # <sheetData/>: no rows
        return head[:-2].decode("utf-8") + ">", "", "</sheetData>" + (data[end:] + src.read()).decode("utf-8")
    rest = data[end:]
    if drop_from is None:
        rest += src.read()
        close = rest.rfind(b"</sheetData>")
        if close < 0:
            raise Unsupported("unterminated sheetData")
        return head.decode("utf-8"), rest[:close].decode("utf-8"), rest[close:].decode("utf-8")
    kept: list[bytes] = []
    pattern = re.compile(rb'<row\b[^>]*?\br="(\d+)"')
    pos = 0
    while True:  # keep whole rows numbered below drop_from; stop at the first row to drop
        m = pattern.search(rest, pos)
        end = _row_end(rest, m.start()) if m is not None and int(m.group(1)) < drop_from else None
        if m is None or end == -1:
            close = rest.find(b"</sheetData>", pos) if m is None else -1
            if close >= 0:
                kept.append(rest[pos:close])
                return (head.decode("utf-8"), b"".join(kept).decode("utf-8"),
                        (rest[close:] + src.read()).decode("utf-8"))
            chunk = src.read(CHUNK)
            if not chunk:
                raise Unsupported("unterminated sheetData")
            rest, pos = rest[pos:] + chunk, 0
            continue
        if end is None:  # the first row to drop
            kept.append(rest[pos:m.start()])
            rest = rest[m.start():]
            break
        kept.append(rest[pos:end])
        pos = end
    tail = _skip_to(src, rest, b"</sheetData>")
    return head.decode("utf-8"), b"".join(kept).decode("utf-8"), tail.decode("utf-8")


def _row_end(data: bytes, start: int) -> int:
    gt = data.find(b">", start)
    if gt < 0:
        return -1
    if data[gt - 1:gt] == b"/":
        return gt + 1
    end = data.find(b"</row>", gt)
    return -1 if end < 0 else end + len(b"</row>")


def _skip_to(src: IO[bytes], data: bytes, marker: bytes) -> bytes:
    """Read on until `marker`; return it and everything after it."""
    while True:
        i = data.find(marker)
        if i >= 0:
            return data[i:] + src.read()
        keep = data[-len(marker):]
        chunk = src.read(CHUNK)
        if not chunk:
            raise Unsupported("unterminated sheetData")
        data = keep + chunk


def write_selection(zin: zipfile.ZipFile, zout: zipfile.ZipFile, info: zipfile.ZipInfo,
                     selected: bool) -> None:
    """An untouched sheet whose tab selection changes: its head rewritten, the rest streamed."""
    with zin.open(info) as src:
        data = src.read(64 * 1024)
        cut = data.find(b"<sheetData")
        if cut < 0:  # a very long head: the whole part
            data += src.read()
            cut = data.find(b"<sheetData")
            if cut < 0:
                raise Unsupported("no sheetData")
        head = data[:cut].decode("utf-8")
        now = _set_tab_selected(head, selected)
        if now == head:
            src.close()
            copy_member(zin, zout, info)
            return
        with zout.open(member_info(info), "w") as out:
            out.write(now.encode("utf-8"))
            out.write(data[cut:])
            shutil.copyfileobj(src, out, CHUNK)

