"""The committee workbook (XLSX): the Seguimiento table and the Detalle of entries.

The only module that imports openpyxl (imported here, so ``pec status`` never
pays for it). It takes plain values built by ``export``: the status document
(``render.report_to_dict``) and the detail rows, so every number in the
workbook is the one ``pec status --format json`` prints. Percentages are
stored as numbers (fractions, formatted ``0.00%``) so the committee can
compute with them; text cells are always typed as text and neutralised with
``export.safe_text``, so no cell can run as a formula.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from pec_cli.ledger.query import Selection
from pec_cli.report.detail import piece_count, safe_text
from pec_cli.report.table import (
    COLUMNS,
    LEGEND_CELLS,
    LEGEND_QUARTERS,
    SYMBOLS,
    Cell,
    CellValue,
    Kind,
    Table,
    semaforo_text,
)

PERCENT = "0.00%"
DATE = "yyyy-mm-dd"
NAVY = "1F4E79"
# Excel's own "Good / Neutral / Bad" cell styles: what a committee already reads as a traffic light
SEMAFORO_STYLE = {
    "verde": ("C6EFCE", "006100"),
    "amarillo": ("FFEB9C", "9C5700"),
    "rojo": ("FFC7CE", "9C0006"),
    None: ("F2F2F2", "595959"),
}
LINE_FILL = PatternFill("solid", fgColor="DDEBF7")
HEADER_FILL = PatternFill("solid", fgColor=NAVY)


def _font(**style: Any) -> Font:
    """Calibri, as Excel's default cells: a bold cell must not fall back to another face."""
    return Font(name="Calibri", **{"size": 11, **style})


HEADER_FONT = _font(bold=True, color="FFFFFF")
THIN = Side(style="thin", color="BFBFBF")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")
SEGUIMIENTO_WIDTHS = {
    "id": 12, "nombre": 44, "indicador": 38, "meta": 10, "I": 9, "II": 9, "III": 9, "IV": 9,
    "acumulado": 11, "programado_acumulado": 13, "semaforo": 11, "observaciones": 48,
}
WRAPPED = ("nombre", "indicador", "observaciones")
DETAIL_COLUMNS = [
    # (header, key, width)
    ("Id", "id", 15), ("Fecha", "fecha", 11), ("Trim.", "trimestre", 6), ("Actividad", "actividad", 11),
    ("Tipo", "tipo", 11), ("Título", "titulo", 36), ("Canal", "canal", 12), ("URL", "url", 26),
    ("Área", "area", 14), ("Red", "red", 10), ("Valor", "valor", 8), ("Nota", "nota", 26),
    ("Evidencia", "evidencia", 24), ("SHA-256", "evidencia_sha256", 35), ("Registrado", "registrado", 20),
    ("Estado", "estado", 9),
]


def text(value: Any) -> str:
    """A string safe for a cell: no control characters XML forbids, never a formula."""
    return safe_text(ILLEGAL_CHARACTERS_RE.sub("", str(value)))


def _put(ws: Worksheet, row: int, col: int, value: Any, number_format: str | None = None) -> Any:
    """Write one cell; strings are forced to the text type (openpyxl would make '=...' a formula)."""
    cell = ws.cell(row=row, column=col)
    if isinstance(value, str):
        cell.value = text(value)
        cell.data_type = "s"
    else:
        cell.value = value
    if number_format:
        cell.number_format = number_format
    return cell


