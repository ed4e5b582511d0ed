"""The master workbook's sheets, described once. Writing, reading and checking all use these.

Input sheets (staff edit): Pengaturan, Pejabat, Skala Predikat, Jam Kerja, Libur Kantor,
Info SOP, Langkah SOP, Unit, Indikator, and one 'Data <KODE>' sheet per unit.
Stage sheets (the tool fills, one per SOP stage): Distribusi, Penerimaan, Rekap, Ringkasan,
Validasi, Katalog Masalah, Waktu SOP, Riwayat, Register Surat, Log Laporan.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kinerja.domain.models import (
    FORMULA_LABELS,
    METHOD_LABELS,
    POLARITY_LABELS,
    UNIT_SHEET_PREFIX,
    ZERO_TARGET_LABELS,
)
from kinerja.workbook.tables import FIRST_DATA_ROW, Column, Table  # noqa: F401 (re-export)

C = Column
YA_TIDAK = {"ya": "Ya", "tidak": "Tidak"}
NUM = "General"  # 8 shows as 8 and 8,5 as 8,5 (a "#,##0.##" format shows 8 as "8.")
PCT = "0.00####"  # at least 2 decimals, and every decimal of the rounded capaian (Desimal Capaian up to 6)
DT = "dd/mm/yyyy hh:mm"
D = "dd/mm/yyyy"

# ----------------------------------------------------------------------------------- settings


@dataclass(frozen=True)
class Setting:
    key: str
    label: str
    kind: str = "text"
    required: bool = False
    choices: dict[str, str] | None = None
    help: str = ""
    group: str = ""


SETTINGS_SHEET = "Pengaturan"
SETTINGS: tuple[Setting, ...] = (
    Setting("nama_instansi", "Nama Instansi", required=True, group="Instansi",
            help="Nama resmi, mis. 'Kecamatan Sukamaju'"),
    Setting("pemerintah", "Pemerintah Daerah", required=True, group="Instansi",
            help="Mis. 'Pemerintah Kabupaten Sukamakmur'"),
    Setting("alamat", "Alamat", group="Instansi", help="Baris alamat pada kop surat"),
    Setting("tempat", "Tempat Penandatanganan", required=True, group="Instansi",
            help="Kota/tempat pada tanggal surat, mis. 'Sukamaju'"),
    Setting("kop_1", "Kop Baris 1", group="Instansi", help="Kosongkan untuk kop otomatis"),
    Setting("kop_2", "Kop Baris 2", group="Instansi"),
    Setting("kop_3", "Kop Baris 3", group="Instansi"),
    Setting("logo", "Logo (file gambar)", group="Instansi",
            help="Nama file gambar di folder yang sama dengan workbook ini (PNG/JPG)"),
    Setting("tahun", "Tahun", "int", required=True, group="Periode"),
    Setting("jenis_periode", "Jenis Periode", "choice", required=True, group="Periode",
            choices={"triwulan": "Triwulan", "semester": "Semester", "tahunan": "Tahunan"}),
    Setting("nomor_periode", "Nomor Periode", "choice", group="Periode",
            choices={"1": "I", "2": "II", "3": "III", "4": "IV"},
            help="I-IV untuk triwulan, I-II untuk semester, kosong untuk tahunan"),
    Setting("batas_waktu", "Batas Waktu Pengisian", "datetime", group="Periode",
            help="Tanggal (dan jam) formulir harus kembali, mis. 15/10/2026 16.00"),
    Setting("rumus_turun", "Rumus Indikator Turun", "choice", required=True, group="Aturan Capaian",
            choices=FORMULA_LABELS, help="Bawaan untuk indikator turun yang tidak menyebut rumus"),
    Setting("target_nol", "Aturan Target Nol", "choice", required=True, group="Aturan Capaian",
            choices=ZERO_TARGET_LABELS),
    Setting("batas_atas_capaian", "Batas Atas Capaian (%)", "number", group="Aturan Capaian",
            help="Kosongkan bila capaian tidak dibatasi, mis. 120"),
    Setting("desimal", "Desimal Capaian", "int", group="Aturan Capaian",
            help="Capaian dihitung tepat lalu dibulatkan sekali ke sekian angka di belakang koma "
                 "(0 sampai 6; kosong: 2), setengah ke atas (mis. 90,995 menjadi 91). Nilai bulat "
                 "itulah yang dicetak, diberi predikat dan dibandingkan dengan target, juga di formulir."),
    Setting("capaian_maks", "Capaian Maksimum Tanpa Penjelasan (%)", "number", required=True,
            group="Aturan Validasi"),
    Setting("capaian_min", "Capaian Minimum Tanpa Penjelasan (%)", "number", required=True,
            group="Aturan Validasi"),
    Setting("wajib_penjelasan", "Wajib Penjelasan Jika Di Bawah Target", "bool", group="Aturan Validasi",
            choices=YA_TIDAK),
    Setting("wajib_bukti", "Wajib Bukti Dukung Semua Indikator", "bool", group="Aturan Validasi",
            choices=YA_TIDAK),
    Setting("ambang_hampir", "Ambang Hampir Terlambat (%)", "number", group="Waktu",
            help="Langkah yang memakai lebih dari persentase ini dari mutu baku ditandai"),
    Setting("format_nomor", "Format Nomor Surat", required=True, group="Surat",
            help="Isian: {klasifikasi} {nomor} {kode_unit} {tahun} {bulan_romawi}"),
    Setting("klasifikasi", "Kode Klasifikasi Surat", "id", group="Surat", help="Mis. 700"),
    Setting("kode_unit", "Kode Unit Surat", "id", group="Surat", help="Mis. 427.83 (ketik sebagai teks)"),
    Setting("yth", "Tujuan Surat (Yth.)", required=True, group="Surat", help="Mis. 'Bupati Sukamakmur'"),
    Setting("di", "Di (Tempat Tujuan)", group="Surat"),
    Setting("sifat", "Sifat Surat", group="Surat"),
    Setting("hal", "Hal Surat", group="Surat"),
    Setting("tembusan", "Tembusan", group="Surat", help="Pisahkan dengan titik koma (;)"),
    Setting("preset", "Preset SOP", group="SOP", help="SOP asal saat workbook dibuat"),
    Setting("folder_formulir", "Folder Formulir", group="Folder",
            help="Tempat formulir unit dibuat (relatif terhadap folder workbook ini)"),
    Setting("folder_masuk", "Folder Formulir Masuk", group="Folder",
            help="Tempat formulir yang kembali dari unit ditaruh"),
    Setting("folder_laporan", "Folder Laporan", group="Folder"),
    Setting("folder_arsip", "Folder Arsip", group="Folder"),
    Setting("folder_templat", "Folder Templat Word", group="Folder",
            help="Kosongkan untuk templat bawaan; atau folder berisi laporan.docx dan surat_pengantar.docx milik kantor"),
    Setting("induk_sebelumnya", "Workbook Induk Sebelumnya", group="Riwayat Periode",
            help="File workbook induk periode sebelumnya, atau folder arsipnya (diisi oleh 'Periode Baru'); "
                 "'kinerja check' memeriksa rantainya"),
    # What the Sekretaris accepts for a report to be signed (recorded here, stated in the report).
    Setting("target_kosong_diterima", "Target Kosong Diterima Sekretaris", group="Persetujuan Sekretaris",
            help="Kode indikator yang targetnya untuk periode ini memang kosong, dipisah titik koma (;)"),
    Setting("penjelasan_dikecualikan", "Tanpa Penjelasan Diterima Sekretaris", group="Persetujuan Sekretaris",
            help="Kode indikator di bawah target yang diterima tanpa penjelasan, dipisah titik koma (;)"),
    Setting("waktu_sop_di_laporan", "Waktu SOP di Laporan", "bool", group="Laporan", choices=YA_TIDAK,
            help="Tidak (bawaan): tabel waktu SOP dibuat sebagai lampiran internal untuk Sekretaris"),
)


def setting(key: str) -> Setting:
    return next(s for s in SETTINGS if s.key == key)


FOLDER_DEFAULTS = {"formulir": "formulir", "masuk": "masuk", "laporan": "laporan", "arsip": "arsip",
                   "templat": ""}

# ----------------------------------------------------------------------------------- input tables

PEJABAT = Table("Pejabat", "Pejabat Penandatangan", (
    C("peran", "Peran", "choice", required=True, width=14, input=False,
      choices={"kepala": "Kepala", "sekretaris": "Sekretaris", "perencana": "Perencana"}),
    C("jabatan", "Jabatan", required=True, width=36),
    C("nama", "Nama", required=True, width=30),
    C("pangkat", "Pangkat/Golongan", width=26),
    C("nip", "NIP", "nip", width=24, hint="18 angka"),
), hint="Pejabat yang menandatangani, memaraf dan menyusun laporan. NIP 18 angka.")

SKALA = Table("Skala Predikat", "Skala Predikat Capaian", (
    C("batas_bawah", "Batas Bawah (%)", "number", required=True, width=16),
    C("predikat", "Predikat", required=True, width=22),
    C("warna", "Warna (hex)", width=14),
), hint="Capaian >= batas bawah mendapat predikat itu. Baris paling bawah tanpa batas bawah berlaku untuk sisanya.")

JAM_KERJA = Table("Jam Kerja", "Jam Kerja Kantor", (
    C("hari", "Hari", "choice", required=True, width=12,
      choices={"0": "Senin", "1": "Selasa", "2": "Rabu", "3": "Kamis", "4": "Jumat", "5": "Sabtu",
               "6": "Minggu"}),
    C("masuk", "Masuk", "time", required=True, number_format="hh:mm"),
    C("pulang", "Pulang", "time", required=True, number_format="hh:mm"),
    C("istirahat_mulai", "Istirahat Mulai", "time", number_format="hh:mm"),
    C("istirahat_selesai", "Istirahat Selesai", "time", number_format="hh:mm"),
), hint="Hari yang tidak tercantum dianggap libur. Dipakai untuk menghitung waktu kerja mutu baku.")

LIBUR = Table("Libur Kantor", "Hari Libur Tambahan Kantor", (
    C("tanggal", "Tanggal", "date", required=True, number_format=D),
    C("keterangan", "Keterangan", width=40),
), hint="Libur nasional dan cuti bersama sudah dihitung otomatis. Tambahkan di sini hari libur kantor sendiri.")

INFO_SOP_SHEET = "Info SOP"
INFO_SOP_FIELDS: tuple[tuple[str, str], ...] = (
    ("nama", "Nama SOP"), ("instansi", "Instansi"), ("nomor", "Nomor SOP"),
    ("tanggal_pembuatan", "Tanggal Pembuatan"), ("tanggal_revisi", "Tanggal Revisi"),
    ("tanggal_pengesahan", "Tanggal Pengesahan"), ("disahkan_oleh", "Disahkan Oleh"),
    ("dasar_hukum", "Dasar Hukum"), ("kualifikasi_pelaksana", "Kualifikasi Pelaksana"),
    ("keterkaitan", "Keterkaitan"), ("peralatan", "Peralatan/Perlengkapan"),
    ("peringatan", "Peringatan"), ("pencatatan", "Pencatatan dan Pendataan"),
    ("roles", "Pelaksana (kolom swimlane)"),
)

TAHAP_CHOICES = {t: t.replace("_", " ").capitalize() for t in (
    "disposisi", "formulir", "distribusi", "pengisian", "penerimaan", "rekap", "validasi",
    "laporan", "koreksi", "tanda_tangan", "surat_pengantar", "pengiriman", "arsip", "rapat", "lain")}

LANGKAH_SOP = Table("Langkah SOP", "Langkah-langkah SOP", (
    C("no", "No", "int", required=True, width=6),
    C("uraian", "Uraian Kegiatan", required=True, width=60),
    C("pelaksana", "Pelaksana", required=True, width=26),
    C("kelengkapan", "Kelengkapan", width=30),
    C("waktu", "Waktu", "duration", width=12, hint="mis. 15 Menit, 2 Jam, 3 Hari"),
    C("output", "Output", width=30),
    C("keterangan", "Keterangan", width=24),
    C("kembali_ke", "Jika Tidak, Kembali ke Langkah", "int", width=14),
    C("tahap", "Tahap", "choice", choices=TAHAP_CHOICES, width=16),
), hint="Mutu baku waktu: 'Menit'/'Jam' dihitung jam kerja, 'Hari' dihitung hari kerja.")

UNIT = Table("Unit", "Daftar Unit (Bidang/Seksi/Subbagian)", (
    C("kode", "Kode Unit", "id", required=True, width=12),
    C("nama", "Nama Unit", required=True, width=40),
    C("jenis", "Jenis", "choice", width=14,
      choices={"Sekretariat": "Sekretariat", "Bidang": "Bidang", "Seksi": "Seksi",
               "Subbagian": "Subbagian", "UPT": "UPT"}),
    C("kepala", "Nama Kepala", width=30),
    C("jabatan_kepala", "Jabatan Kepala", width=30),
    C("nip_kepala", "NIP Kepala", "nip", width=24),
    C("kontak", "Kontak (HP/Surel)", width=26),
), hint="Satu baris per unit yang mengisi formulir. Kode unit dipakai di nama sheet dan file.")

INDIKATOR = Table("Indikator", "Indikator Kinerja dan Target", (
    C("kode", "Kode", "id", required=True, width=12, aliases=("Kode Indikator", "Kode IKU")),
    C("unit", "Kode Unit", "id", required=True, width=10, aliases=("Unit", "Unit Kerja")),
    C("sasaran", "Sasaran Strategis", width=36, aliases=("Sasaran",)),
    C("program", "Program", width=30),
    C("kegiatan", "Kegiatan", width=30),
    C("nama", "Indikator Kinerja", required=True, width=48,
      aliases=("Indikator", "Indikator Kinerja Utama", "Indikator Kinerja Program", "Indikator Kinerja Kegiatan")),
    C("satuan", "Satuan", required=True, width=12),
    C("polaritas", "Polaritas", "choice", required=True, choices=POLARITY_LABELS, width=10),
    C("rumus_turun", "Rumus Turun", "choice", choices=FORMULA_LABELS, width=12),
    C("metode", "Metode", "choice", required=True, choices=METHOD_LABELS, width=14),
    C("target_tahunan", "Target Tahunan", "number", number_format=NUM, aliases=("Target", "Target Tahun")),
    C("tw1", "Target TW I", "number", number_format=NUM, aliases=("TW I", "Triwulan I", "Target Triwulan I")),
    C("tw2", "Target TW II", "number", number_format=NUM, aliases=("TW II", "Triwulan II", "Target Triwulan II")),
    C("tw3", "Target TW III", "number", number_format=NUM, aliases=("TW III", "Triwulan III", "Target Triwulan III")),
    C("tw4", "Target TW IV", "number", number_format=NUM, aliases=("TW IV", "Triwulan IV", "Target Triwulan IV")),
    C("pagu", "Pagu (Rp)", "number", number_format="#,##0", width=16, aliases=("Pagu", "Anggaran", "Pagu Anggaran")),
    C("wajib_bukti", "Wajib Bukti", "bool", choices=YA_TIDAK, width=10),
    C("kode_sasaran", "Kode Sasaran/IKU Pemda", width=16,
      hint="opsional: kode sasaran atau IKU Pemda yang didukung, sama di semua instansi"),
), hint="Polaritas Naik: makin tinggi makin baik. Turun: makin rendah makin baik. "
        "Metode: Per Triwulan, Kumulatif (dijumlah dari TW I), Nilai Akhir (posisi terakhir).")

RENSTRA = Table("Renstra", "Target dan Realisasi Renstra Perangkat Daerah (untuk Form E.81)", (
    C("kode", "Kode", required=True, width=12),
    C("indikator", "Indikator Kinerja", width=48, input=False),
    C("tahun_akhir", "Tahun Akhir Renstra", "int", width=12),
    C("target_k", "Target Kinerja Akhir Renstra", "number", width=16),
    C("target_rp", "Target Anggaran Akhir Renstra (Rp)", "number", number_format="#,##0", width=18),
    C("lalu_k", "Realisasi Kinerja Renstra s.d. Tahun Lalu", "number", width=18),
    C("lalu_rp", "Realisasi Anggaran Renstra s.d. Tahun Lalu (Rp)", "number", number_format="#,##0", width=18),
), hint="Boleh dikosongkan. Diisi dari dokumen Renstra; dipakai kolom Renstra pada Form E.81 "
        "(kinerja export --format e81). Yang kosong tetap kosong di Form E.81.")

SATUAN = ["%", "dokumen", "orang", "kegiatan", "laporan", "desa", "hari", "menit", "unit",
          "paket", "kali", "nilai", "indeks", "Rp", "lembaga", "kelompok", "km", "titik"]


# a unit's sheet (one per unit: the columns made once)
UNIT_DATA_COLUMNS = (
    C("kode", "Kode", "id", required=True, width=12, input=False),
    C("nama", "Indikator Kinerja", width=48, input=False),
    C("satuan", "Satuan", width=10, input=False),
    C("target_tahunan", "Target Tahunan", "number", input=False, number_format=NUM),
    C("t1", "Target TW I", "number", input=False, number_format=NUM),
    C("t2", "Target TW II", "number", input=False, number_format=NUM),
    C("t3", "Target TW III", "number", input=False, number_format=NUM),
    C("t4", "Target TW IV", "number", input=False, number_format=NUM),
    C("r1", "Realisasi TW I", "number", number_format=NUM),
    C("r2", "Realisasi TW II", "number", number_format=NUM),
    C("r3", "Realisasi TW III", "number", number_format=NUM),
    C("r4", "Realisasi TW IV", "number", number_format=NUM),
    C("penjelasan", "Penjelasan", width=40),
    C("bukti", "Bukti Dukung", width=30),
    C("realisasi_anggaran", "Realisasi Anggaran (Rp)", "number", number_format="#,##0", width=16),
    C("capaian", "Capaian (%)", "number", input=False, number_format=PCT),
    C("predikat", "Predikat", input=False),
    C("sumber", "Sumber", width=30, input=False),
)


def unit_data_table(sheet: str) -> Table:
    """A unit's own sheet: its indicators with targets (copied) and what it reported."""
    return Table(sheet, "Data Kinerja Unit", UNIT_DATA_COLUMNS,
                 hint="Diisi oleh 'Himpun & Rekap' dari formulir unit; boleh juga diketik langsung.")


