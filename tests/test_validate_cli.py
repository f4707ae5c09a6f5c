"""`pine-select validate` on hostile calls: exit 2, FILE:LINE, what was expected, no traceback.

Each case is a tiny valid call with one thing broken. The test runs inside the call's folder,
so files are named as the user typed them (``apps/APP-1.yaml``).
"""

from __future__ import annotations

import json
import os
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from conftest import (
    REVIEW_HEADER,
    CallPaths,
    csv_text,
    line_of,
    merged,
    tiny_application,
    tiny_reviews,
    tiny_rubric,
    yaml_text,
)

from pine_select.loading import csv_source
from pine_select.model.ids import ID_EXPECTED

IDS = ["APP-1", "APP-2", "APP-3"]
REPO = Path(__file__).resolve().parents[1]


def apps_with(first: Any) -> list[Any]:
    """The default applications with the first one replaced."""
    return [first, tiny_application(2), tiny_application(3)]


def csv_body(rows: list[dict[str, Any]]) -> str:
    """Review rows as CSV text without the header line."""
    return csv_text(REVIEW_HEADER, rows).split("\n", 1)[1]


def app_text(n: int = 1, **changes: Any) -> str:
    return yaml_text(tiny_application(n, **changes))


def reviews_with(*rows: dict[str, Any]) -> list[dict[str, Any]]:
    """The default reviews plus ``rows`` at the end (their lines are 14, 15, ...)."""
    return [*tiny_reviews(IDS), *rows]


def row(app: str = "APP-1", reviewer: str = "carol", criterion: str = "promise",
        score: Any = 3) -> dict[str, Any]:
    return {"application_id": app, "reviewer": reviewer, "criterion": criterion,
            "score": score, "comment": ""}


@dataclass(frozen=True)
class Hostile:
    """A call with one thing wrong and the problem line that `validate` must print."""

    name: str
    parts: Callable[[], dict[str, Any]]
    file: str  # relative to the call's folder
    needle: str | None  # text on the offending line of ``file`` (None: no line number)
    message: str
    expected: str
    occurrence: int = 1
    monkeypatch: dict[str, Any] = field(default_factory=dict)


