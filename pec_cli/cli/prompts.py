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
from pec_cli.ledger.records import FIELD_NAMES, check_name, missing_fields, parse_count, parse_date, resolve_tipo
from pec_cli.ledger.requests import Request, demand_tipos
from pec_cli.plan.model import Activity, Plan
from pec_cli.plan.names import find_activity, resolve_network


def _ask(label: str, check: Callable[[str], Any], default: str | None = None) -> Any:
    while True:
        answer = typer.prompt(label, default=default, err=True)
        try:
            return check(answer)
        except PecError as exc:
            typer.echo(exc.message, err=True)
        except ValueError:
            typer.echo("Ese valor no sirve; inténtelo de nuevo.", err=True)


def complete_fields(act: Activity, fields: dict[str, Any], today: dt.date, requests: Sequence[Request] = ()) -> None:
    """Fill ``fields`` in place: tipo (offered from the plan), the date if today does not fit, each required
    field, then (for a piece that may answer one) which of the open ``requests`` it answers."""
    if fields.get("tipo") is None and len(act.tipos) > 1:
        fields["tipo"] = _measured_tipo(act, fields)
    if fields.get("tipo") is None and len(act.tipos) > 1:
        ids = [t.id for t in act.tipos]
        fields["tipo"] = choose(f"Tipos de «{act.id}»:", [f"{t.id}: {t.nombre}" for t in act.tipos], ids,
                                "Tipo (número o nombre)", lambda answer: resolve_tipo(act, answer), "1")
    fields["tipo"] = tipo = resolve_tipo(act, fields.get("tipo"))
    if not fields.get("fecha") and not act.inicio <= today <= act.fin:
        typer.echo(f"Hoy ({today.isoformat()}) está fuera de la ventana de «{act.id}» "
                   f"({act.inicio.isoformat()} a {act.fin.isoformat()}).", err=True)
        fields["fecha"] = _ask("Fecha de la pieza (AAAA-MM-DD o DD/MM/AAAA)", lambda answer: parse_date(answer, "").isoformat())
    for key in missing_fields(act, tipo, fields):
        label = FIELD_NAMES[key].capitalize()
        if key == "red" and act.series:
            fields[key] = _ask(f"{label} ({', '.join(s.id for s in act.series)})", lambda a: resolve_network(act, a))
        elif key == "valor":
            fields[key] = _ask(label, lambda answer: str(parse_count(answer)))
        else:
            fields[key] = _ask(label, lambda answer: answer if answer.strip() else _empty())
    if requests and fields.get("atiende") is None and tipo not in demand_tipos(act):
        fields["atiende"] = _choose_request(requests)


def _measured_tipo(act: Activity, fields: dict[str, Any]) -> str | None:
    """A --red or --valor means a measurement: the first tipo that requires both (nothing to ask), else None."""
    if fields.get("red") in (None, "") and fields.get("valor") in (None, ""):
        return None
    return next((t.id for t in act.tipos if {"red", "valor"} <= set(t.requiere)), None)


def _choose_request(requests: Sequence[Request]) -> str | None:
    """A numbered list of the open requests, oldest first; the answer is a number, an id or nothing."""
    typer.echo("Solicitudes abiertas (la más antigua primero):", err=True)
    for i, r in enumerate(requests, start=1):
        typer.echo(f"  {i}. {r.id}  {r.fecha.isoformat()}  {r.area or r.tipo}", err=True)
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


def choose(title: str, labels: list[str], ids: list[str], prompt: str, by_name: Callable[[str], str],
           default: str | None = None) -> str:
    """A numbered list on stderr, then the answer as one of ``ids``: its number or its name."""
    typer.echo(title, err=True)
    for number, label in enumerate(labels, start=1):
        typer.echo(f"  {number}. {label}", err=True)

    def check(answer: str) -> str:
        text = answer.strip()
        if text.isdigit():
            if 1 <= int(text) <= len(ids):
                return ids[int(text) - 1]
            raise PecError(f"El número {text} no está en la lista: escriba de 1 a {len(ids)}.")
        return by_name(text)

    return str(_ask(prompt, check, default))


def choose_activity(plan: Plan) -> str:
    """Which activity a piece is for, from a numbered list of the plan's."""
    ids = [a.id for a in plan.actividades]
    return choose(f"Actividades del plan {plan.vigencia}:", [f"{a.id}: {a.nombre}" for a in plan.actividades], ids,
                  "Actividad (número o id)", lambda answer: find_activity(plan, answer).id)


def ask_name(suggested: str | None) -> str:
    """Who registers in this clone, asked once (``suggested``: git's user.name, taken with Enter)."""
    typer.echo("Cada registro guarda quién lo hizo; esta copia aún no sabe su nombre (se guardará en .pec/nombre).",
               err=True)
    return str(_ask("Su nombre", lambda answer: check_name(answer, "su nombre"), suggested))


def _empty() -> str:
    raise PecError("No puede quedar vacío.")
