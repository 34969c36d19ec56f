"""What the avance needs from the ledger, folded into small totals.

A :class:`Tally` holds counts per (activity, tipo, date), the gauge
measurements, the observaciones and the voids; never the entries themselves,
so its size depends on the plan and the calendar, not on the ledger's length.
Tallies of separate segments merge by addition; voids are applied once each at
:meth:`Tally.totals`, so a void and the entry it voids may sit in different
segments (or clones). Standard library only; no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .model import NOTE, PIECE, VOID

# (activity, tipo, fecha ISO) -> count
CountKey = tuple[str, str, str]
# id -> (activity, red, fecha ISO, registrado, valor)
Measure = tuple[str, str, str, str, float]
# id -> (activity, quarter, registrado, texto)
Note = tuple[str, int, str, str]


@dataclass
class Tally:
    counts: dict[CountKey, int] = field(default_factory=dict)
    measures: dict[str, Measure] = field(default_factory=dict)
    notes: dict[str, Note] = field(default_factory=dict)
    voids: dict[str, CountKey | None] = field(default_factory=dict)
    records: int = 0

    def add(self, record: dict[str, Any]) -> None:
        """Fold one decoded ledger record in."""
        self.records += 1
        clase = record["clase"]
        if clase == PIECE:
            key = (record["actividad"], record["tipo"], record["fecha"])
            counts = self.counts
            counts[key] = counts.get(key, 0) + 1
            red = record.get("red")
            valor = record.get("valor")
            if red is not None and isinstance(valor, int | float) and not isinstance(valor, bool):
                self.measures[record["id"]] = (record["actividad"], str(red), record["fecha"], record["registrado"], float(valor))
        elif clase == VOID:
            target = record["anula"]
            tipo = record.get("tipo")
            fecha = record.get("fecha")
            key = (record["actividad"], tipo, fecha) if isinstance(tipo, str) and isinstance(fecha, str) else None
            self.voids.setdefault(target, key)
        elif clase == NOTE:
            from .model import parse_quarter

            self.notes[record["id"]] = (record["actividad"], parse_quarter(str(record["trimestre"])), record["registrado"], record["texto"])

    def merge(self, other: Tally) -> None:
        counts = self.counts
        for key, value in other.counts.items():
            counts[key] = counts.get(key, 0) + value
        self.measures.update(other.measures)
        self.notes.update(other.notes)
        for target, key in other.voids.items():
            self.voids.setdefault(target, key)
        self.records += other.records

    def totals(self) -> Tally:
        """A new tally with every void applied once (what the avance counts)."""
        counts = dict(self.counts)
        measures = dict(self.measures)
        notes = dict(self.notes)
        for target, key in self.voids.items():
            if target in notes:
                del notes[target]
                continue
            measures.pop(target, None)
            if key is not None and counts.get(key, 0) > 0:
                counts[key] -= 1
        return Tally(counts, measures, notes, {}, self.records)


def tally_records(records: Iterable[dict[str, Any]]) -> Tally:
    tally = Tally()
    for record in records:
        tally.add(record)
    return tally
