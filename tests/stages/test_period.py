"""The next period: new-period carries a master on, refuses unfinished periods, a new year,
and the chain of masters checked by `kinerja check`."""

from __future__ import annotations

import hashlib
from datetime import datetime

import pytest
from openpyxl import load_workbook
from test_approval import approve_all
from test_validate import golden_master
from typer.testing import CliRunner

from kinerja.cli.commands import app
from kinerja.domain.models import Period
from kinerja.stages.archive import archive_period
from kinerja.stages.check import check
from kinerja.stages.period import follows, new_period, next_period, parse_period
from kinerja.stages.validate import STATUS_CELLS
from kinerja.workbook import sheets as S
from kinerja.workbook.files import write_file
from kinerja.workbook.master import load_master

NOW = datetime(2026, 10, 20, 9, 0)


def test_periods_follow_each_other():
    tw = [Period(tahun=2026, jenis="triwulan", nomor=n) for n in (1, 2, 3, 4)]
    assert [next_period(p) for p in tw] == tw[1:] + [Period(tahun=2027, jenis="triwulan", nomor=1)]
    assert next_period(Period(tahun=2026, jenis="semester", nomor=2)) == Period(tahun=2027, jenis="semester", nomor=1)
    assert follows(tw[3], Period(tahun=2026, jenis="tahunan")) and not follows(tw[1], tw[3])
    assert follows(tw[1], Period(tahun=2026, jenis="semester", nomor=2))
    assert parse_period("Triwulan IV 2026") == tw[3] == parse_period("tw 4 2026") == parse_period("2026-TW4")
    assert parse_period("Semester I Tahun 2027") == Period(tahun=2027, jenis="semester", nomor=1)
    assert parse_period("Tahunan 2026").jenis == "tahunan"
    with pytest.raises(ValueError, match="tidak dikenal"):
        parse_period("kuartal 5")


@pytest.fixture
def finished(sample_master, tmp_path):
    """The sample office's TW III 2026, approved and archived."""
    golden_master(sample_master)
    approve_all(sample_master, tmp_path / "perbaikan")
    a = archive_period(load_master(sample_master), tmp_path / "arsip", now=NOW)
    write_file(sample_master, a.writes, backup=False)
    return sample_master


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_new_period_carries_the_office_and_the_approved_history(finished, tmp_path):
    before = digest(finished)
    old = load_master(finished)
    out = tmp_path / "induk-tw4.xlsx"
    res = new_period(finished, out, who="RINA", now=NOW)
    assert res.path == out and not res.report.blocking, res.report.to_json()
    assert digest(finished) == before  # the old master is never changed
    new = load_master(out)
    m, o = new.master, old.master
    assert m.settings.period == Period(tahun=2026, jenis="triwulan", nomor=4)
    assert m.settings.batas_waktu is None
    assert m.settings.office == o.settings.office and m.settings.officials == o.settings.officials
    assert [u.kode for u in m.units] == [u.kode for u in o.units]
    assert [(i.kode, i.target_tahunan, i.target_tw) for i in m.indicators] == \
        [(i.kode, i.target_tahunan, i.target_tw) for i in o.indicators]
    assert m.sop.steps == o.sop.steps and m.settings.rules == o.settings.rules
    for kode, r in o.results.items():  # TW I-III carried as approved; TW IV, explanations empty
        assert m.results[kode].realisasi_tw[:3] == r.realisasi_tw[:3]
        assert m.results[kode].realisasi_tw[3] is None and m.results[kode].penjelasan == ""
    assert res.carried == sum(v is not None for r in o.results.values() for v in r.realisasi_tw[:3])
    wb = load_workbook(out)
    for t in (S.DISTRIBUSI, S.PENERIMAAN, S.REKAP, S.VALIDASI, S.LOG_LAPORAN):
        ws = wb[t.sheet]
        assert all(c.value is None for row in ws.iter_rows(min_row=t.header_row + 1) for c in row), t.sheet
    validasi = wb[S.VALIDASI.sheet]  # the heading of a period not validated yet; the link to the findings stays
    assert validasi["A1"].value.endswith("Triwulan IV Tahun 2026 (belum divalidasi)"), validasi["A1"].value
    assert [validasi[ref].value for ref in STATUS_CELLS] == [None] * len(STATUS_CELLS)
    assert validasi["A5"].hyperlink is not None
    assert not wb["Data SEK"].protection.sheet and wb[S.NILAI_DISETUJUI.sheet].max_row > S.NILAI_DISETUJUI.header_row
    (row,) = [r for r in wb[S.RIWAYAT.sheet].iter_rows(min_row=S.RIWAYAT.header_row + 1, values_only=True) if r[1]]
    assert row[1] == "Periode baru" and row[4] == "RINA" and "arsip/2026-TW3" in row[5]
    assert all(r[6] is None for r in wb[S.WAKTU.sheet].iter_rows(min_row=S.WAKTU.header_row + 1, values_only=True))
    got = check(out).report
    assert not got.blocking, got.to_json()  # the chain back to the archived TW III holds

    # a carried TW II value typed over in the new master: reported against both records
    row = new.unit_rows["SEK"]["SEK.01"]
    wb["Data SEK"][f"J{row}"] = 99
    wb.save(out)
    got = check(out).report
    assert {i.code for i in got.issues if i.severity.value == "error"} >= {"chain-value-changed"}
    (c,) = got.by_code("chain-value-changed")
    assert c.location.indicator == "SEK.01" and c.params["quarter"] == "II" and c.location.cell == f"J{row}"


