"""``select --weights ... --diff``: the what-if run against the rubric's own weights.

Both runs are full ``select`` runs through :func:`pipeline.decide` with the same what-ifs
(size, budget, includes, excludes, solver) except the weights, so what differs is what
the weights did, and each side is exactly what ``select`` prints on its own.
"""

from __future__ import annotations

from pine_select.errors import UsageError
from pine_select.model.call import Call
from pine_select.options import RunOptions
from pine_select.pipeline import decide
from pine_select.selection.result import SelectionResult
from pine_select.sensitivity.result import WeightDiff


def weight_diff(call: Call, what_if: RunOptions) -> WeightDiff:
    """Select with ``what_if`` and with the same but the rubric's weights; what changed.

    Raises UsageError when ``what_if`` has no weights (there would be nothing to compare),
    and whatever :func:`decide` raises.
    """
    if not what_if.weights:
        raise UsageError("a weight diff compares what-if weights with the rubric's; no weights "
                         "were given")
    after = decide(call, what_if).selection
    before = decide(call, what_if.replaced(weights=None)).selection
    return compare(before, after)


def compare(before: SelectionResult, after: SelectionResult) -> WeightDiff:
    """Who enters, leaves and stays (rank order of the run they are in); rule changes."""
    was, now = set(before.selected), set(after.selected)
    binding_before = {r.name for r in before.rules if r.binding}
    binding_after = {r.name for r in after.rules if r.binding}
    names = [r.name for r in after.rules]
    return WeightDiff(
        before=before, after=after,
        enters=tuple(a for a in after.selected if a not in was),
        leaves=tuple(a for a in before.selected if a not in now),
        stays=tuple(a for a in after.selected if a in was),
        became_binding=tuple(n for n in names if n in binding_after - binding_before),
        became_slack=tuple(n for n in names if n in binding_before - binding_after),
    )
