"""Form and master never disagree on a number: text pasted into a realisasi cell is flagged on
the form itself (its capaian shows 'Bukan angka', never #VALUE! or a SUM that skipped it, and
the cell turns red); a value a power of ten off, and a kumulatif quarter typed as the
year-to-date total, are warnings at the form's cell naming both readings; the form says what
to type for a kumulatif indicator."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from collect_helpers import blank_forms, fill
from kinerja.domain.capaian import NOT_A_NUMBER
from kinerja.domain.plausible import magnitude
from kinerja.libreoffice import convert_many
from kinerja.stages.collect import collect
from kinerja.stages.forms import build_forms, instructions
from kinerja.workbook.formspec import FORM_SHEET, HEADER_ROW

NOW = datetime(2026, 10, 6, 8, 0)
COLLECTED = datetime(2026, 10, 9, 10, 0)


def form_values(path: Path) -> dict[str, dict[str, object]]:
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(FORM_SHEET).to_python(skip_empty_area=False)
    header = rows[HEADER_ROW - 1]
    return {r[header.index("Kode")]: dict(zip(header, r)) for r in rows[HEADER_ROW:] if r[header.index("Kode")]}


def test_text_in_a_number_cell_is_flagged_on_the_form_not_a_value_error(sample_loaded, tmp_path):
    """'85,5' pasted as text into PEM.03's TW III (nilai akhir) and into PEM.05's TW III
    (kumulatif, a SUM from TW I): LibreOffice recalculates 'Bukan angka' for both, where the
    old formula gave #VALUE! and a SUM of TW I-II alone. Collect still reads 85.5 (noted)."""
    forms = blank_forms(sample_loaded, tmp_path / "formulir", now=NOW)
    filled = fill(forms["PEM"], tmp_path / "masuk" / forms["PEM"].name,
                  {"PEM.03": {"r3": "85,5"}, "PEM.05": {"r3": "26 "}, "PEM.01": {"r3": 12.0},
                   "PEM.06": {"r3": "  "}})
    out = convert_many([filled], "xlsx", tmp_path / "hitung")[0]
    values = form_values(out)
    assert values["PEM.03"]["Capaian (%)"] == NOT_A_NUMBER
    assert values["PEM.05"]["Capaian (%)"] == NOT_A_NUMBER  # never (30 + 30) / 90: TW III skipped
    assert values["PEM.01"]["Capaian (%)"] == 100.0
    assert values["PEM.06"]["Capaian (%)"] in ("", None)  # spaces only: empty, as collect reads it
    # the cell itself turns red: a conditional format over the realisasi cells and the capaian
    ws = load_workbook(filled)[FORM_SHEET]
    rules = {str(rng.sqref): [r.formula[0] for r in rules] for rng, rules in ws.conditional_formatting._cf_rules.items()}
    n = len(sample_loaded.master.indicators_of("PEM"))
    assert rules[f"L{HEADER_ROW + 1}:O{HEADER_ROW + n}"] == [f'AND(ISTEXT(L{HEADER_ROW + 1}),TRIM(L{HEADER_ROW + 1})<>"")']
    assert rules[f"P{HEADER_ROW + 1}:P{HEADER_ROW + n}"] == [f'P{HEADER_ROW + 1}="{NOT_A_NUMBER}"']
    res = collect(sample_loaded, tmp_path / "masuk", now=COLLECTED)
    assert res.master.results["PEM.03"].realisasi_tw[2] == 85.5
    assert [i.location.cell for i in res.report.by_code("number-reformatted") if i.location.indicator == "PEM.03"]


def test_every_unit_form_carries_the_flags_for_its_own_rows(sample_loaded, tmp_path):
    """The forms after the first are copies of it (forms.FormTemplate): each flag range ends at
    that unit's last row."""
    out = build_forms(sample_loaded, tmp_path / "formulir", now=NOW)
    m = sample_loaded.master
    for ident, path in zip(out.identities, out.files):
        ws = load_workbook(path)[FORM_SHEET]
        last = HEADER_ROW + len(m.indicators_of(ident.unit))
        ranges = {str(rng.sqref) for rng in ws.conditional_formatting._cf_rules}
        assert {f"L{HEADER_ROW + 1}:O{last}", f"P{HEADER_ROW + 1}:P{last}"} <= ranges, (ident.unit, ranges)


