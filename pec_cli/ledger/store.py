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

Records are never rewritten: a correction is a new ``anulacion`` record. The
standard library does the work; a large read goes through ``scan`` (the
record rule compiled with pydantic-core, already installed with pydantic,
and on Linux one process per core); neither yaml nor the pydantic models are
imported here.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from pec_cli.errors import PecError, reason
from pec_cli.ledger import scan
from pec_cli.ledger.entries import (
    BATCH,
    FORMAT_VERSION,
    BatchCommit,
    Batches,
    Entry,
    Problem,
    check_record,
    decode,
    parse,
)
from pec_cli.ledger.lock import lock, unlock
from pec_cli.ledger.scan import (
    BOM,
    SEQUENCE_WARNING,
    Fold,
    Folded,
    Job,
    Lines,
    Resume,
    Sequence,
    fold_jobs,
    read_lines,
    resume_state,
)
from pec_cli.ledger.tally import KEEP, Tally
from pec_cli.workspace import Workspace

GENESIS = "0" * 16
SUFFIX = ".jsonl"
_TAIL_CHUNK = 65536
CACHE_FORMAT = 5  # 2: measures by tipo; 3: and by position in the segment, key with ctime; 4: requests grouped; 5: crcs
WRITE_CHUNK = 1 << 20  # an import is written in whole-line chunks of about this size


def digest(raw: bytes) -> str:
    return _sha256()(raw).hexdigest()[:16]


@lru_cache(maxsize=1)
def _sha256() -> Any:
    """hashlib's SHA-256, imported on first use: loading OpenSSL costs start-up a few ms that status never needs."""
    import hashlib

    return hashlib.sha256


def encode(record: dict[str, Any]) -> bytes:
    """A record as its ledger line: ``json.dumps(record, ensure_ascii=False, separators=(",", ":"))``."""
    return _encoder()(record).encode("utf-8")


@lru_cache(maxsize=1)
def _encoder() -> Callable[[Any], str]:
    """``json.dumps`` as above, its C encoder made once (json.dumps makes an encoder per call, and
    its ``encode`` a C encoder: half the time of an import's line); the same text (tested)."""
    import json.encoder

    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
    c_make_encoder = getattr(json.encoder, "c_make_encoder", None)
    if c_make_encoder is None:  # a Python without json's C speedups
        return dumps.encode
    # the arguments JSONEncoder.iterencode passes, but no check for circular references (a record is a tree)
    make = c_make_encoder(None, dumps.default, json.encoder.encode_basestring, None, ":", ",", False, False, True)
    return lambda record: "".join(make(record, 0))


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


def iter_lines(path: Path) -> Iterator[tuple[int, bytes]]:
    """(line number, bytes) of every non-blank line of a segment, as long as it was when opened."""
    lines = Lines()
    for number, block, _plain in lines.blocks(path, 0, path.stat().st_size):
        yield from read_lines(number, block, lines.bom(number))


def read_entries(ws: Workspace, vigencia: int, warnings: list[str]) -> Iterator[Entry]:
    """Every entry that counts, segment by segment; bad lines become warnings.

    The rows of an import count at its commit line (``entries.Batches``): an
    import cut short by a kill or a full disk yields none of its rows.
    """
    for path in segments(ws, vigencia):
        name = ws.display(path)
        batches: Batches[list[Entry]] = Batches(list)
        sequence = Sequence()
        for number, raw in iter_lines(path):
            item = decode(raw, name, number)
            if isinstance(item, Problem):
                warnings.append(f"{item}; se omite")
                sequence.damaged += 1
                continue
            sequence.see(item.n)
            if isinstance(item, BatchCommit):
                done = batches.commit(item.datos["lote"])
                if done is not None:
                    yield from done[1]
            elif item.lote is not None:
                batches.hold(item.lote, number).append(item)
            else:
                yield item
        if sequence.broken:
            warnings.append(SEQUENCE_WARNING)


