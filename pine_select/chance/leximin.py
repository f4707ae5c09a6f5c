"""LEXIMIN over rule-keeping portfolios by column generation (Flanigan et al., Nature 2021).

The *zone* is the candidates the lottery is free to choose among (every candidate not held
in or out). Over all portfolios that keep every rule of the selection problem under those
holds, the leximin lottery maximises the smallest selection probability in the zone, then,
with that fixed, the next smallest, and so on. There are far too many portfolios to list, so
each stage is solved by column generation:

1. the *master* LP (``master_lp.dual_stage``) over the portfolios found so far gives a
   weight y_i per zone member and a cap c;
2. the *pricing* problem is the selection ILP itself, the same rows and holds, with
   objective ``sum y_i x_i`` (the optimiser re-solves one model with a new objective): a
   portfolio with ``sum y_i > c`` is a new column, and the stage is solved again;
3. when no portfolio prices above c, the stage's optimum is proven over *all* portfolios;
   members with a clearly positive y_i are held at it in every optimal lottery: fixed.

The optimiser takes whole-number objectives, so the weights are priced in billionths; the
test ``sum y_i > c + PRICE_TOLERANCE`` is made on the LP's own floats. At the end
``master_lp.mixture`` finds portfolio probabilities that give each member its fixed value.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pine_select.chance.master_lp import StageAnswer, dual_stage, mixture
from pine_select.errors import SolverError
from pine_select.selection.optimiser import Optimiser, Scenario, Solution, SolveStatus

PRICE_TOLERANCE = 1e-7  # a portfolio must beat the cap by this much to be a new column
FIX_THRESHOLD = 1e-6  # a weight above this is positive: the member is held at the optimum
WEIGHT_UNITS = 10**9  # pricing objectives in billionths of a weight
RELAX_STEP = 1e-7  # fixed probabilities are lowered by this when drift makes a stage infeasible
MAX_RELAXATIONS = 20
MAX_PRICING = 100_000  # pricing solves in one run: a guard, never reached in tests


@dataclass(frozen=True)
class Leximin:
    """The leximin lottery over the zone: portfolios (candidate columns) and probabilities."""

    zone: tuple[int, ...]  # candidate columns, ascending
    probabilities: tuple[float, ...]  # the leximin value of each zone member (LP floats)
    portfolios: tuple[tuple[int, ...], ...]  # candidate columns at 1, held-in ones included
    weights: tuple[float, ...]  # each portfolio's probability (summing to 1)
    impossible: tuple[int, ...]  # zone members in no rule-keeping portfolio (probability 0)
    stages: int
    pricing_solves: int


def leximin(optimiser: Optimiser, scenario: Scenario) -> Leximin | None:
    """The leximin lottery of the candidates ``scenario`` leaves free; None if infeasible."""
    zone = tuple(i for i in range(len(optimiser.problem.candidates))
                 if i not in scenario.fixed_in and i not in scenario.fixed_out)
    search = _Search(optimiser, scenario, zone)
    if not search.cover():
        return None
    fixed = search.fix_every_stage()
    portfolios = search.portfolios
    targets = [fixed[k] for k in range(len(zone))]
    weights = mixture([search.positions(p) for p in portfolios], targets) if zone else [1.0]
    return Leximin(zone=zone, probabilities=tuple(targets), portfolios=tuple(portfolios),
                   weights=tuple(weights), impossible=tuple(zone[k] for k in search.impossible),
                   stages=search.stages, pricing_solves=search.solves)


class _Search:
    """The portfolios found so far and the probabilities fixed so far, stage by stage."""

    def __init__(self, optimiser: Optimiser, scenario: Scenario, zone: tuple[int, ...]) -> None:
        self.optimiser, self.scenario, self.zone = optimiser, scenario, zone
        self.position = {column: k for k, column in enumerate(zone)}
        self.portfolios: list[tuple[int, ...]] = []
        self.impossible: list[int] = []
        self.stages = self.solves = 0

    def positions(self, portfolio: tuple[int, ...]) -> frozenset[int]:
        return frozenset(self.position[i] for i in portfolio if i in self.position)

    def cover(self) -> bool:
        """First columns: portfolios holding as many uncovered zone members as possible,
        until each is in one or provably in none. False when no portfolio keeps the rules."""
        uncovered = set(range(len(self.zone)))
        while True:
            found = self._solve([1 if k in uncovered else 0 for k in range(len(self.zone))])
            if found is None:
                return False
            newly = uncovered & self.positions(found.chosen)
            self._add(found.chosen)
            if not newly:
                self.impossible = sorted(uncovered)  # none of them fits any portfolio
                return True
            uncovered -= newly

    def fix_every_stage(self) -> dict[int, float]:
        fixed = dict.fromkeys(self.impossible, 0.0)
        while len(fixed) < len(self.zone):
            self.stages += 1
            answer = self._stage_optimum(fixed)
            free = [k for k in range(len(self.zone)) if k not in fixed]
            held = [k for k in free if answer.weights[k] > FIX_THRESHOLD]
            if not held:  # floating-point noise spread the weight thin: the heaviest one
                held = [max(free, key=lambda k: (answer.weights[k], -k))]
            value = min(1.0, max(0.0, answer.value))
            fixed.update(dict.fromkeys(held, value))
        return fixed

    def _stage_optimum(self, fixed: dict[int, float]) -> StageAnswer:
        """The stage's dual optimum over *every* portfolio: columns added until none prices."""
        relaxations = 0
        while True:
            answer = dual_stage([self.positions(p) for p in self.portfolios], len(self.zone),
                                fixed)
            if answer is None:
                relaxations += 1
                if relaxations > MAX_RELAXATIONS:
                    raise SolverError("the leximin stages drifted apart numerically; the "
                                      "fixed probabilities cannot be met")
                for k in fixed:
                    fixed[k] = max(0.0, fixed[k] - RELAX_STEP)
                continue
            found = self._solve([round(answer.weights[k] * WEIGHT_UNITS)
                                 for k in range(len(self.zone))])
            if found is None:
                raise SolverError("a pricing solve of the lottery found no portfolio, "
                                  "though one was found before")
            priced = sum(answer.weights[k] for k in self.positions(found.chosen))
            if priced <= answer.cap + PRICE_TOLERANCE or found.chosen in self.portfolios:
                return answer
            self._add(found.chosen)

    def _solve(self, zone_objective: Sequence[int]) -> Solution | None:
        objective = [0] * len(self.optimiser.problem.candidates)
        for k, column in enumerate(self.zone):
            objective[column] = zone_objective[k]
        self.solves += 1
        if self.solves > MAX_PRICING:
            raise SolverError(f"the lottery's column generation passed {MAX_PRICING} solves")
        found = self.optimiser.solve_objective(objective, self.scenario)
        if found.status is SolveStatus.INFEASIBLE:
            return None
        if not found.optimal:
            raise SolverError(f"a solve of the lottery ended {found.status}; "
                              f"{self.optimiser.what_to_try()}")
        return found

    def _add(self, portfolio: tuple[int, ...]) -> None:
        if portfolio not in self.portfolios:
            self.portfolios.append(portfolio)
