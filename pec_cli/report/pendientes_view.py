"""``pec pendientes`` for people and scripts: the JSON document, plain text and Markdown.

``pendientes_to_dict`` is the machine-readable contract (README, «pec
pendientes --format json») and the one place numbers are rounded; the text
and Markdown are written from it. Standard library only (the text is plain,
so the command starts as fast as ``pec status --format json``).
"""

from __future__ import annotations

import datetime as dt
import json
import textwrap
from typing import Any

from pec_cli.ledger.requests import Request
from pec_cli.plan.model import MONTHS, QUARTERS, Activity
from pec_cli.report.markdown import md
from pec_cli.report.mediciones import mediciones_text, mediciones_to_dict
from pec_cli.report.numbers import json_number, pct, r2
from pec_cli.report.pendientes import ActividadPendiente, Cadencia, Pendientes, SerieRitmo
from pec_cli.report.table import SYMBOLS, Kind, figure_text


def _cadencia(c: Cadencia | None) -> dict[str, Any] | None:
    if c is None:
        return None
    return {
        "tipo": c.tipo,
        "sin_pieza": [{"desde": lo.isoformat(), "hasta": hi.isoformat()} for lo, hi in c.sin_pieza],
        "actual": {"desde": c.actual[0].isoformat(), "hasta": c.actual[1].isoformat(), "realizadas": c.realizadas_actual},
    }


def _serie(s: SerieRitmo) -> dict[str, Any]:
    return {
        "nombre": s.nombre, "meta": json_number(s.meta),
        "base": json_number(s.base), "base_fecha": s.base_fecha.isoformat() if s.base_fecha else None,
        "actual": json_number(s.actual), "actual_fecha": s.actual_fecha.isoformat() if s.actual_fecha else None,
        "crecimiento": json_number(s.crecimiento),
        "faltan": json_number(max(0.0, s.meta - s.crecimiento)) if s.meta is not None and s.crecimiento is not None else None,
        "proyeccion": None if s.proyeccion is None else round(s.proyeccion),
        "sin_medicion": s.sin_medicion,
        "meta_programada": json_number(s.meta_programada), "cumplimiento": json_number(s.cumplimiento),
        "cumplimiento_anual": json_number(s.cumplimiento_anual),
    }


def _actividad(a: ActividadPendiente, requests: tuple[Request, ...]) -> dict[str, Any]:
    act = a.activity
    return {
        "id": act.id, "nombre": act.nombre, "linea": act.linea, "unidad": act.unidad, "meta": json_number(act.meta),
        "tipo_realizadas": act.default_tipo, "realizadas": a.realizadas,
        "programado_acumulado": r2(a.programado), "logrado_acumulado": r2(a.logrado),
        "faltan": None if a.faltan is None else {
            "tipo": a.faltan.tipo, "trimestre": a.faltan.trimestre, "anual": a.faltan.anual,
        },
        "ritmo": None if a.ritmo is None else {
            "esperadas": r2(a.ritmo.esperadas), "realizadas": a.ritmo.realizadas,
            "diferencia": r2(a.ritmo.realizadas - a.ritmo.esperadas), "estado": a.ritmo.estado,
        },
        "meses": [{"mes": m.mes, "realizadas": m.realizadas, "meta": json_number(m.meta), "faltan": m.faltan,
                   "estado": m.estado} for m in a.meses],
        "calendario": [{"mes": m.mes, "estado": m.estado, "fecha": m.fecha} for m in a.calendario],
        "cadencia": _cadencia(a.cadencia),
        "series": {s.red: _serie(s) for s in a.series},
        "abiertas": sum(1 for r in requests if r.actividad == act.id),
        "mediciones": mediciones_to_dict(dict(a.mediciones)),
    }


