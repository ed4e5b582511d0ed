"""The command line: every command documented with an example; real runs on the sample office."""

from __future__ import annotations

import json

from typer.main import get_command
from typer.testing import CliRunner

from kinerja.cli.commands import app

runner = CliRunner()


def _commands(group, prefix: str = ""):
    for name, cmd in group.commands.items():
        if hasattr(cmd, "commands"):
            yield from _commands(cmd, f"{prefix}{name} ")
        else:
            yield f"{prefix}{name}", cmd


def test_every_command_has_help_with_an_example():
    commands = dict(_commands(get_command(app)))
    assert {"init", "check", "sop list", "sop show", "demo", "excel setup"} <= set(commands)
    for name, cmd in commands.items():
        assert "Contoh:" in (cmd.help or ""), name
        assert f"kinerja {name}" in cmd.help, name
        result = runner.invoke(app, [*name.split(), "--help"])
        assert result.exit_code == 0, name


def test_init_check_exit_codes(tmp_path):
    master = tmp_path / "induk.xlsx"
    result = runner.invoke(app, ["init", str(master), "--preset", "muara_papalik", "--data", "sample_data/sukamaju"])
    assert result.exit_code == 0, result.output
    again = runner.invoke(app, ["init", str(master)])
    assert again.exit_code == 2 and "--force" in again.output
    ok = runner.invoke(app, ["check", str(master), "--json"])
    assert ok.exit_code == 0
    assert json.loads(ok.output)["blocking"] is False
    from openpyxl import load_workbook
    wb = load_workbook(master)
    wb["Unit"]["A5"] = "SEK"
    wb.save(master)
    bad = runner.invoke(app, ["check", str(master)])
    assert bad.exit_code == 1
    assert "unit-duplicate" in bad.output


def test_unknown_preset_is_a_clear_message(tmp_path):
    result = runner.invoke(app, ["init", str(tmp_path / "x.xlsx"), "--preset", "tidak_ada"])
    assert result.exit_code == 2
    assert "tidak ditemukan" in result.output and "candipuro" in result.output


def test_sop_list_and_show_json():
    listed = json.loads(runner.invoke(app, ["sop", "list", "--json"]).output)
    assert {r["nama"] for r in listed} >= {"muara_papalik", "candipuro", "mangkutana"}
    shown = json.loads(runner.invoke(app, ["sop", "show", "muara_papalik", "--json"]).output)
    assert len(shown["steps"]) == 14
