"""One problem does not hide the others, and near-miss file names get a word (finding 14)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from conftest import REVIEW_HEADER, CallPaths, csv_text, tiny_application, tiny_reviews, yaml_text
from helpers_intake import ms_forms_rows, pine_applications, pine_mapping, write_csv

from pine_select.errors import InputError
from pine_select.intake import plan_import

IDS = ["APP-1", "APP-2", "APP-3"]
Run = Callable[..., Result]


def _validate(call: CallPaths, monkeypatch: pytest.MonkeyPatch, run_cli: Run,
              *options: str) -> Result:
    monkeypatch.chdir(call.root)
    return run_cli("validate", "rubric.yaml", "apps", *options)


def _reviews_with(*lines: str) -> bytes:
    return (csv_text(REVIEW_HEADER, tiny_reviews(IDS)) + "".join(lines)).encode()


def test_a_nul_byte_is_one_problem_and_every_other_row_is_checked(
        make_call: Callable[..., CallPaths], run_cli: Run,
        monkeypatch: pytest.MonkeyPatch) -> None:
    reviews = _reviews_with("APP-1,car\x00ol,promise,3,\n", "APP-9,carol,promise,3,\n",
                            "APP-2,carol,promise,9,\n")
    call = make_call(reviews=reviews,
                     conflicts=b"reviewer,application_id\ndave,APP-\x001\nbob,APP-8\n")
    result = _validate(call, monkeypatch, run_cli)
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert [line.split(";")[0] for line in lines[:-1]] == [
        "apps/conflicts.csv:2: a NUL byte (character #x0000) in this line",
        "apps/conflicts.csv:3: application_id 'APP-8' is not an application of this call",
        "apps/reviews.csv:14: a NUL byte (character #x0000) in this line",
        "apps/reviews.csv:15: application_id 'APP-9' is not an application of this call",
        "apps/reviews.csv:16: score 9 is off the scale",
    ]


def test_every_value_too_long_is_named_and_the_rows_after_it_checked(
        make_call: Callable[..., CallPaths], run_cli: Run,
        monkeypatch: pytest.MonkeyPatch) -> None:
    long = "x" * 140_000
    reviews = _reviews_with(f'APP-1,carol,promise,3,"{long}"\n', "APP-9,carol,promise,3,\n",
                            f"APP-2,carol,promise,3,{long}\n")
    result = _validate(make_call(reviews=reviews), monkeypatch, run_cli)
    assert result.exit_code == 2
    assert [line.split(";")[0] for line in result.stderr.splitlines()[:-1]] == [
        "apps/reviews.csv:14: a value is longer than 131,072 characters",
        "apps/reviews.csv:15: application_id 'APP-9' is not an application of this call",
        "apps/reviews.csv:16: a value is longer than 131,072 characters",
    ]


def test_a_blank_override_reason_does_not_hide_the_other_override_problems(
        make_call: Callable[..., CallPaths], run_cli: Run,
        monkeypatch: pytest.MonkeyPatch) -> None:
    overrides = ("include:\n  - {id: APP-1, reason: ''}\n  - {id: APP-9, reason: Wanted.}\n"
                 "exclude:\n  - {id: APP-1, reason: Twice.}\n  - {id: APP-8, reason: Gone.}\n")
    result = _validate(make_call(overrides=overrides), monkeypatch, run_cli)
    assert result.exit_code == 2
    assert [line.split(";")[0] for line in result.stderr.splitlines()[:-1]] == [
        "apps/overrides.yaml:2: include.0.reason: the value is empty",
        "apps/overrides.yaml:3: include: 'APP-9' is not an application of this call",
        "apps/overrides.yaml:5: exclude: 'APP-1' is already under include",
        "apps/overrides.yaml:6: exclude: 'APP-8' is not an application of this call",
    ]


def test_a_call_file_nearly_named_is_not_an_application_but_a_word(
        make_call: Callable[..., CallPaths], run_cli: Run,
        monkeypatch: pytest.MonkeyPatch) -> None:
    panel = yaml_text({"decided_on": "2019-06-20", "decided_by": "x", "funded": []})
    call = make_call(extra_files={"decision.yml": panel, "Overrides.yaml": "include: []\n",
                                  "overrides.yml": "include: []\n", "panel.yaml": "include: []\n",
                                  "reviews.CSV": "application_id\n"})
    result = _validate(call, monkeypatch, run_cli, "--overrides", "apps/panel.yaml")
    assert result.exit_code == 0, result.stderr
    assert "OK: 3 applications" in result.stdout
    for name, meant in (("decision.yml", "decision.yaml"), ("Overrides.yaml", "overrides.yaml"),
                        ("overrides.yml", "overrides.yaml"), ("reviews.CSV", "reviews.csv")):
        assert (f"warning: apps/{name}: not read: did you mean {meant}?; expected the name "
                f"{meant} (rename it: only that name is read)") in result.stderr.splitlines()
    assert "panel.yaml" not in result.stderr  # given by option: neither application nor warning


def test_an_application_named_like_a_call_file_only_by_prefix_is_still_read(
        make_call: Callable[..., CallPaths], run_cli: Run,
        monkeypatch: pytest.MonkeyPatch) -> None:
    call = make_call(applications={"APP-1.yaml": tiny_application(1),
                                   "APP-2.yaml": tiny_application(2),
                                   "decisions.yaml": tiny_application(3)})
    result = _validate(call, monkeypatch, run_cli)
    assert result.exit_code == 0 and "OK: 3 applications" in result.stdout, result.stderr


def test_an_export_cell_too_long_is_named_and_the_other_rows_checked(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mapping.yaml").write_text(pine_mapping(), encoding="utf-8")
    table = ms_forms_rows(pine_applications()[:3])
    amount = table[0].index("Cost of the evaluation")
    table[1][amount + 1] = "x" * 140_000
    table[3][amount + 1] = "y" * 140_000
    table[2].append("stray")
    write_csv(tmp_path / "export.csv", table)
    with pytest.raises(InputError) as caught:
        plan_import(tmp_path / "export.csv", tmp_path / "mapping.yaml", None)
    assert [str(p).split(";")[0] for p in caught.value.problems] == [
        "export.csv:2: a cell is too long (over 131,072 characters)",
        "export.csv:3: 21 cells, the header has 20",
        "export.csv:4: a cell is too long (over 131,072 characters)",
    ]
