"""One derived file per segment, kept current by its writer: the totals, and the keys look-ups need.

``.pec/cache/segment-<vigencia>-<writer>.json`` holds two JSON lines:

1. the *head*: pec's version, the segment's stat key (inode, size, mtime and
   ctime: ``touch -r`` cannot put a ctime back), how far it was folded
   (``size``: the end of its last whole line, the CRC-32 of the bytes
   before it, the line count, the sequence check's state), whether a later
   read may resume there, the warnings of its bad lines and its
   :class:`~pec_cli.ledger.tally.Tally`;
2. its :class:`Keys` (where each entry's line is, the duplicate keys of its
   pieces, the ``importe`` of its imported rows), or ``null`` until a
   command needs them: ``pec status`` reads the head only.

A segment whose stat key matches is not read. One that only grew (another
writer's lines brought by ``git pull``, a ``pec log``) is read from where
its cache ends, once the CRC-32 of the bytes before shows them unchanged;
anything else is read again from the start, through the one reader
(``ledger.reader``). ``store.append`` brings its segment's file current
under the segment's lock, with the lines it wrote. It is derived data:
deleting ``.pec/cache`` or ``PEC_CACHE=0`` gives the same numbers, and a
damaged file is read as no file. Standard library only.
"""

from __future__ import annotations

import json
import os
import zlib
from collections.abc import Callable, Iterable, Iterator
from itertools import chain
from pathlib import Path
from typing import Any, BinaryIO

from pec_cli.ledger.duplicates import Key, is_measurement, piece_keys
from pec_cli.ledger.entries import PIECE, Batches
from pec_cli.ledger.reader import SEQUENCE_WARNING, Line, Reader, Sequence, line_at, skipped
from pec_cli.ledger.tally import Tally
from pec_cli.workspace import Workspace

FORMAT = 9  # 9: ids of their own segment only; 8: the highest n; 6: one file per segment, tally and keys (before: tally-*.json and keys-*.idx); 7: events
SUFFIX = ".jsonl"


def segment_dir(ws: Workspace, vigencia: int) -> Path:
    return ws.ledger_dir / str(vigencia)


def segments(ws: Workspace, vigencia: int) -> list[Path]:
    """The vigencia's segment files, in name order (the order every reader merges them in)."""
    try:
        return sorted(p for p in segment_dir(ws, vigencia).iterdir()  # a link is no segment (verify names it)
                      if p.suffix == SUFFIX and not p.is_symlink() and p.is_file())
    except OSError:
        return []


def digest_key(key: str) -> str:
    """A duplicate key as the cache keeps it: 16 hex digits of its BLAKE2b (a hit is confirmed on its line)."""
    import hashlib

    return hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()


class Keys:
    """Where a segment's counted records are: by ``n`` (an id names its segment and ``n``), by duplicate
    key (``ledger.duplicates.piece_keys``, digested) for pieces, and the ``importe`` of imported rows."""

    __slots__ = ("at", "dup", "imported")

    def __init__(self) -> None:
        self.at: dict[int, list[int]] = {}  # n -> offsets of its lines (one, unless the sequence is broken)
        self.dup: dict[str, list[int]] = {}
        self.imported: set[str] = set()

    def add(self, record: dict[str, Any], offset: int) -> None:
        self.at.setdefault(record["n"], []).append(offset)
        if record["clase"] == PIECE:
            for key in piece_keys(record):
                self.dup.setdefault(digest_key(key), []).append(offset)
        importe = record.get("importe")
        if importe is not None:
            self.imported.add(importe)

    def merge(self, other: Keys) -> None:
        for n, offsets in other.at.items():
            self.at.setdefault(n, []).extend(offsets)
        for digest, offsets in other.dup.items():
            self.dup.setdefault(digest, []).extend(offsets)
        self.imported |= other.imported

    def to_json(self) -> dict[str, Any]:
        return {"at": [[n, *offsets] for n, offsets in self.at.items()],
                "dup": self.dup, "imported": sorted(self.imported)}

    @classmethod
    def from_json(cls, data: Any) -> Keys:
        """The keys of ``to_json``'s value; ValueError if it is not one. The shape is checked over the flattened
        values by ``map`` (a year's keys are 10,000 values; 100,000 entries', a million)."""
        at, dup, imported = data["at"], data["dup"], data["imported"]
        if not (type(at) is list and _types(at) <= {list} and min(map(len, at), default=2) >= 2
                and _types(chain.from_iterable(at)) <= {int}
                and type(dup) is dict and _types(dup) <= {str} and _types(dup.values()) <= {list}
                and _types(chain.from_iterable(dup.values())) <= {int}
                and type(imported) is list and _types(imported) <= {str}):
            raise ValueError("not the keys of a segment")
        keys = cls()
        keys.at = {row[0]: row[1:] for row in at}
        keys.dup, keys.imported = dup, set(imported)
        return keys


