"""The domain, as pydantic models: office, officials, period, units, indicators, results, rules."""

from __future__ import annotations

import re
from dataclasses import dataclass
from dataclasses import field as dc_field
from datetime import date, datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from kinerja.domain.numbers import ROMAN
from kinerja.domain.sop import Sop
from kinerja.domain.workcal import DEFAULT_OFFICE_HOURS, ExtraHoliday, OfficeDay
from kinerja.issues.catalogue import KinerjaError

# ----------------------------------------------------------------------------------- NIP


class NipError(KinerjaError, ValueError):
    """Why a NIP is not valid (Indonesian)."""


PPPK_FIRST_YEAR = 2019  # the first PPPK appointments (PP 49/2018)
PPPK_CODE = "21"  # digits 13-14 of every NI PPPK, in place of a PNS appointment month


def check_nip(raw: str, today: date | None = None) -> tuple[str, Literal["PNS", "PPPK"]]:
    """Validate a NIP and return (18 digits, kind).

    PNS (Perka BKN 43/2007): birth date YYYYMMDD (8) + year and month of first appointment
    YYYYMM (6) + sex 1/2 (1) + sequence 001-999 (3).
    PPPK (Nomor Induk PPPK): the same, except that digits 13-14 are not a month but the fixed
    code 21 ('19910807 202321 1 008'); PPPK exist only from 2019, so a year before 2019 with 21
    is not a PPPK number. The rule implemented: month 01-12 is a PNS number (not in the future);
    21 with a year from 2019 is a PPPK number; 00, 13-20 and 22-99 are errors, as are an
    impossible birth date, an age outside 17-75, an appointment before the age of 17 or in the
    future, a sex digit other than 1 or 2 and the sequence 000.
    """
    today = today or date.today()
    digits = re.sub(r"[\s.\-]", "", str(raw or ""))
    if not digits.isdigit() or len(digits) != 18:
        raise NipError(f"harus 18 angka (terbaca {len(digits)} karakter)")
    try:
        born = date(int(digits[0:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        raise NipError(f"tanggal lahir {digits[6:8]}-{digits[4:6]}-{digits[0:4]} tidak ada") from None
    if not (today.year - 75 <= born.year <= today.year - 17):
        raise NipError(f"tahun lahir {born.year} tidak masuk akal untuk pegawai aktif")
    year, month = int(digits[8:12]), int(digits[12:14])
    if not (born.year + 17 <= year <= today.year):
        raise NipError(f"tahun pengangkatan {year} tidak masuk akal (lahir {born.year})")
    kind: Literal["PNS", "PPPK"] = "PNS"
    if digits[12:14] == PPPK_CODE:
        if year < PPPK_FIRST_YEAR:
            raise NipError(f"angka {PPPK_CODE} setelah tahun {year} adalah kode PPPK, padahal PPPK baru "
                           f"ada sejak {PPPK_FIRST_YEAR}; bulan pengangkatan PNS hanya 01 sampai 12")
        kind = "PPPK"
    elif not 1 <= month <= 12:
        raise NipError(f"bulan pengangkatan {digits[12:14]} tidak ada (PNS: 01 sampai 12; PPPK: {PPPK_CODE} "
                       f"sejak {PPPK_FIRST_YEAR})")
    elif date(year, month, 1) > today:
        raise NipError(f"bulan pengangkatan {month:02d}-{year} belum terjadi")
    if digits[14] not in "12":
        raise NipError(f"angka jenis kelamin harus 1 atau 2, bukan {digits[14]}")
    if digits[15:] == "000":
        raise NipError("nomor urut 000 tidak ada (nomor urut mulai 001)")
    return digits, kind


def format_nip(digits: str) -> str:
    """'19720818 199403 1 009'."""
    return f"{digits[0:8]} {digits[8:14]} {digits[14]} {digits[15:18]}" if len(digits) == 18 else digits


# ----------------------------------------------------------------------------------- office


class Official(BaseModel):
    """A signatory: the head (Camat/Kepala), the Sekretaris, the planner."""

    peran: Literal["kepala", "sekretaris", "perencana"]
    jabatan: str
    nama: str
    pangkat: str = ""
    nip: str = ""

    @field_validator("nip")
    @classmethod
    def _nip(cls, value: str) -> str:
        if not value:
            return ""
        return check_nip(value)[0]

    @property
    def nip_text(self) -> str:
        return format_nip(self.nip)


class Office(BaseModel):
    nama: str  # "Kecamatan Sukamaju"
    pemerintah: str  # "Pemerintah Kabupaten Sukamakmur"
    alamat: str = ""
    tempat: str = ""  # where letters are signed: "Sukamaju"
    kop: list[str] = Field(default_factory=list)  # letterhead lines
    kode_unit: str = ""  # letter-number code of the office, e.g. 427.83
    logo: str = ""  # path to the logo image, relative to the master

    def letterhead(self) -> list[str]:
        if self.kop:
            return self.kop
        return [self.pemerintah.upper(), self.nama.upper(), self.alamat]


# ----------------------------------------------------------------------------------- period

PeriodKind = Literal["triwulan", "semester", "tahunan"]


class Period(BaseModel):
    tahun: int = Field(ge=2000, le=2100)
    jenis: PeriodKind = "triwulan"
    nomor: int | None = None

    @model_validator(mode="after")
    def _nomor(self) -> Period:
        limit = {"triwulan": 4, "semester": 2, "tahunan": None}[self.jenis]
        if limit is None:
            self.nomor = None
        elif self.nomor is None or not (1 <= self.nomor <= limit):
            raise ValueError(f"nomor {self.jenis} harus 1 sampai {limit}")
        return self

    @property
    def quarters(self) -> list[int]:
        """The quarters (1-4) this period covers."""
        if self.jenis == "triwulan":
            return [self.nomor]  # type: ignore[list-item]
        if self.jenis == "semester":
            return [1, 2] if self.nomor == 1 else [3, 4]
        return [1, 2, 3, 4]

    @property
    def last_quarter(self) -> int:
        return self.quarters[-1]

    def label(self) -> str:
        if self.jenis == "tahunan":
            return f"Tahun {self.tahun}"
        return f"{self.jenis.capitalize()} {ROMAN[self.nomor - 1]} Tahun {self.tahun}"  # type: ignore[operator]

    def key(self) -> str:
        """Stable short id: '2026-TW3', '2026-S1', '2026-TH'."""
        if self.jenis == "tahunan":
            return f"{self.tahun}-TH"
        return f"{self.tahun}-{'TW' if self.jenis == 'triwulan' else 'S'}{self.nomor}"

    @classmethod
    def from_key(cls, key: str) -> Period:
        m = re.fullmatch(r"(\d{4})-(TW([1-4])|S([12])|TH)", key.strip())
        if not m:
            raise ValueError(f"kode periode '{key}' tidak dikenal")
        if m.group(3):
            return cls(tahun=int(m.group(1)), jenis="triwulan", nomor=int(m.group(3)))
        if m.group(4):
            return cls(tahun=int(m.group(1)), jenis="semester", nomor=int(m.group(4)))
        return cls(tahun=int(m.group(1)), jenis="tahunan")


# ----------------------------------------------------------------------------------- units, indicators

Polarity = Literal["naik", "turun"]
TurunFormula = Literal["2T-R", "T/R"]
Method = Literal["per_triwulan", "kumulatif", "nilai_akhir"]

POLARITY_LABELS: dict[str, str] = {"naik": "Naik", "turun": "Turun"}
FORMULA_LABELS: dict[str, str] = {"2T-R": "(2T-R)/T", "T/R": "T/R"}
METHOD_LABELS: dict[str, str] = {"per_triwulan": "Per Triwulan", "kumulatif": "Kumulatif",
                                 "nilai_akhir": "Nilai Akhir"}


UNIT_SHEET_PREFIX = "Data "  # a unit's sheet in the master: 'Data <KODE>' (Unit.sheet_name)


class Unit(BaseModel):
    kode: str = Field(min_length=1, max_length=20)
    nama: str
    jenis: str = "Seksi"  # Bidang / Seksi / Subbagian / Sekretariat
    kepala: str = ""
    nip_kepala: str = ""
    jabatan_kepala: str = ""
    kontak: str = ""

    @field_validator("kode")
    @classmethod
    def _code(cls, value: str) -> str:
        value = value.strip().upper()
        if not re.fullmatch(r"[A-Z0-9][A-Z0-9_.\-]*", value):
            raise ValueError("kode unit hanya huruf, angka, titik, garis bawah atau strip")
        return value

    @property
    def sheet_name(self) -> str:
        """The unit's sheet in the master."""
        return f"{UNIT_SHEET_PREFIX}{self.kode}"[:31]


@dataclass(slots=True)
class Indicator:
    """One performance indicator of a unit, with its targets.

    A slotted dataclass (checked in __post_init__) rather than a pydantic model: an office can
    have a quarter of a million of them, read from cells tables.read_table has already
    converted and checked, and this form takes a fifth of the memory."""

    kode: str
    unit: str
    nama: str
    sasaran: str = ""
    program: str = ""
    kegiatan: str = ""
    satuan: str = ""
    polaritas: Polarity = "naik"
    rumus_turun: TurunFormula | None = None  # None: the master's default
    metode: Method = "per_triwulan"
    target_tahunan: float | None = None
    target_tw: list[float | None] = dc_field(default_factory=lambda: [None] * 4)
    pagu: float | None = None
    wajib_bukti: bool = False
    kode_sasaran: str = ""  # the Pemda's shared sasaran/IKU code this indicator supports (optional)

    def __post_init__(self) -> None:
        if not self.kode:
            raise ValueError("kode indikator kosong")
        if self.polaritas not in POLARITY_LABELS:
            raise ValueError(f"polaritas '{self.polaritas}' tidak dikenal")
        if self.metode not in METHOD_LABELS:
            raise ValueError(f"metode '{self.metode}' tidak dikenal")
        if self.rumus_turun is not None and self.rumus_turun not in FORMULA_LABELS:
            raise ValueError(f"rumus turun '{self.rumus_turun}' tidak dikenal")
        if len(self.target_tw) != 4:
            raise ValueError("target triwulan harus 4 kolom (TW I-IV)")

    def target_for_quarter(self, q: int) -> float | None:
        t = self.target_tw[q - 1]
        if t is None and q == 4:
            return self.target_tahunan
        return t


@dataclass(slots=True)
class Result:
    """What a unit reported for one indicator (realisasi per quarter, and the rest).

    A slotted dataclass rather than a pydantic model: an office has hundreds of thousands of
    these, always built from values already read and checked (tables.read_table, collect), and
    this form takes a fifth of the memory. Master validates it as a field all the same."""

    indikator: str
    realisasi_tw: list[float | None] = dc_field(default_factory=lambda: [None] * 4)
    penjelasan: str = ""
    bukti: str = ""
    realisasi_anggaran: float | None = None


# ----------------------------------------------------------------------------------- rules


class PredicateBand(BaseModel):
    batas_bawah: float  # inclusive lower bound of capaian (%)
    predikat: str
    warna: str = ""  # hex fill for reports/sheets, optional


DEFAULT_SCALE = [
    PredicateBand(batas_bawah=91, predikat="Sangat Tinggi", warna="63BE7B"),
    PredicateBand(batas_bawah=76, predikat="Tinggi", warna="B5D99C"),
    PredicateBand(batas_bawah=66, predikat="Sedang", warna="FFEB84"),
    PredicateBand(batas_bawah=51, predikat="Rendah", warna="FBAA77"),
    PredicateBand(batas_bawah=0, predikat="Sangat Rendah", warna="F8696B"),
]

ZeroTargetRule = Literal["kosong", "seratus_jika_nol"]
ZERO_TARGET_LABELS = {"kosong": "Kosongkan dan tandai",
                      "seratus_jika_nol": "100% jika realisasi juga 0, selain itu kosong"}


class Rules(BaseModel):
    """Business rules, editable in the master's Pengaturan sheet."""

    rumus_turun: TurunFormula = "2T-R"
    target_nol: ZeroTargetRule = "kosong"
    batas_atas_capaian: float | None = None  # cap on capaian, e.g. 120; None: no cap
    capaian_maks: float = 150.0  # above this without explanation: warning
    capaian_min: float = 50.0  # below this without explanation: warning
    wajib_penjelasan: bool = True  # explanation required below target
    wajib_bukti: bool = False  # evidence required for every indicator
    ambang_hampir: float = 0.8  # near-breach ratio for timing
    desimal: int = Field(default=2, ge=0, le=6)  # capaian is rounded once to this many places
    skala: list[PredicateBand] = Field(default_factory=lambda: list(DEFAULT_SCALE))

    def predicate(self, capaian: float | None) -> str:
        """The band of a capaian as printed (already rounded, see capaian.ratio)."""
        if capaian is None:
            return "-"
        best = None  # the highest band reached; of equal ones the first (as a stable sort from the top)
        for band in self.skala:
            if capaian >= band.batas_bawah and (best is None or band.batas_bawah > best.batas_bawah):
                best = band
        if best is not None:
            return best.predikat
        # below every band (e.g. a negative capaian): the lowest band, whatever the sheet's row order
        return min(self.skala, key=lambda b: b.batas_bawah).predikat if self.skala else "-"

    def predicate_color(self, predikat: str) -> str:
        return next((b.warna for b in self.skala if b.predikat == predikat), "")


class LetterSettings(BaseModel):
    format_nomor: str = "{klasifikasi}/{nomor}/{kode_unit}/{tahun}"
    klasifikasi: str = "700"
    yth: str = "Bupati"
    di: str = "Tempat"
    sifat: str = "Biasa"
    hal: str = "Penyampaian Data Capaian Kinerja"
    tembusan: list[str] = Field(default_factory=list)


class Settings(BaseModel):
    office: Office
    officials: dict[str, Official]  # by peran
    period: Period
    batas_waktu: datetime | None = None  # deadline for units' returns
    rules: Rules = Field(default_factory=Rules)
    letter: LetterSettings = Field(default_factory=LetterSettings)
    jam_kerja: list[OfficeDay] = Field(default_factory=lambda: list(DEFAULT_OFFICE_HOURS))
    libur: list[ExtraHoliday] = Field(default_factory=list)
    preset: str = ""
    folders: dict[str, str] = Field(default_factory=dict)  # formulir, masuk, laporan, arsip
    # what the Sekretaris accepted for the report (indicator codes), and where SOP timing goes
    target_kosong_diterima: list[str] = Field(default_factory=list)
    penjelasan_dikecualikan: list[str] = Field(default_factory=list)
    waktu_sop_di_laporan: bool = False

    def official(self, peran: str) -> Official | None:
        return self.officials.get(peran)

    def folder(self, key: str, master_path: Path) -> Path:
        """A working folder (formulir/masuk/laporan/arsip), relative to the master's folder."""
        folder = Path(self.folders.get(key) or key)
        return folder if folder.is_absolute() else Path(master_path).parent / folder


class Master(BaseModel):
    """Everything the master workbook says, validated."""

    settings: Settings
    sop: Sop
    units: list[Unit]
    indicators: list[Indicator]
    results: dict[str, Result] = Field(default_factory=dict)  # by indicator code

    def unit(self, kode: str) -> Unit | None:
        hits = _index(self.units, "kode").get(kode)
        return hits[0] if hits else None

    def indicators_of(self, unit: str) -> list[Indicator]:
        return list(_index(self.indicators, "unit").get(unit, ()))

    def indicator(self, kode: str) -> Indicator | None:
        hits = _index(self.indicators, "kode").get(kode)
        return hits[0] if hits else None

    def turun_formula(self, ind: Indicator) -> TurunFormula:
        return ind.rumus_turun or self.settings.rules.rumus_turun


_INDEXES: dict[tuple[int, str], tuple[list, int, dict]] = {}


def _index(items: list, attr: str) -> dict:
    """`items` grouped by `attr`, in list order; built once per list (lookups by code on an
    office of thousands of indicators stay constant-time). A list that changed length is
    indexed again; the few most recent lists are kept."""
    key = (id(items), attr)
    hit = _INDEXES.get(key)
    if hit is not None and hit[0] is items and hit[1] == len(items):
        return hit[2]
    groups: dict = {}
    for item in items:
        groups.setdefault(getattr(item, attr), []).append(item)
    if len(_INDEXES) >= 16:
        _INDEXES.pop(next(iter(_INDEXES)))
    _INDEXES[key] = (items, len(items), groups)
    return groups
