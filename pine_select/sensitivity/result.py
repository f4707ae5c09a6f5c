"""What weight sensitivity produces: plain frozen data that explains itself.

Weights are exact fractions in the rubric's own units (a rubric weight of 30 stays 30).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from pine_select.selection.result import SelectionResult


@dataclass(frozen=True)
class Crossing:
    """What changes when a weight moves past one end of its interval."""

    enters: tuple[str, ...] = ()
    leaves: tuple[str, ...] = ()


@dataclass(frozen=True)
class WeightInterval:
    """The weights of one criterion, others unchanged, at which the portfolio stays optimal.

    ``low`` is 0 when the portfolio survives down to 0 (``at_low`` is then empty); ``high``
    is None when no finite bound exists. At an end the portfolio ties with the one that
    ``at_low``/``at_high`` describe; strictly beyond it, that one is strictly better.
    """

    criterion: str
    weight: Fraction
    low: Fraction
    high: Fraction | None
    at_low: Crossing = Crossing()
    at_high: Crossing = Crossing()


@dataclass(frozen=True)
class RankStability:
    """The smallest change of one weight that moves an application in or out.

    ``to`` is the weight at which it ties; strictly beyond it (above for ``up``, below for
    ``down``) the application's place changes. None everywhere: no single weight moves it
    within the breakpoints examined.
    """

    id: str
    rank: int | None
    selected: bool
    criterion: str | None = None
    direction: str | None = None  # "up" | "down"
    to: Fraction | None = None
    change: Fraction | None = None  # |to - current weight|, in the rubric's units


@dataclass(frozen=True)
class Frequency:
    id: str
    rank: int | None
    selected: bool  # in the portfolio at the rubric's weights
    count: int


@dataclass(frozen=True)
class Robustness:
    """Selection frequencies over weight vectors drawn around the rubric's."""

    samples: int
    concentration: Fraction
    seed: int
    frequencies: tuple[Frequency, ...]  # every application chosen at least once, or selected
    portfolios: int  # how many different portfolios were chosen
    same_as_chosen: int  # samples whose portfolio is the one chosen at the rubric's weights


@dataclass(frozen=True)
class WeightSensitivity:
    status: str  # "optimal" | "infeasible"
    portfolio: tuple[str, ...]  # the portfolio analysed, in rank order
    weights: dict[str, Fraction]
    intervals: tuple[WeightInterval, ...]  # in rubric order
    stability: tuple[RankStability, ...]  # selected first, then left out, each by rank
    robustness: Robustness | None = None
    breakpoint_limit: int = 0
    notes: tuple[str, ...] = ()
    solves: int = 0

    @property
    def optimal(self) -> bool:
        return self.status == "optimal"


@dataclass(frozen=True)
class WeightDiff:
    """``select`` with what-if weights against ``select`` with the rubric's."""

    before: SelectionResult
    after: SelectionResult
    enters: tuple[str, ...]
    leaves: tuple[str, ...]
    stays: tuple[str, ...]
    became_binding: tuple[str, ...]
    became_slack: tuple[str, ...]

    @property
    def total_change_cents(self) -> int:
        return self.after.total_cents - self.before.total_cents

    @property
    def cost_change(self) -> int:
        return self.after.cost - self.before.cost
