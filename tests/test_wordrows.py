"""Table-row loops built without Jinja (kinerja.wordrows) make the very bytes Jinja makes."""

from __future__ import annotations

import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from kinerja.stages.documents import _pictures, builtin_templates_dir, common_context, report_context
from kinerja.wordtemplate import docx_template

# what a unit may type that XML, Jinja or docxtpl's post-processing treat specially
HOSTILE = ["A & B <b>x</b>", "]]>", "{{ x }}", "{% if x %}", "{#", '"q" \'s\'', "baris\ndua\n\nempat",
           "tab\tdi sini", "bel\a", "halaman\fbaru", "{_{ z }_}", "{_% %_}", "_{", "}_", "%_", "{_", "=SUM(A1)",
           "panjang " * 2000, "\n", "", "‘kutip’ “dua” é 中文", "\r\nCRLF", "<?kinerja-rows 0?>"]


def _render(template: Path, context: dict[str, Any], out: Path, direct: bool) -> tuple[bytes, list[str]]:
    """document.xml, and the loop variables of the loops built directly."""
    tpl = docx_template(template, direct_rows=direct)
    tpl.render({k: _pictures(v, tpl) for k, v in context.items() if not k.startswith("_")}, autoescape=True)
    tpl.save(str(out))
    with zipfile.ZipFile(out) as z:
        return z.read("word/document.xml"), [loop.name for loop in tpl.direct.loops] if tpl.direct else []


def _both(template: Path, context: dict[str, Any], tmp_path: Path, loops: list[str]) -> bytes:
    direct, built = _render(template, context, tmp_path / "direct.docx", True)
    jinja, none = _render(template, context, tmp_path / "jinja.docx", False)
    assert direct == jinja
    assert built == loops and none == []
    return direct


def _template(path: Path) -> Path:
    """Row loops of every kind: values alone in a text, side by side, after text, indexed, a
    dict's own attribute name, an empty paragraph Word writes with attributes (left to Jinja)."""
    doc = Document()
    doc.add_paragraph("Judul {{ judul }}")
    rows = [("{%tr for r in baris %}", "", ""),
            ("{{ r.a }}", "{{ r.a }}{{ r.b }}", "Kode_{{ r.b }}: {{ r.c }}%"),
            ("{%tr endfor %}", "", ""),
            ("{%tr for b in banding %}", "", ""),
            ("{{ b.tw[0] }}", "{{ b.tw[3] }}", "{{ b.tw[9] }} {{ b.hilang }}"),
            ("{%tr endfor %}", "", ""),
            ("{%tr for w in kata %}", "", ""),
            ("{{ w.a }}", "", "{{ w.b }}"),
            ("{%tr endfor %}", "", "")]
    table = doc.add_table(rows=len(rows), cols=3)
    for i, texts in enumerate(rows):
        for j, text in enumerate(texts):
            table.cell(i, j).text = text
    empty = OxmlElement("w:p")
    empty.set(qn("w:rsidR"), "00A1B2C3")
    table.cell(7, 1)._tc.append(empty)  # <w:p w:rsidR=".."/>: docxtpl's patterns read it as an opening
    doc.add_paragraph("Penutup {{ judul }}")
    doc.save(path)
    return path


def _context(values: list[Any]) -> dict[str, Any]:
    n = len(values)
    return {"judul": "TW III & <IV>",
            "baris": [{"a": values[i], "b": values[(i + 1) % n], "c": values[(i + 2) % n]} for i in range(n)],
            "banding": [{"tw": [values[i], 1.5, None, values[(i + 3) % n]]} for i in range(n)]
            + [{"tw": []}, {"tw": "xy"}],
            "kata": [{"a": values[i], "b": values[(i + 5) % n]} for i in range(n)]}


def test_row_loops_of_every_kind_with_hostile_text(tmp_path):
    values = [*HOSTILE, 0, -3, 2.5, 1e-05, float("nan"), True, None, Markup("<b>tebal</b>"), ["daftar"]]
    xml = _both(_template(tmp_path / "t.docx"), _context(values), tmp_path, ["r", "b"])
    assert b"A &amp; B &lt;b&gt;x&lt;/b&gt;" in xml and b"<b>tebal</b>" in xml and b"<w:br/>" in xml
    assert b"kinerja-rows" not in xml.replace(b"&lt;?kinerja-rows 0?&gt;", b"")


@settings(max_examples=25, deadline=None)
@given(st.lists(st.text(alphabet="ab{}%_<>&\"'\n\t\a\f ", max_size=8) | st.integers() | st.none(),
                min_size=1, max_size=6))
def test_any_values_render_as_jinja_renders_them(tmp_path_factory, values):
    tmp = tmp_path_factory.mktemp("rows")
    _both(_template(tmp / "t.docx"), _context(values), tmp, ["r", "b"])


def test_the_report_template_with_hostile_text_in_every_table(sample_loaded, tmp_path):
    """The built-in report: its indicator, comparison, unit and explanation rows (the ones built
    directly) with what a unit may type."""
    now = datetime(2026, 10, 20, 10, 0)
    from kinerja.issues.catalogue import Report

    ctx = report_context(sample_loaded, now, common_context(sample_loaded.master, now, True, Report()))
    rows = [r for g in ctx["kelompok"] for r in g["baris"]] + ctx["unit_rows"] + ctx["penjelasan"]
    rows += [b for g in ctx["kelompok"] for b in g["banding"]]
    assert len(rows) > 40
    for i, row in enumerate(rows):
        for j, key in enumerate(k for k in row if k != "no"):
            row[key] = HOSTILE[(i + j) % len(HOSTILE)] if key != "tw" else [HOSTILE[(i + q) % len(HOSTILE)]
                                                                           for q in range(4)]
    xml = _both(builtin_templates_dir() / "laporan.docx", ctx, tmp_path, ["p", "u", "r", "b", "e", "s"])
    assert b"{{ x }}" in xml and b"&lt;?kinerja-rows 0?&gt;" in xml


def test_the_receipt_template_with_hostile_text(sample_loaded, tmp_path):
    """The forms' receipt (one row per unit, a head's NIP on a second line) built directly."""
    from kinerja.stages.forms import receipt_context

    rows = [{"no": i, "kode": HOSTILE[i % len(HOSTILE)], "unit": HOSTILE[(i + 1) % len(HOSTILE)],
             "kepala": f"Kepala {i}\nNIP 19730512 199803 1 00{i % 10}", "file": HOSTILE[(i + 2) % len(HOSTILE)]}
            for i in range(60)]
    ctx = receipt_context(sample_loaded.master, rows, 1, datetime(2026, 10, 1, 9, 0))
    ctx.pop("logo_path")
    xml = _both(builtin_templates_dir() / "tanda_terima.docx", ctx, tmp_path, ["r"])
    assert b"NIP 19730512" in xml and b"A &amp; B" in xml
