"""The documents' charts (matplotlib, headless), drawn from plain data, here or in a helper process.

`unit_chart` and `trend_chart` draw a PNG from labels, values, colours and texts. In a large
report, importing matplotlib and drawing took about two seconds of the render on one core while
the other stayed idle. `Charts` starts a fresh Python interpreter (never a fork of this process)
that imports matplotlib while this process computes the report, draws each chart it is handed
with the very same functions, and says when the file is there. When no helper can be started
(no Python interpreter to start: inside Excel's own process, a frozen application), or it fails,
dies or hangs, the chart is drawn here, with the same bytes. The helper never outlives `Charts`
(a context manager): it is killed on leaving.
"""

from __future__ import annotations

import io
import os
import pickle
import queue
import re
import struct
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from kinerja.domain.numbers import ROMAN, format_percent

# ----------------------------------------------------------------------------------- drawing


@contextmanager
def chart_png(path: Path | IO[bytes], size: tuple[float, float], labelsize: float) -> Iterator[Any]:
    """Matplotlib axes (headless backend) for a document's chart; on leaving the block the axes
    get the house finish (tick labels at `labelsize`, no top or right spine) and the figure is
    saved to `path` as PNG at 150 dpi (a figure of its own, outside pyplot, freed with it)."""
    from matplotlib.figure import Figure  # not pyplot: no global figure state, a third less to import

    fig = Figure(figsize=size, dpi=150)
    ax = fig.subplots()
    yield ax
    ax.tick_params(labelsize=labelsize)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    fig.savefig(path)  # a PNG through matplotlib's Agg renderer, byte for byte as pyplot's Agg figure


def unit_chart(path: Path, labels: list[str], values: list[float], colors: list[str], texts: list[str],
               title: str | None = None) -> Path:
    """Average capaian per unit as horizontal bars (the first label at the bottom), each bar's
    text at its end, a dashed line at 100% (PNG)."""
    with chart_png(path, (6.3, 0.8 + 0.36 * max(1, len(labels))), 8) as ax:
        bars = ax.barh(labels, values, color=colors, edgecolor="#404040", linewidth=0.5)
        ax.axvline(100, color="#C00000", linestyle="--", linewidth=0.8)
        for bar, text in zip(bars, texts):
            ax.text(bar.get_width() + 1, bar.get_y() + bar.get_height() / 2, text, va="center", fontsize=7)
        ax.set_xlim(0, max([110.0] + [v * 1.35 for v in values]))
        ax.set_xlabel("Rata-rata capaian (%)", fontsize=8)
        if title:
            ax.set_title(title, fontsize=8, loc="left")
    return path


def trend_chart(title: str, means: list[float | None], path: Path, last_year: float | None = None,
                quarter: int | None = None) -> Path:
    """A small line chart of mean capaian per quarter (PNG), with a dashed line at 100% and,
    when known, last year's same quarter as a hollow marker."""
    xs = [f"TW {ROMAN[q]}" for q in range(4)]
    ys = [v if v is not None else float("nan") for v in means]
    with chart_png(path, (4.2, 1.7), 6) as ax:
        ax.plot(xs, ys, marker="o", color="#1F4E78", linewidth=1.4, label="tahun ini")
        for x, v in zip(xs, means):
            if v is not None:
                ax.annotate(format_percent(v, 1), (x, v), textcoords="offset points", xytext=(0, 5), ha="center",
                            fontsize=6)
        if last_year is not None and quarter:
            ax.plot([xs[quarter - 1]], [last_year], marker="o", markerfacecolor="none", color="#C55A11",
                    linestyle="none", label="tahun lalu")
            ax.legend(fontsize=5, frameon=False, loc="lower right")
        ax.axhline(100, color="#C00000", linestyle="--", linewidth=0.7)
        known = [v for v in [*means, last_year] if v is not None]
        ax.set_ylim(0, max([110.0] + [v * 1.2 for v in known]))
        ax.set_ylabel("Capaian (%)", fontsize=6)
        ax.set_title(title[:80], fontsize=6)
    return path


DRAWINGS: dict[str, Callable[..., Path]] = {f.__name__: f for f in (unit_chart, trend_chart)}

# ----------------------------------------------------------------------------------- the helper

HELPER_TIMEOUT = 120.0  # seconds one chart may take in the helper before it is drawn here instead
STOP_TIMEOUT = 5.0  # seconds to wait for the thread reading the helper's answers to end
# the helper's own code: the package from the same folder as this process's, then the loop
_BOOT = "import sys; sys.path.insert(0, sys.argv[1]); from kinerja.charts import serve; serve()"
_PYTHON = re.compile(r"python(w)?(\d+(\.\d+)*)?(\.exe)?", re.IGNORECASE)


def _send(stream: IO[bytes], message: Any) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(struct.pack("<I", len(data)) + data)
    stream.flush()


