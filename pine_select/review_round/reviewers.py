"""reviewers.csv (SPEC 9): who reviews, their organisation, expertise and most reviews.

``reviewer,name,organisation,expertise,max_load``: expertise is ``;``-separated
``practice_type`` values (may be empty), max_load a whole number (empty: no limit).
Reviewer identifiers follow the id pattern and are compared case-insensitively (held in
their canonical lower case: ``model/ids.py``); organisations are compared case- and
space-insensitively (:func:`organisation_key`), which is how a reviewer from the
applicant's own organisation is detected.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from pydantic import Field

from pine_select.errors import InputError, Problem, display_path
from pine_select.loading.checks import closest
from pine_select.loading.review_table import load_csv_models
from pine_select.model.base import WHOLE_NUMBER, Names, ReviewerId, Strict
from pine_select.model.rubric import Rubric

REVIEWER_COLUMNS = ("reviewer", "name", "organisation", "expertise", "max_load")
REQUIRED_COLUMNS = ("reviewer",)
# Far above any real round (a reviewer reading a million applications), far below sizes
# that would make the assignment model's columns explode.
MAX_LOAD_CEILING = 100_000


class Reviewer(Strict):
    """One row of reviewers.csv."""

    reviewer: ReviewerId
    name: str = ""
    organisation: str = ""
    expertise: Names = ()
    max_load: Annotated[int, Field(ge=0, le=MAX_LOAD_CEILING)] | None = None
    line: int = Field(default=0, exclude=True)



def organisation_key(name: str) -> str:
    """An organisation's name as compared: case and runs of spaces do not matter."""
    return " ".join(name.casefold().split())


def load_reviewers(path: Path, rubric: Rubric) -> tuple[Reviewer, ...]:
    """The reviewers of ``path``, sorted by identifier; raises InputError with every problem."""
    problems: list[Problem] = []
    if not path.is_file():
        raise InputError([Problem(display_path(path), None, "no such file",
                                  "reviewers.csv: " + ",".join(REVIEWER_COLUMNS))])
    rows = load_csv_models(path, Reviewer, REQUIRED_COLUMNS, REVIEWER_COLUMNS[1:], problems,
                           _fields)
    reviewers = [row.model for row in rows]
    label = display_path(path)
    problems += _duplicates(reviewers, label) + _unknown_expertise(reviewers, rubric, label)
    if not reviewers and not problems:
        problems.append(Problem(label, None, "no reviewers", "one row per reviewer"))
    if problems:
        raise InputError(problems)
    return tuple(sorted(reviewers, key=lambda r: r.reviewer))


def _fields(values: dict[str, str]) -> dict[str, Any]:
    fields: dict[str, Any] = dict(values)
    fields["expertise"] = [part.strip() for part in values.get("expertise", "").split(";")
                           if part.strip()]
    load = values.get("max_load", "")
    if not load:
        fields.pop("max_load", None)
    elif WHOLE_NUMBER.fullmatch(load) and len(load) <= 12:
        fields["max_load"] = int(load)
    return fields


def _duplicates(reviewers: list[Reviewer], label: str) -> list[Problem]:
    first: dict[str, Reviewer] = {}
    problems = []
    for reviewer in reviewers:
        seen = first.setdefault(reviewer.reviewer, reviewer)
        if seen is not reviewer:
            problems.append(Problem(label, reviewer.line, f"reviewer {reviewer.reviewer} is "
                                    f"already on line {seen.line} (identifiers are compared "
                                    "without regard to case)", "each reviewer once",
                                    code="duplicate_reviewer"))
    return problems


def _unknown_expertise(reviewers: list[Reviewer], rubric: Rubric, label: str) -> list[Problem]:
    declared = rubric.categories.get("practice_type", ())
    return [Problem(label, reviewer.line, f"expertise {value!r} is not a practice_type of the "
                    "rubric", closest(value, declared), code="unknown_category")
            for reviewer in reviewers for value in reviewer.expertise if value not in declared]
