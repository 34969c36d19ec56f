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
from pec_cli.ledger.entries import CLOSE, CONTROL, MAX_VALOR, NAME_LIMIT, NOTE, PIECE, REOPEN, VOID, Entry, text_limit
from pec_cli.plan.model import QUARTERS, Activity, Plan
from pec_cli.plan.names import (
    find_activity,
    find_target,
    parse_date,
    quarter_arg,
    resolve_area,
    resolve_network,
    resolve_tipo,
)

# from the one registry of entry fields (pec_cli.fields)
LIMITS = TEXT_LIMITS
OPTION = {**{f.name: f.option for f in FIELDS}, "fecha": "--fecha", "tipo": "--tipo"}
FIELD_NAMES = {f.name: f.label for f in FIELDS}


_THOUSANDS = re.compile(r"^\d{1,3}(\.\d{3})+(,\d+)?$")


def parse_number(text: str) -> float:
    """A number as people in Colombia type it: 1520, 1.520 (thousands), 1520,5 or 1.520,5; ValueError otherwise."""
    value = text.strip().replace(" ", "")
    if _THOUSANDS.match(value):
        value = value.replace(".", "")
    return float(value.replace(",", "."))


_ENGLISH_THOUSANDS = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$")
_SCIENTIFIC = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)[eE][+-]?\d+$")


def _count_refusal(valor: Any, likely: int, why: str) -> PecError:
    return PecError(
        f"El valor «{valor}» no sirve: {why}; ¿quiso decir {likely}?", field="valor"
    )


def parse_count(valor: Any) -> int:
    """A gauge value as a count: a whole number >= 0 (1520 or 1.520), or a refusal suggesting
    the likely number (``18,600`` -> 18600, ``18.600,5`` -> 18600)."""
    if isinstance(valor, bool):
        raise PecError(f"El valor «{valor}» no es un número: escriba la cifra medida, por ejemplo --valor 1520.", field="valor")
    text = str(valor).strip().replace(" ", "")
    if isinstance(valor, str) and _SCIENTIFIC.match(text):  # float() would read 1.52E+04 as 15200
        raise PecError(f"El valor «{valor}» está en notación científica (así muestra Excel una cifra larga en una "
                       "columna angosta, sin sus últimas cifras): escriba la medición completa.", field="valor")
    if isinstance(valor, str) and _ENGLISH_THOUSANDS.match(text):
        likely = int(text.split(".")[0].replace(",", ""))
        raise _count_refusal(valor, likely, "en Colombia la coma no separa miles y una medición es un número entero")
    try:
        number = parse_number(text) if isinstance(valor, str) else float(valor)
    except (TypeError, ValueError):
        raise PecError(
            f"El valor «{valor}» no es un número: escriba la cifra medida, por ejemplo --valor 1520.", field="valor"
        ) from None
    if not math.isfinite(number) or number < 0 or number > MAX_VALOR:
        raise PecError(f"El valor «{valor}» no es válido: debe ser un número entero entre 0 y {MAX_VALOR:,.0f}.".replace(",", "."), field="valor")
    if not number.is_integer():
        raise _count_refusal(valor, round(number), "una medición es un conteo, un número entero sin decimales")
    return int(number)


def previous_measure(series: list[tuple[str, float]], fecha: str) -> tuple[str, float] | None:
    """The measurement a new one of ``fecha`` follows in its network's ``series`` (sorted): the latest dated
    before that day (one of the same day is its duplicate or its correction, said apart)."""
    import bisect

    at = bisect.bisect_left(series, (fecha, float("-inf")))
    return series[at - 1] if at else None


def jump_problem(red: str, valor: float, previous: tuple[str, float] | None) -> str | None:
    """Why ``valor`` looks like a typo against the network's previous measurement, or None:
    below half of it, or above three times it (SPEC §3). A previous 0 has no ratio."""
    if previous is None or previous[1] <= 0:
        return None
    day, before = previous
    shown = f"{before:g}" if not float(before).is_integer() else str(int(before))
    if valor < before / 2:
        return f"{valor} es menos de la mitad de la medición anterior de {red} ({shown}, del {day})"
    if valor > before * 3:
        return f"{valor} es más del triple de la medición anterior de {red} ({shown}, del {day})"
    return None


