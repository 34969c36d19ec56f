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


# ---- properties

numbers = st.one_of(
    st.integers(min_value=-10**6, max_value=10**6),
    st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12),
)


def expressions(depth: int = 3):
    leaf = st.one_of(st.sampled_from(VARS), numbers.map(lambda n: repr(abs(n))))
    if depth == 0:
        return leaf
    sub = expressions(depth - 1)
    return st.one_of(
        leaf,
        st.tuples(sub, st.sampled_from(["+", "-", "*", "/"]), sub).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        sub.map(lambda e: f"-{e}"),
        st.tuples(st.sampled_from(["min", "max"]), sub, sub).map(lambda t: f"{t[0]}({t[1]}, {t[2]})"),
    )


values = st.fixed_dictionaries({v: st.one_of(st.none(), numbers) for v in VARS})


@settings(max_examples=300, deadline=None)
@given(expressions(), values)
def test_any_whitelisted_formula_evaluates_to_a_number_or_no_aplica(source, env):
    result = compile_formula(source, set(VARS)).evaluate(env)
    assert result is None or (isinstance(result, float) and math.isfinite(result))


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_any_text_compiles_or_is_refused_cleanly(source):
    try:
        formula = compile_formula(source, set(VARS))
    except FormulaError:
        return
    assert formula.variables <= set(VARS)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 500), st.integers(0, 500))
def test_ratio_agrees_with_plain_arithmetic(done, asked):
    result = compile_formula("publicacion / solicitud * 100", {"publicacion", "solicitud"}).evaluate(
        {"publicacion": done, "solicitud": asked}
    )
    if asked == 0:
        assert result is None
    else:
        assert result == pytest.approx(done / asked * 100)
