"""The committee workbook (XLSX): Seguimiento, Redes, Meses, Gráficos and the Detalle of entries.

The only module that imports XlsxWriter (imported here, so ``pec status``
never pays for it). It lays out the Seguimiento table model (``table.Table``)
and the detail rows, so every number in the workbook is the one ``pec status
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
import warnings
from typing import Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

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
NAVY = "#1F4E79"
# Excel's own "Good / Neutral / Bad" cell styles: what a committee already reads as a traffic light
SEMAFORO_STYLE = {
    "verde": ("#C6EFCE", "#006100"),
    "amarillo": ("#FFEB9C", "#9C5700"),
    "rojo": ("#FFC7CE", "#9C0006"),
    None: ("#F2F2F2", "#595959"),
}
LINE = {"pattern": 1, "bg_color": "#DDEBF7"}  # a line's row, and a ficha's labels
HEADER = {"bold": True, "font_color": "#FFFFFF", "pattern": 1, "bg_color": NAVY, "border": 1, "border_color": "#BFBFBF",
          "text_wrap": True, "align": "center", "valign": "vcenter"}
BORDER = {"border": 1, "border_color": "#BFBFBF"}  # thin and light grey, on every cell of a grid
WRAP = {"text_wrap": True, "valign": "top"}
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
# the control characters XML forbids (a text cell holding one would make the file unreadable)
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def text(value: Any) -> str:
    """A string a cell can hold: without the control characters XML forbids."""
    return _ILLEGAL.sub("", str(value))


class Book:
    """One workbook being written, in memory, with each cell format made once (XlsxWriter wants a format object
    per combination of font, fill, border, alignment and number format)."""

    def __init__(self) -> None:
        self.buffer = io.BytesIO()
        # strings stay text (never a formula, a number or a link) and a NaN or infinity is Excel's #NUM!
        self.wb = xlsxwriter.Workbook(self.buffer, {"in_memory": True, "strings_to_formulas": False,
                                                    "strings_to_numbers": False, "strings_to_urls": False,
                                                    "nan_inf_to_errors": True})
        self._formats: dict[tuple[tuple[str, Any], ...], Format | None] = {}

    def format(self, **style: Any) -> Format | None:
        """The format of ``style`` (an XlsxWriter property and its value; a None, False or 0 is left out)."""
        key = tuple(style.items())  # a call site names its properties in one order: the quick look-up
        if key not in self._formats:
            props = {k: v for k, v in style.items() if v not in (None, False, 0)}
            same = tuple(sorted(props.items()))
            if same not in self._formats:
                self._formats[same] = self.wb.add_format(props) if props else None
            self._formats[key] = self._formats[same]
        return self._formats[key]

    def sheet(self, name: str) -> Sheet:
        return Sheet(self, self.wb.add_worksheet(name))

    def save(self, title: dict[str, Any]) -> bytes:
        """The workbook's bytes, the same for the same content: its document dates are the corte (else the
        vigencia's end), and XlsxWriter dates every member of the zip 1980-01-01."""
        when = dt.date.fromisoformat(str(title.get("corte") or f"{title['vigencia']}-12-31"))
        self.wb.set_properties({"title": f"{title['plan']} {title['vigencia']}", "author": "pec",
                                "created": dt.datetime(when.year, when.month, when.day)})
        self.wb.close()
        return self.buffer.getvalue()


