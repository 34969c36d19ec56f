"""``pec import ARCHIVO.csv``: many pieces at once, all or none."""

import itertools
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from pec_cli.cli import base
from pec_cli.cli.base import RootOpt, SpanishCommand, VigenciaOpt, app
from pec_cli.errors import PecError, reason

if TYPE_CHECKING:
    from pec_cli.context import Context
    from pec_cli.ledger.importer import Checked

MAX_CSV_BYTES = 200 << 20  # a million rows is about 60 MB


@app.command("import", cls=SpanishCommand)
def import_csv(
    archivo: Annotated[Path, typer.Argument(metavar="ARCHIVO.csv", help="CSV con columnas actividad, fecha, titulo, tipo, ...")],
    confirmar: Annotated[bool, typer.Option("--confirmar", help="Aceptar las mediciones que se alejan mucho de la anterior (o marque la columna confirmar de cada fila).")] = False,
    root: RootOpt = None,
    vigencia: VigenciaOpt = None,
) -> None:
    """Importar muchas piezas de un CSV: todas las filas válidas o ninguna."""
    from pec_cli.ledger.importer import check_import
    from pec_cli.workspace import now_iso, open_regular

    if str(archivo).strip() in ("", "."):
        raise PecError("Falta el archivo: escriba la ruta del CSV, por ejemplo «pec import piezas.csv».", code=2)
    ctx = base.load(root, vigencia)
    try:
        handle = open_regular(archivo, MAX_CSV_BYTES, f"El CSV {archivo}", "guárdelo como un archivo CSV corriente "
                              "(o pártalo en varios de menos de 200 MB) y vuelva a importarlo.")
    except OSError as exc:
        raise PecError(f"No se pudo leer {archivo} ({reason(exc)}); compruebe la ruta del CSV.") from None
    from pec_cli.cli.links import link_checker

    try:
        with handle:
            checked = check_import(
                ctx.plan, handle, archivo.name, archivo.parent, ctx.today, now_iso(), base.warn, link_checker(ctx),
                series_of=lambda act, tipo: ctx.tally().net().series(act, tipo, *ctx.plan.owner(act).antes),  # type: ignore[union-attr]
                confirmar=confirmar, spool=ctx.workspace.state_dir)
    except OSError as exc:
        raise PecError(f"No se pudo leer {archivo} ({reason(exc)}): no se registró ninguna fila; compruebe el CSV "
                       "y el espacio en disco y vuelva a importarlo.") from None
    with checked.spool:
        _append(ctx, checked, archivo.name)


def _append(ctx: "Context", checked: "Checked", name: str) -> None:
    """The second pass: the checked rows appended in one batch, duplicates left out."""
    from pec_cli.ledger import store
    from pec_cli.ledger.evidence import store_evidence
    from pec_cli.ledger.importer import Deduplicated
    from pec_cli.ledger.keyindex import Follow, LedgerKeys

    ws, vig = ctx.workspace, ctx.plan.vigencia
    committed: list[str] = []
    follow = Follow(ws, vig)
    ledger = LedgerKeys(ws, vig)
    rows = Deduplicated(checked, ledger, ctx.activity_of, lambda act: ctx.plan.owner(act).ids,  # type: ignore[union-attr]
                        lambda source: store_evidence(ws, vig, source), follow)
    try:
        records = rows.records()
        first = next(records, None)
        if first is not None:
            store.append(ws, vig, itertools.chain([first], records), skip_imported=True, batch=True,
                         on_commit=committed.extend, observer=follow)
        _done(checked.rows, rows.count, rows.skipped, committed)
    except OSError as exc:  # before the segment was opened (its folder, the writer id): nothing written
        raise PecError(f"No se pudo importar {name} ({reason(exc)}): no se registró ninguna fila (ninguna "
                       "cuenta); libere espacio o revise permisos y vuelva a importar el archivo.") from None
    except KeyboardInterrupt:
        if committed:  # Ctrl-C after the commit line: every row counts, say so
            _done(checked.rows, rows.count, rows.skipped, committed)
            return
        raise PecError(
            f"Importación de {name} interrumpida: no se registró ninguna fila (ninguna cuenta); "
            "vuelva a importar el archivo para completarla.", code=130,
        ) from None
    finally:
        ledger.close()


def _done(rows: int, kept: int, duplicates: list[str], appended: list[str]) -> None:
    already = kept - len(appended)  # rows imported before: dropped under the lock
    skipped = ""
    if already == 1:
        skipped = "; 1 fila ya estaba importada y se omitió"
    elif already:
        skipped = f"; {already} filas ya estaban importadas y se omitieron"
    if duplicates:
        n = len(duplicates)
        skipped += f"; {'1 fila duplicada se omitió' if n == 1 else f'{n} filas duplicadas se omitieron'}"
    for line in duplicates:
        typer.echo(line)
    typer.echo(f"Importadas {base.count(len(appended), 'entrada', 'entradas')} de {base.count(rows, 'fila', 'filas')}{skipped}.")
