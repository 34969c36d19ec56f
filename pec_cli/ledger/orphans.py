"""Entries that belong to no activity of the plan: a rename without ``antes``, a removed activity.

They count in no figure, so ``pec plan check`` fails on them and ``pec status`` /
``pec export`` warn, naming each id and how many entries (in force) it holds
(SPEC §5). An activity's earlier ids (``antes``) are its own; a line's id is a
valid target for an observación. Pure: the caller gives the folded ledger.
"""

from __future__ import annotations

from pec_cli.ledger.tally import Tally
from pec_cli.plan.model import Plan


def orphan_counts(plan: Plan, totals: Tally) -> dict[str, int]:
    """Per ``actividad`` of the ledger that the plan does not know: its entries in force."""
    activities = {i for act in plan.actividades for i in act.ids}
    notes_ok = activities | {ln.id for ln in plan.lineas}
    found: dict[str, int] = {}
    for (actividad, _tipo, _fecha), n in totals.counts.items():
        if n > 0 and actividad not in activities:
            found[actividad] = found.get(actividad, 0) + n
    for actividad, *_ in totals.notes.values():
        if actividad not in notes_ok:
            found[actividad] = found.get(actividad, 0) + 1
    return dict(sorted(found.items()))


def orphans_text(found: dict[str, int]) -> str:
    """``«noti» (12 entradas), «x» (1 entrada)``."""
    return ", ".join(f"«{key}» ({n} entrada{'' if n == 1 else 's'})" for key, n in found.items())


def orphans_notice(plan: Plan, totals: Tally) -> str | None:
    """The warning of ``pec status`` and ``pec export``, or None."""
    found = orphan_counts(plan, totals)
    if not found:
        return None
    first = next(iter(found))
    return (f"el registro tiene entradas de actividades que no están en el plan {plan.vigencia}: {orphans_text(found)}; "
            f"no cuentan en ninguna cifra. Si la actividad cambió de id, añada «antes: [{first}]» a la actividad "
            "nueva en el plan; «pec plan check» lo comprueba")
