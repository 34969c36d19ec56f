"""How a number is written for a person: the one place for rounding and Spanish decimals.

Standard library only.
"""

from __future__ import annotations


def r2(value: float | None) -> float | None:
    """Rounded to 2 decimals (the precision of every figure pec shows); -0.0 becomes 0.0."""
    if value is None:
        return None
    rounded = round(value + 0.0, 2)
    return 0.0 if rounded == 0 else rounded


def as_typed(value: float | None) -> int | float | None:
    """A meta as typed in the plan: 10, not 10.0."""
    return None if value is None else int(value) if float(value).is_integer() else value


def decimal_text(value: float, decimals: int = 2, decimal: str = ",", thousands: str = "") -> str:
    """``value`` with ``decimals`` digits: 10250.5 -> ``10250,50`` (``10.250,50`` with thousands=".")."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\0").replace(".", decimal).replace("\0", thousands)


def pct(value: float, decimals: int = 2, sign: bool = True) -> str:
    """40.0 -> ``40,00 %`` (Spanish decimal comma); without ``sign``, ``40,00``."""
    text = decimal_text(value, decimals)
    return f"{text} %" if sign else text


def count_text(value: float | int, thousands: str = "") -> str:
    """A count or a meta as a Spanish number: ``10``, ``2,5``, ``10.250`` with thousands="."."""
    if float(value).is_integer():
        return decimal_text(float(value), 0, thousands=thousands)
    return f"{value:g}".replace(".", ",")


def cell_number(value: float | int, decimal: str = ",") -> str:
    """A CSV cell: a float with 2 decimals (``40,00``), an integer as is (``3``)."""
    return decimal_text(value, 2, decimal) if isinstance(value, float) else str(value)


def json_number(value: float | None) -> int | float | None:
    """A figure for a JSON document: ``10`` for a whole number, else rounded to 2 decimals."""
    return None if value is None else int(value) if float(value).is_integer() else r2(value)


def short_text(value: float, decimals: int = 1) -> str:
    """A figure in a sentence: ``5``, ``4,7`` (``table.figure_text`` says «no aplica» for None)."""
    return decimal_text(value, decimals).removesuffix("," + "0" * decimals) if decimals else decimal_text(value, 0)
