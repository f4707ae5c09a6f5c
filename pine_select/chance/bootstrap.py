"""Reviewers resampled within each application, totals recomputed as scoring does.

One draw of the bootstrap (SPEC 10): for each candidate, in the problem's column order (by
id), its m reviewers (sorted by id) are drawn m times with replacement, ``rng.randrange(m)``
each time; a reviewer drawn twice counts twice, and a reviewer's scores on every criterion
travel together. The draw becomes a *multiplicity* per review row (how often its reviewer
was drawn for its application), and the totals come from the review columns
(``scoring/columns.py``: ``criterion_aggregates`` with those multiplicities, then
``totals_in_cents``), which equal scoring the repeated rows with ``score_call``: there is
one scoring formula, and ``tests/test_chance_robustness.py`` checks it against
``score_call`` on resampled calls. A calibrated call re-fits the reviewers' leniency on
each draw's rows (a reviewer drawn twice weighs twice in the fit too). Selectability
stays as observed; only candidates are resampled (other rows keep multiplicity 1 and are
not read). A draw that leaves a
criterion of a candidate with no score at all (possible only when its reviewers scored
different criteria) is drawn again for that candidate, until it has every score.

The random numbers come from ``random.Random`` (Mersenne Twister: the same on every machine
and Python version), one generator per chunk of draws, seeded by :func:`chunk_seed`.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from pine_select.errors import SolverError
from pine_select.model.call import Call
from pine_select.model.rubric import Aggregate, Scale
from pine_select.scoring.calibration import calibrated_aggregates, raw_method
from pine_select.scoring.columns import ReviewColumns, criterion_aggregates, totals_in_cents
from pine_select.scoring.totals import IntegerWeights
from pine_select.selection.problem import SelectionProblem

MAX_REDRAWS = 1_000  # per candidate and draw; a reviewer set that covers nothing is hopeless

Drawn = tuple[int, ...]  # positions of a candidate's reviewers drawn (0..m-1), m of them


@dataclass(frozen=True)
class ReviewerTable:
    """The call's review columns and, for each candidate column, who its reviewers are."""

    columns: ReviewColumns
    method: Aggregate
    scale: Scale
    weights: IntegerWeights
    application_of: tuple[int, ...]  # candidate column -> application index in the columns
    reviewers: tuple[tuple[str, ...], ...]  # candidate column -> its reviewer ids, sorted
    slot_start: tuple[int, ...]  # candidate column -> its first slot in a flat count array
    slots: int  # (candidate, reviewer) pairs in all
    row_slot: Any  # review row -> its (candidate, reviewer) slot; -1: not a candidate's row
    calibrated: bool = False  # re-fit the reviewers' leniency on every draw's rows

    @classmethod
    def of(cls, call: Call, problem: SelectionProblem, weights: IntegerWeights,
           calibrated: bool = False) -> ReviewerTable:
        columns = ReviewColumns.of(call)  # the counted rows: conflicted reviewers left out
        index = {app_id: i for i, app_id in enumerate(columns.applications)}
        application_of = tuple(index[c.id] for c in problem.candidates)
        candidate_of = np.full(len(columns.applications), -1, dtype=np.int64)
        candidate_of[list(application_of)] = np.arange(len(application_of))
        row_candidate = candidate_of[columns.application]
        reviewers: list[tuple[str, ...]] = []
        starts: list[int] = []
        slot_of: dict[tuple[int, int], int] = {}
        for k in range(len(application_of)):
            own = sorted({int(r) for r in columns.reviewer[row_candidate == k]})
            starts.append(len(slot_of))
            slot_of.update({(k, r): len(slot_of) + n for n, r in enumerate(own)})
            reviewers.append(tuple(columns.reviewers[r] for r in own))
        row_slot = np.array([slot_of.get((int(k), int(r)), -1) for k, r in
                             zip(row_candidate, columns.reviewer, strict=True)], dtype=np.int64)
        rubric = call.rubric
        return cls(columns, raw_method(rubric), rubric.scale, weights, application_of,
                   tuple(reviewers), tuple(starts), len(slot_of), row_slot, calibrated)

    def cents(self, drawn: Sequence[Drawn]) -> list[int | None]:
        """Every candidate's total in cents with its reviewers drawn as ``drawn`` (None: a
        criterion left with no score)."""
        counts = np.zeros(self.slots, dtype=np.int64)
        for k, positions in enumerate(drawn):
            for position in positions:
                counts[self.slot_start[k] + position] += 1
        in_draw = self.row_slot >= 0
        multiplicity = np.ones(len(self.row_slot), dtype=np.int64)
        multiplicity[in_draw] = counts[self.row_slot[in_draw]]
        if self.calibrated:
            aggregates, _ = calibrated_aggregates(self.columns, self.scale, multiplicity)
        else:
            aggregates = criterion_aggregates(self.columns, self.method, multiplicity)
        totals = totals_in_cents(aggregates, self.weights, self.scale)
        return [int(totals.cents[a]) if totals.complete[a] else None
                for a in self.application_of]


def chunk_seed(seed: int, chunk: int) -> int:
    """The seed of chunk ``chunk``'s generator: draws split into chunks give the same numbers
    whichever process runs each chunk."""
    return int(hashlib.sha256(f"{seed}:bootstrap:{chunk}".encode()).hexdigest(), 16)


def draw(rng: random.Random, m: int) -> Drawn:
    return tuple(sorted(rng.randrange(m) for _ in range(m)))


def drawn_scores(rng: random.Random, table: ReviewerTable) -> list[int]:
    """One bootstrap draw: every candidate's total in cents, in column order."""
    drawn = [draw(rng, len(reviewers)) for reviewers in table.reviewers]
    cents = table.cents(drawn)
    for _ in range(MAX_REDRAWS):
        missing = [k for k, c in enumerate(cents) if c is None]
        if not missing:
            return [c for c in cents if c is not None]
        for k in missing:  # drawn again, in column order, from the same generator
            drawn[k] = draw(rng, len(table.reviewers[k]))
        cents = table.cents(drawn)
    raise SolverError(f"{MAX_REDRAWS} bootstrap draws of some candidate's reviewers all left "
                      "a criterion unscored")
