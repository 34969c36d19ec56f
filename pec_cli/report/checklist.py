"""The evidence checklist of the paquete, for Control Interno (``evidencias.csv`` and the «Evidencias» sheet).

Three blocks: every piece the report counts (the vigencia's pieces in force up
to the corte) with its evidence (and a measurement's network, ``red``), who registered it and when, the days from
publication to registration and whether it was registered after its quarter
was closed (``extemporánea``); per activity, how many of them have evidence;
and a sample of :data:`SAMPLE` pieces for the auditor to check by hand, drawn
with ``random.Random(seed).sample`` over the pieces sorted by id, so anyone can
draw it again from the seed. Pure: plain rows of text and whole numbers; the
CSV (``export.checklist_csv``) and the workbook (``xlsx``) lay them out, and
``cli.exporting`` says which pieces are late and what the seed is.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from collections.abc import Mapping
from typing import NamedTuple

from pec_cli.ledger.entries import Entry
from pec_cli.ledger.query import Selection
from pec_cli.plan.model import Plan
from pec_cli.report.avance import Report
from pec_cli.report.detail import SIN_NOMBRE
from pec_cli.report.render import render_json

SAMPLE = 10
SIN_EVIDENCIA = "sin evidencia"
LEFT_OUT = "sin evidencia (su archivo no se incluyó: vea verificacion.txt)"
# «red»: the network of a measurement (seguidores), empty for any other piece
PIECE_HEADERS = ("id", "actividad", "tipo", "red", "fecha", "título", "evidencia", "sha256", "registrado_por",
                 "registrado", "días", "extemporánea")
_ACTIVITY, _EVIDENCE = PIECE_HEADERS.index("actividad"), PIECE_HEADERS.index("evidencia")
SUMMARY_HEADERS = ("actividad", "con evidencia", "contadas")
Value = str | int


class Block(NamedTuple):
    """One block of the checklist: a title row, a header row, the rows."""

    title: str
    headers: tuple[str, ...]
    rows: list[tuple[Value, ...]]


def report_seed(report: Report) -> str:
    """The seed of the sample: the closure's SHA-256 (its sealed figures) when the paquete's quarter is closed,
    else the SHA-256 of the report's JSON (``pec status --format json`` of the quarter), which the same
    ledger, quarter and day give again."""
    closure = report.cerrados.get(report.trimestre)
    if closure is not None:
        return closure.cifras_sha256
    return hashlib.sha256(render_json(report).encode("utf-8")).hexdigest()


def _evidence(entry: Entry, copies: Mapping[str, str]) -> tuple[str, str]:
    """(the evidence, its SHA-256): the file's name in the paquete, else the URL, else «sin evidencia»."""
    stored = entry.evidence
    if stored is not None and stored.archivo in copies:
        return copies[stored.archivo], stored.sha256
    url = entry.get("url")
    if url:
        return str(url), ""
    return (LEFT_OUT if stored is not None else SIN_EVIDENCIA), ""


def _days(entry: Entry) -> Value:
    """Days from publication to registration (the day ``registrado`` says, in Bogotá), or "" if unreadable."""
    try:
        registered = dt.datetime.fromisoformat(entry.registrado).date()
    except ValueError:
        return ""
    return (registered - entry.fecha).days if entry.fecha else ""


def _title(entry: Entry) -> str:
    """What names the piece: its title, else a request's área, else a measurement's network and value."""
    if entry.get("titulo"):
        return str(entry.get("titulo"))
    return " ".join(str(entry.get(key)) for key in ("area", "red", "valor") if entry.get(key) not in (None, ""))


def checklist(plan: Plan, selection: Selection, corte: dt.date, copies: Mapping[str, str], late: frozenset[str],
              seed: str, unseen: frozenset[str] = frozenset()) -> list[Block]:
    """The three blocks for the pieces of ``selection`` that count (in force, of an activity of the plan);
    ``copies`` names each stored evidence file in the paquete, ``late`` holds the ids of the pieces
    registered after their quarter was closed, ``seed`` draws the sample. The pieces a sealed report's
    closure did not see (``unseen``) are listed, marked, but its figures do not count them: nor do the
    summary and the sample."""
    rows: list[tuple[Value, ...]] = []
    for entry in selection.entries:
        act = plan.owner(entry.actividad)
        if act is None or entry.id in selection.voided:
            continue  # it counts nowhere
        evidencia, sha = _evidence(entry, copies)
        rows.append((entry.id, act.id, entry.tipo or "", str(entry.get("red") or ""),
                     entry.fecha.isoformat() if entry.fecha else "", _title(entry), evidencia, sha,
                     entry.get("por") or SIN_NOMBRE, entry.registrado, _days(entry), "sí" if entry.id in late else "no"))
    counted = [r for r in rows if r[0] not in unseen]
    summary: list[tuple[Value, ...]] = []
    for act in plan.actividades:
        mine = [r for r in counted if r[_ACTIVITY] == act.id]
        summary.append((act.id, sum(1 for r in mine if not str(r[_EVIDENCE]).startswith(SIN_EVIDENCIA)), len(mine)))
    summary.append(("total", sum(int(r[1]) for r in summary), len(counted)))
    ordered = sorted(counted, key=lambda r: str(r[0]))
    drawn = random.Random(seed).sample(ordered, min(SAMPLE, len(ordered)))
    left = len(rows) - len(counted)
    also = (f" (y {left} extemporánea{'s' if left > 1 else ''}, listada{'s' if left > 1 else ''} y marcada"
            f"{'s' if left > 1 else ''}, que las cifras selladas no cuentan)") if left else ""
    return [
        Block(f"Piezas que cuenta el informe: {len(counted)}{also}, de la vigencia {plan.vigencia} hasta el corte "
              f"{corte.isoformat()} (evidencia: el archivo en este paquete con su SHA-256, o la URL; días: de la "
              "publicación al registro; extemporánea: registrada después del cierre de su trimestre)",
              PIECE_HEADERS, rows),
        Block("Resumen por actividad: piezas con evidencia de las que cuenta el informe", SUMMARY_HEADERS, summary),
        Block(f"Muestra para verificar a mano: {len(drawn)} piezas al azar, en el orden en que salieron "
              f"(random.Random(semilla).sample de las piezas ordenadas por id; semilla: {seed})",
              PIECE_HEADERS, drawn),
    ]
