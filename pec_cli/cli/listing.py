"""``pec list``: the pieces (or the observaciones), filtered by one query."""

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from pec_cli.cli import base
from pec_cli.cli.base import RootOpt, SpanishCommand, VigenciaOpt, app
from pec_cli.errors import PecError

if TYPE_CHECKING:
    from pathlib import Path

    from pec_cli.context import Context
    from pec_cli.ledger.query import Query, Selection


@app.command("list", cls=SpanishCommand)
def list_entries(
    actividad: Annotated[str | None, typer.Option(metavar="ACTIVIDAD", help="Solo esta actividad.")] = None,
    trim: Annotated[str | None, typer.Option("--trim", metavar="TRIM", help="Solo este trimestre: I, II, III o IV (por defecto, todo el año).", show_default=False)] = None,
    desde: Annotated[str | None, typer.Option(metavar="AAAA-MM-DD", help="Desde esta fecha.")] = None,
    hasta: Annotated[str | None, typer.Option(metavar="AAAA-MM-DD", help="Hasta esta fecha.")] = None,
    tipo: Annotated[str | None, typer.Option(metavar="TIPO", help="Solo este tipo de entrada.")] = None,
    anuladas: Annotated[bool, typer.Option("--anuladas", help="Incluir también las entradas anuladas (marcadas).")] = False,
    observaciones: Annotated[bool, typer.Option("--observaciones", help="Listar las observaciones (pec note) en lugar de las piezas.")] = False,
    abiertas: Annotated[bool, typer.Option("--abiertas", help="Solo las solicitudes aún sin atender (sin una pieza que las atienda con --atiende).")] = False,
    cierres: Annotated[bool, typer.Option("--cierres", help="Listar los cierres de trimestre, reaperturas, aprobaciones y acciones de mejora en lugar de las piezas.")] = False,
    formato: Annotated[str, typer.Option("--format", metavar="FORMATO", help="table, json o csv (en una terminal, la tabla muestra las 200 más recientes; csv y json las dan todas).")] = "table",
    root: RootOpt = None,
    vigencia: VigenciaOpt = None,
) -> None:
    """Listar las piezas registradas (o las observaciones), con filtros; en una terminal, las 200 más recientes."""
    from pec_cli.console import json_for
    from pec_cli.ledger.entries import NOTE, PIECE
    from pec_cli.ledger.query import Query

    base.refuse_empty(actividad=actividad, tipo=tipo)  # an empty date or quarter: refused as not valid
    fmt = base.output_format(formato, ("table", "json", "csv"))
    if sum((abiertas, observaciones, cierres)) > 1:
        raise PecError("--abiertas, --observaciones y --cierres listan cosas distintas: use solo una.", code=2)
    ctx = base.load(root, vigencia)
    if cierres:
        _list_events(ctx, trim, fmt)
        return
    query = Query.build(ctx.plan, actividad=actividad, tipo=tipo, trim=trim, desde=desde, hasta=hasta,
                        anuladas=anuladas, clase=NOTE if observaciones else PIECE)
    selection = _open_requests(ctx, query) if abiertas else ctx.entries(query)
    base.flush(ctx)
    if fmt == "table":
        from pec_cli.report.terminal import print_entries, print_notes

        (print_notes if observaciones else print_entries)(selection)
        if not observaciones:
            _events_footer(ctx)
    elif observaciones:
        from pec_cli.report.export import notes_text

        text = notes_text(selection, fmt)
        sys.stdout.write(json_for(text) if fmt == "json" else text)
    else:
        from pec_cli.report.export import entries_csv, entries_json

        sys.stdout.write(json_for(entries_json(selection)) if fmt == "json" else entries_csv(selection))  # Excel es-CO: ; and ,


def _list_events(ctx: "Context", trim: str | None, fmt: str) -> None:
    """``pec list --cierres``: closures, reopenings, sign-offs and actions, by quarter then as registered."""
    from pec_cli.console import json_for
    from pec_cli.ledger.query import EVENTS_QUERY, Query

    selection = ctx.entries(Query.build(ctx.plan, trim=trim, anuladas=True, clase=EVENTS_QUERY))
    base.flush(ctx)
    if fmt == "table":
        from pec_cli.report.terminal import print_events

        print_events(selection)
        return
    from pec_cli.report.export import events_text

    text = events_text(selection, fmt)
    sys.stdout.write(json_for(text) if fmt == "json" else text)


def _events_footer(ctx: "Context") -> None:
    """Under the pieces, the quarter closures and reopenings of the ledger, by id (the detail: ``--cierres``),
    from the tally's events (no second read of the ledger)."""
    from pec_cli.ledger.entries import CLOSE, REOPEN
    from pec_cli.report.detail import EVENT_NAMES

    events = sorted((e for e in ctx.tally().net().events if e["clase"] in (CLOSE, REOPEN)),
                    key=lambda e: (e["registrado"], e["id"]))
    if events:
        said = "; ".join(f"{e['id']} {EVENT_NAMES[e['clase']]} del Trim. {e['trimestre']}" for e in events)
        typer.echo(f"Cierres y reaperturas: {said} (el detalle: «pec list --cierres»).")


def _open_requests(ctx: "Context", query: "Query") -> "Selection":
    """The requests still unanswered today that ``query`` selects, oldest first: their ids from the
    tally, their lines where the cache's keys say (a few lines, not every entry of the ledger)."""
    from pec_cli.ledger.cache import LedgerKeys
    from pec_cli.ledger.entries import entry_of
    from pec_cli.ledger.requests import open_requests

    areas = {r.id: r.area for r in open_requests(ctx.plan, ctx.tally().net(), ctx.today)}  # as the report names it
    found = LedgerKeys(ctx.workspace, ctx.plan.vigencia).lines_of(set(areas))
    names: dict[Path, str] = {}
    def named(record: dict) -> dict:  # «talento  humáno» listed as the report's «Talento Humano»
        area = areas.get(record["id"])
        return {**record, "area": area} if area else record

    return query.select(entry_of(named(line.record), names.get(path) or names.setdefault(path, ctx.workspace.display(path)))
                        for path, line in found if line.record)
