"""The command-line door: `commands` (the typer app) and `text` (its words in Bahasa Indonesia)."""
