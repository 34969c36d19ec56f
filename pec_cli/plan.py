"""Reading a plan file: YAML in (safely), located errors or a checked Plan out.

Every problem is reported at once as ``file:line: where: message``; the line
comes from the YAML node of the offending key. yaml and pydantic are imported
here, lazily, so commands that only need the cached plan never pay for them.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from .errors import PecError
from .model import Plan, plan_from_data

_MESSAGES = {
    "missing": "falta este campo, que es obligatorio",
    "extra_forbidden": "campo desconocido: corrija su nombre o bórrelo",
    "float_parsing": "debe ser un número",
    "float_type": "debe ser un número",
    "int_parsing": "debe ser un número entero",
    "int_type": "debe ser un número entero",
    "int_from_float": "debe ser un número entero",
    "date_parsing": "debe ser una fecha AAAA-MM-DD",
    "date_type": "debe ser una fecha AAAA-MM-DD",
    "date_from_datetime_parsing": "debe ser una fecha AAAA-MM-DD",
    "date_from_datetime_inexact": "debe ser una fecha AAAA-MM-DD, sin hora",
    "string_type": "debe ser un texto",
    "list_type": "debe ser una lista",
    "dict_type": "debe ser un bloque de campos «clave: valor»",
    "model_type": "debe ser un bloque de campos «clave: valor»",
    "model_attributes_type": "debe ser un bloque de campos «clave: valor»",
    "string_pattern_mismatch": "debe ser un id en minúsculas (letras, dígitos y _, empezando por letra)",
    "string_too_long": "es demasiado largo",
    "finite_number": "debe ser un número finito",
    "bool_type": "debe ser verdadero o falso",
}


def _message(error: dict[str, Any]) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    if kind == "greater_than":
        return f"debe ser mayor que {ctx.get('gt')}"
    if kind == "greater_than_equal":
        return f"debe ser al menos {ctx.get('ge')}"
    if kind == "less_than_equal":
        return f"debe ser como máximo {ctx.get('le')}"
    if kind == "too_short":
        return f"necesita al menos {ctx.get('min_length')} elemento(s)"
    if kind == "literal_error":
        return f"debe ser uno de: {ctx.get('expected')}"
    return _MESSAGES.get(kind, str(error["msg"]))


def _node_lines(node: Any, path: tuple[Any, ...] = (), out: dict[tuple[Any, ...], int] | None = None) -> dict:
    """Map each path in the document to the 1-based line where it is written."""
    import yaml

    out = {} if out is None else out
    out.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            child = path + (key.value,)
            out[child] = key.start_mark.line + 1
            _node_lines(value, child, out)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _node_lines(item, path + (i,), out)
    return out


def _label(path: tuple[Any, ...], data: Any) -> str:
    """``('actividades', 2, 'meta')`` -> ``actividades[capsulas].meta``."""
    parts: list[str] = []
    current = data
    for key in path:
        if isinstance(key, int):
            item_id = current[key].get("id") if isinstance(current, list) and key < len(current) and isinstance(current[key], dict) else None
            parts[-1:] = [f"{parts[-1] if parts else ''}[{item_id if item_id else key + 1}]"]
        else:
            parts.append(str(key))
        try:
            current = current[key]
        except (KeyError, IndexError, TypeError):
            current = None
    return ".".join(parts) or "(documento)"


def _line_of(path: tuple[Any, ...], lines: dict[tuple[Any, ...], int]) -> int:
    for cut in range(len(path), -1, -1):
        if path[:cut] in lines:
            return lines[path[:cut]]
    return 1


def load_plan(path: Path, display: str | None = None) -> Plan:
    """Read, validate and compile ``path``; raise PecError listing every problem."""
    return plan_from_data(read_plan_data(path, display), display or str(path))


def read_plan_data(path: Path, display: str | None = None) -> dict[str, Any]:
    """The validated plan document of ``path`` in its JSON form (what the cache keeps)."""
    name = display or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PecError(f"No existe el plan {name}: créelo o indique la vigencia con --vigencia.") from None
    except UnicodeDecodeError:
        raise PecError(f"El plan {name} no está en UTF-8: guárdelo con codificación UTF-8.") from None
    except OSError as exc:
        raise PecError(f"No se pudo leer el plan {name} ({exc.strerror}).") from None
    data = plan_data_from_text(text, name)
    _check_file_year(path, data, name)
    return data


def plan_data_from_text(text: str, name: str) -> dict[str, Any]:
    """The validated plan document of YAML ``text`` (``name`` locates errors)."""
    import yaml
    from pydantic import ValidationError

    from .schema import PlanSpec, plan_problems

    try:
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: same safety, faster
        data = yaml.load(text, Loader=loader)  # noqa: S506 - a safe loader: no object construction
        node = yaml.compose(text, Loader=loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{name}:{mark.line + 1}:{mark.column + 1}" if mark else name
        problem = exc.problem or exc.context or "YAML mal formado"
        raise PecError(
            f"El plan {name} no es YAML válido ({where}: {problem}); corrija esa línea.",
            [f"{where}: {problem}"],
        ) from None
    except yaml.YAMLError as exc:
        raise PecError(f"El plan {name} no es YAML válido ({exc}); corrija el archivo.") from None
    except RecursionError:
        raise PecError(f"El plan {name} anida demasiado; simplifique el archivo.") from None
    if not isinstance(data, dict):
        raise PecError(f"El plan {name} debe ser un bloque de campos «clave: valor», no {type(data).__name__}.")
    lines = _node_lines(node) if node is not None else {}

    problems: list[tuple[tuple[Any, ...], str]] = []
    spec = None
    try:
        spec = PlanSpec.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            problems.append((tuple(error["loc"]), _message(error)))
    except RecursionError:
        raise PecError(f"El plan {name} anida demasiado; simplifique el archivo.") from None
    if spec is not None:
        problems += list(plan_problems(spec))
    if problems:
        details = [f"{name}:{_line_of(loc, lines)}: {_label(loc, data)}: {msg}" for loc, msg in problems]
        count = len(details)
        noun = "error" if count == 1 else "errores"
        raise PecError(f"El plan {name} tiene {count} {noun}; corríjalos y vuelva a intentarlo:", details)
    assert spec is not None
    return spec.model_dump(mode="json")


def _check_file_year(path: Path, data: dict[str, Any], name: str) -> None:
    """plan/2025.yaml must say vigencia 2025: the name is how pec picks a plan."""
    if re.fullmatch(r"\d{4}", path.stem) and int(path.stem) != data["vigencia"]:
        raise PecError(
            f"El plan {name} dice «vigencia: {data['vigencia']}» pero su nombre es de {path.stem}; "
            f"corrija la vigencia o renombre el archivo a plan/{data['vigencia']}{path.suffix}."
        )
