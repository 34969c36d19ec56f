"""The shortcuts taken for speed (issue 13) change nothing a user sees.

Speed itself is measured by ``benchmarks/run.py``, never here; these tests
check that each shortcut gives what the long way gives.
"""

from __future__ import annotations

import os
import subprocess
import sys

from pec_cli.cli import app, only_the_named_command

NAMES = ["init", "log", "import", "note", "void", "list", "status", "pendientes", "export", "verify", "plan"]


def _main(args: list[str], ws) -> subprocess.CompletedProcess[str]:
    """``pec ARGS`` through the installed entry point's ``main`` (the CliRunner tests skip it)."""
    code = f"import sys; sys.argv = ['pec', *{args!r}]\nfrom pec_cli.cli import main\nmain()\n"
    env = {**os.environ, "PEC_HOY": "2024-07-15", "PEC_ROOT": str(ws), "COLUMNS": "100"}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)


def test_a_named_command_is_built_alone_and_anything_else_builds_them_all():
    commands = app.registered_commands
    (status,) = only_the_named_command(commands, ["status"])
    assert status.callback.__name__ == "status"
    (imported,) = only_the_named_command(commands, ["import"])  # named apart from its function
    assert imported.callback.__name__ == "import_csv"
    for first in ([], ["--help"], ["statu"], ["plan"], ["--root"]):
        assert only_the_named_command(commands, first) is commands


def test_main_runs_the_named_command_and_help_still_lists_every_command(ws, tmp_path):
    listed = _main(["--help"], ws)
    assert listed.returncode == 0, listed.stderr
    assert all(f"  {name} " in listed.stdout for name in NAMES), listed.stdout
    assert _main(["log", "revista", "--fecha", "2024-03-28", "--titulo", "Revista 1"], ws).returncode == 0
    shown = _main(["status", "--format", "json"], ws)
    assert shown.returncode == 0, shown.stderr
    assert '"realizadas": 1' in shown.stdout
    typo = _main(["statu"], ws)
    assert typo.returncode == 2 and "status" in typo.stderr and "Traceback" not in typo.stderr
