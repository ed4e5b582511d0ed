"""SOP timing on the sample master: stamps, hand logs, the Waktu SOP sheet, unit returns, status."""

from __future__ import annotations

import json
from datetime import datetime as D
from datetime import timedelta, timezone
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from kinerja.cli.commands import app
from kinerja.stages.deadlines import unit_return_timing
from kinerja.stages.status import end_current_step, log_selected, sop_status
from kinerja.stages.timing import (
    BELUM,
    BERJALAN,
    BUKAN_SOP,
    HAMPIR,
    TEPAT,
    TERLAMBAT,
    TimingError,
    format_durasi,
    log_step,
    read_log,
    recompute,
    stamp,
)
from kinerja.workbook import sheets as S
from kinerja.workbook.description import WorkbookWrites
from kinerja.workbook.files import write_file
from kinerja.workbook.master import build_master, load_master, read_office_data
from kinerja.workbook.style import SEVERITY_FILL
from kinerja.workbook.tables import Table

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data" / "sukamaju"
W = S.WAKTU
ROW = {no: W.header_row + no for no in range(1, 20)}  # step number -> sheet row


def load(path: Path):
    loaded = load_master(path)
    assert loaded.master is not None, loaded.report.to_json()
    return loaded


def apply(path: Path, writes: WorkbookWrites):
    write_file(path, writes, backup=False)
    return load(path)


def edit(path: Path, sheet: str, cells: dict[str, object]) -> None:
    """Type into the workbook as a person would (openpyxl, saved)."""
    wb = load_workbook(path)
    for ref, value in cells.items():
        wb[sheet][ref] = value
    wb.save(path)


def cell(key: str, no: int) -> str:
    return f"{W.letter(key)}{ROW[no]}"


def table_rows(table: Table, *rows: dict) -> list[list]:
    return [[r.get(c.key) for c in table.columns] for r in rows]


def put_rows(path: Path, table: Table, *rows: dict):
    w = WorkbookWrites()
    w.sheet(table.sheet, table).rows = table_rows(table, *rows)
    return apply(path, w)


@pytest.fixture
def papalik(tmp_path) -> Path:
    """The sample office under Muara Papalik's SOP: a 2-hari fill-in step (5) and a decision (11 -> 5)."""
    path = tmp_path / "papalik.xlsx"
    build_master(path, "muara_papalik", read_office_data(SAMPLE))
    return path


# ----------------------------------------------------------------------------------- durations


def test_durations_in_indonesian() -> None:
    assert format_durasi(450 + 150) == "1 hari 2 jam 30 menit"
    assert format_durasi(135) == "2 jam 15 menit"
    assert format_durasi(900) == "2 hari"
    assert format_durasi(0) == "0 menit"
    assert format_durasi(None) == "-"


# ----------------------------------------------------------------------------------- calendar goldens


def test_two_hari_step_started_on_nyepi_is_due_end_of_next_thursday(sample_master) -> None:
    loaded = load(sample_master)
    step = loaded.master.sop.step(6)
    assert step.waktu.text() == "2 Hari"
    loaded = apply(sample_master, log_step(loaded, 6, start=D(2026, 3, 19, 8), who="Kasubag"))
    row = recompute(loaded, D(2026, 3, 19, 9)).rows[5]
    # 19 March (Nyepi) and the Idul Fitri holidays and cuti bersama do not count
    assert (row.start, row.due, row.who) == (D(2026, 3, 19, 8), D(2026, 3, 26, 16), "Kasubag")
    assert row.status == BERJALAN and row.elapsed == 0


@pytest.mark.parametrize(("end", "status", "lewat"), [
    (D(2026, 11, 3, 8, 30), TEPAT, None),
    (D(2026, 11, 3, 9, 0), HAMPIR, None),
    (D(2026, 11, 3, 9, 30), TERLAMBAT, "30 menit"),
])
def test_two_jam_step_over_the_night(sample_master, end, status, lewat) -> None:
    loaded = load(sample_master)
    assert loaded.master.sop.step(2).waktu.text() == "2 Jam"
    loaded = apply(sample_master, log_step(loaded, 2, start=D(2026, 11, 2, 15, 30)))
    loaded = apply(sample_master, log_step(loaded, 2, end=end))
    outcome = recompute(loaded, D(2026, 11, 20, 10))
    row = outcome.rows[1]
    assert row.due == D(2026, 11, 3, 9, 0)
    assert (row.status, row.lewat()) == (status, lewat)
    codes = {TERLAMBAT: ["step-late"], HAMPIR: ["step-near-late"], TEPAT: []}[status]
    assert [i.code for i in outcome.breaches] == codes
    if status == TERLAMBAT:
        issue = outcome.breaches[0]
        assert issue.location.sheet == W.sheet and issue.location.cell == cell("status", 2)
        assert "Langkah 2 (Kasi / Kasubag)" in issue.message and "lewat 30 menit" in issue.message
        assert "Selasa, 3 November 2026 pukul 09.00" in issue.message


