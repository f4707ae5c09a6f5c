"""Reviewer calibration (SPEC 10, issue 16): scores corrected for lenient and harsh reviewers.

The model, per criterion: ``score = application effect + reviewer leniency + noise``, the
leniencies shrunk toward 0 by a ridge penalty whose size is estimated from the data
(empirical Bayes: ``penalty = noise variance / leniency variance``). docs/method.md says
why and when not to use it. The steps:

1. **Groups.** Reviewers and applications linked by a score form connected groups; a
   leniency is only comparable inside its group. The fit couples no two groups (its
   system is block-diagonal over them), so solving it once fits each group on its own;
   with the ridge penalty each group's leniencies sum to 0 (the convention that fixes the
   level of each group).
2. **Too few scores.** A reviewer with fewer than :data:`MIN_SCORES` scores on a criterion
   is left uncorrected there (leniency 0, their scores taken as they are) and listed.
3. **Fit.** Application effects are profiled out, leaving a reviewers-by-reviewers system
   ``(L + penalty * I) b = s`` solved by conjugate gradients. The variance components
   come from the unpenalised fit (a moment estimate, see :func:`_variances`).
4. **Quantise.** Each leniency is rounded half up to :data:`PLACES` decimals and kept as a
   whole number of 1/10**PLACES points; in a group with no uncorrected reviewer the
   rounded leniencies are nudged (by one unit, largest rounding remainder first) to sum
   to exactly 0 again, so a design where every reviewer scores every application changes
   no score at all.
5. **Aggregate.** A criterion score is the exact mean of ``score - leniency`` over its
   reviewers, clipped into the rubric's scale; the total is SPEC 3's one formula on it.

Determinism: the floats of the fit meet only IEEE-754 elementwise arithmetic (correctly
rounded everywhere), ``np.bincount`` (a sequential sum in row order) and ``math.fsum``
(exact) for dot products: no BLAS, no reduction whose order depends on the machine. The
same inputs give the same floats, and the quantisation in step 4 keeps any residual
float difference from reaching an output unless it straddles a rounding boundary.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from fractions import Fraction

import numpy as np
import numpy.typing as npt

from pine_select.errors import UsageError
from pine_select.model.rubric import Aggregate, Rubric, Scale
from pine_select.scoring.columns import CriterionAggregates, ReviewColumns, criterion_aggregates
from pine_select.scoring.rounding import scaled_half_up

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

MIN_SCORES = 5  # scores on a criterion a reviewer needs before their leniency is estimated
PLACES = 2  # leniencies and their standard errors are kept to 1/100 of a scale point
UNIT = 10**PLACES
PENALTY_PLACES = 2  # the penalty is rounded to 2 decimals, and that value is used
MIN_PENALTY = Fraction(1, 10**PENALTY_PLACES)
CG_TOLERANCE = 1e-12  # relative residual at which conjugate gradients stop
METHOD = "empirical Bayes ridge"


@dataclass(frozen=True)
class CriterionFit:
    """The fit of one criterion: whole numbers of 1/UNIT points, per reviewer.

    ``penalty`` None: the reviewers' spread is no larger than noise would give, so every
    leniency is 0 (the estimate of their variance is 0: an infinite penalty).
    """

    criterion: str
    penalty: Fraction | None
    noise_variance: Fraction  # of one score, rounded to PLACES decimals
    leniency_variance: Fraction
    leniency: tuple[int, ...]  # per reviewer, columns.reviewers order, in 1/UNIT points
    standard_error: tuple[int, ...]  # approximate posterior standard deviation, 1/UNIT
    corrected: tuple[bool, ...]  # False: too few scores here (leniency 0)


@dataclass(frozen=True)
class Calibration:
    """Every criterion's fit, the connected groups and who was left uncorrected."""

    reviewers: tuple[str, ...]
    criteria: tuple[str, ...]
    fits: tuple[CriterionFit, ...]
    groups: tuple[tuple[str, ...], ...]  # reviewer ids of each group, sorted; by first id
    application_group: tuple[int, ...]  # per application (columns order); -1: no scores

    @property
    def uncorrected(self) -> tuple[str, ...]:
        """Reviewers left uncorrected on some criterion (too few scores there), sorted."""
        return tuple(r for i, r in enumerate(self.reviewers)
                     if any(not fit.corrected[i] for fit in self.fits))

    def effects(self) -> dict[str, dict[str, Fraction]]:
        """reviewer -> criterion -> leniency (exact, PLACES decimals), reviewers sorted."""
        return {r: {fit.criterion: Fraction(fit.leniency[i], UNIT) for fit in self.fits}
                for i, r in enumerate(self.reviewers)}

    def standard_errors(self) -> dict[str, dict[str, Fraction]]:
        return {r: {fit.criterion: Fraction(fit.standard_error[i], UNIT) for fit in self.fits}
                for i, r in enumerate(self.reviewers)}

    def leniency_units(self) -> IntArray:
        """[reviewer, criterion] leniencies in 1/UNIT points."""
        table = np.zeros((len(self.reviewers), len(self.criteria)), np.int64)
        for j, fit in enumerate(self.fits):
            table[:, j] = fit.leniency
        return table


