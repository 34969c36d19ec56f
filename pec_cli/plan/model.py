"""The runtime model: a checked plan and ledger entries as immutable values.

``schema`` validates the YAML file and builds these; the core (``avance``) and
the ledger read only these. They are NamedTuples (immutable, and far cheaper to define at start-up than
dataclasses, which compile their methods) so that the hot path (``pec status``)
never has to import pydantic or yaml once the plan is cached. Standard library
only.
"""

import datetime as dt
from types import MappingProxyType
from typing import Any, NamedTuple

from pec_cli.plan.formula import Formula, compile_formula

QUARTERS = ("I", "II", "III", "IV")
MONTHS = ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
          "octubre", "noviembre", "diciembre")
_QUARTER_ALIASES = {"I": 1, "II": 2, "III": 3, "IV": 4, "1": 1, "2": 2, "3": 3, "4": 4}


def parse_quarter(text: str) -> int:
    """``"II"`` or ``"2"`` -> 2; raises ValueError for anything else."""
    key = str(text).strip().upper()
    if key.startswith("T") and key[1:] in _QUARTER_ALIASES:  # "TII", "T2"
        key = key[1:]
    if key not in _QUARTER_ALIASES:
        raise ValueError(text)
    return _QUARTER_ALIASES[key]


def iso_date(text: object) -> dt.date | None:
    """A strict AAAA-MM-DD date (Python also parses 20240401; the ledger does not)."""
    if not (isinstance(text, str) and len(text) == 10 and text[4] == text[7] == "-"
            and (digits := text[:4] + text[5:7] + text[8:]).isascii() and digits.isdigit()):
        return None  # not 2024-W14-2, an ISO week date Python also takes at 10 characters
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def quarter_of(day: dt.date) -> int:
    return (day.month - 1) // 3 + 1


def quarter_bounds(year: int, q: int) -> tuple[dt.date, dt.date]:
    start = dt.date(year, 3 * q - 2, 1)
    end = dt.date(year, 12, 31) if q == 4 else dt.date(year, 3 * q + 1, 1) - dt.timedelta(days=1)
    return start, end


class Tipo(NamedTuple):
    """A kind of entry an activity takes, and the fields it requires."""

    id: str
    nombre: str
    requiere: tuple[str, ...] = ()
    meta: float | None = None  # a measured tipo's own meta per network (interaction), if the plan gives one


class Series(NamedTuple):
    """One measured series of a gauge (a social network), with its target."""

    id: str
    nombre: str
    meta: float | None
    linea_base: float | None


class Activity(NamedTuple):
    id: str
    linea: str
    nombre: str
    descripcion: str
    inicio: dt.date
    fin: dt.date
    meta: float | None
    unidad: str
    meta_texto: str
    responsable: str
    tipos: tuple[Tipo, ...]
    formula: Formula
    formula_texto: str
    programacion: tuple[float, float, float, float]
    calendario: tuple[int, ...] = ()
    series: tuple[Series, ...] = ()
    peso: float = 1.0
    meta_mensual: float | None = None
    cadencia: str | None = None
    antes: tuple[str, ...] = ()  # earlier ids: entries under them count for this activity
    lectura: str = ""  # how its formula reads the document: its own, else its line's
    objetivo: str = ""  # the objetivo (its numero) it serves: its own, else its line's

    @property
    def ids(self) -> tuple[str, ...]:
        """Its id and its earlier ids: every ``actividad`` of the ledger that is this activity."""
        return (self.id, *self.antes)

    @property
    def default_tipo(self) -> str:
        return self.tipos[0].id

    def tipo(self, tipo_id: str) -> Tipo | None:
        return next((t for t in self.tipos if t.id == tipo_id), None)

    @property
    def is_gauge(self) -> bool:
        return bool(self.series)


class Indicator(NamedTuple):
    nombre: str
    texto: str  # the document's formula, verbatim
    formula: str  # what is computed
    lectura: str = ""  # how ``formula`` reads ``texto``


class Line(NamedTuple):
    id: str
    numero: int
    nombre: str
    indicador: Indicator
    meta: float
    programacion: tuple[float, float, float, float]
    observaciones: str
    actividades: tuple[str, ...]
    objetivo: str = ""  # the objetivo (its numero) it serves


class Plan(NamedTuple):
    """A checked plan: everything a number depends on, plus the texts shown."""

    vigencia: int
    entidad: str
    sigla: str
    titulo: str
    version: str
    lineas: tuple[Line, ...]
    actividades: tuple[Activity, ...]
    semaforo_verde: float = 90.0
    semaforo_amarillo: float = 70.0
    textos: dict[str, Any] = MappingProxyType({})  # type: ignore[assignment]
    source: str = ""
    areas: tuple[str, ...] = ()  # the entity's áreas, when the plan lists them: an área is one of these

    def activity(self, activity_id: str) -> Activity | None:
        return next((a for a in self.actividades if a.id == activity_id), None)

    def owner(self, activity_id: str) -> Activity | None:
        """The activity whose id, or one of whose earlier ids (``antes``), is ``activity_id``."""
        return self.activity(activity_id) or next((a for a in self.actividades if activity_id in a.antes), None)

    def line(self, line_id: str) -> Line | None:
        return next((ln for ln in self.lineas if ln.id == line_id), None)

    @property
    def inicio(self) -> dt.date:
        return dt.date(self.vigencia, 1, 1)

    @property
    def fin(self) -> dt.date:
        return dt.date(self.vigencia, 12, 31)


