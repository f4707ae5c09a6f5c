"""assign, sheets and collect on the command line: exit codes, files written, JSON keys."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import Result
from helpers_review_round import reviewers_csv, round_call

from pine_select.review_round.assignments import Assignment
from pine_select.review_round.reviewers import Reviewer

Run = Callable[..., Result]
DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_assign_writes_assignments_csv_and_reports(tmp_path: Path, run_cli: Run) -> None:
    call = round_call(tmp_path, 6)
    result = run_cli("assign", *call.args, "--per-application", "2")
    assert result.exit_code == 0, result.output
    assert "Assigned 2 reviewers to each of 6 applications: 12 reviews, proven optimal" in (
        result.stdout)
    lines = (call.apps / "assignments.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "application_id,reviewer,expert" and len(lines) == 13
    assert "no reviews yet" not in result.stderr  # expected during the round: not a warning


def test_assign_json_has_exactly_the_spec_keys_and_more(tmp_path: Path, run_cli: Run) -> None:
    call = round_call(tmp_path, 4, reviewers=reviewers_csv([
        ("alice", "", "Organisation 1", "early_help", ""), ("bob", "", "", "", ""),
        ("carol", "", "", "child_protection", "")]))
    result = run_cli("assign", *call.args, "--per-application", "2", "--format", "json")
    data = json.loads(result.stdout)
    assert {"assignments", "loads", "detected_conflicts", "without_expert"} <= set(data)
    assert data["status"] == "optimal"
    assert set(data["assignments"][0]) == {"application_id", "reviewer", "expert"}
    assert sorted(data["loads"].values()) == [2, 3, 3]  # 8 reviews, as even as can be
    assert data["detected_conflicts"] == [{"reviewer": "alice", "application_id": "APP-1",
                                           "reason": "same organisation (Organisation 1)"}]


def test_assign_exits_1_naming_each_application_that_cannot_be_served(
        tmp_path: Path, run_cli: Run) -> None:
    conflicts = [("alice", "APP-2", ""), ("bob", "APP-2", ""), ("carol", "APP-2", "")]
    call = round_call(tmp_path, 3, conflicts=conflicts)
    result = run_cli("assign", *call.args, "--per-application", "2")
    assert result.exit_code == 1
    assert "APP-2: only 1 reviewer(s) free of conflict and with capacity (dan); 2 needed" in (
        result.stdout)
    assert not (call.apps / "assignments.csv").exists()
    data = json.loads(run_cli("assign", *call.args, "--per-application", "2", "--format",
                              "json").stdout)
    assert data["status"] == "infeasible" and data["shortfalls"][0]["applications"] == ["APP-2"]


def test_assign_with_bad_reviewers_exits_2_with_file_and_line(tmp_path: Path,
                                                             run_cli: Run) -> None:
    call = round_call(tmp_path, 2, reviewers="reviewer,max_load\nalice,lots\n")
    result = run_cli("assign", *call.args, "--per-application", "1")
    assert result.exit_code == 2
    assert "reviewers.csv:2: max_load" in result.stderr and "Traceback" not in result.output


def test_rerunning_assign_keeps_the_file_stable(tmp_path: Path, run_cli: Run) -> None:
    call = round_call(tmp_path, 8)
    run_cli("assign", *call.args, "--per-application", "2")
    first = (call.apps / "assignments.csv").read_bytes()
    again = run_cli("assign", *call.args, "--per-application", "2")
    assert (call.apps / "assignments.csv").read_bytes() == first
    assert "kept 16 of the 16 assignments already made" in again.stdout


def test_sheets_then_collect_round_trip_on_the_command_line(tmp_path: Path,
                                                           run_cli: Run) -> None:
    call = round_call(tmp_path, 4)
    run_cli("assign", *call.args, "--per-application", "2")
    out = tmp_path / "sheets"
    result = run_cli("sheets", *call.args, "--out", out)
    assert result.exit_code == 0 and "Wrote 4 scoresheet(s) for 8 assigned reviews" in (
        result.stdout)
    for path in out.iterdir():
        book = openpyxl.load_workbook(path)
        sheet = book["Scores"]
        for row in range(2, sheet.max_row + 1):
            sheet.cell(row, 4).value = 3
            if path.stem != "dan":
                sheet.cell(row, 6).value = 4
        book.save(path)
    result = run_cli("collect", *call.args, *sorted(out.iterdir()))
    assert result.exit_code == 0, result.output
    assert "Collected 14 scores from 4 workbook(s)" in result.stdout
    assert "dan: 2" in result.stdout
    reviews = (call.apps / "reviews.csv").read_text(encoding="utf-8").splitlines()
    assert reviews[0] == "application_id,reviewer,criterion,score,comment" and len(reviews) == 15
    scored = run_cli("score", *call.args, "--format", "json")
    assert scored.exit_code == 0


def test_collect_refuses_with_cells_exit_2_and_writes_nothing(tmp_path: Path,
                                                             run_cli: Run) -> None:
    call = round_call(tmp_path, 4)
    run_cli("assign", *call.args, "--per-application", "2")
    out = tmp_path / "sheets"
    run_cli("sheets", *call.args, "--out", out)
    book = openpyxl.load_workbook(out / "alice.xlsx")
    book["Scores"]["D2"] = 0
    book.save(out / "alice.xlsx")
    result = run_cli("collect", *call.args, out / "alice.xlsx", "--out", tmp_path / "r.csv")
    assert result.exit_code == 2
    assert ("alice.xlsx:Scores!D2: score 0 is off the scale; expected a whole number from 1 "
            "to 5") in result.stderr
    assert not (tmp_path / "r.csv").exists()


@pytest.mark.parametrize("model", [Reviewer, Assignment], ids=lambda m: m.__name__)
def test_every_review_round_column_is_documented(model: Any) -> None:
    text = (DOCS / "formats.md").read_text(encoding="utf-8")
    for name, info in model.model_fields.items():
        if not info.exclude:
            assert f"`{name}`" in text, f"{model.__name__}.{name} is not in docs/formats.md"


def test_an_old_reviews_csv_does_not_stop_the_round(tmp_path: Path, run_cli: Run) -> None:
    # A late conflict with an application the reviewer already scored: the call is invalid
    # for `score` until collect rebuilds reviews.csv, but the round must go on.
    call = round_call(tmp_path, 2)
    (call.apps / "reviews.csv").write_text(
        "application_id,reviewer,criterion,score,comment\nAPP-1,alice,promise,4,\n",
        encoding="utf-8")
    (call.apps / "conflicts.csv").write_text("reviewer,application_id,reason\nalice,APP-1,late\n",
                                             encoding="utf-8")
    assert run_cli("score", *call.args).exit_code == 2
    result = run_cli("assign", *call.args, "--per-application", "2")
    assert result.exit_code == 0, result.output
    assert "APP-1,alice" not in (call.apps / "assignments.csv").read_text(encoding="utf-8")
