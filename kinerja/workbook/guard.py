"""The master file on disk, guarded: one writer at a time, never over a newer file, never over
a file open in Excel, its permissions kept, backups that are whole.

- The lock: a run that will write the master holds an OS lock (flock / msvcrt) on a small file
  beside it (`.<name>.kinerja-kunci`) from loading to saving. The file names who holds it and
  since when; another run is told 'sedang dipakai oleh ... sejak ...' (`master-busy`), or waits
  (`wait` seconds) and retries. The OS lets go of the lock when the process ends, killed or not.
  The file is deleted when the lock is let go (a killed run leaves it; the next run takes it
  over); on Windows it is marked hidden. Deleting races with a run waiting on the same file, so a
  run that gets the lock checks that the file it locked is still the one at the path (device
  and inode) and else starts again: a lock on a deleted file is no lock.
  On Windows the lock is msvcrt.locking (LockFile): one byte far past the holder's note
  (`LOCK_BYTE`), taken with LK_NBLCK (fails at once when held) and unlocked with LK_UNLCK
  before the file is closed (Windows frees a closed file's locks only eventually). A locked
  byte cannot be read there, which is why it lies past the note. An open file cannot be deleted
  on Windows: the file is deleted after closing, and only when no other run has it open.
- The stamp: size, modification time and SHA-256 of the master when it was loaded; a save
  first checks that the file on disk is still that one (`master-changed`), so the work of
  another program (Excel, a second PC on the shared folder) is never overwritten.
- Excel: its owner file `~$<name>` beside the master means the workbook is open there; it holds
  the user name (1 byte length, the name in the Windows code page, spaces up to byte 55, then a
  2-byte length and the name in UTF-16-LE: 165 bytes). The master is not written then
  (`master-open-excel`). LibreOffice's `.~lock.<name>#` (CSV: name, host, user, time) likewise.
- The mode: a new master keeps the permission bits of the one it replaces; a read-only master
  is refused (`master-read-only`); a new file gets the umask's mode (not mkstemp's 0600).
- Backups in `cadangan/` are written under a temporary name, flushed, read back and compared
  (SHA-256) before they get their real name: a full disk leaves no truncated backup.
- Temporary files of runs that died (`.~kinerja-<host>-<pid>-*`) are removed when their process
  is gone (same computer) or after a day (another computer on a shared folder).
"""

from __future__ import annotations

import atexit
import getpass
import hashlib
import json
import os
import socket
import stat
import sys
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from kinerja.issues.catalogue import Issue, KinerjaError, make_issue
from kinerja.workbook.digest import sha256_stream

TEMP_PREFIX = ".~kinerja-"
STALE_AFTER = 24 * 3600  # seconds: a temp file of another computer older than this is left over
_HOST = "".join(ch if ch.isalnum() else "_" for ch in socket.gethostname())[:30] or "pc"


class GuardError(KinerjaError, OSError):
    """The master must not be written now; `issue` says why and what to do."""

    def __init__(self, issue: Issue) -> None:
        super().__init__(f"{issue.message} {issue.action}", issue)
        self.issue: Issue = issue


# ----------------------------------------------------------------------------------- the lock


def lock_path(master: Path) -> Path:
    master = Path(master)
    return master.parent / f".{master.name}.kinerja-kunci"


@dataclass
class Stamp:
    size: int
    mtime_ns: int
    sha256: str


def stamp(path: Path) -> Stamp | None:
    try:
        with open(path, "rb") as f:
            st = os.fstat(f.fileno())
            digest = sha256_stream(f)
    except OSError:
        return None
    return Stamp(st.st_size, st.st_mtime_ns, digest)


class MasterLock:
    """The lock on one master, held by this process (see the module docstring)."""

    def __init__(self, master: Path) -> None:
        self.master = Path(master)
        self.path = lock_path(self.master)
        self.file: BinaryIO | None = None
        self.stamp: Stamp | None = None

    def acquire(self, wait: float = 0.0, command: str = "") -> MasterLock:
        deadline = time.monotonic() + max(wait, 0.0)
        while True:
            f = open(self.path, "a+b")
            if _try_lock(f):
                if _same_file(f, self.path):
                    break
                _unlock(f)  # the file was deleted (or replaced) since it was opened: again
                f.close()
                continue
            try:
                f.seek(0)
                holder = _holder(f.read(4096))
            except OSError:
                holder = {}
            f.close()
            if time.monotonic() >= deadline:
                raise GuardError(make_issue(
                    "master-busy", file=self.master.name, who=holder.get("oleh") or "proses lain",
                    since=holder.get("sejak") or "-", command=holder.get("perintah") or "-",
                    waited=_seconds(wait)))
            time.sleep(min(0.2, max(deadline - time.monotonic(), 0.01)))
        _hide(self.path)
        f.seek(0)
        f.truncate()
        f.write(json.dumps({"oleh": f"{_user()} di {socket.gethostname()}", "pid": os.getpid(),
                            "sejak": datetime.now().strftime("%d/%m/%Y %H.%M.%S"),
                            "perintah": command}, ensure_ascii=False).encode("utf-8"))
        f.flush()
        self.file = f
        self.stamp = stamp(self.master)
        return self

    def release(self) -> None:
        """Let go of the lock and delete its file (see the module docstring)."""
        f, self.file = self.file, None
        if f is not None:
            if _MSVCRT is None and _same_file(f, self.path):
                try:
                    os.unlink(self.path)  # while still holding it: a waiter re-checks the path
                except OSError:
                    pass
            _unlock(f)
            f.close()
            if _MSVCRT is not None:
                try:
                    os.unlink(self.path)  # refused while another run has the file open
                except OSError:
                    pass
        _HELD.pop(_key(self.master), None)


