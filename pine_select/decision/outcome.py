"""A call's outcome: the recommendation, and the panel's checked decision when there is one."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pine_select.decision.checks import check_decision, check_entries
from pine_select.decision.compare import DecisionComparison, compare_decision
from pine_select.decision.source import LotteryDraw, decision_basis
from pine_select.errors import InputError, display_path
from pine_select.loading.decision import load_decision
from pine_select.model.call import Call
from pine_select.model.decision import PanelDecision
from pine_select.options import RunOptions
from pine_select.pipeline import Decision, decide


@dataclass(frozen=True)
class Decided:
    """What was recommended and, with a decision file, what the panel decided."""

    recommendation: Decision
    panel: PanelDecision | None = None
    comparison: DecisionComparison | None = None
    source: Path | None = None  # the decision file

    @property
    def draw(self) -> LotteryDraw | None:
        """The lottery the decision was drawn from, re-run (None: on the recommendation)."""
        return None if self.comparison is None else self.comparison.draw

    @property
    def funded(self) -> dict[str, int]:
        """Each funded application's amount: the panel's, else the recommended requests."""
        if self.comparison is not None:
            return dict(self.comparison.amounts)
        apps = self.recommendation.call.by_id
        return {i: apps[i].requested_amount for i in self.recommendation.selection.selected}


def decided(call: Call, options: RunOptions, decision_file: Path | None) -> Decided:
    """The recommendation under ``options`` and the decision in ``decision_file`` against it.

    ``decision_file`` None: the recommendation alone. Raises InputError listing every
    problem of the decision file (file and line), or of the call.
    """
    if decision_file is None:
        return Decided(decide(call, options))
    recommendation = decide(call, options)
    panel, comparison = checked_decision(recommendation, decision_file)
    return Decided(recommendation, panel, comparison, decision_file)


def checked_decision(recommendation: Decision, decision_file: Path
                     ) -> tuple[PanelDecision, DecisionComparison]:
    """The decision in ``decision_file``, checked against ``recommendation`` (or against the
    lottery draw it names, re-run) and compared with it; InputError lists every problem."""
    panel, doc = load_decision(decision_file)
    label = display_path(decision_file)
    basis, problems = decision_basis(recommendation, panel, doc, label)
    problems += (check_entries(panel, doc, label, recommendation) if basis is None
                 else check_decision(panel, doc, label, recommendation, basis))
    if problems:
        raise InputError(problems)
    assert basis is not None
    return panel, compare_decision(recommendation, panel, basis.draw)
