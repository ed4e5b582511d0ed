"""The Pemda's roll-up: several offices run to approval, rolled up, every figure recomputed here
independently from the masters' cells (openpyxl), and each flag triggered."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from datetime import datetime
from pathlib import Path
from statistics import mean

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from kinerja.cli.commands import app
from kinerja.sample.offices import generated_office, run_to_approval
from kinerja.stages.archive import archive_period
from kinerja.stages.rollup import (
    CHART_SHEET,
    EXPECTED,
    FINDINGS,
    INDICATORS,
    SASARAN,
    SOURCES,
    SUMMARY_HEADER_ROW,
    SUMMARY_SHEET,
    make_rollup,
)
from kinerja.stages.timing import recompute
from kinerja.workbook import sheets as S
from kinerja.workbook.description import WorkbookWrites
from kinerja.workbook.files import write_file
from kinerja.workbook.master import build_master, load_master, read_office_data

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 10, 26, 9, 0)
PEMDA = "Pemerintah Kabupaten Sukamakmur"


def _office(base: Path, name: str, preset: str, data, seed: int, late: int = 0) -> Path:
    folder = base / name.split()[-1].lower()
    master = folder / "induk.xlsx"
    build_master(master, preset, data)
    run = run_to_approval(master, folder, start=datetime(2026, 10, 1, 9, 0), seed=seed, late_units=late)
    assert run.approval.approved, run.approval.detail
    return master


@pytest.fixture(scope="module")
def offices(tmp_path_factory) -> dict[str, Path]:
    """Three offices, each quarter run to approval: the sample office renamed (candipuro), and two
    generated offices on other presets."""
    base = tmp_path_factory.mktemp("offices")
    sample = read_office_data(ROOT / "sample_data" / "sukamaju")
    sample.settings = {**sample.settings, "nama_instansi": "Kecamatan Sukamulya"}
    return {
        "Kecamatan Sukamulya": _office(base, "Kecamatan Sukamulya", "candipuro", sample, 0),
        "Kecamatan Mekarsari": _office(base, "Kecamatan Mekarsari", "mangkutana",
                                       generated_office("Kecamatan Mekarsari", units=3, indicators=12, seed=1), 1,
                                       late=1),
        "Badan Keuangan Daerah": _office(base, "Badan Keuangan Daerah", "bpkad_way_kanan",
                                         generated_office("Badan Keuangan Daerah", units=3, indicators=10, seed=2,
                                                          coded=0.5), 2, late=2),
    }


def _copy(offices: dict[str, Path], tmp_path: Path, names=None) -> dict[str, Path]:
    out = {}
    for name, path in offices.items():
        if names is None or name in names:
            dst = tmp_path / "sumber" / path.parent.name / "induk.xlsx"
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, dst)
            out[name] = dst
    return out


def _sheet(path: Path, name: str, header_row: int) -> list[dict]:
    ws = load_workbook(path, data_only=True)[name]
    rows = list(ws.iter_rows(values_only=True))
    head = rows[header_row - 1]
    return [dict(zip(head, r)) for r in rows[header_row:] if any(v is not None for v in r)]


def _set(path: Path, sheet: str, label: str, value) -> None:
    wb = load_workbook(path)
    ws = wb[sheet]
    row = next(c.row for c in ws["A"] if c.value == label)
    ws.cell(row=row, column=2, value=value)
    wb.save(path)


# ----------------------------------------------------------------------------------- the figures, independently


def _scale(rekap: Path) -> list[tuple[float, str]]:
    return sorted(((r["Batas Bawah (%)"] or 0, r["Predikat"]) for r in _sheet(rekap, S.SKALA.sheet, 3)), reverse=True)


def _predicate(cap, scale) -> str:
    if cap is None:
        return "-"
    return next((p for low, p in scale if cap >= low), scale[-1][1])


def _expected_figures(master: Path, scale) -> dict:
    """An office's indicators read from its cells, with target, realisasi and capaian computed
    here from the SOP's rules (naik R/T, turun (2T-R)/T, per triwulan / kumulatif / nilai akhir)."""
    wb = load_workbook(master, data_only=True)
    settings = {r[0]: r[1] for r in wb["Pengaturan"].iter_rows(values_only=True) if r[0]}
    q = {"I": 1, "II": 2, "III": 3, "IV": 4}[settings["Nomor Periode"]]
    inds = _sheet(master, "Indikator", 3)
    real = {}
    for ws in wb.worksheets:
        if ws.title.startswith("Data "):
            for r in _sheet(master, ws.title, 3):
                real[r["Kode"]] = [r[f"Realisasi TW {x}"] for x in ("I", "II", "III", "IV")]
    out = {}
    for i in inds:
        t = [i[f"Target TW {x}"] for x in ("I", "II", "III", "IV")]
        rr = real.get(i["Kode"], [None] * 4)
        if i["Metode"] == "Kumulatif":
            target, realisasi = sum(t[:q]), (None if None in rr[:q] else sum(rr[:q]))
        else:
            target, realisasi = t[q - 1], rr[q - 1]
        if realisasi is None or not target:
            cap = None
        elif i["Polaritas"] == "Naik":
            cap = realisasi / target * 100
        elif (i["Rumus Turun"] or settings["Rumus Indikator Turun"]) == "T/R":
            cap = target / realisasi * 100 if realisasi else None
        else:
            cap = max(0.0, (2 * target - realisasi) / target * 100)
        out[i["Kode"]] = {"target": target, "realisasi": realisasi, "capaian": cap,
                          "predikat": _predicate(cap, scale), "sasaran": i["Sasaran Strategis"],
                          "kode_sasaran": i["Kode Sasaran/IKU Pemda"]}
    riwayat = _sheet(master, "Riwayat", 3)
    approved = [r for r in riwayat if r["Kegiatan"] == S.KEGIATAN_REKAP_DISETUJUI][-1]
    late_units = {r["Kode Unit"] for r in _sheet(master, "Penerimaan", 3)
                  if r["Status"] == "Dipakai" and r["Terlambat"] not in (None, "Tepat waktu")}
    return {"indicators": out, "by": approved["Oleh"], "at": approved["Waktu"], "late_units": len(late_units)}


