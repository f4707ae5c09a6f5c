"""What scoring produces: one explained score per application, and the whole table.

These are the interface between scoring, selection, reports and packs. Totals are exact
fractions (no floating drift: equal totals are really equal); ``total_cents`` is the total
rounded half-up to 2 decimals as a whole number of hundredths, which is what ranking ties
and the selection's objective use (SPEC 3: "equal totals at 2 decimals").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property
from typing import TYPE_CHECKING, NamedTuple

from pine_select.scoring.quality import (
    AssessmentQuality,
    CriterionQuality,
    ReviewerQuality,
    assess_quality,
)

if TYPE_CHECKING:
    from pine_select.scoring.calibration import Calibration

__all__ = ["ApplicationScore", "AssessmentQuality", "CriterionQuality", "CriterionScore",
           "ReviewerQuality", "ScoreReport"]


class CriterionScore(NamedTuple):
    """One criterion of one application: the aggregate of its reviewers' scores.

    A named tuple rather than a frozen dataclass (immutable either way): a call has one per
    application and criterion, and a tuple is far cheaper to make (benchmarks/RESULTS.md).
    """

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
    under_reviewed: bool = False  # fewer than min_reviews reviewers on some criterion
    # Calibrated runs only (SPEC 10): the total of the uncorrected scores; None otherwise.
    raw_total: Fraction | None = None
    raw_total_cents: int | None = None


@dataclass(frozen=True)
class ScoreReport:
    """The scores of every application of a call, ranked, with the weights used."""

    applications: tuple[ApplicationScore, ...]  # ranked first (by rank), then the rest by id
    weights: Mapping[str, Fraction]  # every criterion, rubric order (scoring.weights.Weights)
    seed: int
    tie_groups: tuple[tuple[str, ...], ...] = ()  # ids sharing a total, in lottery order
    criteria: tuple[str, ...] = ()  # the rubric's criterion ids, in order
    calibration: Calibration | None = None  # the leniency fit, when scores are calibrated

    @cached_property
    def quality(self) -> AssessmentQuality:
        """Reviewer leniency and reliability per criterion (scoring/quality.py).

        Worked out when first asked for: `select` never shows it, and at 10,000
        applications it costs a fifth of scoring.
        """
        return assess_quality({a.id: a.criteria for a in self.applications}, self.criteria)

    def by_id(self) -> dict[str, ApplicationScore]:
        return {a.id: a for a in self.applications}

    def selectable(self) -> tuple[ApplicationScore, ...]:
        return tuple(a for a in self.applications if a.selectable)
