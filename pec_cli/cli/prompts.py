"""Asking, on a terminal, for what ``pec log`` was not told.

Only used when standard input is a terminal; off a terminal nothing is asked
and missing required fields are refused by ``records.build_piece``. Each
answer is checked as soon as it is typed and asked again if it is wrong, so a
typo never throws away the answers before it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

import typer

from pec_cli.errors import PecError
from pec_cli.ledger.records import FIELD_NAMES, missing_fields, parse_date, parse_number, plain_id, resolve_tipo
from pec_cli.ledger.requests import Request, demand_tipos
from pec_cli.plan.model import Activity


def _ask(label: str, check: Callable[[str], Any], default: str | None = None) -> Any:
    while True:
        answer = typer.prompt(label, default=default, err=True)
        try:
            return check(answer)
        except PecError as exc:
            typer.echo(exc.message, err=True)
        except ValueError:
            typer.echo("Ese valor no sirve; inténtelo de nuevo.", err=True)


def _network(act: Activity) -> Callable[[str], str]:
    ids = [s.id for s in act.series]

    def check(answer: str) -> str:
        key = plain_id(answer)
        if key not in ids:
            raise PecError(f"La red «{answer}» no está en «{act.id}»; escriba una de: {', '.join(ids)}.")
        return key

    return check


def _value(answer: str) -> str:
    number = parse_number(answer)
    if number < 0:
        raise PecError("El valor debe ser un número positivo.")
    return answer


def complete_fields(act: Activity, fields: dict[str, Any], today: dt.date, requests: Sequence[Request] = ()) -> None:
    """Fill ``fields`` in place: tipo (offered from the plan), the date if today does not fit, each required
    field, then (for a piece that may answer one) which of the open ``requests`` it answers."""
    if fields.get("tipo") is None and len(act.tipos) > 1:
        options = ", ".join(f"{t.id} ({t.nombre})" for t in act.tipos)
        typer.echo(f"Tipos de «{act.id}»: {options}", err=True)
        fields["tipo"] = _ask("Tipo", lambda answer: resolve_tipo(act, answer), act.default_tipo)
    tipo = resolve_tipo(act, fields.get("tipo"))
    fields["tipo"] = tipo
    if not fields.get("fecha") and not act.inicio <= today <= act.fin:
        typer.echo(f"Hoy ({today.isoformat()}) está fuera de la ventana de «{act.id}» "
                   f"({act.inicio.isoformat()} a {act.fin.isoformat()}).", err=True)
        fields["fecha"] = _ask("Fecha de la pieza (AAAA-MM-DD)", lambda answer: parse_date(answer, "").isoformat())
    for key in missing_fields(act, tipo, fields):
        label = FIELD_NAMES[key].capitalize()
        if key == "red" and act.series:
            fields[key] = _ask(f"{label} ({', '.join(s.id for s in act.series)})", _network(act))
        elif key == "valor":
            fields[key] = _ask(label, _value)
        else:
            fields[key] = _ask(label, lambda answer: answer if answer.strip() else _empty())
    if requests and fields.get("atiende") is None and tipo not in demand_tipos(act):
        fields["atiende"] = _choose_request(requests)


def _choose_request(requests: Sequence[Request]) -> str | None:
    """A numbered list of the open requests, oldest first; the answer is a number, an id or nothing."""
    typer.echo("Solicitudes abiertas (la más antigua primero):", err=True)
    for i, r in enumerate(requests, start=1):
        typer.echo(f"  {i}. {r.id}  {r.fecha.isoformat()}  {r.area}", err=True)
    ids = [r.id for r in requests]

    def check(answer: str) -> str | None:
        answer = answer.strip()
        if not answer:
            return None
        if answer.isdigit() and 1 <= int(answer) <= len(ids):
            return ids[int(answer) - 1]
        if answer in ids:
            return answer
        raise PecError(f"«{answer}» no es una de las solicitudes: escriba su número (1 a {len(ids)}), su id o nada.")

    return _ask("¿Atiende alguna? (número o id; vacío si ninguna)", check, "")


def _empty() -> str:
    raise PecError("No puede quedar vacío.")
