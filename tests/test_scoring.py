"""Scoring worked out by hand on tiny calls (rubric: promise 60, feasibility 40, scale 1-5)."""

from __future__ import annotations

from fractions import Fraction

import pytest
from conftest import DELETE
from helpers_scoring import application, both, call_of, rubric

from pine_select.errors import UsageError
from pine_select.lottery import lottery_number
from pine_select.model.reviews import Conflict, Override, Overrides
from pine_select.model.rubric import Rubric
from pine_select.scoring import parse_weights, score_call
from pine_select.scoring.aggregate import median
from pine_select.scoring.eligibility import failed_gate_reason
from pine_select.scoring.rounding import scaled_half_up, to_cents


def test_mean_total_by_hand() -> None:
    # promise (5+4)/2 = 4.5 -> 3.5/4 = 7/8; feasibility (3+2)/2 = 2.5 -> 1.5/4 = 3/8
    # total = 100 * (60 * 7/8 + 40 * 3/8) / 100 = 52.5 + 15 = 67.5
    call = call_of({"A": both({"alice": 5, "bob": 4}, {"alice": 3, "bob": 2})})
    (score,) = score_call(call).applications
    assert score.criteria["promise"].score == Fraction(9, 2)
    assert score.criteria["feasibility"].score == Fraction(5, 2)
    assert score.total == Fraction(135, 2)
    assert score.total_cents == 6750
    assert (score.rank, score.selectable, score.eligible, score.reasons) == (1, True, True, ())


def test_median_total_by_hand() -> None:
    # promise median(1, 4, 5) = 4 -> 3/4 (the mean would be 10/3); feasibility median(2, 2, 5)
    # = 2 -> 1/4; total = 60 * 3/4 + 40 * 1/4 = 55
    call = call_of({"A": both({"alice": 1, "bob": 4, "carol": 5},
                              {"alice": 2, "bob": 2, "carol": 5})},
                   rubric_changes={"aggregate": "median"})
    (score,) = score_call(call).applications
    assert score.criteria["promise"].score == 4
    assert score.total == 55
    assert score.total_cents == 5500


def test_median_of_an_even_count_is_the_mean_of_the_middle_two() -> None:
    assert median([5, 3, 4, 1]) == Fraction(7, 2)


def test_thirds_stay_exact_so_equal_scores_give_equal_totals() -> None:
    # (1 + 2 + 2) / 3 = 5/3 on promise; a float mean would drift in the last digit.
    scores = both({"alice": 1, "bob": 2, "carol": 2}, {"alice": 2, "bob": 2, "carol": 1})
    call = call_of({"A": scores, "B": scores})
    a, b = score_call(call).applications
    assert a.total == b.total == Fraction(100, 6)  # 60 * 1/6 + 40 * 1/6
    assert a.total_cents == 1667  # 16.666... rounds up


def test_rounding_is_half_up() -> None:
    assert to_cents(Fraction(73125, 1000)) == 7313
    assert to_cents(Fraction(73124, 1000)) == 7312
    assert scaled_half_up(Fraction(-5, 2), 0) == -3


def test_too_few_reviewers_is_unselectable_with_reason_and_flag() -> None:
    call = call_of({"A": both({"alice": 5, "bob": 4}, {"alice": 3})})
    (score,) = score_call(call).applications
    assert score.reasons == ("fewer than 2 reviewers on criterion feasibility (1)",)
    assert score.flags == ("insufficient_reviews:feasibility",)
    assert score.eligible and not score.selectable and score.rank is None
    assert score.total == 100 * (60 * Fraction(7, 8) + 40 * Fraction(2, 4)) / 100


def test_no_score_on_a_criterion_means_no_total() -> None:
    call = call_of({"A": {"promise": {"alice": 5, "bob": 4}}})
    (score,) = score_call(call).applications
    assert score.total is None and score.total_cents is None
    assert score.criteria["feasibility"].score is None
    assert score.criteria["feasibility"].n_reviews == 0
    assert "fewer than 2 reviewers on criterion feasibility (0)" in score.reasons


