"""The one options model of a run: what the CLI builds, the manifest records and verify reads."""

from __future__ import annotations

import json
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from conftest import CallPaths
from helpers_pack import GOLDEN_CALL_ARGS

from pine_select.errors import UsageError
from pine_select.options import MAX_SAMPLES, OptionsError, RunOptions


def test_recorded_options_read_back_to_the_same_options() -> None:
    options = RunOptions(weights={"promise": Fraction(100, 3), "need": Fraction(5, 2)},
                         size=3, budget=90000, include=("A-1",), exclude=("B.2",),
                         solver="highs", alternatives=2, member="gareth.evans",
                         sensitivity_samples=5, concentration=Fraction(25, 2), seed=-4)
    recorded = json.loads(json.dumps(options.as_recorded()))
    assert recorded["weights"] == {"promise": "100/3", "need": "5/2"}
    assert recorded["concentration"] == "25/2"
    assert RunOptions.from_recorded(recorded) == options


def test_only_changed_options_and_what_ifs_are_listed() -> None:
    options = RunOptions(budget=5, alternatives=3)
    assert options.as_recorded(changed_only=True) == {"budget": 5, "alternatives": 3}
    assert options.is_what_if and options.what_ifs() == {"budget": 5}
    assert not RunOptions(alternatives=3, member="ann").is_what_if


@pytest.mark.parametrize(("recorded", "field", "words"), [
    ({"sensitivity_samples": 10**9}, "sensitivity_samples", "less than or equal"),
    ({"weights": {"promise": "1/0"}}, "weights", "divides by zero"),
    ({"weights": {"promise": "9" * 5000}}, "weights", "such as 100/3"),
    ({"weights": {"promise": 0.5}}, "weights", "exact number"),
    ({"weights": {"promise": "nan"}}, "weights", "such as 100/3"),
    ({"concentration": "0"}, "concentration", "above 0"),
    ({"include": ["../../etc/passwd"]}, "include", "not an identifier"),
    ({"member": "gareth.evans\u200b"}, "member", "not an identifier"),
    ({"size": "8"}, "size", "valid integer"),
    ({"seed": 2**70}, "seed", "less than or equal"),
    ({"breakpoint_limit": 0}, "breakpoint_limit", "greater than or equal"),
    ({"surprise": 1}, "surprise", "not an option"),
    ({"include": ["A"] * 10_001}, "include", "at most 10000"),
])
def test_a_received_record_is_checked_and_capped(recorded: dict[str, Any], field: str,
                                                 words: str) -> None:
    with pytest.raises(OptionsError) as caught:
        RunOptions.from_recorded(recorded)
    assert isinstance(caught.value, UsageError)
    assert any(name == field and words in message for name, message in caught.value.problems), \
        caught.value.problems
    assert len(str(caught.value)) < 300  # a 5,000-digit number is not echoed back


def test_a_member_is_named_as_reviewers_are_in_any_case() -> None:
    assert RunOptions(member="Gareth.Evans").member == "gareth.evans"


def test_decimal_text_is_exact() -> None:
    assert RunOptions.build(concentration="12.5").concentration == Fraction(25, 2)


@pytest.mark.parametrize(("flags", "expected"), [
    (["--include", "../../etc/passwd"], "--include: '../../etc/passwd' is not an identifier"),
    (["--sensitivity-samples", str(MAX_SAMPLES + 1)], "--samples / --sensitivity-samples:"),
    (["--member", "gareth.evans\u200b"], "--member: "),
])
def test_pack_flags_out_of_range_name_the_flag(flags: list[str], expected: str,
                                               run_cli: Callable[..., Result],
                                               tmp_path: Path) -> None:
    result = run_cli("pack", *GOLDEN_CALL_ARGS, "--out", tmp_path / "p", *flags)
    assert result.exit_code == 2, result.output
    assert expected in result.stderr and "Traceback" not in result.output
    assert not (tmp_path / "p").exists()


@pytest.mark.parametrize("value", ["nan", "inf", "-1", "0", "1e309"])
def test_sensitivity_concentration_must_be_a_positive_number(
        value: str, make_call: Callable[..., CallPaths], run_cli: Callable[..., Result]) -> None:
    result = run_cli("sensitivity", *make_call().args, "--concentration", value)
    assert result.exit_code == 2, result.output
    assert "--concentration:" in result.stderr and "Traceback" not in result.output


def test_select_include_that_is_a_path_is_refused(make_call: Callable[..., CallPaths],
                                                  run_cli: Callable[..., Result]) -> None:
    result = run_cli("select", *make_call().args, "--include", "../../etc/passwd")
    assert result.exit_code == 2 and "--include:" in result.stderr


def test_verify_refuses_a_manifest_asking_for_a_billion_draws(
        run_cli: Callable[..., Result], tmp_path: Path) -> None:
    out = tmp_path / "p"
    assert run_cli("pack", *GOLDEN_CALL_ARGS, "--out", out).exit_code == 0
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    manifest["parameters"]["sensitivity_samples"] = 10**9
    (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    result = run_cli("verify", out)
    assert result.exit_code == 2
    assert "sensitivity_samples" in result.stderr and "100000" in result.stderr


def test_explanations_are_recorded_only_when_not_all_and_checked() -> None:
    assert "explanations" not in RunOptions().as_recorded()
    brief = RunOptions(explanations="price_of_balance")
    assert brief.as_recorded()["explanations"] == "price_of_balance"
    assert RunOptions.from_recorded(brief.as_recorded()) == brief
    assert not brief.is_what_if  # how much is explained, never what is chosen
    with pytest.raises(OptionsError) as caught:
        RunOptions.from_recorded({"explanations": "none"})
    assert caught.value.problems[0][0] == "explanations"