def _fold_lines(
    path: Path, name: str, part: Tally, warnings: list[str], sequence: Sequence, lines: Lines, start: int, size: int,
) -> Folded:
    """Fold the segment's bytes ``start``..``size`` into ``part`` (the fold of the bytes before ``start``).

    A big read (over ``scan.FAST_SCAN_BYTES``) checks plain blocks with the
    compiled rule (``entries.compiled_rule``), the rest line by line with
    ``entries.parse``: the same verdict either way. Returns the part, its
    warnings and, when the bytes end with a whole line and no import batch is
    left open, the state a later read resumes from (:func:`_resumed`): the size
    folded, its CRC-32, the line count and the sequence check's state.
    """
    big = size - start > scan.FAST_SCAN_BYTES
    fold = Fold(part, sequence, big)
    fold.read(path, lines, start, size, big)
    warnings += fold.warnings(name)
    if sequence.broken:
        warnings.append(SEQUENCE_WARNING)
    return part, warnings, resume_state([[size, lines.crc]], lines, sequence, not fold.batches.open)


def _resumed(path: Path, name: str, cached: Any, st: os.stat_result) -> Job | None:
    """The read of a segment from where its cache left it, or None (read it all).

    After ``git pull`` a segment of another writer is a new file holding the
    old bytes plus new lines: its cache key no longer matches, but the bytes
    already folded are still there. They are checked first (their CRC-32,
    read in blocks: far cheaper than parsing them); a segment rewritten or
    edited anywhere in the folded part (a rebase, a hand edit) fails the check
    and is read again in full.
    """
    try:
        resume = cached["resume"]
        crcs, number = resume["crcs"], resume["lines"]
        last, damaged, broken = resume["seq"]
        if cached["key"][:2] != _cache_key(st)[:2] or not all(type(x) is int for x in (number, last, damaged)):
            return None
        part, warnings = Tally.from_json(cached["tally"]), cached["warnings"]
    except (KeyError, TypeError, ValueError, IndexError):
        return None
    if not (type(warnings) is list and all(isinstance(w, str) for w in warnings)):
        return None
    warnings = list(warnings)
    crc = _unchanged(path, crcs, st.st_size)
    if crc is None:
        return None
    if broken and warnings and warnings[-1] == SEQUENCE_WARNING:
        warnings.pop()  # said again at the end if still so
    size = crcs[-1][0]
    return Job(path, name, part, warnings, Sequence(last, damaged, bool(broken)), Lines(crc, number), size, st.st_size)


def _unchanged(path: Path, crcs: Any, limit: int) -> int | None:
    """The CRC-32 of the file's bytes up to the last range of ``crcs`` if each range still has its CRC, else None."""
    import zlib

    if not (type(crcs) is list and crcs and all(type(r) is list and len(r) == 2 and all(type(x) is int for x in r)
                                                for r in crcs)):
        return None
    ends = [end for end, _ in crcs]
    if ends != sorted(set(ends)) or ends[0] <= 0 or ends[-1] > limit:
        return None
    total = 0
    with path.open("rb") as handle:
        for end, crc in crcs:
            part = 0
            while (block := handle.read(min(Lines.BLOCK, end - handle.tell()))):
                part, total = zlib.crc32(block, part), zlib.crc32(block, total)
            if part != crc:
                return None
    return total


def _cache_file(ws: Workspace, vigencia: int, path: Path) -> Path:
    return ws.state_dir / "cache" / f"tally-{vigencia}-{path.stem}.json"


def _cache_key(st: os.stat_result) -> list[Any]:
    from pec_cli import __version__

    # ctime too: `touch -r` or a restore can put the mtime back, never the ctime
    return [CACHE_FORMAT, __version__, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns]


