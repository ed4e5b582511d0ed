"""SOP step 14: the period's archive (master, returns, documents, manifest), never overwritten."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from pathlib import Path

from test_documents import SEKRETARIS, _collected_template, approve, collected_master, sheet_rows  # noqa: F401
from typer.testing import CliRunner

from kinerja.cli.commands import app
from kinerja.stages.archive import MANIFEST, MANIFEST_DOCUMENT, archive_period
from kinerja.stages.documents import render_report
from kinerja.workbook import sheets as S
from kinerja.workbook.files import write_file
from kinerja.workbook.master import load_master

NOW = datetime(2026, 10, 22, 14, 0)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _reported(master: Path) -> list[Path]:
    """Approved, then the report and letter made and logged in the master."""
    loaded = approve(master)
    out = render_report(loaded, master.parent / "laporan", now=datetime(2026, 10, 20, 10, 0))
    assert not out.report.blocking, out.report.to_json()
    write_file(master, out.writes)
    return out.files


def test_archive_holds_everything_with_matching_hashes_and_is_never_overwritten(collected_master, tmp_path):
    docs = _reported(collected_master)
    inbox = collected_master.parent / "masuk"
    returns = sorted(inbox.iterdir())
    assert len(returns) == 6
    master_bytes = collected_master.read_bytes()
    arsip = tmp_path / "arsip"
    out = archive_period(load_master(collected_master), arsip, now=NOW, who="AGUS")
    assert not out.report.issues, out.report.to_json()
    folder = arsip / "2026-TW3"
    assert out.folder == folder and sorted(p.name for p in arsip.iterdir()) == ["2026-TW3"]  # no temp left

    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    assert manifest == out.manifest
    files = {e["path"]: e for e in manifest["berkas"]}
    assert set(files) == ({"induk/induk.xlsx"} | {f"formulir-masuk/{p.name}" for p in returns}
                          | {f"laporan/{p.name}" for p in docs})
    on_disk = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    assert on_disk == set(files) | {MANIFEST}
    for path, e in files.items():
        assert e["sha256"] == _sha(folder / path) and e["ukuran"] == (folder / path).stat().st_size
    assert (folder / "induk" / "induk.xlsx").read_bytes() == master_bytes
    for p in returns:  # original bytes, and the hash collect logged in Penerimaan
        assert (folder / "formulir-masuk" / p.name).read_bytes() == p.read_bytes()
        assert files[f"formulir-masuk/{p.name}"]["sha256_tercatat"] == _sha(p)
    assert manifest["periode"] == "2026-TW3" and manifest["oleh"] == "AGUS" and manifest["tidak_ditemukan"] == []
    assert manifest["persetujuan_rekap"]["disetujui"] is True
    assert manifest["persetujuan_rekap"]["oleh"] == SEKRETARIS
    assert manifest["persetujuan_rekap"]["waktu"] == "2026-10-16T09:00:00"
    steps = {s["no"]: s for s in manifest["langkah_sop"]}
    assert len(steps) == 11 and steps[6]["selesai"] == "2026-10-20T10:00:00" and steps[6]["status"]
    assert "Langkah selesai" in manifest["ringkasan_waktu_sop"]

    write_file(collected_master, out.writes)
    log = sheet_rows(collected_master, S.LOG_LAPORAN)
    assert log[-1]["dokumen"] == MANIFEST_DOCUMENT and log[-1]["sha256"] == _sha(folder / MANIFEST)

    before = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    again = archive_period(load_master(collected_master), arsip, now=datetime(2026, 10, 23, 9, 0))
    assert again.report.codes() == {"archive-exists"} and again.report.blocking
    assert again.folder is None and again.files == [] and again.writes.sheets == []
    assert {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in arsip.iterdir()) == ["2026-TW3"]


def test_missing_and_changed_files_are_reported_and_the_rest_archived(collected_master, tmp_path):
    docs = _reported(collected_master)
    inbox = collected_master.parent / "masuk"
    moved = tmp_path / "kotak-masuk"
    inbox.rename(moved)  # the inbox is elsewhere now: found with --inbox
    gone = sorted(moved.iterdir())[0]
    gone.unlink()
    letter = next(p for p in docs if p.name.startswith("Surat"))
    letter.write_bytes(letter.read_bytes() + b"\0")  # corrected after it was logged
    out = archive_period(load_master(collected_master), tmp_path / "arsip", inbox=moved, now=NOW)
    assert not out.report.blocking
    missing = out.report.by_code("archive-file-missing")
    assert [i.location.file for i in missing] == [gone.name]
    changed = out.report.by_code("archive-file-changed")
    assert [i.location.file for i in changed] == [f"laporan/{letter.name}"]
    m = out.manifest
    assert m["tidak_ditemukan"] == [{"jenis": "formulir masuk", "file": gone.name}]
    assert len([e for e in m["berkas"] if e["jenis"] == "formulir masuk"]) == 5
    entry = next(e for e in m["berkas"] if e["path"] == f"laporan/{letter.name}")
    assert entry["sha256"] == _sha(letter) != entry["sha256_tercatat"]


def test_cli_archive(collected_master, tmp_path):
    _reported(collected_master)
    runner = CliRunner()
    res = runner.invoke(app, ["archive", str(collected_master), "--out", str(tmp_path / "arsip-luar"), "--oleh", "AGUS"])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "arsip-luar" / "2026-TW3" / MANIFEST).is_file()
    res = runner.invoke(app, ["archive", str(collected_master), "--out", str(tmp_path / "arsip-luar"), "--json"])
    assert res.exit_code == 1 and [i["code"] for i in json.loads(res.output)["issues"]] == ["archive-exists"]
    res = runner.invoke(app, ["archive", str(collected_master)])  # default: Folder Arsip beside the master
    assert res.exit_code == 0, res.output
    assert (collected_master.parent / "arsip" / "2026-TW3" / MANIFEST).is_file()


def test_archive_stamps_the_sop_steps_tagged_arsip(collected_master, tmp_path):
    from openpyxl import load_workbook

    wb = load_workbook(collected_master)  # staff tag the last step (mengarsipkan) as stage 'Arsip'
    ws = wb[S.LANGKAH_SOP.sheet]
    col = S.LANGKAH_SOP.index("tahap")
    row = next(r for r in range(S.LANGKAH_SOP.header_row + 1, ws.max_row + 1)
               if ws.cell(row=r, column=1).value == 11)
    ws.cell(row=row, column=col, value="Arsip")
    wb.save(collected_master)
    loaded = load_master(collected_master)
    assert [s.no for s in loaded.master.sop.steps_for("arsip")] == [11]
    out = archive_period(loaded, tmp_path / "arsip", now=NOW, who="AGUS")
    assert out.folder is not None
    write_file(collected_master, out.writes)
    waktu = {r["no"]: r for r in sheet_rows(collected_master, S.WAKTU)}
    assert waktu[11]["mulai"] == NOW and waktu[11]["selesai"] == NOW and waktu[11]["oleh"] == "AGUS"
