"""The Excel door: one small handler per ribbon button, all logic in the core.

`run(tag)` is what the VBA dispatcher calls (`RunPython "...h.run('<tag>')"`). Each handler
reads the workbook open in Excel (unsaved edits included), calls the same core function as
the CLI, writes the result into the open workbook through xlwings (never to the file on
disk) and returns one Indonesian sentence for the message box. A KinerjaError shows its
Indonesian message (and what to do); any other error shows an Indonesian message box and its
traceback goes to a log file the message names.
"""

from __future__ import annotations

import getpass
import traceback
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from kinerja.domain.models import Master
from kinerja.excel.book import load_open_book
from kinerja.excel.live import apply_live
from kinerja.issues.catalogue import KinerjaError, Outcome, Report
from kinerja.workbook.description import WorkbookWrites
from kinerja.workbook.master import Loaded
from kinerja.workbook.ribbon import ACTIONS

TITLE = "Data Kinerja"
HANDLERS: dict[str, Callable[[Any, Context], str]] = {}


class NotLoaded(Exception):
    """The open book could not be read as a master: the handler stops before doing anything."""

    def __init__(self, loaded: Loaded) -> None:
        super().__init__("master not loaded")
        self.loaded = loaded


class Context:
    """What a handler needs besides the book: the time, who clicked, progress feedback."""

    def __init__(self, book: Any, now: datetime | None = None, who: str | None = None):
        self.book = book
        self.now = now or datetime.now().replace(microsecond=0)
        self.who = who or _user()
        self.loaded: Loaded | None = None  # the book as the last load read it

    def progress(self, text: str) -> None:
        try:
            self.book.app.status_bar = f"Data Kinerja: {text}"
        except Exception:  # noqa: BLE001 - feedback only
            pass

    def load(self) -> Loaded:
        """The open book read into models; a book that cannot be read as a master ends the
        handler there (`dispatch` shows its problems)."""
        self.progress("membaca workbook ...")
        self.loaded = load_open_book(self.book)
        if self.loaded.master is None:
            raise NotLoaded(self.loaded)
        return self.loaded

    @property
    def master_path(self) -> Path:
        assert self.loaded is not None
        return self.loaded.path

    @property
    def master(self) -> Master:
        """The master as the last load read it (a handler reaches this only after a load that read it)."""
        assert self.loaded is not None and self.loaded.master is not None
        return self.loaded.master

    def apply(self, writes: WorkbookWrites) -> None:
        """Write into the open book, holding the master's lock (kinerja.workbook.guard) meanwhile: a
        'kinerja' command running on the file itself makes this a 'sedang dipakai' message."""
        from kinerja.workbook.guard import MasterLock
        from kinerja.workbook.printing import dress

        self.progress("menulis hasil ke workbook ...")
        dress(writes, self.loaded)  # the pages headed with Pengaturan as it is now
        path = Path(self.book.fullname)
        lock = MasterLock(path).acquire(command=f"pita Excel ({self.who})") if path.parent.is_dir() else None
        try:
            apply_live(self.book, writes)
        finally:
            if lock is not None:
                lock.release()


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001
        return ""


def handler(tag: str):
    if tag not in ACTIONS:
        raise ValueError(f"no ribbon action {tag!r}")

    def register(fn):
        HANDLERS[tag] = fn
        return fn

    return register


def log_path(book: Any) -> Path:
    return Path(book.fullname).parent / "kinerja-galat.log"


def summary(report: Report, done: str) -> str:
    c = report.counts()
    text = f"{done}\n\nKesalahan: {c['error']}, Peringatan: {c['warning']}, Informasi: {c['info']}."
    errors = [i for i in report.sorted() if i.severity.value == "error"][:5]
    if errors:
        text += "\n\n" + "\n".join(f"- {i.location.text()}: {i.message}" for i in errors)
    return text


def said(outcome: Outcome, then: str = "") -> str:
    """A stage's outcome in the message box: its own summary lines (the ones the CLI prints), what
    to do next in Excel, and its report's counts."""
    return summary(outcome.report, "\n".join([*outcome.summary_lines(), then]).strip())


SAVE = "Simpan workbook ini (Ctrl+S)."


def not_loaded(loaded: Loaded) -> str:
    return summary(loaded.report, "Workbook induk belum dapat dibaca; perbaiki dahulu masalah berikut "
                                  "(lihat juga 'kinerja check').")


