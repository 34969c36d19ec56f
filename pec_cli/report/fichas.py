"""The indicator sheets (hoja de vida del indicador) of every line and activity, from the plan alone.

What a quality system such as Kawak keeps for each indicator: its name, the
objective it serves, the document's formula verbatim and the one computed,
with the plan's reading (``lectura``), the variables and what each counts,
unit, meta, programación, periodicity, window, responsable, semáforo, línea
base and the plan's versions. No ledger is read: a sheet changes only when
the plan does. Each writer (Markdown here; HTML and XLSX beside it) lays out
the same :class:`Ficha`. Standard library only; no I/O.
"""

from __future__ import annotations

from typing import NamedTuple

from pec_cli.ledger.requests import demand_tipos
from pec_cli.plan.document import version_row
from pec_cli.plan.model import MONTHS, QUARTERS, Activity, Line, Plan
from pec_cli.report.markdown import md
from pec_cli.report.numbers import count_text

# What the formula variables that are not a tipo's count stand for (SPEC §2).
VARIABLES = {
    "meta": "la meta programada para el periodo (la meta anual por la programación del periodo)",
    "inicio": "el valor medido de cada red al empezar el periodo (su línea base si no hay medición anterior)",
    "fin": "el valor medido de cada red al final del periodo",
}


class Ficha(NamedTuple):
    """One indicator sheet: (label, value) fields in the order a sheet reads; a value's lines are
    separated by ``\\n``."""

    id: str
    titulo: str
    campos: tuple[tuple[str, str], ...]


def fichas(plan: Plan) -> list[Ficha]:
    """The sheet of every line, each followed by those of its activities (the Seguimiento table's order)."""
    out: list[Ficha] = []
    for line in plan.lineas:
        activities = [a for a in plan.actividades if a.linea == line.id]
        out.append(_line_sheet(plan, line, activities))
        out += [_activity_sheet(plan, line, act) for act in activities]
    return out


def _objetivo(plan: Plan, numero: str) -> str:
    for obj in plan.textos.get("objetivos") or ():
        if obj["numero"] == numero:
            return f"{obj['numero']} {obj['titulo']}: {obj.get('texto', '')}".rstrip(": ")
    return "El plan no lo indica"


def _versions(plan: Plan) -> str:
    rows = [f"{row['version']} ({row['fecha']}, numerales {row['numerales']}): {row['descripcion']}"
            for row in plan.textos.get("cambios") or ()]
    current = "" if version_row(plan.textos, plan.version) else " (sin fila en el resumen de cambios)"
    return "\n".join([f"Versión vigente del plan: {plan.version}{current}", *rows])


def _semaforo(plan: Plan) -> str:
    return (f"Sobre acumulado / programado acumulado: verde ≥ {count_text(plan.semaforo_verde)} %, "
            f"amarillo ≥ {count_text(plan.semaforo_amarillo)} %, rojo por debajo")


def _programacion(values: tuple[float, ...], calendario: tuple[int, ...] = ()) -> str:
    text = ", ".join(f"Trim. {q} {count_text(p)} %" for q, p in zip(QUARTERS, values, strict=True))
    if calendario:
        text += f" (de su calendario: {', '.join(MONTHS[m - 1] for m in calendario)})"
    return text


def _variables(activities: list[Activity]) -> str:
    """Each variable the activities' formula reads and what it counts (a tipo: the names it has in each)."""
    used = activities[0].formula.variables if activities else frozenset()
    tipos: dict[str, list[str]] = {}
    demand: list[str] = []
    for act in activities:
        for t in act.tipos:
            if t.id in used:
                tipos.setdefault(t.id, []).append(f"«{t.nombre}»")
        names = {t.id: t.nombre for t in act.tipos}
        demand += [f"«{names[t]}»" for t in demand_tipos(act)]
    out = [f"{tipo}: piezas {' o '.join(dict.fromkeys(names))} registradas en el periodo" for tipo, names in tipos.items()]
    out += [f"{name}: {text}" for name, text in VARIABLES.items() if name in used]
    if "atendidas" in used:
        out.append(f"atendidas: las piezas {' o '.join(dict.fromkeys(demand)) or 'de demanda'} del periodo que una "
                   "publicación atiende al corte («pec log --atiende»)")
    return "\n".join(out)


def meta_text(act: Activity) -> str:
    """The meta pec counts against: ``10 revistas``, ``700 seguidores por red (Instagram, …)``, ``20
    publicaciones; 2 por mes``, or ``sin meta numérica`` for a demand."""
    if act.meta is None:
        return "Sin meta numérica: se mide la demanda atendida"
    text = f"{count_text(act.meta)} {act.unidad}".strip()
    if act.series:
        text += f" ({', '.join(s.nombre for s in act.series)})"
    if act.meta_mensual is not None:
        text += f"; {count_text(act.meta_mensual)} por mes como detalle"
    return text


def _meta(act: Activity) -> str:
    return meta_text(act) + (f". El documento: «{act.meta_texto}»" if act.meta_texto else "")


def _periodicidad(act: Activity | None) -> str:
    text = "Trimestral: cada trimestre frente a su programado, y acumulado al corte frente a lo programado hasta él"
    if act is not None and act.cadencia:
        text += f"; cadencia de trabajo {act.cadencia} (recordatorios de «pec pendientes», fuera del avance)"
    if act is not None and act.meta_mensual is not None:
        text += "; detalle mensual frente a la meta del mes"
    return text


