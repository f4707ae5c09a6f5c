"""Close calls: totals within the measurement noise of the funding line (docs/method.md 8).

The **funding line** is the lowest total in the recommended portfolio. An application's
**noise** is the standard error of the mean of its reviewers' own totals: each reviewer's
total is the rubric's formula over their scores alone (``scoring.flags.reviewer_totals``),
and with the mean aggregate and every reviewer scoring every criterion the application's
total is exactly the mean of those. With k >= 2 reviewer totals t, the standard error is
sqrt(sum((t - mean)^2) / (k - 1) / k). A selectable application is a **close call** when
its total is within its own standard error of the funding line (either side).

Made from the disclosed decision (pack/withhold.py): the line is the lowest *visible*
recommended total, and a withheld application has no reviews or total here, so it is
never a close call and never moves the line.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

from pine_select.pack.withhold import Disclosure
from pine_select.scoring.flags import reviewer_totals
from pine_select.scoring.result import ApplicationScore

RULE = ("A close call is a total within its standard error of the funding line (the lowest "
        "total in the recommended portfolio). The standard error is that of the mean of the "
        "application's reviewers' own totals, each worked out from one reviewer's scores "
        "alone: it says how much the total could move with other reviewers.")


@dataclass(frozen=True)
class CloseCall:
    id: str
    total_cents: int
    error_cents: int  # the standard error, in hundredths of a point
    recommended: bool


def standard_error_cents(score: ApplicationScore, weights: Mapping[str, Fraction],
                         disclosed: Disclosure) -> int | None:
    """The standard error of the mean of the reviewers' totals (cents); None under 2."""
    scale = disclosed.decision.call.rubric.scale
    totals = list(reviewer_totals(score.criteria, weights, scale).values())
    if len(totals) < 2:
        return None
    mean = sum(totals, Fraction(0)) / len(totals)
    variance = sum(((t - mean) ** 2 for t in totals), Fraction(0)) / (len(totals) - 1)
    return round(100 * math.sqrt(variance / len(totals)))


def funding_line_cents(disclosed: Disclosure) -> int | None:
    """The lowest visible total in the recommended portfolio (None: nothing recommended)."""
    by_id = disclosed.decision.scores.by_id()
    totals = [by_id[i].total_cents for i in disclosed.decision.selection.selected]
    shown = [t for t in totals if t is not None]
    return min(shown) if shown else None


def close_calls(disclosed: Disclosure) -> list[CloseCall]:
    """The selectable applications within their standard error of the line, in rank order."""
    line = funding_line_cents(disclosed)
    if line is None:
        return []
    scores = disclosed.decision.scores
    chosen = set(disclosed.decision.selection.selected)
    found = []
    for score in scores.applications:
        if not score.selectable or score.total_cents is None:
            continue
        error = standard_error_cents(score, scores.weights, disclosed)
        if error is not None and abs(score.total_cents - line) <= error:
            found.append(CloseCall(score.id, score.total_cents, error, score.id in chosen))
    return found
