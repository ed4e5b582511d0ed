"""The command line's own words in Bahasa Indonesia: help headings, usage lines and the
messages of the argument parser (typer, its click and pydantic), which are English by default.

`install()` is called once when `kinerja.cli.commands` is imported. Typer renders help and usage errors
through `typer.rich_utils` (panel titles as module constants, `rich_format_error` looked up on the
module at call time) and the click it carries (the 'Usage:' prefix, the help option). Messages
are translated from their English templates by `indonesian()`; a message it does not know is
shown as it is rather than lost.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from typing import Any

USAGE_PREFIX = "Penggunaan: "
HELP_OPTION_TEXT = "Tampilkan bantuan ini lalu keluar."
OPTIONS_METAVAR = "[OPSI]"
SUBCOMMAND_METAVAR = "PERINTAH [ARGUMEN]..."

PANEL_TITLES = {
    "ARGUMENTS_PANEL_TITLE": "Argumen",
    "OPTIONS_PANEL_TITLE": "Opsi",
    "COMMANDS_PANEL_TITLE": "Perintah",
    "ERRORS_PANEL_TITLE": "Kesalahan",
    "ABORTED_TEXT": "Dibatalkan.",
    "RICH_HELP": "Bantuan: [blue]'{command_path} {help_option}'[/]",
    "DEFAULT_STRING": "[bawaan: {}]",
    "ENVVAR_STRING": "[variabel lingkungan: {}]",
    "REQUIRED_LONG_STRING": "[wajib]",
    "DEPRECATED_STRING": "(usang) ",
}

# the value kinds typer shows beside each parameter ('<path>', '<int>', ...)
TYPE_NAMES = {"path": "<file>", "str": "<teks>", "int": "<angka>", "float": "<angka>",
              "bool": None, "text": "<teks>", "integer": "<angka>", "boolean": None,
              "list[path]": "<file/folder>"}

_PARAM = r"'(?P<name>[^']*)'"
# (English template as a regex, Indonesian replacement); tried in order, the first match wins
_MESSAGES: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str] | str]] = [
    (re.compile(r"^No such command '(?P<cmd>[^']*)'\.? ?(?:Did you mean (?P<sug>.+)\?)?$", re.S),
     lambda m: f"Perintah '{m['cmd']}' tidak dikenal."
               + (f" Mungkin maksud Anda {m['sug'].replace(', ', ' atau ')}?" if m["sug"] else "")
               + " Daftar perintah: kinerja --help"),
    (re.compile(r"^Missing command\.$"), "Sebutkan perintahnya, mis. 'kinerja check induk.xlsx'. "
                                         "Daftar perintah: kinerja --help"),
    (re.compile(r"^Missing argument " + _PARAM + r"\.(?: (?P<rest>.*))?$", re.S),
     lambda m: f"Argumen '{m['name']}' belum diisi."),
    (re.compile(r"^Missing option " + r"(?P<name>'[^']*'(?: / '[^']*')*)" + r"\.(?: (?P<rest>.*))?$", re.S),
     lambda m: f"Opsi {m['name'].replace(' / ', ' atau ')} wajib diisi."),
    (re.compile(r"^Missing parameter:? (?P<name>.*)$"), lambda m: f"Parameter {m['name']} belum diisi."),
    (re.compile(r"^No such option: (?P<opt>\S+)(?: Did you mean (?P<sug>\S+)\?)?"
                r"(?: \(Possible options: (?P<all>[^)]*)\))?$", re.S),
     lambda m: f"Opsi {m['opt']} tidak dikenal."
               + (f" Mungkin maksud Anda {m['sug']}?" if m["sug"] else "")
               + (f" Pilihan: {m['all']}." if m["all"] else "")),
    (re.compile(r"^Option (?P<opt>'[^']*') requires an argument\.$"),
     lambda m: f"Opsi {m['opt']} perlu diberi nilai."),
    (re.compile(r"^Option (?P<opt>'[^']*') requires (?P<n>\d+) arguments\.$"),
     lambda m: f"Opsi {m['opt']} perlu diberi {m['n']} nilai."),
    (re.compile(r"^Option (?P<opt>'[^']*') does not take a value\.$"),
     lambda m: f"Opsi {m['opt']} tidak menerima nilai."),
    (re.compile(r"^Got unexpected extra argument(?:\(s\)|s)? \((?P<args>.*)\)$", re.S),
     lambda m: f"Argumen berlebih: {m['args']}. Teks yang berisi spasi diberi tanda kutip, "
               "mis. --oleh \"SITI RAHMAWATI\"."),
    (re.compile(r"^Argument (?P<name>'[^']*') takes (?P<n>\d+) values\.$"),
     lambda m: f"Argumen {m['name']} memerlukan {m['n']} nilai."),
    (re.compile(r"^Invalid value for (?P<name>.+?): (?P<why>.*)$", re.S),
     lambda m: f"Nilai {m['name'].replace(' / ', ' atau ')} tidak sah: {_value_error(m['why'])}"),
    (re.compile(r"^Invalid value: (?P<why>.*)$", re.S), lambda m: f"Nilai tidak sah: {_value_error(m['why'])}"),
]

# pydantic's and click's reasons a value was refused
_REASONS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^Input should be a valid integer.*", re.S), "harus bilangan bulat, mis. 3."),
    (re.compile(r"^Input should be a valid number.*", re.S), "harus angka, mis. 85 atau 1234.5."),
    (re.compile(r"^Input should be a valid boolean.*", re.S), "harus ya/tidak (true/false)."),
    (re.compile(r"^Input should be a finite number.*", re.S), "harus angka terhingga."),
    (re.compile(r"^Input should be (?P<what>.*)$", re.S), "harus salah satu dari: {what}."),
    (re.compile(r"^Path (?P<p>'[^']*') does not exist\.$"), "{p} tidak ada."),
    (re.compile(r"^(?:File|Directory|Path) (?P<p>'[^']*') is a directory\.$"), "{p} adalah folder."),
    (re.compile(r"^'(?P<v>[^']*)' is not a valid (?:integer|number)(?: range)?\.?$"),
     "'{v}' bukan angka."),
    (re.compile(r"^'(?P<v>[^']*)' is not one of (?P<c>.*)\.$", re.S), "'{v}' bukan salah satu dari {c}."),
]


def _value_error(why: str) -> str:
    why = why.strip()
    for pattern, template in _REASONS:
        m = pattern.match(why)
        if m:
            return template.format(**{k: v.replace(" or ", " atau ") if v else v
                                      for k, v in m.groupdict().items()})
    return why


def indonesian(message: str) -> str:
    """A typer/click/pydantic usage message in Bahasa Indonesia (unknown ones unchanged)."""
    text = message.strip()
    for pattern, repl in _MESSAGES:
        m = pattern.match(text)
        if m:
            return repl(m) if callable(repl) else repl
    return text


def examples_one_per_line(help_text: str | None, markup_mode: str | None) -> str | None:
    """Keep the lines of an examples paragraph (every line a `kinerja ...` command) apart: the
    help renderer joins a paragraph's lines, so two examples would run together and copy badly."""
    if not help_text:
        return help_text
    import inspect

    paragraphs = inspect.cleandoc(help_text).split("\n\n")
    for n, par in enumerate(paragraphs):
        lines = [line.strip() for line in par.strip("\n").splitlines()]
        if lines and all(line.startswith("kinerja ") for line in lines):
            body = "\n".join(lines)
            paragraphs[n] = f"```\n{body}\n```" if markup_mode == "markdown" else f"\b\n{body}"
    return "\n\n".join(paragraphs)


