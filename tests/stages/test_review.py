"""Review (SOP step 11): approve, return for revision, rounds, the paraf; the whole loop with real
forms (kinerja.stages.forms), real returns typed with openpyxl, collect, validate and review."""

from __future__ import annotations

import csv
import json
import os
from datetime import datetime
from pathlib import Path

from openpyxl import load_workbook
from test_validate import golden_master
from typer.testing import CliRunner

from collect_helpers import fill
from kinerja.cli.commands import app
from kinerja.libreoffice import convert
from kinerja.sample.roles import type_decisions
from kinerja.stages.approval import BERUBAH, DIKEMBALIKAN, DIPERBAIKI, DISETUJUI, approval_status
from kinerja.stages.collect import collect
from kinerja.stages.forms import build_forms
from kinerja.stages.review import review
from kinerja.stages.validate import decision_cells, validate
from kinerja.workbook import sheets as S
from kinerja.workbook.files import write_file
from kinerja.workbook.master import load_master
from kinerja.workbook.style import SEVERITY_FILL

ROOT = Path(__file__).resolve().parents[2]
SEKRETARIS = "SITI RAHMAWATI, S.Sos"
UNITS = ["SEK", "PEM", "TRANTIB", "PMD", "KESOS", "YANUM"]
HANDED_OUT = datetime(2026, 10, 5, 8, 0)
ON_TIME = datetime(2026, 10, 8, 10, 0)


def isian() -> dict[str, dict[str, dict]]:
    out: dict[str, dict[str, dict]] = {}
    with (ROOT / "sample_data" / "sukamaju" / "isian_tw3.csv").open(encoding="utf-8") as f:
        for r in csv.DictReader(f):
            out.setdefault(r["unit"], {})[r["kode"]] = {
                "r3": float(r["r3"]), "penjelasan": r["penjelasan"] or "Sesuai rencana kegiatan.",
                "bukti": r["bukti"] or None,
                "realisasi_anggaran": float(r["realisasi_anggaran"]) if r["realisasi_anggaran"] else None}
    return out


def step(master: Path, fn, *args, **kw):
    """Run a stage on the master as the CLI does: load, compute, write."""
    outcome = fn(load_master(master), *args, **kw)
    write_file(master, outcome.writes, backup=False)
    return outcome


def decide(master: Path, decisions: dict[str, str], notes: dict[str, str] | None = None) -> None:
    """The Sekretaris types each unit's Keputusan (and Catatan) on the Validasi sheet."""
    type_decisions(master, {u: (d, (notes or {}).get(u)) for u, d in decisions.items()})


def decision_cell(master: Path, unit: str) -> str:
    ws = load_workbook(master)[S.VALIDASI.sheet]
    return decision_cells([tuple(c.value for c in r) for r in ws.iter_rows()])[unit][0]


def deliver(src: Path, inbox: Path, values: dict, when: datetime) -> Path:
    path = fill(src, inbox / src.name, values)
    os.utime(path, (when.timestamp(), when.timestamp()))
    return path


def riwayat(master: Path) -> list[tuple]:
    ws = load_workbook(master)[S.RIWAYAT.sheet]
    return [tuple(c.value for c in row[:6]) for row in ws.iter_rows(min_row=S.RIWAYAT.header_row + 1)
            if row[1].value]