HOSTILE = [
    Hostile("unknown key", lambda: {"applications": apps_with(tiny_application(1, colour="red"))},
            "apps/APP-1.yaml", "colour:", "colour: unknown key", "only the keys of the SPEC"),
    Hostile("unknown nested key",
            lambda: {"applications": apps_with(tiny_application(
                1, organisation={"regoin": "London"}))},
            "apps/APP-1.yaml", "regoin:", "organisation.regoin: unknown key", "only the keys"),
    Hostile("unknown rubric key", lambda: {"rubric": tiny_rubric(min_review=3)},
            "rubric.yaml", "min_review:", "min_review: unknown key", "only the keys"),
    Hostile("undeclared category",
            lambda: {"applications": apps_with(tiny_application(1, practice_type="erly_help"))},
            "apps/APP-1.yaml", "erly_help",
            "practice_type: 'erly_help' is not a declared category",
            "'early_help' (one of: early_help, child_protection)"),
    Hostile("undeclared category in a list",
            lambda: {"applications": apps_with(tiny_application(
                1, age_groups=["early_years", "adolesent"]))},
            "apps/APP-1.yaml", "- adolesent", "age_groups: 'adolesent' is not a declared category",
            "'adolescent' (one of"),
    Hostile("undeclared region",
            lambda: {"applications": apps_with(tiny_application(
                1, organisation={"region": "Londn"}))},
            "apps/APP-1.yaml", "Londn", "organisation.region: 'Londn' is not a declared category",
            "'London'"),
    Hostile("duplicate id across two files",
            lambda: {"applications": {"a.yaml": tiny_application(1),
                                      "b.yaml": tiny_application(1, title="Copy")},
                     "reviews": tiny_reviews(["APP-1"])},
            "apps/b.yaml", "id: APP-1", "id 'APP-1' is also used by apps/a.yaml",
            "a unique id per application"),
    Hostile("duplicate key in one file",
            lambda: {"applications": apps_with(app_text(1) + "title: Second title\n")},
            "apps/app-1.yaml", "title:", "duplicate key 'title' (first on line 2)", "each key once",
            occurrence=2),
    Hostile("score above the scale", lambda: {"reviews": reviews_with(row(score=9))},
            "apps/reviews.csv", "APP-1,carol,promise,9", "score 9 is off the scale",
            "a whole number from 1 to 5"),
    Hostile("score below the scale", lambda: {"reviews": reviews_with(row(score=0))},
            "apps/reviews.csv", "APP-1,carol,promise,0", "score 0 is off the scale",
            "a whole number from 1 to 5"),
    Hostile("score not a whole number", lambda: {"reviews": reviews_with(row(score="3.5"))},
            "apps/reviews.csv", "APP-1,carol,promise,3.5",
            "score: input should be a valid integer, got '3.5'", "a whole number"),
    Hostile("score in superscript digits", lambda: {"reviews": reviews_with(row(score="²"))},
            "apps/reviews.csv", "APP-1,carol,promise,²", "score: input should be a valid integer",
            "a whole number"),
    Hostile("score in non-ASCII digits", lambda: {"reviews": reviews_with(row(score="٣"))},
            "apps/reviews.csv", "APP-1,carol,promise,٣", "got '٣'", "a whole number"),
    Hostile("score with two minus signs", lambda: {"reviews": reviews_with(row(score="--3"))},
            "apps/reviews.csv", "APP-1,carol,promise,--3", "got '--3'", "a whole number"),
    Hostile("descriptor key not a score",
            lambda: {"rubric": merged(tiny_rubric(), {"criteria": [
                {"id": "promise", "name": "P", "weight": 1, "descriptors": {"²": "x"}}]})},
            "rubric.yaml", "²", "criteria.promise.descriptors: '²' is not a score",
            "whole numbers from 1 to 5"),
    Hostile("unknown criterion", lambda: {"reviews": reviews_with(row(criterion="promis"))},
            "apps/reviews.csv", "APP-1,carol,promis,", "criterion 'promis' is not in the rubric",
            "'promise' (one of: promise, feasibility)"),
    Hostile("review of an unknown application", lambda: {"reviews": reviews_with(row("APP-4"))},
            "apps/reviews.csv", "APP-4,carol", "application_id 'APP-4' is not an application",
            "'APP-3' (one of: APP-1, APP-2, APP-3)"),
    Hostile("same score twice",
            lambda: {"reviews": reviews_with(row(score=2), row(score=4))},
            "apps/reviews.csv", "APP-1,carol,promise,4",
            "carol scored APP-1 on promise twice (first on line 14)",
            "one score per reviewer and criterion"),
    Hostile("conflicted reviewer",
            lambda: {"conflicts": [{"reviewer": "alice", "application_id": "APP-2",
                                    "reason": "former employer"}]},
            "apps/reviews.csv", "APP-2,alice,promise",
            "alice scored APP-2 but declared a conflict with it (apps/conflicts.csv:2)",
            "no scores from a conflicted reviewer"),
    Hostile("conflict with an unknown application",
            lambda: {"conflicts": [{"reviewer": "alice", "application_id": "APP-9"}]},
            "apps/conflicts.csv", "alice,APP-9", "application_id 'APP-9' is not an application",
            "'APP-3' (one of: APP-1, APP-2, APP-3)"),
    Hostile("malformed YAML",
            lambda: {"applications": apps_with("id: APP-1\ntitle: [Circle of Change\n"
                                               "practice_type: early_help\n")},
            "apps/app-1.yaml", "practice_type", "malformed YAML", "valid YAML"),
    Hostile("alias bomb",
            lambda: {"applications": apps_with(
                'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
                + "".join(f"{k}: &{k} [{', '.join([f'*{p}'] * 9)}]\n"
                          for p, k in zip("abcdefgh", "bcdefghi", strict=True)))},
            "apps/app-1.yaml", "a: &a", "anchors and aliases are not allowed",
            "plain values written out"),
    Hostile("python object tag",
            lambda: {"applications": apps_with(app_text(1).replace(
                "title: Project 1", "title: !!python/object/apply:os.system ['echo pwned']"))},
            "apps/app-1.yaml", "!!python",
            "YAML tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed",
            "plain values, no tags"),
    Hostile("id with ../",
            lambda: {"applications": apps_with(tiny_application(1, id="../../etc/passwd"))},
            "apps/app-1.yaml", "id: ../../etc/passwd",
            "id: '../../etc/passwd' is not a valid id",
            "a letter or digit, then up to 63 letters, digits, '.', '_' or '-'"),
    Hostile("review naming an id with ../", lambda: {"reviews": reviews_with(row("../APP-1"))},
            "apps/reviews.csv", "../APP-1", "application_id: '../APP-1' is not a valid id",
            "a letter or digit"),
    Hostile("a string where a number belongs",
            lambda: {"applications": apps_with(tiny_application(1, requested_amount="12000"))},
            "apps/APP-1.yaml", "requested_amount:",
            "requested_amount: input should be a valid integer, got '12000'", "a whole number"),
    Hostile("a quoted weight",
            lambda: {"rubric": merged(tiny_rubric(), {"criteria": [
                {"id": "promise", "name": "P", "weight": "30"}]})},
            "rubric.yaml", "weight:", "criteria.0.weight: input should be a valid integer, got "
            "'30' or input should be a valid number, got '30'", "a whole number"),
    Hostile("yes where true belongs",
            lambda: {"applications": apps_with(app_text(1).replace(
                "based_in_england: true", "based_in_england: yes"))},
            "apps/app-1.yaml", "based_in_england: yes",
            "facts.based_in_england: 'yes' is text, but eligibility gate 'in_england' compares "
            "it with true or false", "true or false, unquoted (yes, no, on and off are text)"),
    Hostile("NO where false belongs",
            lambda: {"applications": apps_with(app_text(1).replace(
                "based_in_england: true", "based_in_england: NO"))},
            "apps/app-1.yaml", "based_in_england: NO", "'NO' is text", "true or false"),
    Hostile("all weights zero",
            lambda: {"rubric": merged(tiny_rubric(), {"criteria": [
                {"id": "promise", "name": "P", "weight": 0},
                {"id": "feasibility", "name": "F", "weight": 0}]})},
            "rubric.yaml", "criteria:", "criteria: every criterion weight is 0",
            "at least one weight above 0"),
    Hostile("rule on an undeclared field",
            lambda: {"rubric": tiny_rubric(selection={"rules": [{"field": "colour",
                                                                 "at_most": 1}]})},
            "rubric.yaml", "field: colour",
            "rule 'colour at_most=1': field 'colour' has no declared categories",
            "one of: age_groups, practice_type, organisation.type, organisation.region"),
    Hostile("rule on an undeclared category",
            lambda: {"rubric": tiny_rubric(selection={"rules": [
                {"field": "practice_type", "each": ["erly_help"], "at_most": 1}]})},
            "rubric.yaml", "- erly_help",
            "'erly_help' is not a declared category of practice_type", "'early_help'"),
    Hostile("gate on an unknown field",
            lambda: {"rubric": tiny_rubric(eligibility=[{"id": "g", "field": "colour",
                                                         "equals": "red"}])},
            "rubric.yaml", "- id: g", "unknown field 'colour'", "e.g. facts.NAME"),
    Hostile("undeclared categorical field",
            lambda: {"rubric": merged(tiny_rubric(), {"categories": {"colour": ["red"]}})},
            "rubric.yaml", "colour:", "categories: 'colour' is not a categorical field",
            "one of: age_groups, practice_type, organisation.type, organisation.region or "
            "facts.NAME"),
    Hostile("override without a reason",
            lambda: {"overrides": {"include": [{"id": "APP-1"}]}},
            "apps/overrides.yaml", "- id: APP-1", "include.0.reason: missing",
            "this key to be given"),
    Hostile("override with a blank reason",
            lambda: {"overrides": {"exclude": [{"id": "APP-1", "reason": "  "}]}},
            "apps/overrides.yaml", "reason:", "exclude.0.reason: '  ' is blank", "some text"),
    Hostile("override of an unknown application",
            lambda: {"overrides": {"exclude": [{"id": "APP-7", "reason": "withdrawn"}]}},
            "apps/overrides.yaml", "- id: APP-7", "exclude: 'APP-7' is not an application",
            "'APP-3' (one of: APP-1, APP-2, APP-3)"),
    Hostile("reviews with a bad header",
            lambda: {"reviews": "application_id,reviewer,crit,score\nAPP-1,alice,promise,3\n"},
            "apps/reviews.csv", "application_id,reviewer,crit",
            "missing column(s) criterion",
            "the header application_id,reviewer,criterion,score,comment"),
    Hostile("reviews row with too few columns",
            lambda: {"reviews": csv_text(REVIEW_HEADER, [("APP-1", "alice", "promise")])},
            "apps/reviews.csv", "APP-1,alice,promise", "3 columns", "5 as in the header"),
    Hostile("application over the size cap",
            lambda: {"applications": apps_with(app_text(1) + "# " + "x" * 1_000_000 + "\n")},
            "apps/app-1.yaml", None, "file is too large", "at most 1,000,000 bytes"),
    Hostile("reviews over the size cap", lambda: {},
            "apps/reviews.csv", None, "file is too large", "at most 100 bytes",
            monkeypatch={"MAX_CSV_BYTES": 100}),
    Hostile("unterminated quote in reviews",
            lambda: {"reviews": csv_text(REVIEW_HEADER, tiny_reviews(IDS)[:6])
                     + 'APP-2,carol,promise,3,"unterminated\n' + csv_body(tiny_reviews(IDS)[6:])},
            "apps/reviews.csv", '"unterminated',
            "unterminated quote: the field starting on line 8 runs to the end of the file",
            'a closing "'),
    Hostile("unterminated quote in the header",
            lambda: {"reviews": 'application_id,"reviewer,criterion,score\nAPP-1,alice,x,3\n'},
            "apps/reviews.csv", "application_id", "unterminated quote", 'a closing "'),
    Hostile("stray quote swallowing rows",
            lambda: {"reviews": csv_text(REVIEW_HEADER, tiny_reviews(IDS)[:2])
                     + 'APP-1,carol,promise,3,"oops\n' + csv_body(tiny_reviews(IDS)[2:])
                     + 'APP-2,carol,promise,3,end"\n'},
            "apps/reviews.csv", "oops", "a quoted value in this row runs over several lines "
            "that look like rows", 'a closing " on the line where the value starts'),
    Hostile("a requested amount above the ceiling",
            lambda: {"applications": apps_with(tiny_application(1, requested_amount=10**22))},
            "apps/APP-1.yaml", "requested_amount:",
            "requested_amount: 10000000000000000000000 is above 1,000,000,000,000",
            "a whole number of pounds, from 0 to 1,000,000,000,000"),
    Hostile("a negative requested amount",
            lambda: {"applications": apps_with(tiny_application(1, requested_amount=-5))},
            "apps/APP-1.yaml", "requested_amount:", "requested_amount: -5 is below 0",
            "a whole number of pounds, from 0 to 1,000,000,000,000"),
    Hostile("a budget above the ceiling",
            lambda: {"rubric": tiny_rubric(selection={"budget": 10**12 + 1})},
            "rubric.yaml", "budget:", "selection.budget: 1000000000001 is above 1,000,000,000,000",
            "a whole number of pounds, from 0 to 1,000,000,000,000"),
    Hostile("an empty override reason",
            lambda: {"overrides": {"exclude": [{"id": "APP-1", "reason": ""}]}},
            "apps/overrides.yaml", "reason:", "exclude.0.reason: the value is empty",
            "a reason in words"),
    Hostile("an empty title",
            lambda: {"applications": apps_with(tiny_application(1, title=""))},
            "apps/APP-1.yaml", "title:", "title: the value is empty", "some text, not left empty"),
    Hostile("no age groups",
            lambda: {"applications": apps_with(tiny_application(1, age_groups=[]))},
            "apps/APP-1.yaml", "age_groups:", "age_groups: the value is empty",
            "a list of at least one item"),
    Hostile("an unknown aggregate", lambda: {"rubric": tiny_rubric(aggregate="average")},
            "rubric.yaml", "aggregate:", "aggregate: 'average' is not one of the allowed values",
            "one of 'mean', 'median' or 'calibrated'"),
    Hostile("a share above 1",
            lambda: {"rubric": tiny_rubric(selection={"rules": [
                {"field": "practice_type", "share_at_most": 1.5}]})},
            "rubric.yaml", "share_at_most:", "1.5 is above 1", "a fraction from 0 to 1"),
    Hostile("a negative weight",
            lambda: {"rubric": merged(tiny_rubric(), {"criteria": [
                {"id": "promise", "name": "P", "weight": -1}]})},
            "rubric.yaml", "weight:", "criteria.0.weight: -1 is below 0", "a number 0 or more"),
    Hostile("a size range upside down",
            lambda: {"rubric": tiny_rubric(selection={"size": {"min": 5, "max": 2}})},
            "rubric.yaml", "size:", "selection.size: max (2) must be at least min (5)",
            "a range such as {min: 6, max: 10}"),
    Hostile("a gate without a condition",
            lambda: {"rubric": tiny_rubric(eligibility=[{"id": "g", "field": "facts.x"}])},
            "rubric.yaml", "- id: g", "a gate needs a condition",
            "one of equals, in, at_least, at_most or not_empty"),
    # Issue 11: look-alike reviewer ids, numbers beyond any sense, empty lists, YAML tricks.
    *[Hostile(f"reviewer with {what}", lambda name=name: {"reviews": reviews_with(
        row(reviewer=name))}, "apps/reviews.csv", f"APP-1,{name},", "reviewer: ",
        ID_EXPECTED) for what, name in [("a zero-width space", "carol\u200b"),
                                           ("a Cyrillic a", "c\u0430rol"),
                                           ("a bidi mark", "car\u202eol"),
                                           ("markup", "<b>carol</b>")]],
    Hostile("conflict with a look-alike reviewer",
            lambda: {"conflicts": [{"reviewer": "\u0430lice", "application_id": "APP-2"}]},
            "apps/conflicts.csv", "lice,APP-2", "(character 1 is U+0430, not allowed)",
            ID_EXPECTED),
    Hostile("conflict declared in another case",
            lambda: {"conflicts": [{"reviewer": "Alice", "application_id": "APP-2"}]},
            "apps/reviews.csv", "APP-2,alice,promise",
            "alice scored APP-2 but declared a conflict with it (apps/conflicts.csv:2)",
            "no scores from a conflicted reviewer"),
    Hostile("score by a reviewer in another case",
            lambda: {"conflicts": [{"reviewer": "alice", "application_id": "APP-2"}],
                     "reviews": [{**r, "reviewer": "ALICE"} if r["reviewer"] == "alice" else r
                                 for r in tiny_reviews(IDS)]},
            "apps/reviews.csv", "APP-2,ALICE,promise",
            "alice scored APP-2 but declared a conflict with it", "no scores from"),
    Hostile("a 5,000-digit amount",
            lambda: {"applications": apps_with(app_text(1).replace(
                "requested_amount: 10000", "requested_amount: " + "9" * 5000))},
            "apps/app-1.yaml", "requested_amount:", "a number of 5,000 characters",
            "a number of at most 100 characters"),
    Hostile("a 5,000-digit score", lambda: {"reviews": reviews_with(row(score="7" * 5000))},
            "apps/reviews.csv", "APP-1,carol,promise,777",
            "score: input should be a valid integer, got '7777", "a whole number"),
    Hostile("a 5,000-digit descriptor",
            lambda: {"rubric": merged(tiny_rubric(), {"criteria": [
                {"id": "promise", "name": "P", "weight": 1, "descriptors": {"1" * 5000: "x"}}]})},
            "rubric.yaml", "11111", "is not a score", "whole numbers from 1 to 5"),
    Hostile("an infinite weight",
            lambda: {"rubric": yaml_text(tiny_rubric()).replace("weight: 60", "weight: 1e309")},
            "rubric.yaml", "weight: 1e309", "the number 1e309 is too large (it would be infinite)",
            "a number below 1e308"),
    Hostile("a weight that underflows",
            lambda: {"rubric": yaml_text(tiny_rubric()).replace("weight: 60", "weight: 1e-400")},
            "rubric.yaml", "weight: 1e-400", "the number 1e-400 is too small (it would be 0)",
            "0, or a number above 1e-300"),
    Hostile("a weight above the ceiling",
            lambda: {"rubric": merged(tiny_rubric(), {"criteria": [
                {"id": "promise", "name": "P", "weight": 10**7}]})},
            "rubric.yaml", "weight:", "criteria.0.weight: 10000000 is above 1,000,000",
            "a number at most 1,000,000"),
    Hostile("an empty each",
            lambda: {"rubric": tiny_rubric(selection={"rules": [
                {"field": "practice_type", "each": [], "at_most": 1}]})},
            "rubric.yaml", "each:", "each: the value is empty", "a list of at least one item"),
    *[Hostile(f"YAML {what}", lambda text=text: {"applications": apps_with(
        app_text(1).replace("title: Project 1", f"title: {text}"))},
        "apps/app-1.yaml", "title:", message, expected)
      for what, text, message, expected in [
          ("bare anchor", "&t Project 1", "anchors and aliases are not allowed (anchor &t)",
           "plain values written out"),
          ("binary tag", "!!binary aGVsbG8=", "YAML tag 'tag:yaml.org,2002:binary' is not "
           "allowed", "plain values, no tags"),
          ("timestamp tag", "!!timestamp 2001-12-14", "YAML tag 'tag:yaml.org,2002:timestamp' "
           "is not allowed", "plain values, no tags"),
          ("str tag", "!!str Project 1", "YAML tag 'tag:yaml.org,2002:str' is not allowed",
           "plain values, no tags")]],
    Hostile("ids differing only in case",
            lambda: {"applications": {"a.yaml": tiny_application(1),
                                      "b.yaml": tiny_application(1, id="app-1")},
                     "reviews": tiny_reviews(["APP-1"])},
            "apps/b.yaml", "id: app-1",
            "id 'app-1' differs only in case from 'APP-1' in apps/a.yaml",
            "a unique id per application"),
    Hostile("a comment over the CSV field limit",
            lambda: {"reviews": reviews_with({**row(), "comment": "x" * (128 * 1024 + 1)})},
            "apps/reviews.csv", "APP-1,carol,promise,3,xxx",
            "a value is longer than 131,072 characters",
            "values of at most 131,072 characters (a comment of at most 128 KiB)"),
    Hostile("a NUL byte in reviews",
            lambda: {"reviews": csv_text(REVIEW_HEADER, tiny_reviews(IDS)).encode()
                     + b"APP-1,car\x00ol,promise,3,\n"},
            "apps/reviews.csv", "APP-1,car", "a NUL byte (character #x0000)", "CSV text"),
    Hostile("a control character in YAML",
            lambda: {"applications": apps_with(app_text(1).replace("Project 1", "Pro\x00ject"))},
            "apps/app-1.yaml", "title:", "malformed YAML: character #x0000",
            "plain text without control characters"),
]


