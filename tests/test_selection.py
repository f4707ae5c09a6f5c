"""Selection on tiny hand-worked instances: the answers are worked out in the comments."""

from __future__ import annotations

import itertools
from types import ModuleType
from typing import Any

import pytest
from helpers_selection import App, instance

from pine_select.errors import InputError, UsageError
from pine_select.lottery import lottery_number, lottery_order, priorities
from pine_select.model.reviews import Override, Overrides
from pine_select.selection.optimiser import SolverName, SolveStatus
from pine_select.selection.problem import SelectionProblem, Sense, build_problem
from pine_select.selection.pulp_backend import status_of as _status
from pine_select.selection.select import SelectOptions, select_portfolio

SOLVERS = [SolverName.CBC, SolverName.HIGHS]

# Four applications, choose 2, at most 1 per practice type:
#   A 9.00 early_help, B 8.00 early_help, C 7.00 workforce, D 1.00 permanence.
# A+B (17.00) breaks the cap; the best allowed pair is A+C = 16.00.
FOUR = [App("A", 900, practice="early_help"), App("B", 800, practice="early_help"),
        App("C", 700, practice="workforce"), App("D", 100, practice="permanence")]
CAP = {"size": 2, "rules": [{"id": "one_each", "field": "practice_type", "at_most": 1}]}


@pytest.mark.parametrize("solver", SOLVERS)
def test_the_cap_keeps_the_second_early_help_out(solver: SolverName) -> None:
    call, report = instance(FOUR, CAP)
    result = select_portfolio(call, report, options=SelectOptions(solver=solver))
    assert result.status == "optimal"
    assert result.selected == ("A", "C")  # rank order
    assert result.total_cents == 1600 and result.cost == 20
    rule = next(r for r in result.rules if r.name == "one_each")
    assert rule.satisfied and rule.binding
    assert rule.gain_if_dropped == 100  # A+B = 1700 without it
    assert {c.category: c.count for c in rule.counts} == {
        "early_help": 1, "child_protection": 0, "permanence": 0, "workforce": 1}
    assert result.unconstrained_cents == 1700 and result.price_of_balance_cents == 100


def test_left_out_names_the_rule_and_the_loss_if_forced_in() -> None:
    call, report = instance(FOUR, CAP)
    result = select_portfolio(call, report)
    # B (rank 2) is above C (rank 3, the lowest selected): strong, left out. Swapping B for
    # C breaks the cap; forced in, the best is B+C = 1500, a loss of 100.
    (left,) = result.left_out
    assert left.id == "B" and left.rank == 2
    assert left.blocked_by == ("one_each",) and left.swap_with == "C"
    assert left.loss_if_forced == 100


def test_withdrawals_and_reserve_order() -> None:
    call, report = instance(FOUR, CAP)
    result = select_portfolio(call, report)
    by_id = {w.id: w for w in result.withdrawals}
    # A withdraws: B+C = 1500 (loss 100). C withdraws: A+D = 1000 (B would break the cap).
    assert by_id["A"].replaced_by == ("B",) and by_id["A"].loss == 100
    assert by_id["C"].replaced_by == ("D",) and by_id["C"].loss == 600
    # Each fills one withdrawal; then by rank: B (2) before D (4).
    assert result.reserves == ("B", "D")


def test_alternatives_with_no_good_cuts() -> None:
    call, report = instance(FOUR, CAP)
    result = select_portfolio(call, report, options=SelectOptions(alternatives=2))
    # Feasible pairs: A+C 1600, B+C 1500, A+D 1000, B+D 900, C+D 800.
    assert [(a.selected, a.total_cents, a.gap_cents) for a in result.alternatives] == [
        (("B", "C"), 1500, 100), (("A", "D"), 1000, 600)]


def test_alternatives_at_least_two_swaps_apart() -> None:
    call, report = instance(FOUR, CAP)
    result = select_portfolio(call, report, options=SelectOptions(alternatives=3, min_swaps=2))
    # Only B+D shares nobody with A+C; nothing then differs from both by two.
    assert [a.selected for a in result.alternatives] == [("B", "D")]


