"""``pec accion LINEA|ACTIVIDAD --trim Q …``: the analysis and improvement action of a red or amber row of a
closed quarter; ``pec accion cumplida ID``: that it was done."""

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from pec_cli.cli import base
from pec_cli.cli.base import RootOpt, SpanishCommand, VigenciaOpt, app
from pec_cli.errors import PecError

if TYPE_CHECKING:
    from pec_cli.context import Context


@app.command(cls=SpanishCommand)
def accion(
    objetivo: Annotated[str, typer.Argument(metavar="LINEA|ACTIVIDAD", help="Línea (linea_revista) o actividad analizada; o «cumplida» y el id de la acción.")],
    accion_id: Annotated[str | None, typer.Argument(metavar="[ID]", help="Con «cumplida»: el id de la acción que se cumplió.", show_default=False)] = None,
    trim: Annotated[str | None, typer.Option("--trim", metavar="TRIM", help="Trimestre cerrado que se analiza.", show_default=False)] = None,
    causa: Annotated[str | None, typer.Option("--causa", metavar="TEXTO", help="Por qué la fila quedó en rojo o amarillo.", show_default=False)] = None,
    que: Annotated[str | None, typer.Option("--accion", metavar="TEXTO", help="La acción de mejora que se hará.", show_default=False)] = None,
    responsable: Annotated[str | None, typer.Option("--responsable", metavar="TEXTO", help="Quién la hará.", show_default=False)] = None,
    fecha_compromiso: Annotated[str | None, typer.Option("--fecha-compromiso", metavar="AAAA-MM-DD", help="Para cuándo.", show_default=False)] = None,
    evidencia: Annotated[str | None, typer.Option("--evidencia", metavar="ARCHIVO", help="Con «cumplida»: archivo que lo prueba (se copia a evidencias/).", show_default=False)] = None,
    root: RootOpt = None,
    vigencia: VigenciaOpt = None,
) -> None:
    """Registrar el análisis y la acción de mejora de una fila en rojo o amarillo de un trimestre cerrado (o, con
    «cumplida ID», que la acción se cumplió)."""
    from pec_cli.workspace import now_iso

    base.refuse_empty(trim=trim, causa=causa, accion=que, responsable=responsable,
                      fecha_compromiso=fecha_compromiso, evidencia=evidencia)
    from pec_cli.cli.registrant import registrant

    ctx = base.load(root, vigencia)
    por = registrant(ctx.workspace)
    if objetivo.strip().lower() == "cumplida":
        record, said = _done(ctx, accion_id, evidencia, now_iso())
    else:
        if accion_id is not None or evidencia is not None:
            raise PecError("Una acción nueva no lleva id ni --evidencia (son de «pec accion cumplida ID»).", code=2)
        record = _action(ctx, objetivo, trim, {"causa": causa, "accion": que, "responsable": responsable},
                         fecha_compromiso, now_iso())
        said = (f"Acción de mejora registrada para {record['actividad']} en el Trim. {record['trimestre']} de "
                f"{ctx.plan.vigencia}: {record['accion']} (responsable: {record['responsable']}; compromiso: "
                f"{record['fecha_compromiso']}).")
    from pec_cli.ledger import store

    (entry_id,) = store.append(ctx.workspace, ctx.plan.vigencia, [record], por=por)
    base.tell(said)
    typer.echo(entry_id)


def _action(ctx: "Context", objetivo: str, trim: str | None, texts: dict[str, str | None], fecha_compromiso: str | None,
            registrado: str) -> dict[str, Any]:
    from pec_cli.ledger.records import clean_text
    from pec_cli.plan.model import QUARTERS
    from pec_cli.plan.names import find_target, parse_date, quarter_arg

    target = find_target(ctx.plan, objetivo)
    missing = [f"--{k}" for k, v in (("trim", trim), *texts.items(), ("fecha-compromiso", fecha_compromiso)) if not v]
    if missing:
        raise PecError(f"{'Falta' if len(missing) == 1 else 'Faltan'} {', '.join(missing)} para registrar la acción "
                       f"de mejora de «{target}».", code=2)
    quarter = quarter_arg(trim or "")
    label = QUARTERS[quarter - 1]
    closure = ctx.quarters().closed.get(quarter)
    if closure is None:
        raise PecError(f"El Trim. {label} no está cerrado: las acciones de mejora analizan cifras "
                       f"selladas; ciérrelo antes con «pec cierre --trim {label}».")
    act = ctx.plan.activity(target)
    figures = closure.row("lineas", (target,)) or closure.row("actividades", act.ids if act else (target,)) or {}
    semaforo = figures.get("acumulado", {}).get("semaforo")
    if semaforo not in ("rojo", "amarillo"):  # SPEC §5: an action answers a red or amber row
        shown = f"quedó en {semaforo}" if semaforo else "no tiene semáforo"
        raise PecError(f"«{target}» {shown} en el acumulado sellado del Trim. {label}: las acciones de mejora son "
                       "de filas en rojo o amarillo (véalas con «pec pendientes»).")
    due = parse_date(fecha_compromiso or "", " en --fecha-compromiso")
    if due < ctx.today:
        raise PecError(f"La fecha de compromiso {due.isoformat()} ya pasó (hoy es {ctx.today.isoformat()}); "
                       "indique una fecha futura con --fecha-compromiso.")
    return {"clase": "accion", "actividad": target, "trimestre": QUARTERS[quarter - 1], "fecha": ctx.today.isoformat(),
            **{key: clean_text(key, value) for key, value in texts.items()}, "fecha_compromiso": due.isoformat(),
            "registrado": registrado}


def _done(ctx: "Context", accion_id: str | None, evidencia: str | None, registrado: str) -> tuple[dict[str, Any], str]:
    """The record that action ``accion_id`` was done, and the line that says so."""
    from pec_cli.ledger.cache import LedgerKeys
    from pec_cli.plan.model import QUARTERS

    if not accion_id:
        raise PecError("Falta el id de la acción: «pec accion cumplida ID» (véalo con «pec list --cierres»).", code=2)
    found = [line.record for _, line in LedgerKeys(ctx.workspace, ctx.plan.vigencia).find(accion_id.strip())]
    if not found or found[0] is None or found[0]["clase"] != "accion":
        raise PecError(f"«{accion_id}» no es una acción de mejora del registro; vea las acciones con «pec list --cierres».")
    action = next((a for a in ctx.quarters().actions if a.id == found[0]["id"]), None)
    if action is None:
        raise PecError(f"La acción {accion_id} está anulada; no hay nada que cumplir.")
    if action.cumplida is not None:
        raise PecError(f"La acción {action.id} ya se dio por cumplida el {action.cumplida.isoformat()}.")
    record: dict[str, Any] = {"clase": "accion_cumplida", "cumple": action.id, "fecha": ctx.today.isoformat(),
                              "registrado": registrado}
    if evidencia:
        from pec_cli.ledger.evidence import store_evidence

        notices: list[str] = []
        record["evidencia"] = store_evidence(ctx.workspace, ctx.plan.vigencia, Path(evidencia), notices)
        base.warn(notices)
    proof = f", con su evidencia ({record['evidencia']['archivo']})" if evidencia else ""
    return record, (f"Acción {action.id} de {action.objetivo} (Trim. {QUARTERS[action.trimestre - 1]}: {action.accion}) "
                    f"cumplida el {ctx.today.isoformat()}{proof}.")