TEXT_KEYS = (
    "fecha", "lugar", "introduccion", "procedimiento", "mision", "vision", "objetivos",
    "contexto", "prospectiva", "reglas", "cambios", "firmas",
)


def formula_variables(activity: dict[str, Any]) -> set[str]:
    """The variables a formula of this activity may read (SPEC §2).

    ``atendidas``: the window's requests answered (``pec log --atiende``) by the corte.
    """
    names = {t["id"] for t in activity["tipos"]} | {"meta", "atendidas"}
    if activity.get("series"):
        names |= {"inicio", "fin"}
    return names


def _programacion(act: dict[str, Any], line: dict[str, Any]) -> tuple[float, ...]:
    if act.get("calendario"):
        months = sorted(act["calendario"])
        return tuple(100.0 * sum(1 for m in months if (m - 1) // 3 == q) / len(months) for q in range(4))
    if act.get("programacion") is not None:
        return tuple(float(p) for p in act["programacion"])
    return tuple(float(p) for p in line["programacion"])


def _activity(act: dict[str, Any], line: dict[str, Any]) -> Activity:
    """One activity of a validated plan document (its line gives the defaults)."""
    formula_source = act.get("formula") or line["indicador"]["formula"]
    meta = act.get("meta")
    return Activity(
        id=act["id"],
        linea=act["linea"],
        nombre=act["nombre"],
        descripcion=act.get("descripcion", ""),
        inicio=dt.date.fromisoformat(act["inicio"]),
        fin=dt.date.fromisoformat(act["fin"]),
        meta=meta,
        unidad=act.get("unidad", ""),
        meta_texto=act.get("meta_texto", ""),
        responsable=act["responsable"],
        tipos=tuple(Tipo(t["id"], t["nombre"], tuple(t.get("requiere", ())), t.get("meta")) for t in act["tipos"]),
        formula=compile_formula(formula_source, formula_variables(act)),
        formula_texto=formula_source,
        programacion=_programacion(act, line),  # type: ignore[arg-type]
        calendario=tuple(sorted(act.get("calendario") or ())),
        series=tuple(
            Series(s["id"], s["nombre"], s["meta"] if s.get("meta") is not None else meta, s.get("linea_base"))
            for s in act.get("series", ())
        ),
        peso=act.get("peso", 1.0),
        meta_mensual=act.get("meta_mensual"),
        cadencia=act.get("cadencia"),
        antes=tuple(act.get("antes") or ()),
        lectura=act.get("lectura") or ("" if act.get("formula") else line["indicador"].get("lectura", "")),
        objetivo=act.get("objetivo") or line.get("objetivo") or "",
    )


def plan_from_data(data: dict[str, Any], source: str = "") -> Plan:
    """The runtime plan of a validated plan document (``PlanSpec`` dumped as JSON).

    Pure standard library, so that a cached plan loads without pydantic or yaml.
    """
    lines_by_id = {ln["id"]: ln for ln in data["lineas"]}
    activities = [_activity(act, lines_by_id[act["linea"]]) for act in data["actividades"]]
    lines = tuple(
        Line(
            id=ln["id"],
            numero=ln["numero"],
            nombre=ln["nombre"],
            indicador=Indicator(ln["indicador"]["nombre"], ln["indicador"]["texto"], ln["indicador"]["formula"],
                                ln["indicador"].get("lectura", "")),
            meta=ln["meta"],
            programacion=tuple(float(p) for p in ln["programacion"]),  # type: ignore[arg-type]
            observaciones=ln.get("observaciones", ""),
            actividades=tuple(a["id"] for a in data["actividades"] if a["linea"] == ln["id"]),
            objetivo=ln.get("objetivo") or "",
        )
        for ln in data["lineas"]
    )
    semaforo = data.get("semaforo") or {}
    return Plan(
        vigencia=data["vigencia"],
        entidad=data["entidad"],
        sigla=data.get("sigla", ""),
        titulo=data["titulo"],
        version=data["version"],
        lineas=lines,
        actividades=tuple(activities),
        semaforo_verde=semaforo.get("verde", 90.0),
        semaforo_amarillo=semaforo.get("amarillo", 70.0),
        textos={k: data[k] for k in TEXT_KEYS if k in data},
        source=source,
        areas=tuple(data.get("areas") or ()),
    )
