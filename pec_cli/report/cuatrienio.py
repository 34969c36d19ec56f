"""The four-year view (``pec status --cuatrienio``): each line's execution per year of the prospectiva.

The prospectiva (seed §3.1) gives each line a share of the four-year plan per
year (25 % in 2023, 2024, 2025 and 2026). For a year with a plan, the line's
**ejecución** is its acumulado in that year's avance (points of the annual
meta, at the year's end or today; as sealed where that quarter is closed),
against what that year programmed so far;
its **aporte** to the four-year plan is the ejecución x the year's share / 100.
A year with no plan file is "sin plan" (its execution is unknown, so it adds
nothing to either side of the cumulative), and so is a year whose line is "no
aplica" (no demand); a year not yet started is "por empezar" (nothing
programmed yet). The cumulative is the sum of the aportes
against the sum of what was programmed, out of the whole plan (100).

Pure: plans and tallies in, a value out; the CLI loads each year.
"""

import datetime as dt
import json
import textwrap
from collections.abc import Mapping
from typing import Any, NamedTuple

from pec_cli.ledger.closures import quarters
from pec_cli.ledger.tally import Tally
from pec_cli.plan.model import Plan
from pec_cli.report.avance import Report, compute, default_quarter
from pec_cli.report.closed import apply
from pec_cli.report.numbers import r2
from pec_cli.report.table import figure_text


class Year(NamedTuple):
    anio: int
    estado: str  # sin plan, sin línea, por empezar, en curso, cerrado
    share: float  # the prospectiva's percent of the four-year plan for this year
    programado: float | None  # points of the annual meta programmed by the corte
    ejecucion: float | None  # points of the annual meta achieved (the line's acumulado)
    semaforo: str | None = None

    @property
    def aporte(self) -> float | None:
        return None if self.ejecucion is None else self.ejecucion * self.share / 100.0

    @property
    def aporte_programado(self) -> float | None:
        """What the year programmed for the four-year plan; None where its execution is unknown or "no aplica"."""
        if self.programado is None or (self.ejecucion is None and self.programado > 0):
            return None
        return self.programado * self.share / 100.0


class LineYears(NamedTuple):
    id: str
    numero: int
    nombre: str
    anios: tuple[Year, ...]

    @property
    def aporte(self) -> float:
        return sum(y.aporte or 0.0 for y in self.anios)

    @property
    def programado(self) -> float:
        return sum(y.aporte_programado or 0.0 for y in self.anios)

    @property
    def meta(self) -> float:
        return sum(y.share for y in self.anios)


class Cuatrienio(NamedTuple):
    fecha: dt.date
    anios: tuple[int, ...]
    lineas: tuple[LineYears, ...]


def prospectiva(plan: Plan) -> Mapping[str, Any] | None:
    value = plan.textos.get("prospectiva")
    return value if isinstance(value, Mapping) and value.get("anios") else None


def _report(loaded: tuple[Plan, Tally], today: dt.date, closed_by: dt.date) -> Report | None:
    """A year's avance as of ``today`` (None before it starts), its quarters closed by ``closed_by`` as sealed,
    as in the report this section closes; computed once for all the lines."""
    plan, tally = loaded
    if today < plan.inicio:
        return None
    report = compute(plan, tally, default_quarter(plan, today), today)
    if tally.events:
        report, _ = apply(report, quarters(tally.net().events, closed_by).closed)
    return report


def _year(year: int, share: float, line_id: str, loaded: tuple[Plan, Tally] | None, report: Report | None,
          today: dt.date) -> Year:
    if loaded is None:
        return Year(year, "sin plan", share, None, None)
    plan, _ = loaded
    if plan.line(line_id) is None:
        return Year(year, "sin línea", share, None, None)
    if report is None:
        return Year(year, "por empezar", share, 0.0, None)
    line = next(r for r in report.lineas if r.line.id == line_id)
    estado = "cerrado" if today > plan.fin else "en curso"
    return Year(year, estado, share, line.acumulado.programado, line.acumulado.logrado, line.acumulado.semaforo)


