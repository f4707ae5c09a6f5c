"""Reviewer calibration through the commands (issue 16): flags, JSON keys, table, errors."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from html import unescape
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import Result
from conftest import CallPaths, tiny_application, tiny_rubric

from pine_select.chance.bootstrap import ReviewerTable
from pine_select.chance.robustness import prepare
from pine_select.loading.loader import load_call
from pine_select.scoring import score_call
from pine_select.scoring.totals import IntegerWeights

N_APPS = 12
REVIEWERS = ("ann", "ben", "cat", "dan", "eve", "fay")
LENIENCY = {"ann": 1, "ben": 0, "cat": -1, "dan": 0, "eve": 1, "fay": -1}


def planted_reviews(groups: int = 1, newcomer: bool = False) -> list[dict[str, Any]]:
    """Three of six reviewers per application (random, seeded), lenient ones a point up;
    ``groups`` 2: applications 1-6 only by ann-cat, 7-12 only by dan-fay."""
    rng = random.Random(3)
    rows = []
    for n in range(1, N_APPS + 1):
        pool = REVIEWERS if groups == 1 else REVIEWERS[:3] if n <= 6 else REVIEWERS[3:]
        merit = 1 + n % 4
        for reviewer in rng.sample(pool, 3):
            for criterion in ("promise", "feasibility"):
                score = min(5, max(1, merit + LENIENCY[reviewer] + rng.choice((0, 0, 1))))
                rows.append({"application_id": f"APP-{n}", "reviewer": reviewer,
                             "criterion": criterion, "score": score})
    if newcomer:
        rows += [{"application_id": "APP-1", "reviewer": "gus", "criterion": c, "score": 5}
                 for c in ("promise", "feasibility")]
    return rows


def planted_call(make_call: Callable[..., CallPaths], **changes: Any) -> CallPaths:
    reviews = changes.pop("reviews", None) or planted_reviews()
    return make_call(rubric=tiny_rubric(**changes),
                     applications=[tiny_application(n) for n in range(1, N_APPS + 1)],
                     reviews=reviews)


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result.output
    return result


def test_score_json_adds_reviewer_effects_and_raw_totals_and_keeps_every_key(
        make_call: Callable[..., CallPaths], run_cli: Callable[..., Result]) -> None:
    call = planted_call(make_call)
    plain = json.loads(ok(run_cli("score", *call.args, "--format", "json")).stdout)
    first = ok(run_cli("score", *call.args, "--calibrate", "--format", "json")).stdout
    again = ok(run_cli("score", *call.args, "--calibrate", "--format", "json")).stdout
    assert first == again
    data = json.loads(first)
    assert set(plain) | {"reviewer_effects", "calibration"} == set(data)
    assert data["aggregate"] == "calibrated"
    assert set(data["reviewer_effects"]) == set(REVIEWERS)
    assert set(data["reviewer_effects"]["ann"]) == {"promise", "feasibility"}
    assert data["reviewer_effects"]["ann"]["promise"] > 0 > data["reviewer_effects"]["cat"][
        "promise"]
    assert set(data["calibration"]["penalty"]) == {"promise", "feasibility"}
    by_id = {a["id"]: a for a in plain["applications"]}
    for app in data["applications"]:
        assert set(app) == set(by_id[app["id"]]) | {"raw_total"}
        assert app["raw_total"] == by_id[app["id"]]["total"]  # raw: the plain run's total
    assert "raw_total" not in plain["applications"][0] and "reviewer_effects" not in plain


def test_the_rubric_can_ask_for_calibration_itself(
        make_call: Callable[..., CallPaths], run_cli: Callable[..., Result]) -> None:
    flag = planted_call(make_call)
    by_flag = ok(run_cli("score", *flag.args, "--calibrate", "--format", "csv")).stdout
    rubric = planted_call(make_call, aggregate="calibrated")
    assert ok(run_cli("score", *rubric.args, "--format", "csv")).stdout == by_flag
    assert "raw total" in by_flag.splitlines()[0]


def test_the_table_shows_raw_beside_calibrated_and_lists_uncorrected_and_groups(
        make_call: Callable[..., CallPaths], run_cli: Callable[..., Result]) -> None:
    call = planted_call(make_call, reviews=planted_reviews(groups=2, newcomer=True))
    table = ok(run_cli("score", *call.args, "--calibrate")).stdout
    header = next(line for line in table.splitlines() if line.startswith("rank"))
    assert header.index("total") < header.index("raw total")
    assert "calibrated mean of reviewers" in table
    assert "left uncorrected (fewer than 5 scores on a criterion): gus" in table
    assert "warning: the reviewers form 2 groups" in table  # gus joins ann-cat on APP-1
    plain = ok(run_cli("score", *call.args)).stdout
    assert "raw total" not in plain and "warning" not in plain


def test_two_groups_are_warned_about_in_json(
        make_call: Callable[..., CallPaths], run_cli: Callable[..., Result]) -> None:
    call = planted_call(make_call, reviews=planted_reviews(groups=2))
    data = json.loads(ok(run_cli("score", *call.args, "--calibrate", "--format",
                                 "json")).stdout)
    assert data["calibration"]["groups"] == [["ann", "ben", "cat"], ["dan", "eve", "fay"]]
    assert "2 groups" in data["calibration"]["warnings"][0]


def test_calibrate_on_a_median_rubric_is_a_usage_error(
        make_call: Callable[..., CallPaths], run_cli: Callable[..., Result]) -> None:
    call = planted_call(make_call, aggregate="median")
    for command in ("score", "select", "robustness"):
        result = run_cli(command, *call.args, "--calibrate")
        assert result.exit_code == 2, result.output
        assert "error: --calibrate: the rubric aggregates criterion scores by median" in (
            result.stderr)


def test_select_sensitivity_and_robustness_take_calibrate(
        make_call: Callable[..., CallPaths], run_cli: Callable[..., Result]) -> None:
    call = planted_call(make_call)
    ok(run_cli("select", *call.args, "--calibrate", "--format", "json"))
    ok(run_cli("sensitivity", *call.args, "--calibrate", "--format", "json"))
    args = ("robustness", *call.args, "--calibrate", "--draws", "30", "--format", "json")
    assert ok(run_cli(*args)).stdout == ok(run_cli(*args)).stdout


def test_a_bootstrap_draw_of_every_reviewer_once_is_the_calibrated_score(
        make_call: Callable[..., CallPaths]) -> None:
    """The per-draw re-fit is the same formula as scoring: drawing each reviewer once
    gives back ``score_call(calibrate=True)``'s totals."""
    paths = planted_call(make_call)
    call = load_call(paths.rubric, paths.apps)
    setup = prepare(call, calibrate=True)
    table = ReviewerTable.of(call, setup.problem, IntegerWeights.of(setup.report.weights),
                             calibrated=True)
    identity = [tuple(range(len(r))) for r in table.reviewers]
    by_id = score_call(call, calibrate=True).by_id()
    assert table.cents(identity) == [by_id[c.id].total_cents for c in setup.problem.candidates]
    plain = score_call(call).by_id()
    assert any(by_id[i].total_cents != plain[i].total_cents for i in by_id)


