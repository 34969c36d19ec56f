"""Disposable caches under ``.pec/cache/``: derived data, never the truth.

The files only: where they live, and JSON read and written atomically. What
goes in them is decided by their owners (``plan.cache`` keeps the checked
plan, ``ledger.store`` each segment's totals). Deleting the folder only costs
time; a cache that cannot be read or written is ignored. Standard library only.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, BinaryIO

from pec_cli.workspace import Workspace


def cache_enabled() -> bool:
    """``PEC_CACHE=0`` turns every cache off (to compare, or to rule it out)."""
    return os.environ.get("PEC_CACHE", "1") != "0"


def cache_dir(ws: Workspace) -> Path:
    return ws.state_dir / "cache"


def open_cache(path: Path) -> BinaryIO:
    """A cache file open for reading; OSError if it is missing or not a regular file reached without a link
    (a FIFO would block the reader, ``/dev/zero`` never ends: such a cache is simply not there)."""
    from pec_cli.errors import PecError
    from pec_cli.workspace import open_regular

    try:
        return open_regular(path, 1 << 31, "", "", follow=False)
    except PecError as exc:
        raise OSError(exc.message) from None


def read_json(path: Path) -> Any:
    try:
        with open_cache(path) as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return None


def write_json(path: Path, value: Any) -> None:
    """Atomic best-effort write: a reader sees the old file or the new one."""
    write_bytes(path, json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


def write_bytes(path: Path, *data: Any) -> None:
    """Best-effort :func:`~pec_cli.files.write_atomic` of ``data`` (bytes-like parts): a reader sees
    the old file or the new one, and a cache that cannot be written is simply not there."""
    from pec_cli.files import write_atomic

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        ignore = path.parent.parent / ".gitignore"
        if not ignore.exists():
            ignore.write_text("*\n", encoding="ascii")
        write_atomic(path, *data, durable=False)
    except OSError:
        pass