def read_tally(ws: Workspace, vigencia: int, warnings: list[str], use_cache: bool | None = None) -> Tally:
    """The tally of every valid record of the vigencia (bad lines become warnings).

    Each segment's tally is cached in ``.pec/cache`` keyed on the file's inode,
    size, mtime and ctime: an unchanged segment is not read again, and ``append``
    folds its own lines into the cache, so one more ``pec log`` costs one more
    line, not the whole ledger. A segment that only grew (``git pull`` bringing
    another writer's lines) is read from where the cache left it, once the
    bytes already folded are checked unchanged (:func:`_resumed`); any other
    change (an editor, a rebase) is read again in full, and so is a segment
    changed while it was read (:func:`_changed_while_read`), up to three
    times. The one blind spot, as for git's index ("racy git"): an edit that
    keeps the size and lands within the same file-system clock tick (a few
    milliseconds) as the cached state. ``pec verify`` never uses the cache; ``PEC_CACHE=0`` or
    deleting ``.pec/cache`` recomputes everything.
    """
    from pec_cli.cachefiles import cache_enabled, write_json
    from pec_cli.ledger.tally import NeedsFullScan

    if use_cache is None:
        use_cache = cache_enabled()
    keep: int | None = KEEP
    tries = 0
    while True:
        tally = Tally(keep)  # segments merge in their order, each dropped once merged
        found, jobs, waiting = _from_caches(ws, vigencia, tally, use_cache and keep == KEEP)
        folded = fold_jobs([job for _, job, _ in jobs], _fold_lines)
        replaced = False
        for (index, job, key), (segment, segment_warnings, resume), after in zip(jobs, folded, waiting[1:], strict=True):
            if tries < 3 and _changed_while_read(job.path, key, resume):
                replaced = True  # its slices may hold parts of two files: read again (the processes stop)
                break
            if use_cache and keep == KEEP:
                write_json(_cache_file(ws, vigencia, job.path),
                           {"key": key, "tally": segment.to_json(), "warnings": segment_warnings, "resume": resume})
            found[index] = segment_warnings
            segment.drain(tally)
            for part in after:
                part.drain(tally)
        del jobs, folded, waiting
        if replaced:
            tries += 1
            continue
        try:
            tally.net()
        except NeedsFullScan:
            if keep is None:
                raise
            keep = None  # voids exhausted a compacted day: fold again, dropping nothing
            continue
        warnings += [warning for segment_warnings in found for warning in segment_warnings]
        return tally


def _changed_while_read(path: Path, key: list[Any], resume: Resume | None) -> bool:
    """Whether the bytes a read folded (described by ``key`` when it began) may have changed under it:
    ``path`` is another file now (``git pull`` and many editors write a new one over the old), or it
    was written in place and the bytes read no longer have their CRC-32. A read in slices, each
    opening the file, could then mix two versions. Lines appended meanwhile (``pec log``) change nothing."""
    try:
        st = os.stat(path)
    except OSError:
        return True
    if st.st_ino != key[2]:
        return True
    if [st.st_size, st.st_mtime_ns, st.st_ctime_ns] == key[3:6]:
        return False  # untouched
    return resume is None or _unchanged(path, resume["crcs"], st.st_size) is None


def _from_caches(
    ws: Workspace, vigencia: int, tally: Tally, use_cache: bool,
) -> tuple[list[list[str]], list[tuple[int, Job, list[Any]]], list[list[Tally]]]:
    """Each segment's cached totals merged into ``tally``, or the read it needs.

    Returns the warnings segment by segment (a segment to read has none yet),
    the reads (its position, the job, its new cache key) and, for each read,
    the cached segments after it, to merge once it is (so that segments merge
    in their order).
    """
    from pec_cli.cachefiles import read_json

    found: list[list[str]] = []
    jobs: list[tuple[int, Job, list[Any]]] = []
    waiting: list[list[Tally]] = [[]]
    for path in segments(ws, vigencia):
        name = ws.display(path)
        st = path.stat()
        key = _cache_key(st)
        doc = read_json(_cache_file(ws, vigencia, path)) if use_cache else None
        cached = _cached_segment(doc, key) if doc is not None else None
        found.append(cached[1] if cached is not None else [])
        if cached is not None:
            if jobs:
                waiting[-1].append(cached[0])
            else:
                cached[0].drain(tally)
            continue
        # read exactly the bytes the key describes: a line appended meanwhile
        # belongs to the next key (and to the appender's fold), never to this one
        job = _resumed(path, name, doc, st) if doc is not None else None
        jobs.append((len(found) - 1, job or Job(path, name, Tally(tally.keep), [], Sequence(), Lines(), 0, st.st_size), key))
        waiting.append([])
        del doc, cached
    return found, jobs, waiting


