"""``pec note ACTIVIDAD --trim Q TEXTO``: an observación for the Seguimiento table."""

from typing import Annotated

import typer

from pec_cli.cli import base
from pec_cli.cli.base import RootOpt, SpanishCommand, VigenciaOpt, app


@app.command(cls=SpanishCommand)
def note(
    actividad: Annotated[str, typer.Argument(metavar="ACTIVIDAD", help="Id de la actividad, o de la línea (linea_revista, ...) para una observación de toda la línea.")],
    trim: Annotated[str, typer.Option("--trim", metavar="TRIM", help="Trimestre de la observación: I, II, III o IV.")],
    texto: Annotated[str | None, typer.Argument(metavar="[TEXTO]", help="Texto de la observación, entre comillas (en una terminal se pregunta si falta).", show_default=False)] = None,
    root: RootOpt = None,
    vigencia: VigenciaOpt = None,
) -> None:
    """Registrar una observación para la tabla de Seguimiento."""
    from pec_cli.cli.registrant import registrant
    from pec_cli.ledger import store
    from pec_cli.ledger.records import build_note
    from pec_cli.workspace import now_iso

    ctx = base.load(root, vigencia)
    por = registrant(ctx.workspace)
    if not texto and base.interactive():
        texto = typer.prompt("Observación", err=True)
    record = build_note(ctx.plan, actividad, trim, texto or "", now_iso())
    (entry_id,) = store.append(ctx.workspace, ctx.plan.vigencia, [record], por=por)
    typer.echo(entry_id)
