"""Reading a segment's lines into a tally: the scan under ``store.read_tally``.

A segment is read in blocks of about a megabyte (:class:`Lines`), each line
checked by the one record rule and folded into a :class:`~pec_cli.ledger.tally.Tally`
(:class:`Fold`): an import's rows count at its commit line, a bad line becomes a
``file:line`` warning, and :class:`Sequence` watches ``n`` count up by one.

A big read (over :data:`FAST_SCAN_BYTES`: a fresh clone, a deleted cache)
hands *plain* blocks to ``entries.compiled_rule``, one compiled pass per
line, and anything it refuses to ``entries.parse``: the same verdict either
way. A read over :data:`PARALLEL_BYTES` on a machine with more than one core
is cut into slices at line boundaries and folded by as many processes
(:func:`fold_jobs`); the slices are then stitched in order, sequence check and
import batches included, so the result is the one a single pass gives.
Standard library, plus pydantic-core for big reads; no I/O but reading.
"""

import codecs
import json
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

from pec_cli.ledger.entries import (
    BATCH,
    MAX_LINE,
    PIECE,
    Batches,
    compiled_rule,
    may_hide_control,
    parse,
)
from pec_cli.ledger.tally import PUBLICATION, Tally

BOM = codecs.BOM_UTF8  # an editor's byte-order mark
FAST_SCAN_BYTES = 4 << 20  # above this, importing the compiled rule pays for itself
PARALLEL_BYTES = 32 << 20  # above this, forking a process per core pays for itself
SLICE_BYTES = 8 << 20  # the smallest slice worth a process
SEQUENCE_WARNING = ("el registro tiene entradas repetidas o fuera de orden (¿dos copias del espacio de trabajo "
                    "escribieron con el mismo id de escritor?); ejecute «pec verify» para verlas")

Resume = dict[str, Any]  # where a later read of a grown segment resumes: crcs, lines, seq
Folded = tuple[Tally, list[str], Resume | None]


def fast_loads() -> Callable[[bytes], Any]:
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


class Sequence:
    """Watches a segment's ``n`` count up by one, as ``verify``'s chain check does (cheaply: no digests).

    ``damaged`` counts the bad lines since the last record: a gap of that many
    is no break. A slice that starts mid-segment begins with ``last`` = -1:
    its first record is taken as it comes (``first``, after ``head`` bad lines),
    for whoever stitches the slices to check against the slice before.
    """

    __slots__ = ("last", "damaged", "broken", "first", "head")

    def __init__(self, last: int = 0, damaged: int = 0, broken: bool = False) -> None:
        self.last, self.damaged, self.broken = last, damaged, broken
        self.first: int | None = None
        self.head = 0

    def see(self, n: int) -> None:
        if self.last < 0:
            self.first, self.head = n, self.damaged
        elif not (n == self.last + 1 or (self.damaged and self.last < n <= self.last + 1 + self.damaged)):
            self.broken = True
        self.last, self.damaged = n, 0

    def state(self) -> list[Any]:
        return [self.last, self.damaged, self.broken]


