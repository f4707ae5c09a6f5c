"""The whole decision in one call: score, then select, with the same what-ifs for both.

``select`` and ``pack`` (and ``verify``, re-running a pack) all go through :func:`decide`,
so the briefing pack can never disagree with what ``select`` prints for the same inputs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

from pine_select.model.call import Call
from pine_select.model.reviews import Overrides
from pine_select.scoring import score_call
from pine_select.scoring.result import ScoreReport
from pine_select.selection.result import SelectionResult


@dataclass(frozen=True)
class WhatIf:
    """Changes to the published rules for one run; the defaults change nothing."""

    weights: Mapping[str, Fraction] | None = None  # some or all criteria; None: the rubric's
    size: int | None = None
    budget: int | None = None
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    solver: str | None = None
    alternatives: int = 0
    min_swaps: int = 1
    explain_limit: int | None = None  # re-solves for explanations (None: by call size)


@dataclass(frozen=True)
class Decision:
    call: Call
    overrides: Overrides  # the call's overrides plus the what-if ones
    scores: ScoreReport
    selection: SelectionResult


def score(call: Call, what_if: WhatIf = WhatIf()) -> tuple[ScoreReport, Overrides]:
    """Score ``call`` under ``what_if`` (weights and overrides); the overrides used too."""
    overrides = call.overrides.merged(what_if.include, what_if.exclude)
    return score_call(call, what_if.weights, overrides), overrides


def decide(call: Call, what_if: WhatIf = WhatIf()) -> Decision:
    """Score and select; raises InputError, UsageError or SolverError (see errors.py)."""
    # Imported here: the solver layer (PuLP, and numpy with it) costs start-up time and a
    # thread that would stop the loader parsing on both cores; `score` never needs it.
    from pine_select.selection.select import select_options, select_portfolio

    scores, overrides = score(call, what_if)
    options = select_options(size=what_if.size, budget=what_if.budget, solver=what_if.solver,
                             alternatives=what_if.alternatives, min_swaps=what_if.min_swaps,
                             explain_limit=what_if.explain_limit)
    selection = select_portfolio(call, scores, overrides=overrides, options=options)
    return Decision(call, overrides, scores, selection)
