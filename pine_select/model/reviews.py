"""Reviewer scores, declared conflicts and panel overrides (SPEC 2.3)."""

from __future__ import annotations

import base64
import functools
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Annotated, Any, Generic, TypeVar, overload

import numpy as np
import numpy.typing as npt
from pydantic import Field, StringConstraints, TypeAdapter

from pine_select.model.base import AsTuple, CriterionId, Id, ReviewerId, Strict

Reason = Annotated[str, StringConstraints(min_length=1, pattern=r"\S")]


class Review(Strict):
    """One reviewer's score of one application on one criterion (a row of reviews.csv)."""

    application_id: Id
    reviewer: ReviewerId
    criterion: CriterionId
    score: int
    comment: str = ""
    line: int = Field(default=0, exclude=True)


T = TypeVar("T")
Codes = npt.NDArray[np.int32]


def frozen_codes(codes: Iterable[int] | npt.NDArray[Any], count: int = -1) -> Codes:
    """Whole numbers as a read-only int32 array (a frozen table holds only these).

    ``count``: how many there are, when known (the array is then filled without a list).
    """
    if isinstance(codes, np.ndarray):
        array = np.array(codes, dtype=np.int32)
    else:
        array = np.fromiter(codes, dtype=np.int32, count=count)
    array.flags.writeable = False
    return array


@dataclass(frozen=True, eq=False)
class CodedColumn(Generic[T]):
    """One column of a table as its distinct values and, per row, the index of its value.

    A reviews.csv of 1.8 million rows holds a few thousand distinct ids, a few criteria and
    a handful of scores: one small tuple and one array of int32 instead of a million
    objects. ``values`` are distinct (equal values share one code).
    """

    values: tuple[T, ...]
    codes: Codes

    @classmethod
    def encoded(cls, items: Iterable[T], distinct: Iterable[T] | None = None) -> CodedColumn[T]:
        """The column of ``items``; ``distinct``: their distinct values in order of first
        row, when already known."""
        rows = items if isinstance(items, list) else list(items)
        index = {value: code for code, value in enumerate(
            dict.fromkeys(rows) if distinct is None else distinct)}
        return cls(tuple(index), frozen_codes(map(index.__getitem__, rows), len(rows)))

    def __len__(self) -> int:
        return int(self.codes.shape[0])

    def decoded(self) -> list[T]:
        """Every row's value, in row order."""
        values = self.values
        return [values[c] for c in self.codes.tolist()]

    def used(self) -> tuple[T, ...]:
        """The values some row has (all of them: ``encoded`` keeps no other)."""
        counts = np.bincount(self.codes, minlength=len(self.values))
        return tuple(v for v, n in zip(self.values, counts.tolist(), strict=True) if n)


