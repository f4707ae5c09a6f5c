"""Where a decision's funded list came from: the recommendation, or a lottery's draw.

A decision file with ``source: {lottery: {zone, seed, draws}}`` says the panel drew lots
and decided on the drawn portfolio. The draw is never taken on trust: it is re-run here
with the same library call as ``pine-select lottery RUBRIC APPS --zone Z --seed S
--draws N`` (the call scored under its published rules, the leximin lottery, the seeded
ticket), so the same file always gives the same draw, and ``verify`` re-does it. The
decision's changes are then its departures from the draw (``checks.py``): a panel that
funds exactly the draw needs none. Parameters that give no draw (a lottery no portfolio
can satisfy, a contested zone without the bootstrap's draws) are input errors naming the
decision file and the line of ``source.lottery``.
"""

from __future__ import annotations

from dataclasses import dataclass

from pine_select.chance import Lottery, prepare, run_lottery
from pine_select.errors import Problem
from pine_select.loading.yaml_source import YamlDocument
from pine_select.model.decision import LotterySource, PanelDecision
from pine_select.pipeline import Decision

SOURCE_EXPECTED = ("source: {lottery: {zone: contested|all, seed: N, draws: N}}, the "
                   "options of a pine-select lottery run that draws a portfolio "
                   "(docs/after-the-decision.md#a-decision-drawn-by-lot)")


@dataclass(frozen=True)
class LotteryDraw:
    """The lottery a decision names, re-run: its options and what it drew."""

    params: LotterySource
    lottery: Lottery

    @property
    def drawn(self) -> tuple[str, ...]:
        return self.lottery.drawn


@dataclass(frozen=True)
class Basis:
    """The portfolio a decision is checked against, and the words for it."""

    ids: frozenset[str]
    word: str  # what an application of it was: "recommended" or "drawn"
    name: str  # what it is: "recommendation" or "lottery's draw"
    draw: LotteryDraw | None = None


def recommendation_basis(recommendation: Decision) -> Basis:
    return Basis(frozenset(recommendation.selection.selected), "recommended", "recommendation")


def decision_basis(recommendation: Decision, panel: PanelDecision, doc: YamlDocument,
                   label: str) -> tuple[Basis | None, list[Problem]]:
    """The basis of ``panel`` (read from ``label``): the recommendation, or its lottery's
    draw re-run; None and the problems when the lottery it names draws nothing."""
    if panel.source is None:
        return recommendation_basis(recommendation), []
    params = panel.source.lottery
    where = doc.line_of(("source", "lottery"))
    if params.zone == "contested" and params.draws == 0:
        return None, [Problem(label, doc.line_of(("source", "lottery", "draws")),
                              "source.lottery.draws: 0, but the contested zone is found by "
                              "the bootstrap's draws", "at least 1 draw, or zone: all",
                              code="lottery_without_draws")]
    lottery = run_lottery(prepare(recommendation.call), zone=params.zone, draws=params.draws,
                          seed=params.seed)
    if lottery.status != "drawn":
        return None, [Problem(label, where, f"source.lottery (zone {params.zone}, seed "
                              f"{params.seed}, {params.draws:,} draws): no portfolio keeps "
                              "every rule with the held-in and held-out applications, so this "
                              "lottery draws nothing", SOURCE_EXPECTED,
                              code="lottery_infeasible")]
    draw = LotteryDraw(params, lottery)
    return Basis(frozenset(draw.drawn), "drawn", "lottery's draw", draw), []
