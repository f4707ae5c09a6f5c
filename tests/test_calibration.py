"""Reviewer calibration (issue 16): the fit on review columns, planted and hand-made designs."""

from __future__ import annotations

import random
from fractions import Fraction

import numpy as np
import pytest

from pine_select.model.rubric import Scale
from pine_select.options import RunOptions
from pine_select.scoring.calibration import (
    MIN_SCORES,
    UNIT,
    calibrated_aggregates,
    fit_leniency,
    group_warning,
)
from pine_select.scoring.columns import ReviewColumns, criterion_aggregates

SCALE = Scale(min=1, max=5)


def columns_of(rows: list[tuple[int, int, int, int]], n_apps: int, n_reviewers: int,
               n_criteria: int = 1) -> ReviewColumns:
    """Columns from (application, reviewer, criterion, score) rows."""
    return ReviewColumns.from_lists(
        tuple(f"APP-{i:04d}" for i in range(n_apps)),
        tuple(f"r{i:03d}" for i in range(n_reviewers)),
        tuple(f"c{j}" for j in range(n_criteria)),
        [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows], [r[3] for r in rows])


def planted(seed: int, n_apps: int = 160, n_reviewers: int = 16, per_app: int = 3,
            n_criteria: int = 1) -> tuple[ReviewColumns, list[float], list[float]]:
    """Random overlapping assignments; score = merit + leniency + noise, rounded, clipped."""
    rng = random.Random(seed)
    merit = [rng.gauss(3, 0.6) for _ in range(n_apps)]
    leniency = [rng.gauss(0, 0.7) for _ in range(n_reviewers)]
    rows = []
    for a in range(n_apps):
        for r in rng.sample(range(n_reviewers), per_app):
            for c in range(n_criteria):
                score = round(merit[a] + leniency[r] + rng.gauss(0, 0.5))
                rows.append((a, r, c, min(5, max(1, score))))
    return columns_of(rows, n_apps, n_reviewers, n_criteria), merit, leniency


def kendall_tau(x: list[float], y: list[float]) -> float:
    pairs = [(i, j) for i in range(len(x)) for j in range(i + 1, len(x))]
    agree = sum(np.sign(x[i] - x[j]) * np.sign(y[i] - y[j]) for i, j in pairs)
    return float(agree) / len(pairs)


def means(aggregates: object, criterion: int = 0) -> list[float]:
    a = aggregates
    return [float(Fraction(int(n), int(d))) for n, d in
            zip(a.numerator[:, criterion], a.denominator[:, criterion], strict=True)]  # type: ignore[attr-defined]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_planted_leniencies_are_found_and_the_ranking_moves_toward_merit(seed: int) -> None:
    columns, merit, leniency = planted(seed)
    calibrated, calibration = calibrated_aggregates(columns, SCALE)
    fitted = [x / UNIT for x in calibration.fits[0].leniency]
    assert np.corrcoef(fitted, leniency)[0, 1] > 0.9
    raw = criterion_aggregates(columns, "mean")
    assert kendall_tau(means(calibrated), merit) > kendall_tau(means(raw), merit) + 0.03
    assert calibration.fits[0].penalty is not None and calibration.fits[0].penalty > 0
    assert len(calibration.groups) == 1 and calibration.uncorrected == ()


def test_a_balanced_design_changes_no_score() -> None:
    """Every reviewer scores every application: the calibrated means are the raw means,
    exactly (leniencies sum to 0 in a group, and each application has every reviewer)."""
    rng = random.Random(7)
    bias = [1, 0, 0, -1, 1, -1]
    rows = [(a, r, c, min(5, max(1, rng.randint(2, 4) + bias[r])))
            for a in range(12) for r in range(6) for c in range(2)]
    columns = columns_of(rows, 12, 6, 2)
    calibrated, calibration = calibrated_aggregates(columns, SCALE)
    raw = criterion_aggregates(columns, "mean")
    assert any(x != 0 for fit in calibration.fits for x in fit.leniency)  # it did correct
    for fit in calibration.fits:
        assert sum(fit.leniency) == 0
    for i in range(12):
        for j in range(2):
            assert calibrated.score(i, j) == raw.score(i, j)


