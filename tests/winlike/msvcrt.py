"""A stand-in for Windows' ``msvcrt.locking`` on Linux, for tests only.

It keeps Windows' semantics where pec depends on them: a lock covers a byte
range starting at the descriptor's current position, belongs to the open file
(a ``dup`` shares it, another ``open`` of the same file does not), fails at
once with EACCES under ``LK_NBLCK`` when another open file holds it, and is
released when its last descriptor closes or its process dies. Linux's
open-file-description locks (``F_OFD_SETLK``) have exactly those properties.
"""

from __future__ import annotations

import errno
import fcntl as _fcntl  # taken before the test hides fcntl from pec
import os
import struct
import time

LK_UNLCK, LK_LOCK, LK_NBLCK, LK_RLCK, LK_NBRLCK = 0, 1, 2, 3, 4
_F_OFD_SETLK = getattr(_fcntl, "F_OFD_SETLK", None)
_F_WRLCK, _F_UNLCK = _fcntl.F_WRLCK, _fcntl.F_UNLCK


def available() -> bool:
    return _F_OFD_SETLK is not None


def _set(fd: int, kind: int, nbytes: int) -> None:
    start = os.lseek(fd, 0, os.SEEK_CUR)
    # struct flock: l_type, l_whence, l_start, l_len, l_pid (0 for OFD locks)
    _fcntl.fcntl(fd, _F_OFD_SETLK, struct.pack("hhqqi4x", kind, os.SEEK_SET, start, nbytes, 0))


def locking(fd: int, mode: int, nbytes: int) -> None:
    if mode == LK_UNLCK:
        _set(fd, _F_UNLCK, nbytes)
        return
    attempts = 10 if mode in (LK_LOCK, LK_RLCK) else 1
    for attempt in range(attempts):
        try:
            _set(fd, _F_WRLCK, nbytes)
            return
        except OSError as exc:
            if exc.errno not in (errno.EACCES, errno.EAGAIN):
                raise
        if attempt + 1 < attempts:
            time.sleep(1)
    raise OSError(errno.EDEADLK if attempts > 1 else errno.EACCES, "Resource deadlock avoided")
