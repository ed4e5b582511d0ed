"""Validation (SOP step 10): the data rules, the Validasi sheet, highlights, kept decisions."""

from __future__ import annotations

import csv
import json
from datetime import datetime
from pathlib import Path

from openpyxl import load_workbook
from typer.testing import CliRunner

from kinerja.cli.commands import app
from kinerja.domain.numbers import parse_number
from kinerja.issues.catalogue import CATALOGUE, Category, issue_row, make_issue
from kinerja.sample.roles import type_decisions
from kinerja.stages.collect import USED
from kinerja.stages.validate import (
    FIRST_ROW,
    FIRST_UNIT_ROW,
    KATALOG_DOC,
    RULES,
    catalogue_markdown,
    decision_cells,
    validate,
)
from kinerja.workbook import sheets as S
from kinerja.workbook.description import WorkbookWrites
from kinerja.workbook.files import write_file
from kinerja.workbook.master import load_master
from kinerja.workbook.style import SEVERITY_FILL

FIXTURE = Path(__file__).parents[1] / "data" / "tw3_semua_aturan.csv"
NOW = datetime(2026, 10, 14, 10, 0)
DEADLINE = datetime(2026, 10, 9, 16, 0)
RECEIVED = {"SEK": datetime(2026, 10, 8, 10, 0), "PEM": datetime(2026, 10, 12, 9, 0),
            "TRANTIB": datetime(2026, 10, 9, 11, 0), "PMD": datetime(2026, 10, 9, 15, 59),
            "KESOS": datetime(2026, 10, 7, 8, 0)}  # YANUM never returned its form

# What the fixture return must produce, exactly: (code, unit, indicator).
EXPECTED = [
    ("budget-over-ceiling", "SEK", "SEK.03"),
    ("indicator-inconsistent", "SEK", "SEK.06"),
    ("target-zero", "SEK", "SEK.07"),
    ("explanation-missing", "PEM", "PEM.01"),
    ("indicator-duplicate", "PEM", "PEM.03"),
    ("realisasi-missing", "PEM", "PEM.06"),
    ("return-late", "PEM", None),
    ("value-negative", "TRANTIB", "TRANTIB.04"),
    ("cumulative-decrease", "TRANTIB", "TRANTIB.04"),
    ("realisasi-zero-turun", "TRANTIB", "TRANTIB.05"),
    ("capaian-out-of-range", "TRANTIB", "TRANTIB.06"),
    ("evidence-missing", "PMD", "PMD.01"),
    ("capaian-above-ceiling", "PMD", "PMD.04"),
    ("target-zero", "PMD", "PMD.07"),
    ("unit-row-unknown", "PMD", None),
    ("value-negative", "KESOS", "KESOS.04"),
    ("capaian-below-floor", "KESOS", "KESOS.05"),
    ("unit-row-missing", "KESOS", "KESOS.06"),
    ("unit-not-returned", "YANUM", None),
    *[("realisasi-missing", "YANUM", f"YANUM.0{n}") for n in range(1, 7)],
]


def table_row(table, **values) -> list:
    return [values.get(c.key) for c in table.columns]


def fill_units(master: Path, rows: list[dict]) -> None:
    """Type a return's values into the unit sheets, as staff (or collect) would."""
    wb = load_workbook(master)
    for r in rows:
        ws = wb[f"Data {r['unit']}"]
        t = S.unit_data_table(ws.title)
        found = next((c.row for c in ws["A"][t.header_row:] if c.value == r["kode"]), None)
        if r.get("hapus"):
            ws.delete_rows(found)
            continue
        if found is None or r.get("baris_baru"):
            found = ws.max_row + 1
            ws.cell(found, 1, r["kode"])
        for key in ("r1", "r2", "r3", "r4", "t3", "realisasi_anggaran"):
            if r.get(key) not in (None, ""):
                text = r[key]  # as typed; '1.7E+308' is a number Excel keeps, parse_number reads none
                ws.cell(found, t.index(key), float(text) if "E+" in text else parse_number(text).value)
            elif key == "r3" and "r3" in r:
                ws.cell(found, t.index(key), None)
        for key in ("penjelasan", "bukti"):
            if key in r:
                ws.cell(found, t.index(key), r[key] or None)
    wb.save(master)