def test_groups_that_share_no_application_are_fitted_apart_and_warned_about() -> None:
    first, _, _ = planted(4, n_apps=60, n_reviewers=6)
    second, _, _ = planted(5, n_apps=60, n_reviewers=6)
    rows = [(int(a), int(r), 0, int(s)) for a, r, s in
            zip(first.application, first.reviewer, first.score, strict=True)]
    rows += [(int(a) + 60, int(r) + 6, 0, int(s)) for a, r, s in
             zip(second.application, second.reviewer, second.score, strict=True)]
    together = fit_leniency(columns_of(rows, 120, 12))
    assert [len(g) for g in together.groups] == [6, 6]
    assert together.application_group == (0,) * 60 + (1,) * 60
    units = together.fits[0].leniency
    assert sum(units[:6]) == 0 and sum(units[6:]) == 0  # each group's own level
    warning = group_warning(together)
    assert warning is not None and "2 groups" in warning
    assert group_warning(fit_leniency(first)) is None
    # Each group alone gives its own leniencies (the penalty is estimated on all groups,
    # so compare shrinkage-free facts: the order of the reviewers within each group).
    alone = fit_leniency(first).fits[0].leniency
    assert np.argsort(alone).tolist() == np.argsort(units[:6]).tolist()


def test_a_reviewer_with_too_few_scores_is_left_uncorrected_and_listed() -> None:
    columns, _, _ = planted(6, n_apps=80, n_reviewers=8)
    rows = [(int(a), int(r), 0, int(s)) for a, r, s in
            zip(columns.application, columns.reviewer, columns.score, strict=True)]
    rows += [(a, 8, 0, 5) for a in range(MIN_SCORES - 1)]  # a very lenient newcomer
    calibration = fit_leniency(columns_of(rows, 80, 9))
    assert calibration.uncorrected == ("r008",)
    fit = calibration.fits[0]
    assert fit.leniency[8] == 0 and fit.standard_error[8] == 0 and not fit.corrected[8]
    assert all(fit.corrected[:8])


def test_the_fit_is_the_same_whatever_the_row_order() -> None:
    columns, _, _ = planted(8, n_apps=120, n_reviewers=12, n_criteria=2)
    rows = list(zip(columns.application.tolist(), columns.reviewer.tolist(),
                    columns.criterion.tolist(), columns.score.tolist(), strict=True))
    random.Random(1).shuffle(rows)
    shuffled = columns_of(rows, 120, 12, 2)
    assert fit_leniency(columns) == fit_leniency(columns)
    assert fit_leniency(shuffled).fits == fit_leniency(columns).fits


def test_calibrated_scores_stay_within_the_scale() -> None:
    """A harsh reviewer's 1s, corrected upward, and a lenient one's 5s stay within 1..5."""
    columns, _, _ = planted(9, n_apps=100, n_reviewers=10)
    calibrated, _ = calibrated_aggregates(columns, SCALE)
    scored = calibrated.count[:, 0] > 0
    values = calibrated.numerator[scored, 0] / calibrated.denominator[scored, 0]
    assert values.min() >= 1 and values.max() <= 5


def test_multiplicities_weigh_rows_in_the_fit_as_repeated_rows() -> None:
    columns, _, _ = planted(10, n_apps=60, n_reviewers=8)
    m = np.ones(len(columns), np.int64)
    m[::7] = 2
    rows = [(int(a), int(r), 0, int(s)) for a, r, s, k in
            zip(columns.application, columns.reviewer, columns.score, m, strict=True)
            for _ in range(k)]
    weighted, _ = calibrated_aggregates(columns, SCALE, m)
    repeated, _ = calibrated_aggregates(columns_of(rows, 60, 8), SCALE)
    # The same model on the same (repeated) data; MIN_SCORES counts distinct rows, and
    # every reviewer here has far more than that either way.
    assert np.array_equal(weighted.numerator * repeated.denominator,
                          repeated.numerator * weighted.denominator)


def test_calibrate_is_recorded_only_when_set() -> None:
    assert "calibrate" not in RunOptions().as_recorded()
    recorded = RunOptions(calibrate=True).as_recorded()
    assert recorded["calibrate"] is True
    assert RunOptions.from_recorded(recorded).calibrate is True
