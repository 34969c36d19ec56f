"""Requests and the pieces that answer them (``pec log --atiende ID``).

A **request** is a piece of a tipo that requires an área (internas'
``solicitud``): the tally keeps their ids. A piece links to the request it
answers with ``atiende``; eventos likewise link a publication to its evento.
The **demand tipos** an activity may link to are its request tipos and the
tipos its formula divides by (``atendidas / evento``: ``evento``), read from
the plan, so a new plan needs no code. A piece of any demand tipo is a
request here (an evento awaits its coverage as a solicitud its answer); only
those with an área are counted per área. A request counts as ``atendida`` as
of a corte when some answer dated on or before the corte links to it,
whenever the request was made. Pure: no I/O.
"""

import ast
import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from pec_cli.errors import PecError
from pec_cli.ledger.entries import PIECE, Entry
from pec_cli.ledger.tally import Tally
from pec_cli.plan.model import Activity, Plan
from pec_cli.plan.names import fold_name


class Request(NamedTuple):
    id: str
    actividad: str
    tipo: str
    fecha: dt.date
    area: str  # "" for a demand with no área (an evento)
    respondida: dt.date | None  # date of its first answer, if any (up to the corte asked)


def request_tipos(act: Activity) -> tuple[str, ...]:
    """The tipos whose pieces are requests: those that require an área."""
    return tuple(t.id for t in act.tipos if "area" in t.requiere)


def _divisors(node: ast.AST) -> set[str]:
    names: set[str] = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.BinOp) and isinstance(sub.op, ast.Div):
            names |= {n.id for n in ast.walk(sub.right) if isinstance(n, ast.Name)}
    return names


def demand_tipos(act: Activity) -> tuple[str, ...]:
    """The tipos a piece of ``act`` may answer: request tipos and those the formula divides by."""
    divisors = _divisors(act.formula.tree)
    requests = request_tipos(act)
    return tuple(t.id for t in act.tipos if t.id in requests or t.id in divisors)


def requests_of(act: Activity, totals: Tally, corte: dt.date) -> list[Request]:
    """The requests of ``act`` (pieces of its demand tipos) dated up to ``corte``, each with its first answer up
    to ``corte``, oldest first."""
    tipos = demand_tipos(act)
    if not tipos:
        return []
    last = corte.isoformat()
    answered = totals.answered(act.id, *act.antes)
    out = []
    for (actividad, tipo, fecha, area), ids in totals.request_groups():
        if actividad not in act.ids or tipo not in tipos or fecha > last:
            continue
        day = dt.date.fromisoformat(fecha)
        for piece_id in ids:
            answer = answered.get(piece_id)
            respondida = dt.date.fromisoformat(answer) if answer is not None and answer <= last else None
            out.append(Request(piece_id, actividad, tipo, day, area, respondida))
    out.sort(key=lambda r: (r.fecha, r.id))
    return out


def _area_names(first: dict[str, tuple[str, str, str]], areas: Sequence[str]) -> dict[str, str]:
    """Per folded área, the one spelling shown: the plan's, else the first recorded."""
    listed = {fold_name(a): a for a in areas}
    return {key: listed.get(key, spelling) for key, (_, _, spelling) in first.items()}


def _first_spellings(requests: list[Request]) -> dict[str, tuple[str, str, str]]:
    """Per folded área, the first request recorded with it: (fecha, id, the área as typed)."""
    first: dict[str, tuple[str, str, str]] = {}
    for r in sorted(requests, key=lambda r: (r.fecha, r.id)):
        if r.area:
            first.setdefault(fold_name(r.area), (r.fecha.isoformat(), r.id, r.area))
    return first


def open_requests(plan: Plan, totals: Tally, corte: dt.date) -> list[Request]:
    """Every request of the plan's activities still unanswered at ``corte``, oldest first, each área named as
    the activity's row of áreas in the report names it (:func:`by_area`)."""
    out = []
    for act in plan.actividades:
        mine = requests_of(act, totals, corte)
        name = _area_names(_first_spellings(mine), plan.areas)
        out += [r._replace(area=name[fold_name(r.area)]) if r.area else r for r in mine if r.respondida is None]
    out.sort(key=lambda r: (r.fecha, r.id))
    return out


def by_area(requests: list[Request], areas: Sequence[str] = ()) -> dict[str, dict[str, int]]:
    """Requests per area: recibidas, atendidas, abiertas (areas in alphabetical order, each once whatever its
    case, accents or spaces (:func:`~pec_cli.plan.names.fold_name`), named as the plan's ``areas`` write it,
    else as first recorded; a demand with no área, an evento, has no row)."""
    first = _first_spellings(requests)
    name = _area_names(first, areas)
    out: dict[str, dict[str, int]] = {}
    for key in sorted(first, key=lambda k: (k, first[k][:2])):
        out[name[key]] = {"recibidas": 0, "atendidas": 0, "abiertas": 0}
    for r in requests:
        if r.area:
            row = out[name[fold_name(r.area)]]
            row["recibidas"] += 1
            row["atendidas" if r.respondida else "abiertas"] += 1
    return out


def check_link(plan: Plan, record: Mapping[str, Any], target: Entry | None, voided: Mapping[str, str]) -> None:
    """Refuse a piece's ``atiende`` unless it names a live request (or evento) of its activity, made before it."""
    target_id = record["atiende"]
    act = plan.activity(record["actividad"])
    assert act is not None  # build_piece resolved it
    demand = demand_tipos(act)
    if not demand:
        raise PecError(f"«{act.id}» no atiende solicitudes ni eventos: quite --atiende.", field="atiende")
    if record["tipo"] in demand:
        raise PecError(
            f"Una pieza de tipo «{record['tipo']}» no atiende a otra: --atiende va en la pieza que responde "
            f"(un tipo distinto de {', '.join(demand)}).", field="atiende")
    if target is None and not target_id.startswith(f"{plan.vigencia}-"):  # an id says its vigencia: 2024-abcde-7
        raise PecError(
            f"La entrada «{target_id}» que indica --atiende es de otra vigencia que la pieza ({plan.vigencia}): una "
            "solicitud y su respuesta van en la misma; registre esta pieza sin --atiende.", field="atiende")
    if target is None or target.clase != PIECE:
        raise PecError(
            f"La entrada «{target_id}» que indica --atiende no existe en el registro de {plan.vigencia}; "
            "vea las solicitudes abiertas con «pec list --abiertas».", field="atiende")
    if target.id in voided:
        raise PecError(f"La entrada «{target_id}» está anulada; indique en --atiende una solicitud vigente.", field="atiende")
    if target.actividad not in act.ids or target.tipo not in demand:
        raise PecError(
            f"La entrada «{target_id}» es de tipo «{target.tipo}» en «{target.actividad}», no de tipo "
            f"{' o '.join(f'«{t}»' for t in demand)} en «{act.id}»; corrija --atiende.", field="atiende")
    if target.fecha is not None and record["fecha"] < target.fecha.isoformat():
        raise PecError(
            f"La pieza ({record['fecha']}) es anterior a la entrada «{target_id}» que atiende "
            f"({target.fecha.isoformat()}); corrija --atiende.", field="atiende")
