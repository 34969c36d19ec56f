"""``pec verify``: every check of the ledger and its plans, problems as ``file:line: message``."""

import sys
from pathlib import Path

import typer

from pec_cli.cli.base import RootOpt, SpanishCommand, app
from pec_cli.errors import PecError


def read_kept(path: Path) -> bytes:
    """A file a closure names (its plan copy): a regular file, no link followed, of at most 1 MB (a plan is
    some 30 KB; a line from git pull may name /dev/zero)."""
    from pec_cli.workspace import read_regular

    return read_regular(path, 1 << 20, f"La copia del plan {path.name}", "restáurela desde git.", follow=False)


@app.command(cls=SpanishCommand)
def verify(root: RootOpt = None) -> None:
    """Comprobar el plan y el registro: líneas, ids, anulaciones, importaciones e integridad de la cadena."""
    from pec_cli.ledger.verify import verify_workspace
    from pec_cli.report.closed import all_checks
    from pec_cli.workspace import find_workspace, today

    problems, summary = verify_workspace(find_workspace(root), all_checks(read_kept, today()))
    damage = [p for p in problems if not p.info]
    for problem in problems:
        sys.stdout.write(("información: " if problem.info else "") + str(problem) + "\n")
    if damage:
        raise PecError(f"El registro tiene {len(damage)} problema(s); revíselos arriba (archivo:línea: mensaje).")
    typer.echo(summary)
