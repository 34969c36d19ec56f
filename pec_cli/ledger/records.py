"""Building ledger records from what a user typed, checked against the plan.

Pure: the caller supplies the plan, today's date and the clock's timestamp;
nothing here reads or writes files. Every refusal is a :class:`PecError` with
one Spanish sentence. ``pec log`` and ``pec import`` share these checks.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from typing import Any

from pec_cli.errors import PecError
from pec_cli.fields import FIELDS, TEXT_LIMITS
from pec_cli.ledger.entries import CONTROL, MAX_VALOR, NOTE, PIECE, VOID, Entry
from pec_cli.plan.model import QUARTERS, Activity, Plan
from pec_cli.plan.names import find_activity, parse_date, plain_id, quarter_arg, resolve_tipo

# from the one registry of entry fields (pec_cli.fields)
LIMITS = TEXT_LIMITS
OPTION = {**{f.name: f.option for f in FIELDS}, "fecha": "--fecha", "tipo": "--tipo"}
FIELD_NAMES = {f.name: f.label for f in FIELDS}


_THOUSANDS = re.compile(r"^\d{1,3}(\.\d{3})+$")


def parse_number(text: str) -> float:
    """A number as people in Colombia type it: 1520, 1.520 (thousands) or 1520,5; ValueError otherwise."""
    value = text.strip().replace(" ", "")
    if _THOUSANDS.match(value):
        value = value.replace(".", "")
    return float(value.replace(",", "."))


def check_date(act: Activity, fecha: dt.date, today: dt.date) -> None:
    if not act.inicio <= fecha <= act.fin:
        raise PecError(
            f"La fecha {fecha.isoformat()} está fuera de la ventana de «{act.id}» "
            f"({act.inicio.isoformat()} a {act.fin.isoformat()}); corrija --fecha.",
            field="fecha",
        )
    if fecha > today:
        raise PecError(
            f"La fecha {fecha.isoformat()} es posterior a hoy ({today.isoformat()}); "
            "registre solo piezas ya publicadas o corrija --fecha.",
            field="fecha",
        )


def _clean_text(key: str, value: Any) -> str:
    text = str(value).strip()
    if CONTROL.search(text):
        raise PecError(
            f"{FIELD_NAMES.get(key, key).capitalize()} no puede tener saltos de línea ni caracteres de control; "
            "escríbalo en una sola línea.",
            field=key,
        )
    if len(text) > LIMITS.get(key, 2000):
        raise PecError(f"{FIELD_NAMES.get(key, key).capitalize()} es demasiado largo (más de {LIMITS[key]} caracteres); acórtelo.", field=key)
    return text


def _valor(valor: Any) -> int:
    """A measured value as the ledger keeps it: a whole number from 0 to MAX_VALOR (the readers' rule)."""
    try:
        number = parse_number(str(valor)) if not isinstance(valor, int | float) else float(valor)
    except ValueError:
        raise PecError(
            f"El valor «{valor}» no es un número: escriba la cifra medida, por ejemplo --valor 1520.", field="valor"
        ) from None
    if not math.isfinite(number) or number < 0 or number > MAX_VALOR or not number.is_integer():
        raise PecError(
            f"El valor «{valor}» no es válido: debe ser un número entero entre 0 y {MAX_VALOR:.0e} "
            "(una cifra medida, sin decimales).", field="valor")
    return int(number)


def missing_fields(act: Activity, tipo: str, fields: dict[str, Any]) -> list[str]:
    """The fields the tipo requires that ``fields`` does not give."""
    spec = act.tipo(tipo)
    required = spec.requiere if spec else ()
    return [key for key in required if fields.get(key) in (None, "")]


def build_piece(
    plan: Plan, activity_id: str, fields: dict[str, Any], today: dt.date, registrado: str,
    evidence: Callable[[str], dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The record of one published piece; refuses what the plan does not allow.

    ``evidence`` stores the file named in ``fields["evidencia"]`` (copied and
    hashed) once every other check has passed, and gives the record's value;
    without it the file only counts as given (an import stores it later).
    """
    act = find_activity(plan, activity_id)
    tipo = resolve_tipo(act, fields.get("tipo"))
    raw_date = fields.get("fecha")
    if raw_date in (None, ""):
        if not act.inicio <= today <= act.fin:
            raise PecError(
                f"Sin --fecha se usa la de hoy ({today.isoformat()}), que está fuera de la ventana de «{act.id}» "
                f"({act.inicio.isoformat()} a {act.fin.isoformat()}); indique la fecha de la pieza con --fecha.",
                field="fecha",
            )
        fecha = today
    else:
        fecha = parse_date(raw_date)
    check_date(act, fecha, today)
    record: dict[str, Any] = {
        "clase": PIECE, "actividad": act.id, "tipo": tipo, "fecha": fecha.isoformat(), "registrado": registrado,
    }
    for key in ("titulo", "canal", "url", "area", "nota", "atiende"):
        value = fields.get(key)
        if value not in (None, ""):
            record[key] = _clean_text(key, value)
    url = record.get("url")
    if url is not None and not url.lower().startswith(("http://", "https://")):
        raise PecError(f"La URL «{url}» no es válida: debe empezar por http:// o https://.", field="url")
    red, valor = fields.get("red"), fields.get("valor")
    if red not in (None, ""):
        if not act.series:
            raise PecError(f"«{act.id}» no mide redes: quite --red (use --canal para decir dónde se publicó).", field="red")
        key = plain_id(str(red))
        ids = [s.id for s in act.series]
        if key not in ids:
            raise PecError(f"La red «{red}» no está en «{act.id}»; use --red con una de: {', '.join(ids)}.", field="red")
        record["red"] = key
    if valor not in (None, ""):
        if not act.series:
            raise PecError(f"«{act.id}» no registra mediciones: quite --valor.", field="valor")
        record["valor"] = _valor(valor)
    evidencia = fields.get("evidencia")
    missing = missing_fields(act, tipo, {**record, "evidencia": evidencia})
    if missing:
        names = [f"{FIELD_NAMES[m]} ({OPTION[m]})" for m in missing]
        needs = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " y " + names[-1]
        verb = "Falta" if len(names) == 1 else "Faltan"
        raise PecError(
            f"{verb} {needs} para registrar «{tipo}» en «{act.id}»; complételo y vuelva a intentarlo.",
            field=missing[0],
        )
    if evidencia not in (None, "") and evidence is not None:
        record["evidencia"] = evidence(str(evidencia))
    return record


def build_void(target: Entry, motivo: str, voided: set[str], registrado: str) -> dict[str, Any]:
    """The record voiding ``target``; refuses a void of a void and a second void."""
    if target.clase == VOID:
        raise PecError(f"La entrada {target.id} es una anulación y no se puede anular; registre de nuevo la pieza si hace falta.")
    if target.id in voided:
        raise PecError(f"La entrada {target.id} ya está anulada; no hay nada más que hacer.")
    motivo = _clean_text("motivo", motivo) if motivo else ""
    if not motivo:
        raise PecError("Falta el motivo de la anulación: use --motivo «…».")
    record: dict[str, Any] = {"clase": VOID, "actividad": target.actividad, "anula": target.id, "registrado": registrado}
    if target.tipo is not None:
        record["tipo"] = target.tipo
    if target.fecha is not None:
        record["fecha"] = target.fecha.isoformat()
    record["motivo"] = motivo
    return record


def build_note(plan: Plan, activity_id: str, quarter: str, texto: str, registrado: str) -> dict[str, Any]:
    act = find_activity(plan, activity_id)
    q = quarter_arg(quarter)
    texto = _clean_text("texto", texto) if texto else ""
    if not texto:
        raise PecError("La observación está vacía: escriba su texto después de la actividad.")
    return {"clase": NOTE, "actividad": act.id, "trimestre": QUARTERS[q - 1], "registrado": registrado, "texto": texto}
