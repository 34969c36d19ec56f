"""One query over the ledger's entries, shared by ``pec list`` and ``pec export --detalle``.

:meth:`Query.build` turns what a person typed (activity, tipo, quarter,
dates) into checked values, refusing what the plan does not know;
:meth:`Query.select` applies it to entries already read. Pure: no I/O.
"""

import datetime as dt
from collections.abc import Iterable
from typing import NamedTuple

from pec_cli.errors import PecError
from pec_cli.ledger.entries import EVENTS, NOTE, PIECE, VOID, Entry
from pec_cli.plan.model import Plan, quarter_bounds
from pec_cli.plan.names import find_activity, find_target, parse_date, quarter_arg, resolve_name

EVENTS_QUERY = "eventos"  # ``pec list --cierres``: closures, reopenings, approvals and actions


class Selection(NamedTuple):
    """What a query selected, sorted, every void of the ledger (voided id -> motivo), and the pieces that are
    extemporáneas (registered after their quarter was closed: ``ledger.closures``)."""

    entries: list[Entry]
    voided: dict[str, str]
    desde: dt.date | None = None
    hasta: dt.date | None = None
    late: frozenset[str] = frozenset()


class Query(NamedTuple):
    clase: str = PIECE
    actividad: str | None = None
    tipo: str | None = None
    trimestre: int | None = None
    desde: dt.date | None = None
    hasta: dt.date | None = None
    anuladas: bool = False  # include voided entries (marked as such)
    antes: tuple[str, ...] = ()  # the activity's earlier ids: their entries are its own

    @classmethod
    def build(
        cls, plan: Plan, *, actividad: str | None = None, tipo: str | None = None, trim: str | None = None,
        desde: str | None = None, hasta: str | None = None, anuladas: bool = False, clase: str = PIECE,
    ) -> "Query":
        """The query of what a person typed; a PecError for anything the plan does not know."""
        act_id: str | None = None
        act = None
        if actividad and clase == NOTE and plan.line(find_target(plan, actividad)) is not None:
            act_id = find_target(plan, actividad)  # the observaciones of a whole line
        elif actividad:
            act = find_activity(plan, actividad)
            act_id = act.id
        if clase == NOTE and (tipo, desde, hasta) != (None, None, None):
            raise PecError("Las observaciones se filtran por actividad (o línea) y trimestre: quite --tipo, --desde "
                           "y --hasta, o use --actividad y --trim.", code=2)
        lo = parse_date(desde, " en --desde") if desde is not None else None
        hi = parse_date(hasta, " en --hasta") if hasta is not None else None
        if lo is not None and hi is not None and lo > hi:
            raise PecError(f"--desde ({lo.isoformat()}) es posterior a --hasta ({hi.isoformat()}); inviértalas.")
        tipo_id = None
        if tipo is not None:
            known = sorted({t.id for a in plan.actividades if act_id in (None, a.id) for t in a.tipos})
            where = f" en «{act_id}»" if act_id else ""
            tipo_id = resolve_name(tipo, known, f"El tipo «{tipo}» no existe{where}", "use uno de", field="tipo")
        quarter = quarter_arg(trim) if trim is not None else None
        if quarter is not None and clase == PIECE:
            q_lo, q_hi = quarter_bounds(plan.vigencia, quarter)
            lo, hi = max(lo or q_lo, q_lo), min(hi or q_hi, q_hi)
        return cls(clase, act_id, tipo_id, quarter, lo, hi, anuladas, act.antes if act else ())

    def matches(self, entry: Entry, voided: dict[str, str]) -> bool:
        if entry.clase != self.clase and not (self.clase == EVENTS_QUERY and entry.clase in EVENTS):
            return False
        if self.actividad is not None and entry.actividad != self.actividad and entry.actividad not in self.antes:
            return False
        if not self.anuladas and entry.id in voided:
            return False
        if self.clase in (NOTE, EVENTS_QUERY):
            return self.trimestre is None or entry.trimestre == self.trimestre
        if self.tipo is not None and entry.tipo != self.tipo:
            return False
        if self.desde is not None and (entry.fecha is None or entry.fecha < self.desde):
            return False
        return self.hasta is None or (entry.fecha is not None and entry.fecha <= self.hasta)

    def select(self, entries: Iterable[Entry]) -> Selection:
        entries = list(entries)
        voided: dict[str, str] = {}
        for entry in entries:
            if entry.clase == VOID and entry.anula:
                voided.setdefault(entry.anula, str(entry.get("motivo") or ""))
        chosen = [e for e in entries if self.matches(e, voided)]
        if self.clase == NOTE:
            chosen.sort(key=lambda e: (e.trimestre or 0, e.registrado, e.id))
        elif self.clase == EVENTS_QUERY:  # in the order registered: a «cumplida» (of no quarter) after its action
            chosen.sort(key=lambda e: (e.registrado, e.id))
        else:
            chosen.sort(key=lambda e: (e.fecha or dt.date.min, e.registrado, e.id))
        return Selection(chosen, voided, self.desde, self.hasta)
