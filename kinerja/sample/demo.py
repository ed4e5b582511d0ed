"""`kinerja demo`: the whole SOP on the sample office (Kecamatan Sukamaju), step by step.

The demo plays every role: the planner runs the tool, the units type their realisasi into
their forms (with openpyxl, only into the input cells, as Excel users would), the Sekretaris
returns one unit and approves, the head signs. Times are set in October 2026 so the SOP
timeline reads as one quarter's work.
"""

from __future__ import annotations

import csv
import shutil
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from kinerja.sample.roles import accept_without_explanation, decide, fill_form, quarter_entry, set_mtime

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data" / "sukamaju"


def sample_dir() -> Path:
    """The sample office's data folder (in the repository beside the package)."""
    for candidate in (SAMPLE, Path.cwd() / "sample_data" / "sukamaju"):
        if (candidate / "instansi.json").exists():
            return candidate
    raise FileNotFoundError("Folder sample_data/sukamaju tidak ditemukan; jalankan dari folder proyek.")


def unit_entries(folder: Path | None = None) -> dict[str, dict[str, Any]]:
    """What each unit types for TW III (sample_data/sukamaju/isian_tw3.csv), by indicator code."""
    path = (folder or sample_dir()) / "isian_tw3.csv"
    out: dict[str, dict[str, Any]] = {}
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            values: dict[str, Any] = {"r3": float(row["r3"])}
            for key in ("penjelasan", "bukti"):
                if row[key]:
                    values[key] = row[key]
            if row["realisasi_anggaran"]:
                values["realisasi_anggaran"] = float(row["realisasi_anggaran"])
            out[row["kode"]] = values
    return out


