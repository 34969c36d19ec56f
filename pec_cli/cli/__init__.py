"""The command line: one small module per command over the application layer (``pec_cli.context``).

``base`` holds the Spanish Typer app and its shared options; importing a
command module registers its command. ``pec status`` imports ``base`` and
``status`` only; ``pec --help`` (or anything that names no command) imports
them all, in the order :data:`COMMANDS` lists them. Heavy modules (rich,
tabulate, pydantic, yaml, xlsxwriter) are imported inside the commands that
need them, so ``pec status --format json`` and ``pec log`` start with none of
them. ``from pec_cli.cli import app`` gives the app with every command.
"""

import sys

try:  # what the «pec» command imports before run() takes over (typing, ~10 ms): a Ctrl-C is one sentence too
    from importlib import import_module
    from typing import Any, NoReturn
except KeyboardInterrupt:
    sys.stderr.write("Error: Interrumpido; no se registró nada a medias.\n")
    sys.exit(130)

# The command each module registers, in the order ``pec --help`` lists them.
COMMANDS = {"init": "init", "plan": "plan", "log": "log", "import": "importing", "note": "note", "void": "void",
            "list": "listing", "status": "status", "pendientes": "pendientes", "export": "export",
            "cierre": "cierre", "aprobar": "aprobar", "accion": "accion", "verify": "verify"}


def registered(first: list[str]) -> Any:
    """The app with the command the first argument names exactly registered, else with all of them."""
    from pec_cli.cli.base import app

    modules = [COMMANDS[first[0]]] if first and first[0] in COMMANDS else list(COMMANDS.values())
    for module in modules:
        import_module(f"pec_cli.cli.{module}")
    order = list(COMMANDS)
    app.registered_commands.sort(key=lambda c: order.index(_name(c)))
    return app


def run() -> NoReturn:
    """The ``pec`` command: :func:`main`, SIGTERM and SIGHUP ending it as Ctrl-C does (nothing half-written
    stays); an interruption before a command takes over (while starting) is said in one sentence too."""
    try:
        from pec_cli.files import catch_signals

        catch_signals()
        main()
    except (KeyboardInterrupt, RuntimeError) as exc:
        # Python 3.11 wraps a Ctrl-C that lands in a descriptor's __set_name__ (a class of pec's being
        # defined while its module is imported) in a RuntimeError caused by the KeyboardInterrupt
        signalled = exc if isinstance(exc, KeyboardInterrupt) else exc.__cause__
        if not isinstance(signalled, KeyboardInterrupt):
            raise
        sys.stderr.write("Error: Interrumpido; no se registró nada a medias.\n")
        sys.exit(128 + getattr(signalled, "signum", 2))
    sys.exit(0)


def main() -> None:
    app = registered(sys.argv[1:2])
    commands, groups = app.registered_commands, app.registered_groups
    app.registered_commands = only_the_named_command(commands, sys.argv[1:2])
    if app.registered_commands is not commands:
        app.registered_groups = []  # «pec plan …» names no command: its group is built only then
    try:
        app()
    finally:
        app.registered_commands, app.registered_groups = commands, groups


def only_the_named_command(commands: list[Any], first: list[str]) -> list[Any]:
    """The one command the first argument names exactly, else them all.

    Typer turns every registered command into a click command on each run
    (inspecting its signature: a few ms for a dozen); ``pec status`` needs
    only its own. Help, a mistyped or a group's name (``pec plan``) still
    build them all, so ``pec --help`` lists every command.
    """
    named = [c for c in commands if _name(c) in first]
    return named if len(named) == 1 else commands


def _name(command: Any) -> str:
    """The name a registered command is typed with (Typer's default: its function's, with dashes)."""
    return str(command.name or command.callback.__name__.replace("_", "-"))


def __getattr__(name: str) -> Any:
    if name == "app":  # every command registered, for whoever drives the app itself (tests, CliRunner)
        return registered([])
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["COMMANDS", "app", "main", "run"]
