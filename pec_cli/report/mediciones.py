"""A gauge's other measured series (interaction beside followers): growth per network, no avance.

A gauge activity (one with ``series``) measures its default tipo per network
(followers); any other of its tipos that requires ``red`` and ``valor`` is a
further measured series, e.g. ``interaccion`` (Me gusta). It is shown beside
the gauge in status, its JSON and ``pec pendientes``, and never enters the
avance: it has no meta unless the plan gives its tipo one (per network).
Per network: ``inicio`` is the last value before the window's start, else its
first measurement; ``fin`` the last on or before the corte. Pure; stdlib only.
"""

import datetime as dt
from typing import Any, NamedTuple

from pec_cli.ledger.tally import Tally
from pec_cli.plan.model import Activity, Tipo
from pec_cli.report.numbers import json_number


class Medicion(NamedTuple):
    red: str
    inicio: float | None
    fin: float | None
    meta: float | None

    @property
    def sin_medicion(self) -> bool:
        return self.fin is None

    @property
    def crecimiento(self) -> float | None:
        return None if self.inicio is None or self.fin is None else self.fin - self.inicio

    @property
    def cumplimiento(self) -> float | None:
        growth = self.crecimiento
        return None if growth is None or self.meta is None else 100.0 * growth / self.meta


def measured_tipos(act: Activity) -> tuple[Tipo, ...]:
    """The gauge's measured tipos besides its default one."""
    if not act.series:
        return ()
    return tuple(t for t in act.tipos[1:] if "red" in t.requiere and "valor" in t.requiere)


def other_series(act: Activity, totals: Tally, start: dt.date, corte: dt.date) -> dict[str, tuple[Medicion, ...]]:
    """Per extra measured tipo: each network's series over ``start``..``corte``."""
    out: dict[str, tuple[Medicion, ...]] = {}
    lo, hi = start.isoformat(), corte.isoformat()
    for tipo in measured_tipos(act):
        measured = totals.series(act.id, tipo.id, *act.antes)
        rows = []
        for s in act.series:
            values = [(day, v) for day, v in measured.get(s.id, ()) if day <= hi]
            before = [v for day, v in values if day < lo]
            inside = [v for day, v in values if day >= lo]
            inicio = before[-1] if before else (inside[0] if inside else None)
            rows.append(Medicion(s.id, inicio, values[-1][1] if values else None, tipo.meta))
        out[tipo.id] = tuple(rows)
    return out


def mediciones_to_dict(series: dict[str, tuple[Medicion, ...]]) -> dict[str, Any]:
    return {
        tipo: {
            m.red: {"inicio": json_number(m.inicio), "fin": json_number(m.fin), "crecimiento": json_number(m.crecimiento),
                    "meta": json_number(m.meta), "cumplimiento": json_number(m.cumplimiento), "sin_medicion": m.sin_medicion}
            for m in rows
        }
        for tipo, rows in series.items()
    }


def mediciones_text(act: Activity, doc: dict[str, Any]) -> list[str]:
    """One sentence per extra measured tipo with some measurement, named as the plan names it:
    «medición de interacción (Me gusta) por red: instagram +1200 (4000 a 5200), …»."""
    out = []
    names = {t.id: t.nombre for t in act.tipos}
    for tipo, rows in doc.items():
        if all(m["sin_medicion"] for m in rows.values()):
            continue
        parts = []
        for red, m in rows.items():
            if m["sin_medicion"]:
                parts.append(f"{red} sin medición")
                continue
            growth = m["crecimiento"]
            text = f"{red} {'+' if growth >= 0 else ''}{growth:g} ({m['inicio']:g} a {m['fin']:g})".replace(".", ",")
            if m["meta"] is not None:
                text += f", {m['cumplimiento']:g} % de {m['meta']:g}".replace(".", ",")
            parts.append(text)
        name = names.get(tipo, tipo)
        out.append(f"{name[:1].lower() + name[1:]} por red: " + ", ".join(parts) + ".")
    return out