def run_demo(out: Path, preset: str = "candipuro") -> Iterator[str]:
    from kinerja.stages.archive import archive_period
    from kinerja.stages.check import check
    from kinerja.stages.collect import collect
    from kinerja.stages.documents import preview_pages, render_report
    from kinerja.stages.forms import build_forms
    from kinerja.stages.review import review
    from kinerja.stages.status import sop_status
    from kinerja.stages.timing import log_step, recompute
    from kinerja.stages.validate import validate
    from kinerja.workbook import sheets as S
    from kinerja.workbook.files import write_file
    from kinerja.workbook.formspec import COLUMNS, FORM_SHEET, HEADER_ROW
    from kinerja.workbook.master import build_master, load_master, read_office_data

    out = Path(out)
    for sub in ("formulir", "masuk", "laporan", "pratinjau", "arsip", "cadangan"):
        shutil.rmtree(out / sub, ignore_errors=True)  # a demo starts afresh
    out.mkdir(parents=True, exist_ok=True)
    master = out / "induk_sukamaju.xlsx"
    master.unlink(missing_ok=True)

    def run(fn, *args, **kw):
        outcome = fn(load_master(master), *args, **kw)
        write_file(master, outcome.writes)
        return outcome

    # 1. the master workbook -----------------------------------------------------------------
    build_master(master, preset, read_office_data(sample_dir()))
    loaded = check(master)
    m = loaded.master
    assert m is not None, loaded.report.to_json()
    yield f"1. Workbook induk dibuat (kinerja init): {master}"
    yield (f"   {m.settings.office.nama}, {m.settings.period.label()}: {len(m.units)} unit, "
           f"{len(m.indicators)} indikator, SOP '{preset}' {len(m.sop.steps)} langkah.")
    camat, sekretaris = m.settings.officials["kepala"].nama, m.settings.officials["sekretaris"].nama
    perencana = m.settings.officials["perencana"].nama
    write_file(master, log_step(load_master(master), 1, start=datetime(2026, 10, 5, 8, 0),
                                end=datetime(2026, 10, 5, 8, 25), who=camat, now=datetime(2026, 10, 5, 8, 25)))

    # 2. forms and receipt (SOP steps 2-3) ------------------------------------------------------
    t = datetime(2026, 10, 5, 9, 0)
    forms = run(build_forms, out / "formulir", who=perencana, now=t)
    yield (f"2. Formulir dibuat (kinerja forms): {len(forms.files)} unit, putaran {forms.putaran}, "
           f"di {out / 'formulir'}")
    yield f"   Tanda terima: {forms.receipt.name}; lembar disposisi: {forms.disposisi.name}."
    signed = datetime(2026, 10, 5, 10, 15)  # the signed receipt is back: the hand-out is done
    write_file(master, log_step(load_master(master), 3, end=signed, who=perencana, now=signed))

    # 3. the units fill in their forms and send them back, as they do --------------------------
    inbox = out / "masuk"
    entries = unit_entries()
    by_unit = {i.unit: p for i, p in zip(forms.identities, forms.files)}
    returned = datetime(2026, 10, 7, 10, 0)
    for n, (unit, form) in enumerate(sorted(by_unit.items())):
        values = {k: v for k, v in entries.items() if k.startswith(unit + ".")}
        name = f"{unit.lower()}-tw3-isian.xlsx"  # units rename files; the content identifies them
        edit: Callable[[Any], None] | None = None
        if unit == "TRANTIB":  # typed as text, the Indonesian way
            values["TRANTIB.03"] = {**values["TRANTIB.03"], "r3": "24 kali"}
            values["TRANTIB.04"] = {**values["TRANTIB.04"], "r3": "1.0"}
        if unit == "YANUM":  # the unit renamed the sheet
            def edit(wb: Any) -> None:
                wb[FORM_SHEET].title = "Isian YANUM"
        dst = fill_form(form, inbox / name, values, edit)
        set_mtime(dst, returned + timedelta(hours=n))
    (inbox / "~$sek-tw3-isian.xlsx").write_bytes(b"\x00" * 165)  # an Excel lock file
    shutil.copy2(inbox / "sek-tw3-isian.xlsx", inbox / "sek-tw3-isian (1).xlsx")  # sent twice
    yield f"3. {len(by_unit)} formulir kembali di {inbox} (satu dikirim dua kali, satu file kunci Excel)."

    # 4. collect and consolidate (SOP steps 4: menghimpun, rekap) ------------------------------
    got = run(collect, inbox, now=datetime(2026, 10, 8, 9, 0), who=perencana)
    c = got.report.counts()
    yield (f"4. Dihimpun dan direkap (kinerja collect): {sum(1 for f in got.files if f.status == 'Dipakai')} "
           f"formulir dipakai; temuan: kesalahan {c['error']}, peringatan {c['warning']}, informasi {c['info']}.")

    # 5-7. validation, the Sekretaris' decisions, one revision round ---------------------------
    now = datetime(2026, 10, 12, 9, 0)
    v = run(validate, now)
    c = v.report.counts()
    yield (f"5. Validasi (kinerja validate): kesalahan {c['error']}, peringatan {c['warning']}, "
           f"informasi {c['info']}; sel bermasalah ditandai di Rekap dan sheet Data unit.")

    # The Sekretaris returns the unit with the most findings and every unit with an indicator
    # below target and no explanation; one small shortfall she accepts without one, recorded
    # in Pengaturan (the report states it).
    missing = {f.issue.location.unit for f in v.found if f.issue.code == "explanation-missing"}
    back = max(v.counts, key=lambda u: (v.counts[u]["error"], v.counts[u]["warning"]))
    waived = min((f for f in v.found if f.issue.code == "explanation-missing" and f.issue.location.unit != back),
                 key=lambda f: 100 - float(f.issue.value or 0), default=None)
    if waived is not None:
        missing.discard(waived.issue.location.unit)
        accept_without_explanation(master, [waived.issue.location.indicator or ""])
    returned = [u for u in v.counts if u == back or u in missing]
    decide(master, {u: "Kembalikan" if u in returned else "Terima" for u in v.counts},
           "Lengkapi penjelasan untuk capaian di bawah target.")
    r = run(review, out / "formulir", who=sekretaris, now=now + timedelta(hours=2))
    yield (f"6. Keputusan Sekretaris (kinerja review): disetujui {', '.join(r.approved)}; "
           f"dikembalikan {', '.join(r.returned)} dengan formulir perbaikan "
           f"{', '.join(f.name for f in r.forms)}.")
    if waived is not None:
        yield (f"   {waived.issue.location.indicator} ({waived.issue.params.get('capaian')}) diterima tanpa "
               "penjelasan; pengecualian dicatat di Pengaturan dan disebut di laporan.")
    later = datetime(2026, 10, 13, 10, 0)
    for form in r.forms:
        wb = load_workbook(form)
        ws = wb[FORM_SHEET]
        penjelasan = [k for k, _ in COLUMNS].index("penjelasan") + 1
        for row in range(HEADER_ROW + 1, ws.max_row + 1):
            if ws.cell(row, 2).value and not ws.cell(row, penjelasan).value:
                ws.cell(row, penjelasan, "Kegiatan bergeser ke triwulan IV; dikejar sesuai jadwal baru.")
        revised = inbox / form.name
        wb.save(revised)
        set_mtime(revised, later)
    run(collect, inbox, now=later + timedelta(minutes=30), who=perencana)
    v = run(validate, later + timedelta(hours=1))
    yield (f"   Perbaikan {', '.join(r.returned)} dihimpun ulang; validasi ulang: kesalahan "
           f"{v.report.counts()['error']}, peringatan "
           f"{sum(v.counts[u]['warning'] for u in r.returned)} untuk unit yang dikembalikan.")
    decide(master, {u: "Terima" for u in r.returned})
    r = run(review, out / "formulir", who=sekretaris, now=later + timedelta(hours=2))
    yield f"7. {r.approval.paraf_line()} Riwayat mencatat putaran 1 dan 2."

    # 8. steps people do, and the SOP timing ----------------------------------------------------
    human = [(7, datetime(2026, 10, 14, 8, 0), datetime(2026, 10, 15, 11, 0), sekretaris),  # koreksi
             (8, datetime(2026, 10, 15, 13, 0), datetime(2026, 10, 15, 13, 50), sekretaris),
             (9, datetime(2026, 10, 16, 8, 0), datetime(2026, 10, 16, 8, 30), camat)]  # 10 Menit: late
    for no, start, end, who in human:
        write_file(master, log_step(load_master(master), no, start=start, end=end, who=who, now=end))

    # 9. report, cover letter, PDF, pages to look at --------------------------------------------
    docs = run(render_report, out / "laporan", pdf=True, who=perencana, now=datetime(2026, 10, 16, 9, 0))
    state = "DRAF" if docs.draf else f"surat nomor {docs.nomor_surat}"
    yield f"8. Laporan dan surat pengantar (kinerja report --pdf, {state}): " + ", ".join(
        p.name for p in docs.files)
    for issue in docs.report.by_code("pdf-failed")[:1]:
        yield f"   Dilewati: {issue.message} {issue.action}"
    pdf = next((p for p in docs.files if p.suffix == ".pdf" and p.name.startswith("Laporan")), None)
    if pdf is not None:
        pages = preview_pages(pdf, out / "pratinjau")
        if pages:
            yield f"   Pratinjau untuk dilihat: {len(pages)} halaman PNG di {out / 'pratinjau'}"
        else:
            yield ("   Dilewati: gambar halaman (PNG) tidak dibuat karena pdftoppm tidak ditemukan; "
                   "pasang poppler-utils (sh scripts/pasang-debian.sh).")

    timing = run(recompute, datetime(2026, 10, 16, 10, 0))
    yield (f"9. Waktu SOP (kinerja timing): {len(timing.breaches)} langkah melewati atau hampir "
           f"melewati mutu baku (sheet '{S.WAKTU.sheet}').")
    for label, value in timing.summary.lines():
        yield f"   {label}" + (f": {value}" if value else "")

    # 10. archive ------------------------------------------------------------------------------
    arsip = run(archive_period, out / "arsip", who=perencana, now=datetime(2026, 10, 16, 11, 0))
    yield f"10. Arsip (kinerja archive): {len(arsip.files)} file dengan manifest.json di {arsip.folder}"
    for line in sop_status(load_master(master), datetime(2026, 10, 16, 11, 0)).summary_lines():
        yield f"    {line}"

    # 11. the next quarter: a new master, the whole round again ---------------------------------
    yield from _next_quarter(out, master, perencana, sekretaris)

    # 14. the Pemda's roll-up: this office's archive and a second office of the same Pemda -----
    yield from demo_rollup(out, arsip.folder)