class Sheet:
    """A worksheet addressed as a reader counts, from row 1 and column 1 (XlsxWriter counts from 0)."""

    def __init__(self, book: Book, ws: Worksheet) -> None:
        self.book, self.ws = book, ws

    def put(self, row: int, col: int, value: Any, **style: Any) -> None:
        """Write one cell with its style; a date gets the date format."""
        if isinstance(value, dt.date) and not style.get("num_format"):
            style["num_format"] = DATE
        self.write(row, col, value, self.book.format(**style))

    def write(self, row: int, col: int, value: Any, fmt: Format | None) -> None:
        """Write one cell by its type: a string is always text (never a formula, a number or a link)."""
        r, c = row - 1, col - 1
        if value is None or value == "":
            self.ws.write_blank(r, c, None, fmt)
        elif isinstance(value, bool):
            self.ws.write_boolean(r, c, value, fmt)
        elif isinstance(value, dt.date):
            self.ws.write_datetime(r, c, value, fmt)
        elif isinstance(value, int | float):
            self.ws.write_number(r, c, value, fmt)
        else:
            self.ws.write_string(r, c, text(value), fmt)

    def link(self, row: int, col: int, url: str, value: str, fmt: Format | None) -> bool:
        """A hyperlink cell showing ``value``; False when Excel would refuse the link (too long, or past its
        65,530 links a sheet) and nothing was written."""
        target = url if "://" in url else "external:" + url
        with warnings.catch_warnings():  # XlsxWriter warns on stderr where it returns the refusal
            warnings.simplefilter("ignore")
            return self.ws.write_url(row - 1, col - 1, target, fmt, text(value)) == 0

    def merge(self, row: int, first: int, last: int, value: Any, **style: Any) -> None:
        """``value`` across columns ``first`` to ``last`` of ``row``."""
        self.ws.merge_range(row - 1, first - 1, row - 1, last - 1, "", self.book.format(**style))
        self.put(row, first, value, **style)

    def height(self, row: int, points: float) -> None:
        self.ws.set_row(row - 1, points)

    def width(self, col: int, chars: float) -> None:
        self.ws.set_column(col - 1, col - 1, chars)

    def freeze(self, row: int, col: int) -> None:
        """Rows above ``row`` and columns left of ``col`` stay in view."""
        self.ws.freeze_panes(row - 1, col - 1)

    def borders(self, first: int, last: int, columns: int) -> None:
        """The grid's thin borders on every cell of rows ``first`` to ``last``, written or not: one conditional
        rule instead of a border per cell (an empty cell stays unwritten)."""
        if last >= first:
            self.ws.conditional_format(first - 1, 0, last - 1, columns - 1, {
                "type": "formula", "criteria": "TRUE", "format": self.book.format(**BORDER)})

    def print_setup(self, header_row: int | None, landscape: bool = True) -> None:
        """A4, one page wide, the header row on every page."""
        if landscape:
            self.ws.set_landscape()
        else:
            self.ws.set_portrait()
        self.ws.set_paper(9)  # A4
        self.ws.fit_to_pages(1, 0)
        if header_row is not None:
            self.ws.repeat_rows(header_row - 1)
            self.ws.set_margins(left=0.4, right=0.4)


