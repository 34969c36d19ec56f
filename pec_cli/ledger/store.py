"""The append-only ledger: JSON lines under ``ledger/<vigencia>/<writer>.jsonl``.

Design (SPEC §4):

* **Segments.** Each clone of a workspace has its own writer id (``.pec/escritor``,
  never committed) and appends only to its own segment file per vigencia. Two
  clones that log in parallel therefore never touch the same file, and a git
  merge of their work is a plain union of files: no conflict, both counted.
  ``.gitattributes`` sets ``merge=union`` as a safety net.
* **Appends under a lock.** A writer takes an exclusive lock on the segment
  (``ledger.lock``: ``flock`` on POSIX, ``msvcrt.locking`` on Windows), reads its tail, writes its line (an import: chunks of whole lines)
  on an ``O_APPEND`` descriptor, ``fsync``s and unlocks. Concurrent ``pec log``
  processes serialise on the lock; each line lands whole.
* **Crashes.** A writer killed mid-write can leave at most a torn last line. Every
  reader skips a line that does not parse, with a ``file:line`` warning; the next
  append first ends the torn line with a newline, so it never glues onto it.
* **Imports all or nothing.** An import's rows carry one ``lote`` and count
  only after its commit line (``entries.Batches``); a kill leaves rows no
  reader counts, a failed or interrupted write is cut back off under the lock.
* **One record rule.** Every line read and every record written passes
  ``entries.check_record``: what ``log`` refuses, no reader accepts.
* **Tamper evidence.** Every record carries ``n`` (its position in the segment,
  1, 2, 3...), an ``id`` derived from it (``<vigencia>-<writer>-<n>``) and
  ``prev``, the first 16 hex digits of the SHA-256 of the previous valid line of
  the same segment. ``verify`` recomputes the chain: an entry edited in place
  breaks the link of the line after it, an entry deleted from among others
  leaves a gap in ``n``. Not detectable from the files alone: an edit of the
  newest line of a segment (no line after it holds its digest yet), removing
  the newest lines or a whole segment, or rewriting a whole chain; git
  history is the outside anchor for those.

Records are never rewritten: a correction is a new ``anulacion`` record.
Every line is read by ``ledger.reader`` and counted by ``ledger.tally``; each
segment's derived file (``ledger.cache``) is brought current here, under the
lock, with the lines written. Standard library only.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from pec_cli.errors import PecError, reason
from pec_cli.files import shielded
from pec_cli.ledger.cache import SUFFIX, Growing, current, read_tally, segment_dir, segments
from pec_cli.ledger.entries import BATCH, FORMAT_VERSION, Batches, Entry, check_record, entry_of, parse, too_long
from pec_cli.ledger.lock import lock, unlock
from pec_cli.ledger.reader import BOM, SEQUENCE_WARNING, Reader, Sequence, skipped
from pec_cli.workspace import Workspace

GENESIS = "0" * 16
_TAIL_CHUNK = 65536
WRITE_CHUNK = 1 << 20  # an import is written in whole-line chunks of about this size

__all__ = ["GENESIS", "SUFFIX", "all_vigencias", "append", "digest", "encode", "read_entries", "read_tally",
           "segment_dir", "segments"]


def digest(raw: bytes) -> str:
    """The chain link of a line: the first 16 hex digits of its SHA-256."""
    import hashlib

    return hashlib.sha256(raw).hexdigest()[:16]


def encode(record: dict[str, Any]) -> bytes:
    """A record as its ledger line."""
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def all_vigencias(ws: Workspace) -> list[int]:
    try:
        return sorted(int(p.name) for p in ws.ledger_dir.iterdir()
                      if p.is_dir() and p.name.isascii() and p.name.isdigit())  # «²» is a digit int() refuses
    except OSError:
        return []


def read_entries(ws: Workspace, vigencia: int, warnings: list[str]) -> Iterator[Entry]:
    """Every entry that counts, segment by segment, in the order each comes to count (an import's rows
    at its commit line); bad lines become warnings."""
    for path in segments(ws, vigencia):
        name = ws.display(path)
        counted: list[Entry] = []
        batches: Batches[list[Entry]] = Batches(counted, list, list.extend)
        sequence = Sequence()
        with path.open("rb") as handle:
            for line in Reader(handle, 0, os.fstat(handle.fileno()).st_size, path=path):
                sequence.see(line)
                if line.record is None:
                    warnings.append(skipped(name, line))
                    continue
                into = batches.place(line.record, line.number)
                if into is not None:
                    into.append(entry_of(line.record, name, line.number))
                if counted:
                    yield from counted
                    counted.clear()
        if sequence.broken:
            warnings.append(SEQUENCE_WARNING)


def _tail_state(handle: Any, size: int) -> tuple[int, str, bool]:
    """(n of the last valid record, the digest of its line, the file ends with a newline), read backwards
    through the record rule (``entries.parse``): a damaged or hostile last line is no position to follow."""
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
        else:
            lines[0] = lines[0].removeprefix(BOM)
        for raw in reversed(lines):
            raw = raw.rstrip(b"\r")
            record = parse(raw) if raw.strip() else None
            if isinstance(record, dict):
                return record["n"], digest(raw), data.endswith(b"\n")
        if start == 0:
            return 0, GENESIS, data.endswith(b"\n")
        chunk *= 4


def append(
    ws: Workspace, vigencia: int, records: Iterable[dict[str, Any]], skip_imported: bool = False, batch: bool = False,
    on_commit: Callable[[list[str]], None] | None = None, under_lock: Callable[[], None] | None = None,
    por: str | None = None,
) -> list[str]:
    """Append ``records`` to this clone's segment, under its lock; their new ids. Every line written
    carries ``por``, who registers them (the CLI resolves it, SPEC §4), an import's commit line too.

    A ``pec log`` is one write of one line. With ``batch`` (``pec import``)
    every record carries one ``lote`` and, once all are written and synced, a
    last commit line makes them count (``entries.Batches``): a kill, Ctrl-C or
    a full disk before it leaves rows that no reader counts, and importing the
    file again writes the batch anew; ``on_commit`` gets the ids once the
    commit line is written (signals wait around it). A write that fails or
    is interrupted is cut back off the segment under the lock: no torn line.
    Every record is checked by ``entries.check_record`` before it is written.

    With ``skip_imported``, records whose ``importe`` key is already in the
    ledger are dropped, checked under the lock so that two simultaneous
    imports of one file append it once. ``under_lock`` runs once the lock is
    held, before anything is written (``pec void`` checks there that the entry
    is not voided yet); its PecError stops the append. Before the lock is
    released the segment's derived file (``ledger.cache``) is brought current.
    """
    writer, path, fd = _open_segment(ws, vigencia)
    try:
        lock(fd)
        if under_lock is not None:
            under_lock()
        before = os.fstat(fd)
        tail = _tail(ws, vigencia, path, fd, before.st_size)
        known = _imported(ws, vigencia) if skip_imported else set()
        growing = _growing(ws, vigencia, path)
        todo = (r for r in records if not (known and r.get("importe") in known))
        committed: list[str] = []

        def commit(done: list[str]) -> None:
            committed.extend(done)
            if on_commit is not None:
                on_commit(done)

        try:
            ids = _write_records(fd, f"{vigencia}-{writer}", tail, todo, commit if batch else None, por,
                                 growing.line if growing is not None else None)
        except BaseException:
            if not committed:
                _cut(fd, before.st_size)
            raise
        if ids:
            _keep_current(growing, fd)
    except OSError as exc:
        raise _write_error(ws.display(path), exc, batch) from None
    finally:
        unlock(fd)
        os.close(fd)
    return ids


def _open_segment(ws: Workspace, vigencia: int) -> tuple[str, Path, int]:
    """This clone's segment of the vigencia open for appending, made if new, never through a link (a pull can
    bring one): (its writer id, its path, the descriptor)."""
    writer = ws.writer_id()
    folder = segment_dir(ws, vigencia)
    path = folder / f"{writer}{SUFFIX}"
    ws.refuse_links(path, "el registro")
    folder.mkdir(parents=True, exist_ok=True)
    flags = os.O_RDWR | os.O_APPEND | os.O_CREAT | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOFOLLOW", 0)
    return writer, path, os.open(path, flags, 0o644)  # O_BINARY (Windows): no CRLF written


def _tail(ws: Workspace, vigencia: int, path: Path, fd: int, size: int) -> tuple[int, str, bool]:
    """Where the next line goes: (the n it follows, the digest it chains to, the file ends with a newline).
    The n is the larger of the last valid record's and the highest the cache saw: a line repeated at the end
    by a merge never makes an id be taken twice."""
    with os.fdopen(os.dup(fd), "rb") as handle:
        last, prev, clean = _tail_state(handle, size)
    return max(last, current(ws, vigencia, path).seq[3]), prev, clean


def _imported(ws: Workspace, vigencia: int) -> set[str]:
    """The ``importe`` keys of the rows that count (committed imports; an interrupted one does not)."""
    from pec_cli.ledger.cache import LedgerKeys

    return LedgerKeys(ws, vigencia).imported()


def _growing(ws: Workspace, vigencia: int, path: Path) -> Growing | None:
    """The segment's derived file, ready to take the lines about to be written (None if it cannot)."""
    try:
        return Growing(ws, vigencia, path)
    except Exception:  # noqa: BLE001 - a cache is only derived data: the append goes on without it
        return None