def pendientes_to_dict(p: Pendientes) -> dict[str, Any]:
    """The ``pec pendientes --format json`` document."""
    return {
        "vigencia": p.plan.vigencia,
        "fecha": p.fecha.isoformat(),
        "trimestre": p.trimestre_label,
        "fin_trimestre": p.fin_trimestre.isoformat(),
        "dias_restantes": p.dias_restantes,
        "actividades": [_actividad(a, p.solicitudes) for a in p.actividades],
        "lineas": [
            {"id": ln.id, "numero": ln.numero, "nombre": ln.nombre, "programado_acumulado": r2(ln.programado),
             "logrado_acumulado": r2(ln.logrado), "faltan_puntos": r2(ln.faltan), "semaforo": ln.semaforo}
            for ln in p.lineas
        ],
        "solicitudes_abiertas": [
            {"id": r.id, "actividad": r.actividad, "tipo": r.tipo, "fecha": r.fecha.isoformat(), "area": r.area,
             "dias": (p.fecha - r.fecha).days}
            for r in p.solicitudes
        ],
        **_control(p),
    }


def _control(p: Pendientes) -> dict[str, Any]:
    """The closed quarters, their improvement actions (state at the date) and the red or amber rows still
    without one (``ledger.closures``)."""
    report = p.report
    if report is None:
        return {"cerrado": {}, "acciones": [], "sin_analisis": []}
    return {
        "cerrado": {c.label: {"fecha": c.fecha.isoformat(), "version": c.version, "sha256": c.cifras_sha256}
                    for _, c in sorted(report.cerrados.items())},
        "acciones": [{"id": a.id, "fila": a.objetivo, "trimestre": QUARTERS[a.trimestre - 1], "accion": a.accion,
                      "responsable": a.responsable, "fecha_compromiso": a.fecha_compromiso.isoformat(),
                      "estado": a.estado(p.fecha)} for a in report.acciones],
        "sin_analisis": [{"trimestre": QUARTERS[q - 1], "fila": row, "semaforo": semaforo}
                         for q, row, semaforo in report.sin_analisis],
    }


def _control_lines(p: Pendientes) -> list[str]:
    """What is due of the closed quarters: actions not yet done, and red or amber rows without an analysis."""
    from pec_cli.report.closed import action_lines

    if p.report is None:
        return []
    pending = p.report._replace(acciones=tuple(a for a in p.report.acciones if a.estado(p.fecha) != "cumplida"),
                                hoy=p.fecha)
    return action_lines(pending, how=True)


def render_json(p: Pendientes) -> str:
    return json.dumps(pendientes_to_dict(p), ensure_ascii=False, indent=2) + "\n"


# -- plain text (table) and Markdown, written from the document


def _month(mes: str) -> str:
    return MONTHS[int(mes[5:7]) - 1]


def _day(text: str) -> str:
    day = dt.date.fromisoformat(text)
    return f"{day.day}\u00a0{MONTHS[day.month - 1][:3]}"  # no-break space: a wrapped line keeps «3 jun» whole


def _falta(n: object) -> str:
    """``falta 1`` / ``faltan 3``: the verb agrees with its count."""
    return f"falta {n}" if n == 1 else f"faltan {n}"


def _faltan_text(a: dict[str, Any], trimestre: str) -> str | None:
    f = a["faltan"]
    if f is None:
        return None
    tipo = f" de «{f['tipo']}»" if f["tipo"] not in (None, a["tipo_realizadas"]) else ""
    if a["meta"] is None:  # demand: what the formula needs today
        return "al día con la demanda" if not f["trimestre"] else f"{_falta(f['trimestre'])}{tipo} para atender la demanda"
    parts = []
    if f["trimestre"] is not None:
        target = f"el {figure_text(a['programado_acumulado'])} % del Trim. {trimestre}"
        parts.append(f"al día para {target}" if f["trimestre"] == 0 else f"{_falta(f['trimestre'])}{tipo} para {target}")
    if f["anual"] is not None:
        parts.append("meta anual cumplida" if f["anual"] == 0 else f"{f['anual']} para la meta anual")
    return f"{a['unidad'] or 'piezas'}: " + "; ".join(parts) if parts else None


