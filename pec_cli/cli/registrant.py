"""Who registers: the name every new entry records as ``por`` (SPEC §4), resolved once per writing command.

From, in this order: ``PEC_NOMBRE`` (scripts, shared machines); this clone's
``.pec/nombre`` (``pec init --nombre``, or asked at its first write on a
terminal and kept there); ``git config user.name``; else nobody (the entry
reads «sin nombre»). The ledger is handed the name; it never looks for one.
"""

import os
from pathlib import Path

from pec_cli.cli import base
from pec_cli.ledger.records import check_name
from pec_cli.workspace import PERSON_FILE, Workspace

GIT_TIMEOUT = 3.0  # seconds: a git that hangs (a network home, a lock) must not hold up a «pec log»


def registrant(ws: Workspace) -> str | None:
    """The name of who registers in ``ws`` now, checked; None when nothing says it."""
    if (named := os.environ.get("PEC_NOMBRE")) is not None:
        return check_name(named, "PEC_NOMBRE")
    if (kept := ws.person()) is not None:
        return check_name(kept, ws.display(ws.state_dir / PERSON_FILE))
    git = git_name(ws.root)
    if base.interactive():
        from pec_cli.cli.prompts import ask_name

        name = ask_name(git)
        ws.save_person(name)
        return name
    return git


def git_name(folder: Path) -> str | None:
    """``git config user.name`` as seen from ``folder``, checked; None when git is not on PATH, fails or
    says nothing (never an error: a name is only a courtesy of git's)."""
    import shutil
    import subprocess

    git = shutil.which("git")
    if git is None:
        return None
    try:
        done = subprocess.run([git, "config", "user.name"], cwd=folder, stdin=subprocess.DEVNULL,
                              capture_output=True, timeout=GIT_TIMEOUT, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    name = done.stdout.decode("utf-8", "replace").strip()
    return check_name(name, "git config user.name") if done.returncode == 0 and name else None
