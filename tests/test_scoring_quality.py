"""Assessment quality by hand: leniency, ICC(1), Spearman-Brown."""

from __future__ import annotations

import pytest
from helpers_scoring import both, call_of

from pine_select.scoring import score_call
from pine_select.scoring.quality import icc1, reviewers_needed, spearman_brown


def test_icc1_by_hand() -> None:
    # a=2, N=4, grand mean 3, group means 1.5 and 4.5: SSB = 2*2.25*2 = 9, MSB = 9;
    # SSW = 4 * 0.25 = 1, MSW = 1/2; k0 = (4 - 8/4) / 1 = 2; ICC = 8.5 / 9.5
    assert icc1([[1, 2], [4, 5]]) == pytest.approx(8.5 / 9.5)


def test_icc1_with_unequal_groups_by_hand() -> None:
    # groups [1,2,3] and [4,5]: N=5, grand 3, means 2 and 4.5; SSB = 3*1 + 2*2.25 = 7.5,
    # MSB = 7.5; SSW = 2 + 0.5 = 2.5, MSW = 2.5/3; k0 = (5 - 13/5) / 1 = 2.4
    msw = 2.5 / 3
    assert icc1([[1, 2, 3], [4, 5]]) == pytest.approx((7.5 - msw) / (7.5 + 1.4 * msw))


def test_icc1_is_negative_when_reviewers_disagree_more_than_applications_differ() -> None:
    value = icc1([[1, 5], [5, 1]])
    assert value is not None and value < 0
    assert reviewers_needed(value, 0.7) is None


def test_icc1_undefined_cases() -> None:
    assert icc1([[3, 3], [3, 3]]) is None  # nothing varies
    assert icc1([[1, 5]]) is None  # one application


def test_spearman_brown_matches_the_domain_brief() -> None:
    # DOMAIN.md: with ICC 0.26, three reviewers give 0.51, five give 0.64.
    assert spearman_brown(0.26, 3) == pytest.approx(0.513, abs=1e-3)
    assert spearman_brown(0.26, 5) == pytest.approx(0.637, abs=1e-3)
    # 0.7 * 0.74 / (0.26 * 0.3) = 6.64 -> 7 reviewers
    assert reviewers_needed(0.26, 0.7) == 7
    assert reviewers_needed(0.8, 0.7) == 1
    assert reviewers_needed(0.7 / 1.3, 0.7) == 2  # 2 * ICC / (1 + ICC) = 0.7 exactly


def test_leniency_and_counts_by_hand() -> None:
    # On A/promise alice 5, bob 3, carol 4: alice +1.5, bob -1.5, carol 0.
    # On A/feasibility alice 4, bob 4: both 0. On B/promise only alice: not compared.
    call = call_of({"A": both({"alice": 5, "bob": 3, "carol": 4}, {"alice": 4, "bob": 4}),
                    "B": {"promise": {"alice": 2}}})
    quality = score_call(call).quality
    by_name = {r.reviewer: r for r in quality.reviewers}
    assert [r.reviewer for r in quality.reviewers] == ["alice", "bob", "carol"]
    assert by_name["alice"].n_scores == 3 and by_name["alice"].n_applications == 2
    assert by_name["alice"].leniency == pytest.approx(1.5 / 2)
    assert by_name["alice"].n_compared == 2
    assert by_name["bob"].leniency == pytest.approx(-1.5 / 2)
    assert by_name["carol"].leniency == 0


def test_quality_per_criterion_is_in_rubric_order_and_json_ready() -> None:
    call = call_of({"A": both({"alice": 1, "bob": 2}, {"alice": 1, "bob": 5}),
                    "B": both({"alice": 4, "bob": 5}, {"alice": 5, "bob": 1})})
    quality = score_call(call).quality
    promise, feasibility = quality.criteria
    assert (promise.criterion, feasibility.criterion) == ("promise", "feasibility")
    assert promise.icc == pytest.approx(8.5 / 9.5)
    assert promise.reviewers_for_target == 1
    assert promise.mean_reviewers == 2 and promise.n_scores == 4
    assert feasibility.icc is not None and feasibility.icc < 0
    data = quality.as_dict()
    assert data["target"] == 0.7
    assert data["criteria"][0]["icc"] == round(8.5 / 9.5, 4)  # type: ignore[index]
