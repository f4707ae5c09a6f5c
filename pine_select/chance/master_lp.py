"""The lottery's linear programs over portfolios, solved by HiGHS (the one highspy module
of ``chance``; the selection's own models stay in ``selection/highs_backend``).

Portfolios are given as sets of *zone positions* (0..k-1, the zone in id order). Two LPs:

- :func:`dual_stage`: the dual of one leximin stage over the portfolios found so far
  (Flanigan et al., Nature 2021, Methods)::

      minimise  c - sum_{i fixed} p_i * y_i
      s.t.      sum_{i in P} y_i <= c          for every portfolio P found so far
                sum_{i not fixed} y_i = 1,     y >= 0, c >= 0

  Its optimum is the largest smallest probability of the members not yet fixed, over
  lotteries of these portfolios that give each fixed member at least p_i. The y are what
  the pricing problem maximises over every rule-keeping portfolio: one with
  ``sum y_i > c`` is a new column. Solved by the interior point method without crossover
  and without presolve, so the duals are strictly complementary in practice (a centre of
  the optimal face): every member whose y_i is clearly positive is held at the optimum in
  *every* optimal lottery, and can be fixed at once (often many per stage).
- :func:`mixture`: probabilities of the portfolios that give every member its fixed
  probability (the smallest shortfall), by the simplex method: a vertex, so at most
  k + 1 portfolios carry probability.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import highspy
import numpy as np

from pine_select.errors import SolverError
from pine_select.selection.backend import stdout_silenced

INFINITY = highspy.kHighsInf
LP_TIME_LIMIT = 120.0


@dataclass(frozen=True)
class StageAnswer:
    """One stage's dual optimum: a weight per zone member, the cap c and the objective."""

    weights: tuple[float, ...]
    cap: float
    value: float


@dataclass(frozen=True)
class _Row:
    columns: tuple[int, ...]
    values: tuple[float, ...]
    lower: float
    upper: float


def dual_stage(portfolios: Sequence[frozenset[int]], zone_size: int,
               fixed: Mapping[int, float]) -> StageAnswer | None:
    """The stage's dual optimum; None when it is unbounded (the fixed probabilities cannot
    all be met by these portfolios: floating-point drift, the caller relaxes them)."""
    cap = zone_size  # the column of c, after the y
    rows = [_Row((*sorted(p), cap), (1.0,) * len(p) + (-1.0,), -INFINITY, 0.0)
            for p in portfolios]
    free = tuple(i for i in range(zone_size) if i not in fixed)
    rows.append(_Row(free, (1.0,) * len(free), 1.0, 1.0))
    cost = np.zeros(zone_size + 1)
    cost[cap] = 1.0
    for i, p in fixed.items():
        cost[i] = -p
    model = _model(cost, rows, upper=np.full(zone_size + 1, INFINITY), maximise=False)
    highs = _highs(interior=True)
    highs.passModel(model)
    status = _run(highs)
    if status == highspy.HighsModelStatus.kUnknown:
        # The interior point method stopped short of its tolerances: the simplex method
        # instead. Its duals are a vertex, still optimal, so fixing stays right; it just
        # fixes fewer members per stage.
        highs = _highs(interior=False)
        highs.passModel(model)
        status = _run(highs)
    if status in (highspy.HighsModelStatus.kUnbounded,
                  highspy.HighsModelStatus.kUnboundedOrInfeasible):
        return None
    _check(status, "a leximin stage")
    values = list(highs.getSolution().col_value)
    objective = highs.getInfo().objective_function_value
    return StageAnswer(tuple(values[:zone_size]), values[cap], objective)


def mixture(portfolios: Sequence[frozenset[int]], targets: Sequence[float]) -> list[float]:
    """Probabilities of ``portfolios`` (summing to 1) meeting every target as closely as
    possible (the largest shortfall is minimised; it is floating-point noise at a leximin
    optimum)."""
    m = len(portfolios)
    shortfall = m  # the column of the shortfall, after the portfolios
    rows = [_Row(tuple(range(m)), (1.0,) * m, 1.0, 1.0)]
    for i, target in enumerate(targets):
        holding = tuple(k for k, p in enumerate(portfolios) if i in p)
        rows.append(_Row((*holding, shortfall), (1.0,) * (len(holding) + 1), target, INFINITY))
    cost = np.zeros(m + 1)
    cost[shortfall] = 1.0
    upper = np.ones(m + 1)
    upper[shortfall] = INFINITY
    highs = _highs(interior=False)
    highs.passModel(_model(cost, rows, upper=upper, maximise=False))
    _check(_run(highs), "the lottery's final distribution")
    values = np.clip(np.asarray(highs.getSolution().col_value[:m]), 0.0, 1.0)
    total = float(values.sum())
    return [float(v) / total for v in values]


def _highs(*, interior: bool) -> Any:
    with stdout_silenced():  # the banner of the first Highs object
        highs: Any = highspy.Highs()  # type: ignore[no-untyped-call]
    options: list[tuple[str, Any]] = [("output_flag", False), ("threads", 1),
                                      ("time_limit", LP_TIME_LIMIT)]
    if interior:
        options += [("solver", "ipm"), ("run_crossover", "off"), ("presolve", "off")]
    for option, value in options:
        highs.setOptionValue(option, value)
    return highs


def _model(cost: Any, rows: Sequence[_Row], *, upper: Any, maximise: bool) -> Any:
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = len(cost), len(rows)
    lp.sense_ = highspy.ObjSense.kMaximize if maximise else highspy.ObjSense.kMinimize
    lp.col_cost_ = np.asarray(cost, dtype=float)
    lp.col_lower_, lp.col_upper_ = np.zeros(len(cost)), np.asarray(upper, dtype=float)
    lp.row_lower_ = np.array([r.lower for r in rows])
    lp.row_upper_ = np.array([r.upper for r in rows])
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lengths = [len(r.columns) for r in rows]
    lp.a_matrix_.start_ = np.concatenate(([0], np.cumsum(lengths))).astype(np.int32)
    lp.a_matrix_.index_ = np.array([c for r in rows for c in r.columns], dtype=np.int32)
    lp.a_matrix_.value_ = np.array([v for r in rows for v in r.values], dtype=float)
    return lp


def _run(highs: Any) -> Any:
    with stdout_silenced():
        highs.run()
    return highs.getModelStatus()


def _check(status: Any, what: str) -> None:
    if status != highspy.HighsModelStatus.kOptimal:
        raise SolverError(f"HiGHS could not solve {what} ({status}); the lottery needs an "
                          "optimal linear programme")
