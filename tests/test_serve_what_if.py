"""The what-if that drops balance rules (``drop_rules``, ``select --drop-rule``): the
tuning page's rule switches and the command line go through the same option."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from click.testing import Result
from conftest import merged, tiny_application, tiny_rubric

from pine_select.errors import UsageError
from pine_select.loading.loader import load_call
from pine_select.options import OptionsError, RunOptions
from pine_select.pipeline import decide

# Scores (tiny_reviews): APP-3 ranks first, APP-2 second, and they share a practice type;
# the rule allows one of each type, so with it the portfolio takes APP-1 instead of APP-2.
ONE_EACH = {"id": "one_each", "field": "practice_type", "at_most": 1}


def _call(make_call: Callable[..., Any]) -> Any:
    rubric = merged(tiny_rubric(), {"selection": {"rules": [ONE_EACH]}})
    apps = [tiny_application(1, practice_type="child_protection"),
            tiny_application(2, practice_type="early_help"),
            tiny_application(3, practice_type="early_help")]
    return make_call(rubric=rubric, applications=apps)


def test_dropping_a_rule_lets_the_portfolio_break_it(make_call: Callable[..., Any]) -> None:
    paths = _call(make_call)
    call = load_call(paths.rubric, paths.apps)
    kept = decide(call).selection
    dropped = decide(call, RunOptions(drop_rules=("one_each",))).selection
    top_two = ["APP-3", "APP-2"]
    types = {call.by_id[i].practice_type for i in kept.selected}
    assert len(types) == len(kept.selected) == 2  # the rule holds with it
    assert sorted(kept.selected) == ["APP-1", "APP-3"]
    assert list(dropped.selected) == top_two  # without it: the plain top two
    assert {call.by_id[i].practice_type for i in top_two} == {"early_help"}
    assert "one_each" in [r.name for r in kept.rules]
    assert "one_each" not in [r.name for r in dropped.rules]


def test_an_unknown_rule_is_refused_naming_the_rules(make_call: Callable[..., Any]) -> None:
    paths = _call(make_call)
    call = load_call(paths.rubric, paths.apps)
    with pytest.raises(UsageError, match=r"'nope', 'other' are not rules of the rubric; "
                                         r"expected one of: one_each"):
        decide(call, RunOptions(drop_rules=("nope", "other")))


def test_select_drop_rule_on_the_command_line(make_call: Callable[..., Any],
                                              run_cli: Callable[..., Result]) -> None:
    paths = _call(make_call)
    call = load_call(paths.rubric, paths.apps)
    found = run_cli("select", *paths.args, "--drop-rule", "one_each", "--format", "json")
    assert found.exit_code == 0, found.output
    expected = decide(call, RunOptions(drop_rules=("one_each",))).selection.selected
    assert json.loads(found.stdout)["selected"] == list(expected)
    bad = run_cli("select", *paths.args, "--drop-rule", "nope")
    assert bad.exit_code == 2
    assert "error: --drop-rule: 'nope' is not a rule of the rubric" in bad.stderr


def test_drop_rules_is_a_what_if_recorded_only_when_set() -> None:
    """Packs made before the option record no drop_rules: their bytes and manifests hold."""
    assert "drop_rules" not in RunOptions().as_recorded()
    options = RunOptions(drop_rules=("region_cap",))
    assert options.as_recorded()["drop_rules"] == ["region_cap"]
    assert options.is_what_if and options.what_ifs() == {"drop_rules": ["region_cap"]}
    assert RunOptions.from_recorded(options.as_recorded()) == options


def test_drop_rules_is_capped() -> None:
    with pytest.raises(OptionsError, match="drop_rules"):
        RunOptions(drop_rules=tuple(f"r{i}" for i in range(1001)))
    with pytest.raises(OptionsError, match="drop_rules"):
        RunOptions(drop_rules=("x" * 501,))
