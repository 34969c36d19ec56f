"""``pec verify``: every check of the ledger and its plans, problems as ``file:line: message``."""

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from pec_cli.cli.base import RootOpt, SpanishCommand, app
from pec_cli.errors import PecError

if TYPE_CHECKING:
    from pec_cli.ledger.entries import Problem
    from pec_cli.ledger.verify import LedgerView


def read_kept(path: Path) -> bytes:
    """A file a closure names (its plan copy): a regular file, no link followed, of at most 1 MB (a plan is
    some 30 KB; a line from git pull may name /dev/zero)."""
    from pec_cli.workspace import read_regular

    return read_regular(path, 1 << 20, f"La copia del plan {path.name}", "restáurela desde git.", follow=False)


def check_gitignore(view: "LedgerView") -> list["Problem"]:
    """A git workspace made by an older pec lacks the ignore lines ``pec init`` now writes (its exports, its
    log): ``git add -A`` would then commit a report a user made for the committee. git says what it ignores
    (an anchored or spaced pattern, ``.git/info/exclude``); no git, or no repository: nothing to say. Only
    ``pec verify`` runs it: it is about this copy, not the ledger, so the paquete's verificación leaves it out."""
    import shutil
    import subprocess

    from pec_cli.cli.registrant import GIT_TIMEOUT
    from pec_cli.ledger.entries import Problem
    from pec_cli.workspace import GITIGNORE

    git = shutil.which("git")
    patterns = [line for line in GITIGNORE.splitlines() if line and not line.startswith("#")]
    samples = {line.replace("*", "x") + ("cache" if line.endswith("/") else ""): line for line in patterns}
    if git is None:
        return []
    try:
        done = subprocess.run([git, "check-ignore", "--no-index", "--", *samples], cwd=view.ws.root, stdin=subprocess.DEVNULL,
                              capture_output=True, timeout=GIT_TIMEOUT, check=False)
    except (OSError, subprocess.SubprocessError):
        return []
    ignored = set(done.stdout.decode("utf-8", "replace").splitlines())
    missing = [line for sample, line in samples.items() if sample not in ignored]
    if done.returncode not in (0, 1) or not missing:  # 128: not a git repository
        return []
    return [Problem(".gitignore", 0, f"le faltan las líneas {', '.join(missing)}, que «pec init» escribe en los "
                    "espacios nuevos: añádalas para que «git add -A» no suba al repositorio las exportaciones y "
                    "archivos propios de esta copia", info=True)]


@app.command(cls=SpanishCommand)
def verify(root: RootOpt = None) -> None:
    """Comprobar el plan y el registro: líneas, ids, anulaciones, importaciones e integridad de la cadena."""
    from pec_cli.ledger.verify import verify_workspace
    from pec_cli.report.closed import all_checks
    from pec_cli.workspace import find_workspace, today

    problems, summary = verify_workspace(find_workspace(root), (*all_checks(read_kept, today()), check_gitignore))
    damage = [p for p in problems if not p.info]
    for problem in problems:
        sys.stdout.write(("información: " if problem.info else "") + str(problem) + "\n")
    if damage:
        raise PecError(f"El registro tiene {len(damage)} problema(s); revíselos arriba (archivo:línea: mensaje).")
    typer.echo(summary)