def test_office_holiday_in_the_master_moves_the_due_date(sample_master) -> None:
    wb = load_workbook(sample_master)
    ws = wb[S.LIBUR.sheet]
    r = ws.max_row + 1
    ws.cell(row=r, column=1, value=D(2026, 11, 3))
    ws.cell(row=r, column=2, value="Rapat kerja kecamatan (libur kantor)")
    wb.save(sample_master)
    loaded = load(sample_master)
    assert any(h.date.isoformat() == "2026-11-03" for h in loaded.master.settings.libur)
    loaded = apply(sample_master, log_step(loaded, 2, start=D(2026, 11, 2, 15, 30)))
    assert recompute(loaded, D(2026, 11, 2, 16)).rows[1].due == D(2026, 11, 4, 9, 0)


# ----------------------------------------------------------------------------------- stamp and log


def test_stamp_keeps_the_start_and_moves_the_end_forward(sample_master) -> None:
    loaded = load(sample_master)
    assert [s.no for s in loaded.master.sop.steps_for("penerimaan")] == [4]
    loaded = apply(sample_master, stamp(loaded, "penerimaan", start=D(2026, 10, 6, 9)))
    w = stamp(loaded, "penerimaan", start=D(2026, 10, 7, 9), end=D(2026, 10, 8, 10))
    assert w.sheets[0].cells == {cell("selesai", 4): D(2026, 10, 8, 10)}  # start kept, 'Oleh' kept
    loaded = apply(sample_master, w)
    e = read_log(loaded).entries[4]
    assert (e.start, e.end, e.who) == (D(2026, 10, 6, 9), D(2026, 10, 8, 10), "kinerja")
    assert stamp(loaded, "penerimaan", end=D(2026, 10, 7, 9)).sheets == []  # an earlier end: no change
    wib = timezone(timedelta(hours=7))
    later = stamp(loaded, "penerimaan", end=D(2026, 10, 9, 14, 5, 7, 123, tzinfo=wib))
    assert later.sheets[0].cells == {cell("selesai", 4): D(2026, 10, 9, 14, 5, 7)}  # Excel-ready
    assert stamp(loaded, "pengisian", end=D(2026, 10, 7, 9)).sheets == []  # no such step in this SOP


def test_stamps_of_two_stages_combine_and_a_lost_row_comes_back(sample_master) -> None:
    wb = load_workbook(sample_master)
    wb[W.sheet].delete_rows(ROW[3])  # someone deleted the row of step 3
    wb.save(sample_master)
    loaded = load(sample_master)
    assert 3 not in read_log(loaded).entries
    w = stamp(loaded, "formulir", start=D(2026, 10, 6, 8), end=D(2026, 10, 6, 9), who="AGUS")
    w.extend(stamp(loaded, "distribusi", end=D(2026, 10, 6, 10)))
    loaded = apply(sample_master, w)
    log = read_log(loaded)
    assert (log.entries[2].start, log.entries[2].end, log.entries[2].who) == (D(2026, 10, 6, 8), D(2026, 10, 6, 9), "AGUS")
    assert log.entries[3].end == D(2026, 10, 6, 10) and log.entries[3].row == ROW[11]  # after the 10 left
    loaded = apply(sample_master, recompute(loaded, D(2026, 10, 6, 12)).writes)
    log = read_log(loaded)
    assert [log.entries[n].row for n in range(1, 12)] == [ROW[n] for n in range(1, 12)]
    row3 = recompute(loaded, D(2026, 10, 6, 12)).rows[2]
    # no start recorded: measured from the previous step's end
    assert (row3.planned_start, row3.elapsed, row3.status) == (D(2026, 10, 6, 9), 60, HAMPIR)


