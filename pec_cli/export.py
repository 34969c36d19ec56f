"""Exports for the committee: the Seguimiento table and the entry list.

Built from ``render.report_to_dict`` (the table) and ledger entries (the
detail), so an export always carries the numbers of ``pec status``. Text cells
that a spreadsheet would run as a formula are neutralised (OWASP CSV
injection: a leading ``= + - @``, tab or carriage return gets a ``'``).
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .avance import Report
from .errors import PecError
from .model import PIECE, Entry, Plan, quarter_bounds
from .render import QUARTERS, render_json, render_markdown, report_to_dict, seguimiento_headers, seguimiento_rows

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


def safe_text(value: str) -> str:
    """A text cell that cannot run as a spreadsheet formula."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


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


def table_csv(report: Report, separator: str = ";", decimal: str = ",") -> str:
    doc = report_to_dict(report)
    rows = [seguimiento_headers(doc)]
    for row in seguimiento_rows(doc):
        rows.append([
            safe_text(row["id"]), safe_text(row["nombre"]), safe_text(row["indicador"]), _num(row["meta"], decimal),
            *[_num(v, decimal) for v in row["trimestres"]],
            _num(row["acumulado"], decimal), _num(row["programado_acumulado"], decimal),
            row["semaforo"] or "sin meta", safe_text(row["observaciones"]),
        ])
    return _csv(rows, separator)


def table_export(report: Report, fmt: str, separator: str = ";", decimal: str = ",") -> str:
    if fmt == "csv":
        return table_csv(report, separator, decimal)
    if fmt == "json":
        return render_json(report)
    return render_markdown(report)


DETAIL_HEADERS = [
    "id", "fecha", "actividad", "tipo", "titulo", "canal", "url", "area", "red", "valor", "nota",
    "evidencia", "evidencia_sha256", "registrado", "estado",
]


def _detail_row(entry: Entry, voided: set[str]) -> dict[str, Any]:
    evidencia = entry.get("evidencia")
    return {
        "id": entry.id,
        "fecha": entry.fecha.isoformat() if entry.fecha else "",
        "actividad": entry.actividad,
        "tipo": entry.tipo or "",
        **{k: entry.get(k) for k in ("titulo", "canal", "url", "area", "red", "valor", "nota")},
        "evidencia": evidencia.get("archivo") if isinstance(evidencia, dict) else None,
        "evidencia_sha256": evidencia.get("sha256") if isinstance(evidencia, dict) else None,
        "registrado": entry.registrado,
        "estado": "anulada" if entry.id in voided else "vigente",
    }


def entries_csv(entries: list[Entry], voided: set[str], separator: str = ";", decimal: str = ",") -> str:
    rows = [DETAIL_HEADERS]
    for entry in entries:
        row = _detail_row(entry, voided)
        rows.append([
            _num(v, decimal) if isinstance(v, int | float) and not isinstance(v, bool)
            else safe_text(str(v)) if v is not None else ""
            for v in (row[h] for h in DETAIL_HEADERS)
        ])
    return _csv(rows, separator)


def entries_json(entries: list[Entry], voided: set[str]) -> str:
    return json.dumps([_detail_row(e, voided) for e in entries], ensure_ascii=False, indent=2) + "\n"


def entries_markdown(entries: list[Entry], voided: set[str]) -> str:
    from tabulate import tabulate

    rows = [[_detail_row(e, voided)[h] or "" for h in DETAIL_HEADERS] for e in entries]
    return tabulate(rows, headers=DETAIL_HEADERS, tablefmt="pipe", disable_numparse=True) + "\n"


def detail_export(
    ws: Any, plan: Plan, trim: str | None, fmt: str, separator: str, decimal: str,
    warn: Callable[[list[str]], None],
) -> str:
    """The pieces of the vigencia (of the quarter with ``trim``), voided ones marked."""
    from . import ledger
    from .records import quarter_arg

    bounds = quarter_bounds(plan.vigencia, quarter_arg(trim)) if trim is not None else None
    warnings: list[str] = []
    entries = list(ledger.read_entries(ws, plan.vigencia, warnings))
    warn(warnings)
    voided = {e.anula for e in entries if e.anula}
    pieces = [
        e for e in entries
        if e.clase == PIECE and (bounds is None or (e.fecha is not None and bounds[0] <= e.fecha <= bounds[1]))
    ]
    pieces.sort(key=lambda e: (e.fecha, e.registrado, e.id))
    if fmt == "csv":
        return entries_csv(pieces, voided, separator, decimal)
    if fmt == "json":
        return entries_json(pieces, voided)
    return entries_markdown(pieces, voided)


def write_output(text: str, fmt: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
        return
    try:
        output.write_text(text, encoding="utf-8", newline="")
    except OSError as exc:
        raise PecError(f"No se pudo escribir {output} ({exc.strerror}); elija otra ruta con -o.") from None
    sys.stderr.write(f"Exportado a {output}\n")


__all__ = ["QUARTERS", "table_export", "detail_export", "write_output", "entries_csv", "entries_json", "safe_text"]
