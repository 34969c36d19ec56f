"""``pec pendientes``: what is still due, per activity and line, as of a date."""

import sys
from typing import Annotated

import typer

from pec_cli.cli import base
from pec_cli.cli.base import RootOpt, SpanishCommand, VigenciaOpt, app
from pec_cli.errors import PecError


@app.command(cls=SpanishCommand)
def pendientes(
    fecha: Annotated[str | None, typer.Option(metavar="AAAA-MM-DD", help="Fecha de corte (por defecto hoy, en Bogotá).", show_default=False)] = None,
    formato: Annotated[str, typer.Option("--format", metavar="FORMATO", help="table, json o markdown.")] = "table",
    root: RootOpt = None,
    vigencia: VigenciaOpt = None,
) -> None:
    """Lo que falta: para el programado del trimestre y la meta anual, ritmo, metas por mes, calendario, cadencia y redes."""
    from pec_cli.plan.names import parse_date

    fmt = base.output_format(formato, ("table", "json", "markdown"))
    day = parse_date(fecha) if fecha else None
    ctx = base.load(root, vigencia, day.year if day else None)
    plan = ctx.plan
    if day is None:
        day = min(max(ctx.today, plan.inicio), plan.fin)
        if day != ctx.today:
            ctx.warnings.append(f"hoy ({ctx.today.isoformat()}) está fuera de la vigencia {plan.vigencia}; "
                                f"se muestra lo pendiente al {day.isoformat()} (elija otra fecha con --fecha)")
    elif day.year != plan.vigencia:
        raise PecError(f"La fecha {day.isoformat()} está fuera de la vigencia {plan.vigencia} "
                       f"({plan.inicio.isoformat()} a {plan.fin.isoformat()}); corrija --fecha o elija otra --vigencia.",
                       field="fecha")
    from pec_cli.report import pendientes_view as view
    from pec_cli.report.pendientes import compute_pendientes

    result = compute_pendientes(plan, ctx.tally(), day)
    base.flush(ctx)
    render = {"json": view.render_json, "markdown": view.render_markdown, "table": view.render_text}[fmt]
    sys.stdout.write(render(result))
