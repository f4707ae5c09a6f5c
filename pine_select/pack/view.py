"""The briefing pack's view model: every number and sentence the template shows, prepared.

The template only loops and tests; all judgement (what counts as an outcome, which
scores a conflicted panel member may see, what goes in a chart) is made here, in code
that tests can reach. Applicant text is passed through untouched: the renderer escapes it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from pine_select.model.application import Application, categories_of
from pine_select.options import RunOptions
from pine_select.pack import charts
from pine_select.pipeline import Decision
from pine_select.report.cells import points, points_text
from pine_select.scoring.result import ApplicationScore
from pine_select.selection.result import SelectionResult


@dataclass(frozen=True)
class Audience:
    """Who the pack is for: the whole panel, or one member who must not see some scores."""

    member: str | None
    conflicted: frozenset[str]  # application ids the member declared a conflict with
    include_contacts: bool
    hides_sums: bool = False  # a conflicted application is in the recommended portfolio

    def may_see_scores(self, application_id: str) -> bool:
        return application_id not in self.conflicted

    def may_see_figure(self, *groups: Iterable[str]) -> bool:
        """Whether a sum or difference of totals over the portfolio and ``groups`` may show.

        Such a figure, less the visible totals, would give a withheld total away whenever a
        conflicted application is among the applications it sums over.
        """
        return not self.hides_sums and not any(self.conflicted & set(g) for g in groups)


def audience_for(decision: Decision, params: RunOptions) -> Audience:
    conflicted = frozenset(c.application_id for c in decision.call.conflicts
                           if params.member is not None and c.reviewer == params.member)
    return Audience(params.member, conflicted, params.include_contacts,
                    hides_sums=bool(conflicted & set(decision.selection.selected)))


def withhold_results(results: dict[str, Any], withheld: frozenset[str]) -> dict[str, Any]:
    """results.json for a conflicted panel member: no scores of their conflicted applications.

    Those applications keep their public facts (id, title, organisation, eligibility) and
    lose totals, ranks, criterion scores, flags and reasons; they leave the tie groups and
    the explanations of who was left out. The full pack keeps everything.
    """
    if not withheld:
        return results
    score, select = dict(results["score"]), dict(results["select"])
    score["applications"] = [_withheld_row(a) if a["id"] in withheld else a
                             for a in score["applications"]]
    score["tie_groups"] = [[i for i in group if i not in withheld]
                           for group in score.get("tie_groups", [])]
    select["left_out"] = [item for item in select.get("left_out", [])
                          if item.get("id") not in withheld]
    for key in ("withdrawals", "alternatives"):
        select[key] = [_without_figures(item) if _involves(item, withheld) else item
                       for item in select.get(key, [])]
    if withheld & set(select.get("selected", [])):
        # Sums and differences over a portfolio holding a withheld application give its
        # total away (sum minus the visible totals): none of them is shown.
        select = _without_figures(select)
        select["rules"] = [_without_figures(rule) for rule in select.get("rules", [])]
    return {**results, "score": score, "select": select, "withheld": sorted(withheld)}


FIGURES = ("total_score", "loss", "total", "gap", "price_of_balance", "gain_if_dropped")


def _involves(item: dict[str, Any], withheld: frozenset[str]) -> bool:
    named = {item.get("id")} | {i for key in ("selected", "replaced_by", "also_out")
                                for i in item.get(key, [])}
    return bool(named & withheld)


def _without_figures(item: dict[str, Any]) -> dict[str, Any]:
    return {k: (None if k in FIGURES else v) for k, v in item.items()}


def _withheld_row(row: dict[str, Any]) -> dict[str, Any]:
    public = ("id", "title", "organisation", "eligible", "selectable")
    return {**{k: row[k] for k in public if k in row}, "total": None, "rank": None,
            "criteria": {}, "flags": [], "reasons": [], "withheld": True}


def briefing_view(
    decision: Decision, params: RunOptions, input_hashes: dict[str, str]
) -> dict[str, Any]:
    """Everything briefing.html shows, as plain values."""
    audience = audience_for(decision, params)
    outcomes = outcome_texts(decision, audience)
    return {
        "cover": _cover(decision, audience, input_hashes),
        "portfolio": _portfolio(decision, audience),
        "left_out": _left_out(decision, audience),
        "ranking": [_ranking_row(decision, s, outcomes, audience)
                    for s in _ranking_order(decision, audience)],
        "criteria": [{"id": c.id, "name": c.name, "weight": _number(decision.scores.weights[c.id]),
                      "rubric_weight": _number(c.exact_weight), "guidance": c.guidance}
                     for c in decision.call.rubric.criteria],
        "quality": _quality(decision, audience),
        "conflicts": [{"reviewer": c.reviewer, "application": c.application_id,
                       "reason": c.reason} for c in decision.call.conflicts],
        "overrides": _overrides(decision),
        "method": _method(decision, params),
        "provenance": sorted(input_hashes.items()),
        "applications": [_application_page(decision, s, outcomes, audience)
                         for s in _in_pack_order(decision)],
        "charts": _charts(decision, audience),
    }


SENSITIVITY_MAX_CANDIDATES = 200  # beyond this the section costs more than the pack itself


def sensitivity_view(decision: Decision, params: RunOptions) -> dict[str, Any]:
    """The weight-sensitivity section, or why it is not in this pack."""
    from pine_select.sensitivity import sensitivity_section, weight_sensitivity

    if params.weights or params.size is not None or params.budget is not None:
        return {"skipped": "This pack was made with what-if weights, size or budget; weight "
                           "sensitivity is computed for the published rules only: run "
                           "pine-select sensitivity on the call."}
    selectable = len(decision.scores.selectable())
    if selectable > SENSITIVITY_MAX_CANDIDATES:
        return {"skipped": f"Not computed for a call with {selectable} selectable applications "
                           f"(over {SENSITIVITY_MAX_CANDIDATES}): run pine-select sensitivity."}
    result = weight_sensitivity(decision.call, overrides=decision.overrides,
                                options=params)
    section: dict[str, Any] = dict(sensitivity_section(result))
    withheld = audience_for(decision, params).conflicted
    section["stability"] = [r for r in section["stability"] if r["id"] not in withheld]
    if section["robustness"] is not None:
        robustness = dict(section["robustness"])
        robustness["frequencies"] = [f for f in robustness["frequencies"]
                                     if f["id"] not in withheld]
        section["robustness"] = robustness
    return {"skipped": None, **section}


def fingerprint(input_hashes: dict[str, str]) -> str:
    """One short hash for all inputs, printed on the cover (the manifest has each file's)."""
    import hashlib

    joined = "\n".join(f"{name} {digest}" for name, digest in sorted(input_hashes.items()))
    return hashlib.sha256(joined.encode()).hexdigest()


def outcome_texts(decision: Decision, audience: Audience) -> dict[str, str]:
    """For every application, its outcome and the reason, in one plain sentence."""
    selection = decision.selection
    texts: dict[str, str] = {}
    for position, app_id in enumerate(selection.selected, start=1):
        texts[app_id] = f"Recommended: in the portfolio (pick {position} of " \
                        f"{len(selection.selected)})."
    for position, app_id in enumerate(selection.reserves, start=1):
        texts.setdefault(app_id, f"Reserve {position}: next in line if a recommended "
                                 "application withdraws.")
    for left in selection.left_out:
        if not audience.may_see_scores(left.id):
            texts.setdefault(left.id, "Not chosen.")
            continue
        loss = left.loss_if_forced
        shown = loss if audience.may_see_figure([left.id], left.forced_portfolio) else None
        texts.setdefault(left.id, _left_out_sentence(left.blocked_by, left.swap_with,
                                                     loss is not None, shown))
    for score in decision.scores.applications:
        if not score.selectable:
            # a panel's reason often ends with its own full stop: do not print two
            texts[score.id] = "Not selectable: " + "; ".join(score.reasons).rstrip(".") + "."
        texts.setdefault(score.id, "Not chosen: a higher-scoring balanced portfolio exists "
                                   "without it." if selection.optimal else
                                   "Not chosen: no portfolio keeps every rule.")
    return texts


def _left_out_sentence(blocked_by: Sequence[str], swap_with: str | None, possible: bool,
                       loss: int | None) -> str:
    if not possible:
        return "Not chosen: no portfolio that keeps every rule can include it."
    rules = ", ".join(blocked_by) if blocked_by else "the budget and size"
    swap = f" in place of {swap_with}" if swap_with else ""
    cost = "" if loss is None else f" would cost the portfolio {points_text(loss)} points"
    return f"Not chosen: kept out by {rules}; forcing it in{swap}{cost or ' is possible'}."


def _cover(decision: Decision, audience: Audience, hashes: dict[str, str]) -> dict[str, Any]:
    call, scores = decision.call, decision.scores.applications
    reviewers = {r.reviewer for r in call.reviews}
    return {
        "call": call.rubric.call,
        "version": call.rubric.version,
        "applications": len(scores),
        "eligible": sum(1 for s in scores if s.eligible),
        "selectable": sum(1 for s in scores if s.selectable),
        "reviewers": len(reviewers),
        "review_scores": len(call.reviews),
        "fingerprint": fingerprint(hashes),
        "member": audience.member,
        "withheld": sorted(audience.conflicted),
        "status": decision.selection.status,
        "warnings": [w.message for w in call.warnings],
    }


def _portfolio(decision: Decision, audience: Audience) -> dict[str, Any]:
    selection, call = decision.selection, decision.call
    by_score = decision.scores.by_id()
    visible, sums_visible = audience.may_see_figure, audience.may_see_figure()
    return {
        "status": selection.status,
        "rows": [_app_row(call.by_id[i], by_score[i], audience) for i in selection.selected],
        "total": points(selection.total_cents) if sums_visible else None,
        "cost": selection.cost,
        "budget": selection.budget,
        "size": _size_text(selection),
        "unconstrained": points(selection.unconstrained_cents) if sums_visible else None,
        "price_of_balance": points(selection.price_of_balance_cents) if sums_visible else None,
        "rules": [_rule_row(rule, sums_visible) for rule in selection.rules],
        "coverage": _coverage(decision),
        "withdrawals": [{"id": w.id, "replaced_by": list(w.replaced_by),
                         "also_out": list(w.also_out),
                         "loss": points(w.loss) if visible([w.id], w.replaced_by, w.also_out)
                         else None}
                        for w in selection.withdrawals],
        "reserves": list(selection.reserves),
        "alternatives": [{"selected": list(a.selected),
                          "total": points(a.total_cents) if visible(a.selected) else None,
                          "cost": a.cost,
                          "gap": points(a.gap_cents) if visible(a.selected) else None,
                          "in": sorted(set(a.selected) - set(selection.selected)),
                          "out": sorted(set(selection.selected) - set(a.selected))}
                         for a in selection.alternatives],
        "conflicting_rules": list(selection.conflicting_rules),
        "relaxations": [{"rule": r.rule, "change": r.change} for r in selection.relaxations
                        if r.steps is not None],
        "not_enough": [{"rule": r.rule, "change": r.change} for r in selection.relaxations
                       if r.steps is None],
        "notes": list(selection.notes),
        "solver": selection.solver,
    }


def _size_text(selection: SelectionResult) -> str:
    low, high = selection.size_range
    if high is None:
        return f"at least {low}" if low else "as many as the budget allows"
    return str(low) if low == high else f"{low} to {high}"


def _rule_row(rule: Any, sums_visible: bool) -> dict[str, Any]:
    return {"name": rule.name, "kind": rule.kind, "bound": rule.bound,
            "satisfied": rule.satisfied, "binding": rule.binding,
            "gain": points(rule.gain_if_dropped) if sums_visible else None,
            "at_bound": list(rule.at_bound)}


def _coverage(decision: Decision) -> list[dict[str, Any]]:
    """One matrix per field: its rules x its categories, each cell count and bound."""
    rubric = decision.call.rubric
    field_of = {rule.name: rule.field for rule in rubric.selection.rules}
    outcomes = [r for r in decision.selection.rules if r.name in field_of]
    matrices = []
    for field, categories in rubric.categories.items():
        rules = [r for r in outcomes if field_of[r.name] == field]
        if not rules:
            continue
        counts = {cat: sum(1 for i in decision.selection.selected
                           if cat in categories_of(decision.call.by_id[i], field))
                  for cat in categories}
        matrices.append({
            "field": field,
            "categories": list(categories),
            "portfolio": [counts[cat] for cat in categories],
            "rows": [_coverage_row(rule, categories) for rule in rules],
        })
    return matrices


def _coverage_row(rule: Any, categories: Sequence[str]) -> dict[str, Any]:
    cells = {c.category: c for c in rule.counts}
    return {"name": rule.name,
            "cells": [_coverage_cell(cells.get(cat), cat in rule.at_bound) for cat in categories],
            "distinct": rule.distinct}


def _coverage_cell(count: Any, at_bound: bool) -> dict[str, Any] | None:
    if count is None:
        return None
    bound = ""
    if count.low is not None and count.high is not None:
        bound = f"{count.low}-{count.high}"
    elif count.low is not None:
        bound = f"≥{count.low}"
    elif count.high is not None:
        bound = f"≤{count.high}"
    ok = (count.low is None or count.count >= count.low) and (
        count.high is None or count.count <= count.high)
    return {"count": count.count, "bound": bound, "ok": ok, "at_bound": at_bound}


def _left_out(decision: Decision, audience: Audience) -> list[dict[str, Any]]:
    call = decision.call
    rows = []
    for left in decision.selection.left_out:
        visible = audience.may_see_scores(left.id)
        rows.append({
            "id": left.id,
            "organisation": call.by_id[left.id].organisation.name,
            "title": call.by_id[left.id].title,
            "rank": left.rank if visible else None,
            "total": points(left.total_cents) if visible else None,
            "blocked_by": list(left.blocked_by) if visible else [],
            "swap_with": left.swap_with if visible else None,
            "loss": points(left.loss_if_forced)
            if audience.may_see_figure([left.id], left.forced_portfolio) else None,
            "possible": left.loss_if_forced is not None,
            "visible": visible,
        })
    return rows


def _app_row(app: Application, score: ApplicationScore, audience: Audience) -> dict[str, Any]:
    visible = audience.may_see_scores(app.id)
    return {
        "id": app.id,
        "title": app.title,
        "organisation": app.organisation.name,
        "type": app.organisation.type,
        "region": app.organisation.region,
        "practice_type": app.practice_type,
        "age_groups": list(app.age_groups),
        "amount": app.requested_amount,
        "rank": score.rank if visible else None,
        "total": points(score.total_cents) if visible else None,
        "visible": visible,
    }


def _ranking_row(decision: Decision, score: ApplicationScore, outcomes: dict[str, str],
                 audience: Audience) -> dict[str, Any]:
    row = _app_row(decision.call.by_id[score.id], score, audience)
    visible = row["visible"]
    row.update({
        "eligible": score.eligible,
        "selectable": score.selectable,
        "criteria": [_fixed(score.criteria[c].score, 2) if visible and c in score.criteria
                     else None for c in decision.call.rubric.criterion_ids()],
        "flags": list(score.flags) if visible else [],
        "selected": score.id in decision.selection.selected,
        "outcome": outcomes[score.id],
    })
    return row


def _quality(decision: Decision, audience: Audience) -> dict[str, Any]:
    quality = decision.scores.quality
    disagreements = []
    for score in decision.scores.applications:
        if not audience.may_see_scores(score.id):
            continue
        for flag in score.flags:
            kind, _, criterion = flag.partition(":")
            if kind == "disagreement" and criterion in score.criteria:
                c = score.criteria[criterion]
                disagreements.append({"id": score.id, "criterion": criterion,
                                      "spread": c.spread,
                                      "scores": [f"{r} {s}" for r, s in c.scores]})
    return {
        "method": quality.method,
        "target": quality.target,
        "reviewers": [{"reviewer": r.reviewer, "scores": r.n_scores,
                       "applications": r.n_applications, "leniency": r.leniency,
                       "compared": r.n_compared} for r in quality.reviewers],
        "criteria": [{"criterion": c.criterion, "icc": c.icc,
                      "reliability": c.reliability_of_mean, "mean_reviewers": c.mean_reviewers,
                      "needed": c.reviewers_for_target} for c in quality.criteria],
        "disagreements": disagreements,
        "extremes": [{"id": s.id, "reviewers": list(s.extreme_reviewers)}
                     for s in decision.scores.applications
                     if s.extreme_reviewers and audience.may_see_scores(s.id)],
    }


def _overrides(decision: Decision) -> list[dict[str, str]]:
    return ([{"side": "include", "id": o.id, "reason": o.reason}
             for o in decision.overrides.include]
            + [{"side": "exclude", "id": o.id, "reason": o.reason}
               for o in decision.overrides.exclude])


def _method(decision: Decision, params: RunOptions) -> dict[str, Any]:
    rubric = decision.call.rubric
    return {
        "aggregate": rubric.aggregate,
        "scale": f"{rubric.scale.min} to {rubric.scale.max}",
        "min_reviews": rubric.min_reviews,
        "disagreement": rubric.disagreement,
        "seed": decision.scores.seed,
        "solver": decision.selection.solver,
        "gates": [{"id": g.id, "field": g.field, "conditions": ", ".join(g.conditions())}
                  for g in rubric.eligibility],
        "parameters": list(params.as_recorded(changed_only=True).items()),
    }


def _application_page(decision: Decision, score: ApplicationScore, outcomes: dict[str, str],
                      audience: Audience) -> dict[str, Any]:
    app = decision.call.by_id[score.id]
    visible = audience.may_see_scores(app.id)
    comments = {(r.reviewer, r.criterion): r.comment for r in decision.call.reviews_of(app.id)}
    page = _app_row(app, score, audience)
    page.update({
        "summary": app.summary,
        "facts": sorted((k, _fact(v)) for k, v in app.facts.items()),
        "answers": sorted(app.answers.items()),
        "contact": _contact(app) if audience.include_contacts else None,
        "outcome": outcomes[app.id],
        "reasons": list(score.reasons),
        "flags": list(score.flags) if visible else [],
        "criteria": [_criterion_block(decision, score, c, comments)
                     for c in decision.call.rubric.criterion_ids()] if visible else [],
    })
    return page


def _criterion_block(decision: Decision, score: ApplicationScore, criterion: str,
                     comments: dict[tuple[str, str], str]) -> dict[str, Any]:
    result = score.criteria.get(criterion)
    name = next(c.name for c in decision.call.rubric.criteria if c.id == criterion)
    return {
        "id": criterion,
        "name": name,
        "score": _fixed(result.score, 2) if result else None,
        "reviews": [{"reviewer": r, "score": s, "comment": comments.get((r, criterion), "")}
                    for r, s in (result.scores if result else ())],
    }


def _contact(app: Application) -> list[tuple[str, str]]:
    fields = (("name", app.contact.name), ("email", app.contact.email),
              ("phone", app.contact.phone))
    return [(k, v) for k, v in fields if v]


def _ranking_order(decision: Decision, audience: Audience) -> list[ApplicationScore]:
    """The ranking; a conflicted member's applications go last, so position leaks no rank."""
    return sorted(decision.scores.applications,
                  key=lambda s: not audience.may_see_scores(s.id))


def _in_pack_order(decision: Decision) -> list[ApplicationScore]:
    """Recommended first, then the rest of the ranking, then the unselectable."""
    chosen = set(decision.selection.selected)
    scores = decision.scores.applications
    return [s for s in scores if s.id in chosen] + [s for s in scores if s.id not in chosen]


def _charts(decision: Decision, audience: Audience) -> dict[str, Any]:
    visible = [s for s in decision.scores.applications
               if s.total_cents is not None and s.selectable and audience.may_see_scores(s.id)]
    chosen = set(decision.selection.selected)
    totals = [s.total_cents / 100 for s in visible if s.total_cents is not None]
    picked = [s.total_cents / 100 for s in visible
              if s.id in chosen and s.total_cents is not None]
    line = min(picked) if picked else None
    quality = decision.scores.quality
    leniency = [(r.reviewer, r.leniency, "") for r in quality.reviewers if r.leniency is not None]
    bound = max([abs(v) for _, v, _ in leniency] + [0.5])
    return {
        "distribution": charts.histogram("Totals of selectable applications (chosen in dark)",
                                         totals, picked, line),
        "profile": charts.horizontal_bars(
            "Criterion profile: mean normalised score, portfolio vs all selectable",
            _profile_rows(decision, visible, chosen), 0.0, 1.0),
        "leniency": charts.horizontal_bars("Reviewer leniency (points above co-reviewers)",
                                           leniency, -bound, bound),
    }


def _profile_rows(decision: Decision, visible: Sequence[ApplicationScore],
                  chosen: set[str]) -> list[tuple[str, float, str]]:
    rubric = decision.call.rubric
    low, span = rubric.scale.min, rubric.scale.max - rubric.scale.min
    rows = []
    for criterion in rubric.criteria:
        for label, group, kind in (("portfolio", [s for s in visible if s.id in chosen],
                                    "chosen"), ("all", visible, "other")):
            scores = [s.criteria[criterion.id].score for s in group if criterion.id in s.criteria]
            values = [(score - low) / span for score in scores if score is not None]
            mean = float(sum(values, Fraction(0)) / len(values)) if values else 0.0
            rows.append((f"{criterion.name} ({label})", mean, kind))
    return rows


def _fixed(value: Fraction | None, places: int) -> str | None:
    return None if value is None else f"{float(value):.{places}f}"


def _number(value: Fraction) -> str:
    return str(value.numerator) if value.denominator == 1 else f"{float(value):g}"


def _fact(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "—" if value is None else str(value)
