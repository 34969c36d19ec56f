"""``pec import FILE.csv``: many entries at once, all valid or none appended.

Columns are named like the ``pec log`` options plus ``actividad``. What Excel
writes in a Spanish locale is accepted: UTF-8 with or without BOM (or
Windows-1252, with a warning), ``;`` or ``,`` separators, dates as
AAAA-MM-DD or DD/MM/AAAA, decimal commas. Every row is checked before
anything is written; all problems are reported together as ``row, column``.

Each imported record carries ``importe``: a digest of the row's content (and
of its occurrence number among identical rows), so importing the same file
again appends nothing and says how many rows were already there.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pec_cli.errors import PecError
from pec_cli.fields import IMPORT_COLUMNS
from pec_cli.ledger.duplicates import Key, piece_keys
from pec_cli.ledger.evidence import beside
from pec_cli.ledger.records import build_piece, jump_problem
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
class ImportBatch:
    """What an import would append (rows imported before are dropped by ``ledger.append``)."""

    records: list[dict[str, Any]]
    evidence: list[tuple[int, Path]]  # (index in records, source file)
    rows: int
    skipped: list[str] = field(default_factory=list)  # "fila 7: ya registrada como 2024-ab3de-12"


def decode_csv(data: bytes, name: str, warn: Callable[[list[str]], None]) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        warn([f"{name} no está en UTF-8; se leyó como Windows-1252 (guárdelo como «CSV UTF-8» para evitarlo)"])
        return data.decode("cp1252", errors="replace")


def _separator(text: str) -> str:
    header = text.split("\n", 1)[0]
    return ";" if header.count(";") > header.count(",") else ","


def _date(value: str) -> str:
    """A DD/MM/AAAA cell as AAAA-MM-DD (part of the row's identity); anything else as it is."""
    if _DMY.match(value):
        try:
            return parse_date(value).isoformat()
        except PecError:
            return value
    return value


_OPTION = re.compile(r" \(--\w+\)| en --\w+|; corrija --\w+|; use --\w+ con")


def _for_a_cell(message: str) -> str:
    """A refusal worded for the command line, reworded for a CSV cell."""
    return _OPTION.sub(lambda m: "; corrija la celda" if "corrija" in m.group(0) else
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
           check_link: Callable[[dict[str, Any]], None] | None) -> dict[str, Any]:
    """A row's record (``build_piece``), its ``atiende`` checked against the ledger."""
    record = build_piece(plan, fields["actividad"], fields, today, registrado)
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


def _canonical(fields: dict[str, str]) -> str:
    """A row's cells as one text: the import key's content."""
    return "\x1f".join(f"{k}={fields.get(k) or ''}" for k in COLUMNS if k not in _UNKEYED_WHEN_EMPTY or fields.get(k))


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


def jump_errors(
    records: list[dict[str, Any]], rows: list[int], confirmed: list[bool], name: str,
    series_of: Callable[[str, str], Series],
) -> list[str]:
    """Measurements that jump too far from the network's previous one, checked in date order
    against the ledger (``series_of(activity, tipo)``) and the earlier rows; a refused row is not
    a previous for the next."""
    order = sorted((r["fecha"], rows[i], i) for i, r in enumerate(records) if "valor" in r and "red" in r)
    ledger: dict[tuple[str, str], Series] = {}
    last_row: dict[tuple[str, str, str], tuple[str, float]] = {}
    errors: list[str] = []
    for fecha, number, i in order:
        record = records[i]
        act, tipo, red = record["actividad"], record["tipo"], record["red"]
        if (act, tipo) not in ledger:
            ledger[(act, tipo)] = series_of(act, tipo)
        previous, row = _last_on(ledger[(act, tipo)].get(red, []), fecha), last_row.get((act, tipo, red))
        if row is not None and (previous is None or row[0] >= previous[0]):
            previous = row  # of the same day, a row is recorded after what the ledger holds
        problem = None if confirmed[i] else jump_problem(red, record["valor"], previous)
        if problem:
            errors.append(f"{name}: fila {number}, columna valor: el valor {problem}; ¿es un error de digitación? "
                          "Corríjalo, o escriba «sí» en la columna confirmar (o importe con --confirmar)")
            continue
        last_row[(act, tipo, red)] = (fecha, record["valor"])
    return errors


def _last_on(series: list[tuple[str, float]], fecha: str) -> tuple[str, float] | None:
    import bisect

    at = bisect.bisect_right(series, (fecha, float("inf")))
    return series[at - 1] if at else None


def _read_header(text: str, name: str) -> tuple[Any, list[str]]:
    """The CSV reader past its header, and the header's column names (checked)."""
    if not text.strip():
        raise PecError(f"El archivo {name} está vacío; la primera fila debe nombrar las columnas (actividad, fecha, titulo, ...).")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_separator(text), strict=True)
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