def test_refuses_an_unfinished_period_unless_forced(sample_master, tmp_path):
    out = tmp_path / "baru.xlsx"
    res = new_period(sample_master, out, now=NOW)
    assert res.path is None and not out.exists()
    assert {i.code for i in res.report.issues} == {"period-not-approved", "period-not-archived"}
    skip = new_period(sample_master, out, period=parse_period("Triwulan II 2027"), now=NOW)
    assert "period-not-next" in skip.report.codes() and skip.report.by_code("period-not-next")[0].params[
        "expected"] == "Triwulan IV Tahun 2026"
    forced = new_period(sample_master, out, force=True, now=NOW)
    assert forced.path == out and not forced.report.blocking and len(forced.forced) == 2
    got = check(out).report
    (note,) = got.by_code("period-forced")
    assert "belum disetujui" in note.message and "belum diarsipkan" in note.message
    again = new_period(sample_master, out, force=True, now=NOW)
    assert again.report.codes() >= {"new-master-exists"}


def test_a_new_year_clears_targets_keeps_last_year_and_maps_codes(finished, tmp_path):
    tw4 = tmp_path / "induk-tw4.xlsx"
    new_period(finished, tw4, force=True, now=NOW)
    out = tmp_path / "induk-2027-tw1.xlsx"
    bad = new_period(tw4, out, force=True, renames={"NOPE.1": "X"}, now=NOW)
    assert "indicator-code-unknown" in bad.report.codes() and bad.path is None
    taken = new_period(tw4, out, force=True, renames={"PEM.01": "PEM.02"}, now=NOW)
    assert "indicator-code-taken" in taken.report.codes()
    within = new_period(finished, tmp_path / "x.xlsx", force=True, renames={"PEM.01": "PEM.01A"}, now=NOW)
    assert "code-rename-within-year" in within.report.codes()
    res = new_period(tw4, out, force=True, renames={"PEM.01": "PEM.01A"}, retire=["KESOS.01"], now=NOW)
    assert res.path == out and res.new_year, res.report.to_json()
    old, new = load_master(tw4).master, load_master(out).master
    assert new.settings.period == Period(tahun=2027, jenis="triwulan", nomor=1)
    codes = [i.kode for i in new.indicators]
    assert "PEM.01A" in codes and "PEM.01" not in codes and "KESOS.01" not in codes
    assert all(i.target_tahunan is None and i.target_tw == [None] * 4 for i in new.indicators)
    assert not any(any(v is not None for v in r.realisasi_tw) for r in new.results.values())
    got = check(out).report
    assert len(got.by_code("target-missing")) == len(new.indicators) and got.blocking
    wb = load_workbook(out)
    ws = wb[S.TAHUN_LALU.sheet]
    rows = {r[0]: r for r in ws.iter_rows(min_row=S.TAHUN_LALU.header_row + 1, values_only=True) if r[0]}
    assert rows["PEM.01A"][1] == "PEM.01" and rows["PEM.01A"][6:9] == tuple(old.results["PEM.01"].realisasi_tw[:3])
    assert "KESOS.01" not in rows and rows["PEM.01A"][5] == 2026
    # the same quarter last year, for the reports and the Ringkasan
    from kinerja.stages.compare import last_year, ringkasan_block, trends

    loaded = load_master(out)
    groups = trends(loaded.master, last_year(loaded.rows))
    pem = next(t for g in groups for t in g.rows if t.ind.kode == "PEM.01A")
    assert pem.lalu == old.results["PEM.01"].realisasi_tw[0] is not None
    assert "TW I 2026" in ringkasan_block(loaded, loaded.master).values()


