"""When the rules cannot all hold: a minimal conflicting set and the smallest relaxations.

**Minimal set** (a deletion filter over groups of rows): start from every group (size,
budget, each balance rule, each override), in the problem's order. For each group in turn,
switch it off together with those already discarded; if the rest is still infeasible the
group is not needed to explain the conflict and stays discarded, otherwise it is kept.
What is kept cannot hold together, and dropping any one of it makes the rest feasible
(an irreducible set; one such set, the first in the problem's order of groups).

**Relaxations**: for each group of the minimal set, alone and with every other rule in
force, the smallest move of its bounds that makes the problem feasible: the budget is
raised to the cost of the cheapest feasible portfolio; counts, distinct counts and size
move one application per step (found by bisection: feasibility only grows with the step);
shares move by one application per step; an override can only be dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

from pine_select.errors import SolverError
from pine_select.selection.optimiser import BASE, Optimiser, Scenario, SolveStatus
from pine_select.selection.problem import BUDGET, SIZE, SelectionProblem, Sense
from pine_select.selection.result import Relaxation


def minimal_conflict(optimiser: Optimiser) -> tuple[str, ...]:
    """An irreducible set of groups that cannot hold together (deletion filter)."""
    dropped: list[str] = []
    for group in optimiser.problem.groups:
        status = _status(optimiser, BASE.also(without=[*dropped, group]))
        if status is SolveStatus.INFEASIBLE:
            dropped.append(group)
    return tuple(g for g in optimiser.problem.groups if g not in dropped)


def relaxations(optimiser: Optimiser, conflict: tuple[str, ...]) -> tuple[Relaxation, ...]:
    """For each conflicting group, the smallest move that alone makes the problem feasible."""
    found = [_relax(optimiser, group) for group in conflict]
    return tuple(sorted(found, key=lambda r: (r.steps is None, r.steps or 0)))


def _relax(optimiser: Optimiser, group: str) -> Relaxation:
    problem = optimiser.problem
    if group == BUDGET:
        return _relax_budget(optimiser)
    if group.startswith(("include ", "exclude ")):
        kind, app_id = group.split(" ", 1)
        feasible = _status(optimiser, BASE.also(without=[group])) is SolveStatus.OPTIMAL
        what = "inclusion" if kind == "include" else "exclusion"
        return Relaxation(group, f"drop the panel's {what} of {app_id}" if feasible
                          else f"dropping the {what} of {app_id} alone is not enough",
                          1 if feasible else None)
    limit = _largest_step(problem, group)
    steps = _smallest_feasible_step(optimiser, group, limit)
    if steps is None:
        return Relaxation(group, f"relaxing {group} alone is not enough", None)
    return Relaxation(group, _words(problem, group, steps), steps)


def _relax_budget(optimiser: Optimiser) -> Relaxation:
    budget = optimiser.problem.budget or 0
    cheapest = optimiser.min_cost(BASE.also(without=[BUDGET]))
    if not cheapest.optimal:
        return Relaxation(BUDGET, "raising the budget alone is not enough", None)
    needed = sum(optimiser.problem.candidates[i].amount for i in cheapest.chosen)
    return Relaxation(BUDGET, f"raise the budget from £{budget:,} to £{needed:,} "
                      f"(+£{needed - budget:,})", needed - budget)


def _largest_step(problem: SelectionProblem, group: str) -> int:
    """A step beyond which loosening this group changes nothing."""
    n = len(problem.candidates)
    rows = [row for row in problem.rows_of(group) if row.unit]
    return max((row.rhs if row.sense is Sense.GE and row.unit == 1 else n for row in rows),
               default=0)


def _smallest_feasible_step(optimiser: Optimiser, group: str, limit: int) -> int | None:
    def feasible(steps: int) -> bool:
        scenario = Scenario(loosen=((group, steps),))
        return _status(optimiser, scenario) is SolveStatus.OPTIMAL

    if limit <= 0 or not feasible(limit):
        return None
    low, high = 0, limit  # infeasible at low, feasible at high
    while high - low > 1:
        middle = (low + high) // 2
        if feasible(middle):
            high = middle
        else:
            low = middle
    return high


def _words(problem: SelectionProblem, group: str, steps: int) -> str:
    if group == SIZE:
        low, high = problem.size_range
        new_high = "" if high is None else f" and at most {high + steps}"
        return (f"allow a portfolio of at least {max(low - steps, 0)}{new_high} applications "
                f"(now {_size_words(problem)})")
    rule = next(r for r in problem.rules if r.name == group)
    moves = []
    if rule.at_least is not None:
        moves.append(f"lower at_least from {rule.at_least} to {max(rule.at_least - steps, 0)}")
    if rule.at_most is not None:
        moves.append(f"raise at_most from {rule.at_most} to {rule.at_most + steps}")
    if rule.share_at_least is not None:
        moves.append(f"allow {steps} fewer than share_at_least={rule.share_at_least} asks")
    if rule.share_at_most is not None:
        moves.append(f"allow {steps} more than share_at_most={rule.share_at_most} allows")
    if rule.distinct_at_least is not None:
        moves.append(f"lower distinct_at_least from {rule.distinct_at_least} to "
                     f"{max(rule.distinct_at_least - steps, 0)}")
    return f"{group}: " + " and ".join(moves)


def _size_words(problem: SelectionProblem) -> str:
    low, high = problem.size_range
    if high == low:
        return f"exactly {low}"
    return f"{low} to {high}" if high is not None else f"at least {low}"


def _status(optimiser: Optimiser, scenario: Scenario) -> SolveStatus:
    status = optimiser.feasible(scenario)
    if status not in (SolveStatus.OPTIMAL, SolveStatus.INFEASIBLE):
        raise SolverError(f"the solver stopped ({status}) while looking for conflicting rules")
    return status


@dataclass(frozen=True)
class Diagnosis:
    conflict: tuple[str, ...]
    relaxations: tuple[Relaxation, ...]


def diagnose(optimiser: Optimiser) -> Diagnosis:
    conflict = minimal_conflict(optimiser)
    return Diagnosis(conflict, relaxations(optimiser, conflict))
