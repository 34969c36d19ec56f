"""Figures that hold once reported: what a closure seals, and a report with closed quarters sealed.

:func:`sealed` is what ``pec cierre`` keeps of a report: every row's figures
per quarter and its acumulado, rounded as every format shows them; their
canonical JSON's SHA-256 is the closure's ``cifras_sha256``. :func:`apply`
puts a report's closed quarters back as they were sealed (and the acumulado
too when the requested quarter is closed) and lists, per figure, where
today's recomputation differs (:class:`Recalculado`), for the report to say
beside the sealed value. Pure: plan + figures in, a report out.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any, NamedTuple

from pec_cli.ledger.closures import Closure
from pec_cli.plan.model import QUARTERS
from pec_cli.report.avance import Figures, Report, SeriesFigures
from pec_cli.report.numbers import r2

COMPARED = ("logrado", "cumplimiento", "realizadas", "semaforo")  # what a committee reads of a row


class Recalculado(NamedTuple):
    """One sealed figure that today's recomputation gives otherwise."""

    fila: str  # an activity's or a line's id
    trimestre: str  # "I".."IV", or "acumulado"
    campo: str
    sellado: Any
    recalculado: Any


def _figures(fig: Figures) -> dict[str, Any]:
    out: dict[str, Any] = {"programado": r2(fig.programado), "cumplimiento": r2(fig.cumplimiento),
                           "logrado": r2(fig.logrado), "meta": r2(fig.meta), "realizadas": fig.realizadas,
                           "por_tipo": dict(fig.por_tipo), "semaforo": fig.semaforo}
    if fig.series:
        out["series"] = {key: [r2(s.inicio), r2(s.fin), r2(s.meta), r2(s.cumplimiento), s.sin_medicion,
                               r2(s.meta_anual), r2(s.cumplimiento_anual)] for key, s in fig.series.items()}
    return out


def _from_sealed(data: dict[str, Any]) -> Figures:
    series = {key: SeriesFigures(*values) for key, values in (data.get("series") or {}).items()}
    return Figures(data["programado"], data["cumplimiento"], data["logrado"], data.get("meta"), data.get("realizadas"),
                   MappingProxyType(dict(data.get("por_tipo") or {})), MappingProxyType(series),  # type: ignore[arg-type]
                   data.get("semaforo"))


def sealed(report: Report) -> dict[str, Any]:
    """The figures a closure of ``report``'s quarter keeps: per activity and line, each quarter's and the acumulado."""
    def rows(reps: Any, key: Any) -> dict[str, Any]:
        return {key(rep): {"trimestres": {q: _figures(f) for q, f in rep.trimestres.items()},
                           "acumulado": _figures(rep.acumulado)} for rep in reps}

    return {"trimestre": report.trimestre_label, "corte": report.corte.isoformat(), "version": report.plan.version,
            "actividades": rows(report.actividades, lambda r: r.activity.id),
            "lineas": rows(report.lineas, lambda r: r.line.id)}


def apply(report: Report, closed: dict[int, Closure]) -> tuple[Report, list[Recalculado]]:
    """``report`` with each closed quarter up to its own as sealed; and where today's figures differ."""
    mine = {k: c for k, c in closed.items() if k <= report.trimestre}
    if not mine:
        return report, []
    differences: list[Recalculado] = []

    def overlay(rep: Any, row_id: str, kind: str) -> Any:
        trimestres = dict(rep.trimestres)
        acumulado = rep.acumulado
        for k, closure in mine.items():
            label = QUARTERS[k - 1]
            kept = closure.cifras.get(kind, {}).get(row_id)
            if kept is None or label not in kept.get("trimestres", {}) or label not in trimestres:
                continue  # a row the plan of the closure did not have
            trimestres[label] = _sealed_figure(kept["trimestres"][label], trimestres[label], row_id, label, differences)
            if k == report.trimestre:
                acumulado = _sealed_figure(kept["acumulado"], acumulado, row_id, "acumulado", differences)
        return rep._replace(trimestres=trimestres, acumulado=acumulado)

    actividades = tuple(overlay(rep, rep.activity.id, "actividades") for rep in report.actividades)
    lineas = tuple(overlay(rep, rep.line.id, "lineas") for rep in report.lineas)
    return report._replace(actividades=actividades, lineas=lineas), differences


