"""What ``pec export`` (and ``pec pendientes --ics``) write, and where: the file I/O of the exports.

``report.export`` and ``report.paquete`` build each document as ``str`` or
``bytes``; this module reads what they need from the workspace (the stored
evidence, the ledger's verification) and writes the result: to ``-o``, to
stdout, or as the paquete's folder and zip.
"""

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from pec_cli.cli import base
from pec_cli.console import json_for
from pec_cli.errors import PecError, reason
from pec_cli.files import temp_beside, write_atomic
from pec_cli.report.export import BINARY, BUNDLES, FORMATS, CsvStyle, Pack, default_filename

if TYPE_CHECKING:
    from pec_cli.context import Context
    from pec_cli.ledger.entries import Problem
    from pec_cli.report.avance import Report
    from pec_cli.report.paquete import PackFile

NONBLOCK = getattr(os, "O_NONBLOCK", 0)  # POSIX; Windows has no FIFOs


def run_export(
    ctx: "Context", fmt: str, quarter: int | None, detalle: bool, output: Path | None, style: CsvStyle,
    publico: bool = False,
) -> list[Path]:
    """``pec export``: build, render, write. Returns what was written (the paquete's folder, then its
    zip; nothing for stdout)."""
    if fmt in BUNDLES:
        return _run_paquete(ctx, quarter, detalle, output, style)
    to_stdout = _to_stdout(fmt, output)
    # -o is checked before anything is rendered; the evidence links are relative to where the file lands
    out_dir = Path.cwd() if to_stdout or output is None else destination(output)[0].parent
    pack = Pack(ctx, quarter, detalle, style, out_dir, publico)
    writer = FORMATS[fmt]
    content = (writer.detail if detalle else writer.table)(pack)
    base.flush(ctx)
    if to_stdout:
        _write_stdout(json_for(content) if isinstance(content, str) and fmt == "json" else content)
        return []
    if output is None:
        output = Path.cwd() / default_filename(fmt, ctx.plan.vigencia, pack.quarter, detalle, publico)
    return [write_file(content, output)]


def _to_stdout(fmt: str, output: Path | None) -> bool:
    """Whether ``-o -`` sends the document to stdout; refused for a binary format on a terminal."""
    to_stdout = output is not None and str(output) == "-"
    if to_stdout and fmt in BINARY and sys.stdout.isatty():
        raise PecError(f"Un archivo {fmt.upper()} no se puede mostrar en la terminal; guárdelo con -o ARCHIVO.{fmt}.", code=2)
    return to_stdout


def run_document(render: Callable[[], str | bytes], fmt: str, output: Path | None, default: str) -> list[Path]:
    """A document made from the plan (``export fichas``, ``plan show --format``): to ``-o``, to stdout with
    ``-o -``, else ``default`` in the current folder. Returns what was written."""
    to_stdout = _to_stdout(fmt, output)
    if output is not None and not to_stdout:
        destination(output)  # refused before anything is rendered
    content = render()
    if to_stdout:
        _write_stdout(content)
        return []
    return [write_file(content, output or Path.cwd() / default)]


def _run_paquete(ctx: "Context", quarter: int | None, detalle: bool, output: Path | None,
                 style: CsvStyle) -> list[Path]:
    """``pec export paquete``: the folder (``paquete-2024-TII`` by default) and its zip beside it."""
    from pec_cli.report.checklist import report_seed
    from pec_cli.report.paquete import build_files

    if detalle:
        raise PecError("El paquete ya incluye el detalle de las piezas; quite --detalle.", code=2)
    if output is not None and str(output) == "-":
        raise PecError("Un paquete es una carpeta y no se puede escribir en la salida estándar; quite «-o -».", code=2)
    pack = Pack(ctx, quarter, False, style, Path.cwd())
    folder = _paquete_folder(output or Path(f"paquete-{ctx.plan.vigencia}-T{pack.table.trimestre_label}"))
    evidence, missing = _evidence(ctx, pack)
    files = build_files(pack, lambda fmt, rows: (FORMATS[fmt].detail if rows else FORMATS[fmt].table)(pack),
                        evidence, _verification(ctx, missing, pack.report),
                        late=pack.selection.late,  # pieces registered after their quarter was closed
                        seed=report_seed(pack.report))  # the closure's SHA-256 when the quarter is closed
    base.flush(ctx)
    return _write_paquete(files, folder)


def _paquete_folder(output: Path) -> Path:
    """The folder the paquete goes to: ``output``, or the folder a symlink points at (the link stays);
    new or empty. Refused in one sentence, before anything is rendered, otherwise."""
    import stat

    folder = Path(os.path.realpath(output.expanduser()))  # never raises: a loop is found by stat
    if str(output) == "." or not folder.name:  # «-o ''» is «-o .»; «-o /» has no name for the zip
        raise PecError("-o está vacío o nombra la carpeta actual o la raíz: indique la carpeta nueva del paquete, "
                       "por ejemplo -o paquete-2024-TII.", code=2)
    try:
        if not stat.S_ISDIR(os.stat(folder).st_mode):
            raise PecError(f"{folder} es un archivo; indique con -o una carpeta para el paquete.")
        if os.listdir(folder):
            raise PecError(f"La carpeta {folder} ya existe y no está vacía; bórrela o indique otra con -o.")
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise PecError(f"No se puede escribir el paquete en {output} ({reason(exc)}); elija otra carpeta con -o.") from None
    return folder


