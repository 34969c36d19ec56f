"""What is due: the pure computation behind ``pec pendientes``.

Plan + tally + a date in, a :class:`Pendientes` value out; no I/O, no clock,
no printing. For each activity, as of the date D (entries dated after D are
not counted):

* **faltan**: how many more pieces bring the acumulado to the programado of
  D's quarter (the cumulative 25/50/75/100 %) and to the annual meta. Found by
  evaluating the activity's own formula with one tipo's count raised, so a
  plan's other formulas need no code here; "no aplica" when the formula does
  not apply (no demand, nothing programmed).
* **ritmo**: the pieces expected by D (the programación of past quarters plus
  the current quarter's, prorated by the days of the activity's window in the
  quarter elapsed up to D) against those done.
* **meses** (a ``meta_mensual``), **calendario** (months of a ``calendario``,
  covered by pieces in date order), **cadencia** (``semanal``: weeks
  Monday-Sunday of the window with no piece; ``mensual``: months with none).
* **series** of a gauge: growth since the linea base (or first measurement),
  what remains of the meta, and the growth at the window's end at the pace
  between the base and the latest measurement.

And the requests still unanswered at D, oldest first (``ledger.requests``).

Lines: their acumulado at D against the programado of D's quarter, from
:func:`pec_cli.report.avance.compute`. Standard library only.
"""

import datetime as dt
import math
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any, NamedTuple

from pec_cli.ledger.requests import Request, open_requests, requests_of
from pec_cli.ledger.tally import Tally
from pec_cli.plan.model import QUARTERS, Activity, Plan, quarter_bounds, quarter_of
from pec_cli.plan.names import plain_id
from pec_cli.report.avance import Report, SeriesFigures, compute
from pec_cli.report.mediciones import Medicion, other_series

SEARCH_LIMIT = 1 << 20  # more pieces than any plan asks for: beyond it, "unreachable by counting"


class Faltan(NamedTuple):
    """Pieces still needed: by the end of D's quarter (cumulative) and for the annual meta."""

    tipo: str | None
    trimestre: int | None
    anual: int | None


class Ritmo(NamedTuple):
    esperadas: float
    realizadas: int

    @property
    def estado(self) -> str:
        return "al día" if self.realizadas + 1e-9 >= self.esperadas else "atrasado"


class Mes(NamedTuple):
    mes: str  # AAAA-MM
    realizadas: int
    meta: float
    estado: str  # cumplido, incumplido, en curso

    @property
    def faltan(self) -> int:
        return max(0, math.ceil(self.meta - 1e-9) - self.realizadas)


class MesCalendario(NamedTuple):
    mes: str  # AAAA-MM
    estado: str  # hecha, vencida, pendiente, programada
    fecha: str | None  # of the piece that covered it


class Cadencia(NamedTuple):
    tipo: str  # semanal, mensual
    sin_pieza: tuple[tuple[dt.date, dt.date], ...]  # finished periods with no piece
    actual: tuple[dt.date, dt.date]
    realizadas_actual: int


class SerieRitmo(NamedTuple):
    red: str
    nombre: str
    meta: float | None
    base: float | None
    base_fecha: dt.date | None
    actual: float | None
    actual_fecha: dt.date | None
    proyeccion: float | None  # growth at the window's end, at the pace so far
    # the avance's figures at the date (report.avance): against what is programmed to the end of
    # the quarter, and against the annual meta
    meta_programada: float | None = None
    cumplimiento: float | None = None
    cumplimiento_anual: float | None = None

    @property
    def crecimiento(self) -> float | None:
        return None if self.base is None or self.actual is None else self.actual - self.base

    @property
    def sin_medicion(self) -> bool:
        return self.actual is None


class ActividadPendiente(NamedTuple):
    activity: Activity
    realizadas: int
    programado: float  # cumulative programado at the end of D's quarter
    logrado: float | None  # acumulado at D, points
    faltan: Faltan | None
    ritmo: Ritmo | None
    meses: tuple[Mes, ...]
    calendario: tuple[MesCalendario, ...]
    cadencia: Cadencia | None
    series: tuple[SerieRitmo, ...]
    mediciones: Mapping[str, tuple[Medicion, ...]] = MappingProxyType({})  # a gauge's other series (interaction)


