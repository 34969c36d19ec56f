"""``pec export paquete``: one folder (and a reproducible zip of it) for the committee and Control Interno.

The folder holds the Seguimiento as XLSX, HTML and CSV, the detail of the
pieces its figures rest on (the vigencia up to the corte) as CSV, the
evidence checklist for Control Interno (``evidencias.csv``, see ``checklist``), every
evidence file of those pieces under its original name (the HTML links to
these copies), the result of ``pec verify``, and ``MANIFIESTO.txt``: every
file with its SHA-256, checkable with ``sha256sum -c`` on any machine,
without pec. The zip is reproducible: the same ledger and quarter give the
same bytes (fixed timestamps, sorted entries; the workbook is reproducible too).
Pure: ``cli.exporting`` reads the evidence and the ledger's verification
and writes the folder and the zip.
"""

import hashlib
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import PurePosixPath
from typing import NamedTuple, Protocol

from pec_cli.errors import PecError
from pec_cli.ledger.entries import Entry, Evidence, Problem
from pec_cli.ledger.query import Selection
from pec_cli.plan.model import QUARTERS, Plan
from pec_cli.report.avance import Report
from pec_cli.report.checklist import Block, checklist
from pec_cli.report.export import CsvStyle, checklist_csv
from pec_cli.report.table import Table


class Pack(Protocol):
    """What the folder is made of (``export.Pack``)."""

    plan: Plan
    quarter: int | None
    link: Callable[[str], str]
    packed: Mapping[str, str] | None
    style: CsvStyle
    checklist: list[Block] | None

    @property
    def selection(self) -> Selection: ...

    @property
    def report(self) -> Report: ...

    @property
    def table(self) -> Table: ...


ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest a zip can say: no build time leaks in
_UNSAFE = re.compile(r"[^\w .,()+-]+")  # what a file name may hold: letters, digits, space and . , ( ) + - _


class PackFile(NamedTuple):
    name: str  # relative to the folder, with "/"
    data: bytes


def check_member(name: str) -> str:
    """``name`` if, inside the folder or the zip, it stays there: relative, "/" between folders, no
    ``..`` and no backslash; a PecError otherwise (the zip-slip of a name made from a ledger line)."""
    if name.startswith("/") or "\\" in name or any(part in ("", ".", "..") for part in name.split("/")):
        raise PecError(f"El paquete iba a escribir «{name}», fuera de su carpeta; no lo escribió: "
                       "revise el registro con «pec verify».")
    return name


