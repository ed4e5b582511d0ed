"""The next period: carry a master into the next quarter (or year), and the chain of masters.

`new_period(old, out)` writes a new master beside the old one (the old file is only read):
a byte copy of the old master, then the parts that change are written through the same
writer every stage uses. It carries the office, officials, SOP, units, indicators, targets,
settings, predicate scale, office hours and days off (all untouched), the letter register
(numbers run on within a year; a new year starts again at 1 because numbers count per year),
and the approved values (sheet Nilai Disetujui, the record behind the locked history). The
unit sheets keep the realisasi of the year's earlier quarters, as approved; the current
quarter, explanation, evidence and budget are empty for the units to fill. Distribution,
receipts, collection findings, rekap, validation, review history, SOP timing and report log
start empty. The new master names its previous master (the archive folder when the period was
archived) in Pengaturan 'Workbook Induk Sebelumnya', so `kinerja check` can walk the chain.

It refuses when the old period is not approved or not archived, or the new period is not the
next one; `force` overrides and the new master's Riwayat says that it did.

A new year: the targets are cleared (the new Perjanjian Kinerja's targets are typed or pasted
into Indikator; `kinerja check` lists every indicator still without a target as an error),
indicators may be retired, renamed (an explicit old -> new code map, never guessed) or added
in Indikator, and the year's final realisasi per indicator is kept on the sheet 'Realisasi
Tahun Lalu' under the indicator's current code.
"""

from __future__ import annotations

import getpass
import json
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from kinerja.domain.capaian import achievement, period_realisasi
from kinerja.domain.models import ROMAN, Master, Period
from kinerja.domain.numbers import format_number
from kinerja.issues.catalogue import Report
from kinerja.stages.approval import Approval, approval_rows, approval_status, approved_units, approved_values
from kinerja.stages.validate import unvalidated_heading
from kinerja.workbook import sheets as S
from kinerja.workbook.description import WorkbookWrites
from kinerja.workbook.files import write_file
from kinerja.workbook.master import Loaded, load_master
from kinerja.workbook.printing import retitle
from kinerja.workbook.tables import read_table

KEGIATAN_PERIODE_BARU = "Periode baru"
FORCED_MARK = "DIPAKSA"
CARRIED_SOURCE = "disetujui periode sebelumnya"
ARCHIVE_LOG = "Manifest Arsip"  # archive.MANIFEST_DOCUMENT (archive imports report; kept light here)

# ----------------------------------------------------------------------------------- periods


def next_period(p: Period) -> Period:
    """TW I -> II -> III -> IV -> next year's TW I; S I -> S II -> next year's S I; a year -> the next."""
    if p.jenis == "tahunan":
        return Period(tahun=p.tahun + 1, jenis="tahunan")
    last = 4 if p.jenis == "triwulan" else 2
    if p.nomor == last:
        return Period(tahun=p.tahun + 1, jenis=p.jenis, nomor=1)
    return Period(tahun=p.tahun, jenis=p.jenis, nomor=(p.nomor or 0) + 1)


def follows(prev: Period, nxt: Period) -> bool:
    """Whether `nxt` comes right after `prev`: the next period of its kind, or a period of
    another kind that starts right after `prev` ends (TW II -> Semester II, TW IV -> Tahun is
    the year's annual report, which covers the same year)."""
    if nxt == next_period(prev):
        return True
    if nxt.jenis == "tahunan":
        return nxt.tahun == prev.tahun and prev.last_quarter == 4 or nxt.tahun == prev.tahun + 1 and prev.jenis == "tahunan"
    if prev.last_quarter == 4:
        return nxt.tahun == prev.tahun + 1 and nxt.quarters[0] == 1
    return nxt.tahun == prev.tahun and nxt.quarters[0] == prev.last_quarter + 1


