"""The briefing pack's "how much of the choice is chance" section (SPEC 10), as plain data.

:func:`chance_results` decides whether the section is in a pack (``robustness_draws`` in
the run's options, published rules, a copy that withholds no selectable application) and
computes it; :func:`chance_json` is its part of results.json (the commands' JSON), and
:func:`chance_view` / :func:`chance_section` turn it into what ``_chance.html.j2`` draws:
a chart of P(selected) against rank with the funding line (every coordinate computed here,
rounded to 0.1 so the SVG is the same on every machine), the contested applications and,
when a lottery was run, its zone, distribution, seed and drawn portfolio.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from pine_select.chance.result import ALWAYS, NEVER, Lottery, Robustness
from pine_select.options import RunOptions
from pine_select.pack.sensitivity_view import too_large
from pine_select.pack.withhold import Disclosure
from pine_select.report.cells import fixed
from pine_select.report.chance_output import billionths_percent, lottery_json, robustness_json

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 12, 30  # margins of the plot inside the chart
CHANCE_MAX_CANDIDATES = 200  # beyond this the draws cost more than the pack itself


@dataclass(frozen=True)
class ChanceResults:
    """What the pack's chance section shows, or why it is not in this pack."""

    robustness: Robustness | None = None
    lottery: Lottery | None = None
    reason: str = ""  # why not shown ("" when shown, or when not asked for)

    @property
    def shown(self) -> bool:
        return self.robustness is not None


def chance_results(disclosed: Disclosure, params: RunOptions) -> ChanceResults:
    """The bootstrap (and lottery) the run's options ask for, computed; or why not."""
    reason = _not_computed_because(disclosed, params)
    if reason is not None:
        return ChanceResults(reason=reason)
    from pine_select.chance import run_lottery
    from pine_select.chance.robustness import reviewer_robustness, setup_for

    decision = disclosed.decision
    setup = setup_for(decision.call, decision.scores, decision.overrides)
    draws, seed = params.robustness_draws, params.seed
    if params.lottery is None:
        return ChanceResults(reviewer_robustness(setup, draws=draws, seed=seed))
    lottery = run_lottery(setup, zone=params.lottery, draws=draws, seed=seed)
    robustness = lottery.robustness or reviewer_robustness(setup, draws=draws, seed=seed)
    return ChanceResults(robustness, lottery)


def chance_json(found: ChanceResults) -> dict[str, Any] | None:
    """For results.json: the SPEC 10 JSON of the bootstrap and of the lottery."""
    if found.robustness is None:
        return None
    return {"robustness": robustness_json(found.robustness),
            "lottery": None if found.lottery is None else lottery_json(found.lottery)}


def _not_computed_because(disclosed: Disclosure, params: RunOptions) -> str | None:
    if params.robustness_draws == 0:
        return "" if params.lottery is None else (
            "A lottery was asked for without the bootstrap's draws (robustness_draws).")
    if params.is_what_if:
        return ("This pack was made with what-ifs; the chance of selection is computed for "
                "the published rules only: run pine-select robustness on the call.")
    if not disclosed.shows_sensitivity:
        return ("In this copy the chance of selection is not shown: every draw weighs the "
                "scores of a withheld application that could be selected.")
    return too_large(disclosed, CHANCE_MAX_CANDIDATES, "robustness")


def chance_view(found: ChanceResults) -> dict[str, Any]:
    """Plain data for ``{% include "_chance.html.j2" %}`` (as ``chance``)."""
    if found.robustness is None:
        return {"shown": False, "reason": found.reason}
    return chance_section(found.robustness, found.lottery)


def chance_section(robustness: Robustness, lottery: Lottery | None) -> dict[str, Any]:
    """Plain data for ``{% include "_chance.html.j2" %}`` (as ``chance``)."""
    ranked = [c for c in robustness.applications if c.rank is not None]
    size = sum(1 for c in robustness.applications if c.selected)
    return {
        "shown": True, "reason": "",
        "available": robustness.status == "optimal",
        "draws": robustness.draws, "seed": robustness.seed,
        "always": fixed(ALWAYS, 2), "never": fixed(NEVER, 2),
        "recommended_always": sum(1 for c in robustness.applications
                                  if c.selected and c.band == "always"),
        "recommended": size,
        "chart": _chart(ranked, size),
        "contested": [{"id": c.id, "rank": c.rank, "selected": c.selected,
                       "percent": _percent(c.p_selected)}
                      for c in robustness.applications if c.band == "contested"],
        "lottery": None if lottery is None else _lottery(lottery),
    }


def _chart(ranked: list[Any], size: int) -> dict[str, Any]:
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    n = max(len(ranked), 1)

    def x_of(rank: float) -> float:
        return round(LEFT + plot_w * (rank - 0.5) / n, 1)

    def y_of(p: Fraction) -> float:
        return round(TOP + plot_h * float(1 - p), 1)

    return {
        "width": WIDTH, "height": HEIGHT, "left": LEFT, "right": WIDTH - RIGHT,
        "top": TOP, "bottom": HEIGHT - BOTTOM,
        "points": [{"x": x_of(c.rank), "y": y_of(c.p_selected), "id": c.id, "rank": c.rank,
                    "percent": _percent(c.p_selected),
                    "kind": "chosen" if c.selected else "other"} for c in ranked],
        "funding_line": x_of(size + 0.5) if 0 < size < len(ranked) else None,
        "bands": [{"y": y_of(ALWAYS), "label": f"always ({fixed(ALWAYS, 2)})"},
                  {"y": y_of(NEVER), "label": f"never ({fixed(NEVER, 2)})"}],
        "y_ticks": [{"y": y_of(Fraction(k, 4)), "label": f"{25 * k}%"} for k in range(5)],
        "x_ticks": [{"x": x_of(r), "label": str(r)} for r in _rank_ticks(len(ranked))],
    }


def _rank_ticks(n: int) -> list[int]:
    step = max(1, -(-n // 8))
    return [1, *range(step, n + 1, step)] if n else []


def _lottery(found: Lottery) -> dict[str, Any]:
    distribution = found.distribution
    return {
        "status": found.status, "zone_kind": found.zone_kind, "seed": found.seed,
        "fixed_in": list(found.fixed_in), "fixed_out": len(found.fixed_out),
        "zone": [{"id": i, "percent": billionths_percent(found.probability(i))}
                 for i in sorted(found.zone, key=lambda i: (-found.probability(i), i))],
        "distribution": [] if distribution is None else [
            {"portfolio": list(p), "percent": billionths_percent(b)}
            for p, b in zip(distribution.portfolios, distribution.billionths, strict=True)],
        "ticket": found.ticket, "drawn": list(found.drawn),
    }


def _percent(p: Fraction) -> str:
    return fixed(100 * p, 1) + "%"


