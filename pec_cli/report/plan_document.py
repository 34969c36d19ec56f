"""The plan document itself (``pec plan show --format html,pdf,markdown``), laid out as the seed is.

Header, introducción, misión, visión, objetivos, contexto, the 3.1
prospectiva and 3.2 intervention tables, the Seguimiento table (formulas
verbatim, programación per quarter), the observaciones (publishing rules),
RESUMEN DE CAMBIOS and RESPONSABILIDAD Y AUTORIDAD, then an annex with what
pec reads to follow the plan (ids, tipos, computed formulas and their
lectura), so that the office publishes by 31 January the same file that
computes the figures. :func:`document` builds the sections once as plain
values; Markdown is written here, HTML by ``html.plan_page``, the PDF is
that page printed. Standard library only; no I/O.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from pec_cli.plan.document import signatures
from pec_cli.plan.model import QUARTERS, Activity, Plan
from pec_cli.report.fichas import meta_text
from pec_cli.report.markdown import md
from pec_cli.report.numbers import count_text


class Code(NamedTuple):
    """A cell or line shown as written, never reflowed or escaped into something else (a formula)."""

    text: str


Cell = str | Code
NOT_SAID = "el plan no lo dice"


class Grid(NamedTuple):
    """A table: its caption, column headers and rows; with ``row_headers`` the first cell of a row heads it."""

    caption: str
    headers: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    row_headers: bool = False


class Bullets(NamedTuple):
    items: tuple[Cell, ...]


Block = str | Bullets | Grid  # a str is a paragraph


class Section(NamedTuple):
    heading: str
    blocks: tuple[Block, ...]
    level: int = 2  # 2: a numbered part of the seed; 3: one of its items
    new_page: bool = False  # printed from the top of a page (the annex)


def heading(plan: Plan) -> str:
    return f"{plan.titulo} {plan.vigencia}"


def facts(plan: Plan) -> list[tuple[str, str]]:
    """The header's lines: where and when, versión, vigencia."""
    textos = plan.textos
    where = ", ".join(t for t in (textos.get("lugar", ""), textos.get("fecha", "")) if t)
    return [("Lugar y fecha", where or "sin dato"), ("Versión", plan.version), ("Vigencia", str(plan.vigencia))]


def _pct(value: float) -> str:
    return f"{count_text(value)}\u00a0%"  # never «100» on one line and «%» on the next


def _objetivos(textos: dict[str, Any]) -> list[Section]:
    out = []
    for obj in textos.get("objetivos") or ():
        blocks: list[Block] = [obj["texto"]] if obj.get("texto") else []
        if obj.get("especificos"):
            blocks.append(Bullets(tuple(obj["especificos"])))
        out.append(Section(f"{obj['numero']} {obj['titulo']}", tuple(blocks), 3))
    return out


def _prospectiva(plan: Plan) -> list[Section]:
    pro = plan.textos.get("prospectiva")
    if not pro:
        return []
    names = {ln.id: f"{ln.numero}. {ln.nombre}" for ln in plan.lineas}
    rows = tuple((names.get(line_id, line_id), *(_pct(v) for v in values)) for line_id, values in pro["lineas"].items())
    grid = Grid("Ejecución interanual por línea", ("Actividades", *(str(y) for y in pro["anios"])), rows, True)
    return [Section("3.1 Prospectiva de intervención cuatrienal", tuple(b for b in (pro.get("descripcion"), grid) if b), 3)]


def _intervencion(plan: Plan) -> Section:
    rows = tuple(
        (f"{act.nombre}: {act.descripcion}" if act.descripcion else act.nombre, act.inicio.isoformat(), act.fin.isoformat(),
         act.meta_texto or meta_text(act), act.responsable)
        for act in plan.actividades
    )
    grid = Grid(f"Plan de intervención {plan.vigencia}",
                ("Planes - Proyectos / Actividades", "Fecha inicio", "Fecha fin", "Meta / Producto", "Responsable"), rows)
    return Section(f"3.2 Plan de intervención para la vigencia {plan.vigencia}", (grid,), 3)


def _seguimiento(plan: Plan) -> Section:
    rows: tuple[tuple[Cell, ...], ...] = tuple(
        (f"{ln.numero}. {ln.nombre}", ln.indicador.nombre, Code(ln.indicador.texto), _pct(ln.meta),
         *(_pct(p) for p in ln.programacion), ln.observaciones or "Ninguna")
        for ln in plan.lineas
    )
    headers = ("Línea", "Planes - Proyectos / Actividades", "Indicador", f"Meta % {plan.vigencia}",
               *(f"Trim. {q}" for q in QUARTERS), "Observaciones")
    grid = Grid("Implementación del PEC: avance trimestral programado", headers, rows, True)
    return Section("Seguimiento", ("Implementación del PEC: cada línea, su indicador tal como lo escribe el documento, "
                                   "su meta y la programación de cada trimestre.", grid))


def _cambios_y_firmas(plan: Plan) -> list[Section]:
    cambios = tuple((row["version"], str(row["fecha"]), row["numerales"], row["descripcion"])
                    for row in plan.textos.get("cambios") or ())
    out = [Section("Resumen de cambios", (
        Grid("Resumen de cambios", ("Versión", "Fecha", "Numerales", "Descripción de la modificación"), cambios)
        if cambios else "El plan no registra cambios.",))]
    if firmas := signatures(plan):
        rows: tuple[tuple[Cell, ...], ...] = tuple(
            (field.capitalize(), *(firma[field] for _, firma in firmas)) for field in ("nombre", "cargo", "dependencia"))
        out.append(Section("Responsabilidad y autoridad", (
            Grid("Responsabilidad y autoridad", ("", *(label for label, _ in firmas)), rows, True),)))
    return out


