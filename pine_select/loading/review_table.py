"""reviews.csv and conflicts.csv (and the review round's CSV files) made into models, the
careful way: every row validated.

The fast way for a large reviews.csv (fast_path.load_reviews) falls back on this for any
file it cannot read column by column, so every problem is reported as this reports it.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path
from sys import intern
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from pine_select.errors import Problem, display_path
from pine_select.loading.csv_source import CsvRow, CsvTable, read_csv
from pine_select.loading.messages import row_problems
from pine_select.loading.parsed import Row
from pine_select.model.base import WHOLE_NUMBER
from pine_select.model.reviews import Conflict, Review, ReviewTable

REVIEW_COLUMNS = ("application_id", "reviewer", "criterion", "score")
CONFLICT_COLUMNS = ("reviewer", "application_id")

_REVIEW_BATCH: TypeAdapter[list[Review]] = TypeAdapter(list[Review])


def score_value(text: str) -> int | str:
    """The score a cell gives: whole numbers only; "3.0" or "" stay text, and fail as such."""
    return int(text) if WHOLE_NUMBER.fullmatch(text) else text


def review_fields(header: tuple[str, ...]) -> Callable[[int, list[str]], dict[str, Any]]:
    """A function from a row of reviews.csv (line, values) to the fields of its Review."""
    app, reviewer, criterion, score = (header.index(column) for column in REVIEW_COLUMNS)
    comment = header.index("comment") if "comment" in header else None

    def fields(line: int, values: list[str]) -> dict[str, Any]:
        # Ids repeat on every row: one string each, not one per row (far less memory).
        result = {"application_id": intern(values[app]), "reviewer": intern(values[reviewer]),
                  "criterion": intern(values[criterion]), "score": score_value(values[score]),
                  "line": line}
        if comment is not None:
            result["comment"] = values[comment]
        return result

    return fields


def validated_reviews(batch: list[dict[str, Any]], label: str,
                      problems: list[Problem]) -> list[Review]:
    """The valid reviews of ``batch`` (fields by :func:`review_fields`); problems of the rest."""
    try:
        return _REVIEW_BATCH.validate_python(batch)
    except ValidationError:  # row by row, to say what is wrong where
        rows = [CsvRow(fields.pop("line"), fields) for fields in batch]
        return [row.model for row in rows_to_models(rows, label, Review, problems)]


# Rows are validated in batches through one adapter (a call per row costs a third more),
# and row by row only if a batch fails, to say what is wrong where.
REVIEW_BATCH_SIZE = 4096


def load_review_table(table: CsvTable, label: str, problems: list[Problem]) -> ReviewTable:
    """The valid rows of reviews.csv (read as ``table``) as a table; problems of the rest."""
    models: list[Review] = []
    if set(REVIEW_COLUMNS) <= set(table.header):  # else a header problem, and no rows
        fields_of = review_fields(table.header)
        while batch := list(itertools.islice(table.records, REVIEW_BATCH_SIZE)):
            models += validated_reviews([fields_of(*record) for record in batch], label,
                                        problems)
    problems.extend(table.problems)
    return ReviewTable.of_reviews(models)


def load_conflicts(path: Path | None, problems: list[Problem]) -> list[Row]:
    if path is None:
        return []
    return load_csv_models(path, Conflict, CONFLICT_COLUMNS, ("reason",), problems)


Prepare = Callable[[dict[str, str]], dict[str, Any]]


def load_csv_models(path: Path, model: type[BaseModel], required: tuple[str, ...],
                    optional: tuple[str, ...], problems: list[Problem],
                    prepare: Prepare = dict) -> list[Row]:
    """The rows of a CSV file validated as ``model`` (each knows its line).

    ``prepare`` turns a row's texts into the model's fields (a fresh dict); every problem,
    of the file and of each row, is added to ``problems``.
    """
    label = display_path(path)
    rows, found = read_csv(path, label, required, optional)
    problems.extend(found)
    return rows_to_models(rows, label, model, problems, prepare)


def rows_to_models(rows: list[CsvRow], label: str, model: type[BaseModel],
                   problems: list[Problem], prepare: Prepare = dict) -> list[Row]:
    result = []
    for row in rows:
        try:
            fields = prepare(row.values)  # a fresh dict: adding the line is safe
            fields["line"] = row.line
            result.append(Row(model.model_validate(fields), label, row.line))
        except ValidationError as exc:
            problems.extend(row_problems(exc, label, row.line))
    return result
