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


def console(stderr: bool = False) -> Console:
    return Console(stderr=stderr, highlight=False, soft_wrap=False)


def print_entries(selection: Selection) -> None:
    """The pieces as a table; a voided one says so, with the void's motivo."""
    entries, voided = selection.entries, selection.voided
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 1))
    for header in ("id", "fecha", "actividad", "tipo"):
        table.add_column(header, no_wrap=True)
    table.add_column("detalle", overflow="fold", ratio=1, min_width=20)
    for entry in entries:
        detail = Text(entry.get("titulo") or "")
        if entry.get("red"):
            valor = entry.get("valor")
            shown = f"{valor:g}".replace(".", ",") if isinstance(valor, int | float) else ""
            detail = Text(f"{entry.get('red')}: {shown}".rstrip(": "))
        if entry.get("area"):
            detail = Text(f"{detail.plain} (área: {entry.get('area')})".strip())
        if entry.id in voided:
            motivo = voided[entry.id]
            detail.append(f" [anulada{': ' + motivo if motivo else ''}]", style="red")
        table.add_row(entry.id, entry.fecha.isoformat() if entry.fecha else "", entry.actividad, entry.tipo or "", detail)
    out = console()
    out.print(table)
    out.print(f"{len(entries)} entrada{'' if len(entries) == 1 else 's'}.", style="dim")