class Lines:
    """The lines of a segment from byte ``start`` to ``limit``, read in blocks, with the CRC-32 of those bytes.

    :meth:`blocks` yields, per block of about a megabyte, the number of the
    line before it, its lines (bytes, newline removed) and whether they are
    *plain*: no byte-order mark and no byte that may hide a control
    character, so a big scan can hand them to the compiled rule as they are
    (JSON takes a carriage return for blank space, and a blank line fails
    the rule and is skipped, as :func:`read_lines` skips it). Afterwards ``crc`` covers the bytes read
    (continuing ``crc`` given), ``number`` is the last line number and
    ``clean`` says the bytes ended with a newline (a torn or still-growing
    last line leaves it False). ``from_start``: the bytes begin the file, so
    its first line may carry an editor's byte-order mark.
    """

    __slots__ = ("crc", "number", "clean", "from_start")
    BLOCK = 1 << 20

    def __init__(self, crc: int = 0, number: int = 0, from_start: bool | None = None) -> None:
        self.crc, self.number, self.clean = crc, number, True
        self.from_start = number == 0 if from_start is None else from_start

    def blocks(self, path: Path, start: int, limit: int) -> Iterator[tuple[int, list[bytes], bool]]:
        import zlib

        with path.open("rb") as handle:
            handle.seek(start)
            left, carry = limit - start, b""
            while left > 0:
                block = handle.read(min(self.BLOCK, left))
                if not block:
                    break
                left -= len(block)
                self.crc = zlib.crc32(block, self.crc)
                data = carry + block if carry else block
                end = data.rfind(b"\n") + 1
                carry = data[end:]
                if end:
                    yield self._block(data[: end - 1])
            self.clean = not carry
            if carry:
                yield self._block(carry)

    def bom(self, number: int) -> bool:
        """Whether the line after ``number`` may open with a byte-order mark (the file's first line)."""
        return self.from_start and number == 0

    def _block(self, data: bytes) -> tuple[int, list[bytes], bool]:
        lines = data.split(b"\n")
        before = self.number
        self.number += len(lines)
        plain = not (self.bom(before) and data.startswith(BOM)) and not may_hide_control(data)
        return before, lines, plain


def read_lines(number: int, lines: list[bytes], bom: bool) -> Iterator[tuple[int, bytes]]:
    """(line number, bytes) of the non-blank ``lines`` after line ``number``: a carriage return and, on the
    file's first line (``bom``), an editor's byte-order mark are not part of the record."""
    for raw in lines:
        number += 1
        raw = raw.rstrip(b"\r")
        if bom and raw.startswith(BOM):
            raw = raw[len(BOM):]  # an editor's byte-order mark: not part of the record
        bom = False
        if raw.strip():
            yield number, raw


def skipped(name: str, base: int, problems: list[tuple[int, str]]) -> list[str]:
    """The warnings of ``problems`` (line numbers counted after line ``base``): each line skipped, located."""
    return [f"{name}:{base + number}: {why}; se omite" for number, why in problems]


class Fold:
    """Folds a segment's lines into ``part``: an import's rows at its commit line, bad lines as ``problems``."""

    __slots__ = ("part", "sequence", "batches", "loads", "problems", "commits")

    def __init__(self, part: Tally, sequence: Sequence, big: bool) -> None:
        keep = part.keep
        self.part, self.sequence = part, sequence
        self.batches: Batches[Tally] = Batches(lambda: Tally(keep))
        self.loads = fast_loads() if big else json.loads
        self.problems: list[tuple[int, str]] = []  # (line number, why it does not count)
        self.commits: list[str] = []  # the batches whose commit line was read, in order

    def read(self, path: Path, lines: Lines, start: int, size: int, big: bool) -> None:
        """Fold the bytes ``start``..``size``: plain blocks of a big read through the compiled rule."""
        for number, block, plain in lines.blocks(path, start, size):
            if big and plain:
                self.plain(number, block)
            else:
                for at, raw in read_lines(number, block, lines.bom(number)):
                    self.line(at, raw)

    def warnings(self, name: str) -> list[str]:
        return skipped(name, 0, self.problems)

    def line(self, number: int, raw: bytes) -> None:
        """Check and fold one line by :func:`entries.parse`, the rule's reference form."""
        record = parse(raw, self.loads)
        if isinstance(record, str):
            self.problems.append((number, record))
            self.sequence.damaged += 1
            return
        self.sequence.see(record["n"])
        self.record(number, record)

    def record(self, number: int, record: dict[str, Any]) -> None:
        if "lote" not in record:
            self.part.add(record)
        elif record["clase"] == BATCH:
            self.commits.append(record["lote"])
            done = self.batches.commit(record["lote"])
            if done is not None:
                self.part.merge(done[1])
        else:
            self.batches.hold(record["lote"], number).add(record)

    def plain(self, number: int, lines: list[bytes]) -> None:
        """Fold plain lines (:class:`Lines`) through the compiled rule; what it refuses, through :meth:`line`.

        A plain publication (no import, measurement, request or answer), most of a
        ledger, is counted here directly, as ``Tally.add`` would count it.
        """
        check, counts, sequence = compiled_rule(), self.part.counts, self.sequence
        counted, last = 0, sequence.last
        for raw in lines:
            number += 1
            try:
                if len(raw) > MAX_LINE:
                    raise ValueError  # parse says why (after the carriage return it may end with)
                record = check(raw)
            except ValueError:
                raw = raw.rstrip(b"\r")
                if raw.strip():  # a blank line is no record, as for every reader (read_lines)
                    sequence.last = last
                    self.line(number, raw)
                    last = sequence.last
                continue
            n = record["n"]
            if n == last + 1 and not sequence.damaged:
                last = n
            else:
                sequence.last = last
                sequence.see(n)
                last = n
            if (record["clase"] == PIECE and "lote" not in record and "red" not in record and "area" not in record
                    and "atiende" not in record and record["tipo"] == PUBLICATION):
                key = (record["actividad"], record["tipo"], record["fecha"])
                counts[key] = counts.get(key, 0) + 1
                counted += 1
            else:
                self.record(number, record)
        sequence.last = last
        self.part.records += counted