_WORDS = {"triwulan": "triwulan", "tw": "triwulan", "semester": "semester", "s": "semester",
          "smt": "semester", "tahunan": "tahunan", "tahun": "tahunan", "th": "tahunan"}


def parse_period(text: str) -> Period:
    """'Triwulan IV 2026', 'TW 4 2026', 'Semester I 2027', 'Tahunan 2026', 'Tahun 2026', '2026-TW4'."""
    raw = " ".join(str(text or "").split())
    try:
        return Period.from_key(raw.upper())
    except ValueError:
        pass
    m = re.fullmatch(r"(?i)(triwulan|tw|semester|smt|s|tahunan|tahun|th)\s*([ivx]+|\d)?\s*(?:tahun\s*)?(\d{4})", raw)
    if not m:
        raise ValueError(f"periode '{text}' tidak dikenal; tulis mis. 'Triwulan IV 2026', 'Semester I 2027' "
                         "atau 'Tahunan 2026'")
    jenis = _WORDS[m.group(1).lower()]
    nomor = m.group(2)
    if nomor and not nomor.isdigit():
        if nomor.upper() not in ROMAN:
            raise ValueError(f"nomor periode '{nomor}' tidak dikenal")
        nomor = str(ROMAN.index(nomor.upper()) + 1)
    return Period(tahun=int(m.group(3)), jenis=jenis, nomor=int(nomor) if nomor else None)  # type: ignore[arg-type]


# ----------------------------------------------------------------------------------- state of a master


def is_archived(loaded: Loaded) -> bool:
    """The period's archive was made (its manifest is logged in Log Laporan)."""
    rows = read_table(loaded.rows.get(S.LOG_LAPORAN.sheet) or [], S.LOG_LAPORAN, Report()).rows
    return any(r.values.get("dokumen") == ARCHIVE_LOG for r in rows)


def archive_folder(loaded: Loaded) -> Path | None:
    """The period's archive folder, as logged (the folder holding the manifest)."""
    rows = read_table(loaded.rows.get(S.LOG_LAPORAN.sheet) or [], S.LOG_LAPORAN, Report()).rows
    for r in reversed(rows):
        if r.values.get("dokumen") == ARCHIVE_LOG and r.values.get("file"):
            p = Path(str(r.values["file"]))
            p = p if p.is_absolute() else loaded.path.parent / p
            return p.parent
    return None


def settings_cells(loaded: Loaded) -> dict[str, str]:
    """Setting key -> the cell holding its value on Pengaturan (for the settings present)."""
    from kinerja.workbook.master import _key_values

    rows = loaded.rows.get(S.SETTINGS_SHEET) or []
    return {k: cell for k, (_v, cell) in _key_values(rows, {s.key: s.label for s in S.SETTINGS}).items()}


def previous_reference(loaded: Loaded) -> str:
    """What Pengaturan 'Workbook Induk Sebelumnya' says (empty when not set)."""
    from kinerja.workbook.master import _key_values

    rows = loaded.rows.get(S.SETTINGS_SHEET) or []
    got = _key_values(rows, {"induk_sebelumnya": S.setting("induk_sebelumnya").label}).get("induk_sebelumnya")
    return str(got[0]).strip() if got and got[0] not in (None, "") else ""


def resolve_master(ref: str, base: Path) -> Path | None:
    """A master named by file, or by an archive folder (its manifest's 'workbook induk').

    A relative name is looked for from the master's folder, then from the folders above it: a
    master read from its archive copy (arsip/2026-TW3/induk/...) names its previous period as
    it was written beside the working master ('arsip/2026-TW2')."""
    p = Path(ref)
    if p.is_absolute():
        return _master_at(p)
    for folder in list(Path(base).resolve().parents)[:5]:
        found = _master_at(folder / p)
        if found is not None:
            return found
    return None