def test_log_step_rejects_unknown_steps_and_ends_before_starts(sample_master) -> None:
    loaded = load(sample_master)
    with pytest.raises(TimingError, match="Langkah 99 tidak ada; SOP ini berisi langkah 1 sampai 11"):
        log_step(loaded, 99, end=D(2026, 10, 6, 9))
    with pytest.raises(TimingError, match=r"Waktu selesai langkah 1 \(Senin, 5 Oktober 2026 pukul 08.00\) lebih awal"):
        log_step(loaded, 1, start=D(2026, 10, 5, 9), end=D(2026, 10, 5, 8))
    with pytest.raises(TimingError, match="Sebutkan waktu mulai atau waktu selesai"):
        log_step(loaded, 1)
    loaded = apply(sample_master, log_step(loaded, 1, start=D(2026, 10, 6, 9)))
    with pytest.raises(TimingError, match="lebih awal dari waktu mulai"):
        log_step(loaded, 1, end=D(2026, 10, 6, 8))


def test_hand_typed_times_are_read_and_bad_ones_kept_and_reported(sample_master) -> None:
    edit(sample_master, W.sheet, {
        cell("mulai", 1): "12/10/2026 08.00", cell("selesai", 1): "12/10/2026 08.05",
        cell("oleh", 1): "Camat", cell("keterangan", 1): "disposisi lewat telepon",
        cell("selesai", 3): "kemarin",
        "A30": 42, "G30": D(2026, 10, 12, 9),
    })
    outcome = recompute(load(sample_master), D(2026, 10, 12, 10))
    first, third = outcome.rows[0], outcome.rows[2]
    assert (first.start, first.end, first.status, first.who) == (D(2026, 10, 12, 8), D(2026, 10, 12, 8, 5), TEPAT, "Camat")
    assert first.values()[W.index("keterangan") - 1] == "disposisi lewat telepon"
    assert third.end is None and third.values()[W.index("selesai") - 1] == "kemarin"
    bad = [i for i in outcome.report.issues if i.code == "date-invalid"]
    assert [(i.location.cell, i.severity.value) for i in bad] == [(cell("selesai", 3), "warning")]
    extra = [i for i in outcome.report.issues if i.code == "step-not-in-sop"]
    assert extra and extra[0].location.cell == "A30" and "langkah '42'" in extra[0].message
    rows = outcome.writes.sheets[0].rows
    assert rows[11][0] == 42 and rows[11][W.index("status") - 1] == BUKAN_SOP  # kept, below the SOP's steps
    assert not outcome.report.blocking


def test_a_cleared_sheet_is_rebuilt_but_one_without_header_is_never_overwritten(sample_master) -> None:
    wb = load_workbook(sample_master)
    ws = wb[W.sheet]
    ws.delete_rows(1, ws.max_row)
    wb.save(sample_master)
    loaded = apply(sample_master, recompute(load(sample_master), D(2026, 10, 12, 8)).writes)
    assert sorted(read_log(loaded).entries) == list(range(1, 12))
    assert load_workbook(sample_master)[W.sheet][f"{W.letter('mulai')}{W.header_row}"].value == "Mulai"

    edit(sample_master, W.sheet, {cell("mulai", 1): D(2026, 10, 12, 8)})
    wb = load_workbook(sample_master)
    wb[W.sheet].delete_rows(1, W.header_row)  # title and header gone, the log is still there
    wb.save(sample_master)
    loaded = load(sample_master)
    outcome = recompute(loaded, D(2026, 10, 12, 9))
    assert outcome.writes.sheets == [] and outcome.report.codes() == {"header-missing"}
    assert outcome.report.blocking
    with pytest.raises(TimingError, match="tidak memiliki baris judul kolom"):
        log_step(loaded, 1, end=D(2026, 10, 12, 9))
    assert stamp(loaded, "formulir", end=D(2026, 10, 12, 9)).sheets == []


# ----------------------------------------------------------------------------------- the sheet


