"""Output of ``pine-select select``: JSON for scripts, a terminal table for the panel.

The JSON keys ``status, selected, total_score, cost, rules[name, satisfied, binding],
reserves, conflicting_rules`` are fixed by the SPEC; everything else is added around them.
Scores are printed to 2 decimals from exact cents; money is whole pounds.
"""

from __future__ import annotations

from pine_select.model.call import Call
from pine_select.report.cells import (
    columns,
    exact_number,
    points,
    points_text,
    terminal_text,
)
from pine_select.selection.result import (
    Alternative,
    CategoryCount,
    LeftOut,
    RuleOutcome,
    SelectionResult,
    Unselectable,
    Withdrawal,
)

TITLE_WIDTH = 36


# -- JSON ------------------------------------------------------------------------------------

def select_json(result: SelectionResult) -> dict[str, object]:
    data: dict[str, object] = {
        "status": result.status,
        "selected": list(result.selected),
        "total_score": points(result.total_cents),
        "cost": result.cost,
        "rules": [_rule_json(rule) for rule in result.rules],
        "reserves": list(result.reserves),
    }
    if not result.optimal:
        data["conflicting_rules"] = list(result.conflicting_rules)
        data["relaxations"] = [{"rule": r.rule, "change": r.change, "steps": r.steps}
                               for r in result.relaxations]
    else:
        data["price_of_balance"] = _price_json(result)
        data["left_out"] = [_left_out_json(item, result.selected) for item in result.left_out]
        data["withdrawals"] = [_withdrawal_json(item) for item in result.withdrawals]
        data["alternatives"] = [_alternative_json(item) for item in result.alternatives]
    data.update({
        "size": _size_json(result.size_range), "budget": result.budget,
        "solver": result.solver, "solver_version": result.solver_version, "seed": result.seed,
        "weights": {c: exact_number(w) for c, w in result.weights.items()},
        "notes": list(result.notes),
    })
    if result.unselectable is not None:
        data["unselectable"] = _unselectable_json(result.unselectable)
    return data


def _unselectable_json(why: Unselectable) -> dict[str, int]:
    return {"applications": why.applications, "ineligible": why.ineligible,
            "too_few_reviews": why.too_few_reviews, "excluded": why.excluded}


def no_selectable_text(why: Unselectable) -> str:
    """The sentence for a call where no application can be chosen, with counts by reason.

    For every output that reports a selection (the terminal, the briefing pack).
    """
    return (f"No application is selectable: of {why.applications} application(s), "
            f"{why.ineligible} ineligible, {why.too_few_reviews} with too few reviews, "
            f"{why.excluded} excluded by the panel (one may have several reasons).")


def _rule_json(rule: RuleOutcome) -> dict[str, object]:
    data: dict[str, object] = {"name": rule.name, "satisfied": rule.satisfied,
                               "binding": rule.binding, "kind": rule.kind, "bound": rule.bound,
                               "at_bound": list(rule.at_bound)}
    if rule.counts:
        data["counts"] = {c.category: c.count for c in rule.counts}
        data["distinct"] = rule.distinct
    if rule.actual is not None:
        data["actual"] = rule.actual
    data["gain_if_dropped"] = None if rule.gain_if_dropped is None \
        else points(rule.gain_if_dropped)
    return data


def _price_json(result: SelectionResult) -> dict[str, object]:
    price = result.price_of_balance_cents
    return {
        "unconstrained_total": None if result.unconstrained_cents is None
        else points(result.unconstrained_cents),
        "chosen_total": points(result.total_cents),
        "price": None if price is None else points(price),
        "by_rule": {r.name: points(r.gain_if_dropped) for r in result.rules
                    if r.binding and r.gain_if_dropped is not None},
        "unbalanced": list(result.unconstrained),
    }


def _left_out_json(item: LeftOut, selected: tuple[str, ...]) -> dict[str, object]:
    return {"id": item.id, "rank": item.rank, "total": points(item.total_cents),
            "kept_out_by": list(item.blocked_by), "swap_with": item.swap_with,
            "loss_if_forced_in": None if item.loss_if_forced is None
            else points(item.loss_if_forced),
            "if_forced_in": if_forced_in(item, selected)}


