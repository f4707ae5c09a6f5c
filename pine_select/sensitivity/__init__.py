"""Weight sensitivity: what rubric weights do to the portfolio (issue 6).

* :func:`weight_diff` (``select --weights ... --diff``): a what-if run against the rubric's
  weights: who enters, who leaves, the change of total, rules that bind or go slack.
* :func:`weight_sensitivity` (``pine-select sensitivity``): for each criterion the exact
  interval of its weight over which the portfolio stays optimal (``breakpoints``), the
  smallest single-weight change that moves each application near the line, and, with
  samples, how often each application is chosen under weights drawn around the rubric's
  (``robustness``).
The briefing pack's view of these results lives in ``pack/sensitivity_view.py``.

Every re-selection re-uses one solver model and changes only its objective.
"""

from __future__ import annotations

from pine_select.sensitivity.analysis import weight_sensitivity
from pine_select.sensitivity.diff import weight_diff
from pine_select.sensitivity.result import (
    Crossing,
    Frequency,
    RankStability,
    Robustness,
    WeightDiff,
    WeightInterval,
    WeightSensitivity,
)

__all__ = [
    "Crossing",
    "Frequency",
    "RankStability",
    "Robustness",
    "WeightDiff",
    "WeightInterval",
    "WeightSensitivity",
    "weight_diff",
    "weight_sensitivity",
]
