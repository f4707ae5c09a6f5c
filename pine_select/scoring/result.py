"""What scoring produces: one explained score per application, and the whole table.

These are the interface between scoring, selection, reports and packs. Totals are exact
fractions (no floating drift: equal totals are really equal); ``total_cents`` is the total
rounded half-up to 2 decimals as a whole number of hundredths, which is what ranking ties
and the selection's objective use (SPEC 3: "equal totals at 2 decimals").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction


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


@dataclass(frozen=True)
class ScoreReport:
    """The scores of every application of a call, ranked, with the weights used."""

    applications: tuple[ApplicationScore, ...]  # ranked first (by rank), then the rest by id
    weights: dict[str, Fraction]
    seed: int
    tie_groups: tuple[tuple[str, ...], ...] = ()  # ids sharing a total, in lottery order
    quality: dict[str, object] = field(default_factory=dict)  # assessment quality (issue 3)

    def by_id(self) -> dict[str, ApplicationScore]:
        return {a.id: a for a in self.applications}

    def selectable(self) -> tuple[ApplicationScore, ...]:
        return tuple(a for a in self.applications if a.selectable)