def _sealed_figure(kept: dict[str, Any], live: Figures, row_id: str, label: str,
                   differences: list[Recalculado]) -> Figures:
    now = _figures(live)
    for campo in COMPARED:
        if kept.get(campo) != now.get(campo):
            differences.append(Recalculado(row_id, label, campo, kept.get(campo), now.get(campo)))
    return _from_sealed(kept)


def recalculated(report: Report) -> dict[tuple[str, str], dict[str, Any]]:
    """Per (row, quarter or "acumulado") whose sealed figures today's recomputation gives otherwise: the
    figures recomputed, and ``motivo``, why (extemporáneas; a plan changed since the closure)."""
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for diff in report.recalculado:
        out.setdefault((diff.fila, diff.trimestre), {})[diff.campo] = diff.recalculado
    for (row, label), figures in out.items():
        figures["motivo"] = why(report, row, label)
    return out


def why(report: Report, row: str, label: str) -> str:
    """Why a row's sealed figures of quarter ``label`` (or the acumulado) differ from today's."""
    quarter = report.trimestre if label == "acumulado" else QUARTERS.index(label) + 1
    closure = report.cerrados.get(quarter)
    reasons = []
    late = report.tardias.get((row, QUARTERS[quarter - 1]), 0)
    if late:
        reasons.append(f"{late} pieza{'s' if late > 1 else ''} extemporánea{'s' if late > 1 else ''}, registrada"
                       f"{'s' if late > 1 else ''} después del cierre")
    if closure is not None and report.plan_sha256 and closure.plan_sha256 != report.plan_sha256:
        reasons.append(f"el plan cambió desde el cierre (versión {closure.version} entonces, "
                       f"{report.plan.version} hoy)")
    return "; ".join(reasons) or "el registro cambió después del cierre (anulaciones o datos corregidos)"


def closure_mark(closure: Closure) -> str:
    """«cerrado el 2024-07-05, versión 1»: how every format marks a closed quarter."""
    return f"cerrado el {closure.fecha.isoformat()}, versión {closure.version}"


SHOWN = ("logrado", "realizadas", "semaforo")  # what a sentence says of a figure recomputed


def closure_lines(report: Report) -> list[str]:
    """The sentences every format adds under its table: each closed quarter shown, and, per row, each figure
    that today's recomputation gives otherwise (sealed → today), with why; the sealed one is what counts."""
    from pec_cli.report.numbers import decimal_text

    def shown(value: Any) -> str:
        return decimal_text(value, 2) if isinstance(value, float) else "—" if value is None else str(value)

    lines = [f"Trim. {c.label} {closure_mark(c)}: se muestran sus cifras selladas (SHA-256 {c.cifras_sha256[:12]}…)"
             for _, c in sorted(report.cerrados.items())]
    rows: dict[str, list[str]] = {}
    reasons: dict[str, list[str]] = {}
    for diff in report.recalculado:
        if diff.campo in SHOWN:
            where = "acumulado" if diff.trimestre == "acumulado" else f"Trim. {diff.trimestre}"
            rows.setdefault(diff.fila, []).append(f"{where} {diff.campo} {shown(diff.sellado)} → {shown(diff.recalculado)}")
            reason = why(report, diff.fila, diff.trimestre)
            if reason not in reasons.setdefault(diff.fila, []):
                reasons[diff.fila].append(reason)
    lines += [f"Recalculado hoy, {row}: {', '.join(parts)} ({'; '.join(reasons[row])}); vale lo sellado"
              for row, parts in rows.items()]
    return lines
