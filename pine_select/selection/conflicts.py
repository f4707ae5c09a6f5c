"""When the rules cannot all hold: a minimal conflicting set and the smallest relaxations.

**Minimal set** (a deletion filter over groups of rows): start from every group (size,
budget, each balance rule, each override), in the problem's order. For each group in turn,
switch it off together with those already discarded; if the rest is still infeasible the
group is not needed to explain the conflict and stays discarded, otherwise it is kept.
What is kept cannot hold together, and dropping any one of it makes the rest feasible
(an irreducible set; one such set, the first in the problem's order of groups).

**Relaxations**: for each group of the minimal set, alone and with every other rule in
force, the smallest move of *one* of its bounds that makes the problem feasible. The
budget is raised to the cost of the cheapest feasible portfolio. A size first lowers its
minimum alone, then (if that is not enough) raises its maximum alone; a rule moves each of
its bounds alone in the order at_least, at_most, share_at_least, share_at_most,
distinct_at_least, and all of them together only if none is enough alone. Counts, distinct
counts and size move one application per step, shares by one application per step; the
search is capped where moving further changes nothing (the number of candidates), found by
bisection (feasibility only grows with the step). An override can only be dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from pine_select.errors import SolverError
from pine_select.selection.optimiser import BASE, Optimiser, Scenario, SolveStatus
from pine_select.selection.problem import BUDGET, SIZE, SelectionProblem
from pine_select.selection.result import Relaxation


def minimal_conflict(optimiser: Optimiser) -> tuple[str, ...]:
    """An irreducible set of groups that cannot hold together (deletion filter).

    Raises SolverError when the solver calls the problem infeasible yet no group can be
    blamed (without every group any empty portfolio is feasible): numerical trouble.
    """
    dropped: list[str] = []
    for group in optimiser.problem.groups:
        status = _status(optimiser, BASE.also(without=[*dropped, group]))
        if status is SolveStatus.INFEASIBLE:
            dropped.append(group)
    conflict = tuple(g for g in optimiser.problem.groups if g not in dropped)
    if not conflict:
        raise SolverError("numerical trouble: the solver finds no portfolio, but no rule can "
                          "be blamed (it finds none even without every rule); "
                          f"{optimiser.what_to_try()}")
    return conflict


def relaxations(optimiser: Optimiser, conflict: tuple[str, ...]) -> tuple[Relaxation, ...]:
    """For each conflicting group, the smallest move that alone makes the problem feasible."""
    found = [_relax(optimiser, group) for group in conflict]
    return tuple(sorted(found, key=lambda r: (r.steps is None, r.steps or 0)))


@dataclass(frozen=True)
class _Move:
    """Loosening some bounds of one group together, up to ``limit`` steps."""

    group: str
    bounds: tuple[str, ...]  # Row.bound values moved together
    limit: int  # beyond this many steps nothing more becomes possible

    def scenario(self, steps: int) -> Scenario:
        return Scenario(loosen=tuple((self.group, bound, steps) for bound in self.bounds))


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
    for move in _moves(problem, group):
        steps = _smallest_feasible_step(optimiser, move)
        if steps is not None:
            return _relaxation(problem, move, steps)
    return Relaxation(group, f"relaxing {group} alone is not enough", None)


def _relax_budget(optimiser: Optimiser) -> Relaxation:
    problem = optimiser.problem
    budget = problem.budget or 0
    cheapest = optimiser.min_cost(BASE.also(without=[BUDGET]))
    if not cheapest.optimal:
        return Relaxation(BUDGET, "raising the budget alone is not enough", None)
    needed = sum(problem.candidates[i].amount for i in cheapest.chosen)
    words = f"raise the budget from £{budget:,} to £{needed:,} (+£{needed - budget:,})"
    weights = problem.cost_weights()
    capped = [problem.candidates[i].id for i in cheapest.chosen
              if weights[i] != problem.candidates[i].amount]
    if capped:
        # Only when every feasible portfolio needs such an application: the raise is
        # enough, but which of them is cheapest was not compared exactly.
        words += (f"; check the requested amount of {', '.join(capped)}: more than every "
                  "affordable application together")
    return Relaxation(BUDGET, words, needed - budget)


def _moves(problem: SelectionProblem, group: str) -> list[_Move]:
    """The moves to try for a size or balance rule, in order; the first that works wins."""
    n = len(problem.candidates)
    if group == SIZE:
        moves = []
        for row in problem.rows_of(SIZE):
            if row.bound == "min":  # lower the minimum, down to 0
                moves.append(_Move(SIZE, ("min",), row.rhs))
            elif row.bound == "max":  # raise the maximum, up to every candidate
                moves.append(_Move(SIZE, ("max",), max(n - row.rhs, 0)))
        return sorted(moves, key=lambda m: m.bounds != ("min",))
    rule = next(r for r in problem.rules if r.name == group)
    alone = [_Move(group, (kind,), _limit(kind, value, n))
             for kind, value in rule.bounds().items()]
    if len(alone) > 1:
        alone.append(_Move(group, tuple(m.bounds[0] for m in alone),
                           max(m.limit for m in alone)))
    return alone


def _limit(kind: str, value: int | Fraction, n: int) -> int:
    if kind in ("at_least", "distinct_at_least"):
        return int(value)  # down to 0
    if kind == "at_most":
        return max(n - int(value), 0)  # up to every candidate
    return n  # a share: one application per step, n at most


def _smallest_feasible_step(optimiser: Optimiser, move: _Move) -> int | None:
    def feasible(steps: int) -> bool:
        return _status(optimiser, move.scenario(steps)) is SolveStatus.OPTIMAL

    if move.limit <= 0 or not feasible(move.limit):
        return None
    low, high = 0, move.limit  # infeasible at low, feasible at high
    while high - low > 1:
        middle = (low + high) // 2
        if feasible(middle):
            high = middle
        else:
            low = middle
    return high


def _relaxation(problem: SelectionProblem, move: _Move, steps: int) -> Relaxation:
    if move.group != SIZE:
        return Relaxation(move.group, _rule_words(problem, move, steps), steps)
    (row,) = (r for r in problem.rows_of(SIZE) if r.bound == move.bounds[0])
    # The smallest move, so every size between the old bound and the new one is impossible:
    # the new bound is the only size that works. Steps count from the bound as stated (the
    # row's own right-hand side may have been clamped to the number of candidates + 1).
    now = _size_words(problem)
    if row.bound == "min":
        new = row.rhs - steps
        return Relaxation(SIZE, f"choose at most {new} (now {now})", row.stated_rhs - new)
    new = row.rhs + steps
    return Relaxation(SIZE, f"choose at least {new} (now {now})", new - row.stated_rhs)


def _rule_words(problem: SelectionProblem, move: _Move, steps: int) -> str:
    rule = next(r for r in problem.rules if r.name == move.group)
    n = len(problem.candidates)
    bounds = rule.bounds()
    moves = []
    for kind in move.bounds:
        value = bounds[kind]
        if kind in ("at_least", "distinct_at_least"):
            moves.append(f"lower {kind} from {value} to {max(int(value) - steps, 0)}")
        elif kind == "at_most":
            moves.append(f"raise at_most from {value} to {min(int(value) + steps, n)}")
        elif kind == "share_at_least":
            moves.append(f"allow {steps} fewer than share_at_least={value} asks")
        else:
            moves.append(f"allow {steps} more than share_at_most={value} allows")
    return f"{move.group}: " + " and ".join(moves)


def _size_words(problem: SelectionProblem) -> str:
    low, high = problem.size_range
    if high == low:
        return f"exactly {low}"
    return f"{low} to {high}" if high is not None else f"at least {low}"


def _status(optimiser: Optimiser, scenario: Scenario) -> SolveStatus:
    status = optimiser.feasible(scenario)
    if status not in (SolveStatus.OPTIMAL, SolveStatus.INFEASIBLE):
        raise SolverError(f"the solver stopped ({status}) while looking for conflicting rules; "
                          f"{optimiser.what_to_try()}")
    return status


@dataclass(frozen=True)
class Diagnosis:
    conflict: tuple[str, ...]
    relaxations: tuple[Relaxation, ...]


def diagnose(optimiser: Optimiser) -> Diagnosis:
    conflict = minimal_conflict(optimiser)
    return Diagnosis(conflict, relaxations(optimiser, conflict))
