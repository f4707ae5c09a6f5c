"""The one withholding policy: what a panel member's copy of a pack may show.

A member who declared a conflict of interest with some applications gets a copy that
reveals, of those applications, only their public facts (id, title, organisation and the
other fields of the application) and their outcome (recommended, reserve position, not
chosen, not selectable). Everything else in the copy must be a function of inputs that do
not involve the withheld applications' reviews, so that two calls that differ only in
those reviews, and give the same outcomes, give byte-identical copies.

:func:`disclose` applies the policy once, to the typed decision, before any output is
made; briefing.html, results.json, the charts and the sensitivity section are all made
from the :class:`Disclosure` it returns, never from the decision itself. Per item:

* **recomputed** without the withheld applications: ranks (among the visible ones), tie
  groups, reviewer leniency and agreement statistics (from the visible reviews only, by
  the scoring library), review counts, and which strong applications were left out (those
  above the lowest-ranked *visible* recommended one); in a calibrated call, the leniency
  fit itself and so every visible calibrated score and total (the fit of the whole call
  weighs the withheld applications' scores: each leniency, and through it each corrected
  total, would carry some of them);
* **not shown**, because they are sums, differences or optima over portfolios that may
  hold a withheld total: the portfolio's sum of totals and the one-for-one swap facts
  when a withheld application is recommended (its rank decides which swaps count); the
  price of balance, each rule's gain if dropped (and so whether it binds by cost), the
  cost of forcing a left-out application in, the withdrawals' replacements and the
  next-best portfolios whenever a withheld application could be selected; weight
  sensitivity in any copy that withholds a selectable application.

The copy's record of its inputs follows the same policy (:func:`unrecorded_inputs`): it
gives no hash of an input that holds what it withholds (``reviews.csv`` when it withholds
applications, ``decision.yaml`` in every member's copy, which shows no decision), since a
hash confirms any guess at the file; the full pack's manifest records them.

:data:`FULL` (no member) withholds nothing and shows everything.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from pine_select.model.call import Call
from pine_select.model.reviews import Review
from pine_select.pipeline import Decision
from pine_select.scoring import score_call
from pine_select.scoring.ranking import ranked
from pine_select.scoring.result import ApplicationScore, CriterionScore, ScoreReport
from pine_select.selection.result import LeftOut, RuleOutcome, SelectionResult

# What a copy says, in its own words, about each kind of figure it does not show.
NOT_SHOWN_SUMS = ("the portfolio's sum of totals and the one-for-one swap facts are not "
                  "shown: a withheld application is recommended, and they would give its "
                  "total or rank away")
NOT_SHOWN_OPTIMA = ("the price of balance, the rules' gains if dropped (so whether a rule "
                    "binds by cost), the cost of forcing a left-out application in, who "
                    "would replace a withdrawal and the next-best portfolios are not shown: "
                    "each is the best of portfolios that may hold a withheld application, "
                    "so each depends on its scores")
NOT_SHOWN_SENSITIVITY = ("weight sensitivity is not shown: every breakpoint weighs the "
                         "withheld applications' criterion scores")
NOT_SHOWN_CALIBRATED = ("the portfolio's sum of totals, the swap facts, the price of balance, "
                        "the rules' gains if dropped, the cost of forcing an application in, "
                        "who would replace a withdrawal, the next-best portfolios and weight "
                        "sensitivity are not shown: with scores corrected for reviewers' "
                        "leniency, each comes from the correction fitted on the whole call, "
                        "which weighs the withheld applications' scores")
TOO_FEW_REVIEWS = "fewer reviewers than the rubric's minimum on some criterion"
REVIEWS_INPUT = "reviews.csv"
DECISION_INPUT = "decision.yaml"
# The inputs a member's copy may leave unrecorded (see unrecorded_inputs).
MAY_BE_UNRECORDED = frozenset({REVIEWS_INPUT, DECISION_INPUT})


@dataclass(frozen=True)
class Audience:
    """Who a pack is for: the whole panel (``member`` None), or one panel member."""

    member: str | None = None
    include_contacts: bool = False


@dataclass(frozen=True)
class Disclosure:
    """The decision as one audience may see it; every output of a pack is made from this.

    ``decision`` has the withheld applications' scores, ranks and explanations taken out
    and everything that depended on them recomputed; the flags say which of the figures
    the types cannot leave empty are shown (see the module's docstring).
    """

    decision: Decision
    audience: Audience
    withheld: frozenset[str]  # application ids the member declared a conflict with
    shows_sums: bool = True  # portfolio sum of totals, one-for-one swap facts
    shows_optima: bool = True  # figures from re-optimisations (see NOT_SHOWN_OPTIMA)
    refitted: bool = False  # calibrated scores fitted again without the withheld reviews

    @property
    def shows_sensitivity(self) -> bool:
        return self.shows_optima

    def visible(self, application_id: str) -> bool:
        return application_id not in self.withheld

    def not_shown(self) -> list[str]:
        """What this copy does not show, and why, in sentences for the reader."""
        if self.refitted:
            return [NOT_SHOWN_CALIBRATED]
        said = [NOT_SHOWN_SUMS] if not self.shows_sums else []
        said += [NOT_SHOWN_OPTIMA, NOT_SHOWN_SENSITIVITY] if not self.shows_optima else []
        return said


def disclose(decision: Decision, audience: Audience) -> Disclosure:
    """Apply the withholding policy to ``decision`` for ``audience`` (once per pack)."""
    withheld = withheld_for(decision.call, audience.member)
    if not withheld:
        return Disclosure(decision, audience, withheld)
    selectable = {s.id for s in decision.scores.applications if s.selectable}
    # Calibrated: every sum and optimum of the decision was made with the fit of the whole
    # call, withheld reviews and all (NOT_SHOWN_CALIBRATED); the copy's own totals are
    # re-fitted without them.
    refitted = decision.scores.calibration is not None
    shows_sums = not refitted and not withheld & set(decision.selection.selected)
    shows_optima = not refitted and not withheld & selectable
    scores = _withheld_scores(_refitted(decision, withheld), withheld, decision.scores)
    selection = _withheld_selection(decision.selection, scores, withheld,
                                    shows_sums=shows_sums, shows_optima=shows_optima)
    call = replace(decision.call, reviews=visible_reviews(decision.call.reviews, withheld))
    return Disclosure(replace(decision, call=call, scores=scores, selection=selection),
                      audience, withheld, shows_sums, shows_optima, refitted)


def withheld_for(call: Call, member: str | None) -> frozenset[str]:
    """The applications ``member`` declared a conflict with (none for the full pack)."""
    if member is None:
        return frozenset()
    return frozenset(c.application_id for c in call.conflicts if c.reviewer == member)


def unrecorded_inputs(member: str | None, withheld: frozenset[str]) -> frozenset[str]:
    """The input files (by name) whose hashes a copy does not record: see the module."""
    if member is None:
        return frozenset()
    return frozenset({DECISION_INPUT} | ({REVIEWS_INPUT} if withheld else set()))


def recorded_hashes(hashes: dict[str, str], member: str | None,
                    withheld: frozenset[str]) -> dict[str, str]:
    """``hashes`` (``inputs/...`` -> SHA-256) without those a copy does not record."""
    hidden = unrecorded_inputs(member, withheld)
    return {name: digest for name, digest in hashes.items()
            if name.rsplit("/", 1)[-1] not in hidden}


def visible_reviews(reviews: Iterable[Review], withheld: frozenset[str]) -> tuple[Review, ...]:
    return tuple(r for r in reviews if r.application_id not in withheld)


# -- scores ------------------------------------------------------------------------------

def _refitted(decision: Decision, withheld: frozenset[str]) -> ScoreReport:
    """The decision's scores; in a calibrated call, scored again with the leniency fitted
    on the visible applications' reviews alone (each visible row then owes nothing to the
    withheld reviews; the recommendation stays the decision's)."""
    report = decision.scores
    if report.calibration is None:
        return report
    call = replace(decision.call, reviews=visible_reviews(decision.call.reviews, withheld))
    return score_call(call, report.weights, decision.overrides, calibrate=True)


def _withheld_scores(report: ScoreReport, withheld: frozenset[str],
                     original: ScoreReport | None = None) -> ScoreReport:
    """Ranks and tie groups among the visible; withheld rows keep only public facts.

    The assessment quality (a cached property of the report) is then worked out by the
    scoring library from the visible applications' reviews alone. ``original``: the
    report whose withheld rows give their public facts (default ``report``).
    """
    visible, ties = ranked([s for s in report.applications if s.id not in withheld])
    ranked_part = [s for s in visible if s.rank is not None]
    rest = [s for s in visible if s.rank is None]
    rest += [_public_row(s, report.criteria) for s in (original or report).applications
             if s.id in withheld]
    return replace(report, applications=(*ranked_part, *sorted(rest, key=lambda s: s.id)),
                   tie_groups=ties)


def _public_row(score: ApplicationScore, criteria: tuple[str, ...]) -> ApplicationScore:
    """A withheld application's row: eligibility and selectability, no score of any kind."""
    reasons = [r for r in score.reasons if not r.startswith("fewer than")]
    if len(reasons) < len(score.reasons):
        reasons.append(TOO_FEW_REVIEWS)  # how many reviews it had is not public
    return replace(score, reasons=tuple(reasons), total=None, total_cents=None, rank=None,
                   criteria={c: CriterionScore(c, None, 0) for c in criteria},
                   flags=(), extreme_reviewers=(), raw_total=None, raw_total_cents=None)


# -- selection ---------------------------------------------------------------------------

def _withheld_selection(selection: SelectionResult, scores: ScoreReport,
                        withheld: frozenset[str], *, shows_sums: bool,
                        shows_optima: bool) -> SelectionResult:
    rank = {s.id: s.rank for s in scores.applications}
    cents = {s.id: s.total_cents for s in scores.applications}
    chosen = _visible_first(selection.selected, rank, withheld)
    left_out = tuple(_left_out(item, rank[item.id], cents[item.id], shows_sums, shows_optima)
                     for item in _strong_visible(selection, rank, withheld))
    redacted = replace(selection, selected=chosen, left_out=left_out)
    if shows_optima:
        return redacted
    return replace(redacted, unconstrained_cents=None, unconstrained=(), withdrawals=(),
                   alternatives=(),
                   rules=tuple(_without_gain(rule) for rule in selection.rules), notes=())


def _visible_first(ids: tuple[str, ...], rank: dict[str, int | None],
                   withheld: frozenset[str]) -> tuple[str, ...]:
    """Visible ids by their visible rank, then withheld ones by id: order leaks no rank."""
    visible = sorted((i for i in ids if i not in withheld), key=lambda i: rank[i] or 0)
    return (*visible, *sorted(i for i in ids if i in withheld))


def _strong_visible(selection: SelectionResult, rank: dict[str, int | None],
                    withheld: frozenset[str]) -> list[LeftOut]:
    """Left-out visible applications ranked above the lowest-ranked visible chosen one.

    The library's list is measured against the lowest-ranked chosen application, which
    may be a withheld one: this subset does not depend on where that one ranks.
    """
    chosen = [rank[i] for i in selection.selected if i not in withheld]
    worst = max((r for r in chosen if r is not None), default=None)
    return [item for item in selection.left_out if item.id not in withheld
            and worst is not None and (rank[item.id] or 0) < worst]


def _left_out(item: LeftOut, rank: int | None, cents: int | None, shows_sums: bool,
              shows_optima: bool) -> LeftOut:
    """``item`` with its rank among the visible and its total as the copy scores it (the
    same total, unless calibrated scores were fitted again without the withheld reviews)."""
    item = replace(item, rank=rank, total_cents=item.total_cents if cents is None else cents)
    if not shows_sums:
        item = replace(item, blocked_by=(), swap_with=None)
    if not shows_optima:
        item = replace(item, loss_if_forced=None, forced_portfolio=())
    return item


def _without_gain(rule: RuleOutcome) -> RuleOutcome:
    """The rule without its gain if dropped; binding only as far as being at a bound says."""
    return replace(rule, gain_if_dropped=None, binding=bool(rule.at_bound))
