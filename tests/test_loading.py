"""The loader as a library: safe YAML, CSV with line numbers, and load_call over a whole call."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from conftest import (
    DELETE,
    CallPaths,
    build_call,
    csv_text,
    merged,
    tiny_application,
    tiny_reviews,
    tiny_rubric,
    yaml_text,
)

from pine_select import load_call
from pine_select.errors import InputError, Problem, Severity
from pine_select.loading import csv_source, yaml_source
from pine_select.loading.csv_source import read_csv
from pine_select.loading.yaml_source import parse_yaml, read_yaml

BILLION_LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def problems_of(call: CallPaths) -> tuple[Problem, ...]:
    with pytest.raises(InputError) as exc:
        load(call)
    return exc.value.problems


def load(call: CallPaths):  # type: ignore[no-untyped-def]
    return load_call(call.rubric, call.apps)


# --- YAML -----------------------------------------------------------------------------------


def parsed(text: str) -> object:
    doc, problems = parse_yaml(text, "f.yaml")
    assert problems == [], problems
    assert doc is not None
    return doc.data


@pytest.mark.parametrize("text, value", [
    ("yes", "yes"), ("NO", "NO"), ("on", "on"), ("Off", "Off"), ("y", "y"),
    ("true", True), ("False", False), ("null", None), ("~", None), ("", None),
    ("12000", 12000), ("-3", -3), ("0o17", 15), ("0x1F", 31), ("1.5", 1.5), ("1e3", 1000.0),
    ("'12000'", "12000"), ('"true"', "true"), ("2019-07-02", "2019-07-02"),
    ("1_000", "1_000"), ("017", 17), (".inf", ".inf"), ("12:30", "12:30"),
])
def test_scalars_follow_yaml_12_core(text: str, value: object) -> None:
    result = parsed(f"v: {text}\n")
    assert result == {"v": value}
    assert type(result["v"]) is type(value)  # type: ignore[index]


def test_every_value_has_its_line() -> None:
    doc, _ = parse_yaml("id: A\norganisation:\n  name: N\n  region: London\nages:\n  - x\n  - y\n",
                        "f.yaml")
    assert doc is not None
    assert doc.line_of(("id",)) == 1
    assert doc.line_of(("organisation", "region")) == 4
    assert doc.line_of(("ages", 1)) == 7
    assert doc.line_of(("organisation", "nothing", "deeper")) == 2  # nearest known ancestor


def test_duplicate_key_is_refused_with_both_lines() -> None:
    doc, problems = parse_yaml("id: A\ntitle: one\ntitle: two\n", "f.yaml")
    assert [str(p) for p in problems] == [
        "f.yaml:3: duplicate key 'title' (first on line 2); expected each key once"]
    assert doc is not None and doc.data["title"] == "one"


def test_nested_duplicate_key_is_refused() -> None:
    _, problems = parse_yaml("org:\n  name: a\n  name: b\n", "f.yaml")
    assert [p.line for p in problems] == [3]


def test_python_tags_are_refused() -> None:
    doc, problems = parse_yaml("x: !!python/object/apply:os.system ['echo hi']\n", "f.yaml")
    assert doc is None
    assert "python/object/apply:os.system" in problems[0].message
    assert problems[0].line == 1


@pytest.mark.parametrize("text", ["x: !custom 1\n", "x: !!set {a: null}\n",
                                  "x: !!python/name:os.system\n"])
def test_tags_other_than_plain_types_are_refused(text: str) -> None:
    doc, problems = parse_yaml(text, "f.yaml")
    assert doc is None or problems, "a tag must not pass silently"


def test_alias_bomb_is_refused_quickly() -> None:
    start = time.perf_counter()
    doc, problems = parse_yaml(BILLION_LAUGHS, "bomb.yaml")
    assert time.perf_counter() - start < 1
    assert doc is None
    assert "anchors and aliases are not allowed" in problems[0].message


def test_merge_keys_are_refused() -> None:
    doc, problems = parse_yaml("a: &x {k: 1}\nb:\n  <<: *x\n", "f.yaml")
    assert doc is None and problems


def test_deep_nesting_is_refused() -> None:
    doc, problems = parse_yaml("x: " + "[" * 40 + "]" * 40 + "\n", "f.yaml")
    assert doc is None
    assert "nested too deeply" in problems[0].message


def test_malformed_yaml_names_its_line() -> None:
    doc, problems = parse_yaml("id: A\ntitle: [open\nsummary: x\n", "f.yaml")
    assert doc is None
    assert problems[0].line in (2, 3)
    assert problems[0].message.startswith("malformed YAML")


@pytest.mark.parametrize("text", ["? [a, b]\n: 1\n", "null: 1\n", "true: 1\n"])
def test_keys_must_be_names(text: str) -> None:
    _, problems = parse_yaml(text, "f.yaml")
    assert problems


def test_integer_keys_become_text() -> None:
    assert parsed("descriptors: {1: low, 5: high}\n") == {"descriptors": {"1": "low", "5": "high"}}


def test_file_over_the_cap_is_refused_without_reading_it_all(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(yaml_source, "MAX_FILE_BYTES", 100)
    path = tmp_path / "big.yaml"
    path.write_text("x: " + "a" * 200 + "\n")
    doc, problems = read_yaml(path, "big.yaml")
    assert doc is None
    assert problems[0].message == "file is too large"
    assert "at most 100 bytes" in problems[0].expected


def test_yaml_with_bom_and_crlf_reads(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_bytes(b"\xef\xbb\xbfid: A\r\ntitle: T\r\n")
    doc, problems = read_yaml(path, "a.yaml")
    assert problems == [] and doc is not None
    assert doc.data == {"id": "A", "title": "T"}
    assert doc.line_of(("title",)) == 2


def test_yaml_not_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_bytes(b"title: caf\xe9\n")
    doc, problems = read_yaml(path, "a.yaml")
    assert doc is None and problems[0].code == "encoding"


# --- CSV ------------------------------------------------------------------------------------

REQUIRED = ("application_id", "reviewer", "criterion", "score")


def read(tmp_path: Path, content: bytes) -> tuple[list[csv_source.CsvRow], list[Problem]]:
    path = tmp_path / "reviews.csv"
    path.write_bytes(content)
    return read_csv(path, "reviews.csv", REQUIRED, ("comment",))


@pytest.mark.parametrize("content", [
    b"application_id,reviewer,criterion,score\nA,r,c,3\nB,r,c,4\n",
    b"\xef\xbb\xbfapplication_id,reviewer,criterion,score\r\nA,r,c,3\r\nB,r,c,4\r\n",
    b"application_id,reviewer,criterion,score\rA,r,c,3\rB,r,c,4",
    b"application_id, reviewer ,criterion,score\n\nA,r,c,3\n \nB,r,c,4\n\n\n",
])
def test_csv_reads_any_line_ending_with_or_without_bom(tmp_path: Path, content: bytes) -> None:
    rows, problems = read(tmp_path, content)
    assert problems == []
    assert [r.values["application_id"] for r in rows] == ["A", "B"]
    assert rows[0].values == {"application_id": "A", "reviewer": "r", "criterion": "c",
                              "score": "3"}


def test_csv_rows_keep_their_file_line(tmp_path: Path) -> None:
    rows, _ = read(tmp_path, b'application_id,reviewer,criterion,score,comment\n'
                             b'A,r,c,3,"two\nlines"\n\nB,r,c,4,\n')
    assert [(r.line, r.values["application_id"]) for r in rows] == [(3, "A"), (5, "B")]
    assert rows[0].values["comment"] == "two\nlines"


def test_csv_header_problems_are_all_listed(tmp_path: Path) -> None:
    rows, problems = read(tmp_path, b"application_id,reviewer,crit,score,score\nA,r,c,3,3\n")
    assert rows == []
    messages = [p.message for p in problems]
    assert messages == ["missing column(s) criterion", "unknown column(s) crit",
                        "repeated column(s) score"]
    assert {p.line for p in problems} == {1}


def test_csv_empty_file(tmp_path: Path) -> None:
    rows, problems = read(tmp_path, b"")
    assert rows == [] and problems[0].message == "the file is empty"


def test_csv_row_with_wrong_column_count(tmp_path: Path) -> None:
    rows, problems = read(tmp_path, b"application_id,reviewer,criterion,score\nA,r,c\nB,r,c,4\n")
    assert [r.values["application_id"] for r in rows] == ["B"]
    assert [(p.line, p.message) for p in problems] == [(2, "3 columns")]


def test_csv_not_utf8(tmp_path: Path) -> None:
    _, problems = read(tmp_path, b"application_id,reviewer,criterion,score\nA,r\xe9,c,3\n")
    assert problems[0].code == "encoding"


def test_csv_over_the_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(csv_source, "MAX_CSV_BYTES", 10)
    _, problems = read(tmp_path, b"application_id,reviewer,criterion,score\n")
    assert problems[0].message == "file is too large"


# --- load_call ------------------------------------------------------------------------------


def test_tiny_call_loads(tmp_path: Path) -> None:
    call = load(build_call(tmp_path))
    assert [a.id for a in call.applications] == ["APP-1", "APP-2", "APP-3"]
    assert len(call.reviews) == 12
    assert call.warnings == ()
    assert call.files is not None and call.files.reviews == tmp_path / "apps" / "reviews.csv"
    assert call.files.conflicts is None and call.files.overrides is None


def test_applications_are_sorted_by_id_not_file_name(tmp_path: Path) -> None:
    paths = build_call(tmp_path, applications={"a.yaml": tiny_application(3),
                                               "b.yml": tiny_application(1),
                                               "c.yaml": tiny_application(2),
                                               "notes.txt": "not an application"})
    call = load(paths)
    assert [a.id for a in call.applications] == ["APP-1", "APP-2", "APP-3"]
    assert call.files is not None
    assert [p.name for p in call.files.applications] == ["a.yaml", "b.yml", "c.yaml"]


def test_optional_files_are_found_in_the_applications_folder(tmp_path: Path) -> None:
    paths = build_call(tmp_path, conflicts=[{"reviewer": "carol", "application_id": "APP-1",
                                             "reason": "former colleague"}],
                       overrides={"exclude": [{"id": "APP-2", "reason": "withdrawn"}]})
    call = load(paths)
    assert call.conflicts[0].reviewer == "carol"
    assert call.overrides.excluded_ids() == ("APP-2",)
    assert [a.id for a in call.applications] == ["APP-1", "APP-2", "APP-3"]  # not an app


def test_named_files_replace_the_defaults(tmp_path: Path) -> None:
    paths = build_call(tmp_path)
    other = tmp_path / "other.csv"
    other.write_text(csv_text(("application_id", "reviewer", "criterion", "score"),
                              [("APP-1", "zoe", "promise", 5)]))
    call = load_call(paths.rubric, paths.apps, reviews=other)
    assert [(r.reviewer, r.score) for r in call.reviews] == [("zoe", 5)]
    assert [w.message for w in call.warnings] == ["APP-2 has no reviews yet",
                                                  "APP-3 has no reviews yet"]


def test_missing_files_are_all_named(tmp_path: Path) -> None:
    with pytest.raises(InputError) as exc:
        load_call(tmp_path / "nope.yaml", tmp_path / "nowhere", reviews=tmp_path / "r.csv")
    assert [p.message for p in exc.value.problems] == [
        "no such file", "no such folder", "no such file (given as --reviews)"]


def test_empty_applications_folder(tmp_path: Path) -> None:
    problems = problems_of(build_call(tmp_path, applications=[], reviews=None))
    assert [p.code for p in problems] == ["no_applications"]


def test_unreviewed_application_is_a_warning_not_an_error(tmp_path: Path) -> None:
    call = load(build_call(tmp_path, reviews=tiny_reviews(["APP-1", "APP-3"])))
    assert [(w.severity, w.code, w.message) for w in call.warnings] == [
        (Severity.WARNING, "unreviewed", "APP-2 has no reviews yet")]


def test_every_problem_of_every_file_is_collected(tmp_path: Path) -> None:
    rubric = merged(tiny_rubric(), {"criteria": [{"id": "promise", "name": "P", "weight": 1,
                                                   "wieght": 2}]})
    problems = problems_of(build_call(
        tmp_path,
        rubric=rubric,
        applications=[tiny_application(1, practice_type="erly_help"), "id: [\n",
                      tiny_application(3, requested_amount="5")],
        reviews="application_id,reviewer,criterion,score\nAPP-1,alice,promise,9\n",
        overrides={"include": [{"id": "APP-1"}]},
    ))
    files = sorted({p.file.rsplit("/", 1)[-1] for p in problems})
    assert files == ["APP-3.yaml", "app-2.yaml", "overrides.yaml", "rubric.yaml"]
    # Without a valid rubric the categories and scores cannot be judged: no false alarms.
    assert all(p.code != "unknown_category" for p in problems)


def test_a_broken_application_does_not_make_its_reviews_unknown(tmp_path: Path) -> None:
    problems = problems_of(build_call(tmp_path, applications=[
        tiny_application(1, colour="red"), tiny_application(2), tiny_application(3)]))
    assert [p.code for p in problems] == ["extra_forbidden"]


def test_yes_in_a_gated_fact_is_an_error_not_a_silent_ineligibility(tmp_path: Path) -> None:
    app = yaml_text(tiny_application(1)).replace("based_in_england: true",
                                                 "based_in_england: yes")
    problems = problems_of(build_call(tmp_path, applications=[app, tiny_application(2)]))
    assert [p.code for p in problems] == ["gate_type"]
    assert "'yes' is text" in problems[0].message
    assert "true or false" in problems[0].expected


def test_ungated_yaml_11_words_stay_text_and_load(tmp_path: Path) -> None:
    app = yaml_text(tiny_application(1, title="NO")).replace("months_running: 12",
                                                             "country: NO\n  open: on")
    call = load(build_call(tmp_path, applications=[app]))
    assert call.applications[0].title == "NO"
    assert call.applications[0].facts["country"] == "NO"
    assert call.applications[0].facts["open"] == "on"


def test_number_gate_refuses_text(tmp_path: Path) -> None:
    rubric = tiny_rubric(eligibility=[{"id": "running", "field": "facts.months_running",
                                       "at_least": 6}])
    app = tiny_application(1, facts={"months_running": "about a year"})
    problems = problems_of(build_call(tmp_path, rubric=rubric, applications=[app]))
    assert [p.code for p in problems] == ["gate_type"]
    assert problems[0].expected == "a number, unquoted"


def test_missing_gated_fact_is_not_a_type_error(tmp_path: Path) -> None:
    # A fact left out fails its gate at scoring time, with a reason; it is not bad input.
    app = tiny_application(1, facts={"based_in_england": DELETE})
    call = load(build_call(tmp_path, applications=[app]))
    assert call.applications[0].facts == {"months_running": 12}
