"""The one module that talks to a solver (PuLP, with HiGHS in-process or CBC).

:class:`Optimiser` builds one PuLP model from a :class:`SelectionProblem` and re-uses it
for every solve of a run: a re-solve changes the objective, variable bounds (to fix an
application in or out) or right-hand sides (to switch a rule off), never the rows or
columns, so explanations that need dozens of solves do not rebuild anything.

Solver hygiene (STYLE 6): the solver is passed explicitly with its log off, a time limit,
and a zero MIP gap (absolute and relative: HiGHS's default 1e-4 gave worse portfolios than
the optimum on large models). Its status is mapped to :class:`SolveStatus` and checked
before any value is read; only ``OPTIMAL`` solutions carry values. HiGHS prints a banner on
stdout the first time it is created, from C, past Python's ``sys.stdout``: every solve runs
with file descriptor 1 pointed at /dev/null so that ``--format json`` stays parseable.

Columns are named ``x00000, x00001, ...`` (candidates) then ``y00000, ...`` (indicators):
PuLP orders columns by name, and zero padding keeps that order the problem's own (HiGHS is
sensitive to column order; PERF-NOTES).

Choice of the default backend, measured on this machine (2 cores, medians of 5):
see ``default_solver`` below.
"""

from __future__ import annotations

import os
import sys
import time
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import pulp

from pine_select.errors import SolverError
from pine_select.selection.problem import Row, SelectionProblem, Sense


class SolverName(StrEnum):
    HIGHS = "highs"
    CBC = "cbc"


# The default backend, chosen by measurement (benchmarks/bench_select.py, 2 cores, medians):
# - the example call (39 candidates, ~35 small solves for a fully explained `select`): the
#   whole command takes 0.69-0.76 s with CBC against 0.95-1.00 s with HiGHS. A small MIP
#   costs CBC ~5 ms (process round trip, with preprocessing, cuts and heuristics off) and
#   HiGHS ~15 ms (PuLP copies the model into a new solver object every solve).
# - 10,000 applications choosing 400 (binding budget, every rule kind): the first solve took
#   1.95 s with HiGHS via PuLP (0.99x highspy direct, 1.97 s) against 2.73 s with CBC
#   (1.39x); the lexicographic best (with the tie-break) 3.5 s against 4.3 s.
# Both gave the same total and the same portfolio in every run. So: CBC for small calls,
# HiGHS above SMALL_CALL candidates; either can be asked for with --solver.
SMALL_CALL = 1000


def default_solver(candidates: int) -> SolverName:
    return SolverName.CBC if candidates <= SMALL_CALL else SolverName.HIGHS


DEFAULT_SOLVER = SolverName.CBC
DEFAULT_TIME_LIMIT = 120.0
SMALL_MODEL = 200  # candidates
SMALL_MODEL_CBC_OPTIONS = ["preprocess off", "cuts off", "heur off"]


class SolveStatus(StrEnum):
    OPTIMAL = "optimal"
    INFEASIBLE = "infeasible"
    TIME_LIMIT = "time_limit"
    ERROR = "error"


@dataclass(frozen=True)
class Scenario:
    """One variation of the problem for a re-solve (hashable: results are cached by it)."""

    fixed_in: frozenset[int] = frozenset()
    fixed_out: frozenset[int] = frozenset()
    without: frozenset[str] = frozenset()  # groups switched off
    cuts: tuple[tuple[tuple[int, ...], int], ...] = ()  # (portfolio, min swaps) no-good cuts
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

    @property
    def optimal(self) -> bool:
        return self.status is SolveStatus.OPTIMAL


@dataclass
class _Counters:
    solves: int = 0
    seconds: float = 0.0
    build_seconds: float = 0.0
    cache: dict[tuple[str, Scenario], Solution] = field(default_factory=dict)