def _steps_late_by_the_office(master: Path) -> int:
    """The office's own timing sheet (kinerja timing at the same moment), counted from its cells."""
    work = master.with_name("timing-check.xlsx")
    shutil.copy(master, work)
    write_file(work, recompute(load_master(work), NOW).writes, backup=False)
    return sum(1 for r in _sheet(work, S.WAKTU.sheet, 3) if r["Status"] == "terlambat")


def test_rollup_of_three_approved_offices_recomputes_independently(offices, tmp_path):
    src = _copy(offices, tmp_path)
    rekap = tmp_path / "rekap-pemda.xlsx"
    result = make_rollup(rekap, [tmp_path / "sumber"], now=NOW)
    assert not result.report.blocking, result.report.to_json()
    assert result.report.codes() == {"rollup-expected-proposed"}
    assert result.inputs.pemerintah == PEMDA and result.inputs.periode == "2026-TW3"
    scale = _scale(rekap)

    expected = {name: _expected_figures(path, scale) for name, path in src.items()}
    rows = _sheet(rekap, INDICATORS.sheet, INDICATORS.header_row)
    assert len(rows) == sum(len(e["indicators"]) for e in expected.values())
    seen = set()
    for r in rows:
        e = expected[r["Instansi"]]["indicators"][r["Kode"]]
        seen.add((r["Instansi"], r["Kode"]))
        assert r["Target"] == pytest.approx(e["target"]) and r["Realisasi"] == pytest.approx(e["realisasi"])
        if e["capaian"] is None:
            assert r["Capaian (%)"] is None
        else:
            assert r["Capaian (%)"] == pytest.approx(e["capaian"], abs=0.006)
        assert r["Predikat (Skala Pemda)"] == e["predikat"]
        assert r["Predikat Instansi (bila berbeda)"] is None  # the same scale here
        assert r["Sasaran Strategis"] == e["sasaran"] and r["Kode Sasaran/IKU"] == e["kode_sasaran"]
        assert r["Status Persetujuan"] == "Disetujui"
    assert len(seen) == len(rows)

    summary = {r["Instansi"]: r for r in _sheet(rekap, SUMMARY_SHEET, SUMMARY_HEADER_ROW) if r["No"]}
    assert list(summary) == sorted(expected)  # proposed list, by name
    bands = [p for _low, p in scale]
    everything = []
    for name, e in expected.items():
        caps = [x["capaian"] for x in e["indicators"].values() if x["capaian"] is not None]
        everything += list(e["indicators"].values())
        s = summary[name]
        assert s["Periode"] == "TW III 2026" and s["Status Persetujuan"] == "Disetujui"
        assert s["Disetujui Oleh"] == e["by"] and s["Waktu Persetujuan"] == e["at"]
        assert s["Jumlah Indikator"] == len(e["indicators"])
        assert s["Terisi"] == sum(1 for x in e["indicators"].values() if x["realisasi"] is not None)
        assert s["Rata-rata Capaian (%)"] == pytest.approx(mean(caps), abs=0.006)
        assert s["Predikat (Skala Pemda)"] == _predicate(mean(caps), scale)
        counts = Counter(x["predikat"] for x in e["indicators"].values() if x["capaian"] is not None)
        assert [s[b] for b in bands] == [counts.get(b, 0) for b in bands]
        assert s["Belum Dihitung"] == sum(1 for x in e["indicators"].values() if x["capaian"] is None)
        assert s["Di Bawah Target"] == sum(1 for c in caps if c < 100)
        assert s["Unit Terlambat"] == e["late_units"]
        assert s["Langkah SOP Lewat Mutu Baku"] == _steps_late_by_the_office(src[name])
    assert summary["Kecamatan Mekarsari"]["Unit Terlambat"] == 1
    assert summary["Badan Keuangan Daerah"]["Unit Terlambat"] == 2
    total = next(r for r in _sheet(rekap, SUMMARY_SHEET, SUMMARY_HEADER_ROW) if not r["No"])
    all_caps = [x["capaian"] for x in everything if x["capaian"] is not None]
    assert total["Jumlah Indikator"] == len(everything)
    assert total["Rata-rata Capaian (%)"] == pytest.approx(mean(all_caps), abs=0.006)

    # the Pemda's sasaran view: by the shared code, else by the sasaran text
    groups: dict = {}
    for name, e in expected.items():
        for x in e["indicators"].values():
            key = x["kode_sasaran"] or "(tanpa kode)|" + x["sasaran"]
            groups.setdefault(key, []).append((name, x))
    sasaran = _sheet(rekap, SASARAN.sheet, SASARAN.header_row)
    assert len(sasaran) == len(groups)
    for r in sasaran:
        key = r["Kode Sasaran/IKU"] if r["Kode Sasaran/IKU"] != "(tanpa kode)" else "(tanpa kode)|" + r["Sasaran"]
        members = groups[key]
        caps = [x["capaian"] for _n, x in members if x["capaian"] is not None]
        assert r["Jumlah Indikator"] == len(members)
        assert r["Jumlah Instansi"] == len({n for n, _x in members})
        assert r["Rata-rata Capaian (%)"] == pytest.approx(mean(caps), abs=0.006)
        assert r["Predikat (Skala Pemda)"] == _predicate(mean(caps), scale)
    assert any(r["Jumlah Instansi"] == 3 for r in sasaran)  # a code shared by every office

    wb = load_workbook(rekap)
    assert wb.sheetnames[:2] == [SUMMARY_SHEET, CHART_SHEET]
    import zipfile
    with zipfile.ZipFile(rekap) as z:  # native charts (openpyxl does not read them back: the XML)
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
        assert len(charts) == 3
        first = SUMMARY_HEADER_ROW + 1
        xml = z.read("xl/charts/chart1.xml").decode()
        assert f"'{SUMMARY_SHEET}'!$B${first}:$B${first + 2}" in xml
        assert f"'{SUMMARY_SHEET}'!$I${first}:$I${first + 2}" in xml
    ws = wb[SUMMARY_SHEET]
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1
    assert ws.print_title_rows == f"${SUMMARY_HEADER_ROW}:${SUMMARY_HEADER_ROW}"