def test_written_sheet_shows_highlights_and_the_summary(sample_master) -> None:
    edit(sample_master, W.sheet, {
        cell("mulai", 1): D(2026, 10, 12, 8), cell("selesai", 1): D(2026, 10, 12, 9),  # 10 menit: 50 late
        cell("selesai", 2): D(2026, 10, 12, 10, 40),  # 2 jam from 09.00: 100 of 120 minutes used
        cell("selesai", 3): D(2026, 10, 12, 13, 40),  # 1 jam from 10.40, due 11.40: 60 late (break excluded)
        cell("selesai", 4): D(2026, 10, 13, 8, 40),  # 3 jam from 13.40, due 08.10: 30 late
    })
    loaded = load(sample_master)
    outcome = recompute(loaded, D(2026, 10, 13, 9))
    assert [r.status for r in outcome.rows[:6]] == [TERLAMBAT, HAMPIR, TERLAMBAT, TERLAMBAT, BELUM, BELUM]
    s = outcome.summary
    assert [r.step.no for r in s.longest] == [3, 1, 4]
    assert (s.done, s.measured, s.late, s.on_time) == (4, 4, 3, 1)
    staf = next(r for r in s.roles if r.role == "Staf")
    assert (staf.steps, staf.done, staf.late, staf.delay_minutes) == (3, 2, 2, 90)
    write_file(sample_master, outcome.writes, backup=False)

    ws = load_workbook(sample_master)[W.sheet]
    late, near, fine = ws[cell("status", 1)], ws[cell("status", 2)], ws[cell("status", 5)]
    assert late.value == TERLAMBAT and late.fill.fgColor.rgb[-6:] == SEVERITY_FILL["warning"]
    assert near.value == HAMPIR and near.fill.fgColor.rgb[-6:] == SEVERITY_FILL["info"]
    assert fine.fill.fill_type is None
    assert "Langkah 1 (Camat)" in late.comment.text
    assert ws[cell("lewat", 1)].value == "50 menit"
    assert ws[cell("terpakai", 4)].value == "3 jam 30 menit"
    labels = {ws.cell(row=r, column=2).value: ws.cell(row=r, column=3).value for r in range(ROW[11] + 1, ws.max_row + 1)}
    assert labels["Ringkasan Waktu SOP"] == "per Selasa, 13 Oktober 2026 pukul 09.00"
    assert labels["Tepat waktu"] == "1 dari 4 langkah selesai (25%); 1 hampir terlambat"
    assert labels["1. Langkah 3"] == "Staf, lewat 1 jam"
    assert labels["Staf"] == "3 langkah, 2 selesai, 2 terlambat; keterlambatan 1 jam 30 menit"

    # fixed by hand and recomputed: the highlight goes, the summary is rebuilt, nothing doubles
    edit(sample_master, W.sheet, {cell("selesai", 1): D(2026, 10, 12, 8, 5)})
    loaded = load(sample_master)
    again = recompute(loaded, D(2026, 10, 13, 9))
    write_file(sample_master, again.writes, backup=False)
    ws = load_workbook(sample_master)[W.sheet]
    assert ws[cell("status", 1)].value == TEPAT and ws[cell("status", 1)].fill.fill_type is None
    assert ws[cell("status", 1)].comment is None
    column_b = [ws.cell(row=r, column=2).value for r in range(1, ws.max_row + 1)]
    assert column_b.count("Ringkasan Waktu SOP") == 1
    assert len(read_log(load(sample_master)).entries) == 11


# ----------------------------------------------------------------------------------- unit returns


def test_one_deadline_rule_for_a_file_and_for_its_unit(papalik) -> None:
    """collect's 'Terlambat' of a file and the unit's return timing take the deadline by the one
    rule: the round's Batas Waktu, else Pengaturan's; none for a revision round handed out after it."""
    from kinerja.stages.deadlines import file_lateness, round_deadline

    loaded = load(papalik)
    settings = loaded.master.settings
    units = [u.kode for u in loaded.master.units]
    due = settings.batas_waktu
    assert round_deadline(settings, None, D(2026, 10, 6, 10)) == due
    assert round_deadline(settings, D(2026, 10, 20, 16), D(2026, 10, 14, 9)) == D(2026, 10, 20, 16)
    assert round_deadline(settings, None, due + timedelta(days=3)) is None  # handed out after it
    period = settings.period.key()
    loaded = put_rows(papalik, S.DISTRIBUSI,
                      {"periode": period, "putaran": 1, "unit": units[0], "dibuat": D(2026, 10, 6, 10)},
                      {"periode": period, "putaran": 2, "unit": units[1], "dibuat": D(2026, 10, 12, 10)})
    late_at = D(2026, 10, 13, 10)
    words = file_lateness(loaded, [(units[0], 1, late_at), (units[1], 2, late_at), (units[2], None, None)])
    assert words[0] == "2 hari kerja" and words[1] is None and words[2] is None
    timing = {r.unit: r for r in unit_return_timing(loaded, {units[0]: late_at, units[1]: late_at})}
    assert timing[units[0]].late_text() == words[0]
    assert timing[units[1]].deadline is None and timing[units[1]].late_minutes == 0


