"""``pec verify``: every check of the ledger and its plans, as named checks returning Problems.

Reads every plan and every segment of every vigencia from the files
themselves (never a cache) once into a :class:`LedgerView`; then each function
of :data:`CHECKS` looks at it and returns :class:`~pec_cli.ledger.entries.Problem`
values (``file:line: message``): plans that do not load, lines that break the
record rule (``entries.check_record``, the rule every reader applies), the
chain of each segment (``n`` counts up by one, ``prev`` is the digest of the
previous valid line, the id matches the segment and position), imports cut
short, unique ids, voids, pieces that do not fit their plan, evidence files.
See ``ledger.store`` for what the chain can and cannot see.
"""

import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from pec_cli.errors import PecError
from pec_cli.ledger import store as ledger
from pec_cli.ledger.entries import (
    BATCH,
    CLOSE,
    PIECE,
    REOPEN,
    VOID,
    BatchCommit,
    Batches,
    Entry,
    Problem,
    entry_of,
    record_of,
)
from pec_cli.ledger.reader import BOM, Reader
from pec_cli.plan.model import Plan
from pec_cli.workspace import Workspace


class Line(NamedTuple):
    number: int
    item: Entry | Problem
    digest: str


class Batch(NamedTuple):
    """An import batch of a segment: its rows' first line, their count, and its commit (None: cut short)."""

    lote: str
    first: int
    rows: list[Entry]
    commit: Entry | None


@dataclass
class Segment:
    vigencia: int
    path: Path
    name: str
    lines: list[Line] = field(default_factory=list)
    batches: list[Batch] = field(default_factory=list)

    def counted(self) -> Iterator[Entry]:
        """The entries that count: every valid one outside an import cut short."""
        dead = {id(e) for b in self.batches if b.commit is None for e in b.rows}
        for line in self.lines:
            item = line.item
            if isinstance(item, Entry) and not isinstance(item, BatchCommit) and id(item) not in dead:
                yield item


@dataclass
class LedgerView:
    """What the checks look at: plans (None where one does not load) and every segment."""

    ws: Workspace
    plans: dict[int, Plan | None]
    plan_errors: list[Problem]
    segments: list[Segment]
    _entries: dict[int, list[Entry]] = field(default_factory=dict)

    def entries(self, vigencia: int) -> list[Entry]:
        """The entries of the vigencia that count, in ledger order (computed once)."""
        if vigencia not in self._entries:
            self._entries[vigencia] = [e for s in self.segments if s.vigencia == vigencia for e in s.counted()]
        return self._entries[vigencia]


def read_view(ws: Workspace) -> LedgerView:
    from pec_cli.plan.cache import load_plan_cached

    plans: dict[int, Plan | None] = {}
    errors: list[Problem] = []
    for year, path in ws.plans().items():
        try:
            plans[year] = load_plan_cached(ws, path)
        except PecError as exc:
            plans[year] = None
            detail = "; ".join(exc.details[:5]) if exc.details else ""
            errors.append(Problem(ws.display(path), 0, exc.message + (f" {detail}" if detail else "")))
    segments = [read_segment(ws, vigencia, path) for vigencia in ledger.all_vigencias(ws) for path in ledger.segments(ws, vigencia)]
    return LedgerView(ws, plans, errors, segments)


def read_segment(ws: Workspace, vigencia: int, path: Path) -> Segment:
    """Every line of a segment through the one reader, and its import batches as ``entries.Batches`` finds them."""
    segment = Segment(vigencia, path, ws.display(path))
    batches: Batches[list[Entry]] = Batches([], list, list.extend)
    with path.open("rb") as handle:
        for line in Reader(handle, 0, os.fstat(handle.fileno()).st_size, path=path):
            if line.record is None:
                segment.lines.append(Line(line.number, Problem(segment.name, line.number, line.problem or ""),
                                          ledger.digest(line.raw)))
                continue
            entry = entry_of(line.record, segment.name, line.number)
            if line.record["clase"] == BATCH:
                held = batches.open.get(entry.datos["lote"])
                segment.batches.append(Batch(entry.datos["lote"], held[0] if held else line.number,
                                             held[2] if held else [], entry))
            into = batches.place(line.record, line.number)
            if into is not None:
                into.append(entry)
            segment.lines.append(Line(line.number, entry, ledger.digest(line.raw)))
    for lote, (first, _, rows) in batches.open.items():
        segment.batches.append(Batch(lote, first, rows, None))
    return segment


