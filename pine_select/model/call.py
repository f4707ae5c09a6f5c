"""A whole call, loaded and checked: the rubric, applications, reviews, conflicts, overrides."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from pine_select.errors import Problem
from pine_select.model.application import Application
from pine_select.model.reviews import Conflict, Overrides, Review
from pine_select.model.rubric import Rubric


@dataclass(frozen=True)
class CallFiles:
    """Where each part of the call was read from (the pack copies exactly these)."""

    rubric: Path
    applications_dir: Path
    applications: tuple[Path, ...]
    reviews: Path | None = None
    conflicts: Path | None = None
    overrides: Path | None = None
    # Other files in the applications folder, which are not read (the loader warns of them).
    unread: tuple[Path, ...] = ()

    def all(self) -> tuple[Path, ...]:
        optional = (self.reviews, self.conflicts, self.overrides)
        return (self.rubric, *self.applications, *(p for p in optional if p is not None))


@dataclass(frozen=True)
class Call:
    """Everything about one call, valid and cross-checked. Applications are sorted by id.

    ``reviews``: a tuple of models when built in code, a :class:`ReviewTable` (columns,
    read as a sequence of models) when loaded. Scoring reads them as columns
    (``scoring.columns.ReviewColumns.of``, made once per call).
    """

    rubric: Rubric
    applications: tuple[Application, ...]
    reviews: Sequence[Review] = ()
    conflicts: tuple[Conflict, ...] = ()
    overrides: Overrides = field(default_factory=Overrides)
    files: CallFiles | None = None
    warnings: tuple[Problem, ...] = ()

    @cached_property
    def by_id(self) -> dict[str, Application]:
        return {app.id: app for app in self.applications}

    def reviews_of(self, application_id: str) -> tuple[Review, ...]:
        return self._reviews_by_application.get(application_id, ())

    @cached_property
    def _reviews_by_application(self) -> dict[str, tuple[Review, ...]]:
        grouped: dict[str, list[Review]] = {}
        for review in self.reviews:
            grouped.setdefault(review.application_id, []).append(review)
        return {key: tuple(rows) for key, rows in grouped.items()}