def _types(values: Iterable[Any]) -> set[type]:
    return set(map(type, values))


class Part:
    """What a fold gathers of the records that count: their tally and, when asked for, their keys."""

    __slots__ = ("tally", "keys")

    def __init__(self, keys: bool) -> None:
        self.tally = Tally()
        self.keys = Keys() if keys else None

    def add(self, line: Line) -> None:
        assert line.record is not None
        self.tally.add(line.record)
        if self.keys is not None:
            self.keys.add(line.record, line.offset)

    def merge(self, other: Part) -> None:
        self.tally.merge(other.tally)
        if self.keys is not None and other.keys is not None:
            self.keys.merge(other.keys)


class Summary:
    """One segment as folded: what its cache file holds."""

    __slots__ = ("path", "key", "size", "crc", "lines", "seq", "resumable", "warnings", "tally", "keys")

    def __init__(self, path: Path, key: list[Any], size: int, crc: int, lines: int, seq: list[Any], resumable: bool,
                 warnings: list[str], tally: Tally, keys: Keys | None) -> None:
        self.path, self.key, self.size, self.crc, self.lines, self.seq = path, key, size, crc, lines, seq
        self.resumable, self.warnings, self.tally, self.keys = resumable, warnings, tally, keys

    def head(self) -> dict[str, Any]:
        from pec_cli import __version__

        return {"format": FORMAT, "version": __version__, "key": self.key, "size": self.size, "crc": self.crc,
                "lines": self.lines, "seq": self.seq, "resumable": self.resumable, "warnings": self.warnings,
                "tally": self.tally.to_json()}


def stat_key(st: os.stat_result) -> list[Any]:
    return [st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns]


class Fold:
    """A segment's lines folded through the one rule of batches (``entries.Batches``), from the start or
    from where ``base`` (a summary of its first bytes, checked unchanged) ends: by :func:`fold` as the
    reader reads them, by the writer (:class:`Growing`) as it writes them."""

    def __init__(self, base: Summary | None, keys: bool) -> None:
        if base is not None:
            self.seq, self.main = Sequence(*base.seq), Part(False)
            self.main.tally, self.main.keys = base.tally, base.keys
            self.warnings = base.warnings[:-1] if base.warnings[-1:] == [SEQUENCE_WARNING] else list(base.warnings)
        else:
            self.seq, self.main, self.warnings = Sequence(), Part(keys), []
        self.batches = Batches(self.main, lambda: Part(self.main.keys is not None), Part.merge)

    def add(self, name: str, line: Line) -> None:
        self.seq.see(line)
        if line.record is None:
            self.warnings.append(skipped(name, line))
            return
        into = self.batches.place(line.record, line.number)
        if into is not None:
            into.add(line)

    def summary(self, path: Path, st: os.stat_result, size: int, crc: int, lines: int, clean: bool) -> Summary:
        warnings = self.warnings + ([SEQUENCE_WARNING] if self.seq.broken else [])
        return Summary(path, stat_key(st), size, crc, lines, self.seq.state(), clean and not self.batches.open,
                       warnings, self.main.tally, self.main.keys)


def fold(handle: BinaryIO, path: Path, name: str, st: os.stat_result, base: Summary | None, keys: bool) -> Summary:
    """The segment open at ``handle`` (``st``: its stat when opened) folded through the one reader: from
    the start, or from where ``base`` (a summary of its first bytes, checked unchanged) ends."""
    folding = Fold(base, keys)
    start, number, crc = (base.size, base.lines, base.crc) if base is not None else (0, 0, 0)
    reader = Reader(handle, start, st.st_size, number, crc, path)
    for line in reader:
        folding.add(name, line)
    return folding.summary(path, st, reader.whole, reader.crc, reader.number, reader.clean)


