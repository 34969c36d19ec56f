"""Ledger entries as typed values, and the one record rule every reader and writer applies.

Every record carries ``v`` (the format version), its position ``n`` in its
segment and the chain link ``prev``; ``clase`` tells the kinds apart:
:class:`Piece` (a published piece, maybe a measurement), :class:`Void` (a
correction naming the entry it voids), :class:`Note` (an observación of a
quarter) and :class:`BatchCommit` (the last line of a ``pec import``: the rows
carrying its ``lote`` count only once it is written, see :class:`Batches`).

:func:`check_record` is the rule: types, ranges, text lengths and no control
characters or terminal escape sequences in any text. :func:`decode` turns one
ledger line into an :class:`Entry` or a :class:`Problem`; ``store`` applies the
same rule to every line it reads (the big scan through :func:`parse`, which
skips building entries) and to every record before it writes it.
Standard library only.
"""

import datetime as dt
import json
import re
from collections.abc import Callable
from functools import lru_cache
from types import MappingProxyType
from typing import Any, Generic, NamedTuple, TypeVar

from pec_cli.fields import ENTRY_FIELDS, TEXT_LIMITS
from pec_cli.plan.model import iso_date, parse_quarter

FORMAT_VERSION = 1
PIECE = "pieza"
VOID = "anulacion"
NOTE = "observacion"
BATCH = "lote"
CLASSES = (PIECE, VOID, NOTE, BATCH)

# the longest text each field may hold, from the one registry (the writer refuses more, readers skip more)
LIMITS = TEXT_LIMITS
NAME_LIMIT = 100  # ids and names: actividad, tipo, red, id, anula, importe, lote, registrado
NAME_FIELDS = ("id", "actividad", "registrado", "prev", "tipo", "red", "anula", "importe", "lote")
MAX_VALOR = 10**15  # no audience or count comes near; keeps sums exact in a float
MAX_LINE = 128 * 1024  # a valid record is far smaller: every text at its limit is ~30 KB
MAX_FILAS = 10**8

# C0 (incl. \t \n \r), DEL and C1 (incl. CSI \x9b): what can move a terminal's cursor or fake a link
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
# What no text of a record may hold: those, and a lone UTF-16 surrogate (json.loads lets it through; no UTF-8
# file or terminal can hold it). Needed only when the bytes below hit: a string that re compiles on first use
# (and keeps), as this class costs ~0.5 ms to compile, which every command would pay at start-up.
_FORBIDDEN = "[\x00-\x1f\x7f-\x9f\ud800-\udfff]"
# a cheap look at the raw line: a hit means a string may hold one (escaped, or DEL/C1/surrogate raw in UTF-8);
# compiled here, as a line with «» or º (\xc2) asks them on every write of an import
_ESCAPED_CONTROL = re.compile(rb"\\[bfnrt]|\\u00[01][0-9a-fA-F]|\\u007[fF]|\\u00[89][0-9a-fA-F]|\\u[dD][89a-fA-F]")
_RAW_C1 = re.compile(rb"\xc2[\x80-\x9f]")  # a literal first byte: sre finds it fast
_RAW_SURROGATE = re.compile(rb"\xed[\xa0-\xbf]")
MAX_DEPTH = 256  # nesting of a line: a record is 2 deep; json.loads' own limit depends on the caller's stack
_TEXT_LIMITS = {**dict.fromkeys(NAME_FIELDS, NAME_LIMIT), **LIMITS}
_SHA256 = r"[0-9a-f]{64}"


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


def may_hide_control(raw: bytes) -> bool:
    """Whether a line's bytes may hold a control character in a string (cheap byte scans first: a byte
    looked for as an int is a memchr, 8x faster than as a one-byte bytes on CPython 3.11)."""
    return (
        0x7F in raw
        or (0x5C in raw and _ESCAPED_CONTROL.search(raw) is not None)  # a backslash
        or (0xC2 in raw and _RAW_C1.search(raw) is not None)
        or (0xED in raw and _RAW_SURROGATE.search(raw) is not None)
    )