# ----------------------------------------------------------------------------------- stage sheets
# Each stage module owns the content of its sheet; the columns are described here.

DISTRIBUSI = Table("Distribusi", "Distribusi Formulir (Tanda Terima)", (
    C("putaran", "Putaran", "int", width=8, input=False),
    C("unit", "Kode Unit", width=10, input=False),
    C("nama_unit", "Nama Unit", width=30, input=False),
    C("file", "File Formulir", width=40, input=False),
    C("form_id", "ID Formulir", width=38, input=False),
    C("checksum", "Checksum Indikator", width=18, input=False),
    C("dibuat", "Dibuat", "datetime", number_format=DT, width=17, input=False),
    C("oleh", "Oleh", width=20, input=False),
    C("batas_waktu", "Batas Waktu", "datetime", number_format=DT, width=17, input=False),
    C("diterima_oleh", "Diterima Oleh", width=24),
    C("tanggal_terima", "Tanggal Terima", "datetime", number_format=DT, width=17),
    C("periode", "Periode", width=10, input=False),
), hint="Satu baris per formulir yang dibagikan (ditulis oleh 'Buat Formulir'). Isi kolom Diterima "
        "Oleh dan Tanggal Terima dari tanda terima yang sudah ditandatangani.")

PENERIMAAN = Table("Penerimaan", "Formulir yang Diterima", (
    C("diterima", "Diterima", "datetime", number_format=DT, width=17, input=False),
    C("file", "File", width=40, input=False),
    C("sha256", "SHA-256", width=20, input=False),
    C("ukuran", "Ukuran (byte)", "int", width=12, input=False),
    C("unit", "Kode Unit", width=10, input=False),
    C("form_id", "ID Formulir", width=38, input=False),
    C("putaran", "Putaran", "int", width=8, input=False),
    C("status", "Status", width=14, input=False),
    C("terlambat", "Terlambat", width=16, input=False),
    C("keterangan", "Keterangan", width=50, input=False),
))

