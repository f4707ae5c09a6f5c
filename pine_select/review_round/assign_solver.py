"""The one module of the review round that imports a solver: the assignment, by HiGHS.

The assignment is a flow from applications (each sending ``per_application`` units) through
the allowed pairs to reviewers. Every objective is a cost on that network, so its linear
programme has whole-number optimal corners (the constraint matrix is a network matrix):
each stage is a linear programme, and its optimum is the integer optimum, proven.

Stages, each among the optima of the ones before (lexicographic):

1. **even loads**: minimise the sum over reviewers of load squared, written as unit pieces
   of marginal cost 1, 3, 5, ... On these load vectors (an M-convex set) the least sum of
   squares is the decreasingly-minimal vector: the largest load as small as it can be,
   then the next, and the smallest as large as it can be (Frank and Murota, 2020); so
   max - min <= 1 whenever any assignment allows it.
2. **experts**: maximise the applications with at least one expert (each worth more than
   all expert pairs together), then the expert pairs.
3. **stability** (only with assignments already sent out): maximise the pairs kept.
4. **tie-break**: minimise the sum of the pairs' positions in the seeded lottery order.

Between stages the optimal face is kept exactly by reduced-cost fixing: with the stage's
optimal duals, every optimal solution has each column whose reduced cost is not zero at the
bound where it is now (complementary slackness; every row is an equation). Fixing those
columns keeps a network matrix, so the next stage's corners stay whole numbers.

HiGHS runs in this process on one model changed in place (costs and bounds), so each stage
starts from the last one's basis, as ``selection/highs_backend.py`` does for large calls.
PuLP with CBC was measured first: at 1,000 applications x 60 reviewers it spent 10 s, most
of it building PuLP's model and passing it through files for every stage; HiGHS here takes
a fifth of that (benchmarks/RESULTS.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import highspy
import numpy as np

from pine_select.errors import SolverError
from pine_select.review_round.assign_problem import AssignmentProblem
from pine_select.selection.backend import stdout_silenced

TIME_LIMIT_SECONDS = 120.0
# A reduced cost is a whole number at an exact optimum (whole costs, network matrix):
# anything above a half is not zero.
NONZERO = 0.5
INTEGRAL = 1e-6


@dataclass(frozen=True)
class Columns:
    """The model's columns by kind, as index ranges: pairs, load pieces, coverage."""

    pairs: int
    piece_reviewer: Any  # per piece column: its reviewer
    piece_level: Any  # per piece column: 0 for a first review, 1 for a second, ...
    covered_apps: Any  # applications with an expert pair: an "e" and a "z" column each

    @property
    def total(self) -> int:
        return self.pairs + len(self.piece_level) + 2 * len(self.covered_apps)

    def pieces(self) -> slice:
        return slice(self.pairs, self.pairs + len(self.piece_level))

    def covered(self) -> slice:
        start = self.pairs + len(self.piece_level)
        return slice(start, start + len(self.covered_apps))


def _columns(problem: AssignmentProblem, piece_bound: int) -> Columns:
    levels = [min(cap, piece_bound) for cap in problem.capacity]
    experts = sorted({p.application for p in problem.pairs if p.expert})
    return Columns(len(problem.pairs), np.repeat(np.arange(len(levels)), levels),
                   np.concatenate([np.arange(n) for n in levels] or [np.zeros(0, dtype=np.int64)]),
                   np.array(experts, dtype=np.int64))


def _model(problem: AssignmentProblem, cols: Columns) -> Any:
    """A HighsLp: every row an equation (application: K; reviewer and expert rows: 0)."""
    n_apps, n_reviewers = len(problem.applications), len(problem.reviewers)
    expert_row = {a: n_apps + n_reviewers + i for i, a in enumerate(cols.covered_apps.tolist())}
    entries: list[tuple[int, int, float]] = []  # (column, row, value)
    for i, pair in enumerate(problem.pairs):
        entries += [(i, pair.application, 1.0), (i, n_apps + pair.reviewer, 1.0)]
        if pair.expert:
            entries.append((i, expert_row[pair.application], 1.0))
    first = cols.pieces().start
    entries += [(first + j, n_apps + int(r), -1.0) for j, r in enumerate(cols.piece_reviewer)]
    first_e, n_e = cols.covered().start, len(cols.covered_apps)
    for j, a in enumerate(cols.covered_apps.tolist()):
        entries += [(first_e + j, expert_row[a], -1.0), (first_e + n_e + j, expert_row[a], -1.0)]
    return _lp(problem, cols, entries, n_apps + n_reviewers + n_e)