def _write_paquete(files: list["PackFile"], folder: Path) -> list[Path]:
    """Write the paquete's folder and its zip whole or not at all.

    The folder is built in a temporary one beside it (``files.temp_beside``)
    and renamed into place once whole, after its zip (``files.write_atomic``):
    a full disk, an error or a signal leaves neither, nor any temporary file,
    so the retry is never blocked by half a paquete.
    """
    import shutil

    from pec_cli.report.paquete import check_member, reproducible_zip

    archive = folder.with_name(folder.name + ".zip")
    tmp = temp_beside(folder)
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        tmp.mkdir()
        inside = Path(os.path.realpath(tmp))
        for item in files:
            target = tmp / check_member(item.name)
            target.parent.mkdir(parents=True, exist_ok=True)
            if not Path(os.path.realpath(target)).is_relative_to(inside):
                raise PecError(f"El paquete iba a escribir {target}, fuera de su carpeta; no lo escribió: "
                               "revise el registro con «pec verify».")
            write_atomic(target, item.data)
        write_atomic(archive, reproducible_zip(files, prefix=folder.name + "/"))
        try:
            if folder.is_dir():
                folder.rmdir()  # the empty folder -o named: the whole one takes its place
            os.replace(tmp, folder)
        except BaseException:
            archive.unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise PecError(f"No se pudo escribir el paquete en {folder} ({reason(exc)}); no quedó nada a medias: "
                       "libere espacio o elija otra carpeta con -o.") from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return [folder, archive]


def _evidence(ctx: "Context", pack: Pack) -> tuple[dict[str, "PackFile"], list["Problem"]]:
    """The evidence files of the pack's pieces as stored in the workspace (stored path -> its file in the
    folder), and a problem for each one left out (``evidence.read_stored`` says why): the committee's
    paquete is still made, saying what it lacks."""
    from pec_cli.ledger.entries import Problem
    from pec_cli.ledger.evidence import read_stored
    from pec_cli.report.paquete import PackFile, evidence_names

    out, missing = {}, []
    for archivo, copy in evidence_names(pack.selection).items():
        try:
            out[archivo] = PackFile(copy.name, read_stored(ctx.workspace, copy.evidence))
        except PecError as exc:
            why = exc.message[:1].lower() + exc.message[1:]
            missing.append(Problem(copy.entry.file, copy.entry.line, f"evidencia no incluida en el paquete: {why}"))
    return out, missing


def _verification(ctx: "Context", left_out: list["Problem"], report: "Report") -> "PackFile":
    """``verificacion.txt``: ``pec verify``'s result, the evidence the paquete left out, and (apart: no file is
    missing for them) the red or amber rows of closed quarters that no improvement action analyses yet."""
    from pec_cli.cli.verify import read_kept
    from pec_cli.ledger.verify import verify_workspace
    from pec_cli.report.closed import all_checks
    from pec_cli.report.paquete import verification

    return verification(*verify_workspace(ctx.workspace, all_checks(read_kept, ctx.today)), left_out, report.sin_analisis)


def _write_stdout(content: str | bytes) -> None:
    if isinstance(content, str):
        sys.stdout.write(content)
        sys.stdout.flush()
        return
    sys.stdout.flush()
    sys.stdout.buffer.write(content)
    sys.stdout.buffer.flush()


def destination(output: Path) -> tuple[Path, bool]:
    """Where ``-o`` writes: (the path, or what a symlink points at; whether it is a stream: a device,
    FIFO or socket). Refused in one sentence when it cannot be written: a symlink loop, a folder, a
    missing folder."""
    import stat

    target = Path(os.path.realpath(output.expanduser()))  # never raises: a loop is found by stat
    try:
        mode: int | None = os.stat(target).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise PecError(f"No se pudo escribir {output} ({reason(exc)}); elija otra ruta con -o.") from None
    if mode is None and not target.parent.is_dir():
        raise PecError(f"La carpeta {target.parent} no existe; créela o elija otra ruta con -o.")
    if mode is not None and stat.S_ISDIR(mode):
        raise PecError(f"{output} es una carpeta; indique un archivo con -o (por ejemplo -o {output / 'seguimiento.xlsx'}).")
    return target, mode is not None and not stat.S_ISREG(mode)


def write_file(content: str | bytes, output: Path) -> Path:
    """Write ``content`` to ``output`` without harming what it points at (see :func:`destination`).

    A regular file (or a new one) is replaced whole or not at all, keeping its
    mode (``files.write_atomic``; SIGTERM and SIGHUP, like Ctrl-C, leave no
    temporary file behind). A symlink is followed: what it points at is
    written, the link stays. A device, FIFO or socket (``/dev/null``,
    ``/dev/stdout``, a pipe) is written to as a stream, never replaced; a FIFO
    with no reader is refused at once.
    """
    data = content.encode("utf-8") if isinstance(content, str) else content
    target, stream = destination(output)
    if stream:
        try:
            # no O_CREAT/O_TRUNC surprises: it exists and is not a file; a FIFO nobody reads from is
            # ENXIO at once (O_NONBLOCK) instead of a wait forever, then written to as usual
            with os.fdopen(os.open(target, os.O_WRONLY | NONBLOCK), "wb") as handle:
                if NONBLOCK:
                    os.set_blocking(handle.fileno(), True)
                handle.write(data)
        except OSError as exc:
            raise PecError(f"No se pudo escribir en {output} ({reason(exc)}); elija otra ruta con -o.") from None
        return output
    try:
        write_atomic(target, data)
    except OSError as exc:
        busy = (" o, si está abierto (en Excel, por ejemplo), ciérrelo y repita"
                if target.exists() and isinstance(exc, PermissionError) else "")
        raise PecError(f"No se pudo escribir {output} ({reason(exc)}); elija otra ruta con -o{busy}.") from None
    return target
