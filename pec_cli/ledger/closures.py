"""Closed quarters, their sign-offs and improvement actions, as the ledger's events say them.

``pec cierre --trim II`` appends a *closure* (``entries.CLOSE``): the quarter,
its corte, the plan file's SHA-256 and versión with the path of the copy kept
under ``plan/versiones/``, where each segment stood (``posiciones``: writer
id -> the last ``n`` written), and the reported figures with the SHA-256 of
their canonical JSON. ``--reabrir --motivo`` appends a *reopening*; a new
closure closes the quarter again. Events are read in the order they were
registered (then by id): a closure of an open quarter stands; a second one of
a closed quarter (two clones that closed it apart, merged) is information,
the first stands; a reopening opens the quarter it finds closed.

A piece is *extemporánea* for a closure when the closure did not see it: its
segment was not there, or stood before it (:meth:`Closure.saw`). Approvals
(``pec aprobar``) bind to a closure's figures by their SHA-256; actions
(``pec accion``) follow a red or amber row of a closed quarter. Pure: the
caller gives the tally's events; no I/O. Standard library only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any, NamedTuple

from pec_cli.ledger.entries import ACTION, APPROVE, CLOSE, DONE, REOPEN
from pec_cli.plan.model import QUARTERS, parse_quarter


def canonical(value: Any) -> bytes:
    """The canonical JSON of sealed figures: sorted keys, no spaces, UTF-8."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def digest(value: Any) -> str:
    return hashlib.sha256(canonical(value)).hexdigest()


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
    approvals: dict[int, list[Approval]]  # of the standing closure's figures
    stale: list[Approval]  # of figures no closure stands on any more
    actions: list[Action]
    information: list[str]


def quarters(events: list[dict[str, Any]]) -> Quarters:
    """Read the tally's events (closures, reopenings, approvals, actions) in the order they were registered."""
    closed: dict[int, Closure] = {}
    information: list[str] = []
    approvals: list[Approval] = []
    actions: dict[str, Action] = {}
    done: dict[str, dt.date] = {}
    for event in sorted(events, key=lambda e: (e["registrado"], e["id"])):
        clase = event["clase"]
        if clase in (CLOSE, REOPEN):
            _close_or_reopen(event, closed, information)
        elif clase == APPROVE:
            approvals.append(Approval(event["id"], parse_quarter(str(event["trimestre"])), event["rol"],
                                      event["nombre"], event["cargo"], dt.date.fromisoformat(event["fecha"]),
                                      event["cifras_sha256"]))
        elif clase == ACTION:
            actions[event["id"]] = Action(
                event["id"], event["actividad"], parse_quarter(str(event["trimestre"])), event["causa"],
                event["accion"], event["responsable"], dt.date.fromisoformat(event["fecha_compromiso"]),
                dt.date.fromisoformat(event["fecha"]))
        elif clase == DONE:
            done.setdefault(event["cumple"], dt.date.fromisoformat(event["fecha"]))
    standing = {c.cifras_sha256 for c in closed.values()}
    by_quarter: dict[int, list[Approval]] = {}
    for approval in approvals:
        if approval.trimestre in closed and approval.cifras_sha256 == closed[approval.trimestre].cifras_sha256:
            by_quarter.setdefault(approval.trimestre, []).append(approval)
    stale = [a for a in approvals if a.cifras_sha256 not in standing]
    followed = [a._replace(cumplida=done.get(a.id)) for a in actions.values()]
    return Quarters(closed, by_quarter, stale, followed, information)


def _close_or_reopen(event: dict[str, Any], closed: dict[int, Closure], information: list[str]) -> None:
    quarter = parse_quarter(str(event["trimestre"]))
    label = QUARTERS[quarter - 1]
    if event["clase"] == REOPEN:
        if closed.pop(quarter, None) is None:
            information.append(f"la reapertura {event['id']} del Trim. {label} no cambió nada: no estaba cerrado")
        return
    closure = Closure.of(event)
    if quarter in closed:
        first = closed[quarter]
        information.append(f"el Trim. {label} se cerró dos veces (dos copias del espacio de trabajo): vale el cierre "
                           f"{first.id} del {first.fecha.isoformat()}; el {closure.id} queda como información")
        return
    closed[quarter] = closure


__all__ = ["Action", "Approval", "Closure", "Quarters", "canonical", "digest", "quarters"]
