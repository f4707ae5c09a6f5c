"""How the briefing shows small values: criterion scores, weights, facts, sizes, lists.

Criterion scores use the one half-up rounding of every output (``report.cells.fixed``),
so a mean ending in an eighth prints the same here as in ``score``.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from pine_select.report.cells import fixed
from pine_select.selection.result import SelectionResult


def score_text(value: Fraction | None) -> str | None:
    """A criterion score to 2 decimals, rounded half up; None when nobody scored it."""
    return None if value is None else fixed(value, 2)


def number(value: Fraction) -> str:
    """A weight as written: 30, 0.5."""
    return str(value.numerator) if value.denominator == 1 else f"{float(value):g}"


def fact(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "—" if value is None else str(value)


def size_text(selection: SelectionResult) -> str:
    low, high = selection.size_range
    if high is None:
        return f"at least {low}" if low else "as many as the budget allows"
    return str(low) if low == high else f"{low} to {high}"


def listed(ids: Sequence[str]) -> str:
    """``A``, ``A and B``, ``A, B and C``."""
    if len(ids) <= 1:
        return "".join(ids)
    return f"{', '.join(ids[:-1])} and {ids[-1]}"
