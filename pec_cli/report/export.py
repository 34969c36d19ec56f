"""Exports for the committee: the Seguimiento table and the entry list.

Built from ``render.report_to_dict`` (the table) and ledger entries (the
detail), so an export always carries the numbers of ``pec status``. Text cells
that a spreadsheet would run as a formula are neutralised (OWASP CSV
injection: a leading ``= + - @``, tab or carriage return gets a ``'``).

This module chooses and renders (``cli.exporting`` writes: nothing under
``report/`` touches a file); the formats that need a library of their own
live beside it (``xlsx`` imports openpyxl, ``html`` only the standard
library), and both take the same plain values built here: the status
document, the status documents of the earlier quarters (for the cumulative
curve) and the detail rows.
"""

import csv
import datetime as dt
import io
import json
import os
from collections.abc import Callable, Iterator
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import quote

from pec_cli.ledger.query import Query, Selection
from pec_cli.plan.model import QUARTERS, quarter_bounds
from pec_cli.report.avance import Report
from pec_cli.report.detail import (
    DETAIL_HEADERS,
    detail_row,
    detail_rows,
    safe_text,
)
from pec_cli.report.markdown import md
from pec_cli.report.numbers import as_typed, cell_number, pct
from pec_cli.report.render import render_json
from pec_cli.report.table import (
    COLUMNS,
    LEGEND_CELLS,
    LEGEND_QUARTERS,
    Cell,
    Table,
    build,
    cell_text,
    detail_lines,
    propia_text,
    semaforo_text,
)

if TYPE_CHECKING:
    from pec_cli.context import Context


class CsvStyle(NamedTuple):
    """Field and decimal separators of a CSV: Excel in es-CO reads ``;`` and ``,``."""

    separator: str = ";"
    decimal: str = ","


BOM = "\ufeff"


def _csv(rows: list[list[str]], separator: str) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=separator, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerows(rows)
    return BOM + buffer.getvalue()


def table_csv(table: Table, style: CsvStyle = CsvStyle()) -> str:
    """The Seguimiento table for Excel: numbers with the style's decimal separator."""
    separator, decimal = style

    def number(value: float) -> str:
        return cell_number(value, decimal)

    rows = [table.header_row(counts=True)]
    for row in table.rows:
        out = []
        for column, value in zip(table.columns(counts=True), table.values(row, counts=True), strict=True):
            if isinstance(value, Cell):
                out.append(cell_text(value, number))
            elif column.kind == "semaforo":
                out.append(semaforo_text(value))
            elif column.kind == "count":
                typed = as_typed(value) if isinstance(value, int | float) else None
                out.append("" if typed is None else cell_number(typed, decimal))
            else:
                out.append(safe_text(str(value or "")))
        rows.append(out)
    return _csv(rows, separator)


def table_markdown(table: Table) -> str:
    """The Seguimiento table as a Markdown pipe table, for the minutes."""
    from tabulate import tabulate

    body = []
    for row in table.rows:
        out = []
        for column, value in zip(COLUMNS, table.values(row), strict=True):
            if isinstance(value, Cell):
                out.append(cell_text(value, pct))
            elif column.kind == "semaforo":
                out.append(semaforo_text(value))
            elif column.key == "nombre" and row.is_line:
                out.append(f"**{md(value)}**")
            else:
                out.append(md(value))
        body.append(out)
    en_curso = f", {table.en_curso}" if table.en_curso else ""
    title = (
        f"# Seguimiento {md(table.plan)} {table.vigencia}: Trim. {table.trimestre_label} "
        f"(corte {table.corte.isoformat()}{en_curso})\n\n"
        f"{md(table.entidad)}. Cifras en puntos porcentuales de la meta anual.\n\n"
    )
    legend = [LEGEND_QUARTERS, LEGEND_CELLS] + ([table.legend_en_curso] if table.legend_en_curso else [])
    legend += [text for text in [propia_text(table)] if text]  # as under the board (its «*» marks stay there)
    legend += [line.rstrip(".") for line in detail_lines(table)]
    notes = "".join(f"\n{md(text)}.\n" for text in legend)
    return title + tabulate(body, headers=table.headers, tablefmt="pipe", disable_numparse=True) + "\n" + notes


