"""``pec pendientes``: what is still due, per activity and line, as of a date."""

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from pec_cli.cli import base
from pec_cli.cli.base import RootOpt, SpanishCommand, VigenciaOpt, app
from pec_cli.errors import PecError

if TYPE_CHECKING:
    import datetime as dt

    from pec_cli.context import Context


@app.command(cls=SpanishCommand)
def pendientes(
    fecha: Annotated[str | None, typer.Option(metavar="AAAA-MM-DD", help="Fecha de corte (por defecto hoy, en Bogotá).", show_default=False)] = None,
    formato: Annotated[str, typer.Option("--format", metavar="FORMATO", help="table, json o markdown.")] = "table",
    ics: Annotated[bool, typer.Option("--ics", help="Escribir los hitos del año (revistas, emisiones, metas por mes, campañas, cierres y comités) como calendario iCalendar (.ics).")] = False,
    output: Annotated[Path | None, typer.Option(
        "-o", "--output", metavar="ARCHIVO",
        help="Con --ics: archivo de salida (por defecto pendientes-<vigencia>.ics en la carpeta actual; «-o -» a la salida estándar).",
        show_default=False,
    )] = None,
    root: RootOpt = None,
    vigencia: VigenciaOpt = None,
) -> None:
    """Lo que falta: para el programado del trimestre y la meta anual, ritmo, metas por mes, calendario, cadencia y redes."""
    from pec_cli.plan.names import parse_date

    fmt = base.output_format(formato, ("table", "json", "markdown"))
    day = parse_date(fecha) if fecha is not None else None  # «--fecha ''» is refused, never today
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
    if ics:
        _write_ics(ctx, day, output)
        return
    if output is not None:
        raise PecError("-o solo sirve con --ics; sin --ics, pendientes escribe en la salida estándar.", code=2)
    from pec_cli.report import pendientes_view as view
    from pec_cli.report.pendientes import compute_pendientes

    result = compute_pendientes(plan, ctx.tally(), day, lambda report: ctx.closed(report, day))
    base.flush(ctx)
    if fmt == "table":
        from pec_cli.report.screen import Screen

        screen = Screen.detect(sys.stdout)
        text = view.render_text(result, screen.width)
        sys.stdout.write("".join(line + "\n" for line in text.splitlines()))
        return
    from pec_cli.console import json_for

    sys.stdout.write(json_for(view.render_json(result)) if fmt == "json" else view.render_markdown(result))


def _write_ics(ctx: "Context", day: "dt.date", output: Path | None) -> None:
    import datetime as dt

    from pec_cli.report.ics import milestones, render_ics

    text = render_ics(ctx.plan, milestones(ctx.plan, ctx.tally(), day), dt.datetime.now(dt.UTC))
    base.flush(ctx)
    if output is not None and str(output) == "-":
        sys.stdout.buffer.write(text.encode("utf-8"))
        sys.stdout.flush()
        return
    from pec_cli.cli.exporting import write_file  # whole or not at all, as every export

    typer.echo(str(write_file(text.encode("utf-8"), (output or Path(f"pendientes-{ctx.plan.vigencia}.ics")).expanduser())))
