"""The status board of ``pec status``: the Seguimiento table laid out for a console.

Plain lines of fixed-width columns, so that a line's long name sits on its own
row and the board never wraps: every row is at most the console's width (80
when piped). Colour is only an addition (the semáforo word and the bar read
the same without it: NO_COLOR, a pipe, a printout); where the console's
encoding lacks a glyph (bars, rules, the semáforo dot) it falls back to ASCII.
It lays out :class:`~pec_cli.report.table.Table` only; no table library.
"""

import sys
import textwrap
from typing import NamedTuple

from pec_cli.plan.model import QUARTERS
from pec_cli.report.numbers import as_typed, pct
from pec_cli.report.screen import Screen, Segment
from pec_cli.report.table import (
    FIRMAS_INFORME,
    LEGEND_CELLS,
    LEGEND_QUARTERS,
    NO_TARGET,
    SIN_APROBAR,
    SYMBOLS,
    Cell,
    Kind,
    Row,
    Table,
    cell_text,
    detail_lines,
    propia_text,
    series_text,
)

COLOURS = {"verde": "green", "amarillo": "yellow", "rojo": "red"}
MAX_WIDTH = 110  # past this a wider board is only harder to read
NOTES_SHOWN = 12
MONTHS = ("ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic")
QUARTER = 6  # "100,0" plus a marker (or a space)
ACUM = 11  # " 100,0/100"
SEMAFORO = 12  # "  ● amarillo"
REALIZ = 9  # "  120/700"

Line = list[Segment]


class Glyphs(NamedTuple):
    full: str
    empty: str
    none: str
    rule: str
    dot: str
    dash: str
    ellipsis: str

    @classmethod
    def of(cls, screen: Screen) -> "Glyphs":
        g = screen.glyph
        return cls(g("█", "#"), g("░", "."), g("─", "-"), g("─", "-"), g("●", "*"), g("—", "-"), g("…", "."))


class Layout(NamedTuple):
    name: int
    quarters: int
    bar: int
    realizadas: bool

    @property
    def width(self) -> int:
        return self.name + self.quarters * QUARTER + ACUM + 2 + self.bar + SEMAFORO + (REALIZ if self.realizadas else 0)


def layout(table: Table, width: int) -> Layout:
    quarters = table.trimestre
    ids = [r.id for r in table.activities()] or ["línea"]
    name = max(min(max(len(i) for i in ids) + 3, 18), 10)
    width = min(width, MAX_WIDTH)
    for realizadas in (True, False):
        room = width - Layout(name, quarters, 0, realizadas).width
        if room >= 8:
            return Layout(name, quarters, min(room, 24), realizadas)
    return Layout(max(8, name - 4), quarters, 4, False)


def fit(text: str, width: int, ellipsis: str) -> str:
    """``text`` padded or cut (with an ellipsis) to exactly ``width`` cells."""
    return text[: width - 1] + ellipsis if len(text) > width else text.ljust(width)


def plain(line: Line) -> str:
    return "".join(text for text, _ in line)


def rstrip(line: Line) -> Line:
    """``line`` without trailing spaces."""
    out = list(line)
    while out and not out[-1][0].rstrip():
        out.pop()
    if out:
        out[-1] = (out[-1][0].rstrip(), out[-1][1])
    return out


def wrap(text: str, width: int, style: str = "") -> list[Line]:
    """``text`` in lines of at most ``width``, continued with an indent; a figure stays with its
    unit («148,6 %» never splits) and a hyphenated word stays whole."""
    glued = text.replace(" %", "\x00%")
    lines = textwrap.wrap(glued, width, subsequent_indent="  ", break_on_hyphens=False, break_long_words=False)
    return [[(line.replace("\x00", " "), style)] for line in lines]


def one_decimal(value: float) -> str:
    return pct(value, 1, False)


def _bar(cell: Cell, semaforo: str | None, width: int, glyphs: Glyphs) -> Line:
    """How much of the programado acumulado is achieved: full means on track."""
    if cell.value is None or cell.programado <= 0:
        return [(glyphs.none * width, "dim")]
    filled = round(width * max(0.0, min(cell.value, cell.programado)) / cell.programado)
    return [(glyphs.full * filled, COLOURS.get(semaforo or "", "cyan")), (glyphs.empty * (width - filled), "dim")]


def _semaforo(semaforo: str | None, glyphs: Glyphs) -> Segment:
    if semaforo is None:
        return (fit(NO_TARGET, SEMAFORO - 2, glyphs.ellipsis), "dim")
    return (fit(f"{glyphs.dot} {semaforo}", SEMAFORO - 2, glyphs.ellipsis), f"bold {COLOURS[semaforo]}")


def realizadas(row: Row) -> str:
    """Pieces to the corte against the annual meta (``4/10``); a gauge's count of measurements says nothing."""
    if row.is_line or row.is_gauge or row.realizadas is None:
        return ""
    total = row.recibidas if row.recibidas is not None else row.meta_piezas
    return f"{row.realizadas}/{as_typed(total)}" if total is not None else str(row.realizadas)


