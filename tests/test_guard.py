"""The master on disk, guarded (kinerja.guard): a lock for the load-to-save span, no save over
a newer file, over a workbook open in Excel or over a read-only one, permission bits kept,
backups atomic and verified, temporary files of dead runs removed. Two collects and a validate
at once lose nothing; kill -9 at any moment leaves the master old or new and readable."""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import signal
import stat
import subprocess
import sys
import time
import zipfile
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from collect_helpers import blank_forms, fill, typed
from kinerja import guard
from kinerja import sheets as S
from kinerja.cli import app
from kinerja.master import build_master, load_master
from kinerja.timing import log_step
from kinerja.writing.files import backup_dir, write_file

ROOT = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


@pytest.fixture(autouse=True)
def wide_console(monkeypatch):
    """One line per table row, so a message is found whole in the output."""
    from kinerja import cli

    monkeypatch.setattr(cli.console, "_width", 1000)
    monkeypatch.setattr(cli.err, "_width", 1000)


def sha(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def excel_owner_file(master: Path, user: str) -> Path:
    """The owner file Excel writes beside a workbook it opens (165 bytes, see kinerja.guard)."""
    ansi = user.encode("cp1252", "replace")[:52]
    data = bytes([len(ansi)]) + ansi
    data += b" " * (55 - len(data))
    data += bytes([len(user), 0]) + user.encode("utf-16-le")
    data += b" \x00" * ((165 - len(data)) // 2) + b" " * ((165 - len(data)) % 2)
    owner = master.parent / f"~${master.name}"
    owner.write_bytes(data[:165])
    return owner


def a_step(master: Path):
    return log_step(load_master(master), 1, start=datetime(2026, 10, 5, 8, 0), who="Camat")


# ----------------------------------------------------------------------------------- refusals


def test_master_open_in_excel_is_not_written(sample_master):
    owner = excel_owner_file(sample_master, "Budi Santoso")
    assert len(owner.read_bytes()) == 165 and guard.excel_owner(sample_master) == "Budi Santoso"
    before = sha(sample_master)
    result = CliRunner().invoke(app, ["timing", str(sample_master), "--json"])
    assert result.exit_code == 1, result.output
    assert "dibuka di Excel oleh Budi Santoso" in result.output and "master-open-excel" in result.output
    assert sha(sample_master) == before and not backup_dir(sample_master).exists()
    owner.unlink()
    assert CliRunner().invoke(app, ["log", str(sample_master), "1", "--start"]).exit_code == 0
    assert sha(sample_master) != before


def test_libreoffice_lock_names_its_user(sample_master):
    (sample_master.parent / f".~lock.{sample_master.name}#").write_text("Siti Rahmawati,pc-sekretaris,siti,26.11.2026 09:00,file:///x;")
    with pytest.raises(guard.GuardError) as e:
        write_file(sample_master, a_step(sample_master))
    assert e.value.issue.code == "master-open-excel" and "Siti Rahmawati (LibreOffice)" in e.value.issue.message


def test_read_only_master_is_refused_and_its_mode_kept(sample_master):
    sample_master.chmod(0o444)
    before = sha(sample_master)
    result = CliRunner().invoke(app, ["log", str(sample_master), "1", "--start"])
    assert result.exit_code == 1 and "master-read-only" in result.output, result.output
    assert sha(sample_master) == before and stat.S_IMODE(sample_master.stat().st_mode) == 0o444


def test_mode_kept_and_new_files_follow_the_umask(sample_master, tmp_path):
    sample_master.chmod(0o664)
    old = os.umask(0o022)
    try:
        backup = write_file(sample_master, a_step(sample_master))
        assert stat.S_IMODE(sample_master.stat().st_mode) == 0o664  # was 0600 after every save
        assert stat.S_IMODE(backup.stat().st_mode) == 0o664
        new = tmp_path / "baru" / "induk-baru.xlsx"
        build_master(new, "candipuro")
        assert stat.S_IMODE(new.stat().st_mode) == 0o644
        forms = blank_forms(load_master(sample_master), tmp_path / "formulir", units=["SEK"])
        assert stat.S_IMODE(forms["SEK"].stat().st_mode) == 0o644
    finally:
        os.umask(old)


def test_a_save_never_overwrites_a_newer_master(sample_master):
    """Loaded, then someone saves the master in Excel (here: openpyxl) before this run saves."""
    lock = guard.hold(sample_master, command="timing")
    try:
        writes = a_step(sample_master)
        wb = load_workbook(sample_master)
        wb[S.PEJABAT.sheet]["B20"] = "diketik di Excel"
        wb.save(sample_master)
        newer = sha(sample_master)
        with pytest.raises(guard.GuardError) as e:
            write_file(sample_master, writes)
        assert e.value.issue.code == "master-changed" and "tidak disimpan" in e.value.issue.message
        assert sha(sample_master) == newer
        os.utime(sample_master)  # touched, same bytes: not a change
        lock.stamp = guard.stamp(sample_master)
        os.utime(sample_master, (time.time() + 5,) * 2)
        write_file(sample_master, writes)
    finally:
        lock.release()


HOLDER = """
import sys, time
from kinerja.guard import hold
hold(sys.argv[1], command="collect induk.xlsx")
print("siap", flush=True)
time.sleep(float(sys.argv[2]))
"""


def test_busy_master_names_who_and_since_and_waits_on_request(sample_master):
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(sample_master), "3"], env=ENV,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "siap"
        before = sha(sample_master)
        busy = CliRunner().invoke(app, ["log", str(sample_master), "1", "--start"])
        assert busy.exit_code == 1, busy.output
        assert "master-busy" in busy.output and "sedang dipakai oleh" in busy.output
        assert "sejak" in busy.output and "collect" in busy.output
        assert sha(sample_master) == before
        waited = CliRunner().invoke(app, ["--tunggu", "60", "log", str(sample_master), "1", "--start"])
        assert waited.exit_code == 0, waited.output
        assert sha(sample_master) != before
    finally:
        holder.kill()
        holder.wait()


def test_backups_are_verified_and_stale_temp_files_removed(sample_master):
    folder = sample_master.parent
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True).stdout.strip()
    host = guard.temp_prefix().split("-")[1]
    stale = [folder / f".~kinerja-{host}-{dead}-abc.xlsx", backup_dir(sample_master) / f".~kinerja-{host}-{dead}-induk-x.xlsx"]
    old_other_pc = folder / ".~kinerja-pclain-123-def.xlsx"
    live = folder / f".~kinerja-{host}-{os.getppid()}-ghi.xlsx"
    backup_dir(sample_master).mkdir()
    for p in [*stale, old_other_pc, live]:
        p.write_bytes(b"PK\x03\x04 terpotong")
    os.utime(old_other_pc, (time.time() - 2 * 86400,) * 2)
    backup = write_file(sample_master, a_step(sample_master))
    assert not any(p.exists() for p in [*stale, old_other_pc]) and live.exists()
    with zipfile.ZipFile(backup) as z:
        assert z.testzip() is None
    assert [p.name for p in backup_dir(sample_master).iterdir()] == [backup.name]


