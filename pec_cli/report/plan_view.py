"""``pec plan show``: the plan for a person, readable at 80 columns.

Lines and the activities that belong to each (the map the seed leaves
implicit), then each activity's window, meta, tipos, formula and
programación, then the four-year prospectiva, the publishing rules, the
RESUMEN DE CAMBIOS and the firmas.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Any

from rich import box
from rich.console import Console
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from pec_cli.plan.document import signatures
from pec_cli.plan.model import Activity, Plan
from pec_cli.report.fichas import meta_text


def _meta(act: Activity) -> str:
    if act.meta is None:
        return f"{act.meta_texto or 'por demanda'} (sin meta numérica)"
    return meta_text(act)


def _programacion(values: tuple[float, ...], calendario: tuple[int, ...] = ()) -> str:
    text = "/".join(f"{p:g}" for p in values) + " %"
    if calendario:
        text += f" (meses {', '.join(map(str, calendario))})"
    return text


def _say(out: Console, text: str | Text, indent: int = 3, bullet: str = "") -> None:
    """``text`` indented by ``indent``; wrapped lines stay under its first character (after a bullet too)."""
    body = text if isinstance(text, Text) else Text(text)
    if not bullet:
        out.print(Padding(body, (0, 0, 0, indent)))
        return
    grid = Table.grid()
    grid.add_column(width=indent + len(bullet), no_wrap=True)
    grid.add_column()
    grid.add_row(" " * indent + bullet, body)
    out.print(grid)


def print_plan(plan: Plan) -> None:
    out = Console(highlight=False)
    with out.capture() as captured:
        _plan(out, plan)
    # rich pads wrapped cells to the width: trim what would trail at the end of each line
    sys.stdout.write("".join(line.rstrip() + "\n" for line in captured.get().splitlines()))


def _plan(out: Console, plan: Plan) -> None:
    _texts(out, plan)
    _lines(out, plan)
    _activities(out, plan)
    if plan.areas:
        out.print(Text("\nÁreas de la entidad", style="bold underline") + Text(" (el área de una solicitud es una de ellas)"))
        _say(out, ", ".join(plan.areas), 1)
    _prospectiva_and_rules(out, plan.textos)
    _changes_and_signatures(out, plan)


def _texts(out: Console, plan: Plan) -> None:
    textos = plan.textos
    out.print(Text(f"{plan.titulo} {plan.vigencia}", style="bold"))
    out.print(f"{plan.entidad} ({plan.sigla}) · versión {plan.version} · {textos.get('fecha', '')}")
    for key, label in (("mision", "Misión"), ("vision", "Visión")):
        if textos.get(key):
            out.print(Text(f"\n{label}: ", style="bold") + Text(textos[key]))
    for obj in textos.get("objetivos", []):
        out.print(Text(f"\n{obj['numero']} {obj['titulo']}: ", style="bold") + Text(obj.get("texto", "")))
        for item in obj.get("especificos", []):
            _say(out, item, 2, "- ")


def _lines(out: Console, plan: Plan) -> None:
    out.print(Text("\nLíneas del Seguimiento y sus actividades", style="bold underline"))
    for line in plan.lineas:
        out.print(Text(f"\n{line.numero}. {line.nombre} ", style="bold") + Text(f"[{line.id}]", style="cyan"))
        _say(out, f"Indicador: {line.indicador.nombre}")
        _say(out, f"Texto del documento: «{line.indicador.texto}»")
        _say(out, f"Fórmula: {line.indicador.formula} · meta {line.meta:g} % · programación {_programacion(line.programacion)}")
        _say(out, f"Actividades: {', '.join(line.actividades)}")


def _activities(out: Console, plan: Plan) -> None:
    out.print(Text("\nActividades (plan de intervención)", style="bold underline"))
    for act in plan.actividades:
        out.print(Text(f"\n{act.id}", style="bold cyan") + Text(f"  {act.nombre}  (línea {act.linea})"))
        _say(out, f"Ventana: {act.inicio.isoformat()} a {act.fin.isoformat()} · responsable: {act.responsable}")
        _say(out, f"Meta: {_meta(act)}")
        tipos = ", ".join(f"{t.id}" + (f" (requiere {', '.join(t.requiere)})" if t.requiere else "") for t in act.tipos)
        _say(out, f"Tipos: {tipos}")
        _say(out, f"Fórmula: {act.formula_texto} · programación {_programacion(act.programacion, act.calendario)}")
        if act.cadencia:
            _say(out, f"Cadencia: {act.cadencia}")
        if act.antes:
            _say(out, f"Ids anteriores (sus entradas cuentan aquí): {', '.join(act.antes)}")


def _prospectiva_and_rules(out: Console, textos: Mapping[str, Any]) -> None:
    prospectiva = textos.get("prospectiva")
    if prospectiva:
        table = Table(title="Prospectiva cuatrienal (ejecución interanual)", box=box.SIMPLE_HEAD)
        table.add_column("Línea")
        for year in prospectiva["anios"]:
            table.add_column(str(year), justify="right")
        for line_id, values in prospectiva["lineas"].items():
            table.add_row(line_id, *[f"{v:g} %" for v in values])
        out.print()
        out.print(table)
    if textos.get("reglas"):
        out.print(Text("Reglas de publicación", style="bold underline"))
        for rule in textos["reglas"]:
            _say(out, rule, 1, "- ")


def _changes_and_signatures(out: Console, plan: Plan) -> None:
    if plan.textos.get("cambios"):
        out.print(Text("\nResumen de cambios", style="bold underline"))
        for row in plan.textos["cambios"]:
            _say(out, f"Versión {row['version']} ({row['fecha']}, numerales {row['numerales']}): {row['descripcion']}", 1, "- ")
    if signatures(plan):
        out.print(Text("\nResponsabilidad y autoridad", style="bold underline"))
        for label, firma in signatures(plan):
            _say(out, f"{label}: {firma['nombre']}, {firma['cargo']}, {firma['dependencia']}", 1, "- ")
