"""The briefing pack's "weight sensitivity" section, as plain data for a template.

:func:`sensitivity_view` decides whether the section is in a pack (and says why not);
:func:`sensitivity_section` turns a weight-sensitivity result into what
``_sensitivity.html.j2`` draws.

Every number the template draws (bar positions and widths in SVG user units) is computed
here, so ``_sensitivity.html.j2`` only loops and places values; weights are shown to two
decimals, frequencies as whole percentages.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from pine_select.options import RunOptions
from pine_select.pack.withhold import NOT_SHOWN_SENSITIVITY, Disclosure
from pine_select.report.cells import fixed
from pine_select.sensitivity.result import (
    RankStability,
    Robustness,
    WeightInterval,
    WeightSensitivity,
)

BAR_WIDTH = 240  # SVG user units of the interval and frequency bars
BAR_HEIGHT = 14
HEADROOM = Fraction(5, 4)  # the axis ends a quarter beyond the largest finite number shown
SENSITIVITY_MAX_CANDIDATES = 200  # beyond this the section costs more than the pack itself


def sensitivity_view(disclosed: Disclosure, params: RunOptions) -> dict[str, Any]:
    """The weight-sensitivity section, or why it is not in this pack."""
    from pine_select.sensitivity import weight_sensitivity

    reason = _not_computed_because(disclosed, params)
    if reason is not None:
        return {"skipped": reason}
    decision = disclosed.decision
    result = weight_sensitivity(decision.call, overrides=decision.overrides,
                                options=params)
    return {"skipped": None, **sensitivity_section(result)}


def _not_computed_because(disclosed: Disclosure, params: RunOptions) -> str | None:
    if params.is_what_if:  # the one test of a what-if (options.py), as the chance section's
        return ("This pack was made with what-ifs; weight sensitivity is computed for the "
                "published rules only: run pine-select sensitivity on the call.")
    if not disclosed.shows_sensitivity:
        return f"In this copy {NOT_SHOWN_SENSITIVITY}."
    return too_large(disclosed, SENSITIVITY_MAX_CANDIDATES, "sensitivity")


def too_large(disclosed: Disclosure, limit: int, command: str) -> str | None:
    """Why a section is left out of a pack for a call above ``limit`` selectable applications."""
    selectable = len(disclosed.decision.scores.selectable())
    if selectable > limit:
        return (f"Not computed for a call with {selectable} selectable applications "
                f"(over {limit}): run pine-select {command}.")
    return None


def sensitivity_section(result: WeightSensitivity) -> dict[str, object]:
    """Plain data for ``{% include "_sensitivity.html.j2" %}`` (as ``sensitivity``)."""
    end = _axis_end(result.intervals)
    return {
        "available": result.optimal,
        "portfolio": list(result.portfolio),
        "bar_width": BAR_WIDTH,
        "bar_height": BAR_HEIGHT,
        "axis_end": fixed(end, 2),
        "intervals": [_interval_row(item, end) for item in result.intervals],
        "stability": [_stability_row(item) for item in result.stability],
        "robustness": None if result.robustness is None else _robustness(result.robustness),
        "notes": list(result.notes),
    }


def _axis_end(intervals: tuple[WeightInterval, ...]) -> Fraction:
    finite = [n for item in intervals for n in (item.weight, item.high) if n is not None]
    largest = max(finite, default=Fraction(1))
    return largest * HEADROOM if largest > 0 else Fraction(1)


def _x(value: Fraction, end: Fraction) -> float:
    return round(float(min(value, end) / end * BAR_WIDTH), 1)


def _interval_row(item: WeightInterval, end: Fraction) -> dict[str, object]:
    left = _x(item.low, end)
    right = BAR_WIDTH if item.high is None else _x(item.high, end)
    return {
        "id": item.criterion,
        "weight": fixed(item.weight, 2),
        "low": fixed(item.low, 2),
        "high": "no limit" if item.high is None else fixed(item.high, 2),
        "open_ended": item.high is None,
        "bar_x": left,
        "bar_width": round(max(right - left, 1.0), 1),  # a point interval still shows
        "marker_x": _x(item.weight, end),
        "low_enters": list(item.at_low.enters), "low_leaves": list(item.at_low.leaves),
        "high_enters": list(item.at_high.enters), "high_leaves": list(item.at_high.leaves),
    }


def _stability_row(item: RankStability) -> dict[str, object]:
    return {
        "id": item.id, "rank": item.rank, "selected": item.selected,
        "criterion": item.criterion, "direction": item.direction,
        "to": None if item.to is None else fixed(item.to, 2),
        "change": None if item.change is None else fixed(item.change, 2),
    }


def _robustness(found: Robustness) -> dict[str, object]:
    return {
        "samples": found.samples, "seed": found.seed,
        "concentration": fixed(found.concentration, 2),
        "portfolios": found.portfolios,
        "same_as_chosen": _percent(found.same_as_chosen, found.samples),
        "frequencies": [{
            "id": f.id, "rank": f.rank, "selected": f.selected,
            "percent": _percent(f.count, found.samples),
            "bar_width": round(BAR_WIDTH * f.count / found.samples, 1) if found.samples else 0.0,
        } for f in found.frequencies],
    }


def _percent(count: int, total: int) -> str:
    return "—" if total == 0 else fixed(Fraction(100 * count, total), 0) + "%"
