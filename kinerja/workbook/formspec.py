"""The unit form's layout and identity: the contract between `forms` (writes) and `collect` (reads).

A form is recognised by its content, not its file name: a very hidden sheet `_kinerja` and the
custom document properties both carry a `FormIdentity`. Collect finds the data table by its
header names (rows may be inserted above it, columns moved, the sheet renamed) and matches
rows by indicator code (rows may be inserted, deleted or reordered).

The hidden sheet: A1 holds `ID_MARKER`; then one `key | value` row per `FormIdentity` field
(column A the field name, column B its text); a blank row; then the original indicator rows
under `ORIGINAL_HEADERS` (code, name, satuan, polarity, formula, method, targets, pagu and the
row the indicator had on the form), so a return can be compared with what was handed out.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from kinerja.domain.models import Indicator, Period

FORM_SHEET = "Formulir"  # the visible sheet (users may rename it)
ID_SHEET = "_kinerja"  # very hidden: identity key/values, then the original indicator rows
PROP_PREFIX = "kinerja_"  # custom document property names: kinerja_form_id, kinerja_unit, ...
FORM_VERSION = "1"
ID_MARKER = "kinerja-formulir"  # A1 of the hidden sheet: finds it even when renamed

# The data table. key -> header text on the form (found by name, so order may change).
COLUMNS: tuple[tuple[str, str], ...] = (
    ("no", "No"),
    ("kode", "Kode"),
    ("nama", "Indikator Kinerja"),
    ("satuan", "Satuan"),
    ("polaritas", "Polaritas"),
    ("metode", "Metode"),
    ("t1", "Target TW I"),
    ("t2", "Target TW II"),
    ("t3", "Target TW III"),
    ("t4", "Target TW IV"),
    ("target_tahunan", "Target Tahunan"),
    ("r1", "Realisasi TW I"),
    ("r2", "Realisasi TW II"),
    ("r3", "Realisasi TW III"),
    ("r4", "Realisasi TW IV"),
    ("capaian", "Capaian (%)"),
    ("penjelasan", "Penjelasan"),
    ("bukti", "Bukti Dukung (tautan)"),
    ("pagu", "Pagu (Rp)"),
    ("realisasi_anggaran", "Realisasi Anggaran (Rp)"),
)
HEADERS = dict(COLUMNS)
HEADER_ROW = 14  # where forms put the header; collect searches for it instead of trusting this
REALISASI_KEYS = ("r1", "r2", "r3", "r4")
TEXT_INPUT_KEYS = ("penjelasan", "bukti")


def input_keys(period: Period) -> list[str]:
    """The keys a unit types into for this period (realisasi of its quarters, and the rest)."""
    return [f"r{q}" for q in period.quarters] + ["penjelasan", "bukti", "realisasi_anggaran"]


class FormIdentity(BaseModel):
    form_id: str  # uuid4 hex
    instansi: str  # office name
    unit: str  # unit code
    periode: str  # Period.key(), e.g. '2026-TW3'
    putaran: int = 1  # round: 1, then +1 for each revision round
    checksum: str  # of the unit's indicator list (codes, names, targets), see indicator_checksum
    dibuat: datetime
    versi: str = FORM_VERSION
    indikator: list[str] = Field(default_factory=list)  # codes, in the form's original row order

    def as_properties(self) -> dict[str, str]:
        """Flat string properties for the hidden sheet and the custom document properties."""
        data = self.model_dump(mode="json")
        data["indikator"] = ",".join(self.indikator)
        return {k: str(v) for k, v in data.items()}

    @classmethod
    def from_properties(cls, props: dict[str, str]) -> FormIdentity:
        data: dict[str, Any] = dict(props)
        codes = data.get("indikator") or ""
        data["indikator"] = [c for c in str(codes).split(",") if c]
        return cls.model_validate(data)


def indicator_checksum(indicators: list[Indicator]) -> str:
    """A short, stable fingerprint of what the form asks: codes, names, satuan, targets."""
    payload = [[i.kode, i.nama, i.satuan, i.polaritas, i.metode, i.target_tahunan, *i.target_tw]
               for i in indicators]
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False).encode()).hexdigest()[:16]


# ----------------------------------------------------------------------------------- hidden sheet

ORIGINAL_HEADERS = ("kode", "nama", "satuan", "polaritas", "rumus_turun", "metode", "target_tahunan",
                    "t1", "t2", "t3", "t4", "pagu", "baris")


def identity_sheet_rows(identity: FormIdentity, originals: list[list[Any]]) -> list[list[Any]]:
    """The hidden sheet's rows: marker, key/values, a blank row, the original indicator rows
    (each as ORIGINAL_HEADERS)."""
    rows: list[list[Any]] = [[ID_MARKER, "Identitas formulir kinerja; jangan diubah."]]
    rows += [[k, v] for k, v in identity.as_properties().items()]
    return rows + [[], list(ORIGINAL_HEADERS), *originals]
