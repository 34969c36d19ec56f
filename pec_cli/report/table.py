"""The Seguimiento table as one typed value: what every writer lays out.

:func:`build` turns a :class:`~pec_cli.report.avance.Report` into a
:class:`Table`: a row per line and per activity, each quarter a typed
:class:`Cell` (a number, nada programado, no aplica, after the corte), the
counts and detail of each activity, with rounding applied here, once. The
terminal board, CSV, XLSX, HTML and Markdown writers only lay it out: none
decides on its own what "no aplica" looks like or how a number is rounded
(the model is hledger's ``Write/Spreadsheet``: one cell type, many writers).
Standard library only; no I/O.
"""

import datetime as dt
from collections.abc import Callable, Sequence
from enum import Enum
from typing import NamedTuple

from pec_cli.ledger.requests import demand_tipos
from pec_cli.plan.document import signatures, version_row
from pec_cli.plan.model import QUARTERS, Plan, quarter_bounds
from pec_cli.report.avance import ActivityReport, Figures, LineReport, Report, clamp
from pec_cli.report.closed import action_lines, closure_lines, closure_mark
from pec_cli.report.mediciones import mediciones_text, mediciones_to_dict
from pec_cli.report.numbers import count_text, pct, r2, short_text


class Kind(Enum):
    """What a percentage cell holds."""

    NUMBER = "número"
    NOTHING = "nada programado"  # p_q = 0 (campaigns in Trim. I)
    NOT_APPLICABLE = "no aplica"  # a demand quarter with no demand, a formula dividing by zero
    AFTER_CUT = "después del corte"  # a quarter after the requested one


class Cell(NamedTuple):
    """One percentage cell: percentage points of the annual meta, rounded to 2 decimals."""

    kind: Kind
    value: float | None = None  # only for NUMBER
    programado: float = 0.0
    dias_restantes: int | None = None  # set while the quarter is in progress ("en curso")

    @property
    def en_curso(self) -> bool:
        return self.dias_restantes is not None


# The words of a cell, the same in every format (SPEC §3), and the legend that explains them.
SYMBOLS = {Kind.NOTHING: "—", Kind.NOT_APPLICABLE: "N/A", Kind.AFTER_CUT: ""}
NO_TARGET = "sin meta"  # a semáforo over nothing programmed
LEGEND_CELLS = "N/A: no aplica (sin demanda en el período, o una fórmula que divide por cero); —: nada programado"
LEGEND_QUARTERS = (
    "Trimestres: puntos de la meta anual logrados en cada uno, cada trimestre hasta su propia meta "
    "(por eso no siempre suman el acumulado)"
)


def kind_of(fig: Figures) -> Kind:
    """The kind of a quarter's (or the acumulado's) cell: SPEC §3's one vocabulary."""
    if fig.programado <= 0:
        return Kind.NOTHING
    return Kind.NOT_APPLICABLE if fig.logrado is None else Kind.NUMBER


def number_cell(value: float | None) -> Cell:
    """A plain percentage (a meta, a programado): a number, or no aplica."""
    return Cell(Kind.NOT_APPLICABLE) if value is None else Cell(Kind.NUMBER, r2(value), value)


class SeriesRow(NamedTuple):
    """One measured series of a gauge (a social network), over the window to the corte."""

    id: str
    nombre: str
    inicio: float | None
    fin: float | None
    meta: float | None  # programmed to the corte (the annual meta x programado acumulado)
    cumplimiento: float | None  # rounded, unclamped: a fall shows negative, an overshoot above 100
    sin_medicion: bool
    meta_anual: float | None = None
    cumplimiento_anual: float | None = None  # rounded, unclamped: against the annual meta

    @property
    def crecimiento(self) -> float | None:
        return None if self.inicio is None or self.fin is None else self.fin - self.inicio

    @property
    def cumplimiento_con_tope(self) -> float | None:
        """What the activity's figure counts (SPEC §3): each network clamped to 0..100."""
        if self.sin_medicion:
            return 0.0
        return None if self.cumplimiento is None else clamp(self.cumplimiento)


class AreaRow(NamedTuple):
    """The requests of one área to the corte, and how many were answered."""

    area: str
    recibidas: int
    atendidas: int


class MonthRow(NamedTuple):
    mes: str  # AAAA-MM
    realizadas: int
    meta: float | None


