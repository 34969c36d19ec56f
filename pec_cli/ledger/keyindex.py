"""Where a new piece may repeat one in force: the ledger's keys, indexed per segment in ``.pec/cache``.

``pec log`` refuses, and ``pec import`` skips, a piece that repeats one in force
(SPEC §5, :mod:`pec_cli.ledger.duplicates`), and an import drops the rows it
imported before (``importe``). Reading every line to find them costs seconds at
a million entries; this index answers from a few megabytes. For each segment,
``.pec/cache/keys-<vigencia>-<segment>.idx`` holds:

* an 8-byte hash of each key of each valid piece (its titulo and url keys, under
  the ledger's own activity id) and of each ``importe``, with the byte offset of
  its line and its import batch;
* the voids (the id voided, where, in which batch) and the import batches
  (where the first row is, where the commit line is, if any).

It is derived data, checked like the tally cache (``store.read_tally``): keyed
on the segment's inode, size, mtime and ctime. A segment that grew (``git
pull``) or was cut back (``git reset``) resumes from the latest indexed state
whose CRC-32 still matches the file's first bytes; anything else is indexed
again from the start, and a missing or damaged index file is rebuilt. A hash
only names a candidate: each hit is confirmed by parsing its line and comparing
the real key, so a collision never refuses a piece. Lines are read with the
readers' rule (``entries.parse``): a damaged line, or a row of an import that
was never committed, is no piece.
"""

from __future__ import annotations

import json
import os
import sys
import zlib
from array import array
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from pec_cli.ledger.duplicates import Key, piece_keys
from pec_cli.ledger.entries import BATCH, MAX_LINE, PIECE, VOID, compiled_rule, may_hide_control, parse
from pec_cli.ledger.scan import BOM, FAST_SCAN_BYTES, fast_loads, read_lines
from pec_cli.ledger.store import _cache_key, segments
from pec_cli.workspace import Workspace

FORMAT = 3  # 2: key hashes are CRC-32 and Adler-32; 3: an importe's, its first hex digits
MAGIC = b"PECKEYS1"
CHECKPOINTS = 8  # earlier indexed states kept: a segment cut back to one of them resumes there
BLOCK = 1 << 20
_SHIFT = 24  # meta = offset << 24 | batch (0: none; else position in ``lotes`` + 1)
_BATCH = (1 << _SHIFT) - 1


def importe_hash(importe: str) -> int:
    """The 8-byte hash of an ``importe`` key: its first 16 hex digits when it starts with them
    (as every key pec makes: a SHA-256's), else :func:`key_hash` of it."""
    try:
        value = int(importe[:16], 16)
    except ValueError:
        return key_hash(importe)
    return value if value >= 0 else key_hash(importe)  # int() takes a sign; a negative cannot be stored


def key_hash(key: str) -> int:
    """The 8-byte hash of a key, as an int: its CRC-32 and Adler-32, cheap to compute, and only a
    candidate (every hit is confirmed on its line; a collision costs a line read, nothing more)."""
    data = key.encode("utf-8", "surrogatepass")
    return zlib.crc32(data) << 32 | zlib.adler32(data)