def if_forced_in(item: LeftOut, selected: tuple[str, ...]) -> dict[str, object] | None:
    """The re-optimised portfolio with ``item`` forced in: what ``select --include ID`` gives.

    ``enters`` and ``leaves`` against the chosen portfolio (rank order), ``loss`` in points;
    None when no portfolio that keeps every rule can include it.
    """
    if item.loss_if_forced is None:
        return None
    forced, chosen = set(item.forced_portfolio), set(selected)
    return {"enters": [i for i in item.forced_portfolio if i not in chosen],
            "leaves": [i for i in selected if i not in forced],
            "loss": points(item.loss_if_forced)}


def _withdrawal_json(item: Withdrawal) -> dict[str, object]:
    single = item.one_for_one
    return {"id": item.id, "replaced_by": list(item.replaced_by), "also_out": list(item.also_out),
            "loss": None if item.loss is None else points(item.loss),
            "one_for_one": None if single is None else {"id": single.id,
                                                        "loss": points(single.loss)}}


def _alternative_json(item: Alternative) -> dict[str, object]:
    return {"selected": list(item.selected), "total_score": points(item.total_cents),
            "cost": item.cost, "gap": points(item.gap_cents)}


def _size_json(size_range: tuple[int, int | None]) -> dict[str, int | None]:
    return {"min": size_range[0], "max": size_range[1]}


# -- table -----------------------------------------------------------------------------------

def select_table(result: SelectionResult, call: Call) -> str:
    """The portfolio, the coverage of every rule, the price of balance and the reasons."""
    if result.unselectable is not None:
        return no_selectable_text(result.unselectable)
    if not result.optimal:
        return "\n".join(_infeasible_lines(result))
    sections = [
        _heading(result),
        _portfolio_lines(result, call),
        _coverage_lines(result),
        _price_lines(result),
        _left_out_lines(result),
        _reserve_lines(result),
        _alternative_lines(result),
        list(result.notes),
    ]
    return "\n\n".join("\n".join(lines) for lines in sections if lines)


def _heading(result: SelectionResult) -> list[str]:
    low, high = result.size_range
    size = f"{low}" if low == high else f"{low}-{high if high is not None else 'any'}"
    budget = "none" if result.budget is None else f"£{result.budget:,}"
    return [f"Portfolio: {len(result.selected)} applications, total score "
            f"{points_text(result.total_cents)}, cost £{result.cost:,} "
            f"(size {size}, budget {budget})",
            f"proven optimal by {result.solver}; ties broken by lottery, seed {result.seed}"]


def _portfolio_lines(result: SelectionResult, call: Call) -> list[str]:
    rows = []
    for app_id in result.selected:
        app = call.by_id[app_id]
        rows.append([app_id, terminal_text(app.title, TITLE_WIDTH),
                     f"£{app.requested_amount:,}", terminal_text(app.practice_type),
                     terminal_text(app.organisation.region), terminal_text(app.organisation.type),
                     terminal_text(", ".join(app.age_groups))])
    header = ["id", "title", "cost", "practice", "region", "type", "ages"]
    return columns(header, rows, right={2})


def _coverage_lines(result: SelectionResult) -> list[str]:
    rows = []
    for rule in result.rules:
        rows += _coverage_rows(rule)
    header = ["rule", "category", "actual", "bound", ""]
    return ["Coverage (actual against bound; * at its bound):",
            *columns(header, rows, right={2})]


def _coverage_rows(rule: RuleOutcome) -> list[list[str]]:
    status = ("ok" if rule.satisfied else "BROKEN") + (", binding" if rule.binding else "")
    if not rule.counts:
        actual = "" if rule.actual is None else str(rule.actual)
        return [[rule.name, "", actual, rule.bound, status]]
    rows = [[rule.name, "", "", rule.bound, status]]
    rows += [["", _category(c, rule), str(c.count), category_bound(c), ""] for c in rule.counts]
    if rule.distinct is not None and "distinct_at_least" in rule.bound:
        mark = "*" if "distinct" in rule.at_bound else ""
        rows.append(["", f"(distinct){mark}", str(rule.distinct), "", ""])
    return rows


