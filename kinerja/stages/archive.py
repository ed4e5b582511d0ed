"""SOP step 14 (record keeping): the period's archive, one folder per period with a manifest.

`archive_period(loaded, out_dir)` makes `out_dir/<period key>` (e.g. `arsip/2026-TW3`) holding
- `induk/`: a copy of the master workbook,
- `formulir-masuk/`: every received return logged in Penerimaan, as its original bytes (paths
  there are relative to the inbox: `--inbox`, else the master's 'Folder Formulir Masuk'),
- `laporan/`: the generated documents logged in Log Laporan,
- `manifest.json`: SHA-256 and size of each file, the SOP step timeline (Waktu SOP) and who
  approved the rekap and when.
The folder is assembled under a temporary name and renamed at the end, so an archive is
either complete or absent. An existing archive is never overwritten (`archive-exists`).
"""

from __future__ import annotations

import getpass
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any

from kinerja.issues.catalogue import Report
from kinerja.issues.explain import explain
from kinerja.stages.approval import approval_status
from kinerja.stages.documents import relative_to_master, sop_compliance
from kinerja.stages.returns import NotRegular, not_regular, open_regular
from kinerja.stages.timing import stamp
from kinerja.workbook import sheets as S
from kinerja.workbook.description import WorkbookWrites
from kinerja.workbook.digest import sha256_file
from kinerja.workbook.master import Loaded
from kinerja.workbook.tables import read_table

MANIFEST = "manifest.json"
MANIFEST_DOCUMENT = "Manifest Arsip"
KIND_MASTER, KIND_RETURN, KIND_DOCUMENT = "workbook induk", "formulir masuk", "dokumen laporan"
FOLDERS = {KIND_MASTER: "induk", KIND_RETURN: "formulir-masuk", KIND_DOCUMENT: "laporan"}


@dataclass
class ArchiveOutcome:
    folder: Path | None = None
    files: list[Path] = field(default_factory=list)
    manifest: dict[str, Any] = field(default_factory=dict)
    report: Report = field(default_factory=Report)
    writes: WorkbookWrites = field(default_factory=WorkbookWrites)

    def to_dict(self) -> dict[str, Any]:
        return {"folder": str(self.folder) if self.folder else None, "files": [str(f) for f in self.files],
                **self.report.to_dict()}

    def summary_lines(self) -> list[str]:
        if self.folder is None:
            return ["Arsip tidak dibuat."]
        return [f"Arsip dibuat: {self.folder} ({len(self.files)} file)"]


@dataclass
class _Source:
    kind: str
    path: Path  # where the file is now
    target: str  # path inside the archive (posix)
    recorded: str  # as written in the master
    sha256: str | None = None  # as logged in the master, when logged
    status: str | None = None  # Penerimaan (Dipakai, Duplikat, ...) or Log Laporan (Final, DRAF)


def _safe_target(folder: str, recorded: str) -> str:
    """Keep the recorded relative path inside the archive folder (no '..', no drive)."""
    parts = [p for p in PurePosixPath(recorded.replace("\\", "/")).parts if p not in ("..", ".", "/")]
    parts = [p for p in parts if not p.endswith(":")]
    return "/".join([folder, *(parts or ["berkas"])])


def _sources(loaded: Loaded, inbox: Path | None) -> list[_Source]:
    m = loaded.master
    assert m is not None
    inbox = Path(inbox) if inbox else m.settings.folder("masuk", loaded.path)
    base = loaded.path.parent
    out = [_Source(KIND_MASTER, loaded.path, f"{FOLDERS[KIND_MASTER]}/{loaded.path.name}", loaded.path.name)]
    returns: dict[str, _Source] = {}
    labels: dict[str, Path] | None = None  # shown name -> file, for names that are not UTF-8
    for r in read_table(loaded.rows.get(S.PENERIMAAN.sheet) or [], S.PENERIMAAN, Report()).rows:
        name = str(r.values["file"] or "").strip()
        if not name:
            continue  # a file logged twice (sent again under the same name): the latest row wins
        path = Path(name)
        if path.is_absolute():
            inside = path.name
        else:
            inside = name
            candidates = [c for c, root in ((inbox / name, inbox), (base / name, base)) if _within(c, root)]
            path = next((c for c in candidates if os.path.lexists(c)), None)
            if path is None and inbox.is_dir():
                if labels is None:
                    from kinerja.stages.collect import inbox_files
                    from kinerja.stages.returns import file_label

                    labels = {file_label(p, inbox): p for p in inbox_files(inbox)}
                path = labels.get(name)
            path = path or inbox / name
        returns[name] = _Source(KIND_RETURN, path, _safe_target(FOLDERS[KIND_RETURN], inside), name,
                                r.values["sha256"], r.values["status"])
    out += returns.values()
    docs: dict[str, _Source] = {}
    for r in read_table(loaded.rows.get(S.LOG_LAPORAN.sheet) or [], S.LOG_LAPORAN, Report()).rows:
        name = str(r.values["file"] or "").strip()
        if not name or r.values["dokumen"] == MANIFEST_DOCUMENT:
            continue
        path = Path(name) if Path(name).is_absolute() else base / name
        docs[name] = _Source(KIND_DOCUMENT, path, f"{FOLDERS[KIND_DOCUMENT]}/{path.name}", name,
                             r.values["sha256"], r.values["status"])  # the latest row of a file wins
    out += docs.values()
    seen: set[str] = set()
    for s in out:  # two files with one archive name: number the later ones
        target, n = s.target, 1
        while target.lower() in seen:
            n += 1
            stem, dot, ext = s.target.rpartition(".")
            target = f"{stem}-{n}.{ext}" if dot else f"{s.target}-{n}"
        s.target = target
        seen.add(target.lower())
    return out


