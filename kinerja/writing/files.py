"""The file writer: a `WorkbookWrites` applied to the master on disk, atomically, with a backup.

`write_file` patches the package (kinerja.writing.package: only the changed parts rewritten,
every other byte kept); `replace_atomic` is the one way a file replaces the master.
"""

from __future__ import annotations

import errno
import gc
import os
import tempfile
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterator

from openpyxl import load_workbook
from openpyxl.workbook import Workbook

from kinerja import guard
from kinerja.writing.book import apply_to_workbook
from kinerja.writing.description import WorkbookWrites
from kinerja.writing.package.parts import Unsupported
from kinerja.writing.package.patch import patch_file


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while millions of plain values are made (reading a
    large master, the returns, writing sheets): none of them form cycles, and the collector
    would otherwise walk them all again and again. Reference counting frees them as usual."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()



def open_master(path: Path) -> Workbook:
    return load_workbook(path, keep_vba=path.suffix.lower() == ".xlsm")


def backup_dir(path: Path) -> Path:
    return path.parent / "cadangan"


def save_atomic(wb: Workbook, path: Path, backup: bool = True, keep: int = 20) -> Path | None:
    """Save via a temporary file and an atomic replace; keep a timestamped backup first."""
    path = Path(path)

    def produce(tmp: Path) -> None:
        wb.save(tmp)
        if path.suffix.lower() == ".xlsm" and path.exists():
            from kinerja.excel.xlsm import restore_addin_parts

            restore_addin_parts(path, tmp)

    return replace_atomic(path, produce, backup, keep)


def replace_atomic(path: Path, produce: Callable[[Path], None], backup: bool = True,
                   keep: int = 20) -> Path | None:
    """`produce(tmp)` writes the new file beside `path`; then a timestamped backup of `path`
    is kept and the new file replaces it atomically. Returns the backup path.

    kinerja.guard is asked first and again right before the replace: a file open in Excel,
    read-only, or changed on disk since this process loaded it is not replaced (GuardError).
    The new file keeps the old one's permission bits (a new one gets the umask's); the backup
    is written atomically and verified; temporary files of dead runs are cleaned up."""
    path = Path(path)
    guard.clean_stale(path.parent)
    guard.check_writable(path)
    mode = guard.file_mode(path)
    fd, tmp = tempfile.mkstemp(prefix=guard.temp_prefix(), suffix=path.suffix, dir=path.parent)
    os.close(fd)
    saved: Path | None = None
    try:
        try:
            produce(Path(tmp))
        except OSError:
            raise
        except Exception as e:  # lxml under openpyxl reports a failed write (disk full) as its own error
            if type(e).__name__ == "SerialisationError" or "IO_" in str(e):
                raise OSError(errno.EIO, f"file sementara tidak dapat ditulis ({e})") from e
            raise
        guard.finish_temp(Path(tmp), mode)
        if backup and path.exists():
            bdir = backup_dir(path)
            stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
            saved = guard.backup(path, bdir, f"{path.stem}-{stamp}{path.suffix}")
            olds = sorted(bdir.glob(f"{path.stem}-*{path.suffix}"))
            for old in olds[:-keep]:
                old.unlink(missing_ok=True)
        guard.check_writable(path)
        os.replace(tmp, path)
        guard.sync_dir(path.parent)
        guard.saved(path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return saved


def write_file(path: Path, writes: WorkbookWrites, backup: bool = True) -> Path | None:
    """Apply writes to the master file on disk (atomic, with backup). Returns the backup path.

    The changed sheets are rewritten in the package directly (kinerja.writing.package: fast on a
    large master, every other part kept as it is); what that writer does not handle (marks,
    dropdowns, new sheets, ...) goes through openpyxl, with the same result."""
    path = Path(path)
    if path.suffix.lower() in (".xlsx", ".xlsm") and path.exists():
        try:
            with gc_paused():
                return replace_atomic(path, lambda tmp: patch_file(path, tmp, writes), backup=backup)
        except Unsupported:
            pass
    wb = open_master(path)
    apply_to_workbook(wb, writes)
    return save_atomic(wb, path, backup=backup)


