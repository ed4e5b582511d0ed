"""The command line speaks Bahasa Indonesia, framework text included, and every mistake a new
user makes gets its own message and exit code."""

from __future__ import annotations

import re

import pytest
from openpyxl import load_workbook
from typer.main import get_command
from typer.testing import CliRunner

from kinerja.cli.commands import app
from kinerja.cli.text import examples_one_per_line, indonesian

runner = CliRunner()

ENGLISH = ("Usage", "Options", "Arguments", "Commands", "Show this message", "[required]", "[default",
           "<bool>", "<str>", "<path>", "<int>", "Try '", "Error", "Missing", "No such", "Invalid value",
           "Input should", "Got unexpected", "requires an argument", "Did you mean", "Aborted")


def _flat(text: str) -> str:
    """The output without the panels' box drawing and the terminal's line wrapping."""
    return " ".join(re.sub(r"[│╭╮╰╯─┃┏┓┗┛━┡┩╇┳┻┃]", " ", text).split())


def _commands(group, prefix=""):
    for name, cmd in group.commands.items():
        if hasattr(cmd, "commands"):
            yield f"{prefix}{name}"
            yield from _commands(cmd, f"{prefix}{name} ")
        else:
            yield f"{prefix}{name}"


def _english(text: str) -> list[str]:
    return [w for w in ENGLISH if w in text]


def test_every_help_is_indonesian_with_one_example_per_line():
    names = ["", *_commands(get_command(app))]
    assert len(names) > 15
    for name in names:
        result = runner.invoke(app, [*name.split(), "--help"])
        assert result.exit_code == 0, name
        out = result.output
        assert not _english(out), (name, _english(out))
        assert "Penggunaan:" in out and "Opsi" in out, name
        usage = next(line for line in out.splitlines() if "Penggunaan:" in line)
        assert not re.search(r"[{\[][a-z_]+[}\]]", usage), (name, usage)  # arguments named in Indonesian
        # each example sits alone on its line: a line never holds two 'kinerja ' commands
        for line in out.splitlines():
            assert line.count("kinerja ") <= 1 or "Contoh" in line, (name, line)
        examples = [line.strip() for line in out.splitlines() if line.strip().startswith(f"kinerja {name}".strip())]
        if name and " " not in name.strip() and name not in ("sop", "excel"):
            assert len(examples) >= 1, name


def test_examples_paragraph_is_kept_as_lines():
    help_text = "Judul.\n\nContoh:\n\n    kinerja a x\n    kinerja a y\n"
    assert "```\nkinerja a x\nkinerja a y\n```" in examples_one_per_line(help_text, "markdown")
    assert "\b\nkinerja a x\nkinerja a y" in examples_one_per_line(help_text, "rich")


@pytest.mark.parametrize("english, expected", [
    ("No such command 'colect'. Did you mean 'collect'?", "Perintah 'colect' tidak dikenal. Mungkin maksud Anda 'collect'?"),
    ("Missing argument 'master'.", "Argumen 'master' belum diisi."),
    ("Invalid value for 'step': Input should be a valid integer, unable to parse string as an integer",
     "Nilai 'step' tidak sah: harus bilangan bulat, mis. 3."),
    ("Option '--oleh' requires an argument.", "Opsi '--oleh' perlu diberi nilai."),
    ("something new from the framework", "something new from the framework"),
])
def test_framework_messages_translated(english, expected):
    assert indonesian(english).startswith(expected)


@pytest.fixture(autouse=True)
def _wide_console(monkeypatch):
    """Tables as wide as their text, so a message is asserted whole, not cut by the width."""
    import kinerja.cli.commands as cli

    monkeypatch.setattr(cli.console, "width", 400)
    monkeypatch.setattr(cli.err, "width", 400)


def _run(*args):
    result = runner.invoke(app, [str(a) for a in args])
    return result.exit_code, _flat(result.output)


