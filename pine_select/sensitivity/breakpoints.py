"""Exact breakpoints of one criterion's weight: where the optimal portfolio changes.

With every other weight fixed, a portfolio P's value at weight w is the line
``A_P + w * n_P`` (see :mod:`~pine_select.sensitivity.matrix`), and the best value over all
feasible portfolios, ``g(w) = max_Q (A_Q + w * n_Q)``, is convex and piecewise linear. So
the weights at which P stays optimal form one interval, and its ends are found by a
Newton iteration on g (Dinkelbach's method), each step one solve of the same model with
only the objective changed:

* upper end: solve "at infinity" (maximise ``n_Q``, criterion j alone). If no portfolio
  has a larger ``n_Q`` than P, P stays optimal for every larger weight: no finite bound.
  Otherwise jump to the weight where that challenger's line crosses P's, solve there; if
  a portfolio is strictly better there, jump to where *its* line crosses P's (nearer),
  and repeat. When nothing beats P at the crossing, that crossing is the end, and the last
  challenger is the portfolio that is optimal just beyond it (it touches g at the end and
  at a point beyond, so by convexity it is optimal in between).
* lower end: the same from weight 0 (every other criterion alone).

Every comparison is done exactly on fractions; the solver only proposes challengers.
Each jump lands on a breakpoint of g, and g has finitely many: a few solves suffice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from pine_select.errors import SolverError
from pine_select.selection.optimiser import Optimiser, SolveStatus
from pine_select.sensitivity.matrix import line_value, whole_objective

MAX_JUMPS = 500  # never reached in practice; a guard against a solver answering wrongly

Portfolio = tuple[int, ...]


@dataclass(frozen=True)
class End:
    """One end of a portfolio's interval: the weight, and who is optimal beyond it."""

    bound: Fraction | None  # None: no finite bound (upper end only)
    beyond: Portfolio | None  # None when nothing beats the portfolio past this end


@dataclass(frozen=True)
class Step:
    """A breakpoint on a traced path: at ``weight`` the optimum turns into ``portfolio``."""

    weight: Fraction
    portfolio: Portfolio


class Parametric:
    """Criterion j's weight moving, every other weight fixed, on one re-used model."""

    def __init__(self, optimiser: Optimiser, rest: Sequence[Fraction], column: Sequence[int]):
        self.optimiser = optimiser
        self.rest = list(rest)
        self.column = list(column)
        # The optimum at a given weight does not depend on which portfolio asks: every
        # segment of a traced path starts with the same solve at 0 or without end.
        self._best: dict[Fraction | None, Portfolio] = {}

    def line(self, chosen: Portfolio) -> tuple[Fraction, int]:
        return line_value(chosen, self.rest, self.column)

    def best_at(self, weight: Fraction | None) -> Portfolio:
        """A portfolio of the highest value at ``weight`` (None: the weight without end)."""
        if weight not in self._best:
            self._best[weight] = self._solve_at(weight)
        return self._best[weight]

    def _solve_at(self, weight: Fraction | None) -> Portfolio:
        if weight is None:
            objective = list(self.column)
        else:
            objective = whole_objective([r + weight * c
                                         for r, c in zip(self.rest, self.column, strict=True)])
        # Ties broken by the lottery, as in the selection: which of several tied portfolios
        # is met decides who enters and leaves at a breakpoint, and must not be the solver's.
        solution = self.optimiser.best_with_scores(objective)
        if solution.status is not SolveStatus.OPTIMAL:
            raise SolverError(f"a sensitivity solve ended {solution.status}; expected optimal "
                              "(the portfolio itself is feasible)")
        return solution.chosen

    def upper_end(self, current: Portfolio) -> End:
        """Where ``current`` (optimal at some weight) stops being optimal going up."""
        _, n_p = self.line(current)
        challenger = self.best_at(None)
        _, n_q = self.line(challenger)
        if n_q <= n_p:
            return End(None, None)
        return self._converge(current, challenger)

    def lower_end(self, current: Portfolio) -> End:
        """Where ``current`` (optimal at some weight) stops being optimal going down to 0."""
        a_p, _ = self.line(current)
        challenger = self.best_at(Fraction(0))
        a_q, _ = self.line(challenger)
        if a_q <= a_p:
            return End(Fraction(0), None)
        return self._converge(current, challenger)

    def _converge(self, current: Portfolio, challenger: Portfolio) -> End:
        a_p, n_p = self.line(current)
        for _ in range(MAX_JUMPS):
            a_q, n_q = self.line(challenger)
            if n_q == n_p:
                raise SolverError("a challenger parallel to the portfolio beat it; the solver's "
                                  "answer is inconsistent")
            weight = (a_p - a_q) / (n_q - n_p)  # where the two lines cross
            better = self.best_at(weight)
            a_b, n_b = self.line(better)
            if a_b + weight * n_b <= a_p + weight * n_p:
                return End(weight, challenger)
            challenger = better
        raise SolverError(f"weight breakpoints did not converge in {MAX_JUMPS} solves")

    def trace(self, start: Portfolio, upward: bool, limit: int,
              watched: frozenset[int] = frozenset()) -> tuple[tuple[Step, ...], bool]:
        """The breakpoints met moving the weight one way from where ``start`` is optimal.

        Stops after ``limit`` breakpoints, at the end of the range (no finite bound, or 0),
        or once every ``watched`` candidate has changed place at least once. Also says
        whether the path was cut short by ``limit`` (True) rather than followed to its end
        or to the last change of a watched candidate.
        """
        steps: list[Step] = []
        current, pending = start, set(watched)
        inside = set(start)
        while len(steps) < limit:
            end = self.upper_end(current) if upward else self.lower_end(current)
            if end.bound is None or end.beyond is None:
                return tuple(steps), False
            steps.append(Step(end.bound, end.beyond))
            pending -= {i for i in pending if (i in end.beyond) != (i in inside)}
            if watched and not pending:
                return tuple(steps), False
            current = end.beyond
        return tuple(steps), True
