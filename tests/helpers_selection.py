"""Builders for selection tests: a Call and a ScoreReport made in code, no files.

Every application has a practice type, region, organisation type and age groups; the
rubric declares the categories used here. Scores are given directly in cents, and ranks
follow the SPEC (total descending, then the lottery number ascending).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from pine_select.lottery import lottery_number
from pine_select.model.application import Application
from pine_select.model.base import MAX_POUNDS
from pine_select.model.call import Call
from pine_select.model.reviews import Overrides
from pine_select.model.rubric import Rubric
from pine_select.scoring.result import ApplicationScore, CriterionScore, ScoreReport

PRACTICES = ("early_help", "child_protection", "permanence", "workforce")
REGIONS = ("London", "North West", "South East")
TYPES = ("local_authority", "voluntary_sector")
AGES = ("early_years", "primary", "adolescent")


@dataclass(frozen=True)
class App:
    id: str
    cents: int
    amount: int = 10
    practice: str = "early_help"
    region: str = "London"
    type: str = "local_authority"
    ages: tuple[str, ...] = ("primary",)
    selectable: bool = True
    reasons: tuple[str, ...] = ()
    excluded: bool = False  # eligible and reviewed, but excluded by the panel


def rubric(selection: Mapping[str, Any]) -> Rubric:
    return Rubric.model_validate({
        "call": "Test call", "version": "1", "scale": {"min": 1, "max": 5},
        "categories": {"practice_type": list(PRACTICES), "organisation.region": list(REGIONS),
                       "organisation.type": list(TYPES), "age_groups": list(AGES)},
        "criteria": [{"id": "promise", "name": "Promise", "weight": 1}],
        "selection": dict(selection),
    })


def application(app: App) -> Application:
    valid = Application.model_validate({
        "id": app.id, "title": f"Title of {app.id}",
        "organisation": {"name": f"Org {app.id}", "type": app.type, "region": app.region},
        "practice_type": app.practice, "age_groups": list(app.ages),
        "requested_amount": min(app.amount, MAX_POUNDS),
    })
    # The loader refuses amounts above MAX_POUNDS; library callers can still build them,
    # and the selection must stay safe (tests of absurd amounts come in this way).
    return valid.model_copy(update={"requested_amount": app.amount})


def call_of(apps: Sequence[App], selection: Mapping[str, Any],
            overrides: Overrides | None = None) -> Call:
    ordered = tuple(application(a) for a in sorted(apps, key=lambda a: a.id))
    return Call(rubric=rubric(selection), applications=ordered,
                overrides=overrides or Overrides())


def report_of(apps: Sequence[App], seed: int = 0) -> ScoreReport:
    ranked = sorted((a for a in apps if a.selectable and not a.excluded),
                    key=lambda a: (-a.cents, lottery_number(seed, a.id)))
    rank = {a.id: k for k, a in enumerate(ranked, 1)}
    scores = [
        ApplicationScore(
            id=a.id, eligible=a.selectable or a.excluded,
            selectable=a.selectable and not a.excluded,
            reasons=a.reasons + (("excluded by the panel: r",) if a.excluded else ()),
            total=Fraction(a.cents, 100), total_cents=a.cents, rank=rank.get(a.id),
            criteria={"promise": CriterionScore("promise", Fraction(3), 2)},
            lottery=lottery_number(seed, a.id),
        )
        for a in apps
    ]
    scores.sort(key=lambda s: (s.rank is None, s.rank or 0, s.id))
    return ScoreReport(applications=tuple(scores), weights={"promise": Fraction(1)}, seed=seed)


def instance(apps: Sequence[App], selection: Mapping[str, Any],
             overrides: Overrides | None = None) -> tuple[Call, ScoreReport]:
    seed = int(selection.get("tie_break_seed", 0))
    return call_of(apps, selection, overrides), report_of(apps, seed)
