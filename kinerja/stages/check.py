"""`kinerja check`: the master workbook read the way every stage reads it, and each stage's own
checks run on it, so a planner learns of a problem before the step that would stop on it.

The workbook layer loads the master and reports what is wrong with its sheets and the placeholders
of a fresh master (`workbook.master.load_master`, `readiness_issues`); the checks here need the
stages: blank period targets and period words (`signable`), the working calendar's holidays,
values changed after approval (`approval`), next-period targets and the chain of masters
(`period`), the office's LKjIP paragraphs (`annual`).
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from kinerja.domain.capaian import achievement
from kinerja.domain.workcal import cuti_bersama_known
from kinerja.stages.annual import check_text
from kinerja.stages.approval import report_changes
from kinerja.stages.period import check_chain, check_targets, forced_note
from kinerja.stages.signable import blank_target_issues, period_text_issues
from kinerja.workbook import sheets as S
from kinerja.workbook.master import Loaded, load_master, readiness_issues


def check(path: Path, today: date | None = None) -> Loaded:
    """Load the master and, when it loads, compute every capaian once as a smoke test and run
    every stage's checks; everything found is on `loaded.report`."""
    loaded = load_master(path)
    m = loaded.master
    if m is not None:
        for ind in m.indicators:
            achievement(ind, m.results.get(ind.kode), m.settings.period, m.settings.rules,
                        m.turun_formula(ind))
        loaded.report.extend(blank_target_issues(loaded))
        loaded.report.extend(period_text_issues(loaded))
        year = m.settings.period.tahun
        if not cuti_bersama_known(year) and not any(h.date.year == year for h in m.settings.libur):
            loaded.report.issue("holidays-unknown", file=path.name, sheet=S.LIBUR.sheet,
                                cell=f"A{S.LIBUR.header_row + 1}", year=year)
        report_changes(loaded, loaded.report)
        check_targets(loaded, loaded.report)
        check_chain(loaded, loaded.report)
        check_text(loaded, loaded.report)
        if forced := forced_note(loaded):
            loaded.report.issue("period-forced", file=path.name, sheet=S.RIWAYAT.sheet, detail=forced.rstrip("."))
        readiness_issues(loaded, today or datetime.now().date())
    return loaded
