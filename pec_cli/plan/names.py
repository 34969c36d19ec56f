"""Names a person types, resolved against the plan: activities, tipos, networks, quarters, dates.

One resolver for every command: accents and capitals are forgiven
(«Campañas» is ``campanas``), and a name the plan does not know is refused
with the closest ones suggested. Standard library only; no I/O.
"""

from __future__ import annotations

import datetime as dt
import difflib
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

from pec_cli.errors import PecError
from pec_cli.plan.model import Activity, Plan, iso_date, parse_quarter


@lru_cache(maxsize=1024)
def plain_id(text: str) -> str:
    """What a person typed, as an id: «Campañas» -> «campanas», «Cápsulas» -> «capsulas»."""
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def find_activity(plan: Plan, activity_id: str) -> Activity:
    """The plan's activity ``activity_id``, or a refusal suggesting the closest ids."""
    key = plain_id(activity_id)
    act = plan.activity(key)
    if act is not None:
        return act
    ids = [a.id for a in plan.actividades]
    hint = did_you_mean(key, ids)
    raise PecError(
        f"La actividad «{activity_id}» no existe en el plan {plan.vigencia}{hint}; "
        f"las actividades son: {', '.join(ids)}.",
        field="actividad",
    )


def parse_date(text: str, what: str = " en --fecha") -> dt.date:
    day = iso_date(text.strip()) if isinstance(text, str) else None
    if day is None:
        raise PecError(
            f"La fecha «{text}» no es válida: escríbala como AAAA-MM-DD (por ejemplo 2024-03-28){what}.",
            field="fecha",
        )
    return day


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
