"""Four quarters and the year, end to end, on the sample office: each quarter new-period (from
TW II), forms, the units typing, collect, validate, review, report, archive; then the annual
draft. One run, shared by the assertions below (module-scoped)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook

from kinerja.sample.demo import sample_dir
from kinerja.sample.roles import decide, fill_form, quarter_entry
from kinerja.stages.annual import TEXT, render_annual
from kinerja.stages.archive import archive_period
from kinerja.stages.check import check
from kinerja.stages.collect import collect
from kinerja.stages.documents import render_report
from kinerja.stages.forms import build_forms
from kinerja.stages.period import new_period
from kinerja.stages.review import review
from kinerja.stages.validate import validate
from kinerja.workbook import sheets as S
from kinerja.workbook.files import write_file
from kinerja.workbook.master import build_master, load_master, read_office_data

SEKRETARIS = "SITI RAHMAWATI, S.Sos"
START = {1: datetime(2026, 4, 6, 8), 2: datetime(2026, 7, 6, 8), 3: datetime(2026, 10, 6, 8),
         4: datetime(2027, 1, 5, 8)}


def typed(ind, q: int) -> dict:
    return quarter_entry(ind, q)


def stage(master: Path, fn, *args, **kw):
    out = fn(load_master(master), *args, **kw)
    write_file(master, out.writes, backup=False)
    return out


def run_quarter(master: Path, q: int, root: Path) -> dict:
    d = START[q]
    work = root / f"tw{q}"
    loaded = load_master(master)
    m = loaded.master
    forms = stage(master, build_forms, work / "formulir", now=d, deadline=d + timedelta(days=3, hours=8))
    assert len(forms.files) == 6, forms.report.to_json()
    typed_values = {}
    for ident, path in zip(forms.identities, forms.files):
        values = {i.kode: typed(i, q) for i in m.indicators_of(ident.unit)}
        typed_values.update({k: v[f"r{q}"] for k, v in values.items()})
        fill_form(path, work / "masuk" / path.name, {k: {kk: vv for kk, vv in v.items() if vv is not None}
                                                       for k, v in values.items()})
    got = stage(master, collect, work / "masuk", now=d + timedelta(days=1, hours=6))
    assert len(got.returned) == 6, got.report.to_json()
    v = stage(master, validate, d + timedelta(days=2, hours=1))
    assert not v.report.blocking, [i.text() for i in v.report.issues if i.severity.value == "error"]
    decide(master, {u: "Terima" for u in v.counts})
    r = stage(master, review, work / "perbaikan", who=SEKRETARIS, now=d + timedelta(days=2, hours=3))
    assert r.approval.approved, r.approval.detail
    rep = stage(master, render_report, work / "laporan", now=d + timedelta(days=2, hours=5), who="AGUS")
    assert not rep.report.blocking and rep.nomor_surat, rep.report.to_json()
    arc = stage(master, archive_period, root / "arsip", inbox=work / "masuk", now=d + timedelta(days=2, hours=6))
    assert arc.folder is not None
    return {"typed": typed_values, "nomor": rep.nomor_surat, "forms": forms.files, "archive": arc.folder}


@pytest.fixture(scope="module")
def year(tmp_path_factory):
    root = tmp_path_factory.mktemp("tahun")
    data = read_office_data(sample_dir())
    data.settings = {**data.settings, "nomor_periode": 1, "batas_waktu": None,
                     "hal": "Penyampaian Data Capaian Kinerja"}
    data.results = []
    masters = {1: root / "induk-2026-TW1.xlsx"}
    build_master(masters[1], "candipuro", data)
    quarters = {}
    for q in (1, 2, 3, 4):
        if q > 1:
            masters[q] = root / f"induk-2026-TW{q}.xlsx"
            made = new_period(masters[q - 1], masters[q], who="AGUS", now=START[q] - timedelta(hours=1))
            assert made.path == masters[q], made.report.to_json()
        quarters[q] = run_quarter(masters[q], q, root)

    # last year's TW IV master, given to the annual report for the comparison in Bab III
    last = read_office_data(sample_dir())
    last.settings = {**last.settings, "tahun": 2025, "nomor_periode": 4, "batas_waktu": None}
    last.results = [{"kode": i["kode"], **{f"r{q}": float(i[f"tw{q}"] or 0) * 0.9 for q in range(1, 5)}}
                    for i in last.indicators]
    previous = root / "induk-2025-TW4.xlsx"
    build_master(previous, "candipuro", last)

    annual = render_annual(load_master(masters[4]), root / "tahunan", pdf=True, who="AGUS",
                           now=datetime(2027, 1, 20, 9), previous_year=previous)
    write_file(masters[4], annual.writes, backup=False)
    return {"root": root, "masters": masters, "quarters": quarters, "annual": annual, "previous": previous,
            "last": last}


def docx_tables(path: Path) -> list[list[list[str]]]:
    return [[[c.text for c in row.cells] for row in t.rows] for t in Document(str(path)).tables]


def test_tw1_values_unchanged_in_tw4_forms_masters_and_annual_tables(year):
    typed1 = year["quarters"][1]["typed"]
    tw4 = load_master(year["masters"][4]).master
    assert {k: tw4.results[k].realisasi_tw[0] for k in typed1} == typed1
    for path in year["quarters"][4]["forms"]:  # the TW IV forms show TW I, read-only
        ws = load_workbook(path)["Formulir"]
        header = next(r for r in range(1, 30) if ws.cell(r, 2).value == "Kode")
        cols = {ws.cell(header, c).value: c for c in range(1, ws.max_column + 1)}
        for r in range(header + 1, ws.max_row + 1):
            code = ws.cell(r, 2).value
            if code in typed1:
                assert ws.cell(r, cols["Realisasi TW I"]).value == typed1[code], (path.name, code)
    for q in (2, 3, 4):
        m = load_master(year["archive_master"](q) if "archive_master" in year else year["masters"][q]).master
        assert {k: m.results[k].realisasi_tw[0] for k in typed1} == typed1
    docx = next(f for f in year["annual"].files if f.suffix == ".docx")
    quarterly = [t for t in docx_tables(docx) if t[0][:2] == ["Kode", "TW I"]]
    seen = {row[0]: row[1] for t in quarterly for row in t[1:]}
    from kinerja.domain.numbers import format_number

    assert {k: seen[k] for k in typed1} == {k: format_number(v, 2) for k, v in typed1.items()}


def test_letter_numbers_run_on_within_the_year(year):
    numbers = [year["quarters"][q]["nomor"] for q in (1, 2, 3, 4)]
    assert numbers == ["700/1/435.501/2026", "700/2/435.501/2026", "700/3/435.501/2026", "700/1/435.501/2027"]
    ws = load_workbook(year["masters"][4])[S.REGISTER_SURAT.sheet]
    rows = [r[:3] for r in ws.iter_rows(min_row=S.REGISTER_SURAT.header_row + 1, values_only=True) if r[0]]
    assert [(r[0], r[1]) for r in rows] == [(2026, 1), (2026, 2), (2026, 3), (2027, 1)]


def _round(x: Fraction) -> Decimal:
    """Once, half away from zero, to 2 places (the sample office's Desimal Capaian)."""
    return (Decimal(x.numerator) / Decimal(x.denominator)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _printed(text: str) -> Decimal:
    """'1.234,5%' as printed (Indonesian separators) -> Decimal('1234.5')."""
    return Decimal(text.rstrip("%").replace(".", "").replace(",", "."))


def test_annual_tables_recompute_from_the_four_approved_archived_masters(year):
    """Independently: each quarter's realisasi read with openpyxl from that quarter's archived
    master (sheet Nilai Disetujui, its own period), the year's realisasi and capaian by the
    rules written out here, compared with what the draft prints."""
    approved: dict[str, dict[int, float]] = {}
    for q in (1, 2, 3, 4):
        manifest = json.loads((year["quarters"][q]["archive"] / "manifest.json").read_text(encoding="utf-8"))
        (entry,) = [e for e in manifest["berkas"] if e["jenis"] == "workbook induk"]
        ws = load_workbook(year["quarters"][q]["archive"] / entry["path"], data_only=True)[S.NILAI_DISETUJUI.sheet]
        for row in ws.iter_rows(min_row=S.NILAI_DISETUJUI.header_row + 1, values_only=True):
            if row[0] == f"2026-TW{q}":
                approved.setdefault(row[2], {})[q] = row[3 + q]
    assert all(set(v) == {1, 2, 3, 4} for v in approved.values()) and len(approved) == 39
    wb = load_workbook(year["masters"][4], data_only=True)[S.INDIKATOR.sheet]
    head = [c.value for c in wb[S.INDIKATOR.header_row]]
    inds = {r[0]: dict(zip(head, r)) for r in wb.iter_rows(min_row=S.INDIKATOR.header_row + 1, values_only=True) if r[0]}
    expected = {}
    for kode, tw in approved.items():
        i = inds[kode]
        t = i["Target Tahunan"]
        r = tw[4] if i["Metode"] == "Nilai Akhir" else float(sum(Decimal(repr(v)) for v in tw.values()))
        if not t:
            expected[kode] = (r, None)
            continue
        R, T = Fraction(Decimal(repr(float(r)))), Fraction(Decimal(repr(float(t))))  # exact, as typed
        if i["Polaritas"] == "Naik":
            cap = R / T * 100
        elif i["Rumus Turun"] == "T/R":  # an indicator's own formula; the office default is (2T-R)/T
            cap = T / R * 100
        else:
            cap = max(Fraction(0), (2 * T - R) / T * 100)
        expected[kode] = (r, _round(cap))
    docx = next(f for f in year["annual"].files if f.suffix == ".docx")
    printed = {row[0]: row for t in docx_tables(docx) if t[0][:3] == ["Kode", "Indikator", "Satuan"] for row in t[1:]}
    from kinerja.domain.numbers import format_number

    for kode, (r, cap) in expected.items():
        assert printed[kode][4] == format_number(r, 2), kode
        if cap is not None:
            assert _printed(printed[kode][5]) == cap, kode

    # Bab III: last year from the 2025 master the test made (annual realisasi by its method)
    for i in year["last"].indicators:
        tw = [float(i[f"tw{q}"] or 0) * 0.9 for q in range(1, 5)]
        r = tw[3] if i["metode"] == "nilai_akhir" else sum(tw)
        assert printed[i["kode"]][7] == format_number(r, 2), i["kode"]


def test_annual_draft_pdf_pages_and_office_paragraphs(year, tmp_path):
    from kinerja.stages.documents import preview_pages

    annual = year["annual"]
    pdf = next(f for f in annual.files if f.suffix == ".pdf")
    pages = preview_pages(pdf, tmp_path / "png", dpi=40)
    assert len(pages) >= 5
    text = "\n".join(p.text for p in Document(str(pdf.with_suffix(".docx"))).paragraphs)
    for bab in ("BAB I", "BAB II", "BAB III", "BAB IV"):
        assert bab in text
    assert "[DIISI KANTOR: Bab I - Tugas dan Fungsi" in text
    missing = {i.params["value"] for i in annual.report.by_code("annual-text-missing")}
    assert "Bab I - Tugas dan Fungsi" in missing and any(v.startswith("Bab III - Analisis Sasaran: ") for v in missing)
    listed = check(year["masters"][4]).report.by_code("annual-text-missing")
    assert {i.params["value"] for i in listed} == missing and listed[0].location.sheet == TEXT.sheet
    # the office writes one paragraph: check stops listing it
    wb = load_workbook(year["masters"][4])
    ws = wb[TEXT.sheet]
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "Bab I - Tugas dan Fungsi")
    ws.cell(row, 2, "Kecamatan melaksanakan kewenangan pemerintahan yang dilimpahkan Bupati.")
    copy = tmp_path / "induk.xlsx"
    wb.save(copy)
    for name in ("Bab I - Tugas dan Fungsi",):
        assert name not in {i.params["value"] for i in check(copy).report.by_code("annual-text-missing")}


def test_the_chain_of_four_quarters_holds(year):
    got = check(year["masters"][4]).report
    assert not {i.code for i in got.issues} & {"chain-value-changed", "chain-record-missing", "chain-period-gap",
                                               "chain-office-mismatch", "approved-value-changed",
                                               "chain-previous-missing"}, got.to_json()
    from kinerja.issues.catalogue import Report
    from kinerja.stages.period import check_chain

    chain = check_chain(load_master(year["masters"][4]), Report())
    assert [c.master.settings.period.key() for c in chain] == ["2026-TW3", "2026-TW2", "2026-TW1"]
    assert all("arsip" in c.path.parts for c in chain)  # each link is the archived copy
    assert not year["annual"].report.by_code("annual-quarter-master-missing")
    text = "\n".join(p.text for p in Document(str(next(f for f in year["annual"].files if f.suffix == ".docx"))).paragraphs)
    assert "SEK.01 (TW I, SEK): TW I: sesuai rencana kegiatan SEK.01." in text  # TW I's own explanation


def test_ringkasan_compares_the_quarters_with_what_each_quarter_showed(year):
    """The TW IV Ringkasan's comparison block: per sasaran, TW I-IV mean capaian; each equals
    the sasaran's mean on that quarter's own Ringkasan (read from its archived master)."""
    def ringkasan(path):
        ws = load_workbook(path, data_only=True)[S.RINGKASAN.sheet]
        return [[c.value for c in row] for row in ws.iter_rows()]

    rows = ringkasan(year["masters"][4])
    top = S.RINGKASAN.header_row
    from kinerja.workbook.sheets import COMPARE_COLUMN

    first = COMPARE_COLUMN - 1  # 0-based column of the block
    assert rows[top - 2][first] and rows[top - 2][first].startswith("Perbandingan antartriwulan")
    assert rows[top - 1][first:first + 6] == ["Sasaran", "TW I", "TW II", "TW III", "TW IV", "TW IV 2025"]
    block = {r[first]: r[first + 1:first + 5] for r in rows[top:] if len(r) > first and r[first]}
    assert len(block) == 6
    for q in (1, 2, 3, 4):
        manifest = json.loads((year["quarters"][q]["archive"] / "manifest.json").read_text(encoding="utf-8"))
        (entry,) = [e for e in manifest["berkas"] if e["jenis"] == "workbook induk"]
        own = {r[1]: r[4] for r in ringkasan(year["quarters"][q]["archive"] / entry["path"])[top:]
               if r[0] == "Sasaran"}
        assert {k: v[q - 1] for k, v in block.items()} == own, q
