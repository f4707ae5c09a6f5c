"""Can the scores be trusted? Reviewer leniency and inter-rater reliability per criterion.

Research on peer review finds reviewers agree little (ICC about 0.26-0.34), so the panel
is shown, for each criterion, how reliable a single reviewer's score is (ICC(1)) and how
many reviewers per application the mean would need to reach a reliability of 0.7
(Spearman-Brown). These numbers inform; they change no score, so they are floats.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence

from pine_select.scoring.result import (
    AssessmentQuality,
    CriterionQuality,
    CriterionScore,
    ReviewerQuality,
)

TARGET_RELIABILITY = 0.7

Scored = Mapping[str, Mapping[str, CriterionScore]]  # application id -> criterion -> score


def assess_quality(scored: Scored, criteria: Sequence[str]) -> AssessmentQuality:
    """Per reviewer leniency and per criterion reliability, from the counted scores.

    ``scored`` maps each application id to its criterion scores (which carry every
    reviewer's score), so the reviews are not grouped a second time.
    """
    per_criterion: dict[str, list[tuple[int, ...]]] = {c: [] for c in criteria}
    for app_id in sorted(scored):
        for criterion in criteria:
            scores = scored[app_id][criterion].scores
            if scores:
                per_criterion[criterion].append(tuple(s for _, s in scores))
    return AssessmentQuality(
        target=TARGET_RELIABILITY,
        reviewers=reviewer_quality(scored),
        criteria=tuple(criterion_quality(c, per_criterion[c]) for c in criteria),
    )


def reviewer_quality(scored: Scored) -> tuple[ReviewerQuality, ...]:
    """Scores, applications and leniency of each reviewer, sorted by reviewer."""
    n_scores: dict[str, int] = defaultdict(int)
    n_applications: dict[str, int] = defaultdict(int)
    deviation_sums: dict[str, float] = defaultdict(float)
    n_compared: dict[str, int] = defaultdict(int)
    for app_id in sorted(scored):
        reviewers_here = set()
        for result in scored[app_id].values():
            count = len(result.scores)
            total = sum(s for _, s in result.scores)
            for reviewer, score in result.scores:
                n_scores[reviewer] += 1
                reviewers_here.add(reviewer)
                if count > 1:  # deviation from the mean of the co-reviewers' scores
                    deviation_sums[reviewer] += score - (total - score) / (count - 1)
                    n_compared[reviewer] += 1
        for reviewer in reviewers_here:
            n_applications[reviewer] += 1
    return tuple(
        ReviewerQuality(
            reviewer=reviewer,
            n_scores=n_scores[reviewer],
            n_applications=n_applications[reviewer],
            leniency=deviation_sums[reviewer] / n_compared[reviewer]
            if n_compared[reviewer] else None,
            n_compared=n_compared[reviewer],
        )
        for reviewer in sorted(n_scores)
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


def spearman_brown(icc: float, reviewers: float) -> float | None:
    """The reliability of the mean of ``reviewers`` scores whose single reliability is ``icc``.

    None when undefined: a strongly negative ICC (reviewers systematically opposed) can
    make the denominator zero or negative.
    """
    denominator = 1 + (reviewers - 1) * icc
    return reviewers * icc / denominator if denominator > 0 else None


def reviewers_needed(icc: float | None, target: float) -> int | None:
    """The fewest reviewers per application whose mean reaches ``target`` (Spearman-Brown)."""
    if icc is None or icc <= 0:
        return None
    if icc >= target:
        return 1
    needed = target * (1 - icc) / (icc * (1 - target))
    return max(1, math.ceil(needed - 1e-9))  # 2.0000000001 from float error is still 2