class Optimiser:
    """One PuLP model of a problem, solved again and again under :class:`Scenario` s."""

    def __init__(self, problem: SelectionProblem, solver: SolverName = DEFAULT_SOLVER,
                 time_limit: float = DEFAULT_TIME_LIMIT) -> None:
        started = time.perf_counter()
        self.problem = problem
        self.solver = solver
        self.time_limit = time_limit
        self.stats = _Counters()
        self._model = pulp.LpProblem("selection", pulp.LpMaximize)
        self._columns = _make_columns(self._model, problem)
        self._rows = [self._add_row(f"r{i:06d}", row) for i, row in enumerate(problem.rows)]
        n = len(problem.candidates)
        self._floor_row = Row("floor", "total floor", tuple((i, c.total_cents)
                              for i, c in enumerate(problem.candidates)), Sense.GE, 0)
        self._floor = self._add_row("floor", self._floor_row)
        self._cut_rows: list[tuple[Row, Any]] = []
        self._scores = [c.total_cents for c in problem.candidates]
        self._priorities = [c.priority for c in problem.candidates]
        self._n = n
        # On small models CBC spends most of its time in preprocessing, cut generation and
        # heuristics that a tree of a few dozen binaries does not need: off, a solve of the
        # example takes 5 ms instead of 13 ms. They only change speed, never the proof of
        # optimality (the gap stays zero); large models keep them, where they pay.
        self._cbc_options = SMALL_MODEL_CBC_OPTIONS if n <= SMALL_MODEL else []
        self.stats.build_seconds = time.perf_counter() - started

    # -- public solves --------------------------------------------------------------------

    def best(self, scenario: Scenario = BASE) -> Solution:
        """The optimal portfolio, ties broken by the seeded lottery (two solves).

        1. maximise ``T = sum(total_cents * x)``: the best total ``T*``;
        2. with ``sum(total_cents * x) >= T*`` added, maximise ``sum(priority * x)``, where
           ``priority = n - position`` of the candidate in the lottery order (unique, 1..n;
           ``lottery.priorities``).
        Among all portfolios with total ``T*`` the one with the highest priority sum wins.
        Two best portfolios that differ by one swap always have different priority sums (the
        swap follows the ranking's tie-break). Portfolios that differ by two or more swaps can
        have equal sums (positions 1+4 = 2+3): which of those is returned is then the
        solver's. The first solve alone decides ``T*``, which is what is proven.
        """
        return self._cached("best", scenario, lambda: self._lexicographic(scenario))

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
        of the tie-break's floor row are swapped for the duration of the solves and put
        back afterwards, so one model serves any number of weight vectors.
        """
        if len(scores) != self._n:
            raise ValueError(f"scores has {len(scores)} entries; expected {self._n}")
        saved = self._scores
        self._set_floor_coefficients(scores)
        self._scores = list(scores)
        try:
            return self._lexicographic(scenario)
        finally:
            self._scores = saved
            self._set_floor_coefficients(saved)

    def _set_floor_coefficients(self, scores: Sequence[int]) -> None:
        for i, coef in enumerate(scores):
            self._floor.expr[self._columns[i]] = coef

    def feasible(self, scenario: Scenario) -> SolveStatus:
        return self._cached("feasible", scenario,
                            lambda: self._solve([0] * self._n, scenario)).status

    def what_to_try(self) -> str:
        """Advice for a failed solve: the other backend, and the usual cause."""
        other = SolverName.CBC if self.solver is SolverName.HIGHS else SolverName.HIGHS
        return f"try --solver {other}; check amounts and budget for extreme values"

    def name(self) -> str:
        """The solver's name alone: what reproducible outputs (packs) may print."""
        return "HiGHS" if self.solver is SolverName.HIGHS else "CBC"

    def version(self) -> str:
        """The solver's name and version, for the record (the pack's manifest)."""
        if self.solver is SolverName.HIGHS:
            import highspy

            with _stdout_silenced():
                highs = highspy.Highs()  # type: ignore[no-untyped-call]
                return f"HiGHS {highs.version()} via PuLP {pulp.__version__}"
        return f"CBC (bundled with PuLP {pulp.__version__})"

    # -- internals ------------------------------------------------------------------------

    def _cached(self, kind: str, scenario: Scenario, solve: Any) -> Solution:
        key = (kind, scenario)
        if key not in self.stats.cache:
            self.stats.cache[key] = solve()
        return self.stats.cache[key]

    def _lexicographic(self, scenario: Scenario) -> Solution:
        first = self._solve(self._scores, scenario)
        if not first.optimal or first.total is None:
            return first
        narrowed = self._reduced_cost_fixing(scenario, first.total)
        second = self._solve(self._priorities, narrowed, floor=first.total)
        if not second.optimal:
            raise SolverError(f"the tie-break solve failed ({second.status}) after the best "
                              f"total {first.total} was proven; {self.what_to_try()}")
        if second.total != first.total:
            raise SolverError(f"the tie-break solve changed the total ({first.total} -> "
                              f"{second.total}), numerical trouble; {self.what_to_try()}")
        return second

    def _reduced_cost_fixing(self, scenario: Scenario, best: int) -> Scenario:
        """``scenario`` with every application fixed that no portfolio of total ``best`` moves.

        The tie-break solve (maximise priority subject to total >= best) is a hard knapsack
        for a solver on large models: at 10,000 applications it did not finish in 60 s. But
        the LP relaxation of the first solve, with optimum z and reduced costs d_j, bounds
        every portfolio: total <= z - |d_j| if application j leaves its LP value (0 or 1).
        So when |d_j| > z - best + 0.5 (totals are whole cents; 0.5 absorbs floating-point
        error), j has the same value in every portfolio with total >= best, and fixing it
        changes no answer. Small models skip this: their tie-break solve is fast anyway.
        """
        if self._n <= SMALL_MODEL:
            return scenario
        self._model.setObjective(pulp.LpAffineExpression(
            [(self._columns[i], coef) for i, coef in enumerate(self._scores)]))
        restore = self._apply(scenario, 0)
        try:
            status = self._run(mip=False)
            if status is not SolveStatus.OPTIMAL:
                return scenario
            values = [self._columns[i].varValue for i in range(self._n)]
            costs = [self._columns[i].dj for i in range(self._n)]
        finally:
            restore()
        if any(v is None for v in values) or any(d is None for d in costs):
            return scenario
        bound = sum(t * float(v) for t, v in zip(self._scores, values, strict=True))
        margin = bound - best + 0.5
        fixed_in = [i for i in range(self._n) if abs(costs[i]) > margin and values[i] > 1 - 1e-6]
        fixed_out = [i for i in range(self._n) if abs(costs[i]) > margin and values[i] < 1e-6]
        return scenario.also(fixed_in=fixed_in, fixed_out=fixed_out)

    def _solve(self, objective: Sequence[int], scenario: Scenario, floor: int = 0) -> Solution:
        # Zero coefficients are kept: an empty objective makes PuLP add a dummy column that
        # stays in the model and breaks CBC's reading of every later solve.
        self._model.setObjective(pulp.LpAffineExpression(
            [(self._columns[i], coef) for i, coef in enumerate(objective)]))
        restore = self._apply(scenario, floor)
        try:
            status = self._run()
        finally:
            restore()
        if status is not SolveStatus.OPTIMAL:
            return Solution(status)
        chosen = tuple(i for i in range(self._n) if _is_one(self._columns[i].varValue))
        self._check_rows(chosen, scenario)
        return Solution(status, chosen, sum(self._scores[i] for i in chosen))

    def _apply(self, scenario: Scenario, floor: int) -> Any:
        """Set bounds and right-hand sides for ``scenario``; return how to undo it."""
        for i in scenario.fixed_in:
            self._columns[i].lowBound = 1
        for i in scenario.fixed_out:
            self._columns[i].upBound = 0
        loosened = set()
        for row, constraint in zip(self.problem.rows, self._rows, strict=True):
            if row.group in scenario.without:
                constraint.changeRHS(row.relaxed_rhs())
            elif scenario.steps_for(row):
                loosened.add(id(constraint))
                constraint.changeRHS(row.loosened_rhs(scenario.steps_for(row)))
        self._floor.changeRHS(floor)
        self._set_cuts(scenario.cuts)

        def restore() -> None:
            for i in scenario.fixed_in:
                self._columns[i].lowBound = 0
            for i in scenario.fixed_out:
                self._columns[i].upBound = 1
            for row, constraint in zip(self.problem.rows, self._rows, strict=True):
                if row.group in scenario.without or id(constraint) in loosened:
                    constraint.changeRHS(row.rhs)
            self._floor.changeRHS(0)
            self._set_cuts(())

        return restore

    def _set_cuts(self, cuts: tuple[tuple[tuple[int, ...], int], ...]) -> None:
        # Rows cannot be removed through PuLP's stable API; spare cut rows are switched off
        # (relaxed) rather than deleted, and re-used by the next set of cuts.
        while len(self._cut_rows) < len(cuts):
            portfolio, _ = cuts[len(self._cut_rows)]
            name = f"cut{len(self._cut_rows):04d}"
            row = Row("cut", name, tuple((i, 1) for i in range(self._n)), Sense.LE, self._n)
            self._cut_rows.append((row, self._add_row(name, row)))
        for k, (_, constraint) in enumerate(self._cut_rows):
            for i in range(self._n):
                constraint.expr[self._columns[i]] = 0
            if k < len(cuts):
                portfolio, swaps = cuts[k]
                for i in portfolio:
                    constraint.expr[self._columns[i]] = 1
                constraint.changeRHS(len(portfolio) - swaps)
            else:
                constraint.changeRHS(self._n)

    def _add_row(self, name: str, row: Row) -> Any:
        expr = pulp.LpAffineExpression([(self._columns[col], coef) for col, coef in row.terms])
        sense = pulp.LpConstraintLE if row.sense is Sense.LE else pulp.LpConstraintGE
        constraint = pulp.LpConstraint(expr, sense, name=name, rhs=row.rhs)
        self._model.addConstraint(constraint)
        return constraint

    def _run(self, mip: bool = True) -> SolveStatus:
        started = time.perf_counter()
        with _stdout_silenced():
            try:
                self._solve_once(mip)
            except (pulp.PulpSolverError, IndexError, ValueError) as exc:
                # PuLP's HiGHS interface reads solution arrays before looking at the status,
                # so a failed solve can surface as an IndexError from inside PuLP.
                raise SolverError(f"the {self.name()} solver failed ({exc}); "
                                  f"{self.what_to_try()}") from exc
        elapsed = time.perf_counter() - started
        self.stats.solves += 1
        self.stats.seconds += elapsed
        return _status(self._model.status, self._model.sol_status,
                       elapsed >= self.time_limit * 0.99)

    def _solve_once(self, mip: bool) -> None:
        try:
            self._model.solve(self._backend(mip))
        except pulp.PulpSolverError:
            if not self._cbc_options:
                raise
            # CBC 2.10 (bundled with PuLP 3) can crash (segmentation fault) on some small
            # infeasible models when preprocessing, cuts and heuristics are all off: found by
            # the brute-force property test. Retry, and keep, CBC's default settings.
            self._cbc_options = []
            self._model.solve(self._backend(mip))

    def _backend(self, mip: bool = True) -> Any:
        if self.solver is SolverName.HIGHS:
            return pulp.HiGHS(mip=mip, msg=False, timeLimit=self.time_limit, gapRel=0.0,
                              gapAbs=0.0, threads=1)
        return _cbc(mip=mip, msg=False, timeLimit=self.time_limit, gapRel=0.0, gapAbs=0.0,
                    options=self._cbc_options)

    def _check_rows(self, chosen: tuple[int, ...], scenario: Scenario) -> None:
        # A last guard against tolerance surprises: the rounded portfolio must satisfy
        # every active row of the problem exactly (integers, no tolerance).
        values = dict.fromkeys(chosen, 1)
        values.update({len(self._scores) + j: _round(self._columns[len(self._scores) + j])
                       for j in range(len(self.problem.indicators))})
        broken = [row.label for row in self.problem.rows
                  if row.group not in scenario.without
                  and not row.holds(values, scenario.steps_for(row))]
        if broken:
            raise SolverError(f"the {self.name()} solver's answer breaks "
                              f"{'; '.join(broken[:3])} (numerical trouble); {self.what_to_try()}")


