"""The year's Laporan Kinerja (LKjIP, PermenPAN-RB 53/2014) as a Word draft, from the quarters.

`annual_data(loaded)` gathers the year from the approved masters: the master of TW IV (or of
the Tahunan period) and, through its chain ('Workbook Induk Sebelumnya'), the masters of TW I-III.
Each quarter's realisasi is taken from the approval of the quarter that reported it (sheet
Nilai Disetujui of that quarter's master; the carried record when a master is not found), the
units' explanations from each quarter's master, the budget from the latest quarter that
reported it. The year's realisasi and capaian are computed once with the same rules as every
quarter (capaian.achievement for the Tahunan period). Last year's values come from a
previous-year master when one is given, else from the sheet Realisasi Tahun Lalu.

`render_annual(loaded, out_dir)` writes the draft: Bab I Pendahuluan (tugas dan fungsi,
organisation = the units, isu strategis), Bab II Perencanaan Kinerja (the Perjanjian Kinerja:
sasaran, indicators, targets), Bab III Akuntabilitas Kinerja (per sasaran: target, realisasi,
capaian, last year, the Renstra end target; the units' explanations as the start of the
analysis; budget per program/kegiatan beside capaian; a trend chart per sasaran), Bab IV
Penutup. The paragraphs the office writes itself come from the sheet 'Teks LKjIP' (made by the
first run, one row per paragraph); an empty one is printed as a marked placeholder and listed
by `kinerja check` until filled. The document is made with python-docx, its tables and the units'
explanations written as XML text when it is saved (`kinerja.wordtables`: the same document, an
office of 50,000 indicators in seconds).
"""

from __future__ import annotations

import getpass
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from kinerja.domain.capaian import achievement, mean_capaian
from kinerja.domain.models import ROMAN, Indicator, Master, Period, Result
from kinerja.domain.numbers import format_number, format_percent
from kinerja.issues.catalogue import Report
from kinerja.issues.explain import explain
from kinerja.stages.approval import approval_status, approved_values
from kinerja.wordtables import SHADE, StreamedBlocks, WordParagraphs, WordTable, xml_text
from kinerja.workbook import sheets as S
from kinerja.workbook.description import WorkbookWrites
from kinerja.workbook.master import Loaded, load_master
from kinerja.workbook.tables import Column, Table, read_table

DOCUMENT = "Laporan Kinerja Tahunan (draf)"
PLACEHOLDER = "[DIISI KANTOR: {label}. Tulis pada sheet '{sheet}', baris '{label}'.]"

TEXT = Table("Teks LKjIP", "Teks Laporan Kinerja Tahunan yang Ditulis Kantor", (
    Column("bagian", "Bagian", width=46, input=False),
    Column("teks", "Teks", width=110),
), hint="Isi kolom Teks; baris yang kosong tercetak sebagai tempat isian bertanda di draf LKjIP dan "
        "dilaporkan oleh 'kinerja check' sampai diisi.")
FIXED_TEXT = (
    ("tugas_fungsi", "Bab I - Tugas dan Fungsi"),
    ("isu_strategis", "Bab I - Isu Strategis"),
    ("sistematika", "Bab I - Sistematika Penyajian"),
    ("kesimpulan", "Bab IV - Kesimpulan"),
    ("perbaikan", "Bab IV - Langkah Perbaikan ke Depan"),
)
ANALYSIS = "Bab III - Analisis Sasaran: "


# ----------------------------------------------------------------------------------- the year's data


@dataclass
class AnnualRow:
    ind: Indicator
    unit: str
    tw: list[float | None]  # realisasi per quarter, as approved
    target: float | None
    realisasi: float | None
    capaian: float | None
    predikat: str
    lalu: float | None = None  # last year's realisasi
    capaian_lalu: float | None = None
    renstra: float | None = None  # the Renstra end-of-period target
    tahun_renstra: int | None = None
    capaian_renstra: float | None = None
    penjelasan: list[tuple[int, str]] = field(default_factory=list)  # (quarter, text)
    anggaran: float | None = None  # realisasi anggaran (latest quarter reporting it)
    capaian_tw: list[float | None] = field(default_factory=lambda: [None] * 4)


