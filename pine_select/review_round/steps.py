"""The three steps of the round as the command line runs them: files in, files out.

Each reads what it needs, calls the library, and writes its output whole (through a
temporary file) only when everything was valid.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pine_select.atomic import write_atomically
from pine_select.errors import Problem, display_path
from pine_select.model.call import Call
from pine_select.outputs import refuse_inputs
from pine_select.review_round.assign import AssignmentResult, assign_reviewers
from pine_select.review_round.assignments import (
    assignments_csv,
    read_assignments,
)
from pine_select.review_round.collect import Collected, collect_sheets, write_reviews
from pine_select.review_round.reviewers import load_reviewers
from pine_select.review_round.sheets import SheetsWritten, write_sheets

REVIEWERS_NAME, ASSIGNMENTS_NAME, REVIEWS_NAME = "reviewers.csv", "assignments.csv", "reviews.csv"


def round_warnings(call: Call) -> tuple[Problem, ...]:
    """The call's warnings but "no reviews yet": during the round that is the point."""
    return tuple(w for w in call.warnings if w.code != "unreviewed")


def assign_step(call: Call, apps: Path, per_application: int, reviewers: Path | None,
                out: Path | None) -> tuple[AssignmentResult, Path]:
    """Assign, and write assignments.csv when possible. An existing file at ``out`` is the
    assignments already sent out: the new ones keep as many of its pairs as the rules allow."""
    out = out or apps / ASSIGNMENTS_NAME
    reviewers = reviewers or apps / REVIEWERS_NAME
    # An existing ``out`` is read as the previous assignments, on purpose: not an input here.
    refuse_inputs(out, (*_call_inputs(call), reviewers))
    loaded = load_reviewers(reviewers, call.rubric)
    previous = read_assignments(out) if out.exists() else ()
    result = assign_reviewers(call, loaded, per_application, previous)
    if result.optimal:
        write_atomically(out, assignments_csv(result.assignments).encode("utf-8"))
    return result, out


def reviewer_names(call: Call, apps: Path, reviewers: Path | None) -> tuple[str, ...]:
    """Every identifier and display name of ``reviewers`` (default: APPS/reviewers.csv, when
    it is there), for letters to keep out; raises InputError if the file is not sound."""
    path = reviewers or apps / REVIEWERS_NAME
    if reviewers is None and not path.is_file():
        return ()
    found = load_reviewers(path, call.rubric)
    return tuple(sorted({n for r in found for n in (r.reviewer, r.name.strip()) if n}))


def sheets_step(call: Call, apps: Path, assignments: Path | None, out: Path, *,
                force: bool = False) -> SheetsWritten:
    path = assignments or apps / ASSIGNMENTS_NAME
    return write_sheets(call, read_assignments(path), display_path(path), out, force=force,
                        inputs=(*_call_inputs(call), path))


def collect_step(call: Call, apps: Path, sheets: Sequence[Path], assignments: Path | None,
                 out: Path | None) -> tuple[Collected, Path]:
    path = assignments or apps / ASSIGNMENTS_NAME
    out = out or apps / REVIEWS_NAME
    refuse_inputs(out, (*_call_inputs(call), path, *sheets))
    collected = collect_sheets(call, sheets, read_assignments(path), display_path(path))
    write_reviews(collected, out)
    return collected, out


def _call_inputs(call: Call) -> tuple[Path, ...]:
    """The files of the call the round reads (never its reviews.csv: the round writes it)."""
    return call.files.all() if call.files is not None else ()
