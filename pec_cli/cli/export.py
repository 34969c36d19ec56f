"""``pec export FORMATO``: the Seguimiento table (or the entries) for the committee."""

from pathlib import Path
from typing import Annotated

import typer

from pec_cli.cli import base
from pec_cli.cli.base import RootOpt, SpanishCommand, TrimOpt, VigenciaOpt, app
from pec_cli.errors import PecError


@app.command(cls=SpanishCommand)
def export(
    formato: Annotated[str, typer.Argument(metavar="FORMATO", help="csv, xlsx, markdown, json, html, pdf o paquete (carpeta y .zip para el comité y Control Interno).")],
    trim: TrimOpt = None,
    output: Annotated[Path | None, typer.Option(
        "-o", "--output", metavar="ARCHIVO",
        help="Archivo de salida; por defecto seguimiento-<vigencia>-T<trimestre>.<ext> en la carpeta actual "
             "(detalle-... con --detalle). «-o -» escribe en la salida estándar.",
        show_default=False,
    )] = None,
    detalle: Annotated[bool, typer.Option("--detalle", help="Exportar las entradas (con su evidencia y SHA-256) en lugar de la tabla de Seguimiento; con --trim, las del trimestre.")] = False,
    separador: Annotated[str, typer.Option("--separador", metavar="SEP", help="Separador CSV: ; o ,")] = ";",
    decimal: Annotated[str, typer.Option("--decimal", metavar="SEP", help="Separador decimal CSV: , o .")] = ",",
    root: RootOpt = None,
    vigencia: VigenciaOpt = None,
) -> None:
    """Exportar la tabla de Seguimiento (o, con --detalle, las entradas) para el comité; imprime la ruta del archivo (del paquete: la carpeta y el .zip)."""
    from pec_cli.cli.exporting import run_export
    from pec_cli.report import export as exp

    fmt = base.output_format(formato, (*exp.FORMATS, *exp.BUNDLES))
    if separador not in (";", ","):
        raise PecError(f"El separador «{separador}» no sirve: use ; o ,.", code=2)
    if decimal not in (",", "."):
        raise PecError(f"El separador decimal «{decimal}» no sirve: use , o .", code=2)
    if separador == decimal:
        raise PecError("El separador de campos y el decimal no pueden ser iguales: use --separador ; con --decimal ,", code=2)
    quarter = base.quarter_option(trim)  # refuse a bad quarter before touching anything
    ctx = base.load(root, vigencia)
    ctx.check_orphans()  # entries of no activity: said once, whatever the export shows
    for written in run_export(ctx, fmt, quarter, detalle, output, exp.CsvStyle(separador, decimal)):
        typer.echo(str(written))  # one path a line: the paquete's folder, then its zip
