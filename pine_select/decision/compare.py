"""The decided portfolio against the recommended one: what changed, what it costs, what breaks.

A pure function of a recommendation and a checked decision (``checks.py``). The rules the
decided portfolio breaks are judged exactly as the selection judges a swap
(``SwapEvaluator``), on the same rows: size, every balance rule and the panel's overrides;
the budget on the decided amounts (a panel may fund less than was asked).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from pine_select.decision.source import LotteryDraw
from pine_select.model.decision import Change, PanelDecision
from pine_select.model.rubric import Rubric
from pine_select.pipeline import Decision
from pine_select.selection.explain import SwapEvaluator
from pine_select.selection.problem import BUDGET, SIZE, build_problem


@dataclass(frozen=True)
class Portfolio:
    """A set of applications (in rank order), their total score (cents) and their cost."""

    ids: tuple[str, ...]
    total_cents: int
    cost: int


@dataclass(frozen=True)
class BrokenRule:
    """A rule the decided portfolio breaks: its name, the words for it, and what it asks."""

    name: str
    label: str
    description: str


@dataclass(frozen=True)
class DecisionComparison:
    decided_on: date
    decided_by: str
    recommended: Portfolio
    decided: Portfolio
    amounts: dict[str, int]  # the decided amount of each funded application
    changes: tuple[Change, ...]  # added first, then removed; each in rank order
    breaks: tuple[BrokenRule, ...]  # in the selection's group order
    draw: LotteryDraw | None = None  # the lottery the decision was drawn from, re-run
    drawn: Portfolio | None = None  # its drawn portfolio, the changes' basis

    @property
    def agrees(self) -> bool:
        """Whether the panel funded exactly its basis: the recommendation, or the draw."""
        return not self.changes


def compare_decision(recommendation: Decision, panel: PanelDecision,
                     draw: LotteryDraw | None = None) -> DecisionComparison:
    """``panel`` against ``recommendation`` and the lottery ``draw`` it came from, if any
    (``panel`` passed checks.check_decision against that basis)."""
    requested = {a.id: a.requested_amount for a in recommendation.call.applications}
    amounts = {g.id: requested[g.id] if g.amount is None else g.amount for g in panel.funded}
    rank = _rank_order(recommendation)
    recommended = tuple(recommendation.selection.selected)
    decided_ids = tuple(sorted(amounts, key=rank))
    return DecisionComparison(
        decided_on=panel.decided_on, decided_by=panel.decided_by,
        recommended=_portfolio(recommendation, recommended, requested),
        decided=_portfolio(recommendation, decided_ids, amounts),
        amounts={app_id: amounts[app_id] for app_id in decided_ids},
        changes=tuple(sorted(panel.changes, key=lambda c: (c.action != "added", rank(c.id)))),
        breaks=broken_rules(recommendation, amounts),
        draw=draw,
        drawn=None if draw is None else _portfolio(
            recommendation, tuple(sorted(draw.drawn, key=rank)), requested),
    )


def _rank_order(recommendation: Decision) -> Callable[[str], tuple[int, str]]:
    scores = recommendation.scores.by_id()

    def key(app_id: str) -> tuple[int, str]:
        found = scores.get(app_id)
        return (found.rank if found and found.rank is not None else 1 << 30, app_id)

    return key


def _portfolio(recommendation: Decision, ids: tuple[str, ...], amounts: dict[str, int]
               ) -> Portfolio:
    scores = recommendation.scores.by_id()
    total = sum(scores[i].total_cents or 0 for i in ids)
    return Portfolio(ids, total, sum(amounts[i] for i in ids))


def broken_rules(recommendation: Decision, amounts: dict[str, int]) -> tuple[BrokenRule, ...]:
    """The rules the portfolio of ``amounts`` (id -> pounds) breaks, in the problem's order."""
    options = recommendation.options
    problem = build_problem(recommendation.call, recommendation.scores,
                            overrides=recommendation.overrides, size=options.size,
                            budget=options.budget)
    chosen = frozenset(problem.index_of(app_id) for app_id in amounts)
    groups = [g for g in SwapEvaluator(problem).broken(chosen) if g != BUDGET]
    if problem.budget is not None and sum(amounts.values()) > problem.budget:
        groups.insert(1 if SIZE in groups else 0, BUDGET)
    words = rule_words(recommendation)
    rubric = recommendation.call.rubric
    return tuple(BrokenRule(g, rubric.label(g), words.get(g, g)) for g in groups)


def rule_words(recommendation: Decision) -> dict[str, str]:
    """What each rule asks, in words: the rubric's descriptions, size, budget, overrides.

    The one home of these words: comparisons and letters both use them. A rule without a
    description is named by its name.
    """
    rubric: Rubric = recommendation.call.rubric
    words = {rule.name: rule.description or rule.name for rule in rubric.selection.rules}
    low, high = recommendation.selection.size_range
    words[SIZE] = (f"Choose exactly {low}." if low == high else
                   f"Choose at least {low}." if high is None else
                   f"Choose between {low} and {high}.")
    budget = recommendation.selection.budget
    if budget is not None:
        words[BUDGET] = f"Cost no more than £{budget:,}."
    for override in recommendation.overrides.include:
        words[f"include {override.id}"] = f"The panel's overrides include {override.id}: " \
            f"{override.reason}"
    return words
