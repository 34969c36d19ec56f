"""The plan as a published document: its versions (``cambios``) and signatures (``firmas``).

The seed ends with RESUMEN DE CAMBIOS (one row per versión) and RESPONSABILIDAD
Y AUTORIDAD (Elaboró / Actualizó, Revisó, Aprobó); the plan file keeps both, and
``pec plan show`` and the reports read them from here.
Standard library only: the reports read the cached plan.
"""

from __future__ import annotations

from pec_cli.plan.model import Plan

# The keys of ``firmas`` and how the seed heads each signature.
ROLES = (("elaboro", "Elaboró / Actualizó"), ("reviso", "Revisó"), ("aprobo", "Aprobó"))


def signatures(plan: Plan) -> list[tuple[str, dict[str, str]]]:
    """The plan's firmas as (how the seed heads it, {nombre, cargo, dependencia}); empty without firmas."""
    firmas = plan.textos.get("firmas") or {}
    return [(label, firmas[key]) for key, label in ROLES if key in firmas]