def _ritmo_text(a: dict[str, Any]) -> str | None:
    r = a["ritmo"]
    if r is None:
        return None
    esperadas = round(r["esperadas"], 1)  # as shown: the gap is the difference of the two figures a reader sees
    gap = esperadas - r["realizadas"]  # (a gap under 0,05 shows as none)
    text = f"ritmo a la fecha: {r['realizadas']} de {figure_text(esperadas)} esperadas"
    return text + (" (al día)" if r["estado"] == "al día" or gap <= 0 else f" (atrasado en {figure_text(gap)})")


def _meses_text(a: dict[str, Any]) -> str | None:
    if not a["meses"]:
        return None
    meta = a["meses"][0]["meta"]
    items = []
    for m in a["meses"]:
        mark = {"cumplido": "", "incumplido": " incumplido", "en curso": f" en curso, {_falta(m['faltan'])}"}[m["estado"]]
        items.append(f"{_month(m['mes'])}: {m['realizadas']} de {figure_text(meta)}{mark}")
    return "por mes: " + " · ".join(items)


def _calendario_text(a: dict[str, Any]) -> str | None:
    if not a["calendario"]:
        return None
    words = {"hecha": "hecha el {fecha}", "vencida": "vencida, sin hacer", "pendiente": "pendiente este mes",
             "programada": "programada"}
    return "calendario: " + " · ".join(
        f"{_month(m['mes'])}: {words[m['estado']].format(fecha=m['fecha'])}" for m in a["calendario"]
    )


def _cadencia_text(a: dict[str, Any]) -> str | None:
    c = a["cadencia"]
    if c is None:
        return None
    unit = "semanas" if c["tipo"] == "semanal" else "meses"
    gaps = c["sin_pieza"]
    if c["tipo"] == "semanal":
        shown = [f"{_day(g['desde'])}-{_day(g['hasta'])}" for g in gaps[-4:]]
        more = f" (las últimas: {', '.join(shown)})" if len(gaps) > 4 else (f" ({', '.join(shown)})" if shown else "")
        now = "esta semana"
    else:
        more = f" ({', '.join(_month(g['desde'][:7] + '-01') for g in gaps)})" if gaps else " ninguno"
        now = "este mes"
    current = "ya hecha" if c["actual"]["realizadas"] else "aún sin pieza"
    count = "" if not gaps and c["tipo"] == "mensual" else f" {len(gaps)}"
    return f"{unit} sin pieza:{count}{more}; {now} {current}"


def _series_text(a: dict[str, Any], trimestre: str) -> list[str]:
    out = []
    for red, s in a["series"].items():
        if s["sin_medicion"]:
            out.append(f"{red}: sin medición")
            continue
        growth = s["crecimiento"]
        sign = "+" if growth >= 0 else ""
        text = f"{red}: {sign}{figure_text(growth, 0)} de {figure_text(s['meta'], 0)}"
        if s["cumplimiento_anual"] is not None and s["cumplimiento"] is not None:
            text += (f" ({pct(s['cumplimiento_anual'], 1)} de la meta anual; {pct(s['cumplimiento'], 1)} de lo "
                     f"programado al Trim. {trimestre}, {figure_text(s['meta_programada'], 0)})")
        text += ("; una sola medición, sin ritmo" if s["proyeccion"] is None
                 else f"; a este ritmo {'+' if s['proyeccion'] >= 0 else ''}{s['proyeccion']} a {MONTHS[11]}")
        out.append(text)
    return out