def check_jump(record: dict[str, Any], series: list[tuple[str, float]]) -> None:
    """Refuse a measurement that jumps too far from the network's previous one (``pec log``)."""
    if problem := jump_problem(record["red"], record["valor"], previous_measure(series, record["fecha"])):
        raise PecError(
            f"El valor {problem}: ¿es un error de digitación? Corrija --valor, o repita con --confirmar si es correcto.",
            field="valor",
        )


def check_date(act: Activity, fecha: dt.date, today: dt.date) -> None:
    if fecha.year != act.inicio.year:
        raise PecError(
            f"La fecha {fecha.isoformat()} es de {fecha.year}, fuera de la vigencia {act.inicio.year} de este plan; "
            f"para {fecha.year} hace falta su plan, plan/{fecha.year}.yaml (si ya existe, use --vigencia {fecha.year}), "
            "o corrija --fecha.",
            field="fecha",
        )
    if not act.inicio <= fecha <= act.fin:
        raise PecError(
            f"La fecha {fecha.isoformat()} está fuera de la ventana de «{act.id}» "
            f"({act.inicio.isoformat()} a {act.fin.isoformat()}); corrija --fecha.",
            field="fecha",
        )
    refuse_future(fecha, today)


def refuse_future(fecha: dt.date, today: dt.date) -> None:
    """A piece is registered once published: never dated after today."""
    if fecha > today:
        raise PecError(
            f"La fecha {fecha.isoformat()} es posterior a hoy ({today.isoformat()}); "
            "registre solo piezas ya publicadas o corrija --fecha.",
            field="fecha",
        )


def clean_text(key: str, value: Any) -> str:
    """A text a person typed for field ``key``, trimmed; refused (one sentence) if the record rule would refuse it."""
    text = str(value).strip()
    if CONTROL.search(text):
        raise PecError(f"{_label(key)} no puede tener saltos de línea, caracteres de control ni marcas invisibles de "
                       "dirección (como U+202E); escríbalo en una sola línea, sin ellos.", field=key)
    limit = text_limit(key) or 2000
    if len(text) > limit:
        raise PecError(f"{_label(key)} supera el límite de {limit} caracteres; acórtelo.", field=key)
    return text


_OTHER_LABELS = {"motivo": "el motivo", "texto": "el texto", "nombre": "el nombre", "cargo": "el cargo",
                 "causa": "la causa", "accion": "la acción", "responsable": "el responsable"}


def check_name(value: str, where: str) -> str:
    """The name of who registers (the records' ``por``) as given in ``where`` (``PEC_NOMBRE``, ``--nombre``,
    ``.pec/nombre``, git), checked like every text of a record: one line, no control character or
    invisible direction mark, at most :data:`~pec_cli.ledger.entries.NAME_LIMIT` characters."""
    name = value.strip()
    if not name:
        raise PecError(f"El nombre de quien registra ({where}) está vacío: escríbalo, o quite {where}.")
    if CONTROL.search(name):
        raise PecError(f"El nombre de quien registra ({where}) no puede tener saltos de línea, caracteres de control "
                       "ni marcas invisibles de dirección (como U+202E); escríbalo en una sola línea, sin ellos.")
    if len(name) > NAME_LIMIT:
        raise PecError(f"El nombre de quien registra ({where}) supera el límite de {NAME_LIMIT} caracteres; acórtelo.")
    return name


def _label(key: str) -> str:
    label = FIELD_NAMES.get(key) or _OTHER_LABELS.get(key, key)
    return label[:1].upper() + label[1:]  # «La URL», not «La url»


def missing_fields(act: Activity, tipo: str, fields: dict[str, Any]) -> list[str]:
    """The fields the tipo requires that ``fields`` does not give."""
    spec = act.tipo(tipo)
    required = spec.requiere if spec else ()
    return [key for key in required if fields.get(key) in (None, "")]