def _within(path: Path, root: Path) -> bool:
    """Whether `path` stays inside `root` by its name alone ('..' may not climb out)."""
    p, r = os.path.normpath(os.path.abspath(path)), os.path.normpath(os.path.abspath(root))
    return os.path.commonpath([p, r]) == r


def archive_period(loaded: Loaded, out_dir: Path, *, inbox: Path | None = None, who: str = "",
                   now: datetime | None = None) -> ArchiveOutcome:
    """Archive the period into `out_dir/<period key>`; refuses to overwrite an existing one."""
    out = ArchiveOutcome()
    m = loaded.master_or_report(out.report)
    if m is None:
        return out
    now = now or datetime.now()
    who = who or getpass.getuser()
    out_dir = Path(out_dir)
    folder = out_dir / m.settings.period.key()
    if folder.exists():
        out.report.issue("archive-exists", folder=str(folder))
        return out
    approval = approval_status(loaded)
    timing = sop_compliance(loaded, now)
    entries: list[dict[str, Any]] = []
    missing: list[dict[str, Any]] = []
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.tmp-", dir=out_dir))
    except OSError as e:
        out.report.issue("report-write-failed", file=str(folder), detail=explain(e))
        return out
    try:
        for s in _sources(loaded, inbox):
            kind = not_regular(s.path)
            if kind:  # a link (to /etc/passwd, ...), a FIFO: never read through
                out.report.issue("file-link", file=s.recorded, kind=kind)
                continue
            if not s.path.is_file():
                missing.append({"jenis": s.kind, "file": s.recorded})
                out.report.issue("archive-file-missing", file=s.recorded, kind=s.kind, folder=str(folder))
                continue
            dest = tmp / s.target
            dest.parent.mkdir(parents=True, exist_ok=True)
            try:
                with open_regular(s.path) as src, open(dest, "wb") as dst:
                    shutil.copyfileobj(src, dst)  # the original bytes
                shutil.copystat(s.path, dest, follow_symlinks=False)
            except NotRegular as e:
                out.report.issue("file-link", file=s.recorded, kind=e.kind)
                dest.unlink(missing_ok=True)
                continue
            digest = sha256_file(dest)
            if s.sha256 and str(s.sha256).lower() != digest:
                out.report.issue("archive-file-changed", file=s.recorded, kind=s.kind)
            entries.append({"path": s.target, "jenis": s.kind, "sumber": s.recorded, "sha256": digest,
                            "ukuran": dest.stat().st_size, "sha256_tercatat": s.sha256 or None,
                            **({"status": s.status} if s.status else {})})
        out.manifest = {
            "instansi": m.settings.office.nama, "pemerintah": m.settings.office.pemerintah,
            "periode": m.settings.period.key(), "periode_label": m.settings.period.label(),
            "dibuat": now.isoformat(timespec="seconds"), "oleh": who,
            "persetujuan_rekap": {"disetujui": approval.approved, "oleh": approval.by or None,
                                  "waktu": approval.at.isoformat(timespec="seconds") if approval.at else None, "keterangan": approval.detail or None},
            "langkah_sop": timing["timeline"],
            "ringkasan_waktu_sop": {b["label"]: b["nilai"] for b in timing["baris"]},
            "berkas": entries, "tidak_ditemukan": missing,
        }
        (tmp / MANIFEST).write_text(json.dumps(out.manifest, ensure_ascii=False, indent=2), encoding="utf-8")
        os.rename(tmp, folder)
    except BaseException as e:
        shutil.rmtree(tmp, ignore_errors=True)
        if not isinstance(e, OSError):
            raise
        out.report.issue("report-write-failed", file=str(folder), detail=explain(e))  # a full disk
        return out
    out.folder = folder
    out.files = [folder / e["path"] for e in entries] + [folder / MANIFEST]
    w = out.writes
    w.sheet(S.LOG_LAPORAN.sheet, S.LOG_LAPORAN).append = [
        [now, MANIFEST_DOCUMENT, relative_to_master(folder / MANIFEST, loaded.path),
         sha256_file(folder / MANIFEST), "Arsip", who]]
    w.extend(stamp(loaded, "arsip", start=now, end=now, who=who))
    return out