@dataclass
class AnnualData:
    master: Master
    year: int
    rows: list[AnnualRow]
    quarters: dict[int, Path] = field(default_factory=dict)  # quarter -> the master it came from
    last_year_source: str = ""
    report: Report = field(default_factory=Report)


def _quarter_masters(loaded: Loaded, report: Report) -> dict[int, Loaded]:
    """The approved master of each quarter of the year, found through the chain."""
    from kinerja.stages.period import check_chain

    m = loaded.master
    assert m is not None
    year = m.settings.period.tahun
    out: dict[int, Loaded] = {}
    for got in [loaded, *check_chain(loaded, report)]:
        p = got.master.settings.period if got.master else None
        if p is None or p.tahun != year or p.jenis != "triwulan":
            continue
        out.setdefault(p.nomor, got)  # type: ignore[arg-type]
    return out


def _previous_year(path: Path | None, loaded: Loaded, year: int) -> tuple[dict[str, float | None], str]:
    """Last year's realisasi per indicator code: from a previous-year master, else the sheet
    Realisasi Tahun Lalu (codes renamed at the new year are already under their new code)."""
    if path is not None:
        prev = load_master(path)
        pm = prev.master
        if pm is not None:
            approved = approved_values(prev, year - 1)
            tahunan = Period(tahun=year - 1, jenis="tahunan")
            values = {}
            for ind in pm.indicators:
                r = pm.results.get(ind.kode)
                tw = [approved.get(ind.kode, {}).get(q, r.realisasi_tw[q - 1] if r else None) for q in range(1, 5)]
                values[ind.kode] = achievement(ind, Result(indikator=ind.kode, realisasi_tw=tw), tahunan,
                                               pm.settings.rules, pm.turun_formula(ind)).realisasi
            renamed = {}
            for r in read_table(loaded.rows.get(S.TAHUN_LALU.sheet) or [], S.TAHUN_LALU, Report()).rows:
                if r.values.get("kode_lama"):
                    renamed[str(r.values["kode"])] = str(r.values["kode_lama"])
            return {**values, **{new: values.get(old) for new, old in renamed.items()}}, Path(path).name
    rows = read_table(loaded.rows.get(S.TAHUN_LALU.sheet) or [], S.TAHUN_LALU, Report()).rows
    return ({str(r.values["kode"]): r.values.get("realisasi") for r in rows if r.values.get("kode")},
            S.TAHUN_LALU.sheet if rows else "")


def _renstra(loaded: Loaded) -> dict[str, tuple[float | None, int | None]]:
    if S.RENSTRA.sheet not in loaded.rows:
        return {}
    rows = read_table(loaded.rows[S.RENSTRA.sheet], S.RENSTRA, Report()).rows
    return {str(r.values["kode"]).strip(): (r.values.get("target_k"), r.values.get("tahun_akhir"))
            for r in rows if r.values.get("kode")}


