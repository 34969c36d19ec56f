"""Ledger entries as immutable values: what one line of the ledger holds once read back.

Every record carries ``v`` (the format version), its position ``n`` in its
segment and the chain link ``prev``; ``clase`` tells the kinds apart.
Standard library only.
"""

from __future__ import annotations

import datetime as dt
from types import MappingProxyType
from typing import Any, NamedTuple

from pec_cli.fields import ENTRY_FIELDS

PIECE = "pieza"
VOID = "anulacion"
NOTE = "observacion"
CLASSES = (PIECE, VOID, NOTE)


class Entry(NamedTuple):
    """One ledger record as read back, with where it stands in the ledger."""

    id: str
    clase: str
    actividad: str
    fecha: dt.date | None
    registrado: str
    tipo: str | None = None
    datos: dict[str, Any] = MappingProxyType({})  # type: ignore[assignment]
    anula: str | None = None
    trimestre: int | None = None
    file: str = ""
    line: int = 0

    def get(self, key: str) -> Any:
        return self.datos.get(key)



__all__ = ["CLASSES", "ENTRY_FIELDS", "NOTE", "PIECE", "VOID", "Entry"]
