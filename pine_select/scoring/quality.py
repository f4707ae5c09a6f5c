"""Can the scores be trusted? Reviewer leniency and inter-rater reliability per criterion.

Research on peer review finds reviewers agree little (ICC about 0.26-0.34), so the panel
is shown, for each criterion, how reliable a single reviewer's score is (ICC(1)) and how
many reviewers per application the mean would need to reach a reliability of 0.7
(Spearman-Brown). These numbers inform; they change no score, so they are floats.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Protocol

import numpy as np
import numpy.typing as npt

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
            "reviewers": [_rounded(_fields(r)) for r in self.reviewers],
            "criteria": [_rounded(_fields(c)) for c in self.criteria],
        }


def _fields(record: ReviewerQuality | CriterionQuality) -> dict[str, object]:
    # Flat records: their fields as they are (asdict would deep-copy each value).
    return {f.name: getattr(record, f.name) for f in fields(record)}


def _rounded(data: dict[str, object]) -> dict[str, object]:
    return {k: half_up(v, PLACES) if isinstance(v, float) else v for k, v in data.items()}




def assess_quality(scored: Scored, criteria: Sequence[str]) -> AssessmentQuality:
    """Per reviewer leniency and per criterion reliability, from the counted scores.

    ``scored`` maps each application id to its criterion scores (which carry every
    reviewer's score), so the reviews are not grouped a second time.
    """
    flat = _Flat.of(scored)
    return AssessmentQuality(
        target=TARGET_RELIABILITY,
        reviewers=_reviewer_quality(flat),
        criteria=tuple(_criterion_quality(c, flat) for c in criteria),
    )


@dataclass(frozen=True)
class _Flat:
    """Every score of ``scored`` as columns, in the order of applications by id, then of
    each application's criteria, then of the pairs (the order float sums are made in)."""

    reviewers: tuple[str, ...]  # sorted
    reviewer: npt.NDArray[np.int64]  # per score: its reviewer's index
    score: npt.NDArray[np.float64]  # whole numbers, as floats (exact below 2**53)
    application: npt.NDArray[np.int64]  # per score: the index of its application
    cell: npt.NDArray[np.int64]  # per score: its (application, criterion)
    criterion_of_cell: tuple[str, ...]
    cell_size: npt.NDArray[np.int64]  # per cell: how many scores

    @classmethod
    def of(cls, scored: Scored) -> _Flat:
        names: list[str] = []
        values: list[int] = []
        sizes: list[int] = []
        cell_criteria: list[str] = []
        cell_application: list[int] = []
        for i, app_id in enumerate(sorted(scored)):
            for criterion, result in scored[app_id].items():
                pairs = result.scores
                if pairs:
                    names += [r for r, _ in pairs]
                    values += [v for _, v in pairs]
                    sizes.append(len(pairs))
                    cell_criteria.append(criterion)
                    cell_application.append(i)
        reviewers = tuple(sorted(set(names)))
        index = {r: i for i, r in enumerate(reviewers)}
        size = np.array(sizes, dtype=np.int64)
        cell = np.repeat(np.arange(size.size, dtype=np.int64), size)
        return cls(reviewers, np.array([index[r] for r in names], dtype=np.int64),
                   np.array(values, dtype=np.float64),
                   np.array(cell_application, dtype=np.int64)[cell], cell,
                   tuple(cell_criteria), size)


def reviewer_quality(scored: Scored) -> tuple[ReviewerQuality, ...]:
    """Scores, applications and leniency of each reviewer, sorted by reviewer."""
    return _reviewer_quality(_Flat.of(scored))


def _reviewer_quality(flat: _Flat) -> tuple[ReviewerQuality, ...]:
    n = len(flat.reviewers)
    count = flat.cell_size[flat.cell]
    total = np.bincount(flat.cell, flat.score, minlength=flat.cell_size.size)[flat.cell]
    compared = count > 1
    # Deviation from the mean of the co-reviewers' scores. np.bincount adds each bin's
    # values one after another in row order: each reviewer's sum is made in the order of
    # applications by id, then criteria, as a loop over them would make it.
    deviation = (flat.score - (total - flat.score) / np.maximum(count - 1, 1))[compared]
    sums = np.bincount(flat.reviewer[compared], deviation, minlength=n).tolist()
    n_compared = np.bincount(flat.reviewer[compared], minlength=n).tolist()
    n_scores = np.bincount(flat.reviewer, minlength=n).tolist()
    width = int(flat.application.max(initial=0)) + 1
    seen = np.unique(flat.reviewer * width + flat.application)
    n_applications = np.bincount(seen // width, minlength=n).tolist()
    return tuple(
        ReviewerQuality(reviewer=reviewer, n_scores=n_scores[i],
                        n_applications=n_applications[i],
                        leniency=sums[i] / n_compared[i] if n_compared[i] else None,
                        n_compared=n_compared[i])
        for i, reviewer in enumerate(flat.reviewers)
    )


def _criterion_quality(criterion: str, flat: _Flat) -> CriterionQuality:
    mine = np.array([c == criterion for c in flat.criterion_of_cell], np.bool_)[flat.cell]
    return criterion_quality_of(criterion, flat.score[mine], flat.cell[mine])


def criterion_quality(criterion: str, scored: Sequence[Sequence[int]]) -> CriterionQuality:
    """Reliability of one criterion from its scores, one list per application."""
    values, group = _grouped(scored)
    return criterion_quality_of(criterion, values, group)


def criterion_quality_of(criterion: str, values: npt.NDArray[np.float64],
                         group: npt.NDArray[np.int64]) -> CriterionQuality:
    """:func:`criterion_quality` of scores given as columns (``group``: one per
    application, any whole numbers)."""
    _, group = np.unique(group, return_inverse=True)
    n_groups = int(group.max(initial=-1)) + 1
    n_scores = int(values.size)
    size = np.bincount(group, minlength=n_groups)
    shared = (size > 1)[group]
    icc = _icc1(values[shared], group[shared])
    mean_reviewers = n_scores / n_groups if n_groups else None
    reliability = (spearman_brown(icc, mean_reviewers)
                   if icc is not None and mean_reviewers is not None else None)
    return CriterionQuality(
        criterion=criterion,
        n_applications=n_groups,
        n_scores=n_scores,
        mean_reviewers=mean_reviewers,
        icc=icc,
        reliability_of_mean=reliability,
        reviewers_for_target=reviewers_needed(icc, TARGET_RELIABILITY),
    )


def _grouped(groups: Sequence[Sequence[int]]) -> tuple[npt.NDArray[np.float64],
                                                       npt.NDArray[np.int64]]:
    sizes = [len(g) for g in groups]
    values = np.array([x for g in groups for x in g], dtype=np.float64)
    return values, np.repeat(np.arange(len(groups), dtype=np.int64), sizes)


def icc1(groups: Sequence[Sequence[int]]) -> float | None:
    """ICC(1): one-way random effects, single rater, groups of unequal size allowed.

    (MSB - MSW) / (MSB + (k0 - 1) MSW) with k0 = (N - sum(k_i^2) / N) / (a - 1), over
    ``a`` applications with ``k_i`` >= 2 scores each, N scores in all. None with fewer
    than two applications, or when every score is the same (nothing to tell apart).
    """
    return _icc1(*_grouped(groups))


def _icc1(values: npt.NDArray[np.float64], group: npt.NDArray[np.int64]) -> float | None:
    """:func:`icc1` of scores as columns (``group``: 0.. per score, every group used).

    Every sum is ``math.fsum`` (exactly rounded, so in any order) of terms worked out
    one by one as IEEE doubles: the same figure as the formula written as loops.
    """
    _, group = np.unique(group, return_inverse=True)
    a = int(group.max(initial=-1)) + 1
    n = int(values.size)
    if a < 2 or n <= a:
        return None
    size = np.bincount(group, minlength=a)
    grand = math.fsum(values.tolist()) / n
    means = np.bincount(group, values, minlength=a) / size  # sums of whole numbers: exact
    ssb = math.fsum((size * (means - grand) ** 2).tolist())
    ssw = math.fsum(((values - means[group]) ** 2).tolist())
    msb, msw = ssb / (a - 1), ssw / (n - a)
    k0 = (n - sum(k * k for k in size.tolist()) / n) / (a - 1)
    denominator = msb + (k0 - 1) * msw
    if denominator <= 0:
        return None
    return float((msb - msw) / denominator)


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
