"""Reading files a person names (a plan, a CSV): only ordinary files, never without a bound.

Standard library only.
"""

from __future__ import annotations

import os
from pathlib import Path

from pec_cli.errors import PecError


def read_regular(path: Path, limit: int, what: str, fix: str) -> bytes:
    """The bytes of ``path`` if it is an ordinary file of at most ``limit`` bytes; a PecError otherwise.

    A FIFO would hang the reader and ``/dev/zero`` never ends: only a regular
    file is opened (without blocking), and never more than ``limit`` bytes are read.
    """
    import stat

    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise PecError(f"{what} no es un archivo normal (es una tubería, un dispositivo o un enlace especial); {fix}")
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise PecError(f"{what} pesa más de {limit // (1 << 20)} MB, más de lo que pec lee; {fix}")
    return data
