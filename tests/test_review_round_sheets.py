"""Scoresheets out and scores back in (SPEC 9): the workbook as a reviewer gets it, the round
trip into reviews.csv, and every refusal of collect."""

from __future__ import annotations

import io
import os
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from helpers_review_round import round_call

from pine_select.errors import InputError, UsageError
from pine_select.loading.loader import load_call
from pine_select.pipeline import score
from pine_select.review_round.assign import assign_reviewers
from pine_select.review_round.assignments import Assignment
from pine_select.review_round.collect import collect_sheets, reviews_csv
from pine_select.review_round.reviewers import load_reviewers
from pine_select.review_round.sheets import write_sheets
from pine_select.review_round.workbook import MAX_UNPACKED_BYTES, read_workbook

HOSTILE_TITLES = {"APP-1": "=HYPERLINK(\"http://x\",\"click\")", "APP-2": "+44 1234",
                  "APP-3": "@SUM(A1)", "APP-4": "\uff1dcmd|' /C calc'!A0"}


class Round:
    """A tiny call, its assignments and the sheets written for them in ``sheets``."""

    def __init__(self, folder: Path, n_apps: int = 4, k: int = 2, **changes: Any) -> None:
        self.paths = round_call(folder, n_apps, **changes)
        self.call = load_call(self.paths.rubric, self.paths.apps)
        reviewers = load_reviewers(self.paths.apps / "reviewers.csv", self.call.rubric)
        self.assignments = assign_reviewers(self.call, reviewers, k).assignments
        self.sheets = folder / "sheets"
        write_sheets(self.call, self.assignments, "assignments.csv", self.sheets)

    def of(self, reviewer: str) -> list[str]:
        return [a.application_id for a in self.assignments if a.reviewer == reviewer]

    def sheet(self, reviewer: str) -> Path:
        return self.sheets / f"{reviewer}.xlsx"

    def fill(self, reviewer: str, edit: Callable[[Any], None]) -> Path:
        """Open the reviewer's workbook as Excel would, let ``edit`` change ``Scores``, save."""
        path = self.sheet(reviewer)
        book = openpyxl.load_workbook(path)
        edit(book["Scores"])
        book.save(path)
        return path

    def collect(self, *reviewers: str, assignments: tuple[Assignment, ...] | None = None):  # type: ignore[no-untyped-def]
        return collect_sheets(self.call, [self.sheet(r) for r in reviewers],
                              self.assignments if assignments is None else assignments,
                              "assignments.csv")

    def problems(self, *reviewers: str) -> str:
        with pytest.raises(InputError) as caught:
            self.collect(*reviewers)
        return str(caught.value)


def score_all(sheet: Any, value: object = 4) -> None:
    for row in range(2, sheet.max_row + 1):
        sheet.cell(row, 4).value = value  # promise
        sheet.cell(row, 6).value = value  # feasibility


@pytest.fixture
def round_(tmp_path: Path) -> Round:
    return Round(tmp_path, 4, **{a: {"title": t} for a, t in HOSTILE_TITLES.items()})


# -- the workbook as sent -----------------------------------------------------------------


def test_control_and_bidi_characters_in_applicant_text_become_replacement_marks(
        tmp_path: Path) -> None:
    """As in every spreadsheet cell pine-select writes (report/cells.py: hostile 10)."""
    made = Round(tmp_path, 2, **{"APP-1": {"organisation": {"name": "Shore\x1b[2J \u202eCouncil"}},
                                 "APP-2": {"title": "bell\x07 \x9b and \u2066x\u2069"}})
    seen = {}
    for path in made.sheets.iterdir():
        sheet = openpyxl.load_workbook(path)["Scores"]
        seen |= {sheet.cell(r, 1).value: (sheet.cell(r, 2).value, sheet.cell(r, 3).value)
                 for r in range(2, sheet.max_row + 1)}
    assert seen["APP-1"][1] == "Shore\ufffd[2J \ufffdCouncil"
    assert seen["APP-2"][0] == "bell\ufffd \ufffd and \ufffdx\ufffd"


def test_the_scores_sheet_has_the_spec_header_and_one_row_per_assignment(round_: Round) -> None:
    book = openpyxl.load_workbook(round_.sheet("alice"))
    sheet = book["Scores"]
    header = [c.value for c in sheet[1]]
    assert header == ["application_id", "title", "organisation", "promise", "promise_comment",
                      "feasibility", "feasibility_comment"]
    assert [sheet.cell(r, 1).value for r in range(2, sheet.max_row + 1)] == round_.of("alice")
    assert book.sheetnames == ["Scores", "Guidance"]