def _activity_annex(act: Activity) -> Grid:
    rows: list[tuple[Cell, ...]] = [
        ("Línea", act.linea),
        ("Meta que se cuenta", meta_text(act)),
        ("Unidad", act.unidad or "sin unidad (por demanda)"),
        ("Programación", "/".join(count_text(p) for p in act.programacion) + " %"
         + (f" (meses del calendario: {', '.join(map(str, act.calendario))})" if act.calendario else "")),
        ("Fórmula que se calcula", Code(act.formula_texto)),
        ("Lectura", act.lectura or NOT_SAID),
        ("Objetivo", act.objetivo or NOT_SAID),
        *((("Cadencia", act.cadencia),) if act.cadencia else ()),
        *((("Ids anteriores", ", ".join(act.antes)),) if act.antes else ()),
        *((f"Tipo {t.id}", t.nombre + (f" (requiere {', '.join(t.requiere)})" if t.requiere else "")
           + (f"; meta por red {count_text(t.meta)}" if t.meta is not None else "")) for t in act.tipos),
        *((f"Red {s.id}", s.nombre + (f"; línea base {count_text(s.linea_base, thousands='.')}"
                                      if s.linea_base is not None else "")) for s in act.series),
    ]
    return Grid(f"{act.nombre} ({act.id})", ("Campo", "Valor"), tuple(rows), True)


def _annex(plan: Plan) -> list[Section]:
    lines = tuple(
        (ln.id, Code(ln.indicador.formula), ln.indicador.lectura or NOT_SAID, ln.objetivo or NOT_SAID, ", ".join(ln.actividades))
        for ln in plan.lineas
    )
    blocks: list[Block] = [
        "Lo que pec lee de este plan para calcular el avance: el id de cada línea y actividad, la fórmula que se "
        "calcula (realizado frente a programado), su lectura del documento, el objetivo al que sirve y los tipos de "
        "pieza que se registran. Semáforo sobre acumulado / programado acumulado: verde ≥ "
        f"{count_text(plan.semaforo_verde)} %, amarillo ≥ {count_text(plan.semaforo_amarillo)} %, rojo por debajo.",
        Grid("Líneas", ("Línea", "Fórmula que se calcula", "Lectura", "Objetivo", "Actividades"), lines, True),
        *(_activity_annex(act) for act in plan.actividades),
    ]
    if plan.areas:
        blocks += ["Áreas de la entidad (el área de una solicitud es una de ellas):", Bullets(plan.areas)]
    return [Section("Anexo: cómo se sigue el plan", tuple(blocks), new_page=True)]


def document(plan: Plan) -> list[Section]:
    """The plan as the seed lays it out, section by section."""
    textos = plan.textos
    intro = tuple(t for t in (textos.get("introduccion"), textos.get("procedimiento")) if t)
    contexto = [Section("1.1 Misión Institucional", (textos.get("mision", ""),), 3),
                Section("1.2 Visión Institucional", (textos.get("vision", ""),), 3)]
    return [
        *([Section("Introducción", intro)] if intro else []),
        Section("1. Contexto estratégico", ()), *contexto,
        Section("2. Objetivos", ()), *_objetivos(dict(textos)),
        Section("3. Contexto actual", tuple(t for t in (textos.get("contexto"),) if t)),
        *_prospectiva(plan), _intervencion(plan),
        _seguimiento(plan),
        Section("Observaciones", (Bullets(tuple(textos.get("reglas") or ())),) if textos.get("reglas") else ()),
        *_cambios_y_firmas(plan),
        *_annex(plan),
    ]


# ---------------------------------------------------------------- Markdown


def code(text: str) -> str:
    """``text`` as a Markdown code span, verbatim (a ``|`` escaped so that a table cell holds it)."""
    fence = "`"
    while fence in text:
        fence += "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text.replace('|', chr(92) + '|')}{pad}{fence}"


def _md_cell(cell: Cell) -> str:
    return code(cell.text) if isinstance(cell, Code) else md(cell)


def _md_block(block: Block) -> str:
    if isinstance(block, Grid):
        head = "| " + " | ".join(md(h) for h in block.headers) + " |\n| " + " | ".join("---" for _ in block.headers) + " |\n"
        return f"{md(block.caption)}:\n\n" + head + "".join(
            "| " + " | ".join(_md_cell(c) for c in row) + " |\n" for row in block.rows)
    if isinstance(block, Bullets):
        return "".join(f"- {_md_cell(item)}\n" for item in block.items)
    return md(block) + "\n"


def plan_markdown(plan: Plan) -> str:
    """The plan document in Markdown, for a wiki or the minutes."""
    entidad = plan.entidad + (f" ({plan.sigla})" if plan.sigla else "")
    out = [f"# {md(heading(plan))}\n", f"{md(entidad)}\n", "".join(f"- {md(k)}: {md(v)}\n" for k, v in facts(plan))]
    for section in document(plan):
        out.append(f"{'#' * section.level} {md(section.heading)}\n")
        out += [_md_block(block) for block in section.blocks]
    return "\n".join(out)
