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
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from .avance import Report
from .errors import PecError, reason
from .model import PIECE, Entry, Plan, quarter_bounds, quarter_of
from .render import (
    QUARTERS,
    render_json,
    render_markdown,
    report_to_dict,
    seguimiento_headers,
    seguimiento_rows,
    unstarted_notice,
)

FORMATS = ("csv", "xlsx", "markdown", "json", "html")
EXTENSIONS = {"csv": "csv", "xlsx": "xlsx", "markdown": "md", "json": "json", "html": "html"}
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"
NOT_APPLICABLE = "N/A"
NO_TARGET = "sin meta"
# what ``evidence.store_evidence`` writes: the only evidence paths an export links to
_EVIDENCE_PATH = re.compile(r"evidencias/\d{4}/[0-9a-f]{6,64}(\.[a-z0-9]{1,8})?")


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


def quarter_cells(doc: dict[str, Any], values: list[float | None]) -> list[float | str | None]:
    """A row's Trim. I..IV values: a number, ``N/A`` (no aplica) up to the cut, ``None`` after it."""
    cut = QUARTERS.index(doc["trimestre"])
    return [NOT_APPLICABLE if v is None and i <= cut else v for i, v in enumerate(values)]


def table_csv(report: Report, separator: str = ";", decimal: str = ",") -> str:
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


def table_export(report: Report, fmt: str, separator: str = ";", decimal: str = ",") -> str:
    """The Seguimiento table as text (csv, json or markdown)."""
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