def _keep_current(growing: Growing | None, fd: int) -> None:
    """Bring the segment's derived file current with the lines just written (folded as they were written)."""
    if growing is None:
        return
    try:
        growing.finish(os.fstat(fd))
    except Exception:  # noqa: BLE001 - the entries are written; a cache is only derived data
        pass


def _write_error(name: str, exc: OSError, batch: bool) -> PecError:
    if batch:
        return PecError(
            f"No se pudo completar la importación en {name} ({reason(exc)}): no se registró ninguna "
            "fila (ninguna cuenta); libere espacio o revise permisos y vuelva a importar el archivo."
        )
    return PecError(f"No se pudo escribir en el registro {name} ({reason(exc)}); revise permisos y espacio en disco.")


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _write_records(
    fd: int, prefix: str, tail: tuple[int, str, bool], records: Iterable[dict[str, Any]],
    on_commit: Callable[[list[str]], None] | None, por: str | None = None,
    on_line: Callable[[bytes, dict[str, Any]], None] | None = None,
) -> list[str]:
    """Write ``records`` after the segment's ``tail`` (last n, its digest, clean end), each saying ``por``
    (who registers them) when given; their ids. ``on_line`` gets each line as it is written (its bytes,
    its checked record), the commit line too."""
    last_n, prev, clean_end = tail
    import secrets

    lote = f"{prefix.split('-', 1)[1]}-{secrets.token_hex(4)}" if on_commit is not None else None
    parts = [] if clean_end else [b"\n"]
    pending = len(parts)
    ids: list[str] = []
    full: dict[str, Any] = {}
    for record in records:
        last_n += 1
        full = {"v": FORMAT_VERSION, "id": f"{prefix}-{last_n}", "n": last_n, "prev": prev, **record}
        if lote is not None:
            full["lote"] = lote
        if por is not None:
            full["por"] = por
        raw = encode(full)  # a lone surrogate (argv under an ASCII locale) fails here: UnicodeEncodeError, said apart
        problem = too_long(raw) or check_record(full)
        if problem is not None:  # build_* refuses first; this is the reader's rule, enforced at the door
            raise PecError(f"pec no escribe este registro porque ningún lector lo aceptaría ({problem}); corrija los datos.")
        parts += [raw, b"\n"]
        pending += len(raw) + 1
        prev = digest(raw)
        ids.append(full["id"])
        if on_line is not None:
            on_line(raw, full)
        if pending >= WRITE_CHUNK:  # whole lines only, so a crash between chunks tears nothing
            _write_all(fd, b"".join(parts))
            parts, pending = [], 0
    _write_all(fd, b"".join(parts))
    os.fsync(fd)
    if on_commit is not None and ids:
        last_n += 1
        commit = {"v": FORMAT_VERSION, "id": f"{prefix}-{last_n}", "n": last_n, "prev": prev, "clase": BATCH,
                  "lote": lote, "filas": len(ids), "registrado": full["registrado"]}
        if por is not None:
            commit["por"] = por
        raw = encode(commit)
        _commit(fd, raw, lambda: on_commit(ids))
        if on_line is not None and check_record(commit) is None:  # else the commit is read back, as any line
            on_line(raw, commit)
    return ids


def _cut(fd: int, size: int) -> None:
    """Cut off what this append wrote past ``size`` (under its lock: only our own bytes)."""
    try:
        os.ftruncate(fd, size)
    except OSError:
        pass  # then readers skip the torn line, and an uncommitted batch never counts


def _commit(fd: int, raw: bytes, done: Callable[[], None]) -> None:
    """Write the commit line of a batch, signals deferred: from here on the import counts whole.

    A full disk may cut the line: then the batch counts only if the record is
    whole (the next append ends it with its newline), which is exactly when a
    reader parses it, so the outcome we report is the one every reader sees.
    """
    with shielded():
        view, written = memoryview(raw + b"\n"), 0
        try:
            while written < len(view):
                written += os.write(fd, view[written:])
        except OSError:
            if written < len(raw):
                raise
        done()
        try:
            os.fsync(fd)
        except OSError:
            pass  # the line is in the file for every reader; the disk's complaint changes nothing we can undo
