"""Builders for weight-sensitivity tests: small calls with real reviews, made in code.

Each application gets two reviewers on every criterion, so totals come from the real
scoring (exact fractions), and :func:`feasible_portfolios` lists every portfolio that
satisfies a problem's rows, by brute force, for checking the library against.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator, Mapping, Sequence
from fractions import Fraction
from typing import Any

from pine_select.model.application import Application
from pine_select.model.call import Call
from pine_select.model.reviews import Review
from pine_select.model.rubric import Rubric
from pine_select.scoring import score_call
from pine_select.selection.problem import SelectionProblem

PRACTICES = ("early_help", "child_protection", "permanence")
REGIONS = ("London", "North West", "South East")
TYPES = ("local_authority", "voluntary_sector")
AGES = ("early_years", "primary", "adolescent")
REVIEWERS = ("rev_a", "rev_b")


def rubric(weights: Mapping[str, int | float], selection: Mapping[str, Any]) -> Rubric:
    return Rubric.model_validate({
        "call": "Sensitivity test", "version": "1", "scale": {"min": 1, "max": 5},
        "categories": {"practice_type": list(PRACTICES), "organisation.region": list(REGIONS),
                       "organisation.type": list(TYPES), "age_groups": list(AGES)},
        "criteria": [{"id": c, "name": c.title(), "weight": w} for c, w in weights.items()],
        "selection": dict(selection),
    })


def application(app_id: str, practice: str = "early_help", region: str = "London",
                org_type: str = "local_authority", amount: int = 10) -> Application:
    return Application.model_validate({
        "id": app_id, "title": f"Title of {app_id}",
        "organisation": {"name": f"Org {app_id}", "type": org_type, "region": region},
        "practice_type": practice, "age_groups": ["primary"], "requested_amount": amount,
    })


def reviews(app_id: str, scores: Mapping[str, tuple[int, int]]) -> list[Review]:
    return [Review(application_id=app_id, reviewer=reviewer, criterion=criterion, score=s)
            for criterion, pair in scores.items() for reviewer, s in zip(REVIEWERS, pair,
                                                                         strict=True)]


def call_of(weights: Mapping[str, int | float], selection: Mapping[str, Any],
            apps: Sequence[tuple[Application, Mapping[str, tuple[int, int]]]]) -> Call:
    found = [r for app, scores in apps for r in reviews(app.id, scores)]
    return Call(rubric=rubric(weights, selection),
                applications=tuple(sorted((a for a, _ in apps), key=lambda a: a.id)),
                reviews=tuple(found))


def random_call(rng: random.Random, n_apps: int, criteria: int = 3) -> Call:
    """Up to 10 applications, random scores, weights, categories and rules."""
    weights = {f"c{k}": rng.choice([0, 1, 2, 3, 5, 10, 25]) for k in range(criteria)}
    if not any(weights.values()):
        weights["c0"] = 10
    selection: dict[str, Any] = {"size": rng.randint(1, min(4, n_apps - 1)),
                                 "tie_break_seed": rng.randint(0, 99)}
    rules = []
    if rng.random() < 0.6:
        rules.append({"field": "practice_type", "at_most": rng.randint(1, 2)})
    if rng.random() < 0.4:
        rules.append({"field": "organisation.region", "distinct_at_least": 2})
    if rng.random() < 0.4:
        selection["budget"] = rng.randint(20, 40)
    if rules:
        selection["rules"] = rules
    apps = []
    for n in range(n_apps):
        app = application(f"A-{n:02d}", rng.choice(PRACTICES), rng.choice(REGIONS),
                          rng.choice(TYPES), rng.randint(5, 15))
        scores = {c: (rng.randint(1, 5), rng.randint(1, 5)) for c in weights}
        apps.append((app, scores))
    return call_of(weights, selection, apps)


def feasible_portfolios(problem: SelectionProblem) -> Iterator[frozenset[str]]:
    """Every portfolio satisfying every row (indicators set as high as they may go)."""
    n = len(problem.candidates)
    for size in range(n + 1):
        for chosen in itertools.combinations(range(n), size):
            values = dict.fromkeys(chosen, 1)
            for j in range(len(problem.indicators)):
                column = n + j
                rows = [r for r in problem.rows if (column, 1) in r.terms and r.rhs == 0
                        and r.sense.value == "<="]
                values[column] = 1 if all(r.holds({**values, column: 1}) for r in rows) else 0
            if all(row.holds(values) for row in problem.rows):
                yield frozenset(problem.candidates[i].id for i in chosen)


def exact_values(call: Call, weights: Mapping[str, Fraction]) -> dict[str, Fraction]:
    """Each application's exact total under ``weights`` (the real scoring)."""
    report = score_call(call, dict(weights))
    return {a.id: a.total for a in report.applications if a.total is not None}


def portfolio_value(portfolio: frozenset[str], values: Mapping[str, Fraction]) -> Fraction:
    return sum((values[a] for a in portfolio), Fraction(0))