def is_calibrated(rubric: Rubric, calibrate: bool) -> bool:
    """Whether scores are calibrated: the rubric says so, or the run asks (``--calibrate``)."""
    if calibrate and rubric.aggregate == "median":
        raise UsageError("calibrate: the rubric aggregates criterion scores by median, and "
                         "calibration corrects a mean of scores; expected aggregate: mean "
                         "or aggregate: calibrated in the rubric", option="calibrate")
    return calibrate or rubric.aggregate == "calibrated"


def raw_method(rubric: Rubric) -> Aggregate:
    """The aggregate of the uncorrected scores: the mean when the rubric calibrates."""
    return "mean" if rubric.aggregate == "calibrated" else rubric.aggregate


def calibrated_aggregates(
    columns: ReviewColumns, scale: Scale,
    multiplicity: npt.NDArray[np.integer] | None = None,
) -> tuple[CriterionAggregates, Calibration]:
    """Each cell's mean of (score - leniency), clipped into ``scale``, and the fit behind it.

    ``multiplicity`` re-weights rows as in ``criterion_aggregates`` (a bootstrap draw): the
    fit is re-done on the re-weighted rows.
    """
    calibration = fit_leniency(columns, multiplicity)
    raw = criterion_aggregates(columns, "mean", multiplicity)
    m = _weights(columns, multiplicity).astype(np.int64)
    units = calibration.leniency_units()
    rows = len(columns)
    lenient = units[columns.reviewer, columns.criterion] if rows else np.zeros(0, np.int64)
    corrected = (columns.score.astype(np.int64) * UNIT - lenient) * m
    summed = np.zeros(raw.count.size, np.int64)
    np.add.at(summed, columns.cell(), corrected)  # whole numbers: exact
    denominator: IntArray = raw.count * UNIT
    numerator: IntArray = np.clip(summed.reshape(raw.count.shape), scale.min * denominator,
                                  scale.max * denominator)
    common = np.gcd(numerator, denominator)
    common = np.where(common > 0, common, 1)
    numerator, denominator = numerator // common, denominator // common
    for array in (numerator, denominator):
        array.flags.writeable = False
    return replace(raw, method="calibrated", numerator=numerator,
                   denominator=denominator), calibration


def fit_leniency(columns: ReviewColumns,
                 multiplicity: npt.NDArray[np.integer] | None = None) -> Calibration:
    """The leniency of every reviewer on every criterion (see the module's steps)."""
    w = _weights(columns, multiplicity)
    groups, application_group, reviewer_group = _groups(columns, w)
    fits = tuple(_fit_criterion(columns, w, j, reviewer_group)
                 for j in range(len(columns.criteria)))
    return Calibration(columns.reviewers, columns.criteria, fits, groups, application_group)


def _weights(columns: ReviewColumns,
             multiplicity: npt.NDArray[np.integer] | None) -> FloatArray:
    if multiplicity is None:
        return np.ones(len(columns), np.float64)
    return np.asarray(multiplicity, dtype=np.float64)


# -- Connected groups ----------------------------------------------------------------------


