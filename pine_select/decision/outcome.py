"""A call's outcome: the recommendation, and the panel's checked decision when there is one."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pine_select.decision.checks import check_decision
from pine_select.decision.compare import DecisionComparison, compare_decision
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
    panel, doc = load_decision(decision_file)
    recommendation = decide(call, options)
    problems = check_decision(panel, doc, display_path(decision_file), recommendation)
    if problems:
        raise InputError(problems)
    return Decided(recommendation, panel, compare_decision(recommendation, panel),
                   decision_file)
