"""The README's quickstart is what CI runs, and the demo says what it skipped without LibreOffice."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def quickstart() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## Mulai cepat.*?```bash\n(.*?)```", text, re.S)
    assert block, "README has no quickstart block"
    return [line for line in block.group(1).splitlines() if line.strip()]


def test_quickstart_lines_install_system_packages_and_ci_runs_the_test_line():
    lines = quickstart()
    assert len(lines) == 2
    assert all(line.startswith("sh scripts/pasang-debian.sh && ") for line in lines)
    assert "kinerja demo" in lines[0] and "pytest" in lines[1]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert lines[1] in ci.splitlines(), "the README's test line must be the one .ci/run runs"
    script = (ROOT / "scripts" / "pasang-debian.sh").read_text(encoding="utf-8")
    for package in ("libreoffice-calc", "libreoffice-writer", "poppler-utils"):
        assert package in script


def test_demo_without_libreoffice_says_what_it_skipped(demo_without_office):
    folder, lines = demo_without_office
    text = "\n".join(lines)
    assert "Dilewati: PDF dari 'Laporan" in text and "LibreOffice tidak ditemukan" in text, text
    assert "Pratinjau untuk dilihat" not in text
    assert any(line.startswith("10. Arsip") for line in lines)  # the rest of the SOP still ran
    assert any(line.startswith("11. Periode baru") for line in lines)  # the next quarter
    assert any(line.startswith("13. Draf Laporan Kinerja tahunan") for line in lines)  # and the year's draft
    assert "Dilewati: PDF dari 'LKjIP-2026-DRAF.docx'" in text
    assert any(line.startswith("14. Kantor kedua") for line in lines)  # and the Pemda's roll-up
    assert "Rekap Pemda (kinerja rollup)" in text and "Dilewati: PDF rekap Pemda" in text
    assert (folder / "rekap-pemda.xlsx").is_file()


def test_readme_links_the_page_images_of_what_is_printed():
    """The page images of the sheets, the form and the receipt are in docs/ and linked."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    linked = set(re.findall(r"\((docs/gambar/[^)]+\.png)\)", text))
    for name in ("validasi-1", "temuan-validasi-1", "rekap-1", "ringkasan-1", "waktu-sop-1", "formulir-1",
                 "formulir-2", "tanda-terima-1", "tanda-terima-15-unit"):
        assert f"docs/gambar/{name}.png" in linked, name
    for link in linked:
        assert (ROOT / link).is_file() and (ROOT / link).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", link
