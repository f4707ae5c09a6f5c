"""assignments.csv (SPEC 9): ``application_id,reviewer,expert``, one row per review to do.

Written by ``assign``, read back by ``sheets`` and ``collect`` (and by ``assign`` itself,
to keep a re-run close to the assignments already sent out).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Literal

from pydantic import Field

from pine_select.errors import InputError, Problem, display_path
from pine_select.loading.review_table import load_csv_models
from pine_select.model.base import Id, ReviewerId, Strict

ASSIGNMENT_COLUMNS = ("application_id", "reviewer", "expert")


class Assignment(Strict):
    """One reviewer assigned to one application; ``expert``: their expertise holds its
    practice type."""

    application_id: Id
    reviewer: ReviewerId
    expert: Literal["yes", "no"] = "no"
    line: int = Field(default=0, exclude=True)


def read_assignments(path: Path) -> tuple[Assignment, ...]:
    """The rows of ``path``; raises InputError for a malformed file or a pair given twice."""
    problems: list[Problem] = []
    if not path.is_file():
        raise InputError([Problem(display_path(path), None, "no such file",
                                  "assignments.csv as pine-select assign writes it")])
    rows = [row.model for row in load_csv_models(path, Assignment, ASSIGNMENT_COLUMNS[:2],
                                                 ASSIGNMENT_COLUMNS[2:], problems)]
    problems += _repeated_pairs(rows, display_path(path))
    if problems:
        raise InputError(problems)
    return tuple(rows)


def _repeated_pairs(rows: Sequence[Assignment], label: str) -> list[Problem]:
    first: dict[tuple[str, str], int] = {}
    problems = []
    for row in rows:
        seen = first.setdefault((row.application_id, row.reviewer), row.line)
        if seen != row.line:
            problems.append(Problem(label, row.line, f"{row.reviewer} is assigned to "
                                    f"{row.application_id} again (line {seen})",
                                    "each application and reviewer once", code="duplicate"))
    return problems


def assignments_csv(rows: Iterable[Assignment]) -> str:
    """The file's text: header, then rows as given (the caller sorts), CRLF line ends.

    Identifiers cannot start with a formula character (the id pattern), so no cell needs
    neutralising.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(ASSIGNMENT_COLUMNS)
    writer.writerows((row.application_id, row.reviewer, row.expert) for row in rows)
    return out.getvalue()
