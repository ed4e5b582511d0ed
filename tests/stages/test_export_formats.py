"""Exports that other systems import, read back by re-implementations of those systems' own
reading rules (docs/FORMAT-EKSPOR.md cites each source):

- Form E.81 as `FormulirE81Import` reads it (bkerinci/esakip, app/Imports/FormulirE81Import.php):
  rows from 3, 28 positional columns, a row skipped when its first two cells are empty,
  `is_numeric(x) ? x : 0` for every number.
- Form E.81 as `SakipEvaluasiRenjaController::actionImport` reads it (rendyirawann/esakip-v2):
  rows from 11, skipped when G and H are empty, B-F carried down, the level from the solid fill
  of column G, numbers from the calculated value or from text stripped to digits, '.' and '-'.
- The keyed quarterly upload as `CapaianKinerjaImport` reads it (kaizer26/sakip-app): headings
  slugged with '_', codes trimmed, unknown codes skipped.
- The code/period/value/notes CSV as `CsvImportService::importPerformanceData` reads it
  (kwanter/sakip): the file split at '\\n', str_getcsv per line, 4 fields at least, the period
  parsed as a date whose month starts a quarter, every cell sanitised.
Each test asserts that every indicator, satuan, target and quarter value arrives exactly.
"""

from __future__ import annotations

import csv
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from kinerja.cli.commands import app
from kinerja.domain.capaian import achievement, realisasi_to_date
from kinerja.domain.models import Master, Period, Result
from kinerja.issues.catalogue import Report
from kinerja.libreoffice import convert, soffice
from kinerja.sample.demo import unit_entries
from kinerja.stages.e81 import E81Row, e81_rows, load_renstra
from kinerja.stages.export import HEADERS, export_rekap
from kinerja.stages.rekap import consolidate
from kinerja.workbook import sheets as S

# ----------------------------------------------------------------------------------- the data


@pytest.fixture
def reported(sample_loaded) -> tuple[Master, dict]:
    """The sample office after its units typed TW III (isian_tw3.csv), with a few hostile texts."""
    m = sample_loaded.master
    for code, values in unit_entries().items():
        res = m.results.setdefault(code, Result(indikator=code))
        res.realisasi_tw[2] = values["r3"]
        res.penjelasan = values.get("penjelasan", "")
        res.bukti = values.get("bukti", "")
        res.realisasi_anggaran = values.get("realisasi_anggaran")
    first, second = m.indicators[0].kode, m.indicators[1].kode
    m.results[first].penjelasan = "-1+cmd|' /C calc'!A0"
    m.results[second].penjelasan = "Tertunda karena hujan;\nlanjut TW IV, 85,5 persen"
    renstra = load_renstra(sample_loaded.rows.get(S.RENSTRA.sheet), Report(), "induk.xlsx")
    return m, renstra


def _cells(path: Path) -> list[list[Any]]:
    ws = load_workbook(path).active
    return [[c.value for c in row] for row in ws.iter_rows()]


def php_is_numeric(value: Any) -> bool:
    """PHP's is_numeric: numbers, and strings that are a decimal number with '.' (not ',')."""
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return True
    return isinstance(value, str) and re.fullmatch(r"\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*", value) is not None


def _zero(value: Any) -> Any:
    return value if php_is_numeric(value) else 0


# ----------------------------------------------------------------------------------- E.81 (bkerinci)


def read_bkerinci(path: Path) -> list[dict[str, Any]]:
    out = []
    for row in _cells(path)[2:]:  # startRow(): 3
        row = row + [None] * (28 - len(row))
        if row[0] is None and row[1] is None:
            continue
        num = [_zero(v) for v in row[7:27]]
        out.append({"nomor": row[0], "sasaran": row[1], "program": row[2], "kegiatan": row[3],
                    "sub_kegiatan": row[4], "indikator_kinerja": row[5], "satuan": row[6],
                    "target_renstra_k": num[0], "target_renstra_rp": num[1], "lalu_k": num[2], "lalu_rp": num[3],
                    "target_k": num[4], "target_rp": num[5],
                    "tw_k": [num[6 + 2 * q] for q in range(4)], "tw_rp": [num[7 + 2 * q] for q in range(4)],
                    "capaian_k": num[14], "capaian_rp": num[15], "renstra_k": num[16], "renstra_rp": num[17],
                    "tingkat_k": num[18], "tingkat_rp": num[19], "unit": row[27]})
    return out


