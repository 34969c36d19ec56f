"""``pec void ID --motivo TEXTO``: a correction that voids an entry (nothing is deleted)."""

import re
from typing import TYPE_CHECKING, Annotated

import typer

from pec_cli.cli import base
from pec_cli.cli.base import RootOpt, SpanishCommand, app
from pec_cli.errors import PecError

if TYPE_CHECKING:
    from pec_cli.ledger.cache import LedgerKeys
    from pec_cli.ledger.entries import Entry


@app.command(cls=SpanishCommand)
def void(
    entry_id: Annotated[str, typer.Argument(metavar="ID", help="Id de la entrada que se anula.")],
    motivo: Annotated[str | None, typer.Option("--motivo", metavar="TEXTO", help="Por qué se anula (queda en el registro); en una terminal se pregunta si falta.", show_default=False)] = None,
    root: RootOpt = None,
) -> None:
    """Anular una entrada con un motivo (se añade una corrección; nada se borra)."""
    from pec_cli.cli.registrant import registrant
    from pec_cli.ledger import store
    from pec_cli.ledger.cache import LedgerKeys, read_tally
    from pec_cli.ledger.entries import entry_of
    from pec_cli.ledger.records import build_void
    from pec_cli.workspace import find_workspace, now_iso

    wanted = entry_id.strip()
    match = re.fullmatch(r"(\d{4})-[a-z0-9]+-\d+", wanted)
    if not match:
        raise PecError(f"«{entry_id}» no es un id de entrada (tienen la forma 2024-abcde-12); búsquelo con «pec list».")
    ws = find_workspace(root)
    vig = int(match.group(1))
    keys = LedgerKeys(ws, vig)
    found = keys.find(wanted)
    if not found:
        raise PecError(f"No existe la entrada {wanted} en el registro; búsquela con «pec list».")
    if len(found) > 1:
        places = ", ".join(sorted({ws.display(path) for path, _ in found}))
        raise PecError(f"El id {wanted} está repetido en el registro ({places}): no se sabe cuál anular; "
                       "ejecute «pec verify» y corrija el registro antes de anular.")
    path, line = found[0]
    assert line.record is not None
    target = entry_of(line.record, ws.display(path))
    por = registrant(ws)
    if not motivo and base.interactive():
        motivo = typer.prompt(f"Motivo de la anulación de {target.id}", err=True)
    registrado = now_iso()
    record = build_void(target, motivo or "", set(keys.voided), registrado)

    def not_voided_meanwhile() -> None:  # under the segment's lock: two people voiding one entry
        build_void(target, motivo or "", set(read_tally(ws, vig, []).voids), registrado)

    (new_id,) = store.append(ws, vig, [record], under_lock=not_voided_meanwhile, por=por)
    base.tell(f"Anulada {target.id} ({described(target)}); motivo: {record['motivo']}.")
    _warn_answers(keys, wanted)
    typer.echo(new_id)


def described(target: "Entry") -> str:
    """What an entry is, for the line that says it was voided: a piece's activity, tipo, date and title (else
    its área, or its network and value); an observación's activity and quarter; a sign-off's or an action's
    own sentence (``pec list --cierres``)."""
    from pec_cli.ledger.entries import NOTE
    from pec_cli.plan.model import QUARTERS
    from pec_cli.report.detail import EVENT_NAMES, event_text

    if target.clase in EVENT_NAMES:
        return f"{EVENT_NAMES[target.clase]}: {event_text(target)}"
    if target.clase == NOTE:
        quarter = f" del Trim. {QUARTERS[target.trimestre - 1]}" if target.trimestre else ""
        return f"observación de {target.actividad}{quarter}: «{_short(str(target.get('texto') or ''))}»"
    fecha = target.fecha.isoformat() if target.fecha else "sin fecha"
    titulo = target.get("titulo")
    name = f"«{_short(str(titulo))}»" if titulo else " ".join(
        str(target.get(key)) for key in ("area", "red", "valor") if target.get(key) not in (None, ""))
    return ", ".join(part for part in (target.actividad, target.tipo or "", fecha) if part) + (f": {name}" if name else "")


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _warn_answers(keys: "LedgerKeys", voided: str) -> None:
    """Voiding a request (or evento) that pieces answer: say which pieces answered it."""
    answers = sorted(piece for s in keys.summaries for piece, (_act, target, _fecha) in s.tally.links.items()
                     if target == voided and piece not in keys.voided)
    if answers:
        base.warn([f"{voided} está atendida por {', '.join(answers)}: esa pieza ya no cuenta como respuesta de "
                   "una solicitud vigente; si la solicitud era otra, corrija su --atiende registrándola de nuevo"])
