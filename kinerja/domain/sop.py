"""The SOP "Pengumpulan Data Kinerja" as data: header, swimlane roles and steps.

An SOP comes either from a preset (``kinerja/presets/<key>.json``, one per real office SOP) or
from the master workbook (``sop_from_rows``). Every step carries a ``tahap``: the tool stage it
corresponds to, so that running a stage can log the matching SOP steps automatically.

Notes on the presets (how the source documents were read):

* Swimlane marks were mostly lost when the source documents were extracted, so the ``pelaksana``
  of many steps is inferred from the text: "Memerintahkan ..." is the head (or the Sekretaris),
  "Membuat/menyiapkan format ..." is the planner, "Mengisi ..." is the units, "Merekap ..." and
  "Membagikan ..." are staff, "Menandatangani ..." is the head.
* BPKAD Way Kanan's SOP holds two tables describing the same procedure at two levels of detail:
  a 6-step activity table and a 9-step "Uraian Prosedur" table (times in bare minutes). Joining
  them into one 15-step SOP would run the procedure twice (both tables distribute, collect and
  consolidate), so the detailed table is the preset ``bpkad_way_kanan`` and the activity table
  is ``bpkad_way_kanan_ringkas``.
* Reconstructions of garbled or missing text are listed in each preset's ``notes``.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Mapping
from importlib import resources
from typing import Any, Literal, NamedTuple, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from kinerja.domain.durations import Duration, DurationError, parse_duration
from kinerja.issues.catalogue import KinerjaError

__all__ = [
    "Tahap",
    "TAHAP_ORDER",
    "TAHAP_LABELS",
    "Approver",
    "SopHeader",
    "SopStep",
    "Sop",
    "TotalWaktu",
    "SopError",
    "SopKeyError",
    "UnknownPresetError",
    "list_presets",
    "load_preset",
    "sop_from_rows",
    "sop_summary_rows",
    "DurationError",
]

Tahap = Literal[
    "disposisi",  # the head's (or Sekretaris') written instruction
    "formulir",  # the data-collection form is prepared
    "distribusi",  # forms handed out against a tanda terima
    "pengisian",  # units fill in their realisasi
    "penerimaan",  # returns collected (menghimpun)
    "rekap",  # consolidation by staff
    "validasi",  # the consolidation is analysed / evaluated
    "laporan",  # the report is drafted
    "koreksi",  # the draft is corrected
    "tanda_tangan",  # paraf and signature
    "surat_pengantar",  # numbered cover letter
    "pengiriman",  # sent / reported upward
    "arsip",  # archived
    "rapat",  # a meeting
    "lain",  # anything else
]

TAHAP_ORDER: tuple[str, ...] = get_args(Tahap)

TAHAP_LABELS: dict[str, str] = {
    "disposisi": "Disposisi pimpinan",
    "formulir": "Penyiapan formulir",
    "distribusi": "Distribusi formulir (tanda terima)",
    "pengisian": "Pengisian oleh unit",
    "penerimaan": "Penghimpunan formulir",
    "rekap": "Rekapitulasi",
    "validasi": "Analisis dan evaluasi",
    "laporan": "Penyusunan laporan",
    "koreksi": "Koreksi",
    "tanda_tangan": "Paraf dan tanda tangan",
    "surat_pengantar": "Surat pengantar",
    "pengiriman": "Pengiriman / pelaporan",
    "arsip": "Pengarsipan",
    "rapat": "Rapat",
    "lain": "Lain-lain",
}


class SopError(KinerjaError, ValueError):
    """An SOP that cannot be used. The message is Indonesian and user-facing."""


class SopKeyError(KinerjaError, KeyError):
    """A KeyError whose str() is its Indonesian message (KeyError would quote it)."""


class UnknownPresetError(SopKeyError):
    """An unknown preset key. The message is Indonesian and lists the available presets."""

    def __init__(self, key: str, available: list[str]):
        self.key = key
        self.available = available
        names = ", ".join(available) if available else "(tidak ada)"
        super().__init__(f"Preset SOP '{key}' tidak ditemukan. Preset yang tersedia: {names}.")


_TEXT = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Approver(BaseModel):
    """Who approved (disahkan oleh) the SOP, as written on it."""

    model_config = _TEXT

    jabatan: str = ""
    nama: str = ""
    nip: str = ""


class SopHeader(BaseModel):
    """The SOP identity block (PermenPAN-RB 35/2012 format). Dates are kept as written."""

    model_config = _TEXT

    nomor: str = ""
    tanggal_pembuatan: str = ""
    tanggal_revisi: str = ""
    tanggal_pengesahan: str = ""
    disahkan_oleh: Approver = Field(default_factory=Approver)
    nama: str = ""
    instansi: str = ""
    dasar_hukum: list[str] = Field(default_factory=list)
    kualifikasi_pelaksana: list[str] = Field(default_factory=list)
    keterkaitan: list[str] = Field(default_factory=list)
    peralatan: list[str] = Field(default_factory=list)
    peringatan: list[str] = Field(default_factory=list)
    pencatatan: list[str] = Field(default_factory=list)


class SopStep(BaseModel):
    """One row of the SOP table."""

    model_config = _TEXT

    no: int = Field(ge=1)
    uraian: str = Field(min_length=1)
    pelaksana: str = Field(min_length=1)
    kelengkapan: str = ""
    # None only where the SOP itself gives no time standard for the step.
    waktu: Duration | None = None
    output: str = ""
    keterangan: str = ""
    # For a decision step: the earlier step the work returns to when the answer is "tidak".
    kembali_ke: int | None = None
    tahap: Tahap | None = None

    @field_validator("waktu", mode="before")
    @classmethod
    def _parse_waktu(cls, value: Any) -> Any:
        if value is None or isinstance(value, (Duration, dict)):
            return value
        if isinstance(value, str) and value.strip() in ("", "-", "--"):
            return None
        return parse_duration(value)

    @property
    def is_decision(self) -> bool:
        return self.kembali_ke is not None

    def waktu_text(self) -> str:
        return self.waktu.text() if self.waktu is not None else "-"


class TotalWaktu(NamedTuple):
    """Sum of the time standards: office minutes (menit + jam) and working days, separately."""

    menit: float
    hari: float


class Sop(BaseModel):
    """A complete SOP: header, swimlane roles (in column order) and numbered steps."""

    model_config = _TEXT

    key: str = Field(min_length=1)
    instansi: str = ""
    header: SopHeader = Field(default_factory=SopHeader)
    roles: list[str] = Field(min_length=1)
    steps: list[SopStep] = Field(min_length=1)
    # How the SOP was read from its source document (reconstructed or inferred parts).
    notes: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _check(self) -> Sop:
        if not self.instansi:
            self.instansi = self.header.instansi
        elif not self.header.instansi:
            self.header = self.header.model_copy(update={"instansi": self.instansi})

        problems: list[str] = []
        seen: set[str] = set()
        for role in self.roles:
            if not role:
                problems.append("Daftar pelaksana berisi nama kosong.")
            elif role in seen:
                problems.append(f"Pelaksana '{role}' tercantum lebih dari sekali.")
            seen.add(role)

        numbers = [s.no for s in self.steps]
        expected = list(range(1, len(self.steps) + 1))
        if numbers != expected:
            problems.append(
                "Nomor langkah harus berurutan mulai 1 tanpa loncatan "
                f"(1 sampai {len(self.steps)}); tertulis: {', '.join(map(str, numbers))}."
            )
        role_list = ", ".join(self.roles)
        for s in self.steps:
            if s.pelaksana not in seen:
                problems.append(
                    f"Langkah {s.no}: pelaksana '{s.pelaksana}' tidak ada dalam daftar "
                    f"pelaksana SOP ({role_list})."
                )
            if s.kembali_ke is not None and not 1 <= s.kembali_ke < s.no:
                problems.append(
                    f"Langkah {s.no}: 'kembali ke' langkah {s.kembali_ke} tidak sah; "
                    "harus menunjuk langkah sebelumnya."
                )
        if problems:
            raise ValueError("\n".join(problems))
        return self

    def step(self, no: int) -> SopStep:
        """The step numbered ``no``."""
        for s in self.steps:
            if s.no == no:
                return s
        raise SopKeyError(
            f"Langkah {no} tidak ada; SOP ini berisi langkah 1 sampai {len(self.steps)}."
        )

    def steps_for(self, tahap: str) -> list[SopStep]:
        """The steps a tool stage completes (empty if the SOP has no step for it)."""
        if tahap not in TAHAP_ORDER:
            raise ValueError(f"Tahap '{tahap}' tidak dikenal. Pilihan: {', '.join(TAHAP_ORDER)}.")
        return [s for s in self.steps if s.tahap == tahap]

    def total_minutes_and_days(self) -> TotalWaktu:
        """Sum of time standards: menit and jam as minutes; hari counted separately."""
        minutes = 0.0
        days = 0.0
        for s in self.steps:
            if s.waktu is None:
                continue
            if s.waktu.unit == "hari":
                days += s.waktu.amount
            else:
                minutes += s.waktu.minutes or 0.0
        return TotalWaktu(minutes, days)

    def to_json(self) -> str:
        return self.model_dump_json(indent=2)

    @classmethod
    def from_json(cls, text: str | bytes) -> Sop:
        try:
            return cls.model_validate_json(text)
        except ValidationError as err:
            raise SopError(_describe(err, "SOP tidak sah")) from None


# --------------------------------------------------------------------------------------------
# Presets


def _preset_dir():
    return resources.files("kinerja").joinpath("presets")


def list_presets() -> list[str]:
    """Names of the bundled SOP presets, sorted."""
    folder = _preset_dir()
    if not folder.is_dir():
        return []
    return sorted(
        entry.name[: -len(".json")]
        for entry in folder.iterdir()
        if entry.is_file() and entry.name.endswith(".json")
    )


def load_preset(key: str) -> Sop:
    """Load a bundled SOP preset. Raises UnknownPresetError (a KeyError) for an unknown key."""
    available = list_presets()
    if key not in available:
        raise UnknownPresetError(key, available)
    text = _preset_dir().joinpath(f"{key}.json").read_text(encoding="utf-8")
    try:
        sop = Sop.model_validate_json(text)
    except ValidationError as err:
        raise SopError(_describe(err, f"Preset SOP '{key}' rusak")) from None
    if sop.key != key:
        raise SopError(f"Preset SOP '{key}' rusak: kuncinya tertulis '{sop.key}'.")
    return sop


# --------------------------------------------------------------------------------------------
# From the master workbook


def _norm(label: object) -> str:
    return re.sub(r"[^a-z0-9]+", "_", str(label).strip().lower()).strip("_")


_HEADER_FIELDS: dict[str, str] = {
    # target field (dotted for the approver) <- accepted labels, normalised
    **dict.fromkeys(["key", "kode", "kode_sop", "preset"], "key"),
    **dict.fromkeys(["instansi", "unit_kerja", "opd", "skpd", "nama_instansi"], "instansi"),
    **dict.fromkeys(["nomor", "nomor_sop", "no_sop", "nomor_urut_sop"], "nomor"),
    "tanggal_pembuatan": "tanggal_pembuatan",
    "tanggal_revisi": "tanggal_revisi",
    **dict.fromkeys(["tanggal_pengesahan", "tanggal_efektif"], "tanggal_pengesahan"),
    **dict.fromkeys(["nama", "nama_sop"], "nama"),
    "disahkan_oleh": "disahkan_oleh",
    **dict.fromkeys(
        ["disahkan_oleh_jabatan", "jabatan_pengesah", "jabatan"], "disahkan_oleh.jabatan"
    ),
    **dict.fromkeys(["disahkan_oleh_nama", "nama_pengesah", "pengesah"], "disahkan_oleh.nama"),
    **dict.fromkeys(["disahkan_oleh_nip", "nip_pengesah", "nip"], "disahkan_oleh.nip"),
    "dasar_hukum": "dasar_hukum",
    **dict.fromkeys(["kualifikasi_pelaksana", "kualifikasi"], "kualifikasi_pelaksana"),
    "keterkaitan": "keterkaitan",
    **dict.fromkeys(
        ["peralatan", "perlengkapan", "peralatan_dan_perlengkapan", "peralatan_perlengkapan"],
        "peralatan",
    ),
    "peringatan": "peringatan",
    **dict.fromkeys(["pencatatan", "pencatatan_dan_pendataan"], "pencatatan"),
    **dict.fromkeys(["roles", "pelaksana", "daftar_pelaksana"], "roles"),
    **dict.fromkeys(["notes", "catatan"], "notes"),
}

_STEP_FIELDS: dict[str, str] = {
    **dict.fromkeys(["no", "nomor", "no_urut", "langkah"], "no"),
    **dict.fromkeys(
        ["uraian", "uraian_kegiatan", "uraian_prosedur", "kegiatan", "aktivitas"], "uraian"
    ),
    "pelaksana": "pelaksana",
    **dict.fromkeys(
        ["kelengkapan", "kelengkapan_dan_peralatan", "ketersediaan", "persyaratan_kelengkapan"],
        "kelengkapan",
    ),
    **dict.fromkeys(["waktu", "mutu_baku_waktu", "waktu_standar"], "waktu"),
    **dict.fromkeys(["output", "keluaran"], "output"),
    **dict.fromkeys(["keterangan", "ket"], "keterangan"),
    **dict.fromkeys(["kembali_ke", "jika_tidak_kembali_ke"], "kembali_ke"),
    "tahap": "tahap",
}

_HEADER_LABELS = (
    "Nama SOP, Instansi, Nomor SOP, Tanggal Pembuatan, Tanggal Revisi, Tanggal Pengesahan "
    "(atau Tanggal Efektif), Disahkan Oleh (atau Jabatan, Nama dan NIP Pengesah), Dasar Hukum, "
    "Kualifikasi Pelaksana, Keterkaitan, Peralatan/Perlengkapan, Peringatan, "
    "Pencatatan dan Pendataan, Pelaksana, Kode SOP, Catatan"
)


def _lookup(table: dict[str, str], label: object) -> str | None:
    """Match a column/field label; a parenthesised remark is ignored if needed."""
    found = table.get(_norm(label))
    if found is None:
        found = table.get(_norm(re.sub(r"\([^)]*\)", " ", str(label))))
    return found


_LIST_FIELDS = {
    "dasar_hukum",
    "kualifikasi_pelaksana",
    "keterkaitan",
    "peralatan",
    "peringatan",
    "pencatatan",
    "roles",
    "notes",
}

_BULLET = re.compile(r"^\s*(?:[0-9]{1,2}|[a-zA-Z])[.)]\s+|^\s*[-•*]\s+")

_MONTHS = [
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
]  # fmt: skip


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: object) -> str:
    """A cell value as header text: dates in Indonesian, whole floats without '.0'."""
    if value is None:
        return ""
    if isinstance(value, (_dt.datetime, _dt.date)):
        return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _text_list(value: object, *, split_semicolons: bool = False) -> list[str]:
    if _is_blank(value):
        return []
    items = value if isinstance(value, (list, tuple)) else str(value).splitlines()
    out: list[str] = []
    for item in items:
        parts = str(item).split(";") if split_semicolons else [str(item)]
        for part in parts:
            part = _BULLET.sub("", _text(part)).strip()
            if part:
                out.append(part)
    return out


def _int_cell(value: object) -> object:
    """'3', '3.', 3.0 -> 3; anything else is left for validation to reject."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        stripped = value.strip().rstrip(".")
        if stripped.isdigit():
            return int(stripped)
    return value