class Row(NamedTuple):
    """A line or an activity of the Seguimiento table."""

    kind: str  # "linea" | "actividad"
    id: str
    nombre: str  # a line's is numbered: "1. Revista Gestión USPEC"
    indicador: str  # a line's: the document's text; an activity's: its formula
    formula: str  # the formula computed
    linea: str  # the line it belongs to (a line: itself)
    meta: float  # percent of the annual meta (100)
    programacion: tuple[float, ...]
    propia: bool  # its programación differs from the plan's (marked * on the board)
    trimestres: tuple[Cell, ...]  # I..IV
    acumulado: Cell
    semaforo: str | None
    observaciones: tuple[tuple[str, str], ...] = ()  # (quarter, text), quarters I..q
    realizadas: int | None = None  # what the indicator counts to the corte: pieces of the default tipo, requests answered
    cuenta: str = ""  # what ``realizadas`` counts: the default tipo's name, «atendidas de 3 (Solicitud de un área)»
    meta_piezas: float | None = None  # the annual meta in pieces, where there is one
    unidad: str = ""
    meta_texto: str = ""  # the plan's words for the meta ("Por solicitud de las áreas")
    indicador_nombre: str = ""  # a line's indicator name
    por_tipo: tuple[tuple[str, str, int], ...] = ()  # (tipo id, tipo name, count) to the corte
    series: tuple[SeriesRow, ...] = ()
    meses: tuple[MonthRow, ...] = ()
    otras_series: tuple[tuple[str, tuple[SeriesRow, ...]], ...] = ()  # a gauge's other measured tipos (interacción)
    solicitudes: tuple[AreaRow, ...] = ()
    otras_texto: tuple[str, ...] = ()  # the other series in words, as the board and the minutes say them
    recibidas: int | None = None  # a demand's requests (or eventos) received to the corte: ``realizadas`` of these
    demanda: str = ""  # the name of the demand's tipo («Solicitud de un área»)
    tipo_principal: str = ""  # the name of the default tipo («Medición de seguidores»)

    @property
    def is_line(self) -> bool:
        return self.kind == "linea"

    @property
    def is_gauge(self) -> bool:
        return bool(self.series)


class Column(NamedTuple):
    key: str
    header: str
    kind: str  # "text" | "percent" | "semaforo" | "notes"


COLUMNS = (
    Column("id", "id", "text"),
    Column("nombre", "Planes - Proyectos / Actividades", "text"),
    Column("indicador", "Indicador", "text"),
    Column("meta", "Meta % {vigencia}", "percent"),
    *(Column(q, f"Trim. {q}", "percent") for q in QUARTERS),
    Column("acumulado", "Acumulado", "percent"),
    Column("programado_acumulado", "Programado acumulado", "percent"),
    Column("semaforo", "Semáforo", "semaforo"),
    Column("observaciones", "Observaciones", "notes"),
)

# The counts behind the percentages, for the spreadsheet formats (CSV, XLSX).
COUNT_COLUMNS = (
    Column("realizadas", "Realizadas", "count"),
    Column("cuenta", "Qué cuenta", "text"),
    Column("meta_piezas", "Meta anual (piezas)", "count"),
    Column("por_tipo", "Registradas por tipo", "text"),
)

CellValue = str | Cell | float | int | None


class Firma(NamedTuple):
    """One signature a report ends with: the role, who, their position, and when."""

    rol: str  # «Elaboró / Actualizó», «Revisó», «Aprobó»
    nombre: str
    cargo: str
    fecha: str  # AAAA-MM-DD, or "" when the plan's version has no date


class Firmas(NamedTuple):
    """The blocks every Seguimiento report ends with: the plan's Elaboró / Revisó / Aprobó, then the
    report's own approvals («sin aprobar» while there is none)."""

    plan: tuple[Firma, ...] = ()
    informe: tuple[Firma, ...] = ()
    version: str = ""  # the plan's version the plan's firmas sign


FIRMAS_PLAN = "Firmas del plan"
FIRMAS_INFORME = "Aprobación de este informe"
SIN_APROBAR = "sin aprobar"


def firmas(plan: Plan, aprobaciones: Sequence[Firma] = ()) -> Firmas:
    """The plan's firmas (dated by its version's row in RESUMEN DE CAMBIOS) and the report's approvals.

    ``aprobaciones`` is where the report's own sign-offs come in (``pec aprobar``: rol, nombre, cargo and
    fecha of each, bound to the closure of the report's quarter); with none the report says «sin aprobar».
    """
    row = version_row(plan.textos, plan.version)
    fecha = str(row["fecha"]) if row else ""
    signed = tuple(Firma(label, firma["nombre"], firma["cargo"], fecha) for label, firma in signatures(plan))
    return Firmas(signed, tuple(aprobaciones), plan.version)


