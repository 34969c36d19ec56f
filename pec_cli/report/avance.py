"""The avance of SPEC §3 as a pure function: plan + tally + quarter + today in, report out.

No I/O, no clock, no printing. Percentages are kept unrounded here; renderers
round them (to 2 decimals) once, so every output agrees.

For an activity and quarter k with programación p_k:
  cumplimiento_k = formula over quarter k's window (meta = annual meta x p_k / 100);
  logrado_k = min(cumplimiento_k, 100) x p_k / 100, floored at 0;
  acumulado at q = formula over vigencia start .. end of q (meta x P / 100,
  P = p_1 + ... + p_q), x P / 100, capped at P, floored at 0;
  semáforo on acumulado / P against the plan's thresholds.
A gauge with several series (networks) computes the formula per series and
takes the mean of each series' cumplimiento clamped to 0..100 (a fall counts 0,
an overshoot 100); the unclamped per-series figure is kept as detail.
A line's cumplimiento is the (weighted) mean of its activities' cumplimiento,
each clamped to 0..100 as its cell shows it, skipping "no aplica"; its logrado
and acumulado follow from its own programación.
"""

import datetime as dt
from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from pec_cli.ledger.closures import Action, Approval, Closure
from pec_cli.ledger.requests import by_area, demand_tipos, requests_of
from pec_cli.ledger.tally import Tally
from pec_cli.plan.model import QUARTERS, Activity, Line, Plan, quarter_bounds
from pec_cli.report.mediciones import Medicion, other_series

_EMPTY: Mapping[str, Any] = MappingProxyType({})


class SeriesFigures(NamedTuple):
    """One network of a gauge: ``cumplimiento`` unclamped (the detail shown: a fall is
    negative, an overshoot above 100); :func:`clamp` of it is what the mean counts."""

    inicio: float | None
    fin: float | None
    meta: float | None  # programmed to the window's end: the annual meta x programado
    cumplimiento: float | None
    sin_medicion: bool
    meta_anual: float | None = None
    cumplimiento_anual: float | None = None  # the formula against the annual meta: how far along the year's goal


class Figures(NamedTuple):
    """One activity's (or line's) numbers over one window."""

    programado: float
    cumplimiento: float | None
    logrado: float | None
    meta: float | None = None
    realizadas: int | None = None
    por_tipo: dict[str, int] = _EMPTY  # type: ignore[assignment]
    series: dict[str, SeriesFigures] = _EMPTY  # type: ignore[assignment]
    semaforo: str | None = None
    meta_anual: float | None = None  # an activity's acumulado: the plan's annual meta in pieces it was computed with


class ActivityReport(NamedTuple):
    activity: Activity
    trimestres: dict[str, Figures]
    acumulado: Figures
    observaciones: dict[str, list[str]]
    meses: dict[str, int]
    solicitudes: dict[str, dict[str, int]] = _EMPTY  # type: ignore[assignment]  # per area, at the corte
    mediciones: dict[str, tuple[Medicion, ...]] = _EMPTY  # type: ignore[assignment]  # a gauge's other series
    demanda: tuple[int, int] | None = None  # requests (or eventos) answered and received to the corte


class LineReport(NamedTuple):
    line: Line
    trimestres: dict[str, Figures]
    acumulado: Figures
    actividades: tuple[str, ...]
    observaciones: dict[str, list[str]] = _EMPTY  # type: ignore[assignment]  # notes on the line itself