def demo_rollup(out: Path, archive: Path | None) -> Iterator[str]:
    """A second office (another preset, generated data) runs its quarter to approval; the Pemda
    rolls both up: the sample office from its archive (through manifest.json), the other from its
    master. The summary sheet is turned into a page image to look at."""
    from kinerja.issues.explain import explain
    from kinerja.libreoffice import OfficeError, convert
    from kinerja.sample.offices import generated_office, run_to_approval
    from kinerja.stages.documents import preview_pages
    from kinerja.stages.rollup import make_rollup
    from kinerja.workbook.master import build_master

    other = out / "kantor-lain"
    shutil.rmtree(other, ignore_errors=True)
    master = other / "induk_mekarsari.xlsx"
    build_master(master, "mangkutana", generated_office("Kecamatan Mekarsari", units=4, indicators=24, seed=1))
    run = run_to_approval(master, other, start=datetime(2026, 10, 1, 9, 0), seed=1, late_units=1)
    yield (f"14. Kantor kedua (Kecamatan Mekarsari, SOP 'mangkutana'): triwulan dijalankan sampai disetujui; "
           f"{run.approval.paraf_line()}")
    rekap = out / "rekap-pemda.xlsx"
    rekap.unlink(missing_ok=True)
    sources = [p for p in (archive, master) if p is not None]
    result = make_rollup(rekap, sources, now=datetime(2026, 10, 20, 9, 0), export=out / "rekap-pemda.csv")
    p = result.period
    yield (f"    Rekap Pemda (kinerja rollup): {rekap} - {result.inputs.pemerintah}, "
           f"{p.label() if p else result.inputs.periode}, {len(result.offices)} instansi")
    for o in result.offices:
        t = o.total
        avg = "-" if t is None or t.rata_rata is None else f"{t.rata_rata:.2f}%".replace(".", ",")
        yield f"    {o.office} ({o.source.kind}): {o.status}, {t.jumlah if t else 0} indikator, rata-rata capaian {avg}"
    yield f"    Tabel unggah: {result.export}"
    try:
        pdf = convert(rekap, "pdf", out / "pratinjau")
    except (OfficeError, OSError) as e:
        yield f"    Dilewati: PDF rekap Pemda tidak dibuat ({explain(e)})."
        return
    pages = preview_pages(pdf, out / "pratinjau", dpi=80)
    if pages:
        yield f"    Pratinjau rekap Pemda: {len(pages)} halaman PNG di {out / 'pratinjau'} (halaman 1: Ringkasan Instansi)"


