"""A Word template's table-row loops rendered without Jinja: the rows of a large table (the
report's 50,000 indicator rows) made by joining the row's own XML with its escaped values.

docxtpl turns `{%tr for r in rows %}` into a Jinja for-loop over the row's XML. Jinja then looks
up every `{{ r.kode }}` through Environment.getattr (an AttributeError per dict key) and the
document is post-processed as text afterwards (`post`: docxtpl's escaped braces, line breaks and
tabs, picture ids), several passes over some 200 MB. A loop whose row prints only fields of its
item (`{{ r.kode }}`, `{{ b.tw[0] }}`) writes the same XML pieces on every row with other values
between them, so the row is built here directly, and it is the same text:

- a value is looked up as Jinja looks it up (a dict's key unless dict has an attribute of that
  name, else Environment.getattr/getitem themselves) and escaped as Jinja's autoescape does
  (markupsafe.escape of str, int, float, bool, None); any other value (a picture, Markup, a
  missing key) sends that row through the row's own Jinja template;
- every pattern of `post` (escaped braces '{_{', '}_}', '{_%', '%_}'; a cut '\n<w:p') is made
  of '{', '}', '%', '_' and '\n<w:p', so none crosses the edge of a value whose neighbouring
  pieces of XML do not end or start with one of those ("isolated", checked per value slot): the
  pieces are post-processed once, and a value only when it holds '_' (braces) or a new line, in
  a slot where docxtpl's line break was proven (by post-processing a probe row) to be exactly the
  value's '\n' replaced. A value with a tab, a bell or a form feed, a new line in a slot not
  proven, or any of '{}%_' or a new line in a slot not isolated, has its row post-processed
  whole, as the Jinja path does;
- `post` works on whole paragraphs: a row is a whole table row (`<w:tr>`...`</w:tr>`, no
  self-closing paragraph, run or text with attributes, which docxtpl's regular expressions would
  read as an opening running on into the next row), and the template before the loop ends its
  last paragraph, so cutting the text at the rows changes nothing `post` does;
- the usual row (a dict, each value found by a key then list indexes, all slots isolated and
  proven) has its values escaped and post-processed together, joined by NUL (no pattern spans
  a NUL; a value holding one takes the general way), and is put into the row's XML by one
  %-format.

A loop that is not of this kind stays with Jinja. `tests/test_wordrows.py` renders templates both
ways, hostile text included, and compares the bytes.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from markupsafe import escape

# what docxtpl's patch_xml leaves of a {%tr for NAME in EXPR %} ... {%tr endfor %} row loop
_LOOP = re.compile(r"\{% for ([A-Za-z_]\w*) in ([A-Za-z_][\w.]*) %\}((?:(?!\{%).)*)\{% endfor %\}", re.DOTALL)
_JINJA = re.compile(r"\{\{.*?\}\}|\{%|\{#", re.DOTALL)
_STEP = re.compile(r"\.([A-Za-z_]\w*)|\[(\d+)\]")
_SELF_CLOSED = re.compile(r"<w:[prt] [^>]*/>")  # what docxtpl's regular expressions take for an opening
_OPENING = re.compile(r"<w:p(?: [^>]*)?>")
_LISTING = ("\t", "\a", "\n", "\f")
BREAK = '</w:t><w:br/><w:t xml:space="preserve">'  # docxtpl's line break inside a text
CALL = "kinerja_rows"  # the Jinja global that leaves a marker where a loop's rows go
MARKER = re.compile(r"<\?kinerja-rows (\d+)\?>")  # escaped values never hold '<'
_EDGE = ("", "{", "}", "%", "_")  # a piece ending or starting so could make a pattern of post with a value
_SPECIAL = re.compile("[{}%_\t\a\n\f]")  # what in a value post may change or join with its neighbours
_QUICK = re.compile("[_\t\a\n\f]")  # what post may change in an isolated value
_DICT_NAMES = frozenset(dir(dict))
_MISSING = object()


def _braces(text: str) -> str:
    """docxtpl's escaped Jinja braces ({_{ for a literal {{)."""
    return text.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")