def activity_lines(a: dict[str, Any], trimestre: str, act: Activity) -> list[str]:
    """The sentences of one activity, in the order people read them."""
    head = f"{a['realizadas']} de {figure_text(a['meta'])}" if a["meta"] is not None and not a["series"] else None
    lines = [head] if head else []
    texts = (_faltan_text(a, trimestre), _ritmo_text(a), _meses_text(a), _calendario_text(a), _cadencia_text(a))
    abiertas = [f"solicitudes abiertas: {a['abiertas']} (abajo)"] if a["abiertas"] else []
    return lines + [t for t in texts if t] + abiertas + _series_text(a, trimestre) + mediciones_text(act, a["mediciones"])


def _title(doc: dict[str, Any]) -> str:
    return (f"Pendientes {doc['vigencia']} al {doc['fecha']} · Trim. {doc['trimestre']} "
            f"(termina el {doc['fin_trimestre']}, faltan {doc['dias_restantes']} días)")


def _line_head(line: dict[str, Any]) -> str:
    name = f"{line['numero']}. {line['nombre']}"
    if line["logrado_acumulado"] is None:
        return f"{name}: sin demanda a la fecha ({SYMBOLS[Kind.NOT_APPLICABLE]})"
    return (f"{name}: {figure_text(line['logrado_acumulado'])} de {figure_text(line['programado_acumulado'])} "
            f"puntos programados, faltan {figure_text(line['faltan_puntos'])}")


def _requests(doc: dict[str, Any]) -> list[str]:
    rows = doc["solicitudes_abiertas"]
    if not rows:
        return ["Solicitudes abiertas: ninguna."]
    out = [f"Solicitudes abiertas ({len(rows)}, la más antigua primero):"]
    out += [f"{r['id']}  {r['fecha']}  {r['actividad']}  {r['area'] or r['tipo']}  {r['dias']} días" for r in rows]
    return out


def _wrap(text: str, width: int, first: str, rest: str) -> list[str]:
    return textwrap.wrap(text, width=max(40, width), initial_indent=first, subsequent_indent=rest,
                         break_long_words=False, break_on_hyphens=False)


def render_text(p: Pendientes, width: int = 80) -> str:
    """Plain lines, each at most ``width`` columns (wrapped between words)."""
    doc = pendientes_to_dict(p)
    by_id = {a["id"]: a for a in doc["actividades"]}
    pad = " " * 14
    out = [*_wrap(_title(doc), width, "", "  "), ""]
    for line in doc["lineas"]:
        out += _wrap(_line_head(line), width, "", "   ")
        for act in (a for a in p.plan.actividades if a.linea == line["id"]):
            sentences = activity_lines(by_id[act.id], doc["trimestre"], act) or ["nada pendiente"]
            out += _wrap(sentences[0], width, f"  {act.id:<11} ", pad + "  ")
            for sentence in sentences[1:]:
                out += _wrap(sentence, width, pad, pad + "  ")
        out.append("")
    requests = _requests(doc)
    out += [requests[0]] + [f"  {r}" for r in requests[1:]] + [""]
    for sentence in _control_lines(p):
        out += [*_wrap(sentence + ".", width, "", "  "), ""]
    return "\n".join(out)


def render_markdown(p: Pendientes) -> str:
    doc = pendientes_to_dict(p)
    by_id = {a["id"]: a for a in doc["actividades"]}
    out = [f"# {md(_title(doc))}", ""]
    for line in doc["lineas"]:
        out += [f"## {md(_line_head(line))}", ""]
        for act in (a for a in p.plan.actividades if a.linea == line["id"]):
            sentences = activity_lines(by_id[act.id], doc["trimestre"], act) or ["nada pendiente"]
            out.append(f"- **{md(act.id)}**: " + "; ".join(md(s) for s in sentences))
        out.append("")
    requests = _requests(doc)
    out += [f"## {md(requests[0])}", ""] + [f"- {md(r)}" for r in requests[1:]] + ([""] if requests[1:] else [])
    if control := _control_lines(p):
        out += ["## Análisis y acciones de mejora", "", *(f"- {md(s)}." for s in control), ""]
    return "\n".join(out)
