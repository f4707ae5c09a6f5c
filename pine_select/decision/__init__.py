"""The panel's decision against the recommendation (SPEC 11): checked, compared, explained.

``checks.py`` refuses a decision file that does not account for itself (a difference from
the recommendation without a reason, a reason without a difference, an unknown id, an
amount above the request, an application that cannot be funded); ``compare.py`` says what
the decision changes, what it costs and which rules the decided portfolio breaks;
``source.py`` re-runs the lottery a decision says it was drawn from.
"""

from pine_select.decision.compare import (
    BrokenRule,
    DecisionComparison,
    Portfolio,
    compare_decision,
)
from pine_select.decision.outcome import Decided, checked_decision, decided
from pine_select.decision.source import LotteryDraw

__all__ = ["BrokenRule", "Decided", "DecisionComparison", "LotteryDraw", "Portfolio",
           "checked_decision", "compare_decision", "decided"]
