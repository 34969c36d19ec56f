"""The plan as a published document: its versions (``cambios``) and signatures (``firmas``).

The seed ends with RESUMEN DE CAMBIOS (one row per versión) and RESPONSABILIDAD
Y AUTORIDAD (Elaboró / Actualizó, Revisó, Aprobó); the plan file keeps both, and
``pec plan check``, ``pec plan show`` and the reports read them from here.
Standard library only: the reports read the cached plan.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pec_cli.plan.model import Plan
from pec_cli.plan.names import fold_name

# The keys of ``firmas`` and how the seed heads each signature.
ROLES = (("elaboro", "Elaboró / Actualizó"), ("reviso", "Revisó"), ("aprobo", "Aprobó"))


def same_version(a: str, b: str) -> bool:
    """Whether two versiones are one: written with digits they compare as numbers ("1" is "01")."""
    a, b = a.strip(), b.strip()
    if a.isascii() and a.isdigit() and b.isascii() and b.isdigit():
        return int(a) == int(b)
    return a == b


def version_row(textos: Mapping[str, Any], version: str) -> dict[str, Any] | None:
    """The ``cambios`` row of ``version`` (the latest one written, if several)."""
    rows = [row for row in textos.get("cambios") or () if same_version(str(row["version"]), version)]
    return rows[-1] if rows else None


def version_problem(version: str, cambios: list[str]) -> str | None:
    """Why the plan's ``version`` cannot be published: it has no row in RESUMEN DE CAMBIOS."""
    if any(same_version(row, version) for row in cambios):
        return None
    known = f" (tiene: {', '.join(cambios)})" if cambios else ""
    return (f"la versión «{version}» no tiene fila en «cambios»{known}: añada una con version, fecha, numerales y "
            "descripcion (el RESUMEN DE CAMBIOS del documento), o corrija «version»")


def signatures(plan: Plan) -> list[tuple[str, dict[str, str]]]:
    """The plan's firmas as (how the seed heads it, {nombre, cargo, dependencia}); empty without firmas."""
    firmas = plan.textos.get("firmas") or {}
    return [(label, firmas[key]) for key, label in ROLES if key in firmas]


def firmas_notices(plan: Plan) -> list[str]:
    """What ``pec plan check`` points out about the firmas, without refusing the plan."""
    firmas = plan.textos.get("firmas") or {}
    if "elaboro" in firmas and "aprobo" in firmas and fold_name(firmas["elaboro"]["nombre"]) == fold_name(firmas["aprobo"]["nombre"]):
        return [f"la misma persona elaboró y aprobó el plan ({firmas['aprobo']['nombre']}); revise «firmas.aprobo»."]
    return []