REKAP = Table("Rekap", "Rekapitulasi Data Capaian Kinerja", (
    C("no", "No", "int", width=6, input=False),
    C("unit", "Kode Unit", width=10, input=False),
    C("nama_unit", "Unit", width=28, input=False, wrap=True),  # wrapped: on paper no text is cut off
    C("sasaran", "Sasaran Strategis", width=36, input=False, wrap=True),
    C("kode", "Kode", width=12, input=False),
    C("indikator", "Indikator Kinerja", width=48, input=False, wrap=True),
    C("satuan", "Satuan", width=10, input=False),
    C("polaritas", "Polaritas", width=9, input=False),
    C("metode", "Metode", width=12, input=False),
    C("target", "Target", "number", number_format=NUM, input=False),
    C("realisasi", "Realisasi", "number", number_format=NUM, input=False),
    C("capaian", "Capaian (%)", "number", number_format=PCT, input=False),
    C("predikat", "Predikat", width=14, input=False),
    C("penjelasan", "Penjelasan", width=40, input=False, wrap=True),
    C("bukti", "Bukti Dukung", width=30, input=False, wrap=True),
    C("pagu", "Pagu (Rp)", "number", number_format="#,##0", width=16, input=False),
    C("realisasi_anggaran", "Realisasi Anggaran (Rp)", "number", number_format="#,##0", width=16,
      input=False),
    C("status", "Status", width=14, input=False),
))

