"""The one reader of a ledger segment: its lines from a byte offset, each checked by the one record rule.

Every reader of the ledger (the totals and their cache, ``pec list`` and the
exports, ``pec verify``, the writer looking for a line) goes through
:class:`Reader`: lines are read in blocks, a carriage return and, on the
file's first line, an editor's byte-order mark are not part of the record,
blank lines are skipped, and each line is decoded by ``entries.parse``
(``json.loads`` and ``check_record``): a :class:`Line` holds the record or
why it does not count. What counts of the records is ``entries.Batches``'
rule, applied by each reader. :class:`Sequence` watches ``n`` count up by one.
Standard library only; no I/O but reading.
"""

from __future__ import annotations

import codecs
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple

from pec_cli.ledger.entries import parse

BOM = codecs.BOM_UTF8  # an editor's byte-order mark
BLOCK = 1 << 20
SEQUENCE_WARNING = ("el registro tiene entradas repetidas o fuera de orden (¿dos copias del espacio de trabajo "
                    "escribieron con el mismo id de escritor?); ejecute «pec verify» para verlas")


class Line(NamedTuple):
    """One non-blank line: its number in the file (from 1), where its bytes start, those bytes (without
    newline, carriage return or a first line's byte-order mark), and its checked record or why it is none."""

    number: int
    offset: int
    raw: bytes
    record: dict[str, Any] | None
    problem: str | None


class Reader:
    """The lines of an open segment from byte ``start`` (after line ``number``) to byte ``stop``.

    Iterate it once. Afterwards ``whole`` is the offset just past the last
    newline read, ``crc`` the CRC-32 of the bytes before it (continuing the
    ``crc`` given, that of the bytes before ``start``), ``number`` the last
    line's number, and ``clean`` says the bytes read ended with a newline (a
    torn or still-growing last line leaves it False; it is read all the same,
    and counts if it is a whole record).
    """

    def __init__(self, handle: BinaryIO, start: int, stop: int, number: int = 0, crc: int = 0,
                 path: Path | None = None) -> None:
        self.handle, self.start, self.stop = handle, start, stop
        self.number, self.crc, self.whole, self.clean = number, crc, start, True
        # the ids a segment's lines carry: «<vigencia>-<writer>-<n>», its folder and name, and the line's n
        self.owner = f"{path.parent.name}-{path.stem}-" if path is not None else None

    def __iter__(self) -> Iterator[Line]:
        handle, left = self.handle, self.stop - self.start
        handle.seek(self.start)
        carry, offset = b"", self.start  # offset: where ``carry`` starts in the file
        while left > 0:
            block = handle.read(min(BLOCK, left))
            if not block:
                break  # cut back while read: what was read stands
            left -= len(block)
            data = carry + block if carry else block
            end = data.rfind(b"\n") + 1
            if end:
                self.crc = zlib.crc32(memoryview(data)[:end], self.crc)
                yield from self._lines(data[:end - 1], offset)
                self.whole = offset + end
            carry, offset = data[end:], offset + end
        self.clean = not carry
        if carry:
            yield from self._lines(carry, offset)

    def _lines(self, data: bytes, offset: int) -> Iterator[Line]:
        for raw in data.split(b"\n"):
            start, self.number = offset, self.number + 1
            offset += len(raw) + 1
            raw = raw.rstrip(b"\r")
            if start == 0 and raw.startswith(BOM):
                raw = raw[len(BOM):]  # an editor's byte-order mark: not part of the record
            if not raw.strip():
                continue
            record = parse(raw)
            if isinstance(record, str):
                yield Line(self.number, start, raw, None, record)
            elif (moved := foreign_id(self.owner, record)) is not None:
                yield Line(self.number, start, raw, None, moved)
            else:
                yield Line(self.number, start, raw, record, None)


def foreign_id(owner: str | None, record: dict[str, Any]) -> str | None:
    """Why ``record`` is no line of the segment whose ids start with ``owner`` (``<vigencia>-<writer>-``), or
    None: a line copied, or forged, into another writer's file would count under an id it does not have."""
    if owner is None or record["id"] == f"{owner}{record['n']}":
        return None
    return (f"el id {record['id']} no corresponde a este archivo y posición (n={record['n']}: {owner}{record['n']}); "
            "la entrada fue movida o editada")


def line_at(handle: BinaryIO, offset: int, path: Path | None = None) -> Line | None:
    """The line that starts at ``offset`` (a position a cache kept) of the segment ``path``, checked as every
    line is; its number is not known there (0). None if no line starts there."""
    from pec_cli.ledger.entries import MAX_LINE

    handle.seek(offset)
    length = len(handle.readline(MAX_LINE + 2))
    return next(iter(Reader(handle, offset, offset + length, number=-1, path=path)), None)


class Sequence:
    """Watches a segment's ``n`` count up by one, as ``verify``'s chain check does (cheaply: no digests).

    ``damaged`` counts the bad lines since the last record: a gap of that many is no break.
    """

    __slots__ = ("last", "damaged", "broken", "top")

    def __init__(self, last: int = 0, damaged: int = 0, broken: bool = False, top: int = 0) -> None:
        self.last, self.damaged, self.broken, self.top = last, damaged, broken, top

    def see(self, line: Line) -> None:
        if line.record is None:
            self.damaged += 1
            return
        n = line.record["n"]
        if not (n == self.last + 1 or (self.damaged and self.last < n <= self.last + 1 + self.damaged)):
            self.broken = True
        self.last, self.damaged, self.top = n, 0, max(self.top, n)

    def state(self) -> list[Any]:
        """[last n, bad lines since, broken, the highest n]: what a later read resumes with."""
        return [self.last, self.damaged, self.broken, self.top]


def skipped(name: str, line: Line) -> str:
    """The warning of a line that does not count: located, with why."""
    return f"{name}:{line.number}: {line.problem}; se omite"