def test_full_loop_two_rounds_to_an_approved_rekap(sample_master, tmp_path):
    handed = step(sample_master, build_forms, tmp_path / "formulir", now=HANDED_OUT)
    forms = {i.unit: p for i, p in zip(handed.identities, handed.files)}
    inbox = tmp_path / "masuk"
    values = isian()
    values["PEM"]["PEM.06"]["r3"] = None  # left empty: a Kesalahan
    values["PMD"]["PMD.01"]["bukti"] = None  # evidence required: a Peringatan
    values["PMD"]["PMD.04"].update(r3=70.0, penjelasan=None)  # a typo: capaian 1000%, unexplained
    for unit, path in forms.items():
        deliver(path, inbox, values[unit], ON_TIME)

    collected = step(sample_master, collect, inbox, now=datetime(2026, 10, 12, 8, 0))
    assert collected.returned == UNITS
    v1 = step(sample_master, validate, datetime(2026, 10, 12, 9, 0))
    assert not v1.ready
    assert {(f.issue.code, f.issue.location.indicator) for f in v1.found if f.issue.location.unit in ("PEM", "PMD")
            and f.issue.severity.value != "info"} == {
        ("realisasi-missing", "PEM.06"), ("evidence-missing", "PMD.01"), ("capaian-above-ceiling", "PMD.04"),
        ("realisasi-magnitude", "PMD.04"),  # 70 for 7: collect names both readings
        ("target-zero", "PMD.07")}

    # round 1: the Sekretaris returns PEM and PMD, accepts the others
    decide(sample_master, {"SEK": "Terima", "PEM": "Kembalikan", "TRANTIB": "Terima", "PMD": "Kembalikan",
                           "KESOS": "Terima", "YANUM": "Terima"},
           {"PEM": "Lengkapi realisasi TW III", "PMD": "Periksa PMD.04 dan lampirkan bukti"})
    r1 = step(sample_master, review, tmp_path / "perbaikan", who=SEKRETARIS, now=datetime(2026, 10, 12, 10, 0))
    assert (r1.approved, r1.returned, r1.round) == (["SEK", "TRANTIB", "KESOS", "YANUM"], ["PEM", "PMD"], 2)
    assert [p.name for p in r1.forms] == ["Formulir-PEM-2026-TW3-P2.xlsx", "Formulir-PMD-2026-TW3-P2.xlsx"]
    assert not r1.report.blocking, r1.report.to_json()
    ws = load_workbook(r1.forms[0])["Formulir"]
    pem06 = next(r for r in range(15, ws.max_row + 1) if ws[f"B{r}"].value == "PEM.06")
    assert ws[f"N{pem06}"].fill.fgColor.rgb.endswith(SEVERITY_FILL["error"])
    assert "belum diisi" in ws[f"N{pem06}"].comment.text
    assert ws[f"N{pem06 - 5}"].value == 10  # PEM.01 prefilled with what the unit sent
    assert "Lengkapi realisasi TW III" in ws["C9"].value
    # a returned unit gets the fill-in time again (2 hari kerja from Mon 12 Oct 10.00), not the old deadline
    assert "Selasa, 13 Oktober 2026 pukul 16.00" in ws["C8"].value
    pmd = load_workbook(r1.forms[1])["Formulir"]
    pmd04 = next(r for r in range(15, pmd.max_row + 1) if pmd[f"B{r}"].value == "PMD.04")
    assert pmd[f"P{pmd04}"].fill.fgColor.rgb.endswith(SEVERITY_FILL["warning"])  # the capaian cell
    wb = load_workbook(sample_master)
    assert wb["Data SEK"].protection.sheet and not wb["Data PEM"].protection.sheet
    rekap = {row[4].value: row[17].value for row in wb[S.REKAP.sheet].iter_rows(min_row=4) if row[4].value}
    assert rekap["SEK.01"] == DISETUJUI and rekap["PEM.01"] == DIKEMBALIKAN
    assert wb[S.VALIDASI.sheet][decision_cell(sample_master, "PEM")].value is None  # acted on
    state = approval_status(load_master(sample_master))
    assert not state.approved and state.units["PEM"] == DIKEMBALIKAN and state.units["SEK"] == DISETUJUI

    # the same review again: nothing new happens while the revisions are out
    again = step(sample_master, review, tmp_path / "perbaikan", who=SEKRETARIS, now=datetime(2026, 10, 12, 11, 0))
    assert again.returned == [] and again.forms == [] and len(riwayat(sample_master)) == 7
    assert {i.location.unit for i in again.report.by_code("unit-awaiting-revision")} == {"PEM", "PMD"}

    # round 2: the units send their revision forms back, fixed
    deliver(r1.forms[0], inbox, {"PEM.06": {"r3": 3}}, datetime(2026, 10, 13, 9, 0))
    deliver(r1.forms[1], inbox, {"PMD.01": {"bukti": "https://drive.sukamakmurkab.go.id/pmd.01.pdf"},
                                 "PMD.04": {"r3": 7}}, datetime(2026, 10, 13, 9, 30))
    step(sample_master, collect, inbox, now=datetime(2026, 10, 13, 10, 0))
    v2 = step(sample_master, validate, datetime(2026, 10, 13, 10, 5))
    assert v2.ready and not v2.report.blocking
    assert not [f for f in v2.found if f.issue.location.unit in ("PEM", "PMD") and f.issue.severity.value == "error"]
    assert v2.approval.units["PEM"] == DIPERBAIKI
    assert not v2.report.by_code("return-late")  # the revision round's deadline is not the first one's

    decide(sample_master, {"PEM": "Terima", "PMD": "Terima"})
    result = CliRunner().invoke(app, ["review", str(sample_master), "--out", str(tmp_path / "perbaikan"),
                                      "--oleh", SEKRETARIS, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["rekap_disetujui"] and data["disetujui"] == UNITS and data["putaran"] == 2

    loaded = load_master(sample_master)
    state = approval_status(loaded)
    assert state.approved and state.by == SEKRETARIS and state.at is not None
    history = [(r[1], r[2], r[3]) for r in riwayat(sample_master)]
    assert history[:7] == [("Unit disetujui", u, 1) for u in ("SEK", "TRANTIB", "KESOS", "YANUM")] + [
        ("Dikembalikan", "PEM", 1), ("Dikembalikan", "PMD", 1), ("Putaran baru", None, 2)]
    assert history[7:] == [("Unit disetujui", "PEM", 2), ("Unit disetujui", "PMD", 2), ("Rekap disetujui", None, 2)]
    assert all(r[4] == SEKRETARIS for r in riwayat(sample_master))
    wb = load_workbook(sample_master)
    assert wb[S.REKAP.sheet]["A2"].value.startswith(f"Disetujui (paraf) oleh {SEKRETARIS} pada ")
    assert wb[S.VALIDASI.sheet]["A2"].value.startswith(f"Status rekap: DISETUJUI oleh {SEKRETARIS}")
    assert all(wb[f"Data {u}"].protection.sheet for u in UNITS)
    waktu = {r[0].value: r for r in wb[S.WAKTU.sheet].iter_rows(min_row=4) if r[0].value}
    assert waktu[5][7].value is not None  # SOP step 5 (validasi) has its end

    # a value changed by hand after the paraf: the approval no longer counts
    wb["Data SEK"]["K4"] = 3
    wb.save(sample_master)
    state = approval_status(load_master(sample_master))
    assert not state.approved and state.units["SEK"] == BERUBAH and "data berubah" in state.detail


def test_terima_with_errors_is_refused_unless_forced_and_bad_text_is_reported(sample_master, tmp_path):
    golden_master(sample_master)
    step(sample_master, validate, datetime(2026, 10, 14, 10, 0))
    decide(sample_master, {"SEK": "Terima", "PEM": "setuju"})
    out = step(sample_master, review, tmp_path, who="", now=datetime(2026, 10, 14, 11, 0))
    blocked = out.report.by_code("unit-approval-blocked")
    assert [i.location.unit for i in blocked] == ["SEK"] and blocked[0].location.cell == decision_cell(sample_master, "SEK")
    assert "2 kesalahan" in blocked[0].message and out.report.blocking
    bad = out.report.by_code("choice-invalid")
    assert bad and bad[0].location.cell == decision_cell(sample_master, "PEM") and bad[0].value == "setuju"
    assert {i.location.unit for i in out.report.by_code("unit-undecided")} == {"PEM", "TRANTIB", "PMD", "KESOS", "YANUM"}
    assert riwayat(sample_master) == [] and out.approved == []

    decide(sample_master, {"SEK": "Terima"})
    forced = step(sample_master, review, tmp_path, who="", now=datetime(2026, 10, 14, 12, 0), force=True)
    assert forced.approved == ["SEK"]
    assert forced.report.by_code("unit-approved-with-errors")[0].params["who"] == SEKRETARIS  # from Pejabat
    (row,) = riwayat(sample_master)
    assert row[1:5] == ("Unit disetujui", "SEK", 1, SEKRETARIS) and "Disetujui dengan 2 kesalahan" in row[5]


def test_validasi_sheet_survives_libreoffice(sample_master, tmp_path):
    golden_master(sample_master)
    out = step(sample_master, validate, datetime(2026, 10, 14, 10, 0))
    converted = convert(sample_master, "xlsx", tmp_path / "lo")
    wb = load_workbook(converted)
    tv = wb[S.TEMUAN_VALIDASI.sheet]
    lok = S.TEMUAN_VALIDASI.index("lokasi")
    for f in out.found:
        cell = tv.cell(f.row, lok)
        assert cell.value == f.lokasi and cell.hyperlink is not None, f.lokasi
        sheet, ref = f.target[1:].split("!")
        assert (cell.hyperlink.location or "").replace("$", "") in (f"{sheet}!{ref}", f"{sheet.strip(chr(39))}!{ref}")
    for f in out.found:
        assert tv.cell(f.row, 2).fill.fgColor.rgb[-6:] == SEVERITY_FILL[f.issue.severity.value]
    assert wb["Data SEK"]["O6"].fill.fgColor.rgb[-6:] == SEVERITY_FILL["error"]
    assert "melebihi pagu" in wb["Data SEK"]["O6"].comment.text
    ws = wb[S.VALIDASI.sheet]
    refs = [str(dv.sqref) for dv in ws.data_validations.dataValidation]
    assert any(decision_cell(sample_master, "SEK") in r for r in refs)
    assert load_master(converted).master is not None  # still a master after LibreOffice