def compute_cuatrienio(base: Plan, years: Mapping[int, tuple[Plan, Tally] | None], today: dt.date,
                       closed_by: dt.date | None = None) -> Cuatrienio:
    """The four-year view of ``base``'s prospectiva as of ``today`` (a report's corte), with the quarters closed
    by ``closed_by`` (the report's day; default ``today``) as sealed; ``years`` maps each year to its plan and
    tally (or None)."""
    pro = prospectiva(base)
    if pro is None:
        raise ValueError("the plan has no prospectiva")
    anios = tuple(int(y) for y in pro["anios"])
    reports = {y: _report(loaded, today, closed_by or today) for y, loaded in years.items() if loaded is not None}
    lineas = []
    for line in base.lineas:
        shares = pro["lineas"].get(line.id)
        if shares is None:
            continue
        per_year = tuple(_year(y, float(s), line.id, years.get(y), reports.get(y), today)
                         for y, s in zip(anios, shares, strict=True))
        lineas.append(LineYears(line.id, line.numero, line.nombre, per_year))
    return Cuatrienio(today, anios, tuple(lineas))


# -- the JSON document and the text


def cuatrienio_to_dict(c: Cuatrienio) -> dict[str, Any]:
    """The ``pec status --cuatrienio --format json`` document (what an HTML page would draw)."""
    return {
        "fecha": c.fecha.isoformat(),
        "anios": list(c.anios),
        "lineas": [
            {
                "id": ln.id, "numero": ln.numero, "nombre": ln.nombre,
                "anios": {
                    str(y.anio): {
                        "estado": y.estado, "meta": r2(y.share), "programado": r2(y.programado),
                        "ejecucion": r2(y.ejecucion), "aporte": r2(y.aporte),
                        "aporte_programado": r2(y.aporte_programado), "semaforo": y.semaforo,
                    }
                    for y in ln.anios
                },
                "acumulado": {"aporte": r2(ln.aporte), "programado": r2(ln.programado), "meta": r2(ln.meta),
                              "anios_sin_plan": [y.anio for y in ln.anios if y.estado == "sin plan"]},
            }
            for ln in c.lineas
        ],
    }


def render_json(c: Cuatrienio) -> str:
    return json.dumps(cuatrienio_to_dict(c), ensure_ascii=False, indent=2) + "\n"


def _year_text(y: dict[str, Any], anio: str) -> str:
    if y["estado"] in ("sin plan", "sin línea", "por empezar"):
        return f"{anio} {y['estado']}"
    closed = "" if y["estado"] == "cerrado" else " en curso"
    return (f"{anio}{closed}: {figure_text(y['ejecucion'])} de {figure_text(y['programado'])} "
            f"(aporta {figure_text(y['aporte'])} de {figure_text(y['meta'])})")


def render_text(c: Cuatrienio, width: int = 80) -> str:
    doc = cuatrienio_to_dict(c)
    first, last = doc["anios"][0], doc["anios"][-1]
    out = [f"Prospectiva cuatrienal {first}-{last} · al {doc['fecha']}", ""]
    for ln in doc["lineas"]:
        acc = ln["acumulado"]
        out += textwrap.wrap(f"{ln['numero']}. {ln['nombre']}: {figure_text(acc['aporte'])} de {figure_text(acc['programado'])} "
                             f"programado a la fecha (de {figure_text(acc['meta'])} en el cuatrienio)",
                             width=max(40, width), subsequent_indent="   ")
        years = " · ".join(_year_text(y, anio) for anio, y in ln["anios"].items())
        out += textwrap.wrap(years, width=max(40, width), initial_indent="   ", subsequent_indent="   ")
    out += [
        "",
        *textwrap.wrap(
            "Cada año: puntos de su meta anual logrados, de los programados a la fecha; aporta: esos puntos por "
            "la parte del cuatrienio que la prospectiva da al año. Un año sin plan no suma a ningún lado.",
            width=max(40, width)),
    ]
    return "\n".join(out) + "\n"
