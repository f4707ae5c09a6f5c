"""What the chance commands produce: selection chances under reviewer noise, and a lottery."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

from pine_select.chance.distribution import Distribution

ALWAYS = Fraction(95, 100)  # selected in at least this share of the draws: "always"
NEVER = Fraction(5, 100)  # selected in at most this share: "never"
Band = Literal["always", "contested", "never"]


def band_of(count: int, draws: int) -> Band:
    """The band of an application selected in ``count`` of ``draws`` draws (exact)."""
    if draws and Fraction(count, draws) >= ALWAYS:
        return "always"
    if not draws or Fraction(count, draws) <= NEVER:
        return "never"
    return "contested"


@dataclass(frozen=True)
class Chance:
    """One application: in the recommended portfolio or not, and how often re-selected."""

    id: str
    rank: int | None  # None when not selectable
    selected: bool
    count: int  # draws in which it was selected
    draws: int

    @property
    def p_selected(self) -> Fraction:
        return Fraction(self.count, self.draws) if self.draws else Fraction(0)

    @property
    def band(self) -> Band:
        return band_of(self.count, self.draws)


@dataclass(frozen=True)
class Robustness:
    """The bootstrap of reviewers: P(selected) of every application (SPEC 10)."""

    status: Literal["optimal", "infeasible"]
    draws: int
    seed: int
    applications: tuple[Chance, ...]  # candidates by rank, then the rest by id
    same_as_recommended: int  # draws that re-selected exactly the recommended portfolio

    def in_band(self, band: Band) -> tuple[Chance, ...]:
        return tuple(c for c in self.applications if c.band == band)


@dataclass(frozen=True)
class Lottery:
    """A leximin lottery that keeps every rule, and the portfolio it drew (SPEC 10)."""

    status: Literal["drawn", "infeasible"]
    zone_kind: Literal["contested", "all"]
    seed: int
    fixed_in: tuple[str, ...]  # held in: "always" (contested zone) and panel includes
    fixed_out: tuple[str, ...]  # held out: "never" (contested zone) and panel exclusions
    zone: tuple[str, ...]  # the applications the lottery chooses among, by id
    distribution: Distribution | None
    ticket: int | None
    drawn: tuple[str, ...]
    robustness: Robustness | None = None  # the bootstrap that made the zone (contested)
    stages: int = 0
    pricing_solves: int = 0

    def probability(self, application_id: str) -> int:
        """Billionths (exact marginal of the published distribution)."""
        return 0 if self.distribution is None else self.distribution.marginal(application_id)

    @property
    def min_probability(self) -> int | None:
        if not self.zone or self.distribution is None:
            return None
        return min(self.probability(i) for i in self.zone)