class LineaPendiente(NamedTuple):
    id: str
    numero: int
    nombre: str
    programado: float
    logrado: float | None
    semaforo: str | None

    @property
    def faltan(self) -> float | None:
        return None if self.logrado is None else max(0.0, self.programado - self.logrado)


class Pendientes(NamedTuple):
    plan: Plan
    fecha: dt.date
    trimestre: int
    fin_trimestre: dt.date
    actividades: tuple[ActividadPendiente, ...]
    lineas: tuple[LineaPendiente, ...]
    solicitudes: tuple[Request, ...] = ()  # unanswered at the date, oldest first
    report: Report | None = None  # the avance it rests on (closed quarters as sealed: their actions, sign-offs)

    @property
    def dias_restantes(self) -> int:
        return (self.fin_trimestre - self.fecha).days

    @property
    def trimestre_label(self) -> str:
        return QUARTERS[self.trimestre - 1]


class _Counts:
    """One activity's piece counts per tipo and day, up to D."""

    def __init__(self, act: Activity, totals: Tally, fecha: dt.date) -> None:
        lo, hi = act.inicio.isoformat(), min(act.fin, fecha).isoformat()
        self.by_tipo: dict[str, dict[str, int]] = {t.id: {} for t in act.tipos}
        for (activity, tipo, day), n in totals.counts.items():
            if activity in act.ids and tipo in self.by_tipo and lo <= day <= hi and n > 0:
                self.by_tipo[tipo][day] = self.by_tipo[tipo].get(day, 0) + n  # an earlier id adds to the day

    def count(self, tipo: str, start: dt.date, end: dt.date) -> int:
        lo, hi = start.isoformat(), end.isoformat()
        return sum(n for day, n in self.by_tipo[tipo].items() if lo <= day <= hi)

    def days(self, tipo: str) -> list[str]:
        """One date per piece, in order."""
        return [day for day, n in sorted(self.by_tipo[tipo].items()) for _ in range(n)]


def _reaches(act: Activity, values: Mapping[str, float | None]) -> bool:
    c = act.formula.evaluate(values)
    return c is not None and c >= 100.0 - 1e-9


def pieces_needed(act: Activity, values: Mapping[str, float | None]) -> tuple[str | None, int] | None:
    """The fewest pieces of one tipo that bring the formula to 100 %: (tipo, n).

    ``(None, 0)`` when it is there already; ``None`` when it does not apply
    (the formula gives "no aplica") or no count of any tipo reaches it. Tipos
    are tried in the plan's order; the formula is taken as growing with the
    count that helps (doubling, then bisection).
    """
    if act.formula.evaluate(values) is None:
        return None
    if _reaches(act, values):
        return None, 0
    for tipo in act.tipos:
        base = values.get(tipo.id) or 0.0

        def ok(n: int, tipo_id: str = tipo.id, base: float = base) -> bool:
            return _reaches(act, {**values, tipo_id: base + n})

        hi = 1
        while hi <= SEARCH_LIMIT and not ok(hi):
            hi *= 2
        if hi > SEARCH_LIMIT:
            continue
        lo = hi // 2  # ok(lo) is false (or lo == 0)
        while hi - lo > 1:
            mid = (lo + hi) // 2
            lo, hi = (lo, mid) if ok(mid) else (mid, hi)
        return tipo.id, hi
    return None


def _values(act: Activity, counts: _Counts, fecha: dt.date, share: float, extra: Mapping[str, float]) -> dict[str, Any]:
    por_tipo = {t.id: counts.count(t.id, act.inicio, fecha) for t in act.tipos}
    meta = act.meta * share / 100.0 if act.meta is not None else None
    return {**por_tipo, **extra, "meta": meta}


def _faltan(act: Activity, counts: _Counts, fecha: dt.date, programado: float, extra: Mapping[str, float]) -> Faltan | None:
    if act.is_gauge:
        return None
    quarter = pieces_needed(act, _values(act, counts, fecha, programado, extra)) if programado > 0 else None
    year = pieces_needed(act, _values(act, counts, fecha, 100.0, extra)) if act.meta is not None else None
    if quarter is None and year is None:
        return None
    tipo = next((found[0] for found in (quarter, year) if found is not None and found[0] is not None), None)
    return Faltan(tipo, quarter[1] if quarter else None, year[1] if year else None)


