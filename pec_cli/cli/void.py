"""``pec void ID --motivo TEXTO``: a correction that voids an entry (nothing is deleted)."""

import re
from typing import Annotated

import typer

from pec_cli.cli import base
from pec_cli.cli.base import RootOpt, SpanishCommand, app
from pec_cli.errors import PecError


@app.command(cls=SpanishCommand)
def void(
    entry_id: Annotated[str, typer.Argument(metavar="ID", help="Id de la entrada que se anula.")],
    motivo: Annotated[str | None, typer.Option("--motivo", metavar="TEXTO", help="Por qué se anula (queda en el registro); en una terminal se pregunta si falta.", show_default=False)] = None,
    root: RootOpt = None,
) -> None:
    """Anular una entrada con un motivo (se añade una corrección; nada se borra)."""
    from pec_cli.ledger import store
    from pec_cli.ledger.records import build_void
    from pec_cli.workspace import find_workspace, now_iso

    ws = find_workspace(root)
    match = re.fullmatch(r"(\d{4})-[a-z0-9]+-\d+", entry_id.strip())
    if not match:
        raise PecError(f"«{entry_id}» no es un id de entrada (tienen la forma 2024-abcde-12); búsquelo con «pec list».")
    vig = int(match.group(1))
    warnings: list[str] = []
    target = None
    voided: set[str] = set()
    for entry in store.read_entries(ws, vig, warnings):
        if entry.id == entry_id.strip():
            target = entry
        if entry.anula:
            voided.add(entry.anula)
    base.warn(warnings)
    if target is None:
        raise PecError(f"No existe la entrada {entry_id} en el registro; búsquela con «pec list».")
    if not motivo and base.interactive():
        motivo = typer.prompt(f"Motivo de la anulación de {target.id}", err=True)
    record = build_void(target, motivo or "", voided, now_iso())
    (new_id,) = store.append(ws, vig, [record])
    typer.echo(new_id)
