"""The weighted total of SPEC 3, exactly: the one home of the formula.

    n_ij    = (c_ij - scale.min) / (scale.max - scale.min)
    total_i = 100 * sum_j(w_j * n_ij) / sum_j(w_j)

Everything stays exact until display (rounding: ``rounding.py``). Every total of the tool
comes from here: applications' totals (:func:`weighted_total`), each reviewer's own total
(``flags.reviewer_totals``), the sensitivity matrix's totals under any weights and the
pack's criterion profiles (:func:`normalised_mean`).

The sums are done on whole numbers (weights scaled to integers, scores as numerator and
denominator) and made a Fraction once at the end, by :func:`total_of`: the same exact value,
ten times faster than Fraction arithmetic, which matters at 10,000 applications.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction

from pine_select.model.rubric import Scale
from pine_select.scoring.result import CriterionScore


def normalised(score: Fraction, scale: Scale) -> Fraction:
    """A criterion score on 0..1: the scale's minimum is 0, its maximum 1."""
    return (score - scale.min) / (scale.max - scale.min)


def normalised_mean(scores: Iterable[Fraction | None], scale: Scale) -> Fraction | None:
    """The mean of the scores given (None skipped) on 0..1; None when there are none."""
    values = [normalised(score, scale) for score in scores if score is not None]
    return sum(values, Fraction(0)) / len(values) if values else None


def total_of(excess: int, denominator: int, weight_sum: int, scale: Scale) -> Fraction:
    """SPEC 3's total from whole numbers: ``excess / denominator`` is
    ``sum_j w_j * (c_j - scale.min)`` and ``weight_sum`` is ``sum_j w_j`` (> 0)."""
    return Fraction(100 * excess, denominator * weight_sum * (scale.max - scale.min))


def approximate_total(excess: int, weight_sum: int, scale: Scale) -> float:
    """:func:`total_of` (denominator 1) as a float, about 1e-14 off: for quick screens that
    decide exactly whenever they are near a boundary."""
    return 100 * excess / (weight_sum * (scale.max - scale.min))


@dataclass(frozen=True)
class IntegerWeights:
    """Weights scaled to whole numbers: the same ratios, so exactly the same totals."""

    items: tuple[tuple[str, int], ...]
    total: int

    @classmethod
    def of(cls, weights: Mapping[str, Fraction] | IntegerWeights) -> IntegerWeights:
        if isinstance(weights, IntegerWeights):
            return weights
        scale = math.lcm(*(w.denominator for w in weights.values()))
        items = tuple((c, int(w * scale)) for c, w in weights.items())
        return cls(items, sum(w for _, w in items))


def weighted_total(
    criteria: Mapping[str, CriterionScore],
    weights: Mapping[str, Fraction] | IntegerWeights,
    scale: Scale,
) -> Fraction | None:
    """The total on 0..100; None when any criterion has no score (nothing to weigh)."""
    integer = IntegerWeights.of(weights)
    numerator, denominator = 0, 1  # sum_j w_j * (c_j - min), as a running fraction
    for criterion, weight in integer.items:
        score = criteria[criterion].score
        if score is None:
            return None
        p, q = score.numerator - scale.min * score.denominator, score.denominator
        numerator, denominator = numerator * q + weight * p * denominator, denominator * q
    return total_of(numerator, denominator, integer.total, scale)