# ----------------------------------------------------------------------------------- flags


def test_flags_other_period_other_pemda_draft_not_master_missing_source(offices, tmp_path):
    src = _copy(offices, tmp_path, {"Kecamatan Sukamulya", "Kecamatan Mekarsari"})
    other_period = tmp_path / "lain" / "periode.xlsx"
    other_period.parent.mkdir()
    shutil.copy(offices["Badan Keuangan Daerah"], other_period)
    _set(other_period, "Pengaturan", "Nomor Periode", "II")
    other_pemda = tmp_path / "lain" / "pemda.xlsx"
    shutil.copy(offices["Badan Keuangan Daerah"], other_pemda)
    _set(other_pemda, "Pengaturan", "Pemerintah Daerah", "Pemerintah Kabupaten Lain")
    draft = tmp_path / "lain" / "draf.xlsx"
    build_master(draft, "muara_papalik", generated_office("Dinas Sosial", units=2, indicators=4, seed=5))
    form = next((offices["Kecamatan Mekarsari"].parent / "formulir").glob("*.xlsx"))
    rekap = tmp_path / "rekap.xlsx"
    result = make_rollup(rekap, [*src.values(), tmp_path / "lain", form, tmp_path / "tidak-ada.xlsx"], now=NOW,
                         periode="Triwulan III 2026")
    by = {i.code: i for i in result.report.issues}
    assert by["rollup-other-period"].location.file == str(other_period)
    assert "Triwulan II Tahun 2026" in by["rollup-other-period"].message
    assert by["rollup-other-pemda"].location.file == str(other_pemda)
    assert "Pemerintah Kabupaten Lain" in by["rollup-other-pemda"].message
    assert by["rollup-draft"].location.file == str(draft) and "Dinas Sosial" in by["rollup-draft"].message
    assert by["rollup-not-master"].location.file == str(form) and by["rollup-not-master"].severity.value == "warning"
    assert by["rollup-source-missing"].location.file == str(tmp_path / "tidak-ada.xlsx")
    assert sorted(o.office for o in result.offices) == ["Dinas Sosial", "Kecamatan Mekarsari", "Kecamatan Sukamulya"]
    sources = {r["File"]: r for r in _sheet(rekap, SOURCES.sheet, SOURCES.header_row)}
    assert sources[str(other_period)]["Dipakai"].startswith("Tidak: periode lain")
    assert sources[str(draft)]["Status Persetujuan"] == "DRAF"
    findings = {r["Kode Masalah"] for r in _sheet(rekap, FINDINGS.sheet, FINDINGS.header_row)}
    assert {"rollup-other-period", "rollup-other-pemda", "rollup-draft", "rollup-not-master"} <= findings


