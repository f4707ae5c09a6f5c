"""The portfolio section of the briefing: the portfolio, its rules and coverage, reserves,
next-best portfolios, and the strong applications left out.

Every figure comes from the disclosed decision (pack/withhold.py): what a copy does not
show is already gone from it, or flagged there, never decided here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pine_select.model.application import categories_of
from pine_select.pack.formatting import size_text
from pine_select.pack.outcomes import forced_fact, swap_fact
from pine_select.pack.withhold import Disclosure
from pine_select.pack.words import Words
from pine_select.report.cells import points
from pine_select.report.select_output import category_bound, if_forced_in
from pine_select.selection.result import CategoryCount, RuleOutcome, SelectionResult


def portfolio_view(disclosed: Disclosure, rows: list[dict[str, Any]], words: Words
                   ) -> dict[str, Any]:
    """The portfolio section; ``rows`` are the recommended applications' rows, in order."""
    selection = disclosed.decision.selection
    return {
        "status": selection.status,
        "rows": rows,
        "total": points(selection.total_cents) if disclosed.shows_sums else None,
        "cost": selection.cost,
        "budget": selection.budget,
        "size": size_text(selection),
        "unconstrained": points(selection.unconstrained_cents),
        "price_of_balance": points(selection.price_of_balance_cents),
        "rules": [_rule_row(rule, disclosed.shows_optima, words) for rule in selection.rules],
        "coverage": _coverage(disclosed, words),
        "withdrawals": [{"id": w.id, "replaced_by": list(w.replaced_by),
                         "also_out": list(w.also_out), "loss": points(w.loss)}
                        for w in selection.withdrawals],
        "reserves": list(selection.reserves),
        "alternatives": _alternatives(selection),
        "conflicting_rules": list(selection.conflicting_rules),
        "relaxations": [{"rule": r.rule, "change": r.change} for r in selection.relaxations
                        if r.steps is not None],
        "not_enough": [{"rule": r.rule, "change": r.change} for r in selection.relaxations
                       if r.steps is None],
        "notes": list(selection.notes),
        "solver": selection.solver,
    }


def _alternatives(selection: SelectionResult) -> list[dict[str, Any]]:
    chosen = set(selection.selected)
    return [{"selected": list(a.selected), "total": points(a.total_cents), "cost": a.cost,
             "gap": points(a.gap_cents), "in": sorted(set(a.selected) - chosen),
             "out": sorted(chosen - set(a.selected))}
            for a in selection.alternatives]


def _rule_row(rule: RuleOutcome, shows_optima: bool, words: Words) -> dict[str, Any]:
    if shows_optima:
        binding = "binding" if rule.binding else "slack"
    else:  # whether it binds by cost is not shown; being at a bound is a count
        binding = "at a bound" if rule.at_bound else "not shown"
    return {"name": rule.name, "text": words.rule_text(rule.name), "kind": rule.kind,
            "bound": rule.bound,
            "satisfied": rule.satisfied, "binding": binding,
            "gain": points(rule.gain_if_dropped), "at_bound": list(rule.at_bound)}


def _coverage(disclosed: Disclosure, words: Words) -> list[dict[str, Any]]:
    """One matrix per field: its rules x its categories, each cell count and bound."""
    call, selection = disclosed.decision.call, disclosed.decision.selection
    field_of = {rule.name: rule.field for rule in call.rubric.selection.rules}
    outcomes = [r for r in selection.rules if r.name in field_of]
    matrices = []
    for field, categories in call.rubric.categories.items():
        rules = [r for r in outcomes if field_of[r.name] == field]
        if not rules:
            continue
        counts = {cat: sum(1 for i in selection.selected
                           if cat in categories_of(call.by_id[i], field))
                  for cat in categories}
        matrices.append({
            "field": words.label(field),
            "categories": words.labels(categories),
            "portfolio": [counts[cat] for cat in categories],
            "rows": [{**_coverage_row(rule, categories), "name": words.label(rule.name)}
                     for rule in rules],
        })
    return matrices


def _coverage_row(rule: RuleOutcome, categories: Sequence[str]) -> dict[str, Any]:
    cells = {c.category: c for c in rule.counts}
    return {"name": rule.name,
            "cells": [_coverage_cell(cells.get(cat), cat in rule.at_bound) for cat in categories],
            "distinct": rule.distinct}


def _coverage_cell(count: CategoryCount | None, at_bound: bool) -> dict[str, Any] | None:
    if count is None:
        return None
    return {"count": count.count, "ok": _within(count), "at_bound": at_bound,
            "bound": category_bound(count, "{low}-{high}", "≥{low}", "≤{high}")}


def _within(count: CategoryCount) -> bool:
    return (count.low is None or count.count >= count.low) and (
        count.high is None or count.count <= count.high)


def left_out_rows(disclosed: Disclosure, words: Words) -> list[dict[str, Any]]:
    """The strong applications left out: the swap fact and the forced-in fact, apart."""
    call, selection = disclosed.decision.call, disclosed.decision.selection
    rows = []
    for left in selection.left_out:
        forced = if_forced_in(left, selection.selected) if disclosed.shows_optima else None
        rows.append({
            "id": left.id,
            "organisation": call.by_id[left.id].organisation.name,
            "title": call.by_id[left.id].title,
            "rank": left.rank,
            "total": points(left.total_cents),
            "swap": swap_fact(left, words) if disclosed.shows_sums else None,
            "forced": forced_fact(left, selection.selected) if disclosed.shows_optima else None,
            "loss": None if forced is None else forced["loss"],
        })
    return rows