def test_a_gate_on_a_missing_field_fails_with_a_reason() -> None:
    app = application("A", facts={"based_in_england": DELETE})
    call = call_of({"A": both({"alice": 5, "bob": 5}, {"alice": 5, "bob": 5})},
                   applications=[app])
    (score,) = score_call(call).applications
    assert not score.eligible and not score.selectable
    assert score.failed_gates == ("in_england",)
    assert score.reasons == (
        "ineligible: gate in_england (facts.based_in_england is missing; expected true)",)
    assert score.total == 100  # still scored, so the panel sees what it is missing


def test_a_gate_failing_on_a_value_says_what_it_saw() -> None:
    app = application("A", facts={"based_in_england": False})
    call = call_of({"A": both({"alice": 5, "bob": 5}, {"alice": 5, "bob": 5})},
                   applications=[app])
    (score,) = score_call(call).applications
    assert score.reasons == (
        "ineligible: gate in_england (facts.based_in_england is false; expected true)",)


@pytest.mark.parametrize(("gate", "facts", "expected"), [
    ({"at_least": 6}, {"months": 3}, "facts.months is 3; expected at least 6"),
    ({"at_least": 6}, {"months": 6}, None),
    ({"at_most": 6}, {"months": 7}, "facts.months is 7; expected at most 6"),
    ({"at_least": 6}, {"months": "six"}, 'facts.months is "six"; expected at least 6'),
    ({"in": [1, 2]}, {"months": 3}, "facts.months is 3; expected one of 1, 2"),
    ({"in": [1, 2]}, {"months": 2}, None),
    ({"equals": 1}, {"months": True}, "facts.months is true; expected 1"),
    ({"not_empty": True}, {"months": "  "}, 'facts.months is "  "; expected a value'),
    ({"not_empty": True}, {}, "facts.months is missing; expected a value"),
    ({"at_least": 1, "at_most": 2}, {"months": 5}, "facts.months is 5; expected at most 2"),
])
def test_gate_conditions(gate: dict[str, object], facts: dict[str, object],
                         expected: str | None) -> None:
    rules = rubric(eligibility=[{"id": "g", "field": "facts.months", **gate}])
    reason = failed_gate_reason(application("A", facts=facts), rules.eligibility[0])
    assert reason == (None if expected is None else f"ineligible: gate g ({expected})")


def test_each_application_of_a_call_gets_its_own_gate_verdict() -> None:
    # score_call judges each distinct value once: values equal in Python but not to a gate
    # (True and 1) or shown otherwise (0.0 and -0.0) must each be judged for themselves.
    facts = {"A": True, "B": 1, "C": 1, "D": 0.0, "E": -0.0, "F": True, "G": 1.0, "H": "1"}
    apps = [application(i, facts={"months": v}) for i, v in facts.items()]
    gates = [{"id": "yes", "field": "facts.months", "equals": True},
             {"id": "big", "field": "facts.months", "at_least": 1}]
    scores = both({"alice": 5, "bob": 4}, {"alice": 3, "bob": 2})
    call = call_of(dict.fromkeys(facts, scores), applications=apps,
                   rubric_changes={"eligibility": gates})
    report = score_call(call).by_id()
    for app in apps:
        expected = tuple(r for g in call.rubric.eligibility
                         if (r := failed_gate_reason(app, g)) is not None)
        assert report[app.id].reasons == expected, app.id
    assert (report["A"].failed_gates, report["B"].failed_gates) == (("big",), ("yes",))
    assert "is -0.0;" in report["E"].reasons[-1] and "is 0.0;" in report["D"].reasons[-1]


def test_exclusion_by_the_panel_is_a_reason() -> None:
    overrides = Overrides(exclude=(Override(id="A", reason="conflict found late"),))
    scores = both({"alice": 5, "bob": 4}, {"alice": 3, "bob": 2})
    call = call_of({"A": scores, "B": scores}, overrides=overrides)
    report = score_call(call)
    a = report.by_id()["A"]
    assert a.reasons == ("excluded by the panel: conflict found late",)
    assert a.eligible and a.excluded and not a.selectable
    # What-if overrides replace the call's own.
    assert score_call(call, overrides=Overrides()).by_id()["A"].selectable


