"""Errors as data: one Issue type, one catalogue of stable codes with Indonesian templates.

Every stage returns a `Report` (a list of issues). It is rendered in many ways: the
Validasi sheet, a CLI table, JSON, the Word report. The CLI exits 1 when the report blocks.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from typing import Any, Protocol

from pydantic import BaseModel, Field


class Severity(str, Enum):
    error = "error"  # blocks the next step (the report)
    warning = "warning"  # needs a look
    info = "info"  # for the record

    @property
    def label(self) -> str:
        return {"error": "Kesalahan", "warning": "Peringatan", "info": "Informasi"}[self.value]

    @property
    def rank(self) -> int:
        return {"error": 0, "warning": 1, "info": 2}[self.value]


class Category(str, Enum):
    structure = "struktur"  # the file or sheet is not what we expect
    data = "data"  # a value is wrong
    process = "proses"  # the SOP (late, missing, not approved)


@dataclass(frozen=True)
class IssueType:
    code: str
    severity: Severity
    category: Category
    title: str
    template: str
    action: str


def _t(code: str, sev: str, cat: str, title: str, template: str, action: str) -> IssueType:
    return IssueType(code, Severity(sev), Category(cat), title, template, action)


# The catalogue. Codes are stable: never rename one, add a new one instead.
# Templates use {placeholders} filled from the issue's params.
_CATALOGUE: list[IssueType] = [
    # --- the master workbook (kinerja check) ---------------------------------------------------
    _t("sheet-missing", "error", "struktur", "Sheet tidak ditemukan",
       "Sheet '{sheet}' tidak ada di workbook.",
       "Kembalikan sheet '{sheet}' (jangan diganti nama), atau buat ulang workbook dengan 'kinerja init'."),
    _t("header-missing", "error", "struktur", "Judul kolom tidak ditemukan",
       "Kolom '{column}' tidak ditemukan pada baris judul sheet '{sheet}'.",
       "Tulis kembali judul kolom '{column}' persis seperti semula pada baris judul."),
    _t("column-extra", "info", "struktur", "Kolom tambahan diabaikan",
       "Kolom '{column}' tidak dikenal dan diabaikan.",
       "Tidak perlu tindakan; hapus kolom itu bila tidak dipakai."),
    _t("row-blank", "info", "struktur", "Baris kosong dilewati",
       "Baris {row} kosong dan dilewati.",
       "Tidak perlu tindakan; baris kosong boleh dihapus."),
    _t("value-required", "error", "data", "Isian wajib kosong",
       "Kolom '{column}' wajib diisi.",
       "Isi kolom '{column}' pada sel {cell}."),
    _t("number-invalid", "error", "data", "Bukan angka",
       "Nilai '{value}' bukan angka.",
       "Ketik angka saja pada sel {cell}, misalnya 85 atau 1.234,5."),
    _t("number-reformatted", "info", "data", "Angka dibaca ulang",
       "Nilai '{value}' dibaca sebagai {number}.",
       "Periksa bahwa {number} memang yang dimaksud; sebaiknya ketik angka tanpa teks tambahan."),
    _t("number-ambiguous", "warning", "data", "Format angka meragukan",
       "Nilai '{value}' dapat berarti dua angka; dibaca sebagai {number}.",
       "Pastikan angkanya; tulis dengan koma desimal (mis. 1,5) dan titik ribuan (mis. 1.234)."),
    _t("number-words", "warning", "data", "Angka ditulis dengan huruf",
       "Nilai '{value}' ditulis dengan huruf; dibaca sebagai {number}.",
       "Ketik angka dengan digit pada sel {cell}."),
    _t("value-date", "error", "data", "Tanggal di sel angka",
       "Sel berisi tanggal ({value}), padahal yang diminta angka.",
       "Ganti format sel {cell} menjadi angka (General/Number) lalu ketik angkanya."),
    _t("formula-error", "error", "data", "Galat rumus Excel",
       "Sel berisi galat rumus {value}.",
       "Perbaiki rumus atau ketik angkanya langsung pada sel {cell}."),
    _t("choice-invalid", "error", "data", "Pilihan tidak dikenal",
       "Nilai '{value}' tidak termasuk pilihan kolom '{column}' ({choices}).",
       "Pilih salah satu dari: {choices}."),
    _t("date-invalid", "error", "data", "Tanggal tidak valid",
       "Nilai '{value}' bukan tanggal.",
       "Ketik tanggal pada sel {cell}, misalnya 17/01/2026."),
    _t("time-invalid", "error", "data", "Jam tidak valid",
       "Nilai '{value}' bukan jam.",
       "Ketik jam pada sel {cell}, misalnya 07.30."),
    _t("duration-invalid", "error", "data", "Waktu mutu baku tidak terbaca",
       "{detail}",
       "Perbaiki waktu pada sel {cell}, misalnya '15 Menit', '2 Jam' atau '3 Hari'."),
    _t("nip-invalid", "error", "data", "NIP tidak valid",
       "NIP '{value}' tidak valid: {detail}.",
       "Periksa NIP pada sel {cell}: 18 angka (tanggal lahir, TMT, jenis kelamin, nomor urut)."),
    # identifiers are text: a number where a NIP or a code belongs
    _t("nip-number", "error", "data", "NIP tersimpan sebagai angka",
       "NIP pada kolom '{column}' tersimpan sebagai angka ({shown}), bukan teks: Excel hanya menyimpan "
       "15 angka bermakna, sehingga angka terakhir NIP 18 angka hilang atau berubah.",
       "Format sel {cell} (atau seluruh kolom '{column}') sebagai Text (Format Cells > Number > Text), "
       "lalu ketik ulang NIP-nya; atau ketik NIP diawali apostrof, mis. '197305121998031004."),
    _t("id-number", "warning", "data", "Kode tersimpan sebagai angka",
       "Kolom '{column}' berisi angka {shown}, bukan teks; dibaca sebagai kode '{shown}'. Angka nol di "
       "depan (01) atau di belakang koma (1.10) hilang bila kode diketik sebagai angka.",
       "Bila kodenya memang '{shown}', tidak perlu tindakan. Bila lain, format sel {cell} sebagai Text "
       "(Format Cells > Number > Text) lalu ketik ulang, atau ketik diawali apostrof, mis. '{shown}."),
    _t("id-date", "error", "data", "Kode terbaca sebagai tanggal",
       "Kolom '{column}' berisi tanggal {shown}, padahal yang diminta kode (Excel mengubah ketikan "
       "seperti 1-10 menjadi tanggal).",
       "Format sel {cell} sebagai Text (Format Cells > Number > Text) lalu ketik ulang kodenya, atau "
       "ketik diawali apostrof, mis. '1-10."),
    _t("setting-missing", "error", "struktur", "Pengaturan tidak ditemukan",
       "Pengaturan '{key}' tidak ditemukan di sheet '{sheet}'.",
       "Tambahkan baris '{key}' pada kolom Pengaturan sheet '{sheet}'."),
    _t("setting-invalid", "error", "data", "Pengaturan tidak valid",
       "Pengaturan '{key}' tidak valid: {detail}.",
       "Perbaiki nilai pada sel {cell}."),
    _t("holidays-unknown", "warning", "data", "Cuti bersama belum diketahui",
       "Kalender kinerja belum memuat cuti bersama tahun {year} dan sheet '{sheet}' belum berisi tanggal "
       "tahun itu; hari cuti bersama akan dihitung sebagai hari kerja dalam Waktu SOP.",
       "Tambahkan tanggal cuti bersama tahun {year} (SKB 3 Menteri) ke sheet '{sheet}', satu baris per tanggal."),
    _t("unit-duplicate", "error", "data", "Kode unit ganda",
       "Kode unit '{value}' dipakai lebih dari sekali (juga di baris {other_row}).",
       "Beri setiap unit kode yang berbeda pada sheet '{sheet}'."),
    _t("indicator-duplicate", "error", "data", "Kode indikator ganda",
       "Kode indikator '{value}' dipakai lebih dari sekali (juga di baris {other_row}).",
       "Beri setiap indikator kode yang berbeda pada sheet '{sheet}'."),
    _t("indicator-unknown-unit", "error", "data", "Unit indikator tidak dikenal",
       "Indikator '{indicator}' menunjuk unit '{value}' yang tidak ada di sheet Unit.",
       "Tulis kode unit yang ada di sheet Unit, atau tambahkan unit '{value}'."),
    _t("unit-no-indicators", "warning", "data", "Unit tanpa indikator",
       "Unit '{unit}' belum memiliki indikator; formulirnya tidak dibuat.",
       "Tambahkan indikator untuk unit '{unit}' di sheet Indikator, atau hapus unit itu."),
    _t("target-sum-mismatch", "warning", "data", "Target triwulan tidak sesuai target tahunan",
       "Jumlah/nilai target triwulan ({quarters}) tidak sama dengan target tahunan ({yearly}).",
       "Periksa target pada baris {row} sheet Indikator."),
    _t("sop-invalid", "error", "data", "Langkah SOP tidak valid",
       "{detail}",
       "Perbaiki langkah SOP pada sheet '{sheet}'."),
    _t("workbook-unreadable", "error", "struktur", "Workbook tidak dapat dibuka",
       "File '{file}' tidak dapat dibuka: {detail}.",
       "Pastikan file itu workbook Excel (.xlsx/.xlsm) yang utuh dan tidak sedang dikunci."),
    # --- forms (SOP steps 1-4) -------------------------------------------------------------------
    _t("forms-exist", "error", "proses", "Formulir sudah ada",
       "Folder '{folder}' sudah berisi formulir putaran {round}.",
       "Pakai '--putaran-baru' untuk putaran berikutnya, atau '--force' untuk menimpa."),
    _t("forms-master-invalid", "error", "proses", "Workbook induk belum benar",
       "Formulir tidak dibuat: sheet '{sheet}' masih memuat kesalahan ({detail}).",
       "Jalankan 'kinerja check', perbaiki kesalahannya, lalu buat formulir lagi."),
    _t("deadline-missing", "warning", "proses", "Batas waktu belum diisi",
       "Pengaturan 'Batas Waktu Pengisian' kosong; formulir tidak mencantumkan batas waktu.",
       "Isi 'Batas Waktu Pengisian' di sheet Pengaturan, lalu buat ulang formulir dengan '--force'."),
    _t("deadline-past", "warning", "proses", "Batas waktu sudah lewat",
       "Batas waktu pengisian {deadline} sudah lewat saat formulir dibuat ({now}).",
       "Perbarui 'Batas Waktu Pengisian' di sheet Pengaturan, lalu buat ulang formulir dengan '--force'."),
    _t("form-write-failed", "error", "proses", "File tidak dapat ditulis",
       "File '{file}' tidak dapat ditulis: {detail}.",
       "Tutup file itu bila sedang terbuka di Excel/Word, atau pilih folder lain."),
    _t("forms-template-missing", "error", "struktur", "Templat dokumen tidak ada",
       "Templat '{file}' tidak ditemukan.",
       "Taruh templat Word '{file}' di folder 'templates' di samping workbook induk, atau pasang ulang kinerja."),
    _t("forms-not-distributed", "error", "proses", "Formulir belum dibagikan",
       "Belum ada formulir {periode} yang tercatat di sheet Distribusi.",
       "Jalankan 'Buat Formulir' (kinerja forms) dahulu; tanda terima dibuat bersama formulir."),
    _t("forms-template-invalid", "error", "struktur", "Templat dokumen rusak",
       "Templat '{file}' tidak dapat dipakai: {detail}.",
       "Perbaiki penulisan isian di templat itu, atau hapus templat itu agar templat bawaan dipakai."),
    # --- collect (SOP steps 5-9) -----------------------------------------------------------------
    _t("file-lock", "info", "struktur", "File kunci Excel dilewati",
       "File '{file}' adalah file kunci sementara Excel dan dilewati.",
       "Tidak perlu tindakan."),
    _t("file-empty", "error", "struktur", "File kosong",
       "File '{file}' berukuran 0 byte.",
       "Minta unit mengirim ulang formulirnya."),
    _t("file-too-large", "error", "struktur", "File terlalu besar",
       "File '{file}' ({size}) melebihi batas {limit} dan tidak dibaca.",
       "Minta unit mengirim formulir asli tanpa lampiran atau gambar tambahan."),
    _t("file-corrupt", "error", "struktur", "File rusak",
       "File '{file}' rusak atau bukan workbook: {detail}.",
       "Minta unit menyimpan ulang formulirnya dari Excel (File > Save As > .xlsx) dan mengirim ulang."),
    _t("file-encrypted", "error", "struktur", "File berkata sandi",
       "File '{file}' dilindungi kata sandi pembukaan dan tidak dapat dibaca.",
       "Minta unit membuka proteksi kata sandi (File > Info > Protect Workbook) lalu mengirim ulang."),
    _t("file-old-format", "warning", "struktur", "Format lama",
       "File '{file}' berformat {format}; {detail}.",
       "Sebaiknya unit menyimpan formulir sebagai .xlsx (File > Save As > Excel Workbook)."),
    _t("file-not-form", "error", "struktur", "Bukan formulir kinerja",
       "File '{file}' bukan formulir pengumpulan data kinerja dari workbook ini.",
       "Periksa file itu; bila berisi data unit, minta unit mengisi formulir resmi yang dibagikan."),
    _t("file-macro", "info", "struktur", "File bermakro",
       "File '{file}' berisi makro; hanya nilainya yang dibaca, makro tidak dijalankan.",
       "Tidak perlu tindakan; formulir resmi tidak memerlukan makro."),
    _t("form-other-office", "error", "proses", "Formulir instansi lain",
       "Formulir '{file}' milik instansi '{value}', bukan instansi ini.",
       "Pastikan unit mengisi formulir yang dibagikan instansi ini."),
    _t("form-other-period", "error", "proses", "Formulir periode lain",
       "Formulir '{file}' untuk periode {value}, sedangkan periode berjalan {expected}.",
       "Minta unit mengisi formulir periode {expected}."),
    _t("form-unknown-unit", "error", "proses", "Unit tidak dikenal",
       "Formulir '{file}' untuk unit '{value}' yang tidak ada di sheet Unit.",
       "Periksa kode unit di sheet Unit, atau minta unit memakai formulir yang benar."),
    _t("form-duplicate", "info", "proses", "Formulir dikirim lebih dari sekali",
       "Unit '{unit}' mengirim formulir yang sama lebih dari sekali; dipakai '{used}', diabaikan '{file}'.",
       "Tidak perlu tindakan; pastikan versi yang dipakai adalah yang terbaru."),
    _t("form-superseded", "info", "proses", "Diganti putaran baru",
       "Formulir putaran {old_round} dari unit '{unit}' diganti putaran {round}.",
       "Tidak perlu tindakan; riwayat disimpan di sheet Penerimaan."),
    _t("sheet-renamed", "info", "struktur", "Sheet diganti nama",
       "Sheet formulir bernama '{value}' (semula '{expected}'); tetap dibaca.",
       "Tidak perlu tindakan; sebaiknya nama sheet tidak diubah."),
    _t("row-missing", "warning", "struktur", "Baris indikator hilang",
       "Indikator '{indicator}' tidak ditemukan di formulir (baris dihapus?).",
       "Minta unit mengisi indikator '{indicator}' (kirim ulang formulir asli)."),
    _t("row-unknown", "warning", "struktur", "Baris indikator tidak dikenal",
       "Baris {row} berkode '{value}' tidak ada dalam daftar indikator unit ini; diabaikan.",
       "Bila indikator baru, tambahkan di sheet Indikator dahulu."),
    _t("row-moved", "info", "struktur", "Baris indikator berpindah",
       "Indikator '{indicator}' ditemukan di baris {row} (semula baris {expected}).",
       "Tidak perlu tindakan; nilai dicocokkan menurut kode indikator."),
    _t("form-table-missing", "error", "struktur", "Tabel isian tidak ditemukan",
       "Formulir '{file}' tidak memuat tabel isian (judul kolom 'Kode' dan 'Realisasi TW ...').",
       "Minta unit mengirim ulang formulir asli tanpa mengubah atau menghapus judul kolom."),
    _t("row-duplicate", "warning", "struktur", "Baris indikator ganda",
       "Indikator '{indicator}' muncul lagi di baris {row}; yang dipakai baris {other_row}.",
       "Hapus baris ganda pada formulir, atau pastikan nilai di baris {other_row} yang benar."),
    _t("inbox-missing", "error", "proses", "Folder formulir masuk tidak ada",
       "Folder '{folder}' tidak ditemukan.",
       "Buat folder itu dan taruh formulir yang kembali dari unit di dalamnya, atau sebutkan folder yang benar."),
    # a valid number that is probably not the one meant
    _t("realisasi-magnitude", "warning", "data", "Realisasi berbeda kelipatan 10",
       "Realisasi {quarter} dibaca {value}, sekitar {factor} kali {direction} dari target ({target}) dan "
       "realisasi triwulan sebelumnya ({earlier}); mungkin maksudnya {alternative}. Koma desimal yang "
       "terbaca sebagai pemisah ribuan (komputer berbahasa Inggris) mengubah 85,5 menjadi 855.",
       "Periksa sel {cell} bersama unit: bila maksudnya {alternative}, ketik ulang angkanya; bila {value} "
       "memang benar, tulis penjelasannya."),
    _t("realisasi-looks-cumulative", "warning", "data", "Realisasi kumulatif seperti jumlah sejak TW I",
       "Realisasi {quarter} ({value}) indikator kumulatif lebih dekat ke target {first} s.d. {quarter} "
       "({to_date_target}) daripada target {quarter} sendiri ({own_target}). Dibaca sebagai angka "
       "{quarter} sendiri, capaian s.d. {quarter} {capaian}; bila {value} adalah jumlah sejak {first}, "
       "angka {quarter} sendiri {own} ({value} dikurangi {before}) dan capaian {alt_capaian}.",
       "Formulir meminta angka {quarter} sendiri. Periksa sel {cell} bersama unit; bila yang diketik "
       "jumlah sejak {first}, ganti dengan {own}."),
    _t("text-formula", "info", "data", "Teks seperti rumus",
       "Isian '{value}' diawali tanda rumus dan disimpan sebagai teks.",
       "Tidak perlu tindakan; periksa isinya bila memang dimaksud rumus."),
    # --- validation rules (SOP steps 10-11) ------------------------------------------------------
    _t("realisasi-missing", "error", "data", "Realisasi kosong",
       "Realisasi {quarter} indikator '{indicator}' belum diisi.",
       "Minta unit '{unit}' mengisi realisasi pada formulir."),
    _t("value-negative", "error", "data", "Nilai negatif",
       "Nilai {value} negatif.",
       "Periksa kembali; realisasi dan anggaran tidak boleh negatif."),
    _t("target-zero", "warning", "data", "Target nol",
       "Target indikator '{indicator}' bernilai 0, capaian tidak dapat dihitung ({rule}).",
       "Periksa target di sheet Indikator; bila memang nol, beri penjelasan."),
    _t("realisasi-zero-turun", "warning", "data", "Realisasi nol pada rumus T/R",
       "Realisasi indikator '{indicator}' bernilai 0 dengan rumus T/R; capaian tidak dapat dihitung.",
       "Periksa realisasi, atau pakai rumus (2T-R)/T untuk indikator ini."),
    _t("capaian-out-of-range", "warning", "data", "Capaian tidak terhitung: angka terlalu besar",
       "Capaian indikator '{indicator}' tidak dapat dihitung: perbandingan realisasi dan target "
       "melampaui angka terbesar yang dapat dihitung.",
       "Periksa target dan realisasi indikator ini (kemungkinan salah ketik, mis. kelebihan angka nol "
       "atau tanda E)."),
    _t("capaian-above-ceiling", "warning", "data", "Capaian terlalu tinggi",
       "Capaian {capaian} melebihi {limit} tanpa penjelasan.",
       "Minta unit memeriksa angka atau menuliskan penjelasan."),
    _t("capaian-below-floor", "warning", "data", "Capaian terlalu rendah",
       "Capaian {capaian} di bawah {limit} tanpa penjelasan.",
       "Minta unit memeriksa angka atau menuliskan penjelasan."),
    _t("explanation-missing", "warning", "data", "Penjelasan belum ada",
       "Capaian {capaian} di bawah target tetapi penjelasan kosong.",
       "Minta unit menuliskan penjelasan dan upaya perbaikan."),
    _t("cumulative-decrease", "warning", "data", "Realisasi kumulatif menurun",
       "Realisasi kumulatif {quarter} ({value}) lebih kecil dari {previous_quarter} ({previous}).",
       "Realisasi kumulatif tidak boleh turun; periksa angkanya."),
    _t("evidence-missing", "warning", "data", "Bukti dukung belum ada",
       "Indikator '{indicator}' wajib bukti dukung, tetapi tautan bukti kosong.",
       "Minta unit melampirkan tautan bukti dukung."),
    _t("budget-over-ceiling", "error", "data", "Realisasi anggaran melebihi pagu",
       "Realisasi anggaran {value} melebihi pagu {limit}.",
       "Periksa realisasi anggaran; tidak boleh melebihi pagu."),
    _t("return-late", "warning", "proses", "Formulir terlambat",
       "Unit '{unit}' mengembalikan formulir {late} setelah batas waktu {deadline}.",
       "Catat keterlambatan; tidak perlu perbaikan data."),
    _t("unit-not-returned", "error", "proses", "Formulir belum kembali",
       "Unit '{unit}' (kepala: {head}) belum mengembalikan formulir; terlambat {late}.",
       "Hubungi kepala unit '{unit}' ({contact})."),
    _t("indicator-inconsistent", "error", "data", "Indikator tidak konsisten",
       "Indikator '{indicator}' di formulir berbeda dengan sheet Indikator: {detail}.",
       "Bagikan ulang formulir dari workbook ini; jangan ubah nama atau target indikator."),
    _t("unit-pending", "warning", "proses", "Formulir belum kembali (belum lewat batas waktu)",
       "Unit '{unit}' belum mengembalikan formulir putaran {round}; batas waktu {deadline}.",
       "Tunggu formulir dari unit '{unit}' atau ingatkan kepalanya ({head}, {contact})."),
    _t("unit-row-missing", "error", "struktur", "Baris indikator tidak ada di sheet unit",
       "Indikator '{indicator}' tidak punya baris di sheet '{sheet}'; realisasinya tidak tercatat.",
       "Tambahkan baris berkode '{indicator}' di sheet '{sheet}' (salin dari sheet Indikator), "
       "lalu jalankan Himpun & Rekap atau ketik realisasinya."),
    _t("unit-row-unknown", "warning", "struktur", "Baris bukan indikator unit ini",
       "Baris {row} sheet '{sheet}' berkode '{value}', bukan indikator unit '{unit}'{owner}; "
       "nilainya tidak dipakai.",
       "Pindahkan nilainya ke baris indikator yang benar, lalu hapus baris {row}."),
    _t("unit-approval-blocked", "error", "proses", "Unit belum dapat disetujui",
       "Unit '{unit}' diputuskan Terima, tetapi masih ada {count} kesalahan.",
       "Kembalikan unit '{unit}' untuk perbaikan, atau perbaiki datanya lalu validasi lagi "
       "('--force' menyetujui dengan catatan)."),
    _t("unit-approved-with-errors", "warning", "proses", "Unit disetujui dengan kesalahan",
       "Unit '{unit}' disetujui oleh {who} walaupun masih ada {count} kesalahan.",
       "Pastikan kesalahan itu memang dapat diterima; catatan ini tersimpan di sheet Riwayat."),
    _t("rekap-approval-blocked", "error", "proses", "Rekap belum dapat diparaf",
       "Semua unit disetujui, tetapi masih ada {count} kesalahan di luar unit ({detail}).",
       "Periksa baris Kesalahan tanpa unit di sheet Validasi, perbaiki, lalu jalankan Setujui / "
       "Kembalikan lagi ('--force' memaraf dengan catatan)."),
    _t("unit-undecided", "warning", "proses", "Keputusan unit belum diisi",
       "Unit '{unit}' belum diputuskan (Terima atau Kembalikan).",
       "Isi baris Keputusan untuk unit '{unit}' di sheet Validasi (sel {cell})."),
    _t("unit-awaiting-revision", "info", "proses", "Menunggu perbaikan unit",
       "Unit '{unit}' sudah dikembalikan pada putaran {round}; perbaikannya belum diterima.",
       "Tunggu formulir perbaikan unit '{unit}', lalu jalankan Himpun & Rekap dan Validasi."),
    # --- review and report (SOP steps 11-14) -----------------------------------------------------
    _t("rekap-not-approved", "error", "proses", "Rekap belum disetujui",
       "Rekap belum disetujui Sekretaris ({detail}).",
       "Jalankan validasi dan minta persetujuan, atau pakai '--force' untuk laporan DRAF."),
    _t("template-field-missing", "error", "struktur", "Templat kurang isian",
       "Templat '{file}' tidak memakai isian wajib: {fields}.",
       "Tambahkan kembali isian {fields} ke templat Word, atau pakai templat bawaan."),
    _t("template-field-unknown", "error", "struktur", "Isian templat tidak dikenal",
       "Templat '{file}' memakai isian yang tidak dikenal: {fields}.",
       "Hapus atau perbaiki isian itu; isian yang tersedia: {available}."),
    _t("archive-exists", "error", "proses", "Arsip sudah ada",
       "Arsip '{folder}' sudah ada dan tidak ditimpa.",
       "Pilih folder lain, atau pindahkan arsip lama terlebih dahulu."),
    _t("report-draft", "warning", "proses", "Dokumen dibuat sebagai DRAF",
       "Rekap belum disetujui ({detail}); dokumen dibuat sebagai DRAF: setiap halaman bertanda DRAF dan surat tidak diberi nomor.",
       "Setelah Sekretaris menyetujui rekap, buat ulang dokumen tanpa '--force'."),
    _t("template-invalid", "error", "struktur", "Templat tidak dapat dibaca",
       "Templat '{file}' tidak dapat dibaca: {detail}.",
       "Perbaiki tanda {{{{ ... }}}} atau {{% ... %}} di templat Word, atau kosongkan 'Folder Templat Word' di Pengaturan untuk memakai templat bawaan."),
    _t("template-not-found", "warning", "struktur", "Templat kantor tidak ditemukan",
       "Templat '{file}' tidak ada di folder '{folder}'; dipakai templat bawaan.",
       "Salin templat bawaan ke folder itu bila ingin mengubahnya, atau perbaiki 'Folder Templat Word' di Pengaturan."),
    _t("logo-not-found", "warning", "data", "Logo tidak dapat dipakai",
       "Logo '{file}' tidak ditemukan atau bukan gambar PNG/JPG ({detail}); kop tanpa logo.",
       "Taruh file logo di folder workbook induk dan tulis nama filenya pada Pengaturan 'Logo (file gambar)'."),
    _t("official-missing", "warning", "data", "Pejabat belum diisi",
       "Pejabat dengan peran '{role}' belum diisi; bagian {purpose} pada dokumen kosong.",
       "Isi baris peran '{role}' di sheet Pejabat (jabatan, nama, pangkat, NIP)."),
    _t("letter-format-invalid", "error", "data", "Format nomor surat tidak dapat dipakai",
       "Format nomor surat '{value}' tidak dapat dipakai: {detail}.",
       "Perbaiki 'Format Nomor Surat' di sheet Pengaturan; isian yang tersedia: {available}."),
    _t("report-write-failed", "error", "proses", "Dokumen tidak dapat ditulis",
       "Dokumen '{file}' tidak dapat ditulis: {detail}.",
       "Tutup dokumen itu bila sedang dibuka di Word, periksa folder tujuan, lalu ulangi."),
    _t("pdf-failed", "warning", "proses", "PDF tidak dapat dibuat",
       "PDF dari '{file}' tidak dapat dibuat: {detail}",
       "Dokumen Word tetap tersedia; simpan sebagai PDF dari Word, atau pasang LibreOffice."),
    _t("archive-file-missing", "warning", "proses", "File tidak ditemukan untuk arsip",
       "File {kind} '{file}' tidak ditemukan dan tidak masuk arsip.",
       "Cari file itu dan salin ke arsip '{folder}'; untuk formulir masuk pakai '--inbox FOLDER'."),
    _t("archive-file-changed", "info", "proses", "File berubah sejak dicatat",
       "File {kind} '{file}' berbeda dari yang dicatat (SHA-256 lain); diarsipkan apa adanya.",
       "Tidak perlu tindakan bila file itu memang sudah dikoreksi; sidik barunya tercatat di manifest."),
    # --- approved values and periods ----------------------------------------------------------------
    _t("approved-value-changed", "error", "proses", "Nilai yang sudah disetujui berubah",
       "Realisasi TW {quarter} indikator '{indicator}' disetujui {who} pada {when} (periode {period}) "
       "sebesar {approved}, sekarang {value}.",
       "Kembalikan nilai itu ke {approved}, atau bila perubahan itu memang koreksi, minta Sekretaris "
       "memeriksa dan menyetujui ulang unit '{unit}' (Validasi, lalu Setujui / Kembalikan)."),
    _t("approved-record-altered", "error", "proses", "Catatan persetujuan diubah",
       "Baris sheet Nilai Disetujui untuk unit '{unit}' periode {period} (disetujui {who} pada {when}) "
       "tidak cocok lagi dengan sidik SHA-256-nya: nilainya diubah setelah disetujui.",
       "Jangan mengubah sheet Nilai Disetujui; pulihkan dari cadangan atau dari arsip periode {period}."),
    _t("period-not-approved", "error", "proses", "Periode lama belum disetujui",
       "Periode {period} belum disetujui Sekretaris ({detail}); periode baru tidak dibuat.",
       "Selesaikan Validasi dan Setujui / Kembalikan dahulu, atau pakai '--paksa' (tercatat di Riwayat "
       "workbook baru)."),
    _t("period-not-archived", "error", "proses", "Periode lama belum diarsipkan",
       "Periode {period} belum diarsipkan; periode baru tidak dibuat.",
       "Jalankan Arsipkan (kinerja archive) dahulu, atau pakai '--paksa' (tercatat di Riwayat workbook baru)."),
    _t("period-not-next", "error", "data", "Periode bukan periode berikutnya",
       "{period} bukan periode sesudah {previous} (berikutnya: {expected}).",
       "Pakai '--periode \"{expected}\"', atau '--paksa' bila memang melompati periode."),
    _t("period-forced", "warning", "proses", "Workbook dibuat walau periode lama belum selesai",
       "Workbook ini dibuat dari periode sebelumnya yang belum selesai: {detail}.",
       "Selesaikan periode sebelumnya (persetujuan, arsip) bila masih mungkin; catatan ini tetap di Riwayat."),
    _t("new-master-exists", "error", "proses", "File workbook baru sudah ada",
       "File '{file}' sudah ada (atau sama dengan workbook lama) dan tidak ditimpa.",
       "Pilih nama file lain untuk workbook periode baru."),
    _t("code-rename-within-year", "error", "data", "Kode indikator hanya diganti saat tahun berganti",
       "Penggantian kode indikator diminta untuk {period}, yang masih dalam tahun yang sama.",
       "Ganti kode hanya saat membuat periode pertama tahun baru, agar riwayat tahun berjalan tetap utuh."),
    _t("indicator-code-unknown", "error", "data", "Kode indikator tidak ada",
       "Kode indikator '{value}' tidak ada di sheet Indikator.",
       "Periksa kode yang ditulis pada '--ganti-kode' atau '--pensiun'."),
    _t("indicator-code-taken", "error", "data", "Kode indikator baru sudah dipakai",
       "Kode baru '{value}' (pengganti '{old}') sudah dipakai indikator lain.",
       "Pilih kode baru yang belum dipakai."),
    _t("target-missing", "error", "data", "Target belum diisi",
       "Indikator '{indicator}' belum mempunyai target tahun {year}.",
       "Isi Target Tahunan dan Target TW I-IV dari Perjanjian Kinerja {year} di sheet Indikator (ketik atau tempel)."),
    _t("chain-previous-missing", "error", "struktur", "Workbook induk sebelumnya tidak ditemukan",
       "Workbook induk sebelumnya '{value}' (Pengaturan 'Workbook Induk Sebelumnya') tidak ditemukan atau tidak dapat dibaca.",
       "Perbaiki nama file atau folder arsipnya di Pengaturan, atau kosongkan bila tidak ada."),
    _t("chain-office-mismatch", "error", "data", "Workbook sebelumnya milik instansi lain",
       "Workbook sebelumnya '{previous}' milik {value}, bukan {office}.",
       "Perbaiki 'Workbook Induk Sebelumnya' di Pengaturan agar menunjuk workbook instansi ini."),
    _t("chain-period-gap", "error", "data", "Periode tidak berurutan",
       "Workbook sebelumnya '{previous}' untuk {value}; periode ini {period} tidak langsung sesudahnya.",
       "Tunjuk workbook periode tepat sebelumnya di Pengaturan 'Workbook Induk Sebelumnya'."),
    _t("chain-previous-unapproved", "warning", "proses", "Periode sebelumnya belum disetujui",
       "Workbook sebelumnya '{previous}' ({period}) belum disetujui: {detail}.",
       "Selesaikan persetujuan periode itu, atau catat alasannya."),
    _t("chain-value-changed", "error", "proses", "Nilai yang disetujui periode lalu berubah",
       "Realisasi TW {quarter} indikator '{indicator}' disetujui di '{previous}' sebesar {approved}, "
       "di workbook ini {value}.",
       "Kembalikan nilainya ke {approved}; nilai yang sudah disetujui tidak diubah di periode berikutnya."),
    _t("chain-record-missing", "error", "proses", "Catatan persetujuan periode lalu hilang",
       "Persetujuan unit '{unit}' periode {period} yang tercatat di '{previous}' tidak ada lagi (atau berbeda) "
       "di sheet Nilai Disetujui workbook ini.",
       "Pulihkan sheet Nilai Disetujui dari workbook sebelumnya; jangan mengubah sheet itu."),
    # --- hostile input, concurrent runs, the master file on disk ----------------------------------
    _t("cell-far", "warning", "struktur", "Sel terisi jauh di luar tabel",
       "Sheet '{sheet}' memuat {count} sel terisi jauh di luar tabel (yang pertama {cell}); {detail}.",
       "Hapus isi sel {cell} dan sel lain di luar tabel (Ctrl+End di Excel menuju sel terakhir yang "
       "terpakai), lalu simpan."),
    _t("file-link", "warning", "struktur", "Bukan file biasa",
       "'{file}' di folder formulir masuk adalah {kind}, bukan file biasa; tidak dibaca dan tidak diarsipkan.",
       "Taruh file formulir aslinya (bukan pintasan atau tautan) di folder formulir masuk."),
    _t("form-blank", "error", "data", "Formulir kosong menggantikan isian",
       "Formulir '{file}' dari unit '{unit}' tidak berisi satu nilai pun, padahal {other} sudah berisi "
       "nilai; nilai yang sudah ada tetap dipakai.",
       "Tanyakan ke unit '{unit}' apakah formulir kosong itu terkirim tidak sengaja; bila nilainya memang "
       "harus dikosongkan, hapus langsung di sheet '{sheet}'."),
    _t("collect-refused", "error", "struktur", "Himpun tidak dijalankan",
       "Himpun & Rekap tidak dijalankan karena {detail}; workbook induk tidak diubah.",
       "Kembalikan {what} seperti semula (lihat 'kinerja check'), lalu jalankan Himpun & Rekap lagi."),
    _t("master-busy", "error", "proses", "Workbook induk sedang dipakai",
       "Workbook induk '{file}' sedang dipakai oleh {who} sejak {since} (perintah: {command}); langkah ini "
       "tidak dijalankan dan workbook tidak diubah.",
       "Tunggu sampai langkah itu selesai lalu ulangi, atau jalankan 'kinerja --tunggu 120 ...' agar "
       "menunggu giliran (kali ini: {waited})."),
    _t("master-open-excel", "error", "proses", "Workbook induk sedang dibuka di Excel",
       "Workbook induk '{file}' sedang dibuka di Excel oleh {who}; tidak diubah agar isian yang belum "
       "disimpan di sana tidak hilang.",
       "Minta {who} menyimpan dan menutup workbook itu lalu ulangi, atau jalankan langkah ini dari pita "
       "'Data Kinerja' di Excel."),
    _t("master-read-only", "error", "proses", "Workbook induk hanya-baca",
       "Workbook induk '{file}' bertanda hanya-baca; tidak diubah.",
       "Bila memang boleh diubah, hilangkan tanda hanya-baca (klik kanan > Properties > Read-only), lalu ulangi."),
    _t("master-changed", "error", "proses", "Workbook induk berubah saat dipakai",
       "Workbook induk '{file}' diubah program lain (disimpan {when}) sejak dibaca langkah ini; hasil langkah "
       "ini tidak disimpan agar perubahan itu tidak tertimpa.",
       "Ulangi langkahnya: workbook dibaca ulang beserta perubahan terbaru."),
    # --- the annual report (LKjIP) ----------------------------------------------------------------
    _t("annual-not-year-end", "error", "proses", "Laporan tahunan dibuat pada akhir tahun",
       "Laporan Kinerja tahunan disusun dari workbook TW IV atau periode Tahunan; workbook ini {period}.",
       "Jalankan 'kinerja report --tahunan' pada workbook induk Triwulan IV (atau Tahunan)."),
    _t("annual-quarter-master-missing", "warning", "proses", "Workbook triwulan tidak ditemukan",
       "Workbook induk triwulan {quarters} tidak ditemukan lewat rantai 'Workbook Induk Sebelumnya'; "
       "nilainya diambil dari sheet Nilai Disetujui dan penjelasan unit triwulan itu tidak ada.",
       "Isi 'Workbook Induk Sebelumnya' di Pengaturan (workbook atau folder arsip periode sebelumnya)."),
    _t("annual-text-missing", "warning", "data", "Teks laporan tahunan belum ditulis",
       "Bagian '{value}' Laporan Kinerja {year} belum ditulis; di draf tercetak sebagai tempat isian bertanda.",
       "Tulis teksnya di kolom Teks sheet 'Teks LKjIP', baris '{value}'."),
    # --- timing ----------------------------------------------------------------------------------
    _t("step-late", "warning", "proses", "Langkah melewati mutu baku",
       "Langkah {step} ({role}) lewat {late} dari batas waktu {due} ({rule}); waktu kerja "
       "terpakai {elapsed}.",
       "Catat penyebab keterlambatan pada kolom Keterangan sheet Waktu SOP."),
    _t("step-near-late", "info", "proses", "Langkah hampir melewati mutu baku",
       "Langkah {step} ({role}) memakai {percent} waktu yang tersedia sampai batas waktu {due} "
       "({rule}); waktu kerja terpakai {elapsed}.",
       "Tidak perlu tindakan."),
    _t("step-time-invalid", "warning", "data", "Waktu langkah tidak dapat dihitung",
       "Waktu langkah {step} tidak dapat dihitung: {detail}",
       "Perbaiki kolom Mulai/Selesai langkah {step} pada sheet Waktu SOP (sel {cell})."),
    _t("step-not-in-sop", "warning", "data", "Langkah tidak ada di SOP",
       "Baris {row} sheet Waktu SOP mencatat langkah '{step}', yang tidak ada di SOP ini "
       "(langkah 1 sampai {count}).",
       "Baris itu dipindah ke bawah tabel; periksa nomor langkahnya, atau hapus bila tidak perlu."),
    # --- the command line: the file named is not a master that can be used ------------------------
    _t("workbook-missing", "error", "struktur", "File workbook tidak ada",
       "File '{file}' tidak ada di folder '{folder}'.",
       "Periksa nama dan folder file itu (huruf besar/kecil, akhiran .xlsx), atau buat workbook "
       "induk baru dengan 'kinerja init {file}'."),
    _t("workbook-old-format", "error", "struktur", "Workbook format lama (.xls)",
       "File '{file}' berformat Excel 97-2003 (.xls), yang tidak dapat dibaca kinerja.",
       "Buka file itu di Excel, pilih File > Save As (Simpan Sebagai) > 'Excel Workbook (*.xlsx)', "
       "lalu jalankan lagi dengan file .xlsx-nya."),
    _t("workbook-wrong-type", "error", "struktur", "Bukan file workbook Excel",
       "File '{file}' bukan workbook Excel (akhiran '{suffix}').",
       "Sebutkan workbook induk berakhiran .xlsx atau .xlsm."),
    _t("collect-before-forms", "error", "proses", "Formulir belum pernah dibuat",
       "Sheet Distribusi belum mencatat formulir apa pun: belum ada formulir yang dapat dihimpun "
       "untuk periode ini.",
       "Buat formulir dahulu dengan tombol 'Buat Formulir' (kinerja forms), bagikan ke unit, lalu "
       "himpun formulir yang kembali."),
    # --- roll-up across offices (kinerja rollup) ----------------------------------------------
    _t("rollup-source-missing", "error", "struktur", "Sumber tidak ditemukan",
       "File atau folder '{file}' tidak ditemukan.",
       "Periksa jalur yang ditulis; sumber lain tetap direkap."),
    _t("rollup-not-master", "info", "struktur", "Bukan workbook induk",
       "File '{file}' tidak direkap: {reason}.",
       "Tidak perlu tindakan bila file itu memang bukan workbook induk; bila ya, buka dan periksa dengan 'kinerja check'."),
    _t("rollup-archive-altered", "warning", "proses", "Arsip tidak sesuai manifest",
       "Workbook induk di arsip '{file}' tidak sesuai manifest.json: {detail}.",
       "Minta instansi mengirim ulang arsipnya ('kinerja archive'); isi file tetap dibaca dan diperiksa persetujuannya."),
    _t("rollup-other-pemda", "warning", "proses", "Workbook induk Pemda lain",
       "'{file}' ({office}) milik '{value}', bukan '{expected}'; tidak direkap.",
       "Pastikan sumber yang benar; ubah 'Pemerintah Daerah' di sheet Pengaturan workbook rekap bila rekap ini untuk Pemda lain."),
    _t("rollup-other-period", "warning", "proses", "Workbook induk periode lain",
       "'{file}' ({office}) untuk {value}, bukan {expected}; tidak direkap.",
       "Minta instansi mengirim workbook induk {expected}, atau ubah 'Periode' di sheet Pengaturan workbook rekap."),
    _t("rollup-office-duplicate", "info", "proses", "Instansi ganda",
       "'{file}' juga milik {office} ({detail}); dipakai '{used}' (disetujui paling akhir).",
       "Tidak perlu tindakan bila yang dipakai memang yang terbaru; hapus salinan lama dari folder sumber."),
    _t("rollup-draft", "warning", "proses", "Rekap belum disetujui (DRAF)",
       "Rekap {office} di '{file}' belum disetujui Sekretaris ({detail}); angkanya direkap sebagai DRAF.",
       "Minta {office} menyelesaikan validasi dan persetujuan, lalu kirim ulang workbook induknya."),
    _t("rollup-changed-after-approval", "error", "proses", "Data berubah setelah disetujui",
       "Data {office} di '{file}' berubah setelah disetujui ({detail}); angkanya bukan yang disetujui.",
       "Minta {office} memvalidasi dan menyetujui ulang datanya, atau mengirim workbook induk dari arsip yang disetujui."),
    _t("rollup-office-missing", "warning", "proses", "Instansi belum ada",
       "{office} ada di daftar '{sheet}' tetapi workbook induk {period} untuk {pemda} tidak ditemukan di sumber.",
       "Minta {office} mengirim workbook induknya, atau hapus dari daftar '{sheet}' bila tidak wajib."),
    _t("rollup-office-unexpected", "info", "proses", "Instansi di luar daftar",
       "{office} ('{file}') tidak ada di daftar '{sheet}'; tetap direkap.",
       "Tambahkan {office} ke daftar '{sheet}' bila memang wajib menyerahkan data."),
    _t("rollup-expected-proposed", "info", "proses", "Daftar instansi diusulkan",
       "Daftar '{sheet}' dibuat dari sumber yang ditemukan ({count} instansi).",
       "Periksa daftar itu dan tambahkan instansi yang belum mengirim; rekap berikutnya memakainya."),
    _t("rollup-rebuilt", "info", "struktur", "Workbook rekap dibuat ulang",
       "Susunan workbook rekap '{file}' berubah (sheet atau kolom predikat); dibuat ulang dari pengaturan, "
       "skala dan daftar instansinya.",
       "Tidak perlu tindakan; salinan sebelumnya ada di folder 'cadangan'."),
    # --- a fresh master: placeholders still in place (kinerja check, 'Siap dipakai?') -------------
    _t("office-name-placeholder", "error", "data", "Nama instansi masih bawaan",
       "Nama Instansi masih '{value}', nama bawaan SOP contoh yang dipakai saat workbook dibuat.",
       "Ketik nama resmi instansi Anda di sheet Pengaturan sel {cell}."),
    _t("setting-placeholder", "error", "data", "Pengaturan masih isian contoh",
       "'{key}' masih berisi isian contoh '{value}'.",
       "Ketik {key} yang sebenarnya di sheet Pengaturan sel {cell}."),
    _t("official-required", "error", "data", "Pejabat wajib belum diisi",
       "Pejabat dengan peran '{role}' belum diisi; laporan, surat dan paraf memerlukannya.",
       "Ketik jabatan, nama, pangkat dan NIP pada baris '{role}' di sheet Pejabat."),
    _t("units-none", "error", "data", "Belum ada unit kerja",
       "Sheet Unit belum berisi unit kerja; tidak ada formulir yang dapat dibuat.",
       "Ketik atau tempel daftar unit di sheet Unit mulai baris {row} (Kode Unit, Nama Unit, Nama Kepala, ...)."),
    _t("indicators-none", "error", "data", "Belum ada indikator",
       "Sheet Indikator belum berisi indikator kinerja.",
       "Ketik, atau tempel tabel Perjanjian Kinerja apa adanya, di sheet Indikator mulai baris {row}; kolom "
       "dikenali dari judulnya (Kode, Kode Unit, Indikator Kinerja, Satuan, Polaritas, Metode, Target ...)."),
    _t("unit-sheet-absent", "info", "struktur", "Sheet data unit belum ada",
       "Sheet '{sheet}' untuk unit {unit} belum ada; sheet itu dibuat saat formulir unit itu pertama dihimpun.",
       "Tidak perlu tindakan untuk unit baru. Bila sheet itu terhapus, nilai unit ini diambil lagi dari formulirnya saat dihimpun."),
    _t("period-past", "error", "data", "Periode sudah lama lewat",
       "Periode {period} sudah lama lewat dan belum ada data untuknya: ini periode bawaan, bukan periode yang dihimpun.",
       "Ketik tahun di sheet Pengaturan sel {tahun} dan pilih Nomor Periode di sel {nomor}."),
    # --- what the head signs: targets, explanations, period texts (kinerja.stages.signable) ------------
    _t("target-period-blank", "error", "data", "Target periode kosong",
       "Target {quarter} indikator '{indicator}' kosong: capaiannya tidak dapat dihitung dan laporan "
       "belum dapat dibuat final.",
       "Isi target pada sel {cell} sheet Indikator. Bila indikator ini memang tanpa target {quarter}, "
       "Sekretaris menulis kodenya pada Pengaturan '{setting}'; laporan akan menyebutkannya."),
    _t("target-period-blank-accepted", "info", "data", "Target periode kosong diterima",
       "Target {quarter} indikator '{indicator}' kosong dan diterima Sekretaris (Pengaturan '{setting}'); "
       "capaiannya tidak dihitung dan laporan menyebutkannya.",
       "Tidak perlu tindakan; hapus kode itu dari Pengaturan '{setting}' bila targetnya sudah diisi."),
    _t("explanation-excepted", "info", "data", "Tanpa penjelasan, diterima Sekretaris",
       "Capaian {capaian} di bawah target tanpa penjelasan; diterima Sekretaris sebagai pengecualian "
       "(Pengaturan '{setting}'), dan laporan menyebutkannya.",
       "Tidak perlu tindakan; bila unit menyusulkan penjelasan, hapus kode itu dari Pengaturan."),
    _t("approval-explanation-missing", "error", "proses", "Unit belum dapat disetujui: penjelasan kosong",
       "Unit '{unit}' belum dapat disetujui: {count} indikator di bawah target tanpa penjelasan "
       "({indicators}).",
       "Kembalikan unit '{unit}' untuk melengkapi penjelasan, atau, bila Sekretaris menerimanya tanpa "
       "penjelasan, tulis kode indikatornya pada Pengaturan '{setting}' (laporan menyebutkan "
       "pengecualian itu), lalu jalankan Setujui / Kembalikan lagi."),
    _t("report-not-fit", "error", "proses", "Laporan belum layak ditandatangani",
       "Laporan belum dapat dibuat final: {detail}.",
       "Lengkapi datanya (atau catat penerimaan Sekretaris pada Pengaturan '{setting}'), validasi dan "
       "setujui lagi, lalu buat ulang laporan; '--force' membuat DRAF."),
    _t("period-text-stale", "warning", "data", "Teks menyebut periode lain",
       "Pengaturan '{key}' berisi '{value}', yang menyebut {found}, padahal periode sekarang {period}.",
       "Hapus kata periode dari sel {cell}: dokumen mengambil periode dari Pengaturan Tahun, Jenis "
       "Periode dan Nomor Periode."),
    _t("template-period-text", "warning", "struktur", "Templat menyebut periode lain",
       "Templat '{file}' berisi teks '{value}', yang menyebut {found}, padahal periode sekarang {period}.",
       "Ganti kata periode itu di templat Word dengan isian {{{{ periode }}}}, agar periode selalu "
       "diambil dari Pengaturan."),
]

CATALOGUE: dict[str, IssueType] = {t.code: t for t in _CATALOGUE}

# issues that are only echoes of a missing sheet: shown as "dan N temuan turunan" under it
DERIVED_FROM_MISSING_SHEET: dict[str, tuple[str, ...]] = {
    "Unit": ("indicator-unknown-unit",),
    "Indikator": ("unit-no-indicators", "unit-row-unknown"),
}
assert len(CATALOGUE) == len(_CATALOGUE), "duplicate issue code"


class Location(BaseModel):
    file: str | None = None
    sheet: str | None = None
    cell: str | None = None
    unit: str | None = None
    indicator: str | None = None

    def text(self) -> str:
        parts = []
        if self.file:
            parts.append(self.file)
        if self.sheet:
            parts.append(f"{self.sheet}!{self.cell}" if self.cell else self.sheet)
        elif self.cell:
            parts.append(self.cell)
        return " › ".join(parts)


class Issue(BaseModel):
    code: str
    severity: Severity
    location: Location = Field(default_factory=Location)
    message: str
    action: str
    value: Any = None
    params: dict[str, Any] = Field(default_factory=dict)

    @property
    def title(self) -> str:
        return CATALOGUE[self.code].title

    @property
    def category(self) -> Category:
        return CATALOGUE[self.code].category

    def text(self) -> str:
        where = self.location.text()
        return f"[{self.severity.label}] {where + ': ' if where else ''}{self.message} {self.action}"


class KinerjaError(Exception):
    """A failure the user can act on, the base of every exception the core raises on purpose.

    `message` is Indonesian and user-facing; `issue`, when there is one, says where and what to
    do. Each door catches it once, at its edge: the CLI prints the message (or renders the
    issue) and exits, the ribbon shows it in its message box. Subclasses keep their built-in
    base too (ValueError, OSError, ...), so code that catches those still does."""

    def __init__(self, message: str = "", issue: Issue | None = None) -> None:
        if not message and issue is not None:
            message = f"{issue.message} {issue.action}".strip()
        super().__init__(message)
        self.message = message
        self.issue = issue

    def __str__(self) -> str:
        return self.message


class _Defaulting(dict):
    def __missing__(self, key: str) -> str:
        return "-"


def make_issue(code: str, *, file: str | None = None, sheet: str | None = None,
               cell: str | None = None, unit: str | None = None, indicator: str | None = None,
               severity: Severity | str | None = None, **params: Any) -> Issue:
    """Create an issue from the catalogue; unknown codes are a programming error."""
    kind = CATALOGUE[code]
    values = _Defaulting({k: _fmt(v) for k, v in params.items()})
    values.setdefault("file", file or "-")
    values.setdefault("sheet", sheet or "-")
    values.setdefault("cell", cell or "-")
    values.setdefault("unit", unit or "-")
    values.setdefault("indicator", indicator or "-")
    for where in (file, sheet, cell, unit, indicator):
        if where is not None and type(where) is not str:
            raise TypeError(f"{code}: location {where!r} is not text")
    # built without pydantic's validation (every field is already of its type, checked above
    # where a caller could get it wrong): a validation of 50,000 indicators makes thousands
    return Issue.model_construct(
        code=code,
        severity=Severity(severity) if severity else kind.severity,
        location=Location.model_construct(file=file, sheet=sheet, cell=cell, unit=unit, indicator=indicator),
        message=kind.template.format_map(values),
        action=kind.action.format_map(values),
        value=_jsonable(params.get("value")),
        params={k: _jsonable(v) for k, v in params.items()},
    )


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        from kinerja.domain.numbers import format_number

        return format_number(value)
    return str(value)


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


class Report(BaseModel):
    """The issues of one run, in the order found."""

    issues: list[Issue] = Field(default_factory=list)

    def add(self, issue: Issue) -> Issue:
        self.issues.append(issue)
        return issue

    def issue(self, code: str, **kwargs: Any) -> Issue:
        return self.add(make_issue(code, **kwargs))

    def extend(self, issues: Iterable[Issue]) -> None:
        self.issues.extend(issues)

    @property
    def blocking(self) -> bool:
        return any(i.severity == Severity.error for i in self.issues)

    def counts(self) -> dict[str, int]:
        c = Counter(i.severity.value for i in self.issues)
        return {s.value: c.get(s.value, 0) for s in Severity}

    def by_code(self, code: str) -> list[Issue]:
        return [i for i in self.issues if i.code == code]

    def codes(self) -> set[str]:
        return {i.code for i in self.issues}

    def sorted(self) -> list[Issue]:
        return sorted(self.issues, key=lambda i: (i.severity.rank, i.location.unit or "",
                                                  i.location.indicator or "", i.code))

    def folded(self) -> list[tuple[Issue, int]]:
        """The issues in order, each with the number of issues it caused: an issue that only
        follows from a missing sheet (every indicator 'pointing to an unknown unit' once the
        Unit sheet is gone) is counted under that cause instead of listed."""
        missing = {i.location.sheet for i in self.issues if i.code == "sheet-missing"}
        causes = {i.location.sheet: i for i in self.issues if i.code == "sheet-missing"}
        counted: dict[int, int] = {}
        out: list[tuple[Issue, int]] = []
        for i in self.issues:
            cause = next((causes[sheet] for sheet in missing
                          if sheet and i.code in DERIVED_FROM_MISSING_SHEET.get(sheet, ())), None)
            if cause is not None:
                counted[id(cause)] = counted.get(id(cause), 0) + 1
            else:
                out.append((i, 0))
        return [(i, counted.get(id(i), 0)) for i, _n in out]

    def to_dict(self) -> dict[str, Any]:
        """Plain data (JSON-safe): counts per severity, whether it blocks, every issue."""
        return {"counts": self.counts(), "blocking": self.blocking,
                "issues": [i.model_dump(mode="json") for i in self.issues]}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)


class Outcome(Protocol):
    """What every stage returns, said two ways so that both doors only print it: `to_dict()`
    (JSON-safe; the CLI's --json) and `summary_lines()` (Indonesian sentences, one a line; the
    CLI's text and the ribbon's message box). Its `report` holds the issues."""

    report: Report

    def to_dict(self) -> dict[str, Any]: ...

    def summary_lines(self) -> list[str]: ...


def issue_row(issue: Issue) -> list[Any]:
    """An issue as a row of the 'Temuan Himpun' sheet (see sheets.TEMUAN_HIMPUN)."""
    loc = issue.location
    return [issue.code, issue.severity.label, loc.file, loc.sheet, loc.cell, loc.unit, loc.indicator,
            None if issue.value is None else str(issue.value), issue.message, issue.action]


def issue_from_row(values: list[Any]) -> Issue | None:
    """Read back a row written by issue_row; None when the code is not in the catalogue."""
    code = values[0]
    if code not in CATALOGUE:
        return None
    labels = {s.label: s for s in Severity}
    file, sheet, cell, unit, indicator = (None if v in (None, "") else str(v) for v in values[2:7])
    return Issue(code=code, severity=labels.get(values[1], CATALOGUE[code].severity),
                 location=Location(file=file, sheet=sheet, cell=cell, unit=unit, indicator=indicator),
                 value=values[7], message=str(values[8] or ""), action=str(values[9] or ""))


def catalogue_rows() -> list[list[str]]:
    """The catalogue as table rows (the master's 'Katalog Masalah' sheet and the docs)."""
    return [[t.code, t.severity.label, t.category.value, t.title, t.template, t.action]
            for t in _CATALOGUE]
