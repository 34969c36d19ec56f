"""``pec import ARCHIVO.csv``: many pieces at once, all or none."""

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from pec_cli.cli import base
from pec_cli.cli.base import RootOpt, SpanishCommand, VigenciaOpt, app, interrupted_code
from pec_cli.errors import PecError, reason

if TYPE_CHECKING:
    from pec_cli.context import Context
    from pec_cli.ledger.importer import Row

MAX_CSV_BYTES = 200 << 20  # a million rows is about 60 MB


@app.command("import", cls=SpanishCommand)
def import_csv(
    archivo: Annotated[Path, typer.Argument(metavar="ARCHIVO.csv", help="CSV con columnas actividad, fecha, titulo, tipo, ...")],
    confirmar: Annotated[bool, typer.Option("--confirmar", help="Aceptar las mediciones que se alejan mucho de la anterior o corrigen la del mismo día (o marque la columna confirmar de cada fila).")] = False,
    root: RootOpt = None,
    vigencia: VigenciaOpt = None,
) -> None:
    """Importar muchas piezas de un CSV: todas las filas válidas o ninguna."""
    from pec_cli.cli.links import link_checker
    from pec_cli.cli.registrant import registrant
    from pec_cli.ledger.importer import check_import
    from pec_cli.workspace import now_iso, open_regular

    if str(archivo).strip() in ("", "."):
        raise PecError("Falta el archivo: escriba la ruta del CSV, por ejemplo «pec import piezas.csv».", code=2)
    ctx = base.load(root, vigencia)
    por = registrant(ctx.workspace)
    try:
        handle = open_regular(archivo, MAX_CSV_BYTES, f"El CSV {archivo}", "guárdelo como un archivo CSV corriente "
                              "(o pártalo en varios de menos de 200 MB) y vuelva a importarlo.")
    except OSError as exc:
        raise PecError(f"No se pudo leer {archivo} ({reason(exc)}); compruebe la ruta del CSV.") from None
    try:
        with handle:
            rows, count = check_import(
                ctx.plan, handle, archivo.name, archivo.parent, ctx.today, now_iso(), base.warn, link_checker(ctx),
                series_of=lambda act, tipo: ctx.tally().net().series(act, tipo, *ctx.plan.owner(act).antes),  # type: ignore[union-attr]
                confirmar=confirmar)
    except OSError as exc:
        raise PecError(f"No se pudo leer {archivo} ({reason(exc)}): no se registró ninguna fila; compruebe el CSV "
                       "y el espacio en disco y vuelva a importarlo.") from None
    _append(ctx, rows, count, archivo.name, por)


def _append(ctx: "Context", rows: "list[Row]", count: int, name: str, por: str | None) -> None:
    """The checked rows appended in one batch, duplicates left out."""
    from pec_cli.ledger import store
    from pec_cli.ledger.cache import LedgerKeys
    from pec_cli.ledger.evidence import store_evidence
    from pec_cli.ledger.importer import Deduplicated

    ws, vig = ctx.workspace, ctx.plan.vigencia
    kept = Deduplicated(rows, LedgerKeys(ws, vig), ctx.activity_of, lambda act: ctx.plan.owner(act).ids)  # type: ignore[union-attr]
    if kept.corrections:
        raise PecError(f"La importación de {name} corrige {base.count(len(kept.corrections), 'medición', 'mediciones')} "
                       "ya registrada(s) y no se registró ninguna fila; confírmelas o corríjalas y vuelva a importar:",
                       [f"{name}: {line}" for line in kept.corrections])
    committed: list[str] = []
    try:
        records: list[dict[str, Any]] = []
        notices: list[str] = []
        for row, record in kept.records:
            if row.evidence is not None:
                record["evidencia"] = store_evidence(ws, vig, row.evidence, notices)
            records.append(record)
        base.warn(list(dict.fromkeys(notices)))
        if records:
            store.append(ws, vig, records, skip_imported=True, batch=True, on_commit=committed.extend, por=por)
        late = ctx.late_notice([r["fecha"] for r in records]) if committed else None
        base.warn([late] if late else [])
        _done(count, len(records), kept.skipped, committed)
    except OSError as exc:  # before the segment was opened (its folder, the writer id): nothing written
        raise PecError(f"No se pudo importar {name} ({reason(exc)}): no se registró ninguna fila (ninguna "
                       "cuenta); libere espacio o revise permisos y vuelva a importar el archivo.") from None
    except KeyboardInterrupt as exc:
        if committed:  # interrupted after the commit line: every row counts, say so
            _done(count, len(kept.records), kept.skipped, committed)
            return
        raise PecError(
            f"Importación de {name} interrumpida: no se registró ninguna fila (ninguna cuenta); "
            "vuelva a importar el archivo para completarla.", code=interrupted_code(exc),
        ) from None


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
