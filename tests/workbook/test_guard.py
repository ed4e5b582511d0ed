"""The master on disk, guarded (kinerja.workbook.guard): a lock for the load-to-save span, no save over
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
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from collect_helpers import blank_forms, fill, typed
from kinerja.cli.commands import app
from kinerja.stages.timing import log_step
from kinerja.workbook import guard
from kinerja.workbook import sheets as S
from kinerja.workbook.files import backup_dir, write_file
from kinerja.workbook.master import build_master, load_master

ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


@pytest.fixture(autouse=True)
def wide_console(monkeypatch):
    """One line per table row, so a message is found whole in the output."""
    from kinerja.cli import commands as cli

    monkeypatch.setattr(cli.console, "_width", 1000)
    monkeypatch.setattr(cli.err, "_width", 1000)


def sha(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def excel_owner_file(master: Path, user: str) -> Path:
    """The owner file Excel writes beside a workbook it opens (165 bytes, see kinerja.workbook.guard)."""
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
from kinerja.workbook.guard import hold
hold(sys.argv[1], command="collect induk.xlsx")
print("siap", flush=True)
time.sleep(float(sys.argv[2]))
"""


@contextmanager
def held_elsewhere(master: Path, seconds: float) -> Iterator[None]:
    """Another process holds the master's lock (as 'collect induk.xlsx') for `seconds`."""
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(master), str(seconds)], env=ENV,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "siap"
        yield
    finally:
        holder.kill()
        holder.wait()


def test_the_lock_names_the_running_command(sample_master, monkeypatch):
    """The lock file says which command holds the master ('kinerja validate'), not just 'kinerja'."""
    from kinerja.workbook import guard

    seen: list[str] = []
    real = guard.hold

    def spy(master, wait, command=""):
        seen.append(command)
        return real(master, wait, command=command)

    monkeypatch.setattr(guard, "hold", spy)
    CliRunner().invoke(app, ["validate", str(sample_master)])
    assert seen == ["kinerja validate"]


def test_busy_master_names_who_and_since_and_waits_on_request(sample_master):
    with held_elsewhere(sample_master, 3):
        before = sha(sample_master)
        busy = CliRunner().invoke(app, ["log", str(sample_master), "1", "--start"])
        assert busy.exit_code == 1, busy.output
        assert "master-busy" in busy.output and "sedang dipakai oleh" in busy.output
        assert "sejak" in busy.output and "collect" in busy.output
        assert sha(sample_master) == before
        waited = CliRunner().invoke(app, ["--tunggu", "60", "log", str(sample_master), "1", "--start"])
        assert waited.exit_code == 0, waited.output
        assert sha(sample_master) != before


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
from kinerja.workbook.master import load_master
from kinerja.stages.timing import log_step
from kinerja.workbook.files import write_file
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
    leftovers = [p for p in sample_master.parent.rglob("*") if p.is_file() and p != sample_master]
    assert leftovers == []


def test_ribbon_button_says_busy_while_a_command_runs(sample_master):
    from fake_xlwings import Book
    from kinerja.excel.handlers import dispatch

    with held_elsewhere(sample_master, 30):
        book = Book(sample_master)
        before = [[c.value for c in row] for row in book.wb[S.VALIDASI.sheet].iter_rows()]
        message = dispatch(book, "validasi", now=datetime(2026, 10, 12, 9, 0))
        assert "sedang dipakai oleh" in message and "collect" in message, message
        assert [[c.value for c in row] for row in book.wb[S.VALIDASI.sheet].iter_rows()] == before
    assert "sedang dipakai" not in dispatch(book, "validasi", now=datetime(2026, 10, 12, 9, 0))


# ----------------------------------------------------------------------------------- the lock file


