"""``pine-select select`` through the command line: exit codes, JSON keys, clean stdout."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from conftest import CallPaths, merged, tiny_application, tiny_reviews, tiny_rubric

ROOT = Path(__file__).resolve().parents[1]

# The default tiny call (conftest): three applications APP-1..3, size 2, budget 100,000, at
# most 2 per practice type. The checks below hold whatever the reviewers' scores are.


def test_json_has_the_spec_keys(make_call: Callable[..., CallPaths],
                                run_cli: Callable[..., Result]) -> None:
    call = make_call()
    result = run_cli("select", *call.args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    for key in ("status", "selected", "total_score", "cost", "rules", "reserves"):
        assert key in data
    assert data["status"] == "optimal" and len(data["selected"]) == 2
    assert all({"name", "satisfied", "binding"} <= set(rule) for rule in data["rules"])
    assert "conflicting_rules" not in data
    assert data["seed"] == 0 and "CBC" in data["solver"]


def test_infeasible_exits_1_and_names_the_conflict(make_call: Callable[..., CallPaths],
                                                   run_cli: Callable[..., Result]) -> None:
    call = make_call()
    result = run_cli("select", *call.args, "--size", "5", "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["status"] == "infeasible" and data["conflicting_rules"] == ["size"]
    table = run_cli("select", *call.args, "--size", "5")
    assert table.exit_code == 1 and "cannot hold together: size" in table.stdout


def test_include_what_if(make_call: Callable[..., CallPaths],
                         run_cli: Callable[..., Result]) -> None:
    call = make_call()
    baseline = json.loads(run_cli("select", *call.args, "--format", "json").stdout)
    left_out = ({"APP-1", "APP-2", "APP-3"} - set(baseline["selected"])).pop()
    result = run_cli("select", *call.args, "--include", left_out, "--format", "json")
    assert result.exit_code == 0
    assert left_out in json.loads(result.stdout)["selected"]


def test_include_of_an_unselectable_application_exits_2(make_call: Callable[..., CallPaths],
                                                        run_cli: Callable[..., Result]) -> None:
    apps = [tiny_application(1), tiny_application(2),
            tiny_application(3, facts={"based_in_england": False})]
    call = make_call(applications=apps)
    result = run_cli("select", *call.args, "--include", "APP-3")
    assert result.exit_code == 2
    assert "what-if include: include APP-3: the application is not selectable" in result.stderr
    assert "Traceback" not in result.output


def test_exclude_what_if_and_exclusion_conflict(make_call: Callable[..., CallPaths],
                                                run_cli: Callable[..., Result]) -> None:
    call = make_call()
    result = run_cli("select", *call.args, "--exclude", "APP-1", "--exclude", "APP-2",
                     "--format", "json")
    # Two left of three minus two: size 2 cannot hold with both exclusions.
    assert result.exit_code == 1
    conflict = json.loads(result.stdout)["conflicting_rules"]
    assert conflict == ["size", "exclude APP-1", "exclude APP-2"]


def test_table_shows_coverage_and_price(make_call: Callable[..., CallPaths],
                                        run_cli: Callable[..., Result]) -> None:
    rubric = merged(tiny_rubric(), {"selection": {"rules": [
        {"id": "one_practice", "field": "practice_type", "at_most": 1}]}})
    apps = [tiny_application(1), tiny_application(2),
            tiny_application(3, practice_type="child_protection")]
    call = make_call(rubric=rubric, applications=apps)
    result = run_cli("select", *call.args, "--alternatives", "1")
    assert result.exit_code == 0, result.stderr
    for text in ("Portfolio: 2 applications", "Coverage", "one_practice", "Price of balance",
                 "Next-best portfolios"):
        assert text in result.stdout


def test_weights_are_used_and_reported(make_call: Callable[..., CallPaths],
                                       run_cli: Callable[..., Result]) -> None:
    call = make_call()
    result = run_cli("select", *call.args, "--weights", "promise=1,feasibility=0",
                     "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["weights"] == {"promise": 1, "feasibility": 0}


@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_stdout_is_pure_json_in_a_real_process(make_call: Callable[..., CallPaths],
                                               solver: str) -> None:
    # HiGHS prints a banner from C on file descriptor 1; only a real process shows it.
    call = make_call()
    done = subprocess.run(
        [sys.executable, "-m", "pine_select", "select", *call.args, "--solver", solver,
         "--format", "json"], capture_output=True, text=True, cwd=ROOT, check=False)
    assert done.returncode == 0, done.stderr
    data: dict[str, Any] = json.loads(done.stdout)
    assert data["status"] == "optimal"


def test_both_solvers_choose_the_same_portfolio(make_call: Callable[..., CallPaths],
                                                run_cli: Callable[..., Result]) -> None:
    call = make_call(applications=[tiny_application(n) for n in range(1, 7)])
    found = [json.loads(run_cli("select", *call.args, "--solver", s, "--format",
                                "json").stdout) for s in ("highs", "cbc")]
    keys = ("selected", "total_score", "reserves", "left_out", "withdrawals")
    highs, cbc = ({k: d[k] for k in keys} for d in found)
    assert highs == cbc


EXAMPLE = (ROOT / "rubrics" / "pine-2019.yaml", ROOT / "applications" / "pine-2019")


@pytest.mark.skipif(not EXAMPLE[1].is_dir(), reason="the example call is not there yet")
def test_example_call_end_to_end(run_cli: Callable[..., Result]) -> None:
    found = [json.loads(run_cli("select", *EXAMPLE, "--solver", s, "--format", "json").stdout)
             for s in ("cbc", "highs")]
    for data in found:
        assert data["status"] == "optimal" and len(data["selected"]) == 8
        assert data["cost"] <= 380000 and all(rule["satisfied"] for rule in data["rules"])
        assert data["seed"] == 2019
    assert found[0]["selected"] == found[1]["selected"]
    assert found[0]["reserves"] == found[1]["reserves"]


def _all_tied_example(folder: Path) -> tuple[Path, Path]:
    """The example call with every review score 3: every application ties with every other."""
    apps = folder / "apps"
    shutil.copytree(EXAMPLE[1], apps)
    with (apps / "reviews.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    with (apps / "reviews.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows({**row, "score": "3"} for row in rows)
    return EXAMPLE[0], apps


@pytest.mark.skipif(not EXAMPLE[1].is_dir(), reason="the example call is not there yet")
def test_explanations_do_not_depend_on_the_solver_when_every_score_ties(
        tmp_path: Path, run_cli: Callable[..., Result]) -> None:
    """Issue 11: with every total tied, CBC and HiGHS explained withdrawals and alternatives
    differently (portfolios with equal lottery priority sums were left to the solver)."""
    rubric, apps = _all_tied_example(tmp_path)
    outputs = []
    for solver in ("cbc", "highs"):
        result = run_cli("select", rubric, apps, "--size", "10", "--alternatives", "3",
                         "--solver", solver, "--format", "json")
        assert result.exit_code == 0, result.stderr
        data = json.loads(result.stdout)
        assert len(data["withdrawals"]) == 10 and len(data["alternatives"]) == 3
        data.pop("solver"), data.pop("solver_version")
        outputs.append(json.dumps(data, indent=2, ensure_ascii=False))
    assert outputs[0] == outputs[1]


def test_no_selectable_application_says_so_and_why(make_call: Callable[..., CallPaths],
                                                   run_cli: Callable[..., Result]) -> None:
    """Issue 11: with nothing selectable, select blamed a balance rule."""
    rubric = tiny_rubric(selection={"size": 2, "budget": 100000, "rules": [
        {"field": "age_groups", "each": ["early_years"], "at_least": 1}]})
    apps = [tiny_application(1, facts={"based_in_england": False}), tiny_application(2),
            tiny_application(3)]
    reviews = [row for row in tiny_reviews(["APP-1", "APP-2", "APP-3"])
               if not (row["application_id"] == "APP-2" and row["reviewer"] == "bob")]
    call = make_call(rubric=rubric, applications=apps, reviews=reviews)
    table = run_cli("select", *call.args, "--exclude", "APP-3")
    assert table.exit_code == 1
    assert table.stdout.strip() == (
        "No application is selectable: of 3 application(s), 1 ineligible, 1 with too few "
        "reviews, 1 excluded by the panel (one may have several reasons).")
    data = json.loads(run_cli("select", *call.args, "--exclude", "APP-3", "--format",
                              "json").stdout)
    assert data["status"] == "infeasible" and data["conflicting_rules"] == []
    assert data["unselectable"] == {"applications": 3, "ineligible": 1, "too_few_reviews": 1,
                                    "excluded": 1}


def test_bad_options_exit_2(make_call: Callable[..., CallPaths],
                            run_cli: Callable[..., Result]) -> None:
    call = make_call()
    assert run_cli("select", *call.args, "--solver", "gurobi").exit_code == 2
    assert run_cli("select", *call.args, "--size", "-1").exit_code == 2
    assert run_cli("select", *call.args, "--weights", "nope=1").exit_code == 2
