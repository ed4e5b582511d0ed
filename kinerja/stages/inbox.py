"""Reading an inbox of returned forms: every file read (stages/returns.read_return) and the
values its unit typed taken (read_values), in the order given, by worker processes when there
are many.

Why processes, and why the values are taken there: python-calamine builds a sheet holding the
interpreter lock, so threads do not overlap, while two processes read two forms at once. What a
worker sends back must stay small, or copying it costs what the second core saves (measured:
whole sheet rows sent back made processes not pay); so a worker also takes the form's values
and lets its rows go, and only the ReturnFile without rows and the values of its indicators
cross back. A worker needs to know, per unit, its indicator codes and the checksum of its
indicator list (`FormValues`, small); a form made from another indicator list (its checksum
differs) is compared with the master's indicators, which stay in the main process: such a
form comes back with its rows and its values are taken there.

A worker is a fresh interpreter (`python -c`, the same package), not a multiprocessing
child: a fork would count the master already loaded in every worker's memory, and spawn or
forkserver run the caller's main script again in each worker (a script without a main guard
would run twice). A worker gets its job on stdin and sends each file's result, pickled, on
stdout, in order; every worker takes every n-th file, and the results are taken in turn, so the
order is the files'. Where no worker starts (a frozen app), the files are read here; a file
whose worker failed (died, or raised) is read again here, where its error shows as before.
"""

from __future__ import annotations

import gc
import logging
import logging.handlers
import os
import pickle
import queue
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import kinerja
from kinerja.domain.models import Indicator, Master, Period
from kinerja.issues.catalogue import Issue, Report
from kinerja.stages.returns import Limits, ReturnFile, read_return, read_values
from kinerja.workbook.formspec import indicator_checksum

READ_WORKERS = 2  # worker processes reading returns (see read_returns)
PARALLEL_FROM = 48  # fewer files are read here: starting the workers would cost more

Progress = Callable[[int, int, str], None]
# a form's input values (indicator code -> key -> value), its issues, and the cell each number came from
Values = tuple[dict[str, dict[str, Any]], list[Issue], dict[str, dict[str, str]]]
Job = tuple[Path, Limits, "FormValues | None"]


@dataclass
class FormValues:
    """Takes the input values of a form of a known unit (read_values), wherever the form was
    read. Small on purpose (codes and checksums, no indicators): a worker process gets a copy."""

    period: Period
    units: dict[str, tuple[str, list[str]]]  # unit code -> (checksum of its indicator list, its codes)

    @classmethod
    def of(cls, m: Master) -> FormValues:
        units: dict[str, tuple[str, list[str]]] = {}
        for u in m.units:
            if u.kode not in units:  # the first of a code, as Master.unit finds it
                inds = m.indicators_of(u.kode)
                units[u.kode] = (indicator_checksum(inds), [i.kode for i in inds])
        return cls(m.settings.period, units)

    def unit(self, rf: ReturnFile) -> str | None:
        """The unit code of a readable form of a unit of the master, else None."""
        if rf.identity is None or rf.table is None or rf.fatal:
            return None
        code = rf.identity.unit.strip().upper()
        return code if code in self.units else None

    def __call__(self, rf: ReturnFile, indicators: dict[str, Indicator] | None = None) -> Values | None:
        """The form's values, its sheet rows then let go; None when it is not a form of a known
        unit, or when its indicator list differs from the master's and `indicators` (the unit's,
        by code) are not given: its rows are then kept for a call that gives them."""
        unit = self.unit(rf)
        if unit is not None:
            checksum, codes = self.units[unit]
            differs = rf.identity.checksum != checksum  # type: ignore[union-attr]
            if differs and indicators is None:
                return None
            own = Report()
            cells: dict[str, dict[str, str]] = {}
            values = read_values(rf, unit, self.period, codes, own, indicators if differs else None, cells)
            rf.release()
            return values, own.issues, cells
        rf.release()
        return None


def read_returns(paths: list[Path], inbox: Path, limits: Limits | None = None, progress: Progress | None = None,
                 workers: int | None = None, values: FormValues | None = None) -> Iterator[tuple[ReturnFile, Values | None]]:
    """Every file read (returns.read_return) with its values (`values(rf)`, when given), in the
    order given, by `workers` processes (default: one per CPU, at most READ_WORKERS; from
    PARALLEL_FROM files on). Without `values`, the ReturnFile keeps its sheet rows."""
    limits = limits or Limits()
    total = len(paths)
    workers = workers or min(READ_WORKERS, os.cpu_count() or 1)
    done = 0
    for rf, got in _read_all(paths, inbox, limits, workers, values):
        if progress:
            progress(done, total, rf.path.name)
        done += 1
        yield rf, got
    if progress:
        progress(total, total, "")