def entries_csv(selection: Selection, style: CsvStyle = CsvStyle()) -> str:
    separator, decimal = style
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer, delimiter=separator, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(DETAIL_HEADERS)
    for entry in selection.entries:  # a row at a time: no list of every row beside the text
        row = detail_row(entry, selection.voided)
        writer.writerow([
            cell_number(v, decimal) if isinstance(v, int | float) and not isinstance(v, bool)
            else safe_text(str(v)) if v is not None else ""
            for v in (row[h] for h in DETAIL_HEADERS)
        ])
    return buffer.getvalue()


def notes_text(selection: Selection, fmt: str) -> str:
    """The observaciones (``pec list --observaciones``) as JSON or CSV."""
    rows = [
        {"id": n.id, "trimestre": QUARTERS[(n.trimestre or 1) - 1], "actividad": n.actividad,
         "texto": n.get("texto") or "", "registrado": n.registrado,
         "estado": "anulada" if n.id in selection.voided else "vigente"}
        for n in selection.entries
    ]
    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
    headers = ["id", "trimestre", "actividad", "texto", "registrado", "estado"]
    return _csv([headers] + [[safe_text(str(r[h])) for h in headers] for r in rows], ";")


def entries_json(selection: Selection) -> str:
    """The detail rows as one JSON array (``json.dumps(rows, indent=2)``), made a row at a time."""
    if not selection.entries:
        return "[]\n"
    dumps, voided = json.dumps, selection.voided
    # an element of an array indented by 2 is its own dump, every line 2 deeper (a newline in a
    # string is escaped, so each newline of the dump starts a line)
    parts = ["  " + dumps(detail_row(e, voided), ensure_ascii=False, indent=2).replace("\n", "\n  ")
             for e in selection.entries]
    return "[\n" + ",\n".join(parts) + "\n]\n"


def entries_markdown(selection: Selection) -> str:
    """The detail rows as a Markdown pipe table, laid out as tabulate's ``pipe`` format does with
    ``disable_numparse`` (text left aligned, each column as wide as its widest cell and at least its
    header plus 2), without tabulate's copies of every row."""
    voided = selection.voided
    rows = [tuple(md(row[h]) for h in DETAIL_HEADERS) for row in (detail_row(e, voided) for e in selection.entries)]
    widths = [len(h) + 2 for h in DETAIL_HEADERS]
    for row in rows:
        widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]
    lines = ["| " + " | ".join(h.ljust(w) for h, w in zip(DETAIL_HEADERS, widths, strict=True)) + " |"]
    if not rows:
        return lines[0] + "\n|" + "|".join("-" * (w + 2) for w in widths) + "|\n"
    lines.append("|" + "|".join(":" + "-" * (w + 1) for w in widths) + "|")
    lines += ["| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |" for row in rows]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- the pack


class Pack:
    """What one export shows, each part computed on first use: a format that
    does not show the entries never reads them."""

    def __init__(self, ctx: "Context", quarter: int | None, detalle: bool, style: CsvStyle, out_dir: Path) -> None:
        self.ctx = ctx
        self.plan = ctx.plan
        self.detalle = detalle
        self.style = style
        self.quarter = quarter if detalle else ctx.quarter(quarter)
        self.link = evidence_linker(ctx.workspace.root, out_dir)

    @cached_property
    def history(self) -> list[Report]:
        """The reports of quarters I..q (the cumulative curve); the last is the requested one."""
        return self.ctx.history(self.quarter)

    @property
    def report(self) -> Report:
        return self.history[-1]

    @cached_property
    def table(self) -> Table:
        return build(self.report)

    @cached_property
    def tables(self) -> list[Table]:
        """The tables of quarters I..q (the cumulative curves); the last is the requested one."""
        return [build(r) for r in self.history[:-1]] + [self.table]

    @cached_property
    def selection(self) -> Selection:
        """With --detalle the pieces of the quarter (else all); otherwise those up to the corte."""
        bounds: tuple[dt.date | None, dt.date | None]
        if self.detalle:
            if self.quarter is not None:  # the quarter, up to today while it is in progress
                start, end = quarter_bounds(self.plan.vigencia, self.quarter)
                bounds = (start, min(end, max(start, self.ctx.today)))
            else:
                bounds = (None, None)
        else:
            bounds = (self.plan.inicio, self.report.corte)
        return self.ctx.entries(Query(anuladas=True, desde=bounds[0], hasta=bounds[1]))

    @cached_property
    def rows(self) -> list[dict[str, Any]]:
        return detail_rows(self.selection, self.plan, self.link)

    @property
    def title(self) -> dict[str, Any]:
        plan = self.plan
        title: dict[str, Any] = {
            "entidad": plan.entidad, "sigla": plan.sigla, "plan": plan.titulo, "version": plan.version,
            "vigencia": plan.vigencia,
            "trimestre": QUARTERS[self.quarter - 1] if self.quarter is not None else None,
        }
        if not self.detalle:
            title["corte"] = self.report.corte.isoformat()
        return title


