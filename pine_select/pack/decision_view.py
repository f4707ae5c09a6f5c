"""The panel's decision in the pack (SPEC 11): recommended against decided, side by side.

A pack made with a decision (``APPS/decision.yaml`` or ``--decision``; its copy is in
``inputs/applications/``) has a section, in the appendix before provenance, showing every
application either portfolio holds, each change with its reason, the total and cost of
each portfolio, and each rule the decided one breaks, with its description;
``results.json`` gains ``"decision": {"funded", "changes", "breaks"}``. Both are made from
the copied inputs, so ``verify`` re-runs them. :func:`shows_decision` says which packs
show none.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pine_select.decision.checks import check_decision
from pine_select.decision.compare import DecisionComparison, compare_decision
from pine_select.errors import InputError, display_path
from pine_select.loading.decision import load_decision
from pine_select.model.call import Call
from pine_select.model.decision import PanelDecision
from pine_select.options import RunOptions
from pine_select.pipeline import Decision
from pine_select.report.cells import points


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
    panel, comparison = checked_decision(decision)
    return DecisionPart(_view(decision, panel, comparison), _results(comparison))


def shows_decision(call: Call, params: RunOptions) -> bool:
    """Whether a pack shows the panel's decision: there is one, and the pack is the full
    panel's, of the published rules. A member's copy does not; nor does a what-if pack,
    whose recommendation is not the one the panel decided on."""
    has_file = call.files is not None and call.files.decision is not None
    return has_file and params.member is None and not params.is_what_if


def checked_decision(decision: Decision) -> tuple[PanelDecision, DecisionComparison]:
    """The call's decision file read, checked against ``decision`` and compared with it."""
    assert decision.call.files is not None and decision.call.files.decision is not None
    path = decision.call.files.decision
    panel, doc = load_decision(path)
    problems = check_decision(panel, doc, display_path(path), decision)
    if problems:
        raise InputError(problems)
    return panel, compare_decision(decision, panel)


def _results(comparison: DecisionComparison) -> dict[str, Any]:
    return {
        "funded": [{"id": app_id, "amount": amount}
                   for app_id, amount in comparison.amounts.items()],
        "changes": [{"id": c.id, "action": c.action, "reason": c.reason}
                    for c in comparison.changes],
        "breaks": [b.name for b in comparison.breaks],
    }


def _view(decision: Decision, panel: PanelDecision, comparison: DecisionComparison
          ) -> dict[str, Any]:
    scores = decision.scores.by_id()
    recommended, decided = comparison.recommended, comparison.decided
    ids = [*decided.ids, *(i for i in recommended.ids if i not in decided.ids)]
    changes = {c.id: c for c in comparison.changes}
    rows = []
    for app_id in sorted(ids, key=lambda i: (scores[i].rank or 1 << 30, i)):
        app = decision.call.by_id[app_id]
        change = changes.get(app_id)
        rows.append({
            "id": app_id, "organisation": app.organisation.name, "title": app.title,
            "total": points(scores[app_id].total_cents), "requested": app.requested_amount,
            "recommended": app_id in recommended.ids, "decided": app_id in decided.ids,
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
    }


def _totals(ids: tuple[str, ...], total_cents: int, cost: int) -> dict[str, Any]:
    return {"count": len(ids), "total": points(total_cents), "cost": cost}
