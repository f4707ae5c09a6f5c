"""The briefing's assessment-quality section and its charts.

Made from the disclosed scores (pack/withhold.py): in a member's copy the scoring library
has worked out leniency and agreement from the visible applications' reviews alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from pine_select.pack import charts
from pine_select.pack.summary_view import missing_comments
from pine_select.pack.withhold import Disclosure
from pine_select.scoring.result import ApplicationScore


def quality_view(disclosed: Disclosure) -> dict[str, Any]:
    scores = disclosed.decision.scores
    quality = scores.quality
    names = {c.id: c.name for c in disclosed.decision.call.rubric.criteria}
    blank = {m["reviewer"]: m["missing"] for m in missing_comments(disclosed)}
    return {
        "method": quality.method,
        "target": quality.target,
        "recomputed": bool(disclosed.withheld),
        "reviewers": [{"reviewer": r.reviewer, "scores": r.n_scores,
                       "applications": r.n_applications, "leniency": r.leniency,
                       "missing_comments": blank.get(r.reviewer, 0),
                       "compared": r.n_compared} for r in quality.reviewers],
        "criteria": [{"criterion": c.criterion, "name": names.get(c.criterion, c.criterion),
                      "icc": c.icc,
                      "reliability": c.reliability_of_mean, "mean_reviewers": c.mean_reviewers,
                      "needed": c.reviewers_for_target} for c in quality.criteria],
        "disagreements": [d for s in scores.applications for d in _disagreements(s)],
        "extremes": [{"id": s.id, "reviewers": list(s.extreme_reviewers)}
                     for s in scores.applications if s.extreme_reviewers],
    }


def _disagreements(score: ApplicationScore) -> list[dict[str, Any]]:
    found = []
    for flag in score.flags:
        kind, _, criterion = flag.partition(":")
        if kind == "disagreement" and criterion in score.criteria:
            c = score.criteria[criterion]
            found.append({"id": score.id, "criterion": criterion, "spread": c.spread,
                          "scores": [f"{r} {s}" for r, s in c.scores]})
    return found


def charts_view(disclosed: Disclosure) -> dict[str, Any]:
    decision = disclosed.decision
    visible = [s for s in decision.scores.applications
               if s.total_cents is not None and s.selectable]
    chosen = set(decision.selection.selected)
    totals = [s.total_cents / 100 for s in visible if s.total_cents is not None]
    picked = [s.total_cents / 100 for s in visible
              if s.id in chosen and s.total_cents is not None]
    line = min(picked) if picked else None
    quality = decision.scores.quality
    leniency = [(r.reviewer, r.leniency, "") for r in quality.reviewers if r.leniency is not None]
    bound = max([abs(v) for _, v, _ in leniency] + [0.5])
    return {
        "distribution": charts.histogram("Totals of selectable applications (chosen in dark)",
                                         totals, picked, line),
        "profile": charts.horizontal_bars(
            "Criterion profile: mean normalised score, portfolio vs all selectable",
            _profile_rows(disclosed, visible, chosen), 0.0, 1.0),
        "leniency": charts.horizontal_bars("Reviewer leniency (points above co-reviewers)",
                                           leniency, -bound, bound),
    }


def _profile_rows(disclosed: Disclosure, visible: Sequence[ApplicationScore],
                  chosen: set[str]) -> list[tuple[str, float, str]]:
    rubric = disclosed.decision.call.rubric
    low, span = rubric.scale.min, rubric.scale.max - rubric.scale.min
    rows = []
    for criterion in rubric.criteria:
        for label, group, kind in (("portfolio", [s for s in visible if s.id in chosen],
                                    "chosen"), ("all", visible, "other")):
            scores = [s.criteria[criterion.id].score for s in group if criterion.id in s.criteria]
            values = [(score - low) / span for score in scores if score is not None]
            mean = float(sum(values, Fraction(0)) / len(values)) if values else 0.0
            rows.append((f"{criterion.name} ({label})", mean, kind))
    return rows
