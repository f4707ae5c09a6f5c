"""Rows of reviews.csv made into Review models, checking each distinct value only once.

180,000 rows hold a few thousand distinct application ids and reviewers, a few criteria
and a handful of score spellings. Checking each distinct value once, against the field
types of the Review model itself, then making the models without validating every row
again, takes a quarter of the time of validating each row. A batch with any value that is
not valid raises :class:`NotValid`: the loader then validates it row by row as before, so
every problem is reported exactly as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from sys import intern
from typing import Any

from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError

from pine_select.loading.checks import WHOLE_NUMBER
from pine_select.model.reviews import Review

REVIEW_COLUMNS = ("application_id", "reviewer", "criterion", "score")

Record = tuple[int, list[str]]  # (line, values) as csv_source yields them


class NotValid(Exception):
    """A value of the batch is not valid: validate it row by row to say what is wrong."""


def score_value(text: str) -> int | str:
    """The score a cell gives: whole numbers only; "3.0" or "" stay text, and fail as such."""
    return int(text) if WHOLE_NUMBER.fullmatch(text) else text


class _ValidColumn(dict[str, Any]):
    """The texts of one column found valid so far, each mapped to its field value.

    A text not seen before is checked when it is first looked up (``__missing__``); rows
    that repeat it cost one dictionary lookup. Ids are interned: one string for all rows.
    """

    def __init__(self, field: str, convert: Callable[[str], Any]) -> None:
        super().__init__()
        # The field's own type and constraints, strict as in the model (Strict's config).
        field_type: Any = Review.model_fields[field].rebuild_annotation()
        self._adapter: TypeAdapter[Any] = TypeAdapter(field_type, config=ConfigDict(strict=True))
        self._convert = convert

    def __missing__(self, text: str) -> Any:
        value = self._convert(text)
        try:
            self._adapter.validate_python(value)
        except ValidationError:
            raise NotValid from None
        self[text] = value
        return value


class ReviewRows:
    """Makes the Review models of batches of rows under one header (with REVIEW_COLUMNS)."""

    def __init__(self, header: Sequence[str]) -> None:
        self._indexes = [header.index(column) for column in REVIEW_COLUMNS]
        self._comment = header.index("comment") if "comment" in header else None
        converts: dict[str, Callable[[str], Any]] = {
            "application_id": intern, "reviewer": intern, "criterion": intern,
            "score": score_value}
        self._columns = [_ValidColumn(name, converts[name]) for name in REVIEW_COLUMNS]
        # What pydantic records as given for such a row: the columns, and the line.
        given = ["comment"] if self._comment is not None else []
        self.fields_set = {*REVIEW_COLUMNS, "line", *given}

    def models(self, batch: Sequence[Record]) -> list[Review]:
        """The models of ``batch``; raises :class:`NotValid` if any value is not valid."""
        (app, reviewer, criterion, score), comment = self._indexes, self._comment
        apps, reviewers, criteria, scores = self._columns
        fields_set = self.fields_set
        made = []
        for line, values in batch:
            # What Review.model_construct does, without its per-field Python loop (five
            # times slower): every value is already known valid, and the keys are in field
            # order. The slots are set through their descriptors, as pydantic sets them.
            review = _new(Review)
            _set_dict(review, {
                "application_id": apps[values[app]], "reviewer": reviewers[values[reviewer]],
                "criterion": criteria[values[criterion]], "score": scores[values[score]],
                "comment": "" if comment is None else values[comment], "line": line})
            _set_fields_set(review, fields_set)
            _set_extra(review, None)
            _set_private(review, None)
            made.append(review)
        return made


_new = object.__new__
_set_dict = BaseModel.__dict__["__dict__"].__set__
_set_fields_set = BaseModel.__dict__["__pydantic_fields_set__"].__set__
_set_extra = BaseModel.__dict__["__pydantic_extra__"].__set__
_set_private = BaseModel.__dict__["__pydantic_private__"].__set__
