"""``pec import ARCHIVO.csv``: many pieces at once, all or none."""

from pathlib import Path
from typing import Annotated

import typer

from pec_cli.cli import base
from pec_cli.cli.base import RootOpt, SpanishCommand, VigenciaOpt, app
from pec_cli.errors import PecError, reason


@app.command("import", cls=SpanishCommand)
def import_csv(
    archivo: Annotated[Path, typer.Argument(metavar="ARCHIVO.csv", help="CSV con columnas actividad, fecha, titulo, tipo, ...")],
    confirmar: Annotated[bool, typer.Option("--confirmar", help="Aceptar las mediciones que se alejan mucho de la anterior (o marque la columna confirmar de cada fila).")] = False,
    root: RootOpt = None,
    vigencia: VigenciaOpt = None,
) -> None:
    """Importar muchas piezas de un CSV: todas las filas válidas o ninguna."""
    from pec_cli.ledger import store
    from pec_cli.ledger.duplicates import in_force
    from pec_cli.ledger.importer import check_import
    from pec_cli.workspace import now_iso

    ctx = base.load(root, vigencia)
    try:
        data = archivo.read_bytes()
    except OSError as exc:
        raise PecError(f"No se pudo leer {archivo} ({reason(exc)}); compruebe la ruta del CSV.") from None
    from pec_cli.cli.links import link_checker

    batch = check_import(ctx.plan, data, archivo.name, archivo.parent, ctx.today, now_iso(), base.warn, link_checker(ctx),
                         series_of=lambda act, tipo: ctx.tally().totals().series(act, tipo, *ctx.plan.owner(act).antes),  # type: ignore[union-attr]
                         confirmar=confirmar,
                         in_force=lambda records, keys: in_force(ctx.workspace, ctx.plan.vigencia, records, ctx.activity_of, keys))
    if batch.evidence:
        from pec_cli.ledger.evidence import store_evidence

        for index, source in batch.evidence:
            batch.records[index]["evidencia"] = store_evidence(ctx.workspace, ctx.plan.vigencia, source)
    appended = store.append(ctx.workspace, ctx.plan.vigencia, batch.records, skip_imported=True) if batch.records else []
    already = len(batch.records) - len(appended)  # rows imported before: dropped under the lock
    skipped = ""
    if already == 1:
        skipped = "; 1 fila ya estaba importada y se omitió"
    elif already:
        skipped = f"; {already} filas ya estaban importadas y se omitieron"
    if batch.skipped:
        n = len(batch.skipped)
        skipped += f"; {'1 fila duplicada se omitió' if n == 1 else f'{n} filas duplicadas se omitieron'}"
    for line in batch.skipped:
        typer.echo(line)
    typer.echo(f"Importadas {base.count(len(appended), 'entrada', 'entradas')} de {base.count(batch.rows, 'fila', 'filas')}{skipped}.")
