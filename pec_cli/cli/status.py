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
    root: RootOpt = None,
    vigencia: VigenciaOpt = None,
) -> None:
    """Avance de cada línea y actividad hasta el trimestre pedido."""
    fmt = base.output_format(formato, ("table", "json", "markdown"))
    quarter = base.quarter_option(trim)  # refuse a bad quarter before touching anything
    ctx = base.load(root, vigencia)
    report = ctx.report(quarter)
    base.flush(ctx)
    if fmt == "json":
        from pec_cli.report.render import render_json

        sys.stdout.write(render_json(report))
    else:
        from pec_cli.report.table import build

        if fmt == "markdown":
            from pec_cli.report.export import table_markdown

            sys.stdout.write(table_markdown(build(report)))
        else:
            from pec_cli.report.board import print_board

            print_board(build(report))