def test_conflicted_reviews_are_not_counted() -> None:
    call = call_of({"A": both({"alice": 5, "bob": 1, "carol": 5}, {"alice": 5, "bob": 1,
                                                                  "carol": 5})},
                   conflicts=[Conflict(reviewer="bob", application_id="A")])
    (score,) = score_call(call).applications
    assert score.total == 100 and score.criteria["promise"].n_reviews == 2


def test_unselectable_follow_the_ranking_unranked_and_sorted_by_id() -> None:
    good = both({"alice": 5, "bob": 5}, {"alice": 5, "bob": 5})
    weak = both({"alice": 2, "bob": 2}, {"alice": 2, "bob": 2})
    short = both({"alice": 5}, {"alice": 5})
    call = call_of({"Z": short, "Y": short, "B": weak, "C": good})
    report = score_call(call)
    assert [(a.id, a.rank) for a in report.applications] == [
        ("C", 1), ("B", 2), ("Y", None), ("Z", None)]


def test_ties_are_broken_by_the_seeded_lottery_and_recorded() -> None:
    same = both({"alice": 4, "bob": 3}, {"alice": 4, "bob": 3})
    ids = ["T1", "T2", "T3", "T4"]
    orders = set()
    for seed in range(6):
        call = call_of(dict.fromkeys(ids, same),
                       rubric_changes={"selection": {"tie_break_seed": seed}})
        report = score_call(call)
        expected = tuple(sorted(ids, key=lambda i: lottery_number(seed, i)))
        assert tuple(a.id for a in report.applications) == expected
        assert report.tie_groups == (expected,)
        assert report.seed == seed
        assert [a.lottery for a in report.applications] == [
            lottery_number(seed, i) for i in expected]
        orders.add(expected)
    assert len(orders) > 1  # the seed really decides


def test_totals_equal_only_after_rounding_still_tie() -> None:
    # 1/3 weights: totals differ in exact value beyond the cents but tie at 2 decimals.
    a = both({"alice": 3, "bob": 3}, {"alice": 3, "bob": 3})
    call = call_of({"A": a, "B": a})
    report = score_call(call, {"promise": Fraction(1), "feasibility": Fraction(2)})
    assert report.tie_groups == (tuple(a.id for a in report.applications),)


def test_disagreement_flag_at_the_threshold() -> None:
    call = call_of({"A": both({"alice": 5, "bob": 3}, {"alice": 4, "bob": 3})},
                   rubric_changes={"disagreement": 2})
    (score,) = score_call(call).applications
    assert score.flags == ("disagreement:promise",)
    assert score.criteria["promise"].spread == 2


def test_single_reviewer_extreme_when_one_stands_alone() -> None:
    # alice and bob total 100, carol 0: carol is 100 points from the others' mean, and
    # they agree with each other (spread 0).
    call = call_of({"A": both({"alice": 5, "bob": 5, "carol": 1},
                              {"alice": 5, "bob": 5, "carol": 1})})
    (score,) = score_call(call).applications
    assert "single_reviewer_extreme" in score.flags
    assert score.extreme_reviewers == ("carol",)


def test_no_single_extreme_when_reviewers_spread_evenly_or_are_two() -> None:
    spread = call_of({"A": both({"alice": 1, "bob": 3, "carol": 5},
                                {"alice": 1, "bob": 3, "carol": 5})})
    two = call_of({"A": both({"alice": 1, "bob": 5}, {"alice": 1, "bob": 5})})
    for call in (spread, two):
        (score,) = score_call(call).applications
        assert "single_reviewer_extreme" not in score.flags


def test_what_if_weights_change_the_total_and_are_echoed() -> None:
    call = call_of({"A": both({"alice": 5, "bob": 4}, {"alice": 3, "bob": 2})})
    weights = parse_weights("feasibility=0", call.rubric)
    report = score_call(call, weights)
    assert report.weights == {"promise": 60, "feasibility": 0}
    assert report.applications[0].total == Fraction(175, 2)  # 100 * 7/8


def test_weights_are_exact_decimals() -> None:
    weights = parse_weights("promise=0.1, feasibility=1/3", rubric())
    assert weights == {"promise": Fraction(1, 10), "feasibility": Fraction(1, 3)}


