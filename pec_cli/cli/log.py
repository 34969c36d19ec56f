"""``pec log ACTIVIDAD``: append one published piece."""

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from pec_cli.cli import base
from pec_cli.cli.base import RootOpt, SpanishCommand, VigenciaOpt, app
from pec_cli.errors import PecError
from pec_cli.fields import FIELD

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable

    from pec_cli.context import Context
    from pec_cli.ledger.requests import Request


def option(name: str) -> Any:
    """The ``--name`` option of an entry field, as the registry describes it."""
    field = FIELD[name]
    return typer.Option(metavar=field.metavar, help=field.help)


@app.command(cls=SpanishCommand)
def log(
    actividad: Annotated[str | None, typer.Argument(metavar="[ACTIVIDAD]", help="Id de la actividad (revista, noti, capsulas, ...); en una terminal, si falta, se elige de una lista.", show_default=False)] = None,
    fecha: Annotated[str | None, typer.Option(metavar="AAAA-MM-DD", help="Fecha de la pieza, AAAA-MM-DD o DD/MM/AAAA (por defecto hoy, en Bogotá).")] = None,
    titulo: Annotated[str | None, option("titulo")] = None,
    tipo: Annotated[str | None, typer.Option(metavar="TIPO", help="Tipo de entrada (por defecto el primero de la actividad).")] = None,
    canal: Annotated[str | None, option("canal")] = None,
    url: Annotated[str | None, option("url")] = None,
    evidencia: Annotated[str | None, option("evidencia")] = None,
    area: Annotated[str | None, option("area")] = None,
    red: Annotated[str | None, option("red")] = None,
    valor: Annotated[str | None, option("valor")] = None,
    nota: Annotated[str | None, option("nota")] = None,
    confirmar: Annotated[bool, typer.Option("--confirmar", help="Registrar una medición aunque se aleje mucho de la anterior (menos de la mitad o más del triple).")] = False,
    duplicado: Annotated[bool, typer.Option("--duplicado", help="Registrar la pieza aunque ya haya una igual (misma actividad, tipo, fecha y título, o misma URL).")] = False,
    atiende: Annotated[str | None, option("atiende")] = None,
    root: RootOpt = None,
    vigencia: VigenciaOpt = None,
) -> None:
    """Registrar una pieza publicada; imprime el id de la nueva entrada."""
    from pec_cli.cli.registrant import registrant
    from pec_cli.ledger.records import build_piece
    from pec_cli.plan.names import find_activity, parse_date
    from pec_cli.workspace import now_iso

    fields: dict[str, Any] = {
        "fecha": fecha, "titulo": titulo, "tipo": tipo, "canal": canal, "url": url, "evidencia": evidencia,
        "area": area, "red": red, "valor": valor, "nota": nota, "atiende": atiende,
    }
    base.refuse_empty(**fields)
    day = parse_date(fecha) if fecha else None
    year = day.year if day else None
    if vigencia is None and day is not None:
        _refuse_year_without_plan(root, day)
    ctx = base.load(root, vigencia, year)
    por = registrant(ctx.workspace)  # before anything is asked or copied: a bad name is refused first
    if actividad is None:
        actividad = _ask_activity(ctx)
    act = find_activity(ctx.plan, actividad)
    if base.interactive():
        from pec_cli.cli.prompts import complete_fields

        complete_fields(act, fields, ctx.today, _open_requests(ctx, act.id))
    if fields.get("atiende"):  # checked before any evidence file is copied
        from pec_cli.cli.links import link_checker

        link_checker(ctx)(build_piece(ctx.plan, act.id, fields, ctx.today, now_iso()))

    record = build_piece(ctx.plan, act.id, fields, ctx.today, now_iso())  # evidence stored once all checks pass
    _insist_or_refuse(lambda: _refuse_repeat(ctx, record, duplicado, confirmar))
    if "valor" in record and "red" in record and not confirmar:
        from pec_cli.ledger.records import check_jump

        series = ctx.tally().net().series(act.id, record["tipo"], *act.antes).get(record["red"], [])
        _insist_or_refuse(lambda: check_jump(record, series))
    typer.echo(_write(ctx, record, fields.get("evidencia"), por))


