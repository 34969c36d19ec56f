"""Names a person types, resolved against the plan: activities, tipos, networks, quarters, dates.

One resolver for every command: accents and capitals are forgiven
(«Campañas» is ``campanas``), and a name the plan does not know is refused
with the closest ones suggested. Standard library only; no I/O.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

from pec_cli.errors import PecError
from pec_cli.plan.model import MONTHS, Activity, Plan, parse_quarter


@lru_cache(maxsize=1024)
def plain_id(text: str) -> str:
    """What a person typed, as an id: «Campañas» -> «campanas», «Cápsulas» -> «capsulas»."""
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def fold_name(text: str) -> str:
    """A name as the office may write it, folded: case, accents and spaces aside
    («talento  Humano » and «Talento Humano» are one área)."""
    return " ".join(plain_id(text).split())


def find_activity(plan: Plan, activity_id: str) -> Activity:
    """The plan's activity ``activity_id``, or a refusal suggesting the closest ids."""
    key = plain_id(activity_id)
    act = plan.owner(key)  # an earlier id (``antes``) is the activity it became
    if act is not None:
        return act
    ids = [a.id for a in plan.actividades]
    hint = did_you_mean(key, ids)
    raise PecError(
        f"La actividad «{activity_id}» no existe en el plan {plan.vigencia}{hint}; "
        f"las actividades son: {', '.join(ids)}.",
        field="actividad",
    )


_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$|^(\d{1,2})/(\d{1,2})/(\d{4})$")


def find_target(plan: Plan, typed: str) -> str:
    """An activity's id or a line's id (an observación may be about a whole line), or a
    refusal suggesting the closest of both."""
    key = plain_id(typed)
    act = plan.owner(key)  # an earlier id (``antes``) is the activity it became
    if act is not None:
        return act.id
    if plan.line(key) is not None:
        return key
    acts, lines = [a.id for a in plan.actividades], [ln.id for ln in plan.lineas]
    raise PecError(
        f"«{typed}» no es una actividad ni una línea del plan {plan.vigencia}{did_you_mean(key, acts + lines)}; "
        f"las actividades son: {', '.join(acts)}; las líneas: {', '.join(lines)}.",
        field="actividad",
    )


def parse_date(text: str, what: str = " en --fecha") -> dt.date:
    """A date as people type it, on the command line and in a CSV: 2024-03-28 or 28/03/2024.

    A day that does not exist says so («el 30 de febrero de 2024 no existe»)."""
    match = _DATE.match(text.strip()) if isinstance(text, str) else None
    if match is None:
        raise PecError(
            f"La fecha «{text}» no es válida: escríbala como AAAA-MM-DD o DD/MM/AAAA "
            f"(por ejemplo 2024-03-28 o 28/03/2024){what}.",
            field="fecha",
        )
    if match.group(1):
        year, month, day = int(match.group(1)), int(match.group(2)), int(match.group(3))
    else:
        day, month, year = int(match.group(4)), int(match.group(5)), int(match.group(6))
    if not 1 <= month <= 12:
        raise PecError(f"La fecha «{text}» no es válida: el mes {month} no existe (van del 1 al 12); corríjala{what}.",
                       field="fecha")
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise PecError(
            f"La fecha «{text}» no es válida: el {day} de {MONTHS[month - 1]} de {year} no existe; corríjala{what}.",
            field="fecha",
        ) from None


def quarter_arg(text: str) -> int:
    try:
        return parse_quarter(text)
    except ValueError:
        raise PecError(f"El trimestre «{text}» no existe: use I, II, III o IV (o 1 a 4).", code=2) from None


def resolve_tipo(act: Activity, tipo: str | None) -> str:
    if tipo is None or tipo == "":
        return act.default_tipo
    return resolve_name(tipo, [t.id for t in act.tipos], f"El tipo «{tipo}» no existe en «{act.id}»",
                        "use --tipo con uno de", field="tipo")


# What people call a network, for the plan's id of it: X is Twitter's name since 2023.
NETWORK_ALIASES = {"x": "twitter", "tw": "twitter", "ig": "instagram", "fb": "facebook", "yt": "youtube", "tik tok": "tiktok"}


def resolve_network(act: Activity, red: str) -> str:
    """``red`` as one of the activity's series («X» is twitter), or a refusal with «¿quiso decir …?»."""
    ids = [s.id for s in act.series]
    key = plain_id(red)
    if key not in ids and NETWORK_ALIASES.get(key) in ids:
        return NETWORK_ALIASES[key]
    return resolve_name(red, ids, f"La red «{red}» no está en «{act.id}»", "use --red con una de", field="red")


def resolve_area(plan: Plan, typed: str) -> str:
    """An área as the plan writes it when the plan lists its áreas (folded as :func:`fold_name`), else as typed;
    one the list does not hold is refused with the closest suggested."""
    if not plan.areas:
        return typed
    listed = {fold_name(a): a for a in plan.areas}
    key = fold_name(typed)
    if key in listed:
        return listed[key]
    close = suggestions(key, list(listed))
    hint = f" (¿quiso decir {' o '.join(f'«{listed[c]}»' for c in close)}?)" if close else ""
    raise PecError(f"El área «{typed}» no está en el plan {plan.vigencia}{hint}; las áreas son: "
                   f"{', '.join(plan.areas)}.", field="area")


def suggestions(key: str, choices: Sequence[str]) -> list[str]:
    """The choices closest to ``key`` (as typed, made plain), best first."""
    close = difflib.get_close_matches(key, choices, n=3, cutoff=0.5)
    close += [c for c in choices if key and (c.startswith(key) or key in c) and c not in close]
    return close[:3]


def did_you_mean(key: str, choices: Sequence[str]) -> str:
    """`` (¿quiso decir «x»?)`` when some choice is close, else ``""``."""
    close = suggestions(key, choices)
    return f" (¿quiso decir {' o '.join(f'«{c}»' for c in close)}?)" if close else ""


def resolve_name(typed: str, choices: Sequence[str], what: str, use: str, field: str | None = None) -> str:
    """``typed`` as one of ``choices`` (accents and capitals forgiven), or a refusal:
    ``{what}{suggestion}; {use}: a, b, c.``"""
    key = plain_id(typed)
    if key in choices:
        return key
    raise PecError(f"{what}{did_you_mean(key, choices)}; {use}: {', '.join(choices)}.", field=field)
