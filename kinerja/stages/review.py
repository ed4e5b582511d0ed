"""SOP step 11: the Sekretaris' decisions on the validated rekap (approve, or return for revision).

State lives in the master, never in this module: the Riwayat sheet records every decision
(who, when, round, note) and is the source of truth for `approval_status` (kinerja.stages.approval,
which every stage reads); the Validasi sheet holds the decisions still to be acted on.

- Approving a unit writes a Riwayat row 'Unit disetujui' carrying a fingerprint of the unit's
  data ("Sidik data: ..."), records the approved values on the 'Nilai Disetujui' sheet, sets the unit's Rekap status to 'Disetujui' and locks the unit's
  sheet (sheet protection without a password: it stops accidental typing, Excel shows "sel
  dilindungi"; a deliberate correction needs Review > Unprotect Sheet). The lock is a guard,
  the fingerprint is the guarantee: if the unit's data change after approval by any route
  (hand edit, a new collection), the approval no longer counts and the unit shows 'Berubah'.
- Returning a unit writes 'Dikembalikan' with the Sekretaris' note, opens a new round
  ('Putaran baru') and builds the unit's revision form: its own form for the new round, values
  prefilled, every problem cell highlighted with a note saying what to fix.
- When every unit is approved the rekap gets its paraf: a Riwayat row 'Rekap disetujui' with
  the fingerprint of all data, and a visible line on the Rekap sheet. A report made from a rekap
  that is not approved needs --force and is marked DRAF (the report stage reads
  `approval_status`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from kinerja.domain.models import Master
from kinerja.issues.catalogue import Report, Severity
from kinerja.stages import timing
from kinerja.stages.approval import (
    DIKEMBALIKAN,
    DISETUJUI,
    Approval,
    active_units,
    approval_rows,
    approval_status,
    fingerprint,
    period_tag,
)
from kinerja.workbook import sheets as S
from kinerja.workbook.description import Mark, WorkbookWrites
from kinerja.workbook.files import gc_paused
from kinerja.workbook.master import Loaded
from kinerja.workbook.tables import column_letter

# ----------------------------------------------------------------------------------- review


@dataclass
class ReviewOutcome:
    report: Report
    writes: WorkbookWrites
    approved: list[str] = field(default_factory=list)  # units approved (now or earlier)
    returned: list[str] = field(default_factory=list)  # units returned by this review
    pending: list[str] = field(default_factory=list)  # units still waiting
    forms: list[Path] = field(default_factory=list)  # revision forms written
    round: int = 1  # the round after this review
    approval: Approval | None = None  # the state after this review
    validation: Any = None  # the ValidationOutcome the decisions were made on

    def to_dict(self) -> dict[str, Any]:
        a = self.approval
        return {"disetujui": self.approved, "dikembalikan": self.returned, "menunggu": self.pending,
                "putaran": self.round, "formulir": [str(f) for f in self.forms],
                "rekap_disetujui": bool(a and a.approved), **self.report.to_dict()}

    def summary_lines(self) -> list[str]:
        lines = [f"{label}: {', '.join(units) or '-'}" for label, units in (
            ("Disetujui", self.approved), ("Dikembalikan", self.returned), ("Menunggu", self.pending))]
        lines += [f"Formulir perbaikan putaran {self.round}: {f}" for f in self.forms]
        if self.approval is not None:
            lines.append(self.approval.paraf_line())
        return lines


@gc_paused()  # the validation redone and the rekap rebuilt: no collector pass walks the loaded master
def review(loaded: Loaded, out_dir: Path, *, who: str = "", now: datetime, force: bool = False) -> ReviewOutcome:
    """Act on the Sekretaris' decisions on the Validasi sheet.

    Per unit, its one Keputusan cell (Terima / Kembalikan) on the Validasi sheet; the notes on
    findings (Temuan Validasi) go onto the revision form with its Kesalahan and Peringatan.
    Terima is refused while the unit still has Kesalahan, unless `force` (then recorded as such). Decisions acted on are cleared from the sheet; the
    Riwayat keeps them. `force` also lets revision forms of this round be written again.
    With 'Wajib Penjelasan' on, Terima is refused (even with `force`) while an indicator of the
    unit is below target without an explanation and without the Sekretaris' recorded exception.
    """
    from kinerja.stages.rekap import consolidate
    from kinerja.stages.signable import EXPLANATION_SETTING, indicator_list, needs_explanation, unexplained
    from kinerja.stages.validate import DECISIONS, V, render, validate

    report = Report()
    out = ReviewOutcome(report, WorkbookWrites())
    m = loaded.master
    if m is None:
        report.extend(loaded.report.issues)
        return out
    sek = m.settings.official("sekretaris")
    who = who or (sek.nama if sek else "") or "Sekretaris"
    v = validate(loaded, now)
    out.validation, before = v, v.approval or approval_status(loaded)
    statuses, tag, rnd = dict(before.units), period_tag(m), before.round
    by_unit: dict[str, list] = {}
    for f in v.found:
        by_unit.setdefault(f.issue.location.unit or "", []).append(f)
    rows_of: dict[str, list] = {}  # unit -> its consolidation rows
    for r in consolidate(m):
        rows_of.setdefault(r.unit.kode, []).append(r)
    events: list[list[Any]] = []
    approved_rows: list[list[Any]] = []
    consumed: set[str] = set()
    to_return: list[str] = []
    for unit in active_units(m):
        k, d, mine = unit.kode, v.decisions[unit.kode], by_unit.get(unit.kode, [])
        state, errors = statuses[k], v.counts[k]["error"]
        if d.raw not in (None, "") and d.keputusan is None:
            report.issue("choice-invalid", sheet=V.sheet, cell=d.cell, column="Keputusan", unit=k,
                         value=d.raw, choices=", ".join(DECISIONS.values()))
        decision = d.keputusan
        if decision == "terima" and state != DISETUJUI:
            rows = rows_of.get(k, [])
            missing = unexplained(m, rows, k)
            if missing:  # not fit to sign: '--force' does not override, an exception does
                report.issue("approval-explanation-missing", sheet=V.sheet, cell=d.cell, unit=k,
                             count=len(missing), indicators=indicator_list(missing, m.settings.rules.desimal),
                             setting=EXPLANATION_SETTING, value=", ".join(r.indicator.kode for r in missing))
                out.pending.append(k)
                continue
            if errors and not force:
                report.issue("unit-approval-blocked", sheet=V.sheet, cell=d.cell, unit=k, count=errors)
                out.pending.append(k)
                continue
            if errors:
                report.issue("unit-approved-with-errors", sheet=S.RIWAYAT.sheet, unit=k, who=who, count=errors)
            accepted = sum(1 for f in mine if f.issue.severity != Severity.error)
            waived = [r.indicator.kode for r in rows if needs_explanation(m, r)]
            note = _text(d.catatan) + (f"{accepted} temuan diterima. " if accepted else "") + \
                (f"Disetujui dengan {errors} kesalahan. " if errors else "") + \
                (f"Diterima tanpa penjelasan: {', '.join(waived)}. " if waived else "")
            events.append([now, S.KEGIATAN_UNIT_DISETUJUI, k, rnd, who,
                           f"{tag}{note}Sidik data: {fingerprint(m, k)}"])
            approved_rows += approval_rows(m, k, now, who)
            statuses[k] = DISETUJUI
        elif decision == "kembalikan" and state != DIKEMBALIKAN:
            to_return.append(k)
            continue
        elif state == DIKEMBALIKAN:
            report.issue("unit-awaiting-revision", sheet=V.sheet, cell=d.cell, unit=k, round=rnd)
        elif state != DISETUJUI:
            report.issue("unit-undecided", sheet=V.sheet, cell=d.cell, unit=k)
        consumed.add(k)
        (out.approved if statuses[k] == DISETUJUI else out.pending).append(k)
    if to_return:
        events += _return_units(loaded, v, to_return, by_unit, out, out_dir, who, now, force)
        statuses.update({k: DIKEMBALIKAN for k in out.returned})
        consumed.update(out.returned)
        out.pending += [k for k in to_return if k not in out.returned]
    out.round = max(rnd, out.round)
    after = Approval(False, units=statuses, round=out.round)
    loose = [f.issue for f in v.found if f.issue.severity == Severity.error and f.issue.location.unit not in statuses]
    if all(state == DISETUJUI for state in statuses.values()):
        if before.approved:
            after = before
        elif loose and not force:
            report.issue("rekap-approval-blocked", sheet=V.sheet, count=len(loose),
                         detail="; ".join(f"{i.code}: {i.location.text() or '-'}" for i in loose[:3]))
            after.detail = "masih ada kesalahan di luar unit"
        else:
            events.append([now, S.KEGIATAN_REKAP_DISETUJUI, None, out.round, who,
                           f"{tag}Semua unit disetujui; rekap diparaf. Sidik data: {fingerprint(m)}"])
            after = Approval(True, who, now, statuses, round=out.round)
    if not after.approved and not after.detail:
        after.detail = "belum semua unit disetujui (" + ", ".join(
            f"{k}: {s}" for k, s in statuses.items() if s != DISETUJUI) + ")"
    out.approval = after
    w = out.writes
    assert v.ctx is not None  # validate() read the master that review() read
    w.extend(render(v.ctx, v, statuses, consumed, after))
    if events:
        w.sheet(S.RIWAYAT.sheet, S.RIWAYAT).append = events
    if approved_rows:
        nd = w.sheet(S.NILAI_DISETUJUI.sheet, S.NILAI_DISETUJUI)
        nd.append, nd.protect = approved_rows, True
    for unit in active_units(m):
        if unit.sheet_name in loaded.sheets and statuses[unit.kode] in (DISETUJUI, DIKEMBALIKAN):
            w.sheet(unit.sheet_name, S.unit_data_table(unit.sheet_name)).protect = statuses[unit.kode] == DISETUJUI
    w.extend(timing.stamp(loaded, "validasi", start=now, end=now, who=who))
    w.sheet(S.VALIDASI.sheet).select = True
    return out


def _text(value: Any) -> str:
    text = " ".join(str(value or "").split())
    return text + ("" if not text or text.endswith(".") else ".") + (" " if text else "")


def revision_deadline(m: Master, now: datetime) -> datetime:
    """A returned unit gets the SOP's fill-in time again (its 'pengisian' step; 2 hari when the
    SOP has none), counted in working time from the moment it is returned."""
    from kinerja.domain.durations import Duration
    from kinerja.stages.timing import calendar

    standard = next((s.waktu for s in m.sop.steps_for("pengisian") if s.waktu), None)
    return calendar(m.settings).due(now, standard or Duration(amount=2, unit="hari"))


def _return_units(loaded: Loaded, v: Any, units: list[str], by_unit: dict[str, list], out: ReviewOutcome,
                  out_dir: Path, who: str, now: datetime, force: bool) -> list[list[Any]]:
    """Revision forms for the returned units (a new round), each problem cell marked; the
    Riwayat rows 'Dikembalikan' and 'Putaran baru'."""
    from kinerja.stages.forms import build_forms

    m = loaded.master
    assert m is not None
    tag = period_tag(m)
    forms = build_forms(loaded, out_dir, new_round=True, force=force, who=who, now=now, units=units,
                        deadline=revision_deadline(m, now))
    out.report.extend(forms.report.issues)
    if not forms.files:
        return []
    out.writes.extend(forms.writes)
    out.forms, out.round = list(forms.files), forms.putaran
    events = []
    for ident, path in zip(forms.identities, forms.files):
        k = ident.unit
        d = v.decisions[k]
        sent = [f for f in by_unit.get(k, []) if f.issue.severity in (Severity.error, Severity.warning)
                or f.catatan not in (None, "")]
        mark_revision_form(path, sent, _text(d.catatan).strip())
        out.returned.append(k)
        listed = ", ".join(f"{f.issue.location.indicator or '-'} {f.issue.code}" for f in sent[:8])
        more = f" dan {len(sent) - 8} lainnya" if len(sent) > 8 else ""
        events.append([now, S.KEGIATAN_DIKEMBALIKAN, k, max(1, forms.putaran - 1), who,
                       f"{tag}{_text(d.catatan)}{len(sent)} temuan: {listed or '-'}{more}. "
                       f"Formulir perbaikan: {path.name}"])
    events.append([now, S.KEGIATAN_PUTARAN, None, forms.putaran, who,
                   f"{tag}Formulir perbaikan putaran {forms.putaran} untuk: {', '.join(out.returned)}"])
    return events


def mark_revision_form(path: Path, found: list, note: str) -> None:
    """Highlight each problem cell of a revision form with a note saying what to fix, and put
    the Sekretaris' note on the form's 'Putaran' line. Issues without a cell on the form (a
    unit-level problem) go into that line too. The form just built is patched as the master is
    (its other parts kept as built), read back with python-calamine to find its rows."""
    from python_calamine import CalamineWorkbook

    from kinerja.workbook.files import write_file
    from kinerja.workbook.formspec import COLUMNS, FORM_SHEET, HEADER_ROW
    from kinerja.workbook.style import SEVERITY_FILL

    letters = {key: column_letter(j) for j, (key, _h) in enumerate(COLUMNS, 1)}
    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(FORM_SHEET).to_python(skip_empty_area=False)

    def text(r: int, j: int) -> str:  # the text of row r (1-based), column j (0-based)
        v = sheet[r - 1][j] if r <= len(sheet) and j < len(sheet[r - 1]) else ""
        return str(int(v) if isinstance(v, float) and v.is_integer() else v).strip()

    kode = [key for key, _h in COLUMNS].index("kode")
    rows = {text(r, kode): r for r in range(HEADER_ROW + 1, len(sheet) + 1)}
    cells: dict[str, list] = {}
    general: list[str] = []
    for f in found:
        i = f.issue
        key = i.params.get("field") or "kode"
        r = rows.get(i.location.indicator or "")
        if r is None or key not in letters:
            general.append(i.message)
            continue
        cells.setdefault(f"{letters[key]}{r}", []).append(f)
    writes = WorkbookWrites()
    sw = writes.sheet(FORM_SHEET)
    for ref, items in cells.items():
        worst = min(items, key=lambda f: f.issue.severity.rank).issue.severity
        told = "\n".join(f"{f.issue.message} {f.issue.action}"
                         + (f" Catatan Sekretaris: {f.catatan}" if f.catatan else "") for f in items)
        sw.marks.append(Mark(ref, SEVERITY_FILL[worst.value], told))
    # the form's 'Putaran' line (label in column A, value in C) carries the Sekretaris' note
    r = next((r for r in range(1, HEADER_ROW) if text(r, 0) == "Putaran"), None)
    if r is not None:
        said = [note, f"Perbaiki {len(cells)} sel berwarna (arahkan kursor ke sel untuk membaca "
                      "catatannya)" if cells else "", *general]
        sw.cells[f"C{r}"] = " - ".join(x for x in [text(r, 2), *said] if x)
    write_file(path, writes, backup=False)
