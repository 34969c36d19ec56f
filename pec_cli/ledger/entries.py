"""Ledger entries as typed values, and the one record rule every reader and writer applies.

Every record carries ``v`` (the format version), its position ``n`` in its
segment and the chain link ``prev``; ``clase`` tells the kinds apart:
:class:`Piece` (a published piece, maybe a measurement), :class:`Void` (a
correction naming the entry it voids), :class:`Note` (an observación of a
quarter) and :class:`BatchCommit` (the last line of a ``pec import``: the rows
carrying its ``lote`` count only once it is written, see :class:`Batches`).

:func:`check_record` is the rule: types, ranges, text lengths, ids and
evidence paths of pec's own vocabulary, and no control character, terminal
escape sequence or invisible direction mark in any text. :func:`parse` turns
one ledger line into a checked record (``json.loads``, refusing a key given
twice) or says why it is not one; every reader and the writer go through it.
Standard library only.
"""

import datetime as dt
import json
import re
from collections.abc import Callable
from functools import lru_cache
from types import MappingProxyType
from typing import Any, Generic, NamedTuple, TypeVar

from pec_cli.fields import ENTRY_FIELDS, TEXT_LIMITS, UNSAFE
from pec_cli.plan.model import QUARTERS, iso_date, parse_quarter
from pec_cli.workspace import WRITER_ID

FORMAT_VERSION = 1
PIECE = "pieza"
VOID = "anulacion"
NOTE = "observacion"
BATCH = "lote"
CLOSE = "cierre"  # a quarter closed: its figures sealed (``ledger.closures``)
REOPEN = "reapertura"
APPROVE = "aprobacion"  # a sign-off bound to a closure's figures
ACTION = "accion"  # an improvement action for a red or amber row of a closed quarter
DONE = "accion_cumplida"
CLASSES = (PIECE, VOID, NOTE, BATCH, CLOSE, REOPEN, APPROVE, ACTION, DONE)
EVENTS = (CLOSE, REOPEN, APPROVE, ACTION, DONE)  # a quarter's control: few a year, kept whole by the tally
ROLES = ("revisó", "aprobó")

# the longest text each field may hold, from the one registry (the writer refuses more, readers skip more)
LIMITS = TEXT_LIMITS
NAME_LIMIT = 100  # names: registrado, importe, lote, and por (who registered the entry; older entries lack it)
NAME_FIELDS = ("registrado", "importe", "lote", "por")
MAX_VALOR = 10**15  # no audience or count comes near; keeps sums exact in a float
MAX_LINE = 128 * 1024  # a valid record is far smaller: every text at its limit is ~30 KB
MAX_FILAS = 10**8

# What no text of a record may hold (``fields.UNSAFE``: control characters, terminal escapes, invisible
# direction marks), and a lone UTF-16 surrogate (json.loads lets it through; no UTF-8 file can hold it).
CONTROL = re.compile(f"[{UNSAFE}]")
_FORBIDDEN = f"[{UNSAFE}\\ud800-\\udfff]"

# pec's own vocabulary: what becomes a file name, a link or a path is never free text
ID = rf"[0-9]{{4}}-{WRITER_ID}-[1-9][0-9]{{0,11}}"  # <vigencia>-<writer>-<n>
IDENT = r"[a-z][a-z0-9_]{0,39}"  # an activity, tipo or network of the plan
_ID = re.compile(ID)
MAX_N = 10 ** 9  # a segment's lines: far more than any office writes, far fewer than its id's 12 digits allow
_IDENT = re.compile(IDENT)
_DIGEST = re.compile(r"[0-9a-f]{16}")
_SHA256 = re.compile(r"[0-9a-f]{64}")
# where evidence.store_evidence puts it: the SHA-256's first 20 hex digits, or all 64 beside a tampered copy
_ARCHIVO = re.compile(r"evidencias/[0-9]{4}/[0-9a-f]{20}(?:[0-9a-f]{44})?(?:\.[a-z0-9]{1,8})?")
_PLAN_COPY = re.compile(r"plan/versiones/[0-9]{4}-v[0-9A-Za-z._]{1,20}-[0-9a-f]{12}\.yaml")  # cli.cierre.keep_plan
_TIMESTAMP = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,6})?(?:Z|[+-][0-9]{2}:[0-9]{2})")
_PATTERNS = {"id": _ID, "anula": _ID, "atiende": _ID, "cumple": _ID, "reabre": _ID, "actividad": _IDENT, "tipo": _IDENT,
             "red": _IDENT, "prev": _DIGEST, "plan_sha256": _SHA256, "cifras_sha256": _SHA256,
             "plan_archivo": _PLAN_COPY}
