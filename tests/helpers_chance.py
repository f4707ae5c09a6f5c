"""Independent references for the chance tests: every rule-keeping portfolio by enumeration,
and the leximin lottery over them by the textbook method (no duals, another solver).

The reference leximin solves, per stage, ``max z`` over lotteries of *every* portfolio, then
asks of each free member whether any optimal lottery gives it more than z (one LP each);
those that cannot get more are fixed at z. PuLP's CBC solves these LPs, not HiGHS.
"""

from __future__ import annotations

import warnings
from itertools import combinations

import pulp

from pine_select.selection.problem import SelectionProblem

TOLERANCE = 1e-7


def rule_keeping(problem: SelectionProblem, held_in: frozenset[int] = frozenset(),
                 held_out: frozenset[int] = frozenset()) -> list[frozenset[int]]:
    """Every portfolio (candidate columns) that keeps every row, by enumeration.

    An indicator column of a distinct rule is set to 1 whenever one of its members is
    chosen: the most a portfolio can count, so a portfolio is feasible iff it holds then.
    """
    n = len(problem.candidates)
    members = _indicator_members(problem)
    found = []
    for size in range(n + 1):
        for chosen in combinations(range(n), size):
            picked = frozenset(chosen)
            if held_in <= picked and not picked & held_out:
                values = {i: 1 for i in picked}
                values.update({col: 1 for col, m in members.items() if m & picked})
                if all(row.holds(values) for row in problem.rows):
                    found.append(picked)
    return found


def _indicator_members(problem: SelectionProblem) -> dict[int, frozenset[int]]:
    n = len(problem.candidates)
    members: dict[int, frozenset[int]] = {}
    for row in problem.rows:
        indicator = [col for col, coef in row.terms if col >= n and coef == 1]
        if len(indicator) == 1 and all(coef == -1 for col, coef in row.terms if col < n):
            members[indicator[0]] = frozenset(col for col, _ in row.terms if col < n)
    return members


def reference_leximin(portfolios: list[frozenset[int]], zone: list[int]) -> dict[int, float]:
    fixed: dict[int, float] = {}
    while len(fixed) < len(zone):
        free = [i for i in zone if i not in fixed]
        best = _stage(portfolios, fixed, free, None)
        for i in free:
            if _stage(portfolios, fixed, free, (i, best)) <= best + TOLERANCE:
                fixed[i] = best
        if not any(i in fixed for i in free):  # numerically stuck: should never happen
            raise AssertionError("the reference leximin made no progress")
    return fixed


def _stage(portfolios: list[frozenset[int]], fixed: dict[int, float], free: list[int],
           raise_one: tuple[int, float] | None) -> float:
    """max z (or, with ``raise_one = (i, z*)``, max P(i) with every free member >= z*)."""
    lp = pulp.LpProblem("stage", pulp.LpMaximize)
    x = [lp.add_variable(f"x{k}", 0, None) for k in range(len(portfolios))]
    z = lp.add_variable("z", None, None)
    lp += pulp.lpSum(x) == 1

    def p(i: int) -> pulp.LpAffineExpression:
        return pulp.lpSum(x[k] for k, port in enumerate(portfolios) if i in port)

    for i, value in fixed.items():
        lp += p(i) >= value - 1e-9
    if raise_one is None:
        lp += z
        for i in free:
            lp += p(i) >= z
    else:
        target, level = raise_one
        lp += p(target)
        for i in free:
            lp += p(i) >= level - 1e-9
    with warnings.catch_warnings():  # PuLP 3 warns that the bundled CBC goes in PuLP 4
        warnings.filterwarnings("ignore", message="PULP_CBC_CMD is deprecated",
                                category=DeprecationWarning)
        lp.solve(pulp.PULP_CBC_CMD(msg=False))
    assert pulp.LpStatus[lp.status] == "Optimal"
    value = pulp.value(lp.objective)  # None: a member in no portfolio (objective 0)
    return float(value or 0.0)