def test_same_office_twice_newest_approved_wins_and_archives_are_read_through_their_manifest(offices, tmp_path):
    src = _copy(offices, tmp_path, {"Kecamatan Mekarsari"})
    master = src["Kecamatan Mekarsari"]
    arsip = archive_period(load_master(master), tmp_path / "arsip", now=datetime(2026, 10, 20, 9, 0))
    assert arsip.folder is not None
    # a later copy, approved again later (same data): the newest approval wins
    newer = tmp_path / "baru" / "salinan.xlsx"
    newer.parent.mkdir()
    shutil.copy(master, newer)
    from kinerja.stages.approval import fingerprint

    m = load_master(newer).master
    w = WorkbookWrites()
    w.sheet(S.RIWAYAT.sheet, S.RIWAYAT).append = [[datetime(2026, 10, 21, 10, 0), S.KEGIATAN_REKAP_DISETUJUI, None, 1,
                                                   "SEKRETARIS BARU", f"[2026-TW3] Sidik data: {fingerprint(m)}"]]
    write_file(newer, w, backup=False)
    rekap = tmp_path / "rekap.xlsx"
    result = make_rollup(rekap, [tmp_path / "arsip", newer], now=NOW)
    assert [o.source.path for o in result.offices] == [newer]
    assert result.offices[0].by == "SEKRETARIS BARU"
    dup = result.report.by_code("rollup-office-duplicate")
    assert len(dup) == 1 and "manifest" not in dup[0].location.file
    assert dup[0].location.file.endswith("induk/induk.xlsx") and str(arsip.folder) in dup[0].location.file
    assert "isi sama" in dup[0].message
    assert not result.report.by_code("rollup-archive-altered")
    # the manifest no longer matches the archived master
    manifest = arsip.folder / "manifest.json"
    doc = json.loads(manifest.read_text(encoding="utf-8"))
    for e in doc["berkas"]:
        if e["jenis"] == "workbook induk":
            e["sha256"] = "0" * 64
    manifest.write_text(json.dumps(doc), encoding="utf-8")
    result = make_rollup(tmp_path / "rekap2.xlsx", [tmp_path / "arsip"], now=NOW)
    altered = result.report.by_code("rollup-archive-altered")
    assert len(altered) == 1 and "manifest" in altered[0].message
    assert result.offices[0].source.kind == "arsip"