def firmas_caption(signed: Firmas) -> str:
    """«Firmas del plan (versión 1, 2023-12-26)»."""
    date = next((f.fecha for f in signed.plan if f.fecha), "")
    return f"{FIRMAS_PLAN} (versión {signed.version}{', ' + date if date else ''})"


class Table(NamedTuple):
    vigencia: int
    trimestre: int  # 1-4: the requested quarter
    corte: dt.date
    entidad: str
    sigla: str
    plan: str
    version: str
    verde: float
    amarillo: float
    reference: tuple[float, ...]  # the plan's programación (the first line's)
    rows: tuple[Row, ...]
    cerrado: str = ""  # «cerrado el 2024-07-05 (versión 1)» when the requested quarter is closed
    notas_cierre: tuple[str, ...] = ()  # each closed quarter, and where today's recomputation differs (report.closed)
    acciones: tuple[str, ...] = ()  # «Análisis y acciones de mejora» (report.closed.action_lines)
    firmas: Firmas = Firmas()  # what the report ends with

    @property
    def trimestre_label(self) -> str:
        return QUARTERS[self.trimestre - 1]

    @property
    def dias_restantes(self) -> int | None:
        """Days left in the requested quarter while it is in progress ("en curso"), else None."""
        return next((c.dias_restantes for r in self.rows for c in r.trimestres if c.en_curso), None)

    @property
    def en_curso(self) -> str:
        """``en curso, faltan 10 días`` while the requested quarter is in progress, else ``""``."""
        left = self.dias_restantes
        if left is None:
            return ""
        return f"en curso, {'falta 1 día' if left == 1 else f'faltan {left} días'}"

    @property
    def estado(self) -> str:
        """What a title says of the requested quarter: in progress, closed, or nothing."""
        return self.en_curso or self.cerrado

    @property
    def legend_en_curso(self) -> str:
        """What a quarter in progress means, for the legend; ``""`` when the quarter has closed."""
        if not self.en_curso:
            return ""
        return (f"Trim. {self.trimestre_label} {self.en_curso}: su programado es el del trimestre completo "
                "(el ritmo a la fecha lo da «pec pendientes»)")

    @property
    def headers(self) -> list[str]:
        return self.header_row()

    def columns(self, counts: bool = False) -> tuple[Column, ...]:
        return COLUMNS + COUNT_COLUMNS if counts else COLUMNS

    def header_row(self, counts: bool = False) -> list[str]:
        return [c.header.format(vigencia=self.vigencia) for c in self.columns(counts)]

    def lines(self) -> list[Row]:
        return [r for r in self.rows if r.is_line]

    def activities(self, line_id: str | None = None) -> list[Row]:
        return [r for r in self.rows if not r.is_line and line_id in (None, r.linea)]

    def row(self, row_id: str) -> Row:
        return next(r for r in self.rows if r.id == row_id)

    def values(self, row: Row, counts: bool = False) -> list[CellValue]:
        """``row`` under each column: text, a Cell, a semáforo (or None), notes; with ``counts``,
        then the pieces realizadas, what they count, the annual meta in pieces and the count per tipo."""
        by_key: dict[str, CellValue] = {
            "id": row.id, "nombre": row.nombre, "indicador": row.indicador, "meta": number_cell(row.meta),
            **{q: row.trimestres[i] for i, q in enumerate(QUARTERS)},
            "acumulado": row.acumulado, "programado_acumulado": number_cell(row.acumulado.programado),
            "semaforo": row.semaforo, "observaciones": notes_text(row),
            "realizadas": row.realizadas, "cuenta": row.cuenta,
            "meta_piezas": None if row.is_gauge else row.meta_piezas,  # a gauge's meta is per network
            "por_tipo": " · ".join(f"{name}: {n}" for _, name, n in row.por_tipo),
        }
        return [by_key[c.key] for c in self.columns(counts)]


def public_table(table: Table) -> Table:
    """The table the public version shows (Ley 1712): figures and the plan's own texts. The ledger's own
    words stay out: observaciones (free text a person wrote), the áreas that made requests, the closures'
    hashes and the improvement actions (a responsable's name, a cause in a person's words)."""
    return table._replace(rows=tuple(row._replace(observaciones=(), solicitudes=()) for row in table.rows),
                          notas_cierre=(), acciones=())  # hashes, and the names and words of actions


def detail_lines(table: Table) -> list[str]:
    """What a cell cannot hold, in sentences for the board and the minutes: the closed quarters and where
    today differs from them, a gauge's other measured series (interacción) and the requests per área."""
    out: list[str] = [f"{text}." for text in table.notas_cierre]
    out += [f"{text}." for text in table.acciones]
    for act in table.activities():
        out += [f"{act.id}: {line}" for line in act.otras_texto]
        if act.solicitudes:
            parts = [f"{a.area} {a.atendidas} atendida{'' if a.atendidas == 1 else 's'} de {a.recibidas}"
                     for a in act.solicitudes]
            out.append(f"Solicitudes por área ({act.id}, al {table.corte.isoformat()}): " + "; ".join(parts) + ".")
    return out


