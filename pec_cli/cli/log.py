"""``pec log ACTIVIDAD``: append one published piece."""

from pathlib import Path
from typing import Annotated, Any

import typer

from pec_cli.cli import base
from pec_cli.cli.base import RootOpt, SpanishCommand, VigenciaOpt, app
from pec_cli.errors import PecError


@app.command(cls=SpanishCommand)
def log(
    actividad: Annotated[str, typer.Argument(metavar="ACTIVIDAD", help="Id de la actividad (revista, noti, capsulas, ...).")],
    fecha: Annotated[str | None, typer.Option(metavar="AAAA-MM-DD", help="Fecha de la pieza, AAAA-MM-DD (por defecto hoy, en Bogotá).")] = None,
    titulo: Annotated[str | None, typer.Option(metavar="TEXTO", help="Título de la pieza (entre comillas si tiene espacios).")] = None,
    tipo: Annotated[str | None, typer.Option(metavar="TIPO", help="Tipo de entrada (por defecto el primero de la actividad).")] = None,
    canal: Annotated[str | None, typer.Option(metavar="TEXTO", help="Canal donde se publicó.")] = None,
    url: Annotated[str | None, typer.Option(metavar="URL", help="Enlace a la pieza publicada.")] = None,
    evidencia: Annotated[Path | None, typer.Option(metavar="ARCHIVO", help="Archivo de evidencia; se copia a evidencias/<año>/ con su SHA-256.")] = None,
    area: Annotated[str | None, typer.Option(metavar="TEXTO", help="Área solicitante (para una solicitud).")] = None,
    red: Annotated[str | None, typer.Option(metavar="RED", help="Red social medida (para una medición): instagram, twitter, tiktok, facebook, youtube.")] = None,
    valor: Annotated[str | None, typer.Option(metavar="NÚMERO", help="Valor medido, p. ej. seguidores (para una medición).")] = None,
    nota: Annotated[str | None, typer.Option(metavar="TEXTO", help="Nota libre.")] = None,
    root: RootOpt = None,
    vigencia: VigenciaOpt = None,
) -> None:
    """Registrar una pieza publicada; imprime el id de la nueva entrada."""
    from pec_cli.ledger import store
    from pec_cli.ledger.records import build_piece
    from pec_cli.plan.names import find_activity, parse_date
    from pec_cli.workspace import now_iso

    if fecha is not None and not fecha.strip():
        raise PecError("--fecha está vacía: escriba la fecha de la pieza (AAAA-MM-DD) o quite la opción para usar la de hoy.", code=2)
    ctx = base.load(root, vigencia, parse_date(fecha).year if fecha else None)
    fields: dict[str, Any] = {
        "fecha": fecha, "titulo": titulo, "tipo": tipo, "canal": canal, "url": url,
        "area": area, "red": red, "valor": valor, "nota": nota,
    }
    act = find_activity(ctx.plan, actividad)
    if base.interactive():
        from pec_cli.cli.prompts import complete_fields

        complete_fields(act, fields, ctx.today)
    record = build_piece(ctx.plan, act.id, fields, ctx.today, now_iso())
    if evidencia is not None:
        from pec_cli.ledger.evidence import store_evidence

        record["evidencia"] = store_evidence(ctx.workspace, ctx.plan.vigencia, evidencia)
    (entry_id,) = store.append(ctx.workspace, ctx.plan.vigencia, [record])
    typer.echo(entry_id)