class Growing:
    """The derived file of the segment its writer appends to, kept current with the lines it writes.

    Made under the segment's lock, before the write: the summary as it is
    then. Each line written (:meth:`line`: its bytes and the record that
    ``entries.check_record`` passed before it was written, the rule every
    reader applies) is folded as :func:`fold` would fold it when read back,
    so ``pec import`` does not read and check its rows a second time;
    :meth:`finish` saves the summary. Where the segment did not end with a
    whole folded line, or anything is not as expected, the file is read
    again instead (:func:`current`).
    """

    def __init__(self, ws: Workspace, vigencia: int, path: Path) -> None:
        from pec_cli.cachefiles import cache_enabled

        self.ws, self.vigencia, self.path, self.name = ws, vigencia, path, ws.display(path)
        self.folding: Fold | None = None
        if not cache_enabled():
            return
        base = current(ws, vigencia, path, keys=True)
        if base.resumable and base.key[1] == base.size:  # it ends with the last line folded, whole
            self.folding = Fold(base, True)
            self.size, self.crc, self.number = base.size, base.crc, base.lines

    def line(self, raw: bytes, record: dict[str, Any]) -> None:
        """One more line, ``raw`` (without its newline), written after the last one."""
        from pec_cli.ledger.entries import MAX_LINE

        if self.folding is None:
            return
        if len(raw) > MAX_LINE or b"\n" in raw:  # what the reader would not read as this one line
            self.folding = None
            return
        self.number += 1
        self.folding.add(self.name, Line(self.number, self.size, raw, record, None))
        self.crc = zlib.crc32(b"\n", zlib.crc32(raw, self.crc))
        self.size += len(raw) + 1

    def finish(self, st: os.stat_result) -> None:
        """Save the summary of the segment as written (``st``: its stat now), else read it again."""
        if self.folding is not None and st.st_size == self.size:
            _save(_cache_file(self.ws, self.vigencia, self.path),
                  self.folding.summary(self.path, st, self.size, self.crc, self.number, True))
        else:
            current(self.ws, self.vigencia, self.path, keys=True)


def _cache_file(ws: Workspace, vigencia: int, path: Path) -> Path:
    return ws.state_dir / "cache" / f"segment-{vigencia}-{path.stem}.json"


def _load(file: Path, path: Path, keys: bool) -> Summary | None:
    """The summary a cache file holds (its keys too, with ``keys``), or None if it is missing or not sound."""
    from pec_cli import __version__
    from pec_cli.cachefiles import open_cache

    try:
        with open_cache(file) as handle:
            head = json.loads(handle.readline())
            if head["format"] != FORMAT or head["version"] != __version__:
                return None
            found = json.loads(handle.readline()) if keys else None
            summary = Summary(path, head["key"], head["size"], head["crc"], head["lines"], head["seq"],
                              head["resumable"], head["warnings"], Tally.from_json(head["tally"]),
                              Keys.from_json(found) if found is not None else None)
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return None
    ints = (int,)
    if not (type(summary.key) is list and len(summary.key) == 4 and all(type(x) in ints for x in
            (summary.size, summary.crc, summary.lines)) and type(summary.seq) is list and len(summary.seq) == 4
            and type(summary.warnings) is list and all(type(w) is str for w in summary.warnings)):
        return None
    return summary


def _save(file: Path, summary: Summary) -> None:
    from pec_cli.cachefiles import write_bytes

    keys = json.dumps(summary.keys.to_json() if summary.keys is not None else None, separators=(",", ":"))
    write_bytes(file, json.dumps(summary.head(), ensure_ascii=False, separators=(",", ":")).encode("utf-8"),
                b"\n", keys.encode("ascii"), b"\n")


def _unchanged(handle: BinaryIO, size: int, crc: int) -> bool:
    """Whether the first ``size`` bytes of the segment still have the CRC-32 ``crc``."""
    handle.seek(0)
    found, left = 0, size
    while left > 0:
        block = handle.read(min(1 << 20, left))
        if not block:
            return False
        found, left = zlib.crc32(block, found), left - len(block)
    return found == crc


def current(ws: Workspace, vigencia: int, path: Path, keys: bool = False, use_cache: bool | None = None) -> Summary:
    """The segment's summary as it is now (its keys too, with ``keys``): from its cache file when current,
    resumed when the segment only grew, else read; the cache file is brought up to date."""
    from pec_cli.cachefiles import cache_enabled

    if use_cache is None:
        use_cache = cache_enabled()
    file = _cache_file(ws, vigencia, path)
    cached = _load(file, path, keys) if use_cache else None
    if cached is not None and keys and cached.keys is None:
        cached = None  # keys were never gathered: the segment is read again, for them
    with path.open("rb") as handle:
        st = os.fstat(handle.fileno())  # read exactly these bytes: a line appended meanwhile is the next key's
        if cached is not None and cached.key == stat_key(st):
            return cached
        base = cached if (cached is not None and cached.resumable and cached.size <= st.st_size
                          and _unchanged(handle, cached.size, cached.crc)) else None
        summary = fold(handle, path, ws.display(path), st, base, keys or (cached is not None and cached.keys is not None))
    if use_cache:
        _save(file, summary)
    return summary


