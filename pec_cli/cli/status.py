"""``pec status``: the avance of every line and activity."""

import sys
from typing import Annotated

import typer

from pec_cli.cli import base
from pec_cli.cli.base import RootOpt, SpanishCommand, TrimOpt, VigenciaOpt, app


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

        if fmt == "markdown":
            from pec_cli.report.export import table_markdown

            sys.stdout.write(table_markdown(build(report)))
        else:
            from pec_cli.report.board import print_board

            print_board(build(report))


def _cuatrienio(root: str | None, vigencia: str | None, fmt: str, trim: str | None) -> None:
    """``pec status --cuatrienio``: every year of the prospectiva, each from its own plan and ledger."""
    from pec_cli.errors import PecError

    if trim is not None:
        raise PecError("--cuatrienio muestra años completos: quite --trim.", code=2)
    if fmt == "markdown":
        raise PecError("--cuatrienio se muestra como table o json: use --format table o --format json.", code=2)
    from pec_cli.report import cuatrienio as view

    ctx = base.load(root, vigencia)
    result = ctx.cuatrienio()
    if result is None:
        raise PecError(f"El plan {ctx.plan.source} no tiene «prospectiva»: añádala (años y porcentaje por línea) "
                       "para ver el cuatrienio.")
    base.flush(ctx)
    if fmt == "json":
        from pec_cli.console import json_for

        sys.stdout.write(json_for(view.render_json(result)))
    else:
        from pec_cli.report.screen import Screen

        screen = Screen.detect(sys.stdout)
        sys.stdout.write(view.render_text(result, screen.width))
