"""``collect`` (SPEC 9): returned scoresheets into reviews.csv, or every problem at once.

Each workbook is judged cell by cell against what ``sheets`` wrote and what is assigned:
problems are named ``FILE:Scores!C7``. Blank score cells are outstanding, not errors, so a
partial round can be collected (give every workbook returned so far: reviews.csv is rebuilt
from them each time). Comments are kept exactly as written, since pine-select reads
reviews.csv back; letters and packs escape them where people read them.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pine_select.atomic import write_atomically
from pine_select.errors import InputError, Problem, display_path
from pine_select.model.call import Call
from pine_select.model.ids import canonical_reviewer
from pine_select.model.reviews import Review
from pine_select.report.call_output import formula_comments
from pine_select.report.cells import starts_a_formula
from pine_select.review_round.assignments import Assignment
from pine_select.review_round.sheets import (
    COMMENT_SUFFIX,
    Reviewers,
    call_record,
    group_assignments,
    scores_header,
)
from pine_select.review_round.workbook import SCORES, Cell, ReturnedWorkbook, read_workbook

REVIEW_HEADER = ("application_id", "reviewer", "criterion", "score", "comment")
_UNREAD = ("formula", "error_cell")  # the codes of cells that hold no value (Cell.unread)


@dataclass(frozen=True)
class Outstanding:
    reviewer: str
    application_id: str
    criterion: str


@dataclass(frozen=True)
class Collected:
    """What the returned workbooks hold, and what is still to come."""

    reviews: tuple[Review, ...]  # sorted: application, reviewer, criterion (rubric order)
    returned: tuple[str, ...]  # reviewers whose workbook was read
    not_returned: tuple[str, ...]
    outstanding: tuple[Outstanding, ...]
    below_min_reviews: dict[str, int]  # application -> fewest reviewers on any criterion
    min_reviews: int

    def outstanding_by_reviewer(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for item in self.outstanding:
            counts[item.reviewer] = counts.get(item.reviewer, 0) + 1
        return counts


@dataclass
class _Judged:
    """One workbook's reviews and outstanding cells, with the problems found in it."""

    reviews: list[Review] = field(default_factory=list)
    outstanding: list[Outstanding] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def collect_sheets(call: Call, sheets: Sequence[Path], assignments: Sequence[Assignment],
                   assignments_label: str) -> Collected:
    """The reviews of ``sheets``; raises InputError listing every problem in every sheet."""
    reviewers = group_assignments(call, assignments, assignments_label)
    problems: list[Problem] = []
    judged: dict[str, _Judged] = {}
    seen_files: dict[str, str] = {}
    for path in sheets:
        label = display_path(path)
        key = canonical_reviewer(path.stem)
        if key in seen_files:
            problems.append(Problem(label, None, f"a second workbook for {path.stem} (first: "
                                    f"{seen_files[key]})", "one workbook per reviewer",
                                    code="duplicate_workbook"))
            continue
        seen_files[key] = label
        try:
            # A few columns past the last comment column: stray values there are reported.
            workbook = read_workbook(path, label, len(scores_header(call.rubric)) + 8)
        except InputError as exc:
            problems += exc.problems
            continue
        one = _judge(call, reviewers, path, label, workbook)
        problems += one.problems
        judged[key] = one
    if problems:
        raise InputError(problems)
    return _collected(call, reviewers, judged)


def _judge(call: Call, reviewers: Reviewers, path: Path, label: str,
           workbook: ReturnedWorkbook) -> _Judged:
    one = _Judged()
    reviewer = _recorded_reviewer(reviewers, path, label, workbook, one.problems)
    expected_call = call_record(call.rubric)
    if workbook.call != expected_call:
        one.problems.append(Problem(label, None, f"the workbook is for {workbook.call!r}",
                                    f"a scoresheet of {expected_call}", code="wrong_call"))
    header = scores_header(call.rubric)
    one.problems += _header_problems(workbook.header, header, label)
    # A formula or an error in a header cell moves no column: the rows are judged still.
    if reviewer is None or any(p.code not in _UNREAD for p in one.problems):
        return one
    _judge_rows(call, reviewers, reviewer, workbook, header, label, one)
    return one


