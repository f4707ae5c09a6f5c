"""The briefing pack's view model: every number and sentence the template shows, prepared.

The template only loops and tests; all judgement is made in Python that tests can reach,
each idea in its own module: what a member's copy withholds (``withhold``), words for
identifiers (``words``), outcomes in words (``outcomes``), the panel summary
(``summary_view``), close calls (``close_calls``), the portfolio (``portfolio_view``), rows
and pages per application (``application_view``), assessment quality and charts
(``quality_view``), and weight sensitivity (``sensitivity_view``). This module puts the
cover, method and provenance around them. Applicant text is passed through untouched: the
renderer neutralises and escapes it.

The briefing reads in three parts: the panel summary (pages 1-3), one page per
application in rank order, and the technical appendix (identifiers, method, sensitivity,
reliability, and provenance last).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from pine_select import __version__
from pine_select.options import RunOptions
from pine_select.pack import close_calls
from pine_select.pack.application_view import (
    app_row,
    application_pages,
    descriptor_table,
    ranking_rows,
    tie_notes,
)
from pine_select.pack.files import RUBRIC_NAME
from pine_select.pack.formatting import number
from pine_select.pack.outcomes import outcome_texts
from pine_select.pack.portfolio_view import left_out_rows, portfolio_view
from pine_select.pack.quality_view import charts_view, quality_view
from pine_select.pack.summary_view import summary_view
from pine_select.pack.withhold import Disclosure, recorded_hashes
from pine_select.pack.words import Words

CALIBRATED_WORDS = "mean, after each reviewer's leniency is taken off (see below),"
RUBRIC_INPUT = f"inputs/{RUBRIC_NAME}"


def briefing_view(disclosed: Disclosure, params: RunOptions,
                  input_hashes: dict[str, str]) -> dict[str, Any]:
    """Everything briefing.html shows, as plain values."""
    decision = disclosed.decision
    words = Words(decision.call.rubric)
    outcomes = outcome_texts(disclosed, words)
    ties = tie_notes(disclosed)
    by_id = decision.scores.by_id()
    portfolio_rows = [{**app_row(disclosed, by_id[i], words), "why": outcomes[i],
                       "tie": ties.get(i)} for i in decision.selection.selected]
    return {
        "cover": _cover(disclosed, params, input_hashes),
        "summary": summary_view(disclosed, words, outcomes, ties),
        "portfolio": portfolio_view(disclosed, portfolio_rows, words),
        "left_out": left_out_rows(disclosed, words),
        "ranking": ranking_rows(disclosed, outcomes, words, ties),
        "criteria": [{"id": c.id, "name": c.name, "weight": number(decision.scores.weights[c.id]),
                      "rubric_weight": number(c.exact_weight), "guidance": c.guidance}
                     for c in decision.call.rubric.criteria],
        "descriptors": descriptor_table(disclosed),
        "quality": quality_view(disclosed),
        "conflicts": [{"reviewer": c.reviewer, "application": c.application_id,
                       "reason": c.reason} for c in decision.call.conflicts],
        "overrides": _overrides(disclosed),
        "method": _method(disclosed, params, words),
        "provenance": _provenance(disclosed, input_hashes),
        "applications": application_pages(disclosed, outcomes, words, ties),
        "charts": charts_view(disclosed),
    }


def fingerprint(input_hashes: dict[str, str], what_if: dict[str, Any] | None = None) -> str:
    """One short hash for all inputs and the what-ifs applied to them, printed on page 1.

    The what-ifs are part of it so that a what-if pack never shows the fingerprint of the
    published rules' pack made from the same files (the manifest has each file's hash).
    """
    lines = [f"{name} {digest}" for name, digest in sorted(input_hashes.items())]
    if what_if:
        lines.append("what_if " + json.dumps(what_if, sort_keys=True, separators=(",", ":")))
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def _cover(disclosed: Disclosure, params: RunOptions, hashes: dict[str, str]
           ) -> dict[str, Any]:
    call, scores = disclosed.decision.call, disclosed.decision.scores.applications
    rubric = call.rubric
    return {
        "call": rubric.call,
        "version": rubric.version,
        "published_on": None if rubric.published_on is None else rubric.published_on.isoformat(),
        "rubric_hash": hashes.get(RUBRIC_INPUT),
        "tool_version": __version__,
        "what_if": _what_if_words(params, Words(rubric)),
        "applications": len(scores),
        "eligible": sum(1 for s in scores if s.eligible),
        "selectable": sum(1 for s in scores if s.selectable),
        "reviewers": len({r.reviewer for r in call.reviews}),
        "review_scores": len(call.reviews),
        # The scores file's hash changes with every score, withheld ones too.
        "fingerprint": None if disclosed.withheld else fingerprint(hashes, params.what_ifs()),
        "member": disclosed.audience.member,
        "withheld": sorted(disclosed.withheld),
        "not_shown": disclosed.not_shown(),
        "status": disclosed.decision.selection.status,
        "warnings": [w.message for w in call.warnings],
    }


def _what_if_words(params: RunOptions, words: Words) -> list[str]:
    """Each what-if of this run in words (empty for the published rules)."""
    said = []
    published = words.rubric.weights()
    changed = [f"{words.label(c)} {number(w)} (published {number(published[c])})"
               for c, w in (params.weights or {}).items() if published.get(c) != w]
    if changed:
        said.append("weights " + ", ".join(changed))
    elif params.weights:  # still a what-if run: say so even though nothing moved
        said.append("weights given for this run, equal to the published ones")
    if params.size is not None:
        said.append(f"portfolio size {params.size}")
    if params.budget is not None:
        said.append(f"budget £{params.budget:,}")
    if params.include:
        said.append("forced in: " + ", ".join(params.include))
    if params.exclude:
        said.append("left out by hand: " + ", ".join(params.exclude))
    if params.drop_rules:
        dropped = (words.quoted_rule(r) for r in params.drop_rules)
        said.append("rules set aside: " + "; ".join(dropped))
    if params.calibrate:
        said.append("scores corrected for reviewers' leniency (the published rubric does not)")
    return said


def _provenance(disclosed: Disclosure, hashes: dict[str, str]) -> list[tuple[str, str]]:
    return sorted(recorded_hashes(hashes, disclosed.audience.member, disclosed.withheld).items())


def _overrides(disclosed: Disclosure) -> list[dict[str, str]]:
    overrides = disclosed.decision.overrides
    return ([{"side": "include", "id": o.id, "reason": o.reason} for o in overrides.include]
            + [{"side": "exclude", "id": o.id, "reason": o.reason} for o in overrides.exclude])


def _method(disclosed: Disclosure, params: RunOptions, words: Words) -> dict[str, Any]:
    decision = disclosed.decision
    rubric = decision.call.rubric
    return {
        "aggregate": (CALIBRATED_WORDS if decision.scores.calibration is not None
                      else rubric.aggregate),
        "scale": f"{rubric.scale.min} to {rubric.scale.max}",
        "min_reviews": rubric.min_reviews,
        "disagreement": rubric.disagreement,
        "seed": decision.scores.seed,
        "solver": decision.selection.solver,
        "close_call_rule": close_calls.RULE,
        "gates": [{"id": g.id, "name": g.description or words.label(g.id),
                   "conditions": ", ".join(g.conditions())}
                  for g in rubric.eligibility],
        "parameters": list(params.as_recorded(changed_only=True).items()),
    }
