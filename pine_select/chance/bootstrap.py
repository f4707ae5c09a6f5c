"""Reviewers resampled within each application, totals recomputed as scoring does.

One draw of the bootstrap (SPEC 10): for each candidate, in id order, its m reviewers
(sorted by id) are drawn m times with replacement, ``rng.randrange(m)`` each time; a
reviewer drawn twice counts twice, and a reviewer's scores on every criterion travel
together. The candidate's total is then computed by scoring's own functions
(``aggregate.criterion_scores``, ``totals.weighted_total``, ``rounding.to_cents``) on the
drawn reviews, exactly as ``score_call`` would score a call holding those reviews: there is
one scoring formula. Selectability stays as observed; only candidates are resampled. A draw
that leaves a criterion of a candidate with no score at all (possible only when reviewers
scored different criteria) is drawn again for that candidate.

A total depends only on *which* reviewers were drawn how often, and an application with m
reviewers has only C(2m-1, m) such multisets (10 for three reviewers, 126 for five): each is
computed once per process and remembered.

The random numbers come from ``random.Random`` (Mersenne Twister: the same on every machine
and Python version), one generator per chunk of draws, seeded by :func:`chunk_seed`.

Swapping in review columns (``scoring/columns.py``, when it lands) only changes
:meth:`ReviewerTable.of` and :meth:`ResampledTotals.cents`: the draw itself is a tuple of
reviewer positions per candidate, which is a row weighting of the columns.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field

from pine_select.errors import SolverError
from pine_select.model.call import Call
from pine_select.model.reviews import Review
from pine_select.model.rubric import Aggregate, Scale
from pine_select.scoring.aggregate import criterion_scores
from pine_select.scoring.rounding import to_cents
from pine_select.scoring.score import _counted_reviews
from pine_select.scoring.totals import IntegerWeights, weighted_total
from pine_select.selection.problem import SelectionProblem

MAX_REDRAWS = 1_000  # per candidate and draw; a reviewer set that covers nothing is hopeless

Drawn = tuple[int, ...]  # reviewer positions drawn, ascending


@dataclass(frozen=True)
class ReviewerTable:
    """Each candidate's counted reviews grouped by reviewer, in the problem's column order."""

    criteria: tuple[str, ...]
    method: Aggregate
    scale: Scale
    weights: IntegerWeights
    reviewers: tuple[tuple[tuple[Review, ...], ...], ...]  # candidate -> reviewer -> rows

    @classmethod
    def of(cls, call: Call, problem: SelectionProblem, weights: IntegerWeights
           ) -> ReviewerTable:
        counted = _counted_reviews(call)  # scoring's rule: no score of a conflicted reviewer
        grouped = []
        for candidate in problem.candidates:
            by_reviewer: dict[str, list[Review]] = {}
            for review in counted.get(candidate.id, ()):
                by_reviewer.setdefault(review.reviewer, []).append(review)
            grouped.append(tuple(tuple(by_reviewer[r]) for r in sorted(by_reviewer)))
        rubric = call.rubric
        return cls(tuple(rubric.criterion_ids()), rubric.aggregate, rubric.scale, weights,
                   tuple(grouped))

    def reviews_of(self, candidate: int, drawn: Drawn) -> tuple[Review, ...]:
        """The candidate's reviews as drawn (a reviewer drawn twice appears twice)."""
        rows = self.reviewers[candidate]
        return tuple(review for position in drawn for review in rows[position])


@dataclass
class ResampledTotals:
    """Totals in cents of drawn reviewer sets, each computed once (see the module doc)."""

    table: ReviewerTable
    _known: dict[tuple[int, Drawn], int | None] = field(default_factory=dict)

    def cents(self, candidate: int, drawn: Drawn) -> int | None:
        key = (candidate, drawn)
        if key not in self._known:
            table = self.table
            criteria = criterion_scores(table.reviews_of(candidate, drawn), table.criteria,
                                        table.method)
            total = weighted_total(criteria, table.weights, table.scale)
            self._known[key] = None if total is None else to_cents(total)
        return self._known[key]


def chunk_seed(seed: int, chunk: int) -> int:
    """The seed of chunk ``chunk``'s generator: draws split into chunks give the same numbers
    whichever process runs each chunk."""
    return int(hashlib.sha256(f"{seed}:bootstrap:{chunk}".encode()).hexdigest(), 16)


def drawn_scores(rng: random.Random, totals: ResampledTotals) -> list[int]:
    """One bootstrap draw: every candidate's total in cents, in column order."""
    scores = []
    for candidate, reviewers in enumerate(totals.table.reviewers):
        scores.append(_drawn_total(rng, totals, candidate, len(reviewers)))
    return scores


def _drawn_total(rng: random.Random, totals: ResampledTotals, candidate: int, m: int) -> int:
    for _ in range(MAX_REDRAWS):
        drawn = tuple(sorted(rng.randrange(m) for _ in range(m)))
        cents = totals.cents(candidate, drawn)
        if cents is not None:
            return cents
    raise SolverError(f"{totals.table.reviewers[candidate][0][0].application_id}: "
                      f"{MAX_REDRAWS} bootstrap draws of its reviewers all left a criterion "
                      "unscored")