def test_score_cells_are_validated_whole_numbers_in_the_scale_and_all_else_locked(
        round_: Round) -> None:
    sheet = openpyxl.load_workbook(round_.sheet("alice"))["Scores"]
    (validation,) = sheet.data_validations.dataValidation
    assert (validation.type, validation.operator, validation.formula1, validation.formula2) == (
        "whole", "between", "1", "5")
    rows = range(2, sheet.max_row + 1)
    assert {str(r) for r in validation.sqref.ranges} == {
        f"{col}{row}" for col in "DF" for row in rows}
    assert sheet.protection.sheet
    unlocked = {c.coordinate for row in sheet.iter_rows(max_col=9) for c in row
                if not c.protection.locked}
    assert unlocked == {f"{col}{row}" for col in "DEFG" for row in rows}


def test_applicant_text_that_looks_like_a_formula_is_stored_as_text(round_: Round) -> None:
    for reviewer in ("alice", "bob", "carol", "dan"):
        sheet = openpyxl.load_workbook(round_.sheet(reviewer))["Scores"]
        for row in range(2, sheet.max_row + 1):
            app_id, title = sheet.cell(row, 1).value, sheet.cell(row, 2)
            assert title.value == HOSTILE_TITLES[app_id]
            assert title.data_type == "s" and title.quotePrefix
    with zipfile.ZipFile(round_.sheet("alice")) as package:
        sheet_xml = package.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml  # no formula anywhere in the file


def test_the_reviewer_and_call_are_recorded_and_the_guidance_is_complete(round_: Round) -> None:
    book = openpyxl.load_workbook(round_.sheet("carol"))
    props = {p.name: p.value for p in book.custom_doc_props}
    assert props == {"pine_select_reviewer": "carol", "pine_select_call": "Tiny call (rubric 1)"}
    guidance = "\n".join(str(c.value) for row in book["Guidance"].iter_rows() for c in row)
    for needed in ("Promising practice", "Feasibility", "Whole numbers from 1", "conflict of "
                   "interest", "carol"):
        assert needed in guidance
    assert "60" not in guidance  # weights are not shown to reviewers


def test_the_same_inputs_give_the_same_bytes(tmp_path: Path, round_: Round) -> None:
    again = tmp_path / "again"
    write_sheets(round_.call, round_.assignments, "assignments.csv", again)
    for path in round_.sheets.iterdir():
        assert (again / path.name).read_bytes() == path.read_bytes()


# -- the round trip -----------------------------------------------------------------------


def test_round_trip_reviews_csv_holds_exactly_what_reviewers_entered(round_: Round,
                                                                      tmp_path: Path) -> None:
    entered: dict[tuple[str, str, str], tuple[int, str]] = {}
    for n, reviewer in enumerate(("alice", "bob", "carol", "dan")):
        def edit(sheet: Any, n: int = n, reviewer: str = reviewer) -> None:
            for row in range(2, sheet.max_row + 1):
                app_id = sheet.cell(row, 1).value
                for column, criterion in ((4, "promise"), (6, "feasibility")):
                    value = (row + column + n) % 5 + 1
                    comment = (f"- {reviewer} on {app_id}, \"quoted\",\nsecond line"
                               if column == 4 else "")
                    sheet.cell(row, column).value = value
                    sheet.cell(row, column + 1).value = comment or None
                    entered[(app_id, reviewer, criterion)] = (value, comment)
        round_.fill(reviewer, edit)
    collected = round_.collect("dan", "alice", "carol", "bob")
    got = {(r.application_id, r.reviewer, r.criterion): (r.score, r.comment)
           for r in collected.reviews}
    assert got == entered
    keys = [(r.application_id, r.reviewer, ["promise", "feasibility"].index(r.criterion))
            for r in collected.reviews]
    assert keys == sorted(keys)
    assert collected.outstanding == () and collected.below_min_reviews == {}
    # pine-select reads what collect wrote, and scores every application from it.
    (round_.paths.apps / "reviews.csv").write_text(reviews_csv(collected.reviews),
                                                   encoding="utf-8", newline="")
    reloaded = load_call(round_.paths.rubric, round_.paths.apps)
    report, _ = score(reloaded)
    assert all(a.selectable for a in report.applications)
    assert {(r.application_id, r.reviewer, r.criterion): (r.score, r.comment)
            for r in reloaded.reviews} == entered


