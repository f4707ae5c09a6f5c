"""Solves of one selection problem: the lexicographic best, re-solves under scenarios.

:class:`Optimiser` holds one solver model of a :class:`SelectionProblem` (a backend:
``pulp_backend`` for CBC, ``highs_backend`` for HiGHS) and re-uses it for every solve of a
run: a re-solve changes the objective, variable bounds (to fix an application in or out) or
right-hand sides (to switch a rule off), never the rows or columns, so explanations that
need dozens of solves do not rebuild anything (HiGHS may solve a copy of just the free
columns: see ``highs_backend``). Nothing here imports a solver.

Solver hygiene (STYLE 6): the solver is passed explicitly with its log off, a time limit,
and a zero MIP gap (absolute and relative: HiGHS's default 1e-4 gave worse portfolios than
the optimum on large models). Its status is mapped to :class:`SolveStatus` and checked
before any value is read; only ``OPTIMAL`` solutions carry values (and a tie-break stopped
at its work limit, flagged: ``Solution.tie_break_proven``), and every one is checked
against every active row in whole numbers. Solver output never reaches stdout.

Choice of the default backend, measured on this machine (2 cores, medians of 5):
see ``default_solver`` below.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from itertools import compress
from typing import Any

from pine_select.errors import SolverError
from pine_select.selection.backend import (
    Backend,
    BackendFailure,
    Cuts,
    Outcome,
    Setting,
    SolveStatus,
)
from pine_select.selection.problem import Row, SelectionProblem

__all__ = ["BASE", "DEFAULT_TIME_LIMIT", "SMALL_CALL", "TIE_BREAK_NODES", "Optimiser",
           "Scenario", "Solution", "SolveStatus", "SolverName", "default_solver"]


class SolverName(StrEnum):
    HIGHS = "highs"
    CBC = "cbc"


# The default backend, chosen by measurement (whole `select` commands with explanations,
# 2 cores, synthetic calls from benchmarks/generate.py):
# - the example call (39 candidates, ~35 small solves): 0.94-0.97 s with CBC against
#   1.36-1.44 s with HiGHS. A small MIP costs CBC ~5 ms (a process round trip, with
#   preprocessing, cuts and heuristics off); HiGHS spends longer setting up each search.
# - 100 applications: 1.31 s (CBC) against 1.26 s (HiGHS); 250: 4.1 s against 1.2 s;
#   500: 7.4 s against 2.0 s; 1,000 (60 explanation re-solves): 21-26 s against 4.4-7.0 s.
#   HiGHS is changed in place between solves, and each of its solves is narrowed first.
# Same totals and the same portfolios in every run. So: CBC for small calls, HiGHS above
# SMALL_CALL candidates; either can be asked for with --solver.
SMALL_CALL = 100


def default_solver(candidates: int) -> SolverName:
    return SolverName.CBC if candidates <= SMALL_CALL else SolverName.HIGHS


DEFAULT_TIME_LIMIT = 120.0


@dataclass(frozen=True)
class Scenario:
    """One variation of the problem for a re-solve (hashable: results are cached by it)."""

    fixed_in: frozenset[int] = frozenset()
    fixed_out: frozenset[int] = frozenset()
    without: frozenset[str] = frozenset()  # groups switched off
    cuts: Cuts = ()  # (portfolio, min swaps) no-good cuts
    # (group, bound, steps): the group's rows enforcing that bound moved that far.
    loosen: tuple[tuple[str, str, int], ...] = ()

    def steps_for(self, row: Row) -> int:
        """How far ``row`` is loosened in this scenario (0: not at all)."""
        return sum(steps for group, bound, steps in self.loosen
                   if group == row.group and bound == row.bound)

    def also(self, *, fixed_in: Sequence[int] = (), fixed_out: Sequence[int] = (),
             without: Sequence[str] = ()) -> Scenario:
        return Scenario(self.fixed_in | set(fixed_in), self.fixed_out | set(fixed_out),
                        self.without | set(without), self.cuts, self.loosen)


BASE = Scenario()


@dataclass(frozen=True)
class Solution:
    status: SolveStatus
    chosen: tuple[int, ...] = ()  # candidate columns at 1, ascending (only when optimal)
    total: int | None = None  # sum of total_cents of the chosen (exact, recomputed)
    # Every column's value, candidates then indicators (a start for a later solve).
    columns: tuple[int, ...] = field(default=(), repr=False, compare=False)
    # False when the tie-break stopped at its work limit: the total is still proven best.
    tie_break_proven: bool = True

    @property
    def optimal(self) -> bool:
        return self.status is SolveStatus.OPTIMAL


@dataclass
class _Counters:
    solves: int = 0
    seconds: float = 0.0
    build_seconds: float = 0.0
    cache: dict[tuple[str, Scenario], Solution] = field(default_factory=dict)


# Up to this many candidates solves are fast anyway: no reduced-cost fixing (see _solve).
SMALL_MODEL = 200
RELAXATIONS_KEPT = 4  # linear relaxations remembered (each holds two floats per column)
# A work limit on the tie-break's search on large models (HiGHS nodes; deterministic, unlike
# a time limit). With many portfolios tied at the best total, proving which has the highest
# priority sum is a subset-sum search: at 100,000 applications 12,700 nodes took 30 s
# without closing the gap, where a hard 10,000 one closed at 2,965 nodes in 1.6 s. Past
# the limit, best portfolios are listed (up to MAX_LISTED_TIES of them) to settle it
# exactly; failing that, the best found stands, and the output says so.
TIE_BREAK_NODES = 3_000
MAX_LISTED_TIES = 4


class Optimiser:
    """One solver model of a problem, solved again and again under :class:`Scenario` s."""

    def __init__(self, problem: SelectionProblem, solver: SolverName = SolverName.CBC,
                 time_limit: float = DEFAULT_TIME_LIMIT, narrow_above: int = SMALL_MODEL) -> None:
        started = time.perf_counter()
        self.narrow_above = narrow_above  # candidates; tests lower it to reach the large path
        self._relaxations: dict[tuple[Any, ...], Outcome | None] = {}
        self.problem = problem
        self.solver = solver
        self.time_limit = time_limit
        self.stats = _Counters()
        self._backend = _backend(problem, solver, time_limit)
        self._scores = [c.total_cents for c in problem.candidates]
        self._priorities = [c.priority for c in problem.candidates]
        self._n = len(problem.candidates)
        self.stats.build_seconds = time.perf_counter() - started

    # -- public solves --------------------------------------------------------------------

    def best(self, scenario: Scenario = BASE) -> Solution:
        """The optimal portfolio, ties broken by the seeded lottery (two integer solves).

        1. maximise ``T = sum(total_cents * x)``: the best total ``T*``;
        2. with ``sum(total_cents * x) >= T*`` added, maximise ``sum(priority * x)``, where
           ``priority = n - position`` of the candidate in the lottery order (unique, 1..n;
           ``lottery.priorities``).
        Among all portfolios with total ``T*`` the one with the highest priority sum wins.
        Two best portfolios that differ by one swap always have different priority sums (the
        swap follows the ranking's tie-break). Portfolios that differ by two or more swaps can
        have equal sums (positions 1+4 = 2+3): those are settled by the lottery too, never by
        the solver (:meth:`_settled_priority_ties`), so that every explanation built from these
        solves is the same whichever solver ran. The first solve alone decides ``T*``, which
        is what is proven.
        """
        return self._cached("best", scenario,
                            lambda: self._lexicographic(self.best_total(scenario), scenario))

    def best_total(self, scenario: Scenario = BASE) -> Solution:
        """The best total under ``scenario`` (one solve; which portfolio is not tie-broken)."""
        if ("best", scenario) in self.stats.cache:
            return self.stats.cache[("best", scenario)]
        return self._cached("total", scenario, lambda: self._solve(self._scores, scenario))

    def min_cost(self, scenario: Scenario) -> Solution:
        """A cheapest feasible portfolio (its ``total`` field is still the score sum).

        Costs are the problem's ``cost_weights``: extreme amounts are capped (exactly, as long
        as some portfolio of affordable applications is feasible).
        """
        costs = [-weight for weight in self.problem.cost_weights()]
        return self._cached("cost", scenario, lambda: self._solve(costs, scenario))

    def solve_objective(self, objective: Sequence[int], scenario: Scenario = BASE) -> Solution:
        """One solve maximising ``objective`` (a whole number per candidate), not cached.

        For weight sensitivity: only the objective changes, never the model. Which optimum
        is returned among ties is the solver's; the caller compares values exactly itself.
        The solution's ``total`` is still the sum of the candidates' ``total_cents``.
        """
        if len(objective) != self._n:
            raise ValueError(f"objective has {len(objective)} entries; expected {self._n}")
        return self._solve(objective, scenario)

    def best_with_scores(self, scores: Sequence[int], scenario: Scenario = BASE) -> Solution:
        """:meth:`best` as if the candidates' ``total_cents`` were ``scores``; not cached.

        What-if weights change every total but no row: the objective and the coefficients
        of the tie-break's floor row change for the duration of the solves, so one model
        serves any number of weight vectors.
        """
        if len(scores) != self._n:
            raise ValueError(f"scores has {len(scores)} entries; expected {self._n}")
        saved = self._scores
        self._scores = list(scores)
        self._relaxations.clear()  # their floor rows had the other scores
        try:
            return self._lexicographic(self._solve(self._scores, scenario), scenario)
        finally:
            self._scores = saved
            self._relaxations.clear()

    def feasible(self, scenario: Scenario) -> SolveStatus:
        return self._cached("feasible", scenario,
                            lambda: self._solve([0] * self._n, scenario)).status

    def what_to_try(self) -> str:
        """Advice for a failed solve: the other backend, and the usual cause."""
        other = SolverName.CBC if self.solver is SolverName.HIGHS else SolverName.HIGHS
        return f"try the solver {other}; check amounts and budget for extreme values"

    def name(self) -> str:
        """The solver's name alone: what reproducible outputs (packs) may print."""
        return self._backend.name()

    def version(self) -> str:
        """The solver's name and version, for the record (the pack's manifest)."""
        return self._backend.version()

    # -- internals ------------------------------------------------------------------------

    def _cached(self, kind: str, scenario: Scenario, solve: Any) -> Solution:
        key = (kind, scenario)
        if key not in self.stats.cache:
            self.stats.cache[key] = solve()
        return self.stats.cache[key]

    def _lexicographic(self, first: Solution, scenario: Scenario) -> Solution:
        """The tie-break solve after ``first`` (the best total under ``scenario``)."""
        if not first.optimal or first.total is None:
            return first
        narrowed = self._fixed_by_reduced_costs(self._scores, scenario, first)
        if len(narrowed.fixed_in | narrowed.fixed_out) == self._n:
            return first  # every candidate is decided: the first portfolio is the only best
        large = self._n > self.narrow_above
        second = self._solve(self._priorities, narrowed, floor=first.total, start=first,
                             max_nodes=TIE_BREAK_NODES if large else None)
        if not second.optimal:
            raise SolverError(f"the tie-break solve failed ({second.status}) after the best "
                              f"total {first.total} was proven; {self.what_to_try()}")
        if second.total != first.total:
            raise SolverError(f"the tie-break solve changed the total ({first.total} -> "
                              f"{second.total}), numerical trouble; {self.what_to_try()}")
        if not second.tie_break_proven:
            return self._best_of_few_ties(first, narrowed) or second
        return self._settled_priority_ties(second, narrowed, first.total)

    def _settled_priority_ties(self, found: Solution, scenario: Scenario, total: int
                               ) -> Solution:
        """``found``, or the portfolio the lottery prefers among those tying with it.

        ``found`` has the best total and the highest priority sum. Another portfolio with
        both (positions 1+4 = 2+3) is sought with a no-good cut per portfolio found; of all
        of them, the one holding the better lottery positions wins (:meth:`_tie_break_key`).
        Reduced-cost fixing first: when it decides every candidate, ``found`` is the only one
        and no solve is needed. A search stopped at its work limit leaves the tie-break
        unproven, as the priority solve's own would.
        """
        target = self._priority_sum(found)
        narrowed = self._fixed_by_reduced_costs(self._priorities, scenario, found, total)
        if len(narrowed.fixed_in | narrowed.fixed_out) == self._n:
            return found
        ties = [found]
        while len(ties) <= MAX_LISTED_TIES:
            other = self._another_tie(narrowed, ties, total)
            if not other.optimal or self._priority_sum(other) < target:
                settled = other.status is SolveStatus.INFEASIBLE or (
                    other.optimal and other.tie_break_proven)
                best = max(ties, key=self._tie_break_key)
                return best if settled else replace(best, tie_break_proven=False)
            ties.append(other)
        return replace(max(ties, key=self._tie_break_key), tie_break_proven=False)

    def _another_tie(self, scenario: Scenario, ties: Sequence[Solution], total: int) -> Solution:
        """The highest priority sum at ``total`` among portfolios other than ``ties``."""
        cuts = scenario.cuts + tuple((s.chosen, 1) for s in ties)
        large = self._n > self.narrow_above
        return self._solve_model(self._priorities, replace(scenario, cuts=cuts), total,
                                 max_nodes=TIE_BREAK_NODES if large else None)

    def _priority_sum(self, solution: Solution) -> int:
        return sum(self._priorities[i] for i in solution.chosen)

    def _best_of_few_ties(self, first: Solution, scenario: Scenario) -> Solution | None:
        """The tie-break by listing every best portfolio, when there are only a few.

        For when the priority solve stopped at its work limit: maximising the priority sum
        with the total held at its best is a subset-sum search that linear bounds can
        barely prune (at 100,000 applications it ran past two minutes). Asking instead for
        the best total of a portfolio other than those already found (a no-good cut each)
        is as hard as the first solve, and says when there is no other. Of up to
        MAX_LISTED_TIES best portfolios the highest priority sum wins, as in the priority
        solve (equal sums: the one holding the better lottery positions), proven. With more
        ties than that, None.
        """
        best = first.total
        found = [first]
        while best is not None and len(found) <= MAX_LISTED_TIES:
            cuts = scenario.cuts + tuple((s.chosen, 1) for s in found)
            other = self._solve_model(self._scores, replace(scenario, cuts=cuts))
            if other.status is SolveStatus.INFEASIBLE or (
                    other.optimal and other.total is not None and other.total < best):
                return max(found, key=self._tie_break_key)
            if not other.optimal or other.total != best:
                return None  # a failed solve, or numerical trouble: the priority solve
            found.append(other)
        return None

    def _tie_break_key(self, solution: Solution) -> tuple[int, tuple[int, ...]]:
        priorities = sorted((self._priorities[i] for i in solution.chosen), reverse=True)
        return sum(priorities), tuple(priorities)

    def _solve(self, objective: Sequence[int], scenario: Scenario, floor: int = 0,
               start: Solution | None = None, max_nodes: int | None = None) -> Solution:
        """The best portfolio for ``objective`` (whole numbers) under ``scenario``, proven.

        Large models are first narrowed, exactly, by reduced-cost fixing (below): the solver
        then searches a few hundred columns instead of thousands. At 10,000 applications
        this made the first solve 2.5x faster than HiGHS alone on the whole model.
        """
        if self._n > self.narrow_above and any(objective):
            start = start or self._dive(objective, scenario, floor)
            if start is not None:
                scenario = self._fixed_by_reduced_costs(objective, scenario, start, floor)
        return self._solve_model(objective, scenario, floor, start, max_nodes)

    def _fixed_by_reduced_costs(self, objective: Sequence[int], scenario: Scenario,
                                incumbent: Solution, floor: int = 0) -> Scenario:
        """``scenario`` with every candidate fixed that no portfolio as good as ``incumbent``
        can move.

        The linear relaxation, with optimum z and reduced costs d_j, bounds every portfolio:
        its objective is at most z - |d_j| if candidate j leaves its relaxed value (0 or 1).
        So when |d_j| > z - v + 0.5, where v is the incumbent's objective (whole numbers;
        0.5 absorbs floating-point error), j has the same value in every portfolio at least
        as good as the incumbent, and fixing it changes neither the optimum nor the set of
        optimal portfolios. Small models skip this: their solves are fast anyway.
        """
        if self._n <= self.narrow_above:
            return scenario
        relaxed = self._relaxation(objective, scenario, floor)
        if relaxed is None:
            return scenario
        values, costs = relaxed.values[: self._n], relaxed.reduced_costs[: self._n]
        bound = sum(o * float(v) for o, v in zip(objective, values, strict=True))
        margin = bound - sum(objective[i] for i in incumbent.chosen) + 0.5
        decided = [i for i in range(self._n) if abs(costs[i]) > margin]
        return _held_at(scenario, values, decided)

    def _dive(self, objective: Sequence[int], scenario: Scenario, floor: int) -> Solution | None:
        """A good portfolio, fast: the best one that keeps every whole value of the relaxation.

        Only a start for the exact solve (not proven best): None when there is none.
        """
        relaxed = self._relaxation(objective, scenario, floor)
        if relaxed is None:
            return None
        values = relaxed.values[: self._n]
        dive = _held_at(scenario, values, range(self._n))
        found = self._solve_model(objective, dive, floor)
        return found if found.optimal else None

    def _relaxation(self, objective: Sequence[int], scenario: Scenario,
                    floor: int) -> Outcome | None:
        """The linear relaxation's optimum (remembered: the dive and the fixing share it)."""
        key = (tuple(objective), scenario, floor)
        if key not in self._relaxations:
            outcome = self._run(self._setting(objective, scenario, floor=floor, mip=False))
            while len(self._relaxations) >= RELAXATIONS_KEPT:
                del self._relaxations[next(iter(self._relaxations))]  # the oldest
            self._relaxations[key] = outcome if outcome.status is SolveStatus.OPTIMAL else None
        return self._relaxations[key]

    def _solve_model(self, objective: Sequence[int], scenario: Scenario, floor: int = 0,
                     start: Solution | None = None, max_nodes: int | None = None) -> Solution:
        """One integer solve of the whole model under ``scenario``: proven optimal, or not.

        With ``max_nodes``, a search stopped at that work limit returns the best portfolio
        it found as optimal but not ``tie_break_proven`` (the tie-break alone uses this: its
        floor row keeps every portfolio it can find at the proven best total).
        """
        setting = self._setting(objective, scenario, floor=floor, start=start)
        outcome = self._run(replace(setting, max_nodes=max_nodes))
        stopped = outcome.status is SolveStatus.WORK_LIMIT and max_nodes is not None
        if outcome.status is not SolveStatus.OPTIMAL and not stopped:
            return Solution(outcome.status)
        values = [1 if value > 0.5 else 0 for value in outcome.values]
        ones = list(compress(range(len(values)), values))  # candidates, then indicators
        chosen = tuple(i for i in ones if i < self._n)
        total = sum(self._scores[i] for i in chosen)
        self._check_rows(ones, total, scenario, floor)
        return Solution(SolveStatus.OPTIMAL, chosen, total, tuple(values),
                        tie_break_proven=not stopped)

    def _setting(self, objective: Sequence[int], scenario: Scenario, *, floor: int = 0,
                 start: Solution | None = None, mip: bool = True) -> Setting:
        rhs = tuple(row.relaxed_rhs() if row.group in scenario.without
                    else row.loosened_rhs(scenario.steps_for(row)) if scenario.loosen
                    else row.rhs for row in self.problem.rows)
        return Setting(objective=objective, fixed_in=scenario.fixed_in,
                       fixed_out=scenario.fixed_out, rhs=rhs, floor=floor,
                       floor_coefficients=self._scores, cuts=scenario.cuts,
                       start=None if start is None else start.columns, mip=mip)

    def _run(self, setting: Setting) -> Outcome:
        if setting.fixed_in & setting.fixed_out:
            # An application held both in and out: no portfolio. Said here, for every
            # backend: CBC fails on such bounds, and HiGHS's models of the free columns
            # alone would take it as held in.
            return Outcome(SolveStatus.INFEASIBLE)
        started = time.perf_counter()
        try:
            outcome = self._backend.solve(setting)
        except BackendFailure as exc:
            raise SolverError(f"the {self.name()} solver failed ({exc}); "
                              f"{self.what_to_try()}") from exc
        self.stats.solves += 1
        self.stats.seconds += time.perf_counter() - started
        return outcome

    def _check_rows(self, ones: list[int], total: int, scenario: Scenario, floor: int) -> None:
        # A last guard against tolerance surprises: the rounded portfolio (the columns at 1,
        # of total ``total``) must satisfy every active row of the problem exactly (integers,
        # no tolerance).
        lhs = self.problem.row_sums(ones)
        broken = [row.label for row, value in zip(self.problem.rows, lhs, strict=True)
                  if row.group not in scenario.without
                  and not row.holds_at(value, scenario.steps_for(row))]
        if total < floor:
            broken.append(f"total floor >= {floor}")
        if broken:
            raise SolverError(f"the {self.name()} solver's answer breaks "
                              f"{'; '.join(broken[:3])} (numerical trouble); {self.what_to_try()}")


def _held_at(scenario: Scenario, values: Sequence[float], columns: Iterable[int]) -> Scenario:
    """``scenario`` with each of ``columns`` whose relaxed value is whole held at it."""
    chosen = list(columns)
    return scenario.also(fixed_in=[i for i in chosen if values[i] > 1 - WHOLE],
                         fixed_out=[i for i in chosen if values[i] < WHOLE])


WHOLE = 1e-6  # a relaxed value this close to 0 or 1 is that value


def _backend(problem: SelectionProblem, solver: SolverName, time_limit: float) -> Backend:
    """The backend for ``solver``, imported only when chosen (each loads a solver library)."""
    if solver is SolverName.HIGHS:
        from pine_select.selection.highs_backend import InProcessHighs

        return InProcessHighs(problem, time_limit)
    from pine_select.selection.pulp_backend import PulpCbc

    return PulpCbc(problem, time_limit)