def validate(call: CallPaths, monkeypatch: pytest.MonkeyPatch,
             run_cli: Callable[..., Result], *options: str) -> Result:
    """`pine-select validate rubric.yaml apps OPTIONS` run from inside the call's folder."""
    monkeypatch.chdir(call.root)
    return run_cli("validate", "rubric.yaml", "apps", *options)


def problem_line(stderr: str, place: str) -> str:
    """The one stderr line that starts with ``place: ``."""
    found = [line for line in stderr.splitlines() if line.startswith(f"{place}: ")]
    assert found, f"no problem at {place} in:\n{stderr}"
    return found[0]


def hostile_call(case: Hostile, make_call: Callable[..., CallPaths],
                 monkeypatch: pytest.MonkeyPatch) -> CallPaths:
    """The call of a hostile case, with the case's monkeypatches (e.g. a lower size cap)."""
    for name, value in case.monkeypatch.items():
        monkeypatch.setattr(csv_source, name, value)
    return make_call(**case.parts())


@pytest.mark.parametrize("case", HOSTILE, ids=[c.name for c in HOSTILE])
def test_validate_names_file_line_and_expectation(
    case: Hostile, make_call: Callable[..., CallPaths], run_cli: Callable[..., Result],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    call = hostile_call(case, make_call, monkeypatch)
    result = validate(call, monkeypatch, run_cli)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.stdout == ""  # problems go to stderr; stdout stays for data
    place = case.file
    if case.needle is not None:
        place += f":{line_of(call.root / case.file, case.needle, case.occurrence)}"
    line = problem_line(result.stderr, place)
    assert case.message in line
    assert f"; expected {case.expected}" in line
    assert result.stderr.rstrip().endswith("problem(s) found.")


def test_alias_bomb_does_not_expand(make_call: Callable[..., CallPaths],
                                    run_cli: Callable[..., Result],
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    bomb = next(c for c in HOSTILE if c.name == "alias bomb")
    result = validate(make_call(**bomb.parts()), monkeypatch, run_cli, "--format", "json")
    assert len(result.stdout) < 10_000  # 9**9 "lol"s would be gigabytes


@pytest.mark.parametrize("encoding", [
    pytest.param(lambda text: b"\xef\xbb\xbf" + text.encode(), id="BOM"),
    pytest.param(lambda text: text.replace("\n", "\r\n").encode(), id="CRLF"),
    pytest.param(lambda text: b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode(),
                 id="BOM+CRLF"),
])
def test_reviews_from_excel_load(encoding: Callable[[str], bytes],
                                 make_call: Callable[..., CallPaths],
                                 run_cli: Callable[..., Result],
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    reviews = encoding(csv_text(REVIEW_HEADER, tiny_reviews(IDS)))
    conflicts = encoding("reviewer,application_id,reason\ncarol,APP-1,Trustee\n")
    call = make_call(reviews=reviews, conflicts=conflicts)
    result = validate(call, monkeypatch, run_cli)
    assert result.exit_code == 0, result.output
    assert "OK: 3 applications, 12 review scores, 1 declared conflicts; 0 warning(s)." in (
        result.stdout)


def test_bad_line_in_crlf_reviews_is_named(make_call: Callable[..., CallPaths],
                                           run_cli: Callable[..., Result],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    text = csv_text(REVIEW_HEADER, reviews_with(row(score=7)))
    call = make_call(reviews=b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode())
    result = validate(call, monkeypatch, run_cli)
    assert result.exit_code == 2
    assert "apps/reviews.csv:14: score 7 is off the scale" in result.stderr


def test_every_problem_of_a_call_is_listed_in_one_run(
    make_call: Callable[..., CallPaths], run_cli: Callable[..., Result],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    call = make_call(
        applications=[tiny_application(1, practice_type="erly_help"),
                      tiny_application(2, requested_amount="12000", colour="red"),
                      "id: APP-5\ntitle: [unclosed\n",
                      tiny_application(4, organisation={"region": "Londn"})],
        reviews=[*tiny_reviews(["APP-1", "APP-2", "APP-4"]), row(score=9),
                 row("APP-4", criterion="promis")],
        conflicts=[{"reviewer": "alice", "application_id": "APP-9"}],
        overrides={"include": [{"id": "APP-1"}]},
    )
    result = validate(call, monkeypatch, run_cli)
    assert result.exit_code == 2
    expected = [
        "apps/APP-1.yaml:8: practice_type: 'erly_help' is not a declared category",
        "apps/APP-2.yaml:11: requested_amount: input should be a valid integer, got '12000'",
        "apps/APP-2.yaml:17: colour: unknown key",
        "apps/APP-4.yaml:6: organisation.region: 'Londn' is not a declared category",
        "apps/app-3.yaml:3: malformed YAML",
        "apps/conflicts.csv:2: application_id 'APP-9' is not an application of this call",
        "apps/overrides.yaml:2: include.0.reason: missing",
        "apps/reviews.csv:14: score 9 is off the scale",
        "apps/reviews.csv:15: criterion 'promis' is not in the rubric",
    ]
    lines = result.stderr.splitlines()
    for text in expected:
        assert any(line.startswith(text) for line in lines), f"{text!r} not in:\n{result.stderr}"
    assert lines[-1] == f"{len(lines) - 1} problem(s) found."
    assert len(lines) - 1 == len(expected)  # and nothing else: no cascade of false alarms


def test_warnings_are_shown_but_do_not_fail(make_call: Callable[..., CallPaths],
                                            run_cli: Callable[..., Result],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    call = make_call(reviews=tiny_reviews(["APP-1", "APP-3"]))
    result = validate(call, monkeypatch, run_cli)
    assert result.exit_code == 0
    assert result.stderr == ("warning: apps/APP-2.yaml: APP-2 has no reviews yet; "
                             "expected scores in reviews.csv before selection\n")
    assert result.stdout == ("OK: 3 applications, 8 review scores, 0 declared conflicts; "
                             "1 warning(s).\n")


def test_valid_call_passes(make_call: Callable[..., CallPaths], run_cli: Callable[..., Result],
                           monkeypatch: pytest.MonkeyPatch) -> None:
    result = validate(make_call(), monkeypatch, run_cli)
    assert result.exit_code == 0
    assert result.stderr == ""


def test_json_output_when_invalid(make_call: Callable[..., CallPaths],
                                  run_cli: Callable[..., Result],
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    call = make_call(applications=apps_with(tiny_application(1, practice_type="erly_help")),
                     reviews=reviews_with(row(score=9)))
    result = validate(call, monkeypatch, run_cli, "--format", "json")
    assert result.exit_code == 2
    data = json.loads(result.stdout)
    assert data == {"valid": False, "problems": [
        {"file": "apps/APP-1.yaml", "line": 8, "code": "unknown_category", "severity": "error",
         "message": "practice_type: 'erly_help' is not a declared category",
         "expected": "'early_help' (one of: early_help, child_protection)"},
        {"file": "apps/reviews.csv", "line": 14, "code": "score_off_scale", "severity": "error",
         "message": "score 9 is off the scale", "expected": "a whole number from 1 to 5"},
    ]}


def test_json_output_when_valid_lists_warnings(make_call: Callable[..., CallPaths],
                                               run_cli: Callable[..., Result],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    call = make_call(reviews=tiny_reviews(["APP-1", "APP-2"]))
    result = validate(call, monkeypatch, run_cli, "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {
        "valid": True, "applications": 3, "reviews": 8,
        "problems": [{"file": "apps/APP-3.yaml", "line": None, "code": "unreviewed",
                      "severity": "warning", "message": "APP-3 has no reviews yet",
                      "expected": "scores in reviews.csv before selection"}]}


def test_options_name_other_files(make_call: Callable[..., CallPaths],
                                  run_cli: Callable[..., Result],
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    call = make_call(reviews=None)
    (call.root / "scores.csv").write_text(csv_text(REVIEW_HEADER, tiny_reviews(IDS)))
    (call.root / "coi.csv").write_text("reviewer,application_id\nalice,APP-1\n")
    result = validate(call, monkeypatch, run_cli, "--reviews", "scores.csv",
                      "--conflicts", "coi.csv")
    assert result.exit_code == 2
    assert "scores.csv:2: alice scored APP-1 but declared a conflict with it (coi.csv:2)" in (
        result.stderr)


def test_missing_paths_are_input_errors(tmp_path: Path, run_cli: Callable[..., Result],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run_cli("validate", "rubric.yaml", "apps", "--overrides", "o.yaml")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "apps: no such folder; expected the folder of application files",
        "o.yaml: no such file (given as --overrides); expected an existing file",
        "rubric.yaml: no such file; expected the rubric YAML",
        "3 problem(s) found.",
    ]


def test_bad_format_option_is_a_usage_error(make_call: Callable[..., CallPaths],
                                            run_cli: Callable[..., Result],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    result = validate(make_call(), monkeypatch, run_cli, "--format", "xml")
    assert result.exit_code == 2
    assert "Invalid value for '--format'" in result.stderr


def test_the_example_call_is_valid(run_cli: Callable[..., Result],
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    apps = REPO / "applications" / "pine-2019"
    if not any(apps.glob("*.yaml")):
        pytest.skip("the example call is still being written")
    monkeypatch.chdir(REPO)
    result = run_cli("validate", "rubrics/pine-2019.yaml", "applications/pine-2019")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""  # every example application has its reviews


@pytest.mark.parametrize("case", HOSTILE, ids=[c.name for c in HOSTILE])
def test_every_problem_says_what_was_expected(
    case: Hostile, make_call: Callable[..., CallPaths], run_cli: Callable[..., Result],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """SPEC 5: `FILE[:LINE]: what is wrong, and what was expected`, for every problem."""
    call = hostile_call(case, make_call, monkeypatch)
    text = validate(call, monkeypatch, run_cli)
    problems = text.stderr.splitlines()[:-1]
    assert problems
    for line in problems:
        assert "; expected " in line and not line.endswith("; expected "), line
        assert "\n" not in line and "<unicode string>" not in line
    data = json.loads(validate(call, monkeypatch, run_cli, "--format", "json").stdout)
    assert all(problem["expected"] for problem in data["problems"])


def test_application_not_in_utf8_names_the_line(make_call: Callable[..., CallPaths],
                                                run_cli: Callable[..., Result],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    text = app_text(1).replace("Project 1", "Caf\u00e9").encode("latin-1")
    result = validate(make_call(applications=apps_with(text)), monkeypatch, run_cli)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "apps/app-1.yaml:2: not UTF-8 text (invalid continuation byte); "
        "expected UTF-8 text, as most editors save it",
        "1 problem(s) found.",
    ]


@pytest.mark.parametrize("broken", [
    pytest.param(lambda: tiny_application(1, id="../APP-1"), id="invalid id"),
    pytest.param(lambda: tiny_application(1, title=7), id="invalid value"),
    pytest.param(lambda: "id: APP-1\ntitle: [unclosed\n", id="malformed YAML"),
    pytest.param(lambda: app_text(1).replace("title: Project 1", "title: !secret Project"),
                 id="tag"),
])
def test_a_broken_application_file_is_one_problem_not_a_cascade(
    broken: Callable[[], Any], make_call: Callable[..., CallPaths],
    run_cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Its review, conflict and override rows are not also reported as unknown ids."""
    call = make_call(applications={"APP-1.yaml": broken(), "APP-2.yaml": tiny_application(2),
                                   "APP-3.yaml": tiny_application(3)},
                     reviews=tiny_reviews(IDS),
                     conflicts=[{"reviewer": "carol", "application_id": "APP-1"}],
                     overrides={"exclude": [{"id": "APP-1", "reason": "withdrawn"}]})
    result = validate(call, monkeypatch, run_cli)
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert lines[-1] == "1 problem(s) found.", result.stderr
    assert lines[0].startswith("apps/APP-1.yaml:")


def test_an_id_used_twice_does_not_echo_over_the_second_files_reviews(
    make_call: Callable[..., CallPaths], run_cli: Callable[..., Result],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    call = make_call(applications={"APP-1.yaml": tiny_application(1),
                                   "APP-2.yaml": tiny_application(1, title="Copy")},
                     reviews=tiny_reviews(["APP-1", "APP-2"]))
    result = validate(call, monkeypatch, run_cli)
    assert result.stderr.splitlines() == [
        "apps/APP-2.yaml:1: id 'APP-1' is also used by apps/APP-1.yaml; "
        "expected a unique id per application",
        "1 problem(s) found.",
    ]


def test_an_invalid_id_is_never_offered_as_expected(make_call: Callable[..., CallPaths],
                                                    run_cli: Callable[..., Result],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    call = make_call(applications=apps_with(tiny_application(1, id="../APP-1")),
                     reviews=reviews_with(row("APP-9")))
    result = validate(call, monkeypatch, run_cli)
    line = problem_line(result.stderr, "apps/reviews.csv:14")
    assert line.endswith("application_id 'APP-9' is not an application of this call; "
                         "expected 'APP-3' (one of: APP-2, APP-3)")


def test_a_long_list_of_ids_is_cut_short(make_call: Callable[..., CallPaths],
                                         run_cli: Callable[..., Result],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    ids = [f"APP-{n}" for n in range(1, 13)]
    call = make_call(applications=[tiny_application(n) for n in range(1, 13)],
                     reviews=[*tiny_reviews(ids), row("XYZ")])
    result = validate(call, monkeypatch, run_cli)
    assert result.stderr.splitlines()[0].endswith(
        "application_id 'XYZ' is not an application of this call; expected one of: "
        "APP-1, APP-10, APP-11, APP-12, APP-2, APP-3, APP-4, APP-5, ... (4 more)")


def test_files_that_are_not_read_are_named(make_call: Callable[..., CallPaths],
                                           run_cli: Callable[..., Result],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """An application saved as A.YAML must not vanish from the call without a word."""
    call = make_call(extra_files={"APP-4.YAML": yaml_text(tiny_application(4)),
                                  "Conflicts.csv": "reviewer,application_id\n",
                                  "notes.txt": "to do", ".gitkeep": ""})
    result = validate(call, monkeypatch, run_cli)
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [
        "warning: apps: hidden files not read: .gitkeep; expected no hidden files (macOS ._* "
        "copies and .DS_Store may be deleted)",
        "warning: apps/APP-4.YAML: not read: file names are case-sensitive; expected *.yaml "
        "or *.yml in lower case (rename it to APP-4.yaml)",
        "warning: apps/Conflicts.csv: not read: did you mean conflicts.csv?; expected the "
        "name conflicts.csv (rename it: only that name is read)",
        "warning: apps/notes.txt: not read; expected *.yaml or *.yml for an application, or "
        "reviews.csv, conflicts.csv, overrides.yaml, decision.yaml",
    ]
    assert "OK: 3 applications" in result.stdout


def test_a_comment_over_several_lines_with_quotes_inside_loads(
    make_call: Callable[..., CallPaths], run_cli: Callable[..., Result],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Strict CSV still takes what Excel writes: line breaks and "" inside a quoted comment."""
    rows = tiny_reviews(IDS)
    rows[0] = rows[0] | {"comment": 'Strong, "evidence-led" plan.\nWeak on costs, though.'}
    call = make_call(reviews=csv_text(REVIEW_HEADER, rows))
    assert '"Strong, ""evidence-led"" plan.\nWeak' in (call.root / "apps/reviews.csv").read_text()
    result = validate(call, monkeypatch, run_cli)
    assert result.exit_code == 0, result.stderr
    assert "12 review scores" in result.stdout


def test_a_malformed_quote_that_is_not_unterminated_names_its_line(
    make_call: Callable[..., CallPaths], run_cli: Callable[..., Result],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    text = csv_text(REVIEW_HEADER, tiny_reviews(IDS)[:3]) + 'APP-1,carol,promise,3,"a"b\n'
    result = validate(make_call(reviews=text), monkeypatch, run_cli)
    assert result.exit_code == 2
    line = problem_line(result.stderr, "apps/reviews.csv:5")
    assert "malformed CSV" in line and '; expected a comma after each closing quote' in line


def test_a_reason_over_several_lines_with_commas_loads(
    make_call: Callable[..., CallPaths], run_cli: Callable[..., Result],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Prose with commas on a second line is not taken for a swallowed row."""
    conflicts = ('reviewer,application_id,reason\n'
                 'carol,APP-1,"Trustee until 2018.\nFormer colleague, friend, neighbour"\n')
    result = validate(make_call(conflicts=conflicts), monkeypatch, run_cli)
    assert result.exit_code == 0, result.stderr


def test_a_latin1_byte_in_reviews_is_named_with_its_line(
        make_call: Callable[..., CallPaths], run_cli: Callable[..., Result],
        monkeypatch: pytest.MonkeyPatch) -> None:
    call = make_call(reviews=b"application_id,reviewer,criterion,score\n"
                     + b"APP-1,alice,promise,3\nAPP-1,Ren\xe9e,promise,3\n")
    result = validate(call, monkeypatch, run_cli)
    assert result.exit_code == 2
    assert result.stderr.startswith("apps/reviews.csv:3: not UTF-8 text (invalid continuation "
                                    "byte: byte 0xe9); expected UTF-8")


def test_with_an_invalid_rubric_every_other_problem_is_still_listed(
        make_call: Callable[..., CallPaths], run_cli: Callable[..., Result],
        monkeypatch: pytest.MonkeyPatch) -> None:
    call = make_call(rubric=tiny_rubric(aggregate="average"),
                     reviews=reviews_with(row("APP-9"), row(score=2), row(score=4)),
                     conflicts=[{"reviewer": "alice", "application_id": "APP-8"},
                                {"reviewer": "bob", "application_id": "APP-1"}],
                     overrides={"include": [{"id": "APP-7", "reason": "panel"}]})
    result = validate(call, monkeypatch, run_cli)
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    for text in ["rubric.yaml:", "apps/reviews.csv:14: application_id 'APP-9' is not an "
                 "application of this call",
                 "apps/reviews.csv:16: carol scored APP-1 on promise twice",
                 "apps/conflicts.csv:2: application_id 'APP-8' is not an application",
                 "apps/reviews.csv:",
                 "apps/overrides.yaml:2: include: 'APP-7' is not an application"]:
        assert any(line.startswith(text) for line in lines), (text, lines)
    assert any("bob scored APP-1 but declared a conflict" in line for line in lines)


def test_odd_entries_of_the_applications_folder_are_named_never_opened(
        make_call: Callable[..., CallPaths], run_cli: Callable[..., Result],
        monkeypatch: pytest.MonkeyPatch) -> None:
    call = make_call(extra_files={"._APP-1.yaml": b"\x00\x05\x16\x07Mac OS X",
                                  ".DS_Store": b"\x00\x00"})
    os.symlink("nowhere.yaml", call.apps / "dangling.yaml")
    (call.apps / "folder.yaml").mkdir()
    os.mkfifo(call.apps / "pipe.yaml")  # opening it would block the run for ever
    (call.apps / "line\nbreak.txt").write_text("x")
    result = validate(call, monkeypatch, run_cli)
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        "warning: apps: hidden files not read: .DS_Store, ._APP-1.yaml; expected no hidden "
        "files (macOS ._* copies and .DS_Store may be deleted)",
        "warning: apps/dangling.yaml: not read: a symbolic link to nothing (its target is "
        "missing); expected one *.yaml file per application",
        "warning: apps/folder.yaml: not read: a folder; expected one *.yaml file per "
        "application",
        "warning: apps/line\\nbreak.txt: not read; expected *.yaml or *.yml for an "
        "application, or reviews.csv, conflicts.csv, overrides.yaml, decision.yaml",
        "warning: apps/pipe.yaml: not read: not a regular file (a FIFO, socket or device); "
        "expected one *.yaml file per application",
    ]


def test_an_application_name_that_is_not_utf8_is_a_sentence(
        make_call: Callable[..., CallPaths], run_cli: Callable[..., Result],
        monkeypatch: pytest.MonkeyPatch) -> None:
    call = make_call()
    os.rename(call.app("APP-3"), os.path.join(os.fsencode(call.apps), b"APP-\xe9.yaml"))
    result = validate(call, monkeypatch, run_cli)
    assert result.exit_code == 2
    assert ("apps/APP-\\xe9.yaml: the file name is not UTF-8 text; expected a UTF-8 file name "
            "(rename the file)") in result.stderr.splitlines()


@pytest.mark.slow
def test_a_huge_file_of_nul_bytes_is_refused_from_its_first_bytes(tmp_path: Path) -> None:
    """200 MB of NUL bytes: refused with a line, reading only a prefix (not 2 GB of memory)."""
    reviews = tmp_path / "reviews.csv"
    with reviews.open("wb") as handle:
        handle.truncate(200 * 1024 * 1024)  # a sparse file of NUL bytes
    tracemalloc.start()
    table = csv_source.open_csv(reviews, "reviews.csv", ("application_id",))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert [str(p) for p in table.problems] == [
        "reviews.csv:1: a NUL byte (character #x0000): this is not a text file; expected CSV "
        "text, as a spreadsheet saves it ('CSV UTF-8')"]
    assert peak < 1024 * 1024
