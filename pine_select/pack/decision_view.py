"""The panel's decision in the pack (SPEC 11): recommended against decided, side by side.

A pack made with a decision (``APPS/decision.yaml`` or ``--decision``; its copy is in
``inputs/applications/``) has a section, in the appendix before provenance, showing every
application either portfolio holds, each change with its reason, the total and cost of
each portfolio, and each rule the decided one breaks, with its description;
``results.json`` gains ``"decision": {"funded", "changes", "breaks"}``. A decision drawn by
lot (``source: {lottery: ...}``) also shows the lottery (zone, seed, the drawn portfolio
and each drawn application's probability, how to re-do the draw), and its results entry
gains ``"source": {"method": "lottery", "zone", "seed", "draws", "drawn", ...}``; a
decision on the recommendation has no ``source`` (packs made before sources keep their
bytes). Both are made from the copied inputs, so ``verify`` re-runs them, the draw too.
:func:`shows_decision` says which packs show none.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pine_select.chance.distribution import as_decimal
from pine_select.decision import LotteryDraw, checked_decision
from pine_select.decision.compare import DecisionComparison
from pine_select.model.call import Call
from pine_select.model.decision import PanelDecision
from pine_select.options import RunOptions
from pine_select.pack.files import APPLICATIONS, INPUTS, RUBRIC_NAME
from pine_select.pipeline import Decision
from pine_select.report.cells import points
from pine_select.report.chance_output import billionths_percent, lottery_json


@dataclass(frozen=True)
class DecisionPart:
    view: dict[str, Any]
    results: dict[str, Any]


def decision_part(decision: Decision, params: RunOptions) -> DecisionPart | None:
    """The decision's view and results entry, or None when the pack shows no decision.

    ``params``: the pack's options (a member's copy is asked for here, not in the
    decision's own options). Raises InputError when the decision file does not account
    for itself.
    """
    if not shows_decision(decision.call, params):
        return None
    assert decision.call.files is not None and decision.call.files.decision is not None
    panel, comparison = checked_decision(decision, decision.call.files.decision)
    return DecisionPart(_view(decision, panel, comparison), _results(comparison))


def shows_decision(call: Call, params: RunOptions) -> bool:
    """Whether a pack shows the panel's decision: there is one, and the pack is the full
    panel's, of the published rules. A member's copy does not; nor does a what-if pack,
    whose recommendation is not the one the panel decided on."""
    has_file = call.files is not None and call.files.decision is not None
    return has_file and params.member is None and not params.is_what_if


def _results(comparison: DecisionComparison) -> dict[str, Any]:
    return {
        "funded": [{"id": app_id, "amount": amount}
                   for app_id, amount in comparison.amounts.items()],
        "changes": [{"id": c.id, "action": c.action, "reason": c.reason}
                    for c in comparison.changes],
        "breaks": [b.name for b in comparison.breaks],
        **({} if comparison.draw is None else {"source": _source_results(comparison.draw)}),
    }


def _source_results(draw: LotteryDraw) -> dict[str, Any]:
    """The lottery a decision was drawn from: its options, its draw and how it was made."""
    lottery = draw.lottery
    return {
        "method": "lottery", "zone": draw.params.zone, "seed": draw.params.seed,
        "draws": draw.params.draws, "drawn": list(draw.drawn), "ticket": lottery.ticket,
        "probabilities": {i: as_decimal(lottery.probability(i)) for i in draw.drawn},
        "distribution": lottery_json(lottery)["distribution"],
    }


def _view(decision: Decision, panel: PanelDecision, comparison: DecisionComparison
          ) -> dict[str, Any]:
    scores = decision.scores.by_id()
    recommended, decided = comparison.recommended, comparison.decided
    drawn = comparison.drawn.ids if comparison.drawn is not None else ()
    ids = list(dict.fromkeys([*decided.ids, *recommended.ids, *drawn]))
    changes = {c.id: c for c in comparison.changes}
    rows = []
    for app_id in sorted(ids, key=lambda i: (scores[i].rank or 1 << 30, i)):
        app = decision.call.by_id[app_id]
        change = changes.get(app_id)
        rows.append({
            "id": app_id, "organisation": app.organisation.name, "title": app.title,
            "total": points(scores[app_id].total_cents), "requested": app.requested_amount,
            "recommended": app_id in recommended.ids, "decided": app_id in decided.ids,
            "drawn": comparison.drawn is not None and app_id in comparison.drawn.ids,
            "amount": comparison.amounts.get(app_id),
            "change": None if change is None else {"action": change.action,
                                                  "reason": change.reason},
        })
    return {
        "decided_on": panel.decided_on.isoformat(), "decided_by": panel.decided_by,
        "agrees": comparison.agrees, "rows": rows,
        "recommended": _totals(recommended.ids, recommended.total_cents, recommended.cost),
        "decided": _totals(decided.ids, decided.total_cents, decided.cost),
        "breaks": [{"name": b.name, "label": b.label, "description": b.description}
                   for b in comparison.breaks],
        "drawn": None if comparison.drawn is None else _totals(
            comparison.drawn.ids, comparison.drawn.total_cents, comparison.drawn.cost),
        "source": None if comparison.draw is None else _source_view(comparison.draw),
    }


def _source_view(draw: LotteryDraw) -> dict[str, Any]:
    lottery = draw.lottery
    return {
        "zone": draw.params.zone, "seed": draw.params.seed, "draws": draw.params.draws,
        "zone_size": len(lottery.zone), "ticket": lottery.ticket,
        "portfolios": 0 if lottery.distribution is None else len(
            lottery.distribution.portfolios),
        "drawn": [{"id": i, "in_zone": i in lottery.zone,
                   "percent": billionths_percent(lottery.probability(i))}
                  for i in draw.drawn],
        "rubric": f"{INPUTS}/{RUBRIC_NAME}", "applications": f"{INPUTS}/{APPLICATIONS}",
    }


def _totals(ids: tuple[str, ...], total_cents: int, cost: int) -> dict[str, Any]:
    return {"count": len(ids), "total": points(total_cents), "cost": cost}