def _fit_height(sheet: Sheet, row: int, widths: list[int], values: list[Any], line_height: float = 15.0) -> None:
    """Set a row's height for its wrapped text: spreadsheet apps do not all grow rows on open."""
    lines = 1
    for width, value in zip(widths, values, strict=False):
        if isinstance(value, str) and value:
            per_line = max(1, int(width * 1.15) - 1)
            lines = max(lines, sum(-(-max(1, len(part)) // per_line) for part in value.split("\n")))
    sheet.height(row, line_height * lines + 2)


def _fraction(value: float | None) -> float | None:
    """Percentage points -> the fraction a '0.00%' cell shows (40.0 -> 0.4)."""
    return None if value is None else round(value / 100.0, 6)


def _heading(sheet: Sheet, row: int, value: str, size: int = 12) -> None:
    sheet.put(row, 1, value, bold=True, font_size=size, font_color=NAVY)


def _title_block(sheet: Sheet, title: dict[str, Any], heading: str, extra: list[tuple[str, Any]],
                 span: int = TEXT_SPAN) -> int:
    """Entity, plan, the sheet's heading and label/value rows; returns the next free row. A text value spans
    columns B to ``span``, the sheet's last: a merge beyond it would widen the printed page."""
    entidad = title["entidad"] + (f" ({title['sigla']})" if title.get("sigla") else "")
    _heading(sheet, 1, entidad, size=14)
    sheet.put(2, 1, f"{title['plan']} {title['vigencia']} · versión {title['version']}", bold=True, font_size=12)
    sheet.put(3, 1, heading, italic=True, font_color="#595959")
    row = 4
    for label, value in [("Vigencia", title["vigencia"]), *extra]:
        # beside a wrapped text's first line; a long label wraps in column A (some 12 characters on every sheet)
        sheet.put(row, 1, label, bold=True, **WRAP)
        style = {"align": "left", "valign": "top", "text_wrap": isinstance(value, str)}
        if isinstance(value, str) and span > 2:
            # a text spans the sheet's width (the Detalle's column B is a date's), a long one wrapping there
            # instead of stretching the printed page
            sheet.merge(row, 2, span, value, **style)
        else:
            sheet.put(row, 2, value, **style)
        lines = max(len(value) // 150 + 1 if isinstance(value, str) else 1, -(-len(label) // 12))
        if lines > 1 or isinstance(value, str):
            sheet.height(row, 15.0 * lines + 2)
        row += 1
    return row + 1


def _header(sheet: Sheet, row: int, headers: list[str], widths: list[int]) -> None:
    for col, (name, width) in enumerate(zip(headers, widths, strict=True), start=1):
        sheet.put(row, col, name, **HEADER)
        sheet.width(col, width)
    sheet.height(row, 30)


def _seguimiento_value(value: CellValue, kind: str) -> Any:
    """What a cell of the Seguimiento sheet holds: a fraction formatted as %, a count, or text."""
    if isinstance(value, Cell):
        return _fraction(value.value) if value.kind is Kind.NUMBER else SYMBOLS[value.kind] or None
    if kind == "semaforo":
        return semaforo_text(value)
    if kind == "count":
        return as_typed(value) if isinstance(value, int | float) else None
    return value or None


def _seguimiento_style(column_kind: str, column_key: str, semaforo: str | None, is_line: bool) -> dict[str, Any]:
    """A Seguimiento cell's style: numbers to the right, the semáforo in its colours, a line's row in bold."""
    if column_kind == "semaforo":
        fill, colour = SEMAFORO_STYLE[semaforo]
        return {"pattern": 1, "bg_color": fill, "align": "center", "valign": "top", "bold": True, "font_color": colour}
    if column_kind in ("percent", "count"):
        style: dict[str, Any] = {"valign": "top", "align": "right"}
    elif column_key in WRAPPED:
        style = {**WRAP, "indent": int(column_key == "nombre" and not is_line)}
    else:
        style = {"valign": "top", "align": "left"}
    return {**style, **LINE, "bold": True} if is_line else style


def _seguimiento_sheet(book: Book, title: dict[str, Any], table: Table) -> None:
    sheet = book.sheet("Seguimiento")
    row = _title_block(sheet, title, "Seguimiento: Implementación del PEC", [
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
    _header(sheet, header_row, table.header_row(counts=True), widths)
    for item in table.rows:
        row += 1
        values = [_seguimiento_value(value, column.kind)
                  for column, value in zip(columns, table.values(item, counts=True), strict=True)]
        for col, (column, content) in enumerate(zip(columns, values, strict=True), start=1):
            sheet.put(row, col, content, **BORDER, num_format=PERCENT if isinstance(content, float) else None,
                      **_seguimiento_style(column.kind, column.key, item.semaforo, item.is_line))
        _fit_height(sheet, row, widths, values)
    _firmas_rows(sheet, row + 3, table.firmas)
    sheet.freeze(header_row + 1, 3)
    sheet.print_setup(header_row)


def _firmas_rows(sheet: Sheet, row: int, signed: Firmas) -> int:
    """The sheet ends with the plan's Elaboró / Revisó / Aprobó and this report's approvals («sin aprobar»
    while it has none), a row per signature under the table's wide columns; returns the next free row."""
    for heading, firmas in ((firmas_caption(signed), signed.plan), (FIRMAS_INFORME, signed.informe)):
        sheet.put(row, 2, heading, bold=True, font_size=12, font_color=NAVY)
        if not firmas:
            empty = SIN_APROBAR if heading == FIRMAS_INFORME else "el plan no registra firmas"
            sheet.put(row, 3, empty, bold=True, font_color=SEMAFORO_STYLE["rojo"][1])
        for n, values in enumerate([("Firma", "Nombre", "Cargo", "Fecha")] + [tuple(f) for f in firmas] if firmas else []):
            row += 1
            for col, value in zip(FIRMA_COLUMNS, values, strict=True):
                style = {**BORDER, **WRAP, "bold": n == 0 or col == FIRMA_COLUMNS[0]}
                if col == FIRMA_COLUMNS[2]:
                    sheet.merge(row, col, FIRMA_COLUMNS[3] - 1, value or None, **style)
                else:
                    sheet.put(row, col, value or None, **style)
        row += 2
    return row


def _detail_style(book: Book, top: bool, font: str, voided: bool, date: bool) -> Format | None:
    """A Detalle cell's format: a link, a SHA-256 or text, voided (grey, struck through) or not, a date or not."""
    grey = "#808080" if voided else None
    fonts: dict[str, dict[str, Any]] = {"enlace": {"font_color": "#0563C1", "underline": 1},
             "sha": {"font_name": "Consolas", "font_size": 9, "font_color": grey},
             "": {"font_color": grey}}
    return book.format(**BORDER, **fonts[font], font_strikeout=voided, num_format=DATE if date else None,
                       **({"valign": "top"} if top else WRAP))


def _detail_value(item: dict[str, Any], key: str) -> Any:
    value = item[key]
    if key == "fecha" and value:
        return dt.date.fromisoformat(value)
    if isinstance(value, bool):
        return "sí" if value else "no"
    if value is None or isinstance(value, int | float | str):
        return value
    return str(value)


def _detail_sheet(sheet: Sheet, title: dict[str, Any], rows: list[dict[str, Any]], detail: Selection) -> None:
    if detail.desde and detail.hasta:
        period = f"del {detail.desde} al {detail.hasta}"
    else:
        period = f"toda la vigencia {title['vigencia']}"
    row = _title_block(sheet, title, "Detalle de piezas y evidencias", [
        ("Período", period),
        ("Piezas", piece_count(rows)),
    ])
    header_row = row
    widths = [c[2] for c in DETAIL_COLUMNS]
    _header(sheet, header_row, [c[0] for c in DETAIL_COLUMNS], widths)
    formats: dict[tuple[bool, str, bool, bool], Format | None] = {}
    for item in rows:
        row += 1
        voided = item["estado"] == "anulada"
        values = [_detail_value(item, key) for _, key, _ in DETAIL_COLUMNS]
        for col, ((_, key, _), value) in enumerate(zip(DETAIL_COLUMNS, values, strict=True), start=1):
            if value is None or value == "":
                continue
            top = key in ("registrado", "id", "fecha")
            link = item["evidencia_enlace"] if key == "evidencia" else item["url_enlace"] if key == "url" else None
            kind = (top, "enlace", voided, False)
            if link and sheet.link(row, col, link, value, formats.get(kind) or formats.setdefault(kind, _detail_style(sheet.book, *kind))):
                continue
            kind = (top, "sha" if key == "evidencia_sha256" else "", voided, isinstance(value, dt.date))
            sheet.write(row, col, value, formats.get(kind) or formats.setdefault(kind, _detail_style(sheet.book, *kind)))
        _fit_height(sheet, row, widths, values, 13.0)
    sheet.ws.autofilter(header_row - 1, 0, max(row, header_row + 1) - 1, len(DETAIL_COLUMNS) - 1)
    sheet.freeze(header_row + 1, 2)
    sheet.borders(header_row + 1, row, len(DETAIL_COLUMNS))
    sheet.print_setup(header_row)


def _grid(sheet: Sheet, row: int, columns: list[tuple[str, int, str | None]], values: list[list[Any]]) -> int:
    """A header and rows of plain values, a number in its column's format; returns the next free row. The cells
    carry no style of their own (Calibri 11 and numbers to the right are a sheet's defaults): ``borders``."""
    _header(sheet, row, [c[0] for c in columns], [c[1] for c in columns])
    first = row + 1
    for line in values:
        row += 1
        for col, (value, (_, _, number_format)) in enumerate(zip(line, columns, strict=True), start=1):
            if value is not None and value != "":
                sheet.put(row, col, value, num_format=number_format if isinstance(value, int | float) else None)
    sheet.borders(first, row, len(columns))
    return row + 2


def _redes_sheet(book: Book, title: dict[str, Any], table: Table) -> None:
    """Per network of each gauge: base, last value, growth and its meta, the % before and after the cap."""
    sheet = book.sheet("Redes")
    row = _title_block(sheet, title, "Seguidores por red, acumulado al corte", [
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
    header_row = row
    row = _grid(sheet, row, columns, values)
    solicitudes = [[act.id, a.area, a.recibidas, a.atendidas] for act in table.activities() for a in act.solicitudes]
    if solicitudes:
        _heading(sheet, row, "Solicitudes por área")
        _grid(sheet, row + 1, [("Actividad", 14, None), ("Área", 34, None), ("Recibidas", 12, "0"), ("Atendidas", 12, "0")],
              solicitudes)
    sheet.print_setup(header_row)


def _meses_sheet(book: Book, title: dict[str, Any], table: Table) -> None:
    """Per month of each activity with a monthly meta: pieces against the month's meta."""
    sheet = book.sheet("Meses")
    row = _title_block(sheet, title, "Piezas por mes frente a la meta mensual", [("Corte", table.corte)])
    columns = [("Actividad", 18, None), ("Mes", 16, None), ("Realizadas", 11, "0"), ("Meta del mes", 12, "0.##"),
               ("Cumple", 9, None)]
    values = [
        [act.id, f"{MONTHS[int(m.mes[5:]) - 1]} {m.mes[:4]}", m.realizadas, m.meta,
         "" if m.meta is None else ("sí" if m.realizadas >= m.meta else "no")]
        for act in table.activities() for m in act.meses
    ]
    _grid(sheet, row, columns, values)
    sheet.print_setup(row)


CHART_SIZE = {"width": 454, "height": 265}  # 12 x 7 cm: one line's data and its two charts across a landscape page


def _chart(sheet: Sheet, kind: str, name: str, first: int, columns: tuple[int, int], axis: dict[str, Any]) -> Any:
    """A native chart of the block whose header is row ``first``: one series per column, the quarters as
    categories."""
    chart = sheet.book.wb.add_chart({"type": kind})
    for col in columns:
        chart.add_series({"name": [sheet.ws.name, first - 1, col - 1],
                          "categories": [sheet.ws.name, first, 0, first + 3, 0],
                          "values": [sheet.ws.name, first, col - 1, first + 3, col - 1],
                          # a point of its own: a quarter between two blanks (N/A, after the corte) is no line
                          **({"marker": {"type": "automatic"}} if kind == "line" else {})})
    # XlsxWriter reads a title like «¡Gestión!USPEC2024» as a cell reference: a zero-width space after «!» keeps it text
    chart.set_title({"name": name.replace("!", "!\u200b")})
    chart.set_y_axis(axis)
    chart.set_size(CHART_SIZE)
    return chart


def _graficos_sheet(book: Book, title: dict[str, Any], history: list[Table]) -> None:
    """Per line, native charts over a small data block: logrado vs programado per quarter,
    and the cumulative curve against the programado acumulado (25/50/75/100)."""
    sheet = book.sheet("Gráficos")
    table = history[-1]
    row = _title_block(sheet, title, "Gráficos por línea (puntos porcentuales de la meta anual)", [("Corte", table.corte)])
    columns = [("Trimestre", 11, None), ("Programado", 12, "0.00"), ("Logrado", 11, "0.00"),
               ("Programado acumulado", 14, "0.00"), ("Logrado acumulado", 13, "0.00")]
    breaks = []
    for n, line in enumerate(table.lines()):
        if n and n % 2 == 0:
            breaks.append(row - 1)  # two lines a printed page: a block's charts are never cut across two
        _heading(sheet, row, line.nombre)
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
        row = _grid(sheet, first, columns, values)
        # a bar from zero: one from 21 to 25,5 reads as five times its neighbour
        sheet.ws.insert_chart(f"G{first - 1}", _chart(sheet, "column", f"{line.nombre}: por trimestre", first, (2, 3),
                                                      {"name": "puntos de la meta anual", "min": 0}))
        sheet.ws.insert_chart(f"O{first - 1}", _chart(sheet, "line", f"{line.nombre}: acumulado", first, (4, 5),
                                                      {"name": "% de la meta anual", "min": 0, "max": 100}))
        row = max(row, first + 14)
    sheet.ws.set_h_pagebreaks(breaks)
    sheet.print_setup(None)


EVIDENCE_WIDTHS = {"id": 15, "actividad": 14, "tipo": 13, "fecha": 11, "título": 36, "evidencia": 34, "sha256": 35,
                   "registrado_por": 20, "registrado": 26, "días": 7, "red": 11, "extemporánea": 13, "con evidencia": 13,
                   "contadas": 10}


def _evidencias_sheet(book: Book, title: dict[str, Any], blocks: list[Block]) -> None:
    """The paquete's evidence checklist (``checklist``): its three blocks, one under the other, as in its CSV."""
    sheet = book.sheet("Evidencias")
    row = _title_block(sheet, title, "Lista de chequeo de evidencias para Control Interno", [("Corte", title["corte"])])
    header_row = row + 1
    for block in blocks:
        _heading(sheet, row, block.title)
        row = _grid(sheet, row + 1, [(h, EVIDENCE_WIDTHS[h], "0") for h in block.headers], [list(r) for r in block.rows])
    sheet.print_setup(header_row)


FICHA_WIDTHS = [28, 100]


def _fichas_sheet(book: Book, title: dict[str, Any], sheets: list[Ficha]) -> None:
    """The indicator sheets one below the other, each a block of label and value rows that prints on its own
    page: one tab for all of them reads better than twelve (Find and the page breaks do the rest)."""
    sheet = book.sheet("Fichas")
    row = _title_block(sheet, title, "Fichas de los indicadores (hoja de vida de cada indicador, del plan)", [
        ("Indicadores", f"{len(sheets)}: cada línea del Seguimiento y cada una de sus actividades"),
    ], span=len(FICHA_WIDTHS))
    for col, width in enumerate(FICHA_WIDTHS, start=1):
        sheet.width(col, width)
    breaks = []
    for n, ficha in enumerate(sheets):
        if n:
            breaks.append(row - 1)  # a page break under the previous ficha's last row
        sheet.put(row, 1, ficha.titulo, bold=True, font_size=13, font_color=NAVY)
        for label, value in ficha.campos:
            row += 1
            sheet.put(row, 1, label, bold=True, **LINE, **BORDER, **WRAP)
            sheet.put(row, 2, value, **BORDER, **WRAP)
            _fit_height(sheet, row, FICHA_WIDTHS, [label, value])
        row += 2
    sheet.ws.set_h_pagebreaks(breaks)
    sheet.print_setup(None, landscape=False)


def fichas_workbook(title: dict[str, Any], sheets: list[Ficha]) -> bytes:
    """One sheet, "Fichas": ``pec export fichas``."""
    book = Book()
    _fichas_sheet(book, title, sheets)
    return book.save(title)


def seguimiento_workbook(title: dict[str, Any], history: list[Table], rows: list[dict[str, Any]], detail: Selection,
                         evidencias: list[Block] | None = None, sheets: list[Ficha] | None = None) -> bytes:
    """Sheets "Seguimiento" (the last of ``history``), "Redes", "Meses", "Gráficos", "Detalle" (``rows``),
    "Fichas" (``sheets``, the plan's indicator sheets) and, in the paquete, "Evidencias" (the checklist's blocks).

    ``history`` holds the tables of quarters I..q, for the cumulative curves.
    """
    table = history[-1]
    book = Book()
    _seguimiento_sheet(book, title, table)
    if any(act.series or act.solicitudes for act in table.activities()):
        _redes_sheet(book, title, table)
    if any(act.meses for act in table.activities()):
        _meses_sheet(book, title, table)
    _graficos_sheet(book, title, history)
    _detail_sheet(book.sheet("Detalle"), title, rows, detail)
    if sheets:
        _fichas_sheet(book, title, sheets)
    if evidencias is not None:
        _evidencias_sheet(book, title, evidencias)
    return book.save(title)


def detail_workbook(title: dict[str, Any], rows: list[dict[str, Any]], detail: Selection) -> bytes:
    """One sheet, "Detalle": the entries of ``pec export xlsx --detalle``."""
    book = Book()
    _detail_sheet(book.sheet("Detalle"), title, rows, detail)
    return book.save(title)
