"""Asking, on a terminal, for what ``pec log`` was not told.

Only used when standard input is a terminal; off a terminal nothing is asked
and missing required fields are refused by ``records.build_piece``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import typer

from .model import Activity
from .records import FIELD_NAMES, missing_fields


def complete_fields(act: Activity, fields: dict[str, Any], resolve_tipo: Callable[[Activity, str | None], str]) -> None:
    """Fill ``fields`` in place: tipo (offered from the plan), then each required field."""
    if fields.get("tipo") is None and len(act.tipos) > 1:
        options = ", ".join(f"{t.id} ({t.nombre})" for t in act.tipos)
        typer.echo(f"Tipos de «{act.id}»: {options}", err=True)
        fields["tipo"] = typer.prompt("Tipo", default=act.default_tipo, err=True)
    tipo = resolve_tipo(act, fields.get("tipo"))
    fields["tipo"] = tipo
    for key in missing_fields(act, tipo, fields):
        label = FIELD_NAMES[key].capitalize()
        if key == "red" and act.series:
            label += f" ({', '.join(s.id for s in act.series)})"
        fields[key] = typer.prompt(label, err=True)
