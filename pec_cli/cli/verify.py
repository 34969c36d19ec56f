"""``pec verify``: every check of the ledger, problems as ``file:line: message``."""

import sys

import typer

from pec_cli.cli.base import RootOpt, SpanishCommand, app
from pec_cli.errors import PecError


@app.command(cls=SpanishCommand)
def verify(root: RootOpt = None) -> None:
    """Comprobar el registro: líneas, ids, anulaciones e integridad de la cadena."""
    from pec_cli.ledger.verify import verify_workspace
    from pec_cli.workspace import find_workspace

    problems, summary = verify_workspace(find_workspace(root))
    for problem in problems:
        sys.stdout.write(problem + "\n")
    if problems:
        raise PecError(f"El registro tiene {len(problems)} problema(s); revíselos arriba (archivo:línea: mensaje).")
    typer.echo(summary)
