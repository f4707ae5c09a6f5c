"""What scoring produces: one explained score per application, and the whole table.

These are the interface between scoring, selection, reports and packs. Totals are exact
fractions (no floating drift: equal totals are really equal); ``total_cents`` is the total
rounded half-up to 2 decimals as a whole number of hundredths, which is what ranking ties
and the selection's objective use (SPEC 3: "equal totals at 2 decimals").
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from fractions import Fraction
from functools import cached_property


@dataclass(frozen=True)
class CriterionScore:
    """One criterion of one application: the aggregate of its reviewers' scores."""

    criterion: str
    score: Fraction | None  # None when nobody scored it
    n_reviews: int
    spread: int | None = None  # max - min across reviewers
    scores: tuple[tuple[str, int], ...] = ()  # (reviewer, score), sorted by reviewer


@dataclass(frozen=True)
class ApplicationScore:
    id: str
    eligible: bool
    selectable: bool
    reasons: tuple[str, ...]  # why not eligible / not selectable, in plain words
    total: Fraction | None
    total_cents: int | None
    rank: int | None  # 1 = best; None for the unselectable
    criteria: dict[str, CriterionScore]
    flags: tuple[str, ...] = ()
    lottery: int = 0  # the seeded draw that breaks ties (lower wins)
    failed_gates: tuple[str, ...] = ()
    excluded: bool = False  # excluded by a panel override (its reason is in ``reasons``)
    extreme_reviewers: tuple[str, ...] = ()  # who raised ``single_reviewer_extreme``


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
    return {k: round(v, 4) if isinstance(v, float) else v for k, v in data.items()}


@dataclass(frozen=True)
class ScoreReport:
    """The scores of every application of a call, ranked, with the weights used."""

    applications: tuple[ApplicationScore, ...]  # ranked first (by rank), then the rest by id
    weights: dict[str, Fraction]
    seed: int
    tie_groups: tuple[tuple[str, ...], ...] = ()  # ids sharing a total, in lottery order
    criteria: tuple[str, ...] = ()  # the rubric's criterion ids, in order

    @cached_property
    def quality(self) -> AssessmentQuality:
        """Reviewer leniency and reliability per criterion (scoring/quality.py).

        Worked out when first asked for: `select` never shows it, and at 10,000
        applications it costs a fifth of scoring.
        """
        from pine_select.scoring.quality import assess_quality  # it imports this module

        return assess_quality({a.id: a.criteria for a in self.applications}, self.criteria)

    def by_id(self) -> dict[str, ApplicationScore]:
        return {a.id: a for a in self.applications}

    def selectable(self) -> tuple[ApplicationScore, ...]:
        return tuple(a for a in self.applications if a.selectable)