def _recorded_reviewer(reviewers: Reviewers, path: Path, label: str,
                       workbook: ReturnedWorkbook, problems: list[Problem]) -> str | None:
    """The reviewer key of the workbook, if recorded, known and matching its file name."""
    recorded = workbook.reviewer
    if recorded is None:
        problems.append(Problem(label, None, "no reviewer is recorded in the workbook",
                                "a scoresheet written by pine-select sheets",
                                code="no_reviewer"))
        return None
    key = canonical_reviewer(recorded)
    if key not in reviewers.applications:
        problems.append(Problem(label, None, f"the recorded reviewer {recorded!r} is not in "
                                "the assignments", "a reviewer of assignments.csv",
                                code="unknown_reviewer"))
        return None
    if key != canonical_reviewer(path.stem):
        problems.append(Problem(label, None, f"the workbook records reviewer {recorded!r} but "
                                f"its file is named {path.name}",
                                f"{key}.xlsx (the reviewer's own sheet)",
                                code="reviewer_mismatch"))
        return None
    return key


def _header_problems(found: Sequence[Cell], header: Sequence[str], label: str) -> list[Problem]:
    by_column = {cell.column: cell for cell in found}
    problems = []
    for column in sorted(set(by_column) | set(range(1, len(header) + 1))):
        cell = by_column.get(column)
        wanted = header[column - 1] if column <= len(header) else None
        value = None if cell is None else cell.value
        unread = None if cell is None else cell.unread()
        expected = f"{wanted!r}" if wanted else "nothing"
        if cell is not None and unread is not None:
            problems.append(_cell_problem(label, cell.ref, f"{unread} in the header", expected,
                                          _unread_code(cell)))
        elif value != wanted:
            ref = cell.ref if cell is not None else f"{_letter(column)}1"
            problems.append(_cell_problem(label, ref, f"header {value!r}", expected,
                                          "edited_header"))
    return problems


def _judge_rows(call: Call, reviewers: Reviewers, reviewer: str, workbook: ReturnedWorkbook,
                header: Sequence[str], label: str, one: _Judged) -> None:
    assigned = set(reviewers.applications[reviewer])
    conflicted = {c.application_id for c in call.conflicts if c.reviewer == reviewer}
    first_row: dict[str, int] = {}
    for number, cells in workbook.rows:
        by_column = {cell.column: cell for cell in cells}
        app_id = _application_id(by_column, number, assigned, conflicted, first_row, label,
                                 one.problems)
        one.problems += _stray_cells(by_column, len(header), label)
        if app_id is not None:
            _judge_scores(call, reviewer, app_id, by_column, header, number, label, one)
    for app_id in sorted(assigned - set(first_row)):  # no row: assigned after the sheet was sent
        one.outstanding += [Outstanding(reviewer, app_id, c.id) for c in call.rubric.criteria]


def _application_id(by_column: dict[int, Cell], number: int, assigned: set[str],
                    conflicted: set[str], first_row: dict[str, int], label: str,
                    problems: list[Problem]) -> str | None:
    """The row's application id if it is one this reviewer may score here, else a problem."""
    cell = by_column.get(1)
    value = None if cell is None else cell.value
    fault = _id_fault(cell, value, assigned, conflicted, first_row)
    if fault is not None:
        problems.append(_cell_problem(label, cell.ref if cell else f"A{number}", *fault))
        return None
    assert isinstance(value, str)  # no fault: a text id
    first_row[value] = number
    return value


def _id_fault(cell: Cell | None, value: object, assigned: set[str], conflicted: set[str],
              first_row: dict[str, int]) -> tuple[str, str, str] | None:
    """(what, expected, code) wrong with an application id cell, or None."""
    if cell is None or cell.unread() is not None or not isinstance(value, str):
        what = (cell.unread() if cell is not None else None) or f"application_id {value!r}"
        return what, "the application id as written by pine-select sheets", "edited_id"
    if value in conflicted:
        return (f"the reviewer declared a conflict with {value}",
                "no scores from a conflicted reviewer", "conflicted_review")
    if value not in assigned:
        return (f"application {value!r} is not assigned to this reviewer",
                "only the applications of assignments.csv for this reviewer", "not_assigned")
    if value in first_row:
        return (f"application {value} is already on row {first_row[value]}",
                "each application once", "duplicate_row")
    return None


def _stray_cells(by_column: dict[int, Cell], width: int, label: str) -> list[Problem]:
    return [_cell_problem(label, cell.ref, f"a value ({cell.value!r}) outside the sheet's "
                          "columns", "nothing beyond the last comment column", "stray_cell")
            for column, cell in sorted(by_column.items()) if column > width]


