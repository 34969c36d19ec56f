"""Reading a plan file: YAML in (safely), located errors or a checked Plan out.

Every problem is reported at once as ``file:line: where: message``; the line
comes from the YAML node of the offending key. yaml and pydantic are imported
here, lazily, so commands that only need the cached plan never pay for them.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pec_cli.errors import PecError, reason
from pec_cli.plan.model import Plan, plan_from_data
from pec_cli.workspace import read_regular

_MESSAGES = {
    "missing": "falta este campo, que es obligatorio",
    "extra_forbidden": "campo desconocido: corrija su nombre o bórrelo",
    **dict.fromkeys(("float_parsing", "float_type"), "debe ser un número"),
    **dict.fromkeys(("int_parsing", "int_type", "int_from_float"), "debe ser un número entero"),
    **dict.fromkeys(("date_parsing", "date_type", "date_from_datetime_parsing"), "debe ser una fecha AAAA-MM-DD"),
    "date_from_datetime_inexact": "debe ser una fecha AAAA-MM-DD, sin hora",
    "string_type": "debe ser un texto",
    "list_type": "debe ser una lista",
    **dict.fromkeys(("dict_type", "model_type", "model_attributes_type"), "debe ser un bloque de campos «clave: valor»"),
    "string_pattern_mismatch": "debe ser un id en minúsculas (letras, dígitos y _, empezando por letra)",
    "string_too_long": "es demasiado largo",
    "finite_number": "debe ser un número finito",
    "bool_type": "debe ser verdadero o falso",
}


_YAML_PROBLEMS = {
    "did not find expected '-' indicator": "falta el guion «-» de un elemento de lista, o sobra una sangría",
    "mapping values are not allowed here": "hay un «:» donde no se espera (¿falta poner el texto entre comillas?)",
    "did not find expected key": "falta una clave o sobra una sangría",
    "found character '\\t' that cannot start any token": "hay un tabulador: use espacios para la sangría",
    "found character that cannot start any token": "hay un carácter que no puede empezar un valor (¿faltan comillas?)",
    "could not find expected ':'": "falta «:» después de la clave",
    "did not find expected node content": "falta un valor",
    "found unexpected end of stream": "el archivo termina antes de cerrar un bloque o unas comillas",
    "found unknown escape character": "hay una secuencia de escape desconocida entre comillas",
    "did not find expected ',' or ']'": "falta «,» o «]» en una lista entre corchetes",
    "did not find expected ',' or '}'": "falta «,» o «}» en un bloque entre llaves",
    "found duplicate anchor": "un ancla «&» está repetida",
    "mapping values are not allowed in this context": "hay un «:» dentro de un texto: ponga el texto entre comillas",
    "found a tab character that violates indentation": "hay un tabulador en la sangría: use espacios",
    "found a tab character where an indentation space is expected": "hay un tabulador en la sangría: use espacios",
    "found unexpected ':'": "hay un «:» donde no se espera: ponga el texto entre comillas",
}


def _yaml_problem(exc: Any) -> str:
    problem = str(exc.problem or exc.context or "")
    if "constructor for the tag" in problem or "undefined tag handle" in problem:
        return "usa una etiqueta YAML no permitida (pec nunca construye objetos a partir del plan)"
    return _YAML_PROBLEMS.get(problem, f"error de sintaxis YAML ({problem})")


def _plan_loader(yaml: Any) -> Any:
    """A safe loader (libyaml when present) that leaves dates as text.

    YAML would build a date itself and fail with a bare ValueError on
    2024-02-30; as text, the schema checks it and the error is located.
    """
    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    resolvers = {
        first: [r for r in rules if r[0] != "tag:yaml.org,2002:timestamp"]
        for first, rules in base.yaml_implicit_resolvers.items()
    }
    return type("PlanLoader", (base,), {"yaml_implicit_resolvers": resolvers})


def _duplicate_keys(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[tuple[Any, ...], str]]:
    """Keys written twice in one block (YAML would silently keep the last)."""
    import yaml

    found: list[tuple[tuple[Any, ...], str]] = []
    if isinstance(node, yaml.MappingNode):
        seen: set[Any] = set()
        for key, value in node.value:
            if key.value in seen:
                found.append((path + (key.value,), f"la clave «{key.value}» está repetida; deje una sola"))
            seen.add(key.value)
            found += _duplicate_keys(value, path + (key.value,))
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            found += _duplicate_keys(item, path + (i,))
    return found


def _message(error: dict[str, Any]) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    if kind == "greater_than":
        return f"debe ser mayor que {ctx.get('gt'):g}"
    if kind == "greater_than_equal":
        return f"debe ser al menos {ctx.get('ge'):g}"
    if kind == "less_than_equal":
        return f"debe ser como máximo {ctx.get('le'):g}"
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


def load_plan(path: Path, display: str | None = None, document: bool = False) -> Plan:
    """Read, validate and compile ``path``; raise PecError listing every problem (with ``document``, also
    what only ``pec plan check`` asks: see :func:`plan_data_from_text`)."""
    return plan_from_data(read_plan_data(path, display, document), display or str(path))


MAX_PLAN_BYTES = 1 << 20  # the shipped plan is 16 KB; a plan of a whole ministry fits in far less than 1 MB
MAX_PLAN_NODES = 100_000  # values once YAML aliases are expanded (the shipped plan has about 600)


def read_plan_data(path: Path, display: str | None = None, document: bool = False) -> dict[str, Any]:
    """The validated plan document of ``path`` in its JSON form (what the cache keeps)."""
    name = display or str(path)
    try:
        text = read_regular(path, MAX_PLAN_BYTES, f"El plan {name}", "guarde el plan como un archivo YAML corriente.").decode("utf-8")
    except FileNotFoundError:
        raise PecError(f"No existe el plan {name}: créelo o indique la vigencia con --vigencia.") from None
    except UnicodeDecodeError:
        raise PecError(f"El plan {name} no está en UTF-8: guárdelo con codificación UTF-8.") from None
    except OSError as exc:
        raise PecError(f"No se pudo leer el plan {name} ({reason(exc)}).") from None
    data = plan_data_from_text(text, name, document)
    _check_file_year(path, data, name)
    return data


_CONFLICT = re.compile(r"^(<{7}|={7}|>{7})( |$)", re.MULTILINE)


def _refuse_conflict_markers(text: str, name: str) -> None:
    if match := _CONFLICT.search(text):
        line = text.count("\n", 0, match.start()) + 1
        raise PecError(
            f"El plan {name} tiene marcas de conflicto de git ({name}:{line}: «{match.group(1)}»): una fusión quedó "
            "sin resolver; elija qué versión queda, borre las líneas <<<<<<<, ======= y >>>>>>> y guarde el plan."
        )


def _expanded_size(node: Any, memo: dict[int, int]) -> int:
    """How many values ``node`` stands for once every alias is expanded (each shared node counted once here)."""
    key = id(node)
    if key not in memo:
        memo[key] = 1  # a node that refers to itself counts once, not forever
        if isinstance(node.value, list):
            children = [c for pair in node.value for c in (pair if isinstance(pair, tuple) else (pair,))]
            memo[key] = 1 + sum(_expanded_size(c, memo) for c in children)
    return memo[key]


def _parse_yaml(text: str, name: str) -> tuple[Any, Any]:
    """(the YAML node, its data) of ``text``, or a located Spanish refusal."""
    import yaml

    _refuse_conflict_markers(text, name)
    loader = _plan_loader(yaml)(text)
    try:
        node = loader.get_single_node()
        if node is not None and _expanded_size(node, {}) > MAX_PLAN_NODES:
            raise PecError(
                f"El plan {name} usa alias YAML («*») que se expanden a más de {MAX_PLAN_NODES} valores; "
                "escriba los valores sin alias o con menos repeticiones."
            )
        return node, (loader.construct_document(node) if node is not None else None)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" ({name}:{mark.line + 1}:{mark.column + 1}, línea {mark.line + 1}, columna {mark.column + 1})" if mark else ""
        raise PecError(
            f"El plan {name} no es YAML válido{where}: {_yaml_problem(exc)}; corrija esa línea "
            "(si está bien, busque poco antes unas comillas o un corchete sin cerrar)."
        ) from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        raise PecError(
            f"El plan {name} tiene un carácter de control no permitido (código {exc.character!r}) en la línea "
            f"{line} ({name}:{line}); bórrelo o escríbalo como texto visible."
        ) from None
    except yaml.YAMLError as exc:
        detail = " ".join(str(exc).split())  # one line, whatever the library wrote
        raise PecError(f"El plan {name} no es YAML válido ({detail}); corrija el archivo.") from None
    except (ValueError, TypeError) as exc:
        digits = "digits" in str(exc)  # Python refuses an integer of more than 4,300 digits
        what = "un número de miles de cifras" if digits else "un valor que YAML no puede leer (una fecha o un número imposibles)"
        raise PecError(f"El plan {name} tiene {what}; corríjalo.") from None
    except RecursionError:
        raise PecError(f"El plan {name} anida demasiado; simplifique el archivo.") from None
    finally:
        loader.dispose()


# Any control character but a line break or a tab: written as "\e" or "\x1b" in a quoted YAML
# string it would reach the terminal from every board and message that shows the plan's texts.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _control_characters(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[tuple[Any, ...], str]]:
    """Where the plan's texts (keys included) hold control characters, as located problems."""
    found: list[tuple[tuple[Any, ...], str]] = []
    if isinstance(value, str) and _CONTROL.search(value):
        found.append((path, "tiene un carácter de control (p. ej. una secuencia de escape); bórrelo"))
    elif isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and _CONTROL.search(key):
                found.append(((*path, key), "el nombre del campo tiene un carácter de control; bórrelo"))
            found += _control_characters(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _control_characters(item, (*path, index))
    return found


def plan_data_from_text(text: str, name: str, document: bool = False) -> dict[str, Any]:
    """The validated plan document of YAML ``text`` (``name`` locates errors).

    With ``document`` (``pec plan check``, ``pec plan nueva``) the plan is also checked as the document
    the office publishes: its ``version`` has its row in ``cambios``. Reading a plan to count never asks it.
    """
    from pydantic import ValidationError

    from pec_cli.plan.document import version_problem
    from pec_cli.plan.schema import PlanSpec, plan_problems

    node, data = _parse_yaml(text, name)
    if data is None:
        raise PecError(f"El plan {name} está vacío; copie el plan de ejemplo con «pec init» en otra carpeta.")
    if not isinstance(data, dict):
        raise PecError(f"El plan {name} debe ser un bloque de campos «clave: valor», no una lista ni un texto suelto.")
    lines = _node_lines(node) if node is not None else {}

    problems: list[tuple[tuple[Any, ...], str]] = list(_duplicate_keys(node)) + _control_characters(data)
    spec = None
    try:
        spec = PlanSpec.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            problems.append((tuple(error["loc"]), _message(dict(error))))
    except RecursionError:
        raise PecError(f"El plan {name} anida demasiado; simplifique el archivo.") from None
    if spec is not None:
        problems += list(plan_problems(spec))
        missing = version_problem(spec.version, [c.version for c in spec.cambios]) if document else None
        if missing:
            problems.append((("version",), missing))
    if problems:
        details = [f"{name}:{_line_of(loc, lines)}: {_visible(_label(loc, data))}: {_visible(msg)}" for loc, msg in problems]
        count = len(details)
        noun = "error" if count == 1 else "errores"
        raise PecError(f"El plan {name} tiene {count} {noun}; corríjalos y vuelva a intentarlo:", details)
    assert spec is not None
    return spec.model_dump(mode="json")


_INVISIBLE = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _visible(text: str) -> str:
    """A plan's own text inside a message, its control characters shown as codes (never run by a terminal)."""
    shown = _INVISIBLE.sub(lambda m: f"\\x{ord(m.group(0)):02x}", text)
    return shown if shown and shown == shown.strip() else f"«{shown}»"  # a blank or padded key, made visible


def _check_file_year(path: Path, data: dict[str, Any], name: str) -> None:
    """plan/2025.yaml must say vigencia 2025: the name is how pec picks a plan."""
    if re.fullmatch(r"\d{4}", path.stem) and int(path.stem) != data["vigencia"]:
        raise PecError(
            f"El plan {name} dice «vigencia: {data['vigencia']}» pero su nombre es de {path.stem}; "
            f"corrija la vigencia o renombre el archivo a plan/{data['vigencia']}{path.suffix}."
        )
