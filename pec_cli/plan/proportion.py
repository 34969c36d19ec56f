"""The plan's own inconsistencies: a quarter programmed out of proportion to the activity's days in it.

The seed programs 25 % a quarter for activities that start on 1 March, so Trim. I
asks for a quarter of the year's pieces in one month and an office exactly on
rhythm shows amarillo. The plan is kept as written (the committee measures
against it); ``pec plan check`` points it out, once per activity, with the split
proportional to the days of the window in each quarter. An activity scheduled by
``calendario`` (campaigns in April, June, ...) is programmed on purpose and is
not checked. Standard library only; no I/O.
"""

from __future__ import annotations

import math

from pec_cli.plan.model import QUARTERS, Activity, Plan, quarter_bounds

TOLERANCE = 5.0  # percentage points between the programado and the days' share


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
    """One warning per activity whose programación is out of proportion to its days per quarter."""
    notices = []
    for act in plan.actividades:
        if act.calendario:
            continue
        days = window_days(act, plan.vigencia)
        if not sum(days):
            continue
        split = proportional(days)
        share = [100 * d / sum(days) for d in days]
        worst = max(range(4), key=lambda q: abs(act.programacion[q] - share[q]))
        if abs(act.programacion[worst] - share[worst]) <= TOLERANCE:
            continue
        programmed = "/".join(_num(p) for p in act.programacion)
        notices.append(
            f"«{act.id}» va de {act.inicio.isoformat()} a {act.fin.isoformat()}, pero su programación {programmed} "
            f"da al Trim. {QUARTERS[worst]} el {_num(act.programacion[worst])} % con {days[worst]} de sus "
            f"{sum(days)} días ({_num(split[worst])} %); proporcional a los días sería "
            f"{'/'.join(_num(p) for p in split)} (programacion: [{', '.join(f'{p:g}' for p in split)}]). "
            "Las cifras se miden contra el plan tal como está escrito"
        )
    return notices