def _cached_segment(cached: Any, key: list[Any]) -> tuple[Tally, list[str]] | None:
    """The cached tally of a segment if ``cached`` is sound and current; a damaged cache is a miss."""
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
        return _cached_segment(read_json(_cache_file(ws, vigencia, path)), _cache_key(before))
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
    """The ``importe`` keys of the rows that count (committed imports; an interrupted one does not)."""
    keys: set[str] = set()
    for path in segments(ws, vigencia):
        batches: Batches[list[str]] = Batches(list)
        for number, raw in iter_lines(path):
            if b'"importe"' not in raw and b'"lote"' not in raw:
                continue
            record = parse(raw)
            if isinstance(record, str):
                continue
            if record["clase"] == BATCH:
                done = batches.commit(record["lote"])
                keys.update(done[1] if done else ())
            elif isinstance(record.get("importe"), str):
                if "lote" in record:
                    batches.hold(record["lote"], number).append(record["importe"])
                else:
                    keys.add(record["importe"])
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
        else:
            lines[0] = lines[0].removeprefix(BOM)
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


def append(
    ws: Workspace, vigencia: int, records: Iterable[dict[str, Any]], skip_imported: bool = False, batch: bool = False,
    on_commit: Callable[[list[str]], None] | None = None, under_lock: Callable[[], None] | None = None,
    observer: Any = None,
) -> list[str]:
    """Append ``records`` to this clone's segment, under its lock; their new ids.

    A ``pec log`` is one write of one line. With ``batch`` (``pec import``)
    every record carries one ``lote`` and, once all are written and synced, a
    last commit line makes them count (``entries.Batches``): a kill, Ctrl-C or
    a full disk before it leaves rows that no reader counts, and importing the
    file again writes the batch anew; ``on_commit`` gets the ids once the
    commit line is written (Ctrl-C is ignored around it). A write that fails or
    is interrupted is cut back off the segment under the lock: no torn line.
    Every record is checked by ``entries.check_record`` before it is written.

    With ``skip_imported``, records whose ``importe`` key is already in the
    ledger are dropped, checked under the lock so that two simultaneous
    imports of one file append it once. ``under_lock`` runs once the lock is
    held, before anything is written (``pec void`` checks there that the entry
    is not voided yet); its PecError stops the append. For ``observer``, see :func:`_derived`.
    """
    writer = ws.writer_id()
    folder = segment_dir(ws, vigencia)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{writer}{SUFFIX}"
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT | getattr(os, "O_BINARY", 0), 0o644)  # Windows: no CRLF
    try:
        lock(fd)
        if under_lock is not None:
            under_lock()
        before = os.fstat(fd)
        with os.fdopen(os.dup(fd), "rb") as handle:
            tail = _tail_state(handle, before.st_size)
        known: Any = (observer.imported() if observer else import_keys(ws, vigencia)) if skip_imported else set()
        fold = _cache_to_fold(ws, vigencia, path, before)
        todo = (r for r in records if not (known and r.get("importe") in known))
        committed: list[str] = []

        def commit(done: list[str]) -> None:
            committed.extend(done)
            if on_commit is not None:
                on_commit(done)

        try:
            ids = _write_records(fd, f"{vigencia}-{writer}", tail, todo, fold, commit if batch else None,
                                 observer.line if observer is not None else None)
        except BaseException:
            if not committed:
                _cut(fd, before.st_size)
            raise
        if ids:
            _derived(ws, vigencia, path, (before, os.fstat(fd)), fold, observer)
    except OSError as exc:
        raise _write_error(ws.display(path), exc, batch) from None
    finally:
        unlock(fd)
        os.close(fd)
    return ids


