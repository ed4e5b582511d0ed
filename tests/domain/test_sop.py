"""The SOP model, the bundled presets (five real office SOPs) and the time-standard parser."""

from __future__ import annotations

import datetime as dt
import json
from importlib import resources

import pytest

from kinerja.domain.durations import Duration, DurationError, parse_duration
from kinerja.domain.sop import (
    TAHAP_ORDER,
    Sop,
    SopError,
    SopStep,
    UnknownPresetError,
    list_presets,
    load_preset,
    sop_from_rows,
    sop_summary_rows,
)

ALL_PRESETS = [
    "bpkad_way_kanan",
    "bpkad_way_kanan_ringkas",
    "candipuro",
    "mangkutana",
    "muara_papalik",
    "perencanaan_pelaporan",
]


# ---------------------------------------------------------------------------------------------
# Time standards as written in the seeds


@pytest.mark.parametrize(
    ("text", "amount", "unit"),
    [
        ("15 Menit", 15, "menit"),  # 000, 004
        ("2 Jam", 2, "jam"),  # 000, 004
        ("2 hari", 2, "hari"),  # 000
        ("1  Hari", 1, "hari"),  # 003, double space
        ("2\nHari", 2, "hari"),  # 003, number and unit on two lines
        ("180 Menit", 180, "menit"),  # 003
        ("480", 480, "menit"),  # 002, bare minutes
        ("15 Meni", 15, "menit"),  # 000, OCR dropped the last letter
        ("5  menit", 5, "menit"),  # 003
        (480, 480, "menit"),  # a numeric cell
    ],
)
def test_duration_forms_from_the_seeds(text, amount, unit):
    d = parse_duration(text)
    assert (d.amount, d.unit) == (amount, unit)


@pytest.mark.parametrize("text", ["5 e", "abc", "", "0", "-5", "Menit", "15 Menitt", "2 minggu"])
def test_duration_nonsense_rejected_in_indonesian(text):
    with pytest.raises(DurationError, match="tidak dapat dibaca"):
        parse_duration(text)


def test_step_accepts_waktu_text_and_rejects_nonsense():
    step = SopStep(no=1, uraian="Merekap", pelaksana="Staf", waktu="2 Jam")
    assert step.waktu == Duration(amount=2, unit="jam")
    assert step.waktu_text() == "2 Jam"
    with pytest.raises(ValueError, match="tidak dapat dibaca"):
        SopStep(no=1, uraian="Merekap", pelaksana="Staf", waktu="sebentar")


# ---------------------------------------------------------------------------------------------
# Presets: loading


def test_list_presets():
    assert list_presets() == ALL_PRESETS


def test_presets_are_package_resources():
    folder = resources.files("kinerja").joinpath("presets")
    names = sorted(p.name for p in folder.iterdir() if p.name.endswith(".json"))
    assert names == [f"{k}.json" for k in ALL_PRESETS]


def test_unknown_preset_message_lists_available_names():
    with pytest.raises(KeyError) as info:
        load_preset("muara")
    assert isinstance(info.value, UnknownPresetError)
    message = str(info.value)
    assert "Preset SOP 'muara' tidak ditemukan" in message
    for key in ALL_PRESETS:
        assert key in message


@pytest.mark.parametrize("key", ALL_PRESETS)
def test_every_preset_step_has_a_tahap_and_a_pelaksana_from_the_roles(key):
    sop = load_preset(key)
    assert sop.key == key
    assert sop.instansi and sop.header.instansi
    for step in sop.steps:
        assert step.tahap in TAHAP_ORDER, f"{key} langkah {step.no}"
        assert step.pelaksana in sop.roles
    # every swimlane column is used by at least one step
    assert {s.pelaksana for s in sop.steps} == set(sop.roles)


@pytest.mark.parametrize("key", ALL_PRESETS)
def test_preset_round_trip_through_json(key):
    sop = load_preset(key)
    again = Sop.model_validate_json(sop.to_json())
    assert again == sop
    assert Sop.from_json(json.dumps(sop.model_dump(mode="json"))) == sop