def _msvcrt():
    if os.name == "nt":  # pragma: no cover - Windows
        import msvcrt

        return msvcrt
    return None


_MSVCRT = _msvcrt()  # None: flock
LOCK_BYTE = 1 << 30  # msvcrt: the byte locked, far past the holder's note


def _try_lock(f) -> bool:
    try:
        if _MSVCRT is not None:
            f.seek(LOCK_BYTE)  # msvcrt.locking locks from the file's current position
            _MSVCRT.locking(f.fileno(), _MSVCRT.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError:
        return False


def _unlock(f) -> None:
    try:
        if _MSVCRT is not None:
            f.seek(LOCK_BYTE)
            _MSVCRT.locking(f.fileno(), _MSVCRT.LK_UNLCK, 1)
        else:
            import fcntl

            fcntl.flock(f.fileno(), fcntl.LOCK_UN)
    except OSError:
        pass


def _same_file(f, path: Path) -> bool:
    """The open file `f` is still the file at `path` (not deleted, not replaced)."""
    try:
        mine, there = os.fstat(f.fileno()), os.stat(path)
    except OSError:
        return False
    if not mine.st_ino and not there.st_ino:  # pragma: no cover - a file system without inode numbers
        return True
    return (mine.st_dev, mine.st_ino) == (there.st_dev, there.st_ino)


def _hide(path: Path) -> None:
    """Windows: the lock file gets the hidden attribute (a dot does not hide it there)."""
    if sys.platform != "win32":
        return
    try:  # pragma: no cover - Windows
        import ctypes

        FILE_ATTRIBUTE_HIDDEN = 0x2
        ctypes.windll.kernel32.SetFileAttributesW(str(path), FILE_ATTRIBUTE_HIDDEN)
    except (OSError, AttributeError):  # pragma: no cover
        pass


def _holder(raw: bytes) -> dict[str, str]:
    try:
        data = json.loads(raw.decode("utf-8"))
        return {k: str(v) for k, v in data.items()} if isinstance(data, dict) else {}
    except (ValueError, UnicodeDecodeError):
        return {}


_HELD: dict[str, MasterLock] = {}
_AT_EXIT: list = []  # release_all, once registered


def _key(path: Path) -> str:
    return os.path.normcase(os.path.abspath(path))


def hold(master: Path, wait: float = 0.0, command: str = "") -> MasterLock:
    """Take the master's lock for this process until it ends (or `release`), just before the
    master is loaded. Held already (a second command in one process): the stamp is taken anew,
    for the load that follows. At exit the lock is let go and its file deleted."""
    lock = _HELD.get(_key(master))
    if lock is None:
        lock = MasterLock(master).acquire(wait, command)
        if not _AT_EXIT:
            _AT_EXIT.append(atexit.register(release_all))
        _HELD[_key(master)] = lock
    else:
        lock.stamp = stamp(lock.master)
    return lock


def release_all() -> None:
    """Let go of every lock this process holds (their files deleted)."""
    for lock in list(_HELD.values()):
        lock.release()


def held(master: Path) -> MasterLock | None:
    return _HELD.get(_key(master))


# ----------------------------------------------------------------------------------- before writing


def excel_owner(path: Path) -> str | None:
    """Who has the workbook open in Excel (or LibreOffice), from the owner file beside it; None
    when there is none. 'seseorang' when the file does not say."""
    path = Path(path)
    owner = path.parent / f"~${path.name}"
    if owner.is_file():
        try:
            return _mso_owner(owner.read_bytes()[:256]) or "seseorang"
        except OSError:
            return "seseorang"
    lo = path.parent / f".~lock.{path.name}#"
    if lo.is_file():
        try:
            fields = lo.read_text(encoding="utf-8", errors="replace").split(",")
            return (fields[0].strip() or "seseorang") + " (LibreOffice)"
        except OSError:
            return "seseorang"
    return None


def _mso_owner(data: bytes) -> str:
    """The user name in an MS Office owner file ('' when it does not read)."""
    if len(data) < 56:
        return ""
    n = data[0]
    if not 0 < n <= 52:
        return ""
    pos = 54  # Word's position of the UTF-16 length
    if data[pos] == 0x20 and (data[pos - 1] != 0 or data[pos - 2] != 0):
        pos = 55  # Excel and PowerPoint
    m = data[pos] if pos < len(data) else 0
    if 0 < m <= 52 and len(data) >= pos + 2 + 2 * m:
        name = data[pos + 2:pos + 2 + 2 * m].decode("utf-16-le", "replace").strip()
        if name:
            return name
    return data[1:1 + n].decode("cp1252", "replace").strip()


def check_writable(path: Path) -> None:
    """Raise GuardError when the master must not be written: open in Excel, read-only, or
    changed on disk since this process loaded it."""
    path = Path(path)
    who = excel_owner(path)
    if who is not None:
        raise GuardError(make_issue("master-open-excel", file=path.name, who=who))
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return
    if not st.st_mode & stat.S_IWUSR:
        raise GuardError(make_issue("master-read-only", file=path.name))
    lock = held(path)
    if lock is not None and lock.stamp is not None:
        same = (st.st_size, st.st_mtime_ns) == (lock.stamp.size, lock.stamp.mtime_ns)
        now = None if same else stamp(path)  # a touched file with the same bytes is the same file
        if not same and (now is None or (now.size, now.sha256) != (lock.stamp.size, lock.stamp.sha256)):
            when = datetime.fromtimestamp(st.st_mtime).strftime("%d/%m/%Y %H.%M.%S")
            raise GuardError(make_issue("master-changed", file=path.name, when=when))


def saved(path: Path) -> None:
    """The master was written by this process: its new stamp is the one to compare with."""
    lock = held(path)
    if lock is not None:
        lock.stamp = stamp(path)


# ----------------------------------------------------------------------------------- files


def file_mode(path: Path) -> int:
    """The permission bits a file written at `path` gets: those of the file it replaces, else
    the umask's (0666 & ~umask)."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        return 0o666 & ~_umask()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def temp_prefix() -> str:
    return f"{TEMP_PREFIX}{_HOST}-{os.getpid()}-"


def finish_temp(tmp: Path, mode: int) -> None:
    """A temporary file made whole: its final mode, its bytes on the disk."""
    os.chmod(tmp, mode)
    with open(tmp, "rb+") as f:
        os.fsync(f.fileno())


def sync_dir(folder: Path) -> None:
    if os.name == "nt":  # pragma: no cover
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def backup(path: Path, folder: Path, name: str) -> Path:
    """Copy `path` to `folder/name` atomically and verified (see the module docstring); on any
    failure nothing is left under a backup's name and the error is raised."""
    folder.mkdir(exist_ok=True)
    clean_stale(folder)
    tmp = folder / f"{temp_prefix()}{name}"
    source = hashlib.sha256()
    try:
        with open(path, "rb") as src, open(tmp, "wb") as dst:
            for chunk in iter(lambda: src.read(1 << 20), b""):
                source.update(chunk)
                dst.write(chunk)
            dst.flush()
            os.fsync(dst.fileno())
        with open(tmp, "rb") as f:
            copy = sha256_stream(f)
        if copy != source.hexdigest():
            raise OSError(5, "salinan cadangan tidak sama dengan aslinya")
        os.chmod(tmp, file_mode(path))
        st = os.stat(path)
        os.utime(tmp, ns=(st.st_atime_ns, st.st_mtime_ns))
        final = folder / name
        os.replace(tmp, final)
        sync_dir(folder)
        return final
    finally:
        if tmp.exists():
            tmp.unlink()


def clean_stale(folder: Path) -> list[Path]:
    """Remove temporary files of runs that died (see the module docstring). Returns them."""
    gone: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return gone
    now = time.time()
    for e in entries:
        if not e.name.startswith(TEMP_PREFIX) or not e.is_file(follow_symlinks=False):
            continue
        host, pid = _owner_of(e.name)
        try:
            age = now - e.stat(follow_symlinks=False).st_mtime
        except OSError:
            continue
        dead = (host == _HOST and pid is not None and not _alive(pid)) or age > STALE_AFTER
        if dead and pid != os.getpid():
            try:
                os.unlink(e.path)
                gone.append(Path(e.path))
            except OSError:
                pass
    return gone


def _owner_of(name: str) -> tuple[str, int | None]:
    rest = name[len(TEMP_PREFIX):]
    host, _, rest = rest.partition("-")
    pid, _, _ = rest.partition("-")
    return host, int(pid) if pid.isdigit() else None


def _alive(pid: int) -> bool:
    if os.name == "nt":  # pragma: no cover
        return True  # left to the age rule
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001
        return "pengguna"


def _seconds(s: float) -> str:
    return f"{s:g} detik" if s else "tanpa menunggu"

