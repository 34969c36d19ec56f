"""The plan file's schema: pydantic models that reject a wrong plan.

``PlanSpec`` mirrors ``plan/<vigencia>.yaml`` field for field (``extra="forbid"``
everywhere) and checks what one field cannot: ids unique, windows inside the
vigencia, programación summing to 100, formulas over known variables only.
A valid spec, dumped as JSON, becomes the runtime plan through
:func:`pec_cli.model.plan_from_data` (the same path the plan cache takes).

Imported only when a plan must be validated (not on the cached hot path).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from pec_cli.fields import ENTRY_FIELDS
from pec_cli.plan.formula import FormulaError, compile_formula
from pec_cli.plan.model import formula_variables
from pec_cli.plan.names import fold_name

Ident = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
Text = Annotated[str, StringConstraints(max_length=20_000)]
Percent = Annotated[float, Field(ge=0, le=100)]
RESERVED = {"meta", "inicio", "fin", "min", "max", "atendidas"}


class Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True, allow_inf_nan=False)


class TipoSpec(Spec):
    id: Ident
    nombre: Text
    requiere: list[Literal[ENTRY_FIELDS]] = []  # type: ignore[valid-type]
    # a second measured series of a gauge (interaction): its meta per network, shown beside
    # the gauge's, never part of the avance
    meta: Annotated[float, Field(gt=0)] | None = None


class SeriesSpec(Spec):
    id: Ident
    nombre: Text
    meta: Annotated[float, Field(gt=0)] | None = None
    linea_base: float | None = None


class ActivitySpec(Spec):
    id: Ident
    linea: Ident
    nombre: Text
    descripcion: Text = ""
    inicio: dt.date
    fin: dt.date
    meta: Annotated[float, Field(gt=0)] | None
    unidad: Text = ""
    meta_texto: Text = ""
    responsable: Text
    tipos: Annotated[list[TipoSpec], Field(min_length=1)]
    formula: Text | None = None
    lectura: Text = ""  # how its own formula reads the document (the indicator sheet shows it)
    objetivo: Text | None = None  # the objetivo (its numero) it serves, when not its line's
    programacion: list[Percent] | None = None
    calendario: list[Annotated[int, Field(ge=1, le=12)]] | None = None
    series: list[SeriesSpec] = []
    peso: Annotated[float, Field(gt=0)] = 1.0
    meta_mensual: Annotated[float, Field(gt=0)] | None = None
    cadencia: Text | None = None
    antes: list[Ident] = []  # earlier ids of this activity (a rename keeps its entries)
    comentario: Text | None = None

    @model_validator(mode="after")
    def _check(self) -> ActivitySpec:
        if self.fin < self.inicio:
            raise ValueError("la fecha «fin» es anterior a «inicio»")
        if self.programacion is not None and self.calendario is not None:
            raise ValueError("declare «programacion» o «calendario», no ambos")
        if self.programacion is not None:
            _check_programacion(self.programacion)
        if self.calendario is not None:
            if not self.calendario:
                raise ValueError("«calendario» necesita al menos un mes")
            if len(set(self.calendario)) != len(self.calendario):
                raise ValueError("«calendario» repite un mes; escriba cada mes una vez")
            if outside := [m for m in self.calendario if not self.inicio.month <= m <= self.fin.month]:
                raise ValueError(f"el mes {outside[0]} de «calendario» cae fuera de la ventana de la actividad")
        ids = [t.id for t in self.tipos]
        _check_unique(ids, "tipo")
        if clash := sorted(set(ids) & RESERVED):
            raise ValueError(f"el tipo «{clash[0]}» usa un nombre reservado de las fórmulas")
        _check_unique([s.id for s in self.series], "serie")
        if self.series and self.meta is None and any(s.meta is None for s in self.series):
            raise ValueError("cada serie necesita una «meta» (o la actividad una «meta» común)")
        return self


class IndicatorSpec(Spec):
    nombre: Text
    texto: Text  # the document's formula, verbatim
    formula: Text  # what is computed
    lectura: Text = ""  # how ``formula`` reads ``texto`` (the indicator sheet shows it)


class LineSpec(Spec):
    id: Ident
    numero: Annotated[int, Field(ge=1)]
    nombre: Text
    indicador: IndicatorSpec
    objetivo: Text | None = None  # the objetivo (its numero) the line serves
    meta: Percent = 100.0
    programacion: list[Percent] = [25.0, 25.0, 25.0, 25.0]
    observaciones: Text = ""

    @model_validator(mode="after")
    def _check(self) -> LineSpec:
        _check_programacion(self.programacion)
        return self


class ObjetivoSpec(Spec):
    numero: Text
    titulo: Text
    texto: Text = ""
    especificos: list[Text] = []


class ProspectivaSpec(Spec):
    descripcion: Text = ""
    anios: list[int]
    lineas: dict[Ident, list[Percent]]

    @model_validator(mode="after")
    def _check(self) -> ProspectivaSpec:
        for line_id, values in self.lineas.items():
            if len(values) != len(self.anios):
                raise ValueError(f"la línea «{line_id}» tiene {len(values)} valores para {len(self.anios)} años")
        return self


class SemaforoSpec(Spec):
    verde: Percent = 90.0
    amarillo: Percent = 70.0

    @model_validator(mode="after")
    def _check(self) -> SemaforoSpec:
        if self.amarillo > self.verde:
            raise ValueError("el umbral «amarillo» no puede superar al «verde»")
        return self


class CambioSpec(Spec):
    version: Text
    fecha: dt.date
    numerales: Text
    descripcion: Text


class FirmaSpec(Spec):
    nombre: Text
    cargo: Text
    dependencia: Text


class FirmasSpec(Spec):
    """RESPONSABILIDAD Y AUTORIDAD: who wrote (or updated), reviewed and approved the plan."""

    elaboro: FirmaSpec
    reviso: FirmaSpec
    aprobo: FirmaSpec


class PlanSpec(Spec):
    formato: Literal[1]
    entidad: Text
    sigla: Text
    titulo: Text
    vigencia: Annotated[int, Field(ge=1900, le=2999)]
    version: Text
    fecha: Text = ""
    lugar: Text = ""
    introduccion: Text = ""
    procedimiento: Text = ""
    mision: Text
    vision: Text
    objetivos: list[ObjetivoSpec] = []
    contexto: Text = ""
    prospectiva: ProspectivaSpec | None = None
    semaforo: SemaforoSpec = SemaforoSpec()
    lineas: Annotated[list[LineSpec], Field(min_length=1)]
    actividades: Annotated[list[ActivitySpec], Field(min_length=1)]
    reglas: list[Text] = []
    # the entity's áreas (optional): when listed, a request's área must be one of them
    areas: list[Annotated[str, StringConstraints(min_length=1, max_length=200)]] = []
    cambios: list[CambioSpec] = []
    firmas: FirmasSpec | None = None

    @model_validator(mode="before")
    @classmethod
    def _earlier_firmas(cls, data: Any) -> Any:
        """A plan written before «firmas» listed ``responsabilidad: [{rol: Revisó, nombre: ...}, ...]``;
        it is read as the same three signatures, so that a workspace's plan keeps loading."""
        old = data.get("responsabilidad") if isinstance(data, dict) and "firmas" not in data else None
        if not isinstance(old, list):
            return data
        firmas = {}
        for item in old:
            rol = fold_name(str(item.get("rol", ""))) if isinstance(item, dict) else ""
            key = next((k for k, start in _EARLIER_ROLES if rol.startswith(start)), None)
            if key is None or key in firmas:
                return data  # not the old block as pec wrote it: refused as an unknown field
            firmas[key] = {k: v for k, v in item.items() if k != "rol"}
        rest = {k: v for k, v in data.items() if k != "responsabilidad"}
        return {**rest, "firmas": firmas} if len(firmas) == len(_EARLIER_ROLES) else data


