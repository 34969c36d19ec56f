"""Evidence files: copied into the workspace under a content-derived name.

``evidencias/<vigencia>/<sha256 prefix><ext>``: the name comes from the bytes,
never from a user-typed path, so no entry field can make pec write outside
the workspace; the full SHA-256 is recorded so ``pec verify`` can check it.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path, PurePath, PureWindowsPath
from typing import Any

from pec_cli.errors import PecError, reason
from pec_cli.ledger.entries import CONTROL, Evidence
from pec_cli.workspace import Workspace

MAX_BYTES = 512 * 1024 * 1024


def file_sha256(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


# types a browser, a spreadsheet or the desktop shows without running anything; any other is
# stored as ".bin", so a link in an export downloads it instead of opening (or running) it
SAFE_SUFFIXES = frozenset(
    ".pdf .png .jpg .jpeg .gif .webp .bmp .tif .tiff .heic .txt .csv .docx .xlsx .pptx .odt .ods .odp "
    ".mp4 .mov .webm .mp3 .m4a .wav .ogg .zip".split()
)


def _copy_hashing(source: Path, tmp: Path, mode: int) -> str:
    """Copy ``source`` to ``tmp`` (synced) and return the SHA-256 of the bytes copied."""
    digest = hashlib.sha256()
    with source.open("rb") as src, open(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode), "wb") as dst:
        for block in iter(lambda: src.read(1 << 20), b""):
            digest.update(block)
            dst.write(block)
        dst.flush()
        os.fsync(dst.fileno())
    os.chmod(tmp, mode)  # whatever the umask: never more readable than the source
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
    """(suffix of the stored copy, name recorded) of an evidence file, on any platform's path.

    A passive type keeps its suffix; any other is stored as ``.bin`` (see
    SAFE_SUFFIXES); the name recorded loses control characters.
    """
    suffix = source.suffix.lower()
    if not re.fullmatch(r"\.[a-z0-9]{1,8}", suffix):
        suffix = ""
    return (suffix if suffix in SAFE_SUFFIXES else ".bin"), CONTROL.sub("", source.name)[:200]


def store_evidence(ws: Workspace, vigencia: int, source: Path, warnings: list[str] | None = None) -> dict[str, Any]:
    """Copy ``source`` in (once per content); the record's ``evidencia`` value.

    The SHA-256 recorded is that of the bytes copied (a file still being
    written cannot make the copy disagree with its hash); a copy is readable
    by others only if the source was; a type that could run when opened from
    an export is stored as ``.bin`` (its name stays in ``nombre``). A failed
    copy leaves nothing behind. A stored copy of the same content that was
    changed since is never repaired: it stays for ``pec verify`` to name, this
    copy goes beside it under its whole SHA-256, and ``warnings`` says so.
    """
    from pec_cli.files import temp_beside

    if str(source).strip() in ("", "."):
        raise PecError("--evidencia está vacío (o es una carpeta): indique la ruta del archivo de evidencia o quite la opción.")
    try:
        source = source.expanduser()
    except RuntimeError:  # «~nadie/acta.pdf»: no such user
        raise PecError(f"La ruta de evidencia «{source}» nombra la carpeta personal de un usuario que no existe; "
                       "escriba la ruta completa del archivo.") from None
    if not source.is_file():
        raise PecError(f"El archivo de evidencia «{source}» no existe o no es un archivo; corrija --evidencia.")
    st = source.stat()
    if st.st_size > MAX_BYTES:
        raise PecError(f"El archivo de evidencia «{source}» pesa más de 512 MB; guarde un enlace con --url.")
    folder = ws.root / "evidencias" / str(vigencia)
    ws.refuse_links(folder, "la evidencia")
    tmp = temp_beside(folder / "entrada")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        sha = _copy_hashing(source, tmp, (st.st_mode & 0o644) | 0o600)
        suffix, name = kept_name(source)
        target = folder / f"{sha[:20]}{suffix}"
        if target.exists() and file_sha256(target) != sha:  # tampered with since: report, keep both
            tampered, target = target, folder / f"{sha}{suffix}"
            if warnings is not None:
                warnings.append(f"la copia guardada {tampered.relative_to(ws.root).as_posix()} de este archivo cambió "
                                "después de registrada (su SHA-256 ya no coincide): no se reparó, «pec verify» la "
                                f"seguirá señalando hasta que la restaure; esta copia se guardó como "
                                f"{target.relative_to(ws.root).as_posix()}")
        if target.exists() and file_sha256(target) == sha:
            tmp.unlink()
        else:
            os.replace(tmp, target)
    except OSError as exc:
        raise PecError(f"No se pudo copiar la evidencia «{source.name}» ({reason(exc)}); revise el espacio en disco "
                       "y vuelva a intentarlo (no se registró nada).") from None
    finally:
        tmp.unlink(missing_ok=True)
    return {"archivo": target.relative_to(ws.root).as_posix(), "sha256": sha, "nombre": name}


def read_stored(ws: Workspace, evidence: Evidence, fix: str = "revise el registro con «pec verify».") -> bytes:
    """The bytes of a stored evidence file (``pec export paquete`` copies them, ``pec verify`` checks them);
    a PecError saying why not, ending with ``fix``.

    A ledger line arrives by ``git pull`` from any clone, and the workspace may be
    another user's: the file is read only if it is a regular file inside
    ``<workspace>/evidencias/`` (that folder resolved; no component below it a
    symlink, the last one opened with ``O_NOFOLLOW`` where the platform has it)
    of at most 512 MB, and its bytes are returned only if they hash to the
    recorded SHA-256. Never ``/etc/shadow``, ``../``, nor a stored copy swapped
    for a link to a secret.
    """
    import stat

    from pec_cli.workspace import read_regular

    what = f"La evidencia «{evidence.archivo}»"
    parts = PurePath(evidence.archivo).parts  # a "\\" or ":" left inside a part is refused below
    if len(parts) < 2 or parts[0] != "evidencias" or any(p in (".", "..") or "\\" in p or ":" in p for p in parts):
        raise PecError(f"{what} no está dentro de evidencias/ del espacio de trabajo; {fix}")
    path = Path(os.path.realpath(ws.root / "evidencias"))
    try:
        for part in parts[1:]:
            path /= part
            if stat.S_ISLNK(os.lstat(path).st_mode):
                raise PecError(f"{what} es (o pasa por) un enlace simbólico, no un archivo guardado por pec; {fix}")
        data = read_regular(path, MAX_BYTES, what, fix, follow=False)
    except FileNotFoundError:
        raise PecError(f"Falta el archivo de evidencia {evidence.archivo}; {fix}") from None
    except OSError as exc:
        raise PecError(f"No se pudo leer la evidencia «{evidence.archivo}» ({reason(exc)}); {fix}") from None
    if hashlib.sha256(data).hexdigest() != evidence.sha256:
        raise PecError(f"{what} cambió después de registrada (su SHA-256 no es el del registro); {fix}")
    return data
