"""The checked plan, cached as JSON in ``.pec/cache/`` (derived data only).

Keyed on the plan file's path, size, mtime, ctime (which ``touch -r`` cannot
put back) and pec's version, so that
``pec status`` needs neither yaml nor pydantic once the plan has been checked.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pec_cli import __version__
from pec_cli.cachefiles import cache_dir, cache_enabled, read_json, write_json
from pec_cli.errors import PecError
from pec_cli.plan.model import Plan, plan_from_data
from pec_cli.workspace import Workspace


def _key(path: Path) -> list[Any]:
    st = path.stat()
    return [str(path.resolve()), st.st_size, st.st_mtime_ns, st.st_ctime_ns, __version__]


def load_plan_cached(ws: Workspace, path: Path) -> Plan:
    """The plan of ``path``, from the cache when the file has not changed."""
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
    from pec_cli.plan.loader import read_plan_data

    data = read_plan_data(path, display)
    if cache_enabled():
        write_json(target, {"key": key, "data": data})
    return plan_from_data(data, display)