def test_blank_scores_are_outstanding_per_reviewer_not_errors(round_: Round) -> None:
    def half(sheet: Any) -> None:
        sheet.cell(2, 4).value = 3
        sheet.cell(2, 6).value = " "  # a space is still blank
    round_.fill("alice", half)
    collected = round_.collect("alice")
    assert [(r.application_id, r.criterion) for r in collected.reviews] == [
        (round_.of("alice")[0], "promise")]
    assert collected.outstanding_by_reviewer() == {"alice": 2 * len(round_.of("alice")) - 1}
    assert collected.returned == ("alice",)
    assert collected.not_returned == ("bob", "carol", "dan")
    assert set(collected.below_min_reviews) == {"APP-1", "APP-2", "APP-3", "APP-4"}


def test_an_application_assigned_after_the_sheet_was_sent_is_outstanding(
        round_: Round) -> None:
    round_.fill("alice", score_all)
    extra = next(a for a in ("APP-1", "APP-2", "APP-3", "APP-4") if a not in round_.of("alice"))
    more = (*round_.assignments, Assignment(application_id=extra, reviewer="alice"))
    collected = round_.collect("alice", assignments=more)
    assert {(o.application_id, o.criterion) for o in collected.outstanding} == {
        (extra, "promise"), (extra, "feasibility")}


# -- every refusal ------------------------------------------------------------------------


def test_off_scale_not_whole_text_and_formula_scores_are_refused_with_their_cells(
        round_: Round) -> None:
    def bad(sheet: Any) -> None:
        score_all(sheet)
        sheet["D2"], sheet["F2"] = 6, 3.5
        sheet["D3"], sheet["F3"] = "four", "=2+2"
        sheet["E3"] = "=HYPERLINK(\"x\")"
        sheet["G3"] = True
    round_.fill("alice", bad)
    text = round_.problems("alice")
    assert ("alice.xlsx:Scores!D2: score 6 is off the scale; expected a whole number from 1 "
            "to 5") in text
    assert "alice.xlsx:Scores!F2: score 3.5 is not a whole number" in text
    assert "alice.xlsx:Scores!D3: score 'four' is not a number" in text
    assert "alice.xlsx:Scores!F3: a formula (=2+2)" in text
    assert "alice.xlsx:Scores!E3: a formula" in text


def test_formula_and_error_cells_are_named_with_every_other_problem(round_: Round) -> None:
    # An error cell (#N/A, #DIV/0!) is no score and no comment; a formula or an error in
    # a header cell is named, and does not hide the problems of the rows below it.
    def bad(sheet: Any) -> None:
        score_all(sheet)
        sheet["D1"] = "=\"promise\""
        sheet["E1"] = "#REF!"
        sheet["D2"], sheet["F2"] = "#N/A", 9
        sheet["E3"], sheet["G3"] = "#DIV/0!", "=1/0"
        sheet["F3"] = "three"
    round_.fill("alice", bad)
    problems = round_.problems("alice").replace(f"{round_.sheets}/", "").splitlines()
    assert problems == [
        "alice.xlsx:Scores!D1: a formula (=\"promise\") in the header; expected 'promise'",
        "alice.xlsx:Scores!D2: an error value (#N/A); expected a whole number from 1 to 5",
        "alice.xlsx:Scores!E1: an error value (#REF!) in the header; expected "
        "'promise_comment'",
        "alice.xlsx:Scores!E3: an error value (#DIV/0!); expected a comment as plain text",
        "alice.xlsx:Scores!F2: score 9 is off the scale; expected a whole number from 1 to 5",
        "alice.xlsx:Scores!F3: score 'three' is not a number; expected a whole number from 1 "
        "to 5",
        "alice.xlsx:Scores!G3: a formula (=1/0); expected a comment as plain text",
    ]


def test_a_whole_float_from_a_spreadsheet_is_a_whole_score(round_: Round) -> None:
    round_.fill("alice", lambda sheet: score_all(sheet, 4.0))
    assert {r.score for r in round_.collect("alice").reviews} == {4}