@dataclass
class RowLoop:
    """One row loop: the row's XML pieces around its value slots."""

    name: str  # the loop variable
    raw: list[str]  # the XML pieces as Jinja would write them (len(slots) + 1)
    pieces: list[str]  # the same pieces post-processed
    slots: list[tuple[tuple[str, Any], ...]]  # per value: its lookups (('.', 'kode'), ('[]', 0))
    isolated: list[bool]  # no pattern of post crosses the value's edges (see the module's text)
    newline: list[bool]  # a '\n' in the value is exactly the line break post makes of it
    jinja: Any  # the row as a Jinja template, for a row holding other values
    keys: Any = None  # operator.itemgetter of each slot's first key: every slot starts with a dict key
    indexes: tuple[tuple[int, ...], ...] = ()  # per slot, the list indexes after its key
    form: str = ""  # the post-processed pieces as a %-format, one %s per value

    def __post_init__(self) -> None:
        self.form = "%s".join(p.replace("%", "%%") for p in self.pieces)
        if all(self.isolated) and all(self.newline) and self.slots and all(
                s[0][0] == "." and s[0][1] not in _DICT_NAMES and all(k == "[]" for k, _ in s[1:])
                for s in self.slots):
            keys = [s[0][1] for s in self.slots]
            get = operator.itemgetter(*keys)
            self.keys = get if len(keys) > 1 else (lambda item: (get(item),))
            self.indexes = tuple(tuple(i for _, i in s[1:]) for s in self.slots)


