"""Files written whole or not at all, and signals that never leave half of one behind.

Every file pec writes, except the ledger (appended under a lock, see
``ledger.store``), goes through :func:`write_atomic`: the bytes go to a
temporary file beside the target, ``.<name>.<random>.pec-tmp``, which is
synced and then renamed over the target, so a reader sees the old file or
the new one. A failure, Ctrl-C or a catchable signal removes the temporary
file (:func:`catch_signals` turns SIGTERM and SIGHUP into an exception, so
every ``finally`` runs); only a ``kill -9`` or a power cut can leave one,
which ``pec verify`` names and the shipped ``.gitignore`` keeps out of git
(:data:`TMP_PATTERN`). :func:`shielded` defers those signals around a step
that must finish once begun (an import's commit line).

Standard library only; imports nothing of pec's but its errors.
"""

from __future__ import annotations

import os
import signal
import stat
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

TMP_SUFFIX = ".pec-tmp"
TMP_PATTERN = f"*{TMP_SUFFIX}"  # what a killed writer may leave: ignored by git, named by ``pec verify``


def temp_beside(target: Path) -> Path:
    """A new temporary path in ``target``'s folder (hidden, random, :data:`TMP_SUFFIX`)."""
    import secrets  # here: it loads OpenSSL, which a command that writes nothing never needs

    return target.with_name(f".{target.name[:60]}.{secrets.token_hex(4)}{TMP_SUFFIX}")


def write_atomic(path: Path, *parts: Any, mode: int | None = None, durable: bool = True,
                 exclusive: bool = False) -> None:
    """Write ``parts`` (bytes-like, one after the other) to ``path`` whole or not at all.

    The file keeps the mode of the regular file it replaces, unless ``mode``
    is given (a new file gets the umask's default). ``durable`` syncs the
    bytes before the rename (a cache need not be). ``exclusive`` never
    replaces a file: ``FileExistsError`` if ``path`` exists by the time it
    would be renamed (a hard link where the file system has them).
    Raises ``OSError`` (nothing left behind) or whatever interrupted it.
    """
    if mode is None and not exclusive:
        try:
            st = os.stat(path)
            if stat.S_ISREG(st.st_mode):
                mode = stat.S_IMODE(st.st_mode)
        except OSError:
            pass
    tmp = temp_beside(path)
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
        with os.fdopen(fd, "wb") as handle:
            for part in parts:
                handle.write(part)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        if exclusive:
            _link_once(tmp, path)
        else:
            os.replace(tmp, path)
    finally:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass


def _link_once(tmp: Path, path: Path) -> None:
    """Make ``tmp`` ``path`` unless ``path`` exists (FileExistsError)."""
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise
    except OSError:  # no hard links here (FAT, exFAT, some shares): an exclusive create instead
        with open(path, "xb") as handle, open(tmp, "rb") as source:
            try:
                handle.write(source.read())
            except BaseException:
                handle.close()
                path.unlink(missing_ok=True)
                raise


# ---------------------------------------------------------------- signals


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP received: handled like Ctrl-C (nothing half-written stays), exit 128 + signal."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _catchable() -> list[signal.Signals]:
    return [getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)]


def _raise(signum: int, _frame: Any) -> None:
    if signum == signal.SIGINT:
        raise KeyboardInterrupt
    raise Terminated(signum)


def catch_signals() -> None:
    """SIGTERM and SIGHUP raise :class:`Terminated` (Ctrl-C already raises KeyboardInterrupt), so that
    temporary files are removed and a cut write is undone, as for Ctrl-C (the CLI calls it once)."""
    if threading.current_thread() is not threading.main_thread():
        return
    for signum in _catchable():
        if signum != signal.SIGINT:
            signal.signal(signum, _raise)


@contextmanager
def shielded() -> Iterator[None]:
    """Defer Ctrl-C, SIGTERM and SIGHUP until the block ends (then raised as usual): for a step that,
    once begun, must end (the commit line of an import)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pending: list[int] = []
    previous = {signum: signal.signal(signum, lambda number, _frame: pending.append(number)) for signum in _catchable()}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        if pending:
            _raise(pending[0], None)