def _fit_height(ws: Worksheet, row: int, widths: list[int], line_height: float = 15.0) -> None:
    """Set a row's height for its wrapped text: spreadsheet apps do not all grow rows on open."""
    lines = 1
    for col, width in enumerate(widths, start=1):
        value = ws.cell(row=row, column=col).value
        if isinstance(value, str) and value:
            per_line = max(1, int(width * 1.15) - 1)
            lines = max(lines, sum(-(-max(1, len(part)) // per_line) for part in value.split("\n")))
    ws.row_dimensions[row].height = line_height * lines + 2


def _fraction(value: float | None) -> float | None:
    """Percentage points -> the fraction a '0.00%' cell shows (40.0 -> 0.4)."""
    return None if value is None else round(value / 100.0, 6)


def _title_block(ws: Worksheet, title: dict[str, Any], heading: str, extra: list[tuple[str, Any]]) -> int:
    """Entity, plan, the sheet's heading and label/value rows; returns the next free row."""
    entidad = title["entidad"] + (f" ({title['sigla']})" if title.get("sigla") else "")
    _put(ws, 1, 1, entidad).font = _font(bold=True, size=14, color=NAVY)
    _put(ws, 2, 1, f"{title['plan']} {title['vigencia']} · versión {title['version']}").font = _font(bold=True, size=12)
    _put(ws, 3, 1, heading).font = _font(italic=True, color="595959")
    row = 4
    for label, value in [("Vigencia", title["vigencia"]), *extra]:
        _put(ws, row, 1, label).font = _font(bold=True)
        cell = _put(ws, row, 2, value, DATE if isinstance(value, dt.date) else None)
        cell.alignment = Alignment(horizontal="left")
        row += 1
    return row + 1


def _header(ws: Worksheet, row: int, headers: list[str], widths: list[int]) -> None:
    for col, (name, width) in enumerate(zip(headers, widths, strict=True), start=1):
        cell = _put(ws, row, col, name)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.border = BORDER
        cell.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.row_dimensions[row].height = 30


def _print_setup(ws: Worksheet, header_row: int) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_margins.left = ws.page_margins.right = 0.4


def _seguimiento_value(value: CellValue, kind: str) -> Any:
    """What a cell of the Seguimiento sheet holds: a fraction formatted as %, or text."""
    if isinstance(value, Cell):
        return _fraction(value.value) if value.kind is Kind.NUMBER else SYMBOLS[value.kind] or None
    if kind == "semaforo":
        return semaforo_text(value)
    return value


def _seguimiento_sheet(ws: Worksheet, title: dict[str, Any], table: Table) -> None:
    ws.title = "Seguimiento"
    row = _title_block(ws, title, "Seguimiento: Implementación del PEC", [
        ("Trimestre", table.trimestre_label + (f" ({table.en_curso})" if table.en_curso else "")),
        ("Corte", table.corte),
        ("Cifras", f"Porcentaje de la meta anual: logrado por trimestre y acumulado frente al programado. "
                   f"{LEGEND_QUARTERS}. {LEGEND_CELLS}."
                   + (f" {table.legend_en_curso}." if table.legend_en_curso else "")),
        ("Semáforo", f"Acumulado / programado acumulado: verde ≥ {table.verde:g} %, amarillo ≥ {table.amarillo:g} %, rojo por debajo."),
    ])
    header_row = row
    widths = [SEGUIMIENTO_WIDTHS[c.key] for c in COLUMNS]
    _header(ws, header_row, table.headers, widths)
    for item in table.rows:
        row += 1
        for col, (column, value) in enumerate(zip(COLUMNS, table.values(item), strict=True), start=1):
            content = _seguimiento_value(value, column.kind)
            cell = _put(ws, row, col, content, PERCENT if isinstance(content, float) else None)
            cell.border = BORDER
            if column.kind == "percent":
                cell.alignment = Alignment(vertical="top", horizontal="right")
            elif column.kind == "semaforo":
                fill, colour = SEMAFORO_STYLE[item.semaforo]
                cell.fill = PatternFill("solid", fgColor=fill)
                cell.alignment = Alignment(horizontal="center", vertical="top")
            elif column.key in WRAPPED:
                cell.alignment = Alignment(wrap_text=True, vertical="top", indent=int(column.key == "nombre" and not item.is_line))
            else:
                cell.alignment = Alignment(vertical="top", horizontal="left")
            if item.is_line and column.kind != "semaforo":
                cell.font = _font(bold=True)
                cell.fill = LINE_FILL
            elif column.kind == "semaforo":
                cell.font = _font(bold=True, color=SEMAFORO_STYLE[item.semaforo][1])
        _fit_height(ws, row, widths)
    ws.freeze_panes = ws.cell(row=header_row + 1, column=3)
    _print_setup(ws, header_row)


def _detail_sheet(ws: Worksheet, title: dict[str, Any], rows: list[dict[str, Any]], detail: Selection) -> None:
    ws.title = "Detalle"
    if detail.desde and detail.hasta:
        period = f"del {detail.desde} al {detail.hasta}"
    else:
        period = f"toda la vigencia {title['vigencia']}"
    row = _title_block(ws, title, "Detalle de piezas y evidencias", [
        ("Período", period),
        ("Piezas", piece_count(rows)),
    ])
    header_row = row
    _header(ws, header_row, [c[0] for c in DETAIL_COLUMNS], [c[2] for c in DETAIL_COLUMNS])
    for item in rows:
        row += 1
        voided = item["estado"] == "anulada"
        for col, (_, key, _) in enumerate(DETAIL_COLUMNS, start=1):
            value = item[key]
            if key == "fecha" and value:
                value = dt.date.fromisoformat(value)
            elif isinstance(value, bool) or value is None:
                value = None if value is None else str(value)
            elif not isinstance(value, int | float | str):
                value = str(value)
            cell = _put(ws, row, col, value, DATE if isinstance(value, dt.date) else None)
            cell.border = BORDER
            cell.alignment = WRAP
            link = item["evidencia_enlace"] if key == "evidencia" else item["url_enlace"] if key == "url" else None
            if link:
                cell.hyperlink = link
                cell.font = _font(color="0563C1", underline="single", strike=voided)
            elif key == "evidencia_sha256":
                cell.font = Font(name="Consolas", size=9, color="808080" if voided else "000000", strike=voided)
            elif voided:
                cell.font = _font(color="808080", strike=True)
        _fit_height(ws, row, [c[2] for c in DETAIL_COLUMNS], 13.0)
    last = max(row, header_row + 1)
    ws.auto_filter.ref = f"A{header_row}:{get_column_letter(len(DETAIL_COLUMNS))}{last}"
    ws.freeze_panes = ws.cell(row=header_row + 1, column=2)
    _print_setup(ws, header_row)


def _save(wb: Workbook, title: dict[str, Any]) -> bytes:
    wb.properties.title = f"{title['plan']} {title['vigencia']}"
    wb.properties.creator = "pec"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def seguimiento_workbook(title: dict[str, Any], table: Table, rows: list[dict[str, Any]], detail: Selection) -> bytes:
    """Sheets "Seguimiento" (``table``) and "Detalle" (``rows``)."""
    wb = Workbook()
    _seguimiento_sheet(wb.active, title, table)
    _detail_sheet(wb.create_sheet("Detalle"), title, rows, detail)
    return _save(wb, title)


def detail_workbook(title: dict[str, Any], rows: list[dict[str, Any]], detail: Selection) -> bytes:
    """One sheet, "Detalle": the entries of ``pec export xlsx --detalle``."""
    wb = Workbook()
    _detail_sheet(wb.active, title, rows, detail)
    return _save(wb, title)
