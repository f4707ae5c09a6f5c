"""Partial randomisation that keeps every rule (SPEC 10): the leximin lottery and its draw.

``--zone contested``: the bootstrap (``robustness``) sorts the candidates into bands;
``always`` ones are held in, ``never`` ones held out, and the lottery chooses among the
contested. ``--zone all``: every selectable application is in the zone, as in a sortition
with quotas. Panel includes and exclusions are held in and out in both. Over every portfolio
that keeps every rule under those holds, ``leximin`` finds the fairest lottery; it is
published in billionths and one portfolio is drawn from it with the seed (``distribution``).
"""

from __future__ import annotations

from typing import Literal

from pine_select.chance.distribution import published, ticket
from pine_select.chance.leximin import leximin
from pine_select.chance.result import Lottery, Robustness
from pine_select.chance.robustness import Progress, Setup, reviewer_robustness
from pine_select.errors import UsageError
from pine_select.selection.optimiser import Optimiser, Scenario

Zone = Literal["contested", "all"]


def run_lottery(setup: Setup, *, zone: Zone = "contested", draws: int = 1000,
                seed: int | None = None, workers: int = 1,
                progress: Progress | None = None) -> Lottery:
    """The leximin lottery of ``setup``'s call and the portfolio drawn with ``seed``."""
    seed = setup.report.seed if seed is None else seed
    robustness = None
    if zone == "contested" and draws == 0:
        raise UsageError("draws 0: the contested zone is found by the bootstrap's draws; "
                         "expected at least 1 (or the zone all)", option="draws")
    if zone == "contested":
        robustness = reviewer_robustness(setup, draws=draws, seed=seed, workers=workers,
                                         progress=progress)
    scenario = _holds(setup, robustness)
    problem = setup.problem
    ids = [c.id for c in problem.candidates]
    held_in = tuple(sorted(ids[i] for i in scenario.fixed_in))
    held_out = tuple(sorted(ids[i] for i in scenario.fixed_out))
    free = tuple(sorted(ids[i] for i in range(len(ids))
                        if i not in scenario.fixed_in and i not in scenario.fixed_out))
    found = leximin(Optimiser(problem, setup.solver), scenario) if setup.feasible else None
    if found is None:
        return Lottery("infeasible", zone, seed, held_in, held_out, free, None, None, (),
                       robustness)
    distribution = published([[ids[i] for i in p] for p in found.portfolios], found.weights)
    number = ticket(seed)
    drawn = distribution.portfolios[distribution.holding(number)]
    return Lottery("drawn", zone, seed, held_in, held_out, free, distribution, number, drawn,
                   robustness, found.stages, found.pricing_solves)


def _holds(setup: Setup, robustness: Robustness | None) -> Scenario:
    """Held in and out: the panel's overrides, and the bands when the zone is contested.

    Overrides are rows of the problem already; holding them as bounds too keeps them out of
    the zone.
    """
    problem = setup.problem
    index = {c.id: i for i, c in enumerate(problem.candidates)}
    held_in = {index[i] for i in problem.included}
    held_out = {index[i] for i in problem.excluded if i in index}
    if robustness is not None:
        for chance in robustness.applications:
            if chance.id in index and chance.band == "always":
                held_in.add(index[chance.id])
            elif chance.id in index and chance.band == "never":
                held_out.add(index[chance.id])
    held_in -= held_out  # an excluded "always" cannot be: exclusions are never selected
    return Scenario(fixed_in=frozenset(held_in), fixed_out=frozenset(held_out))