def test_the_lock_file_is_deleted_when_let_go(sample_master):
    """While held the lock file names its holder; let go (or the command ended) it is gone."""
    path = guard.lock_path(sample_master)
    lock = guard.MasterLock(sample_master).acquire(command="kinerja validate")
    assert json.loads(path.read_text(encoding="utf-8"))["perintah"] == "kinerja validate"
    lock.release()
    assert not path.exists()
    done = subprocess.run([sys.executable, "-m", "kinerja", "log", str(sample_master), "1", "--start"],
                          cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert not path.exists() and [p.name for p in sample_master.parent.iterdir() if p.name.startswith(".")] == []


def test_a_lock_on_a_deleted_lock_file_is_no_lock(sample_master, monkeypatch):
    """A run that opened the lock file just before its holder deleted it, and locks that file
    after another run made a new one: it must see that its file is no longer the one at the
    path, start again, and find the master busy."""
    first = guard.MasterLock(sample_master).acquire(command="kinerja collect")
    stale = open(guard.lock_path(sample_master), "a+b")  # the waiter's handle on the old file
    first.release()
    with held_elsewhere(sample_master, 30):  # a third run made a new lock file and holds it
        opened = []

        def waiter_open(path, mode="r", *a, **k):
            opened.append(path)
            return stale if len(opened) == 1 else open(path, mode, *a, **k)

        monkeypatch.setattr(guard, "open", waiter_open, raising=False)
        with pytest.raises(guard.GuardError) as e:
            guard.MasterLock(sample_master).acquire(command="kinerja validate")
        assert e.value.issue.code == "master-busy" and "collect induk.xlsx" in e.value.issue.message
        assert len(opened) == 2  # the old file was locked, found deleted, and the path opened again
    assert stale.closed


MSVCRT_HOLDER = """
import sys
from fake_msvcrt import FakeMsvcrt
from kinerja.workbook import guard
guard._MSVCRT = FakeMsvcrt()
guard.hold(sys.argv[1], command="collect induk.xlsx")
print("siap", flush=True)
sys.stdin.readline()
"""


def test_the_windows_lock_path(sample_master, monkeypatch):
    """kinerja.workbook.guard's msvcrt path, run here with msvcrt's documented semantics (fake_msvcrt):
    one byte far past the holder's note locked with LK_NBLCK; a second run is told who holds
    it (the note stays readable); LK_UNLCK at the same byte before the file is closed; the file
    deleted after closing. What only Windows can confirm is listed in docs/EXCEL-CHECK.md."""
    from fake_msvcrt import FakeMsvcrt

    fake = FakeMsvcrt()
    monkeypatch.setattr(guard, "_MSVCRT", fake)
    env = {**ENV, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "tests")])}
    holder = subprocess.Popen([sys.executable, "-c", MSVCRT_HOLDER, str(sample_master)], env=env,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "siap"
        with pytest.raises(guard.GuardError) as e:
            guard.MasterLock(sample_master).acquire(command="kinerja validate")
        assert "collect induk.xlsx" in e.value.issue.message  # the note read while the byte is locked
        assert fake.calls == [(fake.LK_NBLCK, guard.LOCK_BYTE, 1)]
        assert guard.lock_path(sample_master).stat().st_size < guard.LOCK_BYTE
        holder.stdin.write("\n")
        holder.stdin.flush()
        assert holder.wait(timeout=30) == 0
    finally:
        holder.kill()
    assert not guard.lock_path(sample_master).exists()  # the holder's exit let go and deleted it
    lock = guard.MasterLock(sample_master).acquire(command="kinerja validate")
    assert fake.calls[-1] == (fake.LK_NBLCK, guard.LOCK_BYTE, 1)
    lock.release()
    assert fake.calls[-1] == (fake.LK_UNLCK, guard.LOCK_BYTE, 1)
    assert not guard.lock_path(sample_master).exists()


# ----------------------------------------------------------------------------------- at once


def _run(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "kinerja", *args], cwd=ROOT, env=ENV,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_two_collects_and_a_validate_at_once_lose_nothing(sample_master, tmp_path):
    """Two collects (different inboxes) and a validate started together, three rounds: every
    file any run reported as received is in Penerimaan afterwards, and a run that could not
    wait its turn said 'sedang dipakai' and exited non-zero."""
    loaded = load_master(sample_master)
    forms = blank_forms(loaded, tmp_path / "formulir")
    inboxes = {"a": ["SEK", "PEM", "TRANTIB"], "b": ["PMD", "KESOS", "YANUM"]}
    reported: set[str] = set()
    for round_ in range(3):
        runs = {}
        for name, units in inboxes.items():
            inbox = tmp_path / f"masuk-{name}"
            for n, u in enumerate(units):  # a new version of each form every round
                fill(forms[u], inbox / f"{u}-r{round_}.xlsx", typed(loaded, u, base=100 * round_ + n))
        waits = ["--tunggu", "60"] if round_ == 1 else []  # one round waits its turn
        runs["a"] = _run(*waits, "collect", str(sample_master), str(tmp_path / "masuk-a"), "--json")
        runs["b"] = _run(*waits, "collect", str(sample_master), str(tmp_path / "masuk-b"), "--json")
        runs["v"] = _run(*waits, "validate", str(sample_master), "--json")
        for name, p in runs.items():
            out, err = p.communicate(timeout=240)
            try:
                result = json.loads(out)
            except ValueError:
                result = {}
            if "files" in result or (name == "v" and "counts" in result and "sedang dipakai" not in out):
                reported |= {f["file"] for f in result.get("files", []) if f["status"] != "Ditolak"}
            else:  # it did not run: it said why, and exited non-zero
                assert p.returncode != 0 and "sedang dipakai" in out + err, (name, out[-1500:], err[-1500:])
                assert round_ != 1, "with --tunggu every run waits its turn"
        logged = {r[1] for r in load_master(sample_master).rows[S.PENERIMAAN.sheet] if len(r) > 1 and r[1]}
        assert reported <= logged, (round_, sorted(reported - logged))
    assert len(reported) >= 6  # at least one full round of both collects landed
    loaded = load_master(sample_master)
    assert loaded.master is not None and not [i for i in loaded.report.issues if i.code == "workbook-unreadable"]


# ----------------------------------------------------------------------------------- kill -9


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    """A 300-unit master (3 indicators each) with returns of 5 units, built once."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bench_collect import office_data

    d = tmp_path_factory.mktemp("besar")
    od, _ = office_data(300, 3)
    master = build_master(d / "induk.xlsx", "candipuro", od)
    loaded = load_master(master)
    codes = [u.kode for u in loaded.master.units[:5]]
    forms = blank_forms(loaded, d / "formulir", units=codes)
    inbox = d / "masuk"
    for n, u in enumerate(codes):
        fill(forms[u], inbox / forms[u].name, typed(loaded, u, base=n + 1))
    return master, inbox


STEPS = [("2026-10-12T09:30", ["collect", "induk.xlsx", "{inbox}"]),
         ("2026-10-13T10:00", ["validate", "induk.xlsx"]),
         ("2026-10-14T11:00", ["review", "induk.xlsx", "--out", "perbaikan"])]


def _frozen(moment: str, args: list[str], cwd: Path) -> subprocess.Popen:
    """The command with its clock stopped at `moment` (tests/frozen_clock.py): the same bytes every run."""
    return subprocess.Popen([sys.executable, str(ROOT / "tests" / "frozen_clock.py"), moment, *args], cwd=cwd,
                            env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def test_kill_9_at_random_points_leaves_the_master_old_or_new(big, tmp_path):
    """collect, validate and review of a 300-unit master, each killed (SIGKILL) at a random moment
    while the same command runs to completion on a copy in a folder beside it (same names, same
    inbox, the clock stopped at the same moment: the same bytes). Afterwards the master is byte
    for byte the old file or the completed run's; cadangan/ holds only whole backups, each a copy
    of a version the master had; the next run removes what the killed ones left."""
    src, inbox = big
    rng = random.Random(14)
    killed, whole = tmp_path / "dibunuh", tmp_path / "utuh"
    for d in (killed, whole):
        d.mkdir()
        shutil.copy(src, d / "induk.xlsx")
    master = killed / "induk.xlsx"
    versions = {sha(src)}
    last = 6.0  # seconds the previous step took: the next kill falls within as long
    for moment, args in STEPS:
        args = [a.format(inbox=inbox) for a in args]
        old = sha(whole / "induk.xlsx")
        shutil.copy(whole / "induk.xlsx", master)  # both start from the same master
        start = time.monotonic()
        done, victim = _frozen(moment, args, whole), _frozen(moment, args, killed)
        time.sleep(rng.uniform(0.3, last))
        victim.send_signal(signal.SIGKILL)
        victim.wait()
        assert done.wait(timeout=300) in (0, 1)
        last = max(time.monotonic() - start, 1.0)
        new = sha(whole / "induk.xlsx")
        assert new != old, args  # the completed run wrote the master
        versions.add(new)
        now = sha(master)
        assert now in (old, new), (args, "neither the old master nor the completed run's")
        for b in backup_dir(master).iterdir() if backup_dir(master).exists() else []:
            if not b.name.startswith(guard.TEMP_PREFIX):  # a backup's name: a whole copy of a version
                assert sha(b) in versions, (args, b.name)
    assert load_master(master).master is not None
    # what the next run does before it writes: temporary files of the killed runs are removed
    for folder in (killed, backup_dir(master)):
        guard.clean_stale(folder)
        assert not list(folder.glob(".~kinerja-*")), folder
