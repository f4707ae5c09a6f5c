"""Weight sensitivity of a call's portfolio: intervals, rank stability, robustness.

What "stays optimal" means here (docs/sensitivity.md says it for users): the portfolio is
optimal at a weight when no feasible portfolio has a strictly larger sum of **exact**
(unrounded) totals. Exact totals make every comparison a line in the weight, so the ends
are exact fractions; ``select`` compares totals rounded to cents, which can only matter
when two portfolios are within rounding (half a cent per application) of each other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from pine_select.errors import SolverError
from pine_select.model.call import Call
from pine_select.model.reviews import Overrides
from pine_select.options import RunOptions
from pine_select.scoring.score import score_call
from pine_select.selection.explain import portfolio_ids, strong_left_out
from pine_select.selection.optimiser import Optimiser, SolverName, SolveStatus, default_solver
from pine_select.selection.problem import SelectionProblem, build_problem
from pine_select.sensitivity.breakpoints import Parametric, Portfolio, Step
from pine_select.sensitivity.matrix import ScoreMatrix, whole_objective
from pine_select.sensitivity.result import (
    Crossing,
    RankStability,
    WeightInterval,
    WeightSensitivity,
)
from pine_select.sensitivity.robustness import sample_frequencies


@dataclass(frozen=True)
class _Traces:
    """For each criterion, the breakpoints met going up and going down."""

    up: dict[str, tuple[Step, ...]]
    down: dict[str, tuple[Step, ...]]
    cut_short: bool


def weight_sensitivity(call: Call, overrides: Overrides | None = None,
                       options: RunOptions = RunOptions()) -> WeightSensitivity:
    """Intervals, rank stability and (with sensitivity samples) robustness of the portfolio.

    Raises UsageError for bad options, SolverError when a solve fails. A call whose rules
    cannot all hold gives ``status == "infeasible"`` and nothing else.
    """
    report = score_call(call, None, overrides, options.calibrate)
    problem = build_problem(call, report, overrides=overrides)
    solver = (SolverName(options.solver) if options.solver
              else default_solver(len(problem.candidates)))
    optimiser = Optimiser(problem, solver)
    base = optimiser.best()
    weights = dict(report.weights)
    if base.status is SolveStatus.INFEASIBLE:
        return WeightSensitivity("infeasible", (), weights, (), (), solves=optimiser.stats.solves)
    if not base.optimal:
        raise SolverError(f"the selection ended {base.status}; expected a proven optimum")
    matrix = ScoreMatrix.of(problem, report, call.rubric)
    ordered = [weights[c] for c in matrix.criteria]
    portfolio, notes = _exact_optimum(optimiser, matrix, ordered, base.chosen)
    traces = _trace_all(optimiser, matrix, ordered, portfolio, options.breakpoint_limit)
    robustness = None
    if options.sensitivity_samples:
        seed = call.rubric.selection.tie_break_seed if options.seed is None else options.seed
        robustness = sample_frequencies(optimiser, matrix, ordered, portfolio,
                                        options.sensitivity_samples, options.concentration, seed)
    if traces.cut_short:
        notes += (f"breakpoint limit reached ({options.breakpoint_limit} per criterion and "
                  "direction): applications shown without a change may move further out",)
    return WeightSensitivity(
        status="optimal", portfolio=portfolio_ids(problem, portfolio), weights=weights,
        intervals=_intervals(problem, matrix, ordered, portfolio, traces),
        stability=_stability(problem, matrix, ordered, portfolio, traces),
        robustness=robustness, breakpoint_limit=options.breakpoint_limit, notes=notes,
        solves=optimiser.stats.solves,
    )


def _exact_optimum(optimiser: Optimiser, matrix: ScoreMatrix, weights: Sequence[Fraction],
                   chosen: Portfolio) -> tuple[Portfolio, tuple[str, ...]]:
    """The selection's portfolio, unless exact totals prefer another (rounding near-tie)."""
    values = [sum((w * x for w, x in zip(weights, row, strict=True)), Fraction(0))
              for row in matrix.a]
    objective = whole_objective(values)
    found = optimiser.solve_objective(objective)
    if not found.optimal:
        raise SolverError(f"the exact-total solve ended {found.status}")
    if sum(values[i] for i in found.chosen) <= sum(values[i] for i in chosen):
        return chosen, ()
    exact = optimiser.best_with_scores(objective)
    if not exact.optimal:
        raise SolverError(f"the exact-total solve ended {exact.status}")
    problem = optimiser.problem
    note = ("rounding to cents decides the selection: with exact totals "
            f"{', '.join(portfolio_ids(problem, exact.chosen))} is better by less than the "
            "rounding; the intervals are for that portfolio")
    return exact.chosen, (note,)