# ---------------------------------------------------------------------------------------------
# Presets: one test per seed. Time totals computed by hand from the seed text.


def test_muara_papalik():
    sop = load_preset("muara_papalik")
    assert len(sop.steps) == 14
    assert sop.roles == [
        "Camat",
        "Sekretaris Kecamatan",
        "Kasubbag Program & Keuangan",
        "PPTK/Kasi",
        "Staf",
    ]
    # minutes: 15 + 30 + 15 + 15 + 5 + 10 + 2*60 + 15 + 30 + 30 + 3*60
    #   (steps 1, 2, 3, 4, 6, 7, 8, 9, 10, 13, 14) = 465
    # days: 2 + 1 + 2 (steps 5, 11, 12) = 5
    assert sop.total_minutes_and_days() == (465, 5)
    decision = sop.step(11)
    assert decision.pelaksana == "Sekretaris Kecamatan"
    assert decision.tahap == "validasi"
    assert decision.kembali_ke == 5  # back to the units to complete
    assert sop.step(5).tahap == "pengisian"
    assert sop.step(4).output == "Tanda Terima"
    assert [s.no for s in sop.steps if s.kembali_ke is not None] == [11]


def test_perencanaan_pelaporan():
    sop = load_preset("perencanaan_pelaporan")
    assert len(sop.steps) == 10
    assert sop.roles == [
        "Kepala SKPD",
        "Sekretaris",
        "Kepala Bidang",
        "Fungsional",
        "Kasubag Perencanaan & Pelaporan",
    ]
    # minutes: 5 + 60 + 120 + 5 + 15 + 60 + 60 + 5 + 60 + 5 (steps 1..10) = 395
    # days: none
    assert sop.total_minutes_and_days() == (395, 0)
    decision = sop.step(8)
    assert decision.pelaksana == "Kepala SKPD"
    assert decision.kembali_ke == 6  # "dikembalikan kepada Kepala Bidang"
    assert sop.step(6).pelaksana == "Kepala Bidang"
    assert [s.no for s in sop.steps if s.kembali_ke is not None] == [8]


def test_bpkad_way_kanan():
    sop = load_preset("bpkad_way_kanan")
    assert len(sop.steps) == 9
    assert sop.roles == [
        "Ka Badan BPKAD",
        "Sekretaris",
        "Kepala Bidang",
        "Kasubbag Perencanaan / JF Perencanaan",
        "Jabatan Pelaksana",
    ]
    # bare minutes: 15 + 30 + 15 + 60 + 480 + 480 + 480 + 15 + 480 (steps 1..9) = 2055
    # days: none
    assert sop.total_minutes_and_days() == (2055, 0)
    assert sop.header.nomor == "900 / UR. F / V.03. WA / 2022"
    assert sop.step(5).waktu == Duration(amount=480, unit="menit")
    assert all(s.kembali_ke is None for s in sop.steps)  # no decision step in this SOP


def test_bpkad_way_kanan_ringkas():
    sop = load_preset("bpkad_way_kanan_ringkas")
    assert len(sop.steps) == 6
    assert sop.roles == [
        "Kasubbag Perencanaan / JF Perencanaan",
        "Kasubbag Perencanaan / JF Perencanaan dan Kasubbag Umum",
        "Kepala Bidang",
        "Jabatan Pelaksana",
    ]
    # minutes: 5 + 10 (steps 1, 2) = 15
    # days: 3 + 2 + 1 (steps 3, 4, 5) = 6; step 6 has no time standard in the source
    assert sop.total_minutes_and_days() == (15, 6)
    assert sop.step(6).waktu is None
    assert sop.header == load_preset("bpkad_way_kanan").header
    assert all(s.kembali_ke is None for s in sop.steps)