def resume_state(crcs: list[list[int]], lines: Lines, sequence: Sequence, complete: bool) -> Resume | None:
    """Where a later read resumes, if the bytes end with a whole line and no import is left open.

    ``crcs``: [end, CRC-32] of consecutive byte ranges from the file's start to
    the end of what was folded (one range, or one a slice), for the next read
    to check that those bytes are unchanged; ``lines``: how many lines they
    hold; ``seq``: the sequence check's state at their end.
    """
    if not (lines.clean and complete):
        return None
    return {"crcs": crcs, "lines": lines.number, "seq": sequence.state()}


# ---------------------------------------------------------------- one read cut in slices, a process each

class Job(NamedTuple):
    """A segment to fold from byte ``start`` to ``size`` into ``part`` (the fold of the bytes before)."""

    path: Path
    name: str
    part: Tally
    warnings: list[str]
    sequence: Sequence
    lines: Lines
    start: int
    size: int


class SliceFold(NamedTuple):
    """What a process folded of one slice, for :func:`_stitch` to join with the slices before it."""

    tally: Tally
    problems: list[tuple[int, str]]  # line numbers counted from the slice's start
    lines: int
    head: int  # bad lines before its first record (all of them if it has none)
    first: int | None  # the n of its first record
    sequence: list[Any]  # [last, damaged, broken] at its end
    open: dict[str, tuple[int, int, Tally]]  # import batches not committed within it
    commits: list[str]
    clean: bool
    crc: int  # of the slice's bytes


def workers() -> int:
    """How many processes a big read may use: the cores this process may run on, where ``fork`` exists."""
    if not sys.platform.startswith("linux"):
        return 1  # spawning a fresh interpreter per process would cost more than it saves
    try:
        return min(len(os.sched_getaffinity(0)), 8)
    except (AttributeError, OSError):
        return 1


def fold_jobs(jobs: list[Job], fold: Callable[..., Folded]) -> Iterator[Folded]:
    """Each job folded, in order: by ``fold`` one after another or, for a big read on several cores, in slices.

    Processes that cannot start (no ``fork``, no semaphores, no memory) or
    die on the way leave the jobs not yet done to ``fold``: a job's own
    values change only once all its slices are in.
    """
    count = workers()
    done = 0
    if count > 1 and sum(job.size - job.start for job in jobs) >= PARALLEL_BYTES:
        from concurrent.futures import BrokenExecutor

        try:
            for folded in _fold_parallel(jobs, count):
                done += 1
                yield folded
        except (OSError, ImportError, BrokenExecutor):
            pass
    for job in jobs[done:]:
        yield fold(*job)


