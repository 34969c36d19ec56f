"""``pec import FILE.csv``: many entries at once, all valid or none appended.

Columns are named like the ``pec log`` options plus ``actividad``. What Excel
writes in a Spanish locale is accepted: UTF-8 with or without BOM (or
Windows-1252, with a warning), ``;`` or ``,`` separators, dates as
AAAA-MM-DD or DD/MM/AAAA, decimal commas. Every row is checked before
anything is written; all problems are reported together as ``row, column``.

Each imported record carries ``importe``: a digest of the row's content (and
of its occurrence number among identical rows), so importing the same file
again appends nothing and says how many rows were already there.

Memory stays flat whatever the number of rows: a first pass streams the CSV,
checks every row and spools each record to a temporary file (:mod:`spool`),
keeping only 8-byte hashes of the keys and the measurements of the jump check
(:func:`check_import`); a second pass streams the records from the spool into
``store.append``, leaving out duplicates as it goes (:class:`Deduplicated`).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import re
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, BinaryIO

from pec_cli.errors import PecError
from pec_cli.fields import IMPORT_COLUMNS
from pec_cli.ledger.duplicates import Key, piece_keys
from pec_cli.ledger.evidence import beside
from pec_cli.ledger.keyindex import Follow, LedgerKeys, in_force, key_hash, key_variants
from pec_cli.ledger.records import build_piece, jump_problem
from pec_cli.ledger.spool import Spool
from pec_cli.plan.model import Plan, iso_date
from pec_cli.plan.names import parse_date

COLUMNS = IMPORT_COLUMNS
_UNKEYED_WHEN_EMPTY = ("atiende",)  # added later: an empty cell leaves a row's import key as it was
FLAGS = ("confirmar",)  # per-row yes/no columns: not part of a row's identity (``importe``)
_YES = {"si", "sí", "s", "x", "1", "true", "verdadero", "yes"}
_NO = {"", "no", "n", "0", "false", "falso"}
Series = dict[str, list[tuple[str, float]]]
_ALIASES = {"título": "titulo", "área": "area", "actividad_id": "actividad"}
_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
MAX_ERRORS = 200


@dataclass
class Checked:
    """An import's rows after the first pass, all valid: their records spooled, in order, as
    (row number, keys, values, its cells as one text, its piece key hashes), and compact facts."""

    spool: Spool
    rows: int = 0  # the CSV's non-blank rows
    own: array = field(default_factory=lambda: array("Q"))  # the hash of each piece key of each record
    aliases: array = field(default_factory=lambda: array("Q"))  # the same keys under earlier activity ids
    canon: array = field(default_factory=lambda: array("q"))  # the hash of each record's cells, by position
    evidence: dict[int, Path] = field(default_factory=dict)  # position of a record -> its evidence file
    shapes: dict[tuple[str, ...], int] = field(default_factory=dict)  # the records' keys (spooled: their values)


BLOCK = 1 << 20
BOM = codecs.BOM_UTF8


def _encoding(handle: BinaryIO, name: str, warn: Callable[[list[str]], None]) -> tuple[str, int]:
    """The CSV's encoding and where its text starts (past a BOM): UTF-8 when every byte
    decodes as such, else Windows-1252, with a warning (read once, in blocks)."""
    handle.seek(0)
    skip = len(BOM) if handle.read(len(BOM)) == BOM else 0
    handle.seek(skip)
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        while block := handle.read(BLOCK):
            decoder.decode(block)
        decoder.decode(b"", final=True)
        return "utf-8", skip
    except UnicodeDecodeError:
        warn([f"{name} no está en UTF-8; se leyó como Windows-1252 (guárdelo como «CSV UTF-8» para evitarlo)"])
        return "cp1252", skip


def _text(handle: BinaryIO, encoding: str, skip: int) -> io.TextIOWrapper:
    handle.seek(skip)
    return io.TextIOWrapper(handle, encoding=encoding, errors="replace" if encoding == "cp1252" else "strict",
                            newline="")


def _first_line(handle: BinaryIO, encoding: str, skip: int) -> str | None:
    """The text's first line (up to its first \\n), or None if the text is blank."""
    text = _text(handle, encoding, skip)
    head, blank = "", True
    while chunk := text.read(1 << 16):
        head += chunk if "\n" not in head else ""
        blank = blank and not chunk.strip()
        if "\n" in head and not blank:
            break
    text.detach()
    return None if blank else head.split("\n", 1)[0]


