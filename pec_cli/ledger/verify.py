"""``pec verify``: every check of the ledger, problems as ``file:line: message``.

Reads every segment of every vigencia from the files themselves (never a
cache): each line parses; each segment's chain holds (``n`` counts up by one,
``prev`` is the digest of the previous valid line, the id matches the segment
and position); ids are unique; voids name an existing entry that is not a
void and is voided once; pieces fit their plan; evidence files exist with
their recorded SHA-256. See ``ledger`` for what the chain can and cannot see.
"""

from __future__ import annotations

from pathlib import Path

from pec_cli.errors import PecError
from pec_cli.ledger import store as ledger
from pec_cli.ledger.entries import PIECE, VOID, Entry
from pec_cli.plan.model import Plan
from pec_cli.workspace import Workspace


def _plans(ws: Workspace) -> dict[int, Plan | None]:
    from pec_cli.plan.cache import load_plan_cached

    plans: dict[int, Plan | None] = {}
    for year, path in ws.plans().items():
        try:
            plans[year] = load_plan_cached(ws, path)
        except PecError:
            plans[year] = None
    return plans


def verify_segment(ws: Workspace, vigencia: int, path: Path, problems: list[str]) -> list[Entry]:
    """The valid entries of one segment; chain problems appended to ``problems``."""
    name = ws.display(path)
    writer = path.stem
    entries: list[Entry] = []
    prev_digest, prev_n, prev_line, prev_id = ledger.GENESIS, 0, 0, None
    damaged = 0  # unreadable lines since the last valid one: they explain a gap in n
    for number, raw in ledger.iter_lines(path):
        try:
            record = ledger.decode(raw)
            entry = ledger.to_entry(record, name, number)
        except ledger.BadLine as exc:
            problems.append(
                f"{name}:{number}: {exc}; si la pieza falta en «pec list», regístrela de nuevo, "
                "y borre esta línea a mano (git conserva el historial)"
            )
            damaged += 1
            continue
        n = record["n"]
        if record["id"] != f"{vigencia}-{writer}-{n}":
            problems.append(f"{name}:{number}: el id {record['id']} no corresponde a este archivo y posición (n={n}); la entrada fue movida o editada")
        if damaged and prev_n < n <= prev_n + 1 + damaged:
            pass  # the damaged lines above were these entries (or a torn write pec wrote past)
        elif n != prev_n + 1:
            if n > prev_n + 1:
                gap = f"n={prev_n + 1}" if n == prev_n + 2 else f"n={prev_n + 1} a {n - 1}"
                problems.append(f"{name}:{number}: faltan entradas antes de esta ({gap}): fueron borradas del registro")
            else:
                problems.append(f"{name}:{number}: número de secuencia n={n} fuera de orden (se esperaba {prev_n + 1}): línea duplicada o reordenada")
        elif record["prev"] != prev_digest:
            if prev_id is None:
                problems.append(f"{name}:{number}: la huella de encadenamiento no coincide con el inicio del archivo; la entrada fue editada")
            else:
                problems.append(f"{name}:{prev_line}: la entrada {prev_id} fue modificada después de registrarse (su huella no coincide con la que guarda la línea {number})")
        prev_digest, prev_n, prev_line, prev_id = ledger.digest(raw), n, number, record["id"]
        damaged = 0
        entries.append(entry)
    return entries


def verify_workspace(ws: Workspace) -> tuple[list[str], str]:
    """(problems, one-line summary)."""
    problems: list[str] = []
    plans = _plans(ws)
    total = files = 0
    for vigencia in ledger.all_vigencias(ws):
        entries: list[Entry] = []
        for path in ledger.segments(ws, vigencia):
            files += 1
            entries += verify_segment(ws, vigencia, path, problems)
        total += len(entries)
        _check_entries(ws, vigencia, entries, plans.get(vigencia), problems)
    summary = f"Registro íntegro: {total} entradas en {files} archivo(s), cadena de integridad y evidencias verificadas."
    return problems, summary


def _check_entries(ws: Workspace, vigencia: int, entries: list[Entry], plan: Plan | None, problems: list[str]) -> None:
    by_id: dict[str, Entry] = {}
    for entry in entries:
        if entry.id in by_id:
            first = by_id[entry.id]
            problems.append(f"{entry.file}:{entry.line}: id {entry.id} repetido (ya está en {first.file}:{first.line})")
        else:
            by_id[entry.id] = entry
    voided: dict[str, Entry] = {}
    imported: dict[str, Entry] = {}
    for entry in entries:
        where = f"{entry.file}:{entry.line}"
        key = entry.get("importe")
        if isinstance(key, str):
            if key in imported:
                first = imported[key]
                problems.append(f"{where}: fila importada dos veces (ya está en {first.file}:{first.line}); anule una con «pec void {entry.id}»")
            else:
                imported[key] = entry
        if entry.clase == VOID:
            target = by_id.get(entry.anula or "")
            if target is None:
                problems.append(f"{where}: anula la entrada {entry.anula}, que no existe")
            elif target.clase == VOID:
                problems.append(f"{where}: anula la entrada {entry.anula}, que es a su vez una anulación")
            elif entry.anula in voided:
                first = voided[entry.anula or ""]
                problems.append(f"{where}: anula otra vez la entrada {entry.anula} (ya anulada en {first.file}:{first.line})")
            else:
                voided[entry.anula or ""] = entry
        if entry.clase == PIECE and plan is not None:
            act = plan.owner(entry.actividad)  # an earlier id (antes) is its activity
            if act is None:
                problems.append(f"{where}: la actividad «{entry.actividad}» no existe en el plan {vigencia}")
            elif entry.fecha is not None and not act.inicio <= entry.fecha <= act.fin:
                problems.append(f"{where}: la fecha {entry.fecha} está fuera de la ventana de «{act.id}»; no se cuenta")
            elif act.tipo(entry.tipo or "") is None:
                problems.append(f"{where}: el tipo «{entry.tipo}» no existe en «{act.id}»")
        evidencia = entry.get("evidencia")
        if isinstance(evidencia, dict):
            _check_evidence(ws, where, evidencia, problems)


def _check_evidence(ws: Workspace, where: str, evidencia: dict, problems: list[str]) -> None:
    from pec_cli.ledger.evidence import file_sha256

    archivo = str(evidencia.get("archivo", ""))
    path = (ws.root / archivo).resolve()
    if not archivo or ws.root.resolve() not in path.parents:
        problems.append(f"{where}: la evidencia «{archivo}» apunta fuera del espacio de trabajo")
        return
    if not path.is_file():
        problems.append(f"{where}: falta el archivo de evidencia {archivo}")
    elif file_sha256(path) != evidencia.get("sha256"):
        problems.append(f"{where}: el archivo de evidencia {archivo} cambió (su SHA-256 no coincide)")