def _master_at(p: Path) -> Path | None:
    if p.is_dir():
        manifest = p / "manifest.json"
        if manifest.is_file():
            try:
                data = json.loads(manifest.read_text(encoding="utf-8"))
                for e in data.get("berkas", []):
                    if e.get("jenis") == "workbook induk":
                        return p / e["path"]
            except (OSError, ValueError, KeyError, TypeError):
                return None
        found = sorted(p.glob("induk/*.xls[xm]")) or sorted(p.glob("*.xls[xm]"))
        return found[0] if found else None
    return p if p.is_file() else None


# ----------------------------------------------------------------------------------- new period


@dataclass
class NewPeriodOutcome:
    report: Report = field(default_factory=Report)
    path: Path | None = None
    period: Period | None = None
    previous: Period | None = None
    forced: list[str] = field(default_factory=list)  # the refusals overridden (Indonesian)
    carried: int = 0  # realisasi values of earlier quarters carried into the unit sheets
    new_year: bool = False
    targets_missing: list[str] = field(default_factory=list)  # indicator codes (a new year)
    renamed: dict[str, str] = field(default_factory=dict)
    retired: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"file": str(self.path) if self.path else None,
                "periode": self.period.key() if self.period else None,
                "sebelumnya": self.previous.key() if self.previous else None,
                "dipaksa": self.forced, "realisasi_dibawa": self.carried,
                "target_belum_diisi": self.targets_missing, "kode_diganti": self.renamed,
                "pensiun": self.retired, "temuan": self.report.to_dict()}

    def summary_lines(self) -> list[str]:
        if self.path is None or self.period is None:
            return ["Workbook induk periode baru tidak dibuat."]
        lines = [f"Workbook induk {self.period.label()} dibuat: {self.path} ({self.carried} realisasi "
                 "triwulan sebelumnya dibawa, terkunci). Workbook lama tidak diubah."]
        if self.targets_missing:
            lines.append(f"Isi target {self.period.tahun} untuk {len(self.targets_missing)} indikator dari "
                         "Perjanjian Kinerja di sheet Indikator.")
        return lines


def new_period(old: Path, out: Path, *, period: Period | None = None, force: bool = False,
               renames: dict[str, str] | None = None, retire: list[str] | None = None,
               who: str = "", now: datetime | None = None) -> NewPeriodOutcome:
    """Write the master of the next period to `out` from the master `old` (never changed)."""
    res = NewPeriodOutcome()
    report = res.report
    old, out = Path(old), Path(out)
    now = (now or datetime.now()).replace(microsecond=0)
    who = who or getpass.getuser()
    loaded = load_master(old)
    m = loaded.master
    if m is None:
        report.extend(loaded.report.issues)
        return res
    prev = m.settings.period
    new = period or next_period(prev)
    res.period, res.previous = new, prev
    renames = {k.strip(): v.strip() for k, v in (renames or {}).items() if k.strip() and v.strip()}
    retire = [c.strip() for c in (retire or []) if c.strip()]
    new_year = new.tahun != prev.tahun
    res.new_year = new_year
    file = old.name

    # refusals: each names its reason; --paksa overrides and is recorded
    refusals: list[tuple[str, dict[str, Any], str]] = []
    approval = approval_status(loaded)
    if not approval.approved:
        refusals.append(("period-not-approved", {"period": prev.label(), "detail": approval.detail},
                         f"periode {prev.key()} belum disetujui ({approval.detail})"))
    if not is_archived(loaded):
        refusals.append(("period-not-archived", {"period": prev.label()}, f"periode {prev.key()} belum diarsipkan"))
    if not follows(prev, new) or (new.tahun, new.quarters[0]) <= (prev.tahun, prev.quarters[0]) and new.jenis != "tahunan":
        refusals.append(("period-not-next", {"period": new.label(), "previous": prev.label(),
                                             "expected": next_period(prev).label()},
                         f"{new.label()} bukan periode sesudah {prev.label()}"))
    for code, params, why in refusals:
        report.issue(code, file=file, sheet=S.RIWAYAT.sheet if code != "period-not-next" else S.SETTINGS_SHEET,
                     severity="warning" if force else None, **params)
        if force:
            res.forced.append(why)
    if renames and not new_year:
        report.issue("code-rename-within-year", file=file, sheet=S.INDIKATOR.sheet, period=new.label())
    for code in [*renames, *retire]:
        if m.indicator(code) is None:
            report.issue("indicator-code-unknown", file=file, sheet=S.INDIKATOR.sheet, value=code)
    taken = {i.kode for i in m.indicators} - set(renames)
    for a, b in renames.items():
        if b in taken:
            report.issue("indicator-code-taken", file=file, sheet=S.INDIKATOR.sheet, value=b, old=a)
    if out.exists():
        report.issue("new-master-exists", file=out.name)
    if out.resolve() == old.resolve():
        report.issue("new-master-exists", file=out.name)
    if report.blocking:
        return res
    if new_year:
        res.renamed, res.retired = dict(renames), list(retire)

    writes = _writes(loaded, approval, new, now, who, res, renames if new_year else {}, retire if new_year else [],
                     reference=_reference(loaded, out))
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="kinerja-periode-", dir=out.parent) as tmp:
        work = Path(tmp) / out.name
        shutil.copyfile(old, work)
        write_file(work, writes, backup=False)
        retitle(work, m.settings.office.nama, new.label())  # the pages' headers name the new period
        work.replace(out)
    res.path = out
    if res.targets_missing:
        for code in res.targets_missing:
            report.issue("target-missing", file=out.name, sheet=S.INDIKATOR.sheet, indicator=code, year=new.tahun)
    return res


