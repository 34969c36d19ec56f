"""The append-only ledger: JSON lines under ``ledger/<vigencia>/<writer>.jsonl``.

Design (SPEC §4):

* **Segments.** Each clone of a workspace has its own writer id (``.pec/escritor``,
  never committed) and appends only to its own segment file per vigencia. Two
  clones that log in parallel therefore never touch the same file, and a git
  merge of their work is a plain union of files: no conflict, both counted.
  ``.gitattributes`` sets ``merge=union`` as a safety net.
* **Appends under a lock.** A writer takes an exclusive ``flock`` on the
  segment, reads its tail, writes its line (an import: chunks of whole lines)
  on an ``O_APPEND`` descriptor, ``fsync``s and unlocks. Concurrent ``pec log``
  processes serialise on the lock; each line lands whole.
* **Crashes.** A writer killed mid-write can leave at most a torn last line. Every
  reader skips a line that does not parse, with a ``file:line`` warning; the next
  append first ends the torn line with a newline, so it never glues onto it.
* **Tamper evidence.** Every record carries ``n`` (its position in the segment,
  1, 2, 3...), an ``id`` derived from it (``<vigencia>-<writer>-<n>``) and
  ``prev``, the first 16 hex digits of the SHA-256 of the previous valid line of
  the same segment. ``verify`` recomputes the chain: an entry edited in place
  breaks the link of the line after it, an entry deleted from among others
  leaves a gap in ``n``. Not detectable from the files alone: an edit of the
  newest line of a segment (no line after it holds its digest yet), removing
  the newest lines or a whole segment, or rewriting a whole chain; git
  history is the outside anchor for those.

Records are never rewritten: a correction is a new ``anulacion`` record. Only
the standard library is used, so that reading stays cheap.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from pec_cli.errors import PecError, reason
from pec_cli.fields import ENTRY_FIELDS
from pec_cli.ledger.entries import CLASSES, NOTE, Entry
from pec_cli.ledger.lock import lock, unlock
from pec_cli.ledger.tally import KEEP, Tally, record_problem
from pec_cli.plan.model import iso_date, parse_quarter
from pec_cli.workspace import Workspace

FORMAT_VERSION = 1
GENESIS = "0" * 16
SUFFIX = ".jsonl"
_TAIL_CHUNK = 65536
CACHE_FORMAT = 2  # 2: measurements grouped by tipo too (followers and interaction apart)
FAST_SCAN_BYTES = 4 << 20
WRITE_CHUNK = 1 << 20  # an import is written in whole-line chunks of about this size  # above this, importing the faster parser pays for itself


class BadLine(ValueError):
    """A ledger line that is not a valid record (message in Spanish)."""


def digest(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()[:16]


def encode(record: dict[str, Any]) -> bytes:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def segment_dir(ws: Workspace, vigencia: int) -> Path:
    return ws.ledger_dir / str(vigencia)


def segments(ws: Workspace, vigencia: int) -> list[Path]:
    folder = segment_dir(ws, vigencia)
    try:
        return sorted(p for p in folder.iterdir() if p.suffix == SUFFIX and p.is_file())
    except OSError:
        return []


def all_vigencias(ws: Workspace) -> list[int]:
    try:
        return sorted(int(p.name) for p in ws.ledger_dir.iterdir() if p.is_dir() and p.name.isdigit())
    except OSError:
        return []


def _fast_loads() -> Any:
    """A JSON parser twice as fast as json.loads for big scans (pydantic's, already installed).

    It answers like json.loads on every line pec writes; on anything it refuses,
    the caller asks json.loads, so both readers accept exactly the same lines.
    """
    from pydantic_core import from_json

    def loads(raw: bytes) -> Any:
        try:
            return from_json(raw)
        except ValueError:
            return json.loads(raw)

    return loads


def decode(raw: bytes, loads: Any = json.loads) -> dict[str, Any]:
    """The record of one line, or BadLine saying why it is not one."""
    try:
        record = loads(raw)
    except (UnicodeDecodeError, ValueError):
        raise BadLine("línea dañada o incompleta (no es un registro JSON completo)") from None
    except RecursionError:
        raise BadLine("línea dañada (anidamiento excesivo)") from None
    if not isinstance(record, dict):
        raise BadLine("línea dañada (no es un registro)")
    version = record.get("v")
    if version != FORMAT_VERSION:
        if isinstance(version, int) and not isinstance(version, bool) and version > FORMAT_VERSION:
            raise BadLine(f"registro en formato {version}, más nuevo que este pec: actualice pec")
        raise BadLine("registro sin versión de formato válida")
    for key in ("id", "actividad", "registrado", "prev"):
        if not isinstance(record.get(key), str):
            raise BadLine(f"registro sin «{key}» válido")
    n = record.get("n")
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise BadLine("registro sin número de secuencia «n» válido")
    if record.get("clase") not in CLASSES:
        raise BadLine(f"registro de clase desconocida {record.get('clase')!r}")
    return record


def to_entry(record: dict[str, Any], file: str = "", line: int = 0) -> Entry:
    """An Entry of a decoded record; BadLine where a field has the wrong shape."""
    problem = record_problem(record)
    if problem is not None:
        raise BadLine(problem)
    clase = record["clase"]
    fecha = iso_date(record.get("fecha"))
    tipo = record.get("tipo")
    trimestre = parse_quarter(str(record["trimestre"])) if clase == NOTE else None
    anula = record.get("anula")
    datos = {k: record[k] for k in (*ENTRY_FIELDS, "motivo", "texto", "importe") if k in record}
    return Entry(
        id=record["id"],
        clase=clase,
        actividad=record["actividad"],
        fecha=fecha,
        registrado=record["registrado"],
        tipo=tipo if isinstance(tipo, str) else None,
        datos=datos,
        anula=anula if isinstance(anula, str) else None,
        trimestre=trimestre,
        file=file,
        line=line,
    )


def iter_lines(path: Path, limit: int | None = None) -> Iterator[tuple[int, bytes]]:
    """(line number, bytes) of every non-blank line of a segment (its first ``limit`` bytes)."""
    with path.open("rb") as handle:
        read = 0
        for number, raw in enumerate(handle, start=1):
            if limit is not None:
                if read >= limit:
                    return
                read += len(raw)
                if read > limit:  # a line still being written when the size was taken
                    raw = raw[: len(raw) - (read - limit)]
            raw = raw.rstrip(b"\r\n")
            if raw.strip():
                yield number, raw


def read_entries(ws: Workspace, vigencia: int, warnings: list[str]) -> Iterator[Entry]:
    """Every valid record of the vigencia, segment by segment; bad lines become warnings."""
    for path in segments(ws, vigencia):
        name = ws.display(path)
        for number, raw in iter_lines(path):
            try:
                yield to_entry(decode(raw), name, number)
            except BadLine as exc:
                warnings.append(f"{name}:{number}: {exc}; se omite")


def _scan(path: Path, name: str, keep: int | None, limit: int | None = None) -> tuple[Tally, list[str]]:
    """Fold every valid record of one segment (its first ``limit`` bytes); bad lines become warnings."""
    part = Tally(keep)
    warnings: list[str] = []
    add = part.add
    size = limit if limit is not None else path.stat().st_size
    loads = _fast_loads() if size > FAST_SCAN_BYTES else json.loads
    for number, raw in iter_lines(path, limit):
        try:
            ok = add(decode(raw, loads))
        except BadLine as exc:
            warnings.append(f"{name}:{number}: {exc}; se omite")
            continue
        if not ok:
            warnings.append(f"{name}:{number}: registro con campos no válidos; se omite")
    return part, warnings


def _cache_file(ws: Workspace, vigencia: int, path: Path) -> Path:
    return ws.state_dir / "cache" / f"tally-{vigencia}-{path.stem}.json"


def _cache_key(st: os.stat_result) -> list[Any]:
    from pec_cli import __version__

    return [CACHE_FORMAT, __version__, st.st_ino, st.st_size, st.st_mtime_ns]


def tally(ws: Workspace, vigencia: int, warnings: list[str], use_cache: bool | None = None) -> Tally:
    """The totals of every valid record of the vigencia (bad lines become warnings).

    Each segment's totals are cached in ``.pec/cache`` keyed on the file's inode,
    size and mtime: an unchanged segment is not read again, and ``append``
    folds its own lines into the cache, so one more ``pec log`` costs one more
    line, not the whole ledger. Any other change to a segment (an editor, a
    git merge) changes its key, and the segment is read again in full. The one
    blind spot, as for git's index ("racy git"): an edit that keeps the size and
    lands within the same file-system clock tick (a few milliseconds) as the
    cached state. ``pec verify`` never uses the cache; ``PEC_CACHE=0`` or
    deleting ``.pec/cache`` recomputes everything.
    """
    from pec_cli.cachefiles import cache_enabled, read_json, write_json
    from pec_cli.ledger.tally import NeedsFullScan

    if use_cache is None:
        use_cache = cache_enabled()
    keep: int | None = KEEP
    while True:
        total = Tally(keep)
        found: list[str] = []
        for path in segments(ws, vigencia):
            name = ws.display(path)
            cache_file = _cache_file(ws, vigencia, path)
            st = path.stat()
            key = _cache_key(st)
            cached = _cached_part(read_json(cache_file), key) if use_cache and keep == KEEP else None
            if cached is not None:
                part, part_warnings = cached
            else:
                # read exactly the bytes the key describes: a line appended meanwhile
                # belongs to the next key (and to the appender's fold), never to this one
                part, part_warnings = _scan(path, name, keep, st.st_size)
                if use_cache and keep == KEEP:
                    write_json(cache_file, {"key": key, "tally": part.to_json(), "warnings": part_warnings})
            found += part_warnings
            total.merge(part)
        try:
            total.totals()
        except NeedsFullScan:
            if keep is None:
                raise
            keep = None  # voids exhausted a compacted day: fold again, dropping nothing
            continue
        warnings += found
        return total


def _cached_part(cached: Any, key: list[Any]) -> tuple[Tally, list[str]] | None:
    """The cached totals of a segment if ``cached`` is sound and current; a damaged cache is a miss."""
    if not (isinstance(cached, dict) and cached.get("key") == key):
        return None
    try:
        warnings = cached["warnings"]
        if not (isinstance(warnings, list) and all(isinstance(w, str) for w in warnings)):
            return None
        return Tally.from_json(cached["tally"]), warnings
    except (KeyError, TypeError, ValueError, IndexError):
        return None


def _cache_to_fold(ws: Workspace, vigencia: int, path: Path, before: os.stat_result) -> tuple[Tally, list[str]] | None:
    """The segment's cached totals, if current before our append: we fold our lines into them."""
    from pec_cli.cachefiles import read_json

    try:
        return _cached_part(read_json(_cache_file(ws, vigencia, path)), _cache_key(before))
    except Exception:  # noqa: BLE001 - a cache is only derived data; without it the next reader rebuilds it
        return None


def _save_fold(ws: Workspace, vigencia: int, path: Path, after: os.stat_result, fold: tuple[Tally, list[str]]) -> None:
    from pec_cli.cachefiles import write_json

    part, warnings = fold
    write_json(_cache_file(ws, vigencia, path), {"key": _cache_key(after), "tally": part.to_json(), "warnings": warnings})


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def import_keys(ws: Workspace, vigencia: int) -> set[str]:
    """The ``importe`` keys already in the ledger (rows imported before)."""
    keys: set[str] = set()
    for path in segments(ws, vigencia):
        for _, raw in iter_lines(path):
            if b'"importe"' not in raw:
                continue
            try:
                key = decode(raw).get("importe")
            except BadLine:
                continue
            if isinstance(key, str):
                keys.add(key)
    return keys


def _tail_state(handle: Any, size: int) -> tuple[int, str, bool]:
    """(last n, digest of the last valid line, file ends with a newline)."""
    if size == 0:
        return 0, GENESIS, True
    chunk = _TAIL_CHUNK
    while True:
        start = max(0, size - chunk)
        handle.seek(start)
        data = handle.read(size - start)
        lines = data.split(b"\n")
        if start > 0:
            lines = lines[1:]  # the first piece may be a partial line
        for raw in reversed(lines):
            raw = raw.rstrip(b"\r")
            if not raw.strip():
                continue
            try:
                record = json.loads(raw)
            except ValueError:
                continue
            # any record with a position counts, even of a newer format: its n is taken
            n = record.get("n") if isinstance(record, dict) else None
            if isinstance(n, int) and not isinstance(n, bool) and n >= 1:
                return n, digest(raw), data.endswith(b"\n")
        if start == 0:
            return 0, GENESIS, data.endswith(b"\n")
        chunk *= 4


def append(ws: Workspace, vigencia: int, records: Iterable[dict[str, Any]], skip_imported: bool = False) -> list[str]:
    """Append ``records`` to this clone's segment, under its lock; their new ids.

    A ``pec log`` is one write of one line; a large import is written in
    chunks of whole lines, so a crash between chunks leaves every written line
    whole (and importing the file again appends only what is missing).

    With ``skip_imported``, records whose ``importe`` key is already in the
    ledger are dropped, checked under the lock so that two simultaneous
    imports of one file append it once.
    """
    writer = ws.writer_id()
    folder = segment_dir(ws, vigencia)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{writer}{SUFFIX}"
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT | getattr(os, "O_BINARY", 0), 0o644)  # Windows: no CRLF
    try:
        lock(fd)
        before = os.fstat(fd)
        with os.fdopen(os.dup(fd), "rb") as handle:
            last_n, prev, clean_end = _tail_state(handle, before.st_size)
        known = import_keys(ws, vigencia) if skip_imported else set()
        fold = _cache_to_fold(ws, vigencia, path, before)
        parts = [] if clean_end else [b"\n"]
        pending = len(parts)
        ids = []
        for record in records:
            if known and record.get("importe") in known:
                continue
            last_n += 1
            entry_id = f"{vigencia}-{writer}-{last_n}"
            full = {"v": FORMAT_VERSION, "id": entry_id, "n": last_n, "prev": prev, **record}
            raw = encode(full)
            parts += [raw, b"\n"]
            pending += len(raw) + 1
            prev = digest(raw)
            ids.append(entry_id)
            if fold is not None:
                fold[0].add(full)
            if pending >= WRITE_CHUNK:  # whole lines only, so a crash between chunks tears nothing
                _write_all(fd, b"".join(parts))
                parts, pending = [], 0
        _write_all(fd, b"".join(parts))
        os.fsync(fd)
        if fold is not None and ids:
            try:
                _save_fold(ws, vigencia, path, os.fstat(fd), fold)
            except Exception:  # noqa: BLE001 - the entries are written; a cache is only derived data
                pass
    except OSError as exc:
        raise PecError(f"No se pudo escribir en el registro {ws.display(path)} ({reason(exc)}); revise permisos y espacio en disco.") from None
    finally:
        unlock(fd)
        os.close(fd)
    return ids