def log_returns(master: Path, received: dict[str, datetime], deadline: datetime = DEADLINE,
                units=("SEK", "PEM", "TRANTIB", "PMD", "KESOS", "YANUM")) -> None:
    w = WorkbookWrites()
    w.sheet(S.DISTRIBUSI.sheet, S.DISTRIBUSI).append = [
        table_row(S.DISTRIBUSI, putaran=1, unit=u, file=f"{u}.xlsx", batas_waktu=deadline) for u in units]
    w.sheet(S.PENERIMAAN.sheet, S.PENERIMAAN).append = [
        table_row(S.PENERIMAAN, diterima=t, file=f"{u}.xlsx", unit=u, putaran=1, status=USED)
        for u, t in received.items()]
    write_file(master, w, backup=False)


def golden_master(master: Path) -> Path:
    with FIXTURE.open(encoding="utf-8") as f:
        fill_units(master, list(csv.DictReader(f)))
    log_returns(master, RECEIVED)
    return master


def key(issue) -> tuple:
    return (issue.code, issue.location.unit, issue.location.indicator)


def test_one_return_triggers_every_rule_exactly(sample_master):
    golden_master(sample_master)
    # and what the Sekretaris decides on the master itself: SEK.02 (85%) accepted without an
    # explanation, SEK.05's TW III target left blank on the Indikator sheet
    wb = load_workbook(sample_master)
    ws, t = wb["Data SEK"], S.unit_data_table("Data SEK")
    ws.cell(next(c.row for c in ws["A"] if c.value == "SEK.02"), t.index("penjelasan")).value = None
    ws = wb[S.INDIKATOR.sheet]
    ws[f"{S.INDIKATOR.letter('tw3')}{next(c.row for c in ws['A'] if c.value == 'SEK.05')}"] = None
    ws = wb[S.SETTINGS_SHEET]
    ws[f"B{next(c.row for c in ws['A'] if c.value == 'Tanpa Penjelasan Diterima Sekretaris')}"] = "SEK.02"
    wb.save(sample_master)
    out = validate(load_master(sample_master), NOW)
    got = sorted(key(f.issue) for f in out.found)
    expected = EXPECTED + [("explanation-excepted", "SEK", "SEK.02"), ("target-period-blank", "SEK", "SEK.05"),
                           ("indicator-inconsistent", "SEK", "SEK.05")]  # the unit sheet still shows 2
    assert got == sorted(expected, key=lambda k: (k[0], k[1], k[2] or ""))
    assert {r.code for r in RULES} <= {k[0] for k in expected}  # every rule is exercised
    assert not out.ready and out.report.blocking
    cats = {f.issue.code: f.issue.category for f in out.found}
    assert cats["unit-row-missing"] == Category.structure and cats["return-late"] == Category.process
    assert cats["budget-over-ceiling"] == Category.data
    late = out.report.by_code("return-late")[0]
    assert "Jumat, 9 Oktober 2026 pukul 16.00" in late.message and late.location.cell.startswith("A")
    dec = next(f.issue for f in out.found if f.issue.code == "cumulative-decrease")
    assert dec.params["quarter"] == "TW III" and dec.value == 19 and dec.params["previous"] == 21
    unknown = out.report.by_code("unit-row-unknown")[0]
    assert "KESOS.02" in unknown.message and "unit 'KESOS'" in unknown.message
    assert out.counts["YANUM"] == {"error": 7, "warning": 0, "info": 0}


def test_thresholds_come_from_the_settings(sample_master):
    golden_master(sample_master)
    wb = load_workbook(sample_master)
    ws = wb[S.SETTINGS_SHEET]
    labels = {s.key: s.label for s in S.SETTINGS}
    for row in ws.iter_rows(min_row=4):
        if row[0].value == labels["capaian_maks"]:
            row[1].value = 2000
        if row[0].value == labels["wajib_penjelasan"]:
            row[1].value = "Tidak"
        if row[0].value == labels["wajib_bukti"]:
            row[1].value = "Ya"
    wb.save(sample_master)
    out = validate(load_master(sample_master), NOW)
    codes = {key(f.issue) for f in out.found}
    assert ("capaian-above-ceiling", "PMD", "PMD.04") not in codes
    assert ("explanation-missing", "PEM", "PEM.01") not in codes
    # every filled indicator without a link now needs one: PEM.03's duplicate is not one of them
    evidence = {k[2] for k in codes if k[0] == "evidence-missing"}
    assert evidence == {"PMD.01"}  # the fixture gives every other filled indicator a link
    wb = load_workbook(sample_master)
    wb["Data SEK"]["N4"] = None
    wb.save(sample_master)
    out = validate(load_master(sample_master), NOW)
    assert ("evidence-missing", "SEK", "SEK.01") in {key(f.issue) for f in out.found}