def test_edited_duplicated_and_unassigned_application_ids_are_refused(round_: Round) -> None:
    mine = round_.of("alice")
    other = next(a for a in ("APP-1", "APP-2", "APP-3", "APP-4") if a not in mine)

    def bad(sheet: Any) -> None:
        score_all(sheet)
        last = sheet.max_row
        sheet["A2"] = other
        sheet.cell(last + 1, 1).value = mine[-1]
        sheet.cell(last + 1, 4).value = 2
        sheet.cell(last + 2, 1).value = "APP-9"
        sheet.cell(last + 3, 1).value = 7
    round_.fill("alice", bad)
    text = round_.problems("alice")
    last = len(mine) + 1
    assert f"Scores!A2: application '{other}' is not assigned to this reviewer" in text
    assert f"Scores!A{last + 1}: application {mine[-1]} is already on row {last}" in text
    assert f"Scores!A{last + 2}: application 'APP-9' is not assigned" in text
    assert f"Scores!A{last + 3}: application_id 7" in text


def test_an_edited_header_or_a_stray_value_is_refused(round_: Round) -> None:
    def bad(sheet: Any) -> None:
        sheet["D1"] = "promis"
    round_.fill("alice", bad)
    assert "alice.xlsx:Scores!D1: header 'promis'; expected 'promise'" in round_.problems("alice")
    round_.fill("alice", lambda sheet: (sheet.__setitem__("D1", "promise"),
                                        sheet.__setitem__("K2", "note")))
    assert "Scores!K2: a value ('note') outside the sheet's columns" in round_.problems("alice")


def test_a_workbook_whose_reviewer_is_unknown_differs_or_is_missing_is_refused(
        round_: Round) -> None:
    round_.sheet("bob").rename(round_.sheets / "carol.xlsx.tmp")
    round_.sheet("carol").unlink()
    (round_.sheets / "carol.xlsx.tmp").rename(round_.sheet("carol"))  # bob's sheet, as carol
    assert ("carol.xlsx: the workbook records reviewer 'bob' but its file is named carol.xlsx"
            in round_.problems("carol"))

    def relabel(name: str | None) -> None:
        book = openpyxl.load_workbook(round_.sheet("alice"))
        kept = [p for p in book.custom_doc_props if p.name != "pine_select_reviewer"]
        book.custom_doc_props.props = kept
        if name is not None:
            from openpyxl.packaging.custom import StringProperty
            book.custom_doc_props.append(StringProperty(name="pine_select_reviewer", value=name))
        book.save(round_.sheet("alice"))
    relabel("mallory")
    assert "the recorded reviewer 'mallory' is not in the assignments" in round_.problems("alice")
    relabel(None)
    assert "alice.xlsx: no reviewer is recorded in the workbook" in round_.problems("alice")


def test_a_score_from_a_reviewer_who_declared_a_conflict_late_is_refused(
        tmp_path: Path, round_: Round) -> None:
    app = round_.of("alice")[0]
    round_.fill("alice", score_all)
    (round_.paths.apps / "conflicts.csv").write_text(
        f"reviewer,application_id,reason\nalice,{app},late\n", encoding="utf-8")
    round_.call = load_call(round_.paths.rubric, round_.paths.apps)
    assert f"the reviewer declared a conflict with {app}" in round_.problems("alice")


def test_two_workbooks_for_one_reviewer_are_refused(round_: Round, tmp_path: Path) -> None:
    copy = tmp_path / "ALICE.xlsx"
    copy.write_bytes(round_.sheet("alice").read_bytes())
    with pytest.raises(InputError, match="a second workbook for ALICE"):
        collect_sheets(round_.call, [round_.sheet("alice"), copy], round_.assignments, "a.csv")


def test_a_workbook_of_another_call_is_refused(round_: Round) -> None:
    book = openpyxl.load_workbook(round_.sheet("alice"))
    for prop in book.custom_doc_props:
        if prop.name == "pine_select_call":
            prop.value = "Other call (rubric 9)"
    book.save(round_.sheet("alice"))
    assert "the workbook is for 'Other call (rubric 9)'" in round_.problems("alice")


def test_every_problem_of_every_workbook_at_once(round_: Round) -> None:
    round_.fill("alice", lambda sheet: score_all(sheet, 9))
    round_.fill("bob", lambda sheet: score_all(sheet, "=1"))
    text = round_.problems("alice", "bob")
    assert text.count("alice.xlsx:Scores!") == 2 * len(round_.of("alice"))
    assert text.count("bob.xlsx:Scores!") == 2 * len(round_.of("bob"))


# -- files that are not what they claim ----------------------------------------------------


def _refused(path: Path) -> str:
    with pytest.raises(InputError) as caught:
        read_workbook(path, path.name, 20)
    return str(caught.value)