def default_out(old: Path, period: Period) -> Path:
    """The new master's file beside the old one: the period key in the old name replaced
    ('induk-2026-TW3.xlsx' -> 'induk-2026-TW4.xlsx'), else added."""
    old, new = Path(old), next_period(period)
    stem = old.stem.replace(period.key(), new.key())
    if stem == old.stem:
        stem = f"{old.stem}-{new.key()}"
    return old.with_name(stem + old.suffix)


def _reference(loaded: Loaded, out: Path) -> str:
    """How the new master names its previous one: the archive folder when archived, else the
    old master's file; relative to the new master's folder when possible."""
    target = archive_folder(loaded) or loaded.path
    target = Path(target).resolve()
    try:
        return target.relative_to(Path(out).resolve().parent).as_posix()
    except ValueError:
        import os

        try:
            return Path(os.path.relpath(target, Path(out).resolve().parent)).as_posix()
        except ValueError:  # another drive on Windows
            return str(target)


def _writes(loaded: Loaded, approval: Approval, new: Period, now: datetime, who: str, res: NewPeriodOutcome,
            renames: dict[str, str], retire: list[str], reference: str) -> WorkbookWrites:
    m = loaded.master
    assert m is not None
    prev = m.settings.period
    w = WorkbookWrites()
    new_year = new.tahun != prev.tahun

    # Pengaturan: the period, no deadline yet, the previous master
    cells = settings_cells(loaded)
    st = w.sheet(S.SETTINGS_SHEET)
    labels = {s.key: s for s in S.SETTINGS}
    values = {"tahun": new.tahun, "jenis_periode": labels["jenis_periode"].choices[new.jenis],  # type: ignore[index]
              "nomor_periode": ROMAN[new.nomor - 1] if new.nomor else None, "batas_waktu": None,
              "induk_sebelumnya": reference}
    extra = len(loaded.rows.get(S.SETTINGS_SHEET) or []) + 1
    for key, value in values.items():
        if key in cells:
            st.cells[cells[key]] = value
        else:
            st.cells[f"A{extra}"], st.cells[f"B{extra}"] = labels[key].label, value
            extra += 1

    # approved values: the old period's approval recorded (masters approved before the record existed)
    units = approved_units(loaded)
    legacy = [r for u in approval.units if approval.approved and (prev.key(), u) not in units
              for r in approval_rows(m, u, approval.at or now, approval.by)]
    if legacy:
        nd = w.sheet(S.NILAI_DISETUJUI.sheet, S.NILAI_DISETUJUI)
        nd.append, nd.protect = legacy, True

    # which realisasi the unit sheets keep: the year's quarters before the new period, as approved
    keep = [q for q in range(1, 5) if not new_year and q < new.quarters[0]]
    if new.jenis == "tahunan" and not new_year:
        keep = [1, 2, 3, 4]
    approved = approved_values(loaded) if not legacy else {}
    for u in approval.units if legacy else ():
        for kode, vals in {r[2]: r[4:8] for r in legacy if r[1] == u}.items():
            for q in prev.quarters:
                approved.setdefault(kode, {})[q] = vals[q - 1]
    retired = set(retire)
    data_rows: dict[str, list[list[Any]]] = {}
    for ind in m.indicators:
        if ind.kode in retired:
            continue
        r = m.results.get(ind.kode)
        tw: list[float | None] = [None] * 4
        for q in keep:
            got = approved.get(ind.kode, {})  # the approved value, never a later edit
            tw[q - 1] = got[q] if q in got else (r.realisasi_tw[q - 1] if r else None)
            res.carried += tw[q - 1] is not None
        code = renames.get(ind.kode, ind.kode)
        targets = [None] * 5 if new_year else [ind.target_tahunan, *ind.target_tw]
        if new_year:
            res.targets_missing.append(code)
        data_rows.setdefault(ind.unit, []).append(
            [code, ind.nama, ind.satuan, *targets, *tw, None, None, None, None, None,
             CARRIED_SOURCE if any(v is not None for v in tw) else None])
    for unit in m.units:
        if unit.sheet_name not in loaded.sheets:
            continue
        sw = w.sheet(unit.sheet_name, S.unit_data_table(unit.sheet_name))
        sw.rows, sw.protect, sw.clear_marks = data_rows.get(unit.kode, []), False, True

    # Indikator: a new year's targets are cleared, codes renamed, retired indicators removed
    if new_year:
        ind_rows = read_table(loaded.rows.get(S.INDIKATOR.sheet) or [], S.INDIKATOR, Report()).rows
        raw = loaded.rows.get(S.INDIKATOR.sheet) or []
        kept = []
        for row in ind_rows:
            values_row = list(raw[row.number - 1]) + [None] * len(S.INDIKATOR.columns)
            values_row = values_row[:len(S.INDIKATOR.columns)]
            code = str(row.values.get("kode") or "").strip()
            if code in retired:
                continue
            values_row[S.INDIKATOR.index("kode") - 1] = renames.get(code, code) or values_row[0]
            for key in ("target_tahunan", "tw1", "tw2", "tw3", "tw4"):
                values_row[S.INDIKATOR.index(key) - 1] = None
            kept.append(values_row)
        w.sheet(S.INDIKATOR.sheet, S.INDIKATOR).rows = kept
        w.sheet(S.TAHUN_LALU.sheet, S.TAHUN_LALU).rows = last_year_rows(m, approved, renames, retired)

    # the logs of the period start empty
    for t in (S.DISTRIBUSI, S.PENERIMAAN, S.TEMUAN_HIMPUN, S.REKAP, S.RINGKASAN, S.VALIDASI, S.TEMUAN_VALIDASI,
              S.LOG_LAPORAN):
        sw = w.sheet(t.sheet, t)
        sw.rows, sw.clear_marks = [], True
    w.sheet(S.REKAP.sheet).cells["A2"] = "Belum divalidasi."
    unvalidated_heading(w.sheet(S.VALIDASI.sheet).cells, new.label())
    from kinerja.stages.timing import SUMMARY_COLUMNS

    waktu = w.sheet(S.WAKTU.sheet, S.WAKTU)
    waktu.rows, waktu.clear_marks = [[s.no, s.uraian, s.pelaksana, s.waktu_text()] for s in m.sop.steps], True
    old_waktu = len(loaded.rows.get(S.WAKTU.sheet) or [])
    for r in range(S.WAKTU.header_row + 1 + len(m.sop.steps), old_waktu + 12):
        for key in SUMMARY_COLUMNS:
            waktu.cells[f"{S.WAKTU.letter(key)}{r}"] = None
    note = (f"[{new.key()}] Dibuat dari {loaded.path.name} ({prev.label()}); sebelumnya: {reference}. "
            f"{res.carried} realisasi triwulan sebelumnya dibawa (terkunci).")
    if renames:
        note += " Kode diganti: " + ", ".join(f"{a} -> {b}" for a, b in renames.items()) + "."
    if retire:
        note += " Indikator tidak dipakai lagi: " + ", ".join(retire) + "."
    if res.forced:
        note += f" {FORCED_MARK}: " + "; ".join(res.forced) + "."
    w.sheet(S.RIWAYAT.sheet, S.RIWAYAT).rows = [[now, KEGIATAN_PERIODE_BARU, None, 1, who, note]]
    w.sheet(S.SETTINGS_SHEET).select = True
    return w


