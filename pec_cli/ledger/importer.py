"""``pec import FILE.csv``: many entries at once, all valid or none appended.

Columns are named like the ``pec log`` options plus ``actividad``. What Excel
writes in a Spanish locale is accepted: UTF-8 with or without BOM (UTF-16
by its BOM, or Windows-1252, with a warning), ``;`` or ``,`` separators, dates
as AAAA-MM-DD or DD/MM/AAAA, decimal commas. Every row is checked before
anything is written (:func:`check_import`); all problems are reported
together as ``row, column``. Then :func:`deduplicated` gives the records to
append: each carries ``importe``, a digest of the row's content (and of its
occurrence number among identical rows), so importing the same file again
appends nothing and says how many rows were already there; a row that
repeats a piece in force, or an earlier row, is left out with a line
(SPEC §5). The rows are held in memory: a year is a few thousand, and
100,000 take well under the 300 MB the benchmark allows.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple

from pec_cli.errors import PecError
from pec_cli.fields import IMPORT_COLUMNS, visible
from pec_cli.ledger.cache import LedgerKeys
from pec_cli.ledger.duplicates import Key, is_measurement, piece_keys
from pec_cli.ledger.evidence import beside
from pec_cli.ledger.records import build_piece, jump_problem, previous_measure
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
BLOCK = 1 << 16
MAX_HEADER = 1 << 20
UTF16 = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


class Row(NamedTuple):
    """A valid row: its number in the file, its record, its cells as one text (its identity), whether its
    measurement is confirmed, and the evidence file it names (stored when it is appended)."""

    number: int
    record: dict[str, Any]
    canonical: str
    confirmed: bool
    evidence: Path | None


def _encoding(handle: BinaryIO, name: str, warn: Callable[[list[str]], None]) -> tuple[str, int]:
    """The CSV's encoding and where its text starts (past a BOM): UTF-16 by its BOM; UTF-8 when every
    byte decodes as such; else Windows-1252, with a warning (read once, in blocks)."""
    handle.seek(0)
    start = handle.read(3)
    if start[:2] in UTF16:
        return "utf-16", 0  # the codec reads its BOM
    skip = len(codecs.BOM_UTF8) if start == codecs.BOM_UTF8 else 0
    handle.seek(skip)
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        while block := handle.read(1 << 20):
            decoder.decode(block)
        decoder.decode(b"", final=True)
        return "utf-8", skip
    except UnicodeDecodeError:
        warn([f"{name} no está en UTF-8; se leyó como Windows-1252 (guárdelo como «CSV UTF-8» para evitarlo)"])
        return "cp1252", skip


def _text(handle: BinaryIO, encoding: str, skip: int) -> io.TextIOWrapper:
    handle.seek(skip)
    errors = "replace" if encoding == "cp1252" else "strict"
    return io.TextIOWrapper(handle, encoding=encoding, errors=errors, newline="")


def _first_line(handle: BinaryIO, encoding: str, skip: int) -> str | None:
    """The text's first non-blank line, or None if the text is blank; refused past :data:`MAX_HEADER`
    characters (a file with no line breaks is no CSV): read once, never more than that."""
    text = _text(handle, encoding, skip)
    try:
        parts: list[str] = []
        size = 0
        while chunk := text.read(BLOCK):
            *lines, rest = chunk.split("\n")
            for piece in lines:
                line = "".join(parts) + piece
                parts, size = [], 0
                if line.strip():
                    return line
            parts.append(rest)
            size += len(rest)
            if size > MAX_HEADER:
                raise PecError("La primera fila del archivo pasa de 1 MB sin un salto de línea: no es un CSV de "
                               "filas; guárdelo de nuevo como CSV (una fila por línea) y vuelva a importarlo.")
        line = "".join(parts)
        return line if line.strip() else None
    except UnicodeDecodeError:
        raise PecError(f"El archivo no es texto {encoding.upper()} válido; guárdelo como «CSV UTF-8» y vuelva a "
                       "importarlo.") from None
    finally:
        text.detach()


def open_csv(handle: BinaryIO, name: str, warn: Callable[[list[str]], None]) -> tuple[Any, list[str]]:
    """A CSV reader of ``handle``'s rows past the header, streamed, and the header's column names
    (checked). What Excel writes is accepted: UTF-8 with or without BOM, UTF-16, or Windows-1252."""
    encoding, skip = _encoding(handle, name, warn)
    first = _first_line(handle, encoding, skip)
    if first is None:
        raise PecError(f"El archivo {name} está vacío; la primera fila debe nombrar las columnas (actividad, fecha, titulo, ...).")
    separator = ";" if first.count(";") > first.count(",") else ","
    return _read_header(csv.reader(_text(handle, encoding, skip), delimiter=separator, strict=True), name)


def _date(value: str) -> str:
    """A DD/MM/AAAA cell as AAAA-MM-DD (part of the row's identity); anything else as it is."""
    if _DMY.match(value):
        try:
            return parse_date(value).isoformat()
        except PecError:
            return value
    return value


_OPTION = re.compile(r" \(--\w+\)| en --\w+|(; | o )corrija --\w+|; use --\w+ con|(por ejemplo) --\w+|(quite) --\w+")


def _for_a_cell(message: str) -> str:
    """A refusal worded for the command line, reworded for a CSV cell («o corrija --fecha»: «o corrija la celda»,
    «por ejemplo --valor 1520»: «por ejemplo 1520», «quite --valor»: «deje la celda vacía»)."""
    def cell(m: re.Match[str]) -> str:
        if m.group(1):
            return f"{m.group(1)}corrija la celda"
        if m.group(2) or m.group(3):
            return m.group(2) or "deje la celda vacía"
        return "; use" if m.group(0).startswith("; use") else ""

    return _OPTION.sub(cell, message)


def _csv_problem(exc: csv.Error) -> str:
    """The csv module's complaint, in Spanish."""
    text = str(exc)
    if "unexpected end of data" in text:
        return "unas comillas («\"») se abren y no se cierran antes del final del archivo; ciérrelas o quítelas"
    if "expected" in text and "after" in text:
        return "hay texto pegado a unas comillas de cierre («\"»); ponga toda la celda entre comillas o quítelas"
    if "field larger than field limit" in text:
        return (f"una celda pasa de {csv.field_size_limit():,} caracteres (¿unas comillas sin cerrar?); "
                "revise las comillas o acorte la celda").replace(",", ".")
    return "CSV mal formado; guárdelo de nuevo como CSV (separado por ; o ,)"


def _check_row_date(plan: Plan, fecha: str, original: str) -> None:
    day = iso_date(fecha) or parse_date(original, "")  # the one date parser says why a date is wrong
    if day.year != plan.vigencia:
        raise PecError(
            f"La fecha {fecha} es de {day.year} y se importa al plan {plan.vigencia}: importe las filas de {day.year} "
            f"en otro CSV con --vigencia {day.year} (si no existe plan/{day.year}.yaml, créelo con "
            f"«pec plan nueva {day.year}»).", field="fecha")


def _canonical(fields: dict[str, str], columns: list[str]) -> str:
    """A row's cells as one text: the content of its import key, in the one order of ``COLUMNS``
    (``atiende``, added later, left out when empty, so that an old file keeps its keys)."""
    return "\x1f".join(f"{k}={fields.get(k, '')}" if k in columns else f"{k}=" for k in COLUMNS
                       if not (k in _UNKEYED_WHEN_EMPTY and not fields.get(k)))


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


def jump_errors(rows: list[Row], name: str, series_of: Callable[[str, str], Series]) -> list[str]:
    """Measurements that jump too far from the network's previous one (the latest of an earlier day), checked
    in date order against the ledger (``series_of(activity, tipo)``) and the earlier rows; a refused row
    is no previous for the next."""
    ledger: dict[tuple[str, str], Series] = {}
    days: dict[tuple[str, str, str], tuple[tuple[str, float] | None, tuple[str, float]]] = {}  # (before its day, its day)
    errors: list[str] = []
    measures = sorted((r for r in rows if is_measurement(r.record)), key=lambda r: (r.record["fecha"], r.number))
    for row in measures:
        record = row.record
        act, tipo, red, fecha = record["actividad"], record["tipo"], record["red"], record["fecha"]
        if (act, tipo) not in ledger:
            ledger[(act, tipo)] = series_of(act, tipo)
        before, last = days.get((act, tipo, red), (None, None))
        if last is not None and last[0] < fecha:
            before = last  # the last accepted row of an earlier day
        previous = previous_measure(ledger[(act, tipo)].get(red, []), fecha)
        if before is not None and (previous is None or before[0] >= previous[0]):
            previous = before
        problem = None if row.confirmed else jump_problem(red, record["valor"], previous)
        if problem:
            errors.append(f"{name}: fila {row.number}, columna valor: el valor {problem}; ¿es un error de digitación? "
                          "Corríjalo, o escriba «sí» en la columna confirmar (o importe con --confirmar).")
            continue
        days[(act, tipo, red)] = (before, (fecha, record["valor"]))
    return errors


def _read_header(reader: Any, name: str) -> tuple[Any, list[str]]:
    """The CSV reader past its header, and the header's column names (checked)."""
    try:
        header = next(reader)
    except csv.Error as exc:
        raise PecError(f"El archivo {name} no es un CSV legible ({_csv_problem(exc)}).") from None
    columns = [_ALIASES.get(h.strip().lower(), h.strip().lower()) for h in header]
    if unknown := [h for h in columns if h not in COLUMNS and h not in FLAGS]:
        raise PecError(
            f"La columna «{visible(unknown[0][:60])}» de {name} no existe; las columnas válidas son: "
            f"{', '.join(COLUMNS + FLAGS)}."
        )
    if "actividad" not in columns:
        raise PecError(f"Falta la columna «actividad» en {name}; añádala con el id de la actividad de cada fila.")
    if len(set(columns)) != len(columns):
        raise PecError(f"{name} repite una columna; deje una sola de cada nombre.")
    return reader, columns


def _evidence(base: Path, cell: str) -> tuple[Path | None, str | None]:
    """The evidence file a row names (relative to the CSV's folder), or why it cannot be."""
    source = beside(base, cell)
    if source is None:
        return None, (f"«{visible(cell)}» está fuera de la carpeta del CSV; copie el archivo junto al CSV "
                      "y escriba su ruta relativa")
    if not source.is_file():
        return None, f"el archivo «{visible(cell)}» no existe"
    return source, None


class _Rows:
    """The checks of one row, and what they remember across rows (one plan, one today)."""

    def __init__(self, plan: Plan, name: str, base: Path, today: dt.date, registrado: str, columns: list[str],
                 check_link: Callable[[dict[str, Any]], None] | None, confirmar: bool) -> None:
        self.plan, self.name, self.base, self.today, self.registrado = plan, name, base, today, registrado
        self.columns, self.check_link, self.confirmar = columns, check_link, confirmar
        self.placements: dict[tuple[Any, ...], Any] = {}
        self.rows: list[Row] = []
        self.errors: list[str] = []
        self.count = 0  # the CSV's non-blank rows

    def take(self, number: int, cells: list[str]) -> bool:
        """Check a non-blank row and keep what it gives; False once no more rows are wanted."""
        self.count += 1
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
        fields = {col: cells[i].strip() if i < len(cells) else "" for i, col in enumerate(self.columns)}
        original_date = fields.get("fecha", "")
        fields["fecha"] = _date(original_date)
        canonical = _canonical(fields, self.columns)
        try:
            if not fields["fecha"]:
                raise PecError("Falta la fecha (AAAA-MM-DD o DD/MM/AAAA).", field="fecha")
            _check_row_date(self.plan, fields["fecha"], original_date)
            confirmed = self.confirmar or ("confirmar" in fields and _confirmed(fields.pop("confirmar")))
            record = build_piece(self.plan, fields["actividad"], fields, self.today, self.registrado,
                                 placements=self.placements)
            if record.get("atiende") and self.check_link is not None:
                self.check_link(record)
        except PecError as exc:
            return f"{name}: fila {number}, columna {exc.field or '?'}: {visible(_for_a_cell(exc.message))}", True
        source = None
        if fields.get("evidencia"):  # stored on append
            source, problem = _evidence(self.base, fields["evidencia"])
            if problem:
                return f"{name}: fila {number}, columna evidencia: {problem}", False
        self.rows.append(Row(number, record, canonical, confirmed, source))
        return None


def check_import(
    plan: Plan, handle: BinaryIO, name: str, base: Path, today: dt.date, registrado: str,
    warn: Callable[[list[str]], None], check_link: Callable[[dict[str, Any]], None] | None = None,
    series_of: Callable[[str, str], Series] | None = None, confirmar: bool = False,
) -> tuple[list[Row], int]:
    """Every row checked (the valid ones, and how many non-blank rows the CSV has), or a PecError
    listing every problem. ``check_link`` checks a record's ``atiende``; ``series_of`` (the
    ledger's measurements of an activity and tipo) a measurement's jump, unless ``confirmar``
    or its row's cell."""
    reader, columns = open_csv(handle, name, warn)
    rows = _Rows(plan, name, base, today, registrado, columns, check_link, confirmar)
    try:
        for number, cells in enumerate(reader, start=2):
            if "".join(cells).strip() and not rows.take(number, cells):
                break
    except csv.Error as exc:
        rows.errors.append(f"{name}: fila {reader.line_num}: {_csv_problem(exc)}")
    except UnicodeDecodeError:
        rows.errors.append(f"{name}: el texto no es {'UTF-16' if reader else 'UTF-8'} válido; guárdelo como «CSV UTF-8»")
    errors = rows.errors
    if series_of is not None:
        errors += jump_errors(rows.rows, name, series_of)
        errors.sort(key=lambda error: _row_of(error.removeprefix(name)))  # the jumps among the rows' problems
    if errors:
        raise PecError(
            f"La importación de {name} tiene {len(errors)} error(es) y no se registró ninguna fila; corríjalos y vuelva a importar:",
            errors,
        )
    return rows.rows, rows.count


def _row_of(error: str) -> int:
    """The row an import error names (after the file's name: «: fila 7, …»), for the file's order."""
    found = _ROW.match(error)
    return int(found.group(1)) if found else 0


_ROW = re.compile(r": fila (\d+)")


class Deduplicated:
    """The rows to append, each with its ``importe`` key, without the rows that repeat a piece in force or an
    earlier row of the file (SPEC §5), each said in ``skipped``. A measurement of a network on a day that
    already has another value is a correction: kept if its row is confirmed, else said in ``corrections``
    (the import is refused).

    A row imported before (its ``importe`` is in the ledger) is kept unchecked for ``store.append``, which
    drops it under the lock and says how many rows were imported before: what was corrected since is no
    repeat of it."""

    def __init__(self, rows: list[Row], ledger: LedgerKeys, canonical: Callable[[str], str],
                 ids_of: Callable[[str], tuple[str, ...]]) -> None:
        self.ledger, self.canonical, self.ids_of = ledger, canonical, ids_of
        self.skipped: list[str] = []
        self.corrections: list[str] = []
        self.records = list(self._records(rows))

    def _records(self, rows: list[Row]) -> Iterator[tuple[Row, dict[str, Any]]]:
        earlier: dict[Key, Row] = {}
        copies: dict[str, int] = {}
        imported = self.ledger.imported()
        for row in rows:
            record = dict(row.record)
            occurrence = copies.get(row.canonical, 0)
            copies[row.canonical] = occurrence + 1
            record["importe"] = _key(row.canonical, occurrence)
            keys = piece_keys(record)
            found = None if record["importe"] in imported else \
                self.ledger.repeats(record, self.ids_of(record["actividad"]), self.canonical)
            if found is not None and found[1].get("importe") != record["importe"]:
                if not self._kept(row, found[1].get("valor"), found[1]["id"], f"ya registrada como {found[1]['id']}"):
                    continue
            elif found is None and record["importe"] not in imported:
                first = next((earlier[k] for k in keys if k in earlier), None)
                if first is not None and not self._kept(row, first.record.get("valor"), f"la fila {first.number}",
                                                         f"repite la fila {first.number}"):
                    continue
            for key in keys:
                earlier[key] = row  # a correction is what the next row corrects
            yield row, record

    def _kept(self, row: Row, valor: Any, where: str, repeated: str) -> bool:
        """Whether ``row``, which repeats ``where``, is appended all the same: a measurement that corrects
        another value of its network that day, confirmed. A plain repeat is skipped (said in ``skipped``);
        an unconfirmed correction refused (said in ``corrections``)."""
        record = row.record
        if not is_measurement(record) or valor == record["valor"]:
            self.skipped.append(f"fila {row.number}: {repeated}")
            return False
        if row.confirmed:
            return True
        shown = [f"{v:,.0f}".replace(",", ".") for v in (valor, record["valor"])]
        self.corrections.append(
            f"fila {row.number}, columna valor: {record['red']} ya tiene {shown[0]} el {record['fecha']} ({where}); "
            f"si {shown[1]} lo corrige, escriba «sí» en la columna confirmar (o importe con --confirmar) y contará "
            "el último registrado")
        return False