def too_deep(raw: bytes) -> bool:
    """Whether a line nests more than :data:`MAX_DEPTH` arrays or objects (counted outside strings)."""
    if raw.count(b"[") + raw.count(b"{") <= MAX_DEPTH:
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
            if depth > MAX_DEPTH:
                return True
        elif byte in (0x5D, 0x7D):  # ] }
            depth -= 1
    return False


def _has_control(value: Any) -> bool:
    if isinstance(value, str):
        return re.search(_FORBIDDEN, value) is not None
    if isinstance(value, dict):
        return any(_has_control(k) or _has_control(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_control(v) for v in value)
    return False


def _evidence_problem(value: Any) -> str | None:
    if not isinstance(value, dict):
        return "registro con «evidencia» no válida"
    archivo, sha, nombre = value.get("archivo"), value.get("sha256"), value.get("nombre", "")
    if not (type(archivo) is str and 0 < len(archivo) <= 300 and type(sha) is str and re.fullmatch(_SHA256, sha)
            and type(nombre) is str and len(nombre) <= 200):
        return "registro con «evidencia» no válida"
    return None


def _valor_problem(valor: Any) -> str | None:
    if isinstance(valor, bool) or not isinstance(valor, int | float):
        return "registro con «valor» no numérico"
    if not (0 <= valor <= MAX_VALOR) or (isinstance(valor, float) and not valor.is_integer()):
        # NaN fails every comparison, so it is refused here too
        return f"registro con «valor» {valor!r} fuera de rango (un número entero entre 0 y {MAX_VALOR})"
    return None


def _class_problem(record: dict[str, Any], clase: str) -> str | None:  # noqa: C901 - one branch per class
    fecha = record.get("fecha")
    if clase == BATCH:
        filas = record.get("filas")
        if type(record.get("lote")) is not str or not (type(filas) is int and 1 <= filas <= MAX_FILAS):
            return "cierre de importación sin «lote» o «filas» válidos"
        return None
    if type(record.get("actividad")) is not str or not record["actividad"]:
        return "registro sin «actividad» válida"
    if (fecha is not None or clase == PIECE) and not (type(fecha) is str and valid_date(fecha)):
        return "registro sin «fecha» AAAA-MM-DD válida"
    tipo = record.get("tipo")
    if clase == PIECE and type(tipo) is not str:
        return "registro sin «tipo» válido"
    if tipo is not None and type(tipo) is not str:
        return "registro con «tipo» no válido"
    if clase == VOID and type(record.get("anula")) is not str:
        return "anulación sin «anula» válido"
    if clase == NOTE:
        if _quarter(record.get("trimestre")) is None:
            return "observación sin «trimestre» I-IV válido"
        if type(record.get("texto")) is not str:
            return "observación sin «texto»"
    return None


def check_record(record: Any, raw: bytes | None = None) -> str | None:  # noqa: C901, PLR0912 - one list of checks, in order
    """Why ``record`` (a decoded ledger line, or what a writer is about to write) is not a valid
    record, in Spanish, or None: the one rule of readers and writers alike.

    ``raw``, the line's bytes, lets a reader skip the control-character walk
    when the bytes show no escape that could hide one.
    """
    if not isinstance(record, dict):
        return "línea dañada (no es un registro)"
    version = record.get("v")
    if version != FORMAT_VERSION:
        if type(version) is int and version > FORMAT_VERSION:
            return f"registro en formato {version}, más nuevo que este pec: actualice pec"
        return "registro sin versión de formato válida"
    for key in ("id", "registrado", "prev"):
        if type(record.get(key)) is not str:
            return f"registro sin «{key}» válido"
    n = record.get("n")
    if type(n) is not int or n < 1:
        return "registro sin número de secuencia «n» válido"
    clase = record.get("clase")
    if clase not in CLASSES:
        return f"registro de clase desconocida {str(clase)[:40]!r}"
    problem = _class_problem(record, clase)
    if problem is not None:
        return problem
    limit_of = _TEXT_LIMITS.get
    for key, value in record.items():  # a hot loop (every line an import writes): in the record's order
        limit = limit_of(key)
        if limit is not None and (type(value) is not str or len(value) > limit):
            return f"registro con «{key}» no válido (un texto de hasta {limit} caracteres)"
    valor = record.get("valor")
    if valor is not None:
        problem = _valor_problem(valor)
        if problem is not None:
            return problem
    if "evidencia" in record:
        problem = _evidence_problem(record["evidencia"])
        if problem is not None:
            return problem
    if (raw is None or may_hide_control(raw)) and _has_control(record):
        return ("registro con caracteres de control, secuencias de escape de terminal o sustitutos UTF-16 "
                "sueltos en un texto")
    return None


def parse(raw: bytes, loads: Callable[[bytes], Any] = json.loads) -> dict[str, Any] | str:
    """The checked record of one ledger line, or why it is not one (Spanish)."""
    if len(raw) > MAX_LINE:
        return f"línea demasiado larga ({len(raw)} bytes; un registro ocupa menos de {MAX_LINE // 1024} KB)"
    if too_deep(raw):
        return "línea dañada (anidamiento excesivo)"
    try:
        record = loads(raw)
    except (UnicodeDecodeError, ValueError):
        return "línea dañada o incompleta (no es un registro JSON completo)"
    except RecursionError:
        return "línea dañada (anidamiento excesivo)"
    problem = check_record(record, raw)
    return record if problem is None else problem


# a real AAAA-MM-DD date, calendar and leap years included (year 0000 does not exist): what valid_date accepts
# of that shape, compiled into the rule (tests/test_speed.py checks every date of every year against it)
_YEAR = "(?:[0-9]{3}[1-9]|[0-9]{2}[1-9]0|[0-9][1-9]00|[1-9]000)"
_LEAP_YEAR = "(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:0[48]|[2468][048]|[13579][26])00)"
_MONTH_DAY = "(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)|02-(?:0[1-9]|1[0-9]|2[0-8]))"
DATE_PATTERN = f"^(?:{_YEAR}-{_MONTH_DAY}|{_LEAP_YEAR}-02-29)$"


@lru_cache(maxsize=1)
def compiled_rule() -> Callable[[bytes], dict[str, Any]]:
    """:func:`check_record` compiled with pydantic-core: one pass over a line's raw JSON (big scans).

    The returned function parses and checks a line in one go, or raises
    ValueError. It accepts a subset of what :func:`parse` accepts: the shape
    of every line pec writes, with the same types, ranges and text limits,
    built from the same constants (a date by :data:`DATE_PATTERN`). Two
    checks stay with the caller, as they are cheaper over a whole block of
    lines: the line's length (:data:`MAX_LINE`) and a control character in a
    text (:func:`may_hide_control` on the bytes). Keys it does not know are
    parsed but left out of the result. Whatever it refuses
    goes to :func:`parse`, so a line's verdict and message never depend on
    which path read it (``tests/test_fuzz.py`` fuzzes the pair).
    """
    from pydantic_core import SchemaValidator
    from pydantic_core import core_schema as cs

    def text(limit: int, min_length: int | None = None) -> Any:
        return cs.str_schema(max_length=limit, min_length=min_length, strict=True)

    def optional(schema: Any) -> Any:
        return cs.typed_dict_field(schema, required=False)

    def whole(low: int, high: int | None = None) -> Any:
        return cs.int_schema(ge=low, le=high, strict=True)

    date = cs.str_schema(pattern=DATE_PATTERN, strict=True)
    evidence = cs.typed_dict_schema(
        {"archivo": cs.typed_dict_field(text(300, 1)), "sha256": cs.typed_dict_field(cs.str_schema(pattern=f"^{_SHA256}$")),
         "nombre": optional(text(200))}, extra_behavior="ignore")

    def record(required: tuple[str, ...], **fields: Any) -> Any:
        every = {key: cs.typed_dict_field(text(limit, 1 if key == "actividad" and required else None),
                                          required=key in required) for key, limit in _TEXT_LIMITS.items()}
        every.update(v=cs.typed_dict_field(whole(FORMAT_VERSION, FORMAT_VERSION)), n=cs.typed_dict_field(whole(1)),
                     clase=cs.typed_dict_field(cs.str_schema(strict=True)),
                     valor=optional(cs.nullable_schema(whole(0, MAX_VALOR))), evidencia=optional(evidence))
        every.update(fields)
        return cs.typed_dict_schema(every, extra_behavior="ignore")

    common = ("id", "registrado", "prev")
    schema = cs.tagged_union_schema({
        PIECE: record((*common, "actividad", "tipo"), fecha=cs.typed_dict_field(date)),
        VOID: record((*common, "actividad", "anula"), fecha=optional(cs.nullable_schema(date))),
        NOTE: record((*common, "actividad", "texto"), fecha=optional(cs.nullable_schema(date)),
                     trimestre=cs.typed_dict_field(cs.union_schema([cs.literal_schema(["I", "II", "III", "IV"]),
                                                                    whole(1, 4)]))),
        BATCH: record((*common, "lote"), filas=cs.typed_dict_field(whole(1, MAX_FILAS))),
    }, discriminator="clase")
    return SchemaValidator(schema, {"cache_strings": "keys"}).validate_json  # values: cheaper not to cache


def entry_of(record: dict[str, Any], file: str = "", line: int = 0) -> Entry:
    """The typed entry of a record that passed :func:`check_record`."""
    clase = record["clase"]
    fecha = record.get("fecha")
    trimestre = record.get("trimestre")
    keys = (*ENTRY_FIELDS, "motivo", "texto", "importe", "lote", "filas")
    return _TYPES[clase](
        id=record["id"],
        clase=clase,
        actividad=record.get("actividad", ""),
        fecha=dt.date.fromisoformat(fecha) if fecha is not None else None,
        registrado=record["registrado"],
        tipo=record.get("tipo"),
        datos={k: record[k] for k in keys if k in record},
        anula=record.get("anula"),
        trimestre=_quarter(trimestre) if clase == NOTE else None,
        file=file,
        line=line,
        n=record["n"],
        prev=record["prev"],
    )


def decode(raw: bytes, file: str = "", line: int = 0, loads: Callable[[bytes], Any] = json.loads) -> Entry | Problem:
    """The entry of one ledger line, or the :class:`Problem` that keeps it from counting."""
    record = parse(raw, loads)
    if isinstance(record, str):
        return Problem(file, line, record)
    return entry_of(record, file, line)


T = TypeVar("T")


class Batches(Generic[T]):
    """Import rows held until their batch's commit line is read: all of a batch counts, or none.

    ``pec import`` writes its rows, each carrying ``lote``, then one
    :data:`BATCH` record; a reader that meets the rows keeps them aside
    (:meth:`hold`) and releases them at the commit (:meth:`commit`). Rows whose
    commit never came (a kill, a full disk, Ctrl-C) stay in :attr:`open` at the
    end of the segment: they never count, and importing the file again writes
    the batch anew.
    """

    def __init__(self, start: Callable[[], T]) -> None:
        self.start = start
        self.open: dict[str, tuple[int, int, T]] = {}  # lote -> (first line, rows, held)

    def hold(self, lote: str, line: int) -> T:
        held = self.open.get(lote)
        if held is None:
            held = self.open[lote] = (line, 0, self.start())
        self.open[lote] = (held[0], held[1] + 1, held[2])
        return held[2]

    def commit(self, lote: str) -> tuple[int, T] | None:
        """(rows, what was held) of ``lote``, or None if no row of it was seen."""
        held = self.open.pop(lote, None)
        return None if held is None else (held[1], held[2])


__all__ = [
    "BATCH", "CLASSES", "ENTRY_FIELDS", "FORMAT_VERSION", "LIMITS", "NOTE", "PIECE", "VOID",
    "BatchCommit", "Batches", "Entry", "Evidence", "Note", "Piece", "Problem", "Void",
    "DATE_PATTERN", "check_record", "compiled_rule", "decode", "entry_of", "may_hide_control", "parse", "valid_date",
]
