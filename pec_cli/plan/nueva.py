"""Next year's plan from the latest one: the text of ``plan/<año>.yaml`` for the office to review.

The new file is the old one edited line by line, so its comments (the
readings of the source document) survive: ``vigencia`` and the year of
``fecha`` change, every activity's ``inicio``/``fin`` moves to the new year
(29 February becomes 28 in a common year), ``version`` restarts at "1",
``cambios`` restarts with that version's row (today, «Todos» the numerales,
made from the previous plan: ``pec plan check`` asks for it), ``firmas`` stay
for the office to confirm, and a comment at the top names what the office must
review (metas, windows, calendars, texts naming the old year). Every id is kept, so
scripts and the prospectiva keep working. Pure: text and plan in, text out.
"""

from __future__ import annotations

import datetime as dt
import json
import re

from pec_cli.plan.model import MONTHS, Plan

_WINDOW = re.compile(r"^(\s+)(inicio|fin):(\s*)(\d{4})-(\d{2})-(\d{2})(\s*(#.*)?)$")
_TOP_KEY = re.compile(r"^([a-z_]+):(.*)$")


def moved(day: dt.date, year: int) -> dt.date:
    """``day`` in ``year``: same month and day (29 February becomes 28 in a common year)."""
    try:
        return day.replace(year=year)
    except ValueError:
        return day.replace(year=year, day=28)


def _first_change(plan: Plan, year: int, source: str, today: dt.date) -> str:
    """The new plan's RESUMEN DE CAMBIOS: the row of its version "1", which ``pec plan check`` asks for."""
    description = json.dumps(f"Plan {year} creado con «pec plan nueva {year}» a partir del plan {plan.vigencia} "
                             f"({source}), versión {plan.version}; pendiente de revisión", ensure_ascii=False)
    return "\n".join(["cambios:", '  - version: "1"', f"    fecha: {today.isoformat()}", "    numerales: Todos",
                      f"    descripcion: {description}"])


def _edit_line(line: str, plan: Plan, year: int, in_cambios: bool, first_change: str) -> str | None:
    """The line in the new plan (None: dropped)."""
    if window := _WINDOW.match(line):
        indent, key, space, y, m, d, rest = window.group(1, 2, 3, 4, 5, 6, 7)
        new = moved(dt.date(int(y), int(m), int(d)), year + int(y) - plan.vigencia)
        return f"{indent}{key}:{space}{new.isoformat()}{rest}"
    if top := _TOP_KEY.match(line):
        key, value = top.groups()
        if key == "vigencia":
            return f"vigencia: {year}"
        if key == "version":
            return 'version: "1"'
        if key == "fecha":
            return f"fecha:{value.replace(str(plan.vigencia), str(year))}"
        if key == "cambios":
            return first_change
    dropped = in_cambios and line.strip() and not line.startswith("#")  # the old plan's change log
    return None if dropped else line


def _short(text: str, width: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _review_comment(plan: Plan, year: int, source: str, today: dt.date, old_year_keys: list[str]) -> list[str]:
    shift = year - plan.vigencia
    out = [
        f"# Plan {year}: BORRADOR hecho con «pec plan nueva {year}» a partir de {source} el {today.isoformat()}.",
        "# Antes de registrar piezas en él, la oficina debe revisar y corregir:",
        "#  - metas (se copiaron las del plan anterior):",
    ]
    out += [f"#      {a.id}: {_short(a.meta_texto or str(a.meta))}" for a in plan.actividades]
    out.append(f"#  - ventanas de las actividades (se movieron {shift:+d} año(s), mismos días):")
    out += [
        f"#      {a.id}: {moved(a.inicio, a.inicio.year + shift).isoformat()} a {moved(a.fin, a.fin.year + shift).isoformat()}"
        for a in plan.actividades
    ]
    calendars = [a for a in plan.actividades if a.calendario]
    if calendars:
        out.append("#  - calendarios (meses de cada campaña):")
        out += [f"#      {a.id}: {', '.join(MONTHS[m - 1] for m in a.calendario)}" for a in calendars]
    if old_year_keys:
        out.append(f"#  - textos que aún nombran {plan.vigencia}: {', '.join(old_year_keys)}")
    out += [
        "#  - versión (reiniciada a \"1\"), fecha, cambios (una fila para la versión 1) y firmas (quién elaboró,",
        "#    revisó y aprobó este plan).",
        f"# Luego valide con «pec plan check --vigencia {year}» y borre este comentario. Los comentarios",
        f"# de abajo vienen del plan {plan.vigencia}: explican sus lecturas del documento fuente.",
    ]
    return out


def next_plan_text(text: str, plan: Plan, year: int, source: str, today: dt.date) -> str:
    """The text of the plan for ``year`` made from ``plan`` (whose YAML is ``text``)."""
    lines = text.splitlines()
    start = next((i for i, ln in enumerate(lines) if ln.strip() and not ln.startswith("#")), len(lines))
    body: list[str] = []
    in_cambios = False
    current_key = ""
    old_year_keys: list[str] = []
    first_change = _first_change(plan, year, source, today)
    for line in lines[start:]:
        top = _TOP_KEY.match(line)
        if top:
            current_key = top.group(1)
            in_cambios = False
        edited = _edit_line(line, plan, year, in_cambios, first_change)
        if top and current_key == "cambios":
            in_cambios = True
        if edited is not None:
            body.append(edited)
        if (str(plan.vigencia) in line and edited == line and not line.lstrip().startswith("#")
                and current_key not in old_year_keys and current_key not in ("cambios", "prospectiva")):
            old_year_keys.append(current_key)
    if first_change not in body:  # a plan without «cambios»: the new one has its first row all the same
        body += ["", first_change]
    header = _review_comment(plan, year, source, today, old_year_keys)
    return "\n".join([*header, "", *body]) + "\n"
