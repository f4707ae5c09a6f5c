"""One letter's contents for each applicant (SPEC 11): plain data for a template.

What a letter says, and what it never says:

- the outcome: funded (with the amount), not funded, not eligible, withdrawn or set aside
  by the panel, or not fully reviewed;
- its own criterion scores and total, the range of funded totals, its band (which quarter
  of the ranked applications it fell in) and how far it was from the lowest funded total;
- reviewers' comments on it, by criterion, without who wrote them;
- for one not funded, why in plain words: below the funding line, the balance rule that
  kept it out (the rule's words and description), or the panel's recorded reason;
- when the decision was drawn by lot, each applicant in the lottery's zone is told that
  lots were drawn between it and other close applications, its chance, and whether it was
  drawn (never who else was in the zone);
- never another applicant: no other id, title or organisation name, no reviewer id
  (``redaction.py`` removes them from the free text that others wrote).
"""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction
from typing import Any

from pine_select.after.redaction import Redactor
from pine_select.chance.distribution import PRECISION
from pine_select.decision import Decided
from pine_select.decision.compare import rule_words
from pine_select.model.application import Application
from pine_select.model.call import Call
from pine_select.report.cells import points_text
from pine_select.scoring.result import ApplicationScore
from pine_select.scoring.rounding import fixed
from pine_select.selection.result import LeftOut

LOTTERY = "tie-break lottery"
QUARTERS = ("the top quarter", "the second quarter", "the third quarter", "the bottom quarter")


def letter_views(outcome: Decided, reviewers: Iterable[str] = ()) -> list[dict[str, Any]]:
    """Every applicant's letter as template data, in id order; ``reviewers``: more reviewer
    names (display names, ids) to keep out, beyond those the call's files hold."""
    call = outcome.recommendation.call
    redactor = Redactor.of(call, reviewers)
    common = _common(outcome)
    return [{**common, **_letter(outcome, app, redactor)} for app in call.applications]


def _common(outcome: Decided) -> dict[str, Any]:
    rubric = outcome.recommendation.call.rubric
    totals = _funded_totals(outcome)
    return {
        "call": rubric.call,
        "funder": rubric.funder.name if rubric.funder else "",
        "decided_on": outcome.panel.decided_on.isoformat() if outcome.panel else "",
        "decided_by": outcome.panel.decided_by if outcome.panel else "",
        "funded_count": len(outcome.funded),
        "funded_range": ([points_text(min(totals)), points_text(max(totals))]
                         if totals else []),
        "scale": {"min": rubric.scale.min, "max": rubric.scale.max},
        "aggregate": rubric.aggregate,
    }


def _funded_totals(outcome: Decided) -> list[int]:
    scores = outcome.recommendation.scores.by_id()
    return [scores[i].total_cents or 0 for i in outcome.funded]


def _letter(outcome: Decided, app: Application, redactor: Redactor) -> dict[str, Any]:
    score = outcome.recommendation.scores.by_id()[app.id]
    call = outcome.recommendation.call
    kind, reason = _outcome(outcome, app, score)
    return {
        "id": app.id,
        "title": app.title,
        "organisation": app.organisation.name,
        "outcome": kind,
        "amount": outcome.funded.get(app.id),
        "requested": app.requested_amount,
        "reason": [redactor.in_letter_to(app, line) for line in reason],
        "total": None if score.total_cents is None else points_text(score.total_cents),
        "criteria": _criteria(call, score),
        "standing": _standing(outcome, score),
        "comments": _comments(call, app, redactor),
    }


def _outcome(outcome: Decided, app: Application, score: ApplicationScore
             ) -> tuple[str, list[str]]:
    """The outcome's kind and, unless funded, why, in plain sentences."""
    rubric = outcome.recommendation.call.rubric
    if app.id in outcome.funded:
        return "funded", _drawn_words(outcome, app.id)
    if not score.eligible:
        return "ineligible", [_gate_words(outcome.recommendation.call, gate)
                              for gate in score.failed_gates]
    if score.excluded:
        reasons = [o.reason for o in outcome.recommendation.overrides.exclude if o.id == app.id]
        return "withdrawn", reasons
    if not score.selectable:
        return "not_assessed", [f"Fewer than {rubric.min_reviews} reviewers scored every "
                                "criterion, so it could not be compared with the others."]
    return "not_funded", _why_not_funded(outcome, app, score)


def _gate_words(call: Call, gate_id: str) -> str:
    gate = next(g for g in call.rubric.eligibility if g.id == gate_id)
    words = call.rubric.label(gate_id)
    return f"{words}: {gate.description}" if gate.description else f"{words}: not met."