def test_form_says_what_to_type_for_a_kumulatif_indicator(sample_loaded, tmp_path):
    out = build_forms(sample_loaded, tmp_path / "formulir", now=NOW)
    pem = next(p for i, p in zip(out.identities, out.files) if i.unit == "PEM")
    rows = form_values(pem)
    assert rows["PEM.05"]["Metode"] == "Kumulatif*" and rows["PEM.01"]["Metode"] == "Per Triwulan"
    text = " ".join(t for t in instructions(sample_loaded.master) if isinstance(t, str))
    assert "Kumulatif*: ketik angka TW III sendiri, bukan jumlah sejak TW I" in text
    ws = load_workbook(pem)[FORM_SHEET]
    assert any("Kumulatif*: ketik angka TW III saja" in (dv.prompt or "") for dv in ws.data_validations.dataValidation)
    # collect matches the marked label with the master's method: no inconsistency
    fill(pem, tmp_path / "masuk" / pem.name, {"PEM.05": {"r3": 26.0}})
    res = collect(sample_loaded, tmp_path / "masuk", now=COLLECTED)
    assert not res.report.by_code("indicator-inconsistent")


def test_a_power_of_ten_off_and_a_year_to_date_quarter_are_warnings_naming_both_readings(sample_loaded, tmp_path):
    """PEM.03 (target TW III 80, TW I-II 55,2 and 73,5): 845 typed for 84,5. SEK.02 (target 70,
    TW II 38,2): 0,595 typed for 59,5%. PEM.05 (kumulatif, 30 a quarter, TW I-II 30 and 30):
    86, the total since TW I, typed for TW III's own 26."""
    forms = blank_forms(sample_loaded, tmp_path / "formulir", now=NOW)
    fill(forms["PEM"], tmp_path / "masuk" / forms["PEM"].name,
         {"PEM.03": {"r3": 845.0}, "PEM.05": {"r3": 86.0}, "PEM.01": {"r3": 12.0}, "PEM.02": {"r3": 8.0}})
    fill(forms["SEK"], tmp_path / "masuk" / forms["SEK"].name, {"SEK.02": {"r3": 0.595}, "SEK.01": {"r3": 2.0}})
    res = collect(sample_loaded, tmp_path / "masuk", now=COLLECTED)
    big = {i.location.indicator: i for i in res.report.by_code("realisasi-magnitude")}
    assert set(big) == {"PEM.03", "SEK.02"}
    pem = big["PEM.03"]
    assert (pem.severity.value, pem.location.file, pem.location.sheet, pem.location.cell) == (
        "warning", forms["PEM"].name, FORM_SHEET, f"N{HEADER_ROW + 3}")
    assert "dibaca 845" in pem.message and "maksudnya 84,5" in pem.message and "10 kali lebih besar" in pem.message
    assert "maksudnya 59,5" in big["SEK.02"].message and "100 kali lebih kecil" in big["SEK.02"].message
    ytd = res.report.by_code("realisasi-looks-cumulative")
    assert [(i.location.indicator, i.location.cell) for i in ytd] == [("PEM.05", f"N{HEADER_ROW + 5}")]
    msg = ytd[0].message + ytd[0].action
    assert "(86)" in msg and "angka TW III sendiri 26 (86 dikurangi 60)" in msg and "ganti dengan 26" in msg
    assert "capaian s.d. TW III 162,22%" in msg and "capaian 95,56%" in msg  # (60 + 86) / 90 and 86 / 90
    assert res.master.results["PEM.03"].realisasi_tw[2] == 845.0  # reported, never changed


@pytest.mark.parametrize("value, refs, expected", [
    (855.0, [90.0, 80.0], (85.5, 1)),
    (0.855, [90.0, 80.0], (85.5, -2)),
    (85500.0, [90.0], (85.5, 3)),
    (180.0, [90.0, 80.0], None),  # twice the target: a result, not a slip
    (5.0, [30.0, 30.0], None),  # 6 times below: low, not a slipped comma
    (855.0, [90.0, 800.0], None),  # the unit's latest quarter is that large too
    (0.0, [90.0], None),
])
def test_magnitude(value, refs, expected):
    assert magnitude(value, refs) == expected
