"""Safe indicator formulas: parse once, evaluate many times, never ``eval``.

A formula is an arithmetic expression over numbers, variables, ``+ - * /``,
unary minus, parentheses, ``min()`` and ``max()`` (SPEC §2). It is parsed with
:mod:`ast` and checked against a whitelist; anything else is a
:class:`FormulaError`. Evaluation walks the checked tree. A division by zero,
or a variable bound to ``None`` (a value the data cannot give), yields ``None``:
"no aplica".

This module depends on the standard library only.
"""

import ast
import math
import operator
from collections.abc import Mapping
from typing import NamedTuple

_BINOPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}
_FUNCS = {"min": min, "max": max}
MAX_LENGTH = 500


class FormulaError(ValueError):
    """A formula that is not a safe arithmetic expression."""


class Formula(NamedTuple):
    """A checked formula: its source text, its tree and the variables it reads."""

    source: str
    tree: ast.expr
    variables: frozenset[str]

    def evaluate(self, values: Mapping[str, float | None]) -> float | None:
        """The formula's value, or ``None`` when it does not apply.

        Every variable must be bound (``compile_formula`` lists them); a missing
        one is a programming error and raises ``KeyError``.
        """
        try:
            result = _eval(self.tree, values)
        except (_NotApplicable, ZeroDivisionError, OverflowError):
            return None
        if result is None or math.isnan(result) or math.isinf(result):
            return None
        return result


class _NotApplicable(Exception):
    pass


def compile_formula(source: str, allowed: frozenset[str] | set[str] | None = None) -> Formula:
    """Parse and check ``source``; with ``allowed``, every variable must be in it."""
    if not isinstance(source, str) or not source.strip():
        raise FormulaError("la fórmula está vacía")
    if len(source) > MAX_LENGTH:
        raise FormulaError(f"la fórmula es demasiado larga (más de {MAX_LENGTH} caracteres)")
    try:
        tree = ast.parse(source.strip(), mode="eval").body
    except SyntaxError as exc:
        where = f" cerca del carácter {exc.offset}" if exc.offset else ""
        raise FormulaError(
            f"la fórmula no es una expresión aritmética válida{where} (¿falta un número o un paréntesis?)"
        ) from None
    except (ValueError, MemoryError, RecursionError):
        raise FormulaError("la fórmula no es una expresión aritmética válida") from None
    names: set[str] = set()
    _check(tree, names, depth=0)
    if allowed is not None:
        if unknown := sorted(names - set(allowed)):
            raise FormulaError(
                f"la fórmula usa la variable desconocida «{unknown[0]}»; "
                f"las disponibles son: {', '.join(sorted(allowed))}"
            )
    return Formula(source.strip(), tree, frozenset(names))


def _check(node: ast.AST, names: set[str], depth: int) -> None:
    if depth > 50:
        raise FormulaError("la fórmula anida demasiados paréntesis")
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, int | float):
            raise FormulaError(f"la fórmula solo admite números, no {node.value!r}")
        return
    if isinstance(node, ast.Name):
        if node.id in _FUNCS:
            raise FormulaError(f"«{node.id}» es una función: escríbala como {node.id}(a, b)")
        names.add(node.id)
        return
    if isinstance(node, ast.BinOp) and isinstance(node.op, tuple(_BINOPS)):
        _check(node.left, names, depth + 1)
        _check(node.right, names, depth + 1)
        return
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        _check(node.operand, names, depth + 1)
        return
    if isinstance(node, ast.Call):
        func = node.func
        if not isinstance(func, ast.Name) or func.id not in _FUNCS:
            raise FormulaError("la fórmula solo admite las funciones min() y max()")
        if node.keywords or len(node.args) < 2 or any(isinstance(a, ast.Starred) for a in node.args):
            raise FormulaError(f"{func.id}() recibe dos o más valores separados por comas")
        for arg in node.args:
            _check(arg, names, depth + 1)
        return
    raise FormulaError(
        f"la fórmula usa una construcción no permitida ({_describe(node)}); "
        "solo se admiten números, variables, + - * /, paréntesis, min() y max()"
    )


def _describe(node: ast.AST) -> str:
    if isinstance(node, ast.BinOp | ast.UnaryOp | ast.BoolOp):
        return f"operador {type(node.op).__name__}"
    return type(node).__name__


def _eval(node: ast.expr, values: Mapping[str, float | None]) -> float:
    if isinstance(node, ast.Constant):
        return float(node.value)  # type: ignore[arg-type]  # _check admits only int and float constants
    if isinstance(node, ast.Name):
        value = values[node.id]
        if value is None:
            raise _NotApplicable
        return float(value)
    if isinstance(node, ast.BinOp):
        return _BINOPS[type(node.op)](_eval(node.left, values), _eval(node.right, values))
    if isinstance(node, ast.UnaryOp):
        operand = _eval(node.operand, values)
        return -operand if isinstance(node.op, ast.USub) else operand
    if isinstance(node, ast.Call):
        assert isinstance(node.func, ast.Name)
        return _FUNCS[node.func.id](_eval(arg, values) for arg in node.args)
    raise AssertionError(f"unchecked node {type(node).__name__}")