def _why_not_funded(outcome: Decided, app: Application, score: ApplicationScore) -> list[str]:
    change = outcome.panel.change_of(app.id) if outcome.panel else None
    if change is not None:  # recommended (or drawn), then removed by the panel
        return [*_drawn_words(outcome, app.id),
                f"The panel decided not to fund it: {change.reason}"]
    if outcome.draw is not None and app.id in outcome.draw.lottery.zone:
        return _drawn_words(outcome, app.id)
    left_out = {item.id: item for item in outcome.recommendation.selection.left_out}
    if app.id in left_out:
        return _kept_out_by_rules(outcome, left_out[app.id])
    totals = _funded_totals(outcome)
    if not totals:
        return ["No application was funded in this call."]
    if (score.total_cents or 0) < min(totals):
        return [f"Its total, {points_text(score.total_cents or 0)}, was below the lowest "
                f"funded total, {points_text(min(totals))}."]
    return ["Its total was within the range of funded totals: the balance the call's rules "
            "ask of the portfolio as a whole, and the budget, decided which were funded."]


def _drawn_words(outcome: Decided, app_id: str) -> list[str]:
    """For an applicant in the lottery's zone: that lots were drawn, its chance, the result.

    Never who else was in the zone: only this application's own chance and draw.
    """
    draw = outcome.draw
    if draw is None or app_id not in draw.lottery.zone:
        return []
    among = ("the close applications" if draw.params.zone == "contested"
             else "all the applications that could be funded")
    chance = fixed(Fraction(100 * draw.lottery.probability(app_id), PRECISION), 1)
    drawn = app_id in draw.drawn
    line = (f"It was among {among}, between which the panel drew lots with the call's "
            f"rules kept. Its chance of being drawn was {chance}%, and it was "
            f"{'drawn' if drawn else 'not drawn'}.")
    change = outcome.panel.change_of(app_id) if outcome.panel else None
    if drawn and change is None:
        line += " It is funded by the draw."
    elif not drawn and change is not None and change.action == "added":
        line += f" The panel decided to fund it all the same: {change.reason}"
    return [line]


def _kept_out_by_rules(outcome: Decided, item: LeftOut) -> list[str]:
    rubric = outcome.recommendation.call.rubric
    if item.blocked_by == (LOTTERY,):
        return [f"It tied on total with a funded application; the tie was broken by the "
                f"call's published lottery (seed {rubric.selection.tie_break_seed})."]
    described = rule_words(outcome.recommendation)
    lines = ["Its total was high enough, but funding it would have broken the call's rules "
             "for the portfolio as a whole:"]
    for name in item.blocked_by:
        words, description = rubric.label(name), described.get(name, name)
        lines.append(words if description in (name, words) else f"{words}: {description}")
    return lines


def _criteria(call: Call, score: ApplicationScore) -> list[dict[str, Any]]:
    rubric = call.rubric
    rows = []
    for criterion in rubric.criteria:
        found = score.criteria.get(criterion.id)
        value = None if found is None or found.score is None else fixed(found.score, 2)
        weight = criterion.exact_weight
        rows.append({"name": criterion.name, "score": value,
                     "weight": fixed(weight, 0 if weight.denominator == 1 else 2)})
    return rows


def _standing(outcome: Decided, score: ApplicationScore) -> dict[str, Any]:
    """Where it stood: its quarter of the ranked applications, its distance to the line."""
    ranked = [s for s in outcome.recommendation.scores.applications if s.rank is not None]
    totals = _funded_totals(outcome)
    band = None
    if score.rank is not None and ranked:
        band = QUARTERS[min(3, (4 * (score.rank - 1)) // len(ranked))]
    below = None
    if score.total_cents is not None and totals and score.total_cents < min(totals):
        below = points_text(min(totals) - score.total_cents)
    return {"band": band, "ranked": len(ranked), "below_line": below}


def _comments(call: Call, app: Application, redactor: Redactor) -> list[dict[str, Any]]:
    """Reviewers' comments by criterion (rubric order), sorted by text: never by reviewer."""
    by_criterion: dict[str, list[str]] = {}
    for review in call.reviews_of(app.id):
        if review.comment.strip():
            by_criterion.setdefault(review.criterion, []).append(
                redactor.in_letter_to(app, review.comment.strip()))
    return [{"criterion": c.name, "comments": sorted(by_criterion[c.id])}
            for c in call.rubric.criteria if c.id in by_criterion]