def test_a_macro_workbook_and_a_non_zip_are_refused(tmp_path: Path, round_: Round) -> None:
    macro = tmp_path / "alice.xlsm"
    macro.write_bytes(round_.sheet("alice").read_bytes())
    assert "a macro-enabled workbook (macros are never run) is not a scoresheet" in _refused(macro)
    fake = tmp_path / "bob.xlsx"
    fake.write_text("application_id,score\n", encoding="utf-8")
    assert "not an .xlsx workbook" in _refused(fake)


def test_a_workbook_with_macro_parts_is_refused(tmp_path: Path, round_: Round) -> None:
    path = tmp_path / "alice.xlsx"
    _rezip(round_.sheet("alice"), path, add={"xl/vbaProject.bin": b"\0" * 10})
    assert "carries macros" in _refused(path)


def test_a_zip_bomb_is_refused_from_its_directory_before_any_part_is_read(
        tmp_path: Path, round_: Round) -> None:
    path = tmp_path / "alice.xlsx"
    padding = b"\0" * (MAX_UNPACKED_BYTES + 1)
    _rezip(round_.sheet("alice"), path, add={"xl/media/padding.bin": padding})
    assert path.stat().st_size < 1_000_000  # small on disk, 100 MB unpacked
    assert "would unpack to" in _refused(path) and "100 MB" in _refused(path)


def test_xml_entities_are_refused_because_defusedxml_is_active(tmp_path: Path,
                                                               round_: Round) -> None:
    assert openpyxl.DEFUSEDXML is True
    bomb = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
            b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            b"&lol2;</workbook>")
    path = tmp_path / "alice.xlsx"
    _rezip(round_.sheet("alice"), path, replace={"xl/workbook.xml": bomb})
    assert "cannot read the workbook" in _refused(path)


def _rezip(source: Path, target: Path, add: dict[str, bytes] | None = None,
           replace: dict[str, bytes] | None = None) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            new.writestr(info.filename, (replace or {}).get(info.filename, old.read(info)))
        for name, data in (add or {}).items():
            new.writestr(name, data)
    target.write_bytes(out.getvalue())


def test_a_missing_file_and_a_sheet_of_endless_rows_are_refused(tmp_path: Path,
                                                                round_: Round,
                                                                monkeypatch: Any) -> None:
    assert "no such file" in _refused(tmp_path / "nobody.xlsx")
    import pine_select.review_round.workbook as workbook

    monkeypatch.setattr(workbook, "MAX_ROWS", 2)
    round_.fill("alice", lambda sheet: sheet.cell(5, 1, "APP-1"))
    assert "the Scores sheet has more than 2 rows" in _refused(round_.sheet("alice"))


def test_a_score_on_a_row_without_an_application_id_is_refused(round_: Round) -> None:
    round_.fill("alice", lambda sheet: sheet.cell(9, 4, 3))
    assert "alice.xlsx:Scores!A9: application_id None" in round_.problems("alice")


@pytest.mark.parametrize("flag, value", [("DEFUSEDXML", False), ("LXML", True)])
def test_without_defusedxml_no_scoresheet_is_written_or_read(
        round_: Round, tmp_path: Path, monkeypatch: Any, flag: str, value: bool) -> None:
    # One rule, one check (report/cells.py), asked by the intake's reader too.
    monkeypatch.setattr(openpyxl, flag, value)
    refusal = "openpyxl is not parsing through defusedxml (is defusedxml installed? is "
    with pytest.raises(UsageError, match=re.escape(refusal + "OPENPYXL_DEFUSEDXML")) as read:
        read_workbook(round_.sheet("alice"), "alice.xlsx", 9)
    assert "refusing to read alice.xlsx; expected it" in str(read.value)
    with pytest.raises(UsageError, match=r"refusing to write [a-z]+'s scoresheet; expected it"):
        write_sheets(round_.call, round_.assignments, "assignments.csv", tmp_path / "new")
    assert not (tmp_path / "new").exists()


def test_openpyxl_takes_one_xml_path_even_with_lxml_installed() -> None:
    # flattentool (a dev dependency) installs lxml; openpyxl would then parse and write
    # workbooks through it, giving other bytes and other refusals. pine_select pins it off.
    import subprocess
    import sys

    pytest.importorskip("lxml")
    probe = ("import pine_select.review_round.workbook, openpyxl, lxml; "
             "print(openpyxl.LXML, openpyxl.DEFUSEDXML)")
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENPYXL_")}
    found = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                           env=env, check=True)
    assert found.stdout.split() == ["False", "True"]
