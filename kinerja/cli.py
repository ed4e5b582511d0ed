"""The command line: a thin door over the core. Each command parses, calls one function, renders."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table as RichTable

from kinerja.issues import Report, Severity

app = typer.Typer(
    help="kinerja: SOP Pengumpulan Data Kinerja dari satu workbook induk Excel.",
    no_args_is_help=True, rich_markup_mode="markdown", add_completion=False,
    pretty_exceptions_show_locals=False,
)
sop_app = typer.Typer(help="SOP bawaan (preset) dari lima instansi.", no_args_is_help=True)
app.add_typer(sop_app, name="sop")
console = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


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
    for i in report.sorted():
        t.add_row(f"[{SEVERITY_STYLE[i.severity.value]}]{i.severity.label}[/]", i.code,
                  i.location.text(), i.message, i.action)
    console.print(t)
    c = report.counts()
    console.print(f"Kesalahan: {c['error']}, Peringatan: {c['warning']}, Informasi: {c['info']}")


def finish(report: Report) -> None:
    """Exit 1 when the report holds a blocking issue."""
    raise typer.Exit(1 if report.blocking else 0)


def fail(message: str) -> None:
    err.print(f"[bold red]Gagal:[/bold red] {message}")
    raise typer.Exit(2)


# ----------------------------------------------------------------------------------- foundation


@app.command()
def init(
    master: Path = typer.Argument(..., help="File workbook induk yang dibuat (.xlsx atau .xlsm)."),
    preset: str = typer.Option("candipuro", "--preset", "-p", help="Nama SOP bawaan (lihat 'kinerja sop list')."),
    data: Optional[Path] = typer.Option(None, "--data", "-d", help="Folder data instansi (instansi.json, unit.csv, indikator.csv)."),
    force: bool = typer.Option(False, "--force", help="Timpa bila file sudah ada."),
) -> None:
    """Buat workbook induk baru dari SOP bawaan dan (bila ada) data instansi.

    Contoh:

        kinerja init induk.xlsx --preset candipuro --data sample_data/sukamaju
    """
    from kinerja.master import build_master, read_office_data
    from kinerja.sop import UnknownPresetError

    if master.exists() and not force:
        fail(f"File '{master}' sudah ada. Pakai --force untuk menimpa.")
    try:
        office = read_office_data(data) if data else None
        path = build_master(master, preset, office)
    except UnknownPresetError as e:
        fail(str(e))
    except (OSError, KeyError, ValueError) as e:
        fail(f"Data instansi tidak dapat dibaca: {e}")
    console.print(f"Workbook induk dibuat: [bold]{path}[/bold]")


@app.command()
def check(
    master: Path = typer.Argument(..., help="Workbook induk."),
    as_json: bool = typer.Option(False, "--json", help="Keluaran JSON."),
) -> None:
    """Periksa workbook induk: setiap masalah dengan sheet, sel dan cara memperbaikinya.

    Keluar dengan kode 1 bila ada kesalahan yang menghalangi langkah berikutnya.

    Contoh:

        kinerja check induk.xlsx
        kinerja check induk.xlsx --json
    """
    from kinerja.master import check as check_master

    loaded = check_master(master)
    if not as_json and loaded.master is not None:
        m = loaded.master
        console.print(f"{m.settings.office.nama} - {m.settings.period.label()}: "
                      f"{len(m.units)} unit, {len(m.indicators)} indikator, {len(m.sop.steps)} langkah SOP.")
    render_report(loaded.report, as_json)
    finish(loaded.report)


@sop_app.command("list")
def sop_list(as_json: bool = typer.Option(False, "--json", help="Keluaran JSON.")) -> None:
    """Daftar SOP bawaan.

    Contoh:

        kinerja sop list
    """
    from kinerja.sop import list_presets, load_preset

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
        t.add_row(r["nama"], r["instansi"], str(r["langkah"]), f"{r['menit']:g}", f"{r['hari']:g}")
    console.print(t)


@sop_app.command("show")
def sop_show(name: str = typer.Argument(..., help="Nama SOP bawaan."),
             as_json: bool = typer.Option(False, "--json", help="Keluaran JSON.")) -> None:
    """Tampilkan langkah-langkah satu SOP bawaan.

    Contoh:

        kinerja sop show muara_papalik
        kinerja sop show candipuro --json
    """
    from kinerja.sop import UnknownPresetError, load_preset, sop_summary_rows

    try:
        s = load_preset(name)
    except UnknownPresetError as e:
        fail(str(e))
    if as_json:
        console.print_json(s.to_json())
        return
    console.print(f"[bold]{s.header.nama}[/bold] - {s.instansi}")
    t = RichTable()
    rows = sop_summary_rows(s)
    for h in rows[0].keys():
        t.add_column(h.capitalize(), overflow="fold")
    for r in rows:
        t.add_row(*[str(v if v is not None else "") for v in r.values()])
    console.print(t)
    total = s.total_minutes_and_days()
    console.print(f"Jumlah mutu baku: {total.menit:g} menit dan {total.hari:g} hari kerja.")


# ----------------------------------------------------------------------------------- forms (steps 1-4)
# ----------------------------------------------------------------------------------- collect (steps 5-9)
# ----------------------------------------------------------------------------------- validate, review (10-11)
# ----------------------------------------------------------------------------------- timing
# ----------------------------------------------------------------------------------- report, archive (12-14)
# ----------------------------------------------------------------------------------- excel
excel_app = typer.Typer(help="Persiapan Excel: pita 'Data Kinerja' lewat xlwings.", no_args_is_help=True)
app.add_typer(excel_app, name="excel")


@app.command("build-workbook")
def build_workbook_cmd(
    out: Path = typer.Option(Path("workbook/induk_kinerja.xlsm"), "--out", "-o", help="File .xlsm yang dibuat."),
    preset: str = typer.Option("candipuro", "--preset", "-p", help="Nama SOP bawaan."),
    data: Optional[Path] = typer.Option(None, "--data", "-d", help="Folder data instansi."),
) -> None:
    """Buat workbook induk bermakro (.xlsm) dengan tab pita 'Data Kinerja' dan sheet Panel.

    Dua kali membangun dari sumber yang sama menghasilkan byte yang sama.

    Contoh:

        kinerja build-workbook --out workbook/induk_kinerja.xlsm --data sample_data/sukamaju
    """
    from kinerja.excel.build import build_workbook
    from kinerja.master import read_office_data
    from kinerja.sop import UnknownPresetError

    try:
        path = build_workbook(out, preset, read_office_data(data) if data else None)
    except UnknownPresetError as e:
        fail(str(e))
    except (OSError, KeyError, ValueError) as e:
        fail(str(e))
    console.print(f"Workbook induk bermakro dibuat: [bold]{path}[/bold]")


@excel_app.command("setup")
def excel_setup_cmd(
    master: Optional[Path] = typer.Argument(None, help="Workbook induk .xlsm (opsional)."),
    interpreter: Optional[str] = typer.Option(None, "--python", help="Python yang dipakai Excel (bawaan: yang ini)."),
) -> None:
    """Siapkan PC kantor: tulis pengaturan xlwings dan periksa kecocokan versi.

    Contoh:

        kinerja excel setup induk_kinerja.xlsm
    """
    from kinerja.excel.setup import excel_setup

    outcome = excel_setup(master, interpreter=interpreter)
    for line in outcome.lines:
        console.print(line)
    for problem in outcome.problems:
        err.print(f"[bold red]Masalah:[/bold red] {problem}")
    raise typer.Exit(0 if outcome.ok else 1)




@app.command()
def demo(out: Path = typer.Option(Path("demo-out"), "--out", "-o", help="Folder hasil demo.")) -> None:
    """Jalankan seluruh langkah yang tersedia pada kantor contoh (Kecamatan Sukamaju).

    Contoh:

        kinerja demo --out demo-out
    """
    from kinerja.demo import run_demo

    for line in run_demo(out):
        console.print(line)


def main() -> None:  # pragma: no cover
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
