"""Registry of the ribbon actions of the "Data Kinerja" tab.

This is the single source of truth for the ribbon: :data:`ACTIONS` maps each
action tag to its :class:`Action`, in ribbon order, and :func:`ribbon_xml`
renders ``kinerja/workbook/addin/customUI.xml`` from it (a test checks that the committed file
equals the rendering). Every button calls the one VBA callback
``KinerjaTombol`` (``kinerja/workbook/addin/Kinerja.bas``), which hands the button's tag to
``kinerja.excel.handlers.run``.

User-visible text (labels, screentips, supertips) is in Bahasa Indonesia.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from xml.sax.saxutils import quoteattr

__all__ = [
    "Action",
    "ACTIONS",
    "GROUPS",
    "TAB_ID",
    "TAB_LABEL",
    "CALLBACK",
    "CUSTOMUI_NAMESPACE",
    "ribbon_xml",
    "actions_in_group",
]

CUSTOMUI_NAMESPACE = "http://schemas.microsoft.com/office/2009/07/customui"
TAB_ID = "tabDataKinerja"
TAB_LABEL = "Data Kinerja"
CALLBACK = "KinerjaTombol"
_TAG = re.compile(r"^[a-z_]+$")


@dataclass(frozen=True)
class Action:
    """One ribbon button: what it is called, where it sits, how it looks."""

    tag: str  # passed to kinerja.excel.handlers.run(tag); only a-z and "_"
    group: str  # ribbon group label (one group per SOP stage)
    label: str
    screentip: str
    image_mso: str  # a built-in Office icon
    supertip: str = ""

    def __post_init__(self) -> None:
        if not _TAG.match(self.tag):
            raise ValueError(f"action tag must be [a-z_]+: {self.tag!r}")

    @property
    def button_id(self) -> str:
        return f"btn_{self.tag}"


# (group label, group id), in ribbon order: the stages of the SOP.
GROUPS: tuple[tuple[str, str], ...] = (
    ("Formulir", "grpFormulir"),
    ("Himpun", "grpHimpun"),
    ("Validasi", "grpValidasi"),
    ("Waktu", "grpWaktu"),
    ("Laporan", "grpLaporan"),
)

_ACTION_LIST: tuple[Action, ...] = (
    Action(
        "buat_formulir",
        "Formulir",
        "Buat Formulir",
        "Buat formulir isian per unit kerja",
        "FileNew",
        "Membuat formulir pengumpulan data kinerja untuk setiap bidang, seksi, atau subbagian, "
        "berisi indikator, satuan, dan target unit tersebut.",
    ),
    Action(
        "tanda_terima",
        "Formulir",
        "Tanda Terima",
        "Buat tanda terima formulir",
        "SignatureLineInsert",
        "Membuat tanda terima penyerahan formulir kepada setiap unit kerja.",
    ),
    Action(
        "himpun_rekap",
        "Himpun",
        "Himpun & Rekap",
        "Himpun formulir dan susun rekapitulasi",
        "AutoSum",
        "Menghimpun formulir yang sudah diisi unit kerja dan menyusun rekapitulasi realisasi "
        "dan capaian kinerja.",
    ),
    Action(
        "validasi",
        "Validasi",
        "Validasi",
        "Periksa kelengkapan dan kewajaran data",
        "DataValidation",
        "Memeriksa isian yang kosong, target nol, capaian yang tidak wajar, dan realisasi "
        "kumulatif yang menurun pada rekapitulasi.",
    ),
    Action(
        "setujui_kembalikan",
        "Validasi",
        "Setujui / Kembalikan",
        "Setujui rekapitulasi atau kembalikan ke unit kerja",
        "ReviewAcceptChange",
        "Mencatat keputusan Sekretaris: rekapitulasi disetujui untuk dilaporkan, atau "
        "dikembalikan ke unit kerja untuk dilengkapi sesuai arahan.",
    ),
    Action(
        "catat_langkah",
        "Waktu",
        "Catat Langkah",
        "Catat mulai atau selesai langkah SOP",
        "DateAndTimeInsert",
        "Di sheet Waktu SOP: pilih sel Mulai atau Selesai sebuah langkah (boleh ketik waktunya) lalu "
        "klik; tanpa waktu dicatat sekarang. Di sheet lain: langkah yang sedang berjalan dicatat selesai sekarang.",
    ),
    Action(
        "status",
        "Waktu",
        "Status",
        "Lihat posisi pekerjaan dan waktu tiap langkah",
        "Info",
        "Menampilkan langkah SOP yang sedang berjalan dan membandingkan waktu setiap langkah "
        "dengan standar waktu (mutu baku).",
    ),
    Action(
        "buat_laporan",
        "Laporan",
        "Buat Laporan",
        "Susun Laporan Data Capaian Kinerja",
        "CreateReport",
        "Menyusun dokumen laporan data capaian kinerja dari rekapitulasi yang telah disetujui.",
    ),
    Action(
        "surat_pengantar",
        "Laporan",
        "Surat Pengantar",
        "Buat surat pengantar bernomor",
        "EnvelopesAndLabelsDialog",
        "Membuat surat pengantar laporan kepada Bupati atau instansi yang meminta, lengkap "
        "dengan nomor surat.",
    ),
    Action(
        "form_evaluasi",
        "Laporan",
        "Form E.81",
        "Isi sheet Form E.81 untuk Bappeda",
        "TableInsert",
        "Mengisi sheet 'Form E.81' (Evaluasi terhadap Hasil Renja Perangkat Daerah, Permendagri "
        "86/2017) dari Rekap dan sheet Renstra, siap dicetak atau diserahkan ke Bappeda.",
    ),
    Action(
        "arsipkan",
        "Laporan",
        "Arsipkan",
        "Simpan salinan laporan ke arsip",
        "FileSave",
        "Menyimpan salinan laporan, rekapitulasi, dan formulir ke folder arsip (soft copy).",
    ),
    Action(
        "periode_baru",
        "Laporan",
        "Periode Baru",
        "Buat workbook induk periode berikutnya",
        "FileSaveAs",
        "Membuat workbook induk triwulan berikutnya (atau tahun berikutnya) di samping workbook ini: "
        "unit, indikator, target dan realisasi triwulan sebelumnya yang sudah disetujui dibawa; "
        "workbook ini tidak diubah.",
    ),
)

ACTIONS: dict[str, Action] = {a.tag: a for a in _ACTION_LIST}

if len(ACTIONS) != len(_ACTION_LIST):  # pragma: no cover - guards edits above
    raise RuntimeError("duplicate action tag")
if {a.group for a in _ACTION_LIST} - {g for g, _ in GROUPS}:  # pragma: no cover
    raise RuntimeError("action in an undeclared group")


def actions_in_group(group: str) -> list[Action]:
    """The actions of one ribbon group, in ribbon order."""
    return [a for a in ACTIONS.values() if a.group == group]


def _label(text: str) -> str:
    # Ribbon labels treat "&" as a keyboard-accelerator marker; "&&" shows "&".
    return quoteattr(text.replace("&", "&&"))


def ribbon_xml() -> str:
    """The customUI (2009/07 schema) document of the "Data Kinerja" tab."""
    out = [
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>',
        f'<customUI xmlns="{CUSTOMUI_NAMESPACE}">',
        "  <ribbon>",
        "    <tabs>",
        f'      <tab id="{TAB_ID}" label={_label(TAB_LABEL)} insertAfterMso="TabHome">',
    ]
    for group, group_id in GROUPS:
        out.append(f'        <group id="{group_id}" label={_label(group)}>')
        for a in actions_in_group(group):
            out.append(
                f'          <button id="{a.button_id}" tag="{a.tag}" label={_label(a.label)}'
                f' size="large" imageMso={quoteattr(a.image_mso)}'
                f" screentip={quoteattr(a.screentip)}"
                + (f" supertip={quoteattr(a.supertip)}" if a.supertip else "")
                + f' onAction="{CALLBACK}"/>'
            )
        out.append("        </group>")
    out += ["      </tab>", "    </tabs>", "  </ribbon>", "</customUI>", ""]
    return "\n".join(out)
