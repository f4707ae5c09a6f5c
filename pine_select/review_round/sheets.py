"""``sheets`` (SPEC 9): one scoresheet per reviewer, ``DIR/<reviewer>.xlsx``.

The layout (which columns, in which order) is defined here once: :func:`scores_header` is
what ``sheets`` writes and what ``collect`` expects back. Weights are not shown to
reviewers: each criterion is to be judged on its own descriptors, not steered by how much
it will count (the panel sees the weights in the briefing pack).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pine_select.errors import InputError, Problem
from pine_select.loading.checks import closest
from pine_select.model.call import Call
from pine_select.model.rubric import Rubric
from pine_select.outputs import check_folder, refuse_inputs, write_files
from pine_select.review_round.assignments import Assignment
from pine_select.review_round.workbook import SheetSpec, workbook_bytes

FIXED_COLUMNS = ("application_id", "title", "organisation")
COMMENT_SUFFIX = "_comment"

CONFLICT_RULE = (
    "If you have a conflict of interest with an application on this sheet (you work for it or "
    "with it, advise it, are a trustee, or have a personal or financial interest in it), do "
    "not score it: leave its row blank and tell the programme team at once, who will record "
    "the conflict and reassign it. A score from a reviewer with a declared conflict is "
    "refused.")


def scores_header(rubric: Rubric) -> tuple[str, ...]:
    """``application_id, title, organisation``, then ``<id>, <id>_comment`` per criterion."""
    per_criterion = [(c.id, c.id + COMMENT_SUFFIX) for c in rubric.criteria]
    return (*FIXED_COLUMNS, *(name for pair in per_criterion for name in pair))


def call_record(rubric: Rubric) -> str:
    """What a workbook records of its call, checked when it comes back."""
    return f"{rubric.call} (rubric {rubric.version})"


@dataclass(frozen=True)
class Reviewers:
    """The assignments grouped by reviewer (canonical ids), applications sorted."""

    applications: dict[str, tuple[str, ...]]  # reviewer -> application ids


def group_assignments(call: Call, assignments: Sequence[Assignment], label: str) -> Reviewers:
    """The reviewers of ``assignments``; raises InputError for an unknown application."""
    problems = [Problem(label, row.line, f"application {row.application_id} is not in the call",
                        closest(row.application_id, call.by_id, 8), code="unknown_application")
                for row in assignments if row.application_id not in call.by_id]
    if problems:
        raise InputError(problems)
    grouped: dict[str, list[str]] = {}
    for row in assignments:
        grouped.setdefault(row.reviewer, []).append(row.application_id)
    return Reviewers({key: tuple(sorted(ids)) for key, ids in grouped.items()})


def sheet_spec(call: Call, reviewer: str, applications: Sequence[str]) -> SheetSpec:
    rubric = call.rubric
    header = scores_header(rubric)
    rows = tuple((app_id, call.by_id[app_id].title, call.by_id[app_id].organisation.name)
                 for app_id in applications)
    scores = tuple(header.index(c.id) for c in rubric.criteria)
    comments = tuple(header.index(c.id + COMMENT_SUFFIX) for c in rubric.criteria)
    return SheetSpec(reviewer, call_record(rubric), header, rows, scores, comments,
                     (rubric.scale.min, rubric.scale.max), guidance_rows(rubric, reviewer))


def guidance_rows(rubric: Rubric, reviewer: str) -> tuple[tuple[str, ...], ...]:
    low, high = rubric.scale.min, rubric.scale.max
    rows: list[tuple[str, ...]] = [
        ("Call", call_record(rubric)), ("Reviewer", reviewer),
        ("Scale", f"Whole numbers from {low} (weakest) to {high} (strongest)."),
        ("How to score", f"On the {'Scores'} sheet, enter a score from {low} to {high} in "
         "each criterion's column and, if you wish, a comment beside it. Leave a score blank "
         "if you have not scored it yet; do not change any other cell. Return this file "
         "under the same name."),
        ("Conflicts of interest", CONFLICT_RULE), ("", "")]
    for criterion in rubric.criteria:
        rows += [(criterion.id, criterion.name), ("Guidance", criterion.guidance)]
        rows += [(f"Score {level}", text) for level, text in sorted(
            criterion.descriptors.items(), key=lambda item: int(item[0]))]
        rows.append(("", ""))
    return tuple(rows[:-1])


@dataclass(frozen=True)
class SheetsWritten:
    folder: Path
    files: tuple[Path, ...]
    rows: int  # applications across all sheets


def write_sheets(call: Call, assignments: Sequence[Assignment], assignments_label: str,
                 out: Path, *, force: bool = False, inputs: Sequence[Path] = ()
                 ) -> SheetsWritten:
    """Every reviewer's workbook in ``out`` (made if absent); all made before any is written.

    An ``out`` that holds anything (returned workbooks, perhaps) is refused unless ``force``;
    even then only the workbooks written here are replaced. None may be one of ``inputs``.
    """
    reviewers = group_assignments(call, assignments, assignments_label)
    check_folder(out, force=force)
    # The id pattern keeps each name a plain file name.
    made = {f"{reviewer}.xlsx": workbook_bytes(sheet_spec(call, reviewer, apps))
            for reviewer, apps in sorted(reviewers.applications.items())}
    for name in made:
        refuse_inputs(out / name, inputs)
    write_files(out, made)
    return SheetsWritten(out, tuple(out / name for name in made), len(assignments))
