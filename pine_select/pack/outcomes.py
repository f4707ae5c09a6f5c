"""Each application's outcome in one plain sentence, and the facts about a left-out one.

Two facts about a strong application left out are kept apart, in their own words, as the
terminal keeps them: the rules a one-for-one swap into the portfolio would break, and the
re-optimised portfolio with it forced in (who enters, who leaves, how many points less:
exactly what ``select --include ID`` gives). Forcing it in is not the swap.
"""

from __future__ import annotations

from pine_select.pack.formatting import listed
from pine_select.pack.withhold import Disclosure
from pine_select.report.cells import points_text
from pine_select.report.select_output import if_forced_in
from pine_select.selection.result import LeftOut

LOTTERY = "tie-break lottery"


def outcome_texts(disclosed: Disclosure) -> dict[str, str]:
    """For every application, its outcome and the reason, in one plain sentence."""
    selection = disclosed.decision.selection
    texts: dict[str, str] = {}
    for position, app_id in enumerate(selection.selected, start=1):
        # A withheld application's place among the picks would tell its rank.
        pick = f" (pick {position} of {len(selection.selected)})" \
            if disclosed.visible(app_id) else ""
        texts[app_id] = f"Recommended: in the portfolio{pick}."
    for position, app_id in enumerate(selection.reserves, start=1):
        texts.setdefault(app_id, f"Reserve {position}: next in line if a recommended "
                                 "application withdraws.")
    for left in selection.left_out:
        texts.setdefault(left.id, left_out_sentence(left, disclosed))
    for score in disclosed.decision.scores.applications:
        if not score.selectable:
            # a panel's reason often ends with its own full stop: do not print two
            texts[score.id] = "Not selectable: " + "; ".join(score.reasons).rstrip(".") + "."
        texts.setdefault(score.id, "Not chosen: a higher-scoring balanced portfolio exists "
                                   "without it." if selection.optimal else
                                   "Not chosen: no portfolio keeps every rule.")
    return texts


def left_out_sentence(left: LeftOut, disclosed: Disclosure) -> str:
    """"Not chosen." then the swap fact and the forced-in fact, those this copy shows."""
    selected = disclosed.decision.selection.selected
    facts = [swap_fact(left) if disclosed.shows_sums else None,
             forced_fact(left, selected) if disclosed.shows_optima else None]
    return " ".join(["Not chosen.", *(f for f in facts if f)])


def swap_fact(left: LeftOut) -> str:
    """What a one-for-one swap into the portfolio (or adding it outright) would break."""
    if left.blocked_by == (LOTTERY,):
        partner = f"a one-for-one swap for {left.swap_with}" if left.swap_with else "adding it"
        return f"Only the {LOTTERY} kept it out: {partner} breaks no rule."
    move = f"Swapping it one-for-one for {left.swap_with}" if left.swap_with \
        else "Adding it to the portfolio as it stands"
    return f"{move} would break {listed(left.blocked_by) or 'the budget or size'}."


def forced_fact(left: LeftOut, selected: tuple[str, ...]) -> str:
    """The re-optimised portfolio with it forced in (``select --include ID``)."""
    forced = if_forced_in(left, selected)
    if forced is None:
        return "No portfolio that keeps every rule can include it."
    enters = [i for i in left.forced_portfolio if i not in selected and i != left.id]
    leaves = [i for i in selected if i not in left.forced_portfolio]
    changes = [f"also brings in {listed(enters)}"] if enters else []
    changes.append(f"leaves out {listed(leaves)}" if leaves else "leaves no one out")
    return (f"Forced in, the best portfolio that keeps every rule {' and '.join(changes)}: "
            f"{points_text(left.loss_if_forced or 0)} points less.")
