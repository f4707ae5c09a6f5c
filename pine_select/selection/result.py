"""What a selection produces: the portfolio and its own explanation (STYLE 5).

All scores here are in *cents*: whole hundredths of a point (``total_cents`` of scoring),
so that sums and differences are exact; reports divide by 100 when they print.

Definitions an auditor can check:

* A rule is **binding** when the chosen portfolio sits exactly at one of its bounds for some
  category (a count equal to ``at_least``/``at_most``, a share equal to its bound, a number
  of distinct categories equal to ``distinct_at_least``) **or** dropping that rule alone
  would raise the best total (``gain_if_dropped > 0``). Size and budget are binding when
  at a bound (an exact size always is). A rule that binds only in the first sense costs
  nothing by itself, but any tighter and it would.
* The **price of balance** is the best total with the same size, budget and overrides but
  no balance rules, minus the chosen total.
* An application is **strong** when it is selectable and ranked above the lowest-ranked
  selected application; each strong application left out is explained.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction


@dataclass(frozen=True)
class CategoryCount:
    category: str
    count: int
    low: int | None  # the bound on this category's count, when the rule gives one
    high: int | None


@dataclass(frozen=True)
class RuleOutcome:
    """One rule (size, budget and overrides included) against the chosen portfolio."""

    name: str
    kind: str  # "size" | "budget" | "balance" | "include" | "exclude"
    satisfied: bool
    binding: bool
    bound: str  # the bounds in words, e.g. "at_most=2"
    counts: tuple[CategoryCount, ...] = ()
    distinct: int | None = None
    actual: int | None = None  # size or cost, for the size and budget rules
    at_bound: tuple[str, ...] = ()  # categories (or "distinct", "size", "cost") at a bound
    gain_if_dropped: int | None = None  # cents; None when not measured


@dataclass(frozen=True)
class LeftOut:
    """Why a strong application is not in the portfolio."""

    id: str
    rank: int | None
    total_cents: int
    blocked_by: tuple[str, ...]  # the rules broken by the least-bad swap into the portfolio
    swap_with: str | None  # the selected application that swap would replace
    loss_if_forced: int | None  # cents the best total drops with it forced in; None: impossible
    forced_portfolio: tuple[str, ...] = ()


@dataclass(frozen=True)
class OneForOne:
    """The best single replacement when every other recommended application stays."""

    id: str
    loss: int  # cents: the withdrawn application's total less the replacement's


@dataclass(frozen=True)
class Withdrawal:
    """If a selected application withdrew: the best portfolio without it."""

    id: str
    replaced_by: tuple[str, ...]  # who comes in (empty: nobody can)
    also_out: tuple[str, ...]  # who else leaves to keep the rules (rare)
    loss: int | None  # cents; None when no portfolio is possible without it
    # What a panel does when the others were already told: None when no single
    # application can take its place with every rule kept.
    one_for_one: OneForOne | None = None


@dataclass(frozen=True)
class Alternative:
    selected: tuple[str, ...]
    total_cents: int
    cost: int
    gap_cents: int  # best total minus this one


@dataclass(frozen=True)
class Relaxation:
    """The smallest move of one rule's bound, alone, that makes the problem feasible."""

    rule: str
    change: str  # plain words
    steps: int | None  # size of the move (None: relaxing this rule alone is not enough)


@dataclass(frozen=True)
class Unselectable:
    """Why no application can be chosen: how many have each reason (one may have several)."""

    applications: int
    ineligible: int
    too_few_reviews: int
    excluded: int


@dataclass(frozen=True)
class SelectionResult:
    status: str  # "optimal" | "infeasible"
    selected: tuple[str, ...]  # in rank order
    total_cents: int
    cost: int
    rules: tuple[RuleOutcome, ...]
    reserves: tuple[str, ...]
    seed: int
    solver: str  # "CBC" or "HiGHS": a pack on another machine must print the same
    size_range: tuple[int, int | None]
    budget: int | None
    unconstrained_cents: int | None = None  # best total without balance rules
    unconstrained: tuple[str, ...] = ()  # that portfolio (tie-broken), in rank order
    left_out: tuple[LeftOut, ...] = ()
    withdrawals: tuple[Withdrawal, ...] = ()
    alternatives: tuple[Alternative, ...] = ()
    conflicting_rules: tuple[str, ...] = ()
    relaxations: tuple[Relaxation, ...] = ()
    notes: tuple[str, ...] = ()  # e.g. explanations capped at a limit
    weights: dict[str, Fraction] = field(default_factory=dict)
    solves: int = 0
    solver_version: str = ""  # e.g. "CBC (bundled with PuLP 3.3.2)": the manifest records it
    unselectable: Unselectable | None = None  # set when no application is selectable

    @property
    def optimal(self) -> bool:
        return self.status == "optimal"

    @property
    def total_score(self) -> Fraction:
        return Fraction(self.total_cents, 100)

    @property
    def price_of_balance_cents(self) -> int | None:
        if self.unconstrained_cents is None:
            return None
        return self.unconstrained_cents - self.total_cents