def _or0(v: float | None) -> float:
    return 0 if v is None else v


def test_e81_as_bkerinci_reads_it(reported, tmp_path):
    m, renstra = reported
    path = export_rekap(m, tmp_path / "e81.xlsx", fmt="e81-bkerinci", renstra=renstra)
    rows = e81_rows(m, renstra)
    got = read_bkerinci(path)
    assert len(got) == len(rows) == len(m.indicators)
    by_name = {ind.nama: ind for ind in m.indicators}
    assert {g["indikator_kinerja"] for g in got} == set(by_name)
    for g, r in zip(got, rows):
        ind = by_name[g["indikator_kinerja"]]
        res = m.results.get(ind.kode)
        assert (g["nomor"], g["sasaran"], g["program"], g["kegiatan"], g["satuan"]) == (
            r.no, ind.sasaran, ind.program, ind.kegiatan, ind.satuan)
        assert g["target_k"] == _or0(ind.target_tahunan) and g["target_rp"] == _or0(ind.pagu)
        for q in range(4):
            typed = res.realisasi_tw[q] if res and q < 3 else None
            assert g["tw_k"][q] == _or0(typed), (ind.kode, q)
        assert g["tw_rp"][:2] == [0, 0] and g["tw_rp"][3] == 0  # not in the master: blank, read as 0
        assert g["tw_rp"][2] == _or0(res.realisasi_anggaran if res else None)
        assert g["capaian_k"] == _or0(realisasi_to_date(ind, res.realisasi_tw, 3))
        rs = renstra.get(ind.kode)
        assert (g["target_renstra_k"], g["target_renstra_rp"], g["lalu_k"], g["lalu_rp"]) == (
            _or0(rs.target_k), _or0(rs.target_rp), _or0(rs.lalu_k), _or0(rs.lalu_rp))
        assert g["unit"] == next(u.nama for u in m.units if u.kode == ind.unit)


def test_e81_renstra_figures_follow_the_master_rules(reported):
    m, renstra = reported
    rows = {r.kode: r for r in e81_rows(m, renstra)}
    rules = m.settings.rules
    checked = 0
    for ind in m.indicators:
        r, rs, res = rows[ind.kode], renstra[ind.kode], m.results[ind.kode]
        to_date = realisasi_to_date(ind, res.realisasi_tw, 3)
        if rs.target_k is None:  # no Renstra figures given: blank, never invented (a position
            # indicator's value so far is this year's latest value all the same)
            assert r.renstra_sd_k == (to_date if ind.metode == "nilai_akhir" else None)
            assert r.tingkat_k is None
            continue
        expected_sd = to_date if ind.metode == "nilai_akhir" else rs.lalu_k + to_date
        assert r.renstra_sd_k == pytest.approx(expected_sd)
        if rs.target_k == 0:
            assert r.tingkat_k is None
            continue
        if ind.polaritas == "naik":
            raw = expected_sd / rs.target_k * 100
        elif m.turun_formula(ind) == "T/R":
            raw = rs.target_k / expected_sd * 100
        else:
            raw = max(0.0, (2 * rs.target_k - expected_sd) / rs.target_k * 100)
        if rules.batas_atas_capaian is not None:
            raw = min(raw, rules.batas_atas_capaian)
        assert r.tingkat_k == round(raw, rules.desimal)
        checked += 1
    assert checked > 20
    # earlier quarters' spending is not in the master: the year's Rp so far stays blank
    assert all(r.tahun_rp is None and r.tingkat_rp is None for r in rows.values())


# ----------------------------------------------------------------------------------- E.81 (Deli Serdang)

LEVELS = {"9BBB59": "unsur", "558ED5": "unsur", "8DB4E3": "bidang_urusan", "DBE5F2": "program",
          "FCD5B6": "kegiatan"}


