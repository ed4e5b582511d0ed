"""The file writer: a `WorkbookWrites` applied to the master on disk, atomically, with a backup.

`write_file` patches the package (kinerja.ooxml: only the changed parts rewritten,
every other byte kept); `replace_atomic` is the one way a file replaces the master.
"""

from __future__ import annotations

import errno
import gc
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from openpyxl.workbook import Workbook

from kinerja.issues.catalogue import KinerjaError
from kinerja.issues.explain import log
from kinerja.ooxml.parts import Unsupported
from kinerja.ooxml.patch import patch_file
from kinerja.workbook import guard
from kinerja.workbook.description import WorkbookWrites


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while millions of plain values are made (reading a
    large master, the returns, writing sheets): none of them form cycles, and the collector
    would otherwise walk them all again and again. Reference counting frees them as usual.

    What was made and is still alive when the collector is turned back on goes straight to its
    oldest generation (gc.freeze then gc.unfreeze: two list moves): its next young pass would
    otherwise walk every one of those objects at once (a loaded master's rows and models, a
    quarter of a second). Garbage among them is still found, by the next full pass. (Not when
    the process has frozen objects of its own: unfreezing would hand those back too.)"""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            if not gc.get_freeze_count():
                gc.freeze()
                gc.unfreeze()
            gc.enable()


def backup_dir(path: Path) -> Path:
    return path.parent / "cadangan"


def save_atomic(wb: Workbook, path: Path, backup: bool = True, keep: int = 20) -> Path | None:
    """Save a workbook built with openpyxl (a new master, a form) via a temporary file and an
    atomic replace. An existing master is never saved this way: `write_file` patches it."""
    return replace_atomic(Path(path), wb.save, backup, keep)


def replace_atomic(path: Path, produce: Callable[[Path], None], backup: bool = True,
                   keep: int = 20) -> Path | None:
    """`produce(tmp)` writes the new file beside `path`; then a timestamped backup of `path`
    is kept and the new file replaces it atomically. Returns the backup path.

    kinerja.workbook.guard is asked first and again right before the replace: a file open in Excel,
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
                log.warning("%s: %s", type(e).__name__, e)
                raise OSError(errno.EIO, "file sementara tidak dapat ditulis") from e
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


class MasterNotWritable(KinerjaError, OSError):
    """The master's package cannot be patched safely; it is left as it was."""


def write_file(path: Path, writes: WorkbookWrites, backup: bool = True) -> Path | None:
    """Apply writes to the master file on disk (atomic, with backup). Returns the backup path.

    Only the parts that change are rewritten (kinerja.ooxml); every other part of the
    office's file, whatever Excel put there, is kept byte for byte."""
    path = Path(path)
    try:
        with gc_paused():
            return replace_atomic(path, lambda tmp: patch_file(path, tmp, writes), backup=backup)
    except Unsupported as e:
        log.warning("%s: not patched: %s", path.name, e)
        raise MasterNotWritable(
            f"Workbook induk '{path.name}' memuat bagian yang tidak dapat diubah dengan aman "
            "(rinciannya di kinerja-galat.log); "
            "workbook tidak diubah. Buka dan simpan ulang di Excel, lalu ulangi.") from None