def test_unit_returns_against_deadline_and_fill_in_step(papalik) -> None:
    loaded = load(papalik)
    units = [u.kode for u in loaded.master.units]
    assert loaded.master.settings.batas_waktu == D(2026, 10, 9, 16)
    dist = D(2026, 10, 6, 10)
    loaded = put_rows(papalik, S.DISTRIBUSI, *({"putaran": 1, "unit": u, "dibuat": dist} for u in units[:4]))
    loaded = put_rows(papalik, S.PENERIMAAN,
                      {"diterima": D(2026, 10, 7, 14), "unit": units[0], "putaran": 1, "status": "Dipakai"},
                      {"diterima": D(2026, 10, 8, 10), "unit": units[1], "putaran": 1, "status": "Dipakai"},
                      {"diterima": D(2026, 10, 7, 9), "unit": units[2], "putaran": 1, "status": "Ditolak"})
    timing = {r.unit: r for r in unit_return_timing(loaded, {units[3]: D(2026, 10, 12, 9)}, now=D(2026, 10, 13, 10))}
    a, b, c, d, e = (timing[u] for u in units[:5])
    assert a.sop_due == D(2026, 10, 7, 16) and a.sop_standard == "2 Hari"
    assert a.returned and not a.late and "dalam mutu baku pengisian 2 Hari" in a.text()
    assert (b.late_minutes, b.sop_late_minutes, b.sop_late_days) == (0, 150, 1)
    assert b.late_text() == "1 hari kerja" and "melewati mutu baku pengisian 2 Hari" in b.text()
    assert not c.returned  # a rejected form is not a return
    assert (d.received, d.late_days, d.late_text()) == (D(2026, 10, 12, 9), 1, "1 hari kerja")
    assert "terlambat 1 hari kerja dari batas waktu Jumat, 9 Oktober 2026 pukul 16.00" in d.text()
    assert (e.distributed, e.returned, e.late_text()) == (None, False, "2 hari kerja")  # counted at now


# ----------------------------------------------------------------------------------- status


def test_catat_langkah_on_a_row_whose_number_is_not_a_number_says_to_pick_a_step_row(sample_master) -> None:
    from openpyxl.utils import get_column_letter

    from kinerja.workbook.tables import find_header

    rows = load(sample_master).rows[W.sheet]
    idx, mapping, _ = find_header(rows, W)
    col = {c.key: j + 1 for j, c in mapping.items()}
    edit(sample_master, W.sheet, {f"{get_column_letter(col['no'])}{ROW[2]}": "dua"})
    loaded = load(sample_master)
    assert loaded.rows[W.sheet][ROW[2] - 1][col["no"] - 1] == "dua"
    with pytest.raises(TimingError, match=f"Baris {ROW[2]} sheet Waktu SOP tidak berisi nomor langkah"):
        log_selected(loaded, W.sheet, ROW[2], col["mulai"], None, D(2026, 10, 12, 10))
    no, what, _, _ = log_selected(loaded, W.sheet, ROW[3], col["mulai"], None, D(2026, 10, 12, 10))
    assert (no, what) == (3, "mulai")


