"""Closed quarters, their sign-offs and improvement actions, as the ledger's events say them.

``pec cierre --trim II`` appends a *closure* (``entries.CLOSE``): the quarter,
its corte, the plan file's SHA-256 and versión with the path of the copy kept
under ``plan/versiones/``, where each segment stood (``posiciones``: writer
id -> the last ``n`` written), and the reported figures with the SHA-256 of
their canonical JSON. ``--reabrir --motivo`` appends a *reopening* naming the
closure it reopens (``reabre``: causal, so no clock decides it); a new
closure closes the quarter again. The closure that stands for a quarter is
the first registered (then by id) that no reopening names; another one (two
clones that closed the quarter apart, merged) is information.

A piece is *extemporánea* for a closure when the closure did not see it: its
segment was not there, or stood before it (:meth:`Closure.saw`). Approvals
(``pec aprobar``) bind to a closure's figures by their SHA-256; actions
(``pec accion``) follow a red or amber row of a closed quarter. Pure: the
caller gives the tally's events; no I/O. Standard library only.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any, NamedTuple

from pec_cli.ledger.entries import ACTION, APPROVE, CLOSE, DONE, REOPEN
from pec_cli.plan.model import QUARTERS, parse_quarter


def canonical(value: Any) -> bytes:
    """The canonical JSON of sealed figures: sorted keys, no spaces, UTF-8."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def digest(value: Any) -> str:
    import hashlib  # OpenSSL: loaded when a closure is made or checked, never by a plain «pec status»

    return hashlib.sha256(canonical(value)).hexdigest()


def plan_digest(data: bytes) -> str:
    """The SHA-256 of a plan file's bytes with its line endings as LF: what a closure records, the same for a
    clone that git checks out with CRLF (``core.autocrlf``, the default of git for Windows)."""
    import hashlib

    return hashlib.sha256(data.replace(b"\r\n", b"\n")).hexdigest()


class Closure(NamedTuple):
    id: str
    trimestre: int
    fecha: dt.date
    corte: dt.date
    version: str
    plan_sha256: str
    plan_archivo: str
    posiciones: dict[str, int]
    cifras: dict[str, Any]
    cifras_sha256: str
    registrado: str

    @classmethod
    def of(cls, record: dict[str, Any]) -> Closure:
        return cls(record["id"], parse_quarter(str(record["trimestre"])), dt.date.fromisoformat(record["fecha"]),
                   dt.date.fromisoformat(record["corte"]), record["plan_version"], record["plan_sha256"],
                   record["plan_archivo"], record["posiciones"], record["cifras"], record["cifras_sha256"],
                   record["registrado"])

    @property
    def label(self) -> str:
        return QUARTERS[self.trimestre - 1]

    def row(self, kind: str, ids: tuple[str, ...]) -> dict[str, Any] | None:
        """The sealed figures of a row of ``kind`` (``actividades`` or ``lineas``) under the first of ``ids`` the
        closure has: an activity renamed since (its ``antes``) keeps the figures sealed under its earlier id."""
        rows = self.cifras.get(kind, {})
        return next((rows[i] for i in ids if i in rows), None)

    def saw(self, entry_id: str) -> bool:
        """Whether the closure saw the entry ``entry_id`` (``<vigencia>-<writer>-<n>``): its segment stood at
        or past it. A piece it did not see, dated in its quarter, is extemporánea."""
        _year, writer, n = entry_id.split("-")
        return int(n) <= self.posiciones.get(writer, 0)


class Approval(NamedTuple):
    id: str
    trimestre: int
    rol: str
    nombre: str
    cargo: str
    fecha: dt.date
    cifras_sha256: str


class Action(NamedTuple):
    id: str
    objetivo: str  # a line or an activity
    trimestre: int
    causa: str
    accion: str
    responsable: str
    fecha_compromiso: dt.date
    fecha: dt.date
    cumplida: dt.date | None = None  # the date it was reported done

    def estado(self, day: dt.date) -> str:
        """«cumplida», «vencida» (its date passed undone) or «en plazo», as of ``day``."""
        if self.cumplida is not None and self.cumplida <= day:
            return "cumplida"
        return "vencida" if day > self.fecha_compromiso else "en plazo"


class Quarters(NamedTuple):
    """What the events say: the closure that stands per quarter, sign-offs, actions, and information."""

    closed: dict[int, Closure]
    also: dict[int, list[Closure]]  # other closures of a quarter no reopening names (two clones, merged)
    approvals: dict[int, list[Approval]]  # of the standing closure's figures
    stale: list[Approval]  # of figures no closure stands on any more
    actions: list[Action]
    information: list[str]


