"""Scoring (SPEC 3): eligibility, criterion scores, weighted totals, flags, ranks, quality.

The entry point is :func:`pine_select.scoring.score.score_call`. Each step lives in a module
named after it: ``eligibility``, ``aggregate``, ``totals`` (the one formula), ``rounding``
(the one rounding of every output), ``flags``, ``ranking``, ``quality``; ``weights`` parses
and checks what-if weights. The names below are re-exported for callers of this package.
"""

from __future__ import annotations

from pine_select.scoring.result import (
    ApplicationScore,
    AssessmentQuality,
    CriterionQuality,
    CriterionScore,
    ReviewerQuality,
    ScoreReport,
)
from pine_select.scoring.score import score_call
from pine_select.scoring.weights import Weights, parse_weights, resolve_weights

__all__ = [
    "ApplicationScore",
    "AssessmentQuality",
    "CriterionQuality",
    "CriterionScore",
    "ReviewerQuality",
    "ScoreReport",
    "Weights",
    "parse_weights",
    "resolve_weights",
    "score_call",
]
