"""Scoring a whole call (SPEC 3): the one entry point, :func:`score_call`.

Pure (no I/O, no printing) and exact (fractions until display). Each step lives in a module
named after it: ``eligibility``, ``aggregate``, ``totals``, ``flags``, ``ranking``; the
weights are resolved once (``weights``) and the report carries them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from pine_select.lottery import lottery_number
from pine_select.model.application import Application
from pine_select.model.call import Call
from pine_select.model.reviews import Overrides
from pine_select.model.rubric import Rubric
from pine_select.scoring.calibration import calibrated_aggregates, is_calibrated, raw_method
from pine_select.scoring.columns import (
    ReviewColumns,
    criterion_aggregates,
    criterion_score_maps,
    extremes_decided,
    totals_in_cents,
)
from pine_select.scoring.eligibility import GateMemo, gate_failures
from pine_select.scoring.flags import (
    SINGLE_REVIEWER_EXTREME,
    criterion_flags,
    single_reviewer_extremes,
)
from pine_select.scoring.ranking import report_order, tie_groups
from pine_select.scoring.result import ApplicationScore, CriterionScore, ScoreReport
from pine_select.scoring.rounding import to_cents
from pine_select.scoring.totals import IntegerWeights, weighted_total
from pine_select.scoring.weights import resolve_weights


def score_call(
    call: Call,
    weights: Mapping[str, Fraction] | None = None,
    overrides: Overrides | None = None,
    calibrate: bool = False,
) -> ScoreReport:
    """Score and rank every application of ``call``.

    ``weights`` replace some or all of the rubric's (what-if); resolved ``Weights`` (from
    ``parse_weights``) are used as they are. ``overrides`` default to the call's own (the
    selection passes them merged with command-line ones). Raises
    :class:`~pine_select.errors.UsageError` for unknown, negative or all-zero weights.

    The reviews are read as columns (``columns.ReviewColumns``: without the rows of a
    reviewer who declared a conflict, which the loader refuses anyway).

    ``calibrate`` (or the rubric's ``aggregate: calibrated``): criterion scores less each
    reviewer's fitted leniency (``calibration.py``); each application then also carries its
    raw total. Raises UsageError for ``calibrate`` on a rubric that aggregates by median.
    """
    rubric = call.rubric
    used = resolve_weights(rubric, weights)
    excluded = _exclusion_reasons(call.overrides if overrides is None else overrides)
    seed = rubric.selection.tie_break_seed
    integer_weights = IntegerWeights.of(used)  # once, not once per application
    columns = ReviewColumns.of(call)
    raw = criterion_aggregates(columns, raw_method(rubric))
    aggregates, calibration = raw, None
    if is_calibrated(rubric, calibrate):
        aggregates, calibration = calibrated_aggregates(columns, rubric.scale)
    totals = totals_in_cents(aggregates, integer_weights, rubric.scale)
    raw_totals = None if calibration is None else totals_in_cents(raw, integer_weights,
                                                                   rubric.scale)
    extremes = extremes_decided(columns, raw, integer_weights, rubric.scale)
    judged: GateMemo = {}
    fields = [
        _assessed(app, criteria, rubric, integer_weights, excluded.get(app.id), seed,
                  Total(totals.total(i), totals.cents_of(i)), extremes[i], judged)
        for i, (app, criteria) in enumerate(zip(call.applications,
                                                criterion_score_maps(aggregates), strict=True))
    ]
    if raw_totals is not None:
        for i, f in enumerate(fields):
            f.update(raw_total=raw_totals.total(i), raw_total_cents=raw_totals.cents_of(i))
    # Ranked before the scores are made, so that each is made once, with its rank.
    ranked_at, others = report_order([(f["selectable"], f["total_cents"], f["lottery"], f["id"])
                                      for f in fields])
    applications = [ApplicationScore(**fields[i], rank=rank)
                    for rank, i in enumerate(ranked_at, 1)]
    applications += [ApplicationScore(**fields[i], rank=None) for i in others]
    return ScoreReport(
        applications=tuple(applications),
        weights=used,
        seed=seed,
        tie_groups=tie_groups(applications[:len(ranked_at)]),
        criteria=tuple(rubric.criterion_ids()),
        calibration=calibration,
    )


@dataclass(frozen=True)
class Total:
    """An application's total (None: some criterion unscored) and the same in cents."""

    exact: Fraction | None
    cents: int | None


def _assessed(
    app: Application,
    criteria: dict[str, CriterionScore],
    rubric: Rubric,
    weights: Mapping[str, Fraction] | IntegerWeights,
    exclusion: str | None,
    seed: int,
    total: Total | None = None,
    extreme: tuple[str, ...] | None = None,
    judged: GateMemo | None = None,
) -> dict[str, Any]:
    """The fields of one application's score from its criterion scores, but its rank (set
    when all are known: ``score_call``).

    ``total``: its weighted total when already worked out (``columns.totals_in_cents``);
    ``extreme``: its reviewers who stand alone far from the others, when already decided
    for all applications at once (``columns.extremes_decided``; None: the rule decides);
    ``judged``: the gate verdicts met so far in the call (``eligibility.gate_failures``).
    """
    if total is None:
        exact = weighted_total(criteria, weights, rubric.scale)
        total = Total(exact, None if exact is None else to_cents(exact))
    failures = gate_failures(app, rubric.eligibility, judged)
    reasons = [f.reason for f in failures]
    under = [f"fewer than {rubric.min_reviews} reviewers on criterion {c} ({s.n_reviews})"
             for c, s in criteria.items() if s.n_reviews < rubric.min_reviews]
    reasons += under
    if exclusion is not None:
        reasons.append(f"excluded by the panel: {exclusion}")
    if extreme is None:
        extreme = single_reviewer_extremes(criteria, weights, rubric.scale)
    flags = criterion_flags(criteria, rubric) + ([SINGLE_REVIEWER_EXTREME] if extreme else [])
    return {
        "id": app.id,
        "eligible": not failures,
        "selectable": not reasons,
        "reasons": tuple(reasons),
        "total": total.exact,
        "total_cents": total.cents,
        "criteria": criteria,
        "flags": tuple(flags),
        "lottery": lottery_number(seed, app.id),
        "failed_gates": tuple(f.gate for f in failures),
        "excluded": exclusion is not None,
        "extreme_reviewers": extreme,
        "under_reviewed": bool(under),
    }


def _exclusion_reasons(overrides: Overrides) -> dict[str, str]:
    return {o.id: o.reason for o in overrides.exclude}