def read_deliserdang(path: Path) -> tuple[int | None, list[dict[str, Any]]]:
    wb = load_workbook(path)
    sheet = wb.worksheets[0]
    merged = list(sheet.merged_cells.ranges)

    def value(ref: str) -> Any:
        v = sheet[ref].value
        if v is None or v == "":
            for rng in merged:
                if ref in rng:
                    return sheet.cell(rng.min_row, rng.min_col).value
        return v

    def number(ref: str) -> float | None:
        v = sheet[ref].value
        if v is None or v == "" or v == " ":
            return None
        if php_is_numeric(v):
            return round(float(v), 4)
        cleaned = re.sub(r"[^\d.\-]", "", str(v))
        return round(float(cleaned), 4) if php_is_numeric(cleaned) else None

    a3 = sheet["A3"].value
    year = int(re.search(r"(\d{4})", str(a3)).group(1)) if a3 and re.search(r"(\d{4})", str(a3)) else None
    carry = dict.fromkeys("BCDEF")
    out = []
    for r in range(11, sheet.max_row + 1):
        g, h = value(f"G{r}"), value(f"H{r}")
        if not str(g or "").strip() and not str(h or "").strip():
            continue
        for col in "BCDE":
            if str(value(f"{col}{r}") or "").strip():
                carry[col] = str(value(f"{col}{r}")).strip()
        f = value(f"F{r}")
        if str(f or "").strip() and "perangkat daerah :" not in str(f).lower():
            carry["F"] = str(f).strip()
        fill = sheet[f"G{r}"].fill
        color = fill.start_color.rgb[-6:].upper() if fill.fill_type == "solid" else "FFFFFF"
        level = "sub_kegiatan" if not str(g or "").strip() else LEVELS.get(color, "sub_kegiatan")
        tw = {q: [number(f"{c}{r}") for c in cols] for q, cols in
              enumerate((("P", "Q", "R"), ("S", "T", "U"), ("V", "W", "X"), ("Y", "Z", "AA")), 1)}
        out.append({"level": level, "nama": str(g or "").strip(), "sasaran_opd": carry["F"],
                    "indikator_kinerja": str(h or "").strip(), "satuan": str(value(f"I{r}") or "").strip(),
                    "target_renstra_k": number(f"J{r}"), "target_renja_k": number(f"N{r}"),
                    "target_renja_rp": number(f"O{r}"), "tw": tw, "capaian_k": number(f"AB{r}"),
                    "tingkat_k": number(f"AF{r}"), "no_urut": value(f"A{r}")})
    return year, out


def test_e81_as_deliserdang_reads_it(reported, tmp_path):
    m, renstra = reported
    path = export_rekap(m, tmp_path / "e81.xlsx", fmt="e81-deliserdang", renstra=renstra)
    year, got = read_deliserdang(path)
    assert year == m.settings.period.tahun
    rows = {r.kode: r for r in e81_rows(m, renstra)}
    indicators = [g for g in got if g["indikator_kinerja"]]
    programs = [g for g in got if not g["indikator_kinerja"]]
    assert len(indicators) == len(m.indicators)
    assert {p["nama"] for p in programs} == {i.program for i in m.indicators}
    assert all(p["level"] == "program" for p in programs)
    by_name = {i.nama: i for i in m.indicators}
    p = m.settings.period
    for g in indicators:
        ind = by_name[g["indikator_kinerja"]]
        r, res = rows[ind.kode], m.results[ind.kode]
        assert (g["level"], g["nama"], g["sasaran_opd"], g["satuan"]) == ("kegiatan", ind.kegiatan, ind.sasaran,
                                                                         ind.satuan)
        assert g["target_renja_k"] == ind.target_tahunan and g["target_renja_rp"] == ind.pagu
        for q in range(1, 5):
            k, pct, rp = g["tw"][q]
            typed = res.realisasi_tw[q - 1] if q <= 3 else None
            assert k == (None if typed is None else round(typed, 4)), (ind.kode, q)
            ach = achievement(ind, res, Period(tahun=p.tahun, jenis="triwulan", nomor=q), m.settings.rules,
                              m.turun_formula(ind))
            expected = None if q > 3 or ach.capaian is None else round(ach.capaian, m.settings.rules.desimal)
            assert pct == expected == r.tw_pct[q - 1], (ind.kode, q)
            assert rp == (res.realisasi_anggaran if q == 3 else None)
        assert g["capaian_k"] == r.tahun_k and g["tingkat_k"] == r.tingkat_k