def dispatch(book: Any, tag: str, now: datetime | None = None, who: str | None = None) -> str:
    """Run the handler of a button's tag on an open book; always answer with a message box."""
    action = ACTIONS.get(tag)
    if action is None or tag not in HANDLERS:
        message = f"Tombol '{tag}' tidak dikenal; tidak ada yang dijalankan."
        book.app.alert(message, title=TITLE)
        return message
    ctx = Context(book, now, who)
    ctx.progress(f"{action.label} ...")
    import logging

    galat = logging.FileHandler(log_path(book), encoding="utf-8", delay=True)  # a library's own words
    galat.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    logging.getLogger("kinerja").addHandler(galat)
    try:
        message = HANDLERS[tag](book, ctx)
    except NotLoaded as e:
        message = not_loaded(e.loaded)
    except KinerjaError as e:  # e.g. the master busy: who has it, since when, what to do
        message = f"{e.issue.message}\n\n{e.issue.action}" if e.issue is not None else e.message
    except Exception:  # noqa: BLE001 - every failure becomes a message box and a log entry
        log = log_path(book)
        try:
            with log.open("a", encoding="utf-8") as f:
                f.write(f"--- {datetime.now():%Y-%m-%d %H:%M:%S} {tag}\n{traceback.format_exc()}\n")
        except OSError:
            pass
        message = (f"Terjadi kesalahan saat menjalankan '{action.label}'. Workbook tidak diubah oleh "
                   f"langkah yang gagal. Rincian teknis tersimpan di: {log}")
    finally:
        logging.getLogger("kinerja").removeHandler(galat)
        galat.close()
        try:
            book.app.status_bar = False
        except Exception:  # noqa: BLE001
            pass
    book.app.alert(message, title=f"{TITLE} - {action.label}")
    return message


def run(tag: str) -> None:
    """Called by the ribbon through VBA (xlwings RunPython)."""
    import xlwings as xw

    dispatch(xw.Book.caller(), tag)


def main() -> None:
    """xlwings' 'Run main' (the Panel fallback): run the action picked on the Panel sheet."""
    import xlwings as xw

    book = xw.Book.caller()
    dispatch(book, panel_tag(book))


def panel_tag(book: Any) -> str:
    from kinerja.workbook.macro import PANEL_CELL, PANEL_SHEET

    label = book.sheets[PANEL_SHEET].range(PANEL_CELL).value
    return next((a.tag for a in ACTIONS.values() if a.label == label), str(label))


# ----------------------------------------------------------------------------------- the buttons


def _folder(ctx: Context, key: str) -> Path:
    return ctx.master.settings.folder(key, ctx.master_path)


@handler("buat_formulir")
def buat_formulir(book: Any, ctx: Context) -> str:
    from kinerja.stages.forms import build_forms

    loaded = ctx.load()
    out = _folder(ctx, "formulir")
    ctx.progress("membuat formulir unit ...")
    outcome = build_forms(loaded, out, who=ctx.who, now=ctx.now)
    ctx.apply(outcome.writes)
    return said(outcome, SAVE)


@handler("tanda_terima")
def tanda_terima(book: Any, ctx: Context) -> str:
    from kinerja.stages.forms import build_receipt

    loaded = ctx.load()
    report = Report()
    path = build_receipt(loaded, _folder(ctx, "formulir"), report, now=ctx.now)
    done = f"Tanda terima dibuat: {path}" if path else "Tanda terima tidak dibuat."
    return summary(report, done)


@handler("catat_langkah")
def catat_langkah(book: Any, ctx: Context) -> str:
    """On the Waktu SOP sheet: the selected Mulai or Selesai cell of a step (a time typed in it,
    or now). Elsewhere: the current step ends now."""
    from kinerja.domain.workcal import format_waktu
    from kinerja.stages.status import log_selected

    loaded = ctx.load()
    sel = book.selection
    sheet = sel.sheet.name if sel is not None else ""
    no, what, moment, writes = log_selected(loaded, sheet, sel.row if sel is not None else 0,
                                            sel.column if sel is not None else 0,
                                            sel.value if sel is not None else None, ctx.now, who=ctx.who)
    ctx.apply(writes)
    step = ctx.master.sop.step(no)
    return (f"Langkah {no} ({step.pelaksana}) dicatat {what} pada {format_waktu(moment)}. Sheet Waktu SOP "
            "diperbarui. Untuk mencatat langkah lain: pilih sel Mulai atau Selesai langkah itu di sheet "
            "Waktu SOP (boleh ketik waktunya), lalu klik Catat Langkah.")


