"""Each candidate's criterion scores as whole numbers, so any weights give exact totals.

With ``n_ij = a_ij / L`` (one common denominator ``L`` for the whole call), the total of
SPEC 3 is ``total_i(w) = 100 * sum_j(w_j * a_ij) / (L * sum_j(w_j))``. For one criterion j
moving, with the others fixed at sum ``S`` and ``A_i = sum_{k != j} w_k * a_ik``:

    total_i(w) = 100 * (A_i + w * a_ij) / (L * (S + w))

The denominator is the same positive number for every application, so comparing two
portfolios at weight ``w`` compares ``sum(A_i) + w * sum(a_ij)``: a line in ``w``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction

from pine_select.model.rubric import Rubric
from pine_select.scoring.result import ScoreReport
from pine_select.scoring.totals import scaled_half_up
from pine_select.selection.problem import SelectionProblem


@dataclass(frozen=True)
class ScoreMatrix:
    """``a[i][j]`` for candidate i (the problem's order) and criterion j (the rubric's)."""

    criteria: tuple[str, ...]
    ids: tuple[str, ...]
    a: tuple[tuple[int, ...], ...]
    denominator: int  # L

    @classmethod
    def of(cls, problem: SelectionProblem, report: ScoreReport, rubric: Rubric) -> ScoreMatrix:
        criteria = rubric.criterion_ids()
        span = rubric.scale.max - rubric.scale.min
        scores = report.by_id()
        rows: list[list[Fraction]] = []
        for candidate in problem.candidates:
            found = scores[candidate.id].criteria
            rows.append([_normalised(found[c].score, rubric.scale.min, span) for c in criteria])
        common = math.lcm(1, *(n.denominator for row in rows for n in row))
        a = tuple(tuple(int(n * common) for n in row) for row in rows)
        return cls(criteria, tuple(c.id for c in problem.candidates), a, common)

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
        bottom = self.denominator * sum(whole)
        return [scaled_half_up(Fraction(100 * sum(w * x for w, x in zip(whole, row, strict=True)),
                                        bottom), 2) for row in self.a]


def _normalised(score: Fraction | None, low: int, span: int) -> Fraction:
    if score is None:  # candidates always have every score; kept for the type checker
        raise ValueError("a candidate without a criterion score")
    return (score - low) / span


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