def test_changed_after_approval_is_an_error_and_the_cli_exits_1(offices, tmp_path):
    src = _copy(offices, tmp_path, {"Kecamatan Mekarsari"})
    master = src["Kecamatan Mekarsari"]
    loaded = load_master(master)
    unit = loaded.master.units[0]
    code, row = next(iter(loaded.unit_rows[unit.kode].items()))
    w = WorkbookWrites()
    w.sheet(unit.sheet_name).cells[f"{S.unit_data_table(unit.sheet_name).letter('r3')}{row}"] = 999.0
    write_file(master, w, backup=False)
    rekap = tmp_path / "rekap.xlsx"
    res = CliRunner().invoke(app, ["rollup", str(rekap), str(master), "--ekspor", str(tmp_path / "unggah.json"),
                                   "--json"])
    assert res.exit_code == 1, res.output
    assert "rollup-changed-after-approval" in {i["code"] for i in json.loads(res.output)["issues"]}
    result = make_rollup(rekap, [master], now=NOW)
    issue = result.report.by_code("rollup-changed-after-approval")[0]
    assert issue.location.file == str(master) and code in issue.message and "999" in issue.message
    assert result.offices[0].status == "Berubah setelah disetujui"
    doc = json.loads((tmp_path / "unggah.json").read_text(encoding="utf-8"))
    assert doc["pemerintah"] == PEMDA and doc["periode"] == "2026-TW3"
    assert {d["Status Persetujuan"] for d in doc["data"]} == {"Berubah setelah disetujui"}


def test_expected_list_kept_missing_office_flagged_pemda_scale_recomputed(offices, tmp_path):
    src = _copy(offices, tmp_path)
    rekap = tmp_path / "rekap.xlsx"
    first = make_rollup(rekap, list(src.values()), now=NOW)
    assert first.proposed and first.report.by_code("rollup-expected-proposed")
    # the roll-up user edits the expected list (adds an office, a short name, a note), adds a sheet
    wb = load_workbook(rekap)
    ws = wb[EXPECTED.sheet]
    h = EXPECTED.header_row
    ws.cell(h + 4, 1, "Dinas Pendidikan")
    ws.cell(h + 2, 2, "Mekarsari")
    ws.cell(h + 2, 3, "dicek Bagian Organisasi")
    wb.create_sheet("Catatan Bagor")["A1"] = "catatan sendiri"
    wb.save(rekap)
    second = make_rollup(rekap, [src["Kecamatan Sukamulya"], src["Kecamatan Mekarsari"]], now=NOW)
    missing = {i.params.get("office"): i for i in second.report.by_code("rollup-office-missing")}
    assert set(missing) == {"Dinas Pendidikan", "Badan Keuangan Daerah"}
    assert not second.proposed and not second.report.by_code("rollup-rebuilt")
    wb = load_workbook(rekap)
    assert wb["Catatan Bagor"]["A1"].value == "catatan sendiri"
    kept = [[c.value for c in r[:3]] for r in wb[EXPECTED.sheet].iter_rows(min_row=h + 1, max_row=h + 4)]
    assert kept[1] == ["Kecamatan Mekarsari", "Mekarsari", "dicek Bagian Organisasi"] and kept[3][0] == "Dinas Pendidikan"
    summary = {r["Instansi"]: r for r in _sheet(rekap, SUMMARY_SHEET, SUMMARY_HEADER_ROW) if r["No"]}
    assert summary["Dinas Pendidikan"]["Status Persetujuan"] == "Tidak ada"
    assert summary["Badan Keuangan Daerah"]["Status Persetujuan"] == "Tidak ada"
    import zipfile
    with zipfile.ZipFile(rekap) as z:  # the charts follow the rows (2 offices, 2 missing)
        xml = z.read("xl/charts/chart1.xml").decode()
        first_row = SUMMARY_HEADER_ROW + 1
        assert f"$B${first_row}:$B${first_row + 3}" in xml and f"$I${first_row}:$I${first_row + 3}" in xml
    # an office not on the list is rolled up and flagged
    wb = load_workbook(rekap)
    wb[EXPECTED.sheet].delete_rows(h + 1)  # Badan Keuangan Daerah off the list
    wb.save(rekap)
    third = make_rollup(rekap, list(src.values()), now=NOW)
    unexpected = third.report.by_code("rollup-office-unexpected")
    assert [i.params["office"] for i in unexpected] == ["Badan Keuangan Daerah"]

    # the Pemda's scale differs from the offices': predicates recomputed, both shown where they differ
    wb = load_workbook(rekap)
    ws = wb[S.SKALA.sheet]
    for r, (low, name) in enumerate([(95, "Istimewa"), (80, "Baik"), (0, "Kurang")], S.SKALA.header_row + 1):
        ws.cell(r, 1, low), ws.cell(r, 2, name), ws.cell(r, 3, None)
    ws.delete_rows(S.SKALA.header_row + 4, 10)
    wb.save(rekap)
    fourth = make_rollup(rekap, list(src.values()), now=NOW)
    assert fourth.report.by_code("rollup-rebuilt")  # new predicate columns: rebuilt from the kept inputs
    wb = load_workbook(rekap)
    assert [r[0].value for r in wb[EXPECTED.sheet].iter_rows(min_row=h + 1, max_row=h + 3)] == [
        "Kecamatan Mekarsari", "Kecamatan Sukamulya", "Dinas Pendidikan"]
    rows = _sheet(rekap, INDICATORS.sheet, INDICATORS.header_row)
    office_scale = [(91, "Sangat Tinggi"), (76, "Tinggi"), (66, "Sedang"), (51, "Rendah"), (0, "Sangat Rendah")]
    pemda_scale = [(95, "Istimewa"), (80, "Baik"), (0, "Kurang")]
    for r in rows:
        cap = r["Capaian (%)"]
        if cap is None:
            continue
        assert r["Predikat (Skala Pemda)"] == _predicate(cap, pemda_scale)
        assert r["Predikat Instansi (bila berbeda)"] == _predicate(cap, office_scale)  # names always differ
    header = [c.value for c in load_workbook(rekap)[SUMMARY_SHEET][SUMMARY_HEADER_ROW]]
    assert {"Istimewa", "Baik", "Kurang"} <= set(header) and "Sangat Tinggi" not in header