def _next_quarter(out: Path, tw3: Path, perencana: str, sekretaris: str) -> Iterator[str]:
    """TW IV from the approved, archived TW III: new-period, forms, returns, collect, validate,
    review, report, archive; then the year's Laporan Kinerja draft."""
    from kinerja.stages.annual import render_annual
    from kinerja.stages.archive import archive_period
    from kinerja.stages.collect import collect
    from kinerja.stages.documents import preview_pages, render_report
    from kinerja.stages.forms import build_forms
    from kinerja.stages.period import new_period
    from kinerja.stages.review import review
    from kinerja.stages.validate import validate
    from kinerja.workbook.files import write_file
    from kinerja.workbook.master import load_master

    master = out / "induk_sukamaju-2026-TW4.xlsx"
    master.unlink(missing_ok=True)
    for sub in ("tw4", "pratinjau-tahunan"):
        shutil.rmtree(out / sub, ignore_errors=True)
    made = new_period(tw3, master, who=perencana, now=datetime(2027, 1, 4, 8, 0))
    if made.path is None or made.period is None:
        yield "11. Periode baru tidak dibuat: " + "; ".join(i.message for i in made.report.issues)
        return
    yield (f"11. Periode baru (kinerja new-period): {master.name}, {made.period.label()}; "
           f"{made.carried} realisasi TW I-III dibawa dan terkunci; workbook TW III tidak diubah.")

    def run(fn, *args, **kw):
        outcome = fn(load_master(master), *args, **kw)
        write_file(master, outcome.writes)
        return outcome

    t = datetime(2027, 1, 5, 8, 0)
    forms = run(build_forms, out / "tw4" / "formulir", who=perencana, now=t, deadline=datetime(2027, 1, 8, 16, 0))
    m = load_master(master).master
    assert m is not None  # the master new_period just wrote
    for n, (ident, path) in enumerate(zip(forms.identities, forms.files)):
        values = {i.kode: quarter_entry(i, 4) for i in m.indicators_of(ident.unit)}
        set_mtime(fill_form(path, out / "tw4" / "masuk" / path.name, values), datetime(2027, 1, 7, 9 + n, 0))
    got = run(collect, out / "tw4" / "masuk", now=datetime(2027, 1, 8, 9, 0), who=perencana)
    v = run(validate, datetime(2027, 1, 11, 9, 0))
    decide(master, {u: "Terima" for u in v.counts})
    r = run(review, out / "tw4" / "formulir", who=sekretaris, now=datetime(2027, 1, 11, 11, 0))
    yield (f"12. TW IV: {len(forms.files)} formulir (TW I-III terisi, terkunci), {len(got.returned)} kembali, "
           f"validasi: kesalahan {v.report.counts()['error']}; {r.approval.paraf_line()}")
    docs = run(render_report, out / "tw4" / "laporan", pdf=True, who=perencana, now=datetime(2027, 1, 12, 9, 0))
    yield f"    Laporan TW IV: {', '.join(p.name for p in docs.files)}" + (
        f" (surat nomor {docs.nomor_surat})" if docs.nomor_surat else "")
    run(archive_period, out / "arsip", inbox=out / "tw4" / "masuk", who=perencana, now=datetime(2027, 1, 12, 11, 0))
    annual = run(render_annual, out / "tw4" / "laporan", pdf=True, who=perencana, now=datetime(2027, 1, 20, 9, 0))
    yield (f"13. Draf Laporan Kinerja tahunan (kinerja report --tahunan): {', '.join(p.name for p in annual.files)}; "
           f"{len(annual.report.by_code('annual-text-missing'))} bagian ditulis kantor (sheet 'Teks LKjIP', "
           "ditandai kuning di draf, didaftar oleh kinerja check).")
    for issue in annual.report.by_code("annual-quarter-master-missing"):
        yield f"    {issue.message}"
    pdf = next((p for p in annual.files if p.suffix == ".pdf"), None)
    if pdf is None:
        for issue in annual.report.by_code("pdf-failed")[:1]:
            yield f"    Dilewati: {issue.message} {issue.action}"
    else:
        pages = preview_pages(pdf, out / "pratinjau-tahunan")
        if pages:
            yield f"    Pratinjau draf tahunan: {len(pages)} halaman PNG di {out / 'pratinjau-tahunan'}"