def open_csv(handle: BinaryIO, name: str, warn: Callable[[list[str]], None]) -> tuple[Any, list[str]]:
    """A CSV reader of ``handle``'s rows past the header, streamed, and the header's column names
    (checked). What Excel writes is accepted: UTF-8 with or without BOM, or Windows-1252."""
    encoding, skip = _encoding(handle, name, warn)
    first = _first_line(handle, encoding, skip)
    if first is None:
        raise PecError(f"El archivo {name} está vacío; la primera fila debe nombrar las columnas (actividad, fecha, titulo, ...).")
    separator = ";" if first.count(";") > first.count(",") else ","
    return _read_header(csv.reader(_text(handle, encoding, skip), delimiter=separator, strict=True), name)


@lru_cache(maxsize=4096)
def _date(value: str) -> str:
    """A DD/MM/AAAA cell as AAAA-MM-DD (part of the row's identity); anything else as it is."""
    if _DMY.match(value):
        try:
            return parse_date(value).isoformat()
        except PecError:
            return value
    return value


_OPTION = re.compile(r" \(--\w+\)| en --\w+|(; | o )corrija --\w+|; use --\w+ con")


def _for_a_cell(message: str) -> str:
    """A refusal worded for the command line, reworded for a CSV cell («o corrija --fecha»: «o corrija la celda»)."""
    return _OPTION.sub(lambda m: f"{m.group(1)}corrija la celda" if m.group(1) else
                       ("; use" if m.group(0).startswith("; use") else ""), message)


def _csv_problem(exc: csv.Error) -> str:
    """The csv module's complaint, in Spanish."""
    text = str(exc)
    if "unexpected end of data" in text:
        return "unas comillas («\"») se abren y no se cierran antes del final del archivo; ciérrelas o quítelas"
    if "expected" in text and "after" in text:
        return "hay texto pegado a unas comillas de cierre («\"»); ponga toda la celda entre comillas o quítelas"
    return f"CSV mal formado ({text}); guárdelo de nuevo como CSV"


def _build(plan: Plan, fields: dict[str, Any], today: dt.date, registrado: str,
           check_link: Callable[[dict[str, Any]], None] | None, placements: dict[tuple[Any, ...], Any] | None = None,
           ) -> dict[str, Any]:
    """A row's record (``build_piece``), its ``atiende`` checked against the ledger."""
    record = build_piece(plan, fields["actividad"], fields, today, registrado, placements=placements)
    if record.get("atiende") and check_link is not None:
        check_link(record)
    return record


def _check_row_date(plan: Plan, fecha: str, original: str) -> None:
    day = iso_date(fecha) or parse_date(original, "")  # the one date parser says why a date is wrong
    if day.year != plan.vigencia:
        raise PecError(
            f"La fecha {fecha} es de {day.year} y se importa al plan {plan.vigencia}: importe las filas de {day.year} "
            f"en otro CSV con --vigencia {day.year} (si no existe plan/{day.year}.yaml, créelo con "
            f"«pec plan nueva {day.year}»).", field="fecha")


def _canonical(fields: dict[str, str], spec: list[tuple[str, str | None, bool]] | None = None) -> str:
    """A row's cells as one text: the import key's content (``spec``: :func:`_canonical_spec`
    of the CSV's columns, which ``fields`` all hold)."""
    if spec is None:
        spec = _canonical_spec(list(fields))
    return "\x1f".join([prefix + fields[key] if key else prefix for prefix, key, unkeyed in spec
                         if not unkeyed or fields[key]])  # type: ignore[index]


def _canonical_spec(columns: list[str]) -> list[tuple[str, str | None, bool]]:
    """(``column=``, the column if the CSV has it, whether it is left out when empty) of each
    column of a row's text, in the one order of ``COLUMNS``."""
    return [(f"{k}=", k if k in columns else None, k in _UNKEYED_WHEN_EMPTY) for k in COLUMNS
            if k in columns or k not in _UNKEYED_WHEN_EMPTY]


def _key(canonical: str, occurrence: int) -> str:
    """A row's identity across imports: its cells, and which copy of identical rows it is."""
    return hashlib.sha256(f"{canonical}\x1f#{occurrence}".encode()).hexdigest()[:24]


def _confirmed(cell: str) -> bool:
    """A ``confirmar`` cell: sí/x/1 or empty/no; a refusal for anything else."""
    key = cell.strip().lower()
    if key in _YES:
        return True
    if key in _NO:
        return False
    raise PecError("Escriba «sí» (o x) para confirmar la medición, o deje la celda vacía.", field="confirmar")


