"""The array forms of assessment quality (scoring/quality.py) give, bit for bit, the figures
of the formulas written as loops (kept here as the reference: the code before columns)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from pine_select.scoring import quality
from pine_select.scoring.quality import (
    TARGET_RELIABILITY,
    CriterionQuality,
    ReviewerQuality,
    Scored,
    reviewers_needed,
    spearman_brown,
)


@dataclass
class _Tally:
    """One reviewer's running counts (mutable: filled in one pass over every score)."""

    n_scores: int = 0
    n_applications: int = 0
    deviation_sum: float = 0.0
    n_compared: int = 0
    last_application: str | None = None


def reviewer_quality(scored: Scored) -> tuple[ReviewerQuality, ...]:
    """Scores, applications and leniency of each reviewer, sorted by reviewer."""
    tallies: dict[str, _Tally] = {}
    # Each reviewer's deviations are added in the same order (application id, then
    # criterion) whatever the layout of this loop: float sums depend on that order.
    for app_id in sorted(scored):
        for result in scored[app_id].values():
            pairs = result.scores
            count = len(pairs)
            total = sum([s for _, s in pairs])
            for reviewer, score in pairs:
                tally = tallies.get(reviewer)
                if tally is None:
                    tally = tallies[reviewer] = _Tally()
                tally.n_scores += 1
                if tally.last_application != app_id:
                    tally.last_application = app_id
                    tally.n_applications += 1
                if count > 1:  # deviation from the mean of the co-reviewers' scores
                    tally.deviation_sum += score - (total - score) / (count - 1)
                    tally.n_compared += 1
    return tuple(
        ReviewerQuality(
            reviewer=reviewer,
            n_scores=tally.n_scores,
            n_applications=tally.n_applications,
            leniency=tally.deviation_sum / tally.n_compared if tally.n_compared else None,
            n_compared=tally.n_compared,
        )
        for reviewer, tally in sorted(tallies.items())
    )


def criterion_quality(criterion: str, scored: Sequence[Sequence[int]]) -> CriterionQuality:
    """Reliability of one criterion from its scores, one list per application."""
    n_scores = sum(len(g) for g in scored)
    icc = icc1([g for g in scored if len(g) > 1])
    mean_reviewers = n_scores / len(scored) if scored else None
    reliability = (spearman_brown(icc, mean_reviewers)
                   if icc is not None and mean_reviewers is not None else None)
    return CriterionQuality(
        criterion=criterion,
        n_applications=len(scored),
        n_scores=n_scores,
        mean_reviewers=mean_reviewers,
        icc=icc,
        reliability_of_mean=reliability,
        reviewers_for_target=reviewers_needed(icc, TARGET_RELIABILITY),
    )


def icc1(groups: Sequence[Sequence[int]]) -> float | None:
    """ICC(1): one-way random effects, single rater, groups of unequal size allowed.

    (MSB - MSW) / (MSB + (k0 - 1) MSW) with k0 = (N - sum(k_i^2) / N) / (a - 1), over
    ``a`` applications with ``k_i`` >= 2 scores each, N scores in all. None with fewer
    than two applications, or when every score is the same (nothing to tell apart).
    """
    a = len(groups)
    n = sum(len(g) for g in groups)
    if a < 2 or n <= a:
        return None
    grand = math.fsum(math.fsum(g) for g in groups) / n
    means = [math.fsum(g) / len(g) for g in groups]
    ssb = math.fsum(len(g) * (m - grand) ** 2 for g, m in zip(groups, means, strict=True))
    ssw = math.fsum((x - m) ** 2 for g, m in zip(groups, means, strict=True) for x in g)
    msb, msw = ssb / (a - 1), ssw / (n - a)
    k0 = (n - sum(len(g) ** 2 for g in groups) / n) / (a - 1)
    denominator = msb + (k0 - 1) * msw
    if denominator <= 0:
        return None
    return (msb - msw) / denominator




@dataclass(frozen=True)
class Pairs:
    scores: tuple[tuple[str, int], ...]


REVIEWERS = ("ann", "bo", "cy", "di", "ed")
cell = st.dictionaries(st.sampled_from(REVIEWERS), st.integers(-3, 9), max_size=5).map(
    lambda d: Pairs(tuple(sorted(d.items()))))
scored_st = st.dictionaries(st.from_regex(r"[A-Z][0-9]{0,2}", fullmatch=True),
                            st.fixed_dictionaries({"p": cell, "q": cell}), max_size=12)


@settings(max_examples=300, deadline=None)
@given(scored_st)
def test_quality_from_columns_is_the_loops_figure_bit_for_bit(scored: Any) -> None:
    got = quality.assess_quality(scored, ["p", "q"])
    assert got.reviewers == reviewer_quality(scored)
    for criterion, figure in zip(["p", "q"], got.criteria, strict=True):
        groups = [tuple(s for _, s in scored[a][criterion].scores) for a in sorted(scored)]
        assert figure == criterion_quality(criterion, [g for g in groups if g])