def reproducible_zip(files: list[PackFile], prefix: str = "") -> bytes:
    """A zip of ``files`` (sorted, fixed timestamps and permissions): same input, same bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in sorted(files, key=lambda f: f.name):
            info = zipfile.ZipInfo(check_member(prefix + item.name), ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3  # unix, whatever the machine: the permissions above mean the same everywhere
            archive.writestr(info, item.data)
    return buffer.getvalue()


def safe_name(name: str, fallback: str) -> str:
    """A file name that means the same on Windows, macOS and Linux, and is never a path: letters,
    digits, spaces and ``_ . , ( ) + -`` only (anything else becomes ``_``)."""
    cleaned = _UNSAFE.sub("_", unicodedata.normalize("NFC", name))[:120].strip(" .")
    return cleaned or fallback


class Copy(NamedTuple):
    """An evidence file the paquete carries: its name in the folder, and the first piece that names it."""

    name: str
    evidence: Evidence
    entry: Entry


def evidence_names(selection: Selection) -> dict[str, Copy]:
    """Stored evidence path -> its :class:`Copy`, named ``evidencias/<entry id>_<original name>`` (the id
    first, so none collide; a file shared by two pieces goes in once). Built from an id and an evidence
    path of the record rule's vocabulary (``ledger.entries``: every line read passed it) and
    :func:`safe_name` only; :func:`check_member` checks each name again as it is written."""
    names: dict[str, Copy] = {}
    for entry in selection.entries:
        evidence = entry.evidence
        if evidence is None:
            continue
        stored = PurePosixPath(evidence.archivo)
        original = safe_name(evidence.nombre or stored.name, stored.name)
        if stored.suffix and not original.lower().endswith(stored.suffix.lower()):
            original += stored.suffix  # the stored form decides how the file opens
        names.setdefault(evidence.archivo, Copy(f"evidencias/{entry.id}_{original}", evidence, entry))
    return names


def verification(problems: list[Problem], summary: str, left_out: list[Problem],
                 pending: Sequence[tuple[int, str, str]] = ()) -> PackFile:
    """``verificacion.txt``: what ``pec verify`` says of the ledger (``verify_workspace``'s result), then
    what this paquete left out and why (``left_out``: evidence files and lines it does not carry), then the
    red or amber rows of closed quarters that no improvement action analyses yet (``pending``: the
    report's ``sin_analisis``, (quarter, row, semáforo)), which are no file left out but work to do."""
    damage = [p for p in problems if not p.info]
    head = [f"pec verify: {len(damage)} problema(s)"] if damage else [summary]
    lines = [*head, *(("información: " if p.info else "") + str(p) for p in problems)]
    if left_out:
        lines += ["", f"No incluido en este paquete ({len(left_out)}):", *map(str, left_out)]
    if pending:
        lines += ["", f"Pendiente de análisis ({len(pending)}):",
                  *(f"Trim. {QUARTERS[q - 1]}: {row} ({semaforo}), sin acción de mejora"
                    for q, row, semaforo in sorted(pending, key=lambda p: p[0]))]
    return PackFile("verificacion.txt", ("\n".join(lines) + "\n").encode("utf-8"))


def manifest(files: list[PackFile], title: str) -> PackFile:
    """``MANIFIESTO.txt``: how to check, then one ``sha256  name`` line per file (``#`` lines are comments)."""
    head = [
        f"# {title}",
        "# MANIFIESTO: cada archivo de este paquete con su huella SHA-256.",
        "# Para comprobar que ninguno cambió, abra una terminal en esta carpeta y ejecute:",
        "#   Linux, macOS o Git Bash en Windows:  sha256sum -c MANIFIESTO.txt",
        "#   (en macOS sin coreutils:  shasum -a 256 -c MANIFIESTO.txt)",
        "#   Windows PowerShell, archivo por archivo:  Get-FileHash -Algorithm SHA256 <archivo>",
        "# Cada línea debe decir «La suma coincide» u «OK»; si alguna no, ese archivo cambió.",
        "",
    ]
    body = [f"{hashlib.sha256(f.data).hexdigest()}  {f.name}" for f in sorted(files, key=lambda f: f.name)]
    return PackFile("MANIFIESTO.txt", ("\n".join(head + body) + "\n").encode("utf-8"))


def build_files(pack: Pack, render: Callable[[str, bool], str | bytes], evidence: dict[str, PackFile],
                checked: PackFile, late: frozenset[str], seed: str) -> list[PackFile]:
    """Every file of the folder: ``render(fmt, detalle)`` gives one export's content, ``evidence`` the
    copies of the evidence files (stored path -> its file in the folder), ``checked`` verificacion.txt;
    ``late`` (the pieces registered after their quarter was closed) and ``seed`` (of the sample to check
    by hand) make the evidence checklist, ``evidencias.csv``."""
    quarter = QUARTERS[(pack.quarter or 4) - 1]
    stem = f"{pack.plan.vigencia}-T{quarter}"
    # the detail names, and the HTML links to, the folder's copies (evidence left out gets no link)
    pack.packed = packed = {archivo: copy.name for archivo, copy in evidence.items()}
    pack.link = lambda archivo: packed.get(archivo, "")

    def data(content: str | bytes) -> bytes:
        return content.encode("utf-8") if isinstance(content, str) else content

    closure = pack.report.cerrados.get(pack.report.trimestre)  # a sealed report counts what its closure saw
    unseen = frozenset(e.id for e in pack.selection.entries if closure is not None and not closure.saw(e.id))
    blocks = checklist(pack.plan, pack.selection, pack.report.corte, {k: f.name for k, f in evidence.items()},
                       late, seed, unseen)
    pack.checklist = blocks  # the workbook carries it too, as its «Evidencias» sheet

    files = [
        PackFile(f"seguimiento-{stem}.xlsx", data(render("xlsx", False))),
        PackFile(f"seguimiento-{stem}.html", data(render("html", False))),
        PackFile(f"seguimiento-{stem}.csv", data(render("csv", False))),
        PackFile(f"detalle-{stem}.csv", data(render("csv", True))),
        PackFile("evidencias.csv", data(checklist_csv(blocks, pack.style))),
        *evidence.values(),
        checked,
    ]
    title = f"{pack.plan.titulo} {pack.plan.vigencia}, Trim. {quarter} (corte {pack.table.corte.isoformat()})"
    return [*files, manifest(files, title)]
