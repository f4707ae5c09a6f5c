"""The withdrawal and balance facts of select JSON hold when re-run (issue 12)."""

from __future__ import annotations

import pytest
from helpers_pack import EXAMPLE_APPS, EXAMPLE_RUBRIC

from pine_select.errors import UsageError
from pine_select.loading.loader import load_call
from pine_select.model.call import Call
from pine_select.options import RunOptions
from pine_select.pipeline import Decision, decide
from pine_select.selection.select import SelectOptions, select_portfolio


@pytest.fixture(scope="module")
def example() -> tuple[Call, Decision]:
    call = load_call(EXAMPLE_RUBRIC, EXAMPLE_APPS)
    return call, decide(call)


def test_each_one_for_one_replacement_is_what_a_rerun_with_the_others_kept_picks(
        example: tuple[Call, Decision]) -> None:
    call, decision = example
    selection = decision.selection
    assert selection.withdrawals
    for withdrawal in selection.withdrawals:
        single = withdrawal.one_for_one
        assert single is not None
        others = tuple(i for i in selection.selected if i != withdrawal.id)
        rerun = decide(call, RunOptions(include=others, exclude=(withdrawal.id,),
                                        explain_limit=0)).selection
        assert set(rerun.selected) == {*others, single.id}
        assert rerun.total_cents == selection.total_cents - single.loss


def test_the_unbalanced_portfolio_is_the_best_without_balance_rules(
        example: tuple[Call, Decision]) -> None:
    call, decision = example
    selection = decision.selection
    scores = decision.scores.by_id()
    unbalanced = selection.unconstrained
    assert len(unbalanced) == len(selection.selected)
    assert sum(scores[i].total_cents or 0 for i in unbalanced) == selection.unconstrained_cents
    regions = [call.by_id[i].organisation.region for i in unbalanced]
    assert regions.count("London") > 2  # it breaks the region cap that the portfolio keeps


def test_the_price_of_balance_alone_gives_the_same_portfolio_total_and_price(
        example: tuple[Call, Decision]) -> None:
    # What the tuning page asks for (RunOptions.explanations): no left-out, withdrawal or
    # gain re-solve, and the same portfolio, total and price as every explanation gives.
    call, full = example
    brief = decide(call, RunOptions(explanations="price_of_balance")).selection
    assert brief.selected == full.selection.selected
    assert brief.total_cents == full.selection.total_cents
    assert brief.unconstrained == full.selection.unconstrained
    assert brief.price_of_balance_cents == full.selection.price_of_balance_cents
    assert full.selection.left_out and full.selection.withdrawals
    assert brief.left_out == () and brief.withdrawals == () and brief.reserves == ()
    assert all(rule.gain_if_dropped is None for rule in brief.rules)
    assert any("only the price of balance" in note for note in brief.notes)
    assert brief.solves < full.selection.solves / 2


def test_an_unknown_explanations_value_is_refused_by_the_library(
        example: tuple[Call, Decision]) -> None:
    call, full = example
    with pytest.raises(UsageError, match="explanations 'some'"):
        select_portfolio(call, full.scores, options=SelectOptions(explanations="some"))
