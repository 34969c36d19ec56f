"""The command line: one small module per command over the application layer (``pec_cli.context``).

``base`` holds the Spanish Typer app and its shared options; importing each
command module registers its command, in the order ``pec --help`` lists them.
Heavy modules (rich, tabulate, pydantic, yaml, openpyxl) are imported inside
the commands that need them, so ``pec status --format json`` and ``pec log``
start with none of them.
"""

import sys

try:
    # isort: off
    # Imported to register their commands, in the order ``pec --help`` lists them.
    from pec_cli.cli.base import app
    from pec_cli.cli import init, plan, log, importing, note, void, listing, status, pendientes, export, verify  # noqa: F401, E402
    # isort: on
except KeyboardInterrupt:  # Ctrl-C while starting: nothing was done yet
    sys.stderr.write("Error: Interrumpido; no se registró nada a medias.\n")
    sys.exit(130)


def main() -> None:
    app()


__all__ = ["app", "main"]