def test_cap_does_not_hide_a_ceiling_and_cumulative_needs_earlier_quarters(sample_master):
    golden_master(sample_master)
    wb = load_workbook(sample_master)
    wb["Data SEK"]["I4"] = None  # SEK.01 (kumulatif) TW I emptied
    ws = wb[S.SETTINGS_SHEET]
    label = next(s.label for s in S.SETTINGS if s.key == "batas_atas_capaian")
    next(r for r in ws.iter_rows(min_row=4) if r[0].value == label)[1].value = 120
    wb.save(sample_master)
    out = validate(load_master(sample_master), NOW)
    ceiling = next(f.issue for f in out.found if f.issue.code == "capaian-above-ceiling")
    assert ceiling.location.indicator == "PMD.04" and ceiling.params["capaian"] == "1.000%"
    missing = [f.issue for f in out.found if key(f.issue) == ("realisasi-missing", "SEK", "SEK.01")]
    assert [(i.params["quarter"], i.location.cell) for i in missing] == [("TW I", "I4")]
    write_file(sample_master, out.writes, backup=False)
    rekap = load_workbook(sample_master)[S.REKAP.sheet]
    row = next(r for r in rekap.iter_rows(min_row=4) if r[4].value == "PMD.04")
    assert row[S.REKAP.index("capaian") - 1].value == 120  # the rekap shows the capped value


def test_before_the_deadline_a_missing_unit_is_pending(sample_master):
    golden_master(sample_master)
    out = validate(load_master(sample_master), datetime(2026, 10, 9, 9, 0))
    pending = out.report.by_code("unit-pending")
    assert [i.location.unit for i in pending] == ["YANUM"] and pending[0].severity.value == "warning"
    assert not out.report.by_code("unit-not-returned")
    assert "Jumat, 9 Oktober 2026" in pending[0].message


def test_validasi_sheet_links_highlights_and_units(sample_master):
    golden_master(sample_master)
    out = validate(load_master(sample_master), NOW)
    write_file(sample_master, out.writes, backup=False)
    wb = load_workbook(sample_master)
    tv = wb[S.TEMUAN_VALIDASI.sheet]
    assert [c.value for c in tv[S.TEMUAN_VALIDASI.header_row]] == S.TEMUAN_VALIDASI.headers
    rows = list(tv.iter_rows(min_row=FIRST_ROW, values_only=True))
    assert len([r for r in rows if r[0] is not None]) == len(EXPECTED)
    first = tv.cell(FIRST_ROW, S.TEMUAN_VALIDASI.index("lokasi"))
    assert first.value == "Data SEK!O6" and first.hyperlink.location == "'Data SEK'!O6"
    assert tv.cell(FIRST_ROW, 2).fill.fgColor.rgb.endswith(SEVERITY_FILL["error"])
    col = {k: S.TEMUAN_VALIDASI.index(k) for k in ("kode_masalah", "jenis", "masalah", "pesan")}
    jenis = {tv.cell(r, col["kode_masalah"]).value: tv.cell(r, col["jenis"]).value
             for r in range(FIRST_ROW, FIRST_ROW + len(EXPECTED))}
    assert (jenis["budget-over-ceiling"], jenis["unit-row-missing"], jenis["return-late"]) == ("data", "struktur", "proses")
    # an Indonesian title from the catalogue; the message wrapped in its column, the row tall enough
    assert tv.cell(FIRST_ROW, col["masalah"]).value == CATALOGUE["budget-over-ceiling"].title
    message = tv.cell(FIRST_ROW, col["pesan"])
    assert message.alignment.wrap_text and tv.row_dimensions[FIRST_ROW].height >= 30
    assert S.TEMUAN_VALIDASI.col("kode_masalah").width < S.TEMUAN_VALIDASI.col("pesan").width / 2
    # the offending cells carry fill by severity and a note; the Rekap row too
    sek = wb["Data SEK"]
    assert sek["O6"].fill.fgColor.rgb.endswith(SEVERITY_FILL["error"])
    assert "melebihi pagu" in sek["O6"].comment.text
    assert sek["G9"].fill.fgColor.rgb.endswith(SEVERITY_FILL["error"])  # target copy differs
    assert wb["Data PMD"]["P7"].fill.fgColor.rgb.endswith(SEVERITY_FILL["warning"])  # capaian
    rekap = wb[S.REKAP.sheet]
    pmd04 = next(r for r in range(4, rekap.max_row + 1) if rekap.cell(r, S.REKAP.index("kode")).value == "PMD.04")
    cap = rekap.cell(pmd04, S.REKAP.index("capaian"))
    assert cap.fill.fgColor.rgb.endswith(SEVERITY_FILL["warning"]) and "Capaian" in cap.comment.text
    assert rekap["A2"].value.startswith("Belum disetujui Sekretaris")
    # the units as rows: counts under their own headers, one Keputusan cell per unit with a dropdown
    ws = wb[S.VALIDASI.sheet]
    assert [c.value for c in ws[S.VALIDASI.header_row]] == S.VALIDASI.headers
    units = {ws.cell(r, 2).value: r for r in range(FIRST_UNIT_ROW, FIRST_UNIT_ROW + 6)}
    assert set(units) == {"SEK", "PEM", "TRANTIB", "PMD", "KESOS", "YANUM"}
    v = {k: S.VALIDASI.index(k) for k in ("kesalahan", "peringatan", "status", "keputusan", "nama_unit")}
    assert ws.cell(units["YANUM"], v["kesalahan"]).value == 7
    assert ws.cell(units["PMD"], v["peringatan"]).value == 4  # evidence, ceiling, zero, row
    assert ws.cell(units["SEK"], v["status"]).value == "Menunggu"
    assert ws.cell(units["SEK"], v["nama_unit"]).value
    assert ws.cell(units["YANUM"], v["kesalahan"]).fill.fgColor.rgb.endswith(SEVERITY_FILL["error"])
    refs = {str(dv.sqref): dv.formula1 for dv in ws.data_validations.dataValidation}
    kep = S.VALIDASI.letter("keputusan")
    assert refs[f"{kep}{FIRST_UNIT_ROW}:{kep}{FIRST_UNIT_ROW + 500}"] == '"Terima,Kembalikan"'
    assert not any(dv.sqref for dv in tv.data_validations.dataValidation)  # findings: notes, no decision
    assert ws["A2"].value.startswith("Status rekap: BELUM SIAP")
    assert "klik tombol 'Setujui / Kembalikan'" in ws["A3"].value and "kinerja review" not in ws["A3"].value
    assert "Satu keputusan per unit" in ws["A4"].value and "kinerja review" in ws["A4"].value
    legend = {ws.cell(6, j).value: ws.cell(6, j).fill.fgColor.rgb[-6:] for j in range(3, 8)}
    assert legend["Isian Sekretaris"] == "FFF2CC" and legend["Kesalahan"] == SEVERITY_FILL["error"]
    assert wb[S.KATALOG.sheet].max_row - S.KATALOG.header_row == len(CATALOGUE)