def test_usage_mistakes(tmp_path):
    code, out = _run("colect", "induk.xlsx")
    assert code == 2 and "Perintah 'colect' tidak dikenal. Mungkin maksud Anda 'collect'?" in out
    assert "Penggunaan:" in out and not _english(out)
    code, out = _run("check")
    assert code == 2 and "Argumen 'INDUK' belum diisi." in out and not _english(out)
    code, out = _run("log", tmp_path / "induk.xlsx", "satu", "--start")
    assert code == 2 and "Nilai 'LANGKAH' tidak sah: harus bilangan bulat" in out and not _english(out)
    code, out = _run("export", tmp_path / "induk.xlsx")
    assert code == 2 and "Opsi '--out' atau '-o' wajib diisi." in out
    code, out = _run("check", "--jsn", tmp_path / "induk.xlsx")
    assert code == 2 and "Opsi --jsn tidak dikenal." in out and not _english(out)
    code, out = _run("review", tmp_path / "induk.xlsx", "--oleh")
    assert code == 2 and "Opsi '--oleh' perlu diberi nilai." in out
    code, out = _run("check", "induk", "baru.xlsx")
    assert code == 2 and "Argumen berlebih: baru.xlsx" in out
    for argv in (("rollup", tmp_path / "rekap.xlsx", tmp_path, "--periode", "triwulan ketiga"),
                 ("new-period", tmp_path / "induk.xlsx", "--periode", "Triwulan V 2026")):
        code, out = _run(*argv)  # a mistyped period is said before any file is read or made
        assert code == 2 and "--periode: " in _flat(out) and "tidak dikenal" in _flat(out), out
    assert not (tmp_path / "rekap.xlsx").exists()


def test_file_mistakes(tmp_path, sample_master):
    code, out = _run("check", tmp_path / "tidakada.xlsx")
    assert code == 1 and "File 'tidakada.xlsx' tidak ada di folder" in out and "workbook-missing" in out
    assert "bukan file .xlsx" not in out
    old = tmp_path / "induk-lama.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504)  # an OLE (Excel 97-2003) header
    code, out = _run("collect", old)
    assert code == 1 and "berformat Excel 97-2003 (.xls)" in out and "Save As" in out and "Excel Workbook (*.xlsx)" in out
    assert "workbook-old-format" in out
    text = tmp_path / "catatan.txt"
    text.write_text("bukan workbook")
    code, out = _run("validate", text)
    assert code == 1 and "File 'catatan.txt' bukan workbook Excel (akhiran '.txt')" in out and "workbook-wrong-type" in out
    code, out = _run("init", tmp_path / "baru.txt")
    assert code == 2 and "Nama file 'baru.txt' harus berakhiran .xlsx" in out
    assert not (tmp_path / "baru.txt").exists()
    renamed = tmp_path / "rusak.xlsx"
    renamed.write_bytes(b"PK bukan zip")
    code, out = _run("check", renamed)
    assert code == 1 and "bukan workbook .xlsx/.xlsm" in out


def test_collect_before_any_forms(tmp_path, sample_master):
    inbox = tmp_path / "masuk"
    inbox.mkdir()
    before = sample_master.read_bytes()
    code, out = _run("collect", sample_master, inbox)
    assert code == 1
    assert "collect-before-forms" in out and "Sheet Distribusi belum mencatat formulir apa pun" in out
    assert "Buat Formulir" in out and "kinerja forms" in out
    assert "Rekap dan Ringkasan diperbarui" not in out and "terlambat" not in out
    assert sample_master.read_bytes() == before  # nothing written


def test_cascading_errors_shown_once(tmp_path, sample_master):
    wb = load_workbook(sample_master)
    wb["Unit"].title = "Daftar Unit"
    broken = tmp_path / "salah-nama.xlsx"
    wb.save(broken)
    code, out = _run("check", broken)
    assert code == 1
    assert "Sheet 'Unit' tidak ada di workbook." in out
    derived = re.search(r"dan (\d+) temuan turunan", out)
    assert derived and int(derived.group(1)) >= 20
    assert "indicator-unknown-unit" not in out  # the echoes are counted, not listed
    code, as_json = _run("check", broken, "--json")
    assert as_json.count("indicator-unknown-unit") == int(derived.group(1))  # JSON keeps them all
