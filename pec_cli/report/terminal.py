"""The terminal's entry list (``pec list``), drawn with rich, or as the same plain text when it is long.

With plan_view (the plan tables), the only module that imports rich; the CLI
imports it only for table output. The status board is ``board`` (no library).

Rich lays out a table cell by cell (about 0.5 ms a row, more as the table
grows): a year's 2,000 pieces took a second, 100,000 over two minutes. So:

* off a terminal, without colour, in UTF-8, and when every text is of
  one-cell characters (``_PLAIN``), the table is written as plain text with
  rich's own layout (the widths of ``_table``, its word wrap of the last
  column: the same bytes), a row at a time;
* on a terminal a table of more than :data:`TERMINAL_ROWS` rows shows the
  most recent ones and a line saying how many were left out and how to see
  them (filters, or ``--format csv`` for all).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, TextIO

from pec_cli.ledger.query import Selection
from pec_cli.plan.model import QUARTERS
from pec_cli.report.detail import SIN_NOMBRE

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

    from pec_cli.ledger.entries import Entry

TERMINAL_ROWS = 200  # rows of `pec list` a terminal shows (the most recent); the rest: filters or --format csv
HEADERS = ("id", "fecha", "actividad", "tipo", "detalle")
DETAIL_MIN = 20  # the last column's min_width in _table
_PLAIN = re.compile(r"[^\x20-\x7e\xa0-\u02ff]")  # a character rich may not draw one cell wide: rich lays it out
_WORD = re.compile(r"\s*\S+\s*")  # rich's words: a word and the spaces after it


def console(stderr: bool = False) -> Console:
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=False)


def _table(*headers: str) -> Table:
    """The one table style of ``pec list``: fixed columns, then a last one that folds to fit."""
    from rich import box
    from rich.table import Table

    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 1))
    for header in headers[:-1]:
        table.add_column(header, no_wrap=True)
    table.add_column(headers[-1], overflow="fold", ratio=1, min_width=20)
    return table


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}."


def _detail(entry: Entry, selection: Selection) -> tuple[str, list[tuple[str, str]]]:
    """The last column of an entry's row: its text, and its marks with their colours (voided, extemporánea)."""
    detail = entry.get("titulo") or ""
    if entry.get("red"):
        valor = entry.get("valor")
        shown = f"{valor:g}".replace(".", ",") if isinstance(valor, int | float) else ""
        detail = f"{entry.get('red')}: {shown}".rstrip(": ")
    if entry.get("area"):
        detail = f"{detail} (área: {entry.get('area')})".strip()
    if entry.get("atiende"):  # the request (or evento) it answers
        detail = f"{detail} (atiende {entry.get('atiende')})".strip()
    # who registered it, in the detail as the área is: a sixth column left the detail 11 characters at 80
    detail = f"{detail} (registró: {entry.get('por') or SIN_NOMBRE})".strip()
    marks = []
    if entry.id in selection.voided:
        motivo = selection.voided[entry.id]
        marks.append((f" [anulada{': ' + motivo if motivo else ''}]", "red"))
    if entry.id in selection.late:
        marks.append((" [extemporánea]", "yellow"))
    return detail, marks


def _plain_detail(entry: Entry, selection: Selection) -> str:
    text, marks = _detail(entry, selection)
    return text + "".join(mark for mark, _style in marks)


def _row(entry: Entry) -> tuple[str, str, str, str]:
    return entry.id, entry.fecha.isoformat() if entry.fecha else "", entry.actividad, entry.tipo or ""


def print_entries(selection: Selection) -> None:
    """The pieces as a table; a voided one says so, with the void's motivo."""
    entries = selection.entries
    if _plain_text(selection, sys.stdout):
        return
    from rich.text import Text

    out = console()
    shown = entries[-TERMINAL_ROWS:] if out.is_terminal and len(entries) > TERMINAL_ROWS else entries
    table = _table(*HEADERS)
    for entry in shown:
        text, marks = _detail(entry, selection)
        detail = Text(text)
        for mark, style in marks:
            detail.append(mark, style=style)
        table.add_row(*_row(entry), detail)
    out.print(table)
    out.print(_count(len(entries), "entrada", "entradas"), style="dim")
    if len(shown) < len(entries):
        out.print(f"Se muestran las {len(shown)} más recientes; faltan {len(entries) - len(shown)}: filtre con "
                  "--actividad, --tipo, --trim, --desde o --hasta, o use --format csv para verlas todas.")


def _plain_text(selection: Selection, stream: TextIO) -> bool:
    """Write the table as plain text, exactly as rich lays it out without colour; False (nothing written)
    when rich must draw it: on a terminal, with colour, in an encoding without «─», with a character that
    may not be one cell wide, or a console too narrow for the fixed columns."""
    from pec_cli.report.screen import Screen, isatty

    screen = Screen.detect(stream)
    if screen.colour or isatty(stream) or not screen.can_show("─"):
        return False
    entries = selection.entries
    rows = [(*_row(e), _plain_detail(e, selection)) for e in entries]
    fixed = [len(h) for h in HEADERS[:-1]]
    longest = len(HEADERS[-1])
    for row in rows:
        if any(_PLAIN.search(cell) for cell in row):
            return False
        fixed = [max(w, len(cell)) for w, cell in zip(fixed, row, strict=False)]
        longest = max(longest, len(row[-1]))
    # padding: none at the table's edges, one cell each side elsewhere; a space between columns and at each edge
    padded = [fixed[0] + 1, *(w + 2 for w in fixed[1:])]
    room = screen.width - 2 - len(HEADERS) + 1 - sum(padded)  # what the detail column may take, its pad included
    if room < 1:
        return False  # rich would squeeze the fixed columns, or drop the detail: let it
    # never under its min_width: a narrow console then crops the table's lines, as rich's print does
    width = max(DETAIL_MIN + 1, min(longest + 1, room)) - 1
    cut = screen.width

    def write(line: str) -> None:
        stream.write(line[:cut] + "\n")

    blank = " " * (sum(padded) + len(HEADERS) - 1 + width + 3)
    write(blank)
    write(_line(HEADERS[:-1], fixed, HEADERS[-1].ljust(width)))
    write(" " + "─" * (len(blank) - 2) + " ")
    empty = ("",) * len(fixed)
    for row in rows:
        for k, part in enumerate(_wrap(row[-1], width)):
            write(_line(row[:-1] if k == 0 else empty, fixed, part))
    write(blank)
    stream.write(_count(len(entries), "entrada", "entradas") + "\n")
    return True


def _line(cells: tuple[str, ...], widths: list[int], last: str) -> str:
    return " " + "   ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + "   " + last + " "


def _wrap(text: str, width: int) -> Iterator[str]:
    """``text`` in lines of ``width`` cells, broken as rich breaks a cell (words that do not fit go to the
    next line, a word longer than a line is folded), each padded to ``width``."""
    if len(text) <= width:
        yield text.ljust(width)
        return
    lines: list[str] = []
    line = ""
    for word in _WORD.findall(text):
        size = len(word.rstrip())
        if width - len(line) >= size:
            line += word
            continue
        if line:
            lines.append(line)
        while size > width and len(word) > width:  # folded over lines of the full width
            lines.append(word[:width])
            word = word[width:]
        line = word
    lines.append(line)
    yield from (part[:width].ljust(width) for part in lines)


def print_events(selection: Selection) -> None:
    """Closures, reopenings, sign-offs and actions (``pec list --cierres``), in the same table style."""
    from rich.text import Text

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
    from rich.text import Text

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