def annual_data(loaded: Loaded, previous_year: Path | None = None) -> AnnualData:
    m = loaded.master
    assert m is not None
    report = Report()
    year = m.settings.period.tahun
    masters = _quarter_masters(loaded, report)
    carried = approved_values(loaded)
    by_quarter = {q: approved_values(got) for q, got in masters.items()}
    lalu, source = _previous_year(previous_year, loaded, year)
    renstra = _renstra(loaded)
    tahunan = Period(tahun=year, jenis="tahunan")
    rules = m.settings.rules
    rows = []
    for ind in m.indicators:
        r = m.results.get(ind.kode)
        tw: list[float | None] = []
        for q in range(1, 5):
            own = by_quarter.get(q, {}).get(ind.kode, {})
            if q in own:
                tw.append(own[q])
            elif q in carried.get(ind.kode, {}):
                tw.append(carried[ind.kode][q])
            else:
                tw.append(r.realisasi_tw[q - 1] if r else None)
        res = Result(indikator=ind.kode, realisasi_tw=tw)
        rumus = m.turun_formula(ind)
        ach = achievement(ind, res, tahunan, rules, rumus)
        row = AnnualRow(ind, ind.unit, tw, ach.target, ach.realisasi, ach.capaian, ach.predikat)
        row.capaian_tw = [achievement(ind, res, Period(tahun=year, jenis="triwulan", nomor=q), rules, rumus).capaian
                          for q in range(1, 5)]
        if ind.kode in lalu and lalu[ind.kode] is not None:
            row.lalu = lalu[ind.kode]
            row.capaian_lalu = _ratio(ind, rules, rumus, ach.target, row.lalu)
        if ind.kode in renstra and renstra[ind.kode][0] is not None:
            row.renstra, row.tahun_renstra = renstra[ind.kode]
            row.capaian_renstra = _ratio(ind, rules, rumus, row.renstra, ach.realisasi)
        for q, got in sorted(masters.items()):
            gr = got.master.results.get(ind.kode) if got.master else None
            if gr and gr.penjelasan:
                row.penjelasan.append((q, gr.penjelasan))
            if gr and gr.realisasi_anggaran is not None:
                row.anggaran = gr.realisasi_anggaran
        if not masters and r:
            row.penjelasan = [(m.settings.period.last_quarter, r.penjelasan)] if r.penjelasan else []
            row.anggaran = r.realisasi_anggaran
        rows.append(row)
    return AnnualData(m, year, rows, {q: got.path for q, got in masters.items()}, source, report)


def _ratio(ind: Indicator, rules, rumus, target: float | None, realisasi: float | None) -> float | None:
    from kinerja.domain.capaian import ratio

    if target is None or realisasi is None:
        return None
    return ratio(target, realisasi, ind.polaritas, rumus, rules)[0]


# ----------------------------------------------------------------------------------- office text


def text_rows(m: Master) -> list[tuple[str, str]]:
    """(key, label) of every paragraph the office writes: the fixed ones and one analysis per sasaran."""
    sasaran = list(dict.fromkeys(i.sasaran or "(tanpa sasaran)" for i in m.indicators))
    return [*FIXED_TEXT, *((f"analisis:{s}", ANALYSIS + s) for s in sasaran)]


def office_text(loaded: Loaded) -> tuple[dict[str, str], dict[str, int], bool]:
    """The office's paragraphs by label, their sheet rows, and whether the sheet exists."""
    if TEXT.sheet not in loaded.rows:
        return {}, {}, False
    rows = read_table(loaded.rows[TEXT.sheet], TEXT, Report()).rows
    return ({str(r.values["bagian"]).strip(): str(r.values.get("teks") or "").strip() for r in rows if r.values.get("bagian")},
            {str(r.values["bagian"]).strip(): r.number for r in rows if r.values.get("bagian")}, True)


def check_text(loaded: Loaded, report: Report) -> None:
    """Every paragraph of the annual report still unwritten (at TW IV, for a Tahunan master, or
    once the sheet exists)."""
    m = loaded.master
    if m is None:
        return
    texts, numbers, exists = office_text(loaded)
    if not exists and m.settings.period.last_quarter != 4:
        return
    for _key, label in text_rows(m):
        if not texts.get(label):
            n = numbers.get(label)
            report.issue("annual-text-missing", file=loaded.path.name, sheet=TEXT.sheet,
                         cell=f"B{n}" if n else None, value=label, year=m.settings.period.tahun)


def _text_writes(loaded: Loaded) -> WorkbookWrites:
    """The sheet Teks LKjIP with a row for every paragraph not yet listed (never overwriting text)."""
    w = WorkbookWrites()
    m = loaded.master
    assert m is not None
    texts, _numbers, exists = office_text(loaded)
    missing = [[label, None] for _k, label in text_rows(m) if label not in texts]
    if missing:
        sw = w.sheet(TEXT.sheet, TEXT)
        sw.append = missing
    return w


# ----------------------------------------------------------------------------------- the document