def propia_text(table: Table) -> str | None:
    """The rows whose programación per quarter is their own, not the plan's, for a legend
    («Programación propia por trimestre: campanas 0/50/25/25»); None if there is none."""
    different = [f"línea {row.id}" if row.is_line else f"{row.id} {'/'.join(pct(p, 0, False) for p in row.programacion)}"
                 for row in table.rows if row.propia]
    return "Programación propia por trimestre: " + "; ".join(different) if different else None


def notes_text(row: Row) -> str:
    """A row's observaciones in one cell: ``Trim. II: text; Trim. III: text``, after a
    gauge's per-network detail (:func:`series_text`)."""
    detail = series_text(row)
    return "; ".join([*([detail[0].upper() + detail[1:]] if detail else []),
                      *(f"Trim. {q}: {text}" for q, text in row.observaciones)])


GAUGE_COUNTS = "crecimiento por red (en Observaciones)"  # what a gauge's figure counts, in «Qué cuenta»
SERIES_TITLE = "por red (acumulado, sin tope; en la cifra cada red cuenta de 0 a 100 %)"


def series_text(row: Row) -> str:
    """A gauge's unclamped per-network acumulado, the detail beside its row in every format
    (SPEC §3), each saying what it is measured against: ``por red (...): instagram 154,3 % de lo
    programado al corte (540 de 350); 77,1 % de la meta anual (700) · tiktok sin medición``."""
    if not row.series:
        return ""
    return f"{SERIES_TITLE}: {' · '.join(serie_text(s) for s in row.series)}"


def serie_text(s: SeriesRow) -> str:
    """One network's growth against what was programmed to the corte, and against the annual meta."""
    if s.sin_medicion:
        return f"{s.id} sin medición"
    if s.cumplimiento is None or s.crecimiento is None or s.meta is None:
        return f"{s.id} {SYMBOLS[Kind.NOT_APPLICABLE]}"
    text = f"{s.id} {pct(s.cumplimiento, 1)} de lo programado al corte ({count_text(s.crecimiento)} de {count_text(s.meta)})"
    if s.cumplimiento_anual is not None and s.meta_anual is not None:
        text += f"; {pct(s.cumplimiento_anual, 1)} de la meta anual ({count_text(s.meta_anual)})"
    return text


def _cell(fig: Figures, days_left: int | None) -> Cell:
    kind = kind_of(fig)
    return Cell(kind, r2(fig.logrado) if kind is Kind.NUMBER else None, fig.programado, days_left)


def _quarters(trimestres: dict[str, Figures], quarter: int, days_left: int | None) -> tuple[Cell, ...]:
    return tuple(Cell(Kind.AFTER_CUT) if i > quarter or q not in trimestres
                 else _cell(trimestres[q], days_left if i == quarter else None)
                 for i, q in enumerate(QUARTERS, start=1))


def _notes(observaciones: dict[str, list[str]]) -> tuple[tuple[str, str], ...]:
    return tuple((q, text) for q in QUARTERS for text in observaciones.get(q, []))


