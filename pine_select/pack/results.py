"""results.json of a pack: the score and select results, as the disclosure allows.

Made from the disclosed decision (pack/withhold.py), like briefing.html: a withheld
application's row keeps only its public facts, and figures the policy does not show are
null, with the reasons under ``withheld.not_shown``.
"""

from __future__ import annotations

from typing import Any, cast

from pine_select.pack.withhold import Disclosure
from pine_select.report.score_output import score_json
from pine_select.report.select_output import select_json

PUBLIC_KEYS = ("id", "title", "organisation", "eligible", "selectable", "reasons",
               "failed_gates", "excluded", "lottery")


def results_json(disclosed: Disclosure) -> dict[str, Any]:
    decision = disclosed.decision
    select = select_json(decision.selection)
    del select["solver_version"]  # differs between machines; the manifest records it
    score = score_json(decision.scores, decision.call)
    # The what-ifs applied to the published rules ({} for the published rules themselves).
    what_if = decision.options.what_ifs()
    if not disclosed.withheld:
        return {"what_if": what_if, "score": score, "select": select}
    rows = cast(list[dict[str, Any]], score["applications"])
    score["applications"] = [_public_row(a) if a["id"] in disclosed.withheld else a
                             for a in rows]
    return {"what_if": what_if, "score": score, "select": _shown_select(select, disclosed),
            "withheld": {"applications": sorted(disclosed.withheld),
                         "not_shown": disclosed.not_shown()}}


def _public_row(row: dict[str, Any]) -> dict[str, Any]:
    return {**{k: row[k] for k in PUBLIC_KEYS}, "total": None, "rank": None,
            "criteria": {}, "flags": [], "withheld": True}


def _shown_select(select: dict[str, Any], disclosed: Disclosure) -> dict[str, Any]:
    """Null the figures whose types cannot be empty (a total, a yes-or-no) when not shown."""
    if not disclosed.shows_sums:
        select["total_score"] = None
        if isinstance(select.get("price_of_balance"), dict):
            select["price_of_balance"]["chosen_total"] = None
    if not disclosed.shows_optima:
        select["rules"] = [{**rule, "binding": None} for rule in select["rules"]]
    return select