def render_period_documents(loaded: Loaded, out_dir: Path, *, annual: bool = False, pdf: bool = False,
                            force: bool = False, who: str = "", now: datetime | None = None,
                            previous_year: Path | None = None,
                            documents: tuple[str, ...] | None = None, annual_allowed: bool = True):
    """What 'kinerja report' and the ribbon's Buat Laporan make: on a Tahunan period (or when
    `annual` is asked) the annual draft (LKjIP), else the quarter's report and cover letter
    (`documents`: which of them; all by default). The cover letter alone (`annual_allowed`
    False) is always the quarter's."""
    from kinerja.stages.documents import DOCUMENTS, render_report

    m = loaded.master
    if annual or (annual_allowed and m is not None and m.settings.period.jenis == "tahunan"):
        return render_annual(loaded, out_dir, pdf=pdf, force=force, who=who, now=now, previous_year=previous_year)
    return render_report(loaded, out_dir, pdf=pdf, force=force, who=who, now=now,
                         documents=DOCUMENTS if documents is None else documents)


def render_annual(loaded: Loaded, out_dir: Path, *, pdf: bool = False, force: bool = False, who: str = "",
                  now: datetime | None = None, previous_year: Path | None = None):
    """Write the annual draft (Word, and PDF when asked) into `out_dir`."""
    from kinerja.stages.documents import ReportOutcome, relative_to_master, sha256_file, to_pdf

    out = ReportOutcome()
    m = loaded.master_or_report(out.report)
    if m is None:
        return out
    now = now or datetime.now()
    who = who or getpass.getuser()
    p = m.settings.period
    if p.last_quarter != 4:
        out.report.issue("annual-not-year-end", sheet=S.SETTINGS_SHEET, period=p.label())
        return out
    approval = approval_status(loaded)
    if not approval.approved and not force:
        out.report.issue("rekap-not-approved", sheet=S.RIWAYAT.sheet, detail=approval.detail)
        return out
    out.draf = True
    data = annual_data(loaded, previous_year)
    out.report.extend(data.report.issues)
    missing_q = [ROMAN[q - 1] for q in range(1, 5) if q not in data.quarters]
    if missing_q and p.jenis == "triwulan":
        out.report.issue("annual-quarter-master-missing", sheet=S.SETTINGS_SHEET, quarters=", ".join(missing_q))
    texts, _n, _e = office_text(loaded)
    out_dir = Path(out_dir)
    target = out_dir / f"LKjIP-{data.year}-DRAF.docx"
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        out.report.issue("report-write-failed", file=str(out_dir), detail=explain(e))
        return out
    with tempfile.TemporaryDirectory(prefix="kinerja-lkjip-") as tmp:
        charts = _trend_charts(data, Path(tmp))
        try:
            _document(data, texts, charts, target, loaded, now)
        except OSError as e:
            out.report.issue("report-write-failed", file=target.name, detail=explain(e))
            return out
    out.files = [target]
    if pdf:
        from kinerja.libreoffice import OfficeError

        try:
            out.files.append(to_pdf(target, out_dir))
        except OfficeError as e:
            out.report.issue("pdf-failed", file=target.name, detail=explain(e))
    w = out.writes
    w.extend(_text_writes(loaded))
    w.sheet(S.LOG_LAPORAN.sheet, S.LOG_LAPORAN).append = [
        [now, DOCUMENT + (" (PDF)" if f.suffix == ".pdf" else ""), relative_to_master(f, loaded.path),
         sha256_file(f), "DRAF", who] for f in out.files]
    for _key, label in text_rows(m):
        if not texts.get(label):
            out.report.issue("annual-text-missing", sheet=TEXT.sheet, value=label, year=data.year)
    return out


def _trend_charts(data: AnnualData, folder: Path) -> dict[str, Path]:
    """Per sasaran: the mean capaian of its indicators per quarter, as a small chart."""
    from kinerja.charts import trend_chart

    out = {}
    groups: dict[str, list[AnnualRow]] = {}
    for r in data.rows:
        groups.setdefault(r.ind.sasaran or "(tanpa sasaran)", []).append(r)
    for n, (name, rows) in enumerate(groups.items()):
        rules = data.master.settings.rules
        means = [mean_capaian([c for r in rows if (c := r.capaian_tw[q]) is not None], rules)
                 for q in range(4)]
        out[name] = trend_chart(name, means, folder / f"tren-{n}.png")
    return out