@dataclass(frozen=True, eq=False)
class ReviewTable(Sequence[Review]):
    """The rows of reviews.csv held as columns: read as a sequence of :class:`Review`.

    What the loader makes of reviews.csv (every value valid for :class:`Review`: the
    loader checks each distinct value against the model). Scoring reads the columns
    (``scoring/columns.py``); reading a row as a model makes a Review when asked, for the
    few who need one (the pack's comments, the review round).
    """

    application_id: CodedColumn[str]
    reviewer: CodedColumn[str]
    criterion: CodedColumn[str]
    score: CodedColumn[int]
    comment: CodedColumn[str]
    line: Codes

    @classmethod
    def of_reviews(cls, reviews: Iterable[Review]) -> ReviewTable:
        """The table of review models (already valid: made by validation)."""
        rows = list(reviews)
        return cls(CodedColumn.encoded([r.application_id for r in rows]),
                   CodedColumn.encoded([r.reviewer for r in rows]),
                   CodedColumn.encoded([r.criterion for r in rows]),
                   CodedColumn.encoded([r.score for r in rows]),
                   CodedColumn.encoded([r.comment for r in rows]),
                   frozen_codes(r.line for r in rows))

    def __len__(self) -> int:
        return int(self.line.shape[0])

    @overload
    def __getitem__(self, index: int) -> Review: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Review]: ...

    def __getitem__(self, index: int | slice) -> Review | Sequence[Review]:
        return self.models[index]

    def __iter__(self) -> Iterator[Review]:
        return iter(self.models)

    @cached_property
    def models(self) -> tuple[Review, ...]:
        """Every row as a model, made the first time rows are read as models and kept (the
        pack reads them several times). Scoring and the loader's checks never need them.

        Validated like any model, all rows in one call: pydantic checks a list of rows far
        faster than it makes models one by one, even without checking them.
        """
        columns = [getattr(self, name).decoded() for name in _ROW_FIELDS[:-1]]
        rows = [dict(zip(_ROW_FIELDS, row, strict=True))
                for row in zip(*columns, self.line.tolist(), strict=True)]
        return tuple(_rows_validator().validate_python(rows))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, str):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]  # equal to a tuple of the same reviews

    def rows_whose_comment(self, test: Callable[[str], bool]) -> tuple[Review, ...]:
        """The rows whose comment passes ``test``, as models (``test`` asked once per
        distinct comment: a large table is not read row by row)."""
        chosen = [code for code, text in enumerate(self.comment.values) if test(text)]
        if not chosen:
            return ()
        rows: list[int] = np.flatnonzero(np.isin(self.comment.codes, chosen)).tolist()
        return tuple(_rows_validator().validate_python([self._row(i) for i in rows]))

    def _row(self, i: int) -> dict[str, Any]:
        """Row ``i``'s fields, to validate as a :class:`Review`."""
        def value(column: CodedColumn[T]) -> T:
            return column.values[int(column.codes[i])]

        return dict(zip(_ROW_FIELDS, (value(self.application_id), value(self.reviewer),
                                      value(self.criterion), value(self.score),
                                      value(self.comment), int(self.line[i])), strict=True))

    def distinct_pairs(self) -> set[tuple[str, str]]:
        """The (reviewer, application_id) pairs of the rows, once each."""
        width = max(len(self.application_id.values), 1)
        keys = self.reviewer.codes.astype(np.int64) * width + self.application_id.codes
        return {(self.reviewer.values[c // width], self.application_id.values[c % width])
                for c in _distinct(keys).tolist()}

    def repeats_a_score(self) -> bool:
        """Whether two rows give the same reviewer, application and criterion."""
        n_apps = len(self.application_id.values)
        n_criteria = len(self.criterion.values)
        keys = ((self.reviewer.codes.astype(np.int64) * n_apps + self.application_id.codes)
                * n_criteria + self.criterion.codes)
        return bool(_distinct(keys).shape[0] != len(self))

    def stored(self) -> dict[str, Any]:
        """The table as plain JSON data (the parse cache's form, loading/parse_cache.py):
        each column's distinct values, and its codes as little-endian int32 in base64."""
        return {
            **{name: {"values": list(column.values), "codes": _codes_text(column.codes)}
               for name, column in self._columns().items()},
            "line": _codes_text(self.line),
        }

    @classmethod
    def from_stored(cls, data: object) -> ReviewTable | None:
        """The table of :meth:`stored` data; None unless it is exactly of that shape: every
        column of one length, each code naming one of its column's distinct values,
        values of the column's type (their validity is for the caller to check)."""
        if not isinstance(data, dict) or set(data) != {*_STORED_TYPES, "line"}:
            return None
        line = _codes_of(data["line"])
        if line is None:
            return None
        columns = {name: _column_of(data[name], kind, len(line))
                   for name, kind in _STORED_TYPES.items()}
        if any(column is None for column in columns.values()):
            return None
        return cls(**columns, line=line)  # type: ignore[arg-type]  # None refused above

    def _columns(self) -> dict[str, CodedColumn[Any]]:
        return {"application_id": self.application_id, "reviewer": self.reviewer,
                "criterion": self.criterion, "score": self.score, "comment": self.comment}


_STORED_TYPES: dict[str, type] = {"application_id": str, "reviewer": str, "criterion": str,
                                  "score": int, "comment": str}


def _codes_text(codes: Codes) -> str:
    return base64.b64encode(codes.astype("<i4").tobytes()).decode("ascii")


def _codes_of(text: object) -> Codes | None:
    """Codes stored by :func:`_codes_text`; None if ``text`` is not such."""
    if not isinstance(text, str):
        return None
    try:
        raw = base64.b64decode(text, validate=True)
    except ValueError:
        return None
    if len(raw) % 4:
        return None
    return frozen_codes(np.frombuffer(raw, dtype="<i4"))


def _column_of(data: object, kind: type, rows: int) -> CodedColumn[Any] | None:
    """A stored column, if it has ``rows`` codes, each naming one of its distinct values
    of type ``kind`` (exactly: a score is an int, never a bool)."""
    if not isinstance(data, dict) or set(data) != {"values", "codes"}:
        return None
    values, codes = data["values"], _codes_of(data["codes"])
    if (not isinstance(values, list) or codes is None or len(codes) != rows
            or any(type(v) is not kind for v in values) or len(set(values)) != len(values)):
        return None
    if rows and (int(codes.min()) < 0 or int(codes.max()) >= len(values)):
        return None
    return CodedColumn(tuple(values), codes)


def _distinct(keys: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """The distinct values of ``keys``, sorted (by sorting: numpy's hashing unique is
    several times slower on a few hundred thousand whole numbers)."""
    ordered = np.sort(keys)
    return ordered[np.r_[True, ordered[1:] != ordered[:-1]]] if ordered.size else ordered


_ROW_FIELDS = ("application_id", "reviewer", "criterion", "score", "comment", "line")


@functools.cache
def _rows_validator() -> TypeAdapter[list[Review]]:
    # Made when first needed: building a validator is import time that most runs never use.
    return TypeAdapter(list[Review])


class Conflict(Strict):
    """A reviewer's declared conflict of interest with one application."""

    reviewer: ReviewerId
    application_id: Id
    reason: str = ""
    line: int = Field(default=0, exclude=True)


class Override(Strict):
    """A panel decision to force an application in or out, with the reason recorded."""

    id: Id
    reason: Reason


class Overrides(Strict):
    include: Annotated[tuple[Override, ...], AsTuple] = ()
    exclude: Annotated[tuple[Override, ...], AsTuple] = ()

    def included_ids(self) -> tuple[str, ...]:
        return tuple(o.id for o in self.include)

    def excluded_ids(self) -> tuple[str, ...]:
        return tuple(o.id for o in self.exclude)

    def merged(self, include: tuple[str, ...], exclude: tuple[str, ...]) -> Overrides:
        """These overrides plus what-if ones from the command line.

        Raises UsageError when an application would be both included and excluded.
        """
        from pine_select.errors import UsageError  # here: only this method of the model raises

        both = sorted(set(include) & set(exclude))
        if both:
            raise UsageError(f"include {both[0]}: also excluded; expected each application "
                             "once", option="include")
        clashes = [("exclude", f"exclude {i}: the overrides file includes it") for i in exclude
                   if i in self.included_ids()]
        clashes += [("include", f"include {i}: the overrides file excludes it") for i in include
                    if i in self.excluded_ids()]
        if clashes:
            option, message = clashes[0]
            raise UsageError(f"{message}; expected each application once (edit the "
                             "overrides file for this what-if)", option=option)
        what_if = "what-if run (command line)"
        return Overrides(
            include=(*self.include, *(Override(id=i, reason=what_if) for i in include)),
            exclude=(*self.exclude, *(Override(id=i, reason=what_if) for i in exclude)),
        )
