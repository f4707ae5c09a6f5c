"""``pine-select score`` end to end on tiny calls in tmp folders: every format, bad options."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest
from click.testing import Result
from conftest import CallPaths, tiny_application, tiny_reviews

from pine_select.report.cells import csv_text, fixed, spreadsheet_cell, terminal_text

MakeCall = Callable[..., CallPaths]
RunCli = Callable[..., Result]

SAME = [{"application_id": app, "reviewer": reviewer, "criterion": criterion, "score": 4}
        for app in ("APP-1", "APP-2", "APP-3") for reviewer in ("alice", "bob")
        for criterion in ("promise", "feasibility")]


def test_table_shows_ranking_weights_and_unselectable(make_call: MakeCall,
                                                      run_cli: RunCli) -> None:
    apps = [tiny_application(1), tiny_application(2),
            tiny_application(3, facts={"based_in_england": False})]
    call = make_call(applications=apps)
    result = run_cli("score", *call.args)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "weights: promise=60, feasibility=40" in out
    assert "ties broken by lottery, seed 0" in out
    assert "Not selectable (1):" in out
    assert ("APP-3  Organisation 3" in out
            and "ineligible: gate in_england (facts.based_in_england is false; expected true)"
            in out)
    ranked_lines = [line for line in out.splitlines() if line.strip().startswith(("1 ", "2 "))]
    assert len(ranked_lines) == 2
    assert result.stderr == ""


def test_json_has_the_spec_keys(make_call: MakeCall, run_cli: RunCli) -> None:
    reviews = [*tiny_reviews(["APP-1", "APP-2"]),
               {"application_id": "APP-3", "reviewer": "alice", "criterion": "promise",
                "score": 5}]
    call = make_call(reviews=reviews)
    result = run_cli("score", *call.args, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["weights"] == {"promise": 60, "feasibility": 40}
    assert data["seed"] == 0
    for app in data["applications"]:
        assert {"id", "eligible", "selectable", "reasons", "total", "rank", "criteria",
                "flags"} <= set(app)
        assert set(app["criteria"]) == {"promise", "feasibility"}
        for criterion in app["criteria"].values():
            assert {"score", "n_reviews"} <= set(criterion)
    by_id = {a["id"]: a for a in data["applications"]}
    assert by_id["APP-3"]["total"] is None and by_id["APP-3"]["rank"] is None
    assert by_id["APP-3"]["criteria"]["promise"] == {"score": 5.0, "n_reviews": 1, "spread": 0}
    assert by_id["APP-3"]["reasons"] == [
        "fewer than 2 reviewers on criterion promise (1)",
        "fewer than 2 reviewers on criterion feasibility (0)"]
    assert [a["id"] for a in data["applications"]][-1] == "APP-3"
    assert {"reviewers", "criteria", "target"} <= set(data["quality"])


def test_json_numbers_by_hand(make_call: MakeCall, run_cli: RunCli) -> None:
    # APP-1: promise 5,4,4 -> 13/3 = 4.3333; feasibility 3,3,2 -> 8/3
    # total = 60 * (10/3)/4 + 40 * (5/3)/4 = 50 + 16.666... = 66.67
    rows = [("APP-1", "alice", "promise", 5), ("APP-1", "bob", "promise", 4),
            ("APP-1", "carol", "promise", 4), ("APP-1", "alice", "feasibility", 3),
            ("APP-1", "bob", "feasibility", 3), ("APP-1", "carol", "feasibility", 2)]
    call = make_call(applications=[tiny_application(1)],
                     reviews=[{"application_id": a, "reviewer": r, "criterion": c, "score": s}
                              for a, r, c, s in rows])
    data = json.loads(run_cli("score", *call.args, "--format", "json").stdout)
    (app,) = data["applications"]
    assert app["total"] == 66.67
    assert app["criteria"]["promise"]["score"] == 4.3333
    assert app["criteria"]["feasibility"]["score"] == 2.6667
    assert app["rank"] == 1


def test_what_if_weights_are_echoed_in_every_format(make_call: MakeCall,
                                                    run_cli: RunCli) -> None:
    call = make_call()
    as_json = run_cli("score", *call.args, "--weights", "feasibility=0.5", "--format", "json")
    assert json.loads(as_json.stdout)["weights"] == {"promise": 60, "feasibility": 0.5}
    table = run_cli("score", *call.args, "--weights", "feasibility=0.5")
    assert "weights: promise=60, feasibility=0.5" in table.stdout
    as_csv = run_cli("score", *call.args, "--weights", "feasibility=0.5", "--format", "csv")
    header = next(csv.reader(io.StringIO(as_csv.stdout.removeprefix("\ufeff"))))
    assert "promise (weight 60)" in header and "feasibility (weight 0.5)" in header


@pytest.mark.parametrize(("weights", "message"), [
    ("promis=3", "'promis' is not a criterion"),
    ("promise=-1", "promise=-1 is negative"),
    ("promise=lots", "promise='lots' is not a number"),
    ("promise=0,feasibility=0", "every weight is 0"),
])
def test_bad_weights_exit_2_without_traceback(make_call: MakeCall, run_cli: RunCli,
                                              weights: str, message: str) -> None:
    call = make_call()
    result = run_cli("score", *call.args, "--weights", weights)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert message in result.stderr and result.stderr.startswith("error: --weights")


def test_invalid_call_exits_2_with_problems(make_call: MakeCall, run_cli: RunCli) -> None:
    call = make_call(applications=[tiny_application(1, practice_type="erly_help")])
    result = run_cli("score", *call.args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "erly_help" in result.stderr


def test_warnings_go_to_stderr_and_stdout_stays_clean(make_call: MakeCall,
                                                      run_cli: RunCli) -> None:
    call = make_call(reviews=tiny_reviews(["APP-1", "APP-2"]))  # APP-3 has no reviews yet
    result = run_cli("score", *call.args, "--format", "json")
    assert "APP-3 has no reviews yet" in result.stderr
    json.loads(result.stdout)


HOSTILE = ['=HYPERLINK("http://evil.example","click")', "+1+cmd", "-2+3", "@SUM(A1)",
           "\tindent", "\rreturn"]


@pytest.mark.parametrize("text", HOSTILE)
def test_spreadsheet_cells_are_neutralised(text: str) -> None:
    assert spreadsheet_cell(text) == "'" + text


@pytest.mark.parametrize("text", ["Warrington", "", "a=b", "3", "'quoted"])
def test_ordinary_cells_are_untouched(text: str) -> None:
    assert spreadsheet_cell(text) == text


def test_csv_neutralises_applicant_text(make_call: MakeCall, run_cli: RunCli) -> None:
    apps = [tiny_application(n, title=HOSTILE[n - 1],
                             organisation={"name": HOSTILE[n + 2]}) for n in (1, 2, 3)]
    call = make_call(applications=apps)
    result = run_cli("score", *call.args, "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout.removeprefix("\ufeff"), newline="")))
    assert len(rows) == 3
    cells = [row[column] for row in rows for column in ("title", "organisation")]
    assert sorted(cells) == sorted("'" + text for text in HOSTILE)
    for row in rows:
        assert all(not v.startswith(("=", "+", "-", "@", "\t", "\r")) for v in row.values())


TERMINAL_TRICKS = "\x1b]0;pwned\x07\x1b[2J \u202eevil\u202c \x9b2J \u2066x\u2069"


def test_csv_on_standard_output_carries_no_terminal_or_bidi_control(
        make_call: MakeCall, run_cli: RunCli) -> None:
    """Hostile 10: an organisation's name retitled and cleared the terminal."""
    call = make_call(applications=[tiny_application(1, organisation={"name": TERMINAL_TRICKS}),
                                   tiny_application(2, title="two\nlines\tand a tab")])
    result = run_cli("score", *call.args, "--format", "csv")
    assert result.exit_code == 0, result.output
    for bad in ("\x1b", "\x07", "\x9b", "\u202e", "\u202c", "\u2066", "\u2069"):
        assert bad not in result.stdout, repr(bad)
    rows = list(csv.DictReader(io.StringIO(result.stdout.removeprefix("\ufeff"), newline="")))
    by_id = {row["id"]: row for row in rows}
    assert by_id["APP-1"]["organisation"] == (
        "\ufffd]0;pwned\ufffd\ufffd[2J \ufffdevil\ufffd \ufffd2J \ufffdx\ufffd")
    assert by_id["APP-2"]["title"] == "two\nlines\tand a tab"  # kept, inside quotes


