"""Evidence files: copied into the workspace under a content-derived name.

``evidencias/<vigencia>/<sha256 prefix><ext>``: the name comes from the bytes,
never from a user-typed path, so no entry field can make pec write outside
the workspace; the full SHA-256 is recorded so ``pec verify`` can check it.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from pathlib import Path, PurePath, PureWindowsPath
from typing import Any

from pec_cli.errors import PecError
from pec_cli.workspace import Workspace

MAX_BYTES = 512 * 1024 * 1024


def evidence_dir(ws: Workspace, vigencia: int) -> Path:
    return ws.root / "evidencias" / str(vigencia)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def beside(folder: Path, cell: str) -> Path | None:
    """The file a CSV cell names, relative to the CSV's ``folder``; None if it is absolute or leads out.

    Folders are separated by ``/`` or ``\\`` on every platform, so a CSV written on
    Windows (``evidencias\\acta.pdf``) imports anywhere; a drive (``C:\\...``, ``C:x``),
    a share (``\\\\servidor\\...``) or a root (``/x``, ``\\x``) is absolute wherever pec runs.
    """
    path = PureWindowsPath(cell.strip())
    if path.drive or path.root or not path.parts:
        return None
    source = folder.joinpath(*path.parts).resolve()
    return source if source.is_relative_to(folder.resolve()) else None


def kept_name(source: PurePath) -> tuple[str, str]:
    """(suffix of the stored copy, name recorded) of an evidence file, on any platform's path."""
    suffix = source.suffix.lower()
    if not re.fullmatch(r"\.[a-z0-9]{1,8}", suffix):
        suffix = ""
    return suffix, source.name[:200]


def store_evidence(ws: Workspace, vigencia: int, source: Path) -> dict[str, Any]:
    """Copy ``source`` in (once per content); the record's ``evidencia`` value."""
    source = source.expanduser()
    if not source.is_file():
        raise PecError(f"El archivo de evidencia «{source}» no existe o no es un archivo; corrija --evidencia.")
    if source.stat().st_size > MAX_BYTES:
        raise PecError(f"El archivo de evidencia «{source}» pesa más de 512 MB; guarde un enlace con --url.")
    sha = file_sha256(source)
    suffix, name = kept_name(source)
    folder = evidence_dir(ws, vigencia)
    target = folder / f"{sha[:20]}{suffix}"
    if not (target.exists() and file_sha256(target) == sha):
        folder.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        shutil.copyfile(source, tmp)
        os.replace(tmp, target)
    return {"archivo": target.relative_to(ws.root).as_posix(), "sha256": sha, "nombre": name}
