"""Property tests: the optimiser against brute-force enumeration on small random calls.

The brute force below reads the rubric directly (not the optimiser's rows), so the two
are independent: optimal total equal, every rule satisfied, never over budget, overrides
respected; when infeasible, the conflicting set is checked to be minimal by enumeration.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from fractions import Fraction
from typing import Any

import pytest
from helpers_selection import AGES, PRACTICES, REGIONS, TYPES, App, instance
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pine_select.model.application import categories_of
from pine_select.model.call import Call
from pine_select.model.reviews import Override, Overrides
from pine_select.model.rubric import exact
from pine_select.selection import highs_backend
from pine_select.selection.explain import SwapEvaluator
from pine_select.selection.optimiser import Optimiser, SolverName
from pine_select.selection.problem import SelectionProblem, build_problem
from pine_select.selection.select import SelectOptions, solve_problem

FIELDS = {"practice_type": PRACTICES, "organisation.region": REGIONS,
          "organisation.type": TYPES, "age_groups": AGES}


@st.composite
def apps(draw: Any) -> list[App]:
    n = draw(st.integers(1, 12))
    found = []
    for k in range(n):
        found.append(App(
            id=f"A{k:02d}", cents=draw(st.sampled_from([0, 100, 250, 250, 400, 777, 900])),
            amount=draw(st.integers(0, 50)), practice=draw(st.sampled_from(PRACTICES)),
            region=draw(st.sampled_from(REGIONS)), type=draw(st.sampled_from(TYPES)),
            ages=tuple(sorted(draw(st.sets(st.sampled_from(AGES), min_size=1)))),
            selectable=draw(st.booleans()) or draw(st.booleans()),
        ))
    return found


@st.composite
def rule(draw: Any, k: int) -> dict[str, Any]:
    field = draw(st.sampled_from(sorted(FIELDS)))
    found: dict[str, Any] = {"id": f"r{k}", "field": field}
    if draw(st.booleans()):
        found["each"] = sorted(draw(st.sets(st.sampled_from(FIELDS[field]), min_size=1)))
    kind = draw(st.sampled_from(["at_least", "at_most", "share_at_least", "share_at_most",
                                 "distinct_at_least", "range"]))
    if kind == "range":
        low = draw(st.integers(0, 2))
        found.update(at_least=low, at_most=low + draw(st.integers(0, 2)))
    elif kind.startswith("share"):
        found[kind] = draw(st.sampled_from([0, 0.25, 1 / 3, 0.5, 1]))
    else:
        found[kind] = draw(st.integers(0, 3))
    return found


@st.composite
def selections(draw: Any) -> dict[str, Any]:
    found: dict[str, Any] = {"tie_break_seed": draw(st.integers(0, 3))}
    shape = draw(st.sampled_from(["exact", "range", "budget_only"]))
    if shape == "exact":
        found["size"] = draw(st.integers(0, 6))
    elif shape == "range":
        low = draw(st.integers(0, 4))
        found["size"] = {"min": low, "max": low + draw(st.integers(0, 3))}
    if shape == "budget_only" or draw(st.booleans()):
        found["budget"] = draw(st.integers(0, 150))
    found["rules"] = [draw(rule(k)) for k in range(draw(st.integers(0, 3)))]
    return found


def overrides_for(data: Any, all_apps: list[App]) -> tuple[list[App], Overrides]:
    ids = [a.id for a in all_apps if a.selectable]
    includes = data.draw(st.lists(st.sampled_from(ids), max_size=2, unique=True)) if ids else []
    rest = [i for i in ids if i not in includes]
    excludes = data.draw(st.lists(st.sampled_from(rest), max_size=2, unique=True)) if rest else []
    marked = [App(**{**a.__dict__, "excluded": a.id in excludes}) for a in all_apps]
    return marked, Overrides(include=tuple(Override(id=i, reason="r") for i in includes),
                             exclude=tuple(Override(id=i, reason="r") for i in excludes))


# -- the brute force -------------------------------------------------------------------------

def groups_broken(call: Call, chosen: tuple[str, ...], overrides: Overrides) -> set[str]:
    """Every group (size, budget, rule id, include X, exclude X) that ``chosen`` breaks."""
    selection = call.rubric.selection
    broken = set()
    low, high = selection.size_range
    if len(chosen) < low or (high is not None and len(chosen) > high):
        broken.add("size")
    cost = sum(call.by_id[a].requested_amount for a in chosen)
    if selection.budget is not None and cost > selection.budget:
        broken.add("budget")
    for r in selection.rules:
        if not rule_holds(call, r, chosen):
            broken.add(r.name)
    broken |= {f"include {i}" for i in overrides.included_ids() if i not in chosen}
    broken |= {f"exclude {i}" for i in overrides.excluded_ids() if i in chosen}
    return broken


def rule_holds(call: Call, r: Any, chosen: tuple[str, ...]) -> bool:
    size = len(chosen)
    categories = r.each or call.rubric.categories[r.field]
    counts = {c: sum(1 for a in chosen if c in categories_of(call.by_id[a], r.field))
              for c in categories}
    for count in counts.values():
        if r.at_least is not None and count < r.at_least:
            return False
        if r.at_most is not None and count > r.at_most:
            return False
        if r.share_at_least is not None and count < exact(r.share_at_least) * size:
            return False
        if r.share_at_most is not None and Fraction(count) > exact(r.share_at_most) * size:
            return False
    distinct = sum(1 for c in counts.values() if c > 0)
    return r.distinct_at_least is None or distinct >= r.distinct_at_least


def subsets(ids: list[str]) -> Iterable[tuple[str, ...]]:
    for k in range(len(ids) + 1):
        yield from itertools.combinations(ids, k)


def brute_best(call: Call, pool: list[str], scores: dict[str, int], overrides: Overrides,
               ignore: set[str]) -> int | None:
    best = None
    for chosen in subsets(pool):
        if groups_broken(call, chosen, overrides) - ignore:
            continue
        total = sum(scores[a] for a in chosen)
        best = total if best is None or total > best else best
    return best


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), found=apps(), selection=selections())
def test_matches_brute_force(data: Any, found: list[App], selection: dict[str, Any]) -> None:
    check_against_brute_force(data, found, selection)


@pytest.mark.slow
@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), found=apps(), selection=selections())
def test_matches_brute_force_at_length(data: Any, found: list[App],
                                       selection: dict[str, Any]) -> None:
    check_against_brute_force(data, found, selection)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), found=apps(), selection=selections())
def test_narrowing_by_reduced_costs_keeps_the_optimum_and_its_tie_break(
        data: Any, found: list[App], selection: dict[str, Any]) -> None:
    # Large models are narrowed before each solve (a dive for a first portfolio, then
    # reduced-cost fixing); narrow_above=0 takes that path on these small ones.
    marked, overrides = overrides_for(data, found)
    call, report = instance(marked, selection, overrides)
    solver = data.draw(st.sampled_from([SolverName.CBC, SolverName.HIGHS]))
    problem = build_problem(call, report, overrides=overrides)
    with pytest.MonkeyPatch.context() as patch:
        # HiGHS's paths for very wide models (sifting, reduced models), on small ones.
        patch.setattr(highs_backend, "SIFT_ABOVE", 0)
        patch.setattr(highs_backend, "SIFT_START", data.draw(st.integers(1, 4)))
        narrowed = Optimiser(problem, solver, narrow_above=0).best()
    plain = Optimiser(problem, solver, narrow_above=len(problem.candidates)).best()
    pool = [a.id for a in marked if a.selectable]
    best = brute_best(call, pool, {a.id: a.cents for a in marked}, overrides, ignore=set())
    assert narrowed.status == plain.status
    assert narrowed.total == plain.total == best
    priority = {i: c.priority for i, c in enumerate(problem.candidates)}
    assert sum(map(priority.get, narrowed.chosen)) == sum(map(priority.get, plain.chosen))


def check_against_brute_force(data: Any, found: list[App], selection: dict[str, Any]) -> None:
    marked, overrides = overrides_for(data, found)
    call, report = instance(marked, selection, overrides)
    solver = data.draw(st.sampled_from([SolverName.CBC, SolverName.HIGHS]))
    problem = build_problem(call, report, overrides=overrides)
    result = solve_problem(problem, SelectOptions(solver=solver, explain_limit=0))
    scores = {a.id: a.cents for a in marked}
    # Excluded applications are in the pool: the exclusion is a group like any other.
    pool = [a.id for a in marked if a.selectable]
    best = brute_best(call, pool, scores, overrides, ignore=set())
    if best is None:
        assert result.status == "infeasible"
        conflict = set(result.conflicting_rules)
        others = set(problem.groups) - conflict
        assert brute_best(call, pool, scores, overrides, ignore=others) is None
        for group in conflict:  # minimal: dropping any one makes the rest feasible
            assert brute_best(call, pool, scores, overrides, ignore=others | {group}) is not None
        return
    assert result.status == "optimal"
    assert result.total_cents == best
    assert groups_broken(call, result.selected, overrides) == set()
    assert all(r.satisfied for r in result.rules)
    budget = call.rubric.selection.budget
    assert budget is None or result.cost <= budget
    assert set(overrides.included_ids()) <= set(result.selected)
    assert not set(overrides.excluded_ids()) & set(result.selected)
    assert all(report.by_id()[a].selectable for a in result.selected)


@given(data=st.data(), found=apps(), selection=selections())
def test_a_swap_checked_from_row_sums_breaks_what_the_rubric_says(
        data: Any, found: list[App], selection: dict[str, Any]) -> None:
    # Swaps are checked incrementally (explain.SwapEvaluator.broken_swap, from the row sums
    # of the portfolio before it): against the rubric read directly, for any portfolio.
    call, overrides, problem = drawn_problem(data, found, selection)
    n = len(problem.candidates)
    if n == 0:
        return
    evaluator = SwapEvaluator(problem)
    ids = [c.id for c in problem.candidates]
    for _ in range(3):
        chosen = frozenset(data.draw(st.sets(st.integers(0, n - 1))))
        ones = sorted(chosen)
        assert problem.row_sums(ones) == summed_term_by_term(problem, chosen)
        assert set(evaluator.broken(chosen)) == groups_broken(
            call, tuple(ids[i] for i in ones), overrides)
        outside = [i for i in range(n) if i not in chosen]
        if not outside:
            continue
        into = data.draw(st.sampled_from(outside))
        out = data.draw(st.sampled_from([None, *ones]))
        after = (chosen - {out}) | {into}
        swapped = evaluator.broken_swap(chosen, out, into)
        assert swapped == evaluator.broken(frozenset(after))
        assert set(swapped) == groups_broken(call, tuple(ids[i] for i in sorted(after)),
                                             overrides)


def drawn_problem(data: Any, found: list[App], selection: dict[str, Any]
                  ) -> tuple[Call, Overrides, SelectionProblem]:
    marked, overrides = overrides_for(data, found)
    call, report = instance(marked, selection, overrides)
    return call, overrides, build_problem(call, report, overrides=overrides)


def summed_term_by_term(problem: SelectionProblem, ones: frozenset[int]) -> list[int]:
    return [sum(coef for col, coef in row.terms if col in ones) for row in problem.rows]


LP_FIELDS = ("num_col_", "num_row_", "col_cost_", "col_lower_", "col_upper_", "row_lower_",
             "row_upper_", "integrality_")


@given(data=st.data(), found=apps(), selection=selections())
def test_a_reduced_model_is_the_whole_model_with_its_fixed_columns_folded_in(
        data: Any, found: list[App], selection: dict[str, Any]) -> None:
    # HiGHS's reduced models are made from the free and held columns' entries alone
    # (highs_backend._Matrix.reduced_model): the very HighsLp one pass over every entry
    # makes, floats and order alike (a HiGHS search depends on both).
    import numpy as np

    _, _, problem = drawn_problem(data, found, selection)
    n, width = len(problem.candidates), problem.n_columns
    if n == 0:
        return
    ones = frozenset(data.draw(st.sets(st.integers(0, width - 1))))  # indicators too
    assert problem.row_sums(ones) == summed_term_by_term(problem, ones)
    fixed = data.draw(st.lists(st.integers(0, n - 1), unique=True))
    split = data.draw(st.integers(0, len(fixed)))
    portfolios = st.lists(st.integers(0, n - 1), min_size=1, unique=True).map(sorted)
    cuts = data.draw(st.lists(st.tuples(portfolios.map(tuple), st.integers(1, 3)), max_size=3))
    setting = highs_backend.Setting(
        objective=data.draw(st.lists(st.integers(0, 10**6), min_size=n, max_size=n)),
        fixed_in=frozenset(fixed[:split]), fixed_out=frozenset(fixed[split:]),
        rhs=tuple(row.rhs for row in problem.rows), floor=data.draw(st.integers(0, 10**7)),
        floor_coefficients=[c.total_cents for c in problem.candidates], cuts=tuple(cuts))
    matrix = highs_backend._Matrix.of(problem)
    free = np.flatnonzero(~np.isin(np.arange(width), fixed))
    cost = np.zeros(width)
    cost[:n] = setting.objective
    fast = matrix.reduced_model(setting, free, cost)
    whole = matrix.with_extra_rows(setting).model(free, setting.fixed_in, cost, integer=True)
    for name in LP_FIELDS:
        assert np.array_equal(np.asarray(getattr(fast, name)), np.asarray(getattr(whole, name)))
    for name in ("start_", "index_", "value_"):
        assert np.array_equal(np.asarray(getattr(fast.a_matrix_, name)),
                              np.asarray(getattr(whole.a_matrix_, name)))
