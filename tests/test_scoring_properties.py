"""Invariants of scoring, on random tiny calls (hypothesis)."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from helpers_scoring import call_of
from hypothesis import given
from hypothesis import strategies as st

from pine_select.scoring import score_call

REVIEWERS = ("alice", "bob", "carol", "dan")
by_reviewer = st.dictionaries(st.sampled_from(REVIEWERS), st.integers(1, 5), min_size=1)
scores_st = st.dictionaries(
    st.sampled_from(["A", "B", "C", "D"]),
    st.fixed_dictionaries({"promise": by_reviewer, "feasibility": by_reviewer}),
    min_size=1,
)
weights_st = st.fixed_dictionaries(
    {"promise": st.integers(0, 100), "feasibility": st.integers(0, 100)}
).filter(lambda w: any(w.values())).map(lambda w: {k: Fraction(v) for k, v in w.items()})
aggregate_st = st.sampled_from(["mean", "median"])


@given(scores_st, weights_st, aggregate_st)
def test_totals_are_between_0_and_100(scores: Any, weights: Any, aggregate: str) -> None:
    call = call_of(scores, rubric_changes={"aggregate": aggregate})
    for app in score_call(call, weights).applications:
        assert app.total is not None  # every criterion has a reviewer here
        assert 0 <= app.total <= 100
        assert app.total_cents is not None and 0 <= app.total_cents <= 10000


@given(scores_st, weights_st, aggregate_st,
       st.fractions(min_value=Fraction(1, 1000), max_value=1000))
def test_scaling_every_weight_changes_nothing(
    scores: Any, weights: Any, aggregate: str, factor: Fraction
) -> None:
    call = call_of(scores, rubric_changes={"aggregate": aggregate})
    before = score_call(call, weights)
    after = score_call(call, {c: w * factor for c, w in weights.items()})
    assert [(a.id, a.total, a.rank, a.flags) for a in before.applications] == [
        (a.id, a.total, a.rank, a.flags) for a in after.applications]
    assert before.tie_groups == after.tie_groups


@given(scores_st, weights_st, aggregate_st, st.data())
def test_raising_one_score_never_lowers_a_total(
    scores: Any, weights: Any, aggregate: str, data: st.DataObject
) -> None:
    app_id = data.draw(st.sampled_from(sorted(scores)))
    criterion = data.draw(st.sampled_from(["promise", "feasibility"]))
    reviewer = data.draw(st.sampled_from(sorted(scores[app_id][criterion])))
    old = scores[app_id][criterion][reviewer]
    raised = {a: {c: dict(r) for c, r in by_c.items()} for a, by_c in scores.items()}
    raised[app_id][criterion][reviewer] = min(5, old + data.draw(st.integers(1, 4)))
    changes = {"aggregate": aggregate}
    before = score_call(call_of(scores, rubric_changes=changes), weights).by_id()
    after = score_call(call_of(raised, rubric_changes=changes), weights).by_id()
    assert after[app_id].total is not None and before[app_id].total is not None
    assert after[app_id].total >= before[app_id].total
    for other in before:  # nobody else's total moves
        if other != app_id:
            assert after[other].total == before[other].total


@given(scores_st, aggregate_st)
def test_ranks_follow_totals_and_are_one_to_n(scores: Any, aggregate: str) -> None:
    report = score_call(call_of(scores, rubric_changes={"aggregate": aggregate}))
    ranked = [a for a in report.applications if a.rank is not None]
    assert [a.rank for a in ranked] == list(range(1, len(ranked) + 1))
    assert all(a.selectable for a in ranked)
    cents = [a.total_cents or 0 for a in ranked]
    assert cents == sorted(cents, reverse=True)
    unranked = [a.id for a in report.applications if a.rank is None]
    assert unranked == sorted(unranked)
