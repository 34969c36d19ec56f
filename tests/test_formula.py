"""The safe formula evaluator (SPEC §2): never eval, never a crash."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pec_cli.plan.formula import FormulaError, compile_formula

VARS = ["publicacion", "solicitud", "meta", "inicio", "fin"]


def test_counts_against_meta():
    f = compile_formula("publicacion / meta * 100", {"publicacion", "meta"})
    assert f.evaluate({"publicacion": 1, "meta": 2.5}) == pytest.approx(40.0)
    assert f.variables == {"publicacion", "meta"}


def test_gauge_growth_and_min_max():
    f = compile_formula("(fin - inicio) / meta * 100", {"inicio", "fin", "meta"})
    assert f.evaluate({"inicio": 1000, "fin": 1175, "meta": 175}) == pytest.approx(100.0)
    assert f.evaluate({"inicio": 1000, "fin": 900, "meta": 175}) == pytest.approx(-57.142857, rel=1e-6)
    g = compile_formula("min(max(a, 0), 100) + -b", {"a", "b"})
    assert g.evaluate({"a": 150, "b": 1}) == 99


def test_division_by_zero_is_no_aplica():
    f = compile_formula("publicacion / solicitud * 100", {"publicacion", "solicitud"})
    assert f.evaluate({"publicacion": 0, "solicitud": 0}) is None
    assert f.evaluate({"publicacion": 3, "solicitud": 0}) is None


def test_unbound_value_is_no_aplica():
    f = compile_formula("publicacion / meta * 100", {"publicacion", "meta"})
    assert f.evaluate({"publicacion": 3, "meta": None}) is None


@pytest.mark.parametrize(
    "source, fragment",
    [
        ("__import__('os').system('true')", "funciones min() y max()"),
        ("publicacion ** 2", "no permitida"),
        ("publicacion.real", "no permitida"),
        ("[publicacion]", "no permitida"),
        ("publicacion if meta else 0", "no permitida"),
        ("lambda: 1", "no permitida"),
        ("'texto'", "solo admite números"),
        ("True", "solo admite números"),
        ("publicacion // meta", "no permitida"),
        ("publicacion % meta", "no permitida"),
        ("min(publicacion)", "dos o más"),
        ("abs(publicacion)", "min() y max()"),
        ("publicacion < meta", "no permitida"),
        ("publicacion / ", "no es una expresión"),
        ("", "vacía"),
        ("x = 1", "no es una expresión"),
    ],
)
def test_disallowed_constructs_are_refused(source, fragment):
    with pytest.raises(FormulaError) as caught:
        compile_formula(source, {"publicacion", "meta"})
    assert fragment in str(caught.value)


def test_unknown_variable_is_named():
    with pytest.raises(FormulaError, match="«publicaciones»"):
        compile_formula("publicaciones / meta * 100", {"publicacion", "meta"})


def test_never_uses_eval(monkeypatch):
    import builtins

    def boom(*args, **kwargs):
        raise AssertionError("eval/exec must not be called")

    monkeypatch.setattr(builtins, "eval", boom)
    monkeypatch.setattr(builtins, "exec", boom)
    assert compile_formula("(a + 1) * 2", {"a"}).evaluate({"a": 1}) == 4


# ---- the property: any whitelisted formula gives what arithmetic gives, or "no aplica"

numbers = st.one_of(st.integers(min_value=0, max_value=10**6), st.floats(min_value=0, max_value=1e12))


def trees(depth: int = 3):
    """Formula trees: ("var", name), ("num", n), (op, left, right), ("neg", t), ("min"|"max", a, b)."""
    leaf = st.one_of(st.sampled_from(VARS).map(lambda v: ("var", v)), numbers.map(lambda n: ("num", n)))
    if depth == 0:
        return leaf
    sub = trees(depth - 1)
    return st.one_of(
        leaf,
        st.tuples(st.sampled_from(["+", "-", "*", "/"]), sub, sub),
        sub.map(lambda t: ("neg", t)),
        st.tuples(st.sampled_from(["min", "max"]), sub, sub),
    )


def source(tree) -> str:
    kind = tree[0]
    if kind in ("var", "num"):
        return str(tree[1]) if kind == "var" else repr(tree[1])
    if kind == "neg":
        return f"-{source(tree[1])}"
    if kind in ("min", "max"):
        return f"{kind}({source(tree[1])}, {source(tree[2])})"
    return f"({source(tree[1])} {kind} {source(tree[2])})"


def reference(tree, env) -> float | None:
    """Plain float arithmetic; None for "no aplica": an unbound value, a division by zero, or a
    result that is not a finite number (an intermediate infinity may still end finite, as in floats)."""

    def calc(node) -> float:
        kind = node[0]
        if kind == "var":
            if env[node[1]] is None:
                raise LookupError
            return float(env[node[1]])
        if kind == "num":
            return float(node[1])
        if kind == "neg":
            return -calc(node[1])
        if kind in ("min", "max"):
            return (min if kind == "min" else max)(calc(node[1]), calc(node[2]))
        left, right = calc(node[1]), calc(node[2])
        return {"+": left + right, "-": left - right, "*": left * right}[kind] if kind != "/" else left / right

    try:
        value = calc(tree)
    except (LookupError, ZeroDivisionError):
        return None
    return value if math.isfinite(value) else None


values = st.fixed_dictionaries({v: st.one_of(st.none(), numbers, numbers.map(lambda n: -n)) for v in VARS})


@settings(max_examples=500, deadline=None)
@given(trees(), values)
def test_a_whitelisted_formula_gives_plain_arithmetic_or_no_aplica(tree, env):
    """The one formula law: whatever the formula and the values, the evaluator returns what plain
    arithmetic gives (None where it does not apply) and never raises. Ratio formulas like
    ``publicacion / solicitud * 100``, a zero denominator and unbound values are all instances."""
    result = compile_formula(source(tree), set(VARS)).evaluate(env)
    expected = reference(tree, env)
    assert (result is None) == (expected is None), (source(tree), env, result, expected)
    if expected is not None:
        assert result == pytest.approx(expected, rel=1e-9, abs=1e-9)