# -- the checks: each takes the view and returns its problems


def check_plans(view: LedgerView) -> list[Problem]:
    """A plan that does not load is a problem (its pieces cannot be checked against it)."""
    return view.plan_errors


def check_encoding(view: LedgerView) -> Iterator[Problem]:
    """A byte-order mark an editor put at the start of a segment: harmless, pec reads past it."""
    for segment in view.segments:
        with segment.path.open("rb") as handle:
            if handle.read(3) == BOM:
                yield Problem(segment.name, 1, "el archivo empieza con una marca BOM (la añadió un editor); "
                              "pec la ignora y la entrada está intacta", info=True)


def check_lines(view: LedgerView) -> Iterator[Problem]:
    """Lines that break the record rule: damaged, too long, out of range, control characters.

    A line torn by a kill in the middle of an import (it follows a row of a
    batch that never got its commit) is information: like its batch, it never counted.
    """
    for segment in view.segments:
        dead = {b.lote for b in segment.batches if b.commit is None}
        last: Entry | None = None
        for line in segment.lines:
            item = line.item
            if isinstance(item, Entry):
                last = item
            elif last is not None and last.lote in dead:
                yield item._replace(message=f"{item.message}: la cortó una importación interrumpida "
                                    f"(lote {last.lote}); no cuenta, no hay nada que reparar", info=True)
            else:
                yield item._replace(message=f"{item.message}; si la pieza falta en «pec list», regístrela "
                                    "de nuevo, y borre esta línea a mano (git conserva el historial)")


def check_chains(view: LedgerView) -> list[Problem]:
    """Each segment's chain: ids match file and position, ``n`` has no gap, ``prev`` links hold."""
    return [p for s in view.segments for p in _chain(s)]


def _chain(segment: Segment) -> Iterator[Problem]:
    name = segment.name
    prev_digest, prev_n, prev_line, prev_id = ledger.GENESIS, 0, 0, None
    damaged = 0  # unreadable lines since the last valid one: they explain a gap in n
    for line in segment.lines:
        entry = line.item
        if isinstance(entry, Problem):
            damaged += 1
            continue
        n, number = entry.n, line.number  # an id not of this file and n: the reader's problem, not an entry
        if damaged and prev_n < n <= prev_n + 1 + damaged:
            pass  # the damaged lines above were these entries (or a torn write pec wrote past)
        elif n > prev_n + 1:
            gap = f"n={prev_n + 1}" if n == prev_n + 2 else f"n={prev_n + 1} a {n - 1}"
            yield Problem(name, number, f"faltan entradas antes de esta ({gap}): fueron borradas del registro")
        elif n != prev_n + 1:
            yield Problem(name, number, f"número de secuencia n={n} fuera de orden (se esperaba {prev_n + 1}): línea duplicada o reordenada")
        elif entry.prev != prev_digest:
            if prev_id is None:
                yield Problem(name, number, "la huella de encadenamiento no coincide con el inicio del archivo; la entrada fue editada")
            else:
                yield Problem(name, prev_line, f"la entrada {prev_id} fue modificada después de registrarse (su huella no coincide con la que guarda la línea {number})")
        prev_digest, prev_n, prev_line, prev_id = line.digest, n, number, entry.id
        damaged = 0


def check_batches(view: LedgerView) -> Iterator[Problem]:
    """Imports cut short (information: their rows never count) and commits that do not match their rows."""
    for segment in view.segments:
        for batch in segment.batches:
            if batch.commit is None:
                done = _completed_later(view, segment.vigencia, batch)
                then = ("el archivo se importó de nuevo después y esas filas ya cuentan" if done
                        else "para registrarlas, vuelva a importar el mismo archivo con «pec import»")
                yield Problem(segment.name, batch.first, f"importación interrumpida: {len(batch.rows)} fila(s) "
                              f"sin confirmar (lote {batch.lote}) que no cuentan; {then}", info=True)
            elif batch.commit.get("filas") != len(batch.rows):
                yield Problem(segment.name, batch.commit.line, f"la importación del lote {batch.lote} dice "
                              f"{batch.commit.get('filas')} fila(s) y el registro tiene {len(batch.rows)}: faltan o sobran líneas")


