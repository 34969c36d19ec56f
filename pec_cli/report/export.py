"""Exports for the committee: the Seguimiento table and the entry list.

Built from ``render.report_to_dict`` (the table) and ledger entries (the
detail), so an export always carries the numbers of ``pec status``. Text cells
that a spreadsheet would run as a formula are neutralised (OWASP CSV
injection: a leading ``= + - @``, tab or carriage return gets a ``'``).

This module chooses and renders (``cli.exporting`` writes: nothing under
``report/`` touches a file); the formats that need a library of their own
live beside it (``xlsx`` imports XlsxWriter, ``html`` only the standard
library), and both take the same plain values built here: the status
document, the status documents of the earlier quarters (for the cumulative
curve) and the detail rows.
"""

import csv
import datetime as dt
import io
import json
import os
from collections.abc import Callable, Mapping
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import quote

from pec_cli.ledger.query import Query, Selection
from pec_cli.plan.model import QUARTERS, Plan, quarter_bounds
from pec_cli.report.avance import Report
from pec_cli.report.detail import (
    DETAIL_HEADERS,
    detail_row,
    detail_rows,
    safe_text,
)
from pec_cli.report.fichas import Ficha, fichas, fichas_markdown
from pec_cli.report.markdown import md
from pec_cli.report.numbers import as_typed, cell_number, pct
from pec_cli.report.render import render_json
from pec_cli.report.table import (
    COLUMNS,
    FIRMAS_INFORME,
    LEGEND_CELLS,
    LEGEND_QUARTERS,
    SIN_APROBAR,
    Cell,
    Firma,
    Firmas,
    Table,
    build,
    cell_text,
    detail_lines,
    firmas_caption,
    propia_text,
    semaforo_text,
)

if TYPE_CHECKING:
    from pec_cli.context import Context
    from pec_cli.report.checklist import Block


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
    en_curso = f", {table.estado}" if table.estado else ""
    title = (
        f"# Seguimiento {md(table.plan)} {table.vigencia}: Trim. {table.trimestre_label} "
        f"(corte {table.corte.isoformat()}{en_curso})\n\n"
        f"{md(table.entidad)}. Cifras en puntos porcentuales de la meta anual.\n\n"
    )
    legend = [LEGEND_QUARTERS, LEGEND_CELLS] + ([table.legend_en_curso] if table.legend_en_curso else [])
    legend += [text for text in [propia_text(table)] if text]  # as under the board (its «*» marks stay there)
    legend += [line.rstrip(".") for line in detail_lines(table)]
    notes = "".join(f"\n{md(text)}.\n" for text in legend)
    return (title + tabulate(body, headers=table.headers, tablefmt="pipe", disable_numparse=True) + "\n" + notes
            + "\n" + firmas_markdown(table.firmas))


def firmas_markdown(signed: Firmas) -> str:
    """What the minutes end with: the plan's Elaboró / Revisó / Aprobó and this report's approval, as lists
    (a second pipe table would read as more rows of the Seguimiento)."""
    def line(f: Firma) -> str:
        return f"- {md(f.rol)}: " + ", ".join(md(v) for v in (f.nombre, f.cargo, f.fecha) if v) + "\n"

    plan = "".join(map(line, signed.plan)) or "- El plan no registra firmas.\n"
    informe = f"\n**{FIRMAS_INFORME}**:\n\n" + "".join(map(line, signed.informe)) if signed.informe \
        else f"\n**{FIRMAS_INFORME}**: {SIN_APROBAR}.\n"
    return f"**{md(firmas_caption(signed))}**:\n\n{plan}{informe}"


def entries_csv(selection: Selection, style: CsvStyle = CsvStyle(), packed: Mapping[str, str] | None = None) -> str:
    separator, decimal = style
    rows = [DETAIL_HEADERS]
    for entry in selection.entries:
        row = detail_row(entry, selection.voided, selection.late, packed)
        rows.append([
            ("sí" if v else "no") if isinstance(v, bool)
            else cell_number(v, decimal) if isinstance(v, int | float)
            else safe_text(str(v)) if v is not None else ""
            for v in (row[h] for h in DETAIL_HEADERS)
        ])
    return _csv(rows, separator)