def read_tally(ws: Workspace, vigencia: int, warnings: list[str], use_cache: bool | None = None,
               positions: dict[str, int] | None = None) -> Tally:
    """The tally of every record that counts in the vigencia (bad lines become warnings), segment by segment
    in their order; each from its cache when current (see :func:`current`). ``pec verify`` never uses it.
    ``positions`` receives where each segment stood (its writer id -> the last ``n`` read): what a closure saw."""
    tally = Tally()
    for path in segments(ws, vigencia):
        summary = current(ws, vigencia, path, use_cache=use_cache)
        warnings += summary.warnings
        tally.merge(summary.tally)
        if positions is not None:
            positions[path.stem] = summary.seq[0]
    return tally


class LedgerKeys:
    """Every segment of a vigencia with its keys, current: the look-ups of ``pec log``, ``import`` and ``void``."""

    def __init__(self, ws: Workspace, vigencia: int) -> None:
        self.summaries = [current(ws, vigencia, path, keys=True) for path in segments(ws, vigencia)]
        self.voided = {target for s in self.summaries for target in s.tally.voids}

    def imported(self) -> set[str]:
        return {importe for s in self.summaries for importe in s.keys.imported} if self.summaries else set()  # type: ignore[union-attr]

    def _lines(self, wanted: Iterator[tuple[Summary, list[int]]]) -> Iterator[Line]:
        for summary, offsets in wanted:
            if not offsets:
                continue
            with summary.path.open("rb") as handle:
                for offset in offsets:
                    line = line_at(handle, offset, summary.path)
                    if line is not None and line.record is not None:
                        yield line

    def with_key(self, key: str) -> Iterator[Line]:
        """The lines of pieces in force (not voided) that may carry duplicate ``key`` (confirm on the record)."""
        digest = digest_key(key)
        for line in self._lines((s, s.keys.dup.get(digest, [])) for s in self.summaries):  # type: ignore[union-attr]
            if line.record is not None and line.record["id"] not in self.voided:
                yield line

    def find(self, entry_id: str) -> list[tuple[Path, Line]]:
        """Every counted line with id ``entry_id`` and the segment it is in (more than one: a broken ledger)."""
        try:
            n = int(entry_id.rsplit("-", 1)[1])
        except (IndexError, ValueError):
            return []
        found = []
        for summary in self.summaries:
            for line in self._lines(iter([(summary, summary.keys.at.get(n, []))])):  # type: ignore[union-attr]
                if line.record is not None and line.record["id"] == entry_id:
                    found.append((summary.path, line))
        return found

    def lines_of(self, ids: set[str]) -> Iterator[tuple[Path, Line]]:
        """The counted lines of the entries ``ids`` name and the segment of each, each segment opened once
        (``pec list --abiertas``: a few lines of a big ledger). An id is looked for in the segment it names
        (``<vigencia>-<writer>-<n>``), and in every other one only if it is not there."""
        def look(ids: set[str], own: bool) -> Iterator[tuple[Path, Line]]:
            wanted: dict[tuple[str, int], set[str]] = {}
            for entry_id in ids:
                _, writer, n = entry_id.rsplit("-", 2) if entry_id.count("-") >= 2 else ("", "", "")
                if n.isdigit():
                    wanted.setdefault((writer if own else "", int(n)), set()).add(entry_id)
            for summary in self.summaries:
                at, stem = summary.keys.at, summary.path.stem if own else ""  # type: ignore[union-attr]
                offsets = sorted(o for (writer, n) in wanted if writer == stem and n in at for o in at[n])
                for line in self._lines(iter([(summary, offsets)])):
                    assert line.record is not None
                    if line.record["id"] in wanted.get((stem, line.record["n"]), ()):
                        yield summary.path, line

        missing = set(ids)
        for path, line in look(ids, own=True):
            missing.discard(line.record["id"])  # type: ignore[index]
            yield path, line
        if missing:
            yield from look(missing, own=False)

    def repeats(self, record: dict[str, Any], ids: Iterable[str], canonical: Callable[[str], str] = str,
                ) -> tuple[Key, dict[str, Any]] | None:
        """(the key, the record in force) that a new ``record`` repeats (``ledger.duplicates``), if any: its
        keys under each id its activity's entries may carry (``ids``: its own and earlier ones, ``antes``),
        each hit confirmed on the record, its activity read as the plan's (``canonical``). A measurement
        repeats the one of its network and day that stands: the latest recorded (``tally``'s order)."""
        own = piece_keys(record)
        measured: list[dict[str, Any]] = []
        for at, key in enumerate(own):
            for activity in ids:
                variant = key if activity == record["actividad"] else piece_keys(record, activity)[at]
                for line in self.with_key(variant):
                    assert line.record is not None
                    if key in piece_keys(line.record, canonical(line.record["actividad"])):
                        if not is_measurement(record):
                            return key, line.record
                        measured.append(line.record)
        latest = max(measured, key=lambda r: (r["registrado"], r["n"], r["id"]), default=None)
        return None if latest is None else (own[0], latest)
