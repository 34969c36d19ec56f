"""Run pec as it would run without POSIX: the lock implementations this machine can run.

``posix`` is flock; ``windows`` is msvcrt.locking, native on Windows and, on
Linux, over ``tests/winlike/msvcrt.py`` (open-file-description locks, which
have Windows' semantics) with ``fcntl`` hidden from pec.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

WINLIKE = Path(__file__).resolve().parent / "winlike"
LOCKERS = ["posix", "windows"]
POSIX_ONLY = ("fcntl", "termios", "tty", "pty", "pwd", "grp", "resource")  # modules Windows' Python lacks


def _native(module: str) -> bool:
    try:
        importlib.import_module(module)
    except ImportError:
        return False
    return True


def _stand_in() -> ModuleType | None:
    """The msvcrt stand-in, if this Linux has OFD locks."""
    if not sys.platform.startswith("linux"):
        return None
    spec = importlib.util.spec_from_file_location("winlike_msvcrt", WINLIKE / "msvcrt.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module if module.available() else None


def runnable(locker: str) -> bool:
    if locker == "posix":
        return _native("fcntl")
    return _native("msvcrt") or _stand_in() is not None


def require(locker: str) -> None:
    if not runnable(locker):
        pytest.skip(f"the {locker} lock cannot run on this machine")


def hide_posix_prelude(with_msvcrt: bool = True) -> str:
    """Python source that, run first in a fresh interpreter, makes fcntl and the other POSIX-only
    modules unimportable (and, on Linux, puts the msvcrt stand-in where Windows has the real one)."""
    lines = ["import sys"]
    if with_msvcrt and not _native("msvcrt"):
        # subprocess tells Windows by whether msvcrt imports: load it before the stand-in can fool it
        lines += ["import subprocess", f"sys.path.insert(0, {str(WINLIKE)!r})", "import msvcrt", f"sys.path.remove({str(WINLIKE)!r})"]
    lines += [f"for name in {POSIX_ONLY!r}:", "    sys.modules.pop(name, None)",
              "    sys.modules[name] = None  # import NAME now fails, as on Windows"]
    return "\n".join(lines) + "\n"


def prelude(locker: str) -> str:
    """Source that makes ``locker`` the lock a fresh interpreter will pick by itself."""
    if locker == "windows" and _native("fcntl"):
        return hide_posix_prelude()
    return ""


def use_in_process(locker: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make ``locker`` this process's lock (its forked children inherit it)."""
    from pec_cli.ledger import lock

    if locker == "windows" and not _native("msvcrt"):
        monkeypatch.setitem(sys.modules, "msvcrt", _stand_in())
    monkeypatch.setattr(lock, "_chosen", lock.IMPLEMENTATIONS[locker])  # undone after the test
