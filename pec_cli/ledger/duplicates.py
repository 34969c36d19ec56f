"""Pieces entered twice: the same activity, tipo, date and title, or the same activity and URL;
a measurement twice: the same network of the same activity on the same day.

A piece is a duplicate of one *in force* (not voided) when both belong to the
same activity and either share tipo, date and title (compared without case,
accents or surrounding spaces) or share the URL (SPEC §5). One URL may count for
two activities (the revista and its announcement among externas), so the
activity is always part of the key. A measurement's identity is its network
and day, whatever its title (five networks measured one day under one title
are five pieces): the same value again is a duplicate, another value a
correction (:func:`is_measurement`, the caller asks for ``--confirmar``).

Finding them is ``ledger.cache``'s (``LedgerKeys.repeats``: the digests of
these keys, each hit confirmed on its line); this module says what the keys
are. Standard library only.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

# "titulo\x1f<activity>\x1f<tipo>\x1f<fecha>\x1f<plain title>", "url\x1f<activity>\x1f<url>"
# or "medicion\x1f<activity>\x1f<tipo>\x1f<network>\x1f<fecha>"
Key = str
_MARKS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")  # combining marks


def plain_title(text: str) -> str:
    """A title as compared: «  Revista Gestión  » and «revista gestion» are the same."""
    spaced = " ".join(str(text).split()).lower()
    if spaced.isascii():  # most titles: nothing to strip
        return spaced
    return _MARKS.sub("", unicodedata.normalize("NFKD", spaced))


def piece_keys(record: dict[str, Any], activity: str | None = None) -> list[Key]:
    """The keys under which ``record`` (a piece) is a duplicate of another; [] if it has
    neither title nor URL. ``activity`` overrides the record's (an earlier id renamed)."""
    act = activity or record["actividad"]
    if is_measurement(record):
        return [f"medicion\x1f{act}\x1f{record.get('tipo')}\x1f{record['red']}\x1f{record.get('fecha')}"]
    keys: list[Key] = []
    titulo = record.get("titulo")
    if isinstance(titulo, str) and titulo.strip():
        keys.append(f"titulo\x1f{act}\x1f{record.get('tipo')}\x1f{record.get('fecha')}\x1f{plain_title(titulo)}")
    url = record.get("url")
    if isinstance(url, str) and url.strip():
        keys.append(f"url\x1f{act}\x1f{url.strip().rstrip('/')}")
    return keys


def is_measurement(record: dict[str, Any]) -> bool:
    """Whether a record is a measurement: a network and a value (its identity is the network and the day)."""
    return record.get("red") is not None and record.get("valor") is not None


def duplicate_refusal(key: Key, existing: dict[str, Any]) -> str:
    """Why a new piece repeats ``existing``, for ``pec log``."""
    kind, activity = key.split("\x1f")[:2]
    if kind == "medicion":
        same = f"la misma medición: {existing['red']} {_count(existing['valor'])} del {existing.get('fecha')}"
    elif kind == "url":
        same = f"la misma URL en «{activity}»"
    else:
        same = f"la misma actividad, tipo, fecha y título: «{existing.get('titulo')}», {existing.get('fecha')}"
    return f"Esta pieza ya está registrada como {existing['id']} ({same}); si de verdad es otra, repita con --duplicado."


def correction_refusal(existing: dict[str, Any], valor: float) -> str:
    """Why a second measurement of one network on one day needs ``--confirmar`` (``pec log``)."""
    return (f"Ya hay una medición de {existing['red']} del {existing.get('fecha')}: {_count(existing['valor'])} "
            f"({existing['id']}); si {_count(valor)} la corrige, repita con --confirmar y contará la nueva (la última "
            f"registrada del día), o anule la anterior con «pec void {existing['id']} --motivo …» y registre el valor otra vez.")


def _count(value: Any) -> str:
    return f"{float(value):,.0f}".replace(",", ".")