def last_year_rows(m: Master, approved: dict[str, dict[int, float | None]], renames: dict[str, str],
                   retired: set[str]) -> list[list[Any]]:
    """'Realisasi Tahun Lalu': per indicator of the closing year, its realisasi per quarter (as
    approved), the year's realisasi and capaian, under the code it has in the new year."""
    year = Period(tahun=m.settings.period.tahun, jenis="tahunan")
    rows = []
    for ind in m.indicators:
        if ind.kode in retired:
            continue
        r = m.results.get(ind.kode)
        tw = [approved.get(ind.kode, {}).get(q, r.realisasi_tw[q - 1] if r else None) for q in range(1, 5)]
        ach = achievement(ind, _result(ind.kode, tw), year, m.settings.rules, m.turun_formula(ind))
        rows.append([renames.get(ind.kode, ind.kode), ind.kode if ind.kode in renames else None, ind.unit,
                     ind.nama, ind.satuan, year.tahun, *tw, period_realisasi(ind, tw, year),
                     ind.target_tahunan, ach.capaian])
    return rows


def _result(kode: str, tw: list[float | None]):
    from kinerja.domain.models import Result

    return Result(indikator=kode, realisasi_tw=list(tw))


# ----------------------------------------------------------------------------------- targets, chain


def check_targets(loaded: Loaded, report: Report) -> None:
    """An indicator without any target (a new year before the Perjanjian Kinerja is typed in)."""
    m = loaded.master
    if m is None:
        return
    rows = {str(r.values.get("kode") or "").strip(): r.number
            for r in read_table(loaded.rows.get(S.INDIKATOR.sheet) or [], S.INDIKATOR, Report()).rows}
    for ind in m.indicators:
        if ind.target_tahunan is None and all(t is None for t in ind.target_tw):
            row = rows.get(ind.kode)
            report.issue("target-missing", file=loaded.path.name, sheet=S.INDIKATOR.sheet,
                         cell=f"{S.INDIKATOR.letter('target_tahunan')}{row}" if row else None,
                         indicator=ind.kode, unit=ind.unit, year=m.settings.period.tahun)


