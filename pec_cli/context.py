"""The application layer: one loaded workspace, plan and day, and what commands ask of them.

Every command that reads the ledger goes through a :class:`Context`: it loads
the plan once (from the cache when it can), folds the ledger once, and
collects the warnings of every read, so that the CLI prints each warning once
and the reports stay pure (``report.avance.compute`` takes values, not files).
It is the only place that joins the layers below it; the CLI sits on top.
"""

from __future__ import annotations

import datetime as dt
from functools import cached_property
from typing import TYPE_CHECKING

from pec_cli.errors import PecError
from pec_cli.plan.model import Plan
from pec_cli.workspace import Workspace

if TYPE_CHECKING:
    from pec_cli.ledger.closures import Closure, Quarters
    from pec_cli.ledger.query import Query, Selection
    from pec_cli.ledger.tally import Tally
    from pec_cli.report.avance import Report
    from pec_cli.report.cuatrienio import Cuatrienio


class Context:
    """A workspace, the plan of one vigencia and today's date, loaded once at the edge."""

    def __init__(self, workspace: Workspace, plan: Plan, today: dt.date) -> None:
        self.workspace = workspace
        self.plan = plan
        self.today = today
        self.warnings: list[str] = []
        self._totals: Tally | None = None
        self.positions: dict[str, int] = {}  # where each segment stood when the tally was read

    @classmethod
    def load(cls, root: str | None, vigencia: int | None, year_hint: int | None = None) -> Context:
        """The context of ``root`` (or the workspace found from here) for ``vigencia``.

        Without a vigencia, ``year_hint`` (e.g. the year of ``--fecha``) picks
        its plan when there is one, else today's year, else the latest plan.
        """
        from pec_cli.plan.cache import load_plan_cached
        from pec_cli.workspace import find_workspace, today

        ws = find_workspace(root)
        day = today()
        if vigencia is None and year_hint is not None and year_hint in ws.plans():
            vigencia = year_hint
        return cls(ws, load_plan_cached(ws, ws.plan_path(vigencia, day)), day)

    def activity_of(self, activity_id: str) -> str:
        """A ledger's ``actividad`` as the plan's id (an earlier id is the activity it became)."""
        act = self.plan.owner(activity_id)
        return act.id if act is not None else activity_id

    def take_warnings(self) -> list[str]:
        """The warnings gathered so far, each once, in order; the list is emptied."""
        out = list(dict.fromkeys(self.warnings))
        self.warnings.clear()
        return out

    def tally(self) -> Tally:
        """The ledger's totals for the plan's vigencia (read once per context)."""
        if self._totals is None:
            from pec_cli.ledger.cache import read_tally

            self._totals = read_tally(self.workspace, self.plan.vigencia, self.warnings, positions=self.positions)
        return self._totals

    def quarter(self, quarter: int | None) -> int:
        """``quarter``, or by default today's when today falls in the vigencia, else IV."""
        from pec_cli.report.avance import default_quarter

        return quarter or default_quarter(self.plan, self.today)

    def report(self, quarter: int | None = None) -> Report:
        """The avance up to ``quarter`` (default: see :meth:`quarter`), closed quarters as sealed; warns of
        unstarted quarters."""
        from pec_cli.report.avance import compute, unstarted_notice

        report = self.closed(compute(self.plan, self.tally(), self.quarter(quarter), self.today))
        self.check_orphans()
        if notice := unstarted_notice(report, self.today):
            self.warnings.append(notice)
        return report

    def quarters(self, day: dt.date | None = None) -> Quarters:
        """The vigencia's closures, sign-offs and actions (``ledger.closures``) as of ``day`` (default today)."""
        from pec_cli.ledger.closures import quarters

        return quarters(self.tally().net().events, day or self.today)

    def closed(self, report: Report, as_of: dt.date | None = None) -> Report:
        """``report`` with its closed quarters as sealed (``report.closed``): those closed by ``as_of`` (default
        today: a report as of an earlier day shows what was there then). Where each closed quarter, computed
        today as its closure computed it, differs, it says why: the pieces the closure did not see
        (extemporáneas), a void since, the plan it was computed with."""
        from pec_cli.ledger.closures import missing_analyses
        from pec_cli.report import closed
        from pec_cli.report.avance import compute

        day = as_of or self.today
        state = self.quarters(day)
        standing = state.closed
        self.warnings += [text for text in state.information if text not in self.warnings]  # closed twice
        report, differences = closed.apply(report, standing,
                                           lambda c: compute(self.plan, self.tally(), c.trimestre, c.fecha))
        mine = {k: c for k, c in standing.items() if k <= report.trimestre}
        if not mine:
            return report
        return report._replace(
            cerrados=mine, recalculado=tuple(differences), plan_sha256=self.plan_sha256(),
            tardias=self.late(mine) if differences else {}, hoy=day,
            aprobaciones=tuple(a for a in state.approvals.get(report.trimestre, ()) if a.fecha <= day),
            acciones=tuple(a for a in state.actions if a.trimestre <= report.trimestre and a.fecha <= day),
            sin_analisis=tuple(missing_analyses(state, report.trimestre, day, self.activity_of)))

    def late(self, closed: dict[int, Closure]) -> dict[tuple[str, str], int]:
        """Per (activity or line, closed quarter): the pieces in force dated in that quarter that its closure
        did not see (extemporáneas: they count in today's recomputation only); per (row, «acumulado II»): those
        dated up to that quarter that its closure did not see (what its sealed acumulado lacks)."""
        from pec_cli.ledger.query import Query
        from pec_cli.plan.model import QUARTERS, quarter_of

        out: dict[tuple[str, str], int] = {}
        for entry in self.entries(Query()).entries:
            act = self.plan.owner(entry.actividad)
            if entry.fecha is None or act is None:
                continue
            dated = quarter_of(entry.fecha)
            for closure in closed.values():
                if closure.trimestre < dated or closure.saw(entry.id):
                    continue
                label = QUARTERS[closure.trimestre - 1]
                for key in (f"acumulado {label}", *([label] if closure.trimestre == dated else [])):
                    for row in (act.id, act.linea):
                        out[(row, key)] = out.get((row, key), 0) + 1
        return out

    def late_notice(self, fechas: list[str]) -> str | None:
        """The warning of pieces just written that are extemporáneas (dated in a closed quarter), or None."""
        from pec_cli.plan.model import QUARTERS, quarter_of

        closed = self.quarters().closed
        late = [quarter_of(dt.date.fromisoformat(f)) for f in fechas if quarter_of(dt.date.fromisoformat(f)) in closed]
        if not late:
            return None
        quarters = ", ".join(f"Trim. {QUARTERS[q - 1]} (cerrado el {closed[q].fecha.isoformat()})"
                             for q in sorted(set(late)))
        piezas = "1 pieza es extemporánea" if len(late) == 1 else f"{len(late)} piezas son extemporáneas"
        plural = "n" if len(late) > 1 else ""
        return (f"{piezas}: su trimestre ya se cerró, {quarters}; se conserva{plural} y cuenta{plural} en el "
                "recálculo de hoy, nunca en las cifras selladas (los informes dicen la diferencia)")

    def plan_sha256(self) -> str:
        """The plan file's :func:`~pec_cli.ledger.closures.plan_digest` (what a closure keeps)."""
        from pec_cli.ledger.closures import plan_digest

        return plan_digest(self.workspace.plan_path(self.plan.vigencia, self.today).read_bytes())

    def check_orphans(self) -> None:
        """Warn of entries that belong to no activity of the plan (they count nowhere)."""
        from pec_cli.ledger.orphans import orphans_notice

        if notice := orphans_notice(self.plan, self.tally().net()):
            self.warnings.append(notice)

    def history(self, quarter: int | None = None) -> list[Report]:
        """The reports of quarters I..``quarter``: the cumulative curve of the exports. Each counts requests
        answered by the last one's corte (one corte per report), and shows its closed quarters as sealed."""
        from pec_cli.report.avance import compute

        last = self.report(quarter)
        earlier = [self.closed(compute(self.plan, self.tally(), k, self.today, answered_by=last.corte))
                   for k in range(1, last.trimestre)]
        return [*earlier, last]

    def cuatrienio(self, at: dt.date | None = None) -> Cuatrienio | None:
        """Every year of the plan's prospectiva, each from its own plan and ledger, as of ``at`` (a report's
        corte; default today). None: the plan has none."""
        from pec_cli.ledger.cache import read_tally
        from pec_cli.plan.cache import load_plan_cached
        from pec_cli.report.cuatrienio import compute_cuatrienio, prospectiva

        pro = prospectiva(self.plan)
        if pro is None:
            return None
        plans = self.workspace.plans()
        years: dict[int, tuple[Plan, Tally] | None] = {}
        for year in (int(y) for y in pro["anios"]):
            if year == self.plan.vigencia:
                years[year] = (self.plan, self.tally())
            elif year in plans:
                try:
                    other = load_plan_cached(self.workspace, plans[year])
                except PecError as exc:  # another year's broken plan must not stop this year's report
                    self.warnings.append(f"{exc.message.rstrip('.:')}; el cuatrienio muestra {year} como sin plan")
                    continue
                years[year] = (other, read_tally(self.workspace, year, self.warnings))
        return compute_cuatrienio(self.plan, years, at or self.today, self.today)

    @cached_property
    def _entries(self) -> list:
        from pec_cli.ledger.store import read_entries

        return list(read_entries(self.workspace, self.plan.vigencia, self.warnings))

    def entries(self, query: Query) -> Selection:
        """The entries of the vigencia that ``query`` selects (read once per context), with the pieces among
        them that are extemporáneas (their quarter's closure did not see them)."""
        from pec_cli.plan.model import quarter_of

        selection = query.select(self._entries)
        closed = self.quarters().closed if self.tally().events else {}
        late = frozenset(e.id for e in selection.entries if e.fecha is not None and e.clase == "pieza"
                         and (c := closed.get(quarter_of(e.fecha))) is not None and not c.saw(e.id))
        return selection._replace(late=late)