def test_mangkutana():
    sop = load_preset("mangkutana")
    assert len(sop.steps) == 11
    assert sop.roles == ["Kasubag Perencanaan", "Kepala Bidang", "Sekretaris", "Kepala Dinas"]
    # minutes: 5 + 60 + 15 + 180 + 60 + 30 + 10 + 5 (steps 1, 2, 3, 4, 8, 9, 10, 11) = 365
    # days: 2 + 1 + 2 (steps 5, 6, 7) = 5
    assert sop.total_minutes_and_days() == (365, 5)
    approver = sop.header.disahkan_oleh
    assert (approver.jabatan, approver.nama, approver.nip) == (
        "Camat Mangkutana",
        "ZULKIFLI ADI SAPUTRA, ST",
        "19840710 201001 1 026",
    )
    assert sop.step(9).pelaksana == "Kepala Dinas"
    assert all(s.kembali_ke is None for s in sop.steps)


def test_candipuro():
    sop = load_preset("candipuro")
    assert len(sop.steps) == 11
    assert sop.roles == ["Camat", "Sekretaris", "Kasi / Kasubag", "Staf"]
    # minutes: 10 + 2*60 + 1*60 + 3*60 + 1*60 + 10 + 15 + 1*60
    #   (steps 1, 2, 3, 4, 8, 9, 10, 11) = 515
    # days: 3 + 2 + 1 (steps 5, 6, 7) = 6
    assert sop.total_minutes_and_days() == (515, 6)
    assert sop.header.nomor == "700/16/SOP/427.83/2024"
    assert sop.header.tanggal_pengesahan == "17 Januari 2024"
    assert sop.header.disahkan_oleh.nip == "19720818 199403 1 009"
    assert len(sop.header.dasar_hukum) == 5
    assert [s.no for s in sop.steps_for("tanda_tangan")] == [8, 9]
    assert all(s.kembali_ke is None for s in sop.steps)


# ---------------------------------------------------------------------------------------------
# Model rules


def _base() -> dict:
    return {
        "key": "uji",
        "instansi": "Kecamatan Uji",
        "roles": ["Camat", "Staf"],
        "steps": [
            {"no": 1, "uraian": "Memerintahkan", "pelaksana": "Camat", "waktu": "15 Menit"},
            {"no": 2, "uraian": "Merekap", "pelaksana": "Staf", "waktu": "2 Jam"},
            {"no": 3, "uraian": "Menganalisis", "pelaksana": "Camat", "waktu": "1 Hari"},
        ],
    }


def test_step_numbers_must_be_contiguous():
    data = _base()
    data["steps"][2]["no"] = 4
    with pytest.raises(ValueError, match="berurutan"):
        Sop.model_validate(data)


def test_pelaksana_must_be_a_role():
    data = _base()
    data["steps"][1]["pelaksana"] = "Kasi"
    with pytest.raises(ValueError, match="pelaksana 'Kasi' tidak ada"):
        Sop.model_validate(data)


@pytest.mark.parametrize("target", [3, 4, 0])
def test_kembali_ke_must_point_back(target):
    data = _base()
    data["steps"][2]["kembali_ke"] = target
    with pytest.raises(ValueError, match="harus menunjuk langkah sebelumnya"):
        Sop.model_validate(data)


def test_step_lookup_and_summary_rows():
    data = _base()
    data["steps"][2]["kembali_ke"] = 2
    data["steps"][2]["tahap"] = "validasi"
    sop = Sop.model_validate(data)
    assert sop.header.instansi == "Kecamatan Uji"
    assert sop.step(3).is_decision
    with pytest.raises(KeyError, match="Langkah 9 tidak ada"):
        sop.step(9)
    rows = sop_summary_rows(sop)
    assert rows[2] == {
        "no": 3,
        "uraian": "Menganalisis",
        "pelaksana": "Camat",
        "waktu": "1 Hari",
        "output": "",
        "tahap": "validasi",
    }
    assert rows[1]["tahap"] == ""