def check_chain(loaded: Loaded, report: Report, limit: int = 12) -> list[Loaded]:
    """Walk the chain of previous masters and check each link: the same office, consecutive
    periods, the previous period approved, and every value approved there unchanged here.
    Returns the previous masters found, newest first."""
    found: list[Loaded] = []
    current = loaded
    seen = {Path(loaded.path).resolve()}
    for _ in range(limit):
        ref = previous_reference(current)
        if not ref or current.master is None:
            break
        path = resolve_master(ref, current.path)
        if path is None:
            report.issue("chain-previous-missing", file=current.path.name, sheet=S.SETTINGS_SHEET,
                         value=ref)
            break
        if path.resolve() in seen:
            break
        seen.add(path.resolve())
        prev = load_master(path)
        if prev.master is None:
            report.issue("chain-previous-missing", file=current.path.name, sheet=S.SETTINGS_SHEET, value=ref)
            break
        _check_link(prev, current, report)
        found.append(prev)
        current = prev
    return found


def _check_link(prev: Loaded, cur: Loaded, report: Report) -> None:
    a, b = prev.master, cur.master
    assert a is not None and b is not None
    file = cur.path.name
    oa, ob = a.settings.office, b.settings.office
    if (oa.nama.strip().lower(), oa.pemerintah.strip().lower()) != (ob.nama.strip().lower(), ob.pemerintah.strip().lower()):
        report.issue("chain-office-mismatch", file=file, sheet=S.SETTINGS_SHEET, previous=prev.path.name,
                     value=f"{oa.nama} ({oa.pemerintah})", office=f"{ob.nama} ({ob.pemerintah})")
    pa, pb = a.settings.period, b.settings.period
    if not follows(pa, pb):
        report.issue("chain-period-gap", file=file, sheet=S.SETTINGS_SHEET, previous=prev.path.name,
                     value=pa.label(), period=pb.label())
    approval = approval_status(prev)
    if not approval.approved:
        report.issue("chain-previous-unapproved", file=file, previous=prev.path.name, period=pa.label(),
                     detail=approval.detail)
    if pa.tahun != pb.tahun:
        return
    # every value an approval in the previous master covered (its period and the year's earlier quarters)
    units = approved_units(prev)
    seen: set[tuple[str, int]] = set()
    for (key, _unit), u in sorted(units.items()):
        try:
            p = Period.from_key(key)
        except ValueError:
            continue
        if p.tahun != pb.tahun:
            continue
        for kode, vals in sorted(u.values.items()):
            res = b.results.get(kode)
            for q in range(1, p.last_quarter + 1):
                value, now = vals[q - 1], (res.realisasi_tw[q - 1] if res else None)
                if (kode, q) in seen or (pb.jenis != "tahunan" and q >= pb.quarters[0]):
                    continue
                if (value is None and now is None) or (value is not None and now is not None
                                                                 and abs(value - now) <= 1e-9 * max(1, abs(value))):
                    continue
                seen.add((kode, q))
                ind = b.indicator(kode)
                row = cur.unit_rows.get(ind.unit, {}).get(kode) if ind else None
                unit = b.unit(ind.unit) if ind else None
                report.issue("chain-value-changed", file=file, sheet=unit.sheet_name if unit else None,
                             cell=f"{S.unit_data_table('x').letter(f'r{q}')}{row}" if row else None,
                             indicator=kode, quarter=ROMAN[q - 1], previous=prev.path.name,
                             approved=_num(value), value=_num(now))
    for key, u in units.items():
        got = approved_units(cur).get(key)
        if got is None or got.values != u.values or got.digest != u.digest:
            report.issue("chain-record-missing", file=file, sheet=S.NILAI_DISETUJUI.sheet, unit=key[1],
                         period=key[0], previous=prev.path.name)


def _num(v: float | None) -> str:
    return "kosong" if v is None else format_number(v)


def forced_note(loaded: Loaded) -> str:
    """The override recorded when this master was made from an unapproved/unarchived period."""
    for r in read_table(loaded.rows.get(S.RIWAYAT.sheet) or [], S.RIWAYAT, Report()).rows:
        note = str(r.values.get("catatan") or "")
        if r.values.get("kegiatan") == KEGIATAN_PERIODE_BARU and FORCED_MARK in note:
            return note.split(FORCED_MARK + ":", 1)[1].strip()
    return ""
