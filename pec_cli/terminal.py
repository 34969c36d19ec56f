"""Rich tables for the terminal: the status board, the plan, the entry list.

The only module that imports rich; the CLI imports it only for table output.
"""

from __future__ import annotations

import sys
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from .avance import Report
from .model import QUARTERS, Entry, Plan
from .render import pct, report_to_dict

COLOURS = {"verde": "green", "amarillo": "yellow", "rojo": "red"}
ICONS = {"verde": "● verde", "amarillo": "● amarillo", "rojo": "● rojo"}


def console(stderr: bool = False) -> Console:
    return Console(stderr=stderr, highlight=False, soft_wrap=False)


def _semaforo(value: str | None) -> Text:
    if value is None:
        return Text("sin meta", style="dim")
    return Text(ICONS[value], style=f"bold {COLOURS[value]}")


def _bar(logrado: float | None, programado: float, width: int = 10) -> Text:
    """A bar of logrado against the programado acumulado."""
    if logrado is None or programado <= 0:
        return Text("─" * width, style="dim")
    filled = round(width * min(logrado, programado) / programado)
    return Text("█" * filled, style="cyan") + Text("░" * (width - filled), style="dim")


def _cell(fig: dict[str, Any]) -> str:
    return f"{pct(fig['logrado'], 1, False)}/{pct(fig['programado'], 0, False)}"


def status_table(report: Report) -> Table:
    doc = report_to_dict(report)
    quarters = QUARTERS[: report.trimestre]
    table = Table(
        title=f"{doc['plan']} {doc['vigencia']} · Trim. {doc['trimestre']} · corte {doc['corte']}",
        caption="Trimestres: logrado/programado, en puntos de la meta anual. N/A: no aplica.",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    table.add_column("Línea / actividad", overflow="fold", min_width=16, max_width=34)
    for q in quarters:
        table.add_column(f"T{q}", justify="right", no_wrap=True)
    table.add_column("Acum.", justify="right", no_wrap=True)
    table.add_column("Avance", no_wrap=True)
    table.add_column("Semáforo", no_wrap=True)
    table.add_column("Realiz./meta", justify="right", no_wrap=True)
    by_id = {a["id"]: a for a in doc["actividades"]}
    for n, line in enumerate(doc["lineas"]):
        acum = line["acumulado"]
        table.add_row(
            Text(f"{line['numero']}. {line['nombre']}", style="bold"),
            *[_cell(line["trimestres"][q]) for q in quarters],
            f"{pct(acum['logrado'], 1, False)}/{pct(acum['programado'], 0, False)}",
            _bar(acum["logrado"], acum["programado"]),
            _semaforo(acum["semaforo"]),
            "",
            end_section=False,
        )
        for act_id in line["actividades"]:
            act = by_id[act_id]
            acum = act["acumulado"]
            meta = act["meta"]
            done = acum["por_tipo"].get(act["tipo_realizadas"], 0)
            table.add_row(
                f"  {act['id']}",
                *[_cell(act["trimestres"][q]) for q in quarters],
                f"{pct(acum['logrado'], 1, False)}/{pct(acum['programado'], 0, False)}",
                _bar(acum["logrado"], acum["programado"]),
                _semaforo(acum["semaforo"]),
                f"{done}/{meta}" if meta is not None else f"{done}/dem.",
            )
        if n < len(doc["lineas"]) - 1:
            table.add_section()
    return table


def print_status(report: Report) -> None:
    out = console()
    out.print(status_table(report))


def print_plan(plan: Plan) -> None:
    out = console()
    textos = plan.textos
    out.print(Text(f"{plan.titulo} {plan.vigencia} · {plan.entidad} ({plan.sigla}) · versión {plan.version}", style="bold"))
    if textos.get("mision"):
        out.print(Text("Misión: ", style="bold") + Text(textos["mision"]))
    if textos.get("vision"):
        out.print(Text("Visión: ", style="bold") + Text(textos["vision"]))
    for obj in textos.get("objetivos", []):
        out.print(Text(f"{obj['numero']} {obj['titulo']}: ", style="bold") + Text(obj.get("texto", "")))
        for item in obj.get("especificos", []):
            out.print(f"   - {item}")
    lines = Table(title="Líneas del Seguimiento", box=box.SIMPLE_HEAD)
    for header in ("Línea", "Nombre", "Indicador (texto del documento)", "Fórmula", "Meta", "Programación", "Actividades"):
        lines.add_column(header, overflow="fold")
    for line in plan.lineas:
        lines.add_row(
            line.id, f"{line.numero}. {line.nombre}", line.indicador.texto, line.indicador.formula,
            pct(line.meta, 0), "/".join(f"{p:g}" for p in line.programacion), ", ".join(line.actividades),
        )
    out.print(lines)
    acts = Table(title="Actividades (plan de intervención)", box=box.SIMPLE_HEAD)
    for header in ("Actividad", "Línea", "Ventana", "Meta", "Tipos", "Fórmula", "Programación", "Responsable"):
        acts.add_column(header, overflow="fold")
    for act in plan.actividades:
        meta = f"{act.meta:g} {act.unidad}".strip() if act.meta is not None else act.meta_texto or "demanda"
        if act.series:
            meta += f" ({', '.join(s.id for s in act.series)})"
        prog = "/".join(f"{p:g}" for p in act.programacion)
        if act.calendario:
            prog += f" (meses {', '.join(map(str, act.calendario))})"
        acts.add_row(
            Text(f"{act.id}\n{act.nombre}"), act.linea, f"{act.inicio:%Y-%m-%d}\n{act.fin:%Y-%m-%d}", meta,
            ", ".join(t.id for t in act.tipos), act.formula_texto, prog, act.responsable,
        )
    out.print(acts)
    prospectiva = textos.get("prospectiva")
    if prospectiva:
        table = Table(title="Prospectiva cuatrienal (ejecución interanual)", box=box.SIMPLE_HEAD)
        table.add_column("Línea")
        for year in prospectiva["anios"]:
            table.add_column(str(year), justify="right")
        for line_id, values in prospectiva["lineas"].items():
            table.add_row(line_id, *[pct(v, 0) for v in values])
        out.print(table)
    if textos.get("reglas"):
        out.print(Text("Reglas de publicación:", style="bold"))
        for rule in textos["reglas"]:
            out.print(f" - {rule}")


def print_entries(entries: list[Entry], voided: set[str]) -> None:
    table = Table(box=box.SIMPLE_HEAD)
    for header in ("id", "fecha", "actividad", "tipo", "detalle", "estado"):
        table.add_column(header, overflow="fold")
    for entry in entries:
        detail = entry.get("titulo") or ""
        if entry.get("red"):
            detail = f"{entry.get('red')}: {entry.get('valor')}"
        if entry.get("area"):
            detail = f"{detail} (área: {entry.get('area')})".strip()
        state = Text("anulada", style="red") if entry.id in voided else Text("")
        table.add_row(entry.id, entry.fecha.isoformat() if entry.fecha else "", entry.actividad, entry.tipo or "", detail, state)
    out = console()
    out.print(table)
    out.print(f"{len(entries)} entradas.", style="dim")


def warn(messages: list[str]) -> None:
    if not messages:
        return
    err = console(stderr=True)
    for message in messages:
        err.print(Text("aviso: ", style="yellow") + Text(message))


def stdout_is_terminal() -> bool:
    return sys.stdout.isatty()