_EARLIER_ROLES = (("elaboro", "elabor"), ("reviso", "revis"), ("aprobo", "aprob"))


Problem = tuple[tuple[str | int, ...], str]


def plan_problems(spec: PlanSpec) -> list[Problem]:
    """Every cross-field error of a plan whose fields are each valid, located."""
    problems: list[Problem] = []
    problems += _duplicates([ln.id for ln in spec.lineas], "lineas", "línea")
    problems += _duplicates([a.id for a in spec.actividades], "actividades", "actividad")
    line_ids = {ln.id for ln in spec.lineas}
    for i, act in enumerate(spec.actividades):
        if act.linea not in line_ids:
            problems.append((
                ("actividades", i, "linea"),
                f"la actividad «{act.id}» pertenece a la línea «{act.linea}», que no existe; "
                f"las líneas son: {', '.join(sorted(line_ids))}",
            ))
        for key in ("inicio", "fin"):
            day = getattr(act, key)
            if day.year != spec.vigencia:
                problems.append((
                    ("actividades", i, key),
                    f"la fecha {day.isoformat()} de la actividad «{act.id}» sale de la vigencia {spec.vigencia}",
                ))
    problems += _earlier_id_problems(spec)
    problems += _objetivo_problems(spec)
    problems += _area_problems(spec.areas)
    used = {a.linea for a in spec.actividades}
    for i, ln in enumerate(spec.lineas):
        if ln.id not in used:
            problems.append((("lineas", i, "id"), f"la línea «{ln.id}» no tiene actividades"))
    if spec.prospectiva is not None:
        for line_id in sorted(set(spec.prospectiva.lineas) - line_ids):
            problems.append((
                ("prospectiva", "lineas", line_id),
                f"la prospectiva nombra la línea «{line_id}», que no existe",
            ))
    if not problems:
        problems += formula_problems(spec)
    return problems


