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
    elif fmt == "markdown":
        from pec_cli.report.render import render_markdown

        sys.stdout.write(render_markdown(report) + "".join(f"\n{line}\n" for line in solicitudes_text(report)))
    else:
        from pec_cli.report.terminal import print_status

        print_status(report)
        import shutil
        import textwrap

        width = shutil.get_terminal_size().columns  # COLUMNS first, as rich
        for line in solicitudes_text(report):
            sys.stdout.write("\n" + textwrap.fill(line, width=max(40, width), subsequent_indent="  ") + "\n")


def solicitudes_text(report: "Report") -> list[str]:
    """«Solicitudes por área» of each activity that takes requests, at the report's corte."""
    out = []
    for rep in report.actividades:
        if not rep.solicitudes:
            continue
        parts = [f"{area} {row['atendidas']} atendidas de {row['recibidas']}" for area, row in rep.solicitudes.items()]
        out.append(f"Solicitudes por área ({rep.activity.id}, al {report.corte.isoformat()}): " + "; ".join(parts) + ".")
    return out
