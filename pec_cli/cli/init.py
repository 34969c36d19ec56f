"""``pec init [CARPETA]``: a new workspace."""

from pathlib import Path
from typing import Annotated

import typer

from pec_cli.cli.base import SpanishCommand, app


@app.command(cls=SpanishCommand)
def init(
    carpeta: Annotated[Path, typer.Argument(metavar="[CARPETA]", help="Carpeta del nuevo espacio de trabajo (por defecto la actual).", show_default=False)] = Path("."),
) -> None:
    """Crear un espacio de trabajo: plan/ (con el plan 2024), ledger/, .gitattributes."""
    from pec_cli.workspace import init_workspace

    created = init_workspace(carpeta)
    typer.echo(f"Espacio de trabajo creado en {created}. Siguiente paso: pec plan show")
