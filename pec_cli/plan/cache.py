"""The checked plan, cached as JSON in ``.pec/cache/`` (derived data only).

Keyed on the plan file's path, size, mtime, ctime (which ``touch -r`` cannot
put back), pec's version and the shape of the checked plan (:data:`SHAPE`), so that
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

# The shape of the checked plan the cache keeps; a new one makes every cached plan a miss, so that an unchanged
# plan file is checked again into it. 2: ``firmas`` (an earlier ``responsabilidad`` is read as them), ``lectura``
# and ``objetivo``.
SHAPE = 2


def _key(path: Path) -> list[Any]:
    st = path.stat()
    return [str(path.resolve()), st.st_size, st.st_mtime_ns, st.st_ctime_ns, __version__, SHAPE]


def load_plan_cached(ws: Workspace, path: Path) -> Plan:
    """The plan of ``path``, from the cache when the file has not changed, else checked (and cached)."""
    display = ws.display(path)
    try:
        key = _key(path)
    except (OSError, RuntimeError):
        raise PecError(f"No se pudo leer el plan {display}: compruebe que existe y se puede leer.") from None
    target = cache_dir(ws) / f"plan-{path.stem}.json"
    plan = _from_cache(read_json(target) if cache_enabled() else None, key, display)
    if plan is None:
        from pec_cli.plan.loader import read_plan_data  # yaml, pydantic and the schema: only when the plan changed

        data = read_plan_data(path, display)
        if cache_enabled():
            write_json(target, {"key": key, "data": data})
        plan = plan_from_data(data, display)
    return plan


def _from_cache(cached: Any, key: list[Any], display: str) -> Plan | None:
    """The cached plan if ``cached`` is current for ``key``; a damaged cache is only a miss."""
    if not (isinstance(cached, dict) and cached.get("key") == key):
        return None
    try:
        return plan_from_data(cached["data"], display)
    except Exception:  # noqa: BLE001
        return None
