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