@pytest.mark.parametrize(("text", "message"), [
    ("promis=3", "'promis' is not a criterion of the rubric (did you mean 'promise'?)"),
    ("promise=abc", "promise='abc' is not a number"),
    ("promise=\u0663", "promise='\u0663' is not a number (write its digits as 0-9)"),
    ("promise=\uff14\uff10", "is not a number (write its digits as 0-9)"),
    ("promise=1/\u0663", "is not a number (write its digits as 0-9)"),
    ("promise=-1", "promise=-1 is negative"),
    ("promise=0,feasibility=0", "every weight is 0"),
    ("promise", "'promise' is not id=weight"),
    ("promise=1,,feasibility=2", "an empty entry"),
    ("promise=1,promise=2", "promise is given twice"),
    ("", "weights: nothing given"),
])
def test_bad_weights_are_usage_errors(text: str, message: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_weights(text, rubric())
    assert message in str(caught.value)


@pytest.mark.parametrize(("value", "problem"), [
    ("9" * 5000, "… (5,000 characters) is not a number"),
    ("1/0", "promise='1/0' divides by zero"),
    ("nan", "promise='nan' is not a number"),
    ("inf", "promise='inf' is not a number"),
    ("1e309", "promise=1e309 is above 1,000,000"),
    ("1e999999999", "is not a number"),
    ("-3", "promise=-3 is negative"),
    ("1e-400", "promise=1e-400 is more precise than a millionth"),
])
def test_hostile_weights_get_one_sentence_naming_the_field(value: str, problem: str) -> None:
    """Issue 11: a 5,000-digit number crashed; the message named a CLI flag."""
    with pytest.raises(UsageError) as caught:
        parse_weights(f"promise={value}", rubric())
    message = str(caught.value)
    assert message.startswith("weights: ") and problem in message
    assert "--" not in message and "\n" not in message and len(message) < 200
    assert caught.value.option == "weights"


def test_unknown_criterion_names_the_field_not_a_flag() -> None:
    with pytest.raises(UsageError) as caught:
        parse_weights("nope=1", rubric())
    assert str(caught.value).startswith("weights: 'nope' is not a criterion")
    assert "--" not in str(caught.value)


def test_weights_in_every_accepted_form_are_exact() -> None:
    weights = parse_weights("promise=2.5e1, feasibility=0.000001", rubric())
    assert weights == {"promise": Fraction(25), "feasibility": Fraction(1, 10**6)}


@pytest.mark.parametrize("weight", [float("nan"), float("inf"), True, "3", Fraction(10**7)])
def test_weights_given_in_code_must_be_finite_numbers_in_range(weight: object) -> None:
    call = call_of({"A": both({"alice": 5, "bob": 4}, {"alice": 3, "bob": 2})})
    with pytest.raises(UsageError, match=r"^weights: promise="):
        score_call(call, {"promise": weight})  # type: ignore[dict-item]


def test_resolved_weights_are_not_resolved_again(monkeypatch: pytest.MonkeyPatch) -> None:
    call = call_of({"A": both({"alice": 5, "bob": 4}, {"alice": 3, "bob": 2})})
    weights = parse_weights("feasibility=0.5", call.rubric)
    calls = []
    monkeypatch.setattr(Rubric, "weights", lambda self: calls.append(self) or {})
    report = score_call(call, weights)
    assert calls == [] and report.weights is weights


def test_every_bad_part_of_weights_is_named() -> None:
    with pytest.raises(UsageError) as caught:
        parse_weights("nope=1,promise=x", rubric())
    assert "'nope'" in str(caught.value) and "promise='x'" in str(caught.value)


def test_weights_given_in_code_are_checked_too() -> None:
    call = call_of({"A": both({"alice": 5, "bob": 4}, {"alice": 3, "bob": 2})})
    with pytest.raises(UsageError, match="'nope' is not a criterion"):
        score_call(call, {"nope": Fraction(1)})
    with pytest.raises(UsageError, match="negative"):
        score_call(call, {"promise": Fraction(-1)})
