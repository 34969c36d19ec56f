"""The machine-readable document of SPEC §5: ``pec status --format json`` and ``pec export json``.

A contract that tests and scripts rely on: keys may be added, none removed.
Numbers are rounded by ``numbers.r2``, the same rounding as the Seguimiento
table (``table.build``), so every format agrees to the hundredth.
"""

from __future__ import annotations

import json
from typing import Any

from pec_cli.report.avance import ActivityReport, Figures, Report, clamp
from pec_cli.report.closed import recalculated
from pec_cli.report.mediciones import mediciones_to_dict
from pec_cli.report.numbers import as_typed as number
from pec_cli.report.numbers import r2
from pec_cli.report.table import days_left, kind_of


def _figures(fig: Figures, activity: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"programado": r2(fig.programado)}
    if activity:
        out.update(meta=r2(fig.meta), realizadas=fig.realizadas, por_tipo=dict(fig.por_tipo))
    out.update(cumplimiento=r2(fig.cumplimiento), logrado=r2(fig.logrado),
               celda=kind_of(fig).value)  # the one vocabulary: número, nada programado, no aplica
    if fig.series:
        out["series"] = {
            key: {
                "inicio": s.inicio, "fin": s.fin, "meta": r2(s.meta),
                "cumplimiento": r2(s.cumplimiento), "sin_medicion": s.sin_medicion,
                # what this network adds to the activity's mean (SPEC §3): 0..100
                "cumplimiento_acotado": r2(None if s.cumplimiento is None else clamp(s.cumplimiento)),
                # the same growth against the year's meta (the programmed one is «meta», to the corte)
                "meta_anual": number(s.meta_anual), "cumplimiento_anual": r2(s.cumplimiento_anual),
            }
            for key, s in fig.series.items()
        }
    return out


def _acumulado(fig: Figures, activity: bool) -> dict[str, Any]:
    return {**_figures(fig, activity), "semaforo": fig.semaforo}


def _activity(rep: ActivityReport) -> dict[str, Any]:
    act = rep.activity
    item: dict[str, Any] = {
        "id": act.id,
        "nombre": act.nombre,
        "linea": act.linea,
        "meta": number(act.meta if rep.acumulado.meta_anual is None else rep.acumulado.meta_anual),  # as sealed
        "unidad": act.unidad,
        "tipo_realizadas": act.default_tipo,
        "formula": act.formula_texto,
        "programacion": [r2(p) for p in act.programacion],
        "trimestres": {q: _figures(f, True) for q, f in rep.trimestres.items()},
        "acumulado": _acumulado(rep.acumulado, True),
        "observaciones": rep.observaciones,
    }
    if rep.meses:
        item["meses"] = {m: {"realizadas": n, "meta": number(act.meta_mensual)} for m, n in rep.meses.items()}
    if rep.demanda is not None:  # what its indicator counts: requests (or eventos) answered of those received
        item["demanda"] = {"atendidas": rep.demanda[0], "recibidas": rep.demanda[1]}
    if rep.solicitudes:
        item["solicitudes_por_area"] = {area: dict(row) for area, row in rep.solicitudes.items()}
    if rep.mediciones:
        item["mediciones"] = mediciones_to_dict(rep.mediciones)
    return item


def report_to_dict(report: Report) -> dict[str, Any]:
    """The ``pec status --format json`` document."""
    left = days_left(report)
    plan = report.plan
    actividades = [_activity(rep) for rep in report.actividades]
    lineas = [
        {
            "id": rep.line.id,
            "numero": rep.line.numero,
            "nombre": rep.line.nombre,
            "indicador": {
                "nombre": rep.line.indicador.nombre,
                "texto": rep.line.indicador.texto,
                "formula": rep.line.indicador.formula,
            },
            "meta": number(rep.line.meta),
            "programacion": [r2(p) for p in rep.line.programacion],
            "actividades": list(rep.actividades),
            "trimestres": {q: _figures(f, False) for q, f in rep.trimestres.items()},
            "acumulado": _acumulado(rep.acumulado, False),
            "observaciones": dict(rep.observaciones),
        }
        for rep in report.lineas
    ]
    rec = recalculated(report)
    for item in (*actividades, *lineas):
        for label, figures in (*item["trimestres"].items(), ("acumulado", item["acumulado"])):
            if (item["id"], label) in rec:
                figures["recalculado"] = rec[(item["id"], label)]
    return {
        "vigencia": plan.vigencia,
        "trimestre": report.trimestre_label,
        "corte": report.corte.isoformat(),
        "en_curso": None if left is None else {"trimestre": report.trimestre_label, "dias_restantes": left},
        "entidad": plan.entidad,
        "plan": plan.titulo,
        "version": plan.version,
        "semaforo_umbrales": {"verde": plan.semaforo_verde, "amarillo": plan.semaforo_amarillo},
        "actividades": actividades,
        "lineas": lineas,
        # closed quarters: shown as sealed; «recalculado» in a figure says where today differs, and why
        "cerrado": {c.label: {"fecha": c.fecha.isoformat(), "version": c.version, "sha256": c.cifras_sha256,
                              "id": c.id} for _, c in sorted(report.cerrados.items())},
    }


def render_json(report: Report) -> str:
    return json.dumps(report_to_dict(report), ensure_ascii=False, indent=2) + "\n"