# ----------------------------------------------------------------------------------- keyed uploads


def slug(text: str) -> str:
    """Laravel's Str::slug($heading, '_') as Laravel Excel applies it to heading rows."""
    return re.sub(r"_+", "_", re.sub(r"[^a-z0-9]+", "_", text.lower())).strip("_")


def read_kaizer(path: Path, codes: set[str]) -> dict[str, dict[str, Any]]:
    if path.suffix == ".csv":
        with path.open(encoding="utf-8", newline="") as f:
            table = list(csv.reader(f))
    else:
        table = _cells(path)
    heads = [slug(str(h)) for h in table[0]]
    out = {}
    for raw in table[1:]:
        row = dict(zip(heads, raw))
        kode = str(row.get("kode_indikator") or "").strip()
        if not kode or kode not in codes:
            continue
        item: dict[str, Any] = {"bukti": row.get("link_bukti_dukung_kinerja"),
                                "kendala": row.get("kendala_yg_dihadapi")}
        if row.get("realisasi_tw") is not None and php_is_numeric(row["realisasi_tw"]):
            item["realisasi_kumulatif"] = float(row["realisasi_tw"])
        out[kode] = item
    return out


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_keyed_upload_as_kaizer_reads_it(reported, tmp_path, suffix):
    m, _ = reported
    path = export_rekap(m, tmp_path / f"capaian{suffix}", fmt="keyed")
    got = read_kaizer(path, {i.kode for i in m.indicators})
    assert set(got) == {i.kode for i in m.indicators}
    for ind in m.indicators:
        res = m.results[ind.kode]
        expected = realisasi_to_date(ind, res.realisasi_tw, 3)
        assert got[ind.kode].get("realisasi_kumulatif") == expected, ind.kode
        assert (got[ind.kode]["bukti"] or "") == res.bukti
    kendala = got[m.indicators[1].kode]["kendala"]
    assert "85,5 persen" in kendala  # text stays text