def test_csv_columns(make_call: MakeCall, run_cli: RunCli) -> None:
    call = make_call()
    result = run_cli("score", *call.args, "--format", "csv")
    rows = list(csv.reader(io.StringIO(result.stdout.removeprefix("\ufeff"), newline="")))
    assert rows[0] == ["rank", "id", "organisation", "title", "total", "promise (weight 60)",
                       "feasibility (weight 40)", "eligible", "selectable", "flags", "reasons"]
    assert [r[0] for r in rows[1:]] == ["1", "2", "3"]


def test_csv_text_helper_neutralises_the_header_too() -> None:
    assert csv_text(["=x"], [["@y", 3], ['a "b"', "c,d"]]) == (
        "'=x\r\n'@y,3\r\n\"a \"\"b\"\"\",\"c,d\"\r\n")
    assert csv_text(["a"], [["line\rbreak"]]) == 'a\r\n"line\rbreak"\r\n'


def test_csv_bytes_reach_stdout_unchanged(make_call: MakeCall) -> None:
    call = make_call()
    done = subprocess.run([sys.executable, "-m", "pine_select", "score", *call.args,
                           "--format", "csv"], capture_output=True, check=True)
    assert done.stdout.count(b"\r\n") == 4 and b"\r\r" not in done.stdout
    assert done.stdout.startswith(b"\xef\xbb\xbf")  # UTF-8 byte-order mark, for Excel