def _lp(problem: AssignmentProblem, cols: Columns, entries: list[tuple[int, int, float]],
        n_rows: int) -> Any:
    column, row, value = (np.array(part) for part in zip(*entries, strict=True))
    order = np.lexsort((row, column))
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = cols.total, n_rows
    lp.col_cost_ = np.zeros(cols.total)
    upper = np.ones(cols.total)
    upper[cols.covered().stop:] = problem.per_application  # "z": further expert reviews
    lp.col_lower_, lp.col_upper_ = np.zeros(cols.total), upper
    rhs = np.zeros(n_rows)
    rhs[:len(problem.applications)] = problem.per_application
    lp.row_lower_, lp.row_upper_ = rhs, rhs.copy()
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.concatenate(
        ([0], np.cumsum(np.bincount(column, minlength=cols.total)))).astype(np.int32)
    lp.a_matrix_.index_ = row[order].astype(np.int32)
    lp.a_matrix_.value_ = value[order]
    return lp


def _load_costs(problem: AssignmentProblem, cols: Columns) -> Any:
    cost = np.zeros(cols.total)
    cost[cols.pieces()] = 2 * cols.piece_level + 1
    return cost


def _expert_costs(problem: AssignmentProblem, cols: Columns) -> Any:
    cost = np.zeros(cols.total)
    cost[:cols.pairs] = [-1 if p.expert else 0 for p in problem.pairs]
    coverage_weight = problem.per_application * len(problem.applications) + 1  # > all pairs
    cost[cols.covered()] = -coverage_weight
    return cost


def _kept_costs(problem: AssignmentProblem, cols: Columns) -> Any:
    cost = np.zeros(cols.total)
    cost[:cols.pairs] = [-1 if p.kept else 0 for p in problem.pairs]
    return cost


def _priority_costs(problem: AssignmentProblem, cols: Columns) -> Any:
    cost = np.zeros(cols.total)
    cost[:cols.pairs] = [p.priority for p in problem.pairs]
    return cost


@dataclass(frozen=True)
class Stage:
    name: str
    costs: Callable[[AssignmentProblem, Columns], Any]  # one per column


STAGES = (Stage("even loads", _load_costs), Stage("experts", _expert_costs),
          Stage("stability", _kept_costs), Stage("tie-break", _priority_costs))


def solve_assignment(problem: AssignmentProblem, piece_bound: int,
                     time_limit: float = TIME_LIMIT_SECONDS) -> tuple[int, ...]:
    """The chosen pairs (indices into ``problem.pairs``), optimal at every stage.

    ``piece_bound``: a load no reviewer needs in an optimal assignment (the largest load of
    any feasible one will do: the most even assignment's largest load is no larger). The
    problem must be feasible (see ``first_assignment``); raises SolverError otherwise.
    """
    cols = _columns(problem, piece_bound)
    highs = _new_highs(time_limit)
    highs.passModel(_model(problem, cols))
    everything = np.arange(cols.total, dtype=np.int32)
    values = np.zeros(cols.total)
    for stage in STAGES:
        if stage.name == "stability" and not any(p.kept for p in problem.pairs):
            continue
        highs.changeColsCost(cols.total, everything, stage.costs(problem, cols))
        values, duals = _run(highs, stage)
        _fix_nonzero_reduced_costs(highs, values, duals)
    return _chosen(values[:cols.pairs])


def _new_highs(time_limit: float) -> Any:
    with stdout_silenced():  # the banner, printed when the first Highs object is made
        highs: Any = highspy.Highs()  # type: ignore[no-untyped-call]
    # Simplex: its answers are corners (whole numbers here); one thread: the same corner
    # on every machine.
    for option, value in (("output_flag", False), ("solver", "simplex"), ("threads", 1),
                          ("time_limit", float(time_limit))):
        highs.setOptionValue(option, value)
    return highs


def _run(highs: Any, stage: Stage) -> tuple[Any, Any]:
    with stdout_silenced():
        highs.run()
    status = highs.getModelStatus()
    if status != highspy.HighsModelStatus.kOptimal:
        raise SolverError(f"HiGHS found no optimal assignment at the {stage.name} stage "
                          f"({highs.modelStatusToString(status)}); expected one (the problem "
                          "was checked feasible before solving)")
    solution = highs.getSolution()
    return np.array(solution.col_value), np.array(solution.col_dual)


def _fix_nonzero_reduced_costs(highs: Any, values: Any, duals: Any) -> None:
    fix = np.flatnonzero(np.abs(duals) > NONZERO).astype(np.int32)
    if len(fix):
        at = np.round(values[fix])
        highs.changeColsBounds(len(fix), fix, at, at)


def _chosen(pair_values: Any) -> tuple[int, ...]:
    if np.any(np.abs(pair_values - np.round(pair_values)) > INTEGRAL):
        raise SolverError("HiGHS returned a fractional assignment; expected whole numbers "
                          "(the corners of a network problem)")
    return tuple(int(i) for i in np.flatnonzero(np.round(pair_values) == 1))


def solver_name() -> str:
    with stdout_silenced():
        highs: Any = highspy.Highs()  # type: ignore[no-untyped-call]
    return f"HiGHS {highs.version()} (in-process, highspy), simplex"
