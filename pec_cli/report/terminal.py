"""The terminal's entry list (``pec list``), drawn with rich.

With plan_view (the plan tables), the only module that imports rich; the CLI
imports it only for table output. The status board is ``board`` (no library).
"""

from __future__ import annotations

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from pec_cli.ledger.query import Selection
from pec_cli.plan.model import QUARTERS
from pec_cli.report.detail import SIN_NOMBRE


def console(stderr: bool = False) -> Console:
    return Console(stderr=stderr, highlight=False, soft_wrap=False)


def _table(*headers: str) -> Table:
    """The one table style of ``pec list``: fixed columns, then a last one that folds to fit."""
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 1))
    for header in headers[:-1]:
        table.add_column(header, no_wrap=True)
    table.add_column(headers[-1], overflow="fold", ratio=1, min_width=20)
    return table


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}."


def print_entries(selection: Selection) -> None:
    """The pieces as a table; a voided one says so, with the void's motivo."""
    entries, voided = selection.entries, selection.voided
    table = _table("id", "fecha", "actividad", "tipo", "detalle")
    for entry in entries:
        detail = Text(entry.get("titulo") or "")
        if entry.get("red"):
            valor = entry.get("valor")
            shown = f"{valor:g}".replace(".", ",") if isinstance(valor, int | float) else ""
            detail = Text(f"{entry.get('red')}: {shown}".rstrip(": "))
        if entry.get("area"):
            detail = Text(f"{detail.plain} (área: {entry.get('area')})".strip())
        if entry.get("atiende"):  # the request (or evento) it answers
            detail = Text(f"{detail.plain} (atiende {entry.get('atiende')})".strip())
        # who registered it, in the detail as the área is: a sixth column left the detail 11 characters at 80
        detail = Text(f"{detail.plain} (registró: {entry.get('por') or SIN_NOMBRE})".strip())
        if entry.id in voided:
            motivo = voided[entry.id]
            detail.append(f" [anulada{': ' + motivo if motivo else ''}]", style="red")
        if entry.id in selection.late:
            detail.append(" [extemporánea]", style="yellow")
        table.add_row(entry.id, entry.fecha.isoformat() if entry.fecha else "", entry.actividad, entry.tipo or "", detail)
    out = console()
    out.print(table)
    out.print(_count(len(entries), "entrada", "entradas"), style="dim")


def print_events(selection: Selection) -> None:
    """Closures, reopenings, sign-offs and actions (``pec list --cierres``), in the same table style."""
    from pec_cli.report.detail import event_row

    table = _table("id", "trim.", "qué", "fecha", "detalle")
    for entry in selection.entries:
        row = event_row(entry, selection.voided)
        detail = Text(row["detalle"])
        if entry.id in selection.voided:
            detail.append(" [anulada]", style="red")
        table.add_row(row["id"], row["trimestre"], row["clase"], row["fecha"], detail)
    out = console()
    out.print(table)
    out.print(_count(len(selection.entries), "registro", "registros"), style="dim")


def print_notes(selection: Selection) -> None:
    """The observaciones (``pec list --observaciones``), in the same table style as the pieces."""
    table = _table("id", "trim.", "actividad", "registrado", "texto")
    for note in selection.entries:
        texto = Text(str(note.get("texto") or ""))
        if note.id in selection.voided:
            motivo = selection.voided[note.id]
            texto.append(f" [anulada{': ' + motivo if motivo else ''}]", style="red")
        table.add_row(note.id, QUARTERS[(note.trimestre or 1) - 1], note.actividad, note.registrado[:10], texto)
    out = console()
    out.print(table)
    out.print(_count(len(selection.entries), "observación", "observaciones"), style="dim")