def _completed_later(view: LedgerView, vigencia: int, batch: Batch) -> bool:
    """Whether importing the file again would add nothing of ``batch``: each row counts already (its
    ``importe``), or repeats a piece in force, which the import skips (``ledger.duplicates``)."""
    from pec_cli.ledger.duplicates import piece_keys

    entries = view.entries(vigencia)
    imported = {e.get("importe") for e in entries}
    voided = {e.anula for e in entries if e.clase == VOID}
    in_force = {key for e in entries if e.clase == PIECE and e.id not in voided for key in piece_keys(record_of(e))}
    return all(e.get("importe") in imported or in_force & set(piece_keys(record_of(e))) for e in batch.rows)


def check_ids(view: LedgerView) -> Iterator[Problem]:
    for vigencia in sorted(view.plans.keys() | {s.vigencia for s in view.segments}):
        seen: dict[str, Entry] = {}
        for entry in view.entries(vigencia):
            first = seen.setdefault(entry.id, entry)
            if first is not entry:
                yield Problem(entry.file, entry.line, f"id {entry.id} repetido (ya está en {first.file}:{first.line})")


def check_voids(view: LedgerView) -> Iterator[Problem]:
    for vigencia in sorted({s.vigencia for s in view.segments}):
        entries = view.entries(vigencia)
        by_id = {e.id: e for e in reversed(entries)}
        voided: dict[str, Entry] = {}
        for entry in entries:
            if entry.clase != VOID:
                continue
            target = by_id.get(entry.anula or "")
            if target is None:
                yield Problem(entry.file, entry.line, f"anula la entrada {entry.anula}, que no existe")
            elif target.clase == VOID:
                yield Problem(entry.file, entry.line, f"anula la entrada {entry.anula}, que es a su vez una anulación")
            elif target.clase in (CLOSE, REOPEN):
                yield Problem(entry.file, entry.line, f"anula el {target.clase} {entry.anula}, que no se anula "
                              "(no cuenta: un trimestre se reabre con «pec cierre --reabrir»)")
            elif entry.anula in voided:
                first = voided[entry.anula or ""]
                yield Problem(entry.file, entry.line, f"anula otra vez la entrada {entry.anula} (ya anulada en "
                              f"{first.file}:{first.line}); no cambia nada, la entrada se descuenta una vez", info=True)
            else:
                voided[entry.anula or ""] = entry
                if (entry.actividad, entry.tipo, entry.fecha) != (target.actividad, target.tipo, target.fecha):
                    # the tally subtracts the void's own activity, tipo and fecha (pec void copies the target's):
                    # a hand-made void that differs takes a piece from another count and leaves its target's
                    yield Problem(entry.file, entry.line, f"anula la entrada {entry.anula} pero dice otra actividad, "
                                  f"tipo o fecha ({_key(entry)} en vez de {_key(target)}): descuenta de otra cifra; pec no la "
                                  "escribió así: revierta en git el cambio que la trajo")


def _key(entry: Entry) -> str:
    return "/".join((entry.actividad or "—", entry.tipo or "—", entry.fecha.isoformat() if entry.fecha else "—"))


def check_imports(view: LedgerView) -> Iterator[Problem]:
    for vigencia in sorted({s.vigencia for s in view.segments}):
        imported: dict[str, Entry] = {}
        for entry in view.entries(vigencia):
            key = entry.get("importe")
            if isinstance(key, str):
                first = imported.setdefault(key, entry)
                if first is not entry:
                    yield Problem(entry.file, entry.line, f"fila importada dos veces (ya está en {first.file}:{first.line}); "
                                  f"anule una con «pec void {entry.id}»")


