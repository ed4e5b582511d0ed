"""The command-line door: `commands` (the typer app, one command per SOP step, and `main`, the
`kinerja` command) and `text` (the framework's own words in Bahasa Indonesia). Both are
importable from this package too, for console scripts installed before the package was grouped."""

from kinerja.cli.commands import app, main

__all__ = ["app", "main"]