def test_a_period_typed_wrong_in_the_rollup_settings_is_reported_at_its_cell(offices, tmp_path):
    src = _copy(offices, tmp_path, ["Kecamatan Sukamulya"])
    rekap = tmp_path / "rekap.xlsx"
    make_rollup(rekap, list(src.values()), now=NOW)
    _set(rekap, "Pengaturan", "Periode", "triwulan ketiga")
    row = next(c.row for c in load_workbook(rekap)["Pengaturan"]["A"] if c.value == "Periode")
    again = make_rollup(rekap, list(src.values()), now=NOW)
    [issue] = again.report.by_code("setting-invalid")
    assert issue.location.cell == f"B{row}"
    assert f"sel B{row}." in issue.action and "'triwulan ketiga' bukan periode" in issue.message


def test_benchmark_runs_every_scenario_on_three_offices(tmp_path):
    """A small run of benchmarks/bench_rollup.py: each scenario does its work on the same masters
    (the timings themselves are not tested)."""
    import importlib
    import sys

    if str(ROOT / "benchmarks") not in sys.path:
        sys.path.insert(0, str(ROOT / "benchmarks"))
    bench = importlib.import_module("bench_rollup")
    summary = bench.main(["--offices", "3", "--indicators", "20", "--runs", "1", "--out", str(tmp_path)])
    sc = summary["scenarios"]
    assert set(sc) == set(bench.SCENARIOS)
    assert sc["handwritten"]["check"]["rows"] == 60
    for name in ("rollup", "rollup_again"):
        check = sc[name]["check"]
        assert check["offices"] == 3 and check["approved"] == 3 and check["indicators"] == 60, check
        assert sc[name]["peak_mb"] > 0


def test_worker_processes_give_the_same_rollup(offices, tmp_path, monkeypatch):
    """Many sources are read in worker processes; the result is the one read in order."""
    import kinerja.stages.rollup as R

    src = list(_copy(offices, tmp_path).values())
    one = make_rollup(tmp_path / "satu.xlsx", src, now=NOW)
    monkeypatch.setattr(R, "PARALLEL_FROM", 1)
    many = make_rollup(tmp_path / "banyak.xlsx", src, now=NOW)
    assert R.summary_rows(many) == R.summary_rows(one) and R.indicator_rows(many) == R.indicator_rows(one)
    assert [i.code for i in many.report.issues] == [i.code for i in one.report.issues]
    assert all(o.loaded.rows == {} for o in many.offices)  # the workers sent no raw sheet rows back