def quarters(events: list[dict[str, Any]], day: dt.date | None = None) -> Quarters:
    """Read the tally's events (closures, reopenings, approvals, actions) in the order they were registered;
    with ``day``, as of that day: a closure dated later is not there yet (nor one dated in the future by a
    hand-made line, which would otherwise stand first and hide the real one)."""
    ordered = sorted(events, key=lambda e: (e["registrado"], e["id"]))
    closes = {e["id"]: parse_quarter(str(e["trimestre"])) for e in ordered if e["clase"] == CLOSE}
    reopened = {e["reabre"]: e for e in ordered  # a reopening of its own quarter's closure (verify names others)
                if e["clase"] == REOPEN and closes.get(e["reabre"]) == parse_quarter(str(e["trimestre"]))}
    closed: dict[int, Closure] = {}
    also: dict[int, list[Closure]] = {}
    information: list[str] = []
    for event in ordered:
        if event["clase"] == CLOSE and event["id"] not in reopened:
            closure = Closure.of(event)
            if day is not None and closure.fecha > day:
                continue
            first = closed.setdefault(closure.trimestre, closure)
            if first is not closure:
                also.setdefault(closure.trimestre, []).append(closure)
                information.append(
                    f"el Trim. {closure.label} se cerró dos veces (dos copias del espacio de trabajo): vale el cierre "
                    f"{first.id} del {first.fecha.isoformat()}; el {closure.id} queda como información")
    approvals = [Approval(e["id"], parse_quarter(str(e["trimestre"])), e["rol"], e["nombre"], e["cargo"],
                          dt.date.fromisoformat(e["fecha"]), e["cifras_sha256"]) for e in ordered if e["clase"] == APPROVE]
    done: dict[str, dt.date] = {}
    for event in ordered:
        if event["clase"] == DONE:
            done.setdefault(event["cumple"], dt.date.fromisoformat(event["fecha"]))
    actions = [Action(e["id"], e["actividad"], parse_quarter(str(e["trimestre"])), e["causa"], e["accion"],
                      e["responsable"], dt.date.fromisoformat(e["fecha_compromiso"]), dt.date.fromisoformat(e["fecha"]),
                      done.get(e["id"])) for e in ordered if e["clase"] == ACTION]
    latest = {parse_quarter(str(e["trimestre"])): e for e in reopened.values()  # registration order: the last
              if day is None or dt.date.fromisoformat(e["fecha"]) <= day}
    for quarter, event in sorted(latest.items()):  # a quarter reopened and not closed again: its figures are today's
        if quarter not in closed:
            information.append(f"el Trim. {QUARTERS[quarter - 1]} se reabrió el {event['fecha']} ({event['motivo']}): "
                               "sus cifras son las de hoy, sin sellar, hasta que «pec cierre» lo cierre otra vez")
    standing = {c.cifras_sha256 for c in closed.values()}
    by_quarter: dict[int, list[Approval]] = {}
    for approval in approvals:
        if approval.trimestre in closed and approval.cifras_sha256 == closed[approval.trimestre].cifras_sha256:
            by_quarter.setdefault(approval.trimestre, []).append(approval)
    stale = [a for a in approvals if a.cifras_sha256 not in standing]
    return Quarters(closed, also, by_quarter, stale, actions, information)


def missing_analyses(state: Quarters, upto: int, day: dt.date | None = None,
                     today_id: Callable[[str], str] = str) -> list[tuple[int, str, str]]:
    """(quarter, row, semáforo) of each red or amber row of a quarter up to ``upto`` closed by ``day`` (as
    sealed: its acumulado) that no improvement action analyses: what reports, ``pendientes`` and the
    paquete name; each row by its id in today's plan (``today_id``: an activity renamed since the closure)."""
    covered = {(a.trimestre, today_id(a.objetivo)) for a in state.actions if day is None or a.fecha <= day}
    out = []
    for quarter, closure in sorted(state.closed.items()):
        if quarter > upto or (day is not None and closure.fecha > day):
            continue
        for kind in ("lineas", "actividades"):
            for row, figures in closure.cifras[kind].items():
                semaforo = figures["acumulado"].get("semaforo")
                if semaforo in ("rojo", "amarillo") and (quarter, today_id(row)) not in covered:
                    out.append((quarter, today_id(row), semaforo))
    return out