def _watched(problem: SelectionProblem, portfolio: Portfolio) -> tuple[int, ...]:
    """Selected applications, then those left out but ranked above the lowest selected."""
    selected = sorted(portfolio, key=lambda i: (problem.candidates[i].rank or 1 << 30,
                                                problem.candidates[i].id))
    return (*selected, *strong_left_out(problem, frozenset(portfolio)))


def _trace_all(optimiser: Optimiser, matrix: ScoreMatrix, weights: Sequence[Fraction],
               portfolio: Portfolio, limit: int) -> _Traces:
    watched = frozenset(_watched(optimiser.problem, portfolio))
    up: dict[str, tuple[Step, ...]] = {}
    down: dict[str, tuple[Step, ...]] = {}
    cut = False
    for j, criterion in enumerate(matrix.criteria):
        line = Parametric(optimiser, matrix.rest(j, weights), matrix.column(j))
        up[criterion], cut_up = line.trace(portfolio, True, limit, watched)
        down[criterion], cut_down = line.trace(portfolio, False, limit, watched)
        cut = cut or cut_up or cut_down
    return _Traces(up, down, cut)


def _intervals(problem: SelectionProblem, matrix: ScoreMatrix, weights: Sequence[Fraction],
               portfolio: Portfolio, traces: _Traces) -> tuple[WeightInterval, ...]:
    found = []
    for criterion, weight in zip(matrix.criteria, weights, strict=True):
        up, down = traces.up[criterion], traces.down[criterion]
        found.append(WeightInterval(
            criterion=criterion, weight=weight,
            low=down[0].weight if down else Fraction(0),
            high=up[0].weight if up else None,
            at_low=_crossing(problem, portfolio, down[0].portfolio) if down else Crossing(),
            at_high=_crossing(problem, portfolio, up[0].portfolio) if up else Crossing(),
        ))
    return tuple(found)


def _crossing(problem: SelectionProblem, before: Portfolio, after: Portfolio) -> Crossing:
    return Crossing(enters=portfolio_ids(problem, set(after) - set(before)),
                    leaves=portfolio_ids(problem, set(before) - set(after)))


def _stability(problem: SelectionProblem, matrix: ScoreMatrix, weights: Sequence[Fraction],
               portfolio: Portfolio, traces: _Traces) -> tuple[RankStability, ...]:
    inside = frozenset(portfolio)
    found = []
    for i in _watched(problem, portfolio):
        candidate = problem.candidates[i]
        best: RankStability | None = None
        for criterion, weight in zip(matrix.criteria, weights, strict=True):
            for direction, steps in (("down", traces.down[criterion]),
                                     ("up", traces.up[criterion])):
                to = _first_change(steps, i, i in inside)
                if to is None:
                    continue
                change = abs(to - weight)
                if best is None or best.change is None or change < best.change:
                    best = RankStability(candidate.id, candidate.rank, i in inside, criterion,
                                         direction, to, change)
        found.append(best or RankStability(candidate.id, candidate.rank, i in inside))
    return tuple(found)


def _first_change(steps: Sequence[Step], i: int, was_in: bool) -> Fraction | None:
    for step in steps:
        if (i in step.portfolio) != was_in:
            return step.weight
    return None
