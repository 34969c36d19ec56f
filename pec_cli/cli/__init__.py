"""The command line: one small module per command over the application layer (``pec_cli.context``).

``base`` holds the Spanish Typer app and its shared options; importing each
command module registers its command, in the order ``pec --help`` lists them.
Heavy modules (rich, tabulate, pydantic, yaml, openpyxl) are imported inside
the commands that need them, so ``pec status --format json`` and ``pec log``
start with none of them.
"""

import sys
from typing import Any

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
    commands = app.registered_commands
    app.registered_commands = only_the_named_command(commands, sys.argv[1:2])
    try:
        app()
    finally:
        app.registered_commands = commands


def only_the_named_command(commands: list[Any], first: list[str]) -> list[Any]:
    """The one command the first argument names exactly, else them all.

    Typer turns every registered command into a click command on each run
    (inspecting its signature: a few ms for a dozen); ``pec status`` needs
    only its own. Help, a mistyped or a group's name (``pec plan``) still
    build them all, so ``pec --help`` lists every command.
    """
    named = [c for c in commands if (c.name or c.callback.__name__.replace("_", "-")) in first]
    return named if len(named) == 1 else commands


__all__ = ["app", "main"]
