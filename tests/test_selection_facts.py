"""The withdrawal and balance facts of select JSON hold when re-run (issue 12)."""

from __future__ import annotations

import pytest
from helpers_pack import EXAMPLE_APPS, EXAMPLE_RUBRIC

from pine_select.loading.loader import load_call
from pine_select.model.call import Call
from pine_select.options import RunOptions
from pine_select.pipeline import Decision, decide


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
