"""The exclusive lock a writer holds on its ledger segment while it appends.

One interface, ``lock(fd)`` / ``unlock(fd)`` on the segment's open descriptor,
with two implementations that give the same guarantees: exclusive across
processes, and released by the operating system when the holder dies (a
``kill -9`` never leaves the segment locked).

* ``posix``: ``flock(2)`` on the descriptor (Linux, macOS).
* ``windows``: ``msvcrt.locking`` on one byte at ``LOCK_OFFSET``, far past the
  end of any segment. Windows byte-range locks are mandatory (a locked byte
  cannot be read through another handle), so locking the data itself would stop
  ``pec status`` from reading while someone logs; a byte beyond the end of the
  file locks nobody out (SQLite places its lock bytes at 1 GiB for the same
  reason). The lock is polled with ``LK_NBLCK``, since ``LK_LOCK`` gives up
  after ten seconds.

Neither ``fcntl`` nor ``msvcrt`` is imported when pec starts: the first lock
picks the first implementation whose module this Python has, so every module
of pec imports on any platform. Standard library only.
"""

import errno
import importlib
import os
import time
from collections.abc import Callable
from typing import Any, NamedTuple

from pec_cli.errors import PecError

LOCK_OFFSET = 1 << 30
_POLL_MAX = 0.05  # seconds between two tries at a held Windows lock, at most


class Locker(NamedTuple):
    name: str
    module: str  # the platform module it needs
    acquire: Callable[[int], None]
    release: Callable[[int], None]


def _module(name: str) -> Any:
    return importlib.import_module(name)


def _posix_acquire(fd: int) -> None:
    fcntl = _module("fcntl")
    fcntl.flock(fd, fcntl.LOCK_EX)


def _posix_release(fd: int) -> None:
    fcntl = _module("fcntl")
    fcntl.flock(fd, fcntl.LOCK_UN)


def _windows_acquire(fd: int) -> None:
    msvcrt = _module("msvcrt")
    delay = 0.001
    while True:
        os.lseek(fd, LOCK_OFFSET, os.SEEK_SET)  # locking() locks from the current position
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return
        except OSError as exc:
            if exc.errno not in (errno.EACCES, errno.EDEADLK):  # EACCES: held by another process
                raise
        time.sleep(delay)
        delay = min(delay * 2, _POLL_MAX)


def _windows_release(fd: int) -> None:
    msvcrt = _module("msvcrt")
    os.lseek(fd, LOCK_OFFSET, os.SEEK_SET)
    msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)


IMPLEMENTATIONS = {
    "posix": Locker("posix", "fcntl", _posix_acquire, _posix_release),
    "windows": Locker("windows", "msvcrt", _windows_acquire, _windows_release),
}
_chosen: Locker | None = None


def runnable() -> list[str]:
    """The implementations this Python can run, in order of preference."""
    names = []
    for locker in IMPLEMENTATIONS.values():
        try:
            _module(locker.module)
        except ImportError:
            continue
        names.append(locker.name)
    return names


def use(name: str | None) -> None:
    """Force one implementation (tests), or ``None`` to pick again on the next lock."""
    global _chosen
    _chosen = IMPLEMENTATIONS[name] if name is not None else None


def current() -> Locker:
    """The implementation in use: the first runnable one, chosen once."""
    global _chosen
    if _chosen is None:
        names = runnable()
        if not names:
            raise PecError("Este sistema no ofrece bloqueo de archivos (ni fcntl ni msvcrt); pec no puede escribir el registro sin él.")
        _chosen = IMPLEMENTATIONS[names[0]]
    return _chosen


def lock(fd: int) -> None:
    """Wait for, then hold, the exclusive lock on the segment open at ``fd``."""
    current().acquire(fd)


def unlock(fd: int) -> None:
    """Release it (closing the descriptor releases it too; an error here changes nothing written)."""
    if _chosen is None:
        return
    try:
        _chosen.release(fd)
    except OSError:
        pass