def _docx_table(doc, spec: WordTable) -> None:
    """`spec` built by python-docx, cell by cell: what `kinerja.wordtables` writes as text (kept
    to compare the two)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    headers, widths, size = spec.headers, spec.widths, spec.size
    t = doc.add_table(rows=1, cols=len(headers))
    t.style = "Table Grid"
    for j, h in enumerate(headers):
        cell = t.rows[0].cells[j]
        cell.text = ""
        run = cell.paragraphs[0].add_run(xml_text(h))
        run.bold, run.font.size = True, Pt(size)
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        shade = OxmlElement("w:shd")
        shade.set(qn("w:val"), "clear")
        shade.set(qn("w:fill"), SHADE)
        cell._tc.get_or_add_tcPr().append(shade)
    header = t.rows[0]._tr.get_or_add_trPr()
    rep = OxmlElement("w:tblHeader")
    rep.set(qn("w:val"), "true")
    header.append(rep)
    for values in spec.rows:
        cells = t.add_row().cells
        for j, v in enumerate(map(xml_text, values)):
            cells[j].text = ""
            run = cells[j].paragraphs[0].add_run(v)
            run.font.size = Pt(size)
            cells[j].paragraphs[0].paragraph_format.space_after = Pt(0)
            if j and v[:1].isdigit() or v in ("-",):
                cells[j].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    t.autofit = False
    for j, wd in enumerate(widths):
        t.columns[j].width = Cm(wd)
    for row in t.rows:
        for j, wd in enumerate(widths):
            row.cells[j].width = Cm(wd)


def _docx_para(doc, text: str = "", *, bold=False, size=None, center=False, italic=False, before=0, after=4):
    """A paragraph of the draft, by python-docx (`kinerja.wordtables.WordParagraphs` writes the
    same as text)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    p = doc.add_paragraph()
    if text:
        run = p.add_run(xml_text(text))
        run.bold, run.italic = bold, italic
        if size:
            run.font.size = Pt(size)
    if center:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    else:
        p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    p.paragraph_format.space_before, p.paragraph_format.space_after = Pt(before), Pt(after)
    return p