def _window_days(start: dt.date, end: dt.date) -> int:
    return max(0, (end - start).days + 1)


def programmed_share(act: Activity, year: int, fecha: dt.date) -> float:
    """Percent of the annual meta programmed by ``fecha``: past quarters whole, the current one prorated.

    The current quarter's share grows with the days of the activity's window
    inside the quarter that have elapsed up to ``fecha`` (inclusive). An
    activity on a calendar follows its months instead: each is due by its
    last day, and nothing is expected between them.
    """
    if act.calendario:
        due = sum(1 for month in act.calendario if month_end(year, month) <= fecha)
        return 100.0 * due / len(act.calendario)
    q = quarter_of(fecha)
    share = sum(act.programacion[: q - 1])
    start, end = quarter_bounds(year, q)
    lo, hi = max(start, act.inicio), min(end, act.fin)
    total = _window_days(lo, hi)
    if total:
        share += act.programacion[q - 1] * _window_days(lo, min(hi, fecha)) / total
    return share


def _ritmo(act: Activity, counts: _Counts, year: int, fecha: dt.date) -> Ritmo | None:
    if act.meta is None or act.is_gauge:
        return None
    esperadas = act.meta * programmed_share(act, year, fecha) / 100.0
    return Ritmo(esperadas, counts.count(act.default_tipo, act.inicio, fecha))


def month_end(year: int, month: int) -> dt.date:
    return dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)


def _meses(act: Activity, counts: _Counts, year: int, fecha: dt.date) -> tuple[Mes, ...]:
    if act.meta_mensual is None:
        return ()
    out = []
    for month in range(act.inicio.month, min(act.fin, fecha).month + 1):
        first, last = dt.date(year, month, 1), month_end(year, month)
        done = counts.count(act.default_tipo, max(first, act.inicio), min(last, fecha))
        estado = "cumplido" if done + 1e-9 >= act.meta_mensual else "en curso" if last >= fecha else "incumplido"
        out.append(Mes(first.isoformat()[:7], done, act.meta_mensual, estado))
    return tuple(out)


def _calendario(act: Activity, counts: _Counts, year: int, fecha: dt.date) -> tuple[MesCalendario, ...]:
    """Each calendar month, covered in order by the pieces done (an early piece covers the next month due)."""
    if not act.calendario:
        return ()
    done = iter(counts.days(act.default_tipo))
    out = []
    for month in act.calendario:
        day = next(done, None)
        if day is not None:
            estado = "hecha"
        elif month < fecha.month:
            estado = "vencida"
        else:
            estado = "pendiente" if month == fecha.month else "programada"
        out.append(MesCalendario(f"{year}-{month:02d}", estado, day))
    return tuple(out)


def cadence_periods(kind: str, start: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date]]:
    """The periods a cadence asks a piece of: the weeks or months of :func:`_periods` that hold more than
    half their days inside start..end (a week from Friday 1 March holds three: too few to owe a piece)."""
    def length(lo: dt.date) -> int:
        return 7 if kind == "semanal" else month_end(lo.year, lo.month).day

    return [(lo, hi) for lo, hi in _periods(kind, start, end) if 2 * _window_days(lo, hi) > length(lo)]


def _periods(kind: str, start: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date]]:
    """Weeks (Monday-Sunday) or calendar months overlapping start..end, clipped to it."""
    out = []
    lo = start - dt.timedelta(days=start.weekday()) if kind == "semanal" else start.replace(day=1)
    while lo <= end:
        hi = lo + dt.timedelta(days=6) if kind == "semanal" else month_end(lo.year, lo.month)
        out.append((max(lo, start), min(hi, end)))
        lo = hi + dt.timedelta(days=1)
    return out


