"""``pec log ACTIVIDAD``: append one published piece."""

from pathlib import Path
from typing import Annotated, Any

import typer

from pec_cli.cli import base
from pec_cli.cli.base import RootOpt, SpanishCommand, VigenciaOpt, app
from pec_cli.fields import FIELD


def option(name: str) -> Any:
    """The ``--name`` option of an entry field, as the registry describes it."""
    field = FIELD[name]
    return typer.Option(metavar=field.metavar, help=field.help)



@app.command(cls=SpanishCommand)
def log(
    actividad: Annotated[str, typer.Argument(metavar="ACTIVIDAD", help="Id de la actividad (revista, noti, capsulas, ...).")],
    fecha: Annotated[str | None, typer.Option(metavar="AAAA-MM-DD", help="Fecha de la pieza, AAAA-MM-DD (por defecto hoy, en Bogotá).")] = None,
    titulo: Annotated[str | None, option("titulo")] = None,
    tipo: Annotated[str | None, typer.Option(metavar="TIPO", help="Tipo de entrada (por defecto el primero de la actividad).")] = None,
    canal: Annotated[str | None, option("canal")] = None,
    url: Annotated[str | None, option("url")] = None,
    evidencia: Annotated[str | None, option("evidencia")] = None,
    area: Annotated[str | None, option("area")] = None,
    red: Annotated[str | None, option("red")] = None,
    valor: Annotated[str | None, option("valor")] = None,
    nota: Annotated[str | None, option("nota")] = None,
    root: RootOpt = None,
    vigencia: VigenciaOpt = None,
) -> None:
    """Registrar una pieza publicada; imprime el id de la nueva entrada."""
    from pec_cli.ledger import store
    from pec_cli.ledger.records import build_piece
    from pec_cli.plan.names import find_activity, parse_date
    from pec_cli.workspace import now_iso

    ctx = base.load(root, vigencia, parse_date(fecha).year if fecha else None)
    fields: dict[str, Any] = {
        "fecha": fecha, "titulo": titulo, "tipo": tipo, "canal": canal, "url": url, "evidencia": evidencia,
        "area": area, "red": red, "valor": valor, "nota": nota,
    }
    act = find_activity(ctx.plan, actividad)
    if base.interactive():
        from pec_cli.cli.prompts import complete_fields

        complete_fields(act, fields, ctx.today)

    def evidence(path: str) -> dict[str, Any]:
        from pec_cli.ledger.evidence import store_evidence

        return store_evidence(ctx.workspace, ctx.plan.vigencia, Path(path))

    record = build_piece(ctx.plan, act.id, fields, ctx.today, now_iso(), evidence)
    (entry_id,) = store.append(ctx.workspace, ctx.plan.vigencia, [record])
    typer.echo(entry_id)
