"""Output of ``pine-select robustness`` and ``pine-select lottery``: JSON (SPEC 10) and text.

``p_selected`` is the share of draws as the nearest JSON number; ``times_selected`` is the
exact count behind it. Lottery probabilities are exact billionths, printed as decimals
with at most 9 places (the nearest float of k/10**9 prints as that decimal).
"""

from __future__ import annotations

from fractions import Fraction

from pine_select.chance.distribution import PRECISION, as_decimal
from pine_select.chance.result import ALWAYS, NEVER, Chance, Lottery, Robustness
from pine_select.report.cells import columns, fixed, terminal_text

METHOD = "bootstrap"


def robustness_json(result: Robustness) -> dict[str, object]:
    return {
        "status": result.status,
        "draws": result.draws,
        "seed": result.seed,
        "method": METHOD,
        "bands": {"always": float(ALWAYS), "never": float(NEVER)},
        "same_as_recommended": result.same_as_recommended,
        "applications": [_chance_json(c) for c in result.applications],
    }


def _chance_json(chance: Chance) -> dict[str, object]:
    return {"id": chance.id, "rank": chance.rank, "selected": chance.selected,
            "p_selected": float(chance.p_selected), "times_selected": chance.count,
            "band": chance.band}


def robustness_text(result: Robustness) -> str:
    if result.status == "infeasible":
        return "No portfolio keeps every rule: nothing to resample (see pine-select select)."
    recommended = [c for c in result.applications if c.selected]
    always = [c for c in recommended if c.band == "always"]
    contested = result.in_band("contested")
    lines = [f"Reviewers resampled within each application: {result.draws:,} draws, "
             f"seed {result.seed}.",
             f"{len(always)} of the {len(recommended)} recommended are always selected "
             f"(p >= {float(ALWAYS):.2f}); {len(contested)} application(s) are contested; "
             f"{result.same_as_recommended:,} draw(s) re-selected the recommended portfolio.",
             ""]
    if contested:
        rows = [[terminal_text(c.id), "-" if c.rank is None else str(c.rank),
                 "yes" if c.selected else "", fixed(c.p_selected, 3)]
                for c in contested]
        lines += ["Contested:", *columns(["id", "rank", "recommended", "P(selected)"], rows,
                                         right={1, 3})]
    return "\n".join(lines)


def lottery_json(result: Lottery) -> dict[str, object]:
    distribution = result.distribution
    low = result.min_probability
    return {
        "status": result.status,
        "zone_kind": result.zone_kind,
        "fixed_in": list(result.fixed_in),
        "fixed_out": list(result.fixed_out),
        "zone": list(result.zone),
        "precision": 1 / PRECISION,
        "probabilities": {i: as_decimal(result.probability(i)) for i in result.zone},
        "min_probability": None if low is None else as_decimal(low),
        "distribution": [] if distribution is None else [
            {"portfolio": list(p), "probability": as_decimal(b)}
            for p, b in zip(distribution.portfolios, distribution.billionths, strict=True)],
        "ticket": result.ticket,
        "drawn": list(result.drawn),
        "seed": result.seed,
    }


def lottery_text(result: Lottery) -> str:
    if result.status == "infeasible":
        return ("No portfolio keeps every rule with the held-in and held-out applications: "
                "no lottery (see pine-select select).")
    assert result.distribution is not None and result.ticket is not None
    lines = [f"Lottery over {len(result.zone)} application(s) in the zone ({result.zone_kind}); "
             f"{len(result.fixed_in)} held in, {len(result.fixed_out)} held out; "
             f"{len(result.distribution.portfolios)} portfolio(s) in the distribution.", ""]
    rows = [[terminal_text(i), billionths_percent(result.probability(i))]
            for i in sorted(result.zone, key=lambda i: (-result.probability(i), i))]
    if rows:
        lines += columns(["zone member", "P(selected)"], rows, right={1})
    lines += ["", f"Seed {result.seed}: ticket {result.ticket:,} of {PRECISION:,}.",
              "Drawn: " + ", ".join(terminal_text(i) for i in result.drawn)]
    return "\n".join(lines)


def billionths_percent(billionths: int) -> str:
    """A probability in billionths as a percentage with every digit it has (7 places)."""
    return fixed(Fraction(billionths * 100, PRECISION), 7) + "%"