class Report(NamedTuple):
    plan: Plan
    trimestre: int
    corte: dt.date
    actividades: tuple[ActivityReport, ...]
    lineas: tuple[LineReport, ...]
    # closed quarters (``report.closed``): the closures shown, where today differs, and why
    cerrados: "Mapping[int, Closure]" = _EMPTY  # type: ignore[assignment]
    recalculado: tuple[Any, ...] = ()  # report.closed.Recalculado
    tardias: Mapping[tuple[str, str], int] = _EMPTY  # type: ignore[assignment]  # (row, quarter or «acumulado Q») -> pieces late
    plan_sha256: str | None = None  # of the plan file the open quarters were computed with
    aprobaciones: "tuple[Approval, ...]" = ()  # the sign-offs of the requested quarter's sealed figures
    acciones: "tuple[Action, ...]" = ()  # improvement actions of the quarters up to the requested one
    sin_analisis: tuple[tuple[int, str, str], ...] = ()  # (quarter, row, semáforo) red or amber with no action
    hoy: dt.date | None = None  # the day the report is made (its actions' state is as of it)

    @property
    def trimestre_label(self) -> str:
        return QUARTERS[self.trimestre - 1]


def default_quarter(plan: Plan, today: dt.date) -> int:
    """Today's quarter when today is in the vigencia, else IV."""
    return (today.month - 1) // 3 + 1 if today.year == plan.vigencia else 4


def unstarted_notice(report: Report, today: dt.date) -> str | None:
    """A warning when the requested quarters include some that have not started."""
    starts = (quarter_bounds(report.plan.vigencia, q)[0] for q in range(1, report.trimestre + 1))
    first = next((q for q, start in enumerate(starts, start=1) if start > today), None)
    if first is None:
        return None
    return (f"hoy es {today.isoformat()}: el Trim. {QUARTERS[first - 1]} y los siguientes aún no han empezado, "
            "así que sus cifras son 0 frente a lo programado")


def cutoff(plan: Plan, quarter: int, today: dt.date) -> dt.date:
    """The quarter's last day, or today when today falls inside the quarter."""
    start, end = quarter_bounds(plan.vigencia, quarter)
    return today if start <= today <= end else end


def semaforo(plan: Plan, logrado: float | None, programado: float) -> str | None:
    if programado <= 0 or logrado is None:
        return None
    ratio = 100.0 * logrado / programado
    if ratio >= plan.semaforo_verde - 1e-9:
        return "verde"
    if ratio >= plan.semaforo_amarillo - 1e-9:
        return "amarillo"
    return "rojo"


def clamp(cumplimiento: float) -> float:
    """A cumplimiento as it counts towards a mean: 0..100 (SPEC §3)."""
    return max(0.0, min(cumplimiento, 100.0))


def _points(cumplimiento: float | None, programado: float) -> float | None:
    """Percentage points of the annual meta: min(c, 100) x p / 100, floored at 0."""
    if cumplimiento is None or programado <= 0:
        return None
    return clamp(cumplimiento) * programado / 100.0


class _ActivityData:
    """The tally's numbers for one activity, indexed for window sums."""

    def __init__(self, act: Activity, totals: Tally, corte: dt.date,
                 counts: list[tuple[str, str, int]] | None = None) -> None:
        self.act = act
        self.requests = requests_of(act, totals, corte)  # each dated up to the corte, answered by it or not
        self.answered = [r.fecha.isoformat() for r in self.requests if r.respondida is not None]
        lo, hi = act.inicio.isoformat(), act.fin.isoformat()
        self.by_tipo: dict[str, dict[str, int]] = {t.id: {} for t in act.tipos}
        if counts is None:
            counts = _counts_of(act, counts_by_activity(totals))
        for tipo, fecha, count in counts:
            if tipo in self.by_tipo and lo <= fecha <= hi:
                self.by_tipo[tipo][fecha] = self.by_tipo[tipo].get(fecha, 0) + count
        # per series: (fecha, the day's value), sorted by date, inside the window
        series = totals.series(act.id, act.default_tipo, *act.antes)
        self.measures: dict[str, list[tuple[str, float]]] = {
            s.id: [(fecha, valor) for fecha, valor in series.get(s.id, ()) if lo <= fecha <= hi] for s in act.series
        }

    def count(self, tipo: str, start: str, end: str) -> int:
        return sum(c for d, c in self.by_tipo[tipo].items() if start <= d <= end)

    def atendidas(self, start: str, end: str) -> int:
        """Requests dated in the window and answered by the corte (whenever the answer was published)."""
        return sum(1 for fecha in self.answered if start <= fecha <= end)

    def value_at(self, red: str, day: str, before: bool = False) -> float | None:
        """The last measurement dated on or before ``day`` (strictly before it, with ``before``)."""
        found = (valor for fecha, valor in reversed(self.measures[red]) if fecha < day or (fecha == day and not before))
        return next(found, None)


