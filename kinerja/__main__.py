"""`python -m kinerja ...` runs the same CLI as the `kinerja` command."""

from kinerja.cli.commands import main

main()
