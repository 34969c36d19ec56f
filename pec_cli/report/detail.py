"""The detail of entries the committee reads: one row per piece, with its evidence.

Also the rule that keeps a text cell from running as a spreadsheet formula
(OWASP CSV injection: a leading ``= + - @``, tab or carriage return gets a
``'``). Standard library only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

from pec_cli.fields import FIELDS
from pec_cli.ledger.entries import Entry
from pec_cli.ledger.query import Selection
from pec_cli.plan.model import QUARTERS, Plan, quarter_of

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
SIN_NOMBRE = "sin nombre"  # who registered an entry that does not say (made before pec recorded it)

DETAIL_HEADERS = [
    "id", "fecha", "actividad", "tipo", *(f.name for f in FIELDS if f.kind != "file"),
    "evidencia", "evidencia_sha256", "registrado", "registrado_por", "estado", "motivo_anulacion", "extemporanea",
]


def safe_text(value: str) -> str:
    """A text cell that cannot run as a spreadsheet formula."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def detail_row(entry: Entry, voided: Mapping[str, str], late: frozenset[str] = frozenset(),
               packed: Mapping[str, str] | None = None) -> dict[str, Any]:
    """One entry as the detail exports show it; ``packed`` (the paquete's): each stored evidence path -> its
    copy in the paquete's folder, which the row then names (one the paquete left out is said so)."""
    evidencia = entry.get("evidencia")
    archivo = evidencia.get("archivo") if isinstance(evidencia, dict) else None
    return {
        "id": entry.id,
        "fecha": entry.fecha.isoformat() if entry.fecha else "",
        "actividad": entry.actividad,
        "tipo": entry.tipo or "",
        **{f.name: entry.get(f.name) for f in FIELDS if f.kind != "file"},
        "evidencia": archivo if archivo is None or packed is None else
        packed.get(archivo, f"{archivo} (no incluida en este paquete)"),
        "evidencia_sha256": evidencia.get("sha256") if isinstance(evidencia, dict) else None,
        "registrado": entry.registrado,
        "registrado_por": entry.get("por") or SIN_NOMBRE,
        "estado": "anulada" if entry.id in voided else "vigente",
        "motivo_anulacion": voided.get(entry.id) or None,
        "extemporanea": entry.id in late,  # registered after its quarter was closed: not in its sealed figures
    }


def detail_rows(selection: Selection, plan: Plan, link: Callable[[str], str],
                packed: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """``detail_row`` values plus what the committee formats show: quarter,
    activity name, evidence file name and the evidence's link (``None``
    where the path is not one pec stored)."""
    names = {a.id: a.nombre for a in plan.actividades}
    tipos = {(a.id, t.id): t.nombre for a in plan.actividades for t in a.tipos}
    redes = {(a.id, s.id): s.nombre for a in plan.actividades for s in a.series}
    out = []
    for entry in selection.entries:
        row = detail_row(entry, selection.voided, selection.late, packed)
        evidencia = entry.get("evidencia")
        row["trimestre"] = QUARTERS[quarter_of(entry.fecha) - 1] if entry.fecha else ""
        row["actividad_nombre"] = names.get(entry.actividad, entry.actividad)
        row["tipo_nombre"] = tipos.get((entry.actividad, row["tipo"]), row["tipo"])
        row["red_nombre"] = redes.get((entry.actividad, str(row["red"])), row["red"])
        row["motivo"] = row["motivo_anulacion"] or ""
        row["evidencia_nombre"] = evidencia.get("nombre") if isinstance(evidencia, dict) else None
        archivo = evidencia.get("archivo") if isinstance(evidencia, dict) else None
        row["evidencia_enlace"] = link(archivo) if archivo else None  # a path of the record rule's vocabulary
        row["url_enlace"] = web_link(row["url"])
        out.append(row)
    return out


def piece_count(rows: list[dict[str, Any]]) -> str:
    """'29 vigentes, 1 anulada': what a detail lists, in words."""
    vigentes = sum(1 for r in rows if r["estado"] == "vigente")
    anuladas = len(rows) - vigentes
    return (f"{vigentes} {'vigente' if vigentes == 1 else 'vigentes'}, "
            f"{anuladas} {'anulada' if anuladas == 1 else 'anuladas'}")


def web_link(url: Any) -> str | None:
    """``url`` when it is an http(s) address a reader may open, else None."""
    if not isinstance(url, str) or any(c in url for c in "\r\n\t "):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme.lower() in ("http", "https") and parts.netloc else None


EVENT_NAMES = {"cierre": "cierre", "reapertura": "reapertura", "aprobacion": "aprobación", "accion": "acción",
               "accion_cumplida": "acción cumplida"}


def event_text(entry: Entry) -> str:
    """A closure, reopening, sign-off or action in one sentence (``pec list --cierres``)."""
    get = entry.get
    quarter = f"Trim. {QUARTERS[entry.trimestre - 1]}" if entry.trimestre else ""
    if entry.clase == "cierre":
        return (f"{quarter} cerrado: corte {get('corte')}, versión {get('plan_version')} del plan, cifras selladas "
                f"{str(get('cifras_sha256'))[:12]}…")
    if entry.clase == "reapertura":
        return f"{quarter} reabierto: {get('motivo')}"
    if entry.clase == "aprobacion":
        return f"{quarter}: {get('rol')} {get('nombre')} ({get('cargo')})"  # «Trim. II: revisó Ana (Jefa)»
    if entry.clase == "accion":
        return (f"{entry.actividad}, {quarter}: {get('accion')} (causa: {get('causa')}; responsable: "
                f"{get('responsable')}; compromiso: {get('fecha_compromiso')})")
    return f"la acción {get('cumple')} se cumplió"


def event_row(entry: Entry, voided: Mapping[str, str]) -> dict[str, Any]:
    return {"id": entry.id, "trimestre": QUARTERS[entry.trimestre - 1] if entry.trimestre else "",
            "clase": EVENT_NAMES.get(entry.clase, entry.clase), "fecha": entry.fecha.isoformat() if entry.fecha else "",
            "detalle": event_text(entry), "registrado": entry.registrado,
            "estado": "anulada" if entry.id in voided else "vigente"}
