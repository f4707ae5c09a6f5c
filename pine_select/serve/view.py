"""The tuning page's data: a decision as the page draws it, in words people read.

Names come from the rubric's ``labels:`` (``Rubric.label``) and the applications' own
titles; numbers are formatted here, once, so the page only places text (never markup).
Under ``selection`` each result carries the part of ``select --format json``'s document that
a re-selection without explanations gives exactly (:func:`same_as_select`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from pine_select.model.call import Call
from pine_select.model.rubric import Rubric
from pine_select.pipeline import Decision
from pine_select.report.cells import neutralised, points_text
from pine_select.report.select_output import no_selectable_text, select_json
from pine_select.scoring.result import ApplicationScore
from pine_select.sensitivity.result import WeightInterval

SLIDER_STEP = Fraction(1, 2)
# What `select --format json` says that the page's re-selection (only the price of balance
# explained) gives exactly: rules' gains (also the price's by_rule), reserves, who was left
# out, withdrawals and the notes need the explanations it does not ask for.
SAME_AS_SELECT = ("status", "selected", "total_score", "cost", "price_of_balance",
                  "conflicting_rules", "relaxations", "size", "budget", "solver",
                  "solver_version", "seed", "weights", "unselectable")
PRICE_SAME_AS_SELECT = ("unconstrained_total", "chosen_total", "price", "unbalanced")


def same_as_select(printed: Mapping[str, Any]) -> dict[str, Any]:
    """The part of a ``select --format json`` document that the page's re-selection gives."""
    found = {key: printed[key] for key in SAME_AS_SELECT if key in printed}
    if "price_of_balance" in found:
        price = found["price_of_balance"]
        found["price_of_balance"] = {key: price[key] for key in PRICE_SAME_AS_SELECT}
    return found


@dataclass(frozen=True)
class SessionView:
    """What every result is drawn against: the call, its rubric's decision and intervals."""

    call: Call
    baseline: Decision
    intervals: tuple[WeightInterval, ...]

    @property
    def rubric(self) -> Rubric:
        return self.call.rubric

    def slider_max(self) -> int:
        """The top of every weight slider: twice the largest weight, at least 100."""
        largest = max(c.exact_weight for c in self.rubric.criteria)
        return max(100, int(2 * largest) + 1)


def starting_state(view: SessionView) -> dict[str, Any]:
    rubric = view.rubric
    low, high = rubric.selection.size_range
    return {
        "call": neutralised(rubric.call), "version": neutralised(rubric.version),
        "slider_max": view.slider_max(), "slider_step": str(SLIDER_STEP),
        "criteria": [_criterion(view, c.id) for c in rubric.criteria],
        "size": {"rubric": low if low == high else None,
                 "text": str(low) if low == high else f"{low} to {high or 'any'}"},
        "budget": {"rubric": rubric.selection.budget},
        "rules": [{"name": r.name, "label": neutralised(rubric.label(r.name)),
                   "description": neutralised(r.description)}
                  for r in rubric.selection.rules],
        "applications": _applications(view),
        "result": page_result(view, view.baseline),
    }


def _criterion(view: SessionView, criterion_id: str) -> dict[str, Any]:
    rubric = view.rubric
    criterion = next(c for c in rubric.criteria if c.id == criterion_id)
    interval = next((i for i in view.intervals if i.criterion == criterion_id), None)
    label = rubric.labels.get(criterion_id, criterion.name)
    return {"id": criterion_id, "label": neutralised(label),
            "weight": _number_text(criterion.exact_weight),
            "interval": None if interval is None else _interval(interval)}


def _interval(interval: WeightInterval) -> dict[str, Any]:
    """Where the rubric's portfolio stays optimal (this weight alone moving)."""
    return {"low": float(interval.low), "low_text": _number_text(interval.low),
            "high": None if interval.high is None else float(interval.high),
            "high_text": "no limit" if interval.high is None else _number_text(interval.high)}


def _applications(view: SessionView) -> list[dict[str, Any]]:
    scores = view.baseline.scores.by_id()
    return [{**_application(view.call, app_id, scores),
             "selectable": scores[app_id].selectable,
             "why_not": neutralised("; ".join(scores[app_id].reasons))}
            for app_id in sorted(view.call.by_id)]


def page_result(view: SessionView, decision: Decision) -> dict[str, Any]:
    """One re-selection as the page draws it, with ``select --format json`` under selection."""
    result = decision.selection
    before = view.baseline.selection.selected
    scores = decision.scores.by_id()
    found: dict[str, Any] = {
        "status": result.status,
        "selection": same_as_select(select_json(result)),
        "portfolio": [{**_application(view.call, i, scores), "new": i not in before}
                      for i in result.selected],
        "left": [_application(view.call, i, scores) for i in before
                 if i not in result.selected],
        "total": points_text(result.total_cents), "cost": f"£{result.cost:,}",
        "shares": _shares(decision.scores.weights),
        "price": _price(result.price_of_balance_cents, result.unconstrained_cents),
        "message": _message(view.rubric, decision),
    }
    return found


def _application(call: Call, app_id: str, scores: Mapping[str, ApplicationScore]
                 ) -> dict[str, Any]:
    app = call.by_id[app_id]
    cents = scores[app_id].total_cents
    return {"id": app_id, "title": neutralised(app.title),
            "organisation": neutralised(app.organisation.name),
            "total": "—" if cents is None else points_text(cents),
            "cost": f"£{app.requested_amount:,}"}


def _shares(weights: Mapping[str, Fraction]) -> dict[str, str]:
    """Each weight as a share of their sum, to one decimal place of a per cent."""
    total = sum(weights.values(), Fraction(0))
    return {c: f"{float(100 * w / total):.1f}%" if total else "—" for c, w in weights.items()}


def _price(price: int | None, unconstrained: int | None) -> str | None:
    if price is None or unconstrained is None:
        return None
    return (f"{points_text(price)} points (the best total without balance rules is "
            f"{points_text(unconstrained)})")


def _message(rubric: Rubric, decision: Decision) -> str | None:
    result = decision.selection
    if result.unselectable is not None:
        return no_selectable_text(result.unselectable)
    if result.optimal:
        return None
    rules = ", ".join(rubric.label(name) for name in result.conflicting_rules)
    changes = "; ".join(r.change for r in result.relaxations if r.steps is not None)
    text = f"No portfolio satisfies every rule. These rules cannot hold together: {rules}."
    return neutralised(text + (f" Each of these alone would help: {changes}." if changes
                               else ""))


def _number_text(value: Fraction) -> str:
    """A weight for a number box: whole, or up to six decimals (a repeating one rounded)."""
    if value.denominator == 1:
        return str(value.numerator)
    return f"{float(value):.6f}".rstrip("0").rstrip(".")