def test_budget_as_many_as_fit() -> None:
    apps = [App("A", 900, amount=60), App("B", 800, amount=50), App("C", 700, amount=40)]
    call, report = instance(apps, {"budget": 100})
    result = select_portfolio(call, report)
    # A+B costs 110 > 100; A+C = 1600 at cost 100 beats B+C = 1500.
    assert result.selected == ("A", "C") and result.cost == 100
    budget = next(r for r in result.rules if r.name == "budget")
    assert budget.binding and budget.actual == 100


def test_share_at_least_is_exact() -> None:
    la = [App(f"L{k}", 900 - 50 * k) for k in range(4)]
    vs = [App("V1", 300, type="voluntary_sector"), App("V2", 200, type="voluntary_sector")]
    rule = {"id": "half_vs", "field": "organisation.type", "each": ["voluntary_sector"],
            "share_at_least": 0.5}
    call, report = instance(la + vs, {"size": 4, "rules": [rule]})
    result = select_portfolio(call, report)
    # Half of 4 must be voluntary: both (500) and the two best authorities (900 + 850).
    assert set(result.selected) == {"L0", "L1", "V1", "V2"} and result.total_cents == 2250
    problem = build_problem(call, report)
    (row,) = problem.rows_of("half_vs")
    assert row.sense is Sense.GE and row.rhs == 0
    assert dict(row.terms)[problem.index_of("V1")] == 1  # 2*1 - 1 (share = 1/2)
    assert dict(row.terms)[problem.index_of("L0")] == -1


def test_distinct_at_least() -> None:
    apps = [App("A", 900), App("B", 850), App("C", 800),
            App("D", 100, practice="workforce"), App("E", 50, practice="permanence")]
    rule = {"field": "practice_type", "distinct_at_least": 3}
    call, report = instance(apps, {"size": 3, "rules": [rule]})
    # Three practice types among three: one early_help (A) plus D and E.
    assert select_portfolio(call, report).selected == ("A", "D", "E")


def test_a_list_field_counts_once_per_value() -> None:
    apps = [App("A", 900), App("B", 800), App("C", 100, ages=("early_years", "adolescent")),
            App("D", 500, ages=("early_years",)), App("E", 450, ages=("adolescent",))]
    rule = {"field": "age_groups", "each": ["early_years", "adolescent"], "at_least": 1}
    call, report = instance(apps, {"size": 2, "rules": [rule]})
    # C covers both ages by itself: A+C = 1000 beats D+E = 950.
    assert select_portfolio(call, report).selected == ("A", "C")


def test_include_override_is_respected() -> None:
    overrides = Overrides(include=(Override(id="D", reason="panel decision"),))
    call, report = instance(FOUR, CAP, overrides)
    result = select_portfolio(call, report, overrides=overrides)
    assert result.selected == ("A", "D")  # D forced in; A is the best partner
    assert next(r for r in result.rules if r.name == "include D").satisfied


def test_including_an_unselectable_application_names_why() -> None:
    apps = [*FOUR, App("X", 999, selectable=False, reasons=("fails gate in_england",))]
    overrides = Overrides(include=(Override(id="X", reason="panel wants it"),))
    call, report = instance(apps, CAP, overrides)
    with pytest.raises(InputError) as error:
        select_portfolio(call, report, overrides=overrides)
    assert "include X" in str(error.value) and "fails gate in_england" in str(error.value)


def test_including_an_unknown_application_is_an_input_error() -> None:
    call, report = instance(FOUR, CAP)
    with pytest.raises(InputError, match="no application has this id"):
        select_portfolio(call, report, overrides=call.overrides.merged(("NOPE",), ()))


def test_what_if_size_and_budget_replace_the_rubric() -> None:
    call, report = instance(FOUR, CAP)
    result = select_portfolio(call, report, options=SelectOptions(size=3, budget=30))
    assert result.selected == ("A", "C", "D")  # one per practice; B clashes with A


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("solver", SOLVERS)
def test_ties_follow_the_lottery(seed: int, solver: SolverName) -> None:
    apps = [App(name, 500) for name in "PQRST"]
    call, report = instance(apps, {"size": 2, "tie_break_seed": seed})
    result = select_portfolio(call, report, options=SelectOptions(solver=solver))
    # Every pair totals 1000; the pair with the highest priority sum is the two that win
    # the ranking's tie-break (the first two in the lottery order).
    expected = lottery_order(seed, "PQRST")[:2]
    assert set(result.selected) == set(expected)
    assert result.seed == seed