def _window_figures(
    data: _ActivityData, start: dt.date, end: dt.date, programado: float
) -> tuple[float | None, float | None, int, dict[str, int], dict[str, SeriesFigures]]:
    """(meta, cumplimiento, realizadas, por_tipo, series) of one window."""
    act = data.act
    lo = max(start, act.inicio).isoformat()
    hi = min(end, act.fin).isoformat()
    por_tipo = {t.id: (data.count(t.id, lo, hi) if lo <= hi else 0) for t in act.tipos}
    meta = act.meta * programado / 100.0 if act.meta is not None else None
    series: dict[str, SeriesFigures] = {}
    if programado <= 0:
        return meta, None, por_tipo[act.default_tipo], por_tipo, series
    values: dict[str, float | None] = {**por_tipo, "meta": meta, "atendidas": data.atendidas(lo, hi)}
    if not act.series:
        cumplimiento = act.formula.evaluate(values)
        return meta, cumplimiento, por_tipo[act.default_tipo], por_tipo, series
    results: list[float] = []
    for s in act.series:
        s_meta = s.meta * programado / 100.0 if s.meta is not None else None
        fin = data.value_at(s.id, hi)
        if fin is None:
            series[s.id] = SeriesFigures(None, None, s_meta, 0.0, True, s.meta, 0.0)
            results.append(0.0)
            continue
        inicio = data.value_at(s.id, lo, before=True)
        if inicio is None:  # the base, else the window's first measurement (there is one: ``fin``)
            inicio = s.linea_base if s.linea_base is not None else data.measures[s.id][0][1]
        measured = {**values, "inicio": inicio, "fin": fin}
        c = act.formula.evaluate({**measured, "meta": s_meta})
        series[s.id] = SeriesFigures(inicio, fin, s_meta, c, False, s.meta, act.formula.evaluate({**measured, "meta": s.meta}))
        if c is not None:
            results.append(clamp(c))  # one network's overshoot never hides another's fall
    cumplimiento = sum(results) / len(results) if results else None
    return meta, cumplimiento, por_tipo[act.default_tipo], por_tipo, series


def counts_by_activity(totals: Tally) -> dict[str, list[tuple[str, str, int]]]:
    """The non-zero counts as (tipo, fecha, count) per activity: one pass over the tally, not one per activity."""
    out: dict[str, list[tuple[str, str, int]]] = {}
    for (activity, tipo, fecha), count in totals.counts.items():
        if count:
            out.setdefault(activity, []).append((tipo, fecha, count))
    return out


def _counts_of(act: Activity, by_activity: dict[str, list[tuple[str, str, int]]]) -> list[tuple[str, str, int]]:
    """The counts of ``act``, entries under an earlier id (a rename) included."""
    return [c for activity in act.ids for c in by_activity.get(activity, ())]