Measure = tuple[str, int, str, str, str, int, bool]  # fecha, row, actividad, tipo, red, valor, confirmed


def jump_errors(measures: list[Measure], name: str, series_of: Callable[[str, str], Series]) -> list[str]:
    """Measurements that jump too far from the network's previous one, checked in date order
    against the ledger (``series_of(activity, tipo)``) and the earlier rows; a refused row is not
    a previous for the next."""
    ledger: dict[tuple[str, str], Series] = {}
    last_row: dict[tuple[str, str, str], tuple[str, float]] = {}
    errors: list[str] = []
    for fecha, number, act, tipo, red, valor, confirmed in sorted(measures, key=lambda m: m[:2]):
        if (act, tipo) not in ledger:
            ledger[(act, tipo)] = series_of(act, tipo)
        previous, row = _last_on(ledger[(act, tipo)].get(red, []), fecha), last_row.get((act, tipo, red))
        if row is not None and (previous is None or row[0] >= previous[0]):
            previous = row  # of the same day, a row is recorded after what the ledger holds
        problem = None if confirmed else jump_problem(red, valor, previous)
        if problem:
            errors.append(f"{name}: fila {number}, columna valor: el valor {problem}; ¿es un error de digitación? "
                          "Corríjalo, o escriba «sí» en la columna confirmar (o importe con --confirmar).")
            continue
        last_row[(act, tipo, red)] = (fecha, valor)
    return errors


def _last_on(series: list[tuple[str, float]], fecha: str) -> tuple[str, float] | None:
    import bisect

    at = bisect.bisect_right(series, (fecha, float("inf")))
    return series[at - 1] if at else None


def _read_header(reader: Any, name: str) -> tuple[Any, list[str]]:
    """The CSV reader past its header, and the header's column names (checked)."""
    try:
        header = next(reader)
    except csv.Error as exc:
        raise PecError(f"El archivo {name} no es un CSV legible ({exc}); guárdelo de nuevo como CSV.") from None
    columns = [_ALIASES.get(h.strip().lower(), h.strip().lower()) for h in header]
    unknown = [h for h in columns if h not in COLUMNS and h not in FLAGS]
    if unknown:
        raise PecError(
            f"La columna «{unknown[0]}» de {name} no existe; las columnas válidas son: {', '.join(COLUMNS + FLAGS)}."
        )
    if "actividad" not in columns:
        raise PecError(f"Falta la columna «actividad» en {name}; añádala con el id de la actividad de cada fila.")
    if len(set(columns)) != len(columns):
        raise PecError(f"{name} repite una columna; deje una sola de cada nombre.")
    return reader, columns


def _evidence(base: Path, cell: str) -> tuple[Path, str | None]:
    """The evidence file a row names (relative to the CSV's folder), or why it cannot be."""
    source = beside(base, cell)
    if source is None:
        return base, (f"«{cell}» está fuera de la carpeta del CSV; copie el archivo junto al CSV "
                      "y escriba su ruta relativa")
    if not source.is_file():
        return source, f"el archivo «{cell}» no existe"
    return source, None


def _row_fields(columns: list[str], cells: list[str], spec: list[tuple[str, str | None, bool]] | None = None,
                ) -> tuple[dict[str, str], str, str]:
    """A row's cells by column (its date as AAAA-MM-DD), the date as typed, and its cells as one
    text (the content of its ``importe`` key, with which copy of identical rows it is)."""
    if len(cells) == len(columns):
        fields = dict(zip(columns, map(str.strip, cells), strict=True))
    else:
        fields = {col: cells[i].strip() if i < len(cells) else "" for i, col in enumerate(columns)}
    original_date = fields.get("fecha", "")
    fields["fecha"] = _date(original_date)
    return fields, original_date, _canonical(fields, spec)