def test_solver_status_mapping_never_calls_a_time_limit_optimal() -> None:
    assert _status(1, 1, False) is SolveStatus.OPTIMAL
    assert _status(1, 2, True) is SolveStatus.TIME_LIMIT  # PuLP says "Optimal" here!
    assert _status(-1, -1, False) is SolveStatus.INFEASIBLE
    assert _status(0, 0, True) is SolveStatus.TIME_LIMIT
    assert _status(0, 0, False) is SolveStatus.ERROR


def test_rows_carry_the_name_of_their_rule() -> None:
    call, report = instance(FOUR, {**CAP, "budget": 25})
    problem = build_problem(call, report)
    assert problem.groups == ("size", "budget", "one_each")
    assert {row.group for row in problem.rows} == set(problem.groups)
    assert [row.label for row in problem.rows_of("size")] == ["size >= 2", "size <= 2"]


# -- gain if dropped: budget and overrides are re-solved (review finding 1) -------------------

# A 9.00 and B 8.00 cost 50 each, C 7.00 and D 6.00 cost 10; choose 2 within 60, at most 2
# per region (everyone is in London: the rule never binds, but it makes a "balance" rule).
BUDGET_APPS = [App("A", 900, amount=50), App("B", 800, amount=50), App("C", 700, amount=10),
               App("D", 600, amount=10)]
LOOSE_RULE = {"id": "region_cap", "field": "organisation.region", "at_most": 2}


@pytest.mark.parametrize("solver", SOLVERS)
def test_dropping_the_budget_gains_what_the_budget_costs(solver: SolverName) -> None:
    call, report = instance(BUDGET_APPS, {"size": 2, "budget": 60, "rules": [LOOSE_RULE]})
    result = select_portfolio(call, report, options=SelectOptions(solver=solver))
    # Within 60 the best pair is A+C = 1600 (A+B costs 100). The best without balance rules
    # is the same pair, breaking nothing; but without the budget A+B = 1700: a gain of 100.
    assert result.selected == ("A", "C") and result.unconstrained_cents == 1600
    gains = {r.name: r.gain_if_dropped for r in result.rules}
    assert gains["budget"] == 100
    assert gains["region_cap"] == 0
    assert next(r for r in result.rules if r.name == "budget").binding


@pytest.mark.parametrize("solver", SOLVERS)
def test_dropping_an_override_gains_what_the_override_costs(solver: SolverName) -> None:
    apps = [App("A", 900, excluded=True), App("B", 800), App("C", 700), App("D", 100)]
    overrides = Overrides(include=(Override(id="D", reason="r"),),
                          exclude=(Override(id="A", reason="r"),))
    call, report = instance(apps, {"size": 2, "rules": [LOOSE_RULE]}, overrides)
    result = select_portfolio(call, report, overrides=overrides,
                              options=SelectOptions(solver=solver))
    # With D in and A out: B+D = 900. Without the exclusion: A+D = 1000 (+100). Without
    # the inclusion: B+C = 1500 (+600). No balance rule costs anything.
    assert result.selected == ("B", "D") and result.total_cents == 900
    gains = {r.name: r.gain_if_dropped for r in result.rules}
    assert gains == {"size": None, "region_cap": 0, "include D": 600, "exclude A": 100}


# -- ties: unique priorities that follow the ranking's lottery (review finding 10) -----------

def test_priorities_are_unique_and_follow_the_lottery_order() -> None:
    # X787 and X402 drew 32-bit numbers that agree in their top 16 bits (seed 0): the old
    # 16-bit priorities were equal. X787 has the lower draw: it wins the ranking tie.
    assert lottery_number(0, "X787") >> 16 == lottery_number(0, "X402") >> 16
    assert lottery_number(0, "X787") < lottery_number(0, "X402")
    assert priorities(0, ["X402", "X787"]) == {"X787": 2, "X402": 1}
    ids = [f"X{k}" for k in range(500)]
    found = priorities(7, ids)
    assert sorted(found.values()) == list(range(1, 501))
    assert sorted(ids, key=lambda i: -found[i]) == list(lottery_order(7, ids))