def test_summary_rows_of_a_preset():
    rows = sop_summary_rows(load_preset("muara_papalik"))
    assert [r["no"] for r in rows] == list(range(1, 15))
    assert rows[7]["waktu"] == "2 Jam"
    assert set(rows[0]) == {"no", "uraian", "pelaksana", "waktu", "output", "tahap"}


# ---------------------------------------------------------------------------------------------
# From the master workbook


def test_sop_from_rows_lenient_labels_and_cells():
    header = {
        "Kode SOP": "kantor_uji",
        "Instansi": "Kecamatan Uji",
        "Nomor SOP": "700/1/SOP/2024",
        "Tanggal Efektif": dt.date(2024, 1, 17),
        "Disahkan Oleh (Jabatan)": "Camat Uji",
        "Nama Pengesah": "BUDI",
        "NIP": "19720818 199403 1 009",
        "Dasar Hukum": "1. Perpres 29/2014\n2. PermenPAN-RB 53/2014",
        "Pelaksana": "Camat; Kasi / Kasubag; Staf",
        "Catatan": None,
    }
    steps = [
        {"No": 1.0, "Uraian Kegiatan": "Memerintahkan", "Pelaksana": "camat", "Waktu": "15 Menit",
         "Tahap": "Disposisi"},
        {"No": "2.", "Uraian Kegiatan": "Mengisi formulir", "Pelaksana": "Kasi/Kasubag",
         "Waktu": 480, "Tahap": "pengisian"},
        {"No": None, "Uraian Kegiatan": "", "Pelaksana": None, "Waktu": None, "Tahap": None},
        {"No": 3, "Uraian Kegiatan": "Menandatangani", "Pelaksana": "Camat", "Waktu": "10 Menit",
         "Kembali ke": 2.0, "Tahap": "tanda tangan", "Ket": "-"},
    ]
    sop = sop_from_rows(header, steps)
    assert sop.key == "kantor_uji"
    assert sop.roles == ["Camat", "Kasi / Kasubag", "Staf"]
    assert [s.pelaksana for s in sop.steps] == ["Camat", "Kasi / Kasubag", "Camat"]
    assert sop.header.tanggal_pengesahan == "17 Januari 2024"
    assert sop.header.disahkan_oleh.nama == "BUDI"
    assert sop.header.dasar_hukum == ["Perpres 29/2014", "PermenPAN-RB 53/2014"]
    assert sop.step(2).waktu == Duration(amount=480, unit="menit")
    assert sop.step(3).tahap == "tanda_tangan"
    assert sop.step(3).kembali_ke == 2
    assert sop.total_minutes_and_days() == (505, 0)


def test_sop_from_rows_roles_from_steps_when_missing():
    sop = sop_from_rows(
        {"nama": "Uji"},
        [
            {"no": 1, "uraian": "A", "pelaksana": "Camat", "waktu": "5 menit"},
            {"no": 2, "uraian": "B", "pelaksana": "Staf", "waktu": "1 hari"},
            {"no": 3, "uraian": "C", "pelaksana": "camat", "waktu": "5 menit"},
        ],
    )
    assert sop.key == "workbook"
    assert sop.roles == ["Camat", "Staf"]
    assert sop.step(3).pelaksana == "Camat"


def test_sop_from_rows_errors_are_indonesian():
    with pytest.raises(SopError) as info:
        sop_from_rows(
            {"pelaksana": ["Camat"]},
            [
                {"no": 1, "uraian": "A", "pelaksana": "Camat", "waktu": "lama"},
                {"no": 2, "uraian": "B", "pelaksana": "Camat", "waktu": "5", "tahap": "entah"},
            ],
        )
    message = str(info.value)
    assert "Langkah 1, kolom waktu" in message
    assert "tidak dapat dibaca" in message
    assert "Langkah 2, kolom tahap" in message
    with pytest.raises(SopError, match="'Warna' tidak dikenal"):
        sop_from_rows({"Warna": "merah"}, [{"no": 1, "uraian": "A", "pelaksana": "Camat"}])
    with pytest.raises(SopError, match="pelaksana 'Kasi' tidak ada"):
        sop_from_rows(
            {"pelaksana": "Camat"}, [{"no": 1, "uraian": "A", "pelaksana": "Kasi", "waktu": 5}]
        )


