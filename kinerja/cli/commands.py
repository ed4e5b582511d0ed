"""The command line: a thin door over the core. Each command parses, calls one function, renders."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table as RichTable
from rich.text import Text
from typer.core import TyperGroup

from kinerja.cli import text as clitext
from kinerja.domain.models import Period
from kinerja.issues.catalogue import Issue, KinerjaError, Outcome, Report
from kinerja.issues.explain import explain, shown
from kinerja.workbook.description import WorkbookWrites

clitext.install()  # the framework's own words (help headings, usage errors) in Bahasa Indonesia

_RUN: dict[str, Any] = {"json": False}  # what the edge must know of the running command


class Door(TyperGroup):
    """The CLI's edge: a KinerjaError raised anywhere under a command is shown here, once. One
    that carries an Issue (the master busy, open in Excel, read-only, changed) is rendered as a
    report and exits 1; any other prints 'Gagal: <message>' and exits 2, as a usage mistake."""

    def invoke(self, ctx: Any) -> Any:
        _RUN["json"] = False
        try:
            return super().invoke(ctx)
        except KinerjaError as e:
            if e.issue is not None:
                refuse(e.issue, _RUN["json"])
            fail(e.message)


app = typer.Typer(
    cls=Door,
    help="kinerja: SOP Pengumpulan Data Kinerja dari satu workbook induk Excel.",
    no_args_is_help=True, rich_markup_mode="markdown", add_completion=False,
    pretty_exceptions_show_locals=False,
)
sop_app = typer.Typer(help="SOP bawaan (preset) dari lima instansi.", no_args_is_help=True)
app.add_typer(sop_app, name="sop")
console = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


# ----------------------------------------------------------------------------------- shared options


def _remember_json(value: bool) -> bool:
    _RUN["json"] = value  # the edge renders a refusal as JSON too
    return value


MasterArg = Annotated[Path, typer.Argument(metavar="INDUK", help="Workbook induk.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Keluaran JSON.", callback=_remember_json)]
OlehOpt = Annotated[str, typer.Option(
    "--oleh", help="Nama yang menjalankan langkah ini, dicatat di workbook induk (bawaan: pejabatnya "
                   "di sheet Pejabat bila ada).")]


# ----------------------------------------------------------------------------------- rendering


def render_report(report: Report, as_json: bool = False, title: str = "Temuan") -> None:
    """Print a report as a table (or JSON). Shared by every command."""
    if as_json:
        console.print_json(report.to_json())
        return
    if not report.issues:
        console.print("[green]Tidak ada temuan.[/green]")
        return
    t = RichTable(title=title, show_lines=False, expand=False)
    for h in ("Tingkat", "Kode", "Lokasi", "Pesan", "Saran"):
        t.add_column(h, overflow="fold")
    folded = sorted(report.folded(), key=lambda x: (x[0].severity.rank, x[0].location.unit or "",
                                                    x[0].location.indicator or "", x[0].code))
    for i, derived in folded:
        t.add_row(Text(i.severity.label, style=SEVERITY_STYLE[i.severity.value]), i.code,
                  plain(i.location.text()),
                  plain(i.message + (f" (dan {derived} temuan turunan)" if derived else "")), plain(i.action))
    console.print(t)
    c = report.counts()
    derived = sum(n for _i, n in folded)
    console.print(f"Kesalahan: {c['error']}, Peringatan: {c['warning']}, Informasi: {c['info']}"
                  + (f" ({derived} di antaranya temuan turunan)" if derived else ""))


def plain(value: object) -> Text:
    """User-supplied text (a unit's note, a file name, a cell) as plain text: never read as
    console markup, control characters shown escaped."""
    return Text(shown("" if value is None else str(value)))


def esc(value: object) -> str:
    """User-supplied text inside a line that has markup of its own."""
    return escape(shown("" if value is None else str(value)))


def finish(report: Report) -> NoReturn:
    """Exit 1 when the report holds a blocking issue."""
    raise typer.Exit(1 if report.blocking else 0)


def show(outcome: Outcome, as_json: bool, title: str = "Temuan") -> None:
    """A stage's outcome as it says itself: `to_dict()` with --json, else its summary lines and
    its report."""
    if as_json:
        console.print_json(json.dumps(outcome.to_dict(), ensure_ascii=False))
        return
    for line in outcome.summary_lines():
        console.print(plain(line))
    render_report(outcome.report, title=title)


def fail(message: str) -> NoReturn:
    err.print(Text("Gagal: ", style="bold red") + plain(message))
    raise typer.Exit(2)


def period_option(text: str | None) -> Period | None:
    """A --periode argument read as people write it ('2026-TW3', 'Triwulan III 2026'), or the
    command ends with what to write."""
    from kinerja.stages.period import parse_period

    if not text:
        return None
    try:
        return parse_period(text)
    except ValueError as e:
        fail(f"--periode: {explain(e)}")


_LOG: dict = {}  # the one log handler of this run, beside the master


def log_beside(master: Path) -> None:
    """A library's own (English) error text goes to kinerja-galat.log beside the master, made
    only when something is logged; the screen shows the Indonesian explanation."""
    import logging

    folder = Path(master).resolve().parent
    if _LOG.get("folder") == folder or not folder.is_dir():
        return
    logger = logging.getLogger("kinerja")
    if "handler" in _LOG:
        logger.removeHandler(_LOG["handler"])
        _LOG["handler"].close()
    handler = logging.FileHandler(folder / "kinerja-galat.log", encoding="utf-8", delay=True)
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    logger.addHandler(handler)
    logger.propagate = False
    _LOG.update(folder=folder, handler=handler)


_WAIT = {"seconds": 0.0}


@app.callback()
def _options(tunggu: float = typer.Option(
        0.0, "--tunggu", metavar="DETIK",
        help="Bila workbook induk sedang dipakai langkah lain: tunggu paling lama sekian detik, lalu lanjut.")) -> None:
    """kinerja: SOP Pengumpulan Data Kinerja dari satu workbook induk Excel."""
    _WAIT["seconds"] = tunggu


def refuse(issue: Issue, as_json: bool = False) -> NoReturn:
    """A guard's refusal (the master busy, open in Excel, read-only, changed): shown, exit 1."""
    render_report(Report(issues=[issue]), as_json)
    raise typer.Exit(1)


def hold(master: Path) -> None:
    """Take the master's lock for this run (kinerja.workbook.guard): held from loading to saving, let go
    when the process ends. Busy: wait up to '--tunggu' seconds, else the GuardError says who has
    it (shown at the edge, exit 1)."""
    from kinerja.workbook.guard import hold as take

    if not Path(master).is_file():
        return
    ctx = clitext.current_context()
    take(master, _WAIT["seconds"], command=f"kinerja {ctx.info_name}" if ctx else "kinerja")


def load(master: Path, as_json: bool = False, write: bool = True):
    """Load the master (its lock taken first when the command will write it); when it cannot
    be used, show why and exit 1."""
    from kinerja.workbook.master import load_master

    log_beside(master)
    if write:
        hold(master)
    loaded = load_master(master)
    if loaded.master is None:
        render_report(loaded.report, as_json)
        raise typer.Exit(1)
    return loaded


def save(master: Path, writes: WorkbookWrites, created: Sequence[Path] = (), as_json: bool = False,
         loaded: Any = None) -> None:
    """Apply a stage's writes to the master file (atomic, with a backup), each sheet's pages
    headed with the office and period as Pengaturan now says (`loaded`: the master the stage
    read). When the master cannot be saved, the files this run created are removed: nothing
    exists that the master does not log."""
    from kinerja.workbook.files import write_file
    from kinerja.workbook.guard import GuardError
    from kinerja.workbook.master import load_master
    from kinerja.workbook.printing import dress

    if not writes.sheets:
        return
    dress(writes, loaded if loaded is not None else load_master(master))
    try:
        write_file(master, writes)
    except OSError as e:
        for f in created:
            if Path(f).is_file():
                Path(f).unlink()
        if isinstance(e, GuardError):
            raise  # shown at the edge
        fail(f"Workbook induk tidak dapat disimpan ({explain(e)})" + ("; file yang baru dibuat dihapus" if created else "")
             + ". Workbook tidak diubah; perbaiki penyebabnya lalu ulangi.")


def folder_of(given: Path | None, loaded: Any, key: str, master: Path) -> Path:
    """The folder a command was given, else the one Pengaturan names for `key` (relative to the
    master), else the master's own folder when the master could not be read."""
    if given is not None:
        return given
    return loaded.master.settings.folder(key, master) if loaded.master is not None else master.parent


# ----------------------------------------------------------------------------------- foundation


@app.command()
def init(
    master: Path = typer.Argument(..., metavar="INDUK", help="File workbook induk yang dibuat: .xlsm (dengan tab pita 'Data Kinerja' dan sheet Panel) atau .xlsx (tanpa makro)."),
    preset: str = typer.Option("candipuro", "--preset", "-p", help="Nama SOP bawaan (lihat 'kinerja sop list')."),
    data: Path | None = typer.Option(None, "--data", "-d", help="Data instansi: folder (instansi.json, unit.csv, indikator.csv), workbook induk lama, atau workbook berisi tabel Unit dan Indikator. Lihat docs/DATA-INSTANSI.md."),
    force: bool = typer.Option(False, "--force", help="Timpa bila file sudah ada."),
) -> None:
    """Buat workbook induk baru dari SOP bawaan dan (bila ada) data instansi.

    Tanpa --data, isian contoh (nama instansi, pejabat, unit, indikator, periode) tercantum sebagai
    kesalahan di 'kinerja check' dan di bagian 'Siap dipakai?' sheet Petunjuk sampai diganti.

    Contoh:

        kinerja init KANTOR.xlsm --preset muara_papalik
        kinerja init induk.xlsx --preset candipuro --data sample_data/sukamaju
        kinerja init induk_2027.xlsm --preset candipuro --data induk_2026.xlsm
    """
    from kinerja.workbook.master import build_master, read_office_data

    if master.suffix.lower() not in (".xlsx", ".xlsm"):
        fail(f"Nama file '{master.name}' harus berakhiran .xlsx (atau .xlsm untuk pita Excel), "
             f"mis. 'kinerja init {master.stem or 'induk'}.xlsx'.")
    if master.exists() and not force:
        fail(f"File '{master}' sudah ada. Pakai --force untuk menimpa.")
    log_beside(master)
    hold(master)
    try:
        office = read_office_data(data) if data else None
    except (OSError, KeyError, ValueError) as e:
        fail(f"Data instansi '{data}' tidak dapat dibaca: {explain(e)}")
    try:
        path = build_master(master, preset, office)
    except (OSError, ValueError) as e:
        fail(f"Workbook induk tidak dapat dibuat: {explain(e)}")
    console.print(f"Workbook induk dibuat: [bold]{esc(path)}[/bold]")
    if path.suffix.lower() == ".xlsm":
        console.print("Berisi tab pita 'Data Kinerja' dan sheet Panel. Siapkan PC: 'kinerja excel setup "
                      f"{path.name}'.")
    console.print(f"Periksa apa yang masih harus diisi: 'kinerja check {path.name}' (atau sheet Petunjuk).")


@app.command()
def check(
    master: MasterArg,
    as_json: JsonOpt = False,
) -> None:
    """Periksa workbook induk: setiap masalah dengan sheet, sel dan cara memperbaikinya.

    Keluar dengan kode 1 bila ada kesalahan yang menghalangi langkah berikutnya.

    Contoh:

        kinerja check induk.xlsx
        kinerja check induk.xlsx --json
    """
    from kinerja.stages.check import check as check_master

    log_beside(master)
    loaded = check_master(master)
    if not as_json and loaded.master is not None:
        m = loaded.master
        console.print(f"{esc(m.settings.office.nama)} - {m.settings.period.label()}: "
                      f"{len(m.units)} unit, {len(m.indicators)} indikator, {len(m.sop.steps)} langkah SOP.")
    render_report(loaded.report, as_json)
    finish(loaded.report)


@sop_app.command("list")
def sop_list(as_json: JsonOpt = False) -> None:
    """Daftar SOP bawaan.

    Contoh:

        kinerja sop list
    """
    from kinerja.domain.sop import list_presets, load_preset

    rows = []
    for key in list_presets():
        s = load_preset(key)
        total = s.total_minutes_and_days()
        rows.append({"nama": key, "instansi": s.instansi, "langkah": len(s.steps),
                     "menit": total.menit, "hari": total.hari})
    if as_json:
        console.print_json(json.dumps(rows, ensure_ascii=False))
        return
    t = RichTable(title="SOP bawaan")
    for h in ("Nama", "Instansi", "Langkah", "Menit", "Hari"):
        t.add_column(h)
    for r in rows:
        t.add_row(plain(r["nama"]), plain(r["instansi"]), str(r["langkah"]), f"{r['menit']:g}", f"{r['hari']:g}")
    console.print(t)


@sop_app.command("show")
def sop_show(name: str = typer.Argument(..., metavar="NAMA", help="Nama SOP bawaan."),
             as_json: JsonOpt = False) -> None:
    """Tampilkan langkah-langkah satu SOP bawaan.

    Contoh:

        kinerja sop show muara_papalik
        kinerja sop show candipuro --json
    """
    from kinerja.domain.sop import load_preset, sop_summary_rows

    s = load_preset(name)
    if as_json:
        console.print_json(s.to_json())
        return
    console.print(f"[bold]{esc(s.header.nama)}[/bold] - {esc(s.instansi)}")
    t = RichTable()
    rows = sop_summary_rows(s)
    for h in rows[0].keys():
        t.add_column(h.capitalize(), overflow="fold")
    for r in rows:
        t.add_row(*[plain(v) for v in r.values()])
    console.print(t)
    total = s.total_minutes_and_days()
    console.print(f"Jumlah mutu baku: {total.menit:g} menit dan {total.hari:g} hari kerja.")


# ----------------------------------------------------------------------------------- forms (steps 1-4)


@app.command("forms")
def forms_cmd(
    master: MasterArg,
    out: Path | None = typer.Option(None, "--out", "-o", help="Folder formulir (bawaan: Folder Formulir di Pengaturan)."),
    putaran_baru: bool = typer.Option(False, "--putaran-baru", help="Buka putaran berikutnya (formulir perbaikan)."),
    force: bool = typer.Option(False, "--force", help="Timpa formulir putaran ini yang sudah ada."),
    oleh: OlehOpt = "",
    as_json: JsonOpt = False,
) -> None:
    """Buat formulir pengumpulan data kinerja satu file per unit, tanda terima dan lembar
    disposisi, lalu catat distribusinya di sheet Distribusi (langkah SOP 1-4).

    Contoh:

        kinerja forms induk.xlsx --out formulir
        kinerja forms induk.xlsx --putaran-baru --oleh "AGUS PRASETYO"
    """
    from kinerja.stages.forms import build_forms
    from kinerja.workbook.master import load_master

    hold(master)
    loaded = load_master(master)
    folder = folder_of(out, loaded, "formulir", master)
    outcome = build_forms(loaded, folder, new_round=putaran_baru, force=force, who=oleh)
    save(master, outcome.writes, outcome.files + outcome.documents, as_json, loaded)
    show(outcome, as_json)
    finish(outcome.report)


@app.command("tanda-terima")
def tanda_terima_cmd(
    master: MasterArg,
    out: Path | None = typer.Option(None, "--out", "-o", help="Folder tujuan (bawaan: Folder Formulir di Pengaturan)."),
    as_json: JsonOpt = False,
) -> None:
    """Buat ulang tanda terima formulir putaran terakhir dari sheet Distribusi.

    Contoh:

        kinerja tanda-terima induk.xlsx --out formulir
    """
    from kinerja.stages.forms import build_receipt
    from kinerja.workbook.master import load_master

    loaded = load_master(master)
    report = Report()
    folder = folder_of(out, loaded, "formulir", master)
    path = build_receipt(loaded, folder, report)
    if path is not None and not as_json:
        console.print(f"Dibuat: [bold]{esc(path)}[/bold]")
    render_report(report, as_json)
    finish(report)

# ----------------------------------------------------------------------------------- collect (steps 5-9)


@app.command("collect")
def collect_cmd(
    master: MasterArg,
    inbox: Path | None = typer.Argument(None, metavar="FOLDER", help="Folder formulir yang kembali (bawaan: Folder Formulir Masuk di Pengaturan)."),
    oleh: OlehOpt = "",
    as_json: JsonOpt = False,
) -> None:
    """Himpun formulir yang kembali dari unit: catat di sheet Penerimaan, isi sheet Data unit,
    susun Rekap dan Ringkasan, dan tulis temuan ke sheet Temuan Himpun (langkah SOP 5-9).

    File di folder formulir masuk tidak diubah. Keluar dengan kode 1 bila ada kesalahan.

    Contoh:

        kinerja collect induk.xlsx masuk
        kinerja collect induk.xlsx masuk --json
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from kinerja.stages.collect import collect

    loaded = load(master, as_json)
    folder = folder_of(inbox, loaded, "masuk", master)
    with Progress(TextColumn("Membaca formulir"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("{task.description}"), console=err, transient=True, disable=as_json) as bar:
        task = bar.add_task("", total=None)
        outcome = collect(loaded, folder, who=oleh,
                          progress=lambda n, total, name: bar.update(task, completed=n, total=total, description=name))
    if outcome.report.by_code("collect-before-forms"):
        render_report(outcome.report, as_json, title="Temuan Himpun")
        finish(outcome.report)
    save(master, outcome.writes, as_json=as_json, loaded=loaded)
    if not as_json:  # each file as logged in Penerimaan, then the summary
        t = RichTable(title=Text(f"Formulir diterima ({shown(str(folder))})"))
        for h in ("File", "Unit", "Putaran", "Status", "Terlambat", "Keterangan"):
            t.add_column(h, overflow="fold")
        for f in outcome.files:
            t.add_row(plain(f.file), plain(f.unit or "-"), str(f.putaran or "-"), f.status, f.late or "-",
                      plain(f.note))
        console.print(t)
    show(outcome, as_json, title="Temuan Himpun")
    finish(outcome.report)


@app.command("export")
def export_cmd(
    master: MasterArg,
    out: Path = typer.Option(..., "--out", "-o", help="File hasil (.csv, .json atau .xlsx menurut format)."),
    fmt: str = typer.Option("rekap", "--format", "-f",
                            help="rekap | csv-id | e81 | e81-bkerinci | e81-deliserdang | keyed | kode-periode"),
    ke_induk: bool = typer.Option(False, "--ke-induk",
                                  help="Dengan --format e81: isi juga sheet 'Form E.81' di workbook induk."),
) -> None:
    """Ekspor data periode untuk sistem lain. Format (rincian kolom: docs/FORMAT-EKSPOR.md):
    rekap (bawaan; .csv/.json/.xlsx menurut akhiran file), csv-id (CSV ';' dan koma desimal
    untuk Excel berbahasa Indonesia), e81 (Form E.81 Permendagri 86/2017 untuk Bappeda),
    e81-bkerinci dan e81-deliserdang (Form E.81 untuk aplikasi e-SAKIP yang mengimpornya),
    keyed (per kode indikator, unggahan triwulan), kode-periode (CSV kode, periode, nilai, catatan).

    Contoh:

        kinerja export induk.xlsx --out rekap-tw3.xlsx

        kinerja export induk.xlsx --format csv-id --out rekap-tw3.csv

        kinerja export induk.xlsx --format e81 --out E81-2026-TW3.xlsx

        kinerja export induk.xlsx --format e81 --out E81-2026-TW3.xlsx --ke-induk

        kinerja export induk.xlsx --format keyed --out capaian-tw3.xlsx
    """
    from kinerja.stages.e81 import e81_writes, renstra_of
    from kinerja.stages.export import export_rekap
    from kinerja.workbook import sheets as S

    if ke_induk and fmt != "e81":
        fail("--ke-induk hanya untuk --format e81.")
    loaded = load(master, write=ke_induk)
    renstra = renstra_of(loaded)
    try:
        path = export_rekap(loaded.master, out, fmt=fmt, renstra=renstra)
    except OSError as e:
        why = "tidak ada izin menulis di sana" if isinstance(e, PermissionError) else "file tidak dapat ditulis"
        fail(f"ekspor ke '{out}' gagal: {why}. Pilih folder lain atau tutup file itu bila sedang dibuka.")
    console.print(f"Diekspor ({fmt}): [bold]{esc(path)}[/bold] ({len(loaded.master.indicators)} indikator).")
    if ke_induk:
        save(master, e81_writes(loaded.master, renstra), loaded=loaded)
        console.print(f"Sheet '{S.FORM_E81.sheet}' di {Path(master).name} diperbarui.")
    if any(i.severity.value != "info" for i in loaded.report.issues):
        render_report(loaded.report)


# ----------------------------------------------------------------------------------- validate, review (10-11)


@app.command("validate")
def validate_cmd(
    master: MasterArg,
    as_json: JsonOpt = False,
) -> None:
    """Validasi rekap (langkah SOP 10): periksa setiap indikator dengan aturan di Pengaturan,
    tulis lembar Validasi untuk Sekretaris, dan tandai sel bermasalah di sheet Rekap dan Data unit.

    Keluar dengan kode 1 selama masih ada kesalahan yang menghalangi laporan.

    Contoh:

        kinerja validate induk.xlsx
        kinerja validate induk.xlsx --json
    """
    from datetime import datetime

    from kinerja.stages.validate import validate
    from kinerja.workbook.master import load_master

    hold(master)
    loaded = load_master(master)
    outcome = validate(loaded, datetime.now().replace(microsecond=0))
    save(master, outcome.writes, as_json=as_json, loaded=loaded)
    show(outcome, as_json, title="Validasi")
    finish(outcome.report)


@app.command("review")
def review_cmd(
    master: MasterArg,
    out: Path | None = typer.Option(None, "--out", "-o", help="Folder formulir perbaikan (bawaan: Folder Formulir di Pengaturan)."),
    oleh: OlehOpt = "",
    force: bool = typer.Option(False, "--force", help="Setujui unit walaupun masih ada kesalahan (dicatat di Riwayat)."),
    as_json: JsonOpt = False,
) -> None:
    """Jalankan keputusan Sekretaris di sheet Validasi (langkah SOP 11): unit yang diterima
    disetujui dan dikunci, unit yang dikembalikan mendapat formulir perbaikan putaran baru;
    bila semua unit disetujui, rekap diparaf. Semua tercatat di sheet Riwayat.

    Contoh:

        kinerja review induk.xlsx
        kinerja review induk.xlsx --out perbaikan --oleh "SITI RAHMAWATI, S.Sos"
    """
    from datetime import datetime

    from kinerja.stages.review import review

    loaded = load(master, as_json)
    folder = folder_of(out, loaded, "formulir", master)
    outcome = review(loaded, folder, who=oleh, now=datetime.now().replace(microsecond=0), force=force)
    save(master, outcome.writes, outcome.forms, as_json, loaded)
    show(outcome, as_json, title="Keputusan")
    finish(outcome.report)
# ----------------------------------------------------------------------------------- timing


@app.command("timing")
def timing_cmd(
    master: MasterArg,
    as_json: JsonOpt = False,
) -> None:
    """Hitung waktu setiap langkah SOP terhadap mutu baku (jam kerja) dan tulis sheet Waktu SOP.

    Langkah yang terlambat atau hampir terlambat ditandai warna dan dicantumkan dalam tabel.

    Contoh:

        kinerja timing induk.xlsx
        kinerja timing induk.xlsx --json
    """
    from datetime import datetime

    from kinerja.stages.timing import recompute

    loaded = load(master, as_json)
    outcome = recompute(loaded, datetime.now())
    save(master, outcome.writes, as_json=as_json, loaded=loaded)
    show(outcome, as_json, title="Waktu SOP terhadap Mutu Baku")
    finish(outcome.report)


@app.command("log")
def log_cmd(
    master: MasterArg,
    step: int = typer.Argument(..., metavar="LANGKAH", help="Nomor langkah SOP (lihat sheet Waktu SOP)."),
    start: bool = typer.Option(False, "--start", help="Catat waktu mulai langkah."),
    end: bool = typer.Option(False, "--end", help="Catat waktu selesai langkah."),
    at: str | None = typer.Option(None, "--at", help="Waktu 'dd/mm/yyyy hh.mm'; bawaan: sekarang."),
    oleh: OlehOpt = "",
) -> None:
    """Catat mulai atau selesai satu langkah SOP yang dikerjakan orang (disposisi, rapat, tanda tangan).

    Contoh:

        kinerja log induk.xlsx 1 --start --at "12/10/2026 08.00" --oleh "Camat"
        kinerja log induk.xlsx 1 --end
    """
    from datetime import datetime

    from kinerja.domain.workcal import format_waktu
    from kinerja.stages.timing import log_step, parse_waktu

    if not (start or end):
        fail("Pilih --start (mulai) atau --end (selesai).")
    now = datetime.now().replace(second=0, microsecond=0)
    moment = parse_waktu(at) if at else now
    loaded = load(master)
    writes = log_step(loaded, step, start=moment if start else None,
                      end=moment if end else None, who=oleh, now=max(now, moment))
    save(master, writes, loaded=loaded)
    what = " dan ".join(w for w, on in (("mulai", start), ("selesai", end)) if on)
    console.print(f"Langkah {step} dicatat {what} {format_waktu(moment)}. Sheet Waktu SOP diperbarui.")


@app.command("status")
def status_cmd(
    master: MasterArg,
    as_json: JsonOpt = False,
) -> None:
    """Tampilkan posisi SOP sekarang: langkah berjalan dan pelaksananya, formulir yang sudah dan
    belum kembali, temuan validasi terbuka, dan langkah yang melewati mutu baku.

    Contoh:

        kinerja status induk.xlsx
        kinerja status induk.xlsx --json
    """
    from datetime import datetime

    from kinerja.stages.status import sop_status

    outcome = sop_status(load(master, as_json, write=False), datetime.now())
    if as_json:
        console.print_json(json.dumps(outcome.to_dict(), ensure_ascii=False))
        return
    for line in outcome.summary_lines():
        console.print(plain(line))


# ----------------------------------------------------------------------------------- report, archive (12-14)


def _save_documents(master: Path, outcome, as_json: bool, documents: bool = True, loaded=None) -> None:
    """Apply a document stage's writes. When the master cannot be saved, new documents are
    removed (a letter number must never be in a file without being in the register)."""
    save(master, outcome.writes, outcome.files if documents else [], as_json, loaded)
    show(outcome, as_json)
    finish(outcome.report)


@app.command("report")
def report_cmd(
    master: MasterArg,
    out: Path | None = typer.Option(None, "--out", "-o", help="Folder dokumen (bawaan: Folder Laporan di Pengaturan)."),
    pdf: bool = typer.Option(False, "--pdf", help="Buat juga PDF (Word di Windows, atau LibreOffice)."),
    force: bool = typer.Option(False, "--force", help="Buat DRAF walaupun rekap belum disetujui."),
    oleh: OlehOpt = "",
    tahunan: bool = typer.Option(False, "--tahunan", help="Draf Laporan Kinerja tahunan (LKjIP) dari TW I-IV (pada workbook TW IV)."),
    tahun_lalu: Path | None = typer.Option(None, "--tahun-lalu", help="Workbook induk tahun lalu (TW IV) untuk perbandingan di Bab III."),
    as_json: JsonOpt = False,
) -> None:
    """Buat Laporan Data Capaian Kinerja dan Surat Pengantar bernomor untuk ditandatangani;
    dengan --tahunan (atau pada periode Tahunan) draf Laporan Kinerja tahunan (LKjIP).

    Rekap harus sudah disetujui Sekretaris; dengan --force dibuat DRAF (setiap halaman
    bertanda DRAF, surat tanpa nomor).

    Contoh:

        kinerja report induk.xlsx --out laporan --pdf
        kinerja report induk.xlsx --out laporan --force
        kinerja report induk-2026-TW4.xlsx --tahunan --pdf
        kinerja report induk-2026-TW4.xlsx --tahunan --tahun-lalu arsip-2025/2025-TW4
    """
    from kinerja.stages.annual import render_period_documents
    from kinerja.stages.period import resolve_master

    loaded = load(master, as_json)
    folder = folder_of(out, loaded, "laporan", master)
    previous = resolve_master(str(tahun_lalu.resolve()), master) if tahun_lalu else None
    if tahun_lalu and previous is None:
        fail(f"Workbook tahun lalu '{tahun_lalu}' tidak ditemukan.")
    _save_documents(master, render_period_documents(loaded, folder, annual=tahunan, pdf=pdf, force=force, who=oleh,
                                                    previous_year=previous), as_json, loaded=loaded)


@app.command("surat")
def surat_cmd(
    master: MasterArg,
    out: Path | None = typer.Option(None, "--out", "-o", help="Folder dokumen (bawaan: Folder Laporan di Pengaturan)."),
    pdf: bool = typer.Option(False, "--pdf", help="Buat juga PDF."),
    force: bool = typer.Option(False, "--force", help="Buat DRAF walaupun rekap belum disetujui."),
    oleh: OlehOpt = "",
    as_json: JsonOpt = False,
) -> None:
    """Buat Surat Pengantar kepada Bupati saja, dengan nomor berikutnya dari Register Surat.

    Contoh:

        kinerja surat induk.xlsx --out laporan
    """
    from kinerja.stages import documents

    loaded = load(master, as_json)
    folder = folder_of(out, loaded, "laporan", master)
    _save_documents(master, documents.render_report(loaded, folder, pdf=pdf, force=force, who=oleh,
                                                    documents=("surat",)), as_json, loaded=loaded)


@app.command("archive")
def archive_cmd(
    master: MasterArg,
    out: Path | None = typer.Option(None, "--out", "-o", help="Folder arsip (bawaan: Folder Arsip di Pengaturan)."),
    inbox: Path | None = typer.Option(None, "--inbox", help="Folder formulir masuk (bawaan: Folder Formulir Masuk)."),
    oleh: OlehOpt = "",
    as_json: JsonOpt = False,
) -> None:
    """Arsipkan periode berjalan: workbook induk, formulir masuk, dokumen laporan dan manifest
    (SHA-256 setiap file, waktu langkah SOP, persetujuan). Arsip yang ada tidak ditimpa.

    Contoh:

        kinerja archive induk.xlsx --out arsip
        kinerja archive induk.xlsx --out arsip --inbox masuk
    """
    from kinerja.stages.archive import archive_period

    loaded = load(master, as_json)
    folder = folder_of(out, loaded, "arsip", master)
    outcome = archive_period(loaded, folder, inbox=inbox, who=oleh)
    _save_documents(master, outcome, as_json, documents=False, loaded=loaded)


@app.command("new-period")
def new_period_cmd(
    master: MasterArg,
    out: Path | None = typer.Option(None, "--out", "-o", help="File workbook induk periode baru (bawaan: nama lama dengan kode periode baru)."),
    periode: str | None = typer.Option(None, "--periode", help="Periode baru, mis. 'Triwulan IV 2026' (bawaan: periode berikutnya)."),
    paksa: bool = typer.Option(False, "--paksa", help="Buat walau periode lama belum disetujui/diarsipkan (dicatat di Riwayat)."),
    ganti_kode: list[str] = typer.Option([], "--ganti-kode", help="Tahun baru: kode indikator diganti, LAMA=BARU (boleh berulang)."),
    pensiun: list[str] = typer.Option([], "--pensiun", help="Tahun baru: kode indikator yang tidak dipakai lagi (boleh berulang)."),
    oleh: OlehOpt = "",
    as_json: JsonOpt = False,
) -> None:
    """Buat workbook induk periode berikutnya: data instansi, unit, indikator, target dan realisasi
    triwulan sebelumnya (terkunci) dibawa; log periode dimulai kosong. Workbook lama tidak diubah.

    Contoh:

        kinerja new-period induk-tw3.xlsx --out induk-tw4.xlsx
        kinerja new-period induk-tw3.xlsx --out induk-tw4.xlsx --periode "Triwulan IV 2026"
        kinerja new-period induk-tw4.xlsx --out induk-2027-tw1.xlsx --ganti-kode PEM.03=PEM.03A --pensiun KESOS.05
        kinerja new-period induk-tw3.xlsx --out induk-tw4.xlsx --paksa
    """
    from kinerja.stages.period import new_period

    target = period_option(periode)
    renames = {}
    for item in ganti_kode:
        old, sep, new = item.partition("=")
        if not sep:
            fail(f"'--ganti-kode {item}': tulis LAMA=BARU, mis. PEM.03=PEM.03A")
        renames[old.strip()] = new.strip()
    if out is None:
        from kinerja.stages.period import default_out

        out = default_out(master, load(master, as_json, write=False).master.settings.period)
    outcome = new_period(master, out, period=target, force=paksa, renames=renames, retire=pensiun, who=oleh)
    show(outcome, as_json)
    raise typer.Exit(1 if outcome.path is None else 0)


# ----------------------------------------------------------------------------------- roll-up (Pemda)


@app.command("rollup")
def rollup_cmd(
    out: Path = typer.Argument(..., metavar="REKAP", help="Workbook rekap Pemda (.xlsx), dibuat atau diperbarui."),
    sources: list[Path] = typer.Argument(..., metavar="SUMBER", help="Workbook induk (.xlsx/.xlsm), folder berisi workbook induk, "
                                                   "atau folder arsip (kinerja archive)."),
    pemda: str | None = typer.Option(None, "--pemda", help="Pemerintah daerah (bawaan: sheet Pengaturan "
                                                              "workbook rekap, atau yang terbanyak di sumber)."),
    periode: str | None = typer.Option(None, "--periode", help="Kode periode, mis. 2026-TW3 (bawaan: sheet "
                                                                  "Pengaturan, atau yang terbanyak di sumber)."),
    ekspor: Path | None = typer.Option(None, "--ekspor", help="Juga tulis tabel unggah: .csv, .json atau .xlsx."),
    fmt: str = typer.Option("rekap", "--format", help="Format tabel unggah: rekap (menurut akhiran file) atau "
                                                      "csv-id (CSV untuk Excel berbahasa Indonesia)."),
    as_json: JsonOpt = False,
) -> None:
    """Rekap Pemda: satu workbook dari workbook induk setiap perangkat daerah (ringkasan per
    instansi, seluruh indikator, sasaran Pemda, grafik). Sumber dikenali dari isinya; workbook
    rekap yang sudah ada hanya diperbarui (daftar instansi, pengaturan dan skala tetap).

    Contoh:

        kinerja rollup rekap-pemda.xlsx induk-opd/
        kinerja rollup rekap-pemda.xlsx induk-opd/ arsip/ --periode 2026-TW3
        kinerja rollup rekap-pemda.xlsx induk-opd/ --ekspor unggah-pemda.csv
    """
    from kinerja.stages.rollup import make_rollup

    period_option(periode)  # a mistyped --periode is said here, before any file is read
    try:
        result = make_rollup(out, sources, pemerintah=pemda, periode=periode, export=ekspor, fmt=fmt)
    except (OSError, ValueError) as e:  # an ExportError (a ValueError) too, with the same prefix
        fail(f"Rekap Pemda gagal: {explain(e)}")
    show(result, as_json, title="Temuan Rekap Pemda")
    finish(result.report)


# ----------------------------------------------------------------------------------- excel
excel_app = typer.Typer(help="Persiapan Excel: pita 'Data Kinerja' lewat xlwings.", no_args_is_help=True)
app.add_typer(excel_app, name="excel")


@excel_app.command("setup")
def excel_setup_cmd(
    master: Path | None = typer.Argument(None, metavar="INDUK", help="Workbook induk .xlsm (opsional)."),
    interpreter: str | None = typer.Option(None, "--python", help="Python yang dipakai Excel (bawaan: yang ini)."),
    buat_xlsm: bool = typer.Option(False, "--buat-xlsm", help="Bila workbook .xlsx: buat .xlsm berpita dengan isi yang sama."),
) -> None:
    """Siapkan PC kantor: pengaturan xlwings, add-in xlwings, tanda 'dari internet' workbook, pemeriksaan.

    Workbook .xlsx ditolak (tidak punya tab pita); ditawarkan membuat .xlsm dengan isi yang sama.

    Contoh:

        kinerja excel setup induk_kinerja.xlsm
        kinerja excel setup induk.xlsx --buat-xlsm
    """
    from kinerja.excel.setup import excel_setup, make_xlsm

    outcome = excel_setup(master, interpreter=interpreter)
    for line in outcome.lines:
        console.print(line)
    for problem in outcome.problems:
        err.print(Text("Masalah: ", style="bold red") + plain(problem))
    offer = outcome.xlsm_offer
    if offer is not None and master is not None and not offer.exists() and (
            buat_xlsm or (sys.stdin.isatty() and typer.confirm(f"Buat {offer.name} sekarang?", default=True))):
        try:
            make_xlsm(master, offer)
        except (OSError, ValueError) as e:
            fail(f"{offer.name} tidak dapat dibuat: {explain(e)}")
        console.print(f"Dibuat: [bold]{esc(offer)}[/bold]. Jalankan lagi: kinerja excel setup {offer.name}")
    raise typer.Exit(0 if outcome.ok else 1)


@excel_app.command("doctor")
def excel_doctor_cmd(
    master: Path | None = typer.Argument(None, metavar="INDUK", help="Workbook induk .xlsm (opsional)."),
    laporan: Path | None = typer.Option(None, "--laporan", help="Tulis temuan ke file ini untuk dikirim."),
) -> None:
    """Periksa apa yang sering gagal di PC kantor: Python yang dijalankan Excel, xlwings dan add-in-nya,
    workbook (pita, VBA, nama file), Mark of the Web, Trusted Locations, pengaturan makro, PDF.

    Setiap temuan disertai perbaikannya. Keluar dengan kode 1 bila ada MASALAH.

    Contoh:

        kinerja excel doctor induk_kinerja.xlsm
        kinerja excel doctor induk_kinerja.xlsm --laporan laporan-excel.txt
    """
    from kinerja.excel.doctor import MASALAH, diagnose, report_text

    findings = diagnose(master)
    for f in findings:
        style = {"OK": "green", "MASALAH": "bold red", "PERHATIAN": "yellow"}.get(f.status, "cyan")
        console.print(f"[{style}]{f.status}[/] {f.topic}: {f.detail}", markup=True, highlight=False)
        if f.fix:
            console.print(f"    Perbaikan: {f.fix}", markup=False, highlight=False)
    if laporan is not None:
        laporan.write_text(report_text(findings, master), encoding="utf-8")
        console.print(f"Laporan ditulis: [bold]{laporan}[/bold] (kirim file ini ke yang membantu Anda).")
    raise typer.Exit(1 if any(f.status == MASALAH for f in findings) else 0)


@excel_app.command("paket")
def excel_paket_cmd(
    out: Path = typer.Option(..., "--out", "-o", help="Folder pasang yang dibuat (disalin ke PC kantor)."),
    sumber: Path | None = typer.Option(None, "--sumber", help="Folder sumber kinerja (pyproject.toml); bawaan: yang ini."),
) -> None:
    """Buat folder pasang tanpa internet untuk PC kantor Windows: wheel kinerja dan semua
    dependensinya (Windows 64-bit, Python 3.11-3.13), PASANG.bat dan PETUNJUK.pdf.

    Membuat folder ini memerlukan internet (indeks paket); memasang darinya tidak.

    Contoh:

        kinerja excel paket --out PAKET-KINERJA
    """
    from kinerja.excel.paket import build_paket

    try:
        out.mkdir(parents=True, exist_ok=True)
        log_beside(out / "paket")  # pip's own words, when it fails, in kinerja-galat.log there
        result = build_paket(out, sumber)
    except OSError as e:
        fail(explain(e))
    for line in result.lines:
        console.print(line)


@app.command()
def demo(out: Path = typer.Option(Path("demo-out"), "--out", "-o", help="Folder hasil demo.")) -> None:
    """Jalankan seluruh langkah yang tersedia pada kantor contoh (Kecamatan Sukamaju).

    Contoh:

        kinerja demo --out demo-out
    """
    from kinerja.sample.demo import run_demo

    for line in run_demo(out):
        console.print(line)


def main() -> None:
    """The `kinerja` command. A failure nobody foresaw is one Indonesian line on the screen (the
    traceback goes to kinerja-galat.log), never a Python traceback; the master is never left half
    written (saves are atomic)."""
    try:
        app()
    except Exception as e:  # noqa: BLE001 - the last door: every failure becomes a message
        import logging
        import traceback

        if "folder" not in _LOG:  # beside the workbook named on the command line, else here
            named = [Path(a) for a in sys.argv[1:] if Path(a).suffix.lower() in (".xlsx", ".xlsm")]
            log_beside(next((p for p in named if p.is_file()), Path.cwd() / "kinerja"))
        logging.getLogger("kinerja").error("%s", traceback.format_exc())
        where = _LOG["folder"] / "kinerja-galat.log" if "folder" in _LOG else "kinerja-galat.log"
        err.print(Text("Gagal: ", style="bold red") + plain(
            f"kesalahan tak terduga ({explain(e)}). Workbook induk tidak tersimpan setengah jadi: "
            f"perubahan langkah ini tersimpan utuh atau tidak sama sekali. Rincian teknis: {where}"))
        sys.exit(2)


if __name__ == "__main__":  # pragma: no cover
    main()
