"""The whole decision in one call: score, then select, under one set of run options.

``select`` and ``pack`` (and ``verify``, re-running a pack) all go through :func:`decide`,
so the briefing pack can never disagree with what ``select`` prints for the same inputs.

This is also the boundary of the speed machinery for a decision: scoring and building the
selection problem make hundreds of thousands of small objects, none in reference cycles,
so the cyclic collector is paused here (gc_pause.py), not inside the library below.
Loading has its own boundary, loading/fast_path.py, used from load_call only.
"""

from __future__ import annotations

from dataclasses import dataclass

from pine_select.gc_pause import paused_gc
from pine_select.model.call import Call
from pine_select.model.reviews import Overrides
from pine_select.options import RunOptions
from pine_select.scoring import score_call
from pine_select.scoring.result import ScoreReport
from pine_select.selection.result import SelectionResult


@dataclass(frozen=True)
class Decision:
    call: Call
    overrides: Overrides  # the call's overrides plus the what-if ones
    scores: ScoreReport
    selection: SelectionResult
    options: RunOptions = RunOptions()


def score(call: Call, options: RunOptions = RunOptions()) -> tuple[ScoreReport, Overrides]:
    """Score ``call`` under ``options`` (weights, overrides, calibration); the overrides used
    too."""
    overrides = call.overrides.merged(options.include, options.exclude)
    with paused_gc():
        return score_call(call, options.weights, overrides, options.calibrate), overrides


def decide(call: Call, options: RunOptions = RunOptions()) -> Decision:
    """Score and select; raises InputError, UsageError or SolverError (see errors.py)."""
    # Imported here: the solver layer (PuLP, and numpy with it) costs start-up time and a
    # thread that would stop the loader parsing on both cores; `score` never needs it.
    from pine_select.selection.select import select_options, select_portfolio

    scores, overrides = score(call, options)
    settings = select_options(size=options.size, budget=options.budget, solver=options.solver,
                              alternatives=options.alternatives, min_swaps=options.min_swaps,
                              explain_limit=options.explain_limit,
                              explanations=options.explanations,
                              drop_rules=options.drop_rules)
    with paused_gc():
        selection = select_portfolio(call, scores, overrides=overrides, options=settings)
    return Decision(call, overrides, scores, selection, options)