def _linea_base(act: Activity) -> str:
    if act.series:
        return "\n".join(
            f"{s.nombre}: {count_text(s.linea_base, thousands='.')}" if s.linea_base is not None
            else f"{s.nombre}: su primera medición (el plan no da línea base)"
            for s in act.series)
    if demand_tipos(act):
        return "No aplica: se mide la demanda de cada periodo"
    return "No aplica: cuenta las piezas de la vigencia desde cero"


def _fuente(act: Activity) -> str:
    tipos = "; ".join(f"«{t.nombre}» ({t.id}" + (f", con {', '.join(t.requiere)}" if t.requiere else "") + ")"
                      for t in act.tipos)
    return f"El registro de piezas de pec (pec log {act.id}): {tipos}"


def _line_sheet(plan: Plan, line: Line, activities: list[Activity]) -> Ficha:
    responsables = list(dict.fromkeys(a.responsable for a in activities))
    first = min((a.inicio for a in activities), default=plan.inicio)
    last = max((a.fin for a in activities), default=plan.fin)
    variables = _variables([a for a in activities if a.formula_texto == line.indicador.formula])
    campos = (
        ("Código", line.id),
        ("Indicador", line.indicador.nombre),
        ("Tipo", "Indicador de línea del Seguimiento: el promedio del cumplimiento de sus actividades, "
                 "cada una hasta 100 %"),
        ("Actividades", "\n".join(f"{a.id}: {a.nombre}" for a in activities)),
        ("Objetivo", _objetivo(plan, line.objetivo) if line.objetivo else "El plan no lo indica"),
        ("Fórmula del documento", line.indicador.texto),
        ("Fórmula que se calcula", f"{line.indicador.formula} (la de sus actividades que no declaran otra)"),
        ("Lectura", line.indicador.lectura or "El plan no la explica"),
        ("Variables", variables or "Las de cada actividad (ver su ficha)"),
        ("Unidad de medida", "Porcentaje de la meta anual de la línea"),
        ("Meta", f"{count_text(line.meta)} %"),
        ("Programación", _programacion(line.programacion)),
        ("Periodicidad", _periodicidad(None)),
        ("Ventana", f"{first.isoformat()} a {last.isoformat()}"),
        ("Responsable", "; ".join(responsables)),
        ("Semáforo", _semaforo(plan)),
        ("Línea base", "La de cada actividad (ver su ficha)"),
        ("Fuente de los datos", f"Las de sus actividades: {', '.join(a.id for a in activities)}"),
        ("Observaciones del plan", line.observaciones or "Ninguna"),
        ("Versiones del plan", _versions(plan)),
    )
    return Ficha(line.id, f"{line.numero}. {line.nombre}", campos)


def _activity_sheet(plan: Plan, line: Line, act: Activity) -> Ficha:
    own = act.formula_texto != line.indicador.formula
    campos = (
        ("Código", act.id + (f" (antes: {', '.join(act.antes)})" if act.antes else "")),
        ("Indicador", act.nombre),
        ("Tipo", f"Indicador de actividad: alimenta la línea {line.numero}. {line.nombre} ({line.id})"),
        ("Descripción", act.descripcion or act.nombre),
        ("Objetivo", _objetivo(plan, act.objetivo) if act.objetivo else "El plan no lo indica"),
        ("Fórmula del documento", f"{line.indicador.texto} (la de su línea)"),
        ("Fórmula que se calcula", act.formula_texto + ("" if own else " (la de su línea)")),
        ("Lectura", act.lectura or "El plan no la explica"),
        ("Variables", _variables([act])),
        ("Unidad de medida", f"Porcentaje de la meta programada; la meta se cuenta en {act.unidad}"
                             if act.unidad else "Porcentaje de la demanda atendida"),
        ("Meta", _meta(act)),
        ("Programación", _programacion(act.programacion, act.calendario)),
        ("Periodicidad", _periodicidad(act)),
        ("Ventana", f"{act.inicio.isoformat()} a {act.fin.isoformat()}"),
        ("Responsable", act.responsable),
        ("Semáforo", _semaforo(plan)),
        ("Línea base", _linea_base(act)),
        ("Fuente de los datos", _fuente(act)),
        ("Versiones del plan", _versions(plan)),
    )
    return Ficha(act.id, f"{act.nombre} ({act.id})", campos)


def fichas_markdown(plan: Plan) -> str:
    """The sheets for the minutes or a wiki: a heading and a two-column table per indicator."""
    title = md(f"Fichas de los indicadores: {plan.titulo} {plan.vigencia}")
    parts = [f"# {title}\n\n{md(plan.entidad)} ({md(plan.sigla)}), versión {md(plan.version)} del plan.\n"]
    for ficha in fichas(plan):
        rows = "".join(f"| **{md(label)}** | {'<br>'.join(md(line) for line in value.split(chr(10)))} |\n"
                       for label, value in ficha.campos)
        parts.append(f"## {md(ficha.titulo)}\n\n| Campo | Valor |\n| --- | --- |\n{rows}")
    return "\n".join(parts)