def test_terminal_text_drops_escape_codes_and_line_breaks() -> None:
    assert terminal_text("Evil\x1b[31m Org\nName") == "Evil [31m Org Name"
    assert terminal_text("A long organisation name", 10) == "A long or…"


def test_fixed_decimals() -> None:
    from fractions import Fraction
    assert fixed(Fraction(2, 3), 2) == "0.67"
    assert fixed(Fraction(-1, 8), 2) == "-0.13"
    assert fixed(7, 2) == "7.00"


def _score_json_in_subprocess(call: CallPaths, hash_seed: str) -> str:
    env: dict[str, Any] = {**os.environ, "PYTHONHASHSEED": hash_seed}
    done = subprocess.run([sys.executable, "-m", "pine_select", "score", *call.args,
                           "--format", "json"], env=env, capture_output=True, text=True,
                          check=True)
    return done.stdout


def test_ties_are_stable_across_runs_and_hash_seeds(make_call: MakeCall) -> None:
    call = make_call(reviews=SAME)  # every application ties
    first = _score_json_in_subprocess(call, "1")
    second = _score_json_in_subprocess(call, "2")
    assert first == second
    data = json.loads(first)
    assert len(data["tie_groups"]) == 1 and sorted(data["tie_groups"][0]) == [
        "APP-1", "APP-2", "APP-3"]
    assert [a["id"] for a in data["applications"]] == data["tie_groups"][0]


def test_score_help_documents_weights(run_cli: RunCli) -> None:
    result = run_cli("score", "--help")
    assert "--weights" in result.stdout and "table|csv|json" in result.stdout


def test_json_text_is_the_same_data_one_record_per_line() -> None:
    from pine_select.report.cells import json_text

    data = {"applications": [{"id": "A", "criteria": {"x": {"score": 1.5}}, "flags": []},
                             {"id": "B", "criteria": {}, "flags": ["f"]}],
            "weights": {"x": 1}, "tie_groups": [["A", "B"]], "empty": [], "none": None,
            "quality": {"reviewers": [{"reviewer": "r"}], "target": 0.7}}
    text = json_text(data)
    assert json.loads(text) == data
    lines = text.splitlines()
    assert '    {"id": "A", "criteria": {"x": {"score": 1.5}}, "flags": []},' in lines
    assert '    ["A", "B"]' in lines
    assert '      {"reviewer": "r"}' in lines
