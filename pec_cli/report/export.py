"""Exports for the committee: the Seguimiento table and the entry list.

Built from ``render.report_to_dict`` (the table) and ledger entries (the
detail), so an export always carries the numbers of ``pec status``. Text cells
that a spreadsheet would run as a formula are neutralised (OWASP CSV
injection: a leading ``= + - @``, tab or carriage return gets a ``'``).

This module chooses and writes; the formats that need a library of their own
live beside it (``xlsx`` imports openpyxl, ``html`` only the standard
library), and both take the same plain values built here: the status
document, the status documents of the earlier quarters (for the cumulative
curve) and the detail rows.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
from collections.abc import Callable
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import quote

from pec_cli.errors import PecError, reason
from pec_cli.ledger.query import Query, Selection
from pec_cli.plan.model import QUARTERS, quarter_bounds
from pec_cli.report.avance import Report
from pec_cli.report.render import render_json, render_markdown, report_to_dict, seguimiento_headers, seguimiento_rows
from pec_cli.report.table import (
    DETAIL_HEADERS,
    NO_TARGET,
    NOT_APPLICABLE,
    detail_row,
    detail_rows,
    quarter_cells,
    safe_text,
)

if TYPE_CHECKING:
    from pec_cli.context import Context

class CsvStyle(NamedTuple):
    """Field and decimal separators of a CSV: Excel in es-CO reads ``;`` and ``,``."""

    separator: str = ";"
    decimal: str = ","


BOM = "\ufeff"




def _num(value: float | int | None, decimal: str) -> str:
    if value is None:
        return ""
    text = f"{value:.2f}" if isinstance(value, float) else str(value)
    return text.replace(".", decimal)


def _csv(rows: list[list[str]], separator: str) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=separator, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerows(rows)
    return BOM + buffer.getvalue()




def table_csv(report: Report, style: CsvStyle = CsvStyle()) -> str:
    separator, decimal = style
    doc = report_to_dict(report)

    def cell(value: float | str | None) -> str:
        return value if isinstance(value, str) else _num(value, decimal)

    rows = [seguimiento_headers(doc)]
    for row in seguimiento_rows(doc):
        rows.append([
            safe_text(row["id"]), safe_text(row["nombre"]), safe_text(row["indicador"]), _num(row["meta"], decimal),
            *[cell(v) for v in quarter_cells(doc, row["trimestres"])],
            cell(NOT_APPLICABLE if row["acumulado"] is None else row["acumulado"]),
            _num(row["programado_acumulado"], decimal),
            row["semaforo"] or NO_TARGET, safe_text(row["observaciones"]),
        ])
    return _csv(rows, separator)






def entries_csv(selection: Selection, style: CsvStyle = CsvStyle()) -> str:
    separator, decimal = style
    rows = [DETAIL_HEADERS]
    for entry in selection.entries:
        row = detail_row(entry, selection.voided)
        rows.append([
            _num(v, decimal) if isinstance(v, int | float) and not isinstance(v, bool)
            else safe_text(str(v)) if v is not None else ""
            for v in (row[h] for h in DETAIL_HEADERS)
        ])
    return _csv(rows, separator)


def notes_text(selection: Selection, fmt: str) -> str:
    """The observaciones (``pec list --observaciones``) as a table, JSON or CSV."""
    rows = [
        {"id": n.id, "trimestre": QUARTERS[(n.trimestre or 1) - 1], "actividad": n.actividad,
         "texto": n.get("texto") or "", "registrado": n.registrado,
         "estado": "anulada" if n.id in selection.voided else "vigente"}
        for n in selection.entries
    ]
    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
    headers = ["id", "trimestre", "actividad", "texto", "registrado", "estado"]
    if fmt == "csv":
        return _csv([headers] + [[safe_text(str(r[h])) for h in headers] for r in rows], ";")
    from tabulate import tabulate

    table = tabulate([[r[h] for h in headers] for r in rows], headers=headers, tablefmt="simple", disable_numparse=True)
    count = len(rows)
    return f"{table}\n{count} observaci{'ón' if count == 1 else 'ones'}.\n"


def entries_json(selection: Selection) -> str:
    return json.dumps([detail_row(e, selection.voided) for e in selection.entries], ensure_ascii=False, indent=2) + "\n"


def entries_markdown(selection: Selection) -> str:
    from tabulate import tabulate

    rows = [[_cell_text(detail_row(e, selection.voided)[h]) for h in DETAIL_HEADERS] for e in selection.entries]
    return tabulate(rows, headers=DETAIL_HEADERS, tablefmt="pipe", disable_numparse=True) + "\n"


def _cell_text(value: Any) -> str:
    # pipe tables break on a newline or a bare "|" inside a cell
    return "" if value is None else str(value).replace("\r", " ").replace("\n", " ").replace("|", "\\|")


# ---------------------------------------------------------------- the pack








class Pack:
    """What one export shows, each part computed on first use: a format that
    does not show the entries never reads them."""

    def __init__(self, ctx: Context, quarter: int | None, detalle: bool, style: CsvStyle, out_dir: Path) -> None:
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
    def selection(self) -> Selection:
        """With --detalle the pieces of the quarter (else all); otherwise those up to the corte."""
        if self.detalle:
            bounds = quarter_bounds(self.plan.vigencia, self.quarter) if self.quarter is not None else (None, None)
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


def _xlsx(pack: Pack) -> bytes:
    from pec_cli.report.xlsx import detail_workbook, seguimiento_workbook

    if pack.detalle:
        return detail_workbook(pack.title, pack.rows, pack.selection)
    return seguimiento_workbook(pack.title, report_to_dict(pack.report), pack.rows, pack.selection)


def _html(pack: Pack) -> str:
    from pec_cli.report.html import detail_page, seguimiento_page

    if pack.detalle:
        return detail_page(pack.title, pack.rows, pack.selection)
    history = [report_to_dict(r) for r in pack.history]
    return seguimiento_page(pack.title, history[-1], history, pack.rows, pack.selection, pack.plan)


class Writer(NamedTuple):
    """One export format: its file extension and how it writes the table and the detail."""

    extension: str
    table: Callable[[Pack], str | bytes]
    detail: Callable[[Pack], str | bytes]


FORMATS: dict[str, Writer] = {
    "csv": Writer("csv", lambda p: table_csv(p.report, p.style), lambda p: entries_csv(p.selection, p.style)),
    "xlsx": Writer("xlsx", _xlsx, _xlsx),
    "markdown": Writer("md", lambda p: render_markdown(p.report), lambda p: entries_markdown(p.selection)),
    "json": Writer("json", lambda p: render_json(p.report), lambda p: entries_json(p.selection)),
    "html": Writer("html", _html, _html),
}


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
            return target.resolve().as_uri()
        return quote(Path(rel).as_posix())

    return link


def run_export(
    ctx: Context, fmt: str, quarter: int | None, detalle: bool, output: Path | None, style: CsvStyle,
    flush: Callable[[Context], None],
) -> Path | None:
    """``pec export``: build, render, write. Returns the file written (None for stdout)."""
    to_stdout = output is not None and str(output) == "-"
    out_dir = Path.cwd() if to_stdout or output is None else output.expanduser().resolve().parent
    pack = Pack(ctx, quarter, detalle, style, out_dir)
    writer = FORMATS[fmt]
    content = (writer.detail if detalle else writer.table)(pack)
    flush(ctx)
    if to_stdout:
        _write_stdout(content)
        return None
    if output is None:
        output = Path.cwd() / default_filename(fmt, ctx.plan.vigencia, pack.quarter, detalle)
    return write_file(content, output.expanduser())


def _write_stdout(content: str | bytes) -> None:
    if isinstance(content, str):
        sys.stdout.write(content)
        sys.stdout.flush()
        return
    if sys.stdout.isatty():
        raise PecError("Un libro XLSX no se puede mostrar en la terminal; guárdelo con -o ARCHIVO.xlsx.", code=2)
    sys.stdout.flush()
    sys.stdout.buffer.write(content)
    sys.stdout.buffer.flush()


def write_file(content: str | bytes, output: Path) -> Path:
    """Write ``content`` to ``output`` without harming what it points at.

    A regular file (or a new one) is replaced whole or not at all: a synced
    temporary file renamed into place. A symlink is followed: what it points
    at is written, the link stays. A device, FIFO or socket (``/dev/null``,
    ``/dev/stdout``, a pipe) is written to as a stream, never replaced.
    """
    import stat

    data = content.encode("utf-8") if isinstance(content, str) else content
    target = output.resolve() if output.is_symlink() else output
    try:
        mode = target.stat().st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise PecError(f"No se pudo escribir {output} ({reason(exc)}); elija otra ruta con -o.") from None
    if mode is not None and stat.S_ISDIR(mode):
        raise PecError(f"{output} es una carpeta; indique un archivo con -o (por ejemplo -o {output / 'seguimiento.xlsx'}).")
    if mode is not None and not stat.S_ISREG(mode):
        try:
            with open(target, "wb") as stream:  # no O_CREAT/O_TRUNC surprises: it exists and is not a file
                stream.write(data)
        except OSError as exc:
            raise PecError(f"No se pudo escribir en {output} ({reason(exc)}); elija otra ruta con -o.") from None
        return output
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())  # whole on disk before the rename makes it the file
        os.replace(tmp, target)
    except BaseException as exc:  # a full disk or Ctrl-C leaves no temporary file behind
        tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise PecError(f"No se pudo escribir {output} ({reason(exc)}); elija otra ruta con -o.") from None
        raise
    return target.resolve()