def _read_all(paths: list[Path], inbox: Path, limits: Limits, workers: int,
              values: FormValues | None) -> Iterator[tuple[ReturnFile, Values | None]]:
    job: Job = (inbox, limits, values)
    procs = _start(workers, job, paths) if workers > 1 and len(paths) >= PARALLEL_FROM else []
    if not procs:
        for path in paths:
            yield _read_one(path, job)
        return
    alive = [True] * len(procs)
    finished = False
    try:
        for n, path in enumerate(paths):
            w = n % len(procs)
            got = None
            if alive[w]:
                try:
                    got = _receive(procs[w].stdout, path)
                except _Lost:  # died, or its output is not what it should be: no more from it
                    alive[w] = False
                    procs[w].kill()
            yield got if got is not None else _read_one(path, job)  # read here what a worker did not
        finished = True
    finally:
        for proc in procs:
            if not finished:
                proc.kill()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            if proc.stdout is not None:
                proc.stdout.close()


def _start(workers: int, job: Job, paths: list[Path]) -> list[subprocess.Popen]:
    """The worker processes, each given its job and every `workers`-th path; [] when they
    cannot be started."""
    if getattr(sys, "frozen", False) or not Path(sys.executable or "-").name.lower().startswith("python"):
        return []  # a frozen app, or Python inside another program: its executable is no interpreter
    root = str(Path(kinerja.__file__).resolve().parents[1])  # this package, wherever it was imported from
    code = f"import sys; sys.path.insert(0, {root!r}); from kinerja.stages.inbox import serve; serve()"
    procs: list[subprocess.Popen] = []
    try:
        for _ in range(workers):  # all started first: they import the package at the same time
            procs.append(subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE,
                                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                          creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0)))
        for w, proc in enumerate(procs):
            _widen(proc.stdout)
            assert proc.stdin is not None
            with proc.stdin:
                pickle.dump((job, paths[w::workers]), proc.stdin, protocol=pickle.HIGHEST_PROTOCOL)
    except (OSError, ValueError):
        for proc in procs:
            proc.kill()
            proc.wait()
        return []
    return procs


def _widen(pipe: IO[bytes] | None) -> None:
    """Room for many results in a worker's pipe (Linux: 1 MiB, else the system's own): a worker
    is not held up while the other one's result is awaited."""
    try:
        import fcntl

        fcntl.fcntl(pipe.fileno(), getattr(fcntl, "F_SETPIPE_SZ", 1031), 1 << 20)  # type: ignore[union-attr]
    except (ImportError, OSError, AttributeError, ValueError):
        pass


class _Lost(Exception):
    """A worker's output ended (it died) or is not the result it owes."""


def _receive(stream: IO[bytes] | None, path: Path) -> tuple[ReturnFile, Values | None] | None:
    """A worker's result for `path` (None when reading it raised there), its log records handed
    to this process's loggers (the log file); _Lost when the worker died or its output is not
    that result."""
    try:
        sent, got, records = pickle.load(stream)  # type: ignore[arg-type]  # noqa: S301 - our own worker's output
    except Exception as e:  # noqa: BLE001 - EOFError, a truncated pickle
        raise _Lost from e
    if sent != str(path):
        raise _Lost(sent)
    for record in records:
        logging.getLogger(record.name).handle(record)
    return got


def _read_one(path: Path, job: Job) -> tuple[ReturnFile, Values | None]:
    inbox, limits, values = job
    rf = read_return(path, inbox, limits)
    return rf, values(rf) if values is not None else None


def serve() -> None:
    """A worker's main: its job from stdin; per file, its path, its result (None when reading it
    raised: the caller reads it again itself) and what was logged meanwhile, pickled to stdout.
    Nothing else reaches stdout: it is moved to stderr (which the caller discards) first."""
    gc.disable()  # plain values without cycles, freed by reference counting (workbook.files.gc_paused)
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    logged: queue.SimpleQueue[logging.LogRecord] = queue.SimpleQueue()
    logger = logging.getLogger("kinerja")
    logger.addHandler(logging.handlers.QueueHandler(logged))  # records made plain (message text)
    logger.propagate = False
    job, paths = pickle.load(sys.stdin.buffer)  # noqa: S301 - from the process that started this one
    for path in paths:
        try:
            got: Any = _read_one(path, job)
        except Exception:  # noqa: BLE001 - read again by the caller, where the error shows
            got = None
        records = []
        while not logged.empty():
            records.append(logged.get_nowait())
        pickle.dump((str(path), got, records), out, protocol=pickle.HIGHEST_PROTOCOL)
        out.flush()
