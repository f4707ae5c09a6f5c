"""The panel summary (pages 1-3 of the briefing): the recommendation in the panel's words.

The recommended portfolio with names and what each brings, what balance cost and the best
unbalanced portfolio beside it, the close calls near the funding line, the reserves and
who replaces a withdrawal, the strong applications left out and why, and what to discuss
(disagreements, scores without a comment). Every figure comes from the disclosed decision
(pack/withhold.py): what a copy does not show is already gone from it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any

from pine_select.pack import close_calls as closeness
from pine_select.pack.withhold import Disclosure
from pine_select.pack.words import Words
from pine_select.report.cells import points
from pine_select.scoring.result import ApplicationScore
from pine_select.selection.result import RuleOutcome

Named = Callable[[str], dict[str, Any]]  # an application id -> its summary row


def summary_view(disclosed: Disclosure, words: Words, outcomes: dict[str, str],
                 ties: dict[str, str]) -> dict[str, Any]:
    decision = disclosed.decision
    selection = decision.selection

    scores = decision.scores.by_id()  # once: a summary names over a thousand at 1,000

    def named(app_id: str) -> dict[str, Any]:
        return name_row(disclosed, app_id, outcomes, ties, words, scores)

    calls = closeness.close_calls(disclosed)

    return {
        "balance": _balance(disclosed, words, named),
        "close_calls": _close_calls(disclosed, calls, named),
        "reserves": [named(i) for i in selection.reserves],
        "withdrawals": [{"withdrawn": named(w.id),
                         "replaced_by": [named(i) for i in w.replaced_by],
                         "also_out": [named(i) for i in w.also_out], "loss": points(w.loss),
                         "one_for_one": None if w.one_for_one is None else {
                             "by": named(w.one_for_one.id),
                             "loss": points(w.one_for_one.loss)}}
                        for w in selection.withdrawals],
        "left_out": [named(left.id) for left in selection.left_out],
        **_to_discuss(disclosed, {c.id for c in calls}, words, named),
        "missing_comments": missing_comments(disclosed),
        "seed": decision.scores.seed,
    }


def name_row(disclosed: Disclosure, app_id: str, outcomes: dict[str, str],
             ties: dict[str, str], words: Words,
             scores: Mapping[str, ApplicationScore]) -> dict[str, Any]:
    """An application as the summary names it: organisation, title, profile, total, why."""
    app = disclosed.decision.call.by_id[app_id]
    score = scores[app_id]
    profile = words.profile(app)
    return {"id": app_id, "organisation": app.organisation.name, "title": app.title,
            "region": profile["organisation.region"], "type": profile["organisation.type"],
            "practice_type": profile["practice_type"],
            "total": points(score.total_cents), "rank": score.rank,
            "visible": disclosed.visible(app_id), "amount": app.requested_amount,
            "why": outcomes[app_id], "tie": ties.get(app_id)}


def _balance(disclosed: Disclosure, words: Words, named: Named) -> dict[str, Any]:
    selection = disclosed.decision.selection
    unbalanced = selection.unconstrained  # empty where the copy hides the price of balance
    return {
        "price": points(selection.price_of_balance_cents),
        "unconstrained": points(selection.unconstrained_cents),
        "chosen": points(selection.total_cents) if disclosed.shows_sums else None,
        "unbalanced": None if not unbalanced else [
            {**named(i), "recommended": i in selection.selected} for i in unbalanced],
        "rules": [_rule_words(rule, words) for rule in selection.rules
                  if rule.kind in ("balance", "budget")],
    }


def _rule_words(rule: RuleOutcome, words: Words) -> dict[str, Any]:
    return {"text": words.rule_text(rule.name), "kept": rule.satisfied,
            "gain": points(rule.gain_if_dropped), "at_bound": bool(rule.at_bound)}


def _close_calls(disclosed: Disclosure, calls: list[closeness.CloseCall], named: Named
                 ) -> dict[str, Any]:
    line = closeness.funding_line_cents(disclosed)
    rows = [{**named(c.id), "error": points(c.error_cents), "recommended": c.recommended}
            for c in calls]
    return {"rule": closeness.RULE, "line": points(line), "rows": rows}


def _disagreements(disclosed: Disclosure, words: Words, named: Named) -> list[dict[str, Any]]:
    """Per application (in rank order): the criteria its reviewers disagree on, with scores."""
    found = []
    for score in disclosed.decision.scores.applications:
        criteria = []
        for flag in score.flags:
            kind, _, criterion = flag.partition(":")
            if kind == "disagreement" and criterion in score.criteria:
                result = score.criteria[criterion]
                given = [s for _, s in result.scores]  # who gave which: on its own page
                criteria.append({"name": words.label(criterion),
                                 "scores": f"scores {min(given)} to {max(given)}"})
        if criteria:
            found.append({**named(score.id), "criteria": criteria, "count": len(criteria)})
    return found


def _to_discuss(disclosed: Disclosure, close: set[str], words: Words, named: Named
                ) -> dict[str, Any]:
    """Disagreements on applications in contention (recommended, close calls, reserves,
    strong left out), where discussion could change the outcome; the others counted."""
    selection = disclosed.decision.selection
    contention = {*selection.selected, *selection.reserves,
                  *(left.id for left in selection.left_out), *close}
    found = _disagreements(disclosed, words, named)
    return {"disagreements": [d for d in found if d["id"] in contention],
            "other_disagreements": sum(1 for d in found if d["id"] not in contention)}


def missing_comments(disclosed: Disclosure) -> list[dict[str, Any]]:
    """Scores without a comment, counted per reviewer (visible reviews only)."""
    reviews = disclosed.decision.call.reviews
    given = Counter(r.reviewer for r in reviews)
    blank = Counter(r.reviewer for r in reviews if not r.comment.strip())
    return [{"reviewer": reviewer, "missing": blank[reviewer], "scores": given[reviewer]}
            for reviewer in sorted(blank)]
