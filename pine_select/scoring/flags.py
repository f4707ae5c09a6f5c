"""Warnings a panel should see next to a score: disagreement, too few reviews, an outlier.

``single_reviewer_extreme``: each reviewer's own weighted total is computed from their
scores alone (SPEC 3's formula over the criteria they scored, weights renormalised over
those). With at least three reviewers, one reviewer is *far* from the others when

- their total is at least :data:`EXTREME_GAP` points (on the 0-100 total) from the mean of
  the other reviewers' totals, and
- that gap is at least twice the spread (max - min) of the other reviewers' totals,

that is, the others agree with each other and this reviewer alone stands apart. 25 points
is a quarter of the range: on a 1-5 scale, a whole scale point on every criterion. With
two reviewers no one can be singled out (that is plain disagreement, flagged per criterion).
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

from pine_select.model.rubric import Rubric, Scale
from pine_select.scoring.result import CriterionScore
from pine_select.scoring.totals import IntegerWeights, approximate_total, total_of

EXTREME_GAP = Fraction(25)
MIN_REVIEWERS_FOR_EXTREME = 3

SINGLE_REVIEWER_EXTREME = "single_reviewer_extreme"


def criterion_flags(criteria: Mapping[str, CriterionScore], rubric: Rubric) -> list[str]:
    """``insufficient_reviews:<id>`` then ``disagreement:<id>``, each in rubric order."""
    flags = [f"insufficient_reviews:{c}" for c, s in criteria.items()
             if s.n_reviews < rubric.min_reviews]
    if rubric.disagreement is not None:
        threshold = rubric.disagreement
        flags += [f"disagreement:{c}" for c, s in criteria.items()
                  if s.spread is not None and s.spread >= threshold]
    return flags


def reviewer_totals(
    criteria: Mapping[str, CriterionScore],
    weights: Mapping[str, Fraction] | IntegerWeights,
    scale: Scale,
) -> dict[str, Fraction]:
    """Each reviewer's own total on 0..100 from their scores alone (sorted by reviewer)."""
    sums = _reviewer_sums(criteria, weights, scale)
    return {r: total_of(weighted, 1, weight_sum, scale)
            for r, (weighted, weight_sum) in sorted(sums.items()) if weight_sum > 0}


def _reviewer_sums(
    criteria: Mapping[str, CriterionScore],
    weights: Mapping[str, Fraction] | IntegerWeights,
    scale: Scale,
) -> dict[str, tuple[int, int]]:
    """Each reviewer's sum_j w_j * (c_j - min) and sum_j w_j, on whole numbers."""
    sums: dict[str, tuple[int, int]] = {}
    low = scale.min
    for criterion, weight in IntegerWeights.of(weights).items:
        for reviewer, score in criteria[criterion].scores:
            weighted, weight_sum = sums.get(reviewer, (0, 0))
            sums[reviewer] = (weighted + weight * (score - low), weight_sum + weight)
    return sums


def single_reviewer_extremes(
    criteria: Mapping[str, CriterionScore],
    weights: Mapping[str, Fraction] | IntegerWeights,
    scale: Scale,
) -> tuple[str, ...]:
    """The reviewers of one application who stand alone far from the others."""
    if max((s.n_reviews for s in criteria.values()), default=0) < MIN_REVIEWERS_FOR_EXTREME:
        return ()
    sums = _reviewer_sums(criteria, weights, scale)
    # Decided on floats (about 1e-14 from the exact totals, which stay on 0..100) unless a
    # margin is within FLOAT_DOUBT of the boundary: then exactly, with Fractions.
    approximate = {r: approximate_total(weighted, weight_sum, scale)
                   for r, (weighted, weight_sum) in sorted(sums.items()) if weight_sum > 0}
    decided = _extreme_by_floats(approximate)
    if decided is not None:
        return decided
    return extreme_reviewers(reviewer_totals(criteria, weights, scale))


FLOAT_DOUBT = 1e-9


def _extreme_by_floats(totals: Mapping[str, float]) -> tuple[str, ...] | None:
    """:func:`extreme_reviewers` on float totals; None when too close to a boundary to tell."""
    if len(totals) < MIN_REVIEWERS_FOR_EXTREME:
        return ()
    if max(totals.values()) - min(totals.values()) < float(EXTREME_GAP) - FLOAT_DOUBT:
        return ()  # nobody can be EXTREME_GAP from the others' mean
    extreme = []
    for reviewer, own in totals.items():
        others = [t for r, t in totals.items() if r != reviewer]
        gap = abs(own - sum(others) / len(others))
        margin = min(gap - float(EXTREME_GAP), gap - 2 * (max(others) - min(others)))
        if abs(margin) <= FLOAT_DOUBT:
            return None
        if margin > 0:
            extreme.append(reviewer)
    return tuple(extreme)


def extreme_reviewers(totals: Mapping[str, Fraction]) -> tuple[str, ...]:
    """The reviewers who stand alone far from the others (see the module docstring)."""
    if len(totals) < MIN_REVIEWERS_FOR_EXTREME:
        return ()
    # Nobody can be EXTREME_GAP from the others' mean when all are closer than that
    # (checked on floats first: cheap, and far from the boundary when it decides).
    approximate = [float(t) for t in totals.values()]
    if max(approximate) - min(approximate) < float(EXTREME_GAP) - 1e-6:
        return ()
    extreme = []
    for reviewer, own in totals.items():
        others = [t for r, t in totals.items() if r != reviewer]
        gap = abs(own - sum(others, Fraction(0)) / len(others))
        if gap >= EXTREME_GAP and gap >= 2 * (max(others) - min(others)):
            extreme.append(reviewer)
    return tuple(extreme)
