"""Each candidate's criterion scores as whole numbers, so any weights give exact totals.

With ``c_ij - scale.min = a_ij / L`` (one common denominator ``L`` for the whole call), the
total of SPEC 3 is ``total_i(w) = 100 * sum_j(w_j * a_ij) / (L * sum_j(w_j) * span)``: the
formula of ``scoring.totals`` (:func:`total_of`), which :meth:`ScoreMatrix.cents` calls.
For one criterion j moving, with the others fixed at sum ``S`` and
``A_i = sum_{k != j} w_k * a_ik``:

    total_i(w) = 100 * (A_i + w * a_ij) / (L * (S + w) * span)

The denominator is the same positive number for every application, so comparing two
portfolios at weight ``w`` compares ``sum(A_i) + w * sum(a_ij)``: a line in ``w``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction

from pine_select.model.rubric import Rubric, Scale
from pine_select.scoring.result import ScoreReport
from pine_select.scoring.rounding import to_cents
from pine_select.scoring.totals import total_of
from pine_select.selection.problem import SelectionProblem


@dataclass(frozen=True)
class ScoreMatrix:
    """``a[i][j]`` for candidate i (the problem's order) and criterion j (the rubric's)."""

    criteria: tuple[str, ...]
    ids: tuple[str, ...]
    a: tuple[tuple[int, ...], ...]
    denominator: int  # L
    scale: Scale

    @classmethod
    def of(cls, problem: SelectionProblem, report: ScoreReport, rubric: Rubric) -> ScoreMatrix:
        criteria = rubric.criterion_ids()
        scores = report.by_id()
        rows = [[_above_minimum(scores[c.id].criteria[j].score, rubric.scale) for j in criteria]
                for c in problem.candidates]
        common = math.lcm(1, *(n.denominator for row in rows for n in row))
        a = tuple(tuple(int(n * common) for n in row) for row in rows)
        return cls(criteria, tuple(c.id for c in problem.candidates), a, common, rubric.scale)

    def index(self, criterion: str) -> int:
        return self.criteria.index(criterion)

    def column(self, j: int) -> list[int]:
        return [row[j] for row in self.a]

    def rest(self, j: int, weights: Sequence[Fraction]) -> list[Fraction]:
        """``A_i``: each candidate's weighted sum over every criterion but j."""
        return [sum((w * x for k, (w, x) in enumerate(zip(weights, row, strict=True))
                     if k != j), Fraction(0)) for row in self.a]

    def cents(self, weights: Sequence[Fraction]) -> list[int]:
        """Every candidate's ``total_cents`` under ``weights`` (rubric order), as scoring does."""
        scale = math.lcm(*(w.denominator for w in weights))
        whole = [int(w * scale) for w in weights]
        weight_sum, common = sum(whole), self.denominator
        return [to_cents(total_of(sum(w * x for w, x in zip(whole, row, strict=True)), common,
                                  weight_sum, self.scale)) for row in self.a]


def _above_minimum(score: Fraction | None, scale: Scale) -> Fraction:
    if score is None:  # candidates always have every score; kept for the type checker
        raise ValueError("a candidate without a criterion score")
    return score - scale.min


def line_value(chosen: Iterable[int], rest: Sequence[Fraction], column: Sequence[int]
               ) -> tuple[Fraction, int]:
    """A portfolio's line ``(sum A_i, sum a_ij)``: its value at w is ``A + w * n``."""
    members = list(chosen)
    return sum((rest[i] for i in members), Fraction(0)), sum(column[i] for i in members)


def whole_objective(values: Sequence[Fraction]) -> list[int]:
    """Whole numbers in the same ratios (the solver gets integers: exact sums, small gaps)."""
    scale = math.lcm(1, *(v.denominator for v in values))
    whole = [int(v * scale) for v in values]
    common = math.gcd(*whole)
    return whole if common in (0, 1) else [v // common for v in whole]

