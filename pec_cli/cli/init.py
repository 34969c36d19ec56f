"""``pec init [CARPETA]``: a new workspace."""

from pathlib import Path
from typing import Annotated

import typer

from pec_cli.cli.base import SpanishCommand, app
from pec_cli.errors import PecError


@app.command(cls=SpanishCommand)
def init(
    carpeta: Annotated[str, typer.Argument(metavar="[CARPETA]", help="Carpeta del nuevo espacio de trabajo (por defecto la actual).", show_default=False)] = ".",
) -> None:
    """Crear un espacio de trabajo: plan/ (con el plan 2024), ledger/, .gitattributes."""
    from pec_cli.workspace import init_workspace

    if not carpeta.strip():
        raise PecError("La carpeta está vacía: escriba su nombre («pec init seguimiento») u omítala para usar la actual.", code=2)
    created = init_workspace(Path(carpeta))
    typer.echo(f"Espacio de trabajo creado en {created}. Siguiente paso: pec plan show")
