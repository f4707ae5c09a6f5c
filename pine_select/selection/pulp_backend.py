"""The one module that imports PuLP: the selection as a PuLP model, solved by CBC.

One model is built per run and re-used for every solve: a re-solve changes the objective,
variable bounds, right-hand sides and cut rows, never the problem's own rows or columns.

Columns are named ``x00000, x00001, ...`` (candidates) then ``y00000, ...`` (indicators):
PuLP orders columns by name, and zero padding keeps that order the problem's own.
"""

from __future__ import annotations

import shutil
import tempfile
import time
import warnings
import weakref
from collections.abc import Sequence
from typing import Any

import pulp

from pine_select.selection.backend import (
    BackendFailure,
    Cuts,
    Outcome,
    Setting,
    SolveStatus,
    stdout_silenced,
)
from pine_select.selection.problem import Row, SelectionProblem, Sense

SMALL_MODEL = 200  # candidates
SMALL_MODEL_CBC_OPTIONS = ["preprocess off", "cuts off", "heur off"]


class PulpCbc:
    """A PuLP model of one problem, solved by CBC under each :class:`Setting` in turn."""

    def __init__(self, problem: SelectionProblem, time_limit: float) -> None:
        self.time_limit = time_limit
        self._n = len(problem.candidates)
        self._model = pulp.LpProblem("selection", pulp.LpMaximize)
        self._columns = _make_columns(self._model, problem)
        self._rows = [self._add_row(f"r{i:06d}", row) for i, row in enumerate(problem.rows)]
        self._rhs = tuple(row.rhs for row in problem.rows)
        self._floor = self._add_row("floor", Row("floor", "total floor", (), Sense.GE, 0))
        self._floor_coefficients: Sequence[int] = ()
        self._fixed: tuple[frozenset[int], frozenset[int]] = (frozenset(), frozenset())
        self._cut_rows: list[Any] = []
        # On small models CBC spends most of its time in preprocessing, cut generation and
        # heuristics that a tree of a few dozen binaries does not need: off, a solve of the
        # example takes 5 ms instead of 13 ms. They only change speed, never the proof of
        # optimality (the gap stays zero); large models keep them, where they pay.
        self._cbc_options = SMALL_MODEL_CBC_OPTIONS if self._n <= SMALL_MODEL else []
        # PuLP passes the model to CBC in files, and leaves them behind when CBC crashes:
        # a folder of our own, removed with this object (or at exit), collects them.
        self._scratch = tempfile.mkdtemp(prefix="pine-select-cbc-")
        weakref.finalize(self, shutil.rmtree, self._scratch, ignore_errors=True)

    def name(self) -> str:
        return "CBC"

    def version(self) -> str:
        return f"CBC (bundled with PuLP {pulp.__version__})"

    def solve(self, setting: Setting) -> Outcome:
        try:
            return self._solve(setting)
        except (pulp.PulpSolverError, IndexError, ValueError) as exc:
            raise BackendFailure(str(exc)) from exc

    def _solve(self, setting: Setting) -> Outcome:
        # Zero coefficients are kept: an empty objective makes PuLP add a dummy column that
        # stays in the model and breaks CBC's reading of every later solve.
        self._model.setObjective(pulp.LpAffineExpression(
            [(self._columns[i], coef) for i, coef in enumerate(setting.objective)]))
        self._fix(setting.fixed_in, setting.fixed_out)
        self._set_rhs(setting.rhs)
        self._set_floor(setting.floor_coefficients, setting.floor)
        self._set_cuts(setting.cuts)
        status = self._run(setting.mip)
        if status is not SolveStatus.OPTIMAL:
            return Outcome(status)
        values = [column.varValue for column in self._columns]
        if any(v is None for v in values):
            return Outcome(SolveStatus.ERROR)
        costs = [0.0 if c.dj is None else c.dj for c in self._columns] if not setting.mip else ()
        return Outcome(status, values, costs)

    # -- applying a setting ---------------------------------------------------------------

    def _fix(self, fixed_in: frozenset[int], fixed_out: frozenset[int]) -> None:
        was_in, was_out = self._fixed
        for i in was_in - fixed_in:
            self._columns[i].lowBound = 0
        for i in was_out - fixed_out:
            self._columns[i].upBound = 1
        for i in fixed_in:
            self._columns[i].lowBound = 1
        for i in fixed_out:
            self._columns[i].upBound = 0
        self._fixed = (fixed_in, fixed_out)

    def _set_rhs(self, rhs: tuple[int, ...]) -> None:
        if rhs != self._rhs:
            for constraint, new, old in zip(self._rows, rhs, self._rhs, strict=True):
                if new != old:
                    constraint.changeRHS(new)
            self._rhs = rhs

    def _set_floor(self, coefficients: Sequence[int], floor: int) -> None:
        if coefficients is not self._floor_coefficients:
            for i, coef in enumerate(coefficients):
                self._floor.expr[self._columns[i]] = coef
            self._floor_coefficients = coefficients
        # The floor's coefficients and the portfolio's sum are whole numbers, so ">= floor
        # - 1/2" keeps exactly the same portfolios; the half point absorbs CBC's float error
        # on large exact objectives (sums near 1e9, as weight sensitivity makes for
        # calibrated criterion scores, left the portfolio that reached the floor "infeasible").
        self._floor.changeRHS(floor - 0.5 if floor > 0 else floor)

    def _set_cuts(self, cuts: Cuts) -> None:
        # Rows cannot be removed through PuLP's stable API; spare cut rows are switched off
        # (relaxed) rather than deleted, and re-used by the next set of cuts.
        while len(self._cut_rows) < len(cuts):
            name = f"cut{len(self._cut_rows):04d}"
            self._cut_rows.append(self._add_row(name, Row("cut", name, (), Sense.LE, self._n)))
        for k, constraint in enumerate(self._cut_rows):
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

    # -- running CBC ----------------------------------------------------------------------

    def _run(self, mip: bool) -> SolveStatus:
        with stdout_silenced():
            out_of_time = self._solve_once(mip)
        return status_of(self._model.status, self._model.sol_status, out_of_time)

    def _solve_once(self, mip: bool) -> bool:
        """Solve; True when CBC used up its time limit (PuLP may still say "optimal")."""
        started = time.perf_counter()
        try:
            self._model.solve(self._cbc(mip))
        except pulp.PulpSolverError:
            if not self._cbc_options:
                raise
            # CBC 2.10 (bundled with PuLP 3) can crash (segmentation fault) on some small
            # infeasible models when preprocessing, cuts and heuristics are all off: found by
            # the brute-force property test. Retry, and keep, CBC's default settings.
            self._cbc_options = []
            self._model.solve(self._cbc(mip))
        return time.perf_counter() - started >= self.time_limit * 0.99

    def _cbc(self, mip: bool) -> Any:
        """CBC: the binary bundled with PuLP 3 (``PULP_CBC_CMD``), else an installed one.

        PuLP 3.3 warns that ``PULP_CBC_CMD`` goes away in PuLP 4 (which ships CBC separately,
        via ``COIN_CMD``); the warning is expected here and silenced, nothing else is.
        """
        settings = {"mip": mip, "msg": False, "timeLimit": self.time_limit, "gapRel": 0.0,
                    "gapAbs": 0.0, "options": self._cbc_options}
        bundled = getattr(pulp, "PULP_CBC_CMD", None)
        if bundled is None:
            solver = pulp.COIN_CMD(**settings)
        else:
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", message="PULP_CBC_CMD is deprecated",
                                        category=DeprecationWarning)
                solver = bundled(**settings)
        solver.tmpDir = self._scratch
        return solver


def _make_columns(model: Any, problem: SelectionProblem) -> list[Any]:
    width = max(5, len(str(problem.n_columns)))
    xs = [model.add_variable(f"x{i:0{width}d}", 0, 1, cat=pulp.LpBinary)
          for i in range(len(problem.candidates))]
    ys = [model.add_variable(f"y{j:0{width}d}", 0, 1, cat=pulp.LpBinary)
          for j in range(len(problem.indicators))]
    return xs + ys


def status_of(status: int, sol_status: int, out_of_time: bool) -> SolveStatus:
    """Our status from PuLP's pair: optimal only when both say a proven optimum."""
    if status == pulp.LpStatusOptimal and sol_status == pulp.LpSolutionOptimal:
        return SolveStatus.OPTIMAL
    if status == pulp.LpStatusInfeasible or sol_status == pulp.LpSolutionInfeasible:
        return SolveStatus.INFEASIBLE
    if sol_status == pulp.LpSolutionIntegerFeasible or out_of_time:
        return SolveStatus.TIME_LIMIT
    return SolveStatus.ERROR
