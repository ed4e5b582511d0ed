"""SOP steps 5-9: collect the returned forms (menghimpun), land them in the master, consolidate.

`collect(loaded, inbox)` reads every file in the inbox (recursively; dot-files, the master
itself and its backups are not returns), recognises each form by its embedded identity, picks
one form per unit, reads its input cells and returns the writes for the master: the unit sheets
('Data <KODE>'), the received-returns log (Penerimaan), the collect findings (Temuan Himpun,
replaced each run and carried by the validation step), Rekap and Ringkasan, and the SOP timing.
Nothing in the inbox is changed.

Rules:
- One form per unit is used (Dipakai). Identical bytes sent twice: the copy is Duplikat. Two
  different forms of the same round: the newest wins, by the unit's own last-save time
  (docProps/core.xml `dcterms:modified`, ODS `dc:date`, the .xls summary), then by the
  filesystem modification time, then by file name; the other is Duplikat. A later round
  replaces an earlier one (Diganti). Forms of another office, period or unknown unit, and files
  that are not readable forms are Ditolak.
- Penerimaan keeps history: a row per (SHA-256, file); rows of files no longer in the inbox stay;
  a row already logged is updated in place, never appended twice. An earlier used form of a
  unit becomes Diganti/Duplikat when a new one is used; a form of a lower round than one used
  earlier is not used.
- Received time ('Diterima') is the file's modification time in the inbox, to the second (kept
  from the first time the file was logged). 'Terlambat' is working time past the deadline (the
  WorkCalendar of Jam Kerja and Libur Kantor): Settings.batas_waktu, or the Distribusi row's
  Batas Waktu of the form's round; the one rule and wording of kinerja.stages.deadlines.
- .xls and .ods returns are read with python-calamine, hidden identity sheet included
  (`file-old-format`: a warning for .xls, information for .ods). An .xls whose identity is absent
  (values copied into a new workbook) is refused with `file-old-format` as an error: its unit and
  period cannot be established; the unit must send the .xlsx form it was given.
- Only the period's quarters, penjelasan, bukti and realisasi anggaran are written; earlier
  quarters the form showed read-only are never overwritten. A cell the unit left empty (or typed
  something unreadable into) is written empty: the used form is the unit's statement. A column
  missing from the form leaves the master's values untouched.
- Rows are matched by indicator code; a value never lands on another indicator. When the
  form's indicator checksum differs from the master's and a row's name differs, its values are
  not used (`indicator-inconsistent`); when only targets/satuan differ, the values land and the
  issue is raised so the Sekretaris checks.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from time import perf_counter
from typing import Any

from openpyxl.utils import get_column_letter

from kinerja.domain import plausible
from kinerja.domain.models import UNIT_SHEET_PREFIX, Master, Period, Result, Unit
from kinerja.issues.catalogue import Issue, Report, Severity, issue_row, make_issue
from kinerja.stages import timing
from kinerja.stages.compare import ringkasan_block
from kinerja.stages.deadlines import file_lateness, unit_return_timing
from kinerja.stages.forms import distribution_log
from kinerja.stages.rekap import RekapRow, consolidate, rekap_writes
from kinerja.stages.returns import Limits, ReturnFile, as_int, plain, read_return, read_values
from kinerja.workbook import sheets as S
from kinerja.workbook.description import WorkbookWrites
from kinerja.workbook.files import backup_dir, gc_paused
from kinerja.workbook.formspec import indicator_checksum, input_keys
from kinerja.workbook.master import Loaded
from kinerja.workbook.tables import find_header, read_table

USED, DUPLICATE, REPLACED, REJECTED = "Dipakai", "Duplikat", "Diganti", "Ditolak"

Progress = Callable[[int, int, str], None]


@dataclass
class FileStatus:
    """One file of the inbox, as logged in Penerimaan."""

    file: str
    sha256: str
    size: int
    received: datetime | None
    unit: str | None = None
    form_id: str | None = None
    putaran: int | None = None
    status: str = REJECTED
    late: str = ""
    note: str = ""

    def row(self) -> list[Any]:
        return [self.received, self.file, self.sha256, self.size, self.unit, self.form_id,
                self.putaran, self.status, self.late, self.note]


@dataclass
class MissingUnit:
    unit: Unit
    late: str  # '' when not late (or no deadline)
    late_minutes: float = 0.0


@dataclass
class CollectOutcome:
    report: Report
    writes: WorkbookWrites
    files: list[FileStatus] = field(default_factory=list)
    returned: list[str] = field(default_factory=list)  # unit codes with a used form
    missing: list[MissingUnit] = field(default_factory=list)
    master: Master | None = None  # the master with the collected results
    landed: dict[str, dict[str, Any]] = field(default_factory=dict)  # indicator -> key -> value

    def summary(self) -> dict[str, Any]:
        """Plain data for `--json`: files with their status, units returned and missing."""
        return {
            "files": [{"file": f.file, "status": f.status, "unit": f.unit, "putaran": f.putaran,
                       "diterima": f.received.isoformat() if f.received else None,
                       "terlambat": f.late, "keterangan": f.note, "sha256": f.sha256} for f in self.files],
            "returned": self.returned,
            "missing": [{"unit": x.unit.kode, "nama": x.unit.nama, "kepala": x.unit.kepala,
                         "kontak": x.unit.kontak, "terlambat": x.late} for x in self.missing],
            "landed": len(self.landed),
        }

    def to_dict(self) -> dict[str, Any]:
        return {**self.summary(), **self.report.to_dict()}

    def summary_lines(self) -> list[str]:
        lines = [f"{len(self.returned)} unit dihimpun, nilai masuk {len(self.landed)} indikator; "
                 "Rekap dan Ringkasan diperbarui."]
        if self.missing:
            lines.append("Unit yang belum mengembalikan formulir:")
            lines += [f"  {x.unit.kode} - {x.unit.nama} (kepala: {x.unit.kepala or '-'}, kontak: "
                      f"{x.unit.kontak or '-'}): "
                      + (f"terlambat {x.late}" if x.late else "belum lewat batas waktu")
                      for x in self.missing]
        return lines


# ----------------------------------------------------------------------------------- collect


@gc_paused()
def collect(loaded: Loaded, inbox: Path, *, now: datetime | None = None, who: str = "",
            limits: Limits | None = None, progress: Progress | None = None,
            timings: dict[str, float] | None = None) -> CollectOutcome:
    """Read the returned forms in `inbox` and describe what to write into the master.
    `timings`, when given, receives the seconds spent per phase: read (the files), identify
    (which form counts for which unit), values (reading and checking the input cells), merge
    (into the master's results), writes (consolidation and what to write)."""
    now = now or datetime.now()
    lap = _Laps(timings)
    report = Report()
    out = CollectOutcome(report, WorkbookWrites())
    m = loaded.master
    if m is None:
        report.issue("workbook-unreadable", file=loaded.path.name,
                     detail="workbook induk belum valid; jalankan 'kinerja check' dan perbaiki dahulu")
        return out
    refused = _refusal(loaded)
    if refused is not None:
        report.add(refused)
        return out
    inbox = Path(inbox)
    paths: list[Path] = inbox_files(inbox, loaded.path) if inbox.is_dir() else []
    if inbox.is_dir() and not paths and not distribution_log(loaded):  # nothing handed out or returned
        report.issue("collect-before-forms", file=loaded.path.name, sheet=S.DISTRIBUSI.sheet)
        return out
    if not inbox.is_dir():
        report.issue("inbox-missing", folder=str(inbox))
    history = _history(loaded)
    parsed: dict[str, tuple[dict[str, dict[str, Any]], list[Issue], dict[str, dict[str, str]]]] = {}
    period = m.settings.period
    checksums: dict[str, str] = {}

    def digest(rf: ReturnFile) -> None:
        """The input values of a form of a known unit, read as soon as the file is: its sheet
        rows are then let go (a large inbox is never held whole). Which form counts is decided
        later; the issues of the form used are reported then, in the same order."""
        lap("read")
        unit = m.unit(rf.identity.unit.strip().upper()) if rf.identity and rf.table and not rf.fatal else None
        if unit is not None:
            inds = m.indicators_of(unit.kode)
            if unit.kode not in checksums:
                checksums[unit.kode] = indicator_checksum(inds)
            own = Report()
            differs = rf.identity.checksum != checksums[unit.kode]  # type: ignore[union-attr]
            cells: dict[str, dict[str, str]] = {}
            parsed[rf.name] = (read_values(rf, unit.kode, period, [i.kode for i in inds], own,
                                           {i.kode: i for i in inds} if differs else None, cells), own.issues, cells)
        rf.release()
        lap("values")

    reads = read_returns(paths, inbox, limits, progress, each=digest)
    lap("read")

    statuses, groups = _classify(reads, m, history, report)
    _lateness(loaded, list(statuses.values()))
    blank = {name for name, (values, *_) in parsed.items() if _blank(values)}
    winners = _choose(groups, history, report, blank, lambda unit: _realisasi_landed(m, unit))
    lap("identify")
    new_results = dict(m.results)
    per_file: dict[str | None, int] = {}
    for i in report.issues:
        if i.severity != Severity.info:
            per_file[i.location.file] = per_file.get(i.location.file, 0) + 1
    for unit_code, (rf, fs) in winners.items():
        values, issues, cells = parsed[rf.name]
        out.landed.update(values)
        for code, vals in values.items():
            new_results[code] = _merge(new_results.get(code), code, vals, m.settings.period)
        issues = issues + _plausibility(m, new_results, values, cells, rf, unit_code)
        report.extend(issues)
        found = per_file.get(rf.name, 0) + sum(1 for i in issues
                                               if i.location.file == rf.name and i.severity != Severity.info)
        fs.note = f"{len(values)} indikator terbaca" + (f"; {found} temuan" if found else "")
    lap("merge")
    updated = m.model_copy(update={"results": new_results})
    out.master = updated
    out.files = [statuses[rf.name] for rf in reads if rf.name in statuses]
    lap("merge")

    penerimaan = _penerimaan_rows(history, out.files)
    returned = {str(r[4]) for r in penerimaan if r[7] == USED and r[4]}
    out.returned = [u.kode for u in m.units if u.kode in returned]
    timings = {t.unit: t for t in unit_return_timing(loaded, {}, now)}
    for u in m.units:
        if u.kode not in returned:
            t = timings.get(u.kode)
            out.missing.append(MissingUnit(u, t.late_text() if t else "", t.late_minutes if t else 0.0))

    rows = consolidate(updated)
    w = out.writes
    _unit_sheet_writes(w, loaded, updated, rows, out.landed, report)
    w.sheet(S.PENERIMAAN.sheet, S.PENERIMAAN).rows = penerimaan
    w.sheet(S.TEMUAN_HIMPUN.sheet, S.TEMUAN_HIMPUN).rows = [issue_row(i) for i in report.issues]
    w.extend(rekap_writes(updated, rows))
    own = {r.indicator.kode: r.ach for r in rows}
    w.sheet(S.RINGKASAN.sheet).cells.update(ringkasan_block(loaded, updated, own))
    w.sheet(S.REKAP.sheet).select = True
    w.extend(timing.stamp_receiving(loaded, [(f.unit, f.putaran, f.received) for f in out.files
                                             if f.received is not None and f.status != REJECTED and f.unit],
                                    now=now, who=who or "kinerja"))
    w.extend(timing.stamp(loaded, "rekap", end=now, who=who or "kinerja"))
    lap("writes")
    return out


class _Laps:
    """Seconds per phase into `timings` (nothing when None)."""

    def __init__(self, timings: dict[str, float] | None) -> None:
        self.timings, self.last = timings, perf_counter()

    def __call__(self, phase: str) -> None:
        if self.timings is not None:
            now = perf_counter()
            self.timings[phase] = self.timings.get(phase, 0.0) + now - self.last
            self.last = now


def read_returns(paths: list[Path], inbox: Path, limits: Limits | None = None, progress: Progress | None = None,
                 each: Callable[[ReturnFile], None] | None = None) -> list[ReturnFile]:
    """Every file read (returns.read_return), in the order given; `each(rf)` is called for every
    file as soon as it is read. One file at a time: python-calamine parses without the
    interpreter lock, but reading a return is mostly Python (its package checked, its table
    found), and a thread reading ahead, during the master's load or beside this loop, made
    collect no faster (measured at 1,000 returns: a little slower; the load's own second
    thread takes that core, kinerja.workbook.master.SheetRows). Worker processes cost on two
    cores what they save (each starts an interpreter, and any other load takes the second
    core; see the README)."""
    limits = limits or Limits()
    total = len(paths)
    reads: list[ReturnFile] = []
    for path in paths:
        rf = read_return(path, inbox, limits)
        if progress:
            progress(len(reads), total, rf.path.name)
        if each is not None:
            each(rf)
        reads.append(rf)
    if progress:
        progress(total, total, "")
    return reads


def inbox_files(inbox: Path, master: Path | None = None) -> list[Path]:
    """The files to read: everything below the inbox except dot-files/folders, the master and
    its backup folder (when the inbox is the master's own folder). Links and other entries
    that are not regular files are listed too (read_return reports them as `file-link`);
    a linked folder is never entered."""
    root = inbox.resolve()
    skip: list[tuple[str, ...]] = []
    for p in ([Path(master), backup_dir(Path(master))] if master is not None else []):
        try:
            skip.append(p.resolve().relative_to(root).parts)
        except ValueError:
            pass
    out = []
    for folder, dirs, files in os.walk(inbox, followlinks=False):
        here = Path(folder)
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        linked = [d for d in dirs if os.path.islink(here / d)]  # listed, never entered
        dirs[:] = [d for d in dirs if d not in linked]
        for name in [*files, *linked]:
            p = here / name
            rel = p.relative_to(inbox).parts
            if any(part.startswith(".") for part in rel) or any(rel[:len(s)] == s for s in skip):
                continue
            out.append(p)
    return sorted(out, key=lambda p: p.relative_to(inbox).as_posix())


# ----------------------------------------------------------------------------------- classify


@dataclass
class _History:
    rows: list[list[Any]]  # canonical Penerimaan rows, in sheet order
    index: dict[tuple[str, str], int]  # (sha256, file) -> position in rows


def _history(loaded: Loaded) -> _History:
    raw = loaded.rows.get(S.PENERIMAAN.sheet) or []
    read = read_table(raw, S.PENERIMAAN, Report())
    keys = [c.key for c in S.PENERIMAAN.columns]
    rows: list[list[Any]] = []
    index: dict[tuple[str, str], int] = {}
    for r in read.rows:
        source = raw[r.number - 1]
        row = [source[read.columns[k]] if k in read.columns and read.columns[k] < len(source) else None
               for k in keys]
        row[0] = _second(r.values["diterima"]) or row[0]
        for k in ("ukuran", "putaran"):
            if r.values[k] is not None:
                row[keys.index(k)] = r.values[k]
        key = (str(r.values["sha256"] or ""), str(r.values["file"] or ""))
        index.setdefault(key, len(rows))
        rows.append(row)
    return _History(rows, index)


Candidate = tuple[ReturnFile, FileStatus]


def _classify(reads: list[ReturnFile], m: Master, history: _History,
              report: Report) -> tuple[dict[str, FileStatus], dict[str, list[Candidate]]]:
    """A FileStatus per file (lock files aside); the acceptable forms grouped by unit. Forms of
    another office, period or unknown unit, and unreadable files, are Ditolak."""
    office = plain(m.settings.office.nama)
    period = m.settings.period
    statuses: dict[str, FileStatus] = {}
    groups: dict[str, list[Candidate]] = {}
    for rf in reads:
        start = len(report.issues)
        report.extend(rf.issues)
        if rf.skipped:
            continue
        old = history.index.get((rf.sha256, rf.name))
        received = _second(history.rows[old][0]) if old is not None else None
        fs = FileStatus(rf.name, rf.sha256, rf.size, received or _second(rf.mtime))
        statuses[rf.name] = fs
        ident = rf.identity
        if ident is not None:
            fs.unit, fs.form_id, fs.putaran = ident.unit.strip().upper(), ident.form_id, ident.putaran
        where = dict(file=rf.name, unit=fs.unit)
        if rf.fatal or ident is None:
            pass
        elif plain(ident.instansi) != office:
            report.issue("form-other-office", value=ident.instansi, **where)
        elif ident.periode != period.key():
            report.issue("form-other-period", value=_period_label(ident.periode),
                         expected=period.label(), **where)
        elif m.unit(fs.unit or "") is None:
            report.issue("form-unknown-unit", value=ident.unit, **where)
        else:
            fs.status = USED
            groups.setdefault(fs.unit, []).append((rf, fs))  # type: ignore[arg-type]
            continue
        fs.status = REJECTED
        errors = [i for i in report.issues[start:] if i.severity == Severity.error]
        fs.note = errors[0].message if errors else ""
    return statuses, groups


def _choose(groups: dict[str, list[Candidate]], history: _History, report: Report,
            blank: frozenset[str] | set[str] = frozenset(),
            landed: Callable[[str], str] = lambda unit: "") -> dict[str, Candidate]:
    """One form per unit: identical copies are Duplikat, a later round replaces an earlier one,
    the newest of one round wins (see the module docstring). A form without a single value
    (`blank`, by file name) never replaces a filled one: neither a filled form beside it nor
    values of this period already in the master (`landed(unit)` says where, or '')."""
    winners: dict[str, Candidate] = {}
    for unit, group in groups.items():
        distinct: dict[str, Candidate] = {}
        for rf, fs in group:
            first = distinct.get(rf.sha256)
            if first is None:
                distinct[rf.sha256] = (rf, fs)
                continue
            _lose(fs, DUPLICATE, f"isi sama persis dengan '{first[0].name}'")
            report.issue("form-duplicate", file=rf.name, unit=unit, used=first[0].name)
        several = len(distinct) > 1  # the saved time is read from the file only when needed

        def rank(x: Candidate, several: bool = several) -> tuple:
            return (x[1].putaran or 1, (x[0].modified() if several else None) or datetime.min,
                    x[0].mtime or datetime.min, x[0].name)
        ranked = sorted(distinct.values(), key=lambda x: (x[0].name not in blank, rank(x)))
        rf, fs = ranked[-1]
        sheet = f"{UNIT_SHEET_PREFIX}{unit}"
        for other, ofs in ranked[:-1]:
            if other.name in blank and rf.name not in blank and rank((other, ofs)) > rank((rf, fs)):
                _lose(ofs, REJECTED, f"formulir kosong; tetap dipakai '{rf.name}'")
                report.issue("form-blank", file=other.name, unit=unit, other=f"'{rf.name}'", sheet=sheet)
                continue
            _supersede(other.name, ofs, fs.putaran or 1, rf.name, unit, report)
        where = landed(unit) if rf.name in blank else ""
        if where:
            _lose(fs, REJECTED, f"formulir kosong; nilai di {where} tetap dipakai")
            report.issue("form-blank", file=rf.name, unit=unit, other=where, sheet=sheet)
            continue
        current = {(f.sha256, f.file) for _, f in group}
        older = [r for key, pos in history.index.items() if key not in current
                 for r in [history.rows[pos]] if r[7] == USED and str(r[4] or "") == unit]
        top = max((as_int(r[6]) for r in older), default=0)
        if top > (fs.putaran or 1):
            _lose(fs, REPLACED, f"putaran {top} sudah dipakai sebelumnya")
            report.issue("form-superseded", file=rf.name, unit=unit, old_round=fs.putaran, round=top)
            continue
        for r in older:
            same = as_int(r[6]) == (fs.putaran or 1)
            r[7] = DUPLICATE if same else REPLACED
            r[9] = f"{'versi lama' if same else 'diganti putaran ' + str(fs.putaran)}: dipakai '{rf.name}'"
        winners[unit] = (rf, fs)
    return winners


def _blank(values: dict[str, dict[str, Any]]) -> bool:
    """A form without a single value typed (its indicator rows all empty, or none read)."""
    return not any(v is not None and v != "" for vals in values.values() for k, v in vals.items() if k != "sumber")


def _realisasi_landed(m: Master, unit: str) -> str:
    """Where this period's realisasi of a unit already holds values ("sheet 'Data PEM'"), or ''."""
    u = m.unit(unit)
    quarters = m.settings.period.quarters
    for ind in m.indicators_of(unit):
        res = m.results.get(ind.kode)
        if res is not None and any(res.realisasi_tw[q - 1] is not None for q in quarters):
            return f"sheet '{u.sheet_name if u else unit}'"
    return ""


def _refusal(loaded: Loaded) -> Issue | None:
    """Why collect must not run (a sheet or column it reads or writes is missing), or None."""
    m = loaded.master
    assert m is not None
    for i in loaded.report.issues:
        if i.code in ("sheet-missing", "header-missing") and i.location.sheet in (S.INDIKATOR.sheet, S.UNIT.sheet):
            what = (f"sheet '{i.location.sheet}'" if i.code == "sheet-missing"
                    else f"kolom '{i.params.get('column')}' di sheet '{i.location.sheet}'")
            return make_issue("collect-refused", file=loaded.path.name, sheet=i.location.sheet,
                              cell=i.location.cell, what=what, detail=f"{what} tidak ditemukan")
    keys = ["kode", *input_keys(m.settings.period), "capaian", "predikat", "sumber"]
    for unit in m.units:
        raw = loaded.rows.get(unit.sheet_name)
        if raw is None:
            continue  # a deleted unit sheet is made again whole
        table = S.unit_data_table(unit.sheet_name)
        idx, mapping, _ = find_header(raw, table)
        found = {c.key for c in mapping.values()}
        for key in keys:
            if key not in found:
                what = f"kolom '{table.col(key).header}' di sheet '{unit.sheet_name}'"
                row = idx + 1 if idx is not None else table.header_row
                return make_issue("collect-refused", file=loaded.path.name, sheet=unit.sheet_name,
                                  cell=f"{table.letter(key)}{row}", unit=unit.kode, what=what,
                                  detail=f"{what} tidak ditemukan (judul kolom diubah atau dihapus?)")
    return None


def _supersede(name: str, fs: FileStatus, round_: int, used: str, unit: str, report: Report) -> None:
    if (fs.putaran or 1) < round_:
        _lose(fs, REPLACED, f"diganti putaran {round_} ('{used}')")
        report.issue("form-superseded", file=name, unit=unit, old_round=fs.putaran, round=round_)
    else:
        _lose(fs, DUPLICATE, f"versi lebih lama dari '{used}'")
        report.issue("form-duplicate", file=name, unit=unit, used=used)


def _lose(fs: FileStatus, status: str, note: str) -> None:
    fs.status, fs.note = status, note


# ----------------------------------------------------------------------------------- values


def _merge(old: Result | None, code: str, vals: dict[str, Any], period: Period) -> Result:
    old = old or Result(indikator=code)
    tw = list(old.realisasi_tw)
    for q in period.quarters:
        if f"r{q}" in vals:
            tw[q - 1] = vals[f"r{q}"]
    fields: dict[str, Any] = {"penjelasan": old.penjelasan, "bukti": old.bukti,
                              "realisasi_anggaran": old.realisasi_anggaran}
    for key in fields:
        if key in vals:
            fields[key] = vals[key] if key == "realisasi_anggaran" else vals[key] or ""
    return Result(indikator=old.indikator, realisasi_tw=tw, **fields)


def _plausibility(m: Master, results: dict[str, Result], values: dict[str, dict[str, Any]],
                  cells: dict[str, dict[str, str]], rf: ReturnFile, unit: str) -> list[Issue]:
    """Numbers a unit typed that are valid but probably not the ones meant (plausible.check), at
    the form's cell: a power of ten off, a kumulatif quarter typed as the year-to-date total."""
    out: list[Issue] = []
    p, rules = m.settings.period, m.settings.rules
    sheet = rf.table.sheet if rf.table else None
    keys = [f"r{q}" for q in p.quarters]
    for code, vals in values.items():
        if not any(k in vals for k in keys):
            continue
        ind = m.indicator(code)
        if ind is None:
            continue
        notes = plausible.check(ind, results[code].realisasi_tw, p, rules, m.turun_formula(ind))
        for q, found in notes.items():
            if f"r{q}" not in vals:
                continue
            for issue_code, params in found:
                out.append(make_issue(issue_code, file=rf.name, sheet=sheet, cell=cells.get(code, {}).get(f"r{q}"),
                                      unit=unit, indicator=code, **params))
    return out


# ----------------------------------------------------------------------------------- writes


def _unit_sheet_writes(w: WorkbookWrites, loaded: Loaded, m: Master, rows: list[RekapRow],
                       landed_values: dict[str, dict[str, Any]], report: Report) -> None:
    """Landed values, sumber, capaian and predikat into each unit's 'Data <KODE>' sheet."""
    by_unit: dict[str, list[RekapRow]] = {}
    for r in rows:
        by_unit.setdefault(r.unit.kode, []).append(r)
    refs: dict[tuple[str, int], str] = {}  # 'K45' is the same cell name on every unit sheet: made once

    def ref(column: str, row: int) -> str:
        name = refs.get((column, row))
        if name is None:
            name = refs[(column, row)] = f"{column}{row}"
        return name
    for unit in m.units:
        table = S.unit_data_table(unit.sheet_name)
        members = by_unit.get(unit.kode, [])
        landed = any(r.indicator.kode in landed_values for r in members)
        raw = loaded.rows.get(unit.sheet_name)
        if raw is None:
            if landed:  # the sheet was deleted: create it whole
                w.sheet(unit.sheet_name, table).rows = [_full_row(r) for r in members]
            continue
        read = loaded.unit_tables.get(unit.kode)  # the header as loading found it
        if read is not None:
            idx = None if read.header_row is None else read.header_row - 1
            letters = {key: get_column_letter(j + 1) for key, j in read.columns.items()}
        else:
            idx, mapping, _ = find_header(raw, table)
            letters = {c.key: get_column_letter(j + 1) for j, c in mapping.items()}
        if idx is None or "kode" not in letters:
            if landed:
                report.issue("header-missing", file=loaded.path.name, sheet=unit.sheet_name,
                             unit=unit.kode, column="Kode")
            continue
        code_rows = loaded.unit_rows.get(unit.kode, {})
        free = max(len(raw), idx + 1) + 1
        cells = w.sheet(unit.sheet_name, table).cells
        for r in members:
            ind = r.indicator
            row = code_rows.get(ind.kode)
            if row is None:
                if not landed:
                    continue
                row, free = free, free + 1
                for key, value in zip(("kode", "nama", "satuan", "target_tahunan", "t1", "t2", "t3", "t4"),
                                      (ind.kode, ind.nama, ind.satuan, ind.target_tahunan, *ind.target_tw)):
                    if key in letters:
                        cells[ref(letters[key], row)] = value
            for key, value in landed_values.get(ind.kode, {}).items():
                if key in letters:
                    cells[ref(letters[key], row)] = value
            if "capaian" in letters:
                cells[ref(letters['capaian'], row)] = r.ach.capaian
            if "predikat" in letters:
                cells[ref(letters['predikat'], row)] = r.ach.predikat


def _full_row(r: RekapRow) -> list[Any]:
    ind, res = r.indicator, r.result
    rt = res.realisasi_tw if res else [None] * 4
    return [ind.kode, ind.nama, ind.satuan, ind.target_tahunan, *ind.target_tw, *rt,
            res.penjelasan if res else None, res.bukti if res else None,
            res.realisasi_anggaran if res else None,
            r.ach.capaian, r.ach.predikat, None]


def _penerimaan_rows(history: _History, files: list[FileStatus]) -> list[list[Any]]:
    rows = [list(r) for r in history.rows]
    for fs in files:
        pos = history.index.get((fs.sha256, fs.file))
        if pos is None:
            rows.append(fs.row())
        else:
            rows[pos] = fs.row()
    return rows


# ----------------------------------------------------------------------------------- helpers


def _lateness(loaded: Loaded, files: list[FileStatus]) -> None:
    """Each file's 'Terlambat' by the deadline of its round (kinerja.stages.deadlines); rejected
    files are not returns of this period: no deadline applies."""
    late = file_lateness(loaded, [(fs.unit or "", fs.putaran, None if fs.status == REJECTED else fs.received)
                                  for fs in files])
    for fs, text in zip(files, late, strict=True):
        if text is not None:
            fs.late = text


def _second(value: Any) -> datetime | None:
    """A datetime to the nearest second (Excel keeps serial days, not microseconds)."""
    if not isinstance(value, datetime):
        return None
    return (value + timedelta(microseconds=500_000)).replace(microsecond=0)


def _period_label(key: str) -> str:
    try:
        return Period.from_key(key).label()
    except ValueError:
        return key