def test_cli_new_period(finished, tmp_path):
    out = tmp_path / "tw4.xlsx"
    r = CliRunner().invoke(app, ["new-period", str(finished), "--out", str(out), "--periode", "Triwulan IV 2026",
                                 "--oleh", "RINA"])
    assert r.exit_code == 0, r.output
    assert "Triwulan IV Tahun 2026" in r.output and out.exists()
    r = CliRunner().invoke(app, ["new-period", str(finished), "--out", str(out), "--json"])
    assert r.exit_code == 1 and "new-master-exists" in r.output


def test_check_walks_the_chain_and_reports_each_broken_link(finished, tmp_path, _sample_master_template):
    import shutil

    from kinerja.stages.period import settings_cells

    tw4 = tmp_path / "tw4" / "induk-tw4.xlsx"
    assert new_period(finished, tw4, now=NOW).path == tw4
    ref_cell = settings_cells(load_master(tw4))["induk_sebelumnya"]

    def point_at(target, edit_prev=None):
        if edit_prev:
            wb = load_workbook(target)
            for ref, value in edit_prev.items():
                wb[S.SETTINGS_SHEET][ref] = value
            wb.save(target)
        wb = load_workbook(tw4)
        wb[S.SETTINGS_SHEET][ref_cell] = str(target)
        wb.save(tw4)
        return check(tw4).report

    got = point_at(tmp_path / "tidak-ada.xlsx")
    assert got.by_code("chain-previous-missing")[0].location.sheet == S.SETTINGS_SHEET
    cells = settings_cells(load_master(finished))
    other = shutil.copy(finished, tmp_path / "lain.xlsx")
    got = point_at(other, {cells["nama_instansi"]: "Kecamatan Lain"})
    assert "Kecamatan Lain" in got.by_code("chain-office-mismatch")[0].message
    gap = shutil.copy(finished, tmp_path / "tw2.xlsx")
    got = point_at(gap, {cells["nomor_periode"]: "II"})
    assert got.by_code("chain-period-gap")[0].params["value"] == "Triwulan II Tahun 2026"
    fresh = shutil.copy(_sample_master_template, tmp_path / "belum.xlsx")
    got = point_at(fresh)
    assert "chain-previous-unapproved" in got.codes() and "chain-office-mismatch" not in got.codes()

    # back to the real previous master, then the carried approval records removed
    point_at(finished)
    wb = load_workbook(tw4)
    ws = wb[S.NILAI_DISETUJUI.sheet]
    ws.delete_rows(S.NILAI_DISETUJUI.header_row + 1, ws.max_row)
    wb.save(tw4)
    got = check(tw4).report
    assert {i.location.unit for i in got.by_code("chain-record-missing")} == {"SEK", "PEM", "TRANTIB", "PMD", "KESOS", "YANUM"}