def checklist_csv(blocks: "list[Block]", style: CsvStyle = CsvStyle()) -> str:
    """The evidence checklist (``checklist.checklist``) as one CSV for Excel: each block a title row, a
    header and its rows, a blank line between blocks; text that could run as a formula neutralised."""
    rows: list[list[str]] = []
    for block in blocks:
        if rows:
            rows.append([])  # a blank line between blocks
        rows += [[safe_text(block.title)], list(block.headers)]
        rows += [[str(v) if isinstance(v, int) else safe_text(v) for v in row] for row in block.rows]
    return _csv(rows, style.separator)


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


def events_text(selection: Selection, fmt: str) -> str:
    """Closures, reopenings, sign-offs and actions (``pec list --cierres``) as JSON or CSV."""
    from pec_cli.report.detail import event_row

    rows = [event_row(e, selection.voided) for e in selection.entries]
    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
    headers = ["id", "trimestre", "clase", "fecha", "detalle", "registrado", "estado"]
    return _csv([headers] + [[safe_text(str(r[h])) for h in headers] for r in rows], ";")


def entries_json(selection: Selection) -> str:
    return json.dumps([detail_row(e, selection.voided, selection.late) for e in selection.entries], ensure_ascii=False, indent=2) + "\n"


def entries_markdown(selection: Selection) -> str:
    from tabulate import tabulate

    values = (detail_row(e, selection.voided, selection.late) for e in selection.entries)
    rows = [[md(("sí" if v else "no") if isinstance(v := row[h], bool) else v) for h in DETAIL_HEADERS] for row in values]
    return tabulate(rows, headers=DETAIL_HEADERS, tablefmt="pipe", disable_numparse=True) + "\n"


# ---------------------------------------------------------------- the pack


class Pack:
    """What one export shows, each part computed on first use: a format that
    does not show the entries never reads them."""

    def __init__(self, ctx: "Context", quarter: int | None, detalle: bool, style: CsvStyle, out_dir: Path,
                 publico: bool = False) -> None:
        self.ctx = ctx
        self.publico = publico  # the public version (html, pdf): figures and indicators only
        self.plan = ctx.plan
        self.detalle = detalle
        self.style = style
        self.quarter = quarter if detalle else ctx.quarter(quarter)
        self.link = evidence_linker(ctx.workspace.root, out_dir)
        self.packed: Mapping[str, str] | None = None  # the paquete's: stored evidence path -> its copy in the folder
        self.checklist: list[Block] | None = None  # the paquete's evidence checklist, for its workbook

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
        return detail_rows(self.selection, self.plan, self.link, self.packed)

    @cached_property
    def fichas(self) -> list[Ficha]:
        """The plan's indicator sheets (the workbook's «Fichas»)."""
        return fichas(self.plan)

    @property
    def title(self) -> dict[str, Any]:
        title = {**plan_title(self.plan), "trimestre": QUARTERS[self.quarter - 1] if self.quarter is not None else None}
        if not self.detalle:
            title["corte"] = self.report.corte.isoformat()
        return title


def _xlsx(pack: Pack) -> bytes:
    from pec_cli.report.xlsx import detail_workbook, seguimiento_workbook

    if pack.detalle:
        return detail_workbook(pack.title, pack.rows, pack.selection)
    return seguimiento_workbook(pack.title, pack.tables, pack.rows, pack.selection, pack.checklist, pack.fichas)


def _html(pack: Pack) -> str:
    from pec_cli.report.html import detail_page, seguimiento_page

    if pack.detalle:
        return detail_page(pack.title, pack.rows, pack.selection)
    from pec_cli.report.cuatrienio import cuatrienio_to_dict

    four_years = pack.ctx.cuatrienio(pack.report.corte)  # one corte per report
    if pack.publico:
        from pec_cli.report.html import public_page
        from pec_cli.report.table import public_table

        return public_page(pack.title, [public_table(t) for t in pack.tables],
                           cuatrienio_to_dict(four_years) if four_years else None)
    return seguimiento_page(pack.title, pack.tables, pack.rows,
                            cuatrienio_to_dict(four_years) if four_years else None)


