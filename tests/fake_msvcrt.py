"""msvcrt's byte-range lock as the Windows C runtime documents it, built on POSIX record locks,
so kinerja.workbook.guard's Windows path runs on Linux: `locking(fd, mode, nbytes)` locks `nbytes` from
the file's current position; LK_NBLCK fails at once with OSError when another process holds an
overlapping lock; LK_UNLCK lets go. Every call is recorded (mode, position, nbytes)."""

from __future__ import annotations

import fcntl
import os

LK_UNLCK, LK_LOCK, LK_NBLCK, LK_RLCK, LK_NBRLCK = 0, 1, 2, 3, 4


class FakeMsvcrt:
    LK_UNLCK, LK_LOCK, LK_NBLCK = LK_UNLCK, LK_LOCK, LK_NBLCK

    def __init__(self) -> None:
        self.calls: list[tuple[int, int, int]] = []

    def locking(self, fd: int, mode: int, nbytes: int) -> None:
        pos = os.lseek(fd, 0, os.SEEK_CUR)
        self.calls.append((mode, pos, nbytes))
        if mode == LK_UNLCK:
            fcntl.lockf(fd, fcntl.LOCK_UN, nbytes, pos)
        elif mode == LK_NBLCK:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, nbytes, pos)
        else:
            raise ValueError("only LK_NBLCK and LK_UNLCK are used")