def test_revalidation_keeps_decisions_and_clears_stale_highlights(sample_master):
    golden_master(sample_master)
    write_file(sample_master, validate(load_master(sample_master), NOW).writes, backup=False)
    wb = load_workbook(sample_master)
    tv = wb[S.TEMUAN_VALIDASI.sheet]
    lok, cat = (S.TEMUAN_VALIDASI.index(k) for k in ("lokasi", "catatan"))
    rows = {tv.cell(r, lok).value: r for r in range(FIRST_ROW, tv.max_row + 1)}
    tv.cell(rows["Data PMD!P7"], cat, "Sudah dikonfirmasi lewat telepon")
    wb["Data PEM"]["K9"] = 3  # PEM.06 fixed by hand
    wb.save(sample_master)
    type_decisions(sample_master, {"PEM": ("Kembalikan", "Lengkapi realisasi PEM.06")})
    out = validate(load_master(sample_master), NOW)
    assert not [f for f in out.found if key(f.issue) == ("realisasi-missing", "PEM", "PEM.06")]
    write_file(sample_master, out.writes, backup=False)
    wb = load_workbook(sample_master)
    tv = wb[S.TEMUAN_VALIDASI.sheet]
    rows = {tv.cell(r, lok).value: r for r in range(FIRST_ROW, tv.max_row + 1)}
    assert tv.cell(rows["Data PMD!P7"], cat).value == "Sudah dikonfirmasi lewat telepon"
    ws = wb[S.VALIDASI.sheet]
    kep_cell, cat_cell = decision_cells([tuple(c.value for c in r) for r in ws.iter_rows()])["PEM"]
    assert (ws[kep_cell].value, ws[cat_cell].value) == ("Kembalikan", "Lengkapi realisasi PEM.06")
    assert len(ws.data_validations.dataValidation) == 1  # replaced, not piled up
    assert out.decisions["PEM"].keputusan == "kembalikan"
    fixed = wb["Data PEM"]["K9"]
    assert fixed.comment is None and fixed.fill.fgColor.rgb.endswith("FFF2CC")  # back to input yellow
    assert wb["Data PMD"]["P7"].comment is not None  # still a finding: still marked