def _category(count: CategoryCount, rule: RuleOutcome) -> str:
    return terminal_text(count.category) + ("*" if count.category in rule.at_bound else "")


def category_bound(count: CategoryCount, between: str = "{low}..{high}",
                   at_least: str = ">= {low}", at_most: str = "<= {high}") -> str:
    """A category's bound in words (the pack writes them its own way: ``2-3``, ``≥1``)."""
    if count.low is not None and count.high is not None:
        return between.format(low=count.low, high=count.high)
    if count.low is not None:
        return at_least.format(low=count.low)
    return "" if count.high is None else at_most.format(high=count.high)


def _price_lines(result: SelectionResult) -> list[str]:
    if result.unconstrained_cents is None:
        return []
    lines = [f"Price of balance: {points_text(result.price_of_balance_cents or 0)} points "
             f"(best total without balance rules {points_text(result.unconstrained_cents)}, "
             f"chosen {points_text(result.total_cents)})"]
    for rule in result.rules:
        if rule.binding and rule.gain_if_dropped is not None:
            lines.append(f"  dropping {rule.name} alone would gain "
                         f"{points_text(rule.gain_if_dropped)}")
    return lines


def _left_out_lines(result: SelectionResult) -> list[str]:
    if not result.left_out:
        return []
    lines = ["Strong applications left out:"]
    for item in result.left_out:
        swap = f" in place of {item.swap_with}" if item.swap_with else ""
        loss = ("cannot be forced in" if item.loss_if_forced is None
                else f"forcing it in loses {points_text(item.loss_if_forced)}")
        lines.append(f"  {item.id} (rank {item.rank}, {points_text(item.total_cents)}): "
                     f"bringing it in{swap} breaks {', '.join(item.blocked_by)}; {loss}")
    return lines


def _reserve_lines(result: SelectionResult) -> list[str]:
    if not result.withdrawals:
        return []
    lines = [f"Reserves, in order: {', '.join(result.reserves) or 'none'}",
             "If one withdrew:"]
    for item in result.withdrawals:
        if item.loss is None:
            lines.append(f"  {item.id}: no portfolio satisfies the rules without it")
            continue
        also = f" (and {', '.join(item.also_out)} leave)" if item.also_out else ""
        lines.append(f"  {item.id}: replaced by {', '.join(item.replaced_by) or 'nobody'}{also}, "
                     f"losing {points_text(item.loss)}; {_one_for_one_text(item)}")
    return lines


def _one_for_one_text(item: Withdrawal) -> str:
    single = item.one_for_one
    if single is None:
        return "no single application can take its place with the others kept"
    return f"one for one, with the others kept: {single.id}, losing {points_text(single.loss)}"


def _alternative_lines(result: SelectionResult) -> list[str]:
    if not result.alternatives:
        return []
    lines = ["Next-best portfolios:"]
    for k, item in enumerate(result.alternatives, 1):
        lines.append(f"  {k}. {points_text(item.total_cents)} (-{points_text(item.gap_cents)}), "
                     f"£{item.cost:,}: {', '.join(item.selected)}")
    return lines


def _infeasible_lines(result: SelectionResult) -> list[str]:
    lines = ["No portfolio satisfies every rule.",
             f"These rules cannot hold together: {', '.join(result.conflicting_rules)}"]
    enough = [r for r in result.relaxations if r.steps is not None]
    not_enough = [r for r in result.relaxations if r.steps is None]
    if enough:
        lines.append("Smallest relaxations (each alone makes a portfolio possible):")
        lines += [f"  - {r.change}" for r in enough]
    if not_enough:
        lines.append("Not enough on their own:")
        lines += [f"  - {r.change}" for r in not_enough]
    return lines