def _earlier_id_problems(spec: PlanSpec) -> Iterator[Problem]:
    """An earlier id (``antes``) must name no current activity, and belong to one activity only."""
    current = {a.id for a in spec.actividades}
    owners: dict[str, str] = {}
    for i, act in enumerate(spec.actividades):
        for old in act.antes:
            if old in current:
                yield (("actividades", i, "antes"),
                       f"«{old}» es el id de una actividad actual; «antes» lista solo ids anteriores")
            elif old in owners and owners[old] != act.id:
                yield (("actividades", i, "antes"),
                       f"el id anterior «{old}» ya figura en «antes» de «{owners[old]}»; déjelo en una sola")
            owners.setdefault(old, act.id)


def _objetivo_problems(spec: PlanSpec) -> Iterator[Problem]:
    """A line or activity serves an objetivo the plan lists (by its numero)."""
    numeros = [o.numero for o in spec.objetivos]
    served = [("lineas", i, ln.objetivo) for i, ln in enumerate(spec.lineas)]
    served += [("actividades", i, act.objetivo) for i, act in enumerate(spec.actividades)]
    for key, i, objetivo in served:
        if objetivo is not None and objetivo not in numeros:
            known = f"los objetivos son: {', '.join(numeros)}" if numeros else "el plan no tiene «objetivos»"
            yield ((key, i, "objetivo"), f"el objetivo «{objetivo}» no está en «objetivos»; {known}")


def _area_problems(areas: list[str]) -> Iterator[Problem]:
    """Two áreas that differ only in case, accents or spaces are one: the list names each once."""
    seen: dict[str, str] = {}
    for i, area in enumerate(areas):
        key = fold_name(area)
        if key in seen:
            yield (("areas", i), f"el área «{area}» ya está en la lista como «{seen[key]}»; déjela una vez")
        seen.setdefault(key, area)


def _duplicates(ids: list[str], key: str, what: str) -> Iterator[Problem]:
    seen: set[str] = set()
    for i, item in enumerate(ids):
        if item in seen:
            yield ((key, i, "id"), f"el id de {what} «{item}» está repetido")
        seen.add(item)


def _check_programacion(values: list[float]) -> None:
    if len(values) != 4:
        raise ValueError(f"«programacion» lleva cuatro porcentajes (uno por trimestre), no {len(values)}")
    if abs(sum(values) - 100) > 1e-6:
        raise ValueError(f"«programacion» debe sumar 100 y suma {sum(values):g}")


def _check_unique(ids: list[str], what: str) -> None:
    repeated = next(_duplicates(ids, "", what), None)
    if repeated is not None:
        raise ValueError(repeated[1])


def formula_problems(spec: PlanSpec) -> list[Problem]:
    """Every formula error, located by its path in the plan file."""
    problems: list[Problem] = []
    lines = {ln.id: (i, ln) for i, ln in enumerate(spec.lineas)}
    for i, act in enumerate(spec.actividades):
        line_index, line = lines[act.linea]
        where: tuple[str | int, ...]
        if act.formula is not None:
            source, where = act.formula, ("actividades", i, "formula")
        else:
            source, where = line.indicador.formula, ("lineas", line_index, "indicador", "formula")
        try:
            formula = compile_formula(source, formula_variables(act.model_dump()))
        except FormulaError as exc:
            message = f"{exc} (fórmula «{source}»"
            same = next((k for k, (w, m) in enumerate(problems) if w == where and m.startswith(message)), None)
            if same is None:
                problems.append((where, f"{message}, actividad «{act.id}»)"))
            else:  # a line's formula shared by several activities: one report naming them all
                problems[same] = (where, problems[same][1][:-1] + f", «{act.id}»)")
            continue
        if "meta" in formula.variables and act.meta is None and not act.series:
            problems.append(
                (where, f"la fórmula «{source}» usa «meta», pero la actividad «{act.id}» no tiene meta numérica")
            )
    return problems
