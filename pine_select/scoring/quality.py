"""Can the scores be trusted? Reviewer leniency and inter-rater reliability per criterion.

Research on peer review finds reviewers agree little (ICC about 0.26-0.34), so the panel
is shown, for each criterion, how reliable a single reviewer's score is (ICC(1)) and how
many reviewers per application the mean would need to reach a reliability of 0.7
(Spearman-Brown). These numbers inform; they change no score, so they are floats.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Protocol

from pine_select.scoring.rounding import half_up

TARGET_RELIABILITY = 0.7
PLACES = 4  # decimals of the statistics in JSON


class Scores(Protocol):
    """What quality reads of a criterion score (``result.CriterionScore``): its pairs."""

    @property
    def scores(self) -> tuple[tuple[str, int], ...]: ...  # (reviewer, score)


Scored = Mapping[str, Mapping[str, Scores]]  # application id -> criterion -> its scores


@dataclass(frozen=True)
class ReviewerQuality:
    """How much one reviewer did, and how lenient they were against their co-reviewers.

    ``leniency`` is the mean, over every score this reviewer gave where someone else also
    scored the same application on the same criterion, of (their score - the mean of the
    others' scores), in scale points: +0.5 means half a point kinder than colleagues.
    None when they never shared an application and criterion with anyone.
    """

    reviewer: str
    n_scores: int
    n_applications: int
    leniency: float | None
    n_compared: int  # how many of their scores had co-reviewers (the leniency's sample)


@dataclass(frozen=True)
class CriterionQuality:
    """How far reviewers agree on one criterion (inter-rater reliability).

    ``icc`` is ICC(1), one-way random effects, single rater, over the applications with at
    least two scores on the criterion (unbalanced groups use the usual k0 correction);
    None when it cannot be estimated. ``reviewers_for_target`` is the number of reviewers
    per application whose mean would reach ``target`` reliability by Spearman-Brown; None
    when the ICC is not above 0 (no number of reviewers would do).
    """

    criterion: str
    n_applications: int
    n_scores: int
    mean_reviewers: float | None
    icc: float | None
    reliability_of_mean: float | None  # Spearman-Brown at the mean number of reviewers
    reviewers_for_target: int | None


@dataclass(frozen=True)
class AssessmentQuality:
    method: str = "ICC(1), one-way random effects; Spearman-Brown"
    target: float = 0.7
    reviewers: tuple[ReviewerQuality, ...] = ()  # sorted by reviewer
    criteria: tuple[CriterionQuality, ...] = ()  # in rubric order

    def as_dict(self) -> dict[str, object]:
        """Plain JSON-able data (floats rounded to 4 decimals)."""
        return {
            "method": self.method,
            "target": self.target,
            "reviewers": [_rounded(asdict(r)) for r in self.reviewers],
            "criteria": [_rounded(asdict(c)) for c in self.criteria],
        }


def _rounded(data: dict[str, object]) -> dict[str, object]:
    return {k: half_up(v, PLACES) if isinstance(v, float) else v for k, v in data.items()}




def assess_quality(scored: Scored, criteria: Sequence[str]) -> AssessmentQuality:
    """Per reviewer leniency and per criterion reliability, from the counted scores.

    ``scored`` maps each application id to its criterion scores (which carry every
    reviewer's score), so the reviews are not grouped a second time.
    """
    per_criterion: dict[str, list[tuple[int, ...]]] = {c: [] for c in criteria}
    for app_id in sorted(scored):
        results = scored[app_id]
        for criterion in criteria:
            scores = results[criterion].scores
            if scores:
                per_criterion[criterion].append(tuple([s for _, s in scores]))
    return AssessmentQuality(
        target=TARGET_RELIABILITY,
        reviewers=reviewer_quality(scored),
        criteria=tuple(criterion_quality(c, per_criterion[c]) for c in criteria),
    )


@dataclass(slots=True)
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
