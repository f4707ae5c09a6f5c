"""A call's review scores as columns: one integer array each for application, reviewer,
criterion and score, one entry per counted review row.

Scoring, flags and quality work on these instead of one model object per row, and a
bootstrap draw (issue 15) re-weights reviewers by passing per-row multiplicities to
:func:`criterion_aggregates` without rebuilding anything.

Exactness: every sum is a sum of whole numbers (int64, with a bound checked before it is
trusted), each aggregate is kept as a whole numerator and denominator, and the total is
SPEC 3's formula from ``totals.py`` (:func:`~pine_select.scoring.totals.total_of`) on those
whole numbers. :func:`totals_in_cents` is the vectorised twin of ``to_cents(total_of(...))``;
``tests/test_columns.py`` proves them equal on random calls, and where a bound could
overflow int64 it falls back to the exact functions themselves.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
import numpy.typing as npt

from pine_select.model.call import Call
from pine_select.model.reviews import CodedColumn, ReviewTable
from pine_select.model.rubric import Aggregate, Scale
from pine_select.scoring.aggregate import fraction
from pine_select.scoring.flags import EXTREME_GAP, FLOAT_DOUBT, MIN_REVIEWERS_FOR_EXTREME
from pine_select.scoring.result import CriterionScore
from pine_select.scoring.rounding import to_cents
from pine_select.scoring.totals import IntegerWeights, total_of

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

# int64 holds |x| < 2**63; sums are trusted only below this (a margin for the + q term).
_SAFE = 2**62
# float64 sums (np.bincount) are exact for whole numbers below 2**53.
_FLOAT_EXACT = 2**53


def frozen(array: npt.ArrayLike, dtype: npt.DTypeLike) -> npt.NDArray[Any]:
    """A read-only copy of ``array``: frozen models hold only these."""
    result = np.array(array, dtype=dtype)
    result.flags.writeable = False
    return result


@dataclass(frozen=True)
class ReviewColumns:
    """The counted review scores of one call, as columns (SPEC 3's input to scoring).

    Counted: rows of reviewers who declared a conflict with the application, and rows
    naming an application or criterion the call does not have, are left out (the loader
    refuses both; a Call built in code may have them), exactly as scoring leaves them out.
    Row order is the order of ``call.reviews``. Every array is read-only.
    """

    applications: tuple[str, ...]  # application ids, index order = call.applications order
    reviewers: tuple[str, ...]  # reviewer ids (canonical), sorted
    criteria: tuple[str, ...]  # rubric criterion order
    application: npt.NDArray[np.int32]  # one entry per review score row
    reviewer: npt.NDArray[np.int32]
    criterion: npt.NDArray[np.int32]
    score: npt.NDArray[np.int32]

    @classmethod
    def of(cls, call: Call) -> ReviewColumns:
        """The columns of ``call`` (made once per call and kept: see ``Call.review_columns``)."""
        cached = call.__dict__.get("_review_columns")
        if isinstance(cached, ReviewColumns):
            return cached
        columns = cls._built(call)
        object.__setattr__(call, "_review_columns", columns)  # cache on a frozen dataclass
        return columns

    @classmethod
    def _built(cls, call: Call) -> ReviewColumns:
        if isinstance(call.reviews, ReviewTable):
            return cls._of_table(call, call.reviews)
        applications = tuple(app.id for app in call.applications)
        criteria = tuple(call.rubric.criterion_ids())
        app_index = {a: i for i, a in enumerate(applications)}
        criterion_index = {c: i for i, c in enumerate(criteria)}
        conflicted = {(c.reviewer, c.application_id) for c in call.conflicts}
        rows = [r for r in call.reviews
                if r.application_id in app_index and r.criterion in criterion_index
                and (not conflicted or (r.reviewer, r.application_id) not in conflicted)]
        reviewers = tuple(sorted({r.reviewer for r in rows}))
        reviewer_index = {r: i for i, r in enumerate(reviewers)}
        return cls.from_lists(
            applications, reviewers, criteria,
            [app_index[r.application_id] for r in rows],
            [reviewer_index[r.reviewer] for r in rows],
            [criterion_index[r.criterion] for r in rows],
            [r.score for r in rows],
        )

    @classmethod
    def _of_table(cls, call: Call, table: ReviewTable) -> ReviewColumns:
        """The columns of a loaded call: its table's codes mapped, no row made an object."""
        applications = tuple(app.id for app in call.applications)
        criteria = tuple(call.rubric.criterion_ids())
        app_of = _mapped(table.application_id, {a: i for i, a in enumerate(applications)})
        criterion_of = _mapped(table.criterion, {c: i for i, c in enumerate(criteria)})
        keep = (app_of >= 0) & (criterion_of >= 0) & ~_conflicted(call, table)
        # The codes in use: codes are small whole numbers, so where their counts are not 0.
        used = np.flatnonzero(np.bincount(table.reviewer.codes[keep]))
        reviewers = tuple(sorted({table.reviewer.values[c] for c in used.tolist()}))
        reviewer_of = _mapped(table.reviewer, {r: i for i, r in enumerate(reviewers)})
        scores = np.array(table.score.values or (0,), dtype=np.int64)
        if scores.size and (scores.min() < -2**31 or scores.max() >= 2**31):
            raise ValueError("a review score does not fit 32 bits; a rubric's scale keeps "
                             f"within {-2**31}..{2**31 - 1}")
        return cls(applications, tuple(reviewers), criteria,
                   frozen(app_of[keep], np.int32), frozen(reviewer_of[keep], np.int32),
                   frozen(criterion_of[keep], np.int32),
                   frozen(scores[table.score.codes[keep]], np.int32))

    @classmethod
    def from_lists(
        cls, applications: tuple[str, ...], reviewers: tuple[str, ...],
        criteria: tuple[str, ...], application: list[int], reviewer: list[int],
        criterion: list[int], score: list[int],
    ) -> ReviewColumns:
        """Columns from index lists (each index into the matching tuple)."""
        return cls(applications, reviewers, criteria, frozen(application, np.int32),
                   frozen(reviewer, np.int32), frozen(criterion, np.int32),
                   frozen(score, np.int32))

    def __len__(self) -> int:
        return int(self.score.shape[0])

    def cell(self) -> IntArray:
        """Each row's (application, criterion) cell as one index: app * n_criteria + crit."""
        return self.application.astype(np.int64) * len(self.criteria) + self.criterion


def _mapped(column: CodedColumn[str], index: Mapping[str, int]) -> IntArray:
    """Each row's index in ``index`` of its value (-1 where it has none)."""
    lookup = np.array([index.get(v, -1) for v in column.values] or [-1], dtype=np.int64)
    return lookup[column.codes]


def _conflicted(call: Call, table: ReviewTable) -> BoolArray:
    """Rows by a reviewer who declared a conflict with the application."""
    if not call.conflicts:
        return np.zeros(len(table), np.bool_)
    reviewer = {r: i for i, r in enumerate(table.reviewer.values)}
    app = {a: i for i, a in enumerate(table.application_id.values)}
    width = max(len(app), 1)
    declared = [reviewer[c.reviewer] * width + app[c.application_id] for c in call.conflicts
                if c.reviewer in reviewer and c.application_id in app]
    keys = table.reviewer.codes.astype(np.int64) * width + table.application_id.codes
    return np.isin(keys, np.array(declared, dtype=np.int64))


@dataclass(frozen=True)
class CriterionAggregates:
    """Each application's aggregate on each criterion, as exact whole-number fractions.

    Arrays are [application, criterion] in the columns' orders. ``numerator /
    denominator`` is the aggregate (not reduced: a median of 3 and 4 is 7/2, of 3 and 3
    is 6/2); ``count`` is the number of scores counted (with multiplicities); where it is
    0 nobody scored the criterion and ``denominator``, ``low`` and ``high`` are 0.
    """

    columns: ReviewColumns
    method: Aggregate
    count: IntArray
    numerator: IntArray
    denominator: IntArray
    low: IntArray  # the lowest score counted
    high: IntArray  # the highest
    multiplicity: IntArray | None = None  # as given to criterion_aggregates (None: each once)

    def score(self, application: int, criterion: int) -> Fraction | None:
        """The exact aggregate of one cell; None when nobody scored it."""
        if self.count[application, criterion] == 0:
            return None
        return Fraction(int(self.numerator[application, criterion]),
                        int(self.denominator[application, criterion]))

    def spread(self) -> IntArray:
        """max - min of the scores of each cell (0 where nobody scored it)."""
        return self.high - self.low


def criterion_aggregates(
    columns: ReviewColumns, method: Aggregate,
    multiplicity: npt.NDArray[np.integer] | None = None,
) -> CriterionAggregates:
    """SPEC 3's per-criterion aggregate (mean or median) of every application.

    ``multiplicity`` (one whole number >= 0 per row) counts each row that many times: a
    bootstrap draw that picks a reviewer twice gives their rows 2, one left out 0. The
    result equals scoring the review rows repeated that many times.
    """
    if method == "calibrated":
        raise ValueError("calibrated aggregates need the fit of the whole call: expected "
                         "scoring.calibration.calibrated_aggregates")
    shape = (len(columns.applications), len(columns.criteria))
    m = _multiplicity(columns, multiplicity)
    keep = m > 0
    cell = columns.cell()[keep]
    score = columns.score[keep].astype(np.int64)
    m = m[keep]
    cells = shape[0] * shape[1]
    order = _sort_order((cell, cells), _from_zero(score))  # by cell, then score
    cell, score, m = cell[order], score[order], m[order]
    count = _summed(cell, m, cells)
    starts = np.flatnonzero(np.r_[True, cell[1:] != cell[:-1]]) if cell.size else cell
    low, high = np.zeros(cells, np.int64), np.zeros(cells, np.int64)
    if cell.size:
        ends = np.r_[starts[1:], cell.size] - 1
        low[cell[starts]] = score[starts]
        high[cell[ends]] = score[ends]
    if method == "mean":
        numerator, denominator = _summed(cell, m * score, cells), count.copy()
    else:
        numerator, denominator = _medians(cell, score, m, count, cells)
    count, numerator, denominator, low, high = (
        frozen(a.reshape(shape), np.int64) for a in (count, numerator, denominator, low, high))
    given = None if multiplicity is None else frozen(multiplicity, np.int64)
    return CriterionAggregates(columns, method, count, numerator, denominator, low, high,
                               given)


def _sort_order(*keys: tuple[npt.NDArray[np.integer[Any]], int]) -> IntArray:
    """The stable order of the rows by the first key, then the next, and so on (as
    ``np.lexsort`` with the keys reversed). Each key is whole numbers in 0..width - 1.

    Sorted on one combined whole number when that fits int64: numpy sorts one key
    far faster than it sorts by several (benchmarks/RESULTS.md).
    """
    bound = math.prod(max(width, 1) for _, width in keys)
    if bound >= _SAFE:
        return np.lexsort(tuple(key for key, _ in reversed(keys)))
    combined = np.zeros(len(keys[0][0]), np.int64)
    for key, width in keys:
        combined = combined * max(width, 1) + key
    return np.argsort(combined, kind="stable")


def _from_zero(values: npt.NDArray[np.integer[Any]]) -> tuple[IntArray, int]:
    """``values`` less their lowest, and how many values that range holds (a sort key)."""
    if not values.size:
        return values.astype(np.int64), 1
    wide = values.astype(np.int64)
    low = int(wide.min())
    return wide - low, int(wide.max()) - low + 1


def _multiplicity(columns: ReviewColumns,
                  multiplicity: npt.NDArray[np.integer] | None) -> IntArray:
    if multiplicity is None:
        return np.ones(len(columns), np.int64)
    m = np.asarray(multiplicity, dtype=np.int64)
    if m.shape != (len(columns),) or (m.size and int(m.min()) < 0):
        raise ValueError(f"multiplicity: expected {len(columns)} whole numbers >= 0, one "
                         f"per review row; got shape {m.shape}")
    return m


def _summed(cell: IntArray, values: IntArray, cells: int) -> IntArray:
    """Per-cell sums of whole numbers, exactly."""
    if values.size and int(np.abs(values).sum(dtype=np.float64)) >= _FLOAT_EXACT // 2:
        exact = np.zeros(cells, np.int64)
        np.add.at(exact, cell, values)
        return exact
    return np.bincount(cell, weights=values, minlength=cells).astype(np.int64)


def _medians(cell: IntArray, score: IntArray, m: IntArray, count: IntArray,
             cells: int) -> tuple[IntArray, IntArray]:
    """Each cell's median as (lower middle + upper middle) / 2 of its expanded scores.

    Rows are sorted by cell then score; the k-th (0-based) expanded score of a cell is the
    first row whose running multiplicity passes the cell's start + k.
    """
    numerator, denominator = np.zeros(cells, np.int64), np.zeros(cells, np.int64)
    if not cell.size:
        return numerator, denominator
    running = np.cumsum(m)
    scored = np.flatnonzero(count)
    before = np.concatenate(([0], np.cumsum(count)))[:-1][scored]  # rows sorted by cell
    n = count[scored]
    lower = np.searchsorted(running, before + (n - 1) // 2, side="right")
    upper = np.searchsorted(running, before + n // 2, side="right")
    numerator[scored] = score[lower] + score[upper]
    denominator[scored] = 2
    return numerator, denominator


@dataclass(frozen=True)
class ColumnTotals:
    """Each application's SPEC 3 total: ``excess / denominator`` is sum_j w_j (c_j - min).

    ``complete`` is False where some weighed criterion has no score (no total, as
    ``weighted_total`` returns None); there ``cents`` is 0.
    """

    complete: BoolArray
    cents: IntArray  # the total in hundredths, half up: ``to_cents(total)``
    excess: tuple[int, ...]
    denominator: tuple[int, ...]
    weight_sum: int
    scale: Scale

    def cents_of(self, application: int) -> int | None:
        """The total of one application in hundredths; None where it has no total."""
        return int(self.cents[application]) if self.complete[application] else None

    def total(self, application: int) -> Fraction | None:
        """The exact total of one application (``total_of``: the one formula)."""
        if not self.complete[application]:
            return None
        return total_of(self.excess[application], self.denominator[application],
                        self.weight_sum, self.scale)


def totals_in_cents(
    aggregates: CriterionAggregates,
    weights: Mapping[str, Fraction] | IntegerWeights,
    scale: Scale,
) -> ColumnTotals:
    """Every application's total, exactly as ``weighted_total`` then ``to_cents``.

    Per application, the aggregates a_j / d_j are put over their least common multiple L:
    excess = sum_j w_j * (a_j - min * d_j) * (L / d_j), denominator = L.
    """
    integer = IntegerWeights.of(weights)
    index = {c: j for j, c in enumerate(aggregates.columns.criteria)}
    picked = [index[c] for c, _ in integer.items]  # KeyError as weighted_total's lookup
    complete: BoolArray = np.asarray((aggregates.count[:, picked] > 0).all(axis=1))
    a, d = aggregates.numerator[:, picked], aggregates.denominator[:, picked]
    d = np.where(d > 0, d, 1)
    if not _fits_int64(aggregates, d, integer, scale):
        return _exact_totals(a, d, complete, integer, scale)
    w = np.array([wj for _, wj in integer.items], dtype=np.int64)
    lcm = np.lcm.reduce(d, axis=1) if picked else np.ones(d.shape[0], np.int64)
    excess = ((a - scale.min * d) * (lcm[:, None] // d) * w).sum(axis=1)
    q = lcm * integer.total * (scale.max - scale.min)
    p = 10_000 * excess  # cents = 100 * total = 10,000 * excess / q, half away from zero
    cents = np.sign(p) * ((2 * np.abs(p) + q) // (2 * q))
    return ColumnTotals(frozen(complete, np.bool_), frozen(np.where(complete, cents, 0), np.int64),
                        tuple(excess.tolist()), tuple(lcm.tolist()), integer.total, scale)


def _fits_int64(aggregates: CriterionAggregates, d: IntArray, integer: IntegerWeights,
                scale: Scale) -> bool:
    """Whether every intermediate of :func:`totals_in_cents` stays below 2**62."""
    if not d.size:
        return integer.total < _SAFE
    columns = aggregates.columns
    deviation = (int(np.abs(columns.score.astype(np.int64) - scale.min).max())
                 if len(columns) else 0)
    lcm_bound = int(d.max()) ** d.shape[1]
    q_bound = lcm_bound * integer.total * (scale.max - scale.min)
    p_bound = 10_000 * integer.total * max(deviation, 1) * lcm_bound
    return bool(2 * p_bound + q_bound < _SAFE and 2 * q_bound < _SAFE)


def _exact_totals(a: IntArray, d: IntArray, complete: BoolArray, integer: IntegerWeights,
                  scale: Scale) -> ColumnTotals:
    """The same totals on Python integers (numbers too big for int64)."""
    weights = [wj for _, wj in integer.items]
    excess: list[int] = []
    lcms: list[int] = []
    for row_a, row_d in zip(a.tolist(), d.tolist(), strict=True):
        lcm = math.lcm(*row_d) if row_d else 1
        lcms.append(lcm)
        excess.append(sum(wj * (aj - scale.min * dj) * (lcm // dj)
                          for wj, aj, dj in zip(weights, row_a, row_d, strict=True)))
    cents = [to_cents(total_of(e, q, integer.total, scale)) if ok else 0
             for e, q, ok in zip(excess, lcms, complete.tolist(), strict=True)]
    # Cents stay int64 when they fit (a total in range is 0..10,000), else Python ints.
    fits = all(abs(c) < _SAFE for c in cents)
    return ColumnTotals(frozen(complete, np.bool_), frozen(cents, np.int64 if fits else object),
                        tuple(excess), tuple(lcms), integer.total, scale)


def cents_of(
    call: Call,
    weights: Mapping[str, Fraction] | IntegerWeights,
    multiplicity: npt.NDArray[np.integer] | None = None,
) -> ColumnTotals:
    """Every application's total of ``call`` (rows re-weighted by ``multiplicity``)."""
    rubric = call.rubric
    aggregates = criterion_aggregates(ReviewColumns.of(call), rubric.aggregate, multiplicity)
    return totals_in_cents(aggregates, weights, rubric.scale)


def criterion_score_maps(aggregates: CriterionAggregates) -> list[dict[str, CriterionScore]]:
    """Each application's criterion scores (rubric order), as scoring reports them.

    Each keeps its (reviewer, score) pairs sorted by reviewer; equal pairs are one object
    across the call (100,000 applications hold 75,000 pairs, not 1.8 million).
    """
    if aggregates.multiplicity is not None:
        raise ValueError("criterion scores are reported for each review counted once; "
                         "expected aggregates without multiplicities")
    columns = aggregates.columns
    n_criteria = len(columns.criteria)
    if not n_criteria:
        return [{} for _ in columns.applications]
    order = _sort_order((columns.application, len(columns.applications)),
                        (columns.criterion, n_criteria),
                        (columns.reviewer, len(columns.reviewers)), _from_zero(columns.score))
    cells = (columns.application.astype(np.int64) * n_criteria + columns.criterion)[order]
    pairs = _shared_pairs(columns.reviewers, columns.reviewer[order], columns.score[order])
    bounds = np.flatnonzero(np.r_[True, cells[1:] != cells[:-1]]) if cells.size else cells
    # The cells someone scored, in order: each one's rows start at its bound.
    count = aggregates.count.ravel()
    scored = np.flatnonzero(count > 0)
    n_reviews = count[scored].tolist()
    reviewed = [tuple(pairs[start:start + n])
                for start, n in zip(bounds.tolist(), n_reviews, strict=True)]
    keys = list(zip(aggregates.numerator.ravel()[scored].tolist(),
                    aggregates.denominator.ravel()[scored].tolist(), strict=True))
    # Scores repeat (a mean of 3 reviewers takes few values): one Fraction for each.
    exact = {key: fraction(*key) for key in dict.fromkeys(keys)}
    criteria = columns.criteria
    made = list(map(CriterionScore, [criteria[j] for j in (scored % n_criteria).tolist()],
                    map(exact.__getitem__, keys), n_reviews,
                    aggregates.spread().ravel()[scored].tolist(), reviewed))
    unscored = [CriterionScore(criterion=c, score=None, n_reviews=0, spread=None, scores=())
                for c in criteria]
    n_apps = len(columns.applications)
    if len(made) == n_apps * n_criteria:  # every cell scored, as in most calls
        per_cell = made
    else:
        per_cell = unscored * n_apps
        for cell, criterion_score in zip(scored.tolist(), made, strict=True):
            per_cell[cell] = criterion_score
    return [dict(zip(criteria, per_cell[i * n_criteria:(i + 1) * n_criteria], strict=True))
            for i in range(n_apps)]


def _shared_pairs(reviewers: tuple[str, ...], reviewer: npt.NDArray[np.integer[Any]],
                  score: npt.NDArray[np.integer[Any]]) -> list[tuple[str, int]]:
    """Each row's (reviewer, score) pair; equal pairs are one tuple (coded, then decoded
    once per distinct pair)."""
    if not score.size:
        return []
    wide = score.astype(np.int64)
    low = int(wide.min())
    width = int(wide.max()) - low + 1
    distinct, inverse = np.unique(reviewer.astype(np.int64) * width + (wide - low),
                                  return_inverse=True)
    shared = [(reviewers[code // width], code % width + low) for code in distinct.tolist()]
    return list(map(shared.__getitem__, inverse.tolist()))


def extreme_candidates(columns: ReviewColumns, aggregates: CriterionAggregates,
                       weights: IntegerWeights, scale: Scale) -> list[bool]:
    """Which applications might raise ``single_reviewer_extreme``, screened all at once.

    Only those go through ``flags.single_reviewer_extremes`` (the one rule). The screen
    is looser than the rule: an application needs at least MIN_REVIEWERS_FOR_EXTREME
    reviewers on some criterion and of its own totals, and its reviewers' own totals (on
    floats, about 1e-13 off) must spread over at least EXTREME_GAP - 1e-6.
    """
    app, _, own = _own_totals(columns, weights, scale)
    many = aggregates.count.max(axis=1, initial=0) >= MIN_REVIEWERS_FOR_EXTREME
    result: list[bool] = (many & _one_stands_apart(app, own, len(columns.applications))
                          ).tolist()
    return result


def extremes_decided(columns: ReviewColumns, aggregates: CriterionAggregates,
                     weights: IntegerWeights, scale: Scale) -> list[tuple[str, ...] | None]:
    """Each application's reviewers who stand alone far from the others, as
    ``flags.single_reviewer_extremes`` finds them, worked out for all at once.

    On the float totals of :func:`extreme_candidates`, as the rule's own first step
    (``flags._extreme_by_floats``) decides: a reviewer stands alone when both its margins
    clear FLOAT_DOUBT. None for an application with a margin within FLOAT_DOUBT of 0 (or
    floats about 1e-13 off could decide otherwise): the rule decides it exactly.
    """
    n_apps = len(columns.applications)
    app, reviewer, own = _own_totals(columns, weights, scale)
    many = aggregates.count.max(axis=1, initial=0) >= MIN_REVIEWERS_FOR_EXTREME
    candidate = many & _one_stands_apart(app, own, n_apps)
    decided: list[tuple[str, ...] | None] = [()] * n_apps
    keep = candidate[app]
    if not keep.any():
        return decided
    app, reviewer, own = app[keep], reviewer[keep], own[keep]
    order = np.lexsort((own, app))  # each application's totals, lowest first
    app, reviewer, own = app[order], reviewer[order], own[order]
    starts = np.flatnonzero(np.r_[True, app[1:] != app[:-1]])
    ends = np.r_[starts[1:], app.size] - 1
    n = np.repeat(ends - starts + 1, ends - starts + 1)
    first, last = np.repeat(starts, n[starts]), np.repeat(ends, n[starts])
    position = np.arange(app.size)
    others_mean = (np.repeat(np.add.reduceat(own, starts), n[starts]) - own) / (n - 1)
    gap = np.abs(own - others_mean)
    others_high = np.where(position == last, own[last - 1], own[last])
    others_low = np.where(position == first, own[np.minimum(first + 1, last)], own[first])
    margin = np.minimum(gap - float(EXTREME_GAP), gap - 2 * (others_high - others_low))
    doubtful = np.logical_or.reduceat(np.abs(margin) <= FLOAT_DOUBT, starts)
    apart = margin > 0
    names = columns.reviewers
    for i, start, end, unsure in zip(app[starts].tolist(), starts.tolist(), ends.tolist(),
                                     doubtful.tolist(), strict=True):
        if unsure:
            decided[i] = None
        else:  # reviewer codes follow the reviewers' sorted names, as the rule lists them
            codes = reviewer[start:end + 1][apart[start:end + 1]]
            decided[i] = tuple(names[c] for c in sorted(codes.tolist()))
    return decided


def _own_totals(columns: ReviewColumns, weights: IntegerWeights,
                scale: Scale) -> tuple[IntArray, IntArray, npt.NDArray[np.float64]]:
    """Each reviewer's own total (0..100, on floats) of each application they scored:
    the application, the reviewer and the total, by application then reviewer."""
    n_reviewers = max(len(columns.reviewers), 1)
    index = {c: j for j, c in enumerate(columns.criteria)}
    weight = np.zeros(max(len(columns.criteria), 1), np.float64)
    for criterion, w in weights.items:
        weight[index[criterion]] = w
    row_weight = weight[columns.criterion] if len(columns) else np.zeros(0)
    # One bin per (application, reviewer) pair that occurs, in that order.
    pair, bin_of_row = np.unique(columns.application.astype(np.int64) * n_reviewers
                                 + columns.reviewer, return_inverse=True)
    weighted = np.bincount(bin_of_row, row_weight * (columns.score - scale.min),
                           minlength=pair.size)
    weight_sum = np.bincount(bin_of_row, row_weight, minlength=pair.size)
    present = np.flatnonzero(weight_sum > 0)  # sorted: by application, then reviewer
    own = 100 * weighted[present] / (weight_sum[present] * (scale.max - scale.min))
    return pair[present] // n_reviewers, pair[present] % n_reviewers, own


def _one_stands_apart(app: IntArray, own: npt.NDArray[np.float64], n_apps: int) -> BoolArray:
    """Per application: might its highest or lowest reviewer total stand alone?

    Only the highest or the lowest can: a total between the others is within their
    spread of their mean, and the rule wants twice that spread and at least
    EXTREME_GAP. So each application needs only its two highest and two lowest totals,
    its sum and its count (with a margin of 1e-6 for float error).
    """
    result = np.zeros(n_apps, np.bool_)
    if not app.size:
        return result
    order = np.lexsort((own, app))
    app, own = app[order], own[order]
    starts = np.flatnonzero(np.r_[True, app[1:] != app[:-1]])
    ends = np.r_[starts[1:], app.size] - 1
    n = ends - starts + 1
    total = np.add.reduceat(own, starts)
    enough = n >= MIN_REVIEWERS_FOR_EXTREME
    starts, ends, n, total = starts[enough], ends[enough], n[enough], total[enough]
    high, second_high = own[ends], own[ends - 1]
    low, second_low = own[starts], own[starts + 1]
    gap, doubt = float(EXTREME_GAP), 1e-6
    high_gap = high - (total - high) / (n - 1)
    low_gap = (total - low) / (n - 1) - low
    high_apart = (high_gap >= gap - doubt) & (high_gap >= 2 * (second_high - low) - doubt)
    low_apart = (low_gap >= gap - doubt) & (low_gap >= 2 * (high - second_low) - doubt)
    result[app[starts]] = high_apart | low_apart
    return result