def notes_text(notes: list[Entry], voided: set[str], fmt: str) -> str:
    """The observaciones (``pec list --observaciones``) as a table, JSON or CSV."""
    rows = [
        {"id": n.id, "trimestre": QUARTERS[(n.trimestre or 1) - 1], "actividad": n.actividad,
         "texto": n.get("texto") or "", "registrado": n.registrado,
         "estado": "anulada" if n.id in voided else "vigente"}
        for n in sorted(notes, key=lambda n: (n.trimestre or 0, n.registrado, n.id))
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


def entries_json(entries: list[Entry], voided: set[str]) -> str:
    return json.dumps([_detail_row(e, voided) for e in entries], ensure_ascii=False, indent=2) + "\n"


def entries_markdown(entries: list[Entry], voided: set[str]) -> str:
    from tabulate import tabulate

    rows = [[_cell_text(_detail_row(e, voided)[h]) for h in DETAIL_HEADERS] for e in entries]
    return tabulate(rows, headers=DETAIL_HEADERS, tablefmt="pipe", disable_numparse=True) + "\n"


def _cell_text(value: Any) -> str:
    # pipe tables break on a newline or a bare "|" inside a cell
    return "" if value is None else str(value).replace("\r", " ").replace("\n", " ").replace("|", "\\|")


# ---------------------------------------------------------------- the pack


@dataclass(frozen=True)
class Detail:
    """The pieces an export lists: entries of a period, voided ones marked."""

    entries: list[Entry]
    voided: set[str]
    desde: str | None = None
    hasta: str | None = None

    def rows(self, plan: Plan, link: Callable[[str], str | None]) -> list[dict[str, Any]]:
        """``_detail_row`` values plus what the committee formats show: quarter,
        activity name, evidence file name and the evidence's link (``None``
        where the path is not one pec stored)."""
        names = {a.id: a.nombre for a in plan.actividades}
        out = []
        for entry in self.entries:
            row = _detail_row(entry, self.voided)
            evidencia = entry.get("evidencia")
            row["trimestre"] = QUARTERS[quarter_of(entry.fecha) - 1] if entry.fecha else ""
            row["actividad_nombre"] = names.get(entry.actividad, entry.actividad)
            row["evidencia_nombre"] = evidencia.get("nombre") if isinstance(evidencia, dict) else None
            archivo = row["evidencia"]
            row["evidencia_enlace"] = link(archivo) if isinstance(archivo, str) and _EVIDENCE_PATH.fullmatch(archivo) else None
            row["url_enlace"] = web_link(row["url"])
            out.append(row)
        return out


def piece_count(rows: list[dict[str, Any]]) -> str:
    """'29 vigentes, 1 anulada': what a detail lists, in words."""
    vigentes = sum(1 for r in rows if r["estado"] == "vigente")
    anuladas = len(rows) - vigentes
    return (f"{vigentes} {'vigente' if vigentes == 1 else 'vigentes'}, "
            f"{anuladas} {'anulada' if anuladas == 1 else 'anuladas'}")


def web_link(url: Any) -> str | None:
    """``url`` when it is an http(s) address a reader may open, else None."""
    if not isinstance(url, str) or any(c in url for c in "\r\n\t "):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def read_detail(ws: Any, plan: Plan, bounds: tuple[Any, Any] | None, warn: Callable[[list[str]], None]) -> Detail:
    """The pieces of the vigencia dated within ``bounds`` (all with None), sorted by date."""
    from . import ledger

    warnings: list[str] = []
    entries = list(ledger.read_entries(ws, plan.vigencia, warnings))
    warn(warnings)
    voided = {e.anula for e in entries if e.anula}
    pieces = [
        e for e in entries
        if e.clase == PIECE and (bounds is None or (e.fecha is not None and bounds[0] <= e.fecha <= bounds[1]))
    ]
    pieces.sort(key=lambda e: (e.fecha, e.registrado, e.id))
    lo, hi = (bounds[0].isoformat(), bounds[1].isoformat()) if bounds else (None, None)
    return Detail(pieces, voided, lo, hi)


def _detail_text(detail: Detail, fmt: str, separator: str, decimal: str) -> str:
    if fmt == "csv":
        return entries_csv(detail.entries, detail.voided, separator, decimal)
    if fmt == "json":
        return entries_json(detail.entries, detail.voided)
    return entries_markdown(detail.entries, detail.voided)


@dataclass
class Pack:
    """Everything one export needs, computed once at the edge."""

    plan: Plan
    doc: dict[str, Any] | None = None  # the status document (None for --detalle)
    history: list[dict[str, Any]] = field(default_factory=list)  # status documents of quarters I..q
    report: Report | None = None
    detail: Detail | None = None
    title: dict[str, Any] = field(default_factory=dict)


def default_filename(fmt: str, vigencia: int, quarter: str | None, detalle: bool) -> str:
    """``seguimiento-2024-TII.xlsx``, ``detalle-2024-TII.csv``, ``detalle-2024.json`` (all entries)."""
    stem = "detalle" if detalle else "seguimiento"
    period = f"-T{quarter}" if quarter else ""
    return f"{stem}-{vigencia}{period}.{EXTENSIONS[fmt]}"


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


def build_pack(
    ws: Any, plan: Plan, today: Any, quarter: int | None, detalle: bool, warn: Callable[[list[str]], None],
) -> Pack:
    """Compute what an export shows: the report of ``quarter`` (and of the quarters
    before it, for the cumulative curve) and the entries behind it; with
    ``detalle``, only the entries (of ``quarter``, else all)."""
    from .avance import compute, default_quarter
    from .ledger import tally

    title = {
        "entidad": plan.entidad, "sigla": plan.sigla, "plan": plan.titulo, "version": plan.version,
        "vigencia": plan.vigencia,
    }
    if detalle:
        bounds = quarter_bounds(plan.vigencia, quarter) if quarter is not None else None
        detail = read_detail(ws, plan, bounds, warn)
        title["trimestre"] = QUARTERS[quarter - 1] if quarter is not None else None
        return Pack(plan, detail=detail, title=title)
    q = quarter or default_quarter(plan, today)
    warnings: list[str] = []
    totals = tally(ws, plan.vigencia, warnings)
    reports = [compute(plan, totals, k, today) for k in range(1, q + 1)]
    history = [report_to_dict(r) for r in reports]
    doc = history[-1]
    detail = read_detail(ws, plan, (plan.inicio, reports[-1].corte), lambda w: warnings.extend(w))
    notice = unstarted_notice(reports[-1], today)
    warn(list(dict.fromkeys(warnings)) + ([notice] if notice else []))  # tally and entries read the same lines: warn once
    title.update(trimestre=doc["trimestre"], corte=doc["corte"])
    return Pack(plan, doc=doc, history=history, report=reports[-1], detail=detail, title=title)


def render_pack(pack: Pack, fmt: str, separator: str, decimal: str, link: Callable[[str], str]) -> str | bytes:
    """The export's content: text, or bytes for xlsx."""
    if fmt == "xlsx":
        from .xlsx import detail_workbook, seguimiento_workbook

        assert pack.detail is not None
        rows = pack.detail.rows(pack.plan, link)
        if pack.doc is None:
            return detail_workbook(pack.title, rows, pack.detail)
        return seguimiento_workbook(pack.title, pack.doc, rows, pack.detail)
    if fmt == "html":
        from .html import detail_page, seguimiento_page

        assert pack.detail is not None
        rows = pack.detail.rows(pack.plan, link)
        if pack.doc is None:
            return detail_page(pack.title, rows, pack.detail)
        return seguimiento_page(pack.title, pack.doc, pack.history, rows, pack.detail, pack.plan)
    if pack.doc is None:
        assert pack.detail is not None
        return _detail_text(pack.detail, fmt, separator, decimal)
    assert pack.report is not None
    return table_export(pack.report, fmt, separator, decimal)


def run_export(
    ws: Any, plan: Plan, today: Any, fmt: str, quarter: int | None, detalle: bool, output: Path | None,
    separator: str, decimal: str, warn: Callable[[list[str]], None],
) -> Path | None:
    """``pec export``: build, render, write. Returns the file written (None for stdout)."""
    pack = build_pack(ws, plan, today, quarter, detalle, warn)
    to_stdout = output is not None and str(output) == "-"
    if output is None:
        output = Path.cwd() / default_filename(fmt, plan.vigencia, pack.title.get("trimestre"), detalle)
    out_dir = Path.cwd() if to_stdout else output.expanduser().resolve().parent
    content = render_pack(pack, fmt, separator, decimal, evidence_linker(ws.root, out_dir))
    if to_stdout:
        _write_stdout(content)
        return None
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
    """Write ``content`` whole or not at all (a temporary file renamed into place)."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    if output.is_dir():
        raise PecError(f"{output} es una carpeta; indique un archivo con -o (por ejemplo -o {output / 'seguimiento.xlsx'}).")
    tmp = output.with_name(f".{output.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, output)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise PecError(f"No se pudo escribir {output} ({reason(exc)}); elija otra ruta con -o.") from None
    return output.resolve()