def plan_title(plan: Plan) -> dict[str, Any]:
    """What the title block of every document names: the entity, the plan, its version and vigencia."""
    return {"entidad": plan.entidad, "sigla": plan.sigla, "plan": plan.titulo, "version": plan.version,
            "vigencia": plan.vigencia}


class Writer(NamedTuple):
    """One export format: its file extension and how it writes the table and the detail."""

    extension: str
    table: Callable[[Pack], str | bytes]
    detail: Callable[[Pack], str | bytes]


def _pdf(pack: Pack) -> bytes:
    from pec_cli.report.pdf import html_to_pdf

    return html_to_pdf(_html(pack))


FORMATS: dict[str, Writer] = {
    "csv": Writer("csv", lambda p: table_csv(p.table, p.style), lambda p: entries_csv(p.selection, p.style, p.packed)),
    "xlsx": Writer("xlsx", _xlsx, _xlsx),
    "markdown": Writer("md", lambda p: table_markdown(p.table), lambda p: entries_markdown(p.selection)),
    "json": Writer("json", lambda p: render_json(p.report), lambda p: entries_json(p.selection)),
    "html": Writer("html", _html, _html),
    "pdf": Writer("pdf", _pdf, _pdf),
}
BUNDLES = ("paquete",)  # a folder of several formats, and its zip
SHEETS = "fichas"  # ``pec export fichas``: the plan's indicator sheets, in one of FICHAS
BINARY = ("xlsx", "pdf")  # formats whose bytes a terminal cannot show
PUBLIC = ("html", "pdf")  # formats with a public version (--publico)


class Document(NamedTuple):
    """A document made from the plan alone, in one format: its file extension and how it is rendered."""

    extension: str
    render: Callable[[Plan], str | bytes]


def _fichas_xlsx(plan: Plan) -> bytes:
    from pec_cli.report.xlsx import fichas_workbook

    return fichas_workbook(plan_title(plan), fichas(plan))


def _fichas_html(plan: Plan) -> str:
    from pec_cli.report.html import fichas_page

    return fichas_page(plan_title(plan), fichas(plan))


# ``pec export fichas --format``: the indicator sheets, xlsx by default as every export for the office
FICHAS: dict[str, Document] = {
    "xlsx": Document("xlsx", _fichas_xlsx),
    "html": Document("html", _fichas_html),
    "markdown": Document("md", fichas_markdown),
}


def _plan_html(plan: Plan) -> str:
    from pec_cli.report.html import plan_page
    from pec_cli.report.plan_document import document, facts, heading

    return plan_page(plan_title(plan), heading(plan), facts(plan), document(plan))


def _plan_pdf(plan: Plan) -> bytes:
    from pec_cli.report.pdf import html_to_pdf

    return html_to_pdf(_plan_html(plan))


def _plan_markdown(plan: Plan) -> str:
    from pec_cli.report.plan_document import plan_markdown

    return plan_markdown(plan)


# ``pec plan show --format``: the plan document itself, for publication
PLAN_DOCUMENT: dict[str, Document] = {
    "html": Document("html", _plan_html),
    "pdf": Document("pdf", _plan_pdf),
    "markdown": Document("md", _plan_markdown),
}


def default_filename(fmt: str, vigencia: int, quarter: int | None, detalle: bool, publico: bool = False) -> str:
    """``seguimiento-2024-TII.xlsx``, ``detalle-2024-TII.csv``, ``detalle-2024.json`` (all entries),
    ``seguimiento-2024-TII-publico.html``."""
    stem = "detalle" if detalle else "seguimiento"
    period = f"-T{QUARTERS[quarter - 1]}" if quarter else ""
    return f"{stem}-{vigencia}{period}{'-publico' if publico else ''}.{FORMATS[fmt].extension}"


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
