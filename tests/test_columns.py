"""Review columns (scoring/columns.py): the vectorised aggregates and totals are exactly the
one formula of scoring (aggregate.criterion_scores, totals.weighted_total, to_cents)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
from helpers_scoring import call_of
from hypothesis import given
from hypothesis import strategies as st

from pine_select.model.reviews import Conflict, ReviewTable
from pine_select.scoring.aggregate import criterion_scores
from pine_select.scoring.columns import (
    ReviewColumns,
    cents_of,
    criterion_aggregates,
    criterion_score_maps,
    extreme_candidates,
    extremes_decided,
    totals_in_cents,
)
from pine_select.scoring.flags import single_reviewer_extremes
from pine_select.scoring.rounding import to_cents
from pine_select.scoring.totals import IntegerWeights, weighted_total

REVIEWERS = ("alice", "bob", "carol", "dan", "eve")
by_reviewer = st.dictionaries(st.sampled_from(REVIEWERS), st.integers(1, 5))
scores_st = st.dictionaries(
    st.sampled_from(["A", "B", "C", "D", "E"]),
    st.fixed_dictionaries({"promise": by_reviewer, "feasibility": by_reviewer}),
    min_size=1,
)
weights_st = st.fixed_dictionaries(
    {"promise": st.fractions(0, 1000, max_denominator=97),
     "feasibility": st.fractions(0, 1000, max_denominator=89)}
).filter(lambda w: any(w.values()))
aggregate_st = st.sampled_from(["mean", "median"])


def expected(call: Any, weights: Any, multiplicity: list[int]) -> list[tuple[Any, ...]]:
    """Per application: aggregates, total and cents by scoring's own functions, on the rows
    repeated as often as ``multiplicity`` says."""
    rows = [r for r, m in zip(call.reviews, multiplicity, strict=True) for _ in range(m)]
    criteria = call.rubric.criterion_ids()
    out = []
    for app in call.applications:
        scored = criterion_scores([r for r in rows if r.application_id == app.id], criteria,
                                  call.rubric.aggregate)
        total = weighted_total(scored, weights, call.rubric.scale)
        out.append((tuple(s.score for s in scored.values()),
                    tuple(s.n_reviews for s in scored.values()),
                    tuple(s.spread if s.spread is not None else 0 for s in scored.values()),
                    total, None if total is None else to_cents(total)))
    return out


def actual(call: Any, weights: Any, multiplicity: list[int]) -> list[tuple[Any, ...]]:
    columns = ReviewColumns.of(call)
    aggregates = criterion_aggregates(columns, call.rubric.aggregate, np.array(multiplicity))
    totals = totals_in_cents(aggregates, weights, call.rubric.scale)
    n_criteria = len(columns.criteria)
    return [(tuple(aggregates.score(i, j) for j in range(n_criteria)),
             tuple(int(n) for n in aggregates.count[i]),
             tuple(int(s) for s in aggregates.spread()[i]),
             totals.total(i), int(totals.cents[i]) if totals.complete[i] else None)
            for i in range(len(columns.applications))]


@given(scores_st, weights_st, aggregate_st, st.data())
def test_columns_score_exactly_as_scoring_with_any_multiplicities(
    scores: Any, weights: Any, aggregate: str, data: st.DataObject
) -> None:
    call = call_of(scores, rubric_changes={"aggregate": aggregate})
    multiplicity = data.draw(st.lists(st.integers(0, 4), min_size=len(call.reviews),
                                      max_size=len(call.reviews)))
    assert actual(call, weights, multiplicity) == expected(call, weights, multiplicity)


@given(scores_st, aggregate_st)
def test_weights_too_big_for_int64_take_the_exact_path_with_the_same_answer(
    scores: Any, aggregate: str
) -> None:
    call = call_of(scores, rubric_changes={"aggregate": aggregate})
    # Denominators whose common multiple is about 10**38: int64 cannot hold the sums.
    weights = {"promise": Fraction(1, 2**61 - 1), "feasibility": Fraction(3, 2**89 - 1)}
    ones = [1] * len(call.reviews)
    assert actual(call, weights, ones) == expected(call, weights, ones)


def test_columns_leave_out_conflicted_rows_and_are_read_only() -> None:
    scores = {"A": {"promise": {"alice": 5, "Bob": 1}, "feasibility": {"alice": 4}}}
    plain = call_of(scores)
    call = call_of(scores, conflicts=[Conflict(reviewer="bob", application_id="A")])
    columns = ReviewColumns.of(call)
    assert columns.reviewers == ("alice",)
    assert len(columns) == 2 and len(ReviewColumns.of(plain)) == 3
    assert ReviewColumns.of(plain).reviewers == ("alice", "bob")  # canonical, sorted
    assert ReviewColumns.of(call) is columns  # made once per call
    for array in (columns.application, columns.reviewer, columns.criterion, columns.score):
        with pytest.raises(ValueError, match="read-only"):
            array[0] = 1
    totals = cents_of(call, {"promise": Fraction(1), "feasibility": Fraction(1)})
    assert totals.total(0) == Fraction(100 * (4 + 3), 2 * 4)  # alice alone: 5 and 4 on 1..5
    assert totals.cents.tolist() == [8750]


def test_a_multiplicity_of_the_wrong_shape_or_sign_is_refused() -> None:
    call = call_of({"A": {"promise": {"alice": 5}, "feasibility": {"alice": 4}}})
    columns = ReviewColumns.of(call)
    for bad in (np.array([1]), np.array([1, -1])):
        with pytest.raises(ValueError, match="multiplicity"):
            criterion_aggregates(columns, "mean", bad)


@given(scores_st, aggregate_st, st.data())
def test_a_loaded_table_gives_the_columns_and_criterion_scores_of_the_models(
    scores: Any, aggregate: str, data: st.DataObject
) -> None:
    call = call_of(scores, rubric_changes={"aggregate": aggregate})
    conflicts = data.draw(st.lists(st.tuples(st.sampled_from(REVIEWERS),
                                             st.sampled_from(sorted(scores))), max_size=3))
    call = replace(call, conflicts=tuple(Conflict(reviewer=r, application_id=a)
                                         for r, a in conflicts))
    tabled = replace(call, reviews=ReviewTable.of_reviews(call.reviews))
    assert tabled.reviews == call.reviews and list(tabled.reviews) == list(call.reviews)
    models, table = ReviewColumns.of(call), ReviewColumns.of(tabled)
    for name in ("applications", "reviewers", "criteria"):
        assert getattr(models, name) == getattr(table, name)
    for name in ("application", "reviewer", "criterion", "score"):
        assert getattr(models, name).tolist() == getattr(table, name).tolist()
    declared = {(r, a) for r, a in conflicts}
    counted = [r for r in call.reviews if (r.reviewer, r.application_id) not in declared]
    maps = criterion_score_maps(criterion_aggregates(table, aggregate))
    criteria = call.rubric.criterion_ids()
    for app, scored in zip(call.applications, maps, strict=True):
        own = [r for r in counted if r.application_id == app.id]
        assert scored == criterion_scores(own, criteria, aggregate)


@given(scores_st, weights_st, st.data())
def test_the_extreme_screen_keeps_every_application_the_rule_flags(
    scores: Any, weights: Any, data: st.DataObject
) -> None:
    # Scores far apart make reviewers who stand alone common.
    wide = {a: {c: {r: data.draw(st.sampled_from([1, 5])) for r in by_r}
                for c, by_r in by_c.items()} for a, by_c in scores.items()}
    screened, rule = at_once_and_by_the_rule(wide, weights, extreme_candidates)
    for candidate, flagged in zip(screened, rule, strict=True):
        if flagged:
            assert candidate


def at_once_and_by_the_rule(scores: Any, weights: Any, at_once: Callable[..., list[Any]]
                            ) -> tuple[list[Any], list[tuple[str, ...]]]:
    """``at_once`` (a screen of every application's columns) of the call of ``scores``,
    and each application's reviewers who stand alone by the rule itself."""
    call = call_of(scores)
    columns = ReviewColumns.of(call)
    aggregates = criterion_aggregates(columns, "mean")
    integer = IntegerWeights.of(weights)
    return (at_once(columns, aggregates, integer, call.rubric.scale),
            [single_reviewer_extremes(scored, integer, call.rubric.scale)
             for scored in criterion_score_maps(aggregates)])


# Three or more reviewers, scores far apart: reviewers who stand alone are common, and so
# are margins of exactly 0 (which the rule decides exactly).
far_apart = st.dictionaries(st.sampled_from(REVIEWERS), st.sampled_from([1, 3, 5]), min_size=3)
wide_st = st.dictionaries(st.sampled_from(["A", "B", "C", "D", "E"]),
                          st.fixed_dictionaries({"promise": far_apart, "feasibility": far_apart}),
                          min_size=1)


@given(wide_st, weights_st)
def test_extremes_decided_at_once_are_the_rules_own(wide: Any, weights: Any) -> None:
    decided, rule = at_once_and_by_the_rule(wide, weights, extremes_decided)
    for found, expected in zip(decided, rule, strict=True):
        assert found is None or found == expected


def test_the_extreme_screen_passes_only_a_highest_or_lowest_total_that_stands_apart() -> None:
    def on_both(scores: dict[str, int]) -> dict[str, dict[str, int]]:
        return {"promise": scores, "feasibility": scores}

    call = call_of({"A": on_both({"alice": 5, "bob": 1, "carol": 1, "dan": 1}),  # high apart
                    "B": on_both({"alice": 1, "bob": 5, "carol": 5}),  # low apart
                    "C": on_both({"alice": 1, "bob": 3, "carol": 5}),  # spread, nobody apart
                    "D": on_both({"alice": 5, "bob": 1})})  # two reviewers: never
    columns = ReviewColumns.of(call)
    aggregates = criterion_aggregates(columns, "mean")
    integer = IntegerWeights.of({"promise": Fraction(1), "feasibility": Fraction(1)})
    assert extreme_candidates(columns, aggregates, integer, call.rubric.scale) == [
        True, True, False, False]
    assert extremes_decided(columns, aggregates, integer, call.rubric.scale) == [
        ("alice",), ("alice",), (), ()]
