"""Returned forms for the collect tests: the real blank forms (kinerja.stages.forms), 'typed into'
with openpyxl the way a unit would, and a few byte-level tweaks."""

from __future__ import annotations

import re
import shutil
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from kinerja.sample.roles import fill_form
from kinerja.stages.forms import build_forms
from kinerja.workbook.formspec import ID_SHEET, PROP_PREFIX
from kinerja.workbook.master import Loaded


def blank_forms(loaded: Loaded, out_dir: Path, **kwargs: Any) -> dict[str, Path]:
    """The real forms (kinerja.stages.forms.build_forms), one per unit."""
    outcome = build_forms(loaded, out_dir, **kwargs)
    assert outcome.files, outcome.report.to_json()
    return {i.unit: p for i, p in zip(outcome.identities, outcome.files)}


def retag(src: Path, dst: Path, **changes: Any) -> Path:
    """Change a form's identity (hidden sheet and custom properties), e.g. periode='2026-TW2'."""
    wb = load_workbook(src)
    hidden = wb[ID_SHEET]
    for row in hidden.iter_rows():
        if row[0].value in changes:
            row[1].value = str(changes[row[0].value])
    for prop in wb.custom_doc_props.props:
        key = prop.name[len(PROP_PREFIX):]
        if key in changes:
            prop.value = str(changes[key])
    dst.parent.mkdir(parents=True, exist_ok=True)
    wb.save(dst)
    return dst


fill = fill_form  # a unit typing into its form, as the demo does


def typed(loaded: Loaded, unit: str, base: float = 1.0) -> dict[str, dict[str, Any]]:
    """Plausible input for every indicator of a unit for the current period."""
    m = loaded.master
    q = m.settings.period.quarters[-1]
    return {i.kode: {f"r{q}": base + n, "penjelasan": f"Penjelasan {i.kode}", "bukti": f"https://bukti/{i.kode}",
                     "realisasi_anggaran": 1000.0 * (n + 1)}
            for n, i in enumerate(m.indicators_of(unit))}


def set_zip_member(path: Path, name: str, data: bytes | None) -> Path:
    """Replace (or with None, remove) one member of a zip package, keeping the others."""
    tmp = path.with_suffix(path.suffix + ".tmp")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename != name:
                dst.writestr(info, src.read(info.filename))
        if data is not None:
            dst.writestr(name, data)
    shutil.move(tmp, path)
    return path


def set_saved_time(path: Path, when: datetime) -> Path:
    """Set docProps/core.xml dcterms:modified, as Excel does when the unit saves."""
    with zipfile.ZipFile(path) as z:
        core = z.read("docProps/core.xml").decode()
    core = re.sub(r"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                  lambda mo: mo.group(1) + when.strftime("%Y-%m-%dT%H:%M:%SZ") + mo.group(2), core)
    return set_zip_member(path, "docProps/core.xml", core.encode())


def sheet_xml_error(path: Path, cell: str, error: str) -> Path:
    """Make a cell of the form sheet a formula whose cached value is an Excel error."""
    with zipfile.ZipFile(path) as z:
        names = [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
        xml = z.read(sorted(names)[0]).decode()
    pattern = re.compile(rf'<c r="{cell}"[^>]*?(/>|>.*?</c>)')
    new = f'<c r="{cell}" t="e"><f>1/0</f><v>{error}</v></c>'
    assert pattern.search(xml), f"fill {cell} with a value first"
    xml = pattern.sub(new, xml, count=1)
    return set_zip_member(path, sorted(names)[0], xml.encode())