def _activity_report(plan: Plan, act: Activity, totals: Tally, quarter: int, corte: dt.date,
                     counts: list[tuple[str, str, int]] | None = None, answered_by: dt.date | None = None,
                     ) -> ActivityReport:
    data = _ActivityData(act, totals, answered_by or corte, counts)
    trimestres: dict[str, Figures] = {}
    for k in range(1, quarter + 1):
        start, end = quarter_bounds(plan.vigencia, k)
        end = min(end, corte)
        p = act.programacion[k - 1]
        meta, c, realizadas, por_tipo, series = _window_figures(data, start, end, p)
        trimestres[QUARTERS[k - 1]] = Figures(p, c, _points(c, p), meta, realizadas, por_tipo, series)
    total_p = sum(act.programacion[:quarter])
    meta, c, realizadas, por_tipo, series = _window_figures(data, plan.inicio, corte, total_p)
    logrado = _points(c, total_p)
    acumulado = Figures(total_p, c, logrado, meta, realizadas, por_tipo, series, semaforo(plan, logrado, total_p),
                        act.meta)
    observaciones = notes_of(totals, act.ids, quarter)
    meses: dict[str, int] = {}
    if act.meta_mensual is not None:
        for month in range(act.inicio.month, act.fin.month + 1):
            first = dt.date(plan.vigencia, month, 1)
            if first > corte:
                break
            key = first.isoformat()[:7]
            meses[key] = data.count(act.default_tipo, key + "-01", key + "-31")
    demanda = (len(data.answered), len(data.requests)) if demand_tipos(act) else None
    return ActivityReport(act, trimestres, acumulado, observaciones, meses, by_area(data.requests, plan.areas),
                          other_series(act, totals, plan.inicio, corte), demanda)


def notes_of(totals: Tally, targets: tuple[str, ...], quarter: int) -> dict[str, list[str]]:
    """The observaciones of an activity (its ids) or a line for quarters I..``quarter``, oldest first."""
    observaciones: dict[str, list[str]] = {}
    for activity, q, _registrado, texto in sorted(totals.notes.values(), key=lambda n: (n[1], n[2])):
        if activity in targets and q <= quarter:
            observaciones.setdefault(QUARTERS[q - 1], []).append(texto)
    return observaciones


def _mean(reports: list[ActivityReport], pick: str | None) -> float | None:
    """Weighted mean of the activities' cumplimiento, each clamped to 0..100 (as its
    cell shows it); skips None."""
    total = weight = 0.0
    for rep in reports:
        figures = rep.acumulado if pick is None else rep.trimestres[pick]
        if figures.cumplimiento is None:
            continue
        total += clamp(figures.cumplimiento) * rep.activity.peso
        weight += rep.activity.peso
    return total / weight if weight else None


def _line_report(
    plan: Plan, line: Line, reports: list[ActivityReport], quarter: int, notes: dict[str, list[str]]
) -> LineReport:
    trimestres: dict[str, Figures] = {}
    for k in range(1, quarter + 1):
        label = QUARTERS[k - 1]
        p = line.programacion[k - 1]
        c = _mean(reports, label) if p > 0 else None
        trimestres[label] = Figures(p, c, _points(c, p))
    total_p = sum(line.programacion[:quarter])
    c = _mean(reports, None) if total_p > 0 else None
    logrado = _points(c, total_p)
    acumulado = Figures(total_p, c, logrado, semaforo=semaforo(plan, logrado, total_p))
    return LineReport(line, trimestres, acumulado, tuple(r.activity.id for r in reports), notes)


def compute(plan: Plan, tally: Tally, quarter: int, today: dt.date, answered_by: dt.date | None = None) -> Report:
    """The avance of every activity and line up to ``quarter`` (1-4) as of ``today``; requests count as
    answered by ``answered_by`` (default: the corte), so that the curve of a report, its quarters
    computed apart, counts answers to the report's one corte."""
    if quarter not in (1, 2, 3, 4):
        raise ValueError(f"quarter must be 1-4, not {quarter}")
    corte = cutoff(plan, quarter, today)
    totals = tally.net()
    counts = counts_by_activity(totals)
    activities = tuple(_activity_report(plan, act, totals, quarter, corte, _counts_of(act, counts), answered_by)
                       for act in plan.actividades)
    lines = tuple(
        _line_report(plan, line, [r for r in activities if r.activity.linea == line.id], quarter,
                     notes_of(totals, (line.id,), quarter))
        for line in plan.lineas
    )
    return Report(plan, quarter, corte, activities, lines)