def _placement(
    plan: Plan, activity_id: str, tipo_typed: Any, raw_date: Any, today: dt.date,
) -> tuple[Activity, str, str, tuple[str, ...]]:
    """(activity, tipo, fecha AAAA-MM-DD, the fields the tipo requires) of a piece, checked: what
    a piece is and when."""
    act = find_activity(plan, activity_id)
    tipo = resolve_tipo(act, tipo_typed)
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
    spec = act.tipo(tipo)
    return act, tipo, fecha.isoformat(), tuple(spec.requiere) if spec else ()


def build_piece(
    plan: Plan, activity_id: str, fields: dict[str, Any], today: dt.date, registrado: str,
    evidence: Callable[[str], dict[str, Any]] | None = None, placements: dict[tuple[Any, ...], Any] | None = None,
) -> dict[str, Any]:
    """The record of one published piece; refuses what the plan does not allow.

    ``evidence`` stores the file named in ``fields["evidencia"]`` (copied and
    hashed) once every other check has passed, and gives the record's value;
    without it the file only counts as given (an import stores it later).
    ``placements`` remembers the activity, tipo and date checked for each
    (activity, tipo, fecha) as typed, for many pieces built with one plan and today.
    """
    where = (activity_id, fields.get("tipo"), fields.get("fecha"))
    placed = placements.get(where) if placements is not None else None
    if placed is None:
        placed = _placement(plan, activity_id, where[1], where[2], today)
        if placements is not None:
            placements[where] = placed
    act, tipo, fecha, required = placed
    record: dict[str, Any] = {"clase": PIECE, "actividad": act.id, "tipo": tipo, "fecha": fecha, "registrado": registrado}
    for key in ("titulo", "canal", "url", "area", "nota", "atiende"):
        value = fields.get(key)
        if value not in (None, ""):
            text = clean_text(key, value)
            record[key] = resolve_area(plan, text) if key == "area" else text  # the plan's spelling
    url = record.get("url")
    if url is not None and not url.lower().startswith(("http://", "https://")):
        raise PecError(f"La URL «{url}» no es válida: debe empezar por http:// o https://.", field="url")
    red, valor = fields.get("red"), fields.get("valor")
    if red not in (None, ""):
        if not act.series:
            raise PecError(f"«{act.id}» no mide redes: quite --red (use --canal para decir dónde se publicó).", field="red")
        record["red"] = resolve_network(act, str(red))
    if valor not in (None, ""):
        if not act.series:
            raise PecError(f"«{act.id}» no registra mediciones: quite --valor.", field="valor")
        record["valor"] = parse_count(valor)
    evidencia = fields.get("evidencia")
    missing = [key for key in required if (evidencia if key == "evidencia" else record.get(key)) in (None, "")]
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
    if target.clase in (CLOSE, REOPEN):
        q = QUARTERS[(target.trimestre or 1) - 1]
        what = "un cierre" if target.clase == CLOSE else "una reapertura"
        raise PecError(f"La entrada {target.id} es {what} del Trim. {q} y no se anula: un cierre se reabre con "
                       f"«pec cierre --trim {q} --reabrir --motivo …» y el trimestre se cierra otra vez con «pec cierre».")
    if target.id in voided:
        raise PecError(f"La entrada {target.id} ya está anulada; no hay nada más que hacer.")
    motivo = clean_text("motivo", motivo) if motivo else ""
    if not motivo:
        raise PecError("Falta el motivo de la anulación: use --motivo «…».")
    record: dict[str, Any] = {"clase": VOID, "anula": target.id, "registrado": registrado}
    if target.actividad:  # a sign-off or an action has none
        record["actividad"] = target.actividad
    if target.tipo is not None:
        record["tipo"] = target.tipo
    if target.fecha is not None:
        record["fecha"] = target.fecha.isoformat()
    record["motivo"] = motivo
    return record


def build_note(plan: Plan, activity_id: str, quarter: str, texto: str, registrado: str) -> dict[str, Any]:
    target = find_target(plan, activity_id)  # an activity or a whole line
    q = quarter_arg(quarter)
    texto = clean_text("texto", texto) if texto else ""
    if not texto:
        raise PecError("La observación está vacía: escriba su texto después de la actividad.")
    return {"clase": NOTE, "actividad": target, "trimestre": QUARTERS[q - 1], "registrado": registrado, "texto": texto}