_DATES = ("fecha", "corte", "fecha_compromiso")
_TEXT_LIMITS = {**dict.fromkeys(NAME_FIELDS, NAME_LIMIT), **LIMITS, "plan_version": 100, "nombre": 200, "cargo": 200,
                "responsable": 200, "causa": 2000, "accion": 2000}
# what each class must hold (every value is then checked by its key, :func:`_field_problem`)
_REQUIRED = {
    PIECE: ("actividad", "tipo", "fecha"), VOID: ("anula",), NOTE: ("actividad", "trimestre", "texto"),
    BATCH: ("lote", "filas"),
    CLOSE: ("trimestre", "corte", "fecha", "plan_sha256", "plan_version", "plan_archivo", "posiciones", "cifras",
            "cifras_sha256"),
    REOPEN: ("trimestre", "fecha", "motivo", "reabre"), APPROVE: ("trimestre", "fecha", "rol", "nombre", "cargo", "cifras_sha256"),
    ACTION: ("actividad", "trimestre", "fecha", "causa", "accion", "responsable", "fecha_compromiso"),
    DONE: ("cumple", "fecha"),
}


class Problem(NamedTuple):
    """Something wrong in the ledger or the plan, located as ``file:line``.

    ``info`` marks what needs no repair (e.g. an import that was interrupted and
    does not count): ``pec verify`` prints it without failing.
    """

    file: str
    line: int
    message: str
    info: bool = False

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}: " if self.line else (f"{self.file}: " if self.file else "")
        return f"{where}{self.message}"


class Evidence(NamedTuple):
    """The copy of an evidence file pec stored: path in the workspace, SHA-256, original name."""

    archivo: str
    sha256: str
    nombre: str


class Entry(NamedTuple):
    """One ledger record as read back, with where it stands in the ledger."""

    id: str
    clase: str
    actividad: str
    fecha: dt.date | None
    registrado: str
    tipo: str | None = None
    datos: dict[str, Any] = MappingProxyType({})  # type: ignore[assignment]
    anula: str | None = None
    trimestre: int | None = None
    file: str = ""
    line: int = 0
    n: int = 0
    prev: str = ""

    def get(self, key: str) -> Any:
        return self.datos.get(key)

    @property
    def evidence(self) -> Evidence | None:
        value = self.datos.get("evidencia")
        if isinstance(value, dict):
            return Evidence(value["archivo"], value["sha256"], value.get("nombre", ""))
        return None

    @property
    def lote(self) -> str | None:
        """The import batch the entry belongs to (it counts once its commit is read)."""
        return self.datos.get("lote")


class Piece(Entry):
    __slots__ = ()


class Void(Entry):
    __slots__ = ()


class Note(Entry):
    __slots__ = ()


class BatchCommit(Entry):
    """The line that makes an import's rows count; ``datos['filas']`` says how many."""

    __slots__ = ()


_TYPES: dict[str, type[Entry]] = {PIECE: Piece, VOID: Void, NOTE: Note, BATCH: BatchCommit}


@lru_cache(maxsize=4096)
def valid_date(text: str) -> bool:
    return iso_date(text) is not None


def _quarter(value: Any) -> int | None:
    try:
        return parse_quarter(str(value)) if isinstance(value, str | int) and not isinstance(value, bool) else None
    except ValueError:
        return None


MAX_NESTING = 16  # a record nests 2 deep; json.loads' own limit depends on the caller's stack


def too_deep(raw: bytes) -> bool:
    """Whether a line nests more than :data:`MAX_NESTING` arrays or objects (counted outside strings)."""
    if raw.count(b"[") + raw.count(b"{") <= MAX_NESTING:
        return False
    depth, in_string, escaped = 0, False, False
    for byte in raw:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth > MAX_NESTING:
                return True
        elif byte in (0x5D, 0x7D):  # ] }
            depth -= 1
    return False


