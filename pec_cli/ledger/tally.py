"""What the avance needs from the ledger, folded into small totals.

A :class:`Tally` holds counts per (activity, tipo, date), the gauge
measurements per (activity, network, date), the observaciones and the voids;
never the entries themselves, so its size depends on the plan and the
calendar, not on the ledger's length (a million entries fold into a few
thousand numbers). The exceptions are requests and their answers: a piece
with an ``area`` (a solicitud), a piece that is neither a publication nor a
measurement nor an answer (an evento: the demand of eventos, with no área),
and a piece with ``atiende`` (the id of the request, or evento, it answers)
are kept by id, so that ``atendidas`` can join them: requests as the ids
under what they share (activity, tipo, fecha, area, ``""`` for none), packed in one byte string per group: 100,000 requests fall in a few
thousand groups and take 2 MB, not the 10 MB of a string object each. Tallies of separate
segments merge by addition; voids are applied once each in :meth:`Tally.net`,
so a void and the entry it voids may sit in different segments (or clones).

A day's measurement of a network is the latest recorded that day. Only the
``KEEP`` latest of each (activity, network, day) are kept, enough to survive
voids of the latest ones; should voids ever exhaust a group that dropped
entries, :class:`NeedsFullScan` asks the caller to fold the ledger again with
nothing dropped. Standard library only; no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from typing import Any

from pec_cli.ledger.entries import PIECE, VOID
from pec_cli.plan.model import parse_quarter

KEEP = 4
PUBLICATION = "publicacion"  # the tipo of a published piece (SPEC §1): it may answer, nothing awaits it

CountKey = tuple[str, str, str]  # (activity, tipo, fecha ISO)
GroupKey = tuple[str, str, str]  # (activity, "tipo:red", fecha ISO): followers and interaction apart
# [registrado, n, id, valor]: lists, as JSON gives them back, so the cache loads as is. Sorting them
# orders a day's measurements by when they were recorded, then by position in the segment (an
# import records every row at one instant), never by comparing ids as text ("-10" < "-9").
Measure = list
Note = tuple[str, int, str, str]  # (activity, quarter, registrado, texto)
VoidKey = tuple[str, str | None, str | None]  # (activity, tipo, fecha) of the voided entry
Request = tuple[str, str, str, str]  # (activity, tipo, fecha, area or "") of a piece others may answer
Link = tuple[str, str, str]  # (activity, id answered, fecha of the answer) of a piece with «atiende»


def _request_row(row: Any) -> tuple[Request, bytearray]:
    """A cached row [activity, tipo, fecha, area, "id\\nid\\n"]; ValueError if it is not one (a damaged cache)."""
    if not (type(row) is list and len(row) == 5 and type(row[4]) is str):
        raise ValueError("not a request row")
    return (row[0], row[1], row[2], row[3]), bytearray(row[4].encode())


SEP = b"\n"  # ends each id in a group of requests (no id holds a control character: entries.check_record)


class NeedsFullScan(Exception):
    """Voids removed every kept measurement of a group that had dropped some."""


class Tally:
    __slots__ = ("counts", "measures", "dropped", "notes", "voids", "requests", "links", "records", "keep", "_net")

    def __init__(self, keep: int | None = KEEP) -> None:
        self.counts: dict[CountKey, int] = {}
        self.measures: dict[GroupKey, list[Measure]] = {}
        self.dropped: set[GroupKey] = set()
        self.notes: dict[str, Note] = {}
        self.voids: dict[str, VoidKey] = {}
        self.requests: dict[Request, bytearray] = {}  # the ids of the requests, packed by what they share
        self.links: dict[str, Link] = {}
        self.records = 0
        self.keep = keep
        self._net: Tally | None = None  # memo of net(); a tally is not changed once netted

    @classmethod
    def of(cls, records: Iterable[dict[str, Any]], keep: int | None = KEEP) -> Tally:
        """The tally of ``records`` (decoded ledger records), folded in order."""
        tally = cls(keep)
        for record in records:
            tally.add(record)
        return tally

    def add(self, record: dict[str, Any]) -> None:
        """Fold in one ledger record that passed ``entries.check_record`` (every reader checks first)."""
        self._net = None
        clase = record["clase"]
        actividad = record["actividad"]
        fecha: Any = record.get("fecha")
        if clase == PIECE:
            key = (actividad, record["tipo"], fecha)
            counts = self.counts
            counts[key] = counts.get(key, 0) + 1
            red, valor = record.get("red"), record.get("valor")
            if red is not None and valor is not None:
                group = (actividad, f"{record['tipo']}:{red}", fecha)
                self._measure(group, [record["registrado"], record.get("n", 0), record["id"], float(valor)])
            area, atiende = record.get("area"), record.get("atiende")
            if (type(area) is str and area) or (not atiende and red is None and record["tipo"] != PUBLICATION):
                request = (actividad, record["tipo"], fecha, area or "")
                packed = self.requests.get(request)
                if packed is None:
                    self.requests[request] = packed = bytearray()
                packed += record["id"].encode()
                packed += SEP
            if atiende:
                self.links[record["id"]] = (actividad, atiende, fecha)
        elif clase == VOID:
            self.voids.setdefault(record["anula"], (actividad, record.get("tipo"), fecha))
        else:
            quarter = parse_quarter(str(record["trimestre"]))
            self.notes[record["id"]] = (actividad, quarter, record["registrado"], record["texto"])
        self.records += 1

    def _measure(self, group: GroupKey, measure: Measure) -> None:
        kept = self.measures.get(group)
        if kept is None:
            self.measures[group] = [measure]
            return
        kept.append(measure)
        if len(kept) > 1 and measure < kept[-2]:
            kept.sort()
        if self.keep is not None and len(kept) > self.keep:
            del kept[0]  # the oldest of the day
            self.dropped.add(group)

    def merge(self, other: Tally, take: bool = False) -> None:
        """Add ``other`` in; with ``take``, its lists and byte strings become this tally's (``other`` is dropped after)."""
        self._net = None
        counts = self.counts
        for key, value in other.counts.items():
            counts[key] = counts.get(key, 0) + value
        mine = self.measures
        for group, kept in other.measures.items():
            current = mine.get(group)
            if current is None:
                mine[group] = kept if take else list(kept)
                continue
            current += kept
            current.sort()
            if self.keep is not None and len(current) > self.keep:
                del current[: len(current) - self.keep]  # the oldest of the day
                self.dropped.add(group)
        self.dropped |= other.dropped
        self.notes.update(other.notes)
        for request, packed in other.requests.items():
            have = self.requests.get(request)
            if have is None:
                self.requests[request] = packed if take else bytearray(packed)
            else:
                have += packed
        self.links.update(other.links)
        for target, void_key in other.voids.items():
            self.voids.setdefault(target, void_key)
        self.records += other.records

    def drain(self, into: Tally) -> None:
        """Merge into ``into`` and empty this tally: a segment's totals, merged, need not stay in memory twice."""
        into.merge(self, take=True)
        self.__init__(self.keep)  # type: ignore[misc]

    def net(self) -> Tally:
        """A new tally with every void applied once (what the avance counts)."""
        if self._net is None:
            self._net = self._apply_voids()
        return self._net

    def _apply_voids(self) -> Tally:
        out = Tally(self.keep)
        out.counts = dict(self.counts)
        out.measures = {group: list(kept) for group, kept in self.measures.items()}
        out.notes = dict(self.notes)
        out.requests = self._requests_without(self.voids)
        out.links = dict(self.links)
        out.records = self.records
        by_day: dict[tuple[str, str], list[GroupKey]] = {}
        for group in out.measures:
            by_day.setdefault((group[0], group[2]), []).append(group)
        for target, (actividad, tipo, fecha) in self.voids.items():
            if target in out.notes:
                del out.notes[target]
                continue
            out.links.pop(target, None)
            if tipo is not None and fecha is not None and out.counts.get((actividad, tipo, fecha), 0) > 0:
                out.counts[(actividad, tipo, fecha)] -= 1
            if fecha is None:
                groups = [g for g in out.measures if g[0] == actividad]
            else:
                groups = by_day.get((actividad, fecha), [])
            for group in groups:
                kept = out.measures[group]
                remaining = [m for m in kept if m[2] != target]
                if len(remaining) != len(kept):
                    if not remaining and group in self.dropped:
                        raise NeedsFullScan(group)
                    out.measures[group] = remaining
        out.measures = {g: k for g, k in out.measures.items() if k}
        return out

    def series(self, actividad: str, tipo: str, *earlier: str) -> dict[str, list[tuple[str, float]]]:
        """Per network, the measurements of ``tipo``: (fecha, the day's latest valor), sorted by date;
        with those recorded under the activity's ``earlier`` ids (a rename)."""
        out: dict[str, list[tuple[str, float]]] = {}
        prefix = f"{tipo}:"
        for (activity, key, fecha), kept in self.measures.items():
            if (activity == actividad or activity in earlier) and kept and key.startswith(prefix):
                out.setdefault(key[len(prefix):], []).append((fecha, kept[-1][3]))
        for values in out.values():
            values.sort()
        return out

    def answered(self, actividad: str, *earlier: str) -> dict[str, str]:
        """Per request of ``actividad`` (or its ``earlier`` ids) with an answer: the date of its first answer."""
        first: dict[str, str] = {}
        for activity, target, fecha in self.links.values():
            if (activity == actividad or activity in earlier) and (target not in first or fecha < first[target]):
                first[target] = fecha
        return first

    # -- the cache's form: plain JSON values

    def to_json(self) -> dict[str, Any]:
        return {
            "counts": [[*key, n] for key, n in self.counts.items()],
            "measures": [[*group, kept] for group, kept in self.measures.items()],
            "dropped": [list(group) for group in self.dropped],
            "notes": [[note_id, *note] for note_id, note in self.notes.items()],
            "voids": [[target, *key] for target, key in self.voids.items()],
            "requests": [[*key, packed.decode()] for key, packed in self.requests.items()],
            "links": [[piece, *key] for piece, key in self.links.items()],
            "records": self.records,
            "keep": self.keep,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Tally:
        """The tally of ``to_json``'s value; ValueError if it is not one (a damaged cache)."""
        tally = cls(data["keep"])
        tally.counts = {(a, t, f): n for a, t, f, n in data["counts"]}
        tally.measures = {(a, r, f): kept for a, r, f, kept in data["measures"]}
        tally.dropped = {tuple(g) for g in data["dropped"]}
        tally.notes = {n[0]: tuple(n[1:]) for n in data["notes"]}
        tally.voids = {v[0]: tuple(v[1:]) for v in data["voids"]}
        tally.requests = dict(map(_request_row, data["requests"]))
        tally.links = {k[0]: tuple(k[1:]) for k in data["links"]}
        tally.records = data["records"]
        if not tally._well_formed():
            raise ValueError("not a tally")
        return tally

    def request_groups(self) -> Iterator[tuple[Request, list[str]]]:
        """Each group of requests (activity, tipo, fecha, area) with its ids, in the order they were read."""
        for request, packed in self.requests.items():
            yield request, packed.decode().split("\n")[:-1]

    def _requests_without(self, voids: dict[str, VoidKey]) -> dict[Request, bytearray]:
        """The requests, each void taking away one request of the id it names (as it takes one from the counts)."""
        pending = dict.fromkeys(voids, 1)
        out: dict[Request, bytearray] = {}
        for request, ids in self.request_groups():
            if any(piece in pending for piece in ids):
                kept = []
                for piece in ids:
                    if pending.get(piece):
                        pending[piece] -= 1
                    else:
                        kept.append(piece)
                if kept:
                    out[request] = bytearray("".join(f"{piece}\n" for piece in kept).encode())
            else:
                out[request] = bytearray(self.requests[request])
        return out

    def _well_formed(self) -> bool:
        """Every value has the shape ``add`` gives it (cheap: the cache is small)."""
        text = str
        return (
            (self.keep is None or (type(self.keep) is int and self.keep >= 1))
            and type(self.records) is int and self.records >= 0
            and all(type(n) is int and n >= 0 and type(a) is text and type(t) is text and type(f) is text
                    for (a, t, f), n in self.counts.items())
            and all(type(a) is text and type(r) is text and type(f) is text and type(kept) is list and kept
                    and all(type(m) is list and len(m) == 4 and type(m[0]) is text and type(m[1]) is int
                            and type(m[2]) is text and type(m[3]) is float and math.isfinite(m[3]) for m in kept)
                    for (a, r, f), kept in self.measures.items())
            and all(len(g) == 3 for g in self.dropped)
            and all(len(n) == 4 and type(n[0]) is text and type(n[1]) is int and type(n[2]) is text
                    and type(n[3]) is text for n in self.notes.values())
            and all(type(k) is text and len(v) == 3 and type(v[0]) is text
                    and all(x is None or type(x) is text for x in v[1:]) for k, v in self.voids.items())
            and all(len(k) == 4 and all(type(x) is text for x in k) and v.endswith(SEP) for k, v in self.requests.items())
            and all(type(k) is text and len(v) == 3 and all(type(x) is text for x in v) for k, v in self.links.items())
        )
