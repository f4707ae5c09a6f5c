"""The one module that imports highspy (and numpy): HiGHS in-process, for large calls.

The model is passed to HiGHS once, as arrays in the problem's own column order (HiGHS is
sensitive to column order: PERF-NOTES), and changed in place between solves: costs, column
bounds, row bounds, and the floor and cut rows after the problem's own. PuLP's HiGHS route
copies the whole model into a new solver object on every solve, row by row; at 10,000
applications that copy cost more than a second per solve, and at 100,000 building the PuLP
model alone took 12 s.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import highspy
import numpy as np

from pine_select.selection.backend import (
    BackendFailure,
    Cuts,
    Outcome,
    Setting,
    SolveStatus,
    stdout_silenced,
)
from pine_select.selection.problem import SelectionProblem, Sense

INFINITY = highspy.kHighsInf
_STATUSES = {
    highspy.HighsModelStatus.kOptimal: SolveStatus.OPTIMAL,
    highspy.HighsModelStatus.kInfeasible: SolveStatus.INFEASIBLE,
    # Every column is bounded: "unbounded or infeasible" can only be infeasible.
    highspy.HighsModelStatus.kUnboundedOrInfeasible: SolveStatus.INFEASIBLE,
    highspy.HighsModelStatus.kTimeLimit: SolveStatus.TIME_LIMIT,
}


class InProcessHighs:
    """One HiGHS object holding one problem, solved under each :class:`Setting` in turn."""

    def __init__(self, problem: SelectionProblem, time_limit: float) -> None:
        self._n = len(problem.candidates)
        self._columns = problem.n_columns
        self._problem_rows = len(problem.rows)
        self._senses = [row.sense for row in problem.rows]
        self._rhs = tuple(row.rhs for row in problem.rows)
        self._fixed: tuple[frozenset[int], frozenset[int]] = (frozenset(), frozenset())
        self._floor_coefficients: Sequence[int] | None = None
        self._cuts: Cuts = ()
        self._integer = True
        with stdout_silenced():  # the banner, printed when the first Highs object is made
            # Typed loosely: highspy's stubs lack some of the methods used here.
            self._highs: Any = highspy.Highs()  # type: ignore[no-untyped-call]
        for option, value in (("output_flag", False), ("mip_rel_gap", 0.0), ("mip_abs_gap", 0.0),
                              ("threads", 1), ("time_limit", float(time_limit))):
            self._highs.setOptionValue(option, value)
        self._highs.passModel(_model(problem))

    def name(self) -> str:
        return "HiGHS"

    def version(self) -> str:
        return f"HiGHS {self._highs.version()} (in-process, highspy)"

    def solve(self, setting: Setting) -> Outcome:
        try:
            return self._solve(setting)
        except (RuntimeError, ValueError, IndexError, TypeError) as exc:  # highspy's errors
            raise BackendFailure(str(exc)) from exc

    def _solve(self, setting: Setting) -> Outcome:
        highs = self._highs
        cost = np.zeros(self._columns)
        cost[: self._n] = setting.objective
        highs.changeColsCost(self._columns, np.arange(self._columns, dtype=np.int32), cost)
        self._fix(setting.fixed_in, setting.fixed_out)
        self._set_rhs(setting.rhs)
        self._set_extra_rows(setting.floor_coefficients, setting.floor, setting.cuts)
        self._set_integrality(setting.mip)
        if setting.start is not None:
            highs.setSolution(self._columns, np.arange(self._columns, dtype=np.int32),
                              np.asarray(setting.start, dtype=float))
        status = self._run(setting.mip)
        if status is not SolveStatus.OPTIMAL:
            return Outcome(status)
        solution = highs.getSolution()
        costs = () if setting.mip else list(solution.col_dual)
        return Outcome(status, list(solution.col_value), costs)

    def _run(self, mip: bool) -> SolveStatus:
        with stdout_silenced():
            self._highs.run()
        status = _STATUSES.get(self._highs.getModelStatus(), SolveStatus.ERROR)
        feasible = self._highs.getInfo().primal_solution_status == 2  # kSolutionStatusFeasible
        if status is SolveStatus.OPTIMAL and not feasible:
            return SolveStatus.ERROR
        return status

    # -- applying a setting ---------------------------------------------------------------

    def _fix(self, fixed_in: frozenset[int], fixed_out: frozenset[int]) -> None:
        was_in, was_out = self._fixed
        changed = sorted((was_in ^ fixed_in) | (was_out ^ fixed_out))
        if changed:
            lower = [1.0 if i in fixed_in else 0.0 for i in changed]
            upper = [0.0 if i in fixed_out else 1.0 for i in changed]
            self._highs.changeColsBounds(len(changed), np.array(changed, dtype=np.int32),
                                         np.array(lower), np.array(upper))
        self._fixed = (fixed_in, fixed_out)

    def _set_rhs(self, rhs: tuple[int, ...]) -> None:
        changed = [i for i, (new, old) in enumerate(zip(rhs, self._rhs, strict=True))
                   if new != old]
        if changed:
            bounds = [_row_bounds(self._senses[i], rhs[i]) for i in changed]
            self._highs.changeRowsBounds(len(changed), np.array(changed, dtype=np.int32),
                                         np.array([low for low, _ in bounds]),
                                         np.array([high for _, high in bounds]))
        self._rhs = rhs

    def _set_extra_rows(self, coefficients: Sequence[int], floor: int, cuts: Cuts) -> None:
        """The floor row, then one row per cut, after the problem's own rows.

        Rows are deleted and added again only when their coefficients change (another set
        of scores or of cuts); a new floor is only a new bound.
        """
        highs = self._highs
        if coefficients is not self._floor_coefficients or cuts != self._cuts:
            extra = highs.getNumRow() - self._problem_rows
            if extra:
                highs.deleteRows(extra, np.arange(self._problem_rows, self._problem_rows + extra,
                                                  dtype=np.int32))
            self._add_row(range(self._n), coefficients, Sense.GE, floor)
            for portfolio, swaps in cuts:
                self._add_row(portfolio, [1] * len(portfolio), Sense.LE, len(portfolio) - swaps)
            self._floor_coefficients, self._cuts = coefficients, cuts
        low, high = _row_bounds(Sense.GE, floor)
        highs.changeRowBounds(self._problem_rows, low, high)

    def _add_row(self, columns: Sequence[int], coefficients: Sequence[int], sense: Sense,
                 rhs: int) -> None:
        low, high = _row_bounds(sense, rhs)
        self._highs.addRow(low, high, len(columns), np.asarray(columns, dtype=np.int32),
                           np.asarray(coefficients, dtype=float))

    def _set_integrality(self, mip: bool) -> None:
        if mip != self._integer:
            kind = highspy.HighsVarType.kInteger if mip else highspy.HighsVarType.kContinuous
            self._highs.changeColsIntegrality(
                self._columns, np.arange(self._columns, dtype=np.int32),
                np.full(self._columns, int(kind), dtype=np.uint8))
            self._integer = mip


def _row_bounds(sense: Sense, rhs: int) -> tuple[float, float]:
    return (-INFINITY, float(rhs)) if sense is Sense.LE else (float(rhs), INFINITY)


def _model(problem: SelectionProblem) -> Any:
    """The problem's rows and binary columns as a HighsLp (rows compressed, costs zero)."""
    n = problem.n_columns
    starts, index, value = [0], [], []
    for row in problem.rows:
        index += [col for col, _ in row.terms]
        value += [coef for _, coef in row.terms]
        starts.append(len(index))
    bounds = [_row_bounds(row.sense, row.rhs) for row in problem.rows]
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n, len(problem.rows)
    lp.sense_ = highspy.ObjSense.kMaximize
    lp.col_cost_, lp.col_lower_, lp.col_upper_ = np.zeros(n), np.zeros(n), np.ones(n)
    lp.row_lower_ = np.array([low for low, _ in bounds], dtype=float)
    lp.row_upper_ = np.array([high for _, high in bounds], dtype=float)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.start_ = np.array(starts, dtype=np.int32)
    lp.a_matrix_.index_ = np.array(index, dtype=np.int32)
    lp.a_matrix_.value_ = np.array(value, dtype=float)
    lp.integrality_ = [highspy.HighsVarType.kInteger] * n
    return lp
