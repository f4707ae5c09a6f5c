"""Rules that cannot hold together: the minimal conflicting set and smallest relaxations."""

from __future__ import annotations

import pytest
from helpers_selection import App, instance

from pine_select.model.reviews import Override, Overrides
from pine_select.selection.optimiser import SolverName
from pine_select.selection.select import SelectOptions, select_portfolio


@pytest.mark.parametrize("solver", [SolverName.CBC, SolverName.HIGHS])
def test_too_few_applications_blames_the_size_alone(solver: SolverName) -> None:
    call, report = instance([App("A", 900), App("B", 800)], {"size": 3})
    result = select_portfolio(call, report, options=SelectOptions(solver=solver))
    assert result.status == "infeasible" and result.selected == ()
    assert result.conflicting_rules == ("size",)
    (relaxation,) = result.relaxations
    assert relaxation.steps == 1 and "at least 2" in relaxation.change


def test_budget_against_a_rule() -> None:
    # The only voluntary organisation costs 200 but the budget is 100: budget and rule
    # conflict; size is not needed (without it, V alone still costs too much).
    apps = [App("A", 900, amount=10), App("B", 800, amount=10),
            App("V", 100, amount=200, type="voluntary_sector")]
    rule = {"id": "one_vs", "field": "organisation.type", "each": ["voluntary_sector"],
            "at_least": 1}
    call, report = instance(apps, {"size": 2, "budget": 100, "rules": [rule]})
    result = select_portfolio(call, report)
    assert result.conflicting_rules == ("budget", "one_vs")
    # Smallest first: dropping the rule's bound by one (to 0); or the budget to V + A = 210.
    assert [(r.rule, r.steps) for r in result.relaxations] == [("one_vs", 1), ("budget", 110)]
    assert "£210" in result.relaxations[1].change


def test_two_includes_against_a_cap() -> None:
    apps = [App("A", 900), App("B", 800), App("C", 700, practice="workforce")]
    rule = {"id": "one_each", "field": "practice_type", "at_most": 1}
    overrides = Overrides(include=(Override(id="A", reason="r"), Override(id="B", reason="r")))
    call, report = instance(apps, {"size": 2, "rules": [rule]}, overrides)
    result = select_portfolio(call, report, overrides=overrides)
    assert result.conflicting_rules == ("one_each", "include A", "include B")
    changes = {r.rule: r.change for r in result.relaxations}
    assert changes["one_each"].endswith("raise at_most from 1 to 2")
    assert changes["include A"] == "drop the panel's inclusion of A"


def test_distinct_against_size() -> None:
    apps = [App("A", 900), App("B", 800, practice="workforce"),
            App("C", 700, practice="permanence")]
    rule = {"id": "variety", "field": "practice_type", "distinct_at_least": 3}
    call, report = instance(apps, {"size": 2, "rules": [rule]})
    result = select_portfolio(call, report)
    assert result.conflicting_rules == ("size", "variety")
    steps = {r.rule: r.steps for r in result.relaxations}
    assert steps == {"size": 1, "variety": 1}


def test_an_exclusion_can_be_part_of_the_conflict() -> None:
    apps = [App("A", 900), App("V", 100, type="voluntary_sector", excluded=True)]
    rule = {"id": "one_vs", "field": "organisation.type", "each": ["voluntary_sector"],
            "at_least": 1}
    overrides = Overrides(exclude=(Override(id="V", reason="r"),))
    call, report = instance(apps, {"size": 1, "rules": [rule]}, overrides)
    result = select_portfolio(call, report, overrides=overrides)
    assert result.conflicting_rules == ("one_vs", "exclude V")


def test_a_model_that_crashes_cbc_with_its_fast_settings_is_still_diagnosed() -> None:
    # Found by the brute-force property test: CBC 2.10 with preprocessing, cuts and
    # heuristics all off dies (segmentation fault) on this small infeasible model. Size 2
    # with a share cap of 1/4 on each practice type cannot hold: any pair puts one type at
    # 1/2. The optimiser must retry with CBC's defaults and report infeasibility.
    apps = [App("A", 0), App("B", 0, practice="child_protection"),
            App("C", 0, practice="permanence")]
    rule = {"id": "quarter_cap", "field": "practice_type", "each": ["early_help",
            "child_protection"], "share_at_most": 0.25}
    call, report = instance(apps, {"size": 2, "rules": [rule]})
    result = select_portfolio(call, report, options=SelectOptions(solver=SolverName.CBC))
    assert result.status == "infeasible"
    assert result.conflicting_rules == ("size", "quarter_cap")