def _cbc(**settings: Any) -> Any:
    """CBC: the binary bundled with PuLP 3 (``PULP_CBC_CMD``), else an installed one.

    PuLP 3.3 warns that ``PULP_CBC_CMD`` goes away in PuLP 4 (which ships CBC separately,
    via ``COIN_CMD``); the warning is expected here and silenced, nothing else is.
    """
    bundled = getattr(pulp, "PULP_CBC_CMD", None)
    if bundled is None:
        return pulp.COIN_CMD(**settings)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="PULP_CBC_CMD is deprecated",
                                category=DeprecationWarning)
        return bundled(**settings)


def _make_columns(model: Any, problem: SelectionProblem) -> list[Any]:
    width = max(5, len(str(problem.n_columns)))
    xs = [model.add_variable(f"x{i:0{width}d}", 0, 1, cat=pulp.LpBinary)
          for i in range(len(problem.candidates))]
    ys = [model.add_variable(f"y{j:0{width}d}", 0, 1, cat=pulp.LpBinary)
          for j in range(len(problem.indicators))]
    return xs + ys


def _is_one(value: float | None) -> bool:
    return value is not None and value > 0.5


def _round(column: Any) -> int:
    return 1 if _is_one(column.varValue) else 0


def _status(status: int, sol_status: int, out_of_time: bool) -> SolveStatus:
    """Our status from PuLP's pair: optimal only when both say a proven optimum."""
    if status == pulp.LpStatusOptimal and sol_status == pulp.LpSolutionOptimal:
        return SolveStatus.OPTIMAL
    if status == pulp.LpStatusInfeasible or sol_status == pulp.LpSolutionInfeasible:
        return SolveStatus.INFEASIBLE
    if sol_status == pulp.LpSolutionIntegerFeasible or out_of_time:
        return SolveStatus.TIME_LIMIT
    return SolveStatus.ERROR


@contextmanager
def _stdout_silenced() -> Iterator[None]:
    """Point file descriptor 1 at /dev/null (the solver writes from C, past sys.stdout)."""
    for stream in (sys.stdout, sys.__stdout__):
        if stream is not None:
            stream.flush()
    try:
        saved = os.dup(1)
    except OSError:  # no descriptor 1 at all: nothing to protect
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)