def _rows_as_needed(pack: Pack, chunk: int = 1000) -> Iterator[dict[str, Any]]:
    """``pack.rows`` made a thousand at a time, for a writer that takes each once (the workbook)."""
    entries = pack.selection.entries
    for start in range(0, len(entries), chunk):
        yield from detail_rows(pack.selection._replace(entries=entries[start:start + chunk]), pack.plan, pack.link)


def _xlsx(pack: Pack) -> bytes:
    from pec_cli.report.xlsx import detail_workbook, seguimiento_workbook

    if pack.detalle:
        return detail_workbook(pack.title, _rows_as_needed(pack), pack.selection)
    return seguimiento_workbook(pack.title, pack.tables, _rows_as_needed(pack), pack.selection)


def _html(pack: Pack) -> str:
    from pec_cli.report.html import detail_page, seguimiento_page

    if pack.detalle:
        return detail_page(pack.title, pack.rows, pack.selection)
    from pec_cli.report.cuatrienio import cuatrienio_to_dict

    four_years = pack.ctx.cuatrienio()
    return seguimiento_page(pack.title, pack.tables, pack.rows, pack.selection,
                            cuatrienio_to_dict(four_years) if four_years else None)


class Writer(NamedTuple):
    """One export format: its file extension and how it writes the table and the detail."""

    extension: str
    table: Callable[[Pack], str | bytes]
    detail: Callable[[Pack], str | bytes]


def _pdf(pack: Pack) -> bytes:
    from pec_cli.report.pdf import html_to_pdf

    return html_to_pdf(_html(pack))


FORMATS: dict[str, Writer] = {
    "csv": Writer("csv", lambda p: table_csv(p.table, p.style), lambda p: entries_csv(p.selection, p.style)),
    "xlsx": Writer("xlsx", _xlsx, _xlsx),
    "markdown": Writer("md", lambda p: table_markdown(p.table), lambda p: entries_markdown(p.selection)),
    "json": Writer("json", lambda p: render_json(p.report), lambda p: entries_json(p.selection)),
    "html": Writer("html", _html, _html),
    "pdf": Writer("pdf", _pdf, _pdf),
}
BUNDLES = ("paquete",)  # a folder of several formats, and its zip
BINARY = ("xlsx", "pdf")  # formats whose bytes a terminal cannot show


def default_filename(fmt: str, vigencia: int, quarter: int | None, detalle: bool) -> str:
    """``seguimiento-2024-TII.xlsx``, ``detalle-2024-TII.csv``, ``detalle-2024.json`` (all entries)."""
    stem = "detalle" if detalle else "seguimiento"
    period = f"-T{QUARTERS[quarter - 1]}" if quarter else ""
    return f"{stem}-{vigencia}{period}.{FORMATS[fmt].extension}"


def evidence_linker(root: Path, out_dir: Path) -> Callable[[str], str]:
    """Workspace-relative evidence path -> URL-quoted path relative to the export's folder."""

    def link(archivo: str) -> str:
        target = root / archivo
        try:
            rel = os.path.relpath(target, out_dir)
        except ValueError:  # another drive (Windows): an absolute file URI
            return target.as_uri()
        return quote(Path(rel).as_posix())

    return link