RINGKASAN = Table("Ringkasan", "Ringkasan Capaian per Unit dan per Sasaran", (
    C("kelompok", "Kelompok", width=10, input=False),
    C("nama", "Nama", width=48, input=False),
    C("jumlah", "Jumlah Indikator", "int", width=10, input=False),
    C("terisi", "Terisi", "int", width=8, input=False),
    C("rata_rata", "Rata-rata Capaian (%)", "number", number_format=PCT, width=12, input=False),
    C("predikat", "Predikat", width=14, input=False),
    C("di_bawah_target", "Di Bawah Target", "int", width=10, input=False),
), header_row=14)
# Above the Ringkasan table: the predicate distribution the chart 'Sebaran Predikat' reads
# (a label row, a header row, then one row per predicate of the scale, up to RINGKASAN_BANDS).
RINGKASAN_DIST_ROW = 4  # the header row of the distribution block
RINGKASAN_BANDS = 8
# the comparison block (stages/compare): column R, right of the table and of its two charts (at I)
COMPARE_COLUMN = 18

DECISION_CHOICES = {"terima": "Terima", "kembalikan": "Kembalikan"}

# The Sekretaris' sheet: one row per unit, the one place a unit is decided (Terima / Kembalikan).
VALIDASI = Table("Validasi", "Lembar Validasi Rekapitulasi", (
    C("no", "No", "int", width=5, input=False, align="center"),
    C("unit", "Unit", width=10, input=False, align="center"),
    C("nama_unit", "Nama Unit", width=34, input=False, wrap=True),
    C("status", "Status", width=15, input=False, align="center"),
    C("kesalahan", "Kesalahan", "int", width=11, input=False, align="center"),
    C("peringatan", "Peringatan", "int", width=11, input=False, align="center"),
    C("informasi", "Informasi", "int", width=11, input=False, align="center"),
    C("keputusan", "Keputusan", "choice", width=14, choices=DECISION_CHOICES, align="center"),
    C("catatan", "Catatan untuk Unit", width=52, wrap=True),
), header_row=7)

