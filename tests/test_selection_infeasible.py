"""Rules that cannot hold together: the minimal conflicting set and smallest relaxations."""

from __future__ import annotations

import pytest
from helpers_selection import App, instance

from pine_select.errors import SolverError
from pine_select.model.call import Call
from pine_select.model.reviews import Override, Overrides
from pine_select.report.select_output import select_table
from pine_select.scoring.result import ScoreReport
from pine_select.selection.conflicts import diagnose
from pine_select.selection.optimiser import Optimiser, SolverName, SolveStatus
from pine_select.selection.problem import build_problem
from pine_select.selection.select import SelectOptions, select_portfolio


@pytest.mark.parametrize("solver", [SolverName.CBC, SolverName.HIGHS])
def test_too_few_applications_blames_the_size_alone(solver: SolverName) -> None:
    call, report = instance([App("A", 900), App("B", 800)], {"size": 3})
    result = select_portfolio(call, report, options=SelectOptions(solver=solver))
    assert result.status == "infeasible" and result.selected == ()
    assert result.conflicting_rules == ("size",)
    (relaxation,) = result.relaxations
    assert relaxation.steps == 1 and relaxation.change == "choose at most 2 (now exactly 3)"


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


def three_practices_choosing_two() -> tuple[Call, ScoreReport]:
    """Three applications of three practice types; two chosen; all three types required."""
    apps = [App("A", 900), App("B", 800, practice="workforce"),
            App("C", 700, practice="permanence")]
    rule = {"id": "variety", "field": "practice_type", "distinct_at_least": 3}
    return instance(apps, {"size": 2, "rules": [rule]})


def test_distinct_against_size() -> None:
    call, report = three_practices_choosing_two()
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


# -- extreme amounts and sizes never reach the solver (review finding 3) ----------------------

HUGE = 10**29  # a typo: 1e22 and above made CBC call the call infeasible and HiGHS crash


@pytest.mark.parametrize("solver", [SolverName.CBC, SolverName.HIGHS])
def test_an_absurd_amount_only_keeps_its_application_out(solver: SolverName) -> None:
    apps = [App("A", 900, amount=HUGE), App("B", 800, amount=40), App("C", 700, amount=40)]
    call, report = instance(apps, {"size": 2, "budget": 100})
    result = select_portfolio(call, report, options=SelectOptions(solver=solver))
    # A alone costs more than the budget: B+C (cost 80) is the only portfolio.
    assert result.status == "optimal"
    assert result.selected == ("B", "C") and result.cost == 80
    (left,) = result.left_out
    assert left.id == "A" and left.blocked_by == ("budget",) and left.loss_if_forced is None
    # Cost 80 is not at the budget of 100 (the row's right-hand side is 80: clamped);
    # without the budget A+B = 1700 would gain 200.
    budget = next(r for r in result.rules if r.name == "budget")
    assert budget.at_bound == () and budget.gain_if_dropped == 200


def test_the_budget_row_never_carries_an_absurd_number() -> None:
    apps = [App("A", 900, amount=HUGE), App("B", 800, amount=40), App("C", 700, amount=40)]
    call, report = instance(apps, {"size": 2, "budget": 70})
    # A costs more than the budget: any coefficient above the right-hand side says so.
    (row,) = build_problem(call, report).rows_of("budget")
    assert dict(row.terms) == {0: 71, 1: 40, 2: 40} and row.rhs == 70
    # A budget above everything affordable together (80) always holds: 80 says the same.
    (row,) = build_problem(call, report, budget=100).rows_of("budget")
    assert dict(row.terms) == {0: 81, 1: 40, 2: 40} and row.rhs == 80
    assert row.stated_rhs == 100 and row.label == "cost <= 100"
    small = [a for a in apps if a.id != "A"]
    call, report = instance(small, {"size": 2, "budget": 70})
    (row,) = build_problem(call, report, budget=HUGE).rows_of("budget")
    assert row.rhs == 80 and row.stated_rhs == HUGE


@pytest.mark.parametrize("solver", [SolverName.CBC, SolverName.HIGHS])
def test_including_an_application_dearer_than_the_budget_is_diagnosed(
        solver: SolverName) -> None:
    apps = [App("A", 900, amount=HUGE), App("B", 800, amount=40), App("C", 700, amount=40)]
    overrides = Overrides(include=(Override(id="A", reason="panel"),))
    call, report = instance(apps, {"size": 2, "budget": 100}, overrides)
    result = select_portfolio(call, report, overrides=overrides,
                              options=SelectOptions(solver=solver))
    assert result.status == "infeasible"
    assert result.conflicting_rules == ("budget", "include A")
    changes = {r.rule: r.change for r in result.relaxations}
    assert changes["include A"] == "drop the panel's inclusion of A"
    # Without the budget the cheapest portfolio is A + B (or C): 1e29 + 40. Its amount is
    # more than all the affordable ones together, so the advice says to check it.
    assert changes["budget"].startswith(f"raise the budget from £100 to £{HUGE + 40:,}")
    assert "check the requested amount of A" in changes["budget"]