def check_plan_fit(view: LedgerView) -> Iterator[Problem]:
    """Pieces whose activity, date or tipo the plan of their vigencia does not have."""
    for vigencia in sorted({s.vigencia for s in view.segments}):
        plan = view.plans.get(vigencia)
        if plan is None:
            continue  # a missing plan is not a ledger problem; one that does not load is check_plans'
        for entry in view.entries(vigencia):
            if entry.clase != PIECE:
                continue
            act = plan.owner(entry.actividad)  # an earlier id (antes) is its activity
            if act is None:
                message = f"la actividad «{entry.actividad}» no existe en el plan {vigencia}"
            elif entry.fecha is not None and not act.inicio <= entry.fecha <= act.fin:
                message = f"la fecha {entry.fecha} está fuera de la ventana de «{act.id}»; no se cuenta"
            elif act.tipo(entry.tipo or "") is None:
                message = f"el tipo «{entry.tipo}» no existe en «{act.id}»"
            else:
                continue
            yield Problem(entry.file, entry.line, message)


def check_evidence(view: LedgerView) -> Iterator[Problem]:
    """Each piece's evidence file read as the paquete reads it (``evidence.read_stored``): the regular
    file pec stored under ``evidencias/``, no link, its SHA-256 the one recorded."""
    from pec_cli.ledger.evidence import read_stored

    fix = "restaure la copia (git la conserva) o registre de nuevo la pieza con su evidencia"
    for vigencia in sorted({s.vigencia for s in view.segments}):
        for entry in view.entries(vigencia):
            evidence = entry.evidence
            if evidence is None:
                continue
            try:
                read_stored(view.ws, evidence, fix)
            except PecError as exc:
                message = exc.message.rstrip(".")
                yield Problem(entry.file, entry.line, message[:1].lower() + message[1:])


def check_debris(view: LedgerView) -> list[Problem]:
    """Temporary files a writer killed mid-write left (``files.TMP_PATTERN``): nothing counts them."""
    from pec_cli.files import TMP_PATTERN

    ws = view.ws
    found = sorted({*ws.root.glob(TMP_PATTERN), *(p for folder in (ws.ledger_dir, ws.root / "evidencias", ws.plan_dir,
                                                                    ws.state_dir) for p in folder.rglob(TMP_PATTERN))})
    return [Problem(view.ws.display(p), 0, "archivo temporal que dejó un proceso interrumpido (kill -9, un corte de "
                    "luz); no cuenta en nada: bórrelo", info=True) for p in found]


def check_segment_files(view: LedgerView) -> Iterator[Problem]:
    """What stands in a ledger folder as a segment but is none: a link (git stores them: pec reads no segment
    through one, nor writes), a folder, a FIFO, a device. No reader reads it: its lines, if any, count nowhere."""
    for vigencia in ledger.all_vigencias(view.ws):
        for path in sorted(ledger.segment_dir(view.ws, vigencia).glob(f"*{ledger.SUFFIX}")):
            if path.is_symlink() or not path.is_file():
                what = "un enlace simbólico" if path.is_symlink() else "una carpeta" if path.is_dir() else \
                    "una tubería o un dispositivo"
                yield Problem(view.ws.display(path), 0, f"es {what}, no un archivo del registro: pec no lo lee "
                              "y nada de él cuenta; reemplácelo por el archivo real (o bórrelo)")


Check = Callable[[LedgerView], Iterable[Problem]]
CHECKS: tuple[Check, ...] = (
    check_plans, check_encoding, check_lines, check_chains, check_batches, check_ids, check_voids, check_imports,
    check_plan_fit, check_evidence, check_debris, check_segment_files,
)


def verify_workspace(ws: Workspace, checks: tuple[Check, ...] = CHECKS) -> tuple[list[Problem], str]:
    """(every problem, information included; one-line summary). ``checks``: :data:`CHECKS` and whatever a
    layer above adds (``report.closed.check_closures`` recomputes the closures)."""
    view = read_view(ws)
    problems = [p for check in checks for p in check(view)]
    total = sum(1 for s in view.segments for _ in s.counted())
    summary = (f"Registro íntegro: {total} entradas en {len(view.segments)} archivo(s), "
               "cadena de integridad y evidencias verificadas.")
    return problems, summary