# Every finding of the validation, one row each; the Sekretaris may add a note per finding (it
# goes onto the unit's revision form), the decision is the unit's, on the Validasi sheet.
TEMUAN_VALIDASI = Table("Temuan Validasi", "Rincian Temuan Validasi", (
    C("no", "No", "int", width=5, input=False, align="center"),
    C("tingkat", "Tingkat", width=11, input=False, align="center"),
    C("unit", "Unit", width=9, input=False, align="center"),
    C("indikator", "Indikator", width=11, input=False, align="center"),
    C("masalah", "Masalah", width=22, input=False, wrap=True),
    C("pesan", "Pesan", width=40, input=False, wrap=True),
    C("saran", "Saran Tindakan", width=36, input=False, wrap=True),
    # a form's name has no place to break a line ('-2026' stays with what is before it): wide
    # enough for 'Formulir-TRANTIB-2026-TW3-P2.xlsx'
    C("lokasi", "Lokasi", width=36, input=False, wrap=True),
    C("nilai", "Nilai", width=10, input=False, wrap=True),
    C("catatan", "Catatan Sekretaris", width=28, wrap=True),
    C("kode_masalah", "Kode", width=16, input=False, wrap=True),
    C("jenis", "Jenis", width=8, input=False, align="center"),
), hint="Keputusan dibuat per unit di sheet Validasi. Di sini Sekretaris boleh menambah catatan per "
        "temuan; catatan itu ikut tertulis di formulir perbaikan unit.", header_row=4)