_NIP = re.compile(r"^(?:nip\.?\s*:?\s*)?(\d[\d\s]{16,}\d)$", re.IGNORECASE)


def _approver_from_text(text: str) -> dict[str, str]:
    """'Camat X / NAMA / NIP' or the same on separate lines -> jabatan, nama, nip."""
    parts = [p.strip().rstrip(",") for p in re.split(r"\n|\s/\s", text)]
    parts = [p for p in parts if p]
    out: dict[str, str] = {}
    if parts:
        match = _NIP.match(parts[-1])
        if match:
            out["nip"] = match.group(1)
            parts.pop()
    if parts:
        out["jabatan"] = parts[0]
    if len(parts) > 1:
        out["nama"] = " ".join(parts[1:])
    return out


def _role_key(name: str) -> str:
    return "".join(name.split()).casefold()


def sop_from_rows(header: dict, steps: list[dict]) -> Sop:
    """Build an SOP from the master workbook's SOP sheet.

    ``header`` maps labels to values (field names or the usual labels: "Nomor SOP",
    "Tanggal Efektif", "NIP", "Pencatatan dan Pendataan", "Pelaksana" for the role list ...).
    List fields accept a list or multi-line text; leading "1." / "a." numbering is dropped.
    ``steps`` are table rows keyed by column label; blank rows are skipped. Pelaksana names are
    matched to the role list ignoring case and spaces. Without a role list, roles are taken from
    the steps in order of first appearance. Raises SopError with an Indonesian message.
    """
    problems: list[str] = []
    fields: dict[str, Any] = {}
    approver: dict[str, str] = {}
    for label, value in (header or {}).items():
        target = _lookup(_HEADER_FIELDS, label)
        if target is None:
            if not _is_blank(value):
                problems.append(f"Isian kepala SOP '{label}' tidak dikenal.")
            continue
        if target.startswith("disahkan_oleh."):
            approver[target.split(".", 1)[1]] = _text(value)
        elif target == "disahkan_oleh":
            if isinstance(value, dict):
                for k, v in value.items():
                    approver[_norm(k)] = _text(v)
            elif not _is_blank(value):
                approver.update(_approver_from_text(_text(value)))
        elif target in _LIST_FIELDS:
            fields[target] = _text_list(value, split_semicolons=target == "roles")
        else:
            fields[target] = _text(value)
    if problems:
        problems.append(f"Isian kepala SOP yang dikenal: {_HEADER_LABELS}.")
        raise SopError("SOP pada workbook tidak sah:\n" + "\n".join(problems))

    rows: list[dict[str, Any]] = []
    for index, row in enumerate(steps or [], start=1):
        if all(_is_blank(v) for v in row.values()):
            continue
        clean: dict[str, Any] = {}
        for label, value in row.items():
            target = _lookup(_STEP_FIELDS, label)
            if target is None:
                if not _is_blank(value):
                    problems.append(f"Baris langkah ke-{index}: kolom '{label}' tidak dikenal.")
                continue
            if target in ("no", "kembali_ke"):
                clean[target] = None if _is_blank(value) else _int_cell(value)
            elif target == "tahap":
                clean[target] = None if _is_blank(value) else _norm(value)
            elif target == "waktu":
                clean[target] = value
            else:
                clean[target] = _text(value)
        rows.append({k: v for k, v in clean.items() if v is not None})
    if problems:
        raise SopError("SOP pada workbook tidak sah:\n" + "\n".join(problems))

    roles: list[str] = fields.get("roles") or []
    if not roles:
        for row in rows:
            name = row.get("pelaksana", "")
            if name and _role_key(name) not in {_role_key(r) for r in roles}:
                roles.append(name)
    canonical = {_role_key(r): r for r in roles}
    for row in rows:
        if "pelaksana" in row:
            row["pelaksana"] = canonical.get(_role_key(row["pelaksana"]), row["pelaksana"])

    data: dict[str, Any] = {
        "key": fields.pop("key", "") or "workbook",
        "instansi": fields.get("instansi", ""),
        "roles": roles,
        "notes": fields.pop("notes", []),
        "steps": rows,
    }
    fields.pop("roles", None)
    data["header"] = {**fields, "disahkan_oleh": approver}
    try:
        return Sop.model_validate(data)
    except ValidationError as err:
        raise SopError(_describe(err, "SOP pada workbook tidak sah", rows)) from None


