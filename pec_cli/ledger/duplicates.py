"""Pieces entered twice: the same activity, tipo, date and title, or the same activity and URL.

A piece is a duplicate of one *in force* (not voided) when both belong to the
same activity and either share tipo, date and title (compared without case,
accents or surrounding spaces) or share the URL (SPEC §5). One URL may count for
two activities (the revista and its announcement among externas), so the
activity is always part of the key.

Finding them is :mod:`pec_cli.ledger.keyindex`'s (an index of these keys'
hashes, each hit confirmed on its line); this module says what the keys are.
Standard library only.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

Key = str  # "titulo\x1f<activity>\x1f<tipo>\x1f<fecha>\x1f<plain title>" or "url\x1f<activity>\x1f<url>"
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
    keys: list[Key] = []
    titulo = record.get("titulo")
    if isinstance(titulo, str) and titulo.strip():
        keys.append(f"titulo\x1f{act}\x1f{record.get('tipo')}\x1f{record.get('fecha')}\x1f{plain_title(titulo)}")
    url = record.get("url")
    if isinstance(url, str) and url.strip():
        keys.append(f"url\x1f{act}\x1f{url.strip().rstrip('/')}")
    return keys


def duplicate_refusal(key: Key, existing: dict[str, Any]) -> str:
    """Why a new piece repeats ``existing``, for ``pec log``."""
    kind, activity = key.split("\x1f")[:2]
    if kind == "url":
        same = f"la misma URL en «{activity}»"
    else:
        same = f"la misma actividad, tipo, fecha y título: «{existing.get('titulo')}», {existing.get('fecha')}"
    return f"Esta pieza ya está registrada como {existing['id']} ({same}); si de verdad es otra, repita con --duplicado."
