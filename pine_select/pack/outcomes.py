"""Each application's outcome in one plain sentence, and the facts about a left-out one.

The sentence a panel reads (:func:`outcome_texts`) uses the rubric's words (pack/words.py):
for a recommended application, what it brings to the portfolio (the rules it is needed
for); for a strong one left out, the rule a one-for-one swap would break and how many
points the best portfolio with it forced in scores less.

Two facts about a strong application left out are kept apart, as the terminal keeps them:
the rules a one-for-one swap into the portfolio would break, and the re-optimised portfolio
with it forced in (who enters, who leaves, how many points less: exactly what
``select --include ID`` gives). Forcing it in is not the swap. The technical appendix gives
both with identifiers (:func:`swap_fact`, :func:`forced_fact`).
"""

from __future__ import annotations

from pine_select.model.application import categories_of
from pine_select.pack.formatting import listed
from pine_select.pack.withhold import Disclosure
from pine_select.pack.words import Words
from pine_select.report.cells import points_text
from pine_select.report.select_output import if_forced_in
from pine_select.scoring.result import ApplicationScore
from pine_select.selection.result import LeftOut, RuleOutcome

LOTTERY = "tie-break lottery"
ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth",
            "ninth", "tenth")


def outcome_texts(disclosed: Disclosure, words: Words) -> dict[str, str]:
    """For every application, its outcome and the reason, in one plain sentence."""
    selection = disclosed.decision.selection
    texts = {app_id: recommended_sentence(app_id, disclosed, words)
             for app_id in selection.selected}
    reserve = {app_id: n for n, app_id in enumerate(selection.reserves, start=1)}
    for left in selection.left_out:
        texts.setdefault(left.id, _reserve_prefix(reserve.get(left.id))
                         + left_out_sentence(left, disclosed, words))
    for app_id, position in reserve.items():
        texts.setdefault(app_id, f"Reserve {position}: next in line if a recommended "
                                 "application withdraws.")
    for score in disclosed.decision.scores.applications:
        if not score.selectable:
            texts[score.id] = "Not selectable: " + _unselectable_reason(score, disclosed,
                                                                        words) + "."
        texts.setdefault(score.id, "Not chosen: a higher-scoring balanced portfolio exists "
                                   "without it." if selection.optimal else
                                   "Not chosen: no portfolio keeps every rule.")
    return texts


def _reserve_prefix(position: int | None) -> str:
    return "" if position is None else f"Reserve {position}. "


# -- recommended -------------------------------------------------------------------------

def recommended_sentence(app_id: str, disclosed: Disclosure, words: Words) -> str:
    """"Recommended: the only voluntary-sector partner; needed for '...'." or its score."""
    brings = what_it_brings(app_id, disclosed, words)
    if brings:
        return "Recommended: " + "; ".join(brings) + "."
    return "Recommended: among the highest totals that keep every rule; no rule needs it."


def what_it_brings(app_id: str, disclosed: Disclosure, words: Words) -> list[str]:
    """For each balance rule the portfolio would break without it: why, in words."""
    app = disclosed.decision.call.by_id[app_id]
    said = []
    for outcome in disclosed.decision.selection.rules:
        rule = words.rule(outcome.name)
        if outcome.kind != "balance" or rule is None:
            continue
        mine = set(categories_of(app, rule.field))
        need = _needed_as(outcome, mine, words)
        if need:
            said.append(f"{need}; needed for {words.quoted_rule(outcome.name)}")
    return said


def _needed_as(outcome: RuleOutcome, mine: set[str], words: Words) -> str | None:
    """How the application counts towards a lower bound it is needed for, if it is."""
    for count in outcome.counts:
        if count.category not in mine:
            continue
        at_low = count.low is not None and count.count <= count.low
        last_of_kind = "distinct" in outcome.at_bound and count.count == 1
        if at_low or last_of_kind:
            kind = partner_phrase(words, count.category)
            return (f"the only {kind} partner" if count.count == 1
                    else f"one of only {count.count} {kind} partners")
    return None


def partner_phrase(words: Words, category: str) -> str:
    """A category's label inside a sentence: "voluntary sector", but "London"."""
    label = words.label(category)
    if len(label) > 1 and label[1].islower() and category.islower():
        return label[0].lower() + label[1:]
    return label