def _row_fields(columns: list[str], cells: list[str], seen: dict[str, int]) -> tuple[dict[str, str], str, str]:
    """A row's cells by column (its date as AAAA-MM-DD), the date as typed, and its ``importe``
    key: its cells and which copy of identical rows it is (``seen`` counts them)."""
    fields = {col: cells[i].strip() if i < len(cells) else "" for i, col in enumerate(columns)}
    original_date = fields.get("fecha", "")
    fields["fecha"] = _date(original_date)
    canonical = _canonical(fields)
    occurrence = seen.get(canonical, 0)
    seen[canonical] = occurrence + 1
    return fields, original_date, _key(canonical, occurrence)


def check_import(
    plan: Plan, data: bytes, name: str, base: Path, today: dt.date, registrado: str,
    warn: Callable[[list[str]], None], check_link: Callable[[dict[str, Any]], None] | None = None,
    series_of: Callable[[str, str], Series] | None = None, confirmar: bool = False,
    in_force: Callable[[list[dict[str, Any]], list[list[Key]]], dict[Key, dict[str, Any]]] | None = None,
) -> ImportBatch:
    """Check every row; the records to append, or a PecError listing every problem. ``check_link``
    checks a record's ``atiende``; ``series_of`` (the ledger's measurements of an activity and
    tipo) a measurement's jump, unless ``confirmar`` or its row's cell; ``in_force`` finds the
    duplicates to leave out (:func:`skip_duplicates`)."""
    reader, columns = _read_header(decode_csv(data, name, warn), name)
    errors: list[str] = []
    records: list[dict[str, Any]] = []
    evidence: list[tuple[int, Path]] = []
    seen: dict[str, int] = {}
    rows = 0
    row_numbers: list[int] = []
    confirmed: list[bool] = []
    try:
        for number, cells in enumerate(reader, start=2):
            if not any(c.strip() for c in cells):
                continue
            rows += 1
            if len(cells) > len(columns):
                errors.append(f"{name}: fila {number}: tiene {len(cells)} celdas y hay {len(columns)} columnas")
                continue
            fields, original_date, key = _row_fields(columns, cells, seen)
            try:
                if not fields.get("fecha"):
                    raise PecError("Falta la fecha (AAAA-MM-DD o DD/MM/AAAA).", field="fecha")
                _check_row_date(plan, fields["fecha"], original_date)
                row_confirmed = confirmar or _confirmed(fields.pop("confirmar", ""))
                record = _build(plan, fields, today, registrado, check_link)  # evidence stored on append
            except PecError as exc:
                errors.append(f"{name}: fila {number}, columna {exc.field or '?'}: {_for_a_cell(exc.message)}")
                if len(errors) >= MAX_ERRORS:
                    break
                continue
            if fields.get("evidencia"):
                source, problem = _evidence(base, fields["evidencia"])
                if problem:
                    errors.append(f"{name}: fila {number}, columna evidencia: {problem}")
                    continue
                evidence.append((len(records), source))
            record["importe"] = key
            records.append(record)
            row_numbers.append(number)
            confirmed.append(row_confirmed)
    except csv.Error as exc:
        errors.append(f"{name}: fila {reader.line_num}: {_csv_problem(exc)}")
    if series_of is not None:
        errors += jump_errors(records, row_numbers, confirmed, name, series_of)
    if errors:
        count = len(errors)
        raise PecError(
            f"La importación de {name} tiene {count} error(es) y no se registró ninguna fila; corríjalos y vuelva a importar:",
            errors,
        )
    batch = ImportBatch(records, evidence, rows)
    return batch if in_force is None else skip_duplicates(batch, row_numbers, in_force)


def skip_duplicates(
    batch: ImportBatch, rows: list[int], in_force: Callable[[list[dict[str, Any]], list[list[Key]]], dict[Key, dict[str, Any]]],
) -> ImportBatch:
    """``batch`` without the rows that repeat a piece in force, or an earlier row (SPEC §5).

    A row whose piece came from this very row before (same ``importe``) is left for
    ``ledger.append``, which says how many rows were imported before."""
    keys = [piece_keys(record) for record in batch.records]
    known = in_force(batch.records, keys)
    kept: list[dict[str, Any]] = []
    moved: dict[int, int] = {}
    skipped: list[str] = []
    earlier: dict[Key, int] = {}
    for index, record in enumerate(batch.records):
        record_keys = keys[index]
        existing = next((known[k] for k in record_keys if k in known), None)
        repeated = next((earlier[k] for k in record_keys if k in earlier), None)
        if existing is not None and existing.get("importe") != record["importe"]:
            skipped.append(f"fila {rows[index]}: ya registrada como {existing['id']}")
        elif existing is None and repeated is not None:
            skipped.append(f"fila {rows[index]}: repite la fila {repeated}")
        else:
            for key in record_keys:
                earlier.setdefault(key, rows[index])
            moved[index] = len(kept)
            kept.append(record)
    evidence = [(moved[i], source) for i, source in batch.evidence if i in moved]
    return ImportBatch(kept, evidence, batch.rows, skipped)
