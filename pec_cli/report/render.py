"""Turning a Report into what people and scripts read: JSON, rows, text tables.

``report_to_dict`` is the machine-readable document of SPEC §5 and the single
place where numbers are rounded; every other output (tables, CSV, Markdown)
is built from it, so they all agree to the hundredth. rich and tabulate are
imported inside the functions that draw with them, never at module load.
"""

from __future__ import annotations

import json
from typing import Any

from pec_cli.plan.model import QUARTERS
from pec_cli.report.avance import Figures, Report, clamp


def r2(value: float | None) -> float | None:
    if value is None:
        return None
    rounded = round(value + 0.0, 2)
    return 0.0 if rounded == 0 else rounded


def number(value: float | None) -> int | float | None:
    """An annual meta as typed in the plan: 10, not 10.0."""
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


def _figures(fig: Figures, activity: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"programado": r2(fig.programado)}
    if activity:
        out["meta"] = r2(fig.meta)
        out["realizadas"] = fig.realizadas
        out["por_tipo"] = dict(fig.por_tipo)
    out["cumplimiento"] = r2(fig.cumplimiento)
    out["logrado"] = r2(fig.logrado)
    if fig.series:
        out["series"] = {
            key: {
                "inicio": s.inicio, "fin": s.fin, "meta": r2(s.meta),
                "cumplimiento": r2(s.cumplimiento), "sin_medicion": s.sin_medicion,
                # what this network adds to the activity's mean (SPEC §3): 0..100
                "cumplimiento_acotado": r2(None if s.cumplimiento is None else clamp(s.cumplimiento)),
            }
            for key, s in fig.series.items()
        }
    return out


def _acumulado(fig: Figures, activity: bool) -> dict[str, Any]:
    out = _figures(fig, activity)
    out["semaforo"] = fig.semaforo
    return out


def report_to_dict(report: Report) -> dict[str, Any]:
    """The ``pec status --format json`` document."""
    plan = report.plan
    actividades = []
    for rep in report.actividades:
        act = rep.activity
        item: dict[str, Any] = {
            "id": act.id,
            "nombre": act.nombre,
            "linea": act.linea,
            "meta": number(act.meta),
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
        actividades.append(item)
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
        }
        for rep in report.lineas
    ]
    return {
        "vigencia": plan.vigencia,
        "trimestre": report.trimestre_label,
        "corte": report.corte.isoformat(),
        "entidad": plan.entidad,
        "plan": plan.titulo,
        "version": plan.version,
        "semaforo_umbrales": {"verde": plan.semaforo_verde, "amarillo": plan.semaforo_amarillo},
        "actividades": actividades,
        "lineas": lineas,
    }


def render_json(report: Report) -> str:
    return json.dumps(report_to_dict(report), ensure_ascii=False, indent=2) + "\n"


def pct(value: float | None, decimals: int = 2, sign: bool = True) -> str:
    """40.0 -> '40,00 %' (Spanish decimal comma); None -> 'N/A'."""
    if value is None:
        return "N/A"
    text = f"{value:.{decimals}f}".replace(".", ",")
    return f"{text} %" if sign else text


SEGUIMIENTO_HEADERS = [
    "id", "Planes - Proyectos / Actividades", "Indicador", "Meta % {vigencia}",
    "Trim. I", "Trim. II", "Trim. III", "Trim. IV",
    "Acumulado", "Programado acumulado", "Semáforo", "Observaciones",
]


def seguimiento_headers(doc: dict[str, Any]) -> list[str]:
    return [h.format(vigencia=doc["vigencia"]) for h in SEGUIMIENTO_HEADERS]


def seguimiento_rows(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """The document's Seguimiento table: a row per line, then one per activity.

    Values are numbers (percentage points of the annual meta, rounded) or None
    for "no aplica" and for quarters after the cut; ``kind`` tells a line row
    from an activity row.
    """
    by_id = {a["id"]: a for a in doc["actividades"]}
    rows: list[dict[str, Any]] = []
    for line in doc["lineas"]:
        indicador = line["indicador"]
        rows.append(_row(line, f"{line['numero']}. {line['nombre']}", indicador["texto"], "linea", ""))
        for act_id in line["actividades"]:
            act = by_id[act_id]
            notes = "; ".join(
                [*(d[0].upper() + d[1:] for d in series_detail(act)), *(f"Trim. {q}: {text}" for q in QUARTERS for text in act["observaciones"].get(q, []))]
            )
            rows.append(_row(act, act["nombre"], act["formula"], "actividad", notes))
    return rows


def series_detail(act: dict[str, Any]) -> list[str]:
    """A gauge's unclamped per-network acumulado, the detail beside its row (SPEC §3):
    ``["por red (acumulado, sin tope; ...): instagram 250,0 %, twitter -12,5 %"]`` or ``[]``."""
    series = act["acumulado"].get("series")
    if not series:
        return []
    parts = [f"{red} {'sin medición' if s['sin_medicion'] else pct(s['cumplimiento'], 1)}" for red, s in series.items()]
    return [f"por red (acumulado, sin tope; en la cifra cada red cuenta de 0 a 100 %): {', '.join(parts)}"]


def _row(item: dict[str, Any], name: str, indicador: str, kind: str, notes: str) -> dict[str, Any]:
    trims = item["trimestres"]
    return {
        "kind": kind,
        "id": item["id"],
        "nombre": name,
        "indicador": indicador,
        "meta": 100.0 if kind == "actividad" else float(item["meta"]),
        "trimestres": [trims[q]["logrado"] if q in trims else None for q in QUARTERS],
        "programado_trimestres": [trims[q]["programado"] if q in trims else None for q in QUARTERS],
        "acumulado": item["acumulado"]["logrado"],
        "programado_acumulado": item["acumulado"]["programado"],
        "semaforo": item["acumulado"]["semaforo"],
        "observaciones": notes,
    }


def render_markdown(report: Report) -> str:
    from tabulate import tabulate

    doc = report_to_dict(report)
    table = []
    for row in seguimiento_rows(doc):
        name = f"**{row['nombre']}**" if row["kind"] == "linea" else row["nombre"]
        table.append([
            row["id"], name, row["indicador"], pct(row["meta"]),
            *[pct(v) if i < report.trimestre else "" for i, v in enumerate(row["trimestres"])],
            pct(row["acumulado"]), pct(row["programado_acumulado"]), row["semaforo"] or "sin meta",
            row["observaciones"],
        ])
    title = (
        f"# Seguimiento {doc['plan']} {doc['vigencia']}: Trim. {doc['trimestre']} (corte {doc['corte']})\n\n"
        f"{doc['entidad']}. Cifras en puntos porcentuales de la meta anual.\n\n"
    )
    return title + tabulate(table, headers=seguimiento_headers(doc), tablefmt="pipe", disable_numparse=True) + "\n"