def test_collect_findings_are_carried_with_a_link_into_the_master(sample_master):
    golden_master(sample_master)
    w = WorkbookWrites()
    w.sheet(S.TEMUAN_HIMPUN.sheet, S.TEMUAN_HIMPUN).rows = [
        issue_row(make_issue("number-words", file="PEM-TW3.xlsx", sheet="Formulir", cell="M16", unit="PEM",
                             indicator="PEM.02", value="tujuh", number=7)),
        issue_row(make_issue("value-negative", file="TRANTIB-TW3.xlsx", sheet="Formulir", cell="N18",
                             unit="TRANTIB", indicator="TRANTIB.04", value=-2)),  # the rule says it too
        issue_row(make_issue("file-corrupt", file="rusak.xlsx", detail="bukan zip")),
    ]
    write_file(sample_master, w, backup=False)
    out = validate(load_master(sample_master), NOW)
    words = next(f for f in out.found if f.issue.code == "number-words")
    assert words.lokasi == "PEM-TW3.xlsx › Formulir!M16" and words.target == "#'Data PEM'!A5"
    assert words.issue.severity.value == "warning" and words.issue.value == "tujuh"
    assert len([f for f in out.found if f.issue.code == "value-negative"]) == 2  # one per rule, no copy
    corrupt = next(f for f in out.found if f.issue.code == "file-corrupt")
    assert corrupt.target == f"#'{S.TEMUAN_HIMPUN.sheet}'!A6"
    write_file(sample_master, out.writes, backup=False)
    assert "dibaca sebagai 7" in load_workbook(sample_master)["Data PEM"]["A5"].comment.text


def test_cli_validate_exits_1_while_errors_remain(sample_master):
    golden_master(sample_master)
    result = CliRunner().invoke(app, ["validate", str(sample_master), "--json"])
    assert result.exit_code == 1, result.output
    data = json.loads(result.output)
    assert data["blocking"] and data["counts"]["error"] == 14
    tv = load_workbook(sample_master)[S.TEMUAN_VALIDASI.sheet]
    assert tv.cell(FIRST_ROW, S.TEMUAN_VALIDASI.index("kode_masalah")).value == "budget-over-ceiling"


def test_catalogue_doc_is_current():
    assert KATALOG_DOC.read_text(encoding="utf-8") == catalogue_markdown(), (
        "docs/KATALOG.md is stale: python -c 'from kinerja.stages.validate import write_catalogue_doc; "
        "write_catalogue_doc()'")
    for code in CATALOGUE:
        assert f"`{code}`" in catalogue_markdown()


def test_a_capaian_beyond_any_number_is_said_and_left_out(sample_master, tmp_path):
    """A realisasi of 1E+300 typed against a target of 1E-10: no capaian (no crash, no infinity in an
    average), the finding on the realisasi cell, the Rekap and the report still made."""
    from kinerja.stages.documents import render_report

    golden_master(sample_master)
    wb = load_workbook(sample_master)
    ws, t = wb["Data SEK"], S.unit_data_table("Data SEK")
    row = next(c.row for c in ws["A"] if c.value == "SEK.03")
    ws.cell(row, t.index("r3")).value = 1e300
    ws = wb[S.INDIKATOR.sheet]  # against a TW III target of 1E-10: 1E+312 %
    ws[f"{S.INDIKATOR.letter('tw3')}{next(c.row for c in ws['A'] if c.value == 'SEK.03')}"] = 1e-10
    wb.save(sample_master)
    out = validate(load_master(sample_master), NOW)
    (issue,) = [f.issue for f in out.found if key(f.issue) == ("capaian-out-of-range", "SEK", "SEK.03")]
    assert (issue.location.indicator, issue.location.cell) == ("SEK.03", f"{t.letter('r3')}{row}")
    write_file(sample_master, out.writes, backup=False)
    rekap = load_workbook(sample_master)[S.REKAP.sheet]
    line = next(r for r in rekap.iter_rows(min_row=4) if r[4].value == "SEK.03")
    assert line[S.REKAP.index("capaian") - 1].value is None
    made = render_report(load_master(sample_master), tmp_path, force=True, now=NOW, documents=("laporan",))
    assert made.files and not made.report.blocking, made.report.to_json()