def _cadencia(act: Activity, counts: _Counts, fecha: dt.date) -> Cadencia | None:
    kind = plain_id(act.cadencia or "")
    if kind not in ("semanal", "mensual") or fecha < act.inicio:
        return None
    periods = _periods(kind, act.inicio, act.fin)
    gaps = tuple(
        (lo, hi) for lo, hi in cadence_periods(kind, act.inicio, act.fin)
        if hi < fecha and counts.count(act.default_tipo, lo, hi) == 0
    )
    current = next(((lo, hi) for lo, hi in periods if lo <= fecha <= hi), periods[-1])
    return Cadencia(kind, gaps, current, counts.count(act.default_tipo, current[0], min(current[1], fecha)))


def _series(act: Activity, totals: Tally, fecha: dt.date, figures: Mapping[str, SeriesFigures]) -> tuple[SerieRitmo, ...]:
    lo, hi = act.inicio.isoformat(), min(act.fin, fecha).isoformat()
    measured = totals.series(act.id, act.default_tipo, *act.antes)
    out = []
    for s in act.series:
        values = [(dt.date.fromisoformat(day), v) for day, v in measured.get(s.id, ()) if lo <= day <= hi]
        if not values:
            out.append(SerieRitmo(s.id, s.nombre, s.meta, s.linea_base, None, None, None, None))
            continue
        base_day, base = (act.inicio, s.linea_base) if s.linea_base is not None else values[0]
        last_day, last = values[-1]
        elapsed = (last_day - base_day).days
        projection = (last - base) * (act.fin - base_day).days / elapsed if elapsed > 0 else None
        fig = figures.get(s.id)
        out.append(SerieRitmo(s.id, s.nombre, s.meta, base, base_day, last, last_day, projection,
                              *((fig.meta, fig.cumplimiento, fig.cumplimiento_anual) if fig else ())))
    return tuple(out)


def activity_pending(
    act: Activity, totals: Tally, year: int, fecha: dt.date, programado: float, logrado: float | None,
    extra: Mapping[str, float] | None = None, figures: Mapping[str, SeriesFigures] | None = None,
) -> ActividadPendiente:
    """What one activity still owes as of ``fecha`` (``extra``: formula variables beyond the tipo counts;
    ``figures``: the avance's per-network figures at the date)."""
    counts = _Counts(act, totals, fecha)
    return ActividadPendiente(
        activity=act,
        realizadas=counts.count(act.default_tipo, act.inicio, fecha),
        programado=programado,
        logrado=logrado,
        faltan=_faltan(act, counts, fecha, programado, extra or {}),
        ritmo=_ritmo(act, counts, year, fecha),
        meses=_meses(act, counts, year, fecha),
        calendario=_calendario(act, counts, year, fecha),
        cadencia=_cadencia(act, counts, fecha),
        series=_series(act, totals, fecha, figures or {}),
        mediciones=other_series(act, totals, act.inicio, min(fecha, act.fin)),
    )


def compute_pendientes(plan: Plan, tally: Tally, fecha: dt.date,
                       sealed: Callable[[Report], Report] = lambda report: report) -> Pendientes:
    """What is due in ``plan`` as of ``fecha`` (a day of the vigencia); ``sealed`` puts closed quarters back
    as they were sealed (``Context.closed``)."""
    if fecha.year != plan.vigencia:
        raise ValueError(f"{fecha} is outside the vigencia {plan.vigencia}")
    q = quarter_of(fecha)
    report = sealed(compute(plan, tally, q, fecha))
    totals = tally.net()
    actividades = tuple(
        activity_pending(rep.activity, totals, plan.vigencia, fecha, rep.acumulado.programado, rep.acumulado.logrado,
                         {"atendidas": sum(1 for r in requests_of(rep.activity, totals, fecha) if r.respondida)},
                         rep.acumulado.series)
        for rep in report.actividades
    )
    lineas = tuple(
        LineaPendiente(rep.line.id, rep.line.numero, rep.line.nombre, rep.acumulado.programado,
                       rep.acumulado.logrado, rep.acumulado.semaforo)
        for rep in report.lineas
    )
    return Pendientes(plan, fecha, q, quarter_bounds(plan.vigencia, q)[1], actividades, lineas,
                      tuple(open_requests(plan, totals, fecha)), report)
