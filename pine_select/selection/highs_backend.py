"""The one module that imports highspy (and numpy): HiGHS in-process, for large calls.

The model is passed to HiGHS once, as arrays in the problem's own column order (HiGHS is
sensitive to column order: PERF-NOTES), and changed in place between solves: costs, column
bounds, row bounds, and the floor and cut rows after the problem's own. PuLP's HiGHS route
copies the whole model into a new solver object on every solve, row by row; at 10,000
applications that copy cost more than a second per solve, and at 100,000 building the PuLP
model alone took 12 s.

Two ways around HiGHS's own costs on very wide models (few rows, up to 100,000 columns):

- *Sifting* for linear relaxations: the dual simplex spent 1.5 s an iteration on 97,000
  columns (11 s in all). The relaxation is solved on a working set of the best columns and
  priced against the rest with the row duals (d_j = c_j - y A_j); columns that would improve
  it join the set until none would. The answer is the whole relaxation's (0.5 s).
- *Reduced models* for integer solves that hold most columns fixed (after reduced-cost
  fixing): a fresh model of the free columns alone, the fixed ones folded into the row
  bounds, instead of presolving two million fixed coefficients on every solve. Narrower
  models gain too (explained re-solves at 1,000 applications: see ``_solve``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from operator import itemgetter
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
SIFT_ABOVE = 2_000  # columns; below, the whole model in place is as fast (measured)
SIFT_START = 5_000  # columns in the first working set (at least; a tenth of them above)
SIFT_ROUNDS = 50  # then the whole relaxation after all (never seen: one round is usual)
REDUCE_BELOW = 0.5  # integer solves with fewer free columns than this share: reduced model
PRICE_TOLERANCE = 1e-6  # a reduced cost above this improves the relaxation
_STATUSES = {
    highspy.HighsModelStatus.kOptimal: SolveStatus.OPTIMAL,
    highspy.HighsModelStatus.kInfeasible: SolveStatus.INFEASIBLE,
    # Every column is bounded: "unbounded or infeasible" can only be infeasible.
    highspy.HighsModelStatus.kUnboundedOrInfeasible: SolveStatus.INFEASIBLE,
    highspy.HighsModelStatus.kTimeLimit: SolveStatus.TIME_LIMIT,
    highspy.HighsModelStatus.kSolutionLimit: SolveStatus.WORK_LIMIT,  # mip_max_nodes
}
_COLUMN, _COEFFICIENT = itemgetter(0), itemgetter(1)  # of a (column, coefficient) term
NO_NODE_LIMIT = 2**31 - 1  # HiGHS's own default for mip_max_nodes
WITH_VALUES = (SolveStatus.OPTIMAL, SolveStatus.WORK_LIMIT)


class InProcessHighs:
    """One HiGHS object holding one problem, solved under each :class:`Setting` in turn."""

    def __init__(self, problem: SelectionProblem, time_limit: float) -> None:
        self._n = len(problem.candidates)
        self._columns = problem.n_columns
        self._problem_rows = len(problem.rows)
        self._senses = [row.sense for row in problem.rows]
        self._rhs = tuple(row.rhs for row in problem.rows)
        self._time_limit = float(time_limit)
        self._matrix = _Matrix.of(problem)
        self._last_cost: tuple[Sequence[int], Any] | None = None

    def name(self) -> str:
        return "HiGHS"

    def version(self) -> str:
        return f"HiGHS {self._new_highs().version()} (in-process, highspy)"

    @cached_property
    def _highs(self) -> _InPlace:
        """The whole model, changed in place between solves; made on the first such solve.

        Very wide models may never need it (their solves sift or use reduced models), and
        at 100,000 applications it costs a second and a hundred megabytes.
        """
        return self._in_place(integer=True)

    @cached_property
    def _lp_highs(self) -> _InPlace:
        """A second whole model for linear relaxations (models up to SIFT_ABOVE columns).

        An integer solve between two relaxations left the one model without the simplex
        basis the next relaxation could start from (its columns' kind switched twice): at
        1,000 applications a relaxation took 10 ms that way, and every explained re-solve
        starts with one.
        """
        return self._in_place(integer=False)

    def _in_place(self, *, integer: bool) -> _InPlace:
        highs = self._new_highs()
        everything = np.arange(self._columns)
        highs.passModel(self._matrix.rows.model(everything, frozenset(), np.zeros(self._columns),
                                                integer=integer))
        return _InPlace(highs, self._n, self._columns, self._problem_rows, self._senses,
                        self._rhs, integer)

    def solve(self, setting: Setting) -> Outcome:
        try:
            return self._solve(setting)
        except (RuntimeError, ValueError, IndexError, TypeError) as exc:  # highspy's errors
            raise BackendFailure(str(exc)) from exc

    def _new_highs(self) -> Any:
        with stdout_silenced():  # the banner, printed when the first Highs object is made
            # Typed loosely: highspy's stubs lack some of the methods used here.
            highs: Any = highspy.Highs()  # type: ignore[no-untyped-call]
        for option, value in (("output_flag", False), ("mip_rel_gap", 0.0), ("mip_abs_gap", 0.0),
                              ("threads", 1), ("time_limit", self._time_limit)):
            highs.setOptionValue(option, value)
        return highs

    def _solve(self, setting: Setting) -> Outcome:
        free = self._columns - len(setting.fixed_in | setting.fixed_out)
        # Whatever the width: at 1,000 applications the decision with its explanations took
        # 3.4-3.7 s of CPU with integer solves in place, 1.8-2.1 s with reduced models.
        if setting.mip and 0 < free < REDUCE_BELOW * self._columns:
            return self._solve_reduced(setting)
        if not setting.mip and self._columns > SIFT_ABOVE:
            return self._sift(setting)
        return self._solve_in_place(setting)

    def _solve_in_place(self, setting: Setting) -> Outcome:
        wide = self._columns > SIFT_ABOVE  # a relaxation here only when sifting stalled
        place = self._highs if setting.mip or wide else self._lp_highs
        highs = place.highs
        cost = self._cost(setting)
        highs.changeColsCost(self._columns, np.arange(self._columns, dtype=np.int32), cost)
        place.fix(setting.fixed_in, setting.fixed_out)
        place.set_rhs(setting.rhs)
        place.set_extra_rows(setting.floor_coefficients, setting.floor, setting.cuts)
        place.set_integrality(setting.mip)
        if setting.start is not None:
            highs.setSolution(self._columns, np.arange(self._columns, dtype=np.int32),
                              np.asarray(setting.start, dtype=float))
        status = run_highs(highs, setting.max_nodes)
        if status not in WITH_VALUES:
            return Outcome(status)
        solution = highs.getSolution()
        costs = () if setting.mip else list(solution.col_dual)
        return Outcome(status, list(solution.col_value), costs)

    # -- models of some columns only ------------------------------------------------------

    def _solve_reduced(self, setting: Setting) -> Outcome:
        """An integer solve on a fresh model of the columns that ``setting`` leaves free."""
        free = self._free_columns(setting)
        highs = self._new_highs()
        highs.passModel(self._matrix.reduced_model(setting, free, self._cost(setting)))
        if setting.start is not None:
            start = np.asarray(setting.start, dtype=float)[free]
            highs.setSolution(len(free), np.arange(len(free), dtype=np.int32), start)
        status = run_highs(highs, setting.max_nodes)
        if status not in WITH_VALUES:
            return Outcome(status)
        return Outcome(status, self._values(setting, free, highs.getSolution().col_value))

    def _sift(self, setting: Setting) -> Outcome:
        """The linear relaxation by sifting (module docstring); the whole one if it stalls."""
        rows = self._matrix.with_extra_rows(setting)
        free = self._free_columns(setting)
        cost = self._cost(setting)
        size = max(SIFT_START, self._columns // 10)
        candidates = free[free < self._n]
        best_first = candidates[np.argsort(-cost[candidates], kind="stable")]
        in_working = np.zeros(self._columns, dtype=bool)  # sets of columns as masks
        in_working[best_first[:size]] = True
        in_working[free[free >= self._n]] = True  # every indicator
        for _ in range(SIFT_ROUNDS):
            working = np.flatnonzero(in_working)
            highs = self._new_highs()
            highs.passModel(self._matrix.reduced_model(setting, working, cost, integer=False))
            status = run_highs(highs)
            if status is not SolveStatus.OPTIMAL:
                break  # infeasible on the working set says nothing of the whole: solve it
            solution = highs.getSolution()
            reduced = cost - rows.priced(np.asarray(solution.row_dual))
            outside = free[~in_working[free]]
            improving = outside[reduced[outside] > PRICE_TOLERANCE]
            if not len(improving):
                values = self._values(setting, working, solution.col_value)
                return Outcome(status, values, reduced.tolist())
            order = np.argsort(-reduced[improving], kind="stable")
            in_working[improving[order][:size]] = True
        return self._solve_in_place(setting)

    def _free_columns(self, setting: Setting) -> Any:
        free = np.ones(self._columns, dtype=bool)
        free[list(setting.fixed_in | setting.fixed_out)] = False
        return np.flatnonzero(free)

    def _cost(self, setting: Setting) -> Any:
        """The objective over every column, read-only (kept for the next solve of the same
        objective: a run solves the scores and the priorities again and again)."""
        if self._last_cost is not None and self._last_cost[0] is setting.objective:
            return self._last_cost[1]
        cost = np.zeros(self._columns)
        cost[: self._n] = setting.objective
        cost.flags.writeable = False
        self._last_cost = (setting.objective, cost)
        return cost

    def _values(self, setting: Setting, columns: Any, found: Sequence[float]) -> list[float]:
        """Every column's value: ``found`` for ``columns``, 1 if fixed in, else 0."""
        values = np.zeros(self._columns)
        values[list(setting.fixed_in)] = 1.0
        values[columns] = np.asarray(found)
        return values.tolist()

class _InPlace:
    """One HiGHS object holding the whole model, and what was last applied to it (so that
    a solve changes only what differs from the one before)."""

    def __init__(self, highs: Any, candidates: int, columns: int, problem_rows: int,
                 senses: Sequence[Sense], rhs: tuple[int, ...], integer: bool) -> None:
        self.highs = highs
        self._n = candidates
        self._columns = columns
        self._problem_rows = problem_rows
        self._senses = senses
        self.rhs = rhs
        self.fixed: tuple[frozenset[int], frozenset[int]] = (frozenset(), frozenset())
        self.floor_coefficients: Sequence[int] | None = None
        self.cuts: Cuts = ()
        self.integer = integer

    def fix(self, fixed_in: frozenset[int], fixed_out: frozenset[int]) -> None:
        was_in, was_out = self.fixed
        changed = sorted((was_in ^ fixed_in) | (was_out ^ fixed_out))
        if changed:
            lower = [1.0 if i in fixed_in else 0.0 for i in changed]
            upper = [0.0 if i in fixed_out else 1.0 for i in changed]
            self.highs.changeColsBounds(len(changed), np.array(changed, dtype=np.int32),
                                        np.array(lower), np.array(upper))
        self.fixed = (fixed_in, fixed_out)

    def set_rhs(self, rhs: tuple[int, ...]) -> None:
        changed = [i for i, (new, old) in enumerate(zip(rhs, self.rhs, strict=True))
                   if new != old]
        if changed:
            bounds = [_row_bounds(self._senses[i], rhs[i]) for i in changed]
            self.highs.changeRowsBounds(len(changed), np.array(changed, dtype=np.int32),
                                        np.array([low for low, _ in bounds]),
                                        np.array([high for _, high in bounds]))
        self.rhs = rhs

    def set_extra_rows(self, coefficients: Sequence[int], floor: int, cuts: Cuts) -> None:
        """The floor row, then one row per cut, after the problem's own rows.

        Rows are deleted and added again only when their coefficients change (another set
        of scores or of cuts); a new floor is only a new bound.
        """
        highs = self.highs
        if coefficients is not self.floor_coefficients or cuts != self.cuts:
            extra = highs.getNumRow() - self._problem_rows
            if extra:
                highs.deleteRows(extra, np.arange(self._problem_rows, self._problem_rows + extra,
                                                  dtype=np.int32))
            self._add_row(range(self._n), coefficients, Sense.GE, floor)
            for portfolio, swaps in cuts:
                self._add_row(portfolio, [1] * len(portfolio), Sense.LE, len(portfolio) - swaps)
            self.floor_coefficients, self.cuts = coefficients, cuts
        low, high = _row_bounds(Sense.GE, floor)
        highs.changeRowBounds(self._problem_rows, low, high)

    def _add_row(self, columns: Sequence[int], coefficients: Sequence[int], sense: Sense,
                 rhs: int) -> None:
        low, high = _row_bounds(sense, rhs)
        self.highs.addRow(low, high, len(columns), np.asarray(columns, dtype=np.int32),
                          np.asarray(coefficients, dtype=float))

    def set_integrality(self, mip: bool) -> None:
        if mip != self.integer:
            kind = highspy.HighsVarType.kInteger if mip else highspy.HighsVarType.kContinuous
            self.highs.changeColsIntegrality(
                self._columns, np.arange(self._columns, dtype=np.int32),
                np.full(self._columns, int(kind), dtype=np.uint8))
            self.integer = mip


def _row_bounds(sense: Sense, rhs: int) -> tuple[float, float]:
    return (-INFINITY, float(rhs)) if sense is Sense.LE else (float(rhs), INFINITY)


@dataclass(frozen=True)
class _Rows:
    """Rows in compressed form: entry k is ``value[k]`` at (``row_of[k]``, ``index[k]``)."""

    index: Any  # column of each entry (int32)
    value: Any  # coefficient of each entry
    row_of: Any  # row of each entry
    lower: Any  # each row's bounds
    upper: Any
    columns: int

    def priced(self, duals: Any) -> Any:
        """y A_j for every column j (the row duals ``y`` times each column)."""
        return np.bincount(self.index, weights=self.value * duals[self.row_of],
                           minlength=self.columns)

    def model(self, columns: Any, ones: frozenset[int], cost: Any, *, integer: bool) -> Any:
        """A HighsLp of ``columns`` (ascending) alone; ``ones`` held at 1, folded into bounds.

        Every other column is held at 0 and simply left out.
        """
        position = _positions(columns, self.columns)
        return _lp([self.part(position, _held(ones, self.columns))], columns, cost,
                   integer=integer)

    def part(self, position: Any, held: Any) -> _Part:
        """These rows restricted to the columns with a ``position``, ``held`` ones folded in.

        One pass over every entry: for small rows (the floor and cut rows; whole models).
        """
        rows = len(self.lower)
        kept = position[self.index] >= 0
        at_one = held[self.index]
        shift = np.bincount(self.row_of[at_one], weights=self.value[at_one], minlength=rows)
        return _Part(np.bincount(self.row_of[kept], minlength=rows),
                     position[self.index[kept]], self.value[kept],
                     self.lower - shift, self.upper - shift)


@dataclass(frozen=True)
class _Part:
    """Some rows restricted to some columns, as a HighsLp takes them."""

    lengths: Any  # entries kept in each row
    index: Any  # their columns' positions in the model
    value: Any
    lower: Any  # each row's bounds less the share of the columns held at 1
    upper: Any


def _positions(columns: Any, width: int) -> Any:
    """Each column's position among ``columns`` (ascending), -1 for every other."""
    position = np.full(width, -1)
    position[columns] = np.arange(len(columns))
    return position


def _held(ones: frozenset[int], width: int) -> Any:
    held = np.zeros(width, dtype=bool)
    held[list(ones)] = True
    return held


def _lp(parts: Sequence[_Part], columns: Any, cost: Any, *, integer: bool) -> Any:
    """A HighsLp of ``columns`` alone (maximised), with the rows of ``parts`` in order."""
    lengths = np.concatenate([part.lengths for part in parts])
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = len(columns), len(lengths)
    lp.sense_ = highspy.ObjSense.kMaximize
    lp.col_cost_ = cost[columns]
    lp.col_lower_, lp.col_upper_ = np.zeros(len(columns)), np.ones(len(columns))
    lp.row_lower_ = np.concatenate([part.lower for part in parts])
    lp.row_upper_ = np.concatenate([part.upper for part in parts])
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.start_ = np.concatenate(([0], np.cumsum(lengths))).astype(np.int32)
    lp.a_matrix_.index_ = np.concatenate([part.index for part in parts]).astype(np.int32)
    lp.a_matrix_.value_ = np.concatenate([part.value for part in parts])
    if integer:
        lp.integrality_ = [highspy.HighsVarType.kInteger] * len(columns)
    return lp


@dataclass(frozen=True)
class _Matrix:
    """The problem's own rows as arrays, kept for models of some columns only."""

    rows: _Rows
    senses: tuple[Sense, ...]
    candidates: int
    # The last floor coefficients as arrays, with the sequence they came from (_floor_row).
    _floor: tuple[Sequence[int], Any, Any] | None = field(default=None, compare=False)

    @classmethod
    def of(cls, problem: SelectionProblem) -> _Matrix:
        lengths = [len(row.terms) for row in problem.rows]
        index = np.concatenate([np.zeros(0, dtype=np.int64), *(
            np.fromiter(map(_COLUMN, row.terms), dtype=np.int64, count=len(row.terms))
            for row in problem.rows)])
        value = np.concatenate([np.zeros(0), *(
            np.fromiter(map(_COEFFICIENT, row.terms), dtype=float, count=len(row.terms))
            for row in problem.rows)])
        bounds = [_row_bounds(row.sense, row.rhs) for row in problem.rows]
        rows = _Rows(index, value, np.repeat(np.arange(len(lengths)), lengths),
                     np.array([low for low, _ in bounds]), np.array([high for _, high in bounds]),
                     problem.n_columns)
        return cls(rows, tuple(row.sense for row in problem.rows), len(problem.candidates))

    def with_extra_rows(self, setting: Setting) -> _Rows:
        """The rows under ``setting``: its right-hand sides, then the floor and cut rows."""
        own, extra = self.rows, self.extra_rows(setting)
        lower, upper = self.own_bounds(setting)
        return _Rows(np.concatenate([own.index, extra.index]),
                     np.concatenate([own.value, extra.value]),
                     np.concatenate([own.row_of, extra.row_of + len(self.senses)]),
                     np.concatenate([lower, extra.lower]), np.concatenate([upper, extra.upper]),
                     own.columns)

    def own_bounds(self, setting: Setting) -> tuple[Any, Any]:
        """The problem's own rows' bounds under ``setting``'s right-hand sides."""
        bounds = [_row_bounds(sense, rhs) for sense, rhs in zip(self.senses, setting.rhs,
                                                                 strict=True)]
        return np.array([low for low, _ in bounds]), np.array([high for _, high in bounds])

    def extra_rows(self, setting: Setting) -> _Rows:
        """The floor row, then one row per cut, numbered from 0."""
        floor_index, floor_value = self._floor_row(setting.floor_coefficients)
        cuts = [(np.array(portfolio, dtype=np.int64), Sense.LE, len(portfolio) - swaps)
                for portfolio, swaps in setting.cuts]
        bounds = [_row_bounds(Sense.GE, setting.floor)]
        bounds += [_row_bounds(sense, rhs) for _, sense, rhs in cuts]
        return _Rows(
            np.concatenate([floor_index, *(cols for cols, *_ in cuts)]),
            np.concatenate([floor_value, *(np.ones(len(cols)) for cols, *_ in cuts)]),
            np.concatenate([np.zeros(len(floor_index), dtype=np.int64),
                            *(np.full(len(cols), 1 + k) for k, (cols, *_) in enumerate(cuts))]),
            np.array([low for low, _ in bounds]), np.array([high for _, high in bounds]),
            self.rows.columns)

    def _floor_row(self, coefficients: Sequence[int]) -> tuple[Any, Any]:
        # The same scores come with every solve of a run: made into arrays once for them.
        cached = self._floor
        if cached is None or cached[0] is not coefficients:
            cached = (coefficients, np.arange(self.candidates, dtype=np.int64),
                      np.array(coefficients, dtype=float))
            object.__setattr__(self, "_floor", cached)
        return cached[1], cached[2]

    def reduced_model(self, setting: Setting, columns: Any, cost: Any, *,
                      integer: bool = True) -> Any:
        """``_Rows.model`` of ``with_extra_rows(setting)`` for ``columns`` (ascending), the
        same HighsLp, made from the entries of those and the held columns alone.

        Reduced models hold most columns fixed: at 100,000 applications a few hundred free
        columns and some thousands at 1 have a few hundred thousand of the two million
        entries, and a pass over every entry was most of the cost of making the model.
        """
        own = self.rows
        lower, upper = self.own_bounds(setting)
        position = _positions(columns, own.columns)
        kept = self._entries(columns)
        held = self._entries(np.fromiter(setting.fixed_in, dtype=np.int64,
                                         count=len(setting.fixed_in)))
        shift = np.bincount(own.row_of[held], weights=own.value[held], minlength=len(lower))
        mine = _Part(np.bincount(own.row_of[kept], minlength=len(lower)),
                     position[own.index[kept]], own.value[kept], lower - shift, upper - shift)
        extra = self.extra_rows(setting).part(position, _held(setting.fixed_in, own.columns))
        return _lp([mine, extra], columns, cost, integer=integer)

    @cached_property
    def _by_column(self) -> tuple[Any, Any]:
        """Entry numbers in column order (row order within a column); each column's first."""
        index = self.rows.index
        order = np.argsort(index, kind="stable")
        counts = np.bincount(index, minlength=self.rows.columns)
        return order, np.concatenate(([0], np.cumsum(counts)))

    def _entries(self, columns: Any) -> Any:
        """The entry numbers of ``columns``, ascending: the rows' own order, as a mask keeps
        it (so that sums over them add in the same order, to the same floats)."""
        order, first = self._by_column
        starts, lengths = first[columns], first[columns + 1] - first[columns]
        offsets = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
        entries = order[offsets + np.arange(int(lengths.sum()))]
        entries.sort()
        return entries


def run_highs(highs: Any, max_nodes: int | None = None) -> SolveStatus:
    """Run ``highs`` (no node limit unless ``max_nodes``); its status, ERROR without values."""
    highs.setOptionValue("mip_max_nodes", NO_NODE_LIMIT if max_nodes is None else max_nodes)
    with stdout_silenced():
        highs.run()
        if highs.getModelStatus() == highspy.HighsModelStatus.kSolveError:
            # HiGHS 1.16's presolve can reduce a small MIP to nothing and then report
            # its own postsolved answer as violating a row ("untransformed violations",
            # a solve error); the same model solves without presolve.
            highs.setOptionValue("presolve", "off")
            highs.run()
            highs.setOptionValue("presolve", "choose")
    status = _STATUSES.get(highs.getModelStatus(), SolveStatus.ERROR)
    feasible = highs.getInfo().primal_solution_status == 2  # kSolutionStatusFeasible
    if status in (SolveStatus.OPTIMAL, SolveStatus.WORK_LIMIT) and not feasible:
        return SolveStatus.ERROR
    return status