def test_a_conflict_is_never_empty(monkeypatch: pytest.MonkeyPatch) -> None:
    # A solver that calls everything infeasible (numerical trouble) must not produce
    # "These rules cannot hold together:" followed by nothing.
    call, report = instance([App("A", 900), App("B", 800)], {"size": 1})
    optimiser = Optimiser(build_problem(call, report))
    monkeypatch.setattr(optimiser, "feasible", lambda scenario: SolveStatus.INFEASIBLE)
    with pytest.raises(SolverError, match="numerical trouble") as error:
        diagnose(optimiser)
    assert "try the solver highs; check amounts and budget for extreme values" in str(error.value)


@pytest.mark.parametrize(("solver", "crash", "other"), [
    (SolverName.HIGHS, RuntimeError("HiGHS crashed"), "cbc"),
    (SolverName.CBC, IndexError("HiGHS crashed"), "highs"),
])
def test_a_solver_crash_says_what_to_try(monkeypatch: pytest.MonkeyPatch, solver: SolverName,
                                         crash: Exception, other: str) -> None:
    call, report = instance([App("A", 900), App("B", 800)], {"size": 1})
    optimiser = Optimiser(build_problem(call, report), solver)

    def crashing(*args: object) -> None:
        raise crash

    if solver is SolverName.HIGHS:  # every HiGHS solve runs through run_highs
        from pine_select.selection import highs_backend

        monkeypatch.setattr(highs_backend, "run_highs", crashing)
    else:
        monkeypatch.setattr(optimiser._backend, "_run", crashing)
    with pytest.raises(SolverError) as error:
        optimiser.best()
    assert str(error.value) == (f"the {optimiser.name()} solver failed (HiGHS crashed); try "
                                f"the solver {other}; check amounts and budget for extreme values")


# -- relaxations move one bound, within the candidates (review finding 7) ---------------------

def test_an_absurd_size_is_relaxed_in_few_solves_and_plain_words() -> None:
    call, report = instance([App("A", 900), App("B", 800)], {"size": 1})
    result = select_portfolio(call, report, options=SelectOptions(size=HUGE))
    (relaxation,) = result.relaxations
    assert relaxation.change == f"choose at most 2 (now exactly {HUGE})"
    assert relaxation.steps == HUGE - 2
    assert result.solves < 12  # the search is capped at the 2 candidates


def test_too_small_a_size_raises_only_the_maximum() -> None:
    call, report = three_practices_choosing_two()
    result = select_portfolio(call, report)
    # Fewer than 2 has fewer types still: lowering the minimum is not enough, raising the
    # maximum to 3 is.
    changes = {r.rule: r.change for r in result.relaxations}
    assert changes["size"] == "choose at least 3 (now exactly 2)"


def test_a_size_range_lowers_only_its_minimum() -> None:
    call, report = instance([App("A", 900), App("B", 800)], {"size": {"min": 3, "max": 5}})
    (relaxation,) = select_portfolio(call, report).relaxations
    assert relaxation.change == "choose at most 2 (now 3 to 5)" and relaxation.steps == 1


def test_a_rule_with_two_bounds_moves_only_the_one_in_conflict() -> None:
    # Both applications are early_help; the rule wants exactly one: only at_most conflicts
    # with choosing two.
    apps = [App("A", 900), App("B", 800)]
    rule = {"id": "one_early", "field": "practice_type", "each": ["early_help"],
            "at_least": 1, "at_most": 1}
    call, report = instance(apps, {"size": 2, "rules": [rule]})
    result = select_portfolio(call, report)
    assert result.conflicting_rules == ("size", "one_early")
    changes = {r.rule: r.change for r in result.relaxations}
    assert changes["one_early"] == "one_early: raise at_most from 1 to 2"
    assert changes["size"] == "choose at most 1 (now exactly 2)"


# A: North/la, B: North/la, C: West/vs, D: West/vs. At most 1 per region and 1 per type:
# size 3 is impossible twice over. The deletion filter keeps (size, type_cap); relaxing
# type_cap alone leaves the region cap in force, so it is not enough.
TWICE = [App("A", 900, region="London"), App("B", 800, region="London"),
         App("C", 700, region="North West", type="voluntary_sector"),
         App("D", 600, region="North West", type="voluntary_sector")]
TWICE_RULES = [{"id": "region_cap", "field": "organisation.region", "at_most": 1},
               {"id": "type_cap", "field": "organisation.type", "at_most": 1}]


def test_a_relaxation_that_is_not_enough_is_listed_apart() -> None:
    call, report = instance(TWICE, {"size": 3, "rules": TWICE_RULES})
    result = select_portfolio(call, report)
    assert result.conflicting_rules == ("size", "type_cap")
    assert [(r.rule, r.steps) for r in result.relaxations] == [("size", 1), ("type_cap", None)]
    assert select_table(result, call).splitlines()[1:] == [
        "These rules cannot hold together: size, type_cap",
        "Smallest relaxations (each alone makes a portfolio possible):",
        "  - choose at most 2 (now exactly 3)",
        "Not enough on their own:",
        "  - relaxing type_cap alone is not enough",
    ]
