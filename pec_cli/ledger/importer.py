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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pec_cli.errors import PecError
from pec_cli.fields import IMPORT_COLUMNS
from pec_cli.ledger.evidence import beside
from pec_cli.ledger.records import build_piece
from pec_cli.plan.model import Plan, iso_date

COLUMNS = IMPORT_COLUMNS
_UNKEYED_WHEN_EMPTY = ("atiende",)  # added later: an empty cell leaves a row's import key as it was
_ALIASES = {"título": "titulo", "área": "area", "actividad_id": "actividad"}
_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
MAX_ERRORS = 200


@dataclass
class ImportBatch:
    """What an import would append (rows imported before are dropped by ``ledger.append``)."""

    records: list[dict[str, Any]]
    evidence: list[tuple[int, Path]]  # (index in records, source file)
    rows: int


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
    match = _DMY.match(value)
    if match:
        day, month, year = (int(g) for g in match.groups())
        try:
            return dt.date(year, month, day).isoformat()
        except ValueError:
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
    day = iso_date(fecha)
    if day is None:
        raise PecError(f"La fecha «{original}» no es válida: escríbala como AAAA-MM-DD o DD/MM/AAAA.", field="fecha")
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


def check_import(
    plan: Plan, data: bytes, name: str, base: Path, today: dt.date, registrado: str,
    warn: Callable[[list[str]], None], check_link: Callable[[dict[str, Any]], None] | None = None,
) -> ImportBatch:
    """Check every row (``check_link``: a record's ``atiende``); the records to append, or a PecError listing every problem."""
    text = decode_csv(data, name, warn)
    if not text.strip():
        raise PecError(f"El archivo {name} está vacío; la primera fila debe nombrar las columnas (actividad, fecha, titulo, ...).")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_separator(text), strict=True)
    try:
        header = next(reader)
    except csv.Error as exc:
        raise PecError(f"El archivo {name} no es un CSV legible ({exc}); guárdelo de nuevo como CSV.") from None
    columns = [_ALIASES.get(h.strip().lower(), h.strip().lower()) for h in header]
    unknown = [h for h in columns if h not in COLUMNS]
    if unknown:
        raise PecError(
            f"La columna «{unknown[0]}» de {name} no existe; las columnas válidas son: {', '.join(COLUMNS)}."
        )
    if "actividad" not in columns:
        raise PecError(f"Falta la columna «actividad» en {name}; añádala con el id de la actividad de cada fila.")
    if len(set(columns)) != len(columns):
        raise PecError(f"{name} repite una columna; deje una sola de cada nombre.")
    errors: list[str] = []
    records: list[dict[str, Any]] = []
    evidence: list[tuple[int, Path]] = []
    seen: dict[str, int] = {}
    rows = 0
    try:
        for number, cells in enumerate(reader, start=2):
            if not any(c.strip() for c in cells):
                continue
            rows += 1
            if len(cells) > len(columns):
                errors.append(f"{name}: fila {number}: tiene {len(cells)} celdas y hay {len(columns)} columnas")
                continue
            fields = {col: cells[i].strip() if i < len(cells) else "" for i, col in enumerate(columns)}
            original_date = fields.get("fecha", "")
            fields["fecha"] = _date(original_date)
            canonical = _canonical(fields)
            occurrence = seen.get(canonical, 0)
            seen[canonical] = occurrence + 1
            key = _key(canonical, occurrence)
            try:
                if not fields.get("fecha"):
                    raise PecError("Falta la fecha (AAAA-MM-DD o DD/MM/AAAA).", field="fecha")
                _check_row_date(plan, fields["fecha"], original_date)
                record = _build(plan, fields, today, registrado, check_link)  # evidence stored on append
            except PecError as exc:
                errors.append(f"{name}: fila {number}, columna {exc.field or '?'}: {_for_a_cell(exc.message)}")
                if len(errors) >= MAX_ERRORS:
                    break
                continue
            if fields.get("evidencia"):
                source = beside(base, fields["evidencia"])
                if source is None:
                    errors.append(f"{name}: fila {number}, columna evidencia: «{fields['evidencia']}» está fuera de la "
                                  "carpeta del CSV; copie el archivo junto al CSV y escriba su ruta relativa")
                    continue
                if not source.is_file():
                    errors.append(f"{name}: fila {number}, columna evidencia: el archivo «{fields['evidencia']}» no existe")
                    continue
                evidence.append((len(records), source))
            record["importe"] = key
            records.append(record)
    except csv.Error as exc:
        errors.append(f"{name}: fila {reader.line_num}: {_csv_problem(exc)}")
    if errors:
        count = len(errors)
        raise PecError(
            f"La importación de {name} tiene {count} error(es) y no se registró ninguna fila; corríjalos y vuelva a importar:",
            errors,
        )
    return ImportBatch(records, evidence, rows)
