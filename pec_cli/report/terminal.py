"""The terminal: the status board and the entry list (rich, colour only as an addition).

With plan_view (the plan tables), the only module that imports rich; the CLI imports it only for table output.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from pec_cli.ledger.query import Selection
from pec_cli.plan.model import QUARTERS
from pec_cli.report.avance import Report
from pec_cli.report.render import pct, report_to_dict, series_detail

COLOURS = {"verde": "green", "amarillo": "yellow", "rojo": "red"}
MAX_WIDTH = 110  # past this a wider board is only harder to read


def console(stderr: bool = False) -> Console:
    return Console(stderr=stderr, highlight=False, soft_wrap=False)


# ---------------------------------------------------------------- status board
#
# Drawn as plain lines of fixed-width columns rather than a rich Table, so that
# a line's long name can sit on its own row and the board never wraps: every
# row is at most the console's width (80 when piped), colour is only an
# addition (the semáforo word and the bar read the same without it: NO_COLOR,
# a pipe, a printout).


@dataclass(frozen=True)
class _Layout:
    name: int
    quarters: int
    bar: int
    realizadas: bool
    ascii: bool
    QUARTER = 6  # "100,0" plus a marker (or a space)
    ACUM = 11  # " 100,0/100"
    SEMAFORO = 12  # "  ● amarillo"
    REALIZ = 9  # "  120/700"

    @property
    def width(self) -> int:
        return (self.name + self.quarters * self.QUARTER + self.ACUM + 2 + self.bar + self.SEMAFORO
                + (self.REALIZ if self.realizadas else 0))


def _layout(doc: dict[str, Any], width: int, ascii_only: bool) -> _Layout:
    quarters = QUARTERS.index(doc["trimestre"]) + 1
    name = min(max(len(a["id"]) for a in doc["actividades"]) + 3, 18)
    name = max(name, 10)
    width = min(width, MAX_WIDTH)
    for realizadas in (True, False):
        layout = _Layout(name, quarters, 0, realizadas, ascii_only)
        room = width - layout.width
        if room >= 8:
            return _Layout(name, quarters, min(room, 24), realizadas, ascii_only)
    return _Layout(max(8, name - 4), quarters, 4, False, ascii_only)


def _num1(value: float | None) -> str:
    return pct(value, 1, False)


def _semaforo(value: str | None, ascii_only: bool = False) -> Text:
    if value is None:
        return Text("sin meta", style="dim")
    dot = "*" if ascii_only else "●"
    return Text(f"{dot} {value}", style=f"bold {COLOURS[value]}")


def _bar(logrado: float | None, programado: float, semaforo: str | None, width: int, ascii_only: bool = False) -> Text:
    """How much of the programado acumulado is achieved: full means on track."""
    full, empty, none = ("#", ".", "-") if ascii_only else ("█", "░", "─")
    if logrado is None or programado <= 0:
        return Text(none * width, style="dim")
    filled = round(width * max(0.0, min(logrado, programado)) / programado)
    colour = COLOURS.get(semaforo or "", "cyan")
    return Text(full * filled, style=colour) + Text(empty * (width - filled), style="dim")


def _row(layout: _Layout, label: Text, item: dict[str, Any], reference: list[float], realizadas: str) -> Text:
    """One board row: label, Trim. I..q logrado, acumulado/programado, bar, semáforo, realizadas."""
    row = Text()
    row.append_text(_fit(label, layout.name))
    for i, q in enumerate(QUARTERS[: layout.quarters]):
        fig = item["trimestres"][q]
        if fig["programado"] <= 0:
            cell = "—" if not layout.ascii else "-"
        else:
            cell = _num1(fig["logrado"])
        marker = "*" if item["programacion"][i] != reference[i] else " "
        row.append(f"{cell:>{layout.QUARTER - 1}}{marker}")
    acum = item["acumulado"]
    row.append(f"{_num1(acum['logrado'])}/{pct(acum['programado'], 0, False)}".rjust(layout.ACUM))
    row.append("  ")
    row.append_text(_bar(acum["logrado"], acum["programado"], acum["semaforo"], layout.bar, layout.ascii))
    row.append("  ")
    row.append_text(_fit(_semaforo(acum["semaforo"], layout.ascii), layout.SEMAFORO - 2))
    if layout.realizadas:
        row.append(realizadas.rjust(layout.REALIZ))
    row.rstrip()
    return row


def _fit(text: Text, width: int) -> Text:
    """``text`` padded or cut (with an ellipsis) to exactly ``width`` cells."""
    text = text.copy()
    if len(text) > width:
        text.truncate(width - 1)
        text.append("…")
    else:
        text.pad_right(width - len(text))
    return text


def _realizadas(act: dict[str, Any]) -> str:
    acum = act["acumulado"]
    if acum.get("series"):  # a gauge: the count of measurements says nothing
        return ""
    done = acum["por_tipo"].get(act["tipo_realizadas"], 0)
    return f"{done}/{act['meta']}" if act["meta"] is not None else str(done)


def _wrap(text: str, width: int, style: str = "") -> list[Text]:
    import textwrap

    glued = text.replace(" %", "\x00%")  # never split a number from its %
    lines = textwrap.wrap(glued, width, subsequent_indent="  ")
    return [Text(line.replace("\x00%", " %"), style=style) for line in lines]


def status_lines(report: Report, width: int, ascii_only: bool = False) -> list[Text]:
    """The status board as lines of at most ``width`` cells."""
    doc = report_to_dict(report)
    layout = _layout(doc, width, ascii_only)
    total = min(width, MAX_WIDTH)
    lines: list[Text] = []
    lines += _wrap(f"{doc['plan']} {doc['vigencia']} · Trim. {doc['trimestre']} · corte {doc['corte']}", total, "bold")
    reference = list(doc["lineas"][0]["programacion"]) if doc["lineas"] else [25.0] * 4
    header = Text(" " * layout.name)
    for q in QUARTERS[: layout.quarters]:
        header.append(f"T {q}".rjust(layout.QUARTER - 1) + " ")
    header.append("Acum./prog.".rjust(layout.ACUM) + "  ")
    header.append(_fit(Text("Avance"), layout.bar).plain + "  ")
    header.append(_fit(Text("Semáforo"), layout.SEMAFORO - 2).plain)
    if layout.realizadas:
        header.append("Realiz.".rjust(layout.REALIZ))
    header.rstrip()
    prog = Text(("programado" if layout.name > 10 else "prog.").ljust(layout.name))
    for i in range(layout.quarters):
        prog.append(f"{pct(reference[i], 0, False):>{layout.QUARTER - 1}} ")
    prog.rstrip()
    lines += [Text(""), Text(header.plain, style="bold"), Text(prog.plain, style="dim")]
    by_id = {a["id"]: a for a in doc["actividades"]}
    rule = "-" if ascii_only else "─"
    different: list[str] = []
    for line in doc["lineas"]:
        title = Text(f"{line['numero']}. {line['nombre']} ", style="bold")
        board = min(total, layout.width)
        title = _fit(title, min(len(title), total))
        title.append(rule * (board - len(title)), style="dim")
        lines.append(title)
        lines.append(_row(layout, Text("  línea", style="bold"), line, reference, ""))
        if list(line["programacion"]) != reference:
            different.append(f"línea {line['id']}")
        for act_id in line["actividades"]:
            act = by_id[act_id]
            lines.append(_row(layout, Text(f"  {act['id']}"), act, reference, _realizadas(act)))
            if list(act["programacion"]) != reference:
                prog_text = "/".join(pct(p, 0, False) for p in act["programacion"])
                different.append(f"{act['id']} {prog_text}")
    lines += _details(doc, total)
    umbrales = doc["semaforo_umbrales"]
    legend = [
        "Trimestres: puntos de la meta anual logrados en cada uno; Acum./prog.: acumulado frente a lo programado "
        "a la fecha; la barra llena es ir al día.",
        f"Semáforo: verde ≥ {umbrales['verde']:g} %, amarillo ≥ {umbrales['amarillo']:g} % de lo programado. "
        "N/A: no aplica; —: nada programado.",
    ]
    if different:
        legend.append("* Programación propia por trimestre: " + "; ".join(different) + ".")
    if layout.realizadas:
        legend.append("Realiz.: piezas registradas hasta el corte / meta anual.")
    lines.append(Text(""))
    for text in legend:
        lines += _wrap(text, total, "dim")
    return lines


NOTES_SHOWN = 12
_MONTHS = ("ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic")


def _details(doc: dict[str, Any], width: int) -> list[Text]:
    """What the board cannot show in a cell: per-network gauges, monthly counts, observaciones."""
    out: list[Text] = []
    for act in doc["actividades"]:
        for detail in series_detail(act):
            out += _wrap(f"{act['id']} {detail}.", width)
        meses = act.get("meses")
        if meses:
            meta = next(iter(meses.values()))["meta"]
            parts = [f"{_MONTHS[int(m[5:]) - 1]} {v['realizadas']}" for m, v in meses.items()]
            out += _wrap(f"{act['id']} por mes (meta {meta} al mes): " + ", ".join(parts) + ".", width)
    quarter = doc["trimestre"]
    notes = [(act["id"], text) for act in doc["actividades"] for text in act["observaciones"].get(quarter, [])]
    if notes:
        out.append(Text(f"Observaciones del Trim. {quarter}", style="bold"))
        for act_id, text in notes[:NOTES_SHOWN]:
            out += _wrap(f"{act_id}: {text}", width)
        if len(notes) > NOTES_SHOWN:
            out += _wrap(f"… y {len(notes) - NOTES_SHOWN} más: pec list --observaciones --trim {quarter}", width, "dim")
    return [Text("")] + out if out else []


def print_status(report: Report) -> None:
    out = console()
    for line in status_lines(report, out.width, out.options.ascii_only):
        out.print(line, no_wrap=True, overflow="crop", crop=True)


def print_entries(selection: Selection) -> None:
    """The pieces as a table; a voided one says so, with the void's motivo."""
    entries, voided = selection.entries, selection.voided
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 1))
    for header in ("id", "fecha", "actividad", "tipo"):
        table.add_column(header, no_wrap=True)
    table.add_column("detalle", overflow="fold", ratio=1, min_width=20)
    for entry in entries:
        detail = Text(entry.get("titulo") or "")
        if entry.get("red"):
            valor = entry.get("valor")
            shown = f"{valor:g}".replace(".", ",") if isinstance(valor, int | float) else ""
            detail = Text(f"{entry.get('red')}: {shown}".rstrip(": "))
        if entry.get("area"):
            detail = Text(f"{detail.plain} (área: {entry.get('area')})".strip())
        if entry.id in voided:
            motivo = voided[entry.id]
            detail.append(f" [anulada{': ' + motivo if motivo else ''}]", style="red")
        table.add_row(entry.id, entry.fecha.isoformat() if entry.fecha else "", entry.actividad, entry.tipo or "", detail)
    out = console()
    out.print(table)
    out.print(f"{len(entries)} entrada{'' if len(entries) == 1 else 's'}.", style="dim")