def _judge_scores(call: Call, reviewer: str, app_id: str, by_column: dict[int, Cell],
                  header: Sequence[str], number: int, label: str, one: _Judged) -> None:
    scale = (call.rubric.scale.min, call.rubric.scale.max)
    for criterion in call.rubric.criteria:
        score_column = header.index(criterion.id) + 1
        cell = by_column.get(score_column)
        comment = _comment(by_column.get(header.index(criterion.id + COMMENT_SUFFIX) + 1),
                           label, one.problems)
        score = None if cell is None else _score(cell, scale, label, one.problems)
        if cell is None or (score is None and _blank(cell)):
            one.outstanding.append(Outstanding(reviewer, app_id, criterion.id))
        elif score is not None:
            one.reviews.append(Review(application_id=app_id, reviewer=reviewer,
                                      criterion=criterion.id, score=score, comment=comment,
                                      line=number))


def _blank(cell: Cell) -> bool:
    return cell.unread() is None and isinstance(cell.value, str) and not cell.value.strip()


def _score(cell: Cell, scale: tuple[int, int], label: str,
           problems: list[Problem]) -> int | None:
    low, high = scale
    expected = f"a whole number from {low} to {high}"
    value = cell.value
    unread = cell.unread()
    if unread is not None:
        problems.append(_cell_problem(label, cell.ref, unread, expected, _unread_code(cell)))
        return None
    if _blank(cell):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        what = "not a whole number" if isinstance(value, float) else "not a number"
        problems.append(_cell_problem(label, cell.ref, f"score {value!r} is {what}", expected,
                                      "not_whole"))
        return None
    if not low <= value <= high:
        problems.append(_cell_problem(label, cell.ref, f"score {value} is off the scale",
                                      expected, "off_scale"))
        return None
    return value


def _comment(cell: Cell | None, label: str, problems: list[Problem]) -> str:
    if cell is None:
        return ""
    unread = cell.unread()
    if unread is not None:
        problems.append(_cell_problem(label, cell.ref, unread, "a comment as plain text",
                                      _unread_code(cell)))
        return ""
    return str(cell.value)


def _unread_code(cell: Cell) -> str:
    return _UNREAD[0] if cell.formula else _UNREAD[1]


def _cell_problem(label: str, ref: str, what: str, expected: str, code: str) -> Problem:
    return Problem(f"{label}:{SCORES}!{ref}", None, what, expected, code=code)


def _letter(column: int) -> str:
    letters = ""
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _collected(call: Call, reviewers: Reviewers, judged: dict[str, _Judged]) -> Collected:
    order = {c.id: i for i, c in enumerate(call.rubric.criteria)}
    reviews = sorted((r for one in judged.values() for r in one.reviews),
                     key=lambda r: (r.application_id, r.reviewer, order[r.criterion]))
    outstanding = [o for one in judged.values() for o in one.outstanding]
    return Collected(
        reviews=tuple(reviews),
        returned=tuple(sorted(judged)),
        not_returned=tuple(key for key in sorted(reviewers.applications) if key not in judged),
        outstanding=tuple(sorted(outstanding, key=lambda o: (o.reviewer,
                                                             o.application_id,
                                                             order[o.criterion]))),
        below_min_reviews=_below_min_reviews(call, reviewers, reviews),
        min_reviews=call.rubric.min_reviews)


def _below_min_reviews(call: Call, reviewers: Reviewers,
                       reviews: Sequence[Review]) -> dict[str, int]:
    counts: dict[tuple[str, str], int] = {}
    for review in reviews:
        counts[(review.application_id, review.criterion)] = counts.get(
            (review.application_id, review.criterion), 0) + 1
    applications = sorted({a for apps in reviewers.applications.values() for a in apps})
    fewest = {a: min(counts.get((a, c.id), 0) for c in call.rubric.criteria)
              for a in applications}
    return {a: n for a, n in fewest.items() if n < call.rubric.min_reviews}


def reviews_csv(reviews: Sequence[Review]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(REVIEW_HEADER)
    writer.writerows((r.application_id, r.reviewer, r.criterion, r.score, r.comment)
                     for r in reviews)
    return out.getvalue()


def comment_warnings(collected: Collected, out: Path) -> tuple[Problem, ...]:
    """A warning for each comment a spreadsheet would take for a formula, naming the line
    of ``out`` that holds it as ``validate`` would (the comment is kept as written)."""
    if not any(starts_a_formula(r.comment) for r in collected.reviews):
        return ()
    reader = csv.reader(io.StringIO(reviews_csv(collected.reviews), newline=""))
    next(reader)  # the header
    lines = [reader.line_num for _ in reader]  # a record's last line, as the loader names it
    return formula_comments(zip(lines, collected.reviews, strict=True), display_path(out))


def write_reviews(collected: Collected, out: Path) -> None:
    """reviews.csv at ``out``, written whole or not at all."""
    write_atomically(out, reviews_csv(collected.reviews).encode("utf-8"))
