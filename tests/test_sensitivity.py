"""Weight sensitivity: exact intervals against brute force, hand-worked ends, robustness."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest
from helpers_sensitivity import (
    application,
    call_of,
    exact_values,
    feasible_portfolios,
    portfolio_value,
    random_call,
)

from pine_select.errors import UsageError
from pine_select.lottery import priorities
from pine_select.model.call import Call
from pine_select.options import RunOptions
from pine_select.scoring import score_call
from pine_select.selection.optimiser import SolverName
from pine_select.selection.problem import build_problem
from pine_select.sensitivity import weight_sensitivity
from pine_select.sensitivity.matrix import ScoreMatrix
from pine_select.sensitivity.result import WeightInterval, WeightSensitivity
from pine_select.sensitivity.robustness import dirichlet_weights

EPSILON = Fraction(1, 1000)


def best_value(call: Call, portfolios: list[frozenset[str]], weights: dict[str, Fraction]
               ) -> Fraction:
    values = exact_values(call, weights)
    return max(portfolio_value(p, values) for p in portfolios)


def value_at(call: Call, portfolio: frozenset[str], weights: dict[str, Fraction]) -> Fraction:
    return portfolio_value(portfolio, exact_values(call, weights))


def optimal_at(call: Call, portfolios: list[frozenset[str]], portfolio: frozenset[str],
               weights: dict[str, Fraction]) -> bool:
    return value_at(call, portfolio, weights) == best_value(call, portfolios, weights)


def with_weight(base: dict[str, Fraction], criterion: str, weight: Fraction
                ) -> dict[str, Fraction]:
    return {**base, criterion: weight}


def check_interval(call: Call, portfolios: list[frozenset[str]], portfolio: frozenset[str],
                   base: dict[str, Fraction], item: WeightInterval) -> None:
    crit = item.criterion
    others = sum(w for c, w in base.items() if c != crit)
    inside = [item.low, item.weight, item.high if item.high is not None else item.weight * 3 + 50]
    if item.low < item.weight:
        inside.append(item.low + (item.weight - item.low) / 2)
    for w in inside:
        if w == 0 and others == 0:
            continue  # every weight 0: no totals at all
        assert optimal_at(call, portfolios, portfolio, with_weight(base, crit, w)), (crit, w)
    if item.high is not None:
        above = with_weight(base, crit, item.high + EPSILON)
        challenger = portfolio - set(item.at_high.leaves) | set(item.at_high.enters)
        assert challenger != portfolio
        assert challenger in portfolios
        assert value_at(call, challenger, above) > value_at(call, portfolio, above)
        assert optimal_at(call, portfolios, challenger, above)
    else:
        assert item.at_high.enters == () and item.at_high.leaves == ()
    if item.low > 0:
        below = with_weight(base, crit, item.low - min(EPSILON, item.low / 2))
        challenger = portfolio - set(item.at_low.leaves) | set(item.at_low.enters)
        assert challenger in portfolios
        assert value_at(call, challenger, below) > value_at(call, portfolio, below)
        assert optimal_at(call, portfolios, challenger, below)
    else:
        assert item.at_low.enters == () and item.at_low.leaves == ()


def analysed(call: Call) -> tuple[WeightSensitivity, list[frozenset[str]]]:
    result = weight_sensitivity(call)
    report = score_call(call)
    portfolios = list(feasible_portfolios(build_problem(call, report)))
    return result, portfolios


@pytest.mark.parametrize("seed", range(40))
def test_intervals_match_brute_force_on_random_calls(seed: int) -> None:
    rng = random.Random(seed)
    call = random_call(rng, rng.randint(4, 10))
    result, portfolios = analysed(call)
    if not portfolios:
        assert result.status == "infeasible"
        return
    assert result.optimal
    portfolio = frozenset(result.portfolio)
    base = dict(result.weights)
    assert portfolio in portfolios
    assert optimal_at(call, portfolios, portfolio, base)
    for item in result.intervals:
        assert item.weight == base[item.criterion]
        assert item.low <= item.weight
        assert item.high is None or item.weight <= item.high
        check_interval(call, portfolios, portfolio, base, item)


def test_dominant_application_is_unbounded_both_ways() -> None:
    # A is best on every criterion: it stays the one chosen whatever one weight does.
    call = call_of({"promise": 30, "need": 20}, {"size": 1}, [
        (application("A"), {"promise": (5, 5), "need": (5, 4)}),
        (application("B"), {"promise": (3, 3), "need": (4, 4)}),
        (application("C"), {"promise": (4, 4), "need": (1, 1)}),
    ])
    result = weight_sensitivity(call)
    assert result.portfolio == ("A",)
    for item in result.intervals:
        assert item.low == 0 and item.high is None
        assert item.at_low.enters == () and item.at_high.enters == ()


def test_hand_worked_crossing_points() -> None:
    # Normalised scores: A promise 1, need 0; B promise 1/2, need 1. Weights p=30, n=20.
    # A's total is 100*p/(p+n), B's 100*(p/2+n)/(p+n): A wins while p > 2n.
    # promise: A wins for p >= 40 -> low 40 (at p just below 40, B enters), high none.
    # need: A wins for n <= 15 -> ... but the rubric has n=20, so B is chosen instead:
    # B wins while p/2 + n >= p, i.e. p <= 2n: promise in [0, 40], need from 15 up.
    call = call_of({"promise": 30, "need": 20}, {"size": 1}, [
        (application("A"), {"promise": (5, 5), "need": (1, 1)}),
        (application("B"), {"promise": (3, 3), "need": (5, 5)}),
    ])
    result = weight_sensitivity(call)
    assert result.portfolio == ("B",)
    promise, need = result.intervals
    assert (promise.low, promise.high) == (0, 40)
    assert promise.at_high.enters == ("A",) and promise.at_high.leaves == ("B",)
    assert (need.low, need.high) == (15, None)
    assert need.at_low.enters == ("A",) and need.at_low.leaves == ("B",)


@pytest.mark.parametrize("seed", range(6))
def test_who_enters_at_a_breakpoint_follows_the_lottery_with_either_solver(seed: int) -> None:
    # A wins while promise > 40 (as in the hand-worked test); below, one of the twins B1,
    # B2 (equal on every criterion) takes its place. Which one is the lottery's, whatever
    # the solver: the same rule as the selection's ties, so reports do not depend on it.
    twins = {"promise": (3, 3), "need": (5, 5)}
    call = call_of({"promise": 50, "need": 20}, {"size": 1, "tie_break_seed": seed}, [
        (application("A"), {"promise": (5, 5), "need": (1, 1)}),
        (application("B1"), twins), (application("B2"), twins),
    ])
    winner = max(("B1", "B2"), key=priorities(seed, ["A", "B1", "B2"]).get)
    results = [weight_sensitivity(call, options=RunOptions(solver=solver.value))
               for solver in (SolverName.CBC, SolverName.HIGHS)]
    assert results[0] == results[1]
    promise = results[0].intervals[0]
    assert (promise.low, promise.high) == (40, None)
    assert promise.at_low.enters == (winner,) and promise.at_low.leaves == ("A",)


def test_zero_weight_that_does_not_matter_has_low_zero() -> None:
    call = call_of({"promise": 30, "need": 0}, {"size": 1}, [
        (application("A"), {"promise": (5, 5), "need": (1, 1)}),
        (application("B"), {"promise": (2, 2), "need": (5, 5)}),
    ])
    need = weight_sensitivity(call).intervals[1]
    assert need.weight == 0 and need.low == 0
    # B overtakes A when 30*1 = 30/4 + n*1 -> n = 22.5
    assert need.high == Fraction(45, 2)


def test_a_tie_at_the_rubric_weights_gives_a_point_end() -> None:
    # A and B tie exactly at the rubric's weights; the lottery picks one. Moving promise
    # either way makes one of them strictly better, so one end is the weight itself.
    call = call_of({"promise": 10, "need": 10}, {"size": 1, "tie_break_seed": 3}, [
        (application("A"), {"promise": (5, 5), "need": (1, 1)}),
        (application("B"), {"promise": (1, 1), "need": (5, 5)}),
    ])
    result = weight_sensitivity(call)
    promise = result.intervals[0]
    if result.portfolio == ("A",):
        assert promise.low == 10 and promise.high is None
    else:
        assert promise.low == 0 and promise.high == 10


def test_rank_stability_names_the_nearest_breakpoint() -> None:
    call = call_of({"promise": 30, "need": 20}, {"size": 1}, [
        (application("A"), {"promise": (5, 5), "need": (1, 1)}),
        (application("B"), {"promise": (3, 3), "need": (5, 5)}),
    ])
    result = weight_sensitivity(call)
    by_id = {s.id: s for s in result.stability}
    # B is chosen; the nearest single move: need down from 20 to 15 (5), promise up to 40 (10).
    assert by_id["B"].selected
    assert (by_id["B"].criterion, by_id["B"].direction, by_id["B"].to, by_id["B"].change) == \
        ("need", "down", 15, 5)
    assert "A" not in by_id  # ranked below the lowest selected: not near the line


def test_infeasible_call_has_nothing_to_analyse() -> None:
    call = call_of({"promise": 1}, {"size": 3}, [
        (application("A"), {"promise": (5, 5)}),
        (application("B"), {"promise": (3, 3)}),
    ])
    assert weight_sensitivity(call).status == "infeasible"


def test_score_matrix_cents_match_scoring() -> None:
    call = random_call(random.Random(5), 8)
    report = score_call(call)
    problem = build_problem(call, report)
    matrix = ScoreMatrix.of(problem, report, call.rubric)
    weights = [report.weights[c] for c in matrix.criteria]
    assert matrix.cents(weights) == [c.total_cents for c in problem.candidates]
    other = {c: Fraction(k + 1, 3) for k, c in enumerate(matrix.criteria)}
    rescored = {a.id: a.total_cents for a in score_call(call, other).applications}
    assert matrix.cents(list(other.values())) == [rescored[i] for i in matrix.ids]


def test_dirichlet_draws_keep_the_total_and_zero_weights() -> None:
    rng = random.Random(1)
    weights = [Fraction(30), Fraction(0), Fraction(70)]
    for _ in range(50):
        drawn = dirichlet_weights(rng, weights, Fraction(50))
        assert drawn[1] == 0
        assert abs(sum(drawn) - 100) <= Fraction(1, 10**4)
        assert all(w >= 0 for w in drawn)


def test_sampled_frequencies_are_deterministic_and_seeded() -> None:
    call = random_call(random.Random(3), 8)
    first = weight_sensitivity(call, options=RunOptions(sensitivity_samples=15, seed=4))
    again = weight_sensitivity(call, options=RunOptions(sensitivity_samples=15, seed=4))
    assert first.robustness is not None and first.robustness == again.robustness
    assert first.robustness.seed == 4 and first.robustness.samples == 15
    chosen = set(first.portfolio)
    counted = {f.id for f in first.robustness.frequencies}
    assert chosen <= counted
    assert all(0 <= f.count <= 15 for f in first.robustness.frequencies)
    assert sum(f.count for f in first.robustness.frequencies) == 15 * len(first.portfolio) \
        or call.rubric.selection.size is None


def test_samples_default_to_the_rubric_seed() -> None:
    call = random_call(random.Random(3), 8)
    result = weight_sensitivity(call, options=RunOptions(sensitivity_samples=3))
    assert result.robustness is not None
    assert result.robustness.seed == call.rubric.selection.tie_break_seed


def test_bad_options_are_usage_errors() -> None:
    call = random_call(random.Random(3), 6)
    with pytest.raises(UsageError):
        weight_sensitivity(call, options=RunOptions(sensitivity_samples=2,
                                                    concentration=Fraction(0)))
    with pytest.raises(UsageError):
        weight_sensitivity(call, options=RunOptions(breakpoint_limit=0))


def rounding_call(seed: int) -> Call:
    # A's exact total 50.02499 beats B's 50.01874, but both round to 50.02: the lottery
    # decides the selection, while exact totals prefer A.
    return call_of({"promise": 1, "need": 2000}, {"size": 1, "tie_break_seed": seed}, [
        (application("A"), {"promise": (5, 5), "need": (3, 3)}),
        (application("B"), {"promise": (4, 5), "need": (3, 3)}),
    ])


def test_intervals_use_exact_totals_when_rounding_decides_the_selection() -> None:
    from pine_select.pipeline import decide

    seed = next(s for s in range(100) if decide(rounding_call(s)).selection.selected == ("B",))
    call = rounding_call(seed)
    result = weight_sensitivity(call)
    assert result.portfolio == ("A",)
    assert result.notes and "rounding" in result.notes[0]
    promise = result.intervals[0]
    assert promise.low == 0 and promise.high is None  # A is better on promise, equal on need


def test_resampled_selection_is_what_select_gives_for_those_weights() -> None:
    from pine_select.pipeline import decide
    from pine_select.selection.explain import portfolio_ids
    from pine_select.selection.optimiser import Optimiser

    call = random_call(random.Random(8), 9)
    report = score_call(call)
    problem = build_problem(call, report)
    optimiser = Optimiser(problem)
    matrix = ScoreMatrix.of(problem, report, call.rubric)
    rng = random.Random(2)
    for _ in range(5):
        drawn = dirichlet_weights(rng, [report.weights[c] for c in matrix.criteria],
                                  Fraction(5))
        weights = dict(zip(matrix.criteria, drawn, strict=True))
        expected = decide(call, RunOptions(weights=weights)).selection
        again = optimiser.best_with_scores(matrix.cents(drawn))
        assert sorted(expected.selected) == sorted(portfolio_ids(problem, again.chosen))
    assert optimiser.best().chosen == Optimiser(problem).best().chosen  # model restored
