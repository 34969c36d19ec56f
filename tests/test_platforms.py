"""pec where its users are: no POSIX-only import, any lock (SPEC §6, Platforms)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from pec_cli.ledger.verify import verify_workspace
from pec_cli.workspace import Workspace

from . import portable
from .conftest import TODAY

RUN_PEC = "import sys; sys.argv[0] = 'pec'\nfrom pec_cli.cli import main\nmain()\n"


def env_for(ws: Path, **extra: str) -> dict[str, str]:
    return {**os.environ, "PEC_ROOT": str(ws), "PEC_HOY": TODAY, **extra}


def pec_with(prelude: str, ws: Path, *args: str) -> subprocess.CompletedProcess:
    """``pec ARGS`` in a fresh interpreter that first runs ``prelude``; it also reports its lock."""
    report = "import atexit\natexit.register(lambda: sys.stderr.write(f'\\n[lock={__import__(\"pec_cli.ledger.lock\").ledger.lock._chosen}]'))\n"
    return subprocess.run([sys.executable, "-c", prelude + report + RUN_PEC, *args], env=env_for(ws),
                          capture_output=True, text=True, encoding="utf-8", timeout=120)


# ---------------------------------------------------------------- item 1: locking that is not POSIX-only


def test_every_module_of_pec_imports_without_fcntl():
    script = portable.hide_posix_prelude(with_msvcrt=False) + (
        "import importlib, pkgutil, pec_cli\n"
        "names = [m.name for m in pkgutil.walk_packages(pec_cli.__path__, 'pec_cli.') if m.name != 'pec_cli.__main__']\n"
        "for name in names:\n"
        "    importlib.import_module(name)\n"
        "print(len(names))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) >= 40  # every module, not a lucky few


def test_log_import_void_and_status_run_through_the_portable_lock(ws, tmp_path):
    """With fcntl unimportable, pec picks msvcrt.locking (the stand-in on Linux) by itself."""
    if not portable.runnable("windows"):
        pytest.skip("no Windows lock, native or stand-in, on this machine")
    prelude = portable.hide_posix_prelude()
    source = tmp_path / "piezas.csv"
    source.write_text("actividad;fecha;titulo\nnoti;2024-05-02;Noti 1\nnoti;2024-05-09;Noti 2\n", encoding="utf-8")
    logged = pec_with(prelude, ws, "log", "revista", "--fecha", "2024-03-28", "--titulo", "Revista Gestión No. 1")
    imported = pec_with(prelude, ws, "import", str(source))
    voided = pec_with(prelude, ws, "void", logged.stdout.split()[0], "--motivo", "duplicada")
    status = pec_with(prelude, ws, "status", "--trim", "II", "--format", "json")
    for result in (logged, imported, voided, status):
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr
    for writer in (logged, imported, voided):
        assert "[lock=Locker(name='windows'" in writer.stderr, writer.stderr
    assert "[lock=None]" in status.stderr  # reading takes no lock
    document = json.loads(status.stdout)
    by_id = {a["id"]: a for a in document["actividades"]}
    assert by_id["noti"]["trimestres"]["II"]["realizadas"] == 2
    assert by_id["revista"]["trimestres"]["I"]["realizadas"] == 0  # voided
    problems, _ = verify_workspace(Workspace(ws))  # and the POSIX side reads the same ledger
    assert problems == []


def test_without_any_lock_pec_reads_and_refuses_to_write_in_one_sentence(ws):
    prelude = portable.hide_posix_prelude(with_msvcrt=False)
    if portable._native("msvcrt"):
        pytest.skip("msvcrt is the platform's own here")
    status = pec_with(prelude, ws, "status", "--trim", "II")
    assert status.returncode == 0, status.stderr
    logged = pec_with(prelude, ws, "log", "revista", "--fecha", "2024-03-28", "--titulo", "A")
    assert logged.returncode == 1
    assert logged.stderr.startswith("Error: Este sistema no ofrece bloqueo de archivos")
    assert "Traceback" not in logged.stderr


HOLDER = """
import os, sys
from pec_cli.ledger import lock
fd = os.open(sys.argv[1], os.O_RDWR | os.O_APPEND | os.O_CREAT)
lock.lock(fd)
print(lock.current().name, flush=True)
sys.stdin.read()  # hold until killed
"""


@pytest.mark.parametrize("locker", portable.LOCKERS)
def test_the_lock_is_exclusive_and_dies_with_its_holder(tmp_path, locker, monkeypatch):
    portable.require(locker)
    segment = tmp_path / "seg.jsonl"
    holder = subprocess.Popen([sys.executable, "-c", portable.prelude(locker) + HOLDER, str(segment)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == locker
        portable.use_in_process(locker, monkeypatch)
        from pec_cli.ledger import lock

        fd = os.open(segment, os.O_RDWR | os.O_APPEND)
        got = threading.Event()
        waiter = threading.Thread(target=lambda: (lock.lock(fd), got.set()), daemon=True)
        waiter.start()
        assert not got.wait(0.5)  # held by the other process: we wait
        holder.kill()  # kill -9 / TerminateProcess: no chance to unlock
        holder.wait()
        assert got.wait(60)  # the operating system released it
        lock.unlock(fd)
        os.close(fd)
    finally:
        holder.kill()
        holder.wait()
