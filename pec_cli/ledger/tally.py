"""What the avance needs from the ledger, folded into small totals: the one place entries are counted.

A :class:`Tally` holds counts per (activity, tipo, date), the gauge
measurements per (activity, tipo and network, date), the observaciones and
the voids; never the entries themselves, so its size depends on the plan and
the calendar more than on the ledger's length. Requests and their answers
are kept by id, so that ``atendidas`` can join them: a piece others may
answer (one with an ``area``, a solicitud; or one that is neither a
publication nor a measurement nor an answer, an evento) under what it
shares with others (activity, tipo, fecha, area or ``""``), and a piece
with ``atiende`` (the id of the request, or evento, it answers). Tallies of separate segments merge by addition; voids
are applied once each in :meth:`Tally.net`, so a void and the entry it voids
may sit in different segments (or clones).

A day's measurement of a network is the latest recorded that day.
Standard library only; no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import chain
from operator import itemgetter
from typing import Any

from pec_cli.ledger.entries import CLOSE, EVENTS, PIECE, REOPEN, VOID, check_record
from pec_cli.plan.model import parse_quarter

PUBLICATION = "publicacion"  # the tipo of a published piece (SPEC §1): it may answer, nothing awaits it
CountKey = tuple[str, str, str]  # (activity, tipo, fecha ISO)
GroupKey = tuple[str, str, str]  # (activity, "tipo:red", fecha ISO): followers and interaction apart
# [registrado, n, id, valor]: lists, as JSON gives them back. Sorting them orders a day's measurements
# by when they were recorded, then by position in the segment (an import records every row at one
# instant), never by comparing ids as text ("-10" < "-9").
Measure = list
Note = tuple[str, int, str, str]  # (activity, quarter, registrado, texto)
VoidKey = tuple[str, str | None, str | None]  # (activity, tipo, fecha) of the voided entry
Request = tuple[str, str, str, str]  # (activity, tipo, fecha, area or "") of a piece others may answer
Link = tuple[str, str, str]  # (activity, id answered, fecha of the answer) of a piece with «atiende»


class Tally:
    __slots__ = ("counts", "measures", "notes", "voids", "requests", "links", "events", "records", "_net")

    def __init__(self) -> None:
        self.counts: dict[CountKey, int] = {}
        self.measures: dict[GroupKey, list[Measure]] = {}
        self.notes: dict[str, Note] = {}
        self.voids: dict[str, VoidKey] = {}
        self.requests: dict[Request, list[str]] = {}  # the ids of the requests, grouped by what they share
        self.links: dict[str, Link] = {}
        self.events: list[dict[str, Any]] = []  # closures, reopenings, approvals, actions: whole (a few a year)
        self.records = 0
        self._net: Tally | None = None  # memo of net(); a tally is not changed once netted

    @classmethod
    def of(cls, records: Iterable[dict[str, Any]]) -> Tally:
        """The tally of ``records`` (checked ledger records), folded in order."""
        tally = cls()
        for record in records:
            tally.add(record)
        return tally

    def add(self, record: dict[str, Any]) -> None:
        """Fold in one ledger record that passed ``entries.check_record`` (every reader checks first)."""
        self._net = None
        clase = record["clase"]
        actividad = record.get("actividad", "")
        fecha: Any = record.get("fecha")
        if clase == PIECE:
            key = (actividad, record["tipo"], fecha)
            self.counts[key] = self.counts.get(key, 0) + 1
            red, valor = record.get("red"), record.get("valor")
            if red is not None and valor is not None:
                group = (actividad, f"{record['tipo']}:{red}", fecha)
                self.measures.setdefault(group, []).append(
                    [record["registrado"], record.get("n", 0), record["id"], float(valor)])
            area, atiende = record.get("area"), record.get("atiende")
            if area or (not atiende and red is None and record["tipo"] != PUBLICATION):
                self.requests.setdefault((actividad, record["tipo"], fecha, area or ""), []).append(record["id"])
            if atiende:
                self.links[record["id"]] = (actividad, atiende, fecha)
        elif clase == VOID:
            self.voids.setdefault(record["anula"], (actividad, record.get("tipo"), fecha))
        elif clase in EVENTS:
            self.events.append(record)
        else:
            quarter = parse_quarter(str(record["trimestre"]))
            self.notes[record["id"]] = (actividad, quarter, record["registrado"], record["texto"])
        self.records += 1

    def merge(self, other: Tally) -> None:
        """Add ``other`` in (it is not changed)."""
        self._net = None
        for key, value in other.counts.items():
            self.counts[key] = self.counts.get(key, 0) + value
        for group, kept in other.measures.items():
            self.measures.setdefault(group, []).extend(kept)
        self.notes.update(other.notes)
        for request, ids in other.requests.items():
            self.requests.setdefault(request, []).extend(ids)
        self.links.update(other.links)
        self.events += other.events
        for target, void_key in other.voids.items():
            self.voids.setdefault(target, void_key)
        self.records += other.records

    def net(self) -> Tally:
        """A new tally with every void applied once (what the avance counts)."""
        if self._net is None:
            self._net = self._apply_voids()
        return self._net

    def _apply_voids(self) -> Tally:
        voided = self.voids
        out = Tally()
        out.counts = dict(self.counts)
        out.measures = {group: kept for group, kept in
                        ((g, [m for m in k if m[2] not in voided]) for g, k in self.measures.items()) if kept}
        out.notes = {note_id: note for note_id, note in self.notes.items() if note_id not in voided}
        out.requests = {key: kept for key, kept in
                        ((k, [i for i in ids if i not in voided]) for k, ids in self.requests.items()) if kept}
        out.links = {piece: link for piece, link in self.links.items() if piece not in voided}
        # a closure or a reopening is never voided (a closed quarter is reopened, pec verify names such a void)
        out.events = [event for event in self.events
                      if event["id"] not in voided or event["clase"] in (CLOSE, REOPEN)]
        out.records = self.records
        for target, (actividad, tipo, fecha) in voided.items():
            if target in self.notes:
                continue
            key = (actividad, tipo or "", fecha or "")
            if out.counts.get(key, 0) > 0:
                out.counts[key] -= 1
        return out

    def series(self, actividad: str, tipo: str, *earlier: str) -> dict[str, list[tuple[str, float]]]:
        """Per network, the measurements of ``tipo``: (fecha, the day's latest valor), sorted by date;
        with those recorded under the activity's ``earlier`` ids (a rename)."""
        out: dict[str, list[tuple[str, float]]] = {}
        prefix = f"{tipo}:"
        for (activity, key, fecha), kept in self.measures.items():
            if (activity == actividad or activity in earlier) and kept and key.startswith(prefix):
                out.setdefault(key[len(prefix):], []).append((fecha, max(kept)[3]))
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

    def request_groups(self) -> Iterator[tuple[Request, list[str]]]:
        """Each group of requests (activity, tipo, fecha, area) with its ids, in the order they were read."""
        return iter(self.requests.items())

    # -- the cache's form: plain JSON values

    def to_json(self) -> dict[str, Any]:
        return {
            "counts": [[*key, n] for key, n in self.counts.items()],
            "measures": [[*group, kept] for group, kept in self.measures.items()],
            "notes": [[note_id, *note] for note_id, note in self.notes.items()],
            "voids": [[target, *key] for target, key in self.voids.items()],
            "requests": [[*key, ids] for key, ids in self.requests.items()],
            "links": [[piece, *key] for piece, key in self.links.items()],
            "events": self.events,
            "records": self.records,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Tally:
        """The tally of ``to_json``'s value; ValueError (or KeyError, TypeError) if it is not one."""
        tally = cls()
        tally.counts = {(a, t, f): n for a, t, f, n in data["counts"]}
        tally.measures = {(a, r, f): kept for a, r, f, kept in data["measures"]}
        tally.notes = {n[0]: (n[1], n[2], n[3], n[4]) for n in data["notes"]}
        tally.voids = {v[0]: (v[1], v[2], v[3]) for v in data["voids"]}
        tally.requests = {(a, t, f, r): ids for a, t, f, r, ids in data["requests"]}
        tally.links = {k[0]: (k[1], k[2], k[3]) for k in data["links"]}
        tally.events = data["events"]
        tally.records = data["records"]
        if not tally._well_formed():
            raise ValueError("not a tally")
        return tally

    def _well_formed(self) -> bool:
        """Every value has the shape ``add`` gives it (the cache is derived data, but a file all the same). The
        many values (counts, measurements, request ids, links) are checked flattened, by ``map``."""
        def only(values: Iterable[Any], *kinds: type) -> bool:
            return set(map(type, values)) <= set(kinds)

        def texts(*values: Any) -> bool:
            return all(type(v) is str for v in values)

        return (
            type(self.records) is int and self.records >= 0
            and only(chain.from_iterable(self.counts), str) and only(self.counts.values(), int)
            and only(chain.from_iterable(self.measures), str) and only(self.measures.values(), list)
            and only(measures := list(chain.from_iterable(self.measures.values())), list)
            and set(map(len, measures)) <= {4}
            and all(only(map(itemgetter(i), measures), kind) for i, kind in enumerate((str, int, str, float)))
            and all(texts(n[0], n[2], n[3]) and type(n[1]) is int for n in self.notes.values())
            and all(texts(k, v[0]) and all(x is None or type(x) is str for x in v[1:]) for k, v in self.voids.items())
            and only(chain.from_iterable(self.requests), str) and only(self.requests.values(), list)
            and only(chain.from_iterable(self.requests.values()), str)
            and only(self.links, str) and only(chain.from_iterable(self.links.values()), str)
            and type(self.events) is list and all(type(e) is dict and check_record(e) is None for e in self.events)
        )