@handler("status")
def status(book: Any, ctx: Context) -> str:
    from kinerja.stages.status import sop_status

    loaded = ctx.load()
    return "\n".join(sop_status(loaded, ctx.now).summary_lines())


def _documents(ctx: Context, documents: tuple[str, ...], done: str) -> str:
    """The quarter's documents, or on a Tahunan period the annual draft when the report is asked
    (as 'kinerja report' does)."""
    from kinerja.stages.annual import render_period_documents

    loaded = ctx.load()
    ctx.progress("menyusun dokumen dan PDF ...")
    outcome = render_period_documents(loaded, _folder(ctx, "laporan"), pdf=True, who=ctx.who, now=ctx.now,
                                      documents=documents, annual_allowed="laporan" in documents)
    ctx.apply(outcome.writes)
    if not outcome.files:
        return said(outcome, f"{done} tidak dibuat.")
    return said(outcome, SAVE)


@handler("buat_laporan")
def buat_laporan(book: Any, ctx: Context) -> str:
    return _documents(ctx, ("laporan", "surat"), "Laporan dan surat pengantar")


@handler("surat_pengantar")
def surat_pengantar(book: Any, ctx: Context) -> str:
    return _documents(ctx, ("surat",), "Surat pengantar")


@handler("form_evaluasi")
def form_evaluasi(book: Any, ctx: Context) -> str:
    from kinerja.stages.e81 import e81_writes, renstra_of
    from kinerja.workbook import sheets as S

    loaded = ctx.load()
    renstra = renstra_of(loaded)
    ctx.apply(e81_writes(ctx.master, renstra))
    return summary(loaded.report, f"Sheet '{S.FORM_E81.sheet}' diisi: {len(ctx.master.indicators)} indikator. "
                                  "Simpan workbook ini (Ctrl+S).")


@handler("arsipkan")
def arsipkan(book: Any, ctx: Context) -> str:
    from kinerja.stages.archive import archive_period

    book.save()  # the archive copies the master file itself: it must hold what Excel shows
    loaded = ctx.load()
    outcome = archive_period(loaded, _folder(ctx, "arsip"), who=ctx.who, now=ctx.now)
    ctx.apply(outcome.writes)
    return said(outcome)


@handler("periode_baru")
def periode_baru(book: Any, ctx: Context) -> str:
    from kinerja.stages.period import default_out, new_period

    book.save()  # the new master is made from the file: it must hold what Excel shows
    path = Path(book.fullname)
    ctx.load()
    out = default_out(path, ctx.master.settings.period)
    ctx.progress("membuat workbook periode baru ...")
    outcome = new_period(path, out, who=ctx.who, now=ctx.now)
    if outcome.path is None:
        return said(outcome, "(Bila memang perlu, jalankan 'kinerja new-period --paksa' di terminal; tercatat "
                             "di Riwayat.)")
    return said(outcome)


@handler("himpun_rekap")
def himpun_rekap(book: Any, ctx: Context) -> str:
    from kinerja.stages.collect import collect

    loaded = ctx.load()
    inbox = _folder(ctx, "masuk")
    if not inbox.is_dir():
        return f"Folder formulir masuk '{inbox}' belum ada. Taruh formulir dari unit di sana, lalu ulangi."
    ctx.progress(f"menghimpun formulir dari {inbox} ...")
    outcome = collect(loaded, inbox, now=ctx.now, who=ctx.who,
                      progress=lambda n, total, name: ctx.progress(f"menghimpun {n} dari {total}: {name}"))
    ctx.apply(outcome.writes)
    return said(outcome, SAVE)


@handler("validasi")
def validasi(book: Any, ctx: Context) -> str:
    from kinerja.stages.validate import validate

    loaded = ctx.load()
    outcome = validate(loaded, ctx.now)
    ctx.apply(outcome.writes)
    return said(outcome, "Sekretaris mengisi kolom Keputusan, lalu klik 'Setujui / Kembalikan'.")


@handler("setujui_kembalikan")
def setujui_kembalikan(book: Any, ctx: Context) -> str:
    from kinerja.stages.review import review

    loaded = ctx.load()
    outcome = review(loaded, _folder(ctx, "formulir"), who=ctx.who, now=ctx.now)
    ctx.apply(outcome.writes)
    return said(outcome)