@lru_cache(maxsize=1)
def _forbidden() -> re.Pattern[str]:
    return re.compile(_FORBIDDEN)  # on first use: ~0.5 ms that a warm «pec status» never needs


def _has_control(value: Any) -> bool:
    if isinstance(value, str):
        return _forbidden().search(value) is not None
    if isinstance(value, dict):
        return any(_has_control(k) or _has_control(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_control(v) for v in value)
    return False


def _evidence_problem(value: Any) -> str | None:
    if not isinstance(value, dict):
        return "registro con «evidencia» no válida"
    archivo, sha, nombre = value.get("archivo"), value.get("sha256"), value.get("nombre", "")
    if not (type(archivo) is str and _ARCHIVO.fullmatch(archivo) and type(sha) is str and _SHA256.fullmatch(sha)
            and type(nombre) is str and len(nombre) <= 200):
        return "registro con «evidencia» no válida (un archivo evidencias/<año>/<huella> que pec guardó)"
    return None


def _valor_problem(valor: Any) -> str | None:
    if isinstance(valor, bool) or not isinstance(valor, int | float):
        return "registro con «valor» no numérico"
    if not (0 <= valor <= MAX_VALOR) or (isinstance(valor, float) and not valor.is_integer()):
        # NaN fails every comparison, so it is refused here too
        return f"registro con «valor» {valor!r} fuera de rango (un número entero entre 0 y {MAX_VALOR})"
    return None


def _field_problem(key: str, value: Any) -> str | None:  # noqa: C901, PLR0911 - one branch per kind of field
    """Why one field's value breaks the rule (its vocabulary, its length or its range), or None."""
    if key == "valor":
        return None if value is None else _valor_problem(value)
    if key == "evidencia":
        return _evidence_problem(value)
    if key in _DATES:
        return None if type(value) is str and valid_date(value) else f"registro sin «{key}» AAAA-MM-DD válida"
    if key == "trimestre":
        return None if _quarter(value) is not None else "registro sin «trimestre» I-IV válido"
    if key == "filas":
        return None if type(value) is int and 1 <= value <= MAX_FILAS else "registro sin «filas» válidas"
    if key == "rol":
        return None if value in ROLES else f"registro con «rol» no válido (uno de: {', '.join(ROLES)})"
    if key in ("posiciones", "cifras"):
        return None if _structure_ok(key, value) else f"registro con «{key}» no válidas"
    if (pattern := _PATTERNS.get(key)) is not None:
        if type(value) is not str or not pattern.fullmatch(value):
            return f"registro con «{key}» no válido ({str(value)[:40]!r} no es {_WHAT[key]})"
        return None
    limit = _TEXT_LIMITS.get(key)
    if limit is not None and (type(value) is not str or len(value) > limit):
        return f"registro con «{key}» no válido (un texto de hasta {limit} caracteres)"
    return None


def _structure_ok(key: str, value: Any) -> bool:
    """A closure's ``posiciones`` (writer id -> the last n of its segment) or ``cifras`` (``report.closed.sealed``:
    per activity and line, each quarter's figures and the acumulado)."""
    if key == "posiciones":
        return isinstance(value, dict) and all(_WRITER.fullmatch(k) and type(n) is int and n >= 0
                                               for k, n in value.items())
    return (isinstance(value, dict) and all(type(value.get(k)) is str for k in ("trimestre", "corte", "version"))
            and all(isinstance(value.get(kind), dict) and all(
                _IDENT.fullmatch(row) and isinstance(rows, dict) and isinstance(rows.get("trimestres"), dict)
                and all(q in QUARTERS and _figures_ok(f) for q, f in rows["trimestres"].items())
                and _figures_ok(rows.get("acumulado")) for row, rows in value[kind].items())
                for kind in ("actividades", "lineas"))
            and _demand_ok(value.get("demanda", {})))


def _demand_ok(value: Any) -> bool:
    """A closure's sealed demand counts: per activity, answered and received, and those per area."""
    def counts(row: Any, keys: tuple[str, ...]) -> bool:
        return isinstance(row, dict) and all(type(row.get(k)) is int and row[k] >= 0 for k in keys)

    return isinstance(value, dict) and all(
        _IDENT.fullmatch(act) and counts(row, ("atendidas", "recibidas")) and isinstance(row.get("areas"), dict)
        and all(type(area) is str and counts(n, ("recibidas", "atendidas", "abiertas")) for area, n in row["areas"].items())
        for act, row in value.items())


def _figures_ok(value: Any) -> bool:
    """One sealed figure set: numbers where numbers go, counts per tipo, the semáforo's word, series of seven."""
    def number(x: Any) -> bool:
        return x is None or (type(x) in (int, float) and x == x and abs(x) < 1e18)

    return (isinstance(value, dict) and type(value.get("programado")) in (int, float) and number(value["programado"])
            and all(number(value.get(k)) for k in ("cumplimiento", "logrado", "meta", "meta_anual"))
            and (value.get("realizadas") is None or type(value["realizadas"]) is int)
            and isinstance(value.get("por_tipo", {}), dict)
            and all(type(k) is str and type(n) is int for k, n in value.get("por_tipo", {}).items())
            and value.get("semaforo") in (None, "verde", "amarillo", "rojo")
            and isinstance(value.get("series", {}), dict)
            and all(type(v) is list and len(v) == 7 and all(number(x) for x in v[:4]) and type(v[4]) is bool
                    and all(number(x) for x in v[5:]) for v in value.get("series", {}).values()))


_WRITER = re.compile(WRITER_ID)
_WHAT = {**dict.fromkeys(("id", "anula", "atiende", "cumple", "reabre"), "un id AAAA-escritor-n"),
         **dict.fromkeys(("actividad", "tipo", "red"), "un id del plan"), "prev": "una huella de 16 cifras hexadecimales",
         **dict.fromkeys(("plan_sha256", "cifras_sha256"), "una huella SHA-256"),
         "plan_archivo": "una copia del plan en plan/versiones/"}


def text_limit(key: str) -> int | None:
    """The longest text field ``key`` may hold (None: not a free text)."""
    return _TEXT_LIMITS.get(key)


def _envelope_problem(record: dict[str, Any]) -> str | None:
    """What every record holds: its format version, id, position, chain link, when it was registered, class."""
    version = record.get("v")
    if type(version) is not int or version != FORMAT_VERSION:  # true == 1 in Python, and 1.0 too
        if type(version) is int and version > FORMAT_VERSION:
            return f"registro en formato {version}, más nuevo que este pec: actualice pec"
        return "registro sin versión de formato válida"
    missing = next((key for key in ("id", "registrado", "prev") if type(record.get(key)) is not str), None)
    if missing is not None:
        return f"registro sin «{missing}» válido"
    n = record.get("n")
    if type(n) is not int or not 1 <= n < MAX_N:
        return "registro sin número de secuencia «n» válido"
    clase = record.get("clase")
    if clase not in CLASSES:
        return f"registro de clase desconocida {str(clase)[:40]!r}"
    if clase in EVENTS and not _TIMESTAMP.fullmatch(record["registrado"]):  # their order is the order registered
        return "registro de control sin «registrado» AAAA-MM-DDTHH:MM:SS válido"
    return None


def check_record(record: Any) -> str | None:
    """Why ``record`` (a decoded ledger line, or what a writer is about to write) is not a valid
    record, in Spanish, or None: the one rule of readers and writers alike."""
    if not isinstance(record, dict):
        return "línea dañada (no es un registro)"
    problem = _envelope_problem(record)
    if problem is not None:
        return problem
    clase = record["clase"]
    required = _REQUIRED[clase]
    missing = next((key for key in required if record.get(key) is None), None)
    if missing is not None:
        return f"registro de clase {clase} sin «{missing}»"
    for key, value in record.items():
        if value is None and key not in required:
            continue  # an optional field written empty (a void of a note has no fecha)
        if (problem := _field_problem(key, value)) is not None:
            return problem
    if _has_control(record):
        return ("registro con caracteres de control, secuencias de escape de terminal, marcas invisibles de "
                "dirección o sustitutos UTF-16 sueltos en un texto")
    return None


class _DuplicateKey(ValueError):
    pass


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object, refusing a key given twice (json.loads would keep the last one silently)."""
    out = dict(pairs)
    if len(out) != len(pairs):
        raise _DuplicateKey
    return out


def too_long(raw: bytes) -> str | None:
    """Why a line is longer than any reader reads (without its newline), or None."""
    if len(raw) > MAX_LINE:
        return f"línea demasiado larga ({len(raw)} bytes; un registro ocupa menos de {MAX_LINE // 1024} KB)"
    return None


def parse(raw: bytes) -> dict[str, Any] | str:
    """The checked record of one ledger line (without its newline), or why it is not one (Spanish)."""
    if (long := too_long(raw)) is not None:
        return long
    if too_deep(raw):
        return "línea dañada (anidamiento excesivo)"
    try:  # decoded here: json.loads would read bytes past a byte-order mark (a line an editor glued), or as UTF-16
        record = json.loads(raw.decode("utf-8"), object_pairs_hook=_object)
    except _DuplicateKey:
        return "registro con una clave repetida (la línea fue editada: no se sabe qué valor vale)"
    except (UnicodeDecodeError, ValueError, RecursionError):
        return "línea dañada o incompleta (no es un registro JSON completo)"
    problem = check_record(record)
    return record if problem is None else problem


_ENVELOPE = frozenset(("v", "id", "n", "prev", "clase", "actividad", "fecha", "registrado", "tipo", "anula", "trimestre"))


def entry_of(record: dict[str, Any], file: str = "", line: int = 0) -> Entry:
    """The typed entry of a record that passed :func:`check_record`."""
    fecha, trimestre = record.get("fecha"), record.get("trimestre")
    return _TYPES.get(record["clase"], Entry)(
        id=record["id"], clase=record["clase"], actividad=record.get("actividad", ""),
        fecha=dt.date.fromisoformat(fecha) if fecha is not None else None, registrado=record["registrado"],
        tipo=record.get("tipo"), datos={k: v for k, v in record.items() if k not in _ENVELOPE}, anula=record.get("anula"),
        trimestre=_quarter(trimestre) if trimestre is not None else None, file=file, line=line, n=record["n"],
        prev=record["prev"],
    )


def record_of(entry: Entry) -> dict[str, Any]:
    """The record ``entry`` was read from (what :func:`entry_of` took apart), for whoever folds entries again."""
    record: dict[str, Any] = {"id": entry.id, "n": entry.n, "prev": entry.prev, "clase": entry.clase,
                              "registrado": entry.registrado, **entry.datos}
    for key, value in (("actividad", entry.actividad or None), ("tipo", entry.tipo), ("anula", entry.anula),
                       ("fecha", entry.fecha.isoformat() if entry.fecha else None),
                       ("trimestre", QUARTERS[entry.trimestre - 1] if entry.trimestre else None)):
        if value is not None:
            record[key] = value
    return record


T = TypeVar("T")


class Batches(Generic[T]):
    """The one rule of import batches, which every reader applies: all of a batch counts, or none.

    ``pec import`` writes its rows, each carrying ``lote``, then one
    :data:`BATCH` record. :meth:`place` says where each record a reader meets
    goes: ``main`` when it counts now; for a row, a holder of its own batch
    (made by ``start``), merged into ``main`` (by ``merge``) when the batch's
    commit line comes. Rows whose commit never came (a kill, a full disk,
    Ctrl-C) stay in :attr:`open` at the end of the segment: they never
    count, and importing the file again writes the batch anew.
    """

    def __init__(self, main: T, start: Callable[[], T], merge: Callable[[T, T], object]) -> None:
        self.main, self.start, self.merge = main, start, merge
        self.open: dict[str, tuple[int, int, T]] = {}  # lote -> (first line, rows, held)

    def place(self, record: dict[str, Any], line: int) -> T | None:
        """Where ``record`` (checked, read at ``line``) goes; None for a commit line, which needs nothing more."""
        lote = record.get("lote")
        if lote is None:
            return self.main
        if record["clase"] == BATCH:
            held = self.open.pop(lote, None)
            if held is not None:
                self.merge(self.main, held[2])
            return None
        first, rows, holder = self.open.get(lote) or (line, 0, self.start())
        self.open[lote] = (first, rows + 1, holder)
        return holder


__all__ = [
    "BATCH", "CLASSES", "ENTRY_FIELDS", "FORMAT_VERSION", "LIMITS", "NOTE", "PIECE", "VOID",
    "BatchCommit", "Batches", "Entry", "Evidence", "Note", "Piece", "Problem", "Void",
    "check_record", "entry_of", "parse", "record_of", "valid_date",
]