def test_a_balanced_call_keeps_every_total_and_rank(
        make_call: Callable[..., CallPaths]) -> None:
    rows = [{"application_id": f"APP-{n}", "reviewer": r, "criterion": c,
             "score": min(5, max(1, 1 + n % 4 + LENIENCY[r]))}
            for n in range(1, N_APPS + 1) for r in REVIEWERS for c in ("promise", "feasibility")]
    paths = planted_call(make_call, reviews=rows)
    call = load_call(paths.rubric, paths.apps)
    calibrated, plain = score_call(call, calibrate=True), score_call(call)
    assert calibrated.calibration is not None
    assert np.any(calibrated.calibration.leniency_units() != 0)
    assert [(a.id, a.rank, a.total) for a in calibrated.applications] == [
        (a.id, a.rank, a.total) for a in plain.applications]
    assert all(a.raw_total == a.total for a in calibrated.applications)


def test_a_pack_made_with_calibrate_records_it_and_verifies(
        make_call: Callable[..., CallPaths], run_cli: Callable[..., Result],
        tmp_path: Path) -> None:
    call = planted_call(make_call)
    out = tmp_path / "pack"
    ok(run_cli("pack", *call.args, "--calibrate", "--out", out))
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["parameters"]["calibrate"] is True
    assert "OK" in ok(run_cli("verify", out)).stdout


@pytest.mark.slow
def test_calibrated_robustness_is_the_same_for_any_number_of_workers(
        make_call: Callable[..., CallPaths], run_cli: Callable[..., Result]) -> None:
    call = planted_call(make_call)
    args = ("robustness", *call.args, "--calibrate", "--draws", "60", "--format", "json")
    assert ok(run_cli(*args, "--workers", "2")).stdout == ok(run_cli(*args)).stdout


def test_letters_of_a_calibrated_rubric_say_how_scores_were_made(
        make_call: Callable[..., CallPaths], run_cli: Callable[..., Result],
        tmp_path: Path) -> None:
    call = planted_call(make_call, aggregate="calibrated")
    ok(run_cli("letters", *call.args, "--out", tmp_path / "letters"))
    text = unescape((tmp_path / "letters" / "APP-1.html").read_text(encoding="utf-8"))
    assert "the mean (after each reviewer's usual generosity or strictness is taken off)" in text
    assert "the calibrated of" not in text
