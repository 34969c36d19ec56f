"""``pec status``: the avance of every line and activity."""

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from pec_cli.cli import base
from pec_cli.cli.base import RootOpt, SpanishCommand, TrimOpt, VigenciaOpt, app

if TYPE_CHECKING:
    from pec_cli.report.avance import Report


@app.command(cls=SpanishCommand)
def status(
    trim: TrimOpt = None,
    formato: Annotated[str, typer.Option("--format", metavar="FORMATO", help="table, json o markdown.")] = "table",
    cuatrienio: Annotated[bool, typer.Option("--cuatrienio", help="La prospectiva cuatrienal: ejecución de cada línea por año (un plan/<año>.yaml por año) y su acumulado.")] = False,
    root: RootOpt = None,
    vigencia: VigenciaOpt = None,
) -> None:
    """Avance de cada línea y actividad hasta el trimestre pedido (o, con --cuatrienio, por año de la prospectiva)."""
    fmt = base.output_format(formato, ("table", "json", "markdown"))
    quarter = base.quarter_option(trim)  # refuse a bad quarter before touching anything
    if cuatrienio:
        _cuatrienio(root, vigencia, fmt, trim)
        return
    ctx = base.load(root, vigencia)
    report = ctx.report(quarter)
    base.flush(ctx)
    if fmt == "json":
        from pec_cli.console import json_for
        from pec_cli.report.render import render_json

        sys.stdout.write(json_for(render_json(report)))
    else:
        from pec_cli.report.table import build

        table = build(report)
        if fmt == "markdown":
            from pec_cli.report.export import table_markdown

            sys.stdout.write(table_markdown(table) + "".join(f"\n{line}\n" for line in solicitudes_text(report)))
        else:
            import textwrap

            from pec_cli.report.board import print_board
            from pec_cli.report.screen import Screen

            print_board(table)
            screen = Screen.detect(sys.stdout)  # the board's width and encoding
            for line in solicitudes_text(report):
                wrapped = textwrap.fill(line, width=max(40, screen.width), subsequent_indent="  ",
                                        break_long_words=False, break_on_hyphens=False)
                sys.stdout.write("\n" + screen.printable(wrapped) + "\n")


def solicitudes_text(report: "Report") -> list[str]:
    """Beside the board: a gauge's other measured series (interaction) and, per activity that takes
    requests, the «solicitudes por área», at the report's corte."""
    from pec_cli.report.mediciones import mediciones_text, mediciones_to_dict

    out = []
    for rep in report.actividades:
        if rep.mediciones:
            out += [f"{rep.activity.id}: {line}" for line in
                    mediciones_text(rep.activity, mediciones_to_dict(rep.mediciones))]
        if not rep.solicitudes:
            continue
        parts = [f"{area} {row['atendidas']} atendidas de {row['recibidas']}" for area, row in rep.solicitudes.items()]
        out.append(f"Solicitudes por área ({rep.activity.id}, al {report.corte.isoformat()}): " + "; ".join(parts) + ".")
    return out


def _cuatrienio(root: str | None, vigencia: str | None, fmt: str, trim: str | None) -> None:
    """``pec status --cuatrienio``: every year of the prospectiva, each from its own plan and ledger."""
    from pec_cli.errors import PecError

    if trim is not None:
        raise PecError("--cuatrienio muestra años completos: quite --trim.", code=2)
    if fmt == "markdown":
        raise PecError("--cuatrienio se muestra como table o json: use --format table o --format json.", code=2)
    from pec_cli.ledger.store import tally
    from pec_cli.plan.cache import load_plan_cached
    from pec_cli.report import cuatrienio as view

    ctx = base.load(root, vigencia)
    pro = view.prospectiva(ctx.plan)
    if pro is None:
        raise PecError(f"El plan {ctx.plan.source} no tiene «prospectiva»: añádala (años y porcentaje por línea) "
                       "para ver el cuatrienio.")
    plans = ctx.workspace.plans()
    years: dict = {}
    for year in (int(y) for y in pro["anios"]):
        if year == ctx.plan.vigencia:
            years[year] = (ctx.plan, ctx.tally())
        elif year in plans:
            years[year] = (load_plan_cached(ctx.workspace, plans[year]), tally(ctx.workspace, year, ctx.warnings))
    result = view.compute_cuatrienio(ctx.plan, years, ctx.today)
    base.flush(ctx)
    if fmt == "json":
        sys.stdout.write(view.render_json(result))
    else:
        from pec_cli.report.screen import Screen

        screen = Screen.detect(sys.stdout)
        sys.stdout.write(screen.printable(view.render_text(result, screen.width)))