# -- left out ----------------------------------------------------------------------------

def left_out_sentence(left: LeftOut, disclosed: Disclosure, words: Words) -> str:
    """"Left out: ..." with the swap fact and the forced-in fact, those this copy shows."""
    selected = disclosed.decision.selection.selected
    parts = []
    if disclosed.shows_sums:
        parts.append(_swap_words(left, disclosed, words))
    if disclosed.shows_optima:
        forced = if_forced_in(left, selected)
        parts.append("no portfolio that keeps every rule can include it" if forced is None
                     else "the best portfolio with it scores "
                          f"{points_text(left.loss_if_forced or 0)} points less")
    if not parts:
        return "Left out (this copy does not show why: see the notice on page 1)."
    return "Left out: " + "; ".join(parts) + "."


def _swap_words(left: LeftOut, disclosed: Disclosure, words: Words) -> str:
    """The rules a one-for-one swap would break, each in words."""
    seed = disclosed.decision.scores.seed
    if left.blocked_by == (LOTTERY,):
        return f"only the {LOTTERY} (seed {seed}) kept it out; a swap breaks no rule"
    if not left.blocked_by:
        return "it does not fit the budget or size"
    return "; ".join(_broken_words(left, name, disclosed, words) for name in left.blocked_by)


def _broken_words(left: LeftOut, rule_name: str, disclosed: Disclosure, words: Words) -> str:
    """"a third London partner would break ...", else "swapping it for X would break ..."."""
    call = disclosed.decision.call
    outcome = next((r for r in disclosed.decision.selection.rules if r.name == rule_name),
                   None)
    rule = words.rule(rule_name)
    quoted = words.quoted_rule(rule_name)
    if outcome is not None and rule is not None:
        mine = set(categories_of(call.by_id[left.id], rule.field))
        theirs = set(categories_of(call.by_id[left.swap_with], rule.field)) \
            if left.swap_with else set()
        for count in outcome.counts:
            after = count.count + 1 - (count.category in theirs)
            if count.category in mine and count.high is not None and after > count.high:
                return f"a {_ordinal(after)} {partner_phrase(words, count.category)} " \
                       f"partner would break {quoted}"
    if left.swap_with:
        instead = call.by_id[left.swap_with].organisation.name
        return f"swapping it for {instead} would break {quoted}"
    return f"adding it would break {quoted}"


def _ordinal(n: int) -> str:
    return ORDINALS[n - 1] if 1 <= n <= len(ORDINALS) else f"{n}th"


# -- not selectable ----------------------------------------------------------------------

def _unselectable_reason(score: ApplicationScore, disclosed: Disclosure, words: Words) -> str:
    """The gates it fails, too few reviews, or the panel's exclusion, in words."""
    rubric = disclosed.decision.call.rubric
    gates = {g.id: g for g in rubric.eligibility}
    said = [f"it does not meet '{(gates[g].description or words.label(g)).rstrip('.')}'"
            for g in score.failed_gates if g in gates]
    few = [words.label(c) for c, s in score.criteria.items()
           if disclosed.visible(score.id) and s.n_reviews < rubric.min_reviews]
    if few:
        said.append(f"fewer than {rubric.min_reviews} reviewers on {listed(few)}")
    said += [r.rstrip(".") for r in score.reasons
             if not r.startswith(("ineligible: gate", "fewer than"))]
    return "; ".join(said) or "see the technical appendix"


# -- the technical appendix's facts, with identifiers -------------------------------------

def swap_fact(left: LeftOut, words: Words) -> str:
    """What a one-for-one swap into the portfolio (or adding it outright) would break.

    Rules by their labels (the rules table of the appendix pairs each with its id)."""
    if left.blocked_by == (LOTTERY,):
        partner = f"a one-for-one swap for {left.swap_with}" if left.swap_with else "adding it"
        return f"Only the {LOTTERY} kept it out: {partner} breaks no rule."
    move = f"Swapping it one-for-one for {left.swap_with}" if left.swap_with \
        else "Adding it to the portfolio as it stands"
    broken = listed([words.label(rule) for rule in left.blocked_by])
    return f"{move} would break {broken or 'the budget or size'}."


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