def _document(data: AnnualData, texts: dict[str, str], charts: dict[str, Path], path: Path, loaded: Loaded,
              now: datetime, *, stream: bool = True) -> Path:
    """The draft saved at `path`; its tables written as XML text at save (`stream` False: built
    by python-docx, the same document)."""
    from docx import Document
    from docx.enum.text import WD_BREAK, WD_COLOR_INDEX
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    m = data.master
    d = m.settings.rules.desimal
    office = m.settings.office
    doc = Document()
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Cm(21), Cm(29.7)
    sec.top_margin, sec.bottom_margin, sec.left_margin, sec.right_margin = Cm(2), Cm(2), Cm(2.5), Cm(2)
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = "Arial", Pt(11)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), "Arial")
    normal.paragraph_format.space_after = Pt(4)
    footer = sec.footer.paragraphs[0]
    footer.text = xml_text(f"DRAF LKjIP {office.nama} Tahun {data.year}")
    footer.runs[0].font.size = Pt(8)

    def para(text: str = "", *, bold=False, size=None, center=False, italic=False, before=0, after=4):
        return _docx_para(doc, text, bold=bold, size=size, center=center, italic=italic, before=before, after=after)

    def office_para(label: str) -> None:
        text = texts.get(label, "")
        if text:
            for chunk in text.split("\n"):
                para(chunk)
            return
        p = para()
        run = p.add_run(xml_text(PLACEHOLDER.format(label=label, sheet=TEXT.sheet)))
        run.italic = True
        run.font.highlight_color = WD_COLOR_INDEX.YELLOW

    def heading(text: str, level: int = 1) -> None:
        para(text, bold=True, size=13 if level == 1 else 11, center=level == 1, before=6 if level == 1 else 8,
             after=6)

    def page_break() -> None:
        doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    blocks = StreamedBlocks(doc)

    def table(headers: list[str], rows: Iterable[list[str]], widths: list[float], size: float = 8) -> None:
        spec = WordTable(headers, rows, widths, size)
        if stream:
            blocks.add(spec)
        else:
            _docx_table(doc, spec)
        para(after=2)

    def num(v: float | None) -> str:
        return format_number(v, d) if v is not None else "-"

    def pct(v: float | None) -> str:
        return format_percent(v, d) if v is not None else "-"

    # cover
    para("DRAF", bold=True, size=12, center=True, before=40)
    para("LAPORAN KINERJA INSTANSI PEMERINTAH", bold=True, size=18, center=True, before=60)
    para("(LKjIP)", bold=True, size=14, center=True)
    para(f"TAHUN {data.year}", bold=True, size=16, center=True, before=20)
    para(office.nama.upper(), bold=True, size=16, center=True, before=120)
    para(office.pemerintah.upper(), bold=True, size=13, center=True)
    para(office.alamat, size=10, center=True)
    para(f"Disusun dari data capaian kinerja triwulan I-IV yang disetujui; dibuat {now:%d/%m/%Y}.",
         italic=True, size=8, center=True, before=160)
    page_break()

    # Bab I
    heading("BAB I\nPENDAHULUAN")
    heading("1.1 Latar Belakang", 2)
    para(f"Laporan Kinerja Instansi Pemerintah (LKjIP) {office.nama} Tahun {data.year} disusun sebagai "
         "wujud pertanggungjawaban atas pelaksanaan tugas dan fungsi dalam rangka Sistem Akuntabilitas "
         "Kinerja Instansi Pemerintah (SAKIP), sesuai Peraturan Menteri PANRB Nomor 53 Tahun 2014. Data "
         "capaian kinerja dihimpun setiap triwulan dari seluruh unit kerja, divalidasi dan disetujui "
         "Sekretaris.")
    heading("1.2 Tugas dan Fungsi", 2)
    office_para("Bab I - Tugas dan Fungsi")
    heading("1.3 Struktur Organisasi", 2)
    para(f"{office.nama} terdiri atas unit kerja berikut:")
    table(["No", "Kode", "Unit Kerja", "Kepala Unit"],
          [[str(i), u.kode, u.nama, " ".join(x for x in (u.jabatan_kepala, u.kepala) if x) or "-"]
           for i, u in enumerate(m.units, 1)], [1, 2.2, 7, 6.3], size=9)
    heading("1.4 Isu Strategis", 2)
    office_para("Bab I - Isu Strategis")
    heading("1.5 Sistematika Penyajian", 2)
    office_para("Bab I - Sistematika Penyajian")
    page_break()

    # Bab II
    groups: dict[str, list[AnnualRow]] = {}
    for r in data.rows:
        groups.setdefault(r.ind.sasaran or "(tanpa sasaran)", []).append(r)
    heading("BAB II\nPERENCANAAN KINERJA")
    para(f"Perjanjian Kinerja Tahun {data.year} memuat {len(groups)} sasaran strategis dengan "
         f"{len(data.rows)} indikator kinerja dan target berikut.")

    def plan() -> Iterator[list[str]]:
        for n, (name, members) in enumerate(groups.items(), 1):
            for i, r in enumerate(members):
                yield [str(n) if i == 0 else "", name if i == 0 else "", r.ind.kode, r.ind.nama, r.ind.satuan,
                       num(r.target), *[num(t) for t in r.ind.target_tw]]

    table(["No", "Sasaran Strategis", "Kode", "Indikator Kinerja", "Satuan", "Target Tahunan",
           "TW I", "TW II", "TW III", "TW IV"], plan(), [0.7, 3.2, 1.6, 4.6, 1.4, 1.4, 0.9, 0.9, 0.9, 0.9], size=7)
    page_break()

    # Bab III
    heading("BAB III\nAKUNTABILITAS KINERJA")
    heading("3.1 Capaian Kinerja Organisasi", 2)
    counted = [r.capaian for r in data.rows if r.capaian is not None]
    mean = mean_capaian(counted, m.settings.rules)
    para(f"Dari {len(data.rows)} indikator kinerja, {len(counted)} dapat diukur capaiannya; rata-rata "
         f"capaian tahun {data.year} adalah {pct(mean)} ({m.settings.rules.predicate(mean)}). "
         + (f"Realisasi tahun lalu diambil dari {data.last_year_source}." if data.last_year_source
            else "Realisasi tahun lalu belum tersedia."))
    for n, (name, members) in enumerate(groups.items(), 1):
        heading(f"3.1.{n} Sasaran: {name}", 2)
        table(["Kode", "Indikator", "Satuan", "Target", "Realisasi", "Capaian", "Predikat",
               f"Realisasi {data.year - 1}", f"Capaian {data.year - 1}", "Target Akhir Renstra",
               "Capaian thd Renstra"],
              ([r.ind.kode, r.ind.nama, r.ind.satuan, num(r.target), num(r.realisasi), pct(r.capaian),
                r.predikat, num(r.lalu), pct(r.capaian_lalu),
                num(r.renstra) + (f" ({r.tahun_renstra})" if r.tahun_renstra else ""), pct(r.capaian_renstra)]
               for r in members), [1.5, 3.9, 1.2, 1.1, 1.2, 1.3, 1.4, 1.2, 1.3, 1.4, 1.3], size=7)
        para("Realisasi per triwulan (sebagaimana disetujui):", italic=True, size=9).paragraph_format.keep_with_next = True
        table(["Kode", "TW I", "TW II", "TW III", "TW IV", "Realisasi Tahunan"],
              ([r.ind.kode, *[num(v) for v in r.tw], num(r.realisasi)] for r in members),
              [2, 2.4, 2.4, 2.4, 2.4, 2.9], size=8)
        if name in charts:
            doc.add_picture(str(charts[name]), width=Cm(11))
            para("Grafik: rata-rata capaian indikator sasaran ini per triwulan.", italic=True, size=8, center=True)
        if any(r.penjelasan for r in members):
            para("Penjelasan unit kerja (bahan awal analisis):", bold=True, size=9)
            notes = (f"- {r.ind.kode} (TW {ROMAN[q - 1]}, {r.unit}): {t}" for r in members for q, t in r.penjelasan)
            if stream:
                blocks.add(WordParagraphs(notes, size=9, after=1))
            else:
                for note in notes:
                    para(note, size=9, after=1)
        para("Analisis:", bold=True, size=10, before=4)
        office_para(ANALYSIS + name)
    heading("3.2 Realisasi Anggaran", 2)
    budget: dict[tuple[str, str], list[AnnualRow]] = {}
    for r in data.rows:
        budget.setdefault((r.ind.program or "-", r.ind.kegiatan or "-"), []).append(r)
    brows = []
    for (program, kegiatan), members in budget.items():
        pagu = sum(r.ind.pagu or 0 for r in members) if any(r.ind.pagu for r in members) else None
        real = sum(r.anggaran or 0 for r in members) if any(r.anggaran is not None for r in members) else None
        caps = mean_capaian([r.capaian for r in members if r.capaian is not None], m.settings.rules)
        brows.append([program, kegiatan, num(pagu) if pagu is None else format_number(pagu, 0),
                      "-" if real is None else format_number(real, 0),
                      pct(real / pagu * 100 if pagu and real is not None else None),
                      pct(caps)])
    table(["Program", "Kegiatan", "Pagu (Rp)", "Realisasi (Rp)", "Serapan", "Rata-rata Capaian Kinerja"],
          brows, [3.6, 4.2, 2.4, 2.4, 1.6, 2.3], size=8)
    page_break()

    # Bab IV
    heading("BAB IV\nPENUTUP")
    heading("4.1 Kesimpulan", 2)
    office_para("Bab IV - Kesimpulan")
    heading("4.2 Langkah Perbaikan ke Depan", 2)
    office_para("Bab IV - Langkah Perbaikan ke Depan")
    kepala = m.settings.official("kepala")
    para(f"{office.tempat}, ............ {data.year + 1}", before=24)
    para(kepala.jabatan if kepala else "Kepala", bold=True)
    para(kepala.nama if kepala else "(nama)", bold=True, before=48)
    if kepala and kepala.nip:
        para(f"NIP. {kepala.nip_text}")
    tmp = path.with_name(f".~{path.name}")
    try:
        blocks.save(tmp)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    return path
