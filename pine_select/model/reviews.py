"""Reviewer scores, declared conflicts and panel overrides (SPEC 2.3)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

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