def _fold_parallel(jobs: list[Job], count: int) -> Iterator[Folded]:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    target = max(SLICE_BYTES, sum(job.size - job.start for job in jobs) // (16 * count))  # cores kept busy to the end: slices of ~8 MB
    cuts = [_cuts(job.path, job.start, job.size, target) for job in jobs]
    tasks = [(job.path, start, end, job.part.keep, job.lines.from_start and start == job.start)
             for job, ranges in zip(jobs, cuts, strict=True) for start, end in ranges]
    pool = ProcessPoolExecutor(count, mp_context=multiprocessing.get_context("fork"), initializer=_worker)
    finished = False
    try:
        done = pool.map(_fold_slice, tasks)
        for job, ranges in zip(jobs, cuts, strict=True):
            stitch = _Stitch(job)
            for _start, end in ranges:
                stitch.add(next(done), end)  # as each slice comes: the parent never holds them all
            yield stitch.end()
        finished = True
    finally:  # Ctrl-C, or the reader stopped: the processes go at once
        pool.shutdown(wait=finished, cancel_futures=True)


def _worker() -> None:
    """A slice's process: Ctrl-C is for pec to handle, and the process ends with pec however pec ends."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: killed, even by kill -9, with its parent
    except (OSError, AttributeError):
        pass  # then it ends when it next asks for work and finds no parent


def _cuts(path: Path, start: int, end: int, target: int) -> list[tuple[int, int]]:
    """``start``..``end`` cut into ranges of about ``target`` bytes, each ending with a whole line."""
    if start >= end:
        return []  # nothing new: no slice (an empty range would end the resume state twice at one byte)
    parts = max(1, round((end - start) / target))
    points = [start]
    with path.open("rb") as handle:
        for k in range(1, parts):
            at = max(start + (end - start) * k // parts, points[-1])
            handle.seek(at)
            while at < end and (chunk := handle.read(min(1 << 16, end - at))):
                newline = chunk.find(b"\n")
                if newline >= 0:
                    at += newline + 1
                    break
                at += len(chunk)
            if points[-1] < at < end:
                points.append(at)
    return list(zip(points, [*points[1:], end], strict=True))


def _fold_slice(task: tuple[Path, int, int, int | None, bool]) -> SliceFold:
    path, start, end, keep, from_start = task
    sequence, lines = Sequence(last=-1), Lines(from_start=from_start)
    fold = Fold(Tally(keep), sequence, big=True)
    fold.read(path, lines, start, end, big=True)
    return SliceFold(fold.part, fold.problems, lines.number, sequence.head if sequence.first is not None else sequence.damaged,
                     sequence.first, sequence.state(), fold.batches.open, fold.commits, lines.clean, lines.crc)


class _Stitch:
    """The slices of a job joined, in order, as one pass over its bytes would have folded them."""

    def __init__(self, job: Job) -> None:
        self.job, self.base, self.clean = job, job.lines.number, True
        self.pending: dict[str, tuple[int, int, Tally]] = {}  # import rows read, their commit not yet
        self.crcs = [[job.start, job.lines.crc]] if job.start else []  # what was folded before, then each slice
        # the job's values are left alone until the end, for a read that stops halfway to start over
        self.part, self.warnings = Tally(job.part.keep), list(job.warnings)
        self.sequence = Sequence(*job.sequence.state())

    def add(self, piece: SliceFold, end: int) -> None:
        sequence, name = self.sequence, self.job.name
        self.warnings += skipped(name, self.base, piece.problems)
        sequence.damaged += piece.head
        if piece.first is not None:
            sequence.see(piece.first)
            sequence.last, sequence.damaged = piece.sequence[0], piece.sequence[1]
            sequence.broken = sequence.broken or piece.sequence[2]
        for lote in piece.commits:
            held = self.pending.pop(lote, None)
            if held is not None:
                self.part.merge(held[2], take=True)
        self.part.merge(piece.tally, take=True)  # the slice is dropped once stitched
        for lote, (first, rows, tally) in piece.open.items():
            if lote in self.pending:
                line, before, mine = self.pending[lote]
                mine.merge(tally, take=True)
                self.pending[lote] = (line, before + rows, mine)
            else:
                self.pending[lote] = (self.base + first, rows, tally)
        self.base += piece.lines
        self.clean = piece.clean
        self.crcs.append([end, piece.crc])

    def end(self) -> Folded:
        if self.sequence.broken:
            self.warnings.append(SEQUENCE_WARNING)
        lines = Lines(0, self.base)
        lines.clean = self.clean
        self.part.drain(self.job.part)
        return self.job.part, self.warnings, resume_state(self.crcs, lines, self.sequence, not self.pending)