@pytest.mark.parametrize("solver", SOLVERS)
def test_a_portfolio_tie_goes_to_the_winner_of_the_ranking_tie(solver: SolverName) -> None:
    apps = [App("X402", 500), App("X787", 500)]
    call, report = instance(apps, {"size": 1})
    assert report.by_id()["X787"].rank == 1  # the lower draw ranks first
    result = select_portfolio(call, report, options=SelectOptions(solver=solver))
    assert result.selected == ("X787",)


def test_both_solvers_agree_on_deliberately_tied_totals() -> None:
    # Ten applications, totals 5.00 or 4.00, three regions, at most 1 per region, size 3.
    # Every best portfolio takes three 5.00s from three regions; among those the one with
    # the highest priority sum wins. Worked out here by enumeration, and checked unique.
    regions = ("London", "North West", "South East")
    apps = [App(f"T{k}", 500 if k % 3 else 400, region=regions[k % 3]) for k in range(10)]
    rule = {"id": "spread", "field": "organisation.region", "at_most": 1}
    call, report = instance(apps, {"size": 3, "rules": [rule], "tie_break_seed": 11})
    weight = priorities(11, [a.id for a in apps])
    cents = {a.id: a.cents for a in apps}
    region = {a.id: a.region for a in apps}
    feasible = [p for p in itertools.combinations(sorted(cents), 3)
                if len({region[a] for a in p}) == 3]
    best = max(sum(cents[a] for a in p) for p in feasible)
    ranked = sorted((sum(weight[a] for a in p), p) for p in feasible
                    if sum(cents[a] for a in p) == best)
    assert ranked[-1][0] > ranked[-2][0]  # one winner
    found = [select_portfolio(call, report, options=SelectOptions(solver=s)) for s in SOLVERS]
    assert [set(r.selected) for r in found] == [set(ranked[-1][1])] * 2
    assert found[0].reserves == found[1].reserves
    assert found[0].withdrawals == found[1].withdrawals


# -- an application both included and excluded (review finding 19) ---------------------------

def test_include_and_exclude_of_the_same_id_on_the_command_line() -> None:
    call, _ = instance(FOUR, CAP)
    with pytest.raises(UsageError) as error:
        call.overrides.merged(("A",), ("A",))
    assert str(error.value) == "include A: also excluded; expected each application once"
    assert error.value.option == "include"


def test_an_exclude_on_the_command_line_of_an_included_id() -> None:
    overrides = Overrides(include=(Override(id="A", reason="panel"),))
    with pytest.raises(UsageError, match=r"^exclude A: the overrides file includes it"):
        overrides.merged((), ("A",))


def test_build_problem_refuses_an_id_both_included_and_excluded() -> None:
    overrides = Overrides(include=(Override(id="A", reason="r"),),
                          exclude=(Override(id="A", reason="r"),))
    call, report = instance(FOUR, CAP, overrides)
    with pytest.raises(UsageError, match="include A and exclude A name the same application"):
        build_problem(call, report, overrides=overrides)