def _modules() -> tuple[Any, Any]:
    """(typer's click, typer.rich_utils): typer carries its own click since 0.24."""
    import typer.rich_utils as rich_utils

    try:
        click_mod = importlib.import_module("typer._click")
    except ImportError:  # pragma: no cover - older typer with click as a dependency
        click_mod = importlib.import_module("click")
    return click_mod, rich_utils


def current_context() -> Any:
    """The running command's context (None outside a command), from the click that typer's
    commands run under: typer's own copy since 0.24, not a separately installed click."""
    try:
        module = importlib.import_module("typer._click.globals")
    except ImportError:  # pragma: no cover - older typer with click as a dependency
        module = importlib.import_module("click.globals")
    return module.get_current_context(silent=True)


_installed = False


def install() -> None:
    """Switch the framework's words to Bahasa Indonesia (idempotent)."""
    global _installed
    if _installed:
        return
    _installed = True
    click_mod, rich_utils = _modules()
    for name, value in PANEL_TITLES.items():
        setattr(rich_utils, name, value)

    formatter_cls = click_mod.formatting.HelpFormatter
    original_usage = formatter_cls.write_usage

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        args = args.replace("[OPTIONS]", OPTIONS_METAVAR).replace("COMMAND [ARGS]...", SUBCOMMAND_METAVAR)
        original_usage(self, prog, args, USAGE_PREFIX if prefix is None else prefix)

    formatter_cls.write_usage = write_usage

    command_cls = click_mod.core.Command
    original_help_option = command_cls.get_help_option

    def get_help_option(self, ctx):
        option = original_help_option(self, ctx)
        if option is not None:
            option.help = HELP_OPTION_TEXT
        return option

    command_cls.get_help_option = get_help_option

    import typer.core as typer_core

    for cls in (typer_core.TyperArgument, typer_core.TyperOption):
        original = cls.display_type_rich

        def display_type_rich(self, ctx, _original=original):
            shown = _original(self, ctx)
            if shown is None:
                return None
            key = str(shown).strip("<>").lower()
            return TYPE_NAMES.get(key, shown) if key in TYPE_NAMES else shown

        cls.display_type_rich = display_type_rich  # type: ignore[method-assign] # on purpose

    original_help_text = rich_utils._get_help_text

    def get_help_text(*, obj, markup_mode):
        original = obj.help
        obj.help = examples_one_per_line(original, markup_mode)
        try:
            yield from original_help_text(obj=obj, markup_mode=markup_mode).renderables
        finally:
            obj.help = original

    rich_utils._get_help_text = rich_utils.group()(get_help_text)

    original_error = rich_utils.rich_format_error

    def rich_format_error(self) -> None:
        text = indonesian(self.format_message())
        self.format_message = lambda: text  # the panel shows the Indonesian text
        original_error(self)

    rich_utils.rich_format_error = rich_format_error
