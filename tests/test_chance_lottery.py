"""The leximin lottery (SPEC 10): against brute force, its published figures, its rules."""

from __future__ import annotations

import hashlib
import json
from fractions import Fraction
from pathlib import Path

import pytest
from helpers_chance import reference_leximin, rule_keeping
from helpers_selection import AGES, PRACTICES, REGIONS, TYPES, App, instance
from hypothesis import given, settings
from hypothesis import strategies as st

from pine_select.chance.distribution import PRECISION, published, ticket
from pine_select.chance.lottery import run_lottery
from pine_select.chance.result import Lottery
from pine_select.chance.robustness import Setup, setup_for
from pine_select.model.reviews import Override, Overrides
from pine_select.report.chance_output import lottery_json


def setup(apps: list[App], selection: dict[str, object],
          overrides: Overrides | None = None) -> Setup:
    call, report = instance(apps, selection, overrides)
    return setup_for(call, report, call.overrides)


def varied(n: int) -> list[App]:
    """n applications whose categories cycle at different speeds (many rule-keeping mixes)."""
    return [App(f"A{k:02d}", cents=5000 + 37 * k % 900, amount=10 + 7 * k % 30,
                practice=PRACTICES[k % len(PRACTICES)], region=REGIONS[k // 2 % len(REGIONS)],
                type=TYPES[k // 3 % len(TYPES)], ages=(AGES[k % 3],))
            for k in range(n)]


SMALL_CALLS = [
    ({"size": 3, "rules": [{"id": "regions", "field": "organisation.region", "at_most": 1}]}, 7),
    ({"size": 3, "rules": [{"id": "types", "field": "organisation.type", "at_least": 1},
                           {"id": "cap", "field": "practice_type", "at_most": 1}]}, 8),
    ({"size": {"min": 2, "max": 4}, "budget": 60,
      "rules": [{"id": "spread", "field": "organisation.region", "distinct_at_least": 2}]}, 7),
    ({"size": 4, "rules": [{"id": "share", "field": "organisation.type",
                            "share_at_least": 0.5, "each": ["voluntary_sector"]}]}, 9),
]


def check_rules(found: Lottery, s: Setup) -> None:
    """Every published portfolio keeps every rule, holds its held-in, none of its held-out."""
    assert found.distribution is not None
    index = {c.id: i for i, c in enumerate(s.problem.candidates)}
    keeping = set(rule_keeping(s.problem))
    for portfolio in found.distribution.portfolios:
        assert frozenset(index[i] for i in portfolio) in keeping
        assert set(found.fixed_in) <= set(portfolio)
        assert not set(found.fixed_out) & set(portfolio)
    assert sum(found.distribution.billionths) == PRECISION


@pytest.mark.parametrize("selection, n", SMALL_CALLS)
def test_lottery_matches_brute_force_leximin(selection: dict[str, object], n: int) -> None:
    s = setup(varied(n), selection)
    found = run_lottery(s, zone="all")
    assert found.status == "drawn"
    check_rules(found, s)
    portfolios = rule_keeping(s.problem)
    expected = reference_leximin(portfolios, list(range(n)))
    for i, candidate in enumerate(s.problem.candidates):
        assert abs(found.probability(candidate.id) / PRECISION - expected[i]) < 2e-6, candidate.id


def test_exact_size_probabilities_sum_to_the_size_and_marginals_are_published() -> None:
    s = setup(varied(8), SMALL_CALLS[1][0])
    data = lottery_json(run_lottery(s, zone="all"))
    billionths = {i: round(p * PRECISION) for i, p in data["probabilities"].items()}
    assert sum(billionths.values()) == 3 * PRECISION
    for app_id, value in billionths.items():
        holding = sum(round(d["probability"] * PRECISION) for d in data["distribution"]
                      if app_id in d["portfolio"])
        assert holding == value
    assert data["min_probability"] == min(data["probabilities"].values())


def test_sortition_without_binding_quotas_gives_everyone_size_over_pool() -> None:
    # Flanigan et al. 2021: with quotas that never bind, LEXIMIN is uniform: k/n each.
    apps = [App(f"P{k:03d}", cents=5000, region=REGIONS[k % 3]) for k in range(60)]
    s = setup(apps, {"size": 6, "rules": [{"id": "r", "field": "organisation.region",
                                           "at_most": 6}]})
    found = run_lottery(s, zone="all")
    assert all(abs(found.probability(a.id) - PRECISION // 10) <= 2 for a in apps)


def test_binding_quota_hand_worked() -> None:
    # 30 councils and 10 voluntary organisations, 8 seats, at least 4 voluntary: the 4
    # expected voluntary seats spread over 10 (0.4 each), the other 4 over 30 (2/15 each).
    apps = [App(f"V{k:02d}", 5000, type="voluntary_sector") for k in range(10)]
    apps += [App(f"L{k:02d}", 5000) for k in range(30)]
    s = setup(apps, {"size": 8, "rules": [{"id": "vol", "field": "organisation.type",
                                           "at_least": 4, "each": ["voluntary_sector"]}]})
    found = run_lottery(s, zone="all")
    for a in apps:
        expected = Fraction(4, 10) if a.id.startswith("V") else Fraction(2, 15)
        assert abs(Fraction(found.probability(a.id), PRECISION) - expected) < Fraction(1, 10**6)
    assert found.min_probability is not None
    assert abs(found.min_probability / PRECISION - 2 / 15) < 1e-6


def test_overrides_are_held_in_and_out_and_left_out_of_the_zone() -> None:
    apps = varied(7)
    overrides = Overrides(include=(Override(id="A01", reason="panel"),),
                          exclude=(Override(id="A02", reason="panel"),))
    s = setup(apps, SMALL_CALLS[0][0], overrides)
    found = run_lottery(s, zone="all")
    assert found.fixed_in == ("A01",) and found.fixed_out == ("A02",)
    assert "A01" not in found.zone and "A02" not in found.zone
    check_rules(found, s)
    assert "A01" in found.drawn and "A02" not in found.drawn


def test_a_zone_member_no_portfolio_can_hold_gets_zero_and_the_rest_are_fair() -> None:
    apps = [App("A", 5000, amount=100), App("B", 5000), App("C", 5000), App("D", 5000)]
    s = setup(apps, {"size": 2, "budget": 50, "rules": []})
    found = run_lottery(s, zone="all")
    assert found.probability("A") == 0
    assert all(abs(found.probability(i) - 2 * PRECISION // 3) <= 2 for i in "BCD")


def test_infeasible_rules_give_no_lottery() -> None:
    s = setup(varied(4), {"size": 3, "rules": [{"id": "r", "field": "organisation.type",
                                                "at_least": 3}]})
    found = run_lottery(s, zone="all")
    assert found.status == "infeasible" and found.drawn == () and found.distribution is None


def observer_draw(data: dict[str, object]) -> list[str]:
    """What docs/method.md tells an observer to do, from the published JSON alone."""
    number = int(hashlib.sha256(f"{data['seed']}:lottery".encode()).hexdigest(), 16) % 10**9
    entries = sorted(data["distribution"], key=lambda d: d["portfolio"])  # type: ignore[attr-defined]
    start = 0
    for entry in entries:
        width = round(entry["probability"] * 10**9)
        if start <= number < start + width:
            return list(entry["portfolio"])
        start += width
    raise AssertionError("no portfolio holds the ticket")


@pytest.mark.parametrize("seed", [0, 7, 2019, -5])
def test_an_observer_redoes_the_draw_from_the_published_distribution(seed: int) -> None:
    s = setup(varied(8), SMALL_CALLS[1][0])
    data = lottery_json(run_lottery(s, zone="all", seed=seed))
    assert observer_draw(data) == data["drawn"]
    assert data["ticket"] == ticket(seed)
    assert data["distribution"] == sorted(data["distribution"], key=lambda d: d["portfolio"])


def test_published_rounds_to_billionths_summing_to_one() -> None:
    found = published([["b", "a"], ["c"], ["a", "c"]], [1 / 3, 1 / 3, 1 / 3])
    assert found.portfolios == (("a", "b"), ("a", "c"), ("c",))
    assert sum(found.billionths) == PRECISION
    assert sorted(found.billionths) == [333333333, 333333333, 333333334]
    assert found.marginal("a") == 666666667 or found.marginal("a") == 666666666
    assert published([["a"], ["b"]], [1.0, 0.0]).portfolios == (("a",),)


def test_the_same_inputs_give_the_same_lottery() -> None:
    first = lottery_json(run_lottery(setup(varied(8), SMALL_CALLS[1][0]), zone="all"))
    again = lottery_json(run_lottery(setup(varied(8), SMALL_CALLS[1][0]), zone="all"))
    assert first == again


@pytest.mark.slow
def test_sortition_of_200_with_20_seats_reaches_ten_percent_each() -> None:
    # The Flanigan et al. figure: quotas that hold at 10% for everyone give everyone 10%.
    apps = [App(f"P{k:03d}", 5000, region=REGIONS[k % 3], type=TYPES[k // 3 % 2],
                practice=PRACTICES[k % 4]) for k in range(200)]
    rules = [{"id": "r", "field": "organisation.region", "at_least": 6, "at_most": 7},
             {"id": "t", "field": "organisation.type", "at_least": 9,
              "each": ["voluntary_sector"]},
             {"id": "p", "field": "practice_type", "at_most": 6}]
    s = setup(apps, {"size": 20, "rules": rules})
    found = run_lottery(s, zone="all")
    check_probabilities = [found.probability(a.id) for a in apps]
    assert all(abs(p - PRECISION // 10) <= 10 for p in check_probabilities)
    assert sum(check_probabilities) == 20 * PRECISION


ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = [str(ROOT / "rubrics" / "pine-2019.yaml"), str(ROOT / "applications" / "pine-2019")]


def test_lottery_command_contested_zone_on_the_example(run_cli: object) -> None:
    result = run_cli("lottery", *EXAMPLE, "--draws", "25", "--format", "json")  # type: ignore[operator]
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["status"] == "drawn" and data["zone_kind"] == "contested"
    assert len(data["drawn"]) == 8
    assert set(data["fixed_in"]) <= set(data["drawn"])
    assert not set(data["fixed_out"]) & set(data["drawn"])
    assert set(data["zone"]) == set(data["probabilities"])
    assert observer_draw(data) == data["drawn"]
    held = len(data["fixed_in"]) * PRECISION
    assert sum(round(p * PRECISION) for p in data["probabilities"].values()) + held == 8 * PRECISION


def test_lottery_command_text_shows_each_zone_member_and_the_draw(run_cli: object) -> None:
    result = run_cli("lottery", *EXAMPLE, "--zone", "all", "--seed", "3")  # type: ignore[operator]
    assert result.exit_code == 0, result.output
    assert "Lottery over 39 application(s) in the zone (all)" in result.stdout
    assert "Seed 3: ticket" in result.stdout and "Drawn: PINE-2019-" in result.stdout
    assert result.stdout.count("PINE-2019-") >= 39 + 8


def test_lottery_command_exits_1_when_no_portfolio_keeps_the_rules(make_call: object,
                                                                   run_cli: object) -> None:
    from conftest import tiny_rubric

    call = make_call(rubric=tiny_rubric(selection={"size": 5}))  # type: ignore[operator]
    result = run_cli("lottery", *call.args, "--zone", "all", "--format", "json")  # type: ignore[operator]
    assert result.exit_code == 1
    assert json.loads(result.stdout)["status"] == "infeasible"


def test_a_contested_zone_without_draws_is_refused(run_cli: object) -> None:
    result = run_cli("lottery", *EXAMPLE, "--draws", "0")  # type: ignore[operator]
    assert result.exit_code == 2
    assert "--draws 0: the contested zone is found by the bootstrap's draws" in result.stderr


@settings(max_examples=12, deadline=None)
@given(n=st.integers(4, 7), size=st.integers(1, 3), seed=st.integers(0, 50),
       region_cap=st.sampled_from([None, 1, 2]), type_floor=st.sampled_from([None, 1]),
       budget=st.sampled_from([None, 40, 70]))
def test_property_the_lottery_is_the_brute_force_leximin_and_keeps_every_rule(
        n: int, size: int, seed: int, region_cap: int | None, type_floor: int | None,
        budget: int | None) -> None:
    rules: list[dict[str, object]] = []
    if region_cap is not None:
        rules.append({"id": "regions", "field": "organisation.region", "at_most": region_cap})
    if type_floor is not None:
        rules.append({"id": "vol", "field": "organisation.type", "at_least": type_floor,
                      "each": ["voluntary_sector"]})
    apps = [App(f"A{k}", 5000 + (seed * k) % 700, amount=10 + (seed + 3 * k) % 30,
                region=REGIONS[(seed + k) % 3], type=TYPES[(seed // 2 + k) % 2])
            for k in range(n)]
    selection: dict[str, object] = {"size": size, "rules": rules, "tie_break_seed": seed}
    if budget is not None:
        selection["budget"] = budget
    s = setup(apps, selection)
    found = run_lottery(s, zone="all", seed=seed)
    portfolios = rule_keeping(s.problem)
    if not portfolios:
        assert found.status == "infeasible"
        return
    check_rules(found, s)
    assert sum(found.probability(a.id) for a in apps) == size * PRECISION
    expected = reference_leximin(portfolios, list(range(n)))
    for i, candidate in enumerate(s.problem.candidates):
        assert abs(found.probability(candidate.id) / PRECISION - expected[i]) < 2e-6