class _Rows:
    """The checks of one row, what they remember across rows (one plan, one today), and what the
    rows give: the errors (up to :data:`MAX_ERRORS` row refusals), the measurements of the jump
    check and, while the file is not refused, the spooled records and their compact facts."""

    def __init__(self, plan: Plan, name: str, base: Path, today: dt.date, registrado: str, columns: list[str],
                 check_link: Callable[[dict[str, Any]], None] | None, confirmar: bool, checked: Checked) -> None:
        self.plan, self.name, self.base, self.today, self.registrado = plan, name, base, today, registrado
        self.columns, self.check_link, self.confirmar, self.checked = columns, check_link, confirmar, checked
        self.placements: dict[tuple[Any, ...], Any] = {}
        self.dates: set[tuple[str, str]] = set()
        self.spec = _canonical_spec(columns)
        self.renamed: dict[str, tuple[str, ...]] = {}  # activity -> its ids, earlier ones too
        self.errors: list[str] = []
        self.measures: list[Measure] = []

    def take(self, number: int, cells: list[str]) -> bool:
        """Check a non-blank row and keep what it gives; False once no more rows are wanted."""
        self.checked.rows += 1
        refused = self.check(number, cells)
        if refused is None:
            return True
        self.errors.append(refused[0])
        return not (refused[1] and len(self.errors) >= MAX_ERRORS)

    def check(self, number: int, cells: list[str]) -> tuple[str, bool] | None:
        """Why the row is refused (and whether it counts toward :data:`MAX_ERRORS`), or None."""
        name = self.name
        if len(cells) > len(self.columns):
            return f"{name}: fila {number}: tiene {len(cells)} celdas y hay {len(self.columns)} columnas", False
        fields, original_date, canonical = _row_fields(self.columns, cells, self.spec)
        try:
            if not fields.get("fecha"):
                raise PecError("Falta la fecha (AAAA-MM-DD o DD/MM/AAAA).", field="fecha")
            if (fields["fecha"], original_date) not in self.dates:
                _check_row_date(self.plan, fields["fecha"], original_date)
                self.dates.add((fields["fecha"], original_date))
            confirmed = self.confirmar or ("confirmar" in fields and _confirmed(fields.pop("confirmar")))
            record = _build(self.plan, fields, self.today, self.registrado, self.check_link, self.placements)
        except PecError as exc:
            return f"{name}: fila {number}, columna {exc.field or '?'}: {_for_a_cell(exc.message)}", True
        source = None
        if fields.get("evidencia"):  # stored on append
            source, problem = _evidence(self.base, fields["evidencia"])
            if problem:
                return f"{name}: fila {number}, columna evidencia: {problem}", False
        if "valor" in record and "red" in record:
            self.measures.append((record["fecha"], number, record["actividad"], record["tipo"], record["red"],
                                  record["valor"], confirmed))
        if not self.errors:  # once the file is refused, only its problems are still wanted
            self._keep(number, record, canonical, source)
        return None

    def _keep(self, number: int, record: dict[str, Any], canonical: str, source: Path | None) -> None:
        """Spool a valid row's record, and keep the hashes of its keys and cells."""
        checked = self.checked
        if source is not None:
            checked.evidence[checked.spool.count] = source
        own = [key_hash(key) for key in piece_keys(record)]
        checked.own.extend(own)
        ids = self.renamed.get(record["actividad"])
        if ids is None:
            act = self.plan.activity(record["actividad"])
            ids = self.renamed[record["actividad"]] = act.ids if act is not None else ()
        if len(ids) > 1:
            checked.aliases.extend(h for _, hashes in key_variants(record, ids) for h in hashes[1:])
        checked.canon.append(hash(canonical))  # only to find identical rows within this run: confirmed on the text
        shape = checked.shapes.setdefault(tuple(record), len(checked.shapes))
        checked.spool.add((number, shape, tuple(record.values()), canonical, own))


def check_import(
    plan: Plan, handle: BinaryIO, name: str, base: Path, today: dt.date, registrado: str,
    warn: Callable[[list[str]], None], check_link: Callable[[dict[str, Any]], None] | None = None,
    series_of: Callable[[str, str], Series] | None = None, confirmar: bool = False, spool: Path | None = None,
) -> Checked:
    """The first pass: check every row, streaming the CSV; the valid records spooled (in a
    temporary file in the folder ``spool``), or a PecError listing every problem. ``check_link``
    checks a record's ``atiende``; ``series_of`` (the ledger's measurements of an activity and
    tipo) a measurement's jump, unless ``confirmar`` or its row's cell."""
    reader, columns = open_csv(handle, name, warn)
    checked = Checked(Spool(spool))
    rows = _Rows(plan, name, base, today, registrado, columns, check_link, confirmar, checked)
    try:
        for number, cells in enumerate(reader, start=2):
            if "".join(cells).strip() and not rows.take(number, cells):
                break
    except csv.Error as exc:
        rows.errors.append(f"{name}: fila {reader.line_num}: {_csv_problem(exc)}")
    errors = rows.errors
    if series_of is not None:
        errors += jump_errors(rows.measures, name, series_of)
        errors.sort(key=lambda error: _row_of(error.removeprefix(name)))  # the jumps among the rows' problems
    if errors:
        checked.spool.close()
        raise PecError(
            f"La importación de {name} tiene {len(errors)} error(es) y no se registró ninguna fila; corríjalos y vuelva a importar:",
            errors,
        )
    return checked