TEMUAN_HIMPUN = Table("Temuan Himpun", "Temuan Saat Menghimpun Formulir", (
    C("kode_masalah", "Kode Masalah", width=22, input=False),
    C("tingkat", "Tingkat", width=12, input=False),
    C("file", "File", width=36, input=False),
    C("sheet", "Sheet", width=14, input=False),
    C("sel", "Sel", width=8, input=False),
    C("unit", "Unit", width=10, input=False),
    C("indikator", "Indikator", width=12, input=False),
    C("nilai", "Nilai", width=16, input=False),
    C("pesan", "Pesan", width=60, input=False),
    C("saran", "Saran Tindakan", width=50, input=False),
), hint="Ditulis ulang setiap kali 'Himpun & Rekap' dijalankan; dibawa ke lembar Validasi.")

KATALOG = Table("Katalog Masalah", "Katalog Kode Masalah", (
    C("kode", "Kode", width=24, input=False),
    C("tingkat", "Tingkat", width=12, input=False),
    C("jenis", "Jenis", width=10, input=False),
    C("judul", "Judul", width=36, input=False),
    C("pesan", "Pesan", width=70, input=False),
    C("saran", "Saran Tindakan", width=70, input=False),
))

WAKTU = Table("Waktu SOP", "Pencatatan Waktu Langkah SOP terhadap Mutu Baku", (
    C("no", "No", "int", width=6, input=False),
    C("uraian", "Uraian Kegiatan", width=48, input=False, wrap=True),  # wrapped: nothing cut off on paper
    C("pelaksana", "Pelaksana", width=22, input=False, wrap=True),
    C("mutu_baku", "Mutu Baku", width=11, input=False),
    C("rencana_mulai", "Rencana Mulai", "datetime", number_format=DT, width=17, input=False),
    C("batas", "Batas Waktu", "datetime", number_format=DT, width=17, input=False),
    C("mulai", "Mulai", "datetime", number_format=DT, width=17),
    C("selesai", "Selesai", "datetime", number_format=DT, width=17),
    C("oleh", "Oleh", width=18, wrap=True),
    C("terpakai", "Waktu Kerja Terpakai", width=18, input=False),
    C("status", "Status", width=16, input=False),
    C("lewat", "Lewat Batas", width=16, input=False),
    C("keterangan", "Keterangan", width=36, wrap=True),
), hint="Isi Mulai, Selesai dan Oleh untuk langkah yang dikerjakan orang (disposisi, rapat, "
        "tanda tangan), mis. 19/10/2026 08.30; langkah yang dikerjakan kinerja tercatat sendiri. "
        "Waktu dihitung dalam jam kerja dan hari kerja.")

