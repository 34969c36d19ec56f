"""``pec export FORMATO``: the Seguimiento table (or the entries) for the committee."""

from pathlib import Path
from typing import Annotated

import typer

from pec_cli.cli import base
from pec_cli.cli.base import RootOpt, SpanishCommand, TrimOpt, VigenciaOpt, app
from pec_cli.errors import PecError


@app.command(cls=SpanishCommand)
def export(
    formato: Annotated[str, typer.Argument(metavar="FORMATO", help="csv, xlsx, markdown, json, html, pdf o paquete (carpeta y .zip para el comité y Control Interno); fichas: la hoja de vida de cada indicador, del plan.")],
    trim: TrimOpt = None,
    output: Annotated[Path | None, typer.Option(
        "-o", "--output", metavar="ARCHIVO",
        help="Archivo de salida; por defecto seguimiento-<vigencia>-T<trimestre>.<ext> en la carpeta actual "
             "(detalle-... con --detalle). «-o -» escribe en la salida estándar.",
        show_default=False,
    )] = None,
    detalle: Annotated[bool, typer.Option("--detalle", help="Exportar las entradas (con su evidencia y SHA-256) en lugar de la tabla de Seguimiento; con --trim, las del trimestre.")] = False,
    publico: Annotated[bool, typer.Option("--publico", help="Con html o pdf: la versión pública (Ley 1712): cifras e indicadores, sin áreas, títulos de piezas, rutas, huellas ni nombres de personas.")] = False,
    separador: Annotated[str, typer.Option("--separador", metavar="SEP", help="Separador CSV: ; o ,")] = ";",
    decimal: Annotated[str, typer.Option("--decimal", metavar="SEP", help="Separador decimal CSV: , o .")] = ",",
    formato_fichas: Annotated[str | None, typer.Option(
        "--format", metavar="FORMATO", help="Con «fichas»: xlsx (por defecto, fichas-<vigencia>.xlsx), html o markdown.",
        show_default=False)] = None,
    root: RootOpt = None,
    vigencia: VigenciaOpt = None,
) -> None:
    """Exportar la tabla de Seguimiento (o, con --detalle, las entradas) para el comité; imprime la ruta del archivo (del paquete: la carpeta y el .zip)."""
    from pec_cli.cli.exporting import run_export
    from pec_cli.report import export as exp

    fmt = base.output_format(formato, (*exp.FORMATS, *exp.BUNDLES, exp.SHEETS))
    if fmt == exp.SHEETS:
        _fichas(formato_fichas, trim, detalle or publico, output, root, vigencia)
        return
    if formato_fichas is not None:
        raise PecError(f"--format elige el formato de «pec export fichas»; aquí el formato es «{fmt}»: quite --format.",
                       code=2)
    if publico and (fmt not in exp.PUBLIC or detalle):
        raise PecError("La versión pública (--publico) es el informe en html o pdf, sin las piezas: use «pec export "
                       "html --publico» o «pec export pdf --publico», sin --detalle.", code=2)
    if separador not in (";", ","):
        raise PecError(f"El separador «{separador}» no sirve: use ; o ,.", code=2)
    if decimal not in (",", "."):
        raise PecError(f"El separador decimal «{decimal}» no sirve: use , o .", code=2)
    if separador == decimal:
        raise PecError("El separador de campos y el decimal no pueden ser iguales: use --separador ; con --decimal ,", code=2)
    quarter = base.quarter_option(trim)  # refuse a bad quarter before touching anything
    ctx = base.load(root, vigencia)
    ctx.check_orphans()  # entries of no activity: said once, whatever the export shows
    for written in run_export(ctx, fmt, quarter, detalle, output, exp.CsvStyle(separador, decimal), publico):
        typer.echo(str(written))  # one path a line: the paquete's folder, then its zip


def _fichas(formato: str | None, trim: str | None, ledger: bool, output: Path | None, root: str | None,
            vigencia: str | None) -> None:
    """``pec export fichas``: the indicator sheets of the plan (no ledger is read)."""
    from pec_cli.cli.exporting import run_document
    from pec_cli.report import export as exp

    fmt = base.output_format(formato or "xlsx", tuple(exp.FICHAS))
    if trim is not None or ledger:
        raise PecError("Las fichas vienen del plan (público como ellas), no de un trimestre ni de las piezas: quite "
                       "--trim, --detalle y --publico.", code=2)
    plan = base.load(root, vigencia).plan
    document = exp.FICHAS[fmt]
    for written in run_document(lambda: document.render(plan), fmt, output, f"fichas-{plan.vigencia}.{document.extension}"):
        typer.echo(str(written))