def test_status_starts_at_step_one_and_moves_on(sample_master) -> None:
    loaded = load(sample_master)
    status = sop_status(loaded, D(2026, 10, 12, 7, 45))
    assert (status.current.step.no, status.current.step.pelaksana) == (1, "Camat")
    lines = status.summary_lines()
    assert lines[1].startswith("Langkah sekarang: 1 dari 11") and "pelaksana: Camat" in lines[1]
    assert "Formulir belum dibagikan ke 6 unit." in lines
    assert "Belum ada langkah yang melewati mutu baku." in lines

    loaded = apply(sample_master, log_step(loaded, 1, start=D(2026, 10, 12, 8), end=D(2026, 10, 12, 8, 30), who="Camat"))
    w = stamp(loaded, "formulir", start=D(2026, 10, 12, 9), end=D(2026, 10, 12, 10))
    w.extend(stamp(loaded, "distribusi", end=D(2026, 10, 12, 10, 30)))
    loaded = apply(sample_master, w)
    status = sop_status(loaded, D(2026, 10, 12, 11))
    assert (status.current.step.no, status.current.step.pelaksana) == (4, "Staf")
    text = "\n".join(status.summary_lines())
    assert "Langkah sekarang: 4 dari 11" in text and "pelaksana: Staf" in text
    assert "Mutu baku: 1 langkah terlambat, 0 hampir terlambat." in text
    assert "Langkah 1 (Camat) lewat 20 menit dari batas waktu" in text and "waktu kerja terpakai 30 menit" in text

    # the ribbon's 'Catat Langkah': the current step ends now, the next one is current
    no, w = end_current_step(loaded, D(2026, 10, 12, 13, 30), who="Staf Umum")
    loaded = apply(sample_master, w)
    assert no == 4 and read_log(loaded).entries[4].end == D(2026, 10, 12, 13, 30)
    assert sop_status(loaded, D(2026, 10, 12, 14)).current.step.no == 5


