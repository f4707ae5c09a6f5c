"""Scoring a whole call (SPEC 3): the one entry point, :func:`score_call`.

Pure (no I/O, no printing) and exact (fractions until display). Each step lives in a module
named after it: ``eligibility``, ``aggregate``, ``totals``, ``flags``, ``ranking``; the
weights are resolved once (``weights``) and the report carries them.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

from pine_select.lottery import lottery_number
from pine_select.model.application import Application
from pine_select.model.call import Call
from pine_select.model.reviews import Overrides, Review
from pine_select.model.rubric import Rubric
from pine_select.scoring.aggregate import SharedPairs, criterion_scores
from pine_select.scoring.eligibility import gate_failures
from pine_select.scoring.flags import (
    SINGLE_REVIEWER_EXTREME,
    criterion_flags,
    single_reviewer_extremes,
)
from pine_select.scoring.ranking import ranked
from pine_select.scoring.result import ApplicationScore, ScoreReport
from pine_select.scoring.rounding import to_cents
from pine_select.scoring.totals import IntegerWeights, weighted_total
from pine_select.scoring.weights import resolve_weights


def score_call(
    call: Call,
    weights: Mapping[str, Fraction] | None = None,
    overrides: Overrides | None = None,
) -> ScoreReport:
    """Score and rank every application of ``call``.

    ``weights`` replace some or all of the rubric's (what-if); resolved ``Weights`` (from
    ``parse_weights``) are used as they are. ``overrides`` default to the call's own (the
    selection passes them merged with command-line ones). Raises
    :class:`~pine_select.errors.UsageError` for unknown, negative or all-zero weights.
    """
    rubric = call.rubric
    used = resolve_weights(rubric, weights)
    excluded = _exclusion_reasons(call.overrides if overrides is None else overrides)
    counted = _counted_reviews(call)
    seed = rubric.selection.tie_break_seed
    integer_weights = IntegerWeights.of(used)  # once, not once per application
    pairs: SharedPairs = {}
    scores = [
        score_application(app, counted.get(app.id, ()), rubric, integer_weights,
                          excluded.get(app.id), seed, pairs)
        for app in call.applications
    ]
    applications, ties = ranked(scores)
    return ScoreReport(
        applications=applications,
        weights=used,
        seed=seed,
        tie_groups=ties,
        criteria=tuple(rubric.criterion_ids()),
    )


def score_application(
    app: Application,
    reviews: tuple[Review, ...],
    rubric: Rubric,
    weights: Mapping[str, Fraction] | IntegerWeights,
    exclusion: str | None,
    seed: int,
    pairs: SharedPairs | None = None,
) -> ApplicationScore:
    """One application's score, unranked (ranks are set when all are known).

    ``pairs``, one per call, shares equal (reviewer, score) pairs (``criterion_scores``).
    """
    criteria = criterion_scores(reviews, rubric.criterion_ids(), rubric.aggregate, pairs)
    total = weighted_total(criteria, weights, rubric.scale)
    failures = gate_failures(app, rubric.eligibility)
    reasons = [f.reason for f in failures]
    under = [f"fewer than {rubric.min_reviews} reviewers on criterion {c} ({s.n_reviews})"
             for c, s in criteria.items() if s.n_reviews < rubric.min_reviews]
    reasons += under
    if exclusion is not None:
        reasons.append(f"excluded by the panel: {exclusion}")
    extreme = single_reviewer_extremes(criteria, weights, rubric.scale)
    flags = criterion_flags(criteria, rubric) + ([SINGLE_REVIEWER_EXTREME] if extreme else [])
    return ApplicationScore(
        id=app.id,
        eligible=not failures,
        selectable=not reasons,
        reasons=tuple(reasons),
        total=total,
        total_cents=None if total is None else to_cents(total),
        rank=None,
        criteria=criteria,
        flags=tuple(flags),
        lottery=lottery_number(seed, app.id),
        failed_gates=tuple(f.gate for f in failures),
        excluded=exclusion is not None,
        extreme_reviewers=extreme,
        under_reviewed=bool(under),
    )


def _exclusion_reasons(overrides: Overrides) -> dict[str, str]:
    return {o.id: o.reason for o in overrides.exclude}


def _counted_reviews(call: Call) -> dict[str, tuple[Review, ...]]:
    """Each application's reviews, without any by a reviewer who declared a conflict.

    The loader already refuses such scores; dropping them here too keeps the library safe
    when a Call is built in code.
    """
    conflicted = {(c.reviewer, c.application_id) for c in call.conflicts}
    grouped: dict[str, list[Review]] = {}
    for review in call.reviews:
        if not conflicted or (review.reviewer, review.application_id) not in conflicted:
            rows = grouped.get(review.application_id)
            if rows is None:
                grouped[review.application_id] = [review]
            else:
                rows.append(review)
    return {app_id: tuple(rows) for app_id, rows in grouped.items()}