def _activity_row(rep: ActivityReport, quarter: int, reference: tuple[float, ...], days_left: int | None) -> Row:
    act = rep.activity
    acum = rep.acumulado
    names = {t.id: t.nombre for t in act.tipos}
    networks = {s.id: s.nombre for s in act.series}
    series = tuple(
        SeriesRow(s.id, s.nombre, fig.inicio, fig.fin, r2(fig.meta), r2(fig.cumplimiento), fig.sin_medicion, s.meta,
                  r2(fig.cumplimiento_anual))
        for s in act.series
        if (fig := acum.series.get(s.id)) is not None
    )
    realizadas: int | None = acum.por_tipo.get(act.default_tipo, 0)
    cuenta, demanda = act.tipos[0].nombre, ""
    if rep.demanda is not None:  # the indicator counts requests answered, not publications
        realizadas, demanda = rep.demanda[0], names[demand_tipos(act)[0]]
        cuenta = f"atendidas de {rep.demanda[1]} ({demanda})"
    elif series:  # its figure is each network's growth (the observaciones), not a count of measurements
        realizadas, cuenta = None, GAUGE_COUNTS
    return Row(
        kind="actividad", id=act.id, nombre=act.nombre, indicador=act.formula_texto, formula=act.formula_texto,
        linea=act.linea, meta=100.0,
        programacion=act.programacion, propia=tuple(act.programacion) != reference,
        trimestres=_quarters(rep.trimestres, quarter, days_left), acumulado=_cell(acum, None), semaforo=acum.semaforo,
        observaciones=_notes(rep.observaciones), realizadas=realizadas, cuenta=cuenta,
        recibidas=None if rep.demanda is None else rep.demanda[1], demanda=demanda, tipo_principal=act.tipos[0].nombre,
        meta_piezas=act.meta if acum.meta_anual is None else acum.meta_anual, unidad=act.unidad, meta_texto=act.meta_texto,
        por_tipo=tuple((t, names.get(t, t), n) for t, n in acum.por_tipo.items()),
        series=series, meses=tuple(MonthRow(m, n, act.meta_mensual) for m, n in rep.meses.items()),
        otras_series=tuple(
            (names.get(tipo, tipo), tuple(
                SeriesRow(m.red, networks.get(m.red, m.red), m.inicio, m.fin, m.meta, r2(m.cumplimiento),
                          m.sin_medicion, m.meta)
                for m in rows))
            for tipo, rows in rep.mediciones.items()
        ),
        solicitudes=tuple(AreaRow(area, row["recibidas"], row["atendidas"]) for area, row in rep.solicitudes.items()),
        otras_texto=tuple(mediciones_text(act, mediciones_to_dict(rep.mediciones))) if rep.mediciones else (),
    )


def _line_row(rep: LineReport, quarter: int, reference: tuple[float, ...], days_left: int | None) -> Row:
    line = rep.line
    return Row(
        kind="linea", id=line.id, nombre=f"{line.numero}. {line.nombre}", indicador=line.indicador.texto,
        formula=line.indicador.formula, indicador_nombre=line.indicador.nombre, linea=line.id, meta=float(line.meta), programacion=line.programacion,
        propia=tuple(line.programacion) != reference, trimestres=_quarters(rep.trimestres, quarter, days_left),
        acumulado=_cell(rep.acumulado, None), semaforo=rep.acumulado.semaforo,
        observaciones=_notes(rep.observaciones),
    )


def days_left(report: Report) -> int | None:
    """Days from the corte to the end of its quarter when the quarter is still in progress."""
    end = quarter_bounds(report.plan.vigencia, report.trimestre)[1]
    return (end - report.corte).days if report.corte < end else None


def build(report: Report, aprobaciones: Sequence[Firma] = ()) -> Table:
    """The Seguimiento table of ``report``: each line, then its activities; it ends with the plan's firmas
    and ``aprobaciones``, the report's own (see :func:`firmas`)."""
    plan = report.plan
    reference = plan.lineas[0].programacion if plan.lineas else (25.0, 25.0, 25.0, 25.0)
    left = days_left(report)
    activities = {rep.activity.id: rep for rep in report.actividades}
    rows: list[Row] = []
    for line_rep in report.lineas:
        rows.append(_line_row(line_rep, report.trimestre, reference, left))
        rows += [_activity_row(activities[a], report.trimestre, reference, left) for a in line_rep.actividades]
    return Table(
        vigencia=plan.vigencia, trimestre=report.trimestre, corte=report.corte, entidad=plan.entidad,
        sigla=plan.sigla, plan=plan.titulo, version=plan.version, verde=plan.semaforo_verde,
        amarillo=plan.semaforo_amarillo, reference=tuple(reference), rows=tuple(rows),
        cerrado=closure_mark(report.cerrados[report.trimestre]) if report.trimestre in report.cerrados else "",
        notas_cierre=tuple(closure_lines(report)), acciones=tuple(action_lines(report)),
        firmas=firmas(plan, aprobaciones or [Firma(a.rol.capitalize(), a.nombre, a.cargo, a.fecha.isoformat())
                                             for a in report.aprobaciones]),
    )


def cell_text(cell: Cell, number: Callable[[float], str], symbols: dict[Kind, str] = SYMBOLS) -> str:
    """A cell in words: ``number`` writes a NUMBER's value, ``symbols`` the other kinds."""
    if cell.kind is Kind.NUMBER and cell.value is not None:
        return number(cell.value)
    return symbols[cell.kind]


def figure_text(value: float | None, decimals: int = 1) -> str:
    """A figure in a sentence (``5``, ``4,7``), or the cell symbol of «no aplica» where there is none."""
    return SYMBOLS[Kind.NOT_APPLICABLE] if value is None else short_text(value, decimals)


def semaforo_text(semaforo: CellValue) -> str:
    return semaforo if isinstance(semaforo, str) and semaforo else NO_TARGET
