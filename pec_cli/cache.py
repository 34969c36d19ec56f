"""Disposable caches under ``.pec/cache/``: derived data, never the truth.

The ledger's per-segment totals are kept by ``ledger.tally``; the validated
plan is kept here as JSON keyed on the plan file's path, size,
mtime and pec's version, so that ``pec status`` needs neither yaml nor
pydantic once the plan has been checked. Deleting the folder only costs time.
A cache that cannot be read or written is ignored. Standard library only.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from . import __version__
from .model import Plan, plan_from_data
from .workspace import Workspace


def cache_enabled() -> bool:
    """``PEC_CACHE=0`` turns every cache off (to compare, or to rule it out)."""
    return os.environ.get("PEC_CACHE", "1") != "0"


def cache_dir(ws: Workspace) -> Path:
    return ws.state_dir / "cache"


def _key(path: Path) -> list[Any]:
    st = path.stat()
    return [str(path.resolve()), st.st_size, st.st_mtime_ns, __version__]


def read_json(path: Path) -> Any:
    try:
        with path.open("rb") as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return None


def write_json(path: Path, value: Any) -> None:
    """Atomic best-effort write: a reader sees the old file or the new one."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        ignore = path.parent.parent / ".gitignore"
        if not ignore.exists():
            ignore.write_text("*\n", encoding="ascii")
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(value, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        pass


def load_plan_cached(ws: Workspace, path: Path) -> Plan:
    """The plan of ``path``, from the cache when the file has not changed."""
    from .errors import PecError

    display = ws.display(path)
    try:
        key = _key(path)
    except OSError:
        raise PecError(f"No se pudo leer el plan {display}: compruebe que existe y se puede leer.") from None
    target = cache_dir(ws) / f"plan-{path.stem}.json"
    cached = read_json(target) if cache_enabled() else None
    if isinstance(cached, dict) and cached.get("key") == key:
        try:
            return plan_from_data(cached["data"], display)
        except Exception:  # a damaged cache is only a miss  # noqa: BLE001
            pass
    from .plan import read_plan_data

    data = read_plan_data(path, display)
    if cache_enabled():
        write_json(target, {"key": key, "data": data})
    return plan_from_data(data, display)
