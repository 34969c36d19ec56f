"""``pec init [CARPETA] [--nombre NOMBRE]``: a new workspace, and who registers in it."""

from pathlib import Path
from typing import Annotated

import typer

from pec_cli.cli.base import SpanishCommand, app
from pec_cli.errors import PecError


@app.command(cls=SpanishCommand)
def init(
    carpeta: Annotated[str, typer.Argument(metavar="[CARPETA]", help="Carpeta del nuevo espacio de trabajo (por defecto la actual).", show_default=False)] = ".",
    nombre: Annotated[str | None, typer.Option("--nombre", metavar="NOMBRE", help="Nombre de quien registra en esta copia (queda en cada registro; se guarda en .pec/nombre, que git ignora). En una copia que ya existe (un git clone), solo guarda el nombre.", show_default=False)] = None,
) -> None:
    """Crear un espacio de trabajo: plan/ (con el plan 2024), ledger/, .gitattributes."""
    from pec_cli.ledger.records import check_name
    from pec_cli.workspace import Workspace, init_workspace

    if not carpeta.strip():
        raise PecError("La carpeta está vacía: escriba su nombre («pec init seguimiento») u omítala para usar la actual.", code=2)
    name = check_name(nombre, "--nombre") if nombre is not None else None
    folder = Path(carpeta).expanduser().resolve()
    if name is not None and (folder / "plan").is_dir():  # a clone: only who registers in it is new
        Workspace(folder).save_person(name)
        typer.echo(f"Nombre de quien registra en {folder} guardado: {name} (en .pec/nombre).")
        return
    created = init_workspace(Path(carpeta))
    if name is not None:
        Workspace(created).save_person(name)
    typer.echo(f"Espacio de trabajo creado en {created}. Siguiente paso: pec plan show")
