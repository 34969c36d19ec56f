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
    git: Annotated[bool, typer.Option("--git", help="Iniciar además el repositorio git del espacio (git init y un primer commit con el plan, .gitattributes y .gitignore), para compartirlo.")] = False,
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
    shared = _start_repository(created) if git else ""
    typer.echo(f"Espacio de trabajo creado en {created}{shared}. Siguiente paso: pec plan show")


def _start_repository(folder: Path) -> str:
    """``git init`` in the new workspace and a first commit of what pec wrote (the .gitattributes that keeps
    merges of the ledger clean included); what it did, for the message. A commit git refuses (no user.name)
    leaves the files staged and says how to finish."""
    import shutil
    import subprocess

    if shutil.which("git") is None:
        raise PecError(f"El espacio se creó en {folder}, pero git no está instalado: instálelo y ejecute «git init» "
                       "allí (el .gitattributes ya está).")

    def git(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["git", *args], cwd=folder, capture_output=True, text=True, timeout=60)

    if git("rev-parse", "--is-inside-work-tree").returncode == 0:  # someone's repository: commit nothing there
        return (", dentro de un repositorio git que ya existía (añada plan/, ledger/, .gitattributes y .gitignore "
                "y haga commit cuando quiera)")
    if git("init", "-q").returncode != 0:
        raise PecError(f"El espacio se creó en {folder}, pero «git init» falló allí; ejecútelo a mano.")
    git("add", "plan", "ledger", ".gitattributes", ".gitignore")
    if git("commit", "-q", "-m", "pec init: plan, registro y configuración de git").returncode != 0:
        return (", con su repositorio git (archivos añadidos; falta el primer commit: configure «git config "
                "user.name» y «user.email» y ejecute «git commit»)")
    return ", con su repositorio git y un primer commit"
