"""The plan's own inconsistencies: a quarter programmed out of proportion to the activity's days in it.

The seed programs 25 % a quarter for activities that start on 1 March, so Trim. I
asks for a quarter of the year's pieces in one month and an office exactly on
rhythm shows amarillo. The plan is kept as written (the committee measures
against it); ``pec plan check`` points it out, once per activity, with the split
proportional to the days of the window in each quarter, in one compact block that
names together the activities sharing a window and a programación. An activity scheduled by
``calendario`` (campaigns in April, June, ...) is programmed on purpose and is
not checked. Standard library only; no I/O.
"""

from __future__ import annotations

import datetime as dt
import math
import textwrap

from pec_cli.plan.model import QUARTERS, Activity, Plan, quarter_bounds

TOLERANCE = 5.0  # percentage points between the programado and the days' share
WIDTH = 92  # the warning's lines, «aviso: » included, stay within a console's width


def window_days(act: Activity, vigencia: int) -> list[int]:
    """Days of the activity's window that fall in each quarter."""
    days = []
    for q in range(1, 5):
        start, end = quarter_bounds(vigencia, q)
        lo, hi = max(start, act.inicio), min(end, act.fin)
        days.append(max(0, (hi - lo).days + 1))
    return days


def proportional(days: list[int]) -> list[float]:
    """Percentages of ``days`` to one decimal that add up to exactly 100 (largest remainder)."""
    total = sum(days)
    tenths = [1000 * d / total for d in days]
    floors = [math.floor(t) for t in tenths]
    order = sorted(range(len(days)), key=lambda i: tenths[i] - floors[i], reverse=True)
    for i in order[: 1000 - sum(floors)]:
        floors[i] += 1
    return [f / 10 for f in floors]


def _num(value: float) -> str:
    return f"{value:g}".replace(".", ",")


def programacion_notices(plan: Plan) -> list[str]:
    """One warning, a compact block: each group of activities (same window and programación) whose
    programación is out of proportion to its days per quarter, with the proportional split."""
    groups: dict[tuple[dt.date, dt.date, tuple[float, ...], int, tuple[int, ...]], list[str]] = {}
    for act in plan.actividades:
        if act.calendario:
            continue
        days = window_days(act, plan.vigencia)
        if not sum(days):
            continue
        share = [100 * d / sum(days) for d in days]
        worst = max(range(4), key=lambda q: abs(act.programacion[q] - share[q]))
        if abs(act.programacion[worst] - share[worst]) > TOLERANCE:
            groups.setdefault((act.inicio, act.fin, act.programacion, worst, tuple(days)), []).append(act.id)
    if not groups:
        return []
    lines = textwrap.wrap("programación fuera de proporción con los días de la ventana (las cifras se miden "
                          "contra el plan tal como está escrito):", WIDTH - len("aviso: "), subsequent_indent="  ")
    for (inicio, fin, programacion, worst, group_days), ids in groups.items():
        split = proportional(list(group_days))
        lines.append(f"  {', '.join(f'«{i}»' for i in ids)} ({inicio.isoformat()} a {fin.isoformat()}):")
        yaml = f"(programacion: [{', '.join(f'{p:g}' for p in split)}])".replace(" ", "\0")  # to copy, kept whole
        text = (f"{'/'.join(_num(p) for p in programacion)} da al Trim. {QUARTERS[worst]} el "
                f"{_num(programacion[worst])}\0% con {group_days[worst]} de sus {sum(group_days)} días ({_num(split[worst])}\0%); "
                f"proporcional a los días: {'/'.join(_num(p) for p in split)} {yaml}.")
        lines += [line.replace("\0", " ") for line in textwrap.wrap(
            text, WIDTH, initial_indent="    ", subsequent_indent="    ", break_on_hyphens=False)]
    return ["\n".join(lines)]