def _derived(
    ws: Workspace, vigencia: int, path: Path, stats: tuple[os.stat_result, os.stat_result],
    fold: tuple[Tally, list[str]] | None, observer: Any,
) -> None:
    """Bring the derived data up to date with the lines just written, still under the lock: the
    segment's tally cache (``fold``), and what an ``observer`` keeps (``keyindex.Follow``: it gives
    the ``importe`` keys for ``skip_imported``, ``imported()``; sees each line written, ``line(record,
    raw)``; then the segment's stat before and after, ``written(path, before, after)``)."""
    try:
        if fold is not None:
            _save_fold(ws, vigencia, path, stats[1], fold)
        if observer is not None:
            observer.written(path, *stats)
    except Exception:  # noqa: BLE001 - the entries are written; a cache is only derived data
        pass


def _write_error(name: str, exc: OSError, batch: bool) -> PecError:
    if batch:
        return PecError(
            f"No se pudo completar la importación en {name} ({reason(exc)}): no se registró ninguna "
            "fila (ninguna cuenta); libere espacio o revise permisos y vuelva a importar el archivo."
        )
    return PecError(f"No se pudo escribir en el registro {name} ({reason(exc)}); revise permisos y espacio en disco.")


def _write_records(
    fd: int, prefix: str, tail: tuple[int, str, bool], records: Iterable[dict[str, Any]],
    fold: tuple[Tally, list[str]] | None, on_commit: Callable[[list[str]], None] | None,
    on_line: Callable[[dict[str, Any], bytes], None] | None = None,
) -> list[str]:
    """Write ``records`` after the segment's ``tail`` (last n, its digest, clean end); their ids."""
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
        raw = encode(full)
        problem = check_record(full, raw)
        if problem is not None:  # build_* refuses first; this is the reader's rule, enforced at the door
            raise PecError(f"pec no escribe este registro porque ningún lector lo aceptaría ({problem}); corrija los datos.")
        if on_line is not None:
            on_line(full, raw)
        parts += [raw, b"\n"]
        pending += len(raw) + 1
        prev = digest(raw)
        ids.append(full["id"])
        if fold is not None:
            fold[0].add(full)
        if pending >= WRITE_CHUNK:  # whole lines only, so a crash between chunks tears nothing
            _write_all(fd, b"".join(parts))
            parts, pending = [], 0
    _write_all(fd, b"".join(parts))
    os.fsync(fd)
    if on_commit is not None and ids:
        last_n += 1
        commit = {"v": FORMAT_VERSION, "id": f"{prefix}-{last_n}", "n": last_n, "prev": prev, "clase": BATCH,
                  "lote": lote, "filas": len(ids), "registrado": full["registrado"]}
        raw = encode(commit)
        if on_line is not None:
            on_line(commit, raw)
        _commit(fd, raw, lambda: on_commit(ids))
    return ids


def _cut(fd: int, size: int) -> None:
    """Cut off what this append wrote past ``size`` (under its lock: only our own bytes)."""
    try:
        os.ftruncate(fd, size)
    except OSError:
        pass  # then readers skip the torn line, and an uncommitted batch never counts


def _commit(fd: int, raw: bytes, done: Callable[[], None]) -> None:
    """Write the commit line of a batch, immune to Ctrl-C: from here on the import counts whole.

    A full disk may cut the line: then the batch counts only if the record is
    whole (the next append ends it with its newline), which is exactly when a
    reader parses it, so the outcome we report is the one every reader sees.
    """
    import signal
    import threading

    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if main else None
    try:
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
    finally:
        if main:
            signal.signal(signal.SIGINT, previous)