def _as_workbook_rows(sop: Sop) -> tuple[dict, list[dict]]:
    """The SOP as the master workbook holds it: one text cell per header field, one row a step."""
    h = sop.header
    approver = h.disahkan_oleh
    header = {
        "Nama SOP": h.nama,
        "Instansi": sop.instansi,
        "Nomor SOP": h.nomor,
        "Tanggal Pembuatan": h.tanggal_pembuatan,
        "Tanggal Revisi": h.tanggal_revisi,
        "Tanggal Pengesahan": h.tanggal_pengesahan,
        "Disahkan Oleh": " / ".join(
            x for x in (approver.jabatan, approver.nama, approver.nip) if x
        ),
        "Dasar Hukum": "\n".join(h.dasar_hukum),
        "Kualifikasi Pelaksana": "\n".join(h.kualifikasi_pelaksana),
        "Keterkaitan": "\n".join(h.keterkaitan),
        "Peralatan/Perlengkapan": "\n".join(h.peralatan),
        "Peringatan": "\n".join(h.peringatan),
        "Pencatatan dan Pendataan": "\n".join(h.pencatatan),
        "Pelaksana (kolom swimlane)": "\n".join(sop.roles),
    }
    steps = [
        {
            "no": s.no,
            "uraian": s.uraian,
            "pelaksana": s.pelaksana,
            "kelengkapan": s.kelengkapan,
            "waktu": s.waktu_text(),
            "output": s.output,
            "keterangan": s.keterangan,
            "kembali_ke": s.kembali_ke,
            "tahap": (s.tahap or "").replace("_", " ").capitalize(),
        }
        for s in sop.steps
    ]
    return header, steps


@pytest.mark.parametrize("key", ALL_PRESETS)
def test_preset_round_trip_through_workbook_rows(key):
    sop = load_preset(key)
    again = sop_from_rows(*_as_workbook_rows(sop))
    assert again.header == sop.header
    assert again.roles == sop.roles
    assert again.steps == sop.steps


# ----------------------------------------------------------------------------------- against the seeds


def test_presets_follow_their_seeds_and_say_what_they_infer():
    from kinerja.stages.timing import format_durasi

    # Muara Papalik step 14: the seed names the Camat and the PPTK, not the Kasubbag
    papalik = load_preset("muara_papalik")
    step = papalik.step(14)
    assert step.pelaksana == "Camat" and "PPTK" in step.keterangan
    assert any("Langkah 14" in n and "Camat dan PPTK" in n for n in papalik.notes)
    # Way Kanan (ringkas) steps 1 and 4: pelaksana inferred (marks lost), and the notes say how
    ringkas = load_preset("bpkad_way_kanan_ringkas")
    assert ringkas.step(1).pelaksana == "Kasubbag Perencanaan / JF Perencanaan"
    assert ringkas.step(4).pelaksana == "Kepala Bidang"
    assert any(n.startswith("Langkah 1 ") and "Ka Badan" in n for n in ringkas.notes)
    assert any(n.startswith("Langkah 4 ") and "Kepala Bidang" in n for n in ringkas.notes)
    # Way Kanan '480': minutes of office time, not one working day of 7.5 hours
    way_kanan = load_preset("bpkad_way_kanan")
    note = next(n for n in way_kanan.notes if "480" in n)
    assert "satu hari kerja 8 jam" not in note and format_durasi(480) == "1 hari 30 menit"
    assert "1 hari 30 menit" in note and "Jam Kerja" in note
    # every preset says that the tool stage of each step is inferred
    for name in ALL_PRESETS:
        assert any(n.startswith("Tahap setiap langkah") for n in load_preset(name).notes), name