# A unit's approval state, as the Validasi sheet's Status column shows it (stages/approval reads
# it from Riwayat; validate, review and timing compare with these words).
MENUNGGU = "Menunggu"  # no decision yet
DIKEMBALIKAN = "Dikembalikan"  # returned, revision not received yet
DIPERBAIKI = "Diperbaiki"  # returned, a revision has been received since
DISETUJUI = "Disetujui"
BERUBAH = "Berubah"  # approved, but the data changed afterwards: the approval no longer counts

# Riwayat 'Kegiatan' values: the review stage and the report read approval state from them.
KEGIATAN_PUTARAN = "Putaran baru"
KEGIATAN_DIKEMBALIKAN = "Dikembalikan"
KEGIATAN_UNIT_DISETUJUI = "Unit disetujui"
KEGIATAN_REKAP_DISETUJUI = "Rekap disetujui"

RIWAYAT = Table("Riwayat", "Riwayat Proses (Putaran, Pengembalian, Persetujuan)", (
    C("waktu", "Waktu", "datetime", number_format=DT, width=17, input=False),
    C("kegiatan", "Kegiatan", width=28, input=False),
    C("unit", "Unit", width=10, input=False),
    C("putaran", "Putaran", "int", width=8, input=False),
    C("oleh", "Oleh", width=24, input=False),
    C("catatan", "Catatan", width=60, input=False),
))

NILAI_DISETUJUI = Table("Nilai Disetujui", "Nilai yang Disetujui Sekretaris (jangan diubah)", (
    C("periode", "Periode", width=10, input=False),
    C("unit", "Unit", width=10, input=False),
    C("kode", "Kode", width=12, input=False),
    C("indikator", "Indikator Kinerja", width=44, input=False),
    C("r1", "Realisasi TW I", "number", number_format=NUM, input=False),
    C("r2", "Realisasi TW II", "number", number_format=NUM, input=False),
    C("r3", "Realisasi TW III", "number", number_format=NUM, input=False),
    C("r4", "Realisasi TW IV", "number", number_format=NUM, input=False),
    C("disetujui", "Disetujui", "datetime", number_format=DT, width=17, input=False),
    C("oleh", "Oleh", width=24, input=False),
    C("sidik", "Sidik Nilai (SHA-256)", width=20, input=False),
), hint="Ditulis saat Sekretaris menyetujui unit dan dibawa ke periode berikutnya. 'kinerja check' "
        "melaporkan setiap nilai yang berubah setelah disetujui.")

TAHUN_LALU = Table("Realisasi Tahun Lalu", "Realisasi Tahun Lalu (untuk perbandingan)", (
    C("kode", "Kode", width=12, input=False),
    C("kode_lama", "Kode Tahun Lalu", width=12, input=False),
    C("unit", "Unit", width=10, input=False),
    C("indikator", "Indikator Kinerja", width=44, input=False),
    C("satuan", "Satuan", width=10, input=False),
    C("tahun", "Tahun", "int", width=8, input=False),
    C("r1", "Realisasi TW I", "number", number_format=NUM, input=False),
    C("r2", "Realisasi TW II", "number", number_format=NUM, input=False),
    C("r3", "Realisasi TW III", "number", number_format=NUM, input=False),
    C("r4", "Realisasi TW IV", "number", number_format=NUM, input=False),
    C("realisasi", "Realisasi Tahunan", "number", number_format=NUM, input=False),
    C("target", "Target Tahunan", "number", number_format=NUM, input=False),
    C("capaian", "Capaian (%)", "number", number_format=PCT, input=False),
), hint="Ditulis oleh 'Periode Baru' saat tahun berganti: realisasi akhir tahun lalu per indikator, "
        "sebagaimana disetujui; kode yang diganti tercatat di kolom Kode Tahun Lalu.")

REGISTER_SURAT = Table("Register Surat", "Register Nomor Surat", (
    C("tahun", "Tahun", "int", width=8, input=False),
    C("nomor_urut", "Nomor Urut", "int", width=10, input=False),
    C("nomor_surat", "Nomor Surat", "id", width=30, input=False),
    C("tanggal", "Tanggal", "date", number_format=D, width=12, input=False),
    C("hal", "Hal", width=40, input=False),
    C("tujuan", "Tujuan", width=30, input=False),
    C("file", "File", width=40, input=False),
), hint="Nomor urut berikutnya = nomor terbesar tahun itu (baris di bawah atau sel I2) + 1. Untuk melewati "
        "nomor yang dipakai surat lain, naikkan angka di sel I2 (mis. '2026: 57'); jangan diturunkan.")