# --------------------------------------------------------------------------------------------
# Display


def sop_summary_rows(sop: Sop) -> list[dict[str, Any]]:
    """One dict per step for display: no, uraian, pelaksana, waktu (text), output, tahap."""
    return [
        {
            "no": s.no,
            "uraian": s.uraian,
            "pelaksana": s.pelaksana,
            "waktu": s.waktu_text(),
            "output": s.output,
            "tahap": s.tahap or "",
        }
        for s in sop.steps
    ]


# --------------------------------------------------------------------------------------------
# Indonesian rendering of validation errors

_FIELD_NAMES = {
    "no": "nomor",
    "uraian": "uraian kegiatan",
    "pelaksana": "pelaksana",
    "kelengkapan": "kelengkapan",
    "waktu": "waktu",
    "output": "output",
    "keterangan": "keterangan",
    "kembali_ke": "kembali ke",
    "tahap": "tahap",
    "roles": "daftar pelaksana",
    "steps": "langkah",
    "key": "kunci SOP",
}


def _error_text(err: Mapping[str, Any]) -> str:
    kind = err.get("type", "")
    if kind == "value_error":
        return str(err["msg"]).removeprefix("Value error, ")
    if kind == "missing":
        return "wajib diisi"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"harus berupa bilangan bulat (tertulis '{err.get('input')}')"
    if kind == "literal_error":
        return f"'{err.get('input')}' tidak dikenal; pilihan: {', '.join(TAHAP_ORDER)}"
    if kind in ("string_too_short", "too_short"):
        return "tidak boleh kosong"
    if kind == "greater_than_equal":
        return "harus 1 atau lebih"
    if kind == "extra_forbidden":
        return "isian tidak dikenal"
    if kind == "string_type":
        return "harus berupa teks"
    if kind == "json_invalid":
        return "berkas JSON tidak dapat dibaca"
    return str(err.get("msg", "tidak sah"))


def _describe(error: ValidationError, title: str, rows: list[dict] | None = None) -> str:
    lines: list[str] = []
    for err in error.errors():
        loc = list(err.get("loc", ()))
        where = ""
        if len(loc) >= 2 and loc[0] == "steps" and isinstance(loc[1], int):
            number: object = loc[1] + 1
            if rows is not None and loc[1] < len(rows):
                number = rows[loc[1]].get("no", number)
            where = f"Langkah {number}"
            rest = [p for p in loc[2:] if isinstance(p, str)]
            if rest:
                where += f", kolom {_FIELD_NAMES.get(rest[0], rest[0])}"
        elif loc:
            where = " / ".join(_FIELD_NAMES.get(str(p), str(p)) for p in loc)
        for text in _error_text(err).splitlines():
            lines.append(f"{where}: {text}" if where else text)
    return f"{title}:\n" + "\n".join(f"- {line}" for line in lines)
