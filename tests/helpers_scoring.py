"""Build tiny calls in memory for scoring tests (no files: the loader has its own tests).

Reuses the dict builders of ``conftest.py`` so that a rubric or application here is the
same shape as the ones written to files by ``make_call``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from conftest import merged, tiny_application, tiny_rubric

from pine_select.model.application import Application
from pine_select.model.call import Call
from pine_select.model.reviews import Conflict, Overrides, Review
from pine_select.model.rubric import Rubric

# {application_id: {criterion: {reviewer: score}}}
Scores = Mapping[str, Mapping[str, Mapping[str, int]]]


def rubric(**changes: Any) -> Rubric:
    return Rubric.model_validate(merged(tiny_rubric(), changes))


def application(app_id: str, **changes: Any) -> Application:
    return Application.model_validate(merged(tiny_application(1, id=app_id), changes))


def reviews(scores: Scores) -> tuple[Review, ...]:
    return tuple(
        Review(application_id=app_id, reviewer=reviewer, criterion=criterion, score=score)
        for app_id, by_criterion in scores.items()
        for criterion, by_reviewer in by_criterion.items()
        for reviewer, score in by_reviewer.items()
    )


def call_of(
    scores: Scores,
    *,
    rubric_changes: Mapping[str, Any] | None = None,
    applications: Sequence[Application] | None = None,
    overrides: Overrides | None = None,
    conflicts: Sequence[Conflict] = (),
) -> Call:
    """A call whose applications are the keys of ``scores`` (unless given), scored so."""
    apps = applications if applications is not None else [application(i) for i in scores]
    return Call(
        rubric=rubric(**dict(rubric_changes or {})),
        applications=tuple(sorted(apps, key=lambda a: a.id)),
        reviews=reviews(scores),
        conflicts=tuple(conflicts),
        overrides=overrides or Overrides(),
    )


def both(promise: Mapping[str, int], feasibility: Mapping[str, int]) -> dict[str, Any]:
    """Scores of one application on the tiny rubric's two criteria."""
    return {"promise": dict(promise), "feasibility": dict(feasibility)}