def _groups(columns: ReviewColumns, w: FloatArray
            ) -> tuple[tuple[tuple[str, ...], ...], tuple[int, ...], IntArray]:
    """Reviewer groups linked through applications scored in common (union-find).

    Returns the groups (reviewer ids, sorted; groups ordered by their first id), each
    application's group (-1: nobody scored it) and each reviewer's group (-1: no rows).
    """
    n_apps, n_reviewers = len(columns.applications), len(columns.reviewers)
    keep = w > 0
    pairs = np.unique(columns.application[keep].astype(np.int64) * max(n_reviewers, 1)
                      + columns.reviewer[keep])
    parent = list(range(n_apps + n_reviewers))  # applications, then reviewers

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for key in pairs.tolist():
        a, r = root(key // max(n_reviewers, 1)), root(n_apps + key % max(n_reviewers, 1))
        if a != r:
            parent[max(a, r)] = min(a, r)
    has_rows = np.zeros(n_reviewers, np.bool_)
    has_rows[columns.reviewer[keep]] = True
    roots = [root(n_apps + r) for r in range(n_reviewers)]
    members: dict[int, list[int]] = {}
    for r in range(n_reviewers):
        if has_rows[r]:
            members.setdefault(roots[r], []).append(r)
    ordered = sorted(members.values())  # reviewers are sorted ids: by first id
    number = {roots[group[0]]: g for g, group in enumerate(ordered)}
    reviewer_group = np.array([number[roots[r]] if has_rows[r] else -1
                               for r in range(n_reviewers)], np.int64)
    application_group = tuple(number.get(root(a), -1) for a in range(n_apps))
    names = tuple(tuple(columns.reviewers[r] for r in group) for group in ordered)
    return names, application_group, reviewer_group


# -- The fit of one criterion --------------------------------------------------------------


@dataclass(frozen=True)
class _System:
    """One criterion's rows and the reduced reviewer system ``(L + penalty) b = s``."""

    application: IntArray
    reviewer: IntArray
    weight: FloatArray
    score: FloatArray
    n_apps: int
    free: npt.NDArray[np.bool_]  # reviewers whose leniency is estimated
    present: npt.NDArray[np.bool_]  # reviewers with a score on this criterion
    app_weight: FloatArray  # per application: the sum of its rows' weights

    def times(self, b: FloatArray, penalty: float) -> FloatArray:
        """(L + penalty * I) b, with fixed reviewers' entries held at 0."""
        t = b[self.reviewer]
        means = self._app_mean(self.weight * t)
        out = np.bincount(self.reviewer, self.weight * (t - means[self.application]),
                          minlength=self.free.size)
        return np.where(self.free, out + penalty * b, 0.0)

    def right_side(self) -> FloatArray:
        means = self._app_mean(self.weight * self.score)
        out = np.bincount(self.reviewer, self.weight * (self.score - means[self.application]),
                          minlength=self.free.size)
        return np.where(self.free, out, 0.0)

    def residual_sum(self, b: FloatArray) -> float:
        """The weighted sum of squared residuals with leniencies ``b`` (effects profiled)."""
        e = self.score - b[self.reviewer]
        means = self._app_mean(self.weight * e)
        return math.fsum((self.weight * (e - means[self.application]) ** 2).tolist())

    def diagonal(self) -> FloatArray:
        """The diagonal of L: each reviewer's weight less its share of the application means."""
        share = self.weight * (1 - self.weight / self.app_weight[self.application])
        return np.where(self.free, np.bincount(self.reviewer, share,
                                               minlength=self.free.size), 0.0)

    def _app_mean(self, values: FloatArray) -> FloatArray:
        sums = np.bincount(self.application, values, minlength=self.n_apps)
        return np.divide(sums, self.app_weight, out=np.zeros(self.n_apps),
                         where=self.app_weight > 0)


def _system(columns: ReviewColumns, w: FloatArray, j: int) -> _System:
    rows = (columns.criterion == j) & (w > 0)
    application = columns.application[rows].astype(np.int64)
    reviewer = columns.reviewer[rows].astype(np.int64)
    weight = w[rows]
    n_apps, n_reviewers = len(columns.applications), len(columns.reviewers)
    scored = np.bincount(reviewer, minlength=n_reviewers)  # distinct rows, not weights
    return _System(application, reviewer, weight, columns.score[rows].astype(np.float64),
                   n_apps, scored >= MIN_SCORES, scored > 0,
                   np.bincount(application, weight, minlength=n_apps).astype(np.float64))


def _fit_criterion(columns: ReviewColumns, w: FloatArray, j: int,
                   reviewer_group: IntArray) -> CriterionFit:
    system = _system(columns, w, j)
    n_reviewers = len(columns.reviewers)
    free_count = int(system.free.sum())
    noise, spread = _variances(system, reviewer_group)
    zero = (0,) * n_reviewers
    corrected = tuple((system.free | ~system.present).tolist())
    penalty = None if spread <= 0 or free_count == 0 else _rounded_penalty(noise / spread)
    if penalty is None:
        return CriterionFit(columns.criteria[j], None, _quantised(noise), Fraction(0),
                            zero, zero, corrected)
    b = _conjugate_gradients(system, float(penalty))
    errors = np.sqrt(noise / (system.diagonal() + float(penalty)))
    leniency = _balanced(b, system, reviewer_group)
    return CriterionFit(
        columns.criteria[j], penalty, _quantised(noise), _quantised(spread),
        tuple(leniency.tolist()),
        tuple(scaled_half_up(float(e), PLACES) if f else 0
              for e, f in zip(errors.tolist(), system.free.tolist(), strict=True)),
        corrected)


def _variances(system: _System, reviewer_group: IntArray) -> tuple[float, float]:
    """(noise variance, leniency variance): a moment estimate from the unpenalised fit.

    Noise: the residual sum of squares of the fixed-effects fit over its degrees of freedom
    (weights less applications less free reviewers plus one per group with a free
    reviewer). Leniency: the mean square of the unpenalised leniencies less the part noise
    alone would give, ``noise * mean(1 / L_rr)`` (the diagonal of L standing for its
    inverse: an approximation that is close when reviewers share many applications).
    """
    free = system.free
    if not free.any():
        return 0.0, 0.0
    b = _conjugate_gradients(system, 0.0)
    groups = np.unique(reviewer_group[free]).size
    applications = int((system.app_weight > 0).sum())
    freedom = math.fsum(system.weight.tolist()) - applications - int(free.sum()) + groups
    if freedom < 1:
        return 0.0, 0.0
    noise = system.residual_sum(b) / freedom
    diagonal = system.diagonal()[free]
    usable = diagonal > 1e-12
    if not usable.any():
        return noise, 0.0
    mean_square = math.fsum((b[free] ** 2).tolist()) / int(free.sum())
    sampling = noise * math.fsum((1 / diagonal[usable]).tolist()) / int(usable.sum())
    return noise, max(0.0, mean_square - sampling)


def _rounded_penalty(value: float) -> Fraction:
    """The penalty rounded to PENALTY_PLACES decimals (at least MIN_PENALTY): the value used."""
    return max(MIN_PENALTY, Fraction(scaled_half_up(value, PENALTY_PLACES), 10**PENALTY_PLACES))


def _quantised(value: float) -> Fraction:
    return Fraction(scaled_half_up(value, PLACES), UNIT)


def _dot(x: FloatArray, y: FloatArray) -> float:
    """An exactly rounded dot product: independent of the machine's summation order."""
    return math.fsum((x * y).tolist())


def _conjugate_gradients(system: _System, penalty: float) -> FloatArray:
    """Solve (L + penalty) b = s from b = 0; the same floats on every machine.

    With penalty 0 the system is singular (a constant per group), but consistent: started
    at 0, conjugate gradients stay orthogonal to the constants and reach the solution whose
    leniencies sum to 0 in each group.
    """
    b = np.zeros(system.free.size)
    r = system.right_side()
    p = r.copy()
    rr = _dot(r, r)
    stop = (CG_TOLERANCE ** 2) * rr
    for _ in range(max(2 * system.free.size, 10)):
        if rr <= stop or rr == 0.0:
            break
        q = system.times(p, penalty)
        pq = _dot(p, q)
        if pq <= 0.0:
            break
        alpha = rr / pq
        b = b + alpha * p
        r = r - alpha * q
        next_rr = _dot(r, r)
        p = r + (next_rr / rr) * p
        rr = next_rr
    return b


def _balanced(b: FloatArray, system: _System, reviewer_group: IntArray) -> IntArray:
    """Leniencies in 1/UNIT points, rounded half up; a group whose reviewers (of this
    criterion) are all corrected is nudged back to a sum of exactly 0 (largest rounding
    remainder first, then by reviewer order), as the unrounded fit has it."""
    free = system.free
    units = np.array([scaled_half_up(float(x), PLACES) if f else 0
                      for x, f in zip(b.tolist(), free.tolist(), strict=True)], np.int64)
    remainder = b * UNIT - units
    for group in np.unique(reviewer_group[reviewer_group >= 0]).tolist():
        members = np.flatnonzero((reviewer_group == group) & system.present)
        if not free[members].all():
            continue
        excess = int(units[members].sum())
        if excess == 0:
            continue
        step = -1 if excess > 0 else 1
        # Nudge those whose rounding went furthest the wrong way: ties by reviewer order.
        pull = sorted(members.tolist(), key=lambda r: (step * -remainder[r], r))
        for r in pull[:abs(excess)]:
            units[r] += step
    return units


# -- What the outputs say --------------------------------------------------------------------


def group_warning(calibration: Calibration) -> str | None:
    """The warning when reviewers form more than one group (None: one group)."""
    count = len(calibration.groups)
    if count <= 1:
        return None
    sizes = ", ".join(str(len(g)) for g in calibration.groups)
    return (f"the reviewers form {count} groups that never scored an application in common "
            f"(reviewers per group: {sizes}); leniency is corrected within each group, and "
            "totals from different groups are not made comparable by it")


def uncorrected_note(calibration: Calibration) -> str | None:
    """Who was left uncorrected and why (None: everyone was corrected)."""
    names = calibration.uncorrected
    if not names:
        return None
    return (f"left uncorrected (fewer than {MIN_SCORES} scores on a criterion): "
            + ", ".join(names))


def calibration_summary(calibration: Calibration) -> dict[str, object]:
    """The fit as JSON-ready values: exact numbers as Fractions for the caller to print."""
    return {
        "method": METHOD,
        "places": PLACES,
        "min_scores": MIN_SCORES,
        "penalty": {f.criterion: f.penalty for f in calibration.fits},
        "noise_variance": {f.criterion: f.noise_variance for f in calibration.fits},
        "leniency_variance": {f.criterion: f.leniency_variance for f in calibration.fits},
        "groups": [list(g) for g in calibration.groups],
        "uncorrected": list(calibration.uncorrected),
    }
