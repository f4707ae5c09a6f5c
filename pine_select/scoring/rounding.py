"""The one rounding rule of every output: half up (away from zero), on the exact value.

``4.125`` shows as ``4.13`` everywhere (the terminal, CSV, JSON, the pack): what people
expect of "2 decimals", unlike Python's ``round`` and ``format`` (half to even on the binary
value: ``f"{4.125:.2f}"`` is ``4.12``). Floats (statistics such as leniency) are rounded
on their exact binary value, as Fractions. Every function that prints a number calls one of
these; ranking ties compare :func:`to_cents`, the same rounding.
"""

from __future__ import annotations

import functools
import math
from fractions import Fraction

Number = Fraction | int | float


def scaled_half_up(value: Number, places: int) -> int:
    """``value`` * 10**places rounded half away from zero, as a whole number."""
    exact = _exact(value)
    p: int = abs(exact.numerator) * 10**places
    q = exact.denominator
    rounded = (2 * p + q) // (2 * q)
    return rounded if exact.numerator >= 0 else -rounded


def to_cents(total: Fraction) -> int:
    """A total in hundredths, rounded half up: the value that ranking ties compare."""
    return scaled_half_up(total, 2)


def fixed(value: Number, places: int, *, plus: bool = False) -> str:
    """``value`` with exactly ``places`` decimals, rounded half up: 73.125 -> "73.13".

    ``plus`` puts a + before a positive value (leniency: "+0.25").
    """
    exact = _exact(value)
    text = _fixed(exact.numerator, exact.denominator, places)
    return "+" + text if plus and not text.startswith("-") and exact > 0 else text


def half_up(value: Number, places: int) -> float:
    """``value`` rounded half up to ``places`` decimals, as a JSON number."""
    exact = _exact(value)
    return _half_up_float(exact.numerator, exact.denominator, places)


@functools.lru_cache(maxsize=4096)  # as _fixed: a call's scores take few values
def _half_up_float(numerator: int, denominator: int, places: int) -> float:
    return float(_fixed(numerator, denominator, places))


def hundredths_text(cents: int) -> str:
    """A score kept in hundredths (``total_cents``) as text with 2 decimals, exactly."""
    whole, part = divmod(abs(cents), 100)
    return f"{'-' if cents < 0 else ''}{whole}.{part:02d}"


@functools.lru_cache(maxsize=4096)  # scores repeat: a mean of 3 reviewers has few values
def _fixed(numerator: int, denominator: int, places: int) -> str:
    scaled = scaled_half_up(Fraction(numerator, denominator), places)
    sign = "-" if scaled < 0 else ""
    whole, part = divmod(abs(scaled), 10**places)
    return f"{sign}{whole}.{part:0{places}d}" if places else f"{sign}{whole}"


def _exact(value: Number) -> Fraction:
    if isinstance(value, Fraction):
        return value
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{value} cannot be rounded: not a finite number")
    return Fraction(value)
