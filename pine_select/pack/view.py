"""The briefing pack's view model: every number and sentence the template shows, prepared.

The template only loops and tests; all judgement is made in Python that tests can reach,
each idea in its own module: what a member's copy withholds (``withhold``), outcomes in
words (``outcomes``), the portfolio (``portfolio_view``), rows and pages per application
(``application_view``), assessment quality and charts (``quality_view``), and weight
sensitivity (``sensitivity_view``). This module puts the cover, method and provenance
around them. Applicant text is passed through untouched: the renderer neutralises and
escapes it.
"""

from __future__ import annotations

import hashlib
from typing import Any

from pine_select.options import RunOptions
from pine_select.pack.application_view import app_row, application_pages, ranking_rows
from pine_select.pack.formatting import number
from pine_select.pack.outcomes import outcome_texts
from pine_select.pack.portfolio_view import left_out_rows, portfolio_view
from pine_select.pack.quality_view import charts_view, quality_view
from pine_select.pack.withhold import Disclosure

REVIEWS_FILE = "reviews.csv"


def briefing_view(disclosed: Disclosure, params: RunOptions,
                  input_hashes: dict[str, str]) -> dict[str, Any]:
    """Everything briefing.html shows, as plain values."""
    decision = disclosed.decision
    outcomes = outcome_texts(disclosed)
    by_id = decision.scores.by_id()
    return {
        "cover": _cover(disclosed, input_hashes),
        "portfolio": portfolio_view(disclosed, [app_row(disclosed, by_id[i])
                                                for i in decision.selection.selected]),
        "left_out": left_out_rows(disclosed),
        "ranking": ranking_rows(disclosed, outcomes),
        "criteria": [{"id": c.id, "name": c.name, "weight": number(decision.scores.weights[c.id]),
                      "rubric_weight": number(c.exact_weight), "guidance": c.guidance}
                     for c in decision.call.rubric.criteria],
        "quality": quality_view(disclosed),
        "conflicts": [{"reviewer": c.reviewer, "application": c.application_id,
                       "reason": c.reason} for c in decision.call.conflicts],
        "overrides": _overrides(disclosed),
        "method": _method(disclosed, params),
        "provenance": _provenance(disclosed, input_hashes),
        "applications": application_pages(disclosed, outcomes),
        "charts": charts_view(disclosed),
    }


def fingerprint(input_hashes: dict[str, str]) -> str:
    """One short hash for all inputs, printed on the cover (the manifest has each file's)."""
    joined = "\n".join(f"{name} {digest}" for name, digest in sorted(input_hashes.items()))
    return hashlib.sha256(joined.encode()).hexdigest()


def _cover(disclosed: Disclosure, hashes: dict[str, str]) -> dict[str, Any]:
    call, scores = disclosed.decision.call, disclosed.decision.scores.applications
    return {
        "call": call.rubric.call,
        "version": call.rubric.version,
        "applications": len(scores),
        "eligible": sum(1 for s in scores if s.eligible),
        "selectable": sum(1 for s in scores if s.selectable),
        "reviewers": len({r.reviewer for r in call.reviews}),
        "review_scores": len(call.reviews),
        # The scores file's hash changes with every score, withheld ones too.
        "fingerprint": None if disclosed.withheld else fingerprint(hashes),
        "member": disclosed.audience.member,
        "withheld": sorted(disclosed.withheld),
        "not_shown": disclosed.not_shown(),
        "status": disclosed.decision.selection.status,
        "warnings": [w.message for w in call.warnings],
    }


def _provenance(disclosed: Disclosure, hashes: dict[str, str]) -> list[tuple[str, str]]:
    if not disclosed.withheld:
        return sorted(hashes.items())
    return sorted((name, digest) for name, digest in hashes.items()
                  if name.rsplit("/", 1)[-1] != REVIEWS_FILE)


def _overrides(disclosed: Disclosure) -> list[dict[str, str]]:
    overrides = disclosed.decision.overrides
    return ([{"side": "include", "id": o.id, "reason": o.reason} for o in overrides.include]
            + [{"side": "exclude", "id": o.id, "reason": o.reason} for o in overrides.exclude])


def _method(disclosed: Disclosure, params: RunOptions) -> dict[str, Any]:
    decision = disclosed.decision
    rubric = decision.call.rubric
    return {
        "aggregate": rubric.aggregate,
        "scale": f"{rubric.scale.min} to {rubric.scale.max}",
        "min_reviews": rubric.min_reviews,
        "disagreement": rubric.disagreement,
        "seed": decision.scores.seed,
        "solver": decision.selection.solver,
        "gates": [{"id": g.id, "field": g.field, "conditions": ", ".join(g.conditions())}
                  for g in rubric.eligibility],
        "parameters": list(params.as_recorded(changed_only=True).items()),
    }