LOG_LAPORAN = Table("Log Laporan", "Log Dokumen Laporan", (
    C("waktu", "Waktu", "datetime", number_format=DT, width=17, input=False),
    C("dokumen", "Dokumen", width=30, input=False),
    C("file", "File", width=44, input=False),
    C("sha256", "SHA-256", width=20, input=False),
    C("status", "Status", width=10, input=False),
    C("oleh", "Oleh", width=20, input=False),
))

_E81_PAIRS = (("renstra", "Target Renstra Akhir Periode"), ("lalu", "Realisasi Renstra s.d. Tahun Lalu"),
              ("target", "Target Renja Tahun Ini"), ("tw1", "Realisasi TW I"), ("tw2", "Realisasi TW II"),
              ("tw3", "Realisasi TW III"), ("tw4", "Realisasi TW IV"), ("tahun", "Realisasi Renja Tahun Ini"),
              ("renstra_sd", "Realisasi Renstra s.d. Tahun Ini"), ("tingkat", "Tingkat Capaian Renstra %"))
FORM_E81 = Table("Form E.81", "Form E.81 Evaluasi terhadap Hasil Renja Perangkat Daerah", (
    C("no", "No", "int", width=5, input=False),
    C("sasaran", "Sasaran", width=28, input=False),
    C("program", "Program", width=26, input=False),
    C("kegiatan", "Kegiatan", width=26, input=False),
    C("sub_kegiatan", "Sub Kegiatan", width=10, input=False),
    C("indikator", "Indikator Kinerja", width=36, input=False),
    C("satuan", "Satuan", width=9, input=False),
    *(C(f"{key}_{part.lower()}", f"{label} {part}", "number",
        number_format="#,##0" if part == "Rp" and key != "tingkat" else None, width=12, input=False)
      for key, label in _E81_PAIRS for part in ("K", "Rp")),
    C("unit", "Unit Penanggung Jawab", width=24, input=False),
), hint="Diisi tombol 'Form E.81' (kinerja export --format e81 --ke-induk) dari Rekap dan sheet Renstra. "
        "K = kinerja, Rp = anggaran. Yang tidak diketahui dibiarkan kosong.")

INPUT_TABLES: tuple[Table, ...] = (PEJABAT, SKALA, JAM_KERJA, LIBUR, LANGKAH_SOP, UNIT, INDIKATOR, RENSTRA)
STAGE_TABLES: tuple[Table, ...] = (DISTRIBUSI, PENERIMAAN, TEMUAN_HIMPUN, REKAP, RINGKASAN, VALIDASI,
                                   TEMUAN_VALIDASI, KATALOG, WAKTU, RIWAYAT, NILAI_DISETUJUI, REGISTER_SURAT,
                                   LOG_LAPORAN, FORM_E81)
PETUNJUK_SHEET = "Petunjuk"


def sheet_order(unit_sheets: list[str]) -> list[str]:
    return ([PETUNJUK_SHEET, SETTINGS_SHEET, PEJABAT.sheet, SKALA.sheet, JAM_KERJA.sheet,
             LIBUR.sheet, INFO_SOP_SHEET, LANGKAH_SOP.sheet, UNIT.sheet, INDIKATOR.sheet, RENSTRA.sheet]
            + unit_sheets + [t.sheet for t in STAGE_TABLES])


def as_dict(table: Table, values: list[Any]) -> dict[str, Any]:
    return {c.key: v for c, v in zip(table.columns, values)}


def legend(sheet: str) -> tuple[str, tuple[tuple[str, str], ...]] | None:
    """The colour legend of a sheet that uses colour: (its first column, (fill, label) pairs),
    a 'Warna:' row at the right of the title (row 1 is never rewritten by a stage). One meaning
    per colour: yellow is input only."""
    from kinerja.workbook.style import INPUT_FILL, SEVERITY_FILL

    severities = ((SEVERITY_FILL["error"], "Kesalahan"), (SEVERITY_FILL["warning"], "Peringatan"),
                  (SEVERITY_FILL["info"], "Informasi"))
    if sheet == REKAP.sheet:
        return "H", severities
    if sheet == INDIKATOR.sheet:
        return "G", ((INPUT_FILL, "Isian"),)
    if sheet == WAKTU.sheet:
        return "E", ((INPUT_FILL, "Isian"), (SEVERITY_FILL["warning"], "Lewat mutu baku"),
                     (SEVERITY_FILL["info"], "Hampir lewat"))
    if sheet.startswith(UNIT_SHEET_PREFIX):
        return "H", ((INPUT_FILL, "Isian"), *severities)
    return None
