"""The checked plan, cached as JSON in ``.pec/cache/`` (derived data only).

Keyed on the plan file's path, size, mtime, ctime (which ``touch -r`` cannot
put back) and pec's version, so that
``pec status`` needs neither yaml nor pydantic once the plan has been checked.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from collections.abc import Callable
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


def load_plan_cached(ws: Workspace, path: Path, meanwhile: Callable[[], object] | None = None) -> Plan:
    """The plan of ``path``, from the cache when the file has not changed.

    ``meanwhile`` (e.g. reading the ledger) runs while a changed plan is
    checked in another process (Linux), else once the plan is loaded. When
    both fail, the plan's refusal is the one raised: it is the first thing
    to fix.
    """
    display = ws.display(path)
    try:
        key = _key(path)
    except OSError:
        raise PecError(f"No se pudo leer el plan {display}: compruebe que existe y se puede leer.") from None
    target = cache_dir(ws) / f"plan-{path.stem}.json"
    plan = _from_cache(read_json(target) if cache_enabled() else None, key, display)
    if plan is None:
        check = _Check.start(path, display)
        if check is not None and meanwhile is not None:
            check.alongside(meanwhile)
            meanwhile = None
        data = check.result() if check is not None else None
        if data is None:  # no fork, or its process failed: here, where the refusal is said
            data = _checked_here(path, display)
        if cache_enabled():
            write_json(target, {"key": key, "data": data})
        plan = plan_from_data(data, display)
    if meanwhile is not None:
        meanwhile()
    return plan


def _from_cache(cached: Any, key: list[Any], display: str) -> Plan | None:
    """The cached plan if ``cached`` is current for ``key``; a damaged cache is only a miss."""
    if not (isinstance(cached, dict) and cached.get("key") == key):
        return None
    try:
        return plan_from_data(cached["data"], display)
    except Exception:  # noqa: BLE001
        return None


class _Check:
    """The plan checked in a forked process (Linux): yaml, pydantic and the schema, some 10 MB, stay out of
    this one, which a big ledger read needs, and the ledger can be read meanwhile."""

    def __init__(self, pid: int, read: int, path: Path, display: str) -> None:
        self.pid, self.read, self.path, self.display = pid, read, path, display

    @classmethod
    def start(cls, path: Path, display: str) -> _Check | None:
        """The check, started; None where there is no fork: check it here."""
        if not sys.platform.startswith("linux"):
            return None
        try:
            read, write = os.pipe()
        except OSError:
            return None
        try:
            pid = os.fork()
        except OSError:
            os.close(read)
            os.close(write)
            return None
        if pid == 0:  # pragma: no cover - the forked process; its outcome is tested through the parent
            os.close(read)
            try:
                try:
                    out: dict[str, Any] = {"data": _checked_here(path, display)}
                except PecError as exc:
                    out = {"error": [exc.message, exc.details, exc.code, exc.field]}
                with os.fdopen(write, "w", encoding="utf-8") as pipe:
                    json.dump(out, pipe)
            finally:
                os._exit(0)
        os.close(write)
        return cls(pid, read, path, display)

    def alongside(self, work: Callable[[], object]) -> None:
        """Run ``work`` while the plan is checked; if it fails, the plan's refusal comes first."""
        try:
            work()
        except KeyboardInterrupt:
            self.cancel()
            raise
        except BaseException:
            if self.result() is None:  # its process died without saying: check the plan here
                _checked_here(self.path, self.display)
            raise

    def result(self) -> dict[str, Any] | None:
        """The checked plan's data; None if the process failed (the check here says how); its PecError."""
        with os.fdopen(self.read, encoding="utf-8") as pipe:
            answer = pipe.read()
        os.waitpid(self.pid, 0)
        try:
            out = json.loads(answer)
        except ValueError:
            return None
        if "error" in out:
            message, details, code, field = out["error"]
            raise PecError(message, details, code, field)
        data: dict[str, Any] = out["data"]
        return data

    def cancel(self) -> None:
        os.close(self.read)
        os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)


def _checked_here(path: Path, display: str) -> dict[str, Any]:
    """The plan's data checked in this process (yaml, pydantic and the schema imported now)."""
    from pec_cli.plan.loader import read_plan_data

    return read_plan_data(path, display)