def _row_of(error: str) -> int:
    """The row an import error names (after the file's name: «: fila 7, …»), for the file's order."""
    found = _ROW.match(error)
    return int(found.group(1)) if found else 0


_ROW = re.compile(r": fila (\d+)")


def _repeated(hashes: array) -> set[int]:
    """The values found more than once in ``hashes``."""
    seen: set[int] = set(hashes)
    if len(seen) == len(hashes):  # the usual case, found in C
        return set()
    seen.clear()
    return {h for h in hashes if h in seen or seen.add(h)}  # type: ignore[func-returns-value]


class Deduplicated:
    """The second pass: the spooled records, each with its ``importe`` key, without the rows that
    repeat a piece in force or an earlier row of the file (SPEC §5), each said in ``skipped``.

    A row whose piece came from this very row before (same ``importe``) is kept for
    ``store.append``, which drops it and says how many rows were imported before. Only the
    rows whose key hashes meet the ledger's, or another row's, have their keys compared,
    and a hash hit is confirmed on the real keys before a row is left out."""

    def __init__(
        self, checked: Checked, ledger: LedgerKeys, canonical: Callable[[str], str],
        ids_of: Callable[[str], tuple[str, ...]], store_evidence: Callable[[Path], dict[str, Any]] | None = None,
        follow: Follow | None = None,
    ) -> None:
        self.checked, self.ledger, self.canonical, self.ids_of = checked, ledger, canonical, ids_of
        self.store_evidence, self.follow = store_evidence, follow
        self.skipped: list[str] = []
        self.count = 0  # records handed to store.append
        self.repeated = _repeated(checked.own)
        self.identical = _repeated(checked.canon)
        self.hits = self._hits()
        self._known: dict[Key, dict[str, Any] | None] = {}

    def _hits(self) -> set[int]:
        """The records' key hashes that some piece of the ledger has too."""
        rows = (self.checked.own, self.checked.aliases)
        ledger = list(self.ledger.hashes())
        if not sum(map(len, ledger)) or not sum(map(len, rows)):
            return set()
        small, big = (ledger, rows) if sum(map(len, ledger)) <= sum(map(len, rows)) else (rows, ledger)
        probe = {h for part in small for h in part}
        return {h for part in big for h in probe.intersection(part)}

    def _existing(self, record: dict[str, Any]) -> dict[str, Any] | None:
        """The piece in force that ``record`` repeats (by its first key that has one), if any."""
        for key, hashes in key_variants(record, self.ids_of(record["actividad"])):
            if key not in self._known:
                wanted = [h for h in hashes if h in self.hits]
                self._known[key] = in_force(self.ledger, key, wanted, self.canonical) if wanted else None
            if self._known[key] is not None:
                return self._known[key]
        return None

    def records(self) -> Iterator[dict[str, Any]]:
        earlier: dict[Key, int] = {}
        copies: dict[str, int] = {}
        hits, repeated, identical, canon = self.hits, self.repeated, self.identical, self.checked.canon
        shapes, evidence, follow = list(self.checked.shapes), self.checked.evidence, self.follow
        for position, (number, shape, values, canonical, own) in enumerate(self.checked.spool):
            record = dict(zip(shapes[shape], values, strict=False))  # spooled with those keys
            occurrence = 0
            if identical and canon[position] in identical:
                occurrence = copies.get(canonical, 0)
                copies[canonical] = occurrence + 1
            record["importe"] = _key(canonical, occurrence)
            again = bool(repeated) and any(h in repeated for h in own)
            keys = piece_keys(record) if again else []
            maybe = hits and (any(h in hits for h in own) or len(self.ids_of(record["actividad"])) > 1)
            existing = self._existing(record) if maybe else None
            if existing is not None and existing.get("importe") != record["importe"]:
                self.skipped.append(f"fila {number}: ya registrada como {existing['id']}")
                continue
            if again:
                earlier_row = next((earlier[k] for k in keys if k in earlier), None)
                if existing is None and earlier_row is not None:
                    self.skipped.append(f"fila {number}: repite la fila {earlier_row}")
                    continue
                for key in keys:
                    earlier.setdefault(key, number)
            if evidence and position in evidence and self.store_evidence is not None:
                record["evidencia"] = self.store_evidence(evidence[position])
            if follow is not None:
                follow.known = (record["importe"], own)
            self.count += 1
            yield record
