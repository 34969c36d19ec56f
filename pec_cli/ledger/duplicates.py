"""Pieces entered twice: the same activity, tipo, date and title, or the same activity and URL.

A piece is a duplicate of one *in force* (not voided) when both belong to the
same activity and either share tipo, date and title (compared without case,
accents or surrounding spaces) or share the URL (SPEC §5). One URL may count for
two activities (the revista and its announcement among externas), so the
activity is always part of the key.

Finding them must not make ``pec log`` read the whole ledger line by line:
:func:`in_force` looks for the few byte strings a new piece could match
(``"fecha":"2024-03-28"``, its URL) with ``bytes.find`` over each segment, and
decodes only the lines that hold them, plus the voids. An import with many
dates scans every line once instead. Standard library only.
"""

from __future__ import annotations

import json
import mmap
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from pec_cli.ledger.entries import PIECE, VOID
from pec_cli.workspace import Workspace

Key = str  # "titulo\x1f<activity>\x1f<tipo>\x1f<fecha>\x1f<plain title>" or "url\x1f<activity>\x1f<url>"
_MARKS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")  # combining marks
FIND_LIMIT = 24  # more byte strings than this: one pass over every line is cheaper


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


def _needles(records: Iterable[dict[str, Any]]) -> set[bytes]:
    """The byte strings a ledger line must hold to match one of ``records``."""
    found: set[bytes] = set()
    for record in records:
        if isinstance(record.get("titulo"), str) and record["titulo"].strip():
            found.add(b'"fecha":' + json.dumps(record["fecha"]).encode())
        if isinstance(record.get("url"), str) and record["url"].strip():
            url = record["url"].strip().rstrip("/")
            found.add(json.dumps(url, ensure_ascii=False)[:-1].encode("utf-8"))  # the URL, with or without "/"
    return found


def _lines_holding(data: Any, needle: bytes) -> Iterator[bytes]:
    at = data.find(needle)
    while at >= 0:
        start = data.rfind(b"\n", 0, at) + 1
        end = data.find(b"\n", at)
        end = len(data) if end < 0 else end
        yield bytes(data[start:end])
        at = data.find(needle, end)


def _segment_lines(handle: Any, needles: set[bytes] | None) -> Iterator[bytes]:
    """The lines of an open segment that may matter: those holding a needle (found in a
    read-only mapping with ``find``), plus the voids; with no needles, every piece and void."""
    if needles is None:  # a plain read, line by line
        yield from (line.rstrip(b"\n") for line in handle if b'"pieza"' in line or b'"anula"' in line)
        return
    try:
        data = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    except ValueError:  # an empty segment
        return
    try:
        for needle in (*needles, b'"anula":'):
            yield from _lines_holding(data, needle)
    finally:
        data.close()


def _records(ws: Workspace, vigencia: int, needles: set[bytes] | None) -> Iterator[dict[str, Any]]:
    from pec_cli.ledger.entries import BATCH, parse
    from pec_cli.ledger.scan import fast_loads
    from pec_cli.ledger.store import segments

    loads = json.loads if needles is not None else fast_loads()  # a full scan: the faster parser
    for path in segments(ws, vigencia):
        with path.open("rb") as handle:
            # the rows of an import count once its commit line is written (entries.Batches)
            committed = {r["lote"] for raw in _segment_lines(handle, {b'"clase":"lote"'})
                         if isinstance(r := parse(raw.rstrip(b"\r")), dict) and r["clase"] == BATCH}
            handle.seek(0)
            for raw in _segment_lines(handle, needles):
                record = parse(raw.rstrip(b"\r"), loads)
                if isinstance(record, str):
                    continue  # pec verify names it; a damaged line is no piece in force
                if record.get("lote") is not None and record["lote"] not in committed:
                    continue  # a row of an import cut short: it never counted
                yield record


def in_force(
    ws: Workspace, vigencia: int, records: list[dict[str, Any]], canonical: Callable[[str], str] = str,
    keys: list[list[Key]] | None = None,
) -> dict[Key, dict[str, Any]]:
    """The pieces in force that share a key with one of ``records``, by key.

    ``canonical`` maps an activity id of the ledger to the plan's (renames);
    ``keys`` are the records' :func:`piece_keys`, when the caller has them."""
    from pec_cli.ledger.store import segments

    if not segments(ws, vigencia):
        return {}
    wanted = {key for record_keys in (keys or [piece_keys(r) for r in records]) for key in record_keys}
    if not wanted:
        return {}
    needles: set[bytes] | None = _needles(records)
    if needles is not None and len(needles) > FIND_LIMIT:
        needles = None
    pieces: dict[Key, list[dict[str, Any]]] = {}
    voided: set[str] = set()
    for record in _records(ws, vigencia, needles):
        if record.get("clase") == VOID and isinstance(record.get("anula"), str):
            voided.add(record["anula"])
        elif record.get("clase") == PIECE:
            for key in piece_keys(record, canonical(record["actividad"])):
                if key in wanted:
                    pieces.setdefault(key, []).append(record)
    found: dict[Key, dict[str, Any]] = {}
    for key, candidates in pieces.items():
        alive = [r for r in candidates if r["id"] not in voided]
        if alive:
            found[key] = alive[0]
    return found


def duplicate_of(record: dict[str, Any], known: dict[Key, dict[str, Any]]) -> tuple[Key, dict[str, Any]] | None:
    """(the key, the piece in force) that ``record`` repeats, if any."""
    return next(((key, known[key]) for key in piece_keys(record) if key in known), None)


def duplicate_refusal(key: Key, existing: dict[str, Any]) -> str:
    """Why a new piece repeats ``existing``, for ``pec log``."""
    kind, activity = key.split("\x1f")[:2]
    if kind == "url":
        same = f"la misma URL en «{activity}»"
    else:
        same = f"la misma actividad, tipo, fecha y título: «{existing.get('titulo')}», {existing.get('fecha')}"
    return f"Esta pieza ya está registrada como {existing['id']} ({same}); si de verdad es otra, repita con --duplicado."
