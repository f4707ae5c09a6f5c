"""Output of ``pine-select sensitivity`` and ``select --weights ... --diff``: JSON and tables.

Weight bounds are exact fractions: JSON gives the nearest number (``low``, ``high``, as the
SPEC's keys) and the exact value as text (``low_exact``, ``high_exact``, e.g. ``"250/7"``);
tables print 2 decimals. Scores are points to 2 decimals from exact cents.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from pine_select.report.cells import (
    columns,
    exact_number,
    fixed,
    json_number,
    points,
    points_text,
)
from pine_select.report.select_output import select_json
from pine_select.sensitivity.result import (
    Crossing,
    RankStability,
    Robustness,
    WeightDiff,
    WeightInterval,
    WeightSensitivity,
)

BASIS = "exact totals (unrounded); see docs/sensitivity.md"


# -- sensitivity: JSON -----------------------------------------------------------------------

def sensitivity_json(result: WeightSensitivity) -> dict[str, object]:
    return {
        "status": result.status,
        "portfolio": list(result.portfolio),
        "weights": {c: exact_number(w) for c, w in result.weights.items()},
        "basis": BASIS,
        "criteria": [_interval_json(item) for item in result.intervals],
        "stability": [_stability_json(item) for item in result.stability],
        "robustness": None if result.robustness is None else _robustness_json(result.robustness),
        "breakpoint_limit": result.breakpoint_limit,
        "notes": list(result.notes),
    }


def _interval_json(item: WeightInterval) -> dict[str, object]:
    return {
        "id": item.criterion, "weight": exact_number(item.weight),
        "low": _number(item.low), "high": _number(item.high),
        "low_exact": _exact(item.low), "high_exact": _exact(item.high),
        "at_low": _crossing_json(item.at_low), "at_high": _crossing_json(item.at_high),
    }


def _crossing_json(crossing: Crossing) -> dict[str, list[str]]:
    return {"enters": list(crossing.enters), "leaves": list(crossing.leaves)}


def _stability_json(item: RankStability) -> dict[str, object]:
    return {"id": item.id, "rank": item.rank, "selected": item.selected,
            "criterion": item.criterion, "direction": item.direction,
            "to": _number(item.to), "to_exact": _exact(item.to), "change": _number(item.change)}


def _robustness_json(found: Robustness) -> dict[str, object]:
    return {
        "samples": found.samples, "concentration": exact_number(found.concentration),
        "seed": found.seed, "portfolios": found.portfolios,
        "same_as_chosen": found.same_as_chosen,
        "frequencies": [{"id": f.id, "rank": f.rank, "selected": f.selected, "count": f.count,
                         "frequency": _share(f.count, found.samples)}
                        for f in found.frequencies],
    }


def _number(value: Fraction | None) -> int | float | None:
    return None if value is None else exact_number(value)


def _exact(value: Fraction | None) -> str | None:
    return None if value is None else str(value)


def _share(count: int, total: int) -> float | None:
    return None if total == 0 else json_number(Fraction(count, total), 4)


# -- sensitivity: table ----------------------------------------------------------------------

def sensitivity_table(result: WeightSensitivity) -> str:
    if not result.optimal:
        return "No portfolio satisfies every rule: nothing to analyse (see `select`)."
    sections = [
        [f"Portfolio: {', '.join(result.portfolio)}",
         "Stays optimal (exact totals) while one weight moves within [low, high], "
         "the others unchanged:"],
        _interval_lines(result.intervals),
        _stability_lines(result.stability),
        _robustness_lines(result.robustness),
        list(result.notes),
    ]
    return "\n\n".join("\n".join(lines) for lines in sections if lines)


def _interval_lines(intervals: Sequence[WeightInterval]) -> list[str]:
    rows = [[item.criterion, _text(item.weight), _text(item.low),
             "no limit" if item.high is None else _text(item.high)] for item in intervals]
    lines = columns(["criterion", "weight", "low", "high"], rows, right={1, 2, 3})
    lines.append("Beyond the ends (+ enters, - leaves):")
    for item in intervals:
        if item.at_low.enters or item.at_low.leaves:
            lines.append(f"  {item.criterion} below {_text(item.low)}: "
                         f"{_crossing_text(item.at_low)}")
        if item.high is not None:
            lines.append(f"  {item.criterion} above {_text(item.high)}: "
                         f"{_crossing_text(item.at_high)}")
    return lines


def _crossing_text(crossing: Crossing) -> str:
    return " ".join([*(f"+{a}" for a in crossing.enters), *(f"-{a}" for a in crossing.leaves)])


def _stability_lines(stability: Sequence[RankStability]) -> list[str]:
    rows = []
    for item in stability:
        place = "in" if item.selected else "out"
        if item.criterion is None or item.to is None or item.change is None:
            rows.append([item.id, str(item.rank), place, "no single weight moves it", "", ""])
            continue
        beyond = "above" if item.direction == "up" else "below"
        rows.append([item.id, str(item.rank), place, item.criterion,
                     f"{beyond} {_text(item.to)}", _text(item.change)])
    header = ["application", "rank", "now", "criterion", "moves when weight is", "change"]
    return ["Rank stability (smallest change of one weight that moves it in or out):",
            *columns(header, rows, right={1, 5})]


def _robustness_lines(found: Robustness | None) -> list[str]:
    if found is None:
        return []
    lines = [f"Selection frequency over {found.samples} weight vectors (Dirichlet, "
             f"concentration {_text(found.concentration)}, seed {found.seed}): "
             f"{found.portfolios} different portfolio(s); the chosen one in "
             f"{found.same_as_chosen}."]
    rows = [[f.id, str(f.rank), "in" if f.selected else "out",
             fixed(Fraction(100 * f.count, found.samples or 1), 1) + "%"]
            for f in found.frequencies]
    return [*lines, *columns(["application", "rank", "now", "chosen"], rows, right={1, 3})]


def _text(value: Fraction) -> str:
    return fixed(value, 2)


# -- select --diff ---------------------------------------------------------------------------

def diff_json(diff: WeightDiff) -> dict[str, object]:
    before, after = diff.before, diff.after
    return {
        "weights": {"rubric": _weights(before.weights), "what_if": _weights(after.weights)},
        "status": {"rubric": before.status, "what_if": after.status},
        "enters": list(diff.enters),
        "leaves": list(diff.leaves),
        "stays": list(diff.stays),
        "total_score": {"rubric": points(before.total_cents),
                        "what_if": points(after.total_cents),
                        "change": points(diff.total_change_cents)},
        "cost": {"rubric": before.cost, "what_if": after.cost, "change": diff.cost_change},
        "rules": {"became_binding": list(diff.became_binding),
                  "became_slack": list(diff.became_slack)},
        "rubric": select_json(before),
        "what_if": select_json(after),
    }


def diff_table(diff: WeightDiff) -> str:
    before, after = diff.before, diff.after
    lines = [
        f"Weights: {_weights_text(before.weights)}  ->  {_weights_text(after.weights)}",
        f"Status: {before.status} -> {after.status}",
        f"Enters: {', '.join(diff.enters) or 'nobody'}",
        f"Leaves: {', '.join(diff.leaves) or 'nobody'}",
        f"Stays:  {', '.join(diff.stays) or 'nobody'}",
        f"Total score: {points_text(before.total_cents)} -> {points_text(after.total_cents)} "
        f"({_signed(diff.total_change_cents)}; each side scored with its own weights)",
        f"Cost: £{before.cost:,} -> £{after.cost:,} ({'+' if diff.cost_change >= 0 else '-'}"
        f"£{abs(diff.cost_change):,})",
        f"Rules now binding: {', '.join(diff.became_binding) or 'none'}",
        f"Rules now slack:   {', '.join(diff.became_slack) or 'none'}",
    ]
    return "\n".join(lines)


def _weights(weights: dict[str, Fraction]) -> dict[str, int | float]:
    return {c: exact_number(w) for c, w in weights.items()}


def _weights_text(weights: dict[str, Fraction]) -> str:
    return ",".join(f"{c}={exact_number(w)}" for c, w in weights.items())


def _signed(cents: int) -> str:
    return ("+" if cents >= 0 else "") + points_text(cents)

