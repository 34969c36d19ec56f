"""``pec log ACTIVIDAD``: append one published piece."""

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from pec_cli.cli import base
from pec_cli.cli.base import RootOpt, SpanishCommand, VigenciaOpt, app
from pec_cli.errors import PecError
from pec_cli.fields import FIELD


def option(name: str) -> Any:
    """The ``--name`` option of an entry field, as the registry describes it."""
    field = FIELD[name]
    return typer.Option(metavar=field.metavar, help=field.help)


if TYPE_CHECKING:
    from pec_cli.context import Context
    from pec_cli.ledger.requests import Request


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
    atiende: Annotated[str | None, option("atiende")] = None,
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
    if evidencia is not None and not evidencia.strip():
        raise PecError("--evidencia está vacío: indique la ruta del archivo de evidencia o quite la opción.", code=2)
    year = parse_date(fecha).year if fecha else None
    if vigencia is None and year is not None:
        _refuse_year_without_plan(root, year)
    ctx = base.load(root, vigencia, year)
    fields: dict[str, Any] = {
        "fecha": fecha, "titulo": titulo, "tipo": tipo, "canal": canal, "url": url, "evidencia": evidencia,
        "area": area, "red": red, "valor": valor, "nota": nota, "atiende": atiende,
    }
    act = find_activity(ctx.plan, actividad)
    if base.interactive():
        from pec_cli.cli.prompts import complete_fields

        complete_fields(act, fields, ctx.today, _open_requests(ctx, act.id))
    if fields.get("atiende"):  # checked before any evidence file is copied
        from pec_cli.cli.links import link_checker

        link_checker(ctx)(build_piece(ctx.plan, act.id, fields, ctx.today, now_iso()))

    def evidence(path: str) -> dict[str, Any]:
        from pec_cli.ledger.evidence import store_evidence

        return store_evidence(ctx.workspace, ctx.plan.vigencia, Path(path))

    record = build_piece(ctx.plan, act.id, fields, ctx.today, now_iso(), evidence)
    (entry_id,) = store.append(ctx.workspace, ctx.plan.vigencia, [record])
    typer.echo(entry_id)


def _open_requests(ctx: "Context", activity_id: str) -> list["Request"]:
    """The activity's requests still unanswered today, offered by the prompt."""
    from pec_cli.ledger.requests import open_requests

    return [r for r in open_requests(ctx.plan, ctx.tally().totals(), ctx.today) if r.actividad == activity_id]


def _refuse_year_without_plan(root: str | None, year: int) -> None:
    """A piece dated in a year with no plan names the plan file to create."""
    from pec_cli.errors import PecError
    from pec_cli.workspace import find_workspace

    ws = find_workspace(root)
    plans = ws.plans()
    if plans and year not in plans:
        raise PecError(
            f"No hay plan para {year}: cree plan/{year}.yaml (por ejemplo con «pec plan nueva {year}», a partir del "
            f"plan {max(plans)}) y vuelva a registrar; o use --vigencia para otro plan.", field="fecha")