def _receive(stream: IO[bytes]) -> Any:
    """The next message, or None at the end of the stream (or of a cut-off message)."""
    head = stream.read(4)
    if len(head) < 4:
        return None
    (size,) = struct.unpack("<I", head)
    data = stream.read(size)
    return pickle.loads(data) if len(data) == size else None


def serve() -> None:
    """The helper's loop: draw each (job, drawing, arguments) read from standard input and answer
    (job, None or the error) on standard output, until the input closes."""
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # a stray print never mixes with the answers
    sys.stdout = sys.stderr
    with io.BytesIO() as scratch:  # import matplotlib and load its font before the first chart
        trend_chart("", [100.0, None, None, None], scratch)  # type: ignore[arg-type]
    while (job := _receive(sys.stdin.buffer)) is not None:
        ident, name, args = job
        try:
            DRAWINGS[name](*args)
            error = None
        except Exception as e:  # noqa: BLE001 - told to the parent, which draws the chart itself
            error = f"{type(e).__name__}: {e}"
        _send(answers, (ident, error))


def helper_command() -> list[str] | None:
    """How to start the helper: this process's Python interpreter on the package's folder; None
    when this process is not a plain Python interpreter (Excel's own process running Python
    inside, a frozen application), which could not run it."""
    exe = sys.executable or ""
    if getattr(sys, "frozen", False) or not _PYTHON.fullmatch(Path(exe).name) or not os.path.isfile(exe):
        return None
    return [exe, "-c", _BOOT, str(Path(__file__).resolve().parent.parent)]


class Charts:
    """Charts to draw: `draw` hands one over and returns at once, `result` gives its file when it
    is there. With `helper`, they are drawn in a helper process started at once; without it, or
    when the helper cannot start or fails, `result` draws here. Use as a context manager."""

    def __init__(self, helper: bool = True, command: list[str] | None = None, timeout: float = HELPER_TIMEOUT):
        self._jobs: list[tuple[str, tuple[Any, ...]]] = []
        self._answers: dict[int, str | None] = {}
        self._inbox: queue.Queue[tuple[int, str | None] | None] = queue.Queue()
        self._timeout = timeout
        self._proc: subprocess.Popen[bytes] | None = None
        self._reader: threading.Thread | None = None
        command = (command or helper_command()) if helper else None
        if command:
            self._start(command)

    @property
    def helper(self) -> subprocess.Popen[bytes] | None:
        """The helper process while it runs."""
        return self._proc

    def _start(self, command: list[str]) -> None:
        try:
            self._proc = subprocess.Popen(
                command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0))  # no console window under Excel
        except (OSError, ValueError):
            self._proc = None
            return
        self._reader = threading.Thread(target=self._read, args=(self._proc.stdout,), daemon=True)
        self._reader.start()

    def _read(self, stream: IO[bytes]) -> None:
        try:
            while (answer := _receive(stream)) is not None:
                self._inbox.put(answer)
        except Exception:  # noqa: BLE001 - a broken answer ends the helper's use, nothing else
            pass
        self._inbox.put(None)

    def draw(self, drawing: Callable[..., Path], *args: Any) -> int:
        """Hand over one chart (`drawing` one of DRAWINGS, its first path argument the file);
        returns the job to ask `result` for."""
        ident = len(self._jobs)
        self._jobs.append((drawing.__name__, args))
        if self._proc is not None:
            try:
                _send(self._proc.stdin, (ident, drawing.__name__, args))  # type: ignore[arg-type]
            except (OSError, ValueError, pickle.PicklingError):
                self.close()
        return ident

    def result(self, ident: int) -> Path:
        """The job's file: drawn by the helper, or here when the helper could not."""
        name, args = self._jobs[ident]
        path = next(a for a in args if isinstance(a, Path))
        if self._wait(ident) and path.is_file():
            return path
        return DRAWINGS[name](*args)

    def _wait(self, ident: int) -> bool:
        """Whether the helper drew the job (False: it failed, died, took too long or never ran)."""
        while ident not in self._answers:
            if self._proc is None:
                return False
            try:
                answer = self._inbox.get(timeout=self._timeout)
            except queue.Empty:
                answer = None
            if answer is None:  # the helper ended or hangs: whatever is left is drawn here
                self.close()
                return False
            self._answers[answer[0]] = answer[1]
        return self._answers[ident] is None

    def close(self) -> None:
        """Stop the helper (killed: it holds nothing to save, and a chart still being drawn is no
        longer wanted) and wait for it to end."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        proc.kill()
        proc.wait()
        for stream in (proc.stdin, proc.stdout):
            try:
                stream.close()  # type: ignore[union-attr]
            except OSError:
                pass
        if self._reader is not None:
            self._reader.join(timeout=STOP_TIMEOUT)

    def __enter__(self) -> Charts:
        return self

    def __exit__(self, *_: Any) -> None:
        self.close()
