"""`python -m kinerja ...` runs the same CLI as the `kinerja` command."""

from kinerja.cli import main

main()
