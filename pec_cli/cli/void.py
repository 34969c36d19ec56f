"""``pec void ID --motivo TEXTO``: a correction that voids an entry (nothing is deleted)."""

import re
from typing import Annotated

import typer

from pec_cli.cli import base
from pec_cli.cli.base import RootOpt, SpanishCommand, app
from pec_cli.errors import PecError
from pec_cli.workspace import Workspace


@app.command(cls=SpanishCommand)
def void(
    entry_id: Annotated[str, typer.Argument(metavar="ID", help="Id de la entrada que se anula.")],
    motivo: Annotated[str | None, typer.Option("--motivo", metavar="TEXTO", help="Por qué se anula (queda en el registro); en una terminal se pregunta si falta.", show_default=False)] = None,
    root: RootOpt = None,
) -> None:
    """Anular una entrada con un motivo (se añade una corrección; nada se borra)."""
    from pec_cli.ledger import keyindex, store
    from pec_cli.ledger.records import build_void
    from pec_cli.workspace import find_workspace, now_iso

    ws = find_workspace(root)
    match = re.fullmatch(r"(\d{4})-[a-z0-9]+-\d+", entry_id.strip())
    if not match:
        raise PecError(f"«{entry_id}» no es un id de entrada (tienen la forma 2024-abcde-12); búsquelo con «pec list».")
    vig = int(match.group(1))
    wanted = entry_id.strip()
    warnings: list[str] = []
    found = [e for e in store.read_entries(ws, vig, warnings) if e.id == wanted]
    base.warn(list(dict.fromkeys(warnings)))
    if not found:
        raise PecError(f"No existe la entrada {entry_id} en el registro; búsquela con «pec list».")
    if len(found) > 1:
        places = ", ".join(f"{e.file}:{e.line}" for e in found)
        raise PecError(f"El id {wanted} está repetido en el registro ({places}): no se sabe cuál anular; "
                       "ejecute «pec verify» y corrija el registro antes de anular.")
    target = found[0]
    if not motivo and base.interactive():
        motivo = typer.prompt(f"Motivo de la anulación de {target.id}", err=True)
    registrado = now_iso()
    record = build_void(target, motivo or "", _voided(ws, vig), registrado)

    def not_voided_meanwhile() -> None:  # under the segment's lock: two people voiding one entry
        build_void(target, motivo or "", _voided(ws, vig), registrado)

    (new_id,) = store.append(ws, vig, [record], under_lock=not_voided_meanwhile, observer=keyindex.Follow(ws, vig))
    typer.echo(new_id)


def _voided(ws: Workspace, vigencia: int) -> set[str]:
    from pec_cli.ledger import store

    return {e.anula for e in store.read_entries(ws, vigencia, []) if e.anula}
