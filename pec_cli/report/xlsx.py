"""The committee workbook (XLSX): Seguimiento, Redes, Meses, Gráficos and the Detalle of entries.

The only module that imports openpyxl (imported here, so ``pec status`` never
pays for it). It lays out the Seguimiento table model (``table.Table``) and
the detail rows, so every number in the workbook is the one ``pec status
--format json`` prints. Percentages are stored as numbers (fractions,
formatted ``0.00%``) so the committee can compute with them; text cells are
always typed as text (a string cell never runs as a formula, so the text is
stored as typed, with no neutralising apostrophe); the charts are native
Excel charts over the sheet's own cells.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from pec_cli.ledger.query import Selection
from pec_cli.plan.model import MONTHS
from pec_cli.report.checklist import Block
from pec_cli.report.detail import piece_count
from pec_cli.report.fichas import Ficha
from pec_cli.report.numbers import as_typed
from pec_cli.report.table import (
    FIRMAS_INFORME,
    LEGEND_CELLS,
    LEGEND_QUARTERS,
    SIN_APROBAR,
    SYMBOLS,
    Cell,
    CellValue,
    Firmas,
    Kind,
    Table,
    firmas_caption,
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
    "id": 16, "nombre": 44, "indicador": 38, "meta": 10, "I": 9, "II": 9, "III": 9, "IV": 9,
    "acumulado": 11, "programado_acumulado": 13, "semaforo": 11, "observaciones": 48,
    "realizadas": 11, "cuenta": 22, "meta_piezas": 12, "por_tipo": 34,
}
TEXT_SPAN = 10  # columns a long title-block text spans
FIRMA_COLUMNS = (2, 3, 4, 10)  # a signature's role, name, position (to column 9) and date, under the wide columns
WRAPPED = ("nombre", "indicador", "observaciones", "cuenta", "por_tipo")
DETAIL_COLUMNS = [
    # (header, key, width)
    ("Id", "id", 15), ("Fecha", "fecha", 11), ("Trim.", "trimestre", 6), ("Actividad", "actividad_nombre", 18),
    ("Tipo", "tipo_nombre", 16), ("Título", "titulo", 36), ("Canal", "canal", 12), ("URL", "url", 26),
    ("Área", "area", 14), ("Atiende", "atiende", 15), ("Red", "red_nombre", 10), ("Valor", "valor", 8), ("Nota", "nota", 26),
    ("Evidencia", "evidencia", 24), ("SHA-256", "evidencia_sha256", 35), ("Registrado", "registrado", 26),
    ("Registrado por", "registrado_por", 20), ("Estado", "estado", 9), ("Motivo de la anulación", "motivo", 30),
    ("Extemporánea", "extemporanea", 14),  # dated in a closed quarter its closure did not see: not in its sealed figures
]


def text(value: Any) -> str:
    """A string a cell can hold: without the control characters XML forbids."""
    return ILLEGAL_CHARACTERS_RE.sub("", str(value))


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


def _fit_height(ws: Worksheet, row: int, widths: list[int], line_height: float = 15.0,
                values: list[Any] | None = None) -> None:
    """Set a row's height for its wrapped text (``values``, else the row's cells): spreadsheet apps do not
    all grow rows on open."""
    lines = 1
    for col, width in enumerate(widths, start=1):
        value = ws.cell(row=row, column=col).value if values is None else values[col - 1]
        if isinstance(value, str) and value:
            per_line = max(1, int(width * 1.15) - 1)
            lines = max(lines, sum(-(-max(1, len(part)) // per_line) for part in value.split("\n")))
    ws.row_dimensions[row].height = line_height * lines + 2


def _fraction(value: float | None) -> float | None:
    """Percentage points -> the fraction a '0.00%' cell shows (40.0 -> 0.4)."""
    return None if value is None else round(value / 100.0, 6)


def _title_block(ws: Worksheet, title: dict[str, Any], heading: str, extra: list[tuple[str, Any]],
                 span: int = TEXT_SPAN) -> int:
    """Entity, plan, the sheet's heading and label/value rows; returns the next free row. A text value spans
    columns B to ``span``, the sheet's last: a merge beyond it would widen the printed page."""
    entidad = title["entidad"] + (f" ({title['sigla']})" if title.get("sigla") else "")
    _put(ws, 1, 1, entidad).font = _font(bold=True, size=14, color=NAVY)
    _put(ws, 2, 1, f"{title['plan']} {title['vigencia']} · versión {title['version']}").font = _font(bold=True, size=12)
    _put(ws, 3, 1, heading).font = _font(italic=True, color="595959")
    row = 4
    for label, value in [("Vigencia", title["vigencia"]), *extra]:
        head = _put(ws, row, 1, label)
        # beside a wrapped text's first line; a long label wraps in column A (some 12 characters on every sheet)
        head.font, head.alignment = _font(bold=True), Alignment(vertical="top", wrap_text=True)
        cell = _put(ws, row, 2, value, DATE if isinstance(value, dt.date) else None)
        cell.alignment = Alignment(horizontal="left", vertical="top", wrap_text=isinstance(value, str))
        if isinstance(value, str) and span > 2:
            # a text spans the sheet's width (the Detalle's column B is a date's), a long one wrapping there
            # instead of stretching the printed page
            ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=span)
        lines = max(len(value) // 150 + 1 if isinstance(value, str) else 1, -(-len(label) // 12))
        if lines > 1 or isinstance(value, str):
            ws.row_dimensions[row].height = 15.0 * lines + 2
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
    """What a cell of the Seguimiento sheet holds: a fraction formatted as %, a count, or text."""
    if isinstance(value, Cell):
        return _fraction(value.value) if value.kind is Kind.NUMBER else SYMBOLS[value.kind] or None
    if kind == "semaforo":
        return semaforo_text(value)
    if kind == "count":
        return as_typed(value) if isinstance(value, int | float) else None
    return value or None


def _seguimiento_sheet(ws: Worksheet, title: dict[str, Any], table: Table) -> None:
    ws.title = "Seguimiento"
    row = _title_block(ws, title, "Seguimiento: Implementación del PEC", [
        ("Trimestre", table.trimestre_label + (f" ({table.estado})" if table.estado else "")),
        ("Corte", table.corte),
        ("Cifras", f"Porcentaje de la meta anual: logrado por trimestre y acumulado frente al programado. "
                   f"{LEGEND_QUARTERS}. {LEGEND_CELLS}."
                   + (f" {table.legend_en_curso}." if table.legend_en_curso else "")
                   + "".join(f" {text}." for text in table.notas_cierre)),
        *((("Análisis y acciones de mejora", " ".join(f"{text}." for text in table.acciones)),) if table.acciones else ()),
        ("Semáforo", f"Acumulado / programado acumulado: verde ≥ {table.verde:g} %, amarillo ≥ {table.amarillo:g} %, rojo por debajo."),
    ])
    header_row = row
    columns = table.columns(counts=True)
    widths = [SEGUIMIENTO_WIDTHS[c.key] for c in columns]
    _header(ws, header_row, table.header_row(counts=True), widths)
    for item in table.rows:
        row += 1
        for col, (column, value) in enumerate(zip(columns, table.values(item, counts=True), strict=True), start=1):
            content = _seguimiento_value(value, column.kind)
            cell = _put(ws, row, col, content, PERCENT if isinstance(content, float) else None)
            cell.border = BORDER
            if column.kind in ("percent", "count"):
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
    _firmas_rows(ws, row + 3, table.firmas)
    ws.freeze_panes = ws.cell(row=header_row + 1, column=3)
    _print_setup(ws, header_row)


def _firmas_rows(ws: Worksheet, row: int, signed: Firmas) -> int:
    """The sheet ends with the plan's Elaboró / Revisó / Aprobó and this report's approvals («sin aprobar»
    while it has none), a row per signature under the table's wide columns; returns the next free row."""
    for heading, firmas in ((firmas_caption(signed), signed.plan), (FIRMAS_INFORME, signed.informe)):
        _put(ws, row, 2, heading).font = _font(bold=True, size=12, color=NAVY)
        if not firmas:
            empty = SIN_APROBAR if heading == FIRMAS_INFORME else "el plan no registra firmas"
            _put(ws, row, 3, empty).font = _font(bold=True, color=SEMAFORO_STYLE["rojo"][1])
        for n, values in enumerate([("Firma", "Nombre", "Cargo", "Fecha")] + [tuple(f) for f in firmas] if firmas else []):
            row += 1
            for col, value in zip(FIRMA_COLUMNS, values, strict=True):
                cell = _put(ws, row, col, value or None)
                cell.border, cell.alignment = BORDER, WRAP
                cell.font = _font(bold=n == 0 or col == FIRMA_COLUMNS[0])
            ws.merge_cells(start_row=row, start_column=FIRMA_COLUMNS[2], end_row=row, end_column=FIRMA_COLUMNS[3] - 1)
        row += 2
    return row


def _named(wb: Workbook, name: str, style: Callable[[], tuple[Font, str | None, Alignment]]) -> str:
    """A bordered named style, made by ``style`` (font, number format, alignment) and registered on the
    workbook on first use: one style per kind of cell, not a font, border and alignment per cell (openpyxl
    hashes each of those: most of a year's workbook time)."""
    if name not in wb.named_styles:
        from openpyxl.styles import NamedStyle

        font, number_format, alignment = style()
        wb.add_named_style(NamedStyle(name=name, font=font, border=BORDER, number_format=number_format or "General",
                                      alignment=alignment))
    return name


def _detail_style(wb: Workbook, top: bool, font: str, voided: bool, date: bool) -> str:
    """The named style of a Detalle cell: a link, a SHA-256 or text, voided or not, a date or not."""
    def style() -> tuple[Font, str | None, Alignment]:
        grey = "808080" if voided else "000000"
        fonts = {"enlace": _font(color="0563C1", underline="single", strike=voided),
                 "sha": Font(name="Consolas", size=9, color=grey, strike=voided),
                 "": _font(color="808080", strike=True) if voided else _font()}
        return fonts[font], DATE if date else None, Alignment(vertical="top") if top else WRAP

    return _named(wb, f"pec detalle {font or 'texto'}{' anulada' if voided else ''}{' arriba' if top else ''}"
                      f"{' fecha' if date else ''}", style)


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
    widths = [c[2] for c in DETAIL_COLUMNS]
    _header(ws, header_row, [c[0] for c in DETAIL_COLUMNS], widths)
    styles: dict[tuple[bool, str, bool, bool], str] = {}  # a workbook's named styles are a list: look each up once
    for item in rows:
        row += 1
        voided = item["estado"] == "anulada"
        values = []
        for col, (_, key, _) in enumerate(DETAIL_COLUMNS, start=1):
            value = item[key]
            if key == "fecha" and value:
                value = dt.date.fromisoformat(value)
            elif isinstance(value, bool):
                value = "sí" if value else "no"
            elif value is None:
                value = None
            elif not isinstance(value, int | float | str):
                value = str(value)
            values.append(value)
            if value is None or value == "":
                continue
            cell = _put(ws, row, col, value)
            link = item["evidencia_enlace"] if key == "evidencia" else item["url_enlace"] if key == "url" else None
            if link:
                cell.hyperlink = link
            kind = (key in ("registrado", "id", "fecha"), "enlace" if link else "sha" if key == "evidencia_sha256" else "",
                    voided, isinstance(value, dt.date))
            cell.style = styles.get(kind) or styles.setdefault(kind, _detail_style(ws.parent, *kind))
        _fit_height(ws, row, widths, 13.0, values)
    last = max(row, header_row + 1)
    ws.auto_filter.ref = f"A{header_row}:{get_column_letter(len(DETAIL_COLUMNS))}{last}"
    ws.freeze_panes = ws.cell(row=header_row + 1, column=2)
    _borders(ws, header_row + 1, row, len(DETAIL_COLUMNS))
    _print_setup(ws, header_row)


def _save(wb: Workbook, title: dict[str, Any]) -> bytes:
    """The workbook's bytes, the same for the same content: openpyxl stamps the time of writing
    in the zip and in the document properties; both are set to the corte (else the vigencia's end)."""
    wb.properties.title = f"{title['plan']} {title['vigencia']}"
    wb.properties.creator = "pec"
    buffer = io.BytesIO()
    wb.save(buffer)
    when = str(title.get("corte") or f"{title['vigencia']}-12-31")
    stamp = f"{when}T00:00:00Z".encode()
    out = io.BytesIO()
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():  # the workbook's own order ([Content_Types].xml first), as Excel expects
            data = source.read(info)
            if info.filename == "docProps/core.xml":
                data = _CORE_DATES.sub(rb"\g<1>" + stamp + rb"\g<2>", data)
            fixed = zipfile.ZipInfo(info.filename, (int(when[:4]), int(when[5:7]), int(when[8:10]), 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(fixed, data)
    return out.getvalue()


_CORE_DATES = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:(?:created|modified)>)")


def _grid(ws: Worksheet, row: int, columns: list[tuple[str, int, str | None]], values: list[list[Any]]) -> int:
    """A header and rows of plain values, a number in its column's format; returns the next free row. The cells
    carry no style of their own (Calibri 11 and numbers to the right are a sheet's defaults): ``_borders``."""
    _header(ws, row, [c[0] for c in columns], [c[1] for c in columns])
    first = row + 1
    for line in values:
        row += 1
        for col, (value, (_, _, number_format)) in enumerate(zip(line, columns, strict=True), start=1):
            if value is not None and value != "":
                _put(ws, row, col, value, number_format if isinstance(value, int | float) else None)
    _borders(ws, first, row, len(columns))
    return row + 2


def _borders(ws: Worksheet, first: int, last: int, columns: int) -> None:
    """The grid's thin borders on every cell of rows ``first`` to ``last``, written or not: one conditional rule
    instead of a style per cell (an empty cell stays unwritten; the year's Detalle and checklist are 40,000)."""
    if last >= first:
        ws.conditional_formatting.add(f"A{first}:{get_column_letter(columns)}{last}",
                                      FormulaRule(formula=["TRUE"], border=BORDER))


def _redes_sheet(ws: Worksheet, title: dict[str, Any], table: Table) -> None:
    """Per network of each gauge: base, last value, growth and its meta, the % before and after the cap."""
    ws.title = "Redes"
    row = _title_block(ws, title, "Seguidores por red, acumulado al corte", [
        ("Corte", table.corte),
        ("Cómo se cuenta", "Cada red se mide contra su propia meta y su % se limita a 0-100 antes del promedio: "
                           "una red que crece mucho no oculta otra que no creció, y una caída cuenta como 0. "
                           "«% sin tope» es el crecimiento frente a lo programado al corte («Meta a la fecha»); "
                           "«% de la meta anual», frente a la meta del año («Meta anual»)."),
    ])
    columns = [("Actividad", 14, None), ("Serie", 34, None), ("Red", 12, None), ("Línea base", 11, "#,##0"),
               ("Último valor", 12, "#,##0"), ("Crecimiento", 12, "#,##0"), ("Meta a la fecha", 12, "#,##0.##"),
               ("Meta anual", 11, "#,##0.##"), ("% sin tope", 11, PERCENT), ("% que cuenta", 12, PERCENT),
               ("% de la meta anual", 12, PERCENT), ("Estado", 14, None)]
    values = []
    for act in table.activities():
        # the gauge's own series counts in the avance; its other series (interacción) are shown, never counted
        for serie, rows, counts in [(act.tipo_principal, act.series, True), *((name, rows, False) for name, rows in act.otras_series)]:
            values += [
                [act.id, serie, s.nombre, s.inicio, s.fin, s.crecimiento, s.meta, s.meta_anual, _fraction(s.cumplimiento),
                 _fraction(s.cumplimiento_con_tope) if counts else None, _fraction(s.cumplimiento_anual),
                 "sin medición" if s.sin_medicion else "medida"]
                for s in rows
            ]
    row = _grid(ws, row, columns, values)
    solicitudes = [[act.id, a.area, a.recibidas, a.atendidas] for act in table.activities() for a in act.solicitudes]
    if solicitudes:
        _put(ws, row, 1, "Solicitudes por área").font = _font(bold=True, size=12, color=NAVY)
        _grid(ws, row + 1, [("Actividad", 14, None), ("Área", 34, None), ("Recibidas", 12, "0"), ("Atendidas", 12, "0")],
              solicitudes)
    _print_setup(ws, row)


def _meses_sheet(ws: Worksheet, title: dict[str, Any], table: Table) -> None:
    """Per month of each activity with a monthly meta: pieces against the month's meta."""
    ws.title = "Meses"
    row = _title_block(ws, title, "Piezas por mes frente a la meta mensual", [("Corte", table.corte)])
    columns = [("Actividad", 18, None), ("Mes", 16, None), ("Realizadas", 11, "0"), ("Meta del mes", 12, "0.##"),
               ("Cumple", 9, None)]
    values = [
        [act.id, f"{MONTHS[int(m.mes[5:]) - 1]} {m.mes[:4]}", m.realizadas, m.meta,
         "" if m.meta is None else ("sí" if m.realizadas >= m.meta else "no")]
        for act in table.activities() for m in act.meses
    ]
    _grid(ws, row, columns, values)
    _print_setup(ws, row)


def _graficos_sheet(ws: Worksheet, title: dict[str, Any], history: list[Table]) -> None:
    """Per line, native charts over a small data block: logrado vs programado per quarter,
    and the cumulative curve against the programado acumulado (25/50/75/100)."""
    from openpyxl.chart import BarChart, LineChart, Reference

    ws.title = "Gráficos"
    table = history[-1]
    row = _title_block(ws, title, "Gráficos por línea (puntos porcentuales de la meta anual)", [("Corte", table.corte)])
    columns = [("Trimestre", 11, None), ("Programado", 12, "0.00"), ("Logrado", 11, "0.00"),
               ("Programado acumulado", 14, "0.00"), ("Logrado acumulado", 13, "0.00")]
    for line in table.lines():
        _put(ws, row, 1, line.nombre).font = _font(bold=True, size=12, color=NAVY)
        first = row + 1
        acumulado, total = [], 0.0
        for k in range(4):
            total += line.programacion[k]
            past = history[k].row(line.id).acumulado if k < len(history) else None
            acumulado.append((total, None if past is None else (0.0 if past.kind is Kind.NOTHING else past.value)))
        values = [
            [f"Trim. {q}", line.programacion[k], line.trimestres[k].value if line.trimestres[k].kind is Kind.NUMBER else None,
             acumulado[k][0], acumulado[k][1]]
            for k, q in enumerate(("I", "II", "III", "IV"))
        ]
        row = _grid(ws, first, columns, values)
        categories = Reference(ws, min_col=1, min_row=first + 1, max_row=first + 4)
        bars = BarChart()
        bars.type, bars.grouping = "col", "clustered"
        bars.title = f"{line.nombre}: por trimestre"
        bars.y_axis.title = "puntos de la meta anual"
        bars.y_axis.scaling.min = 0  # a bar from zero: one from 21 to 25,5 reads as five times its neighbour
        bars.add_data(Reference(ws, min_col=2, max_col=3, min_row=first, max_row=first + 4), titles_from_data=True)
        bars.set_categories(categories)
        bars.height, bars.width = 7, 12
        ws.add_chart(bars, f"G{first - 1}")
        curve = LineChart()
        curve.title = f"{line.nombre}: acumulado"
        curve.y_axis.title = "% de la meta anual"
        curve.y_axis.scaling.min, curve.y_axis.scaling.max = 0, 100
        curve.add_data(Reference(ws, min_col=4, max_col=5, min_row=first, max_row=first + 4), titles_from_data=True)
        curve.set_categories(categories)
        curve.height, curve.width = 7, 12
        ws.add_chart(curve, f"O{first - 1}")
        row = max(row, first + 14)
    # one line's data and its two charts side by side, across one landscape page
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


EVIDENCE_WIDTHS = {"id": 15, "actividad": 14, "tipo": 13, "fecha": 11, "título": 36, "evidencia": 34, "sha256": 35,
                   "registrado_por": 20, "registrado": 26, "días": 7, "red": 11, "extemporánea": 13, "con evidencia": 13,
                   "contadas": 10}


def _evidencias_sheet(ws: Worksheet, title: dict[str, Any], blocks: list[Block]) -> None:
    """The paquete's evidence checklist (``checklist``): its three blocks, one under the other, as in its CSV."""
    ws.title = "Evidencias"
    row = _title_block(ws, title, "Lista de chequeo de evidencias para Control Interno", [("Corte", title["corte"])])
    header_row = row + 1
    for block in blocks:
        _put(ws, row, 1, block.title).font = _font(bold=True, size=12, color=NAVY)
        row = _grid(ws, row + 1, [(h, EVIDENCE_WIDTHS[h], "0") for h in block.headers], [list(r) for r in block.rows])
    _print_setup(ws, header_row)


FICHA_WIDTHS = [28, 100]


def _fichas_sheet(ws: Worksheet, title: dict[str, Any], sheets: list[Ficha]) -> None:
    """The indicator sheets one below the other, each a block of label and value rows that prints on its own
    page: one tab for all of them reads better than twelve (Find and the page breaks do the rest)."""
    from openpyxl.worksheet.pagebreak import Break

    ws.title = "Fichas"
    row = _title_block(ws, title, "Fichas de los indicadores (hoja de vida de cada indicador, del plan)", [
        ("Indicadores", f"{len(sheets)}: cada línea del Seguimiento y cada una de sus actividades"),
    ], span=len(FICHA_WIDTHS))
    for col, width in enumerate(FICHA_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    for n, ficha in enumerate(sheets):
        if n:
            ws.row_breaks.append(Break(id=row - 1))
        _put(ws, row, 1, ficha.titulo).font = _font(bold=True, size=13, color=NAVY)
        for label, value in ficha.campos:
            row += 1
            head = _put(ws, row, 1, label)
            head.font, head.fill, head.border, head.alignment = _font(bold=True), LINE_FILL, BORDER, WRAP
            cell = _put(ws, row, 2, value)
            cell.border, cell.alignment = BORDER, WRAP
            _fit_height(ws, row, FICHA_WIDTHS)
        row += 2
    ws.page_setup.orientation = "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def fichas_workbook(title: dict[str, Any], sheets: list[Ficha]) -> bytes:
    """One sheet, "Fichas": ``pec export fichas``."""
    wb = Workbook()
    _fichas_sheet(wb.active, title, sheets)
    return _save(wb, title)


def seguimiento_workbook(title: dict[str, Any], history: list[Table], rows: list[dict[str, Any]], detail: Selection,
                         evidencias: list[Block] | None = None, sheets: list[Ficha] | None = None) -> bytes:
    """Sheets "Seguimiento" (the last of ``history``), "Redes", "Meses", "Gráficos", "Detalle" (``rows``),
    "Fichas" (``sheets``, the plan's indicator sheets) and, in the paquete, "Evidencias" (the checklist's blocks).

    ``history`` holds the tables of quarters I..q, for the cumulative curves.
    """
    table = history[-1]
    wb = Workbook()
    _seguimiento_sheet(wb.active, title, table)
    if any(act.series or act.solicitudes for act in table.activities()):
        _redes_sheet(wb.create_sheet("Redes"), title, table)
    if any(act.meses for act in table.activities()):
        _meses_sheet(wb.create_sheet("Meses"), title, table)
    _graficos_sheet(wb.create_sheet("Gráficos"), title, history)
    _detail_sheet(wb.create_sheet("Detalle"), title, rows, detail)
    if sheets:
        _fichas_sheet(wb.create_sheet("Fichas"), title, sheets)
    if evidencias is not None:
        _evidencias_sheet(wb.create_sheet("Evidencias"), title, evidencias)
    return _save(wb, title)


def detail_workbook(title: dict[str, Any], rows: list[dict[str, Any]], detail: Selection) -> bytes:
    """One sheet, "Detalle": the entries of ``pec export xlsx --detalle``."""
    wb = Workbook()
    _detail_sheet(wb.active, title, rows, detail)
    return _save(wb, title)