def _write(ctx: "Context", record: dict[str, Any], evidencia: str | None, por: str | None) -> str:
    """Store the evidence file (once every check passed), append the piece; its id. Says when it is
    extemporánea (its quarter was closed)."""
    from pec_cli.ledger import store

    if evidencia:
        from pec_cli.ledger.evidence import store_evidence

        notices: list[str] = []
        record["evidencia"] = store_evidence(ctx.workspace, ctx.plan.vigencia, Path(evidencia), notices)
        base.warn(notices)
    (entry_id,) = store.append(ctx.workspace, ctx.plan.vigencia, [record], por=por)
    late = ctx.late_notice([record["fecha"]])
    base.warn([late] if late else [])
    return entry_id


def _insist_or_refuse(check: "Callable[[], None]") -> None:
    """A probable mistake (a typo, a duplicate): refused off a terminal; on one, the person
    is told why and asked whether to record it anyway (no by default)."""

    try:
        check()
    except PecError as exc:
        if not base.interactive():
            raise
        message = exc.message.split("; si de verdad")[0].split(" Corrija --valor")[0]
        answer = typer.prompt(f"{message} ¿Registrarla de todos modos? [s/N]", default="", show_default=False, err=True)
        if answer.strip().lower() not in ("s", "si", "sí", "y", "yes"):
            raise PecError("Cancelado; no se registró nada.") from None


def _refuse_repeat(ctx: "Context", record: dict[str, Any], duplicado: bool, confirmar: bool) -> None:
    """A piece already in force with the same title or URL is refused (``--duplicado`` to insist); so is a
    measurement of its network and day with the same value, and with another value it is a correction,
    refused unless ``--confirmar``."""
    from pec_cli.ledger.cache import LedgerKeys
    from pec_cli.ledger.duplicates import correction_refusal, duplicate_refusal, is_measurement

    measurement = is_measurement(record)
    if duplicado and not measurement:
        return
    act = ctx.plan.owner(record["actividad"])
    ids = act.ids if act is not None else (record["actividad"],)
    found = LedgerKeys(ctx.workspace, ctx.plan.vigencia).repeats(record, ids, ctx.activity_of)
    if found is None:
        return
    key, existing = found
    if measurement and existing.get("valor") != record["valor"]:
        if not confirmar:
            raise PecError(correction_refusal(existing, record["valor"]), field="valor")
    elif not duplicado:
        raise PecError(duplicate_refusal(key, existing))


def _ask_activity(ctx: "Context") -> str:
    """On a terminal, the activity chosen from a numbered list; off one, a refusal naming them."""
    if base.interactive():
        from pec_cli.cli.prompts import choose_activity

        return choose_activity(ctx.plan)

    ids = ", ".join(a.id for a in ctx.plan.actividades)
    raise PecError(f"Falta la actividad: escriba «pec log ACTIVIDAD ...»; las actividades son: {ids}.", code=2)


def _open_requests(ctx: "Context", activity_id: str) -> list["Request"]:
    """The activity's requests still unanswered today, offered by the prompt."""
    from pec_cli.ledger.requests import open_requests

    return [r for r in open_requests(ctx.plan, ctx.tally().net(), ctx.today) if r.actividad == activity_id]


def _refuse_year_without_plan(root: str | None, day: "dt.date") -> None:
    """A piece dated in a year with no plan names the plan file to create (a date after today is that
    date's fault, not a missing plan's)."""
    from pec_cli.ledger.records import refuse_future
    from pec_cli.workspace import find_workspace, today

    ws = find_workspace(root)
    plans = ws.plans()
    year = day.year
    if not plans or year in plans:
        return
    refuse_future(day, today())
    if not 1900 <= year <= 2999:
        raise PecError(f"La fecha es del año {year}, fuera de toda vigencia posible (1900 a 2999); corrija --fecha.",
                       field="fecha")
    raise PecError(
        f"No hay plan para {year}: cree plan/{year}.yaml (por ejemplo con «pec plan nueva {year}», a partir del "
        f"plan {max(plans)}) y vuelva a registrar; o use --vigencia para otro plan.", field="fecha")