class SegmentIndex:
    """The keys of one segment's valid lines up to ``size`` (the end of a whole line)."""

    __slots__ = ("keys", "imports", "lotes", "voids", "size", "crc", "checkpoints", "_open")

    def __init__(self) -> None:
        self.keys = array("Q")  # hash, meta pairs of the pieces' duplicate keys
        self.imports = array("Q")  # hash, meta pairs of the ``importe`` keys
        self.lotes: list[list[Any]] = []  # [lote, offset of its first row, offset of its commit line or None]
        self.voids: list[list[Any]] = []  # [id voided, offset, batch]
        self.size = 0
        self.crc = 0  # CRC-32 of the first ``size`` bytes
        self.checkpoints: list[list[int]] = []  # earlier [size, crc]
        self._open: dict[str, int] = {}  # lote -> its batch still waiting for a commit line

    def add(self, offset: int, record: dict[str, Any], hashes: Iterable[int] | None = None) -> None:
        """Index one valid record at ``offset``; ``hashes``: its piece keys' hashes, when known."""
        clase: str = record["clase"]
        lote: Any = record.get("lote")
        if clase == BATCH:  # entries.Batches: it commits the rows held under its lote
            batch = self._open.pop(lote, None)
            if batch is not None:
                self.lotes[batch - 1][2] = offset
            return
        batch = self.batch(lote, offset)
        meta = offset << _SHIFT | batch
        if clase == PIECE:
            for value in (hashes if hashes is not None else map(key_hash, piece_keys(record))):
                self.keys.extend((value, meta))
        elif clase == VOID:
            self.voids.append([record["anula"], offset, batch])
        if type(record.get("importe")) is str:
            self.imports.extend((importe_hash(record["importe"]), meta))

    def batch(self, lote: Any, offset: int) -> int:
        """The batch of a line of import ``lote`` at ``offset`` (0: no import), opened at its first row."""
        if lote is None:
            return 0
        batch = self._open.get(lote, 0)
        if not batch:
            self.lotes.append([lote, offset, None])
            batch = self._open[lote] = len(self.lotes)
        return batch

    def counts(self, meta: int) -> bool:
        """Whether the line of ``meta`` counts: outside a batch, or in one whose commit line was read."""
        batch = meta & _BATCH
        return not batch or self.lotes[batch - 1][2] is not None

    def voided(self) -> Iterator[str]:
        return (anula for anula, _, batch in self.voids if not batch or self.lotes[batch - 1][2] is not None)

    def cut(self, size: int) -> None:
        """Forget every line from byte ``size`` on (the segment was cut back there)."""
        for pairs in (self.keys, self.imports):
            end = len(pairs)
            while end and pairs[end - 1] >> _SHIFT >= size:
                end -= 2
            del pairs[end:]
        self.lotes = [lote for lote in self.lotes if lote[1] < size]
        for lote in self.lotes:
            if lote[2] is not None and lote[2] >= size:
                lote[2] = None
        self.voids = [void for void in self.voids if void[1] < size]
        self._reopen()

    def _reopen(self) -> None:
        self._open = {lote[0]: i for i, lote in enumerate(self.lotes, start=1) if lote[2] is None}

    def parts(self, key: list[Any]) -> tuple[bytes | array, ...]:
        """The file's bytes, in parts (the arrays as they are: no copy)."""
        from pec_cli import __version__

        header = json.dumps({
            "format": FORMAT, "version": __version__, "key": key, "order": sys.byteorder, "size": self.size,
            "crc": self.crc, "checkpoints": self.checkpoints, "lotes": self.lotes, "voids": self.voids,
            "keys": len(self.keys), "imports": len(self.imports),
        }, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        return MAGIC, len(header).to_bytes(4, "little"), header, self.keys, self.imports

    @classmethod
    def from_bytes(cls, data: bytes) -> tuple[SegmentIndex, list[Any]] | None:
        """(the index, its key) stored in ``data``, or None if it is not a sound index of this pec."""
        from pec_cli import __version__

        try:
            if not data.startswith(MAGIC):
                return None
            start = len(MAGIC) + 4
            end = start + int.from_bytes(data[len(MAGIC):start], "little")
            head = json.loads(data[start:end])
            if (head["format"], head["version"], head["order"]) != (FORMAT, __version__, sys.byteorder):
                return None
            index = cls()
            index.size, index.crc, index.checkpoints = int(head["size"]), int(head["crc"]), head["checkpoints"]
            index.lotes, index.voids = head["lotes"], head["voids"]
            view = memoryview(data)
            index.keys.frombytes(view[end:end + 8 * head["keys"]])
            index.imports.frombytes(view[end + 8 * head["keys"]:])
            if len(index.keys) != head["keys"] or len(index.imports) != head["imports"] or len(index.keys) % 2:
                return None
            if not all(isinstance(c, list) and len(c) == 2 and all(type(x) is int for x in c) for c in index.checkpoints):
                return None
            index._reopen()
            return index, head["key"]
        except (ValueError, KeyError, TypeError, IndexError, AttributeError):
            return None


def _blocks(path: Path, start: int, limit: int, crc: int) -> Iterator[tuple[int, bytes, int]]:
    """(offset, whole lines, CRC-32 of the bytes up to their end) of each block of about a megabyte
    of bytes ``start``..``limit``; a last line without its newline (torn, or still being written)
    is in none."""
    with path.open("rb") as handle:
        handle.seek(start)
        left, carry, position = limit - start, b"", start
        while left > 0:
            block = handle.read(min(BLOCK, left))
            if not block:
                return
            left -= len(block)
            data = carry + block if carry else block
            whole = data.rfind(b"\n") + 1
            carry = data[whole:]
            if whole:
                crc = zlib.crc32(memoryview(data)[:whole], crc)
                yield position, data[:whole], crc
                position += whole


def _record(raw: bytes, offset: int, loads: Callable[[bytes], Any]) -> dict[str, Any] | None:
    """The valid record of a line (as every reader reads and checks it), or None."""
    for _number, line in read_lines(0, [raw.rstrip(b"\n")], offset == 0):
        record = parse(line, loads)
        return record if isinstance(record, dict) else None
    return None  # a blank line


def _extend(index: SegmentIndex, path: Path, limit: int) -> SegmentIndex:
    """Index the whole lines from ``index.size`` to ``limit``. A big read checks the lines of a
    plain block (no byte-order mark, no byte that may hide a control character) with the
    compiled rule, and what it refuses with ``entries.parse``, as ``scan.Fold`` does."""
    big = limit - index.size > FAST_SCAN_BYTES
    loads = fast_loads() if big else json.loads
    rule = compiled_rule() if big else None
    add = index.add
    for offset, data, crc in _blocks(path, index.size, limit, index.crc):
        plain = rule is not None and not (offset == 0 and data.startswith(BOM)) and not may_hide_control(data)
        for raw in data[:-1].split(b"\n"):
            record = None
            if plain and len(raw) <= MAX_LINE:
                try:
                    record = rule(raw)  # type: ignore[misc]
                except ValueError:
                    pass
            if record is None:
                record = _record(raw, offset, loads)
            if record is not None:
                add(offset, record)
            offset += len(raw) + 1
        index.size, index.crc = offset, crc
    return index


def _resumed(index: SegmentIndex, path: Path, size: int) -> SegmentIndex | None:
    """``index`` cut back to its latest state (or checkpoint) whose bytes the segment still holds
    unchanged (their CRC-32), for a segment now ``size`` bytes long; None if none does."""
    states = sorted({(s, c) for s, c in [*index.checkpoints, [index.size, index.crc]] if 0 < s <= size})
    if not states:
        return None
    found, crc, done = None, 0, 0
    with path.open("rb") as handle:
        for state_size, state_crc in states:
            while done < state_size:
                block = handle.read(min(BLOCK, state_size - done))
                if not block:  # shorter than its stat said: changing under us
                    return None
                crc, done = zlib.crc32(block, crc), done + len(block)
            if crc == state_crc:
                found = [state_size, state_crc]
    if found is None:
        return None
    if found[0] < index.size:
        index.cut(found[0])
    index.checkpoints = [c for c in index.checkpoints if c[0] < found[0]]
    index.size, index.crc = found
    return index


def _index_file(ws: Workspace, vigencia: int, path: Path) -> Path:
    return ws.state_dir / "cache" / f"keys-{vigencia}-{path.stem}.idx"


def _read_index(file: Path) -> tuple[SegmentIndex, list[Any]] | None:
    try:
        return SegmentIndex.from_bytes(file.read_bytes())
    except OSError:
        return None


def _save(ws: Workspace, vigencia: int, path: Path, index: SegmentIndex, key: list[Any]) -> None:
    from pec_cli.cachefiles import write_bytes

    write_bytes(_index_file(ws, vigencia, path), *index.parts(key))


def segment_index(ws: Workspace, vigencia: int, path: Path, use_cache: bool = True) -> SegmentIndex:
    """The index of one segment, current: from its cache file, resumed, or built (and saved)."""
    st = path.stat()
    key = _cache_key(st)
    stored = _read_index(_index_file(ws, vigencia, path)) if use_cache else None
    if stored is not None and stored[1] == key:
        index = stored[0]
    else:
        index = (_resumed(stored[0], path, st.st_size) if stored is not None else None) or SegmentIndex()
        before = [index.size, index.crc]
        _extend(index, path, st.st_size)
        if index.size != before[0] and before[0]:
            index.checkpoints = [*index.checkpoints, before][-CHECKPOINTS:]
        if use_cache:
            _save(ws, vigencia, path, index, key)
    if index.size < st.st_size:  # a last line without its newline: it counts if whole, but is not saved
        _tail(index, path, st.st_size)
    return index


def _tail(index: SegmentIndex, path: Path, limit: int) -> None:
    with path.open("rb") as handle:
        handle.seek(index.size)
        raw = handle.read(min(limit - index.size, MAX_LINE + 2))
    record = _record(raw, index.size, json.loads)
    if record is not None:
        index.add(index.size, record)


class LedgerKeys:
    """The key indexes of every segment of a vigencia, and what they answer."""

    def __init__(self, ws: Workspace, vigencia: int, use_cache: bool | None = None) -> None:
        from pec_cli.cachefiles import cache_enabled

        self.ws, self.vigencia = ws, vigencia
        self.use_cache = cache_enabled() if use_cache is None else use_cache
        self.paths = segments(ws, vigencia)
        self.indexes = [segment_index(ws, vigencia, p, self.use_cache) for p in self.paths]
        self.voided = {anula for index in self.indexes for anula in index.voided()}
        self._handles: dict[int, Any] = {}

    def hashes(self) -> Iterator[array]:
        """The key hashes of each segment (an array each)."""
        return (index.keys[0::2] for index in self.indexes)

    def candidates(self, wanted: set[int]) -> Iterator[tuple[int, int, int]]:
        """(hash, segment, meta) of each indexed key whose hash is in ``wanted``, in ledger order."""
        for number, index in enumerate(self.indexes):
            keys = index.keys
            if len(wanted) <= 16:  # a few (pec log): their bytes found in C, no int made per entry
                at = sorted(i for h in wanted for i in _positions(keys, h))
            else:
                hashes = keys[0::2]
                common = wanted.intersection(hashes)
                at = [i for i, h in enumerate(hashes) if h in common] if common else []
            for i in at:
                yield keys[2 * i], number, keys[2 * i + 1]

    def line(self, number: int, meta: int) -> dict[str, Any] | None:
        """The valid record at ``meta``'s offset of segment ``number``, if it still counts."""
        if not self.indexes[number].counts(meta):
            return None
        offset = meta >> _SHIFT
        try:
            handle = self._handles.get(number)
            if handle is None:
                handle = self._handles[number] = self.paths[number].open("rb")
            handle.seek(offset)
            raw = handle.readline(MAX_LINE + 2)
        except OSError:
            return None
        return _record(raw, offset, json.loads)

    def close(self) -> None:
        for handle in self._handles.values():
            handle.close()
        self._handles.clear()


def _positions(pairs: array, value: int) -> Iterator[int]:
    """The positions i of the pairs whose hash (``pairs[2 * i]``) is ``value``."""
    data, needle = pairs.tobytes(), value.to_bytes(8, sys.byteorder)
    at = data.find(needle)
    while at >= 0:
        if at % 16 == 0:  # a hash, not the bytes of an offset or two halves
            yield at // 16
        at = data.find(needle, at + 1)


def key_variants(record: dict[str, Any], ids: Iterable[str]) -> list[tuple[Key, list[int]]]:
    """Each key of ``record`` (its activity's) with the hashes it has in the ledger: one per id the
    activity's entries may carry (``ids``: the activity's id and its earlier ones, ``antes``)."""
    own = piece_keys(record)
    others = [piece_keys(record, activity) for activity in ids if activity != record["actividad"]]
    return [(key, [key_hash(key), *(key_hash(keys[i]) for keys in others)]) for i, key in enumerate(own)]


def in_force(
    ledger: LedgerKeys, key: Key, hashes: Iterable[int], canonical: Callable[[str], str],
) -> dict[str, Any] | None:
    """The first piece in force (ledger order) whose key, its activity read as the plan's, is ``key``."""
    for _, number, meta in ledger.candidates(set(hashes)):
        record = ledger.line(number, meta)
        if (record is not None and record["clase"] == PIECE and record["id"] not in ledger.voided
                and key in piece_keys(record, canonical(record["actividad"]))):
            return record
    return None


def duplicate(
    ws: Workspace, vigencia: int, record: dict[str, Any], ids: Iterable[str], canonical: Callable[[str], str] = str,
) -> tuple[Key, dict[str, Any]] | None:
    """(the key, the piece in force) that a new ``record`` repeats, if any (``pec log``)."""
    if not segments(ws, vigencia):
        return None
    ledger = LedgerKeys(ws, vigencia)
    try:
        for key, hashes in key_variants(record, ids):
            existing = in_force(ledger, key, hashes, canonical)
            if existing is not None:
                return key, existing
        return None
    finally:
        ledger.close()


class ImportedKeys:
    """The ``importe`` keys of the rows that count, as ``store.append`` asks under its lock
    (``key in imported``: a hash hit confirmed on its line)."""

    def __init__(self, ledger: LedgerKeys) -> None:
        self.ledger = ledger
        self.hashes = {h for index in ledger.indexes for h in index.imports[0::2]}
        self._where: dict[int, list[tuple[int, int]]] | None = None

    def __len__(self) -> int:
        return len(self.hashes)

    def __contains__(self, importe: object) -> bool:
        if not isinstance(importe, str):
            return False
        wanted = importe_hash(importe)
        if wanted not in self.hashes:
            return False
        if self._where is None:
            self._where = {}
            for number, index in enumerate(self.ledger.indexes):
                pairs = index.imports
                for i in range(0, len(pairs), 2):
                    self._where.setdefault(pairs[i], []).append((number, pairs[i + 1]))
        return any((record := self.ledger.line(number, meta)) is not None and record.get("importe") == importe
                   for number, meta in self._where.get(wanted, ()))


class Follow:
    """Folds the lines ``store.append`` writes into their segment's index as they are written,
    so that the next reader finds it current without reading them (``store.append``'s ``observer``)."""

    def __init__(self, ws: Workspace, vigencia: int) -> None:
        self.ws, self.vigencia = ws, vigencia
        self.delta = SegmentIndex()  # offsets from the first line written
        self.length = 0
        self.known: tuple[str, list[int]] | None = None  # (importe, piece key hashes) of the next record

    def imported(self) -> ImportedKeys:
        """The ``importe`` keys in the ledger now (called under the lock)."""
        return ImportedKeys(LedgerKeys(self.ws, self.vigencia))

    def line(self, record: dict[str, Any], raw: bytes) -> None:
        known = self.known  # an import's row: its key hashes, made on the first pass
        mine = known is not None and record.get("importe") == known[0] and record["clase"] == PIECE
        self.delta.add(self.length, record, known[1] if mine and known is not None else None)
        self.length += len(raw) + 1

    def written(self, path: Path, before: os.stat_result, after: os.stat_result) -> None:
        """Our lines are ``path``'s last bytes (under the lock): the index of ``before`` grows by them."""
        from pec_cli.cachefiles import cache_enabled

        start = after.st_size - self.length
        if not cache_enabled() or start not in (before.st_size, before.st_size + 1):
            return
        stored = _read_index(_index_file(self.ws, self.vigencia, path))
        if stored is not None and stored[1] == _cache_key(before):
            index = stored[0]
        elif before.st_size == 0:
            index = SegmentIndex()
        else:
            return  # not current: the next reader resumes or rebuilds it
        if index.size < start:  # a torn last line, which our first newline ended
            _extend(index, path, start)
        if index.size != start:
            return
        if index.size:
            index.checkpoints = [*index.checkpoints, [index.size, index.crc]][-CHECKPOINTS:]
        index.crc = _crc(path, start, after.st_size, index.crc)
        _merge(index, self.delta, start)
        index.size = after.st_size
        _save(self.ws, self.vigencia, path, index, _cache_key(after))


def _crc(path: Path, start: int, end: int, crc: int) -> int:
    with path.open("rb") as handle:
        handle.seek(start)
        while start < end and (block := handle.read(min(BLOCK, end - start))):
            crc, start = zlib.crc32(block, crc), start + len(block)
    return crc


def _merge(index: SegmentIndex, delta: SegmentIndex, start: int) -> None:
    """Append ``delta`` (offsets from ``start``) to ``index``."""
    shift, batches = start << _SHIFT, len(index.lotes)
    for source in (delta.keys, delta.imports) if shift or batches else ():  # in place: it may be tens of MB
        for i in range(1, len(source), 2):
            meta = source[i]
            source[i] = meta + shift + (batches if meta & _BATCH else 0)
    if index.keys or index.imports:
        index.keys.extend(delta.keys)
        index.imports.extend(delta.imports)
    else:
        index.keys, index.imports = delta.keys, delta.imports
    index.lotes += [[lote, first + start, None if commit is None else commit + start]
                    for lote, first, commit in delta.lotes]
    index.voids += [[anula, offset + start, batch + batches if batch else 0] for anula, offset, batch in delta.voids]
    index._reopen()
