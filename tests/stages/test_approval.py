"""Approval state and the approved values: recorded at approval, carried, and any change after
approval reported with its period, indicator, quarter, old and new value."""

from __future__ import annotations

from datetime import datetime

from openpyxl import load_workbook
from test_review import SEKRETARIS, UNITS, decide, step
from test_validate import golden_master

from kinerja.stages.approval import (
    DISETUJUI,
    approved_units,
    approved_values,
    changed_after_approval,
    values_fingerprint,
)
from kinerja.stages.check import check
from kinerja.stages.review import review
from kinerja.stages.signable import EXPLANATION_SETTING
from kinerja.stages.validate import validate
from kinerja.workbook import sheets as S
from kinerja.workbook.master import load_master

NOW = datetime(2026, 10, 14, 10, 0)


def approve_all(master, tmp_path):
    v = step(master, validate, NOW)
    # shortfalls without an explanation: the Sekretaris records her exceptions (else Terima is refused)
    waived = sorted({f.issue.location.indicator for f in v.found
                     if f.issue.code in ("explanation-missing", "capaian-below-floor")})
    if waived:
        wb = load_workbook(master)
        ws = wb[S.SETTINGS_SHEET]
        ws[f"B{next(c.row for c in ws['A'] if c.value == EXPLANATION_SETTING)}"] = "; ".join(waived)
        wb.save(master)
        step(master, validate, NOW)
    decide(master, {u: "Terima" for u in UNITS})
    return step(master, review, tmp_path, who=SEKRETARIS, now=NOW, force=True)


def test_values_fingerprint_is_stable_and_sensitive():
    a = {"X.01": [1.0, 2.0, None, None], "X.02": [3, None, None, None]}
    assert values_fingerprint(a) == values_fingerprint(dict(reversed(list(a.items()))))
    assert values_fingerprint(a) == values_fingerprint({"X.01": [1, 2, None, None], "X.02": [3.0, None, None, None]})
    assert values_fingerprint(a) != values_fingerprint({**a, "X.02": [3.0001, None, None, None]})
    assert len(values_fingerprint(a)) == 64


def test_approval_records_values_and_reports_every_later_change(sample_master, tmp_path):
    golden_master(sample_master)
    out = approve_all(sample_master, tmp_path)
    assert out.approval.approved and all(out.approval.units[u] == DISETUJUI for u in UNITS)
    loaded = load_master(sample_master)
    units = approved_units(loaded)
    assert set(units) == {("2026-TW3", u) for u in UNITS}
    sek = units[("2026-TW3", "SEK")]
    assert sek.by == SEKRETARIS and sek.at == NOW and sek.intact
    m = loaded.master
    assert sek.values["SEK.01"] == m.results["SEK.01"].realisasi_tw
    assert approved_values(loaded)["SEK.01"] == {3: m.results["SEK.01"].realisasi_tw[2]}
    assert changed_after_approval(loaded) == [] and not check(sample_master).report.by_code("approved-value-changed")
    wb = load_workbook(sample_master)
    assert wb[S.NILAI_DISETUJUI.sheet].protection.sheet

    # TW I of SEK.01 typed over after approval, and a recorded value altered on the record sheet
    row = loaded.unit_rows["SEK"]["SEK.01"]
    old = wb["Data SEK"][f"I{row}"].value
    wb["Data SEK"][f"I{row}"] = old + 5
    nd = wb[S.NILAI_DISETUJUI.sheet]
    pem = next(r for r in range(S.NILAI_DISETUJUI.header_row + 1, nd.max_row + 1) if nd[f"C{r}"].value == "PEM.02")
    nd[f"F{pem}"] = 999
    wb.save(sample_master)
    got = check(sample_master).report
    changes = {i.location.indicator: i for i in got.by_code("approved-value-changed")}
    assert set(changes) == {"SEK.01", "PEM.02"}  # the altered record no longer matches the sheet either
    changed = changes["SEK.01"]
    assert (changed.location.sheet, changed.location.cell, changed.location.indicator) == ("Data SEK", f"I{row}", "SEK.01")
    assert changed.params["quarter"] == "I" and changed.params["period"] == "2026-TW3"
    assert changed.params["approved"] == f"{old:g}".replace(".", ",") and SEKRETARIS in changed.message
    (altered,) = got.by_code("approved-record-altered")
    assert altered.location.unit == "PEM" and altered.location.sheet == S.NILAI_DISETUJUI.sheet
    assert got.blocking