FULL_DISK = """
import resource, signal, sys
from datetime import datetime
from pathlib import Path
from kinerja.master import load_master
from kinerja.timing import log_step
from kinerja.writing.files import write_file
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
master = Path(sys.argv[1])
writes = log_step(load_master(master), 1, start=datetime(2026, 10, 5, 8, 0), who="Camat")
resource.setrlimit(resource.RLIMIT_FSIZE, (int(sys.argv[2]), int(sys.argv[2])))
try:
    write_file(master, writes)
except OSError as e:
    print("gagal", e.errno)
"""


@pytest.mark.parametrize("limit", [4096, 60_000])
def test_full_disk_leaves_no_truncated_backup(sample_master, limit):
    """Writing stops after `limit` bytes (EFBIG, as on a full disk): the master is unchanged and
    no backup or temporary file is left behind."""
    before = sha(sample_master)
    done = subprocess.run([sys.executable, "-c", FULL_DISK, str(sample_master), str(limit)], env=ENV,
                          capture_output=True, text=True, timeout=120)
    assert done.stdout.startswith("gagal"), done.stdout + done.stderr[-2000:]
    assert sha(sample_master) == before
    leftovers = [p for p in sample_master.parent.rglob("*") if p.is_file() and p != sample_master
                 and not p.name.startswith(".induk.xlsx.kinerja-kunci")]
    assert leftovers == []