def board_row(table: Table, lay: Layout, row: Row, glyphs: Glyphs) -> Line:
    """One row: label, Trim. I..q logrado, acumulado/programado, bar, semáforo, realizadas."""
    label = "  línea" if row.is_line else f"  {row.id}"
    line: Line = [(fit(label, lay.name, glyphs.ellipsis), "bold" if row.is_line else "")]
    symbols = {**SYMBOLS, Kind.NOTHING: glyphs.dash}
    for i in range(lay.quarters):
        marker = "*" if row.programacion[i] != table.reference[i] else " "
        line.append((f"{cell_text(row.trimestres[i], one_decimal, symbols):>{QUARTER - 1}}{marker}", ""))
    acum = row.acumulado
    acum_text = cell_text(acum, one_decimal, symbols)
    if acum.kind is not Kind.NOTHING:  # nada programado is one symbol, not «—/0»
        acum_text += f"/{pct(acum.programado, 0, False)}"
    line.append((acum_text.rjust(ACUM) + "  ", ""))
    line += _bar(acum, row.semaforo, lay.bar, glyphs)
    line.append(("  ", ""))
    line.append(_semaforo(row.semaforo, glyphs))
    if lay.realizadas:
        line.append((realizadas(row).rjust(REALIZ), ""))
    return rstrip(line)


def _header(table: Table, lay: Layout, glyphs: Glyphs) -> list[Line]:
    header = " " * lay.name + "".join(f"T {q}".rjust(QUARTER - 1) + " " for q in QUARTERS[: lay.quarters])
    header += "Acum./prog.".rjust(ACUM) + "  " + fit("Avance", lay.bar, glyphs.ellipsis) + "  "
    header += fit("Semáforo", SEMAFORO - 2, glyphs.ellipsis) + ("Realiz.".rjust(REALIZ) if lay.realizadas else "")
    prog = ("programado" if lay.name > 10 else "prog.").ljust(lay.name)
    prog += "".join(f"{pct(table.reference[i], 0, False):>{QUARTER - 1}} " for i in range(lay.quarters))
    return [[], [(header.rstrip(), "bold")], [(prog.rstrip(), "dim")]]


def _details(table: Table, width: int) -> list[Line]:
    """What the board cannot show in a cell: per-network gauges, monthly counts, observaciones."""
    out: list[Line] = []
    for act in table.activities():
        if act.series:
            out += wrap(f"{act.id} {series_text(act)}.", width)
        if act.meses:
            parts = [f"{MONTHS[int(m.mes[5:]) - 1]} {m.realizadas}" for m in act.meses]
            out += wrap(f"{act.id} por mes (meta {as_typed(act.meses[0].meta)} al mes): " + ", ".join(parts) + ".", width)
    quarter = table.trimestre_label
    notes = [(row.id, text) for row in table.rows for q, text in row.observaciones if q == quarter]
    if notes:
        out.append([(f"Observaciones del Trim. {quarter}", "bold")])
        for act_id, text in notes[:NOTES_SHOWN]:
            out += wrap(f"{act_id}: {text}", width)
        if len(notes) > NOTES_SHOWN:
            out += wrap(f"… y {len(notes) - NOTES_SHOWN} más: pec list --observaciones --trim {quarter}", width, "dim")
    return [[], *out] if out else []


def _legend(table: Table, lay: Layout, width: int) -> list[Line]:
    propia = propia_text(table)
    legend = [
        f"{LEGEND_QUARTERS}; Acum./prog.: acumulado frente a lo programado hasta el fin del trimestre; "
        "la barra llena es ir al día.",
        f"Semáforo: verde ≥ {table.verde:g} %, amarillo ≥ {table.amarillo:g} % de lo programado. {LEGEND_CELLS}.",
    ]
    if table.legend_en_curso:
        legend.append(table.legend_en_curso + ".")
    if propia:
        legend.append(f"* {propia}.")
    if lay.realizadas:
        counted = [f"{a.id}, atendidas / recibidas ({a.demanda.lower()})" if a.demanda
                   else f"{a.id}, su cifra es el crecimiento por red (abajo)" if a.is_gauge
                   else f"{a.id}, {a.cuenta.lower()}"
                   for a in table.activities() if a.meta_piezas is None or a.is_gauge or a.demanda]
        legend.append("Realiz.: lo registrado hasta el corte / meta anual, del tipo principal de cada actividad"
                      + (f"; {'; '.join(counted)}" if counted else "") + ".")
    return [[], *(line for text in legend for line in wrap(text, width, "dim"))]


def board_lines(table: Table, screen: Screen) -> list[Line]:
    """The status board as lines of at most the screen's width."""
    glyphs = Glyphs.of(screen)
    lay = layout(table, screen.width)
    total = min(screen.width, MAX_WIDTH)
    title = f"{table.plan} {table.vigencia} · Trim. {table.trimestre_label} · corte {table.corte.isoformat()}"
    if table.estado:
        title += f" ({table.estado})"
    lines = wrap(title, total, "bold") + _header(table, lay, glyphs)
    for row in table.rows:
        if row.is_line:
            heading = row.nombre + " "
            heading = fit(heading, min(len(heading), total), glyphs.ellipsis)
            lines.append([(heading, "bold"), (glyphs.rule * (min(total, lay.width) - len(heading)), "dim")])
        lines.append(board_row(table, lay, row, glyphs))
    texts = detail_lines(table)
    if table.cerrado:  # a closed quarter's report is signed with «pec aprobar», or not yet: the board says which
        signed = "; ".join(f"{f.rol} {f.nombre} ({f.cargo}), {f.fecha}" for f in table.firmas.informe)
        texts.append(f"{FIRMAS_INFORME}: {signed or SIN_APROBAR}.")
    extra = [line for text in texts for line in wrap(text, total)]
    return lines + _details(table, total) + _legend(table, lay, total) + ([[], *extra] if extra else [])


def print_board(table: Table) -> None:
    screen = Screen.detect(sys.stdout)
    text = "".join(screen.paint(line) + "\n" for line in board_lines(table, screen))
    sys.stdout.write(text)
    sys.stdout.flush()