def test_status_loops_back_while_a_return_for_revision_is_open(papalik) -> None:
    ends = {n: D(2026, 10, 6 + n // 4, 8 + n % 4 * 2) for n in range(1, 12)}  # steps 1-11 done
    edit(papalik, W.sheet, {cell("selesai", n): t for n, t in ends.items()})
    loaded = load(papalik)
    assert sop_status(loaded, D(2026, 10, 12, 9)).current.step.no == 12
    returned = D(2026, 10, 9, 15)
    loaded = put_rows(papalik, S.RIWAYAT, {"waktu": returned, "kegiatan": S.KEGIATAN_DIKEMBALIKAN, "unit": "PEM"})
    status = sop_status(loaded, D(2026, 10, 12, 9))
    assert (status.loop[:2], status.current.step.no, status.current.step.pelaksana) == ((5, 11), 5, "PPTK/Kasi")
    assert any("langkah 5 sampai 11 diulang" in line for line in status.summary_lines())
    later = D(2026, 10, 12, 10)
    edit(papalik, W.sheet, {cell("selesai", n): later for n in range(5, 12)})
    loaded = put_rows(papalik, S.RIWAYAT,
                      {"waktu": returned, "kegiatan": S.KEGIATAN_DIKEMBALIKAN, "unit": "PEM"},
                      {"waktu": later, "kegiatan": S.KEGIATAN_REKAP_DISETUJUI})
    status = sop_status(loaded, D(2026, 10, 12, 11))
    assert status.loop is None and status.current.step.no == 12


def test_status_counts_open_validation_findings_and_missing_units(sample_master) -> None:
    loaded = load(sample_master)
    units = [u.kode for u in loaded.master.units]
    loaded = put_rows(sample_master, S.DISTRIBUSI, *({"putaran": 1, "unit": u, "dibuat": D(2026, 10, 6, 10)} for u in units))
    loaded = put_rows(sample_master, S.PENERIMAAN, {"diterima": D(2026, 10, 8, 9), "unit": units[0], "status": "Dipakai"})
    put_rows(sample_master, S.VALIDASI, {"no": 1, "unit": units[0], "status": "Menunggu"},
             {"no": 2, "unit": units[1], "status": "Menunggu", "keputusan": "Terima"})
    loaded = put_rows(sample_master, S.TEMUAN_VALIDASI,
                      {"no": 1, "tingkat": "Kesalahan", "unit": units[0], "kode_masalah": "realisasi-missing", "pesan": "a"},
                      {"no": 2, "tingkat": "Kesalahan", "unit": units[0], "kode_masalah": "value-negative", "pesan": "b"},
                      {"no": 3, "tingkat": "Peringatan", "unit": units[1], "kode_masalah": "target-zero", "pesan": "c"})
    status = sop_status(loaded, D(2026, 10, 12, 9))
    assert (status.validation, status.validation_total) == ({"Kesalahan": 2}, 3)
    lines = status.summary_lines()
    assert "Temuan validasi terbuka: 2 kesalahan, 0 peringatan, 0 informasi (dari 3 baris di sheet Temuan Validasi)." in lines
    returns = next(line for line in lines if line.startswith("Formulir kembali"))
    assert returns.startswith(f"Formulir kembali: 1 dari {len(units)} unit; belum kembali: {units[1]} (terlambat 1 hari kerja)")


# ----------------------------------------------------------------------------------- CLI


def test_cli_log_timing_status(sample_master) -> None:
    run = CliRunner().invoke
    path = str(sample_master)
    r = run(app, ["log", path, "1", "--start", "--at", "12/10/2026 08.00", "--oleh", "Camat"])
    assert r.exit_code == 0, r.output
    assert "Langkah 1 dicatat mulai Senin, 12 Oktober 2026 pukul 08.00" in r.output
    r = run(app, ["log", path, "1", "--end", "--at", "12/10/2026 08.45"])
    assert r.exit_code == 0, r.output
    r = run(app, ["log", path, "99", "--end"])
    assert r.exit_code == 2 and "Langkah 99 tidak ada" in r.output
    r = run(app, ["log", path, "1", "--end", "--at", "kemarin sore"])
    assert r.exit_code == 2 and "tidak dapat dibaca" in r.output
    r = run(app, ["timing", path, "--json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert data["langkah"][0]["status"] == TERLAMBAT and data["langkah"][0]["oleh"] == "Camat"
    assert [i["code"] for i in data["pelanggaran"]] == ["step-late"]
    r = run(app, ["timing", path])
    assert r.exit_code == 0 and "Ringkasan Waktu SOP" in r.output and "step-late" in r.output
    r = run(app, ["status", path])
    assert r.exit_code == 0 and "Langkah sekarang: 2 dari 11" in r.output
    r = run(app, ["status", path, "--json"])
    assert r.exit_code == 0 and json.loads(r.output)["langkah_sekarang"]["pelaksana"] == "Kasi / Kasubag"
    assert load_workbook(sample_master)[W.sheet][cell("status", 1)].value == TERLAMBAT


# ----------------------------------------------------------------------------------- whose time


UNITS6 = ("SEK", "PEM", "TRANTIB", "PMD", "KESOS", "YANUM")
DEADLINE9 = D(2026, 10, 9, 16, 0)  # Friday


def test_receiving_is_the_receivers_work_from_the_deadline_to_the_collect(sample_master) -> None:
    """Step 4 (Staf, 'Menghimpun', 3 Jam) once ran from the first return to the last one (the
    units' spread) and reported 'Staf ... lewat 3 hari'. It is the Staf's work: from the
    deadline (every form was in before it) to the collect that completes the round."""
    from kinerja.stages.timing import stamp_receiving

    loaded = put_rows(sample_master, S.DISTRIBUSI,
                      *({"putaran": 1, "unit": u, "file": f"{u}.xlsx", "batas_waktu": DEADLINE9} for u in UNITS6))
    returns = [(u, 1, D(2026, 10, 6 + n % 4, 9 + n)) for n, u in enumerate(UNITS6)]  # Tue 6 - Fri 9
    assert stamp_receiving(loaded, returns[:-1], now=D(2026, 10, 9, 10)).sheets == []  # YANUM missing
    collect_at = D(2026, 10, 12, 9, 0)  # Monday
    loaded = apply(sample_master, stamp_receiving(loaded, returns, now=collect_at, who="Staf Umum"))
    row = next(r for r in recompute(loaded, D(2026, 10, 12, 10)).rows if r.step.no == 4)
    assert (row.start, row.end, row.who) == (DEADLINE9, collect_at, "Staf Umum")
    assert row.status == TEPAT and row.issue is None  # Fri 16.00-16.30 + Mon 07.30-09.00: 2 of 3 Jam
    # a revision round collected later does not move the step
    later = returns + [("PEM", 2, D(2026, 10, 14, 9))]
    assert stamp_receiving(loaded, later, now=D(2026, 10, 14, 10)).sheets == []

    # a late unit's wait is its own lateness, not the receiver's: the step begins at its form
    loaded = put_rows(sample_master, S.WAKTU)
    late = returns[:-1] + [("YANUM", 1, D(2026, 10, 13, 8, 0))]
    loaded = apply(sample_master, stamp_receiving(loaded, late, now=D(2026, 10, 13, 9)))
    row = next(r for r in recompute(loaded, D(2026, 10, 13, 10)).rows if r.step.no == 4)
    assert (row.start, row.end) == (D(2026, 10, 13, 8, 0), D(2026, 10, 13, 9))


def test_a_hari_step_started_in_the_afternoon_counts_from_the_next_day(sample_master) -> None:
    """Step 7 (Sekretaris, 1 Hari) begun at 15.44 and done at 07.46 the next morning is on time:
    not '16 menit ... melebihi mutu baku 1 Hari'. A late one says how its due time was counted."""
    loaded = load(sample_master)
    loaded = apply(sample_master, log_step(loaded, 7, start=D(2026, 10, 14, 15, 44), end=D(2026, 10, 15, 7, 46)))
    out = recompute(loaded, D(2026, 10, 15, 8))
    row = next(r for r in out.rows if r.step.no == 7)
    assert row.due == D(2026, 10, 15, 16, 0) and row.status == TEPAT
    assert not [i for i in out.breaches if i.params["step"] == 7]

    loaded = apply(sample_master, log_step(loaded, 7, start=D(2026, 10, 14, 9, 0), end=D(2026, 10, 15, 9, 0)))
    issue = next(i for i in recompute(loaded, D(2026, 10, 15, 10)).breaches if i.params["step"] == 7)
    assert issue.location.cell == cell("status", 7)
    assert issue.message == (
        "Langkah 7 (Sekretaris) lewat 1 jam 30 menit (1 hari kerja) dari batas waktu Rabu, 14 Oktober 2026 "
        "pukul 16.00 (mutu baku 1 Hari: sampai jam pulang hari kerja ke-1, hari mulai Rabu, 14 Oktober 2026 "
        "sebagai hari ke-1); waktu kerja terpakai 1 hari.")


def test_a_revision_round_is_its_own_loop_not_the_sekretaris_time(papalik) -> None:
    """Muara Papalik step 11 (Sekretaris, 1 Hari) returns two units and approves after their
    revision: the loop is timed on its own line; the step keeps only the Sekretaris' time."""
    returned, fixed = D(2026, 10, 12, 10, 0), D(2026, 10, 14, 9, 0)
    loaded = put_rows(papalik, S.RIWAYAT,
                      {"waktu": returned, "kegiatan": S.KEGIATAN_DIKEMBALIKAN, "unit": "PEM", "putaran": 1},
                      {"waktu": returned, "kegiatan": S.KEGIATAN_DIKEMBALIKAN, "unit": "KESOS", "putaran": 1},
                      {"waktu": returned, "kegiatan": S.KEGIATAN_PUTARAN, "putaran": 2})
    loaded = put_rows(papalik, S.PENERIMAAN,
                      {"diterima": D(2026, 10, 13, 15), "unit": "PEM", "putaran": 2, "status": "Dipakai"},
                      {"diterima": fixed, "unit": "KESOS", "putaran": 2, "status": "Dipakai"})
    loaded = put_rows(papalik, S.DISTRIBUSI, {"putaran": 2, "unit": "PEM", "batas_waktu": D(2026, 10, 14, 16)},
                      {"putaran": 2, "unit": "KESOS", "batas_waktu": D(2026, 10, 14, 16)})
    loaded = apply(papalik, log_step(loaded, 11, start=D(2026, 10, 12, 8, 0), end=D(2026, 10, 14, 10, 0)))
    out = recompute(loaded, D(2026, 10, 14, 11))
    row = next(r for r in out.rows if r.step.no == 11)
    # 08.00-10.00 before the return and 09.00-10.00 after the last revision: 3 jam, within 1 Hari
    assert row.elapsed == pytest.approx(180) and row.status == TEPAT and row.issue is None
    assert row.terpakai() == "3 jam (di luar putaran perbaikan 1 hari 6 jam 30 menit)"
    lines = dict(out.summary.lines())
    assert lines["Putaran perbaikan 2"] == (
        "PEM, KESOS dikembalikan Senin, 12 Oktober 2026 pukul 10.00; perbaikan terakhir diterima Rabu, "
        "14 Oktober 2026 pukul 09.00: 1 hari 6 jam 30 menit waktu kerja, sebelum batas waktu Rabu, 14 Oktober 2026 "
        "pukul 16.00.")