def test_cbc_files_stay_in_a_folder_removed_with_the_optimiser(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # PuLP leaves its model files behind when CBC crashes; they must not pile up in /tmp.
    import gc
    import os

    from pine_select.selection.optimiser import Optimiser

    call, report = instance([App("A", 900), App("B", 800)], {"size": 1})
    optimiser = Optimiser(build_problem(call, report), SolverName.CBC)
    scratch = optimiser._backend._scratch
    written: list[str] = []
    real_solve = type(optimiser._backend._model).solve

    def solve_and_look(model: Any, solver: Any) -> Any:  # PuLP's own objects
        result = real_solve(model, solver)
        written.append(solver.tmpDir)
        return result

    monkeypatch.setattr(type(optimiser._backend._model), "solve", solve_and_look)
    assert optimiser.best().total == 900
    assert written == [scratch] * len(written) and written
    assert os.path.isdir(scratch)
    del optimiser
    gc.collect()
    assert not os.path.exists(scratch)


def test_a_tie_break_stopped_at_its_work_limit_keeps_the_proven_total(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # Many portfolios tied at the best total can make the tie-break's search endless; on
    # large models it has a node limit, then a short list of the best portfolios.
    from pine_select.selection import optimiser as optimiser_module
    from pine_select.selection.explain import Rationing
    from pine_select.selection.select import _notes

    apps = [App("A", 500, amount=5), App("B", 500, amount=5), App("C", 500, amount=5),
            App("D", 300, amount=1)]
    call, report = instance(apps, {"size": 2})
    problem = build_problem(call, report)
    plain = optimiser_module.Optimiser(problem, SolverName.HIGHS).best()
    optimiser = _stopping_at_the_work_limit(optimiser_module, problem, monkeypatch)
    # Three portfolios tie (A+B, A+C, B+C): listed, they settle the tie-break exactly.
    listed = optimiser.best()
    assert listed.tie_break_proven and listed.chosen == plain.chosen
    # Listing none, what the stopped search found stands, flagged.
    monkeypatch.setattr(optimiser_module, "MAX_LISTED_TIES", 0)
    optimiser = _stopping_at_the_work_limit(optimiser_module, problem, monkeypatch)
    best = optimiser.best()
    assert best.optimal and best.total == 1000 and not best.tie_break_proven
    assert len(best.chosen) == 2 and 3 not in best.chosen
    (note,) = _notes(Rationing(0), best)
    assert "work limit" in note and "the total is proven best" in note


def _stopping_at_the_work_limit(optimiser_module: ModuleType, problem: SelectionProblem,
                                monkeypatch: pytest.MonkeyPatch) -> Any:
    """An optimiser whose searches with a node limit stop there (with what they found)."""
    from dataclasses import replace

    from pine_select.selection.backend import Outcome, Setting
    from pine_select.selection.backend import SolveStatus as Status

    optimiser = optimiser_module.Optimiser(problem, SolverName.HIGHS, narrow_above=0)
    backend = optimiser._backend
    real_solve = backend.solve

    def stopping_at_the_limit(setting: Setting) -> Outcome:
        assert setting.max_nodes in (None, optimiser_module.TIE_BREAK_NODES)
        outcome = real_solve(setting)
        if setting.max_nodes is not None:  # as if the search had stopped with this portfolio
            return replace(outcome, status=Status.WORK_LIMIT)
        return outcome

    monkeypatch.setattr(backend, "solve", stopping_at_the_limit)
    return optimiser


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("wide", [False, True])
def test_an_application_held_both_in_and_out_is_infeasible_on_every_path(
        solver: SolverName, wide: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    from pine_select.selection import highs_backend
    from pine_select.selection.optimiser import Optimiser, Scenario

    if wide:  # HiGHS's paths for wide models (sifting, models of the free columns)
        monkeypatch.setattr(highs_backend, "SIFT_ABOVE", 0)
    call, report = instance([App("A", 900), App("B", 800), App("C", 700)], {"size": 1})
    optimiser = Optimiser(build_problem(call, report), solver, narrow_above=0)
    both = Scenario(fixed_in=frozenset({0}), fixed_out=frozenset({0}))
    assert optimiser.best_total(both).status is SolveStatus.INFEASIBLE
    assert optimiser.best_total().total == 900


def test_a_model_highs_presolve_breaks_is_solved_without_presolve() -> None:
    """One re-selection of the example's bootstrap (draw 600 or so of 1,000): HiGHS 1.16's
    presolve reduces it to nothing and then calls its own answer a solve error. run_highs
    solves it again without presolve, as the backend's every solve goes through it."""
    from pathlib import Path

    import highspy

    from pine_select.selection.backend import SolveStatus
    from pine_select.selection.highs_backend import run_highs

    model = str(Path(__file__).parent / "data" / "highs-presolve-solve-error.mps")
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.readModel(model)
    assert run_highs(highs) is SolveStatus.OPTIMAL
