"""``pec cierre --trim Q``: close an ended quarter, its figures sealed; ``--reabrir --motivo`` reopens it."""

import re
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from pec_cli.cli import base
from pec_cli.cli.base import RootOpt, SpanishCommand, VigenciaOpt, app
from pec_cli.errors import PecError

if TYPE_CHECKING:
    from pec_cli.context import Context


@app.command(cls=SpanishCommand)
def cierre(
    trim: Annotated[str, typer.Option("--trim", metavar="TRIM", help="Trimestre que se cierra (o reabre): I, II, III o IV.")],
    reabrir: Annotated[bool, typer.Option("--reabrir", help="Reabrir un trimestre cerrado (con --motivo); un nuevo «pec cierre» lo cierra otra vez.")] = False,
    motivo: Annotated[str | None, typer.Option("--motivo", metavar="TEXTO", help="Por qué se reabre (queda en el registro).", show_default=False)] = None,
    root: RootOpt = None,
    vigencia: VigenciaOpt = None,
) -> None:
    """Cerrar un trimestre terminado: sus cifras, la versión del plan y su huella quedan selladas en el registro."""
    from pec_cli.cli.registrant import registrant
    from pec_cli.ledger import store
    from pec_cli.plan.model import QUARTERS, quarter_bounds
    from pec_cli.plan.names import quarter_arg
    from pec_cli.workspace import now_iso

    quarter = quarter_arg(trim)
    label = QUARTERS[quarter - 1]
    base.refuse_empty(motivo=motivo)
    ctx = base.load(root, vigencia)
    por = registrant(ctx.workspace)
    state = ctx.quarters()
    standing = state.closed.get(quarter)
    if reabrir:
        if standing is None:
            raise PecError(f"El Trim. {label} no está cerrado: no hay nada que reabrir.")
        if not motivo and base.interactive():
            motivo = typer.prompt(f"Motivo de la reapertura del Trim. {label}", err=True)
        why = _text(motivo)
        # every closure of the quarter no reopening names: two clones that each closed it, merged, reopen at once
        records: list[dict[str, Any]] = [
            {"clase": "reapertura", "trimestre": label, "fecha": ctx.today.isoformat(), "reabre": closure.id,
             "motivo": why, "registrado": now_iso()} for closure in (standing, *state.also.get(quarter, []))]
        ids = store.append(ctx.workspace, ctx.plan.vigencia, records, por=por,
                           under_lock=lambda: _unchanged(ctx, label))
        closures = ", ".join(r["reabre"] for r in records)
        base.tell(f"Reabierto el Trim. {label} de {ctx.plan.vigencia} (cierre {closures}); motivo: {why}. Sus "
                  f"cifras ya no están selladas: ciérrelo otra vez con «pec cierre --trim {label}».")
        typer.echo("\n".join(ids))
        return
    if motivo is not None:
        raise PecError("--motivo acompaña a --reabrir: para cerrar el trimestre quítelo.", code=2)
    end = quarter_bounds(ctx.plan.vigencia, quarter)[1]
    if ctx.today <= end:
        raise PecError(f"El Trim. {label} termina el {end.isoformat()}: se puede cerrar desde el día siguiente "
                       "(hoy sus cifras aún pueden cambiar).")
    if standing is not None:
        raise PecError(f"El Trim. {label} ya está cerrado ({standing.id}, el {standing.fecha.isoformat()}); para "
                       f"cerrarlo de nuevo, reábralo antes con «pec cierre --trim {label} --reabrir --motivo …».")
    record = _closure(ctx, quarter, now_iso())
    (entry_id,) = store.append(ctx.workspace, ctx.plan.vigencia, [record], por=por,
                               under_lock=lambda: _unchanged(ctx, label))
    base.tell(f"Cerrado el Trim. {label} de {ctx.plan.vigencia}: cifras al corte {record['corte']} selladas con el "
              f"plan versión {record['plan_version']} (copia en {record['plan_archivo']}).")
    base.flush(ctx)
    typer.echo(entry_id)


def _unchanged(ctx: "Context", label: str) -> None:
    """Under the segment's lock: nothing was written to the ledger since ``ctx`` read it (another
    «pec» of this clone closing, reopening or logging meanwhile), so what is sealed is what was read."""
    from pec_cli.ledger.cache import read_tally

    now: dict[str, int] = {}
    read_tally(ctx.workspace, ctx.plan.vigencia, [], positions=now)
    def written(positions: dict[str, int]) -> dict[str, int]:  # the segment this append just created is empty
        return {writer: n for writer, n in positions.items() if n}

    if written(now) != written(ctx.positions):
        raise PecError(f"El registro cambió mientras se preparaba el cierre del Trim. {label} "
                       "(otro «pec» escribió a la vez); vuelva a ejecutar la misma orden.")


def _text(motivo: str | None) -> str:
    from pec_cli.ledger.records import clean_text

    if not motivo or not motivo.strip():
        raise PecError("Falta el motivo de la reapertura: use --motivo «…».")
    return clean_text("motivo", motivo)  # too long, or with control characters: said of --motivo


def _closure(ctx: "Context", quarter: int, registrado: str) -> dict[str, Any]:
    """The record of a closure: the report of the quarter as every format shows it today, sealed."""
    from pec_cli.ledger.closures import digest
    from pec_cli.report.closed import sealed

    report = ctx.report(quarter)
    figures = sealed(report)
    archivo, sha = keep_plan(ctx)
    return {"clase": "cierre", "trimestre": report.trimestre_label, "corte": report.corte.isoformat(),
            "fecha": ctx.today.isoformat(), "plan_sha256": sha, "plan_version": ctx.plan.version,
            "plan_archivo": archivo, "posiciones": dict(ctx.positions), "cifras": figures,
            "cifras_sha256": digest(figures), "registrado": registrado}


def keep_plan(ctx: "Context") -> tuple[str, str]:
    """The plan file as it is, kept under ``plan/versiones/<vigencia>-v<versión>-<hash>.yaml`` (once per
    content), so that a closed quarter can be recomputed forever; (its path in the workspace, its SHA-256)."""
    from pec_cli.errors import reason
    from pec_cli.files import write_atomic
    from pec_cli.ledger.closures import plan_digest

    source = ctx.workspace.plan_path(ctx.plan.vigencia, ctx.today)
    data = source.read_bytes()
    sha = plan_digest(data)
    version = re.sub(r"[^0-9A-Za-z.]", "_", ctx.plan.version)[:20] or "0"  # entries._PLAN_COPY
    folder = ctx.workspace.plan_dir / "versiones"
    target = folder / f"{ctx.plan.vigencia}-v{version}-{sha[:12]}.yaml"
    ctx.workspace.refuse_links(target, "la copia del plan")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        write_atomic(target, data, exclusive=True)
    except FileExistsError:
        if plan_digest(target.read_bytes()) != sha:
            raise PecError(f"{ctx.workspace.display(target)} existe y no es este plan: alguien la editó; "
                           "restáurela desde git (pec verify la señala) antes de cerrar.") from None
    except OSError as exc:
        raise PecError(f"No se pudo guardar la copia del plan en {ctx.workspace.display(target)} ({reason(exc)}); "
                       "revise permisos y espacio en disco.") from None
    return Path(ctx.workspace.display(target)).as_posix(), sha