class DirectRows:
    """The row loops of one template part: `extract` takes them out of the Jinja source, `rows`
    writes a marker's rows. `post` is the post-processing applied to every other piece of the
    rendered text (docxtpl's, on whole paragraphs)."""

    def __init__(self, env: Any, post: Callable[[str], str]) -> None:
        self.env, self.post = env, post
        self.loops: list[RowLoop] = []
        self.pending: list[tuple[RowLoop, Any] | None] = []

    def extract(self, src: str) -> str:
        """`src` with each row loop that can be built directly replaced by a call leaving a marker."""

        def replace(m: re.Match[str]) -> str:
            loop = self._loop(m, src)
            if loop is None:
                return m.group(0)
            self.loops.append(loop)
            return "{{ " + f"{CALL}({len(self.loops) - 1}, {m.group(2)})" + " }}"

        return _LOOP.sub(replace, src)

    def globals(self) -> dict[str, Any]:
        return {CALL: self._marker}

    def _marker(self, k: int, items: Any) -> Any:
        from markupsafe import Markup

        self.pending.append((self.loops[k], items))
        return Markup(f"<?kinerja-rows {len(self.pending) - 1}?>")

    def _loop(self, m: re.Match[str], src: str) -> RowLoop | None:
        name, body = m.group(1), m.group(3)
        if not (body.startswith("<w:tr") and body.endswith("</w:tr>")) or _SELF_CLOSED.search(body) \
                or "<wp:docPr" in body:
            return None
        before = src[:m.start()]
        opened = [o.start() for o in _OPENING.finditer(before)]
        if opened and before.rfind("</w:p>") < opened[-1]:  # the text before leaves a paragraph open
            return None
        raw, slots = [], []
        at = 0
        for tag in _JINJA.finditer(body):
            expr = re.fullmatch(r"\{\{ ?" + re.escape(name) + r"((?:\.[A-Za-z_]\w*|\[\d+\])*) ?\}\}", tag.group(0))
            if expr is None:
                return None  # another variable, a filter, a statement: Jinja's
            raw.append(body[at:tag.start()])
            slots.append(tuple(("." if a else "[]", a or int(i)) for a, i in _STEP.findall(expr.group(1))))
            at = tag.end()
        raw.append(body[at:])
        plain = [_braces(p.replace("\n<w:p ", "<w:p ").replace("\n<w:p>", "<w:p>")) for p in raw]
        if any(c in p for p in plain for c in _LISTING):
            return None
        isolated = [raw[i][-1:] not in _EDGE and raw[i + 1][:1] not in _EDGE
                    and not raw[i + 1].startswith(("<w:p ", "<w:p>")) for i in range(len(slots))]
        probe = ["x"] * len(slots)
        if self.post(_join(raw, probe)) != _join(plain, probe):
            return None
        newline = []
        for i in range(len(slots)):
            values = probe[:i] + ["a\nb"] + probe[i + 1:]
            direct = probe[:i] + ["a" + BREAK + "b"] + probe[i + 1:]
            newline.append(isolated[i] and self.post(_join(raw, values)) == _join(plain, direct))
        return RowLoop(name, raw, plain, slots, isolated, newline, self.env.from_string(body))

    def rows(self, marker: int) -> Iterator[str]:
        """The rows of one marker, as text post-processed (in pieces of many rows)."""
        entry = self.pending[marker]
        self.pending[marker] = None  # the rows are written once; let their list go
        assert entry is not None
        loop, items = entry
        out: list[str] = []
        size = 0
        for item in items:
            row = self._quick(loop, item) or self._row(loop, item)
            out.append(row)
            size += len(row)
            if size > 1 << 20:
                yield "".join(out)
                out, size = [], 0
        if out:
            yield "".join(out)

    def _quick(self, loop: RowLoop, item: Any) -> str | None:
        """The row of a dict whose values (its keys, then list indexes) are plain str or numbers
        needing no more than escaping, braces and line breaks; else None (`_row` makes it).
        The values are escaped and post-processed together, joined by NUL: no pattern of post
        spans a NUL, and a value holding one goes to `_row`."""
        if loop.keys is None or type(item) is not dict:
            return None
        try:
            found = loop.keys(item)
        except KeyError:
            return None
        values = []
        for v, indexes in zip(found, loop.indexes):
            for i in indexes:
                if type(v) is not list or i >= len(v):
                    return None
                v = v[i]
            t = type(v)
            if t is str:
                values.append(v)
            elif t is int or t is float or t is bool or v is None:
                values.append(str(v))
            else:
                return None
        text = "\0".join(values)
        if text.count("\0") != len(values) - 1:
            return None
        text = str(escape(text))
        if _QUICK.search(text):
            if "\t" in text or "\a" in text or "\f" in text:
                return None
            text = _braces(text).replace("\n", BREAK)
        return loop.form % tuple(text.split("\0"))

    def _row(self, loop: RowLoop, item: Any) -> str:
        env = self.env
        values: list[str] = []
        whole = False  # the row's text post-processed whole
        for steps, isolated, newline in zip(loop.slots, loop.isolated, loop.newline):
            v = item
            for kind, key in steps:
                if kind == ".":
                    if type(v) is dict and key not in _DICT_NAMES:
                        got = v.get(key, _MISSING)
                        v = env.getattr(v, key) if got is _MISSING else got
                    else:
                        v = env.getattr(v, key)
                elif type(v) is list and -len(v) <= key < len(v):
                    v = v[key]
                else:
                    v = env.getitem(v, key)
            t = type(v)
            if t is str:
                s = str(escape(v))  # a plain str: Markup's own replace would escape its arguments
                if not _SPECIAL.search(s):
                    pass
                elif not isolated:
                    whole = True
                else:
                    if "_" in s:
                        s = _braces(s)
                    if "\t" in s or "\a" in s or "\f" in s or ("\n" in s and not newline):
                        whole = True
                    elif "\n" in s:
                        s = s.replace("\n", BREAK)
            elif t is int or t is float or t is bool or v is None:
                s = str(v)  # digits, '.', '-', 'e', 'inf', 'nan', 'True', 'None': nothing post changes
            else:  # a picture, Markup, an undefined name: the row as Jinja renders it
                return self.post(loop.jinja.render({loop.name: item}))
            values.append(s)
        if whole:
            return self.post(_join(loop.raw, self._plain(loop, item)))
        return _join(loop.pieces, values)

    def _plain(self, loop: RowLoop, item: Any) -> list[str]:
        """The row's values exactly as Jinja writes them (escaped, nothing post-processed)."""
        return [str(escape(_lookup(self.env, item, steps))) for steps in loop.slots]


def _lookup(env: Any, item: Any, steps: Iterable[tuple[str, Any]]) -> Any:
    v = item
    for kind, key in steps:
        v = env.getattr(v, key) if kind == "." else env.getitem(v, key)
    return v


def _join(pieces: list[str], values: list[str]) -> str:
    out = [pieces[0]]
    for v, p in zip(values, pieces[1:]):
        out.append(v)
        out.append(p)
    return "".join(out)