def read_kwanter(path: Path) -> list[dict[str, Any]]:
    def sanitize(value: str) -> str:
        value = value.strip()
        if re.match(r"^[=+\-@]", value):
            value = "'" + value
        value = re.sub(r"<[^>]*>", "", value)
        return re.sub(r"[\x00-\x08\x0B\x0C\x0E-\x1F\x7F]", "", value)

    content = path.read_bytes().decode("utf-8")
    out = []
    for index, line in enumerate(content.split("\n")):
        if index == 0:
            continue
        data = next(csv.reader([line]), [])
        if len(data) < 4:
            continue
        code, period, value, notes = (sanitize(x) for x in data[:4])
        y, mo, d = (int(x) for x in period.split("-"))
        assert mo in (1, 4, 7, 10), period  # isValidPeriod for a quarterly indicator
        out.append({"code": code, "year": y, "quarter": (mo - 1) // 3 + 1, "value": float(value), "notes": notes})
    return out


def test_code_period_csv_as_kwanter_reads_it(reported, tmp_path):
    m, _ = reported
    got = read_kwanter(export_rekap(m, tmp_path / "kinerja.csv", fmt="kode-periode"))
    expected = {(ind.kode, q): m.results[ind.kode].realisasi_tw[q - 1] for ind in m.indicators for q in (1, 2, 3)
                if m.results[ind.kode].realisasi_tw[q - 1] is not None}
    assert {(g["code"], g["quarter"]): g["value"] for g in got} == expected
    assert len(got) == len(expected) and {g["year"] for g in got} == {2026}
    second = next(g for g in got if g["code"] == m.indicators[1].kode and g["quarter"] == 3)
    assert second["notes"] == "Tertunda karena hujan; lanjut TW IV, 85,5 persen"  # one line, not two


# ----------------------------------------------------------------------------------- CSV for people


def _open_in_libreoffice(csv_path: Path, options: str, outdir: Path) -> list[list[Any]]:
    """Open a CSV in LibreOffice Calc with the given import options, save it as .xlsx, read it."""
    subprocess.run([soffice(), f"-env:UserInstallation=file://{outdir / 'profile'}", "--headless",
                    "--norestore", f"--infilter=CSV:{options}", "--convert-to", "xlsx", "--outdir",
                    str(outdir), str(csv_path)], check=True, capture_output=True, timeout=240)
    return _cells(outdir / f"{csv_path.stem}.xlsx")


def test_csv_id_opens_in_columns_with_numbers_in_indonesian_libreoffice(reported, tmp_path):
    m, _ = reported
    path = export_rekap(m, tmp_path / "rekap-id.csv", fmt="csv-id")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    # ';' separator, '"' quotes, UTF-8 (76), from line 1, Indonesian locale (1057)
    rows = _open_in_libreoffice(path, "59,34,76,1,,1057", tmp_path / "lo")
    assert rows[0][:len(HEADERS)] == HEADERS and len(rows) == 1 + len(m.indicators)
    col = {h: i for i, h in enumerate(HEADERS)}
    for row, ind in zip(rows[1:], [r.indicator for r in consolidate(m)]):
        res = m.results[ind.kode]
        assert row[col["Kode Indikator"]] == ind.kode
        assert row[col["Realisasi TW II"]] == res.realisasi_tw[1]  # '38,2' read back as the number 38.2
        assert row[col["Target Tahunan"]] == ind.target_tahunan
        assert row[col["Pagu (Rp)"]] == ind.pagu


def test_csv_injection_is_neutralised_when_libreoffice_opens_the_file(reported, tmp_path):
    m, _ = reported
    path = export_rekap(m, tmp_path / "rekap.csv", fmt="rekap")
    text = path.read_text(encoding="utf-8")
    assert "'-1+cmd|' /C calc'!A0" in text
    rows = _open_in_libreoffice(path, "44,34,76,1", tmp_path / "lo")
    col = HEADERS.index("Penjelasan")
    cell = next(r[col] for r in rows[1:] if r[HEADERS.index("Kode Indikator")] == m.indicators[0].kode)
    assert isinstance(cell, str) and cell.endswith("-1+cmd|' /C calc'!A0")  # text, not a formula
    with path.open(encoding="utf-8", newline="") as f:
        for row in list(csv.reader(f))[1:]:
            for value in row:
                assert not value.startswith(("=", "+", "@", "\t", "\r")) and (value == "-" or not value.startswith("-")
                                                                               or php_is_numeric(value))


# ----------------------------------------------------------------------------------- CLI and the E.81 page


def test_cli_export_formats_and_wrong_suffix(sample_master, tmp_path):
    from typer.testing import CliRunner

    runner = CliRunner()
    result = runner.invoke(app, ["export", str(sample_master), "--format", "e81", "--out", str(tmp_path / "e.xlsx")])
    assert result.exit_code == 0, result.output
    assert load_workbook(tmp_path / "e.xlsx").active.title == "E.81"
    result = runner.invoke(app, ["export", str(sample_master), "--format", "e81", "--out", str(tmp_path / "e.csv")])
    assert result.exit_code == 2 and "e81 ditulis sebagai .xlsx" in result.output
    result = runner.invoke(app, ["export", str(sample_master), "--format", "e82", "--out", str(tmp_path / "e.xlsx")])
    assert result.exit_code == 2 and "tidak dikenal" in result.output


def test_e81_prints_landscape_one_page_wide_with_repeated_headers(reported, tmp_path):
    m, renstra = reported
    path = export_rekap(m, tmp_path / "E81.xlsx", fmt="e81", renstra=renstra)
    ws = load_workbook(path).active
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1
    assert ws.print_title_rows == "$6:$8"
    pdf = convert(path, "pdf", tmp_path / "pdf")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    pages = text.split("\f")
    assert sum(1 for p in pages if "Indikator Kinerja Program" in p) == sum(1 for p in pages if p.strip())
    assert "EVALUASI TERHADAP HASIL RENJA PERANGKAT DAERAH" in text and m.indicators[-1].nama[:30] in text


def test_renstra_sheet_headers_are_distinct_after_normalising():
    from kinerja.workbook.tables import norm

    for table in (*S.INPUT_TABLES, *S.STAGE_TABLES):
        names = [norm(c.header) for c in table.columns]
        assert len(names) == len(set(names)), table.sheet


def test_rows_are_grouped_by_sasaran_program_kegiatan(reported):
    m, renstra = reported
    rows: list[E81Row] = e81_rows(m, renstra)
    seen: list[tuple[str, str, str]] = []
    for r in rows:
        key = (r.sasaran, r.program, r.kegiatan)
        if key in seen:
            assert seen[-1] == key, f"{key} split into two groups"
        else:
            seen.append(key)
    assert [r.no for r in rows] == list(range(1, len(rows) + 1))


# ----------------------------------------------------------------------------------- the sheet in the master


def _sheet_rows(path_or_wb, sheet: str) -> list[list[Any]]:
    wb = load_workbook(path_or_wb) if isinstance(path_or_wb, Path) else path_or_wb
    ws = wb[sheet]
    first = S.FORM_E81.header_row + 1
    return [[c.value for c in row][:len(S.FORM_E81.columns)] for row in ws.iter_rows(min_row=first)
            if any(c.value is not None for c in row)]


def test_form_e81_sheet_in_the_master_from_the_cli(sample_master, tmp_path):
    from typer.testing import CliRunner

    from kinerja.stages.e81 import _e81_values
    from kinerja.workbook.master import load_master

    result = CliRunner().invoke(app, ["export", str(sample_master), "--format", "e81", "--ke-induk",
                                      "--out", str(tmp_path / "e.xlsx")])
    assert result.exit_code == 0, result.output
    loaded = load_master(sample_master)
    renstra = load_renstra(loaded.rows.get(S.RENSTRA.sheet), Report(), "induk.xlsx")
    expected = [_e81_values(r) for r in e81_rows(loaded.master, renstra)]
    got = _sheet_rows(sample_master, S.FORM_E81.sheet)
    assert len(got) == len(loaded.master.indicators)
    assert got == [[None if v == "" else v for v in row] for row in expected]
    ws = load_workbook(sample_master)[S.FORM_E81.sheet]
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1
    result = CliRunner().invoke(app, ["export", str(sample_master), "--format", "keyed", "--ke-induk",
                                      "--out", str(tmp_path / "k.xlsx")])
    assert result.exit_code == 2 and "--ke-induk hanya untuk --format e81" in result.output
    assert not (tmp_path / "k.xlsx").exists()


def test_form_e81_button_fills_the_open_workbook(sample_master):
    import hashlib

    from fake_xlwings import Book
    from kinerja.excel.handlers import dispatch

    before = hashlib.sha256(sample_master.read_bytes()).hexdigest()
    book = Book(sample_master)
    message = dispatch(book, "form_evaluasi")
    assert "Form E.81" in message and "39 indikator" in message
    rows = _sheet_rows(book.wb, S.FORM_E81.sheet)
    assert len(rows) == 39 and rows[0][0] == 1 and rows[0][5]
    assert hashlib.sha256(sample_master.read_bytes()).hexdigest() == before  # the file on disk untouched


def test_export_files_get_the_umask_mode_not_0600(reported, tmp_path):
    import os
    import stat

    m, renstra = reported
    old = os.umask(0o022)
    try:
        path = export_rekap(m, tmp_path / "rekap.xlsx")
        e81 = export_rekap(m, tmp_path / "e81.xlsx", fmt="e81", renstra=renstra)
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert stat.S_IMODE(e81.stat().st_mode) == 0o644
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".~kinerja")]  # no temp file left
