"""Where a command may write (pine_select/outputs.py): never over one of the run's inputs,
and into a folder that holds files only with --force, and then only over its own files."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import openpyxl
from click.testing import Result
from helpers_intake import ms_forms_rows, pine_applications, pine_mapping, write_xlsx
from helpers_review_round import round_call

Run = Callable[..., Result]
GOLDEN_CALL = Path(__file__).resolve().parent / "golden" / "tiny-call"


def _round_with_sheets(tmp_path: Path, run_cli: Run) -> tuple[list[str], Path, Path]:
    """A call with assignments and sheets written: (call args, the sheets folder, alice's)."""
    call = round_call(tmp_path, 4)
    assert run_cli("assign", *call.args, "--per-application", "2").exit_code == 0
    sheets = tmp_path / "sheets"
    assert run_cli("sheets", *call.args, "--out", sheets).exit_code == 0
    alice = sheets / "alice.xlsx"
    book = openpyxl.load_workbook(alice)
    for row in range(2, book["Scores"].max_row + 1):
        book["Scores"].cell(row, 4).value = 3
    book.save(alice)
    return call.args, sheets, alice


def test_collect_never_writes_over_an_input_it_read(tmp_path: Path, run_cli: Run) -> None:
    args, _, alice = _round_with_sheets(tmp_path, run_cli)
    rubric, apps = Path(args[0]), Path(args[1])
    link = tmp_path / "link.yaml"
    link.symlink_to(rubric)
    for out in (rubric, apps / "APP-1.yaml", apps / "assignments.csv", alice, link):
        before = out.read_bytes()
        result = run_cli("collect", *args, alice, "--out", out)
        assert result.exit_code == 2, out
        assert f"--out: {out.name}" in result.stderr or f"{out.name}: is one" in result.stderr
        assert "is one of the run's inputs" in result.stderr, result.stderr
        assert out.read_bytes() == before
    assert run_cli("collect", *args, alice).exit_code == 0  # the default place is fine


def test_assign_never_writes_over_the_rubric_or_the_reviewers(tmp_path: Path,
                                                              run_cli: Run) -> None:
    call = round_call(tmp_path, 2)
    for out in (call.rubric, call.apps / "reviewers.csv"):
        before = out.read_bytes()
        result = run_cli("assign", *call.args, "--per-application", "1", "--out", out)
        assert result.exit_code == 2 and "is one of the run's inputs" in result.stderr
        assert out.read_bytes() == before


def test_a_folder_where_a_file_is_written_is_named_as_the_option(tmp_path: Path,
                                                                 run_cli: Run) -> None:
    args, sheets, alice = _round_with_sheets(tmp_path, run_cli)
    for command in (("assign", *args, "--per-application", "2"), ("collect", *args, alice)):
        result = run_cli(*command, "--out", sheets)
        assert result.exit_code == 2, result.output
        assert "--out: " in result.stderr and "is a folder" in result.stderr, result.stderr
        assert ".tmp" not in result.stderr


def test_sheets_refuses_a_folder_with_returned_workbooks_unless_force(
        tmp_path: Path, run_cli: Run) -> None:
    args, sheets, alice = _round_with_sheets(tmp_path, run_cli)
    filled = alice.read_bytes()
    (sheets / "notes.txt").write_text("mine", encoding="utf-8")
    result = run_cli("sheets", *args, "--out", sheets)
    assert result.exit_code == 2 and "already exists and is not empty" in result.stderr
    assert alice.read_bytes() == filled
    result = run_cli("sheets", *args, "--out", sheets, "--force")
    assert result.exit_code == 0, result.output
    assert alice.read_bytes() != filled  # replaced, as asked
    assert (sheets / "notes.txt").read_text(encoding="utf-8") == "mine"  # never touched
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run_cli("sheets", *args, "--out", empty).exit_code == 0  # an empty folder is fine
    # A sheet that would replace the assignments file it was made from is refused.
    own = empty / "bob.xlsx"
    os.replace(Path(args[1]) / "assignments.csv", own)
    result = run_cli("sheets", *args, "--assignments", own, "--out", empty, "--force")
    assert result.exit_code == 2 and "bob.xlsx: is one of the run's inputs" in result.stderr
    assert own.read_text(encoding="utf-8").startswith("application_id,reviewer")


def test_import_never_writes_an_application_over_its_mapping(tmp_path: Path,
                                                             run_cli: Run) -> None:
    export = write_xlsx(tmp_path / "export.xlsx", ms_forms_rows(pine_applications()))
    out = tmp_path / "apps"
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(pine_mapping(), encoding="utf-8")
    assert run_cli("import", export, "--mapping", mapping, "--out", out).exit_code == 0
    inside = out / "PINE-2019-001.yaml"
    inside.write_bytes(mapping.read_bytes())  # the mapping kept where an application goes
    result = run_cli("import", export, "--mapping", inside, "--out", out, "--force")
    assert result.exit_code == 2 and "is one of the run's inputs" in result.stderr
    assert inside.read_bytes() == mapping.read_bytes()


def test_pack_refuses_a_folder_that_holds_an_input(tmp_path: Path, run_cli: Run) -> None:
    call = round_call(tmp_path, 2)
    before = call.rubric.read_bytes()
    result = run_cli("pack", call.rubric, call.apps, "--out", tmp_path, "--force")
    assert result.exit_code == 2 and "one of the run's inputs" in result.stderr
    assert call.rubric.read_bytes() == before


def test_pack_refuses_a_key_file_it_would_publish(tmp_path: Path, run_cli: Run) -> None:
    call = tmp_path / "call"
    shutil.copytree(GOLDEN_CALL, call)
    rubric, apps = call / "rubric.yaml", call / "applications"
    (apps / "funder.key").write_bytes(bytes(range(32)))
    for key, says in ((apps / "reviews.csv", "is inside the call's applications folder"),
                      (apps / "funder.key", "is inside the call's applications folder"),
                      (rubric, "is one of the run's inputs")):
        result = run_cli("pack", rubric, apps, "--out", tmp_path / "pack", "--key-file", key)
        assert result.exit_code == 2 and f"--key-file: {key}" in result.stderr, result.stderr
        assert says in result.stderr
        assert not (tmp_path / "pack").exists()


def test_formula_comments_are_kept_exactly_and_named_by_collect_and_validate(
        tmp_path: Path, run_cli: Run) -> None:
    """Hostile 11: reviews.csv is an input (its hash is in every pack): a comment starting
    like a formula is kept as the reviewer wrote it, and pointed out by its line."""
    args, _, alice = _round_with_sheets(tmp_path, run_cli)
    book = openpyxl.load_workbook(alice)
    sheet = book["Scores"]
    for ref, comment in (("E2", '=HYPERLINK("http://x","click")'),
                         ("G2", "two\nlines, then\n@SUM(A1)"),  # a word first: no formula
                         ("E3", "+1+1")):
        sheet[ref] = comment
        sheet[ref].data_type = "s"  # typed text, as a reviewer's cell is
    sheet["F2"] = 4
    book.save(alice)
    result = run_cli("collect", *args, alice)
    assert result.exit_code == 0, result.output
    text = (Path(args[1]) / "reviews.csv").read_bytes().decode("utf-8")
    assert '"=HYPERLINK(""http://x"",""click"")"' in text and ",+1+1\r\n" in text  # exact
    physical = text.splitlines()
    lines = [n for n, line in enumerate(physical, 1) if '"=HYPERLINK' in line or "+1+1" in line]
    warned = [line for line in result.stderr.splitlines()
              if "starts like a spreadsheet formula" in line]
    assert len(lines) == 2 and len(warned) == 2, result.stderr
    for n, line in zip(lines, warned, strict=True):
        assert f"reviews.csv:{n}: the comment of alice on APP-" in line, (n, line)
        assert "it is kept exactly as written" in line
    shown = run_cli("validate", *args)
    assert shown.exit_code == 0
    assert [line for line in shown.stderr.splitlines()
            if "starts like a spreadsheet formula" in line] == warned
